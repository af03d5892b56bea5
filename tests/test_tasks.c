/*
 * test_tasks.c -- the mislabeled-point task: the 2-means split against brute
 * force over all cuts, F1 of random values against rho / (rho + 1/2),
 * AUROC and recall on hand-made cases, and the label flips.
 */
#include "check.h"
#include "dval.h"

#include <stdlib.h>
#include <string.h>

/* Brute force: every threshold t among the values, predicted = {v <= t},
 * SSE of the two groups computed directly; the best threshold wins. */
static double brute_threshold(const double *v, size_t n)
{
    double best = INFINITY, thr = -INFINITY;
    for (size_t c = 0; c < n; c++) {
        double t = v[c], s[2] = {0, 0}, cnt[2] = {0, 0};
        for (size_t i = 0; i < n; i++) {
            s[v[i] > t] += v[i];
            cnt[v[i] > t]++;
        }
        if (cnt[1] == 0)
            continue;
        double sse = 0;
        for (size_t i = 0; i < n; i++) {
            int g = v[i] > t;
            double m = s[g] / cnt[g];
            sse += (v[i] - m) * (v[i] - m);
        }
        if (sse < best - 1e-12 || (fabs(sse - best) <= 1e-12 && t < thr)) {
            best = sse;
            thr = t;
        }
    }
    return thr;
}

static void test_two_means(void)
{
    dv_rng r;
    dv_rng_seed(&r, 3, 0);
    for (int rep = 0; rep < 50; rep++) {
        size_t n = 5 + rep;
        double v[60];
        unsigned char noisy[60] = {0};
        for (size_t i = 0; i < n; i++) {
            v[i] = rep % 3 == 0 ? (double)(dv_rng_below(&r, 5)) : dv_rng_normal(&r) + (i % 4 == 0 ? -3 : 0);
            noisy[i] = i % 4 == 0;
        }
        dv_detection d;
        CHECK(dv_detection_eval(v, noisy, n, &d, NULL) == 0);
        double t = brute_threshold(v, n);
        CHECK_NEAR(d.threshold, t, 0);
        size_t pred = 0, tp = 0, nn = 0;
        for (size_t i = 0; i < n; i++) {
            pred += v[i] <= t;
            tp += v[i] <= t && noisy[i];
            nn += noisy[i];
        }
        CHECK_EQ_INT(d.n_predicted, pred);
        CHECK_NEAR(d.f1, 2.0 * tp / (double)(pred + nn), 1e-15);
    }
}

static void test_random_f1(void)
{
    /* Uniform values: the split is near the median, so F1 ~ rho / (rho + 1/2). */
    size_t n = 40000;
    double *v = malloc(n * sizeof *v);
    unsigned char *noisy = calloc(n, 1);
    dv_rng r;
    dv_rng_seed(&r, 11, 0);
    for (size_t i = 0; i < n; i++) {
        v[i] = dv_rng_uniform(&r);
        noisy[i] = i % 5 == 0; /* rho = 0.2 */
    }
    dv_detection d;
    CHECK(dv_detection_eval(v, noisy, n, &d, NULL) == 0);
    CHECK_NEAR(d.f1, 0.2 / 0.7, 0.01);
    CHECK_NEAR(d.auroc, 0.5, 0.01);
    CHECK_NEAR(d.recall, 0.2, 0.015);
    free(v);
    free(noisy);
}

static void test_auroc_recall(void)
{
    double v[6] = {1, 2, 3, 4, 5, 6};
    unsigned char a[6] = {1, 1, 0, 0, 0, 0}, b[6] = {0, 0, 0, 0, 1, 1}, c[6] = {1, 0, 1, 0, 0, 0};
    dv_detection d;
    CHECK(dv_detection_eval(v, a, 6, &d, NULL) == 0);
    CHECK_NEAR(d.auroc, 1, 0);
    CHECK_NEAR(d.recall, 1, 0);
    CHECK(dv_detection_eval(v, b, 6, &d, NULL) == 0);
    CHECK_NEAR(d.auroc, 0, 0);
    CHECK_NEAR(d.recall, 0, 0);
    CHECK(dv_detection_eval(v, c, 6, &d, NULL) == 0);
    CHECK_NEAR(d.auroc, 7.0 / 8.0, 1e-15); /* pairs (noisy < clean): 4 + 3 of 8 */
    CHECK_NEAR(d.recall, 0.5, 0);
    double t[4] = {1, 1, 2, 2};
    unsigned char e[4] = {1, 0, 0, 0};
    CHECK(dv_detection_eval(t, e, 4, &d, NULL) == 0);
    CHECK_NEAR(d.auroc, (0.5 + 1 + 1) / 3.0, 1e-15);
    double bad[2] = {NAN, 1};
    CHECK(dv_detection_eval(bad, e, 2, &d, NULL) == DV_EINVAL);
}

