/*
 * test_knn.c -- tests of exact KNN-Shapley (src/value/knn.c): the closed
 * forms against brute-force Shapley values from enumerating all subsets
 * (classification and regression, several K, ties in distance), efficiency,
 * bit-identical output across thread counts, and rejected inputs.
 */
#include "check.h"
#include "methods/methods.h"

#include <string.h>

/* Jia et al., "Efficient Task-Specific Data Valuation for Nearest Neighbor
 * Algorithms", PVLDB 2019 -- the method under test. */

#define MAXN 10

/* Random data on a small integer grid, so many distances tie exactly. */
static dv_dataset *make_data(size_t n, size_t d, dv_task task, size_t n_classes, int grid,
                             uint64_t seed, uint64_t stream)
{
    dv_rng r;
    dv_rng_seed(&r, seed, stream);
    double *X = malloc((n * d + 1) * sizeof *X), *y = malloc((n + 1) * sizeof *y);
    for (size_t i = 0; i < n * d; i++)
        X[i] = grid > 0 ? (double)dv_rng_below(&r, (uint64_t)grid) : dv_rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        y[i] = task == DV_TASK_CLASSIFICATION ? (double)dv_rng_below(&r, n_classes)
                                              : dv_rng_normal(&r);
    dv_dataset *ds = NULL;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, d, X, y, task, task == DV_TASK_CLASSIFICATION ? n_classes : 0,
                                    NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    free(X);
    free(y);
    return ds;
}

/* Training rows by squared distance to q, ties by row index. */
static void order_rows(const dv_dataset *tr, const double *q, size_t *ord)
{
    size_t n = dv_dataset_rows(tr), d = dv_dataset_cols(tr);
    const double *X = dv_dataset_features(tr);
    double dist[MAXN];
    for (size_t i = 0; i < n; i++) {
        double a = 0.0;
        for (size_t k = 0; k < d; k++)
            a += (X[i * d + k] - q[k]) * (X[i * d + k] - q[k]);
        dist[i] = a;
        ord[i] = i;
    }
    for (size_t i = 1; i < n; i++) /* stable insertion sort */
        for (size_t j = i; j > 0 && dist[ord[j - 1]] > dist[ord[j]]; j--) {
            size_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
}

/* The KNN utility of the subset `mask` for one validation point. */
static double utility(const dv_dataset *tr, const size_t *ord, unsigned mask, double t, size_t K)
{
    size_t n = dv_dataset_rows(tr), taken = 0;
    const double *y = dv_dataset_targets(tr);
    double sum = 0.0;
    for (size_t i = 0; i < n && taken < K; i++) {
        if (!(mask >> ord[i] & 1u))
            continue;
        if (dv_dataset_task(tr) == DV_TASK_CLASSIFICATION)
            sum += y[ord[i]] == t ? 1.0 : 0.0;
        else
            sum += y[ord[i]];
        taken++;
    }
    if (dv_dataset_task(tr) == DV_TASK_CLASSIFICATION)
        return sum / (double)K;
    double e = sum / (double)K - t;
    return -e * e;
}

/* Brute-force Shapley values averaged over the validation points. */
static void brute_force(const dv_dataset *tr, const dv_dataset *va, size_t K, double *phi)
{
    size_t n = dv_dataset_rows(tr), nv = dv_dataset_rows(va), d = dv_dataset_cols(tr);
    double fact[MAXN + 1];
    fact[0] = 1.0;
    for (size_t i = 1; i <= MAXN; i++)
        fact[i] = fact[i - 1] * (double)i;
    static double U[1u << MAXN];
    memset(phi, 0, n * sizeof *phi);
    for (size_t p = 0; p < nv; p++) {
        size_t ord[MAXN];
        double t = dv_dataset_targets(va)[p];
        order_rows(tr, dv_dataset_features(va) + p * d, ord);
        for (unsigned m = 0; m < (1u << n); m++)
            U[m] = utility(tr, ord, m, t, K);
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (unsigned m = 0; m < (1u << n); m++) {
                if (m >> i & 1u)
                    continue;
                int sz = __builtin_popcount(m);
                double w = fact[sz] * fact[n - (size_t)sz - 1] / fact[n];
                s += w * (U[m | 1u << i] - U[m]);
            }
            phi[i] += s;
        }
    }
    for (size_t i = 0; i < n; i++)
        phi[i] /= (double)nv;
}

