/*
 * test_forgetting.c -- tests of forgetting events and subsampled
 * memorization (src/methods/forgetting.c, memorization.c).
 *
 * Forgetting: the scores of hand-built traces, counted by hand; and the
 * method against a recomputation through the public API, which trains the
 * mlp anew for 1, 2, ..., E epochs (an E-epoch fit passes through the same
 * parameters, since each epoch's batches have their own seeded stream) and
 * reads each row's correctness after each.  Memorization: the method
 * against a recount with the documented subsets, and known values with a
 * 1-nearest-neighbour learner (an isolated mislabelled row: 1; a row with a
 * twin: 1 - s / (n - 1); a learner that predicts the majority class: 0).
 * Both: thread-count invariance and the argument checks.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"
#include "methods/methods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static dv_dataset *blobs(size_t n, uint64_t seed, double flip)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 9);
    double *X = malloc(2 * n * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        int c = (int)(i % 2);
        X[2 * i] = (c ? 1.0 : -1.0) + dv_rng_normal(&r);
        X[2 * i + 1] = dv_rng_normal(&r);
        y[i] = dv_rng_uniform(&r) < flip ? 1 - c : c;
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_dataset_from_arrays(&ds, n, 2, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) ==
                  DV_OK, "%s", err.msg);
    free(X);
    free(y);
    return ds;
}

/* Hand-counted scores of each variant. */
static void test_scores_by_hand(void)
{
    static const struct {
        unsigned char c[6];
        size_t E;
        double want[5]; /* events, printed, last-learned, simple, frequent */
    } cases[] = {
        {{1, 0, 1, 0}, 4, {2, 2, 1, 2, 2}},
        {{0, 0, 1, 1, 0, 1}, 6, {1, 4, 3, 3, 2}},
        {{0, 0, 0}, 3, {3, 3, 4, 3, 3}},   /* never learned: ranks last */
        {{1, 1, 1}, 3, {0, 2, 1, 0, 2}},   /* printed counts unchanged correct epochs */
        {{0, 1, 1, 1, 1}, 5, {0, 4, 2, 1, 3}},
        {{1}, 1, {0, 0, 1, 0, 0}},
    };
    for (size_t k = 0; k < DV__COUNT(cases); k++)
        for (int v = 0; v < 5; v++)
            CHECK_MSG(dv_forgetting_score(cases[k].c, cases[k].E, v) == cases[k].want[v],
                      "case %zu variant %s: %g, want %g", k, dv_forgetting_variant_name(v),
                      dv_forgetting_score(cases[k].c, cases[k].E, v), cases[k].want[v]);
    CHECK(isnan(dv_forgetting_score(cases[0].c, 4, 7)));
    int v;
    CHECK(dv_forgetting_variant_from_name("last-learned", &v) == DV_OK &&
          v == DV_FORGET_LAST_LEARNED);
    CHECK(dv_forgetting_variant_from_name("often", &v) == DV_EINVAL);
}

static void forgetting_params(dv_value_params *p, size_t R, int epochs)
{
    dv_value_params_default(p, DV_METHOD_FORGETTING);
    dv_learner_params_default(&p->learner, DV_LEARNER_MLP);
    p->learner.n_hidden = 1;
    p->learner.hidden[0] = 8;
    p->learner.epochs = epochs;
    p->learner.batch_size = 8;
    p->learner.lr = 0.05;
    p->learner.seed = 17;
    p->seed = 5;
    p->max_samples = R;
    p->n_threads = 1;
}

