/*
 * addition.c -- the point-addition task of Covert, Ji, Hashimoto & Zou
 * (ICML 2024): which points help most when added to a small or a large
 * data set?  Scores from the scaling law at the base size should pick
 * points that help at that size.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const dv_dataset *train, *test;
    const dv_learner_params *lp;
    dv_metric metric;
    const int64_t *cand;
    size_t n_cand;
    const int64_t *fixed;     /* the scored choice (n_add rows), or NULL: random */
    const int64_t *pool;      /* rows that are not candidates */
    size_t n_pool, base_size, n_add, n_classes;
    uint64_t seed;
    double *gains;
} add_ctx;

/* Class-balanced quota of class c among n_add. */
static size_t quota(size_t n_add, size_t n_classes, size_t c)
{
    return n_add / n_classes + (c < n_add % n_classes ? 1 : 0);
}

static int add_item(void *vctx, void *state, size_t r, dv_error *err)
{
    (void)state;
    const add_ctx *c = vctx;
    size_t k = c->base_size, m = c->n_add;
    int64_t *rows = dv__malloc((k + m + c->n_pool + c->n_cand) * sizeof(int64_t));
    if (!rows)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int64_t *scratch = rows + k + m;
    dv_rng g;
    dv_rng_seed(&g, c->seed, 0x414444ULL ^ ((uint64_t)r << 8)); /* "ADD" */
    /* Base: partial Fisher-Yates over the pool. */
    memcpy(scratch, c->pool, c->n_pool * sizeof(int64_t));
    for (size_t t = 0; t < k; t++) {
        size_t u = t + (size_t)dv_rng_below(&g, c->n_pool - t);
        int64_t tmp = scratch[t];
        scratch[t] = scratch[u];
        scratch[u] = tmp;
        rows[t] = scratch[t];
    }
    if (c->fixed) {
        memcpy(rows + k, c->fixed, m * sizeof(int64_t));
    } else {
        /* Random class-balanced candidates for this repetition. */
        int64_t *cs = scratch + c->n_pool;
        memcpy(cs, c->cand, c->n_cand * sizeof(int64_t));
        for (size_t t = c->n_cand; t > 1; t--) {
            size_t u = (size_t)dv_rng_below(&g, t);
            int64_t tmp = cs[t - 1];
            cs[t - 1] = cs[u];
            cs[u] = tmp;
        }
        size_t taken = 0;
        for (size_t cl = 0; cl < c->n_classes; cl++) {
            size_t q = quota(m, c->n_classes, cl), got = 0;
            for (size_t t = 0; t < c->n_cand && got < q; t++)
                if ((size_t)c->train->y[cs[t]] == cl || c->n_classes == 1) {
                    rows[k + taken++] = cs[t];
                    got++;
                }
        }
        m = taken;
    }
    dv_model *a = NULL, *b = NULL;
    double ua = 0, ub = 0;
    int rc = dv_model_fit(&a, c->lp, c->train, rows, k, NULL, err);
    if (!rc)
        rc = dv_model_fit(&b, c->lp, c->train, rows, k + m, a, err);
    if (!rc)
        rc = dv_model_score(a, c->test, c->metric, &ua);
    if (!rc)
        rc = dv_model_score(b, c->test, c->metric, &ub);
    c->gains[r] = ub - ua;
    dv_model_free(a);
    dv_model_free(b);
    dv__free(rows);
    return rc;
}

typedef struct {
    double s;
    int64_t row;
    size_t i;
} scored;

static int best_first(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    if (a->s > b->s)
        return -1;
    if (a->s < b->s)
        return 1;
    return (a->i > b->i) - (a->i < b->i);
}

int dv_addition_gains(const dv_dataset *train, const dv_dataset *test, const dv_learner_params *lp,
                      dv_metric metric, const int64_t *candidates, size_t n_cand,
                      const double *scores, size_t base_size, size_t n_add, size_t reps,
                      uint64_t seed, int n_threads, double *gains, dv_error *err)
{
    size_t n = train->n;
    if (test->n == 0 || test->d != train->d || test->task != train->task)
        return dv__err(err, DV_EINVAL, "the test split is empty or does not match the training data");
    if (n_add > n_cand)
        return dv__err(err, DV_EINVAL, "cannot add %zu of %zu candidates", n_add, n_cand);
    unsigned char *is_cand = dv__calloc(n ? n : 1, 1);
    int64_t *pool = dv__malloc((n ? n : 1) * sizeof *pool), *fixed = NULL;
    scored *sc = NULL;
    int rc = DV_OK;
    if (!is_cand || !pool) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_cand; i++) {
        if (candidates[i] < 0 || (size_t)candidates[i] >= n) {
            rc = dv__err(err, DV_EINVAL, "candidate %lld is not a training row", (long long)candidates[i]);
            goto done;
        }
        is_cand[candidates[i]] = 1;
    }
    size_t n_pool = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_cand[i])
            pool[n_pool++] = (int64_t)i;
    if (base_size > n_pool) {
        rc = dv__err(err, DV_EINVAL, "a base of %zu rows needs more than the %zu non-candidate rows",
                     base_size, n_pool);
        goto done;
    }
    size_t C = train->task == DV_TASK_CLASSIFICATION ? train->n_classes : 1;
    if (scores) {
        /* The best-scored candidates of each class (NaN scores last). */
        fixed = dv__malloc((n_add ? n_add : 1) * sizeof *fixed);
        sc = dv__malloc((n_cand ? n_cand : 1) * sizeof *sc);
        if (!fixed || !sc) {
            rc = dv__err(err, DV_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n_cand; i++)
            sc[i] = (scored){isnan(scores[i]) ? -INFINITY : scores[i], candidates[i], i};
        qsort(sc, n_cand, sizeof *sc, best_first);
        size_t taken = 0;
        for (size_t cl = 0; cl < C; cl++) {
            size_t q = quota(n_add, C, cl), got = 0;
            for (size_t t = 0; t < n_cand && got < q; t++)
                if (C == 1 || (size_t)train->y[sc[t].row] == cl) {
                    fixed[taken++] = sc[t].row;
                    got++;
                }
            if (got < q) {
                rc = dv__err(err, DV_EINVAL, "class %zu has fewer than %zu candidates", cl, q);
                goto done;
            }
        }
    }
    add_ctx c = {train, test, lp, metric, candidates, n_cand, fixed, pool, n_pool,
                 base_size, n_add, C, seed, gains};
    rc = dv__for_items(0, reps, n_threads, add_item, &c, NULL, NULL, 0, err);
done:
    dv__free(is_cand);
    dv__free(pool);
    dv__free(fixed);
    dv__free(sc);
    return rc;
}
