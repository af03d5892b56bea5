/*
 * msr.c -- Data Banzhaf by maximum sample reuse (Wang & Jia, AISTATS 2023):
 * every uniformly drawn subset updates every player's "with" or "without"
 * mean; subsets run in parallel batches.
 */
#include "methods/game.h"

#include <math.h>
#include <string.h>

typedef struct {
    uint64_t seed;
    size_t n;               /* players */
    double *u;              /* batch utilities */
    unsigned char *in;      /* batch x n membership */
    size_t base;
} msr_ctx;

static int msr_item(const dv_game *g, void *state, size_t t, void *vctx, dv_error *err)
{
    msr_ctx *c = vctx;
    size_t n = g->n_players, m = 0;
    unsigned char *in = c->in + (t - c->base) * n;
    int64_t *S = dv__malloc((n ? n : 1) * sizeof *S);
    if (!S)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_rng r;
    dv_rng_seed(&r, c->seed, 0x4d5352ULL ^ ((uint64_t)t << 8)); /* "MSR" */
    for (size_t i = 0; i < n; i += 64) {
        uint64_t bits = dv_rng_next(&r);
        for (size_t b = 0; b < 64 && i + b < n; b++) {
            in[i + b] = (unsigned char)(bits >> b & 1);
            if (in[i + b])
                S[m++] = (int64_t)(i + b);
        }
    }
    int rc = g->utility(g->user, state, S, m, &c->u[t - c->base]);
    dv__free(S);
    return rc;
}

static size_t msr_spans(void *vctx, size_t t, dv__span *sp)
{
    msr_ctx *c = vctx;
    sp[0] = (dv__span){&c->u[t - c->base], 1, sizeof(double), sizeof(double)};
    sp[1] = (dv__span){c->in + (t - c->base) * c->n, c->n, 1, 1};
    return 2;
}

/* MSR values (mean utility with i minus without i) and their standard
 * errors after N samples. */
static void msr_values(size_t n, size_t N, const double *sin, const double *sin2,
                       const double *sout, const double *sout2, const size_t *nin,
                       double *values, double *errs)
{
    for (size_t i = 0; i < n; i++) {
        double a = (double)nin[i], b = (double)(N - nin[i]);
        double mi = a > 0 ? sin[i] / a : 0, mo = b > 0 ? sout[i] / b : 0;
        values[i] = mi - mo;
        double vi = a > 1 ? (sin2[i] - a * mi * mi) / (a - 1) : NAN;
        double vo = b > 1 ? (sout2[i] - b * mo * mo) / (b - 1) : NAN;
        errs[i] = sqrt((vi > 0 ? vi : 0) / (a > 0 ? a : 1) + (vo > 0 ? vo : 0) / (b > 0 ? b : 1));
        if (a < 2 || b < 2)
            errs[i] = INFINITY;
    }
}

int dv__value_msr(const dv_game *g, const dv_value_params *p, double *values, double *stderrs,
                     dv_value_info *info, dv_error *err)
{
    size_t n = g->n_players, batch = dv__batch_size(p);
    double t0 = dv_clock_seconds();
    msr_ctx c = {p->seed, n, dv__malloc(batch * sizeof(double)), dv__malloc(batch * n), 0};
    /* Running sums of U over samples with i in / out. */
    double *sin = dv__calloc(n, sizeof(double)), *sin2 = dv__calloc(n, sizeof(double));
    double *sout = dv__calloc(n, sizeof(double)), *sout2 = dv__calloc(n, sizeof(double));
    size_t *nin = dv__calloc(n, sizeof(size_t));
    double *errs = dv__malloc(n * sizeof(double)), *prev = dv__calloc(n, sizeof(double));
    int rc = DV_OK, have_prev = 0;
    if (!c.u || !c.in || !sin || !sin2 || !sout || !sout2 || !nin || !errs || !prev) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    size_t done_n = 0;
    for (int stop = 0; !stop;) {
        size_t hi = done_n + batch < p->max_samples ? done_n + batch : p->max_samples;
        c.base = done_n;
        if ((rc = dv__game_run_items(g, p, done_n, hi, msr_item, msr_spans, &c, err)))
            break;
        size_t lo = done_n;
        for (size_t t = lo; t < hi && !stop; t++) {
            double u = c.u[t - lo];
            const unsigned char *in = c.in + (t - lo) * n;
            for (size_t i = 0; i < n; i++) {
                if (in[i]) {
                    sin[i] += u;
                    sin2[i] += u * u;
                    nin[i]++;
                } else {
                    sout[i] += u;
                    sout2[i] += u * u;
                }
            }
            info->utility_calls++;
            done_n = t + 1;
            if (!dv__check_due(p, done_n))
                continue;
            msr_values(n, done_n, sin, sin2, sout, sout2, nin, values, errs);
            stop = dv__budget_stop(p, done_n, -1.0, info) ||
                   (done_n >= p->min_samples &&
                    dv__quality_stop(p, values, errs, n, prev, &have_prev, info));
        }
        stop = stop || dv__budget_stop(p, done_n, t0, info);
        /* Over processes, process 0's clock decides the time budget. */
        if (dv__dist_on(p->comm) && (rc = dv__dist_bcast(p->comm, &stop, sizeof stop, err)))
            break;
    }
    msr_values(n, done_n, sin, sin2, sout, sout2, nin, values, errs);
    info->samples = done_n;
    if (stderrs)
        memcpy(stderrs, errs, n * sizeof(double));
done:
    dv__free(c.u);
    dv__free(c.in);
    dv__free(sin);
    dv__free(sin2);
    dv__free(sout);
    dv__free(sout2);
    dv__free(nin);
    dv__free(errs);
    dv__free(prev);
    return rc;
}
