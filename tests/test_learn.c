/*
 * test_learn.c -- tests of the learners (logistic, ridge, ols), the model
 * object and the metrics.  The optimality checks recompute the objective
 * and its gradient here with plain loops, independently of the library's
 * BLAS code; the small cases are solved by hand (bisection, closed forms,
 * Gaussian elimination).
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"
#include "internal.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* Random classification data: x ~ N(0, I), y = argmax_k (x.W_k + noise)
 * (separable when noise = 0); every class gets at least one row. */
static dv_dataset *make_clf(size_t n, size_t d, size_t K, double noise, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 1);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    double *W = malloc(K * d * sizeof(double));
    for (size_t i = 0; i < K * d; i++)
        W[i] = 2.0 * dv_rng_normal(&r);
    for (size_t i = 0; i < n * d; i++)
        X[i] = dv_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        double bs = -INFINITY;
        for (size_t k = 0; k < K; k++) {
            double s = noise * dv_rng_normal(&r);
            for (size_t j = 0; j < d; j++)
                s += X[i * d + j] * W[k * d + j];
            if (s > bs) {
                bs = s;
                best = k;
            }
        }
        y[i] = (double)best;
    }
    for (size_t k = 0; k < K && k < n; k++)
        y[k] = (double)k;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, K, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    free(X);
    free(y);
    free(W);
    return ds;
}

static double ref_sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* The objective C * sum_i logloss_i + 1/2 sum ||w_k||^2 at coef (public
 * layout) on rows 0..n-1 of X, y, and its gradient with respect to every
 * coefficient (absent classes' entries 0).  Plain loops, long double sums.
 * For K > 2 the softmax runs over the classes present in y. */
static double ref_objective(const double *coef, const double *X, const double *y, size_t n,
                            size_t d, size_t K, double C, double *grad)
{
    size_t d1 = d + 1, np = K > 2 ? K * d1 : d1;
    long double f = 0, *g = calloc(np, sizeof(long double));
    int present[64] = {0};
    for (size_t i = 0; i < n; i++)
        present[(size_t)y[i]] = 1;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        if (K == 2) {
            long double z = coef[d];
            for (size_t j = 0; j < d; j++)
                z += (long double)x[j] * coef[j];
            long double p = 1.0L / (1.0L + expl(-z));
            f += y[i] > 0.5 ? log1pl(expl(-z)) : log1pl(expl(z));
            for (size_t j = 0; j < d1; j++)
                g[j] += C * (p - (long double)y[i]) * (j < d ? x[j] : 1.0);
        } else {
            long double z[64] = {0}, mx = -INFINITY, s = 0;
            for (size_t k = 0; k < K; k++) {
                if (!present[k])
                    continue;
                z[k] = coef[k * d1 + d];
                for (size_t j = 0; j < d; j++)
                    z[k] += (long double)x[j] * coef[k * d1 + j];
                if (z[k] > mx)
                    mx = z[k];
            }
            for (size_t k = 0; k < K; k++)
                if (present[k])
                    s += expl(z[k] - mx);
            f += mx + logl(s) - z[(size_t)y[i]];
            for (size_t k = 0; k < K; k++) {
                if (!present[k])
                    continue;
                long double r = expl(z[k] - mx) / s - (k == (size_t)y[i]);
                for (size_t j = 0; j < d1; j++)
                    g[k * d1 + j] += C * r * (j < d ? x[j] : 1.0);
            }
        }
    }
    f *= C;
    for (size_t k = 0; k < (K > 2 ? K : 1); k++)
        for (size_t j = 0; j < d; j++) {
            f += 0.5L * coef[k * d1 + j] * coef[k * d1 + j];
            g[k * d1 + j] += coef[k * d1 + j];
        }
    if (grad)
        for (size_t j = 0; j < np; j++)
            grad[j] = (double)g[j];
    free(g);
    return (double)f;
}

static double norm2(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

/* Gathers rows of ds into fresh arrays (all rows when rows == NULL). */
static void gather(const dv_dataset *ds, const int64_t *rows, size_t n, double **X, double **y)
{
    size_t d = dv_dataset_cols(ds);
    *X = malloc((n ? n : 1) * d * sizeof(double));
    *y = malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? (size_t)rows[i] : i;
        memcpy(*X + i * d, dv_dataset_features(ds) + r * d, d * sizeof(double));
        (*y)[i] = dv_dataset_targets(ds)[r];
    }
}

static dv_model *fit_logreg(const dv_dataset *ds, const int64_t *rows, size_t n, double C,
                            const dv_model *warm)
{
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_LOGREG);
    p.C = C;
    dv_model *m = NULL;
    dv_error err = {0};
    int rc = dv_model_fit(&m, &p, ds, rows, n, warm, &err);
    CHECK_MSG(rc == DV_OK, "fit: rc %d: %s", rc, err.msg);
    CHECK(m != NULL);
    return m;
}

/* Fits logreg on the rows and checks that the gradient of the objective,
 * recomputed here, vanishes: ||g|| <= 1e-8 max(1, ||g(0)||). */
static void check_optimal(const dv_dataset *ds, const int64_t *rows, size_t n, double C,
                          const char *what)
{
    size_t d = dv_dataset_cols(ds), K = dv_dataset_classes(ds);
    if (!rows)
        n = dv_dataset_rows(ds);
    dv_model *m = fit_logreg(ds, rows, n, C, NULL);
    if (!m)
        return;
    size_t np = dv_model_coef(m, NULL, 0);
    CHECK_EQ_INT(np, K > 2 ? K * (d + 1) : d + 1);
    double *coef = malloc(np * sizeof(double)), *g = malloc(np * sizeof(double));
    double *zero = calloc(np, sizeof(double));
    dv_model_coef(m, coef, np);
    double *X, *y;
    gather(ds, rows, n, &X, &y);
    ref_objective(zero, X, y, n, d, K, C, g);
    double g0 = norm2(g, np);
    ref_objective(coef, X, y, n, d, K, C, g);
    double gn = norm2(g, np);
    CHECK_MSG(gn <= 1e-8 * fmax(1.0, g0), "%s: ||grad|| = %.3g, ||grad0|| = %.3g (%d iterations)",
              what, gn, g0, dv_model_iterations(m));
    CHECK_MSG(dv_model_grad_norm(m) <= 1e-10 * fmax(1.0, dv_model_grad0_norm(m)) * 1.0000001,
              "%s: reported grad norm %.3g, grad0 %.3g", what, dv_model_grad_norm(m),
              dv_model_grad0_norm(m));
    CHECK_NEAR(dv_model_grad0_norm(m), g0, 1e-9 * fmax(1.0, g0));
    CHECK(dv_model_iterations(m) >= 1 && dv_model_iterations(m) <= 100);
    for (size_t j = 0; j < np; j++)
        CHECK(isfinite(coef[j]));
    free(coef);
    free(g);
    free(zero);
    free(X);
    free(y);
    dv_model_free(m);
}

