/*
 * test_scaling.c -- tests of the scaling-law estimators (src/scaling/):
 * the log estimator, the maximum-likelihood law fit and the aggregate
 * learning-curve fit.  Two oracles live here: a port of the reference
 * optimizer (Adam on (log alpha, log beta), as the paper's code does) and a dense grid
 * of the profile likelihood, both written per sample with pow() and
 * independent of the library's grouped formulas.  Scaling laws: Covert et
 * al., ICML 2024.
 *
 * Usage: test_scaling [seed]   (the seed of the randomized cases is printed)
 */
#include "check.h"
#include "dval.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LN_2PI 1.83787706640934548356
#define E2 7.38905609893065022723

static uint64_t test_seed = 20240611;

static const int32_t geom_k[10] = {100, 129, 166, 215, 278, 359, 464, 599, 774, 1000};

/* Draws n samples of the law; mode 0: k uniform in [100, 1000), mode 1: k
 * from the geomspace grid. */
static void draw(dv_rng *r, size_t n, int mode, double c, double alpha, double sigma,
                 double beta, double *delta, int32_t *card)
{
    for (size_t i = 0; i < n; i++) {
        int32_t k = mode ? geom_k[dv_rng_below(r, 10)] : (int32_t)(100 + dv_rng_below(r, 900));
        card[i] = k;
        delta[i] = c * pow(k, -alpha) + sigma * pow(k, -0.5 * beta) * dv_rng_normal(r);
    }
}

static int law_finite(const dv_law *l)
{
    return isfinite(l->c) && isfinite(l->alpha) && isfinite(l->sigma) && isfinite(l->beta) &&
           isfinite(l->nll) && isfinite(l->log_c) && isfinite(l->log_alpha) &&
           isfinite(l->log_r2);
}

static double uniform(dv_rng *r, double lo, double hi) { return lo + (hi - lo) * dv_rng_uniform(r); }

/* ------------------------------------------------------------------------ */
/* Oracle: the reference LikelihoodEstimator, per sample                    */
/* ------------------------------------------------------------------------ */

/* Mean NLL at (exp(la), exp(lb)) with c and sigma in closed form (as the
 * reference computes them) and its gradient in (la, lb).  By the envelope
 * theorem the partial derivatives at fixed (c, sigma) are the total ones. */
static double ref_objective(const double *d, const int32_t *k, size_t n, double la, double lb,
                            double grad[2], double *c_out, double *s_out)
{
    double a = exp(la), b = exp(lb);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        num += d[i] * pow(k[i], b - a);
        den += pow(k[i], b - 2.0 * a);
    }
    double c = num / den;
    double s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = d[i] - c * pow(k[i], -a);
        s2 += e * e * pow(k[i], b);
    }
    s2 /= (double)n;
    double nll = 0.0, ga = 0.0, gb = 0.0;
    for (size_t i = 0; i < n; i++) {
        double lk = log((double)k[i]);
        double mu = c * pow(k[i], -a), var = s2 * pow(k[i], -b);
        double e = d[i] - mu;
        nll += 0.5 * LN_2PI + 0.5 * log(var) + 0.5 * e * e / var;
        ga += e * c * lk * pow(k[i], -a) / var;
        gb += -0.5 * lk + 0.5 * e * e / var * lk;
    }
    if (grad) {
        grad[0] = a * ga / (double)n;
        grad[1] = b * gb / (double)n;
    }
    if (c_out)
        *c_out = c;
    if (s_out)
        *s_out = sqrt(s2);
    return nll / (double)n;
}

/* Adam as torch.optim.Adam (lr 0.05, betas 0.9/0.999, eps 1e-8) from
 * (log 1, log 2), 1000 steps, best loss kept, early stop after 100 steps
 * without improvement, log alpha and log beta clamped to <= 2. */
static double ref_adam(const double *d, const int32_t *k, size_t n, double *alpha_out,
                       double *beta_out)
{
    double p[2] = {0.0, log(2.0)}, m[2] = {0, 0}, v[2] = {0, 0};
    double best = INFINITY;
    int bad = 0;
    for (int t = 1; t <= 1000; t++) {
        double g[2];
        double loss = ref_objective(d, k, n, p[0], p[1], g, NULL, NULL);
        if (loss < best) {
            best = loss;
            *alpha_out = exp(p[0]);
            *beta_out = exp(p[1]);
            bad = 0;
        } else if (++bad >= 100) {
            break;
        }
        for (int j = 0; j < 2; j++) {
            m[j] = 0.9 * m[j] + 0.1 * g[j];
            v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
            double mh = m[j] / (1.0 - pow(0.9, t)), vh = v[j] / (1.0 - pow(0.999, t));
            p[j] -= 0.05 * mh / (sqrt(vh) + 1e-8);
            if (p[j] > 2.0)
                p[j] = 2.0;
        }
    }
    return best;
}

/* ------------------------------------------------------------------------ */
/* Status names and degenerate inputs                                       */
/* ------------------------------------------------------------------------ */

