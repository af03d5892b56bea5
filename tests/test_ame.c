/*
 * test_ame.c -- the average marginal effect estimator (ame.c): an additive
 * game whose coefficients must rank and scale like the true weights, the
 * Lasso coordinate descent against a closed form (orthogonal design) and
 * against the KKT conditions checked independently, thread-count
 * independence and rejection of bad input.
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"
#include "methods/methods.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Defined in ame.c. */
int dv__lasso_cd(const double *X, size_t n, size_t p, const double *y, double lambda,
                 double *beta, double tol, size_t max_sweeps);

/* ------------------------------------------------------------------------ */
/* Games                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct {
    size_t n;
    const double *a;
    double noise;
} additive_game;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Order-independent hash of S mapped to [-1, 1). */
static double hash_noise(const int64_t *S, size_t n)
{
    uint64_t h = 0x1234567ULL;
    for (size_t i = 0; i < n; i++)
        h += mix64((uint64_t)S[i] + 1);
    return (double)(mix64(h) >> 11) * 0x1p-52 - 1.0;
}

static int additive_utility(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    (void)state;
    const additive_game *G = user;
    double u = 0.0;
    for (size_t i = 0; i < n; i++)
        u += G->a[S[i]];
    *out = u + G->noise * hash_noise(S, n);
    return 0;
}

/* Per-item game state (a call counter), for the determinism test. */
static void *counter_new(void *user)
{
    (void)user;
    return calloc(1, sizeof(size_t));
}

static void counter_free(void *state)
{
    free(state);
}

/* Weights (i % 7) - 3, a bonus when players 0 and 1 are both present,
 * noise from a hash of S. */
static int pair_utility(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    (void)user;
    (*(size_t *)state)++;
    double s = 0.0;
    int has0 = 0, has1 = 0;
    for (size_t i = 0; i < n; i++) {
        s += (double)(S[i] % 7) - 3.0;
        has0 |= S[i] == 0;
        has1 |= S[i] == 1;
    }
    *out = s + (has0 && has1 ? 1.0 : 0.0) + 0.3 * hash_noise(S, n);
    return 0;
}

static double spearman(const double *a, const double *b, size_t n)
{
    double ra[64], rb[64];
    oracle_ranks(a, n, ra);
    oracle_ranks(b, n, rb);
    return oracle_corr(ra, rb, n);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

/* Additive game.  The row-standardized design has X 1 = 0 (every row sums
 * to zero), so coefficients are only determined up to a common shift; the
 * Lasso picks the shift of least L1 norm, which puts the median coefficient
 * at 0.  With an odd number of players and a median weight of exactly 0
 * the coefficients are then proportional to a. */
static void test_additive(void)
{
    enum { N = 13 };
    /* sum(a) = 0: U(S) = sd_S a^T x_S + (|S| / n) sum(a) in terms of the
     * standardized row x_S, and the second term, orthogonal to every
     * standardized row in expectation, would only add noise. */
    const double a[N] = {-3.5, -2.5, -2.0, -1.0, -0.5, -0.05, 0.0,
                         0.05, 0.5, 1.0, 1.5, 2.5, 4.0};
    additive_game G = {N, a, 1e-3};
    dv_game g = {N, &G, additive_utility, NULL, NULL};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_AME);
    p.max_samples = 8000;
    p.seed = 7;
    double v[N];
    dv_value_info info;
    dv_error err = {0};
    int rc = dv__ame(&g, &p, v, &info, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    CHECK_EQ_INT(info.samples, 8000);
    CHECK_EQ_INT(info.utility_calls, 8000);
    CHECK_EQ_INT(info.stop_rule, DV_STOP_SAMPLES);
    CHECK_NEAR(info.stop_level, 8000.0, 0.0);
    CHECK_NEAR(spearman(v, a, N), 1.0, 1e-12);
    /* Proportional to a.  The row standardization multiplies each row by
     * sd_S in [0.4, 0.5], so the common ratio c is about 0.43.  The sampling
     * error of a coefficient is absolute (about the same for every player),
     * so: coef_i / a_i within 5% of c for |a_i| >= 1, and every coef_i
     * within 2% of c max|a| of c a_i.  c is the mean ratio over |a_i| >= 1. */
    double c = 0.0, amax = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < N; i++) {
        if (fabs(a[i]) >= 1.0) {
            c += v[i] / a[i];
            m++;
        }
        amax = fmax(amax, fabs(a[i]));
    }
    c /= (double)m;
    CHECK_MSG(c > 0.35 && c < 0.5, "mean ratio %g", c);
    for (size_t i = 0; i < N; i++) {
        if (fabs(a[i]) >= 1.0)
            CHECK_MSG(fabs(v[i] / a[i] / c - 1.0) <= 0.05, "player %zu: ratio %g, mean %g", i,
                      v[i] / a[i], c);
        CHECK_MSG(fabs(v[i] - c * a[i]) <= 0.02 * c * amax, "player %zu: value %g, c a_i %g", i,
                  v[i], c * a[i]);
    }
}