/* ------------------------------------------------------------------------ */
/* Logistic regression: optimality                                          */
/* ------------------------------------------------------------------------ */

static void test_grad_binary(void)
{
    dv_dataset *ds = make_clf(200, 5, 2, 1.0, 11); /* overlapping classes */
    check_optimal(ds, NULL, 0, 1.0, "binary noisy");
    check_optimal(ds, NULL, 0, 0.01, "binary noisy, C = 0.01");
    dv_dataset_free(ds);
    ds = make_clf(60, 3, 2, 0.0, 12); /* linearly separable */
    check_optimal(ds, NULL, 0, 1.0, "binary separable");
    check_optimal(ds, NULL, 0, 1e4, "binary separable, C = 1e4");
    dv_dataset_free(ds);
    ds = make_clf(10, 30, 2, 0.0, 13); /* d > n */
    check_optimal(ds, NULL, 0, 1.0, "binary d > n");
    check_optimal(ds, NULL, 0, 100.0, "binary d > n, C = 100");
    dv_dataset_free(ds);
    /* A subset given by row indices, with repeats. */
    ds = make_clf(50, 4, 2, 0.5, 14);
    int64_t rows[] = {3, 3, 7, 0, 1, 9, 12, 40, 41, 41, 41, 22, 17, 18};
    check_optimal(ds, rows, sizeof rows / sizeof rows[0], 1.0, "binary subset");
    dv_dataset_free(ds);
}

static void test_grad_multinomial(void)
{
    for (size_t K = 3; K <= 4; K++) {
        dv_dataset *ds = make_clf(150, 4, K, 1.0, 20 + K);
        check_optimal(ds, NULL, 0, 1.0, K == 3 ? "K=3 noisy" : "K=4 noisy");
        dv_dataset_free(ds);
        ds = make_clf(80, 3, K, 0.0, 30 + K);
        check_optimal(ds, NULL, 0, 1.0, K == 3 ? "K=3 separable" : "K=4 separable");
        check_optimal(ds, NULL, 0, 1e3, K == 3 ? "K=3 separable C=1e3" : "K=4 separable C=1e3");
        dv_dataset_free(ds);
        ds = make_clf(12, 25, K, 0.0, 40 + K);
        check_optimal(ds, NULL, 0, 1.0, K == 3 ? "K=3 d > n" : "K=4 d > n");
        dv_dataset_free(ds);
    }
    dv_dataset *ds = make_clf(1500, 12, 6, 1.0, 50);
    check_optimal(ds, NULL, 0, 1.0, "K=6 larger");
    dv_dataset_free(ds);
}

/* f(theta +- h v) >= f(theta) for coordinate and random directions v. */
static void fd_check(const dv_dataset *ds, double C, uint64_t seed)
{
    size_t n = dv_dataset_rows(ds), d = dv_dataset_cols(ds), K = dv_dataset_classes(ds);
    dv_model *m = fit_logreg(ds, NULL, 0, C, NULL);
    if (!m)
        return;
    size_t np = dv_model_coef(m, NULL, 0);
    double *th = malloc(np * sizeof(double)), *tp = malloc(np * sizeof(double));
    dv_model_coef(m, th, np);
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    double f = ref_objective(th, X, y, n, d, K, C, NULL);
    double tolf = 1e-12 * fabs(f);
    dv_rng r;
    dv_rng_seed(&r, seed, 2);
    int bad = 0;
    for (size_t t = 0; t < np + 20; t++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            for (size_t j = 0; j < np; j++)
                tp[j] = th[j];
            if (t < np)
                tp[t] += sign * 1e-4;
            else
                for (size_t j = 0; j < np; j++)
                    tp[j] += sign * 1e-4 * dv_rng_normal(&r);
            double ft = ref_objective(tp, X, y, n, d, K, C, NULL);
            if (ft < f - tolf) {
                bad++;
                CHECK_MSG(ft >= f - tolf, "direction %zu sign %d: f = %.17g < f* = %.17g", t, sign,
                          ft, f);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
    free(th);
    free(tp);
    dv_model_free(m);
}

static void test_fd_minimum(void)
{
    dv_dataset *ds = make_clf(100, 4, 2, 1.0, 60);
    fd_check(ds, 1.0, 1);
    dv_dataset_free(ds);
    ds = make_clf(40, 3, 2, 0.0, 61);
    fd_check(ds, 10.0, 2);
    dv_dataset_free(ds);
    ds = make_clf(90, 3, 3, 1.0, 62);
    fd_check(ds, 1.0, 3);
    dv_dataset_free(ds);
    ds = make_clf(15, 20, 4, 0.0, 63);
    fd_check(ds, 1.0, 4);
    dv_dataset_free(ds);
}

static void warm_check(const dv_dataset *ds, double C)
{
    size_t n = dv_dataset_rows(ds);
    int64_t *half = malloc(n / 2 * sizeof(int64_t));
    for (size_t i = 0; i < n / 2; i++)
        half[i] = (int64_t)(2 * i);
    dv_model *sub = fit_logreg(ds, half, n / 2, C, NULL);
    dv_model *cold = fit_logreg(ds, NULL, 0, C, NULL);
    dv_model *warm = fit_logreg(ds, NULL, 0, C, sub);
    dv_model *again = fit_logreg(ds, NULL, 0, C, cold); /* from the solution itself */
    if (sub && cold && warm && again) {
        size_t np = dv_model_coef(cold, NULL, 0);
        double *a = malloc(np * sizeof(double)), *b = malloc(np * sizeof(double));
        double *c = malloc(np * sizeof(double));
        dv_model_coef(cold, a, np);
        dv_model_coef(warm, b, np);
        dv_model_coef(again, c, np);
        for (size_t j = 0; j < np; j++) {
            CHECK_NEAR(b[j], a[j], 1e-8 * fmax(1.0, fabs(a[j])));
            CHECK_NEAR(c[j], a[j], 1e-8 * fmax(1.0, fabs(a[j])));
        }
        CHECK_MSG(dv_model_iterations(warm) < dv_model_iterations(cold),
                  "warm %d iterations, cold %d", dv_model_iterations(warm),
                  dv_model_iterations(cold));
        CHECK(dv_model_iterations(again) <= 1);
        /* the gradient norm at 0 does not depend on the starting point */
        CHECK_NEAR(dv_model_grad0_norm(warm), dv_model_grad0_norm(cold),
                   1e-12 * dv_model_grad0_norm(cold));
        CHECK_NEAR(dv_model_grad0_norm(again), dv_model_grad0_norm(cold),
                   1e-12 * dv_model_grad0_norm(cold));
        free(a);
        free(b);
        free(c);
    }
    free(half);
    dv_model_free(sub);
    dv_model_free(cold);
    dv_model_free(warm);
    dv_model_free(again);
}

static void test_warm_start(void)
{
    dv_dataset *ds = make_clf(400, 6, 2, 1.0, 70);
    warm_check(ds, 1.0);
    dv_dataset_free(ds);
    ds = make_clf(400, 6, 3, 1.0, 71);
    warm_check(ds, 1.0);
    dv_dataset_free(ds);
    ds = make_clf(300, 5, 4, 0.0, 72);
    warm_check(ds, 10.0);
    dv_dataset_free(ds);
}

/* ------------------------------------------------------------------------ */
/* Logistic regression: hand-checkable cases                                */
/* ------------------------------------------------------------------------ */

static void test_hand_symmetric(void)
{
    /* x = {-1, +1}, y = {0, 1}.  By symmetry b = 0, and
     * f(w) = 2 C log(1 + e^-w) + w^2 / 2, so f'(w) = w - 2 C (1 - sigmoid(w)) = 0,
     * whose root lies in (0, 2C): bisection. */
    double X[] = {-1.0, 1.0}, y[] = {0.0, 1.0};
    dv_dataset *ds = NULL;
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 2, 1, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL),
                 DV_OK);
    double Cs[] = {1.0, 3.0, 0.1};
    for (size_t t = 0; t < 3; t++) {
        double C = Cs[t], lo = 0.0, hi = 2.0 * C;
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (lo + hi);
            if (mid - 2.0 * C * (1.0 - ref_sigmoid(mid)) < 0)
                lo = mid;
            else
                hi = mid;
        }
        dv_model *m = fit_logreg(ds, NULL, 0, C, NULL);
        if (!m)
            continue;
        double coef[2];
        CHECK_EQ_INT(dv_model_coef(m, coef, 2), 2);
        CHECK_NEAR(coef[0], 0.5 * (lo + hi), 1e-10);
        CHECK_NEAR(coef[1], 0.0, 1e-10);
        dv_model_free(m);
    }
    dv_dataset_free(ds);
}