static void test_status_names(void)
{
    CHECK(strcmp(dv_law_status_name(DV_LAW_OK), "ok") == 0);
    CHECK(strcmp(dv_law_status_name(DV_LAW_NO_SAMPLES), "no_samples") == 0);
    CHECK(strcmp(dv_law_status_name(DV_LAW_ONE_CARD), "one_card") == 0);
    CHECK(strcmp(dv_law_status_name(DV_LAW_ALL_ZERO), "all_zero") == 0);
    CHECK(strcmp(dv_law_status_name(DV_LAW_NONFINITE), "nonfinite") == 0);
    CHECK(strcmp(dv_law_status_name(DV_LAW_BOUND), "bound") == 0);
    CHECK(strcmp(dv_law_status_name(99), "unknown") == 0);
    CHECK(strcmp(dv_law_status_name(-1), "unknown") == 0);
}

typedef int (*fit_fn)(const double *, const int32_t *, size_t, dv_law *);
static const fit_fn fits[3] = {dv_law_fit, dv_law_fit_mle, dv_law_fit_log};

/* Runs every estimator, checks the status (st_log for the log estimator,
 * status for the others) and that no field is NaN/Inf. */
static void expect_status2(const double *d, const int32_t *k, size_t n, int status, int st_log,
                           int line)
{
    for (int f = 0; f < 3; f++) {
        dv_law law;
        memset(&law, 0x7f, sizeof law);
        int rc = fits[f](d, k, n, &law);
        CHECK_MSG(rc == DV_OK, "line %d, estimator %d: rc %d", line, f, rc);
        int want = f == 2 ? st_log : status;
        CHECK_MSG(law.status == want, "line %d, estimator %d: status %s, expected %s", line, f,
                  dv_law_status_name(law.status), dv_law_status_name(want));
        CHECK_MSG(law_finite(&law), "line %d, estimator %d: non-finite field", line, f);
        CHECK_MSG(law.n_samples == n, "line %d: n_samples %zu", line, law.n_samples);
    }
}

static void expect_status(const double *d, const int32_t *k, size_t n, int status, int line)
{
    expect_status2(d, k, n, status, status, line);
}

static void test_degenerate(void)
{
    double d[6] = {0.1, 0.2, -0.1, 0.3, 0.05, 0.0};
    double dd[6] = {0.31, 0.19, 0.16, 0.125, 0.118, 0.10};
    int32_t k[6] = {100, 200, 300, 400, 500, 600};

    expect_status(NULL, NULL, 0, DV_LAW_NO_SAMPLES, __LINE__);
    expect_status(d, k, 0, DV_LAW_NO_SAMPLES, __LINE__);
    expect_status(d, k, 1, DV_LAW_NO_SAMPLES, __LINE__);
    /* Two samples: a mean growing with k puts alpha at its lower end. */
    expect_status2(d, k, 2, DV_LAW_BOUND, DV_LAW_OK, __LINE__);
    /* Two decreasing samples fit a law exactly: sigma = 0 on the bound. */
    double d2x[2] = {0.2, 0.1};
    expect_status2(d2x, k, 2, DV_LAW_BOUND, DV_LAW_OK, __LINE__);
    dv_law ex;
    dv_law_fit(d2x, k, 2, &ex);
    CHECK_NEAR(ex.alpha, 1.0, 1e-12);
    CHECK_NEAR(ex.c, 20.0, 1e-10);
    CHECK(ex.sigma == 0.0 && ex.beta == 0.0 && ex.nll == 0.0);
    CHECK_NEAR(ex.log_alpha, 1.0, 1e-9);
    expect_status(dd, k, 6, DV_LAW_OK, __LINE__);

    double dn[6];
    memcpy(dn, d, sizeof d);
    dn[3] = NAN;
    expect_status(dn, k, 6, DV_LAW_NONFINITE, __LINE__);
    dn[3] = INFINITY;
    expect_status(dn, k, 6, DV_LAW_NONFINITE, __LINE__);
    dn[3] = -INFINITY;
    expect_status(dn, k, 6, DV_LAW_NONFINITE, __LINE__);
    int32_t kz[6] = {100, 200, 0, 400, 500, 600};
    expect_status(d, kz, 6, DV_LAW_NONFINITE, __LINE__);
    kz[2] = -5;
    expect_status(d, kz, 6, DV_LAW_NONFINITE, __LINE__);

    double zero[6] = {0, 0, 0, 0, 0, -0.0};
    expect_status(zero, k, 6, DV_LAW_ALL_ZERO, __LINE__);
    dv_law law;
    dv_law_fit(zero, k, 6, &law);
    CHECK(law.c == 0.0 && law.sigma == 0.0 && law.alpha == 0.0 && law.beta == 0.0);
    CHECK(law.log_c == 0.0 && law.log_alpha == 0.0 && law.nll == 0.0);

    /* One cardinality: c = mean, sigma = ML standard deviation. */
    double d1[4] = {1.0, 2.0, 3.0, 4.0};
    int32_t k1[4] = {250, 250, 250, 250};
    expect_status(d1, k1, 4, DV_LAW_ONE_CARD, __LINE__);
    dv_law_fit(d1, k1, 4, &law);
    CHECK_NEAR(law.c, 2.5, 1e-15);
    CHECK_NEAR(law.sigma, sqrt(1.25), 1e-15);
    CHECK(law.alpha == 0.0 && law.beta == 0.0 && law.log_alpha == 0.0);
    CHECK_NEAR(law.log_c, 2.5, 1e-15);
    CHECK_NEAR(law.nll, dv_law_nll(d1, k1, 4, 2.5, 0.0, sqrt(1.25), 0.0), 1e-14);
    /* One cardinality and no spread: sigma = 0, nll does not apply. */
    double d2[3] = {0.5, 0.5, 0.5};
    expect_status(d2, k1, 3, DV_LAW_ONE_CARD, __LINE__);
    dv_law_fit(d2, k1, 3, &law);
    CHECK(law.c == 0.5 && law.sigma == 0.0 && law.nll == 0.0);

    /* Invalid arguments. */
    CHECK_EQ_INT(dv_law_fit(d, k, 6, NULL), DV_EINVAL);
    CHECK_EQ_INT(dv_law_fit(NULL, k, 6, &law), DV_EINVAL);
    CHECK_EQ_INT(dv_law_fit_mle(d, NULL, 6, &law), DV_EINVAL);
    CHECK(law_finite(&law));
}

