/*
 * semivalue.c -- the game-theoretic valuation methods on any cooperative
 * game (dv_game): leave-one-out, exact Shapley and Banzhaf values by
 * enumeration, permutation sampling for Data Shapley with truncation and
 * for Beta Shapley, the maximum-sample-reuse Banzhaf estimator, and the
 * random baseline, with budgets and stopping rules.
 *
 * Every sample (a permutation or a subset) is a work item with its own
 * random stream keyed by (seed, item); items run in parallel in batches and
 * are reduced in item order, so results are identical on any number of
 * threads.  Game state (e.g. a warm-start model) is created afresh for each
 * item, so no result depends on which thread ran what before.
 */
#include "methods.h"

#include <math.h>
#include <stdlib.h>
#include <omp.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const dv_game *g;
    item_fn fn;
    void *ctx;
    int (*commit)(void *ctx, size_t item); /* ordered runs only */
} game_items;

static void *game_state_new(void *vctx)
{
    const game_items *gi = vctx;
    return gi->g->new_state(gi->g->user);
}

static int game_item(void *vctx, void *state, size_t item, dv_error *err)
{
    const game_items *gi = vctx;
    return gi->fn(gi->g, state, item, gi->ctx, err);
}

static int game_commit(void *vctx, size_t item)
{
    const game_items *gi = vctx;
    return gi->commit(gi->ctx, item);
}

/* Items [lo, hi) in parallel, each with fresh game state. */
int dv__game_run_items(const dv_game *g, int n_threads, size_t lo, size_t hi, item_fn fn, void *ctx,
                       dv_error *err)
{
    game_items gi = {g, fn, ctx, NULL};
    return dv__for_items(lo, hi, n_threads, game_item, &gi, g->new_state ? game_state_new : NULL,
                         g->free_state, 1, err);
}

/* The same, each item committed in order as it finishes (commit(ctx,
 * item) returns nonzero to stop; dv__for_items_ordered). */
static int game_run_ordered(const dv_game *g, int n_threads, size_t lo, size_t hi, size_t window,
                            item_fn fn, int (*commit)(void *ctx, size_t item), void *ctx,
                            dv_error *err)
{
    game_items gi = {g, fn, ctx, commit};
    return dv__for_items_ordered(lo, hi, window, n_threads, game_item, game_commit, &gi,
                                 g->new_state ? game_state_new : NULL, g->free_state, err);
}

/* ------------------------------------------------------------------------ */
/* Leave-one-out                                                            */
/* ------------------------------------------------------------------------ */

typedef struct {
    double *u;    /* u[0] = U(D), u[1 + i] = U(D - i) */
} loo_ctx;

static int loo_item(const dv_game *g, void *state, size_t item, void *vctx, dv_error *err)
{
    loo_ctx *c = vctx;
    size_t n = g->n_players, m = 0;
    int64_t *S = dv__malloc((n ? n : 1) * sizeof *S);
    if (!S)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (item == 0 || i != item - 1)
            S[m++] = (int64_t)i;
    int rc = g->utility(g->user, state, S, m, &c->u[item]);
    dv__free(S);
    return rc;
}