/* Column-major n x p design whose centred columns satisfy X^T X / n = I:
 * the Lasso solution is soft-thresholding of X^T y / n. */
static void test_lasso_orthogonal(void)
{
    enum { n = 8, p = 4 };
    /* Columns of the 8 x 8 Hadamard matrix (+-1, orthogonal, zero mean). */
    double X[p * n];
    for (size_t j = 0; j < p; j++)
        for (size_t t = 0; t < n; t++)
            X[j * n + t] = __builtin_popcount((unsigned)(t & (j + 1))) % 2 ? -1.0 : 1.0;
    const double btrue[p] = {2.0, -1.0, 0.3, 0.0};
    double y[n];
    for (size_t t = 0; t < n; t++) {
        y[t] = 0.05 * ((double)(t % 3) - 1.0);
        for (size_t j = 0; j < p; j++)
            y[t] += X[j * n + t] * btrue[j];
    }
    double lambda = 0.5, beta[p] = {0};
    int sweeps = dv__lasso_cd(X, n, p, y, lambda, beta, 1e-10, 10000);
    CHECK(sweeps > 0 && sweeps <= 10000);
    for (size_t j = 0; j < p; j++) {
        double z = 0.0;
        for (size_t t = 0; t < n; t++)
            z += X[j * n + t] * y[t];
        z /= n;
        double expect = z > lambda ? z - lambda : z < -lambda ? z + lambda : 0.0;
        CHECK_NEAR(beta[j], expect, 1e-9);
    }
}

/* Correlated random design: check the KKT conditions independently. */
static void test_lasso_kkt(void)
{
    enum { n = 60, p = 10 };
    double X[p * n], y[n], beta[p];
    dv_rng r;
    dv_rng_seed(&r, 11, 3);
    for (size_t t = 0; t < n; t++) {
        double common = dv_rng_normal(&r);
        for (size_t j = 0; j < p; j++)
            X[j * n + t] = 0.6 * common + dv_rng_normal(&r);
    }
    for (size_t t = 0; t < n; t++)
        y[t] = 1.5 * X[0 * n + t] - 2.0 * X[3 * n + t] + 0.5 * X[7 * n + t] +
               0.5 * dv_rng_normal(&r);
    const double lambdas[3] = {0.05, 0.3, 1.0};
    for (int l = 0; l < 3; l++) {
        memset(beta, 0, sizeof beta);
        int sweeps = dv__lasso_cd(X, n, p, y, lambdas[l], beta, 1e-10, 100000);
        CHECK(sweeps > 0 && sweeps <= 100000);
        size_t nonzero = 0;
        for (size_t j = 0; j < p; j++) {
            double g = 0.0;
            for (size_t t = 0; t < n; t++) {
                double res = y[t];
                for (size_t k = 0; k < p; k++)
                    res -= X[k * n + t] * beta[k];
                g += X[j * n + t] * res;
            }
            g /= n;
            if (beta[j] != 0.0) {
                nonzero++;
                CHECK_NEAR(g, beta[j] > 0 ? lambdas[l] : -lambdas[l], 1e-6);
            } else {
                CHECK_MSG(fabs(g) <= lambdas[l] + 1e-6, "|g_%zu| = %g > %g", j, fabs(g),
                          lambdas[l]);
            }
        }
        CHECK(nonzero > 0); /* the penalties are below lambda_max */
    }
}

static double lasso_objective(const double *X, size_t n, size_t p, const double *y,
                              double lambda, const double *beta)
{
    double rss = 0.0, l1 = 0.0;
    for (size_t t = 0; t < n; t++) {
        double r = y[t];
        for (size_t j = 0; j < p; j++)
            r -= X[j * n + t] * beta[j];
        rss += r * r;
    }
    for (size_t j = 0; j < p; j++)
        l1 += fabs(beta[j]);
    return rss / (2.0 * n) + lambda * l1;
}