/* ------------------------------------------------------------------------ */
/* Log estimator                                                            */
/* ------------------------------------------------------------------------ */

static void test_log_exact_power_law(void)
{
    /* Exact law, repeated and distinct cardinalities, both signs of c.  The
     * means stay above 0.05 so that the 1e-12 the reference adds inside
     * the log moves alpha by less than 1e-10. */
    const double cs[3] = {1.7, -400.0, 2.5e6}, as[3] = {0.5, 1.3, 2.2};
    for (int t = 0; t < 3; t++) {
        double d[60];
        int32_t k[60];
        for (int i = 0; i < 60; i++) {
            k[i] = 100 + 37 * (i % 23);
            d[i] = cs[t] * pow(k[i], -as[t]);
        }
        dv_law law;
        CHECK_EQ_INT(dv_law_fit_log(d, k, 60, &law), DV_OK);
        CHECK_EQ_INT(law.status, DV_LAW_OK);
        CHECK_NEAR(law.log_alpha, as[t], 1e-9 * as[t]);
        CHECK_NEAR(law.log_c, cs[t], 1e-9 * fabs(cs[t]));
        CHECK_NEAR(law.log_r2, 1.0, 1e-12);
    }
}

static void test_log_hand_example(void)
{
    /* k = 1, 10, 100 with means 3, 1, 0.3, in two orders. */
    const int32_t k[2][5] = {{1, 1, 10, 10, 100}, {10, 100, 1, 10, 1}};
    const double d[2][5] = {{2.0, 4.0, 0.5, 1.5, 0.3}, {1.5, 0.3, 4.0, 0.5, 2.0}};
    /* Independent computation: x = -log10 k = (0, -1, -2) is symmetric
     * about -1, so slope = (y(k=1) - y(k=100)) / 2 and the fitted line
     * passes through (mean x, mean y). */
    double y1 = log10(3.0 + 1e-12), y2 = log10(1.0 + 1e-12), y3 = log10(0.3 + 1e-12);
    double ym = (y1 + y2 + y3) / 3.0;
    double alpha = (y1 - y3) / 2.0;
    double r1 = y1 - (ym + alpha), r2 = y2 - ym, r3 = y3 - (ym - alpha);
    double sst = (y1 - ym) * (y1 - ym) + (y2 - ym) * (y2 - ym) + (y3 - ym) * (y3 - ym);
    double r2_expected = 1.0 - (r1 * r1 + r2 * r2 + r3 * r3) / sst;
    /* c by least squares without intercept: sum(d k^-a) / sum(k^-2a). */
    double num = (2.0 + 4.0) + (0.5 + 1.5) * pow(10.0, -alpha) + 0.3 * pow(100.0, -alpha);
    double den = 2.0 + 2.0 * pow(10.0, -2.0 * alpha) + pow(100.0, -2.0 * alpha);
    double c_expected = num / den;
    for (int t = 0; t < 2; t++) {
        dv_law law;
        CHECK_EQ_INT(dv_law_fit_log(d[t], k[t], 5, &law), DV_OK);
        CHECK_EQ_INT(law.status, DV_LAW_OK);
        CHECK_NEAR(law.log_alpha, alpha, 1e-14);
        CHECK_NEAR(law.log_r2, r2_expected, 1e-12);
        CHECK_NEAR(law.log_c, c_expected, 1e-13);
        /* And against the numbers worked out on paper (digits shown). */
        CHECK_NEAR(law.log_alpha, 0.5, 1e-11);
        CHECK_NEAR(law.log_r2, 0.99930257, 1e-8);
        CHECK_NEAR(law.log_c, 3.01468576, 1e-8);
    }
}

/* ------------------------------------------------------------------------ */
/* Maximum likelihood                                                       */
/* ------------------------------------------------------------------------ */

/* The NLL by the Gaussian density itself. */
static double density_nll(const double *d, const int32_t *k, size_t n, double c, double alpha,
                          double sigma, double beta)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double mu = c * pow(k[i], -alpha), sd = sigma * pow(k[i], -0.5 * beta);
        double z = (d[i] - mu) / sd;
        double p = exp(-0.5 * z * z) / (sd * sqrt(2.0 * 3.14159265358979323846));
        s -= log(p);
    }
    return s / (double)n;
}