static void test_intercept_only(void)
{
    /* All x = 0: w = 0 and the intercept is the log-odds log(n1 / n0). */
    double X[8] = {0}, y[] = {1, 0, 0, 1, 0, 1, 0, 0};
    dv_dataset *ds = NULL;
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 8, 1, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL),
                 DV_OK);
    dv_model *m = fit_logreg(ds, NULL, 0, 1.0, NULL);
    if (m) {
        double coef[2];
        dv_model_coef(m, coef, 2);
        CHECK_NEAR(coef[0], 0.0, 1e-12);
        CHECK_NEAR(coef[1], log(3.0 / 5.0), 1e-10);
        double p[2], x0 = 0.0;
        CHECK_EQ_INT(dv_model_predict(m, &x0, 1, 1, p), DV_OK);
        CHECK_NEAR(p[1], 3.0 / 8.0, 1e-10);
        CHECK_NEAR(p[0], 5.0 / 8.0, 1e-10);
        dv_model_free(m);
    }
    dv_dataset_free(ds);
}

static void test_layout_and_predict(void)
{
    size_t K = 4, d = 3, n = 120;
    dv_dataset *ds = make_clf(n, d, K, 1.0, 80);
    dv_model *m = fit_logreg(ds, NULL, 0, 1.0, NULL);
    if (m) {
        CHECK_EQ_INT(dv_model_outputs(m), K);
        double coef[16], P[120 * 4];
        CHECK_EQ_INT(dv_model_coef(m, coef, 16), K * (d + 1));
        CHECK(coef[(K - 1) * (d + 1) + d] == 0.0); /* pinned intercept of the last class */
        double part[3] = {-7, -7, -7};
        CHECK_EQ_INT(dv_model_coef(m, part, 2), K * (d + 1)); /* copies only 2 */
        CHECK(part[0] == coef[0] && part[1] == coef[1] && part[2] == -7);
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), n, d, P), DV_OK);
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), n, d + 1, P), DV_EINVAL);
        for (size_t i = 0; i < n; i++) {
            const double *x = dv_dataset_features(ds) + i * d;
            double z[4], mx = -INFINITY, s = 0, sum = 0;
            for (size_t k = 0; k < K; k++) {
                z[k] = coef[k * (d + 1) + d];
                for (size_t j = 0; j < d; j++)
                    z[k] += x[j] * coef[k * (d + 1) + j];
                mx = fmax(mx, z[k]);
            }
            for (size_t k = 0; k < K; k++)
                s += exp(z[k] - mx);
            for (size_t k = 0; k < K; k++) {
                CHECK_NEAR(P[i * K + k], exp(z[k] - mx) / s, 1e-13);
                sum += P[i * K + k];
            }
            CHECK_NEAR(sum, 1.0, 1e-13);
        }
        dv_model_free(m);
    }
    dv_dataset_free(ds);

    /* Binary: two columns (p0, p1), p1 = sigmoid(x.w + b). */
    ds = make_clf(50, 2, 2, 1.0, 81);
    m = fit_logreg(ds, NULL, 0, 1.0, NULL);
    if (m) {
        double coef[3], P[100];
        CHECK_EQ_INT(dv_model_outputs(m), 2);
        CHECK_EQ_INT(dv_model_coef(m, coef, 3), 3);
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), 50, 2, P), DV_OK);
        for (size_t i = 0; i < 50; i++) {
            const double *x = dv_dataset_features(ds) + i * 2;
            double p1 = ref_sigmoid(x[0] * coef[0] + x[1] * coef[1] + coef[2]);
            CHECK_NEAR(P[2 * i + 1], p1, 1e-14);
            CHECK_NEAR(P[2 * i] + P[2 * i + 1], 1.0, 1e-15);
        }
        /* rows == NULL is the same as listing every row */
        int64_t all[50];
        for (int i = 0; i < 50; i++)
            all[i] = i;
        dv_model *m2 = fit_logreg(ds, all, 50, 1.0, NULL);
        if (m2) {
            double c2[3];
            dv_model_coef(m2, c2, 3);
            for (int j = 0; j < 3; j++)
                CHECK(c2[j] == coef[j]);
            dv_model_free(m2);
        }
        dv_model_free(m);
    }
    dv_dataset_free(ds);
}

