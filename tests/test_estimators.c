/*
 * test_estimators.c -- agreement metrics against hand-computed values and a
 * plain second implementation, and the convergence experiment against a
 * brute-force recomputation on samples drawn from known laws.
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every metric within tol relative to max(1, |reference|). */
#define CHECK_AGREE(a, b, tol)                                              \
    do {                                                                    \
        CHECK_NEAR((a).error, (b).error, (tol) * fmax(1, fabs((b).error)));          \
        CHECK_NEAR((a).expl_var, (b).expl_var, (tol) * fmax(1, fabs((b).expl_var))); \
        CHECK_NEAR((a).r2, (b).r2, (tol) * fmax(1, fabs((b).r2)));                   \
        CHECK_NEAR((a).pearson, (b).pearson, tol);                          \
        CHECK_NEAR((a).spearman, (b).spearman, tol);                        \
        CHECK_NEAR((a).sign, (b).sign, tol);                                \
    } while (0)

/* ---- a second, deliberately plain implementation of the metrics ---- */

static dv_agreement ref_agreement(const double *t, const double *e, size_t n)
{
    dv_agreement a;
    double mse = 0, mt = 0, var = 0, same = 0;
    for (size_t i = 0; i < n; i++) {
        mse += (e[i] - t[i]) * (e[i] - t[i]) / (double)n;
        mt += t[i] / (double)n;
        double st = t[i] > 0 ? 1 : t[i] < 0 ? -1 : 0, se = e[i] > 0 ? 1 : e[i] < 0 ? -1 : 0;
        same += st == se;
    }
    for (size_t i = 0; i < n; i++)
        var += (t[i] - mt) * (t[i] - mt) / (double)n;
    a.error = mse;
    a.expl_var = 1 - mse / var;
    a.r2 = 1 - (mse * (double)n) / (var * (double)n);
    a.pearson = oracle_corr(t, e, n);
    double *rt = malloc(n * sizeof *rt), *re = malloc(n * sizeof *re);
    oracle_ranks(t, n, rt);
    oracle_ranks(e, n, re);
    a.spearman = oracle_corr(rt, re, n);
    free(rt);
    free(re);
    a.sign = same / (double)n;
    return a;
}

/* ---- the metrics ---- */

static void test_hand_computed(void)
{
    /* residuals 0.5, -0.5, 0.5, 1: SS_res = 1.75; truth mean 2.5, SS_tot = 5. */
    double t[4] = {1, 2, 3, 4}, e[4] = {1.5, 1.5, 3.5, 5};
    dv_agreement a;
    CHECK(dv_agreement_eval(t, e, 4, &a, NULL) == DV_OK);
    CHECK_NEAR(a.error, 0.4375, 1e-15);
    CHECK_NEAR(a.expl_var, 1 - 0.4375 / 1.25, 1e-15);
    CHECK_NEAR(a.r2, 1 - 1.75 / 5, 1e-15);
    /* estimate mean 2.875: S_te = 6.25, S_ee = 8.6875 */
    CHECK_NEAR(a.pearson, 6.25 / sqrt(5 * 8.6875), 1e-15);
    /* ranks [1,2,3,4] and [1.5,1.5,3,4]: S_ab = 4.5, S_aa = 5, S_bb = 4.5 */
    CHECK_NEAR(a.spearman, sqrt(0.9), 1e-15);
    CHECK_NEAR(a.sign, 1, 0);
}

static void test_spearman_ties(void)
{
    /* ranks [1, 2.5, 2.5, 4] and [1, 4, 2.5, 2.5]: centred [-1.5,0,0,1.5] and
     * [-1.5,1.5,0,0], so rho = 2.25 / 4.5. */
    double t[4] = {1, 2, 2, 3}, e[4] = {1, 3, 2, 2}, rho;
    CHECK(dv_spearman(t, e, 4, &rho) == DV_OK);
    CHECK_NEAR(rho, 0.5, 1e-15);
    CHECK(dv_spearman(e, t, 4, &rho) == DV_OK);
    CHECK_NEAR(rho, 0.5, 1e-15);
    dv_agreement a;
    CHECK(dv_agreement_eval(t, e, 4, &a, NULL) == DV_OK);
    CHECK_NEAR(a.spearman, 0.5, 1e-15);
    CHECK_NEAR(a.pearson, 0.5, 1e-15); /* centred [-1,0,0,1] and [-1,1,0,0] */
    /* all tied on one side: undefined */
    double c[4] = {2, 2, 2, 2};
    CHECK(dv_spearman(t, c, 4, &rho) == DV_OK);
    CHECK(isnan(rho));
    double bad[2] = {NAN, 1};
    CHECK(dv_spearman(bad, t, 2, &rho) == DV_EINVAL);
    CHECK(dv_spearman(t, e, 1, &rho) == DV_EINVAL);
}