static void enumeration_case(dv_task task)
{
    static const size_t ns[] = {1, 2, 3, 5, 8, 10};
    for (size_t a = 0; a < DV__COUNT(ns); a++) {
        size_t n = ns[a];
        size_t Ks[] = {1, 2, 3, n, n + 3};
        for (uint64_t seed = 0; seed < 3; seed++) {
            /* seed 2: one-dimensional grid of 2 values, ties everywhere */
            size_t d = seed == 2 ? 1 : 2;
            int grid = seed == 2 ? 2 : 3;
            dv_dataset *tr = make_data(n, d, task, 3, grid, 100 + seed, n);
            dv_dataset *va = make_data(4, d, task, 3, grid, 200 + seed, n);
            if (!tr || !va) {
                dv_dataset_free(tr);
                dv_dataset_free(va);
                continue;
            }
            for (size_t k = 0; k < DV__COUNT(Ks); k++) {
                double got[MAXN], want[MAXN];
                dv_error err = {0};
                int rc = dv__knn_shapley(tr, va, Ks[k], 2, NULL, got, &err);
                CHECK_MSG(rc == DV_OK, "%s", err.msg);
                brute_force(tr, va, Ks[k], want);
                for (size_t i = 0; i < n; i++)
                    CHECK_MSG(fabs(got[i] - want[i]) <= 1e-12,
                              "task %d n %zu K %zu seed %d row %zu: %.17g vs %.17g", (int)task, n,
                              Ks[k], (int)seed, i, got[i], want[i]);
            }
            dv_dataset_free(tr);
            dv_dataset_free(va);
        }
    }
}

static void test_classification_enumeration(void) { enumeration_case(DV_TASK_CLASSIFICATION); }
static void test_regression_enumeration(void) { enumeration_case(DV_TASK_REGRESSION); }