/* More columns than rows, as in AME: the duality-gap rule promises an
 * objective within tol ||y||^2 / n of the minimum, which an independent
 * solver (FISTA, Beck and Teboulle 2009, run for 200,000 steps) finds. */
static void test_lasso_gap(void)
{
    enum { n = 30, p = 80 };
    double X[p * n], y[n], b[p], x[p], z[p], g[p], r[n];
    dv_rng rng;
    dv_rng_seed(&rng, 5, 9);
    for (size_t i = 0; i < p * n; i++)
        X[i] = dv_rng_normal(&rng);
    double yy = 0.0;
    for (size_t t = 0; t < n; t++) {
        y[t] = X[2 * n + t] - 0.5 * X[9 * n + t] + 0.3 * dv_rng_normal(&rng);
        yy += y[t] * y[t];
    }
    /* Step 1/L, L = largest eigenvalue of X^T X / n, by power iteration. */
    double v[p], L = 0.0;
    for (size_t j = 0; j < p; j++)
        v[j] = 1.0;
    for (int it = 0; it < 500; it++) {
        double w[p], nv = 0.0;
        for (size_t t = 0; t < n; t++) {
            r[t] = 0.0;
            for (size_t j = 0; j < p; j++)
                r[t] += X[j * n + t] * v[j];
        }
        for (size_t j = 0; j < p; j++) {
            w[j] = 0.0;
            for (size_t t = 0; t < n; t++)
                w[j] += X[j * n + t] * r[t] / n;
            nv += w[j] * w[j];
        }
        L = sqrt(nv);
        for (size_t j = 0; j < p; j++)
            v[j] = w[j] / L;
    }
    L *= 1.01;
    const double lambdas[3] = {0.3, 0.05, 0.005}, tols[2] = {1e-4, 1e-8};
    for (int l = 0; l < 3; l++) {
        double lam = lambdas[l];
        memset(x, 0, sizeof x);
        memcpy(z, x, sizeof z);
        double tk = 1.0;
        for (int it = 0; it < 200000; it++) {
            for (size_t t = 0; t < n; t++) {
                r[t] = -y[t];
                for (size_t j = 0; j < p; j++)
                    r[t] += X[j * n + t] * z[j];
            }
            double xn[p];
            for (size_t j = 0; j < p; j++) {
                g[j] = 0.0;
                for (size_t t = 0; t < n; t++)
                    g[j] += X[j * n + t] * r[t] / n;
                double u = z[j] - g[j] / L, th = lam / L;
                xn[j] = u > th ? u - th : u < -th ? u + th : 0.0;
            }
            double tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * tk * tk));
            for (size_t j = 0; j < p; j++) {
                z[j] = xn[j] + (tk - 1.0) / tn * (xn[j] - x[j]);
                x[j] = xn[j];
            }
            tk = tn;
        }
        double best = lasso_objective(X, n, p, y, lam, x);
        for (int k = 0; k < 2; k++) {
            memset(b, 0, sizeof b);
            int sweeps = dv__lasso_cd(X, n, p, y, lam, b, tols[k], 1000000);
            CHECK(sweeps > 0 && sweeps <= 1000000);
            double obj = lasso_objective(X, n, p, y, lam, b);
            CHECK_MSG(obj - best <= tols[k] * yy / n + 1e-12,
                      "lambda %g tol %g: objective %.12g, FISTA's %.12g", lam, tols[k], obj, best);
            CHECK_MSG(obj >= best - 1e-9, "lambda %g: objective %.12g below FISTA's %.12g", lam,
                      obj, best);
        }
    }
}

static void test_threads(void)
{
    enum { N = 20 };
    dv_game g = {N, NULL, pair_utility, counter_new, counter_free};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_AME);
    p.max_samples = 400;
    p.seed = 99;
    double v1[N], v2[N];
    dv_error err = {0};
    p.n_threads = 1;
    CHECK_EQ_INT(dv__ame(&g, &p, v1, NULL, &err), 0);
    p.n_threads = 2;
    CHECK_EQ_INT(dv__ame(&g, &p, v2, NULL, &err), 0);
    CHECK(memcmp(v1, v2, sizeof v1) == 0);
    /* A different seed draws different subsets. */
    p.seed = 100;
    CHECK_EQ_INT(dv__ame(&g, &p, v2, NULL, &err), 0);
    CHECK(memcmp(v1, v2, sizeof v1) != 0);
    /* Players with larger weight get larger values. */
    double lo = 0, hi = 0;
    for (size_t i = 0; i < N; i++)
        if (i % 7 == 0)
            lo += v1[i] / 3.0; /* players 0, 7, 14 */
        else if (i % 7 == 6)
            hi += v1[i] / 2.0; /* players 6, 13 */
    CHECK_MSG(hi > lo, "hi %g lo %g", hi, lo);
}

