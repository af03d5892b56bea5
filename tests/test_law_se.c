/*
 * test_law_se.c -- the standard error of a point's law value
 * (dv_law_value_stderr, src/scaling/law_se.c) against the spread of the
 * estimator itself over many simulated data sets.
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const uint64_t test_seed = 20261206;

/* n samples of delta ~ N(c k^-alpha, sigma^2 k^-beta), k uniform in
 * [100, 1000). */
static void draw(dv_rng *r, size_t n, double c, double alpha, double sigma, double beta,
                 double *delta, int32_t *card)
{
    for (size_t i = 0; i < n; i++) {
        int32_t k = (int32_t)(100 + dv_rng_below(r, 900));
        card[i] = k;
        delta[i] = c * pow(k, -alpha) + sigma * pow(k, -0.5 * beta) * dv_rng_normal(r);
    }
}

/* The law value's standard error against the spread of the estimator
 * itself: 400 independent data sets of 200 samples from a known law (and
 * from one whose noise is not the fitted variance law: uniform, with a
 * constant spread), each fitted; the mean reported error must match the
 * standard deviation of the 400 values, and the true value must lie within
 * two reported errors about 95 % of the time. */
static void test_law_value_stderr(void)
{
    enum { R = 400, N = 200 };
    static double d[N];
    static int32_t k[N];
    const double truth[3][4] = {{0.5, 0.8, 0.1, 1.2}, {-0.02, 0.3, 0.02, 1.0}, {30.0, 1.1, 0.05, 0.0}};
    for (int t = 0; t < 3; t++) {
        double vals[R], ses[R], want = dv_law_mean_value(truth[t][0], truth[t][1], 100, 999);
        size_t inside = 0, m = 0;
        dv_rng r;
        dv_rng_seed(&r, test_seed, 700 + t);
        for (int rep = 0; rep < R; rep++) {
            if (t < 2) {
                draw(&r, N, truth[t][0], truth[t][1], truth[t][2], truth[t][3], d, k);
            } else { /* uniform noise of constant width: neither Gaussian nor k^-beta */
                for (size_t i = 0; i < N; i++) {
                    k[i] = (int32_t)(100 + dv_rng_below(&r, 900));
                    d[i] = truth[t][0] * pow(k[i], -truth[t][1]) +
                           truth[t][2] * (2.0 * dv_rng_uniform(&r) - 1.0);
                }
            }
            dv_law law;
            if (dv_law_fit(d, k, N, &law) != DV_OK)
                continue;
            double se = dv_law_value_stderr(d, k, N, &law, 100, 999);
            if (!isfinite(se))
                continue;
            vals[m] = dv_law_mean_value(law.c, law.alpha, 100, 999);
            ses[m] = se;
            inside += fabs(vals[m] - want) <= 2.0 * se;
            m++;
        }
        CHECK_MSG(m >= R - 4, "case %d: %zu of %d fits give an error", t, m, R);
        double mean = 0, var = 0, mse = 0;
        for (size_t i = 0; i < m; i++)
            mean += vals[i] / (double)m;
        for (size_t i = 0; i < m; i++) {
            var += (vals[i] - mean) * (vals[i] - mean) / (double)(m - 1);
            mse += ses[i] * ses[i] / (double)m;
        }
        double ratio = sqrt(mse / var), cover = (double)inside / (double)m;
        CHECK_MSG(ratio > 0.85 && ratio < 1.15, "case %d: reported %.4g, actual spread %.4g", t,
                  sqrt(mse), sqrt(var));
        CHECK_MSG(cover >= 0.91 && cover <= 0.985, "case %d: %.3f within 2 errors", t, cover);
        if (getenv("DV_TEST_VERBOSE"))
            printf("# law value se, case %d: ratio %.3f, coverage %.3f\n", t, ratio, cover);
    }
    dv_law bad = {0};
    bad.status = DV_LAW_NONFINITE;
    CHECK(isnan(dv_law_value_stderr(d, k, N, &bad, 100, 999)));
    CHECK(isnan(dv_law_value_stderr(d, k, 2, &bad, 100, 999)));
}

int main(void)
{
    RUN(test_law_value_stderr);
    return CHECK_DONE();
}