static void test_flip(void)
{
    size_t n = 1000;
    double *X = calloc(n, sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = (double)(i % 3);
    dv_dataset *ds, *ds2;
    CHECK(dv_dataset_from_arrays(&ds, n, 1, X, y, DV_TASK_CLASSIFICATION, 3, NULL, NULL) == 0);
    CHECK(dv_dataset_from_arrays(&ds2, n, 1, X, y, DV_TASK_CLASSIFICATION, 3, NULL, NULL) == 0);
    int64_t fl[1000], fl2[1000];
    size_t m, m2;
    CHECK(dv_flip_labels(ds, 0.2, 5, fl, &m, NULL) == 0);
    CHECK(dv_flip_labels(ds2, 0.2, 5, fl2, &m2, NULL) == 0);
    CHECK_EQ_INT(m, 200);
    CHECK(m == m2 && memcmp(fl, fl2, m * sizeof *fl) == 0);
    const double *t = dv_dataset_targets(ds);
    size_t changed = 0, shift[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        changed += t[i] != y[i];
        shift[((size_t)t[i] + 3 - (size_t)y[i]) % 3]++;
    }
    CHECK_EQ_INT(changed, 200);
    CHECK(shift[1] > 60 && shift[2] > 60); /* both shifts occur */
    for (size_t k = 0; k < m; k++)
        CHECK(t[fl[k]] != y[fl[k]] && (k == 0 || fl[k] > fl[k - 1]));
    CHECK(dv_flip_labels(ds, 1.5, 5, NULL, &m, NULL) == DV_EINVAL);
    dv_dataset_free(ds);
    dv_dataset_free(ds2);
    free(X);
    free(y);
}

static double score_rows(const dv_dataset *tr, const dv_dataset *te, const int64_t *rows, size_t n)
{
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    dv_model *m;
    double u = NAN;
    if (dv_model_fit(&m, &lp, tr, rows, n, NULL, NULL) == 0) {
        dv_model_score(m, te, DV_METRIC_ACCURACY, &u);
        dv_model_free(m);
    }
    return u;
}

static void test_removal(void)
{
    size_t n = 60, d = 2;
    double X[120], y[60], Xt[80], yt[40], v[60];
    dv_rng r;
    dv_rng_seed(&r, 5, 0);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 2);
        X[2 * i] = dv_rng_normal(&r) + (y[i] ? 1 : -1);
        X[2 * i + 1] = dv_rng_normal(&r);
        v[i] = (double)((i * 37) % 60); /* a permutation of 0..59 */
    }
    v[7] = v[8]; /* a tie: broken by row index */
    for (size_t i = 0; i < 40; i++) {
        yt[i] = (double)(i % 2);
        Xt[2 * i] = dv_rng_normal(&r) + (yt[i] ? 1 : -1);
        Xt[2 * i + 1] = dv_rng_normal(&r);
    }
    dv_dataset *tr, *te;
    CHECK(dv_dataset_from_arrays(&tr, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL) == 0);
    CHECK(dv_dataset_from_arrays(&te, 40, d, Xt, yt, DV_TASK_CLASSIFICATION, 2, NULL, NULL) == 0);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    double high[4], low[4];
    dv_error err = {0};
    CHECK(dv_removal_curve(tr, te, &lp, DV_METRIC_ACCURACY, v, 10, 3, high, low, &err) == 0);
    /* Oracle: rank by (value, index) by selection, keep explicit row lists. */
    int64_t order[60];
    unsigned char used[60] = {0};
    for (size_t k = 0; k < n; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && (best == n || v[i] < v[best]))
                best = i;
        used[best] = 1;
        order[k] = (int64_t)best;
    }
    for (size_t s = 0; s <= 3; s++) {
        size_t keep = n - 10 * s;
        int64_t rows[60];
        for (size_t k = 0; k < keep; k++)
            rows[k] = order[k];
        CHECK_NEAR(high[s], score_rows(tr, te, rows, keep), 0);
        for (size_t k = 0; k < keep; k++)
            rows[k] = order[n - keep + k];
        CHECK_NEAR(low[s], score_rows(tr, te, rows, keep), 0);
    }
    CHECK_NEAR(high[0], low[0], 0);
    CHECK(dv_removal_curve(tr, te, &lp, DV_METRIC_ACCURACY, v, 10, 7, high, low, &err) == DV_EINVAL);
    dv_dataset_free(tr);
    dv_dataset_free(te);
}