static void test_sign_and_r2(void)
{
    double t[5] = {1, -2, 0, 0, 3}, e[5] = {2, -1, 0, 0.5, -1};
    dv_agreement a;
    CHECK(dv_agreement_eval(t, e, 5, &a, NULL) == DV_OK);
    CHECK_NEAR(a.sign, 0.6, 1e-15); /* signs agree at 0, 1, 2 (0 == 0); not at 3, 4 */
    /* SS_res = 1 + 1 + 0 + 0.25 + 16; truth mean 0.4, SS_tot = 13.2 */
    CHECK_NEAR(a.error, 18.25 / 5, 1e-14);
    CHECK_NEAR(a.r2, 1 - 18.25 / 13.2, 1e-14);
    CHECK_NEAR(a.expl_var, 1 - (18.25 / 5) / (13.2 / 5), 1e-14);
    /* a perfect estimate */
    CHECK(dv_agreement_eval(t, t, 5, &a, NULL) == DV_OK);
    CHECK_NEAR(a.error, 0, 0);
    CHECK_NEAR(a.r2, 1, 0);
    CHECK_NEAR(a.pearson, 1, 1e-15);
    CHECK_NEAR(a.spearman, 1, 1e-15);
    CHECK_NEAR(a.sign, 1, 0);
}

static void test_degenerate(void)
{
    double c[3] = {2, 2, 2}, e[3] = {1, 2, 4};
    dv_agreement a;
    CHECK(dv_agreement_eval(c, e, 3, &a, NULL) == DV_OK);
    CHECK_NEAR(a.error, (1 + 0 + 4) / 3.0, 1e-15);
    CHECK(isnan(a.r2) && isnan(a.expl_var) && isnan(a.pearson) && isnan(a.spearman));
    CHECK_NEAR(a.sign, 1, 0);
    dv_error err = {0};
    double bad[3] = {1, 2, INFINITY};
    CHECK(dv_agreement_eval(e, bad, 3, &a, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "estimate 2") != NULL, "%s", err.msg);
    CHECK(dv_agreement_eval(bad, e, 3, &a, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "truth 2") != NULL, "%s", err.msg);
    CHECK(dv_agreement_eval(e, e, 1, &a, &err) == DV_EINVAL);
}

static void test_against_reference(void)
{
    /* Values rounded to a coarse grid, so both sides have many ties. */
    size_t n = 300;
    double *t = malloc(n * sizeof *t), *e = malloc(n * sizeof *e);
    dv_rng r;
    dv_rng_seed(&r, 3, 0);
    for (size_t i = 0; i < n; i++) {
        t[i] = round(8 * dv_rng_normal(&r)) / 4;
        e[i] = round(4 * (t[i] + dv_rng_normal(&r))) / 4;
    }
    dv_agreement a, b = ref_agreement(t, e, n);
    CHECK(dv_agreement_eval(t, e, n, &a, NULL) == DV_OK);
    CHECK_AGREE(a, b, 1e-12);
    CHECK(a.sign > 0.5 && a.sign < 1);
    free(t);
    free(e);
}

/* ---- the convergence experiment ---- */

typedef struct {
    size_t P, M, G;
    double *D, *truth;
    int32_t *K;
} synth_run;

/* delta = c k^-alpha + noise sd(c) k^-1/2, c in [-1, 1] * 1e-2, alpha in
 * [0.5, 1.5]; uniform k in [10, 200] (G = 0) or G grid blocks.  truth is the
 * law value over [10, 200]. */
static synth_run make_run(size_t P, size_t M, size_t G, const int32_t *grid)
{
    synth_run s = {P, M, G, malloc(P * M * sizeof(double)), malloc(P * sizeof(double)),
                   malloc(P * M * sizeof(int32_t))};
    dv_rng r;
    dv_rng_seed(&r, 17, G);
    for (size_t i = 0; i < P; i++) {
        double c = 1e-2 * (2 * dv_rng_uniform(&r) - 1), alpha = 0.5 + dv_rng_uniform(&r);
        s.truth[i] = dv_law_mean_value(c, alpha, 10, 200);
        for (size_t j = 0; j < M; j++) {
            int32_t k = G ? grid[j / (M / G)] : (int32_t)(10 + dv_rng_below(&r, 191));
            s.K[i * M + j] = k;
            s.D[i * M + j] = c * pow(k, -alpha) + 2e-3 * dv_rng_normal(&r) / sqrt(k);
        }
    }
    return s;
}

static void free_run(synth_run *s)
{
    free(s->D);
    free(s->truth);
    free(s->K);
}

/* Brute force: pick the first m samples as documented (counts per grid
 * block), the plain mean, the law fit, the reference metrics. */