/* ------------------------------------------------------------------------ */
/* Degenerate subsets                                                       */
/* ------------------------------------------------------------------------ */

static void test_single_class(void)
{
    dv_dataset *ds = make_clf(40, 3, 2, 1.0, 90);
    const double *y = dv_dataset_targets(ds);
    int64_t ones[40];
    size_t n1 = 0;
    for (size_t i = 0; i < 40; i++)
        if (y[i] == 1.0)
            ones[n1++] = (int64_t)i;
    CHECK(n1 > 0 && n1 < 40);
    dv_model *m = fit_logreg(ds, ones, n1, 1.0, NULL);
    if (m) {
        double P[80];
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), 40, 3, P), DV_OK);
        for (size_t i = 0; i < 40; i++)
            CHECK(P[2 * i] == 0.0 && P[2 * i + 1] == 1.0);
        double ll, acc;
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &ll), DV_OK);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_ACCURACY, &acc), DV_OK);
        double expect = -((double)n1 * -log(1.0 - 1e-15) + (double)(40 - n1) * -log(1e-15)) / 40.0;
        CHECK(isfinite(ll));
        CHECK_NEAR(ll, expect, 1e-12);
        CHECK_NEAR(acc, (double)n1 / 40.0, 1e-15);
        CHECK(dv_model_grad_norm(m) == 0.0 && !isnan(dv_model_grad0_norm(m)));
        double coef[4];
        CHECK_EQ_INT(dv_model_coef(m, coef, 4), 4);
        for (int j = 0; j < 4; j++)
            CHECK(coef[j] == 0.0);
        dv_model_free(m);
    }
    dv_dataset_free(ds);

    /* Multinomial, one class only (class 2 of 3). */
    ds = make_clf(60, 2, 3, 1.0, 91);
    y = dv_dataset_targets(ds);
    int64_t rows[60];
    size_t nr = 0;
    for (size_t i = 0; i < 60; i++)
        if (y[i] == 2.0)
            rows[nr++] = (int64_t)i;
    m = fit_logreg(ds, rows, nr, 1.0, NULL);
    if (m) {
        double P[180], ll;
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), 60, 2, P), DV_OK);
        for (size_t i = 0; i < 60; i++)
            CHECK(P[3 * i] == 0.0 && P[3 * i + 1] == 0.0 && P[3 * i + 2] == 1.0);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_DEFAULT, &ll), DV_OK);
        CHECK(isfinite(ll) && ll < 0);
        dv_model_free(m);
    }
    dv_dataset_free(ds);
}

static void test_empty_subset(void)
{
    dv_dataset *ds = make_clf(30, 2, 3, 1.0, 100);
    int64_t none[1] = {0};
    dv_model *m = fit_logreg(ds, none, 0, 1.0, NULL);
    if (m) {
        double P[90], ll, acc;
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), 30, 2, P), DV_OK);
        for (size_t i = 0; i < 90; i++)
            CHECK(P[i] == 1.0 / 3.0);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &ll), DV_OK);
        CHECK_NEAR(ll, log(1.0 / 3.0), 1e-14);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_ACCURACY, &acc), DV_OK);
        size_t n0 = 0; /* ties go to class 0 */
        for (size_t i = 0; i < 30; i++)
            n0 += dv_dataset_targets(ds)[i] == 0.0;
        CHECK_NEAR(acc, (double)n0 / 30.0, 1e-15);
        CHECK_EQ_INT(dv_model_iterations(m), 0);
        dv_model_free(m);
    }
    dv_dataset_free(ds);

    /* Regression: an empty subset predicts 0. */
    double X[] = {1, 2, 3}, y[] = {1, -2, 4};
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 3, 1, X, y, DV_TASK_REGRESSION, 0, NULL, NULL), DV_OK);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_RIDGE);
    for (int kind = 0; kind < 2; kind++) {
        dv_learner_params_default(&p, kind ? DV_LEARNER_OLS : DV_LEARNER_RIDGE);
        m = NULL;
        CHECK_EQ_INT(dv_model_fit(&m, &p, ds, none, 0, NULL, NULL), DV_OK);
        if (m) {
            double out[3], mse;
            CHECK_EQ_INT(dv_model_predict(m, X, 3, 1, out), DV_OK);
            CHECK(out[0] == 0.0 && out[1] == 0.0 && out[2] == 0.0);
            CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_MSE, &mse), DV_OK);
            CHECK_NEAR(mse, -(1.0 + 4.0 + 16.0) / 3.0, 1e-14);
            dv_model_free(m);
        }
    }
    /* One row: w = 0, b = y. */
    for (int kind = 0; kind < 2; kind++) {
        dv_learner_params_default(&p, kind ? DV_LEARNER_OLS : DV_LEARNER_RIDGE);
        m = NULL;
        int64_t one = 2;
        CHECK_EQ_INT(dv_model_fit(&m, &p, ds, &one, 1, NULL, NULL), DV_OK);
        if (m) {
            double c[2];
            dv_model_coef(m, c, 2);
            CHECK_NEAR(c[0], 0.0, 1e-12);
            CHECK_NEAR(c[1], 4.0, 1e-12);
            dv_model_free(m);
        }
    }
    dv_dataset_free(ds);
}