static void test_nll_formula(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 1);
    double d[50];
    int32_t k[50];
    for (int t = 0; t < 20; t++) {
        double c = uniform(&r, -2, 2), a = uniform(&r, 0.1, 3), s = uniform(&r, 0.01, 1);
        double b = uniform(&r, 0, 4);
        draw(&r, 50, t & 1, c, a, s, b, d, k);
        double c2 = c * uniform(&r, 0.5, 1.5), a2 = a + uniform(&r, -0.2, 0.2);
        double s2 = s * uniform(&r, 0.5, 2), b2 = b + uniform(&r, -0.5, 0.5);
        double ours = dv_law_nll(d, k, 50, c2, a2, s2, b2);
        double want = density_nll(d, k, 50, c2, a2, s2, b2);
        CHECK_NEAR(ours, want, 1e-12 * (1.0 + fabs(want)));
    }
    /* sigma = 0: a point mass. */
    double e[2] = {1.0, 0.5};
    int32_t ke[2] = {1, 4};
    CHECK(dv_law_nll(e, ke, 2, 1.0, 0.5, 0.0, 1.0) == -INFINITY);
    CHECK(dv_law_nll(e, ke, 2, 1.0, 0.4, 0.0, 1.0) == INFINITY);
    CHECK(isnan(dv_law_nll(e, ke, 2, 1.0, 0.5, -1.0, 1.0)));
}

/* Fills H (4 x 4) with the Hessian of n * mean NLL at theta by central
 * differences and returns the standard errors sqrt(diag(H^-1)). */
static int standard_errors(const double *d, const int32_t *k, size_t n, const double th[4],
                           double se[4])
{
    double h[4], H[4][8];
    for (int i = 0; i < 4; i++)
        h[i] = 1e-4 * (fabs(th[i]) > 0.1 ? fabs(th[i]) : 0.1);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            double f[4];
            for (int s = 0; s < 4; s++) {
                double p[4];
                memcpy(p, th, sizeof p);
                p[i] += (s & 1 ? -1 : 1) * h[i];
                p[j] += (s & 2 ? -1 : 1) * h[j];
                f[s] = (double)n * dv_law_nll(d, k, n, p[0], p[1], p[2], p[3]);
            }
            H[i][j] = (f[0] - f[1] - f[2] + f[3]) / (4.0 * h[i] * h[j]);
            H[i][4 + j] = i == j;
        }
    }
    /* Gauss-Jordan inverse with partial pivoting. */
    for (int col = 0; col < 4; col++) {
        int piv = col;
        for (int r = col + 1; r < 4; r++)
            if (fabs(H[r][col]) > fabs(H[piv][col]))
                piv = r;
        if (H[piv][col] == 0.0)
            return -1;
        for (int c = 0; c < 8; c++) {
            double t = H[col][c];
            H[col][c] = H[piv][c];
            H[piv][c] = t;
        }
        double p = H[col][col];
        for (int c = 0; c < 8; c++)
            H[col][c] /= p;
        for (int r = 0; r < 4; r++) {
            if (r == col)
                continue;
            double f = H[r][col];
            for (int c = 0; c < 8; c++)
                H[r][c] -= f * H[col][c];
        }
    }
    for (int i = 0; i < 4; i++) {
        if (!(H[i][4 + i] > 0.0))
            return -1;
        se[i] = sqrt(H[i][4 + i]);
    }
    return 0;
}

static void test_mle_recovers_parameters(void)
{
    enum { N = 20000 };
    static double d[N];
    static int32_t k[N];
    const double truth[3][4] = {
        {0.5, 0.8, 0.1, 1.2},
        {-2.0, 1.5, 0.05, 2.5},
        {0.02, 0.4, 0.2, 0.6},
    };
    for (int t = 0; t < 3; t++) {
        dv_rng r;
        dv_rng_seed(&r, test_seed, 100 + t);
        draw(&r, N, t == 1, truth[t][0], truth[t][1], truth[t][2], truth[t][3], d, k);
        dv_law law;
        CHECK_EQ_INT(dv_law_fit(d, k, N, &law), DV_OK);
        CHECK_EQ_INT(law.status, DV_LAW_OK);
        CHECK(law_finite(&law));
        double est[4] = {law.c, law.alpha, law.sigma, law.beta}, se[4];
        CHECK(standard_errors(d, k, N, est, se) == 0);
        const char *names[4] = {"c", "alpha", "sigma", "beta"};
        for (int i = 0; i < 4; i++) {
            /* The optimum of a smooth likelihood: the standard errors are
             * positive and finite, and the truth lies within 5 of them. */
            CHECK_MSG(se[i] > 0.0 && isfinite(se[i]), "case %d %s: se %g", t, names[i], se[i]);
            CHECK_MSG(fabs(est[i] - truth[t][i]) <= 5.0 * se[i],
                      "case %d %s: estimate %.6g, truth %.6g, se %.3g", t, names[i], est[i],
                      truth[t][i], se[i]);
            /* Well-identified cases (not the weak-signal case 2): small
             * errors in absolute terms too. */
            if (t < 2)
                CHECK_MSG(fabs(est[i] - truth[t][i]) <= 0.2 * fabs(truth[t][i]),
                          "case %d %s: estimate %.6g, truth %.6g", t, names[i], est[i],
                          truth[t][i]);
            if (getenv("DV_TEST_VERBOSE"))
                printf("# case %d %s: truth %g estimate %g se %g\n", t, names[i], truth[t][i],
                       est[i], se[i]);
        }
        CHECK_NEAR(dv_law_nll(d, k, N, law.c, law.alpha, law.sigma, law.beta), law.nll,
                   1e-10 * (1.0 + fabs(law.nll)));
    }
}

