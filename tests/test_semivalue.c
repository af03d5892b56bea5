/*
 * test_semivalue.c -- the game-theoretic methods against closed forms and
 * brute force: symmetric voting and airport games, additive games, exact
 * enumeration against an independent permutation enumeration, Monte Carlo
 * estimators converging to the exact values as the budget grows, a real
 * learner on ten points, thread-count independence and the stopping rules.
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A game given by a table over bit masks. */
typedef struct {
    size_t n;
    double *u; /* 2^n */
} table_game;

static int table_utility(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    (void)state;
    const table_game *t = user;
    size_t mask = 0;
    for (size_t i = 0; i < n; i++)
        mask |= (size_t)1 << S[i];
    *out = t->u[mask];
    return 0;
}

static dv_game make_game(table_game *t)
{
    dv_game g = {t->n, t, table_utility, NULL, NULL};
    return g;
}

/* Shapley values by enumerating all n! permutations (independent of the
 * library's subset enumeration). */
static void shapley_by_permutations(const table_game *t, double *phi)
{
    size_t n = t->n, perm[10], count = 0;
    for (size_t i = 0; i < n; i++) {
        perm[i] = i;
        phi[i] = 0;
    }
    for (;;) {
        size_t mask = 0;
        for (size_t j = 0; j < n; j++) {
            size_t next = mask | (size_t)1 << perm[j];
            phi[perm[j]] += t->u[next] - t->u[mask];
            mask = next;
        }
        count++;
        /* next permutation in lexicographic order */
        size_t i = n - 1;
        while (i > 0 && perm[i - 1] >= perm[i])
            i--;
        if (i == 0)
            break;
        size_t j = n - 1;
        while (perm[j] <= perm[i - 1])
            j--;
        size_t tmp = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmp;
        for (size_t a = i, b = n - 1; a < b; a++, b--) {
            tmp = perm[a];
            perm[a] = perm[b];
            perm[b] = tmp;
        }
    }
    for (size_t i = 0; i < n; i++)
        phi[i] /= (double)count;
}

static double binom(size_t n, size_t k)
{
    double r = 1;
    for (size_t i = 1; i <= k; i++)
        r = r * (double)(n - k + i) / (double)i;
    return r;
}