static void test_absent_class(void)
{
    /* K = 4, the subset holds classes 0, 1, 3 only.  The fit must equal the
     * K = 3 fit on the same rows relabelled 0, 1, 2, with class 2 given
     * probability 0. */
    size_t d = 3, n = 200;
    dv_dataset *ds = make_clf(n, d, 4, 1.0, 110);
    const double *y = dv_dataset_targets(ds);
    int64_t rows[200];
    size_t nr = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] != 2.0)
            rows[nr++] = (int64_t)i;
    double *X3, *y3;
    gather(ds, rows, nr, &X3, &y3);
    for (size_t i = 0; i < nr; i++)
        if (y3[i] == 3.0)
            y3[i] = 2.0;
    dv_dataset *ds3 = NULL;
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds3, nr, d, X3, y3, DV_TASK_CLASSIFICATION, 3, NULL, NULL),
                 DV_OK);
    check_optimal(ds, rows, nr, 1.0, "K=4 with class 2 absent");
    dv_model *m = fit_logreg(ds, rows, nr, 1.0, NULL);
    dv_model *m3 = fit_logreg(ds3, NULL, 0, 1.0, NULL);
    if (m && m3) {
        double c[16], c3[12];
        CHECK_EQ_INT(dv_model_coef(m, c, 16), 16);
        CHECK_EQ_INT(dv_model_coef(m3, c3, 12), 12);
        int map[4] = {0, 1, -1, 2};
        for (size_t k = 0; k < 4; k++)
            for (size_t j = 0; j <= d; j++) {
                if (map[k] < 0)
                    CHECK(c[k * 4 + j] == 0.0);
                else
                    CHECK_NEAR(c[k * 4 + j], c3[(size_t)map[k] * 4 + j], 1e-9);
            }
        double P[800], sum;
        CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), n, d, P), DV_OK);
        for (size_t i = 0; i < n; i++) {
            CHECK(P[i * 4 + 2] == 0.0);
            sum = P[i * 4] + P[i * 4 + 1] + P[i * 4 + 2] + P[i * 4 + 3];
            CHECK_NEAR(sum, 1.0, 1e-13);
        }
        double ll;
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &ll), DV_OK);
        CHECK(isfinite(ll));
        /* Warm starting the full K = 4 fit from the model with an absent
         * class reaches the full fit. */
        dv_model *cold = fit_logreg(ds, NULL, 0, 1.0, NULL);
        dv_model *warm = fit_logreg(ds, NULL, 0, 1.0, m);
        if (cold && warm) {
            double a[16], b[16];
            dv_model_coef(cold, a, 16);
            dv_model_coef(warm, b, 16);
            for (int j = 0; j < 16; j++)
                CHECK_NEAR(a[j], b[j], 1e-8 * fmax(1.0, fabs(a[j])));
        }
        dv_model_free(cold);
        dv_model_free(warm);
    }
    /* Only two of four classes present: still a softmax over those two. */
    nr = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] == 1.0 || y[i] == 3.0)
            rows[nr++] = (int64_t)i;
    check_optimal(ds, rows, nr, 1.0, "K=4 with classes 1 and 3 only");
    dv_model_free(m);
    dv_model_free(m3);
    dv_dataset_free(ds3);
    dv_dataset_free(ds);
    free(X3);
    free(y3);
}

/* ------------------------------------------------------------------------ */
/* Ridge and OLS                                                            */
/* ------------------------------------------------------------------------ */

static dv_dataset *make_reg(size_t n, size_t d, const double *w, double b, double noise,
                            uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 3);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        y[i] = b + noise * dv_rng_normal(&r);
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = 3.0 * dv_rng_normal(&r) + (double)j; /* not centred */
            y[i] += X[i * d + j] * w[j];
        }
    }
    dv_dataset *ds = NULL;
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_REGRESSION, 0, NULL, NULL), DV_OK);
    free(X);
    free(y);
    return ds;
}

static void test_ridge_normal_equations(void)
{
    size_t n = 40, d = 6, d1 = 7;
    double wt[6] = {1, -2, 0.5, 0, 3, -1};
    dv_dataset *ds = make_reg(n, d, wt, 2.0, 1.0, 120);
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    double lambdas[] = {2.5, 0.0, 100.0};
    for (size_t t = 0; t < 3; t++) {
        double lam = lambdas[t];
        /* (Xa^T Xa + lambda diag(1,..,1,0)) theta = Xa^T y, Xa = [X, 1] */
        double A[49] = {0}, rhs[7] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d1; a++) {
                double xa = a < d ? X[i * d + a] : 1.0;
                rhs[a] += xa * y[i];
                for (size_t c = 0; c < d1; c++)
                    A[a * d1 + c] += xa * (c < d ? X[i * d + c] : 1.0);
            }
        for (size_t j = 0; j < d; j++)
            A[j * d1 + j] += lam;
        oracle_solve(A, rhs, d1);
        dv_learner_params p;
        dv_learner_params_default(&p, lam == 0.0 ? DV_LEARNER_OLS : DV_LEARNER_RIDGE);
        p.lambda = lam;
        dv_model *m = NULL;
        dv_error err = {0};
        CHECK_EQ_INT(dv_model_fit(&m, &p, ds, NULL, 0, NULL, &err), DV_OK);
        if (!m)
            continue;
        double c[7];
        CHECK_EQ_INT(dv_model_coef(m, c, 7), 7);
        for (size_t j = 0; j < d1; j++)
            CHECK_NEAR(c[j], rhs[j], 1e-9 * fmax(1.0, fabs(rhs[j])));
        CHECK(dv_model_grad_norm(m) <= 1e-9 * dv_model_grad0_norm(m));
        CHECK_EQ_INT(dv_model_outputs(m), 1);
        dv_model_free(m);
    }
    dv_dataset_free(ds);
}