/* Our NLL is never worse than the reference optimizer's on random cases. */
static void test_mle_vs_reference_adam(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 2);
    double d[100];
    int32_t k[100];
    int n_better = 0, n_cases = 200;
    double worst = -INFINITY;
    for (int t = 0; t < n_cases; t++) {
        size_t n = 20 + dv_rng_below(&r, 81);
        double c = uniform(&r, 0.01, 2.0) * (dv_rng_below(&r, 2) ? 1 : -1);
        if (t % 10 == 0)
            c *= 1e-3; /* nearly no signal: a flat, bumpy landscape */
        double a = uniform(&r, 0.1, 3.0), s = exp(uniform(&r, log(0.01), log(1.0)));
        double b = uniform(&r, 0.0, 4.0);
        int mode = (int)dv_rng_below(&r, 2);
        draw(&r, n, mode, c, a, s, b, d, k);

        dv_law law;
        CHECK_EQ_INT(dv_law_fit_mle(d, k, n, &law), DV_OK);
        CHECK_MSG(law.status == DV_LAW_OK || law.status == DV_LAW_BOUND, "case %d: status %s", t,
                  dv_law_status_name(law.status));
        CHECK_MSG(law_finite(&law), "case %d: non-finite field", t);
        CHECK(law.alpha > 0.0 && law.alpha <= E2 && law.beta > 0.0 && law.beta <= E2);
        double ra = 0, rb = 0;
        double ref = ref_adam(d, k, n, &ra, &rb);
        double direct = dv_law_nll(d, k, n, law.c, law.alpha, law.sigma, law.beta);
        CHECK_MSG(law.nll <= ref + 1e-9,
                  "case %d (n %zu, mode %d, c %g a %g s %g b %g): nll %.15g > reference %.15g "
                  "(ours a %g b %g, reference a %g b %g)",
                  t, n, mode, c, a, s, b, law.nll, ref, law.alpha, law.beta, ra, rb);
        CHECK_MSG(fabs(direct - law.nll) <= 1e-10 * (1.0 + fabs(law.nll)),
                  "case %d: nll field %.15g, dv_law_nll %.15g", t, law.nll, direct);
        /* The profile objective at our (alpha, beta), computed the
         * reference's way, agrees too. */
        double prof = ref_objective(d, k, n, log(law.alpha), log(law.beta), NULL, NULL, NULL);
        CHECK_MSG(fabs(prof - law.nll) <= 1e-10 * (1.0 + fabs(law.nll)),
                  "case %d: profile %.15g vs nll %.15g", t, prof, law.nll);
        n_better += law.nll < ref - 1e-9;
        if (law.nll - ref > worst)
            worst = law.nll - ref;
    }
    printf("# mle vs reference Adam: %d of %d cases strictly better, worst difference %.3g\n",
           n_better, n_cases, worst);
}

/* Our NLL is never worse than the best node of a dense grid over the box. */
static void test_mle_vs_dense_grid(void)
{
    enum { G = 80 };
    dv_rng r;
    dv_rng_seed(&r, test_seed, 3);
    double d[60];
    int32_t k[60];
    for (int t = 0; t < 40; t++) {
        size_t n = 20 + dv_rng_below(&r, 41);
        double c = uniform(&r, -1.0, 1.0) * (t % 4 == 0 ? 1e-3 : 1.0);
        double a = uniform(&r, 0.05, 4.0), s = exp(uniform(&r, log(0.01), log(1.0)));
        double b = uniform(&r, 0.0, 6.0);
        draw(&r, n, t & 1, c, a, s, b, d, k);
        dv_law law;
        dv_law_fit_mle(d, k, n, &law);
        double best = INFINITY, ba = 0, bb = 0;
        for (int i = 0; i < G; i++) {
            for (int j = 0; j < G; j++) {
                double ga = E2 * (i + 0.5) / G, gb = E2 * (j + 0.5) / G;
                double f = ref_objective(d, k, n, log(ga), log(gb), NULL, NULL, NULL);
                if (f < best) {
                    best = f;
                    ba = ga;
                    bb = gb;
                }
            }
        }
        CHECK_MSG(law.nll <= best + 1e-9,
                  "case %d: nll %.15g > grid %.15g at (%g, %g); ours (%g, %g)", t, law.nll, best,
                  ba, bb, law.alpha, law.beta);
    }
}

static void test_mle_exact_law(void)
{
    double d[40];
    int32_t k[40];
    for (int i = 0; i < 40; i++) {
        k[i] = 100 + 23 * i;
        d[i] = -0.75 * pow(k[i], -0.9);
    }
    dv_law law;
    CHECK_EQ_INT(dv_law_fit(d, k, 40, &law), DV_OK);
    /* sigma = 0 is on the boundary: status says so, values stay finite. */
    CHECK_EQ_INT(law.status, DV_LAW_BOUND);
    CHECK(law_finite(&law));
    CHECK(law.sigma == 0.0 && law.beta == 0.0 && law.nll == 0.0);
    CHECK_NEAR(law.alpha, 0.9, 1e-9);
    CHECK_NEAR(law.c, -0.75, 1e-9);
    /* The log estimator's 1e-12 offset inside the log costs ~1e-9 here. */
    CHECK_NEAR(law.log_alpha, 0.9, 1e-8);
    CHECK_NEAR(law.log_c, -0.75, 1e-8);
}

