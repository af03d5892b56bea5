/*
 * test_neighbors.c -- the knn learner against a brute-force oracle written
 * here (every distance computed and sorted by (distance, row)): class
 * frequencies and mean targets, uniform and 1 / distance weights, exact
 * matches, ties, k above the rows of a fit, subsets, and the constant
 * models of empty and one-class fits.
 */
#include "check.h"
#include "dval.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    double d;
    size_t i;
} cand;

static int by_dist(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The oracle: outputs for query x from rows[0..n-1] of ds. */
static void oracle(const dv_dataset *ds, const int64_t *rows, size_t n, size_t k, int dist,
                   const double *x, double *out)
{
    size_t d = dv_dataset_cols(ds), K = dv_dataset_classes(ds);
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    cand *c = malloc((n ? n : 1) * sizeof *c);
    for (size_t t = 0; t < n; t++) {
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += (x[j] - X[rows[t] * d + j]) * (x[j] - X[rows[t] * d + j]);
        c[t] = (cand){s, t};
    }
    qsort(c, n, sizeof *c, by_dist);
    if (k > n)
        k = n;
    int exact = dist && k > 0 && c[0].d == 0;
    double w[1000], ws = 0;
    for (size_t t = 0; t < k; t++) {
        w[t] = !dist ? 1 : exact ? (c[t].d == 0 ? 1 : 0) : 1 / sqrt(c[t].d);
        ws += w[t];
    }
    if (K) {
        for (size_t q = 0; q < K; q++)
            out[q] = 0;
        for (size_t t = 0; t < k; t++)
            out[(size_t)y[rows[c[t].i]]] += w[t] / ws;
    } else {
        out[0] = 0;
        for (size_t t = 0; t < k; t++)
            out[0] += w[t] * y[rows[c[t].i]] / ws;
    }
    free(c);
}

/* Data on a coarse grid, so that distances tie and queries hit rows. */
static dv_dataset *grid_data(size_t n, size_t K, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 3);
    double *X = malloc(n * 2 * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = (double)dv_rng_below(&r, 6);
        X[2 * i + 1] = (double)dv_rng_below(&r, 6);
        y[i] = K ? (double)dv_rng_below(&r, K) : X[2 * i] - 0.5 * X[2 * i + 1] + dv_rng_uniform(&r);
    }
    dv_dataset *ds;
    dv_error err = {0};
    if (dv_dataset_from_arrays(&ds, n, 2, X, y, K ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION,
                               K, NULL, &err))
        exit(1);
    free(X);
    free(y);
    return ds;
}

static void compare(size_t K)
{
    dv_dataset *ds = grid_data(80, K, 5 + K);
    int64_t rows[80];
    size_t n = 0;
    for (size_t i = 0; i < 80; i += 2) /* a subset: every other row */
        rows[n++] = (int64_t)i;
    const size_t ks[] = {1, 3, 7, 50};
    double worst = 0;
    for (int dist = 0; dist < 2; dist++)
        for (size_t a = 0; a < 4; a++) {
            dv_learner_params p;
            dv_learner_params_default(&p, DV_LEARNER_KNN);
            p.neighbors = ks[a];
            p.distance_weights = dist;
            dv_model *m = NULL;
            dv_error err = {0};
            CHECK(dv_model_fit(&m, &p, ds, rows, n, NULL, &err) == DV_OK);
            size_t o = K ? K : 1;
            double got[8], want[8];
            for (size_t q = 0; q < 80; q++) { /* rows in and out of the fit as queries */
                const double *x = dv_dataset_features(ds) + 2 * q;
                CHECK(dv_model_predict(m, x, 1, 2, got) == DV_OK);
                oracle(ds, rows, n, ks[a], dist, x, want);
                for (size_t c = 0; c < o; c++)
                    worst = fmax(worst, fabs(got[c] - want[c]));
            }
            dv_model_free(m);
        }
    CHECK_MSG(worst < 1e-12, "K = %zu: largest difference from the oracle %.3g", K, worst);
    dv_dataset_free(ds);
}

static void test_classification(void) { compare(3); }
static void test_regression(void) { compare(0); }

/* Fits with no rows or one class predict the constant models; a model is
 * scored like any other. */
static void test_constant_fits(void)
{
    dv_dataset *ds = grid_data(60, 2, 1);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_KNN);
    int64_t one[2] = {0, 0};
    size_t k = 0;
    for (size_t i = 0; i < 60 && k < 2; i++)
        if (dv_dataset_targets(ds)[i] == 1)
            one[k++] = (int64_t)i;
    dv_model *m = NULL;
    dv_error err = {0};
    double pr[2];
    CHECK(dv_model_fit(&m, &p, ds, one, 2, NULL, &err) == DV_OK);
    CHECK(dv_model_predict(m, dv_dataset_features(ds), 1, 2, pr) == DV_OK && pr[1] == 1.0);
    dv_model_free(m);
    CHECK(dv_model_fit(&m, &p, ds, one, 0, NULL, &err) == DV_OK);
    CHECK(dv_model_predict(m, dv_dataset_features(ds), 1, 2, pr) == DV_OK && pr[0] == 0.5);
    dv_model_free(m);
    /* k = 1 without distance weights reproduces the training labels of
     * distinct rows: accuracy 1 on a set without duplicate points. */
    double X[8] = {0, 0, 1, 0, 0, 1, 1, 1}, y[4] = {0, 1, 1, 0};
    dv_dataset *xo;
    CHECK(dv_dataset_from_arrays(&xo, 4, 2, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    p.neighbors = 1;
    p.distance_weights = 0;
    CHECK(dv_model_fit(&m, &p, xo, NULL, 0, NULL, &err) == DV_OK);
    double acc = 0;
    CHECK(dv_model_score(m, xo, DV_METRIC_ACCURACY, &acc) == DV_OK && acc == 1.0);
    dv_model_free(m);
    dv_dataset_free(xo);
    p.neighbors = 0;
    CHECK(dv_learner_params_check(&p) != NULL);
    dv_learner_kind kind;
    CHECK(dv_learner_from_name("knn", &kind) == DV_OK && kind == DV_LEARNER_KNN);
    dv_dataset_free(ds);
}

int main(void)
{
    RUN(test_classification);
    RUN(test_regression);
    RUN(test_constant_fits);
    return CHECK_DONE();
}
