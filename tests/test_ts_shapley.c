/*
 * test_ts_shapley.c -- TS-DShapley against oracles: on an additive game
 * every subset gives each player its weight, so every sample is w_i m / n
 * exactly; on a concave game the estimate converges to the mean, over the
 * subsets containing the player, of its Shapley value in the subset's game
 * (enumerated here), times m / n; with subsets as large as the data it is
 * tmc, bit for bit; and its values do not depend on the thread count.
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { NP = 8 };
static const double W[NP] = {0.5, 1.0, 2.0, 0.25, 3.0, 1.5, 0.75, 4.0};

static int additive(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    (void)user;
    (void)state;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += W[S[i]];
    *out = s;
    return DV_OK;
}

static double concave_of_mask(unsigned mask)
{
    double s = 0;
    for (int i = 0; i < NP; i++)
        if (mask >> i & 1)
            s += W[i];
    return sqrt(s);
}

static int concave(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    (void)user;
    (void)state;
    unsigned mask = 0;
    for (size_t i = 0; i < n; i++)
        mask |= 1u << S[i];
    *out = concave_of_mask(mask);
    return DV_OK;
}

static double factorial(int k) { return k <= 1 ? 1.0 : k * factorial(k - 1); }

/* Player i's Shapley value in the game of the players of mask (size m). */
static double shapley_in(unsigned mask, int i)
{
    int m = __builtin_popcount(mask);
    unsigned rest = mask & ~(1u << i);
    double v = 0;
    for (unsigned T = rest;; T = (T - 1) & rest) {
        int t = __builtin_popcount(T);
        v += factorial(t) * factorial(m - t - 1) / factorial(m) *
             (concave_of_mask(T | 1u << i) - concave_of_mask(T));
        if (T == 0)
            break;
    }
    return v;
}

static void params(dv_value_params *p, size_t subset, size_t samples)
{
    dv_value_params_default(p, DV_METHOD_TS_SHAPLEY);
    p->ts_subset = subset;
    p->max_samples = samples;
    p->min_samples = samples; /* the whole budget */
    p->truncation = 0;
    p->seed = 11;
}

static void test_additive(void)
{
    dv_game g = {NP, NULL, additive, NULL, NULL};
    dv_value_params p;
    params(&p, 4, 200);
    double v[NP], se[NP];
    dv_value_info info;
    dv_error err = {0};
    CHECK(dv_value_game(&g, &p, v, se, &info, &err) == DV_OK);
    for (int i = 0; i < NP; i++) {
        CHECK_NEAR(v[i], W[i] * 4.0 / 8.0, 1e-12);
        CHECK_NEAR(se[i], 0, 1e-9);
    }
    CHECK_EQ_INT(info.samples, 200);
    /* three subsets of 8 players: sizes 2, 3, 3 (n / B apart), each scaled */
    params(&p, 3, 50);
    CHECK(dv_value_game(&g, &p, v, se, &info, &err) == DV_OK);
    double total = 0, want = 0;
    for (int i = 0; i < NP; i++) {
        total += v[i];
        want += W[i];
    }
    /* a player in a subset of size m gets W m / 8; sizes vary with the draw */
    for (int i = 0; i < NP; i++)
        CHECK(v[i] >= W[i] * 2.0 / 8.0 - 1e-12 && v[i] <= W[i] * 3.0 / 8.0 + 1e-12);
    CHECK(total > 0 && total < want);
}