static void test_addition(void)
{
    size_t n = 80, d = 2;
    double X[160], y[80], Xt[120], yt[60];
    dv_rng r;
    dv_rng_seed(&r, 9, 0);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 2);
        X[2 * i] = dv_rng_normal(&r) + (y[i] ? 1 : -1);
        X[2 * i + 1] = dv_rng_normal(&r);
    }
    for (size_t i = 0; i < 60; i++) {
        yt[i] = (double)(i % 2);
        Xt[2 * i] = dv_rng_normal(&r) + (yt[i] ? 1 : -1);
        Xt[2 * i + 1] = dv_rng_normal(&r);
    }
    dv_dataset *tr, *te;
    CHECK(dv_dataset_from_arrays(&tr, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL) == 0);
    CHECK(dv_dataset_from_arrays(&te, 60, d, Xt, yt, DV_TASK_CLASSIFICATION, 2, NULL, NULL) == 0);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    /* Candidates: rows 0..19; scores favour class 1 overall, but the added
     * set must be the best 2 of each class. */
    int64_t cand[20];
    double score[20];
    for (int i = 0; i < 20; i++) {
        cand[i] = i;
        score[i] = (i % 2 ? 100.0 : 0.0) + (double)i;
    }
    double g1[6], g2[6];
    dv_error err = {0};
    /* The base is every non-candidate row, so the gain has a plain oracle. */
    CHECK(dv_addition_gains(tr, te, &lp, DV_METRIC_NEG_LOGLOSS, cand, 20, score, 60, 4, 6, 3, 1, g1,
                            &err) == 0);
    int64_t rows[64];
    for (int i = 0; i < 60; i++)
        rows[i] = 20 + i;
    dv_model *a, *b;
    double ua, ub;
    CHECK(dv_model_fit(&a, &lp, tr, rows, 60, NULL, &err) == 0);
    rows[60] = 18; /* best of class 0 */
    rows[61] = 16;
    rows[62] = 19; /* best of class 1 */
    rows[63] = 17;
    CHECK(dv_model_fit(&b, &lp, tr, rows, 64, NULL, &err) == 0);
    CHECK(dv_model_score(a, te, DV_METRIC_NEG_LOGLOSS, &ua) == 0);
    CHECK(dv_model_score(b, te, DV_METRIC_NEG_LOGLOSS, &ub) == 0);
    for (int k = 0; k < 6; k++)
        CHECK_NEAR(g1[k], ub - ua, 1e-8);
    dv_model_free(a);
    dv_model_free(b);
    /* random additions and smaller bases: same bits for 1 and 2 threads */
    CHECK(dv_addition_gains(tr, te, &lp, DV_METRIC_NEG_LOGLOSS, cand, 20, NULL, 30, 4, 6, 3, 1, g1,
                            &err) == 0);
    CHECK(dv_addition_gains(tr, te, &lp, DV_METRIC_NEG_LOGLOSS, cand, 20, NULL, 30, 4, 6, 3, 2, g2,
                            &err) == 0);
    CHECK(memcmp(g1, g2, sizeof g1) == 0);
    CHECK(g1[0] != g1[1]); /* different bases and additions per repetition */
    CHECK(dv_addition_gains(tr, te, &lp, DV_METRIC_NEG_LOGLOSS, cand, 20, score, 30, 0, 6, 3, 2, g2,
                            &err) == 0);
    for (int k = 0; k < 6; k++)
        CHECK_NEAR(g2[k], 0, 0);
    CHECK(dv_addition_gains(tr, te, &lp, DV_METRIC_NEG_LOGLOSS, cand, 20, score, 61, 4, 6, 3, 2, g2,
                            &err) == DV_EINVAL);
    CHECK(dv_addition_gains(tr, te, &lp, DV_METRIC_NEG_LOGLOSS, cand, 20, score, 30, 21, 6, 3, 2, g2,
                            &err) == DV_EINVAL);
    dv_dataset_free(tr);
    dv_dataset_free(te);
}

int main(void)
{
    RUN(test_addition);
    RUN(test_removal);
    RUN(test_two_means);
    RUN(test_random_f1);
    RUN(test_auroc_recall);
    RUN(test_flip);
    return CHECK_DONE();
}
