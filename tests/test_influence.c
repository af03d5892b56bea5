/*
 * test_influence.c -- tests of the influence functions
 * (src/value/influence.c) for binary logistic regression, ridge and ols:
 * agreement with actual leave-one-out retraining, the exact leave-one-out
 * identity of ridge (first order = exact times 1 - h_ii), a finite-difference
 * check of d theta / d eps = -H^-1 g_i with weighted fits solved here,
 * dv_influence_explain against dv__influence_values, a singular ols
 * Hessian, and argument checks.
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"
#include "internal.h"
#include "methods/methods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_TRAIN 200
#define N_VAL 100
#define D 3
#define D1 (D + 1)

/* x ~ N(0, I); classification: y = 1[x.w + 1.0 eps > 0.3]; regression:
 * y = x.w + 0.5 eps. */
static dv_dataset *make_data(size_t n, dv_task task, uint64_t seed)
{
    static const double w[D] = {1.0, -2.0, 0.5};
    dv_rng r;
    dv_rng_seed(&r, seed, 3);
    double *X = malloc(n * D * sizeof(double)), *y = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < D; j++) {
            X[i * D + j] = dv_rng_normal(&r);
            s += X[i * D + j] * w[j];
        }
        if (task == DV_TASK_CLASSIFICATION)
            y[i] = s + dv_rng_normal(&r) > 0.3 ? 1.0 : 0.0;
        else
            y[i] = s + 0.5 * dv_rng_normal(&r);
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, D, X, y, task,
                                    task == DV_TASK_CLASSIFICATION ? 2 : 0, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    free(X);
    free(y);
    return ds;
}

static double lin(const double *x, const double *th)
{
    double s = th[D];
    for (size_t j = 0; j < D; j++)
        s += x[j] * th[j];
    return s;
}

/* Summed loss of ds at theta: log-loss (logreg) or squared error. */
static double loss(const dv_dataset *ds, int logreg, const double *th)
{
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    double L = 0.0;
    for (size_t i = 0; i < dv_dataset_rows(ds); i++) {
        double z = lin(X + i * D, th);
        if (logreg)
            L += y[i] > 0.5 ? log1p(exp(-z)) : log1p(exp(z));
        else
            L += (z - y[i]) * (z - y[i]);
    }
    return L;
}

/* Gradient of loss(ds, logreg, .) at th, written independently. */
static void loss_grad(const dv_dataset *ds, int logreg, const double *th, double *g)
{
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    memset(g, 0, D1 * sizeof(double));
    for (size_t i = 0; i < dv_dataset_rows(ds); i++) {
        double z = lin(X + i * D, th);
        double e = logreg ? 1.0 / (1.0 + exp(-z)) - y[i] : 2.0 * (z - y[i]);
        for (size_t j = 0; j < D; j++)
            g[j] += e * X[i * D + j];
        g[D] += e;
    }
}

