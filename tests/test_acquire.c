/*
 * test_acquire.c -- active acquisition against oracles computed here: each
 * scorer's first batch recomputed from its definition (margin, entropy,
 * k-center distance, the ensemble's variance, the law's value, the add-one
 * gain the oracle sees),
 * the first accuracy a fit by hand, the labels-to-target interpolation on
 * hand-worked numbers, the oracle beating random where the pool holds
 * wrong labels (the property the harness must show), the same bits on any
 * thread count, and bad input.
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { D = 3 };

/* n rows: y = 1[x0 + 0.5 x1 > 0], a share `flip` of the labels wrong. */
static dv_dataset *make(size_t n, double flip, uint64_t seed)
{
    double *X = malloc(n * D * sizeof *X), *y = malloc(n * sizeof *y);
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (size_t i = 0; i < n; i++) {
        double u[D + 1];
        for (size_t j = 0; j <= D; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[j] = (double)(s >> 11) / 9007199254740992.0;
        }
        for (size_t j = 0; j < D; j++)
            X[i * D + j] = 4 * u[j] - 2;
        y[i] = X[i * D] + 0.5 * X[i * D + 1] > 0;
        if (u[D] < flip)
            y[i] = 1 - y[i];
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, D, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    free(X);
    free(y);
    return ds;
}

static dv_model *fit(const dv_dataset *ds, const int64_t *rows, size_t n)
{
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    dv_model *m = NULL;
    dv_error err = {0};
    int rc = dv_model_fit(&m, &lp, ds, rows, n, NULL, &err);
    CHECK(rc == DV_OK || rc == DV_ENOTCONV);
    return m;
}

/* One round of batch 1 by scorer s: the pool row bought. */
static int64_t first_pick(const dv_dataset *lab, const dv_dataset *pool, const dv_dataset *val,
                          const dv_dataset *test, dv_acq_scorer s, const dv_law *laws,
                          size_t heads)
{
    dv_acq_params p;
    dv_acq_params_default(&p);
    p.batch = 1;
    p.rounds = 1;
    p.laws = laws;
    p.law_heads = heads;
    double acc[2];
    int64_t chosen = -1;
    dv_error err = {0};
    CHECK_MSG(dv_acquire(lab, pool, val, test, s, &p, acc, &chosen, &err) == DV_OK, "%s", err.msg);
    return chosen;
}

static size_t argmax(const double *v, size_t n)
{
    size_t b = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[b])
            b = i;
    return b;
}

