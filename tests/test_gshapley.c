/*
 * test_gshapley.c -- G-Shapley against a hand computation: on three rows,
 * one permutation's marginals are one of the six orders' SGD passes done
 * here step by step (softmax regression, least squares, and an mlp of two
 * hidden units), and many
 * permutations average to the mean over all six orders; the same bits for any thread count; bad input refused.
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <string.h>

enum { N = 3, NV = 4 };
static const double XT[N] = {1.0, -0.5, 2.0}, YT[N] = {1, 0, 0};
static const double XV[NV] = {0.8, -1.2, 1.5, 0.1}, YV[NV] = {1, 0, 1, 0};
static const double LR = 0.7;
static const int orders[6][N] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

/* Mean log-likelihood of the validation rows under 2-class softmax W. */
static double neg_logloss(const double W[2][2])
{
    double s = 0;
    for (int i = 0; i < NV; i++) {
        double z0 = W[0][0] * XV[i] + W[0][1], z1 = W[1][0] * XV[i] + W[1][1];
        double mx = z0 > z1 ? z0 : z1, e0 = exp(z0 - mx), e1 = exp(z1 - mx);
        double py = (YV[i] == 1 ? e1 : e0) / (e0 + e1);
        py = py < 1e-15 ? 1e-15 : py > 1 - 1e-15 ? 1 - 1e-15 : py;
        s += log(py);
    }
    return s / NV;
}

/* The marginals of one pass in the order perm, by hand. */
static void by_hand(const int perm[N], double out[N])
{
    double W[2][2] = {{0, 0}, {0, 0}};
    double u = neg_logloss(W);
    for (int t = 0; t < N; t++) {
        int r = perm[t];
        double z0 = W[0][0] * XT[r] + W[0][1], z1 = W[1][0] * XT[r] + W[1][1];
        double mx = z0 > z1 ? z0 : z1, e0 = exp(z0 - mx), e1 = exp(z1 - mx);
        double g[2] = {e0 / (e0 + e1) - (YT[r] == 0), e1 / (e0 + e1) - (YT[r] == 1)};
        for (int k = 0; k < 2; k++) {
            W[k][0] -= LR * g[k] * XT[r];
            W[k][1] -= LR * g[k];
        }
        double u2 = neg_logloss(W);
        out[r] = u2 - u;
        u = u2;
    }
}

/* The order (of the six) whose hand-computed marginals one permutation's
 * are, or -1 (checked). */
static int which_order(const double v[N], double hand[6][N])
{
    int match = -1;
    for (int o = 0; o < 6; o++) {
        int same = 1;
        for (int i = 0; i < N; i++)
            same &= fabs(v[i] - hand[o][i]) < 1e-12;
        if (same)
            match = o;
    }
    CHECK_MSG(match >= 0, "one permutation's marginals %g %g %g are no order's", v[0], v[1],
              v[2]);
    return match;
}

/* One permutation of gshapley with p (its budget set to 1) into v, matched
 * against the six orders' hand-computed marginals. */
static void one_permutation(const dv_dataset *tr, const dv_dataset *va, dv_value_params *p,
                            double v[N], double hand[6][N])
{
    p->max_samples = p->min_samples = 1;
    dv_error err = {0};
    CHECK_MSG(dv_value_compute(tr, va, p, v, NULL, NULL, &err) == 0, "%s", err.msg);
    which_order(v, hand);
}

static void run(dv_dataset *tr, dv_dataset *va, size_t perms, int threads, double *v,
                double *se, dv_value_info *info)
{
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_GSHAPLEY);
    p.metric = DV_METRIC_NEG_LOGLOSS;
    p.gshapley_lr = LR;
    p.max_samples = perms;
    p.min_samples = perms;
    p.seed = 11;
    p.n_threads = threads;
    dv_error err = {0};
    CHECK_MSG(dv_value_compute(tr, va, &p, v, se, info, &err) == 0, "%s", err.msg);
}