static void brute(const synth_run *s, size_t m, dv_agreement *mc, dv_agreement *law)
{
    double *emc = malloc(s->P * sizeof *emc), *elaw = malloc(s->P * sizeof *elaw);
    double *d = malloc(m * sizeof *d);
    int32_t *k = malloc(m * sizeof *k);
    for (size_t i = 0; i < s->P; i++) {
        size_t n = 0;
        if (s->G) {
            size_t B = s->M / s->G;
            for (size_t g = 0; g < s->G; g++) {
                size_t take = m / s->G + (g < m % s->G);
                for (size_t u = 0; u < take; u++, n++) {
                    d[n] = s->D[i * s->M + g * B + u];
                    k[n] = s->K[i * s->M + g * B + u];
                }
            }
        } else {
            for (; n < m; n++) {
                d[n] = s->D[i * s->M + n];
                k[n] = s->K[i * s->M + n];
            }
        }
        CHECK_EQ_INT(n, m);
        double sum = 0;
        for (size_t u = 0; u < m; u++)
            sum += d[u];
        emc[i] = sum / (double)m;
        dv_law L;
        dv_law_fit(d, k, m, &L);
        elaw[i] = dv_law_mean_value(L.c, L.alpha, 10, 200);
    }
    *mc = ref_agreement(s->truth, emc, s->P);
    *law = ref_agreement(s->truth, elaw, s->P);
    free(emc);
    free(elaw);
    free(d);
    free(k);
}

static void test_convergence_uniform(void)
{
    synth_run s = make_run(60, 400, 0, NULL);
    size_t budgets[] = {5, 10, 20, 50, 100, 200, 400}, nb = 7;
    dv_agreement mc[7], law[7], mc2[7], law2[7];
    dv_error err = {0};
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 0, s.truth, budgets, nb, 10, 200, 1, mc,
                                   law, &err) == DV_OK);
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 0, s.truth, budgets, nb, 10, 200, 2, mc2,
                                   law2, &err) == DV_OK);
    CHECK(memcmp(mc, mc2, sizeof mc) == 0 && memcmp(law, law2, sizeof law) == 0);
    for (size_t b = 0; b < nb; b++) {
        dv_agreement bm, bl;
        brute(&s, budgets[b], &bm, &bl);
        CHECK_AGREE(mc[b], bm, 1e-12);
        CHECK_AGREE(law[b], bl, 1e-9);
        if (getenv("DV_VERBOSE"))
            printf("m=%zu mc err %.3g ev %.3f r %.3f | law err %.3g ev %.3f r %.3f sp %.3f\n",
                   budgets[b], mc[b].error, mc[b].expl_var, mc[b].pearson, law[b].error,
                   law[b].expl_var, law[b].pearson, law[b].spearman);
    }
    /* Both estimators improve with the budget. */
    CHECK_MSG(mc[nb - 1].error < 0.2 * mc[0].error, "mc %g -> %g", mc[0].error, mc[nb - 1].error);
    CHECK_MSG(law[nb - 1].error < 0.2 * law[0].error, "law %g -> %g", law[0].error,
              law[nb - 1].error);
    CHECK(mc[nb - 1].error < mc[2].error && law[nb - 1].error < law[2].error);
    CHECK(mc[nb - 1].pearson > mc[0].pearson && law[nb - 1].pearson > law[0].pearson);
    CHECK(law[nb - 1].expl_var > 0.9);
    free_run(&s);
}

static void test_convergence_grid(void)
{
    int32_t grid[4] = {10, 30, 90, 200};
    synth_run s = make_run(40, 4 * 50, 4, grid);
    size_t budgets[] = {6, 13, 40, 101, 200}, nb = 5;
    dv_agreement mc[5], law[5];
    dv_error err = {0};
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 4, s.truth, budgets, nb, 10, 200, 2, mc,
                                   law, &err) == DV_OK);
    for (size_t b = 0; b < nb; b++) {
        dv_agreement bm, bl;
        brute(&s, budgets[b], &bm, &bl);
        CHECK_AGREE(mc[b], bm, 1e-12);
        CHECK_AGREE(law[b], bl, 1e-8);
    }
    CHECK(mc[nb - 1].error < 0.3 * mc[0].error && law[nb - 1].error < 0.3 * law[0].error);
    /* Bad arguments name what is wrong. */
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 3, s.truth, budgets, nb, 10, 200, 1, mc,
                                   law, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "3 cardinality blocks") != NULL, "%s", err.msg);
    size_t one = 1, many = 201;
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 4, s.truth, &one, 1, 10, 200, 1, mc, law,
                                   &err) == DV_EINVAL);
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 4, s.truth, &many, 1, 10, 200, 1, mc, law,
                                   &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "201") != NULL, "%s", err.msg);
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 4, s.truth, budgets, nb, 0, 200, 1, mc, law,
                                   &err) == DV_EINVAL);
    s.D[3 * s.M + 7] = NAN;
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 4, s.truth, budgets, nb, 10, 200, 1, mc,
                                   law, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "point 3, sample 7") != NULL, "%s", err.msg);
    s.D[3 * s.M + 7] = 0;
    s.K[5] = 0;
    CHECK(dv_estimator_convergence(s.D, s.K, s.P, s.M, 4, s.truth, budgets, nb, 10, 200, 1, mc,
                                   law, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "point 0, sample 5") != NULL, "%s", err.msg);
    free_run(&s);
}

int main(void)
{
    RUN(test_hand_computed);
    RUN(test_spearman_ties);
    RUN(test_sign_and_r2);
    RUN(test_degenerate);
    RUN(test_against_reference);
    RUN(test_convergence_uniform);
    RUN(test_convergence_grid);
    return CHECK_DONE();
}