static void run_method(dv_game *g, dv_method m, size_t budget, uint64_t seed, int threads,
                       double *v, double *se, dv_value_info *info)
{
    dv_value_params p;
    dv_value_params_default(&p, m);
    p.max_samples = budget;
    p.min_samples = budget; /* fixed budget: no early stop */
    p.truncation = 0;
    p.seed = seed;
    p.n_threads = threads;
    p.beta_a = 1; /* overridden by callers that want Beta weights */
    p.beta_b = 1;
    dv_error err = {0};
    int rc = dv_value_game(g, &p, v, se, info, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
}

static void test_symmetric_voting(void)
{
    /* U(S) = 1 iff |S| > n/2, n even: Shapley 1/n, Banzhaf C(n-1, n/2)/2^(n-1). */
    table_game t = {8, malloc(256 * sizeof(double))};
    for (size_t m = 0; m < 256; m++)
        t.u[m] = __builtin_popcountll(m) > 4;
    dv_game g = make_game(&t);
    double v[8];
    run_method(&g, DV_METHOD_EXACT_SHAPLEY, 1, 0, 2, v, NULL, NULL);
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(v[i], 1.0 / 8, 1e-15);
    run_method(&g, DV_METHOD_EXACT_BANZHAF, 1, 0, 2, v, NULL, NULL);
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(v[i], binom(7, 4) / 128.0, 1e-15);
    free(t.u);
}

static void test_airport(void)
{
    /* Airport game (Littlechild & Owen 1973): U(S) = -max cost in S;
     * Shapley value of player i = -sum_{j<=i} (c_j - c_{j-1}) / (n - j + 1). */
    double c[6] = {1, 1, 2, 3.5, 3.5, 6};
    table_game t = {6, malloc(64 * sizeof(double))};
    for (size_t m = 0; m < 64; m++) {
        double mx = 0;
        for (int i = 0; i < 6; i++)
            if (m >> i & 1 && c[i] > mx)
                mx = c[i];
        t.u[m] = -mx;
    }
    dv_game g = make_game(&t);
    double v[6];
    run_method(&g, DV_METHOD_EXACT_SHAPLEY, 1, 0, 1, v, NULL, NULL);
    for (int i = 0; i < 6; i++) {
        double want = 0, prev = 0;
        for (int j = 0; j <= i; j++) {
            want -= (c[j] - prev) / (double)(6 - j);
            prev = c[j];
        }
        CHECK_NEAR(v[i], want, 1e-14);
    }
    free(t.u);
}

static void test_additive(void)
{
    /* U(S) = sum a_i: every semivalue, LOO and every single permutation give a_i. */
    double a[7] = {0.5, -1, 2, 0, 3.25, -0.75, 1};
    table_game t = {7, malloc(128 * sizeof(double))};
    for (size_t m = 0; m < 128; m++) {
        t.u[m] = 0;
        for (int i = 0; i < 7; i++)
            if (m >> i & 1)
                t.u[m] += a[i];
    }
    dv_game g = make_game(&t);
    double v[7];
    dv_method ms[] = {DV_METHOD_LOO, DV_METHOD_EXACT_SHAPLEY, DV_METHOD_EXACT_BANZHAF,
                      DV_METHOD_TMC};
    for (size_t k = 0; k < 4; k++) {
        run_method(&g, ms[k], 3, 1, 2, v, NULL, NULL);
        for (int i = 0; i < 7; i++)
            CHECK_NEAR(v[i], a[i], 1e-13);
    }
    /* MSR Banzhaf is unbiased for a_i: within a few standard errors. */
    double se[7];
    run_method(&g, DV_METHOD_BANZHAF, 4000, 1, 2, v, se, NULL);
    for (int i = 0; i < 7; i++)
        CHECK_MSG(fabs(v[i] - a[i]) < 5 * se[i], "player %d: %g vs %g (se %g)", i, v[i], a[i], se[i]);
    free(t.u);
}

static table_game random_game(size_t n, uint64_t seed)
{
    table_game t = {n, malloc(((size_t)1 << n) * sizeof(double))};
    dv_rng r;
    dv_rng_seed(&r, seed, 1);
    for (size_t m = 0; m < ((size_t)1 << n); m++)
        t.u[m] = __builtin_popcountll(m) * 0.3 + dv_rng_normal(&r);
    t.u[0] = 0;
    return t;
}

static void test_exact_vs_permutations(void)
{
    table_game t = random_game(7, 5);
    dv_game g = make_game(&t);
    double v[7], want[7];
    run_method(&g, DV_METHOD_EXACT_SHAPLEY, 1, 0, 2, v, NULL, NULL);
    shapley_by_permutations(&t, want);
    double sum = 0;
    for (int i = 0; i < 7; i++) {
        CHECK_NEAR(v[i], want[i], 1e-12);
        sum += v[i];
    }
    CHECK_NEAR(sum, t.u[127] - t.u[0], 1e-12); /* efficiency */
    free(t.u);
}

static double max_err(const double *a, const double *b, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > e)
            e = fabs(a[i] - b[i]);
    return e;
}

static void test_monte_carlo_converges(void)
{
    table_game t = random_game(6, 9);
    dv_game g = make_game(&t);
    double exact[6], v[6], se[6];
    /* Shapley: permutation sampling */
    run_method(&g, DV_METHOD_EXACT_SHAPLEY, 1, 0, 2, exact, NULL, NULL);
    run_method(&g, DV_METHOD_TMC, 100, 3, 2, v, se, NULL);
    double e_small = max_err(v, exact, 6);
    run_method(&g, DV_METHOD_TMC, 10000, 3, 2, v, se, NULL);
    double e_big = max_err(v, exact, 6);
    CHECK_MSG(e_big < e_small / 3, "error %g (100) vs %g (10000)", e_small, e_big);
    for (int i = 0; i < 6; i++)
        CHECK_MSG(fabs(v[i] - exact[i]) < 5 * se[i] + 1e-12, "player %d: %g vs %g (se %g)", i, v[i],
                  exact[i], se[i]);
    /* Banzhaf: MSR */
    run_method(&g, DV_METHOD_EXACT_BANZHAF, 1, 0, 2, exact, NULL, NULL);
    run_method(&g, DV_METHOD_BANZHAF, 200, 4, 2, v, se, NULL);
    e_small = max_err(v, exact, 6);
    run_method(&g, DV_METHOD_BANZHAF, 20000, 4, 2, v, se, NULL);
    e_big = max_err(v, exact, 6);
    CHECK_MSG(e_big < e_small / 3, "error %g (200) vs %g (20000)", e_small, e_big);
    for (int i = 0; i < 6; i++)
        CHECK_MSG(fabs(v[i] - exact[i]) < 5 * se[i], "player %d: %g vs %g (se %g)", i, v[i],
                  exact[i], se[i]);
    free(t.u);
}

