/*
 * game.c -- running a valuation method on a cooperative game (dv_game):
 * work items in parallel with fresh game state each, or committed in order
 * as they finish; and the sampling estimators' bookkeeping and stopping
 * rules (budgets, Gelman-Rubin R-hat, standard errors, rank stability).
 *
 * Every sample (a permutation or a subset) is a work item with its own
 * random stream keyed by (seed, item); items are reduced in item order, so
 * results are identical on any number of threads.  Game state (e.g. a
 * warm-start model) is created afresh for each item, so no result depends
 * on which thread ran what before.
 */
#include "methods/game.h"

#include <math.h>
#include <omp.h>
#include <string.h>

typedef struct {
    const dv_game *g;
    dv__game_item_fn fn;
    dv__span_fn spans;
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

static size_t game_spans(void *vctx, size_t item, dv__span *sp)
{
    const game_items *gi = vctx;
    return gi->spans(gi->ctx, item, sp);
}

static int game_commit(void *vctx, size_t item)
{
    const game_items *gi = vctx;
    return gi->commit(gi->ctx, item);
}

/* Items [lo, hi) in parallel (over p->comm's processes too), each with
 * fresh game state. */
int dv__game_run_items(const dv_game *g, const dv_value_params *p, size_t lo, size_t hi,
                       dv__game_item_fn fn, dv__span_fn spans, void *ctx, dv_error *err)
{
    game_items gi = {g, fn, spans, ctx, NULL};
    dv__job j = {p->comm, lo, hi, NULL, 0, 1, p->n_threads, game_item, game_spans, NULL, &gi,
                 g->new_state ? game_state_new : NULL, g->free_state, 1};
    return dv__job_run(&j, err);
}

/* The same, each item committed in order as it finishes (commit(ctx,
 * item) returns nonzero to stop; dv__for_items_ordered). */
int dv__game_run_ordered(const dv_game *g, const dv_value_params *p, size_t lo, size_t hi,
                         size_t window, dv__game_item_fn fn, dv__span_fn spans,
                         int (*commit)(void *ctx, size_t item), void *ctx, dv_error *err)
{
    game_items gi = {g, fn, spans, ctx, commit};
    dv__job j = {p->comm, lo, hi, NULL, window, 1, p->n_threads, game_item, game_spans,
                 game_commit, &gi, g->new_state ? game_state_new : NULL, g->free_state, 1};
    return dv__job_run(&j, err);
}

/* Slots for the items in flight of an ordered run: 8 per thread, over all
 * processes (the same number on each). */
size_t dv__game_window(const dv_value_params *p)
{
    return 8 * dv__dist_threads(p->comm, p->n_threads);
}

/* Per-sample contributions are reduced into per-chain sums of x and x^2;
 * sample t belongs to chain t % chains. */

int dv__tally_init(dv__tally *T, size_t n, size_t chains)
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

void dv__tally_free(dv__tally *T)
{
    dv__free(T->s1);
    dv__free(T->s2);
    dv__free(T->cnt);
    dv__free(T->prev);
}

void dv__tally_add(dv__tally *T, size_t t, const double *x)
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
void dv__tally_values(const dv__tally *T, double *values, double *stderrs)
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
static double tally_rhat(const dv__tally *T)
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
int dv__budget_stop(const dv_value_params *p, size_t done, double t0, dv_value_info *info)
{
    if (done >= p->max_samples) {
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)done;
        return 1;
    }
    if (p->max_seconds > 0 && t0 >= 0 && dv_clock_seconds() - t0 >= p->max_seconds) {
        info->stop_rule = DV_STOP_SECONDS;
        info->stop_level = dv_clock_seconds() - t0;
        return 1;
    }
    return 0;
}

/* The quality rules: every standard error small enough, or the ranking
 * stable since the previous check (prev/have_prev carry that check). */
int dv__quality_stop(const dv_value_params *p, const double *vals, const double *errs, size_t n,
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

/* Whether the values are resolved for the R-hat rule: every standard error
 * at most rel_stderr times the values' standard deviation. */
static int resolved(const dv_value_params *p, const double *vals, const double *errs, size_t n)
{
    if (p->rel_stderr <= 0)
        return 1;
    double worst, sd;
    dv__value_spread(vals, errs, n, &worst, &sd);
    return worst <= p->rel_stderr * sd;
}

void dv__value_spread(const double *vals, const double *errs, size_t n, double *max_stderr,
                      double *sd)
{
    double m = 0, ss = 0, worst = 0;
    size_t k = 0, have = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(vals[i])) {
            m += vals[i];
            k++;
        }
    m = k ? m / (double)k : 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(vals[i]))
            ss += (vals[i] - m) * (vals[i] - m);
    for (size_t i = 0; errs && i < n; i++)
        if (isfinite(errs[i])) {
            have++;
            worst = errs[i] > worst ? errs[i] : worst;
        }
    *sd = k > 1 ? sqrt(ss / (double)(k - 1)) : 0.0;
    *max_stderr = have ? worst : NAN;
}

void dv__value_finish(dv_value_info *info, dv_method m, const double *values,
                      const double *stderrs, size_t n)
{
    dv__value_spread(values, stderrs, n, &info->max_stderr, &info->value_sd);
    int budget = info->stop_rule == DV_STOP_SAMPLES || info->stop_rule == DV_STOP_SECONDS;
    /* A budget stop of a method without standard errors (ame, oob) cannot
     * be judged; the others' could have stopped by a precision rule. */
    int has_stderr = m == DV_METHOD_TMC || m == DV_METHOD_BETA || m == DV_METHOD_BANZHAF ||
                     m == DV_METHOD_GSHAPLEY || m == DV_METHOD_TS_SHAPLEY;
    info->converged = !budget ? 1 : has_stderr ? 0 : -1;
}

/* Decides whether the permutation estimators stop after `done` samples. */
int dv__should_stop(const dv_value_params *p, dv__tally *T, size_t done, double t0, double *vals,
                       double *errs, dv_value_info *info)
{
    if (dv__budget_stop(p, done, t0, info))
        return 1;
    if (done < p->min_samples)
        return 0;
    dv__tally_values(T, vals, errs);
    if (p->rhat > 0) {
        double r = tally_rhat(T);
        if (r <= p->rhat && resolved(p, vals, errs, T->n)) {
            info->stop_rule = DV_STOP_RHAT;
            info->stop_level = r;
            return 1;
        }
    }
    return dv__quality_stop(p, vals, errs, T->n, T->prev, &T->have_prev, info);
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

size_t dv__batch_size(const dv_value_params *p)
{
    size_t b = check_every(p), t = dv__dist_threads(p->comm, p->n_threads);
    if (p->max_seconds > 0 && b > 4 * t)
        b = 4 * t;
    if (dv__dist_on(p->comm) && b < 4 * t) /* work for every process (the checks stay per sample) */
        b = 4 * t;
    return b;
}

int dv__check_due(const dv_value_params *p, size_t k)
{
    return k % check_every(p) == 0 || k >= p->max_samples;
}