static void test_concave(void)
{
    /* the oracle: mean over the C(7, 3) subsets of 4 containing i */
    double oracle[NP] = {0};
    for (int i = 0; i < NP; i++) {
        int count = 0;
        for (unsigned mask = 0; mask < 1u << NP; mask++) {
            if (__builtin_popcount(mask) != 4 || !(mask >> i & 1))
                continue;
            oracle[i] += shapley_in(mask, i);
            count++;
        }
        CHECK_EQ_INT(count, 35);
        oracle[i] = oracle[i] / count * 4.0 / 8.0;
    }
    dv_game g = {NP, NULL, concave, NULL, NULL};
    dv_value_params p;
    params(&p, 4, 20000);
    double v[NP], se[NP];
    dv_error err = {0};
    CHECK(dv_value_game(&g, &p, v, se, NULL, &err) == DV_OK);
    for (int i = 0; i < NP; i++)
        CHECK_MSG(fabs(v[i] - oracle[i]) <= 5 * se[i] && se[i] < 0.01,
                  "player %d: %.6f, oracle %.6f, stderr %.2g", i, v[i], oracle[i], se[i]);
    /* subsets of half the players are a different game from the whole's:
     * the heaviest player is worth more in a small game of a concave U */
    dv_value_params q;
    dv_value_params_default(&q, DV_METHOD_EXACT_SHAPLEY);
    double full[NP];
    CHECK(dv_value_game(&g, &q, full, NULL, NULL, &err) == DV_OK);
    CHECK(v[7] * 2 > full[7] + 0.01);
}

static dv_dataset *data(size_t n, uint64_t seed)
{
    double *X = malloc(n * 3 * sizeof *X), *y = malloc(n * sizeof *y);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        double a = 0;
        for (size_t j = 0; j < 3; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            X[i * 3 + j] = (double)(s >> 11) / 9007199254740992.0 * 2 - 1;
            a += X[i * 3 + j] * (j + 1.0);
        }
        y[i] = a + 0.6 * ((double)(s >> 40 & 0xff) / 255.0 - 0.5) > 0;
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, 3, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    free(X);
    free(y);
    return ds;
}

static void test_learner(void)
{
    dv_dataset *tr = data(60, 1), *va = data(40, 2);
    dv_value_params p, t;
    dv_value_params_default(&p, DV_METHOD_TS_SHAPLEY);
    p.max_samples = 60;
    p.ts_subset = 60; /* one subset: the whole data, so tmc */
    p.n_threads = 2;
    dv_value_params_default(&t, DV_METHOD_TMC);
    t.max_samples = 60;
    t.n_threads = 2;
    double a[60], b[60], sa[60], sb[60];
    dv_value_info ia, ib;
    dv_error err = {0};
    CHECK(dv_value_compute(tr, va, &p, a, sa, &ia, &err) == DV_OK);
    CHECK(dv_value_compute(tr, va, &t, b, sb, &ib, &err) == DV_OK);
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(sa, sb, sizeof sa) == 0);
    CHECK_EQ_INT(ia.samples, ib.samples);
    /* subsets of 15: the same bits on 1 and 2 threads, and fits on at most
     * 16 rows (the utility calls: at most 16 + 1 per subset and sample) */
    p.ts_subset = 15;
    CHECK(dv_value_compute(tr, va, &p, a, sa, &ia, &err) == DV_OK);
    p.n_threads = 1;
    CHECK(dv_value_compute(tr, va, &p, b, sb, &ib, &err) == DV_OK);
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(sa, sb, sizeof sa) == 0);
    CHECK(ia.utility_calls <= 2 + ia.samples * 4 * 16);
    for (size_t i = 0; i < 60; i++)
        CHECK(isfinite(a[i]) && isfinite(sa[i]));
    /* bad input */
    p.ts_subset = 1;
    CHECK(dv_value_compute(tr, va, &p, a, sa, NULL, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "too small") != NULL);
    dv_method m;
    CHECK(dv_method_from_name("ts-shapley", &m) == DV_OK && m == DV_METHOD_TS_SHAPLEY);
    CHECK(strcmp(dv_method_name(DV_METHOD_TS_SHAPLEY), "ts-shapley") == 0);
    /* DV_N_METHODS counts every method: the names of 0..N-1 and no more */
    for (int k = 0; k < DV_N_METHODS; k++)
        CHECK(dv_method_from_name(dv_method_name((dv_method)k), &m) == DV_OK && (int)m == k);
    const char *past = dv_method_name((dv_method)DV_N_METHODS);
    CHECK(!past || dv_method_from_name(past, &m) != DV_OK);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

int main(void)
{
    RUN(test_additive);
    RUN(test_concave);
    RUN(test_learner);
    return CHECK_DONE();
}