/* Exact Beta Shapley by enumeration: sum_j w(j) * mean over |S| = j - 1 of
 * the marginal, w(j) = C(n-1, j-1) Beta(j + b - 1, n - j + a) / Beta(a, b). */
static void beta_exact(const table_game *t, double a, double b, double *out)
{
    size_t n = t->n;
    for (size_t i = 0; i < n; i++) {
        double v = 0;
        for (size_t s = 0; s < n; s++) {
            double sum = 0, cnt = 0;
            for (size_t m = 0; m < ((size_t)1 << n); m++)
                if (!(m >> i & 1) && (size_t)__builtin_popcountll(m) == s) {
                    sum += t->u[m | (size_t)1 << i] - t->u[m];
                    cnt++;
                }
            size_t j = s + 1;
            double lw = lgamma((double)n) - lgamma((double)j) - lgamma((double)(n - j + 1)) +
                        lgamma((double)j + b - 1) + lgamma((double)(n - j) + a) -
                        lgamma((double)n + a + b - 1) - (lgamma(a) + lgamma(b) - lgamma(a + b));
            v += exp(lw) * sum / cnt;
        }
        out[i] = v;
    }
}

static void test_beta(void)
{
    table_game t = random_game(6, 13);
    dv_game g = make_game(&t);
    double exact[6], v[6], se[6];
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_BETA);
    p.max_samples = p.min_samples = 20000;
    p.seed = 2;
    dv_error err = {0};
    CHECK(dv_value_game(&g, &p, v, se, NULL, &err) == 0);
    beta_exact(&t, 4, 1, exact);
    for (int i = 0; i < 6; i++)
        CHECK_MSG(fabs(v[i] - exact[i]) < 5 * se[i], "beta(4,1) player %d: %g vs %g (se %g)", i, v[i],
                  exact[i], se[i]);
    /* Beta(1, 1) is the Shapley value, sample for sample. */
    p.beta_a = p.beta_b = 1;
    p.max_samples = p.min_samples = 300;
    double vt[6];
    CHECK(dv_value_game(&g, &p, v, NULL, NULL, &err) == 0);
    dv_value_params q = p;
    q.method = DV_METHOD_TMC;
    q.truncation = 0;
    CHECK(dv_value_game(&g, &q, vt, NULL, NULL, &err) == 0);
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(v[i], vt[i], 1e-12);
    free(t.u);
}

