/*
 * test_oob.c -- tests of Data-OOB (dv__data_oob).  The reference values are
 * counted here: the bootstraps are re-drawn with the documented scheme
 * (stream (seed, b): n-way draws, then one dv_rng_next XORed into the
 * learner seed), the models fitted with dv_model_fit and the out-of-bag
 * scores added up by hand.  Also: a constant predictor, the range of
 * classification values, rows never out of bag, thread-count invariance
 * and the argument checks.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"
#include "methods/methods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static dv_dataset *random_ds(size_t n, size_t d, size_t K, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 3);
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n * d; i++)
        X[i] = dv_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        double s = X[i * d] + 0.7 * dv_rng_normal(&r);
        y[i] = K ? (double)(s > 0) : s;
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, d, X, y, K ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION,
                                    K, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    free(X);
    free(y);
    return ds;
}

static void oob_params(dv_value_params *p, dv_learner_kind kind, size_t B, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->method = DV_METHOD_OOB;
    dv_learner_params_default(&p->learner, kind);
    p->seed = seed;
    p->n_threads = 1;
    p->max_samples = B;
    p->oob_fraction = 1.0;
}

/* The reference: model by model, as the paper states it. */
static void reference(const dv_dataset *ds, const dv_value_params *p, double *want)
{
    size_t n = dv_dataset_rows(ds), d = dv_dataset_cols(ds), K = dv_dataset_classes(ds);
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    size_t m = (size_t)round(p->oob_fraction * (double)n);
    double *sum = calloc(n, sizeof *sum), *pred = malloc((K ? K : 1) * sizeof *pred);
    size_t *cnt = calloc(n, sizeof *cnt);
    int64_t *rows = malloc((m ? m : 1) * sizeof *rows);
    char *in = malloc(n);
    for (size_t b = 0; b < p->max_samples; b++) {
        dv_rng r;
        dv_rng_seed(&r, p->seed, b);
        memset(in, 0, n);
        for (size_t k = 0; k < m; k++) {
            rows[k] = (int64_t)dv_rng_below(&r, n);
            in[rows[k]] = 1;
        }
        dv_learner_params lp = p->learner;
        lp.seed ^= dv_rng_next(&r);
        dv_model *mod = NULL;
        dv_error err = {0};
        int rc = dv_model_fit(&mod, &lp, ds, rows, m, NULL, &err);
        CHECK_MSG(rc == DV_OK || rc == DV_ENOTCONV, "%s", err.msg);
        for (size_t i = 0; i < n; i++) {
            if (in[i])
                continue;
            dv_model_predict(mod, X + i * d, 1, d, pred);
            double t;
            if (K) {
                size_t best = 0;
                for (size_t k = 1; k < K; k++)
                    if (pred[k] > pred[best])
                        best = k;
                t = best == (size_t)y[i];
            } else {
                t = -(y[i] - pred[0]) * (y[i] - pred[0]);
            }
            sum[i] += t;
            cnt[i]++;
        }
        dv_model_free(mod);
    }
    double mean = 0;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++)
        if (cnt[i]) {
            want[i] = sum[i] / (double)cnt[i];
            mean += want[i];
            seen++;
        }
    for (size_t i = 0; i < n; i++)
        if (!cnt[i])
            want[i] = seen ? mean / (double)seen : 0.0;
    free(sum);
    free(pred);
    free(cnt);
    free(rows);
    free(in);
}

static void run_oob(const dv_dataset *ds, const dv_value_params *p, double *v)
{
    dv_error err = {0};
    dv_value_info info;
    int rc = dv__data_oob(ds, p, v, &info, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    CHECK_EQ_INT(info.samples, p->max_samples);
    CHECK_EQ_INT(info.stop_rule, DV_STOP_SAMPLES);
}

/* n = 6, B = 3: the values equal the hand count, for a random-forest tree
 * (one feature per split, so the learner seed matters), logreg and ridge;
 * and for bootstraps of half size and a single model (rows never out of
 * bag get the mean of the others). */
static void test_hand_count(void)
{
    struct {
        dv_learner_kind kind;
        size_t K, B;
        double frac;
        int max_features;
    } cases[] = {{DV_LEARNER_TREE, 2, 3, 1.0, 1}, {DV_LEARNER_LOGREG, 2, 3, 1.0, 0},
                 {DV_LEARNER_RIDGE, 0, 3, 1.0, 0}, {DV_LEARNER_TREE, 0, 3, 1.0, 0},
                 {DV_LEARNER_TREE, 2, 3, 0.5, 0},  {DV_LEARNER_TREE, 2, 1, 1.0, 0},
                 {DV_LEARNER_LOGREG, 2, 5, 1.3, 0}};
    for (size_t c = 0; c < DV__COUNT(cases); c++) {
        dv_dataset *ds = random_ds(6, 2, cases[c].K, 100 + c);
        dv_value_params p;
        oob_params(&p, cases[c].kind, cases[c].B, 7 + c);
        p.learner.max_features = cases[c].max_features;
        p.learner.seed = 5;
        p.oob_fraction = cases[c].frac;
        double v[6], want[6];
        run_oob(ds, &p, v);
        reference(ds, &p, want);
        /* Exact for classification (sums of 0/1); regression predictions
         * may round differently one row at a time than in a batch. */
        for (int i = 0; i < 6; i++)
            CHECK_MSG(cases[c].K ? v[i] == want[i]
                                 : fabs(v[i] - want[i]) <= 1e-12 * (1 + fabs(want[i])),
                      "case %zu row %d: %.17g, want %.17g", c, i, v[i], want[i]);
        dv_dataset_free(ds);
    }
}

/* A learner that always predicts the majority class (a tree that may not
 * split: min_leaf above the bootstrap size) values each row by whether its
 * label is that class. */
static void test_constant_predictor(void)
{
    size_t n = 20;
    double X[40], y[20];
    dv_rng r;
    dv_rng_seed(&r, 1, 1);
    for (size_t i = 0; i < 2 * n; i++)
        X[i] = dv_rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        y[i] = i % 7 == 3; /* 3 of 20 are class 1 */
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds, n, 2, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err),
                 DV_OK);
    dv_value_params p;
    oob_params(&p, DV_LEARNER_TREE, 50, 3);
    p.learner.min_leaf = 1000;
    double v[20];
    run_oob(ds, &p, v);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(v[i] == (y[i] == 0 ? 1.0 : 0.0), "row %zu: %g", i, v[i]);
    dv_dataset_free(ds);
}