/* theta of lp fitted on all rows of ds except skip (skip = -1: all). */
static void fit(const dv_dataset *ds, const dv_learner_params *lp, long skip, double *th)
{
    size_t n = dv_dataset_rows(ds), m = 0;
    int64_t *rows = malloc(n * sizeof(int64_t));
    for (size_t i = 0; i < n; i++)
        if ((long)i != skip)
            rows[m++] = (int64_t)i;
    dv_model *mod = NULL;
    dv_error err = {0};
    int rc = dv_model_fit(&mod, lp, ds, rows, m, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    CHECK_EQ_INT(dv_model_coef(mod, th, D1), D1);
    dv_model_free(mod);
    free(rows);
}

/* Minimizer of sum_i wt_i f_i + R with the learners' objectives (see
 * influence.c): Newton for logreg from theta0, closed form for ridge. */
static void weighted_fit(const dv_dataset *ds, const dv_learner_params *lp, const double *wt,
                         const double *theta0, double *th)
{
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    size_t n = dv_dataset_rows(ds);
    int logreg = lp->kind == DV_LEARNER_LOGREG;
    memcpy(th, theta0, D1 * sizeof(double));
    for (int it = 0; it < (logreg ? 50 : 1); it++) {
        double H[D1 * D1] = {0}, g[D1] = {0};
        for (size_t i = 0; i < n; i++) {
            const double *x = X + i * D;
            double z = lin(x, th), e, h;
            if (logreg) {
                double p = 1.0 / (1.0 + exp(-z));
                e = lp->C * wt[i] * (p - y[i]);
                h = lp->C * wt[i] * p * (1 - p);
            } else {
                e = 2.0 * wt[i] * (z - y[i]);
                h = 2.0 * wt[i];
            }
            for (size_t a = 0; a < D1; a++) {
                double xa = a < D ? x[a] : 1.0;
                g[a] += e * xa;
                for (size_t b = 0; b < D1; b++)
                    H[a * D1 + b] += h * xa * (b < D ? x[b] : 1.0);
            }
        }
        double reg = logreg ? 1.0 : 2.0 * lp->lambda;
        for (size_t a = 0; a < D; a++) {
            g[a] += reg * th[a];
            H[a * D1 + a] += reg;
        }
        oracle_solve(H, g, D1);
        double step = 0.0;
        for (size_t a = 0; a < D1; a++) {
            th[a] -= g[a];
            step += fabs(g[a]);
        }
        if (step < 1e-15)
            break;
    }
}

static void stats(const double *a, const double *b, size_t n, double *corr, double *maxerr,
                  double *spread)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0, lo = INFINITY, hi = -INFINITY;
    *maxerr = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i] / (double)n;
        mb += b[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
        if (fabs(a[i] - b[i]) > *maxerr)
            *maxerr = fabs(a[i] - b[i]);
        lo = fmin(lo, b[i]);
        hi = fmax(hi, b[i]);
    }
    *corr = sab / sqrt(saa * sbb);
    *spread = hi - lo;
}

static dv_value_params infl_params(dv_learner_kind kind)
{
    dv_value_params p;
    memset(&p, 0, sizeof p);
    p.method = DV_METHOD_INFLUENCE;
    dv_learner_params_default(&p.learner, kind);
    return p;
}

/* Influence against retraining without each row, for all rows.  First
 * order only (it misses the 1 / (1 - h_ii) factor and the curvature of the
 * validation loss): correlation > 0.99 and max |error| < 15 % of the spread
 * of the actual changes (measured: 0.995 / 8 % logreg, 0.9975 / 9.5 %
 * ridge). */