static void test_threads_and_stopping(void)
{
    table_game t = random_game(9, 21);
    dv_game g = make_game(&t);
    double v1[9], v2[9];
    run_method(&g, DV_METHOD_TMC, 500, 8, 1, v1, NULL, NULL);
    run_method(&g, DV_METHOD_TMC, 500, 8, 2, v2, NULL, NULL);
    CHECK(memcmp(v1, v2, sizeof v1) == 0);
    run_method(&g, DV_METHOD_BANZHAF, 500, 8, 1, v1, NULL, NULL);
    run_method(&g, DV_METHOD_BANZHAF, 500, 8, 2, v2, NULL, NULL);
    CHECK(memcmp(v1, v2, sizeof v1) == 0);

    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_TMC);
    p.truncation = 0;
    p.max_samples = 200000;
    dv_value_info info;
    dv_error err = {0};
    p.rhat = 1.01;
    double se9[9];
    CHECK(dv_value_game(&g, &p, v1, se9, &info, &err) == 0);
    CHECK_EQ_INT(info.stop_rule, DV_STOP_RHAT);
    CHECK(info.stop_level <= 1.01 && info.samples < 200000);
    CHECK_EQ_INT(info.samples % p.check_every, 0);
    /* R-hat stops only once every value is resolved: each standard error
     * within rel_stderr of the values' spread, recomputed here; R-hat alone
     * (rel_stderr 0) stops no later. */
    {
        double m = 0, ss = 0, worst = 0;
        for (int i = 0; i < 9; i++)
            m += v1[i] / 9;
        for (int i = 0; i < 9; i++) {
            ss += (v1[i] - m) * (v1[i] - m);
            worst = se9[i] > worst ? se9[i] : worst;
        }
        double sd = sqrt(ss / 8);
        CHECK_MSG(worst <= p.rel_stderr * sd, "max stderr %.3g, sd %.3g", worst, sd);
        CHECK(info.converged && fabs(info.max_stderr - worst) <= 1e-15 &&
              fabs(info.value_sd - sd) <= 1e-12 * sd);
        dv_value_info alone;
        p.rel_stderr = 0;
        CHECK(dv_value_game(&g, &p, v2, NULL, &alone, &err) == 0);
        CHECK(alone.stop_rule == DV_STOP_RHAT && alone.samples <= info.samples);
        p.rel_stderr = 0.1;
    }
    /* A time budget that does not bind changes the batches, not the stop. */
    dv_value_info info2;
    p.max_seconds = 1e6;
    p.check_every = 7;
    CHECK(dv_value_game(&g, &p, v1, NULL, &info, &err) == 0);
    p.max_seconds = 0;
    CHECK(dv_value_game(&g, &p, v2, NULL, &info2, &err) == 0);
    CHECK_EQ_INT(info.samples, info2.samples);
    CHECK_EQ_INT(info.samples % 7, 0);
    CHECK(memcmp(v1, v2, sizeof v1) == 0);
    p.check_every = 0;
    p.rhat = 0;
    p.stderr_tol = 0.02;
    double se[9];
    CHECK(dv_value_game(&g, &p, v1, se, &info, &err) == 0);
    CHECK_EQ_INT(info.stop_rule, DV_STOP_STDERR);
    for (int i = 0; i < 9; i++)
        CHECK(se[i] <= 0.02);
    p.stderr_tol = 0;
    p.rank_tol = 0.001;
    CHECK(dv_value_game(&g, &p, v1, NULL, &info, &err) == 0);
    CHECK_EQ_INT(info.stop_rule, DV_STOP_RANK);
    CHECK(info.stop_level >= 0.999);
    p.rank_tol = 0;
    p.max_samples = 150;
    CHECK(dv_value_game(&g, &p, v1, NULL, &info, &err) == 0);
    CHECK_EQ_INT(info.stop_rule, DV_STOP_SAMPLES);
    CHECK_EQ_INT(info.samples, 150);
    CHECK(info.converged == 0); /* the budget, not a precision rule, stopped it */
    p.method = DV_METHOD_AME;
    CHECK(dv_value_game(&g, &p, v1, NULL, &info, &err) == 0);
    CHECK(info.converged == -1); /* a fixed budget without standard errors: unknown */
    p.method = DV_METHOD_TMC;
    /* too many players for enumeration */
    table_game big = {30, NULL};
    dv_game gb = make_game(&big);
    p.method = DV_METHOD_EXACT_SHAPLEY;
    CHECK(dv_value_game(&gb, &p, v1, NULL, NULL, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "at most") != NULL);
    free(t.u);
}

/* A real learner on ten points: TMC without truncation approaches the exact
 * Shapley values of the logistic-regression utility. */