static int value_loo(const dv_game *g, const dv_value_params *p, double *values, dv_error *err)
{
    size_t n = g->n_players;
    loo_ctx c = {dv__malloc((n + 1) * sizeof(double))};
    if (!c.u)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int rc = dv__game_run_items(g, p->n_threads, 0, n + 1, loo_item, &c, err);
    for (size_t i = 0; !rc && i < n; i++)
        values[i] = c.u[0] - c.u[1 + i];
    dv__free(c.u);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Exact Shapley and Banzhaf values by enumeration                          */
/* ------------------------------------------------------------------------ */

#define DV__EXACT_MAX 24

typedef struct {
    double *u;    /* u[mask] = U(players in mask) */
    size_t n;
} exact_ctx;

static int exact_item(const dv_game *g, void *state, size_t mask, void *vctx, dv_error *err)
{
    exact_ctx *c = vctx;
    int64_t S[DV__EXACT_MAX];
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (mask >> i & 1)
            S[m++] = (int64_t)i;
    return g->utility(g->user, state, S, m, &c->u[mask]);
}

static int value_exact(const dv_game *g, const dv_value_params *p, int banzhaf, double *values,
                       dv_error *err)
{
    size_t n = g->n_players;
    if (n > DV__EXACT_MAX)
        return dv__err(err, DV_EINVAL,
                       "exact enumeration needs 2^n utilities: at most %d players (got %zu)",
                       DV__EXACT_MAX, n);
    size_t total = (size_t)1 << n;
    exact_ctx c = {dv__malloc(total * sizeof(double)), n};
    if (!c.u)
        return dv__err(err, DV_ENOMEM, "out of memory for 2^%zu utilities", n);
    int rc = dv__game_run_items(g, p->n_threads, 0, total, exact_item, &c, err);
    if (!rc) {
        /* Shapley weight of a coalition of size s without i: s!(n-s-1)!/n!. */
        double w[DV__EXACT_MAX + 1];
        for (size_t s = 0; s < n; s++)
            w[s] = banzhaf ? ldexp(1.0, -(int)(n - 1))
                           : exp(lgamma((double)s + 1) + lgamma((double)(n - s)) -
                                 lgamma((double)n + 1));
        for (size_t i = 0; i < n; i++) {
            double v = 0.0;
            for (size_t mask = 0; mask < total; mask++) {
                if (mask >> i & 1)
                    continue;
                v += w[__builtin_popcountll(mask)] * (c.u[mask | (size_t)1 << i] - c.u[mask]);
            }
            values[i] = v;
        }
    }
    dv__free(c.u);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Sampling estimators: shared bookkeeping and stopping rules               */
/* ------------------------------------------------------------------------ */

/* Per-sample contributions are reduced into per-chain sums of x and x^2;
 * sample t belongs to chain t % chains. */
typedef struct {
    size_t n, chains;
    double *s1, *s2;     /* chains x n */
    size_t *cnt;         /* chains */
    double *prev;        /* values at the previous check (rank rule) */
    int have_prev;
} tally;

static int tally_init(tally *T, size_t n, size_t chains)
{
    memset(T, 0, sizeof *T);
    T->n = n;
    T->chains = chains ? chains : 1;
    T->s1 = dv__calloc(T->chains * n, sizeof(double));
    T->s2 = dv__calloc(T->chains * n, sizeof(double));
    T->cnt = dv__calloc(T->chains, sizeof(size_t));
    T->prev = dv__calloc(n, sizeof(double));
    return T->s1 && T->s2 && T->cnt && T->prev ? DV_OK : DV_ENOMEM;
}

static void tally_free(tally *T)
{
    dv__free(T->s1);
    dv__free(T->s2);
    dv__free(T->cnt);
    dv__free(T->prev);
}

static void tally_add(tally *T, size_t t, const double *x)
{
    size_t c = t % T->chains;
    double *a = T->s1 + c * T->n, *b = T->s2 + c * T->n;
    for (size_t i = 0; i < T->n; i++) {
        a[i] += x[i];
        b[i] += x[i] * x[i];
    }
    T->cnt[c]++;
}

/* Mean and standard error over all samples. */
static void tally_values(const tally *T, double *values, double *stderrs)
{
    size_t N = 0;
    for (size_t c = 0; c < T->chains; c++)
        N += T->cnt[c];
    for (size_t i = 0; i < T->n; i++) {
        double a = 0, b = 0;
        for (size_t c = 0; c < T->chains; c++) {
            a += T->s1[c * T->n + i];
            b += T->s2[c * T->n + i];
        }
        double m = N ? a / (double)N : 0.0;
        values[i] = m;
        if (stderrs) {
            double var = N > 1 ? (b - (double)N * m * m) / (double)(N - 1) : NAN;
            stderrs[i] = N > 1 ? sqrt(var > 0 ? var : 0) / sqrt((double)N) : NAN;
        }
    }
}

/* Largest Gelman-Rubin R-hat over players (Gelman & Rubin 1992), chains of
 * possibly unequal length treated with their own counts. */
static double tally_rhat(const tally *T)
{
    size_t m = T->chains;
    if (m < 2)
        return INFINITY;
    size_t nmin = T->cnt[0];
    for (size_t c = 1; c < m; c++)
        if (T->cnt[c] < nmin)
            nmin = T->cnt[c];
    if (nmin < 2)
        return INFINITY;
    double worst = 1.0;
    for (size_t i = 0; i < T->n; i++) {
        double W = 0, mean = 0, B = 0;
        double cm[64];
        size_t mm = m < 64 ? m : 64;
        for (size_t c = 0; c < mm; c++) {
            double nc = (double)T->cnt[c];
            double mu = T->s1[c * T->n + i] / nc;
            double var = (T->s2[c * T->n + i] - nc * mu * mu) / (nc - 1);
            cm[c] = mu;
            mean += mu;
            W += var > 0 ? var : 0;
        }
        mean /= (double)mm;
        W /= (double)mm;
        for (size_t c = 0; c < mm; c++)
            B += (cm[c] - mean) * (cm[c] - mean);
        B /= (double)(mm - 1); /* B / n in the usual notation */
        double nn = (double)nmin;
        if (W <= 0) {
            if (B > 0)
                return INFINITY;
            continue; /* a constant player: converged */
        }
        double r = sqrt(((nn - 1) / nn * W + B) / W);
        if (r > worst)
            worst = r;
    }
    return worst;
}

/* Spearman correlation of two value vectors (average ranks for ties);
 * work holds 2n doubles.  Returns -1 when out of memory. */
static double spearman(const double *a, const double *b, size_t n, double *work)
{
    double *ra = work, *rb = work + n;
    if (dv__ranks(a, n, ra) || dv__ranks(b, n, rb))
        return -1.0;
    double r = dv__pearson(ra, rb, n);
    return isnan(r) ? 1.0 : r; /* a constant ranking has not moved */
}

/* The budget rules: max_samples and max_seconds (not checked when t0 < 0). */
static int budget_stop(const dv_value_params *p, size_t done, double t0, dv_value_info *info)
{
    if (done >= p->max_samples) {
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)done;
        return 1;
    }
    if (p->max_seconds > 0 && t0 >= 0 && now_seconds() - t0 >= p->max_seconds) {
        info->stop_rule = DV_STOP_SECONDS;
        info->stop_level = now_seconds() - t0;
        return 1;
    }
    return 0;
}

/* The quality rules: every standard error small enough, or the ranking
 * stable since the previous check (prev/have_prev carry that check). */
static int quality_stop(const dv_value_params *p, const double *vals, const double *errs, size_t n,
                        double *prev, int *have_prev, dv_value_info *info)
{
    if (p->stderr_tol > 0) {
        double worst = 0;
        for (size_t i = 0; i < n; i++)
            if (!(errs[i] <= worst))
                worst = errs[i];
        if (worst <= p->stderr_tol) {
            info->stop_rule = DV_STOP_STDERR;
            info->stop_level = worst;
            return 1;
        }
    }
    if (p->rank_tol > 0) {
        double *work = dv__malloc(2 * n * sizeof(double));
        int stop = 0;
        if (work && *have_prev) {
            double rho = spearman(vals, prev, n, work);
            if (rho >= 1.0 - p->rank_tol) {
                info->stop_rule = DV_STOP_RANK;
                info->stop_level = rho;
                stop = 1;
            }
        }
        dv__free(work);
        memcpy(prev, vals, n * sizeof(double));
        *have_prev = 1;
        return stop;
    }
    return 0;
}

/* Decides whether the permutation estimators stop after `done` samples. */
static int should_stop(const dv_value_params *p, tally *T, size_t done, double t0, double *vals,
                       double *errs, dv_value_info *info)
{
    if (budget_stop(p, done, t0, info))
        return 1;
    if (done < p->min_samples)
        return 0;
    if (p->rhat > 0) {
        double r = tally_rhat(T);
        if (r <= p->rhat) {
            info->stop_rule = DV_STOP_RHAT;
            info->stop_level = r;
            return 1;
        }
    }
    tally_values(T, vals, errs);
    return quality_stop(p, vals, errs, T->n, T->prev, &T->have_prev, info);
}

/* The rules on the samples (count, R-hat, standard errors, ranks) are
 * checked after every check_every-th sample, in sample order, so the same
 * seed stops at the same sample with or without a time budget; samples
 * computed past that point are dropped.  Permutations are committed one by
 * one as they finish (dv__for_items_ordered), and the time budget is
 * checked at each; MSR samples run in parallel batches, and the budget is
 * checked after each batch, which is short (four samples per thread) when
 * there is one. */
static size_t check_every(const dv_value_params *p)
{
    return p->check_every ? p->check_every : 50;
}

static size_t batch_size(const dv_value_params *p)
{
    size_t b = check_every(p);
    size_t t = p->n_threads > 0 ? (size_t)p->n_threads : (size_t)omp_get_max_threads();
    if (p->max_seconds > 0 && b > 4 * t)
        b = 4 * t;
    return b;
}

static int check_due(const dv_value_params *p, size_t k)
{
    return k % check_every(p) == 0 || k >= p->max_samples;
}

/* ------------------------------------------------------------------------ */
/* Permutation sampling: TMC-Shapley and Beta Shapley                       */
/* ------------------------------------------------------------------------ */

typedef struct {
    double *w;        /* n position weights (n * w_j; all 1 for Shapley) */
    double u_empty, u_full;
    double truncation;
    uint64_t seed;
    size_t window;    /* slots of out and calls; item t uses slot t % window */
    double *out;      /* window x n contributions */
    size_t *calls;    /* window: utility calls per item */
    /* The in-order commit of items (perm_commit). */
    const dv_game *g;
    const dv_value_params *p;
    tally *T;
    double *values, *errs, t0;
    dv_value_info *info;
    size_t done;
} perm_ctx;

static int perm_item(const dv_game *g, void *state, size_t t, void *vctx, dv_error *err)
{
    perm_ctx *c = vctx;
    size_t n = g->n_players;
    double *x = c->out + (t % c->window) * n;
    int64_t *pi = dv__malloc(n * sizeof *pi);
    if (!pi)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_rng r;
    dv_rng_seed(&r, c->seed, 0x5045524dULL ^ ((uint64_t)t << 8)); /* "PERM" */
    for (size_t i = 0; i < n; i++)
        pi[i] = (int64_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)dv_rng_below(&r, i);
        int64_t tmp = pi[i - 1];
        pi[i - 1] = pi[j];
        pi[j] = tmp;
    }
    memset(x, 0, n * sizeof(double));
    double prev = c->u_empty;
    int close = 0, rc = DV_OK;
    size_t calls = 0;
    for (size_t j = 0; j < n; j++) {
        double u;
        if ((rc = g->utility(g->user, state, pi, j + 1, &u)))
            break;
        calls++;
        x[pi[j]] = c->w[j] * (u - prev);
        prev = u;
        /* Truncation (Ghorbani & Zou 2019): once U stays within a relative
         * tolerance of U(D) for 5 consecutive positions, the remaining
         * marginals are taken as 0. */
        if (c->truncation > 0) {
            close = fabs(u - c->u_full) <= c->truncation * fabs(c->u_full) ? close + 1 : 0;
            if (close >= 5)
                break;
        }
    }
    c->calls[t % c->window] = calls;
    dv__free(pi);
    return rc;
}