static void test_first_picks(void)
{
    dv_dataset *lab = make(12, 0, 1), *pool = make(80, 0.1, 2), *val = make(60, 0, 3),
               *test = make(100, 0, 4);
    size_t np = dv_dataset_rows(pool), nl = dv_dataset_rows(lab);
    const double *XP = dv_dataset_features(pool), *XL = dv_dataset_features(lab);
    dv_model *m = fit(lab, NULL, 0);
    double *prob = malloc(np * 2 * sizeof *prob), *score = malloc(np * sizeof *score);
    CHECK(dv_model_predict(m, XP, np, D, prob) == DV_OK);
    /* margin: the smallest |p1 - p0|; entropy: the largest, for two classes the same row */
    for (size_t i = 0; i < np; i++)
        score[i] = -fabs(prob[2 * i + 1] - prob[2 * i]);
    CHECK_EQ_INT(first_pick(lab, pool, val, test, DV_ACQ_MARGIN, NULL, 0), argmax(score, np));
    for (size_t i = 0; i < np; i++) {
        double a = prob[2 * i], b = prob[2 * i + 1];
        score[i] = -(a > 0 ? a * log(a) : 0) - (b > 0 ? b * log(b) : 0);
    }
    CHECK_EQ_INT(first_pick(lab, pool, val, test, DV_ACQ_ENTROPY, NULL, 0), argmax(score, np));
    /* distance: the farthest from the labelled rows */
    for (size_t i = 0; i < np; i++) {
        double best = INFINITY;
        for (size_t r = 0; r < nl; r++) {
            double s = 0;
            for (size_t j = 0; j < D; j++)
                s += (XP[i * D + j] - XL[r * D + j]) * (XP[i * D + j] - XL[r * D + j]);
            best = s < best ? s : best;
        }
        score[i] = best;
    }
    size_t far = argmax(score, np);
    CHECK_EQ_INT(first_pick(lab, pool, val, test, DV_ACQ_DISTANCE, NULL, 0), far);
    /* the second of a batch of two: the farthest from the labelled rows and the first */
    {
        dv_acq_params p;
        dv_acq_params_default(&p);
        p.batch = 2;
        p.rounds = 1;
        double acc[2];
        int64_t chosen[2];
        dv_error err = {0};
        CHECK(dv_acquire(lab, pool, val, test, DV_ACQ_DISTANCE, &p, acc, chosen, &err) == DV_OK);
        for (size_t i = 0; i < np; i++) {
            double s = 0;
            for (size_t j = 0; j < D; j++)
                s += (XP[i * D + j] - XP[far * D + j]) * (XP[i * D + j] - XP[far * D + j]);
            score[i] = i == far ? -1 : (s < score[i] ? s : score[i]);
        }
        CHECK_EQ_INT(chosen[0], far);
        CHECK_EQ_INT(chosen[1], argmax(score, np));
    }
    /* ood: the largest variance of the ensemble fitted on the labelled rows */
    {
        dv_acq_params p;
        dv_acq_params_default(&p);
        dv_error err = {0};
        CHECK(dv_ood_ensemble(lab, &p.ood_learner, XP, np, p.ood_members, p.seed, score, 0,
                              &err) == DV_OK);
        CHECK_EQ_INT(first_pick(lab, pool, val, test, DV_ACQ_OOD, NULL, 0), argmax(score, np));
    }
    /* law: one head, the largest c k^-alpha at k = 12; per class, weighted */
    dv_law *laws = calloc(np * 2, sizeof *laws);
    for (size_t i = 0; i < np; i++) {
        laws[i].c = 1 + (double)((i * 37) % 11);
        laws[i].alpha = 0.2 + 0.1 * (double)((i * 13) % 7);
        score[i] = laws[i].c * pow(12.0, -laws[i].alpha);
    }
    CHECK_EQ_INT(first_pick(lab, pool, val, test, DV_ACQ_LAW, laws, 1), argmax(score, np));
    for (size_t i = 0; i < np; i++) {
        laws[2 * i].c = 1 + (double)((i * 37) % 11);
        laws[2 * i].alpha = 0.5;
        laws[2 * i + 1].c = 1 + (double)((i * 17) % 13);
        laws[2 * i + 1].alpha = 0.25;
        score[i] = prob[2 * i] * laws[2 * i].c * pow(12.0, -0.5) +
                   prob[2 * i + 1] * laws[2 * i + 1].c * pow(12.0, -0.25);
    }
    CHECK_EQ_INT(first_pick(lab, pool, val, test, DV_ACQ_LAW, laws, 2), argmax(score, np));
    /* oracle: the largest validation log-likelihood with the row added */
    int64_t rows[13];
    for (size_t r = 0; r < nl; r++)
        rows[r] = (int64_t)r;
    dv_dataset *both = NULL;
    {
        double *X = malloc((nl + np) * D * sizeof *X), *y = malloc((nl + np) * sizeof *y);
        memcpy(X, XL, nl * D * sizeof *X);
        memcpy(X + nl * D, XP, np * D * sizeof *X);
        memcpy(y, dv_dataset_targets(lab), nl * sizeof *y);
        memcpy(y + nl, dv_dataset_targets(pool), np * sizeof *y);
        dv_error err = {0};
        CHECK(dv_dataset_from_arrays(&both, nl + np, D, X, y, DV_TASK_CLASSIFICATION, 2, NULL,
                                     &err) == DV_OK);
        free(X);
        free(y);
    }
    for (size_t i = 0; i < np; i++) {
        rows[nl] = (int64_t)(nl + i);
        dv_model *mi = fit(both, rows, nl + 1);
        CHECK(dv_model_score(mi, val, DV_METRIC_NEG_LOGLOSS, &score[i]) == DV_OK);
        dv_model_free(mi);
    }
    size_t best = argmax(score, np);
    int64_t got = first_pick(lab, pool, val, test, DV_ACQ_ORACLE, NULL, 0);
    /* warm starts may move the optimum in the last digits: the pick's gain
     * must be the best up to that */
    CHECK_MSG(got >= 0 && score[got] >= score[best] - 1e-9, "oracle %lld, best %zu", (long long)got,
              best);
    /* the first accuracy: the fit on the labelled rows alone */
    {
        dv_acq_params p;
        dv_acq_params_default(&p);
        p.rounds = 2;
        double acc[3], a0;
        int64_t chosen[20];
        dv_error err = {0};
        CHECK(dv_acquire(lab, pool, val, test, DV_ACQ_RANDOM, &p, acc, chosen, &err) == DV_OK);
        CHECK(dv_model_score(m, test, DV_METRIC_ACCURACY, &a0) == DV_OK);
        CHECK(acc[0] == a0);
        for (int a = 0; a < 20; a++) { /* distinct pool rows */
            CHECK(chosen[a] >= 0 && chosen[a] < (int64_t)np);
            for (int b = 0; b < a; b++)
                CHECK(chosen[a] != chosen[b]);
        }
        /* another seed, another draw */
        int64_t other[20];
        p.seed = 5;
        CHECK(dv_acquire(lab, pool, val, test, DV_ACQ_RANDOM, &p, acc, other, &err) == DV_OK);
        CHECK(memcmp(chosen, other, sizeof other) != 0);
    }
    dv_dataset_free(both);
    dv_model_free(m);
    free(prob);
    free(score);
    free(laws);
    dv_dataset_free(lab);
    dv_dataset_free(pool);
    dv_dataset_free(val);
    dv_dataset_free(test);
}

