/*
 * test_sensitivity.c -- dv_amip against oracles written here: ordinary
 * least squares by the normal equations (Gaussian elimination), the
 * closed-form leave-k-out of OLS (Woodbury), the exact leave-one-out
 * change against the first-order move, and exhaustive search over the
 * subsets of a tiny data set for the fewest rows that change the
 * conclusion.
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAXP = 8 };

/* OLS with an intercept on the rows where use[i] (all when NULL): beta
 * (d + 1, the intercept last) and the classical standard error of
 * coefficient j. */
static void ols(const double *X, const double *y, size_t n, size_t d, const unsigned char *use,
                double *beta, size_t j, double *se_j)
{
    size_t p = d + 1, m = 0;
    double A[MAXP * MAXP] = {0}, b[MAXP] = {0};
    for (size_t i = 0; i < n; i++) {
        if (use && !use[i])
            continue;
        m++;
        for (size_t a = 0; a < p; a++) {
            double xa = a < d ? X[i * d + a] : 1;
            b[a] += xa * y[i];
            for (size_t c = 0; c < p; c++)
                A[a * p + c] += xa * (c < d ? X[i * d + c] : 1);
        }
    }
    double A2[MAXP * MAXP], e[MAXP] = {0};
    memcpy(A2, A, sizeof A);
    memcpy(beta, b, p * sizeof *beta);
    CHECK(oracle_solve(A, beta, p));
    double rss = 0;
    for (size_t i = 0; i < n; i++) {
        if (use && !use[i])
            continue;
        double f = beta[d];
        for (size_t a = 0; a < d; a++)
            f += beta[a] * X[i * d + a];
        rss += (y[i] - f) * (y[i] - f);
    }
    e[j] = 1; /* [(X'X)^-1]_jj */
    CHECK(oracle_solve(A2, e, p));
    if (se_j)
        *se_j = sqrt(rss / (double)(m - p) * e[j]);
}

static dv_dataset *dataset(const double *X, const double *y, size_t n, size_t d, int clf)
{
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_dataset_from_arrays(&ds, n, d, X, y,
                                     clf ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION,
                                     clf ? 2 : 0, NULL, &err) == 0, "%s", err.msg);
    return ds;
}

/* Random regression data: y = X w + noise. */
static void make_regression(double *X, double *y, size_t n, size_t d, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 3);
    for (size_t i = 0; i < n; i++) {
        y[i] = 0.4;
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = dv_rng_normal(&r);
            y[i] += (0.3 + 0.2 * (double)j) * X[i * d + j];
        }
        y[i] += 0.8 * dv_rng_normal(&r);
    }
}

/* The quantity and its standard error on all rows are OLS's. */
static void test_before_is_ols(void)
{
    enum { N = 40, D = 3 };
    double X[N * D], y[N], beta[D + 1], se;
    make_regression(X, y, N, D, 1);
    dv_dataset *ds = dataset(X, y, N, D, 0);
    for (int64_t j = 0; j <= D; j++) {
        dv_amip_params p;
        dv_amip_params_default(&p);
        p.coef = j;
        int64_t rows[N];
        dv_amip_result res;
        dv_error err = {0};
        CHECK_MSG(dv_amip(ds, &p, rows, NULL, &res, &err) == 0, "%s", err.msg);
        ols(X, y, N, D, NULL, beta, (size_t)j, &se);
        CHECK_NEAR(res.before, beta[j], 1e-9 * (1 + fabs(beta[j])));
        CHECK_NEAR(res.se_before, se, 1e-9 * se);
    }
    dv_dataset_free(ds);
}

/* The first-order move of a coefficient when row i goes is -a_i e_i; the
 * exact change is that over (1 - h_ii).  And the refit without the rows
 * removed is the closed-form leave-k-out: beta - (X'X)^-1 X_S' (I - H_SS)^-1
 * e_S, here through a refit by the normal equations. */