static void test_mle_bounds(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 4);
    double d[400];
    int32_t k[400];
    dv_law law;

    /* A mean that grows with k: the best alpha is at the lower end. */
    for (int i = 0; i < 400; i++) {
        k[i] = 100 + (int32_t)dv_rng_below(&r, 900);
        d[i] = 0.01 * pow(k[i], 0.5) + 0.01 * dv_rng_normal(&r);
    }
    CHECK_EQ_INT(dv_law_fit_mle(d, k, 400, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_BOUND);
    CHECK(law_finite(&law));
    CHECK(law.alpha > 0.0 && law.alpha < 1e-6);
    CHECK_NEAR(dv_law_nll(d, k, 400, law.c, law.alpha, law.sigma, law.beta), law.nll, 1e-10);

    /* Noise that shrinks faster than any beta in the box. */
    for (int i = 0; i < 400; i++) {
        k[i] = 100 + (int32_t)dv_rng_below(&r, 900);
        d[i] = pow(k[i], -0.5) + 1e8 * pow(k[i], -6.0) * dv_rng_normal(&r);
    }
    CHECK_EQ_INT(dv_law_fit_mle(d, k, 400, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_BOUND);
    CHECK(law_finite(&law));
    CHECK(law.beta == E2);
    CHECK_NEAR(dv_law_nll(d, k, 400, law.c, law.alpha, law.sigma, law.beta), law.nll, 1e-10);
}

/* Scaling the deltas by s scales c and sigma and shifts the NLL by ln s. */
static void test_mle_scale_equivariance(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 5);
    double d[300], ds[300];
    int32_t k[300];
    draw(&r, 300, 0, 0.3, 0.7, 0.2, 1.0, d, k);
    const double scales[3] = {1e-9, 3.0, 1e12};
    dv_law base;
    dv_law_fit(d, k, 300, &base);
    for (int t = 0; t < 3; t++) {
        for (int i = 0; i < 300; i++)
            ds[i] = d[i] * scales[t];
        dv_law law;
        dv_law_fit(ds, k, 300, &law);
        CHECK_EQ_INT(law.status, base.status);
        CHECK_NEAR(law.alpha, base.alpha, 1e-7);
        CHECK_NEAR(law.beta, base.beta, 1e-7);
        CHECK_NEAR(law.c / scales[t], base.c, 1e-7 * fabs(base.c));
        CHECK_NEAR(law.sigma / scales[t], base.sigma, 1e-7 * base.sigma);
        CHECK_NEAR(law.nll - log(scales[t]), base.nll, 1e-9);
    }
}

/* dv_law_fit = the log estimator's fields + the MLE's fields. */
static void test_fit_combines(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 6);
    double d[200];
    int32_t k[200];
    draw(&r, 200, 1, -0.8, 1.1, 0.1, 2.0, d, k);
    dv_law both, mle, lg;
    dv_law_fit(d, k, 200, &both);
    dv_law_fit_mle(d, k, 200, &mle);
    dv_law_fit_log(d, k, 200, &lg);
    CHECK(both.c == mle.c && both.alpha == mle.alpha && both.sigma == mle.sigma);
    CHECK(both.beta == mle.beta && both.nll == mle.nll && both.status == mle.status);
    CHECK(both.log_c == lg.log_c && both.log_alpha == lg.log_alpha && both.log_r2 == lg.log_r2);
    CHECK(mle.log_c == 0.0 && mle.log_alpha == 0.0 && lg.c == 0.0 && lg.alpha == 0.0);
    CHECK(both.n_samples == 200);
}

/* ------------------------------------------------------------------------ */
/* Learning curves                                                          */
/* ------------------------------------------------------------------------ */

/* The reference's objective at (alpha, beta): weighted least squares for
 * (eps, c), eps clamped, sigma in closed form; per point, with pow(). */
static double curve_ref_objective(const double *y, const double *k, size_t n, double a, double b,
                                  int refit_c, double *eps_out, double *c_out)
{
    double s00 = 0, s01 = 0, s11 = 0, t0 = 0, t1 = 0, ymin = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double w = pow(k[i], b), x = pow(k[i], -a);
        s00 += w;
        s01 += w * x;
        s11 += w * x * x;
        t0 += w * y[i];
        t1 += w * x * y[i];
        if (y[i] < ymin)
            ymin = y[i];
    }
    double det = s00 * s11 - s01 * s01;
    double eps = (s11 * t0 - s01 * t1) / det, c = (s00 * t1 - s01 * t0) / det;
    double ec = fmin(fmax(eps, 0.0), ymin - 1e-6);
    if (refit_c && ec != eps)
        c = (t1 - ec * s01) / s11;
    eps = ec;
    double s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - eps - c * pow(k[i], -a);
        s2 += e * e * pow(k[i], b);
    }
    s2 /= (double)n;
    if (eps_out)
        *eps_out = eps;
    if (c_out)
        *c_out = c;
    double nll = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - eps - c * pow(k[i], -a), var = s2 * pow(k[i], -b);
        nll += 0.5 * LN_2PI + 0.5 * log(var) + 0.5 * e * e / var;
    }
    return nll / (double)n;
}