static void test_by_hand(void)
{
    dv_dataset *tr = NULL, *va = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, N, 1, XT, YT, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&va, NV, 1, XV, YV, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    double hand[6][N], mean[N] = {0};
    for (int o = 0; o < 6; o++) {
        by_hand(orders[o], hand[o]);
        for (int i = 0; i < N; i++)
            mean[i] += hand[o][i] / 6;
    }
    double v[N], se[N];
    dv_value_info info;
    run(tr, va, 1, 1, v, se, &info);
    int match = which_order(v, hand);
    CHECK_EQ_INT(info.samples, 1);
    /* the marginals of a pass add up to its last utility less its first */
    double W0[2][2] = {{0, 0}, {0, 0}};
    CHECK_NEAR(v[0] + v[1] + v[2], hand[match][0] + hand[match][1] + hand[match][2], 1e-12);
    CHECK(fabs(v[0] + v[1] + v[2]) > 1e-3 && neg_logloss(W0) < 0);
    /* many permutations: the mean over the orders, within the standard errors */
    double v2[N], se2[N], v3[N];
    run(tr, va, 3000, 2, v2, se2, &info);
    for (int i = 0; i < N; i++)
        CHECK_MSG(fabs(v2[i] - mean[i]) < 4 * se2[i] + 1e-12, "row %d: %g vs %g (se %g)", i,
                  v2[i], mean[i], se2[i]);
    run(tr, va, 3000, 1, v3, NULL, &info);
    CHECK(memcmp(v2, v3, sizeof v2) == 0); /* any thread count, the same bits */
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* Least squares: one step on row r moves (w, b) by -lr (w x_r + b - y_r)
 * (x_r, 1); the utility is minus the validation mean squared error. */
static void test_regression_by_hand(void)
{
    static const double YR[N] = {0.5, -1.0, 1.5}, YRV[NV] = {0.4, -0.8, 1.1, 0.0};
    dv_dataset *tr = NULL, *va = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, N, 1, XT, YR, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&va, NV, 1, XV, YRV, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    const double lr = 0.3;
    double hand[6][N];
    for (int o = 0; o < 6; o++) {
        double w = 0, b = 0, u = 0;
        for (int i = 0; i < NV; i++)
            u -= YRV[i] * YRV[i] / NV;
        for (int t = 0; t < N; t++) {
            int r = orders[o][t];
            double g = w * XT[r] + b - YR[r];
            w -= lr * g * XT[r];
            b -= lr * g;
            double u2 = 0;
            for (int i = 0; i < NV; i++)
                u2 -= (w * XV[i] + b - YRV[i]) * (w * XV[i] + b - YRV[i]) / NV;
            hand[o][r] = u2 - u;
            u = u2;
        }
    }
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_GSHAPLEY);
    dv_learner_params_default(&p.learner, DV_LEARNER_OLS);
    p.metric = DV_METRIC_NEG_MSE;
    p.gshapley_lr = lr;
    p.seed = 5;
    double v[N];
    one_permutation(tr, va, &p, v, hand);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* The mlp: one hidden layer of two ReLU units and a sigmoid output, its
 * initial weights drawn here as the learner documents them (uniform in
 * +-1/sqrt(fan-in), one seeded stream per layer; each layer's weights row by
 * row, then its biases), each step plain SGD on one row's cross-entropy. */
static double mlp_loglik(const double th[7])
{
    double s = 0;
    for (int i = 0; i < NV; i++) {
        double z = th[6];
        for (int j = 0; j < 2; j++) {
            double h = th[j] * XV[i] + th[2 + j];
            z += th[4 + j] * (h > 0 ? h : 0);
        }
        double p1 = 1 / (1 + exp(-z)), py = YV[i] == 1 ? p1 : 1 - p1;
        py = py < 1e-15 ? 1e-15 : py > 1 - 1e-15 ? 1 - 1e-15 : py;
        s += log(py);
    }
    return s / NV;
}

static void test_mlp_by_hand(void)
{
    dv_dataset *tr = NULL, *va = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, N, 1, XT, YT, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&va, NV, 1, XV, YV, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    const uint64_t seed = 77;
    double th0[7];
    for (int l = 1; l <= 2; l++) { /* layer 1: 2 x 1 and 2 biases; layer 2: 1 x 2 and 1 */
        dv_rng r;
        dv_rng_seed(&r, seed, 0x4d4c5000ULL + (uint64_t)l);
        int at = l == 1 ? 0 : 4, count = l == 1 ? 4 : 3;
        double bound = l == 1 ? 1.0 : 1.0 / sqrt(2.0);
        for (int q = 0; q < count; q++)
            th0[at + q] = bound * (2.0 * dv_rng_uniform(&r) - 1.0);
    }
    const double lr = 0.6;
    double hand[6][N];
    for (int o = 0; o < 6; o++) {
        double th[7];
        memcpy(th, th0, sizeof th);
        double u = mlp_loglik(th);
        for (int t = 0; t < N; t++) {
            int r = orders[o][t];
            double a[2], h[2], z = th[6];
            for (int j = 0; j < 2; j++) {
                a[j] = th[j] * XT[r] + th[2 + j];
                h[j] = a[j] > 0 ? a[j] : 0;
                z += th[4 + j] * h[j];
            }
            double dz = 1 / (1 + exp(-z)) - YT[r], g[7];
            for (int j = 0; j < 2; j++) {
                double dh = a[j] > 0 ? th[4 + j] * dz : 0;
                g[j] = dh * XT[r];
                g[2 + j] = dh;
                g[4 + j] = dz * h[j];
            }
            g[6] = dz;
            for (int q = 0; q < 7; q++)
                th[q] -= lr * g[q];
            double u2 = mlp_loglik(th);
            hand[o][r] = u2 - u;
            u = u2;
        }
    }
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_GSHAPLEY);
    dv_learner_params_default(&p.learner, DV_LEARNER_MLP);
    p.learner.n_hidden = 1;
    p.learner.hidden[0] = 2;
    p.learner.alpha = 0;
    p.learner.seed = seed;
    p.metric = DV_METRIC_NEG_LOGLOSS;
    p.gshapley_lr = lr;
    p.seed = 3;
    double v[N];
    one_permutation(tr, va, &p, v, hand);
    CHECK(fabs(v[0]) + fabs(v[1]) + fabs(v[2]) > 1e-4);
    /* many permutations: the same bits on one and two threads */
    double a[N], b[N];
    p.max_samples = p.min_samples = 40;
    p.n_threads = 1;
    CHECK(dv_value_compute(tr, va, &p, a, NULL, NULL, &err) == 0);
    p.n_threads = 2;
    CHECK(dv_value_compute(tr, va, &p, b, NULL, NULL, &err) == 0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_bad_input(void)
{
    dv_dataset *tr = NULL, *va = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, N, 1, XT, YT, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&va, NV, 1, XV, YV, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_GSHAPLEY);
    double v[N];
    dv_learner_params_default(&p.learner, DV_LEARNER_TREE);
    CHECK(dv_value_compute(tr, va, &p, v, NULL, NULL, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "by gradient steps: learner mlp, logreg") != NULL);
    dv_value_params_default(&p, DV_METHOD_GSHAPLEY);
    int64_t g[N] = {0, 0, 1};
    p.groups = g;
    p.n_groups = 2;
    double gv[2];
    CHECK(dv_value_compute(tr, va, &p, gv, NULL, NULL, &err) == DV_EINVAL);
    dv_value_params_default(&p, DV_METHOD_GSHAPLEY);
    p.gshapley_lr = -1;
    CHECK(dv_value_compute(tr, va, &p, v, NULL, NULL, &err) == DV_EINVAL);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

int main(void)
{
    RUN(test_by_hand);
    RUN(test_regression_by_hand);
    RUN(test_mlp_by_hand);
    RUN(test_bad_input);
    return CHECK_DONE();
}