/* All training points at the same place: the order is the row order. */
static void test_all_tied(void)
{
    double X[8] = {0}, y[8] = {1, 0, 1, 1, 0, 0, 1, 0}, q[2] = {0.5, 0.5};
    dv_dataset *tr = NULL, *va = NULL;
    CHECK(dv_dataset_from_arrays(&tr, 8, 1, X, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL) == 0);
    CHECK(dv_dataset_from_arrays(&va, 2, 1, q, y, DV_TASK_CLASSIFICATION, 2, NULL, NULL) == 0);
    for (size_t K = 1; K <= 9; K += 4) {
        double got[8], want[8];
        CHECK(dv__knn_shapley(tr, va, K, 1, NULL, got, NULL) == DV_OK);
        brute_force(tr, va, K, want);
        for (size_t i = 0; i < 8; i++)
            CHECK_NEAR(got[i], want[i], 1e-12);
    }
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* Reference for larger N: qsort by (distance, row), then the classification
 * recursion (checked against enumeration above). */
typedef struct {
    double dist;
    size_t row;
} ref_pair;

static int ref_cmp(const void *a, const void *b)
{
    const ref_pair *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static void reference_clf(const dv_dataset *tr, const dv_dataset *va, size_t K, double *phi)
{
    size_t n = dv_dataset_rows(tr), nv = dv_dataset_rows(va), d = dv_dataset_cols(tr);
    const double *X = dv_dataset_features(tr), *y = dv_dataset_targets(tr);
    ref_pair *p = malloc(n * sizeof *p);
    double *s = malloc(n * sizeof *s);
    memset(phi, 0, n * sizeof *phi);
    for (size_t v = 0; v < nv; v++) {
        const double *q = dv_dataset_features(va) + v * d;
        double t = dv_dataset_targets(va)[v];
        for (size_t i = 0; i < n; i++) {
            double a = 0.0;
            for (size_t k = 0; k < d; k++)
                a += (X[i * d + k] - q[k]) * (X[i * d + k] - q[k]);
            p[i].dist = a;
            p[i].row = i;
        }
        qsort(p, n, sizeof *p, ref_cmp);
        s[n - 1] = (y[p[n - 1].row] == t) / (double)(n > K ? n : K);
        for (size_t i = n - 1; i-- > 0;) {
            double r = (double)(i + 1), m = (double)(i + 1 < K ? i + 1 : K);
            s[i] = s[i + 1] + ((y[p[i].row] == t) - (double)(y[p[i + 1].row] == t)) / (double)K * m / r;
        }
        for (size_t i = 0; i < n; i++)
            phi[p[i].row] += s[i];
    }
    for (size_t i = 0; i < n; i++)
        phi[i] /= (double)nv;
    free(p);
    free(s);
}

/* Larger inputs against the reference: smooth data, heavy ties, and an
 * outlier with every other distance within 1e-8 of 1, which squeezes them
 * into long runs of one radix prefix. */
static void test_large_vs_reference(void)
{
    for (int c = 0; c < 3; c++) {
        size_t n = 3000, nv = 9, d = 3;
        dv_dataset *tr = make_data(n, d, DV_TASK_CLASSIFICATION, 3, c == 1 ? 4 : 0, 31, (uint64_t)c);
        dv_dataset *va = make_data(nv, d, DV_TASK_CLASSIFICATION, 3, c == 1 ? 4 : 0, 32, (uint64_t)c);
        if (c == 2) {
            double *X = malloc(n * d * sizeof *X), *Q = malloc(nv * d * sizeof *Q);
            for (size_t i = 0; i < n * d; i++)
                X[i] = (i % d == 0 ? 2.0 : 1.0) + 1e-9 * dv_dataset_features(tr)[i];
            X[5 * d] = 1e150;
            for (size_t i = 0; i < nv * d; i++)
                Q[i] = 1.0 + 1e-9 * dv_dataset_features(va)[i];
            dv_dataset *tr2 = NULL, *va2 = NULL;
            CHECK(dv_dataset_from_arrays(&tr2, n, d, X, dv_dataset_targets(tr),
                                         DV_TASK_CLASSIFICATION, 3, NULL, NULL) == 0);
            CHECK(dv_dataset_from_arrays(&va2, nv, d, Q, dv_dataset_targets(va),
                                         DV_TASK_CLASSIFICATION, 3, NULL, NULL) == 0);
            dv_dataset_free(tr);
            dv_dataset_free(va);
            tr = tr2;
            va = va2;
            free(X);
            free(Q);
        }
        double *got = malloc(n * sizeof *got), *want = malloc(n * sizeof *want);
        for (size_t K = 1; K <= 100; K *= 10) {
            CHECK(dv__knn_shapley(tr, va, K, 2, NULL, got, NULL) == DV_OK);
            reference_clf(tr, va, K, want);
            size_t bad = 0;
            for (size_t i = 0; i < n; i++)
                bad += !(fabs(got[i] - want[i]) <= 1e-12);
            CHECK_MSG(bad == 0, "case %d K %zu: %zu rows differ", c, K, bad);
        }
        free(got);
        free(want);
        dv_dataset_free(tr);
        dv_dataset_free(va);
    }
}

/* Sum of values = mean over validation points of U(D) - U(empty). */
static void efficiency_case(dv_task task, size_t K)
{
    size_t n = 300, nv = 17, d = 3;
    dv_dataset *tr = make_data(n, d, task, 4, 0, 7, K);
    dv_dataset *va = make_data(nv, d, task, 4, 0, 8, K);
    double *v = malloc(n * sizeof *v);
    dv_error err = {0};
    CHECK_MSG(dv__knn_shapley(tr, va, K, 2, NULL, v, &err) == DV_OK, "%s", err.msg);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    /* U(D): the K nearest of all rows */
    const double *X = dv_dataset_features(tr), *y = dv_dataset_targets(tr);
    double want = 0.0;
    for (size_t p = 0; p < nv; p++) {
        const double *q = dv_dataset_features(va) + p * d;
        double t = dv_dataset_targets(va)[p];
        unsigned char *used = calloc(n, 1);
        double acc = 0.0;
        for (size_t k = 0; k < K && k < n; k++) {
            size_t best = n;
            double bd = 0.0;
            for (size_t i = 0; i < n; i++) {
                if (used[i])
                    continue;
                double a = 0.0;
                for (size_t c = 0; c < d; c++)
                    a += (X[i * d + c] - q[c]) * (X[i * d + c] - q[c]);
                if (best == n || a < bd) {
                    best = i;
                    bd = a;
                }
            }
            used[best] = 1;
            acc += task == DV_TASK_CLASSIFICATION ? (y[best] == t ? 1.0 : 0.0) : y[best];
        }
        free(used);
        if (task == DV_TASK_CLASSIFICATION) {
            want += acc / (double)K;
        } else {
            double e = acc / (double)K - t;
            want += -e * e + t * t;
        }
    }
    want /= (double)nv;
    CHECK_NEAR(sum, want, 1e-12);
    free(v);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_efficiency(void)
{
    static const size_t Ks[] = {1, 5, 300, 1000};
    for (size_t k = 0; k < DV__COUNT(Ks); k++) {
        efficiency_case(DV_TASK_CLASSIFICATION, Ks[k]);
        efficiency_case(DV_TASK_REGRESSION, Ks[k]);
    }
}

/* Same bits for 1, 2, 3 and the default number of threads. */
static void test_threads(void)
{
    for (int task = 0; task < 2; task++) {
        size_t n = 5000, nv = 37;
        dv_dataset *tr = make_data(n, 4, (dv_task)task, 3, task ? 0 : 5, 11, 1);
        dv_dataset *va = make_data(nv, 4, (dv_task)task, 3, task ? 0 : 5, 12, 1);
        double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        CHECK(dv__knn_shapley(tr, va, 7, 1, NULL, a, NULL) == DV_OK);
        static const int th[] = {2, 3, 0};
        for (size_t k = 0; k < DV__COUNT(th); k++) {
            memset(b, 0xff, n * sizeof *b);
            CHECK(dv__knn_shapley(tr, va, 7, th[k], NULL, b, NULL) == DV_OK);
            CHECK_MSG(memcmp(a, b, n * sizeof *a) == 0, "task %d threads %d", task, th[k]);
        }
        free(a);
        free(b);
        dv_dataset_free(tr);
        dv_dataset_free(va);
    }
}

static void test_bad_inputs(void)
{
    dv_dataset *tr = make_data(10, 2, DV_TASK_CLASSIFICATION, 3, 0, 1, 1);
    dv_dataset *va = make_data(4, 2, DV_TASK_CLASSIFICATION, 3, 0, 2, 1);
    dv_dataset *va3 = make_data(4, 3, DV_TASK_CLASSIFICATION, 3, 0, 2, 1);
    dv_dataset *va2c = make_data(4, 2, DV_TASK_CLASSIFICATION, 2, 0, 2, 1);
    dv_dataset *vreg = make_data(4, 2, DV_TASK_REGRESSION, 0, 0, 2, 1);
    dv_dataset *empty = NULL;
    CHECK(dv_dataset_from_arrays(&empty, 0, 2, NULL, NULL, DV_TASK_CLASSIFICATION, 3, NULL, NULL) == 0);
    double v[10];
    dv_error err = {0};
    CHECK_EQ_INT(dv__knn_shapley(tr, va, 0, 1, NULL, v, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "K") != NULL);
    err.msg[0] = 0;
    CHECK_EQ_INT(dv__knn_shapley(tr, va3, 3, 1, NULL, v, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "dimension") != NULL);
    err.msg[0] = 0;
    CHECK_EQ_INT(dv__knn_shapley(tr, va2c, 3, 1, NULL, v, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "class") != NULL);
    CHECK_EQ_INT(dv__knn_shapley(tr, vreg, 3, 1, NULL, v, &err), DV_EINVAL);
    if (empty) {
        err.msg[0] = 0;
        CHECK_EQ_INT(dv__knn_shapley(empty, va, 3, 1, NULL, v, &err), DV_EINVAL);
        CHECK(strstr(err.msg, "empty") != NULL);
        err.msg[0] = 0;
        CHECK_EQ_INT(dv__knn_shapley(tr, empty, 3, 1, NULL, v, &err), DV_EINVAL);
        CHECK(strstr(err.msg, "empty") != NULL);
    }
    CHECK_EQ_INT(dv__knn_shapley(NULL, va, 3, 1, NULL, v, NULL), DV_EINVAL);
    CHECK_EQ_INT(dv__knn_shapley(tr, va, 3, 1, NULL, NULL, NULL), DV_EINVAL);
    CHECK_EQ_INT(dv__knn_shapley(tr, va, 3, 1, NULL, v, NULL), DV_OK);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(va3);
    dv_dataset_free(va2c);
    dv_dataset_free(vreg);
    dv_dataset_free(empty);
}

int main(void)
{
    RUN(test_classification_enumeration);
    RUN(test_regression_enumeration);
    RUN(test_all_tied);
    RUN(test_large_vs_reference);
    RUN(test_efficiency);
    RUN(test_threads);
    RUN(test_bad_inputs);
    return CHECK_DONE();
}