static void draw_curve(dv_rng *r, size_t n, double eps, double c, double a, double sigma,
                       double b, double *y, double *k)
{
    for (size_t i = 0; i < n; i++) {
        k[i] = geom_k[i % 10] * (1.0 + (double)(i / 10));
        y[i] = eps + c * pow(k[i], -a) + sigma * pow(k[i], -0.5 * b) * dv_rng_normal(r);
    }
}

static void test_curve_recovers(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 7);
    double y[200], k[200];
    /* error(k) = 0.08 + 3 k^-0.6, little noise, 200 points. */
    draw_curve(&r, 200, 0.08, 3.0, 0.6, 2e-3, 1.0, y, k);
    dv_curve_law law;
    CHECK_EQ_INT(dv_curve_fit(y, k, 200, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_OK);
    CHECK_NEAR(law.eps, 0.08, 2e-3);
    CHECK_NEAR(law.alpha, 0.6, 0.03);
    CHECK_NEAR(law.c, 3.0, 0.3);
    CHECK_NEAR(law.beta, 1.0, 0.5);
    /* The nll field is the Gaussian NLL at the fit with sigma in closed
     * form. */
    double s2 = 0;
    for (int i = 0; i < 200; i++) {
        double e = y[i] - law.eps - law.c * pow(k[i], -law.alpha);
        s2 += e * e * pow(k[i], law.beta);
    }
    s2 /= 200;
    double want = 0;
    for (int i = 0; i < 200; i++) {
        double e = y[i] - law.eps - law.c * pow(k[i], -law.alpha);
        double var = s2 * pow(k[i], -law.beta);
        want += 0.5 * LN_2PI + 0.5 * log(var) + 0.5 * e * e / var;
    }
    CHECK_NEAR(law.nll, want / 200, 1e-9 * (1 + fabs(want / 200)));

    /* Scaling the errors scales eps and c and shifts the nll (the clamp
     * of eps is inactive here), even where squares would overflow. */
    const double scales[2] = {1e-3, 1e200};
    for (int t = 0; t < 2; t++) {
        double ys[200];
        for (int i = 0; i < 200; i++)
            ys[i] = y[i] * scales[t];
        dv_curve_law sl;
        CHECK_EQ_INT(dv_curve_fit(ys, k, 200, &sl), DV_OK);
        CHECK_EQ_INT(sl.status, law.status);
        CHECK_NEAR(sl.eps / scales[t], law.eps, 1e-7 * fabs(law.eps));
        CHECK_NEAR(sl.c / scales[t], law.c, 1e-6 * fabs(law.c));
        CHECK_NEAR(sl.alpha, law.alpha, 1e-7);
        CHECK_NEAR(sl.nll - log(scales[t]), law.nll, 1e-8);
    }

    /* Exact curve: sigma = 0 on the boundary, values recovered. */
    for (int i = 0; i < 30; i++) {
        k[i] = 50.0 + 31.0 * i;
        y[i] = 0.2 + 1.5 * pow(k[i], -0.7);
    }
    CHECK_EQ_INT(dv_curve_fit(y, k, 30, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_BOUND);
    CHECK(isfinite(law.nll) && law.nll == 0.0 && law.beta == 0.0);
    CHECK_NEAR(law.eps, 0.2, 1e-6);
    CHECK_NEAR(law.c, 1.5, 1e-4);
    CHECK_NEAR(law.alpha, 0.7, 1e-5);
}

static void test_curve_clamp(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 8);
    double y[100], k[100];
    dv_curve_law law;
    /* The law's floor is negative: eps is clamped to 0. */
    draw_curve(&r, 100, -0.02, 0.5, 0.2, 1e-4, 0.0, y, k);
    CHECK_EQ_INT(dv_curve_fit(y, k, 100, &law), DV_OK);
    CHECK(law.eps == 0.0);
    CHECK(isfinite(law.c) && isfinite(law.alpha) && isfinite(law.nll));
    /* An increasing curve: the unclamped floor exceeds every error, eps is
     * clamped to min(error) - 1e-6. */
    draw_curve(&r, 100, 0.5, -0.3, 0.5, 1e-4, 0.0, y, k);
    double ymin = INFINITY;
    for (int i = 0; i < 100; i++)
        ymin = fmin(ymin, y[i]);
    CHECK_EQ_INT(dv_curve_fit(y, k, 100, &law), DV_OK);
    CHECK(law.eps <= ymin - 1e-6);
    CHECK_NEAR(law.eps, ymin - 1e-6, 1e-15);
    CHECK(isfinite(law.c) && isfinite(law.alpha) && isfinite(law.nll));
}

/* The reference AggregateLikelihoodEstimator (Adam from alpha 0.5, beta 3,
 * 100 steps; log alpha, log beta clamped to <= 2 like our box) never beats
 * us, nor does a dense grid. */