static void test_learner_game(void)
{
    size_t n = 10, d = 2;
    double X[20], y[10], Xv[80], yv[40];
    dv_rng r;
    dv_rng_seed(&r, 77, 0);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 2);
        X[i * d] = dv_rng_normal(&r) + (y[i] ? 1.0 : -1.0);
        X[i * d + 1] = dv_rng_normal(&r);
    }
    y[3] = 0; /* a mislabeled point */
    for (size_t i = 0; i < 40; i++) {
        yv[i] = (double)(i % 2);
        Xv[i * d] = dv_rng_normal(&r) + (yv[i] ? 1.0 : -1.0);
        Xv[i * d + 1] = dv_rng_normal(&r);
    }
    dv_dataset *tr, *va;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&va, 40, d, Xv, yv, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_EXACT_SHAPLEY);
    double exact[10], v[10], se[10], loo[10];
    CHECK(dv_value_compute(tr, va, &p, exact, NULL, NULL, &err) == 0);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += exact[i];
    /* efficiency: U(D) - U(empty); U(empty) is the uniform prior, log-loss log 2 */
    p.method = DV_METHOD_LOO;
    CHECK(dv_value_compute(tr, va, &p, loo, NULL, NULL, &err) == 0);
    dv_model *m;
    double ud;
    CHECK(dv_model_fit(&m, &p.learner, tr, NULL, 0, NULL, &err) == 0);
    CHECK(dv_model_score(m, va, DV_METRIC_NEG_LOGLOSS, &ud) == 0);
    dv_model_free(m);
    CHECK_NEAR(sum, ud - (-log(2.0)), 1e-8);
    p.method = DV_METHOD_TMC;
    p.truncation = 0;
    p.max_samples = p.min_samples = 20;
    dv_value_info vi;
    CHECK(dv_value_compute(tr, va, &p, v, se, &vi, &err) == 0);
    CHECK_EQ_INT(vi.metric, DV_METRIC_ACCURACY); /* tmc's default utility on classification */
    p.metric = DV_METRIC_NEG_LOGLOSS; /* the utility of the exact values above */
    p.max_samples = p.min_samples = 2000;
    CHECK(dv_value_compute(tr, va, &p, v, se, &vi, &err) == 0);
    CHECK_EQ_INT(vi.metric, DV_METRIC_NEG_LOGLOSS);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(fabs(v[i] - exact[i]) < 5 * se[i] + 1e-9, "point %zu: %g vs %g (se %g)", i, v[i],
                  exact[i], se[i]);
    CHECK(exact[3] < 0); /* the mislabeled point hurts */
    /* groups: two groups, exact Shapley over groups is efficient too */
    int64_t groups[10] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    p.method = DV_METHOD_EXACT_SHAPLEY;
    p.groups = groups;
    p.n_groups = 2;
    double gv[2];
    CHECK(dv_value_compute(tr, va, &p, gv, NULL, NULL, &err) == 0);
    CHECK_NEAR(gv[0] + gv[1], ud + log(2.0), 1e-8);
    groups[4] = 2;
    CHECK(dv_value_compute(tr, va, &p, gv, NULL, NULL, &err) == DV_EINVAL);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* Calibrated standard errors: over 20 seeds and 8 players, the exact value
 * lies within 2 reported standard errors of the estimate for at least 90 %
 * of the 160 intervals (nominal 95.4 %; three binomial standard deviations
 * below), for tmc (exact Shapley), banzhaf (exact Banzhaf) and beta (Beta(4,
 * 1) weights; the reference a run of 50,000 permutations). */
static void coverage(dv_game *g, dv_method m, const double *exact, size_t budget, double a,
                     double b)
{
    size_t in = 0, total = 0;
    for (uint64_t seed = 0; seed < 20; seed++) {
        dv_value_params p;
        dv_value_params_default(&p, m);
        p.max_samples = p.min_samples = budget;
        p.truncation = 0;
        p.seed = 100 + seed;
        p.beta_a = a;
        p.beta_b = b;
        double v[8], se[8];
        dv_error err = {0};
        CHECK(dv_value_game(g, &p, v, se, NULL, &err) == 0);
        for (size_t i = 0; i < 8; i++, total++)
            in += fabs(v[i] - exact[i]) <= 2 * se[i];
    }
    double cov = (double)in / (double)total;
    printf("# %s: %zu of %zu exact values within 2 standard errors (%.3f)\n", dv_method_name(m),
           in, total, cov);
    CHECK_MSG(cov >= 0.9, "%s: coverage %.3f", dv_method_name(m), cov);
}

