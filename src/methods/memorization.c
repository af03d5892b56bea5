/*
 * memorization.c -- subsampled memorization (Feldman & Zhang, "What Neural
 * Networks Memorize and Why", NeurIPS 2020):
 *
 *     mem_i = P[f_S(x_i) correct | i in S] - P[f_S(x_i) correct | i not in S]
 *
 * over models f_S of p->learner fitted on uniform subsets S of
 * s = floor(p->mem_fraction * n) rows (at least 1, at most n - 1).
 * Model b (b = 0..B-1, B = p->max_samples) draws its subset as the first s
 * of a partial Fisher-Yates shuffle of 0..n-1 with dv_rng stream
 * (p->seed, b), then one dv_rng_next XORed into p->learner.seed.  Every
 * row is scored by every model (dv__self_scores: correct or not for
 * classification, minus the squared error for regression), and the two
 * conditional means are the means over the models whose subset held the
 * row and over those whose subset did not.  The standard error is
 * sqrt(v_in / B_in + v_out / B_out) from the two groups' sample variances
 * (NaN when a group has fewer than 2 models; the value is then 0 when a
 * group is empty).
 *
 * A high memorization marks a row that is predicted correctly only when
 * it is trained on: atypical or mislabeled.  Since dval's values are
 * "higher = more valuable", the value is -mem_i.  Models are fitted in
 * parallel blocks and added up in the order of b: the same bits for any
 * thread count.
 */
#include "methods.h"

#include <math.h>
#include <omp.h>
#include <string.h>


/* Model b: its subset into in[0..n-1] (1 = in S), its scores of every row. */
static int mem_model(const dv_dataset *train, const dv_value_params *p, size_t b, size_t s,
                     unsigned char *in, double *score, dv_error *err)
{
    size_t n = train->n;
    int64_t *idx = dv__malloc(n * sizeof *idx);
    if (!idx)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_rng g;
    dv_rng_seed(&g, p->seed, (uint64_t)b);
    for (size_t i = 0; i < n; i++)
        idx[i] = (int64_t)i;
    for (size_t t = 0; t < s; t++) {
        size_t u = t + (size_t)dv_rng_below(&g, (uint64_t)(n - t));
        int64_t tmp = idx[t];
        idx[t] = idx[u];
        idx[u] = tmp;
    }
    memset(in, 0, n);
    for (size_t t = 0; t < s; t++)
        in[idx[t]] = 1;
    dv_learner_params lp = p->learner;
    lp.seed = p->learner.seed ^ dv_rng_next(&g);
    dv_model *model = NULL;
    int rc = dv_model_fit(&model, &lp, train, idx, s, NULL, err);
    dv__free(idx);
    if (rc == DV_ENOTCONV)
        rc = DV_OK; /* the model is still usable, as for the other methods */
    if (!rc)
        rc = dv__self_scores(model, train, NULL, score, err);
    dv_model_free(model);
    return rc;
}

typedef struct {
    const dv_dataset *train;
    const dv_value_params *p;
    size_t s;     /* subset size */
    double *sums; /* per row: in-sum, in-sum of squares, out-sum, out-sum of squares */
    size_t *cnt;  /* per row: the models whose subset held it */
} mem_ctx;

static int mem_fit(void *ctx, size_t b, double *score, unsigned char *in, dv_error *err)
{
    const mem_ctx *x = ctx;
    return mem_model(x->train, x->p, b, x->s, in, score, err);
}

static void mem_add(void *ctx, const double *score, const unsigned char *in)
{
    mem_ctx *x = ctx;
    for (size_t i = 0; i < x->train->n; i++) {
        int k = in[i] ? 0 : 2;
        x->sums[4 * i + k] += score[i];
        x->sums[4 * i + k + 1] += score[i] * score[i];
        x->cnt[i] += in[i];
    }
}

int dv__memorization(const dv_dataset *train, const dv_value_params *p, double *values,
                     double *stderrs, dv_value_info *info, dv_error *err)
{
    size_t B = p->max_samples, n = train->n;
    if (B == 0)
        return dv__err(err, DV_EINVAL, "memorization: max_samples (the number of models) must "
                                       "be >= 1");
    if (!(p->mem_fraction > 0 && p->mem_fraction < 1))
        return dv__err(err, DV_EINVAL, "memorization: the subset fraction %g is not in (0, 1)",
                       p->mem_fraction);
    if (n < 2)
        return dv__err(err, DV_EINVAL, "memorization needs at least 2 training rows");
    size_t s = (size_t)floor(p->mem_fraction * (double)n);
    s = s < 1 ? 1 : s > n - 1 ? n - 1 : s;
    mem_ctx x = {train, p, s, dv__calloc(4 * n, sizeof(double)), dv__calloc(n, sizeof(size_t))};
    double *sums = x.sums;
    size_t *cnt = x.cnt;
    int rc = DV_OK;
    if (!sums || !cnt) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = dv__model_blocks(B, n, p->n_threads, p->comm, mem_fit, mem_add, &x, "memorization",
                               p->progress, p->progress_user, err)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        double ni = (double)cnt[i], no = (double)(B - cnt[i]);
        double mi = ni ? sums[4 * i] / ni : 0, mo = no ? sums[4 * i + 2] / no : 0;
        /* sample variances from the sums (scores are 0/1 or bounded errors) */
        double vi = ni > 1 ? (sums[4 * i + 1] - ni * mi * mi) / (ni - 1) : NAN;
        double vo = no > 1 ? (sums[4 * i + 3] - no * mo * mo) / (no - 1) : NAN;
        double mem = ni && no ? mi - mo : 0.0;
        values[i] = mem == 0 ? 0.0 : -mem;
        if (stderrs)
            stderrs[i] = ni > 1 && no > 1 ? sqrt(fmax(vi, 0) / ni + fmax(vo, 0) / no) : NAN;
    }
    if (info) {
        info->samples = B;
        info->utility_calls = B;
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)B;
    }
done:
    dv__free(sums);
    dv__free(cnt);
    return rc;
}