/* A pool with 30 % wrong labels: the oracle, which sees them, avoids the
 * wrong ones and ends higher than random on average over seeds. */
static void test_oracle_beats_random(void)
{
    double area[2] = {0, 0}, fin[2] = {0, 0};
    for (uint64_t seed = 0; seed < 4; seed++) {
        dv_dataset *lab = make(8, 0, 10 + seed), *pool = make(200, 0.3, 20 + seed),
                   *val = make(100, 0, 30 + seed), *test = make(300, 0, 40 + seed);
        for (int k = 0; k < 2; k++) {
            dv_acq_params p;
            dv_acq_params_default(&p);
            p.batch = 5;
            p.rounds = 8;
            p.seed = seed;
            double acc[9];
            int64_t chosen[40];
            dv_error err = {0};
            CHECK(dv_acquire(lab, pool, val, test, k ? DV_ACQ_ORACLE : DV_ACQ_RANDOM, &p, acc,
                             chosen, &err) == DV_OK);
            for (int r = 1; r <= 8; r++)
                area[k] += acc[r];
            fin[k] += acc[8];
        }
        dv_dataset_free(lab);
        dv_dataset_free(pool);
        dv_dataset_free(val);
        dv_dataset_free(test);
    }
    CHECK_MSG(area[1] > area[0] + 0.1, "mean curve: oracle %.3f, random %.3f", area[1] / 32,
              area[0] / 32);
    CHECK_MSG(fin[1] > fin[0], "final: oracle %.3f, random %.3f", fin[1] / 4, fin[0] / 4);
}