/* Beta(a, b) position weights of Kwon & Zou (2022), times n: position j
 * (1-based) of n gets n * C(n-1, j-1) Beta(j + b - 1, n - j + a) / Beta(a, b). */
static void beta_weights(size_t n, double a, double b, double *w)
{
    double lb = lgamma(a) + lgamma(b) - lgamma(a + b);
    for (size_t j = 1; j <= n; j++) {
        double lc = lgamma((double)n) - lgamma((double)j) - lgamma((double)(n - j + 1));
        double x = (double)j + b - 1, y = (double)(n - j) + a;
        double lbeta = lgamma(x) + lgamma(y) - lgamma(x + y);
        w[j - 1] = (double)n * exp(lc + lbeta - lb);
    }
}

static int full_and_empty(const dv_game *g, double *u_empty, double *u_full, dv_error *err)
{
    size_t n = g->n_players;
    int64_t *S = dv__malloc((n ? n : 1) * sizeof *S);
    if (!S)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        S[i] = (int64_t)i;
    void *state = g->new_state ? g->new_state(g->user) : NULL;
    int rc = g->utility(g->user, state, S, 0, u_empty);
    if (!rc)
        rc = g->utility(g->user, state, S, n, u_full);
    if (state && g->free_state)
        g->free_state(state);
    dv__free(S);
    return rc;
}