static void test_first_order_and_refit(void)
{
    enum { N = 40, D = 3 };
    double X[N * D], y[N], beta[D + 1], b2[D + 1];
    make_regression(X, y, N, D, 2);
    dv_dataset *ds = dataset(X, y, N, D, 0);
    dv_amip_params p;
    dv_amip_params_default(&p);
    p.coef = 1;
    p.goal = DV_AMIP_CHANGE;
    ols(X, y, N, D, NULL, beta, 1, NULL);
    p.change = -1e-9; /* one row is enough */
    int64_t rows[N];
    double moves[N];
    dv_amip_result res;
    dv_error err = {0};
    CHECK_MSG(dv_amip(ds, &p, rows, moves, &res, &err) == 0, "%s", err.msg);
    CHECK_EQ_INT(res.n_removed, 1);
    size_t i = (size_t)rows[0];
    /* leverage h_ii = x~_i' (X'X)^-1 x~_i */
    double A[(D + 1) * (D + 1)] = {0}, xi[D + 1];
    for (size_t k = 0; k < N; k++)
        for (size_t a = 0; a <= D; a++)
            for (size_t c = 0; c <= D; c++)
                A[a * (D + 1) + c] += (a < D ? X[k * D + a] : 1) * (c < D ? X[k * D + c] : 1);
    for (size_t a = 0; a <= D; a++)
        xi[a] = a < D ? X[i * D + a] : 1;
    double sol[D + 1];
    memcpy(sol, xi, sizeof xi);
    CHECK(oracle_solve(A, sol, D + 1));
    double h = 0;
    for (size_t a = 0; a <= D; a++)
        h += xi[a] * sol[a];
    unsigned char use[N];
    memset(use, 1, N);
    use[i] = 0;
    ols(X, y, N, D, use, b2, 1, NULL);
    CHECK_NEAR(moves[0] / (1 - h), b2[1] - beta[1], 1e-9);
    CHECK_NEAR(res.after, b2[1], 1e-9);
    CHECK(moves[0] < 0); /* the row asked for lowers the coefficient */

    /* a larger change: several rows, the refit is theirs */
    p.change = -0.3 * fabs(beta[1]);
    p.max_fraction = 0.5;
    CHECK_MSG(dv_amip(ds, &p, rows, moves, &res, &err) == 0, "%s", err.msg);
    CHECK(res.n_removed > 1 && res.found);
    memset(use, 1, N);
    double sum = 0;
    for (size_t k = 0; k < res.n_removed; k++) {
        use[rows[k]] = 0;
        sum += moves[k];
        if (k)
            CHECK(moves[k] >= moves[k - 1]); /* the most influential first */
    }
    ols(X, y, N, D, use, b2, 1, NULL);
    CHECK_NEAR(res.after, b2[1], 1e-9);
    CHECK_NEAR(res.predicted, beta[1] + sum, 1e-12);
    CHECK_NEAR(res.fraction, (double)res.n_removed / N, 1e-15);
    dv_dataset_free(ds);
}

/* The fewest rows whose removal makes the refit's conclusion hold, by
 * trying every subset of up to kmax rows; 0 when none does. */
static size_t fewest(const double *X, const double *y, size_t n, size_t d, size_t coef,
                     dv_amip_goal goal, double z, size_t kmax)
{
    double beta[MAXP], se;
    ols(X, y, n, d, NULL, beta, coef, &se);
    double s0 = beta[coef] >= 0 ? 1 : -1;
    for (size_t k = 1; k <= kmax; k++) {
        for (unsigned long m = 0; m < (1ul << n); m++) {
            if ((size_t)__builtin_popcountl(m) != k)
                continue;
            unsigned char use[16];
            for (size_t i = 0; i < n; i++)
                use[i] = !(m >> i & 1);
            double b[MAXP], s;
            ols(X, y, n, d, use, b, coef, &s);
            int holds = goal == DV_AMIP_SIGN ? s0 * b[coef] <= 0 : s0 * b[coef] - z * s <= 0;
            if (holds)
                return k;
        }
    }
    return 0;
}

/* A slope that two far points make positive, each masking the other: the
 * first order underrates them (found is 0), the refits of its ranking find
 * the fewest rows that exhaustive search finds, and they are the two. */