static void test_ols_exact(void)
{
    double wt[5] = {0.5, -1.25, 2, 7, -3};
    dv_dataset *ds = make_reg(50, 5, wt, -4.5, 0.0, 130);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_OLS);
    CHECK(p.lambda == 0.0);
    dv_model *m = NULL;
    CHECK_EQ_INT(dv_model_fit(&m, &p, ds, NULL, 0, NULL, NULL), DV_OK);
    if (m) {
        double c[6];
        dv_model_coef(m, c, 6);
        for (int j = 0; j < 5; j++)
            CHECK_NEAR(c[j], wt[j], 1e-9);
        CHECK_NEAR(c[5], -4.5, 1e-9);
        double r2, mse;
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &r2), DV_OK);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_DEFAULT, &mse), DV_OK);
        CHECK_NEAR(r2, 1.0, 1e-12);
        CHECK(mse <= 0 && mse > -1e-18);
        dv_model_free(m);
    }
    /* Fewer rows than features: no failure, finite, interpolates. */
    int64_t rows[3] = {4, 9, 30};
    m = NULL;
    CHECK_EQ_INT(dv_model_fit(&m, &p, ds, rows, 3, NULL, NULL), DV_OK);
    if (m) {
        double c[6], out[3];
        dv_model_coef(m, c, 6);
        for (int j = 0; j < 6; j++)
            CHECK(isfinite(c[j]));
        double *Xs, *ys;
        gather(ds, rows, 3, &Xs, &ys);
        CHECK_EQ_INT(dv_model_predict(m, Xs, 3, 5, out), DV_OK);
        for (int i = 0; i < 3; i++)
            CHECK_NEAR(out[i], ys[i], 1e-6 * fmax(1.0, fabs(ys[i])));
        free(Xs);
        free(ys);
        dv_model_free(m);
    }
    dv_dataset_free(ds);

    /* Collinear columns (x1 = 2 x0): finite, and fits exact data. */
    double X[20 * 2], y[20];
    for (int i = 0; i < 20; i++) {
        X[2 * i] = i - 7.0;
        X[2 * i + 1] = 2.0 * X[2 * i];
        y[i] = 3.0 * X[2 * i] + 1.0;
    }
    CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 20, 2, X, y, DV_TASK_REGRESSION, 0, NULL, NULL), DV_OK);
    m = NULL;
    CHECK_EQ_INT(dv_model_fit(&m, &p, ds, NULL, 0, NULL, NULL), DV_OK);
    if (m) {
        double c[3], mse;
        dv_model_coef(m, c, 3);
        CHECK(isfinite(c[0]) && isfinite(c[1]) && isfinite(c[2]));
        CHECK_NEAR(c[0] + 2.0 * c[1], 3.0, 1e-6); /* the identified combination */
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_MSE, &mse), DV_OK);
        CHECK(mse > -1e-10);
        dv_model_free(m);
    }
    dv_dataset_free(ds);
}

/* ------------------------------------------------------------------------ */
/* Metrics                                                                  */
/* ------------------------------------------------------------------------ */

/* A model with given coefficients, built through the internal struct. */
static dv_model *make_model(dv_learner_kind kind, dv_task task, size_t d, size_t K,
                            const double *theta)
{
    dv_model *m = NULL;
    CHECK_EQ_INT(dv__model_alloc(&m, kind, task, d, K), DV_OK);
    if (m)
        memcpy(m->theta, theta, m->n_params * sizeof(double));
    return m;
}