static void check_loo(dv_learner_kind kind, double C, double lambda)
{
    int logreg = kind == DV_LEARNER_LOGREG;
    dv_task task = logreg ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION;
    dv_dataset *tr = make_data(N_TRAIN, task, 1), *va = make_data(N_VAL, task, 2);
    dv_value_params p = infl_params(kind);
    p.learner.C = C;
    p.learner.lambda = lambda;
    double *v = malloc(N_TRAIN * sizeof(double)), *act = malloc(N_TRAIN * sizeof(double));
    dv_error err = {0};
    int rc = dv__influence_values(tr, va, &p, v, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    double th[D1], thi[D1];
    fit(tr, &p.learner, -1, th);
    double L0 = loss(va, logreg, th);
    for (size_t i = 0; i < N_TRAIN; i++) {
        fit(tr, &p.learner, (long)i, thi);
        act[i] = loss(va, logreg, thi) - L0;
    }
    double corr, maxerr, spread;
    stats(v, act, N_TRAIN, &corr, &maxerr, &spread);
    if (getenv("INFL_VERBOSE"))
        printf("# %s: corr %.6f, max err %.3g, spread %.3g\n", dv_learner_name(kind), corr,
               maxerr, spread);
    CHECK_MSG(corr > 0.99, "corr %g", corr);
    CHECK_MSG(maxerr < 0.15 * spread, "max err %g, spread %g", maxerr, spread);
    free(v);
    free(act);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_logreg_vs_retraining(void) { check_loo(DV_LEARNER_LOGREG, 1.0, 0.0); }
static void test_ridge_vs_retraining(void) { check_loo(DV_LEARNER_RIDGE, 1.0, 1.0); }

/* Ridge and ols: theta - theta_{-i} = A^-1 x~_i e_i / (1 - h_ii) exactly
 * (Sherman-Morrison; A = X~^T X~ + lambda diag(1..1, 0), e_i = y_i -
 * x~_i.theta, h_ii = x~_i^T A^-1 x~_i), and the first-order value equals
 * (1 - h_ii) grad L^T (theta_{-i} - theta) up to rounding. */
static void check_exact_linear(dv_learner_kind kind, double lambda)
{
    dv_dataset *tr = make_data(N_TRAIN, DV_TASK_REGRESSION, 5);
    dv_dataset *va = make_data(N_VAL, DV_TASK_REGRESSION, 6);
    dv_value_params p = infl_params(kind);
    p.learner.lambda = lambda;
    double lam = kind == DV_LEARNER_OLS ? 0.0 : lambda;
    double v[N_TRAIN];
    dv_error err = {0};
    CHECK(dv__influence_values(tr, va, &p, v, &err) == DV_OK);
    double th[D1], thi[D1], gL[D1];
    fit(tr, &p.learner, -1, th);
    loss_grad(va, 0, th, gL);
    const double *X = dv_dataset_features(tr), *y = dv_dataset_targets(tr);
    double A[D1 * D1] = {0};
    for (size_t i = 0; i < N_TRAIN; i++)
        for (size_t a = 0; a < D1; a++)
            for (size_t b = 0; b < D1; b++)
                A[a * D1 + b] += (a < D ? X[i * D + a] : 1.0) * (b < D ? X[i * D + b] : 1.0);
    for (size_t a = 0; a < D; a++)
        A[a * D1 + a] += lam;
    double scale = 0.0;
    for (size_t i = 0; i < N_TRAIN; i++)
        scale = fmax(scale, fabs(v[i]));
    for (size_t i = 0; i < N_TRAIN; i++) {
        double Ai[D1 * D1], z[D1], xt[D1];
        memcpy(Ai, A, sizeof A);
        for (size_t a = 0; a < D1; a++)
            xt[a] = z[a] = a < D ? X[i * D + a] : 1.0;
        oracle_solve(Ai, z, D1); /* z = A^-1 x~_i */
        double h = 0.0, e = y[i] - lin(X + i * D, th);
        for (size_t a = 0; a < D1; a++)
            h += xt[a] * z[a];
        fit(tr, &p.learner, (long)i, thi);
        double first = 0.0;
        for (size_t a = 0; a < D1; a++) {
            CHECK_NEAR(th[a] - thi[a], z[a] * e / (1.0 - h), 1e-9);
            first += gL[a] * (thi[a] - th[a]) * (1.0 - h);
        }
        CHECK_NEAR(v[i], first, 1e-8 * scale);
    }
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_ridge_exact_loo(void) { check_exact_linear(DV_LEARNER_RIDGE, 1.0); }
static void test_ols_exact_loo(void) { check_exact_linear(DV_LEARNER_OLS, 0.0); }

/* Weight 1 + eps on row i in the objective, fitted here: the central
 * difference of theta in eps is -H^-1 g_i, so value_i = -grad L . d theta/d eps. */
static void check_finite_difference(dv_learner_kind kind)
{
    int logreg = kind == DV_LEARNER_LOGREG;
    dv_task task = logreg ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION;
    dv_dataset *tr = make_data(N_TRAIN, task, 7), *va = make_data(N_VAL, task, 8);
    dv_value_params p = infl_params(kind);
    p.learner.C = 2.0;
    p.learner.lambda = 0.5;
    double v[N_TRAIN], wt[N_TRAIN], th[D1], thw[D1], tp[D1], tm[D1], gL[D1];
    dv_error err = {0};
    CHECK(dv__influence_values(tr, va, &p, v, &err) == DV_OK);
    fit(tr, &p.learner, -1, th);
    for (size_t i = 0; i < N_TRAIN; i++)
        wt[i] = 1.0;
    weighted_fit(tr, &p.learner, wt, th, thw); /* our objective = the library's */
    for (size_t a = 0; a < D1; a++)
        CHECK_NEAR(thw[a], th[a], 1e-8);
    loss_grad(va, logreg, th, gL);
    const double eps = 1e-4;
    for (size_t i = 0; i < N_TRAIN; i += 17) {
        wt[i] = 1.0 + eps;
        weighted_fit(tr, &p.learner, wt, th, tp);
        wt[i] = 1.0 - eps;
        weighted_fit(tr, &p.learner, wt, th, tm);
        wt[i] = 1.0;
        double fd = 0.0;
        for (size_t a = 0; a < D1; a++)
            fd -= gL[a] * (tp[a] - tm[a]) / (2 * eps);
        CHECK_NEAR(v[i], fd, 1e-6 * (1.0 + fabs(fd)));
    }
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_logreg_finite_difference(void) { check_finite_difference(DV_LEARNER_LOGREG); }
static void test_ridge_finite_difference(void) { check_finite_difference(DV_LEARNER_RIDGE); }

/* dv_influence_explain on (x, y) = dv__influence_values with that one
 * validation point. */
static void check_explain(dv_learner_kind kind)
{
    int logreg = kind == DV_LEARNER_LOGREG;
    dv_task task = logreg ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION;
    dv_dataset *tr = make_data(N_TRAIN, task, 9), *va = make_data(5, task, 10);
    dv_value_params p = infl_params(kind);
    double v[N_TRAIN], o[N_TRAIN];
    dv_error err = {0};
    for (int64_t k = 0; k < 5; k++) {
        dv_dataset *one = NULL;
        CHECK(dv_dataset_subset(&one, va, &k, 1, &err) == DV_OK);
        CHECK(dv__influence_values(tr, one, &p, v, &err) == DV_OK);
        int rc = dv_influence_explain(tr, &p.learner, dv_dataset_features(va) + k * D,
                                      dv_dataset_targets(va)[k], o, &err);
        CHECK_MSG(rc == DV_OK, "%s", err.msg);
        for (size_t i = 0; i < N_TRAIN; i++)
            CHECK_NEAR(o[i], v[i], 1e-12 * (1 + fabs(v[i])));
        dv_dataset_free(one);
    }
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_explain_logreg(void) { check_explain(DV_LEARNER_LOGREG); }
static void test_explain_ridge(void) { check_explain(DV_LEARNER_RIDGE); }

/* ols with a duplicated column: singular Hessian, jitter, finite values. */
static void test_ols_singular(void)
{
    const size_t n = 30;
    double X[30 * 2], y[30], v[30];
    dv_rng r;
    dv_rng_seed(&r, 4, 0);
    for (size_t i = 0; i < n; i++) {
        X[i * 2] = X[i * 2 + 1] = dv_rng_normal(&r);
        y[i] = X[i * 2] + 0.1 * dv_rng_normal(&r);
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, 2, X, y, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    dv_value_params p = infl_params(DV_LEARNER_OLS);
    int rc = dv__influence_values(ds, ds, &p, v, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        CHECK(isfinite(v[i]));
    dv_dataset_free(ds);
}

static void test_bad_input(void)
{
    double X[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 4}, y3[6] = {0, 1, 2, 0, 1, 2}, v[6];
    dv_dataset *multi = NULL, *reg = NULL, *clf = NULL, *wide = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&multi, 6, 2, X, y3, DV_TASK_CLASSIFICATION, 3, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&reg, 6, 2, X, y3, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&wide, 4, 3, X, y3, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    double y2[6] = {0, 1, 1, 0, 1, 0};
    CHECK(dv_dataset_from_arrays(&clf, 6, 2, X, y2, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    dv_value_params p = infl_params(DV_LEARNER_LOGREG);
    CHECK_EQ_INT(dv__influence_values(multi, multi, &p, v, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "binary logistic regression") != NULL);
    CHECK_EQ_INT(dv__influence_values(reg, reg, &p, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__influence_values(clf, multi, &p, v, &err), DV_EINVAL); /* class 2 */
    CHECK_EQ_INT(dv__influence_values(NULL, clf, &p, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__influence_values(clf, NULL, &p, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__influence_values(clf, clf, NULL, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__influence_values(clf, clf, &p, NULL, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__influence_values(clf, clf, &p, v, NULL), DV_OK);
    p.learner.kind = DV_LEARNER_TREE;
    CHECK_EQ_INT(dv__influence_values(clf, clf, &p, v, &err), DV_EINVAL);
    p = infl_params(DV_LEARNER_RIDGE);
    CHECK_EQ_INT(dv__influence_values(clf, clf, &p, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__influence_values(reg, wide, &p, v, &err), DV_EINVAL); /* d 2 vs 3 */
    p.learner.lambda = -1.0;
    CHECK_EQ_INT(dv__influence_values(reg, reg, &p, v, &err), DV_EINVAL);

    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    double x[2] = {0.5, 0.5};
    CHECK_EQ_INT(dv_influence_explain(clf, &lp, x, 2.0, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv_influence_explain(clf, &lp, NULL, 1.0, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv_influence_explain(clf, &lp, x, 1.0, NULL, &err), DV_EINVAL);
    CHECK_EQ_INT(dv_influence_explain(multi, &lp, x, 1.0, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv_influence_explain(clf, &lp, x, 1.0, v, &err), DV_OK);
    /* one class only: the model is constant */
    double y1[6] = {1, 1, 1, 1, 1, 1};
    dv_dataset *mono = NULL;
    CHECK(dv_dataset_from_arrays(&mono, 6, 2, X, y1, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK_EQ_INT(dv_influence_explain(mono, &lp, x, 1.0, v, &err), DV_EDEGEN);
    dv_dataset_free(mono);
    dv_dataset_free(multi);
    dv_dataset_free(reg);
    dv_dataset_free(clf);
    dv_dataset_free(wide);
}

/* The conjugate-gradient solver (used above 2,000 parameters) gives the
 * Cholesky path's values. */
static void check_cg(dv_learner_kind kind)
{
    dv_task task = kind == DV_LEARNER_LOGREG ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION;
    dv_dataset *tr = make_data(150, task, 41), *va = make_data(60, task, 42);
    dv_value_params p = infl_params(kind);
    double a[150], b[150], scale = 0;
    dv_error err = {0};
    CHECK(dv__influence_values_solver(tr, va, &p, 0, a, &err) == 0);
    CHECK(dv__influence_values_solver(tr, va, &p, 1, b, &err) == 0);
    for (int i = 0; i < 150; i++)
        scale = fmax(scale, fabs(a[i]));
    for (int i = 0; i < 150; i++)
        CHECK_NEAR(b[i], a[i], 1e-9 * scale);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_cg_logreg(void) { check_cg(DV_LEARNER_LOGREG); }
static void test_cg_ridge(void) { check_cg(DV_LEARNER_RIDGE); }

int main(void)
{
    RUN(test_cg_logreg);
    RUN(test_cg_ridge);
    RUN(test_logreg_vs_retraining);
    RUN(test_ridge_vs_retraining);
    RUN(test_ridge_exact_loo);
    RUN(test_ols_exact_loo);
    RUN(test_logreg_finite_difference);
    RUN(test_ridge_finite_difference);
    RUN(test_explain_logreg);
    RUN(test_explain_ridge);
    RUN(test_ols_singular);
    RUN(test_bad_input);
    return CHECK_DONE();
}