static void test_exhaustive(void)
{
    enum { N = 11, D = 1 };
    double X[N * D], y[N];
    dv_rng r;
    dv_rng_seed(&r, 7, 1);
    for (size_t i = 0; i < N - 2; i++) {
        X[i] = (double)i;
        y[i] = -0.3 * (double)i + 0.3 * dv_rng_normal(&r);
    }
    X[N - 2] = 20, y[N - 2] = 9;
    X[N - 1] = 22, y[N - 1] = 12;
    dv_dataset *ds = dataset(X, y, N, D, 0);
    double beta[2];
    ols(X, y, N, D, NULL, beta, 0, NULL);
    CHECK(beta[0] > 0);
    size_t kstar = fewest(X, y, N, D, 0, DV_AMIP_SIGN, 0, 4);
    CHECK(kstar >= 1);
    dv_amip_params p;
    dv_amip_params_default(&p);
    p.max_fraction = 0.5;
    int64_t rows[N];
    dv_amip_result res;
    dv_error err = {0};
    CHECK_MSG(dv_amip(ds, &p, rows, NULL, &res, &err) == 0, "%s", err.msg);
    CHECK(!res.found && res.predicted > 0);
    CHECK_EQ_INT(res.n_scan, kstar);
    CHECK(res.after_scan <= 0);
    for (size_t k = 0; k < res.n_scan; k++)
        CHECK(rows[k] >= N - 2); /* the far points */

    /* significance: never fewer rows than the exhaustive search needs */
    p.goal = DV_AMIP_SIGNIFICANCE;
    CHECK_MSG(dv_amip(ds, &p, rows, NULL, &res, &err) == 0, "%s", err.msg);
    size_t ks = fewest(X, y, N, D, 0, DV_AMIP_SIGNIFICANCE, p.z, 4);
    if (res.already) {
        CHECK_EQ_INT(res.n_removed, 0);
    } else {
        CHECK(ks >= 1);
        if (res.confirmed)
            CHECK(res.n_removed >= ks);
        if (res.n_scan)
            CHECK(res.n_scan >= ks);
    }
    dv_dataset_free(ds);
}

/* Random small regressions: whenever the refit confirms, no smaller set
 * does it (exhaustive search is the lower bound); a found set is never
 * larger than the budget. */
static void test_exhaustive_random(void)
{
    enum { N = 12, D = 2 };
    size_t confirmed = 0;
    for (uint64_t seed = 0; seed < 12; seed++) {
        double X[N * D], y[N];
        make_regression(X, y, N, D, 100 + seed);
        for (size_t i = 0; i < N; i++)
            y[i] -= 0.35 * X[i * D]; /* a weak first coefficient */
        dv_dataset *ds = dataset(X, y, N, D, 0);
        dv_amip_params p;
        dv_amip_params_default(&p);
        p.max_fraction = 0.34;
        int64_t rows[N];
        dv_amip_result res;
        dv_error err = {0};
        CHECK_MSG(dv_amip(ds, &p, rows, NULL, &res, &err) == 0, "%s", err.msg);
        CHECK(res.n_removed <= 4 && res.n_scan <= res.n_ranked);
        if (res.n_scan) {
            size_t k = fewest(X, y, N, D, 0, DV_AMIP_SIGN, 0, res.n_scan);
            CHECK(k >= 1 && k <= res.n_scan);
        }
        if (res.confirmed && res.n_removed > 0) {
            size_t k = fewest(X, y, N, D, 0, DV_AMIP_SIGN, 0, res.n_removed);
            CHECK_MSG(k >= 1 && k <= res.n_removed, "seed %llu: %zu rows, exhaustive %zu",
                      (unsigned long long)seed, res.n_removed, k);
            confirmed++;
        }
        dv_dataset_free(ds);
    }
    CHECK_MSG(confirmed >= 3, "only %zu of 12 data sets confirmed", confirmed);
}

/* Logistic regression: the refit is the learner's own fit without the
 * rows; a prediction's linear part is x~ . theta. */