/* Progress: one call per subset and per cross-validation fit, in order of
 * completion, ending at the total; the values do not change. */
typedef struct {
    uint64_t calls, last, total;
    int ordered;
} seen_progress;

static void on_progress(void *user, uint64_t done, uint64_t total)
{
    seen_progress *s = user;
    s->ordered &= done == s->last + 1 && (s->total == 0 || total == s->total);
    s->calls++;
    s->last = done;
    s->total = total;
}

static void test_progress(void)
{
    enum { N = 12 };
    dv_game g = {N, NULL, pair_utility, counter_new, counter_free};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_AME);
    p.max_samples = 200;
    p.n_threads = 2;
    double v1[N], v2[N];
    dv_error err = {0};
    CHECK_EQ_INT(dv__ame(&g, &p, v1, NULL, &err), 0);
    seen_progress s = {0, 0, 0, 1};
    p.progress = on_progress;
    p.progress_user = &s;
    CHECK_EQ_INT(dv__ame(&g, &p, v2, NULL, &err), 0);
    CHECK(memcmp(v1, v2, sizeof v1) == 0);
    CHECK_MSG(s.ordered && s.calls == s.total && s.total > 200 && (s.total - 200) % 5 == 0,
              "%llu calls, total %llu", (unsigned long long)s.calls,
              (unsigned long long)s.total);
}

/* max_samples 0 is the method's own budget: 4,000 subsets for AME (the
 * default of dv_value_params_default too), 1,000 for the others. */
static void test_default_budget(void)
{
    enum { N = 6 };
    const double a[N] = {1, 2, 3, 0.5, -1, 0};
    additive_game G = {N, a, 1e-3};
    dv_game g = {N, &G, additive_utility, NULL, NULL};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_AME);
    CHECK_EQ_INT(p.max_samples, 4000);
    p.max_samples = 0;
    double v[N];
    dv_value_info info;
    dv_error err = {0};
    CHECK_EQ_INT(dv_value_game(&g, &p, v, NULL, &info, &err), DV_OK);
    CHECK_EQ_INT(info.samples, 4000);
    dv_value_params_default(&p, DV_METHOD_BANZHAF);
    CHECK_EQ_INT(p.max_samples, 1000);
    p.max_samples = 0;
    p.rhat = 0;
    p.rel_stderr = 0;
    CHECK_EQ_INT(dv_value_game(&g, &p, v, NULL, &info, &err), DV_OK);
    CHECK_EQ_INT(info.samples, 1000);
}

static void test_bad_input(void)
{
    const double a[3] = {1, 2, 3};
    additive_game G = {3, a, 0.0};
    dv_game g = {3, &G, additive_utility, NULL, NULL};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_AME);
    double v[3];
    dv_error err = {0};
    p.max_samples = 0;
    CHECK(dv__ame(&g, &p, v, NULL, &err) == DV_EINVAL);
    CHECK(err.code == DV_EINVAL && err.msg[0] != '\0');
    p.max_samples = 100;
    dv_game empty = {0, &G, additive_utility, NULL, NULL};
    memset(&err, 0, sizeof err);
    CHECK(dv__ame(&empty, &p, v, NULL, &err) == DV_EINVAL);
    CHECK(err.code == DV_EINVAL && err.msg[0] != '\0');
    memset(&err, 0, sizeof err);
    CHECK(dv__ame(NULL, &p, v, NULL, &err) == DV_EINVAL);
    CHECK(err.msg[0] != '\0');
    /* The smallest budget still works: 4 subsets, 4 folds. */
    p.max_samples = 1;
    dv_value_info info;
    CHECK_EQ_INT(dv__ame(&g, &p, v, &info, &err), 0);
    CHECK_EQ_INT(info.samples, 4);
    for (size_t i = 0; i < 3; i++)
        CHECK(isfinite(v[i]));
}

int main(void)
{
    RUN(test_additive);
    RUN(test_lasso_orthogonal);
    RUN(test_lasso_kkt);
    RUN(test_lasso_gap);
    RUN(test_threads);
    RUN(test_progress);
    RUN(test_default_budget);
    RUN(test_bad_input);
    return CHECK_DONE();
}