static void test_curve_vs_reference(void)
{
    dv_rng r;
    dv_rng_seed(&r, test_seed, 9);
    double y[60], k[60];
    for (int t = 0; t < 40; t++) {
        size_t n = 10 + dv_rng_below(&r, 51);
        double eps = uniform(&r, 0.0, 0.3), c = uniform(&r, 0.5, 5.0), a = uniform(&r, 0.1, 1.5);
        double s = exp(uniform(&r, log(1e-3), log(0.1))), b = uniform(&r, 0.0, 3.0);
        draw_curve(&r, n, eps, c, a, s, b, y, k);
        dv_curve_law law;
        CHECK_EQ_INT(dv_curve_fit(y, k, n, &law), DV_OK);
        CHECK(isfinite(law.eps) && isfinite(law.c) && isfinite(law.alpha) &&
              isfinite(law.beta) && isfinite(law.nll));
        /* Adam, finite-difference gradients in (log alpha, log beta). */
        double p[2] = {log(0.5), log(3.0)}, m[2] = {0, 0}, v[2] = {0, 0}, best = INFINITY;
        for (int st = 1; st <= 100; st++) {
            double loss = curve_ref_objective(y, k, n, exp(p[0]), exp(p[1]), 0, NULL, NULL);
            if (loss < best)
                best = loss;
            double g[2];
            for (int j = 0; j < 2; j++) {
                double q[2] = {p[0], p[1]}, hh = 1e-6;
                q[j] += hh;
                double fp = curve_ref_objective(y, k, n, exp(q[0]), exp(q[1]), 0, NULL, NULL);
                q[j] -= 2 * hh;
                double fm = curve_ref_objective(y, k, n, exp(q[0]), exp(q[1]), 0, NULL, NULL);
                g[j] = (fp - fm) / (2 * hh);
            }
            for (int j = 0; j < 2; j++) {
                m[j] = 0.9 * m[j] + 0.1 * g[j];
                v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
                double mh = m[j] / (1 - pow(0.9, st)), vh = v[j] / (1 - pow(0.999, st));
                p[j] -= 0.05 * mh / (sqrt(vh) + 1e-8);
                if (p[j] > 2.0)
                    p[j] = 2.0;
            }
        }
        CHECK_MSG(law.nll <= best + 1e-9, "case %d: nll %.15g > reference %.15g", t, law.nll,
                  best);
        double grid = INFINITY;
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 40; j++)
                grid = fmin(grid, curve_ref_objective(y, k, n, E2 * (i + 0.5) / 40,
                                                      E2 * (j + 0.5) / 40, 1, NULL, NULL));
        CHECK_MSG(law.nll <= grid + 1e-9, "case %d: nll %.15g > grid %.15g", t, law.nll, grid);
        /* Our fields reproduce our nll (and, where alpha is away from 0 so
         * that eps and c are separately identified, our eps and c). */
        double e2, c2;
        double again = curve_ref_objective(y, k, n, law.alpha, law.beta, 1, &e2, &c2);
        CHECK_NEAR(again, law.nll, 1e-9 * (1 + fabs(law.nll)));
        if (law.alpha > 1e-3) {
            CHECK_NEAR(e2, law.eps, 1e-9 * (1 + fabs(law.eps)));
            CHECK_NEAR(c2, law.c, 1e-7 * (1 + fabs(law.c)));
        } else {
            CHECK_EQ_INT(law.status, DV_LAW_BOUND);
        }
    }
}

static void test_curve_degenerate(void)
{
    double y[4] = {0.3, 0.2, 0.15, 0.12}, k[4] = {10, 20, 40, 80};
    dv_curve_law law;
    CHECK_EQ_INT(dv_curve_fit(y, k, 1, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_NO_SAMPLES);
    CHECK_EQ_INT(dv_curve_fit(NULL, NULL, 0, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_NO_SAMPLES);
    double yn[4] = {0.3, NAN, 0.15, 0.12};
    CHECK_EQ_INT(dv_curve_fit(yn, k, 4, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_NONFINITE);
    double kn[4] = {10, 0, 40, 80};
    CHECK_EQ_INT(dv_curve_fit(y, kn, 4, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_NONFINITE);
    double y0[4] = {0, 0, 0, 0};
    CHECK_EQ_INT(dv_curve_fit(y0, k, 4, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_ALL_ZERO);
    CHECK(law.eps == 0 && law.c == 0 && law.alpha == 0 && law.beta == 0 && law.nll == 0);
    double k1[4] = {50, 50, 50, 50};
    CHECK_EQ_INT(dv_curve_fit(y, k1, 4, &law), DV_OK);
    CHECK_EQ_INT(law.status, DV_LAW_ONE_CARD);
    CHECK(isfinite(law.eps) && isfinite(law.c) && isfinite(law.nll));
    CHECK(law.alpha == 0 && law.beta == 0);
    CHECK_EQ_INT(dv_curve_fit(y, k, 4, NULL), DV_EINVAL);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        test_seed = strtoull(argv[1], NULL, 10);
    printf("# seed = %llu\n", (unsigned long long)test_seed);
    RUN(test_status_names);
    RUN(test_degenerate);
    RUN(test_log_exact_power_law);
    RUN(test_log_hand_example);
    RUN(test_nll_formula);
    RUN(test_mle_recovers_parameters);
    RUN(test_mle_vs_reference_adam);
    RUN(test_mle_vs_dense_grid);
    RUN(test_mle_exact_law);
    RUN(test_mle_bounds);
    RUN(test_mle_scale_equivariance);
    RUN(test_fit_combines);
    RUN(test_curve_recovers);
    RUN(test_curve_clamp);
    RUN(test_curve_vs_reference);
    RUN(test_curve_degenerate);
    return CHECK_DONE();
}