static void test_threads(void)
{
    dv_dataset *lab = make(10, 0, 5), *pool = make(60, 0.2, 6), *val = make(40, 0, 7),
               *test = make(50, 0, 8);
    dv_acq_params p;
    dv_acq_params_default(&p);
    p.batch = 3;
    p.rounds = 3;
    double a[4], b[4];
    int64_t ca[9], cb[9];
    dv_error err = {0};
    p.n_threads = 1;
    CHECK(dv_acquire(lab, pool, val, test, DV_ACQ_ORACLE, &p, a, ca, &err) == DV_OK);
    p.n_threads = 2;
    CHECK(dv_acquire(lab, pool, val, test, DV_ACQ_ORACLE, &p, b, cb, &err) == DV_OK);
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(ca, cb, sizeof ca) == 0);
    dv_dataset_free(lab);
    dv_dataset_free(pool);
    dv_dataset_free(val);
    dv_dataset_free(test);
}

static void test_labels_to(void)
{
    const double acc[3] = {0.5, 0.6, 0.8};
    CHECK_NEAR(dv_acq_labels_to(acc, 2, 10, 0.7), 15, 1e-12);
    CHECK_NEAR(dv_acq_labels_to(acc, 2, 10, 0.6), 10, 1e-12);
    CHECK(dv_acq_labels_to(acc, 2, 10, 0.5) == 0);
    CHECK(isnan(dv_acq_labels_to(acc, 2, 10, 0.81)));
    const double dip[4] = {0.5, 0.7, 0.6, 0.9}; /* the first crossing counts */
    CHECK_NEAR(dv_acq_labels_to(dip, 3, 4, 0.65), 4 * 0.75, 1e-12);
    /* Student's t: the table, and the approximation against published
     * quantiles (40: 2.021, 60: 2.000, 120: 1.980) */
    CHECK_NEAR(dv_t95(1), 12.706, 1e-9);
    CHECK_NEAR(dv_t95(4), 2.776, 1e-9);
    CHECK_NEAR(dv_t95(40), 2.021, 0.003);
    CHECK_NEAR(dv_t95(60), 2.000, 0.003);
    CHECK_NEAR(dv_t95(120), 1.980, 0.003);
    CHECK(isnan(dv_t95(0)));
}

static void test_bad_input(void)
{
    dv_dataset *lab = make(10, 0, 1), *pool = make(20, 0, 2), *test = make(20, 0, 3);
    dv_acq_params p;
    dv_acq_params_default(&p);
    double acc[100];
    int64_t ch[100];
    dv_error err = {0};
    p.batch = 21;
    CHECK(dv_acquire(lab, pool, test, test, DV_ACQ_RANDOM, &p, acc, ch, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "a batch of 21 is larger than the pool of 20 rows") != NULL);
    p.batch = 5;
    p.rounds = 5;
    CHECK(dv_acquire(lab, pool, test, test, DV_ACQ_RANDOM, &p, acc, ch, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "buy 25 labels but the pool has 20") != NULL);
    p.rounds = 2;
    CHECK(dv_acquire(lab, pool, test, test, DV_ACQ_LAW, &p, acc, ch, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "law scorer needs") != NULL);
    CHECK(dv_acquire(lab, pool, NULL, test, DV_ACQ_ORACLE, &p, acc, ch, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "validation") != NULL);
    dv_dataset *wide = NULL;
    double X[8] = {0}, y[2] = {0, 1};
    CHECK(dv_dataset_from_arrays(&wide, 2, 4, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    CHECK(dv_acquire(lab, wide, test, test, DV_ACQ_RANDOM, &p, acc, ch, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "pool does not match") != NULL);
    dv_acq_scorer s;
    CHECK(dv_acq_scorer_from_name("entropy", &s) == DV_OK && s == DV_ACQ_ENTROPY);
    CHECK(dv_acq_scorer_from_name("bald", &s) == DV_EINVAL);
    dv_dataset_free(wide);
    dv_dataset_free(lab);
    dv_dataset_free(pool);
    dv_dataset_free(test);
}

int main(void)
{
    RUN(test_first_picks);
    RUN(test_oracle_beats_random);
    RUN(test_threads);
    RUN(test_labels_to);
    RUN(test_bad_input);
    return CHECK_DONE();
}