/* The method equals the trace recomputed by fitting 1..E epochs anew. */
static void test_forgetting_recomputed(void)
{
    size_t n = 40, R = 3;
    int E = 6;
    dv_dataset *ds = blobs(n, 2, 0.15);
    for (int variant = 0; variant < 5; variant++) {
        dv_value_params p;
        forgetting_params(&p, R, E);
        p.forgetting_variant = variant;
        double v[40], se[40], want[40] = {0}, sq[40] = {0};
        dv_error err = {0};
        dv_value_info info;
        CHECK_MSG(dv_value_compute(ds, NULL, &p, v, se, &info, &err) == DV_OK, "%s", err.msg);
        CHECK_EQ_INT(info.samples, R);
        unsigned char *trace = malloc((size_t)E * n);
        double prob[2];
        for (size_t r = 0; r < R; r++) {
            dv_rng g;
            dv_rng_seed(&g, p.seed, r);
            dv_learner_params lp = p.learner;
            lp.seed ^= dv_rng_next(&g);
            for (int e = 1; e <= E; e++) {
                lp.epochs = e;
                dv_model *m = NULL;
                CHECK(dv_model_fit(&m, &lp, ds, NULL, n, NULL, &err) == DV_OK);
                for (size_t i = 0; i < n; i++) {
                    dv_model_predict(m, dv_dataset_features(ds) + 2 * i, 1, 2, prob);
                    size_t best = prob[1] > prob[0];
                    trace[i * (size_t)E + (size_t)(e - 1)] = best == (size_t)dv_dataset_targets(ds)[i];
                }
                dv_model_free(m);
            }
            for (size_t i = 0; i < n; i++) {
                double s = dv_forgetting_score(trace + i * (size_t)E, (size_t)E, variant);
                want[i] += s;
                sq[i] += s * s;
            }
        }
        int varied = 0;
        for (size_t i = 0; i < n; i++) {
            double mean = want[i] / (double)R;
            double sd = sqrt(fmax(sq[i] - (double)R * mean * mean, 0) / (double)(R - 1));
            CHECK_MSG(v[i] == -mean, "variant %d row %zu: %.17g, want %.17g", variant, i, v[i],
                      -mean);
            CHECK_NEAR(se[i], sd / sqrt((double)R), 1e-12);
            varied += v[i] != v[0];
        }
        CHECK_MSG(varied > 0, "variant %d: every row has the same value", variant);
        free(trace);
    }
    dv_dataset_free(ds);
}

static void test_threads(void)
{
    size_t n = 60;
    dv_dataset *ds = blobs(n, 3, 0.2);
    for (int method = 0; method < 2; method++) {
        dv_value_params p;
        forgetting_params(&p, 7, 5);
        if (method) {
            dv_value_params_default(&p, DV_METHOD_MEMORIZATION);
            p.max_samples = 70; /* three blocks */
            p.seed = 8;
        }
        double v1[60], v2[60], s1[60], s2[60];
        dv_error err = {0};
        p.n_threads = 1;
        CHECK_MSG(dv_value_compute(ds, NULL, &p, v1, s1, NULL, &err) == DV_OK, "%s", err.msg);
        p.n_threads = 2;
        CHECK_MSG(dv_value_compute(ds, NULL, &p, v2, s2, NULL, &err) == DV_OK, "%s", err.msg);
        CHECK(memcmp(v1, v2, sizeof v1) == 0);
        CHECK(memcmp(s1, s2, sizeof s1) == 0);
    }
    dv_dataset_free(ds);
}

/* Memorization recounted: the documented subsets, dv_model_fit, the two
 * conditional means and the standard error. */
static void test_memorization_recount(void)
{
    size_t n = 25, B = 40;
    dv_dataset *ds = blobs(n, 4, 0.2);
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_MEMORIZATION);
    dv_learner_params_default(&p.learner, DV_LEARNER_TREE);
    p.learner.max_depth = 3;
    p.learner.max_features = 1;
    p.learner.seed = 3;
    p.max_samples = B;
    p.seed = 12;
    p.mem_fraction = 0.6;
    double v[25], se[25];
    dv_error err = {0};
    CHECK_MSG(dv_value_compute(ds, NULL, &p, v, se, NULL, &err) == DV_OK, "%s", err.msg);
    size_t s = (size_t)floor(0.6 * (double)n);
    double sum[25][2] = {{0}}, sq[25][2] = {{0}}, cnt[25][2] = {{0}}, prob[2];
    for (size_t b = 0; b < B; b++) {
        dv_rng g;
        dv_rng_seed(&g, p.seed, b);
        int64_t idx[25];
        for (size_t i = 0; i < n; i++)
            idx[i] = (int64_t)i;
        for (size_t t = 0; t < s; t++) {
            size_t u = t + (size_t)dv_rng_below(&g, n - t);
            int64_t tmp = idx[t];
            idx[t] = idx[u];
            idx[u] = tmp;
        }
        int in[25] = {0};
        for (size_t t = 0; t < s; t++)
            in[idx[t]] = 1;
        dv_learner_params lp = p.learner;
        lp.seed ^= dv_rng_next(&g);
        dv_model *m = NULL;
        CHECK(dv_model_fit(&m, &lp, ds, idx, s, NULL, &err) == DV_OK);
        for (size_t i = 0; i < n; i++) {
            dv_model_predict(m, dv_dataset_features(ds) + 2 * i, 1, 2, prob);
            double c = (double)((size_t)(prob[1] > prob[0]) == (size_t)dv_dataset_targets(ds)[i]);
            int k = in[i] ? 0 : 1;
            sum[i][k] += c;
            sq[i][k] += c * c;
            cnt[i][k]++;
        }
        dv_model_free(m);
    }
    int nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        double mi = sum[i][0] / cnt[i][0], mo = sum[i][1] / cnt[i][1];
        double vi = (sq[i][0] - cnt[i][0] * mi * mi) / (cnt[i][0] - 1);
        double vo = (sq[i][1] - cnt[i][1] * mo * mo) / (cnt[i][1] - 1);
        CHECK_NEAR(v[i], -(mi - mo), 1e-15);
        CHECK_NEAR(se[i], sqrt(vi / cnt[i][0] + vo / cnt[i][1]), 1e-12);
        nonzero += v[i] != 0;
    }
    CHECK(nonzero > 0);
    dv_dataset_free(ds);
}