/* Classification values lie in [0, 1]; values are identical for 1, 2 and 3
 * threads (B spans several blocks of models). */
static void test_range_and_threads(void)
{
    dv_learner_kind kinds[4] = {DV_LEARNER_TREE, DV_LEARNER_LOGREG, DV_LEARNER_TREE,
                                DV_LEARNER_RIDGE};
    size_t Ks[4] = {2, 2, 0, 0};
    for (int c = 0; c < 4; c++) {
        size_t n = 70;
        dv_dataset *ds = random_ds(n, 3, Ks[c], 40 + (uint64_t)c);
        dv_value_params p;
        oob_params(&p, kinds[c], 75, 11);
        p.learner.max_features = 2;
        p.learner.max_depth = 6;
        double *v1 = malloc(n * sizeof *v1), *v2 = malloc(n * sizeof *v2),
               *v3 = malloc(n * sizeof *v3);
        run_oob(ds, &p, v1);
        p.n_threads = 2;
        run_oob(ds, &p, v2);
        p.n_threads = 3;
        run_oob(ds, &p, v3);
        CHECK(memcmp(v1, v2, n * sizeof *v1) == 0);
        CHECK(memcmp(v1, v3, n * sizeof *v1) == 0);
        for (size_t i = 0; i < n; i++) {
            CHECK(isfinite(v1[i]));
            if (Ks[c])
                CHECK(v1[i] >= 0.0 && v1[i] <= 1.0);
            else
                CHECK(v1[i] <= 0.0);
        }
        /* A different seed gives different values. */
        p.seed = 12;
        run_oob(ds, &p, v2);
        CHECK(memcmp(v1, v2, n * sizeof *v1) != 0);
        free(v1);
        free(v2);
        free(v3);
        dv_dataset_free(ds);
    }
}

/* Mislabelled points should score low: flip a few labels of an easy
 * problem and compare their mean value with the rest. */
static void test_detects_noise(void)
{
    size_t n = 120;
    dv_dataset *ds = random_ds(n, 2, 2, 77);
    for (size_t i = 0; i < n; i += 10)
        ds->y[i] = 1.0 - ds->y[i];
    dv_value_params p;
    oob_params(&p, DV_LEARNER_TREE, 200, 1);
    p.learner.max_depth = 3;
    p.n_threads = 2;
    double *v = malloc(n * sizeof *v), flip = 0, rest = 0;
    run_oob(ds, &p, v);
    for (size_t i = 0; i < n; i++) {
        if (i % 10 == 0)
            flip += v[i] / 12.0;
        else
            rest += v[i] / 108.0;
    }
    CHECK_MSG(flip < rest - 0.2, "flipped %g, rest %g", flip, rest);
    free(v);
    dv_dataset_free(ds);
}

static void test_errors(void)
{
    dv_dataset *ds = random_ds(10, 2, 2, 5), *reg = random_ds(10, 2, 0, 6);
    dv_value_params p;
    double v[10];
    dv_error err = {0};
    oob_params(&p, DV_LEARNER_TREE, 0, 1);
    CHECK_EQ_INT(dv__data_oob(ds, &p, v, NULL, &err), DV_EINVAL);
    oob_params(&p, DV_LEARNER_TREE, 5, 1);
    p.oob_fraction = 0;
    CHECK_EQ_INT(dv__data_oob(ds, &p, v, NULL, &err), DV_EINVAL);
    p.oob_fraction = NAN;
    CHECK_EQ_INT(dv__data_oob(ds, &p, v, NULL, &err), DV_EINVAL);
    oob_params(&p, DV_LEARNER_TREE, 5, 1);
    p.learner.min_leaf = 0;
    CHECK_EQ_INT(dv__data_oob(ds, &p, v, NULL, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "min_leaf") != NULL);
    oob_params(&p, DV_LEARNER_LOGREG, 5, 1);
    CHECK_EQ_INT(dv__data_oob(reg, &p, v, NULL, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "logreg") != NULL);
    CHECK_EQ_INT(dv__data_oob(NULL, &p, v, NULL, &err), DV_EINVAL);
    /* info may be NULL. */
    oob_params(&p, DV_LEARNER_TREE, 5, 1);
    CHECK_EQ_INT(dv__data_oob(ds, &p, v, NULL, &err), DV_OK);
    dv_dataset_free(ds);
    dv_dataset_free(reg);
}

int main(void)
{
    RUN(test_hand_count);
    RUN(test_constant_predictor);
    RUN(test_range_and_threads);
    RUN(test_detects_noise);
    RUN(test_errors);
    return CHECK_DONE();
}