static void test_metrics(void)
{
    dv_dataset *ds = NULL;
    double v;

    /* Binary log-loss: w = 1, b = 0 at x = {0, log 3}: p1 = 1/2, 3/4. */
    {
        double X[] = {0.0, log(3.0)}, y[] = {1.0, 1.0}, th[] = {1.0, 0.0};
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 2, 1, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL),
                     DV_OK);
        dv_model *m = make_model(DV_LEARNER_LOGREG, DV_TASK_CLASSIFICATION, 1, 2, th);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &v), DV_OK);
        CHECK_NEAR(v, (log(0.5) + log(0.75)) / 2.0, 1e-15);
        CHECK(v == -dv__logloss_binary(th, X, y, 2, 1));
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_ACCURACY, &v), DV_OK);
        CHECK_NEAR(v, 0.5, 0); /* p1 = 1/2 ties to class 0 */
        dv_model_free(m);
        dv_dataset_free(ds);
    }
    /* Clipping: intercept +1000 gives p1 = 1 exactly, p0 = 0. */
    {
        double X[] = {0.0, 0.0}, y[] = {0.0, 1.0}, th[] = {0.0, 1000.0};
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 2, 1, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL),
                     DV_OK);
        dv_model *m = make_model(DV_LEARNER_LOGREG, DV_TASK_CLASSIFICATION, 1, 2, th);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &v), DV_OK);
        CHECK_NEAR(v, -(-log(1e-15) - log(1.0 - 1e-15)) / 2.0, 1e-13);
        CHECK_NEAR(v, -34.538776394910684 / 2.0, 1e-12);
        CHECK_NEAR(dv__logloss_binary(th, X, y, 2, 1), -v, 0);
        CHECK_NEAR(dv__logloss_binary(th, X, y, 0, 1), 0.0, 0);
        th[1] = -1000.0; /* p1 = 0 */
        memcpy(m->theta, th, sizeof th);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &v), DV_OK);
        CHECK_NEAR(v, -34.538776394910684 / 2.0, 1e-12);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_ACCURACY, &v), DV_OK);
        CHECK_NEAR(v, 0.5, 0);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_MSE, &v), DV_EINVAL);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &v), DV_EINVAL);
        dv_model_free(m);
        dv_dataset_free(ds);
    }
    /* Multinomial accuracy with ties: b = (-1, 0, 0), w = 0: classes 1 and
     * 2 tie at every x, argmax -> 1.  Log-loss: p = (1, e, e) / (1 + 2e)
     * scaled by e^-1, i.e. p1 = p2 = e / (1 + 2 e), p0 = 1 / (1 + 2 e). */
    {
        double X[] = {0.3, -2.0, 5.0, 1.0}, y[] = {1, 2, 0, 1};
        double th[] = {0, -1, 0, 0, 0, 0};
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 4, 1, X, y, DV_TASK_CLASSIFICATION, 3, NULL, NULL),
                     DV_OK);
        dv_model *m = make_model(DV_LEARNER_LOGREG, DV_TASK_CLASSIFICATION, 1, 3, th);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_ACCURACY, &v), DV_OK);
        CHECK_NEAR(v, 0.5, 0);
        double e = exp(1.0), p12 = e / (1.0 + 2.0 * e), p0 = 1.0 / (1.0 + 2.0 * e);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &v), DV_OK);
        CHECK_NEAR(v, (3.0 * log(p12) + log(p0)) / 4.0, 1e-15);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_DEFAULT, &v), DV_OK);
        CHECK_NEAR(v, (3.0 * log(p12) + log(p0)) / 4.0, 1e-15);
        dv_model_free(m);
        dv_dataset_free(ds);
    }
    /* Regression: w = 2, b = 1 at x = {0, 1, 2}, y = {1, 2, 3}: yhat = {1, 3, 5},
     * SS_res = 0 + 1 + 4 = 5, SS_tot = 2: neg_mse = -5/3, r2 = -1.5. */
    {
        double X[] = {0, 1, 2}, y[] = {1, 2, 3}, th[] = {2, 1};
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 3, 1, X, y, DV_TASK_REGRESSION, 0, NULL, NULL),
                     DV_OK);
        dv_model *m = make_model(DV_LEARNER_RIDGE, DV_TASK_REGRESSION, 1, 0, th);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_MSE, &v), DV_OK);
        CHECK_NEAR(v, -5.0 / 3.0, 1e-15);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_DEFAULT, &v), DV_OK);
        CHECK_NEAR(v, -5.0 / 3.0, 1e-15);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &v), DV_OK);
        CHECK_NEAR(v, -1.5, 1e-15);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &v), DV_EINVAL);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_ACCURACY, &v), DV_EINVAL);
        CHECK_EQ_INT(dv_model_score(m, ds, (dv_metric)17, &v), DV_EINVAL);
        dv_dataset_free(ds);
        /* Constant targets (SS_tot = 0): r2 = 1 if perfect, else 0. */
        double Xc[] = {0, 0}, yc[] = {1, 1};
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 2, 1, Xc, yc, DV_TASK_REGRESSION, 0, NULL, NULL),
                     DV_OK);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &v), DV_OK);
        CHECK(v == 1.0);
        m->theta[1] = 1.5;
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &v), DV_OK);
        CHECK(v == 0.0);
        dv_dataset_free(ds);
        /* Shape mismatches and empty datasets. */
        double X2[] = {0, 0, 1, 1};
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 2, 2, X2, yc, DV_TASK_REGRESSION, 0, NULL, NULL),
                     DV_OK);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &v), DV_EINVAL);
        dv_dataset_free(ds);
        CHECK_EQ_INT(dv_dataset_from_arrays(&ds, 0, 1, X2, yc, DV_TASK_REGRESSION, 0, NULL, NULL),
                     DV_OK);
        CHECK_EQ_INT(dv_model_score(m, ds, DV_METRIC_R2, &v), DV_EINVAL);
        dv_dataset_free(ds);
        dv_model_free(m);
    }
    /* Names. */
    const char *names[] = {"neg_logloss", "accuracy", "neg_mse", "r2", "default"};
    dv_metric ms[] = {DV_METRIC_NEG_LOGLOSS, DV_METRIC_ACCURACY, DV_METRIC_NEG_MSE, DV_METRIC_R2,
                      DV_METRIC_DEFAULT};
    for (int i = 0; i < 5; i++) {
        dv_metric got = (dv_metric)99;
        CHECK_EQ_INT(dv_metric_from_name(names[i], &got), DV_OK);
        CHECK_EQ_INT(got, ms[i]);
        CHECK(!strcmp(dv_metric_name(ms[i]), names[i]));
    }
    dv_metric got;
    CHECK_EQ_INT(dv_metric_from_name("logloss", &got), DV_EINVAL);
    CHECK_EQ_INT(dv_metric_from_name("", &got), DV_EINVAL);
    CHECK_EQ_INT(dv_metric_from_name(NULL, &got), DV_EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Parameters and errors                                                    */
/* ------------------------------------------------------------------------ */

static void test_params(void)
{
    dv_learner_params p;
    dv_learner_kind kinds[] = {DV_LEARNER_LOGREG, DV_LEARNER_RIDGE, DV_LEARNER_OLS};
    const char *names[] = {"logreg", "ridge", "ols"};
    for (int i = 0; i < 3; i++) {
        dv_learner_params_default(&p, kinds[i]);
        CHECK(p.kind == kinds[i] && p.C == 1.0 && p.tol == 1e-10 && p.max_iter == 100);
        CHECK(p.lambda == (kinds[i] == DV_LEARNER_OLS ? 0.0 : 1.0));
        CHECK(dv_learner_params_check(&p) == NULL);
        dv_learner_kind k = (dv_learner_kind)99;
        CHECK_EQ_INT(dv_learner_from_name(names[i], &k), DV_OK);
        CHECK_EQ_INT(k, kinds[i]);
        CHECK(!strcmp(dv_learner_name(kinds[i]), names[i]));
    }
    dv_learner_kind k;
    CHECK_EQ_INT(dv_learner_from_name("svm", &k), DV_EINVAL);
    CHECK_EQ_INT(dv_learner_from_name("Logreg", &k), DV_EINVAL);
    CHECK_EQ_INT(dv_learner_from_name(NULL, &k), DV_EINVAL);

    dv_learner_params_default(&p, DV_LEARNER_LOGREG);
    dv_learner_params q = p;
    const char *msg;
    q.C = 0;
    CHECK((msg = dv_learner_params_check(&q)) && strstr(msg, "C"));
    q.C = -1;
    CHECK(dv_learner_params_check(&q) != NULL);
    q.C = INFINITY;
    CHECK(dv_learner_params_check(&q) != NULL);
    q.C = NAN;
    CHECK(dv_learner_params_check(&q) != NULL);
    q = p;
    q.lambda = -1e-3;
    CHECK((msg = dv_learner_params_check(&q)) && strstr(msg, "lambda"));
    q.lambda = NAN;
    CHECK(dv_learner_params_check(&q) != NULL);
    q = p;
    q.tol = 0;
    CHECK((msg = dv_learner_params_check(&q)) && strstr(msg, "tol"));
    q.tol = -1;
    CHECK(dv_learner_params_check(&q) != NULL);
    q = p;
    q.max_iter = 0;
    CHECK((msg = dv_learner_params_check(&q)) && strstr(msg, "max_iter"));
    q = p;
    q.kind = (dv_learner_kind)7;
    CHECK((msg = dv_learner_params_check(&q)) && strstr(msg, "kind"));
    CHECK(dv_learner_params_check(NULL) != NULL);
}

static void test_fit_errors(void)
{
    dv_dataset *clf = make_clf(30, 2, 2, 1.0, 140), *clf3 = make_clf(30, 2, 3, 1.0, 141);
    double wt[2] = {1, 2};
    dv_dataset *reg = make_reg(30, 2, wt, 0.0, 0.1, 142);
    dv_learner_params lr, rr, ols;
    dv_learner_params_default(&lr, DV_LEARNER_LOGREG);
    dv_learner_params_default(&rr, DV_LEARNER_RIDGE);
    dv_learner_params_default(&ols, DV_LEARNER_OLS);
    dv_model *m = (dv_model *)&m; /* must be reset to NULL on failure */
    dv_error err = {0};
    CHECK_EQ_INT(dv_model_fit(&m, &rr, clf, NULL, 0, NULL, &err), DV_EINVAL);
    CHECK(m == NULL && strstr(err.msg, "regression"));
    CHECK_EQ_INT(dv_model_fit(&m, &ols, clf, NULL, 0, NULL, &err), DV_EINVAL);
    CHECK_EQ_INT(dv_model_fit(&m, &lr, reg, NULL, 0, NULL, &err), DV_EINVAL);
    CHECK(m == NULL && strstr(err.msg, "classification"));
    int64_t bad[] = {0, 30};
    CHECK_EQ_INT(dv_model_fit(&m, &lr, clf, bad, 2, NULL, &err), DV_EINVAL);
    CHECK(m == NULL && strstr(err.msg, "30"));
    bad[1] = -1;
    CHECK_EQ_INT(dv_model_fit(&m, &lr, clf, bad, 2, NULL, &err), DV_EINVAL);
    dv_learner_params q = lr;
    q.C = -2;
    CHECK_EQ_INT(dv_model_fit(&m, &q, clf, NULL, 0, NULL, &err), DV_EINVAL);
    CHECK(m == NULL && strstr(err.msg, "C must"));
    CHECK_EQ_INT(dv_model_fit(&m, NULL, clf, NULL, 0, NULL, NULL), DV_EINVAL);

    /* Warm start of another shape. */
    dv_model *w3 = NULL;
    CHECK_EQ_INT(dv_model_fit(&w3, &lr, clf3, NULL, 0, NULL, NULL), DV_OK);
    CHECK_EQ_INT(dv_model_fit(&m, &lr, clf, NULL, 0, w3, &err), DV_EINVAL);
    CHECK(m == NULL && strstr(err.msg, "warm"));
    dv_model_free(w3);

    /* Not converged: the model still comes back, flagged. */
    q = lr;
    q.max_iter = 1;
    err.msg[0] = 0;
    CHECK_EQ_INT(dv_model_fit(&m, &q, clf, NULL, 0, NULL, &err), DV_ENOTCONV);
    CHECK(m != NULL && err.code == DV_ENOTCONV && strlen(err.msg) > 0);
    if (m) {
        CHECK(m->converged == 0);
        CHECK_EQ_INT(dv_model_iterations(m), 1);
        CHECK(dv_model_grad_norm(m) > 1e-10 * dv_model_grad0_norm(m));
        CHECK(dv_model_grad_norm(m) < dv_model_grad0_norm(m));
        dv_model_free(m);
    }
    dv_model_free(NULL);
    dv_dataset_free(clf);
    dv_dataset_free(clf3);
    dv_dataset_free(reg);
}

/* ------------------------------------------------------------------------ */
/* Determinism                                                              */
/* ------------------------------------------------------------------------ */

/* Fits and predictions are identical bit for bit whatever the OpenMP thread
 * count of the caller (OpenBLAS would otherwise split its calls, and the
 * rounding, by thread count). */
static void test_thread_count_invariance(void)
{
    dv_dataset *bin = make_clf(40000, 20, 2, 1.0, 150), *mul = make_clf(15000, 10, 3, 1.0, 151);
    double wt[20];
    for (int j = 0; j < 20; j++)
        wt[j] = 0.1 * j - 1.0;
    dv_dataset *reg = make_reg(40000, 20, wt, 0.5, 1.0, 152);
    const dv_dataset *sets[3] = {bin, mul, reg};
    dv_learner_kind kinds[3] = {DV_LEARNER_LOGREG, DV_LEARNER_LOGREG, DV_LEARNER_RIDGE};
    int saved = omp_get_max_threads();
    for (int s = 0; s < 3; s++) {
        const dv_dataset *ds = sets[s];
        size_t n = dv_dataset_rows(ds), d = dv_dataset_cols(ds);
        dv_learner_params p;
        dv_learner_params_default(&p, kinds[s]);
        double *c1 = NULL, *p1 = NULL;
        size_t np = 0, no = 0;
        for (int t = 1; t <= 4; t++) {
            omp_set_num_threads(t);
            dv_model *m = NULL;
            CHECK_EQ_INT(dv_model_fit(&m, &p, ds, NULL, 0, NULL, NULL), DV_OK);
            CHECK_EQ_INT(omp_get_max_threads(), t); /* the caller's setting is restored */
            if (!m)
                continue;
            np = dv_model_coef(m, NULL, 0);
            no = n * dv_model_outputs(m);
            double *c = malloc(np * sizeof(double)), *pr = malloc(no * sizeof(double));
            dv_model_coef(m, c, np);
            CHECK_EQ_INT(dv_model_predict(m, dv_dataset_features(ds), n, d, pr), DV_OK);
            if (t == 1) {
                c1 = c;
                p1 = pr;
            } else {
                CHECK_MSG(c1 && !memcmp(c, c1, np * sizeof(double)),
                          "set %d: coefficients differ with %d threads", s, t);
                CHECK_MSG(p1 && !memcmp(pr, p1, no * sizeof(double)),
                          "set %d: predictions differ with %d threads", s, t);
                free(c);
                free(pr);
            }
            dv_model_free(m);
        }
        free(c1);
        free(p1);
    }
    omp_set_num_threads(saved);
    dv_dataset_free(bin);
    dv_dataset_free(mul);
    dv_dataset_free(reg);
}

int main(void)
{
    RUN(test_grad_binary);
    RUN(test_grad_multinomial);
    RUN(test_fd_minimum);
    RUN(test_warm_start);
    RUN(test_hand_symmetric);
    RUN(test_intercept_only);
    RUN(test_layout_and_predict);
    RUN(test_single_class);
    RUN(test_empty_subset);
    RUN(test_absent_class);
    RUN(test_ridge_normal_equations);
    RUN(test_ols_exact);
    RUN(test_metrics);
    RUN(test_params);
    RUN(test_fit_errors);
    RUN(test_thread_count_invariance);
    return CHECK_DONE();
}