/* Takes permutation t (in order) into the tally and applies the rules. */
static int perm_commit(void *vctx, size_t t)
{
    perm_ctx *c = vctx;
    tally_add(c->T, t, c->out + (t % c->window) * c->g->n_players);
    c->info->utility_calls += c->calls[t % c->window];
    c->done = t + 1;
    return (check_due(c->p, c->done) &&
            should_stop(c->p, c->T, c->done, -1.0, c->values, c->errs, c->info)) ||
           budget_stop(c->p, c->done, c->t0, c->info);
}

static int value_permutations(const dv_game *g, const dv_value_params *p, int beta,
                              double *values, double *stderrs, dv_value_info *info,
                              dv_error *err)
{
    size_t n = g->n_players;
    int nth = p->n_threads > 0 ? p->n_threads : omp_get_max_threads();
    perm_ctx c = {0};
    c.t0 = now_seconds();
    c.seed = p->seed;
    c.truncation = beta ? 0.0 : p->truncation;
    c.window = 8 * (size_t)nth;
    c.w = dv__malloc(n * sizeof(double));
    c.out = dv__malloc(c.window * n * sizeof(double));
    c.calls = dv__malloc(c.window * sizeof(size_t));
    double *errs = dv__malloc(n * sizeof(double));
    tally T;
    int rc = tally_init(&T, n, p->chains);
    if (rc || !c.w || !c.out || !c.calls || !errs) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if (beta)
        beta_weights(n, p->beta_a, p->beta_b, c.w);
    else
        for (size_t j = 0; j < n; j++)
            c.w[j] = 1.0;
    if ((rc = full_and_empty(g, &c.u_empty, &c.u_full, err)))
        goto done;
    info->utility_calls += 2;
    c.g = g;
    c.p = p;
    c.T = &T;
    c.values = values;
    c.errs = errs;
    c.info = info;
    /* Permutations run without batch barriers and are committed in order:
     * the rules see samples 1, 2, ... exactly as in a serial run. */
    if (p->max_samples > 0)
        rc = game_run_ordered(g, p->n_threads, 0, p->max_samples, c.window, perm_item, perm_commit,
                              &c, err);
    else
        budget_stop(p, 0, c.t0, info);
    info->samples = c.done;
    tally_values(&T, values, stderrs ? stderrs : errs);
done:
    tally_free(&T);
    dv__free(c.w);
    dv__free(c.out);
    dv__free(c.calls);
    dv__free(errs);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Data Banzhaf, maximum sample reuse (Wang & Jia 2023)                     */
/* ------------------------------------------------------------------------ */

typedef struct {
    uint64_t seed;
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

static int value_msr(const dv_game *g, const dv_value_params *p, double *values, double *stderrs,
                     dv_value_info *info, dv_error *err)
{
    size_t n = g->n_players, batch = batch_size(p);
    double t0 = now_seconds();
    msr_ctx c = {p->seed, dv__malloc(batch * sizeof(double)), dv__malloc(batch * n), 0};
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
        if ((rc = dv__game_run_items(g, p->n_threads, done_n, hi, msr_item, &c, err)))
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
            if (!check_due(p, done_n))
                continue;
            msr_values(n, done_n, sin, sin2, sout, sout2, nin, values, errs);
            stop = budget_stop(p, done_n, -1.0, info) ||
                   (done_n >= p->min_samples &&
                    quality_stop(p, values, errs, n, prev, &have_prev, info));
        }
        stop = stop || budget_stop(p, done_n, t0, info);
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

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */
/* ------------------------------------------------------------------------ */

int dv_value_game(const dv_game *g, const dv_value_params *p, double *values, double *stderrs,
                  dv_value_info *info, dv_error *err)
{
    dv_value_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (!g || !g->utility || !p || !values)
        return dv__err(err, DV_EINVAL, "a game, its utility, parameters and an output are required");
    size_t n = g->n_players;
    if (n == 0)
        return dv__err(err, DV_EINVAL, "the game has no players");
    if (stderrs)
        for (size_t i = 0; i < n; i++)
            stderrs[i] = NAN;
    double t0 = now_seconds();
    int rc;
    switch (p->method) {
    case DV_METHOD_LOO:
        rc = value_loo(g, p, values, err);
        info->utility_calls = n + 1;
        break;
    case DV_METHOD_EXACT_SHAPLEY:
    case DV_METHOD_EXACT_BANZHAF:
        rc = value_exact(g, p, p->method == DV_METHOD_EXACT_BANZHAF, values, err);
        info->utility_calls = n <= DV__EXACT_MAX ? (size_t)1 << n : 0;
        break;
    case DV_METHOD_TMC:
    case DV_METHOD_BETA:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        if (p->method == DV_METHOD_BETA && !(p->beta_a > 0 && p->beta_b > 0))
            return dv__err(err, DV_EINVAL, "Beta Shapley needs alpha > 0 and beta > 0");
        rc = value_permutations(g, p, p->method == DV_METHOD_BETA, values, stderrs, info, err);
        break;
    case DV_METHOD_BANZHAF:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        rc = value_msr(g, p, values, stderrs, info, err);
        break;
    case DV_METHOD_AME:
        rc = dv__ame(g, p, values, info, err);
        break;
    case DV_METHOD_RANDOM: {
        dv_rng r;
        dv_rng_seed(&r, p->seed, 0x52414e44ULL); /* "RAND" */
        for (size_t i = 0; i < n; i++)
            values[i] = dv_rng_uniform(&r);
        rc = DV_OK;
        break;
    }
    default:
        return dv__err(err, DV_EINVAL, "method '%s' is not defined on a general game",
                       dv_method_name(p->method));
    }
    info->seconds = now_seconds() - t0;
    return rc;
}