/* 1-NN: an isolated mislabelled row is correct exactly when trained on
 * (memorization 1, standard error 0); a row with an identical twin far from
 * the rest is correct when either is in the subset (1 - s / (n - 1) in
 * expectation); a model that always predicts the majority class memorizes
 * nothing. */
static void test_memorization_known(void)
{
    size_t n = 30;
    double X[60], y[30];
    dv_rng r;
    dv_rng_seed(&r, 4, 4);
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = dv_rng_normal(&r);
        X[2 * i + 1] = dv_rng_normal(&r);
        y[i] = 0;
    }
    y[0] = 1; /* mislabelled, amid class 0 */
    X[2] = X[4] = 50; /* rows 1 and 2: twins, far away, class 1 */
    X[3] = X[5] = 50;
    y[1] = y[2] = 1;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, 2, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_MEMORIZATION);
    dv_learner_params_default(&p.learner, DV_LEARNER_KNN);
    p.learner.neighbors = 1;
    p.max_samples = 400;
    p.seed = 2;
    double v[30], se[30];
    CHECK_MSG(dv_value_compute(ds, NULL, &p, v, se, NULL, &err) == DV_OK, "%s", err.msg);
    CHECK_MSG(v[0] == -1.0 && se[0] == 0.0, "isolated mislabelled: %g +- %g", v[0], se[0]);
    double s = floor(0.7 * (double)n), want = 1 - s / (double)(n - 1);
    for (int i = 1; i <= 2; i++)
        CHECK_MSG(fabs(-v[i] - want) <= 4 * se[i] && se[i] > 0, "twin %d: %g +- %g, want %g", i,
                  -v[i], se[i], want);
    /* the majority vote of every row of the subset */
    p.learner.neighbors = 1000;
    p.learner.distance_weights = 0;
    CHECK_MSG(dv_value_compute(ds, NULL, &p, v, se, NULL, &err) == DV_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(v[i] == 0 && se[i] == 0, "row %zu: %g +- %g", i, v[i], se[i]);
    dv_dataset_free(ds);
}

static void test_bad_input(void)
{
    dv_dataset *ds = blobs(20, 5, 0);
    double v[20], se[20];
    dv_error err = {0};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_FORGETTING);
    CHECK(p.learner.kind == DV_LEARNER_MLP && p.learner.batch_size == 128);
    dv_learner_params_default(&p.learner, DV_LEARNER_LOGREG); /* not epoch-wise */
    CHECK(dv_value_compute(ds, NULL, &p, v, se, NULL, &err) == DV_EINVAL &&
          strstr(err.msg, "epoch by epoch"));
    forgetting_params(&p, 2, 3);
    p.forgetting_variant = 9;
    CHECK(dv_value_compute(ds, NULL, &p, v, se, NULL, &err) == DV_EINVAL &&
          strstr(err.msg, "variant"));
    dv_value_params_default(&p, DV_METHOD_MEMORIZATION);
    p.mem_fraction = 1;
    CHECK(dv_value_compute(ds, NULL, &p, v, se, NULL, &err) == DV_EINVAL &&
          strstr(err.msg, "fraction"));
    dv_dataset_free(ds);
}

int main(void)
{
    RUN(test_scores_by_hand);
    RUN(test_forgetting_recomputed);
    RUN(test_threads);
    RUN(test_memorization_recount);
    RUN(test_memorization_known);
    RUN(test_bad_input);
    return CHECK_DONE();
}