static void test_calibration(void)
{
    table_game t = random_game(8, 77);
    dv_game g = make_game(&t);
    double sh[8], bz[8], beta[8];
    shapley_by_permutations(&t, sh);
    run_method(&g, DV_METHOD_EXACT_BANZHAF, 1, 0, 2, bz, NULL, NULL);
    coverage(&g, DV_METHOD_TMC, sh, 200, 1, 1);
    coverage(&g, DV_METHOD_BANZHAF, bz, 400, 1, 1);
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_BETA);
    p.max_samples = p.min_samples = 50000;
    p.truncation = 0;
    p.seed = 1;
    dv_error err = {0};
    CHECK(dv_value_game(&g, &p, beta, NULL, NULL, &err) == 0);
    coverage(&g, DV_METHOD_BETA, beta, 200, 4, 1);
    free(t.u);
}

/* Payments by value: the rule on numbers worked by hand, bad input, and the
 * stated standard error against the spread of the payments over seeds of a
 * Monte Carlo Shapley estimate (whose values sum to U(all) - U(none) in
 * every run, so that only each source's own error remains). */
static void test_prices(void)
{
    double v[4] = {3, -1, 1, 0}, se[4] = {0.3, 0.5, NAN, 0.1}, pay[4], pse[4];
    dv_error err = {0};
    CHECK(dv_prices(v, se, 4, 100, pay, pse, &err) == 0);
    CHECK_NEAR(pay[0], 75, 1e-12);
    CHECK_NEAR(pay[2], 25, 1e-12);
    CHECK(pay[1] == 0 && pay[3] == 0 && pse[1] == 0 && pse[3] == 0);
    CHECK_NEAR(pse[0], 7.5, 1e-12);
    CHECK(isnan(pse[2]));
    double neg[2] = {-1, 0};
    CHECK(dv_prices(neg, NULL, 2, 10, pay, pse, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "no value is positive") != NULL);
    double bad[2] = {1, NAN};
    CHECK(dv_prices(bad, NULL, 2, 10, pay, pse, &err) == DV_EINVAL);
    CHECK(dv_prices(v, NULL, 4, -5, pay, pse, &err) == DV_EINVAL);

    /* U(S) = sqrt(sum of weights): every Shapley value is positive */
    enum { N = 6, SEEDS = 60 };
    double w[N] = {1, 2, 3, 5, 8, 13};
    table_game t = {N, malloc(((size_t)1 << N) * sizeof(double))};
    for (size_t m = 0; m < ((size_t)1 << N); m++) {
        double sum = 0;
        for (int i = 0; i < N; i++)
            sum += m >> i & 1 ? w[i] : 0;
        t.u[m] = sqrt(sum);
    }
    dv_game g = make_game(&t);
    double mean_se[N] = {0}, sum_p[N] = {0}, sum_p2[N] = {0}, vv[N], ss[N], pp[N], ps[N];
    for (int s = 0; s < SEEDS; s++) {
        run_method(&g, DV_METHOD_TMC, 40, 100 + (uint64_t)s, 1, vv, ss, NULL);
        CHECK(dv_prices(vv, ss, N, 1000, pp, ps, &err) == 0);
        double total = 0;
        for (int i = 0; i < N; i++) {
            total += pp[i];
            mean_se[i] += ps[i] / SEEDS;
            sum_p[i] += pp[i];
            sum_p2[i] += pp[i] * pp[i];
        }
        CHECK_NEAR(total, 1000, 1e-9);
    }
    for (int i = 0; i < N; i++) {
        double m = sum_p[i] / SEEDS, sd = sqrt((sum_p2[i] - SEEDS * m * m) / (SEEDS - 1));
        CHECK_MSG(sd > 0.65 * mean_se[i] && sd < 1.35 * mean_se[i],
                  "source %d: payments spread %g over seeds, stated stderr %g", i, sd,
                  mean_se[i]);
    }
    free(t.u);
}

int main(void)
{
    RUN(test_calibration);
    RUN(test_prices);
    RUN(test_symmetric_voting);
    RUN(test_airport);
    RUN(test_additive);
    RUN(test_exact_vs_permutations);
    RUN(test_monte_carlo_converges);
    RUN(test_beta);
    RUN(test_threads_and_stopping);
    RUN(test_learner_game);
    return CHECK_DONE();
}