static void test_logreg(void)
{
    enum { N = 60, D = 2 };
    double X[N * D], y[N];
    dv_rng r;
    dv_rng_seed(&r, 5, 2);
    for (size_t i = 0; i < N; i++) {
        X[i * D] = dv_rng_normal(&r);
        X[i * D + 1] = dv_rng_normal(&r);
        y[i] = 0.6 * X[i * D] + 0.8 * dv_rng_normal(&r) > 0;
    }
    dv_dataset *ds = dataset(X, y, N, D, 1);
    dv_amip_params p;
    dv_amip_params_default(&p);
    dv_learner_params_default(&p.learner, DV_LEARNER_LOGREG);
    p.max_fraction = 0.4;
    int64_t rows[N];
    dv_amip_result res;
    dv_error err = {0};
    CHECK_MSG(dv_amip(ds, &p, rows, NULL, &res, &err) == 0, "%s", err.msg);
    CHECK(res.before > 0 && res.n_removed > 0);
    int64_t keep[N];
    unsigned char gone[N] = {0};
    size_t nk = 0;
    for (size_t k = 0; k < res.n_removed; k++)
        gone[rows[k]] = 1;
    for (size_t i = 0; i < N; i++)
        if (!gone[i])
            keep[nk++] = (int64_t)i;
    dv_model *m = NULL;
    CHECK(dv_model_fit(&m, &p.learner, ds, keep, nk, NULL, &err) == 0);
    double theta[D + 1];
    dv_model_coef(m, theta, D + 1);
    CHECK_NEAR(res.after, theta[0], 1e-8);
    CHECK_EQ_INT(res.confirmed, theta[0] <= 0);
    /* a prediction */
    double x[D] = {0.5, -1};
    p.coef = -1;
    p.x = x;
    p.goal = DV_AMIP_CHANGE;
    p.change = -0.2;
    CHECK_MSG(dv_amip(ds, &p, rows, NULL, &res, &err) == 0, "%s", err.msg);
    dv_model *full = NULL;
    CHECK(dv_model_fit(&full, &p.learner, ds, NULL, 0, NULL, &err) == 0);
    dv_model_coef(full, theta, D + 1);
    CHECK_NEAR(res.before, 0.5 * theta[0] - theta[1] + theta[2], 1e-12);
    dv_model_free(m);
    dv_model_free(full);
    dv_dataset_free(ds);
}

static void test_bad_input(void)
{
    enum { N = 20, D = 2 };
    double X[N * D], y[N];
    make_regression(X, y, N, D, 9);
    dv_dataset *ds = dataset(X, y, N, D, 0);
    int64_t rows[N];
    dv_amip_result res;
    dv_error err = {0};
    dv_amip_params p;
    dv_amip_params_default(&p);
    p.coef = 3;
    CHECK(dv_amip(ds, &p, rows, NULL, &res, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "coefficient 3 is not 0..2") != NULL);
    dv_amip_params_default(&p);
    p.goal = DV_AMIP_CHANGE;
    CHECK(dv_amip(ds, &p, rows, NULL, &res, &err) == DV_EINVAL);
    dv_amip_params_default(&p);
    p.coef = -1;
    CHECK(dv_amip(ds, &p, rows, NULL, &res, &err) == DV_EINVAL);
    dv_amip_params_default(&p);
    dv_learner_params_default(&p.learner, DV_LEARNER_TREE);
    CHECK(dv_amip(ds, &p, rows, NULL, &res, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "ols or logreg") != NULL);
    dv_amip_params_default(&p);
    dv_learner_params_default(&p.learner, DV_LEARNER_LOGREG);
    p.goal = DV_AMIP_SIGNIFICANCE;
    CHECK(dv_amip(ds, &p, rows, NULL, &res, &err) == DV_EINVAL);
    dv_amip_params_default(&p);
    p.max_fraction = 0;
    CHECK(dv_amip(ds, &p, rows, NULL, &res, &err) == DV_EINVAL);
    dv_dataset_free(ds);
}

int main(void)
{
    RUN(test_before_is_ols);
    RUN(test_first_order_and_refit);
    RUN(test_exhaustive);
    RUN(test_exhaustive_random);
    RUN(test_logreg);
    RUN(test_bad_input);
    return CHECK_DONE();
}
