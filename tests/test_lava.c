/*
 * test_lava.c -- LAVA (src/value/lava.c): the log-domain Sinkhorn solver
 * against closed-form entropic plans (1 x 1, symmetric 2 x 2) with its
 * marginals to 1e-9, also on a random rectangular cost, and non-convergence
 * reported; the calibrated gradients sum to zero; permuting the training
 * rows permutes the values; 1 and 2 threads agree bit for bit; labels
 * flipped in two separated blobs get lower values; bad input fails with a
 * message.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"
#include "methods/methods.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Internal solver in lava.c. */
int dv__sinkhorn_log(const double *C, size_t n, size_t m, double eps, double tol, int max_iter,
                     int n_threads, double *f, double *g, double *plan, int *n_iter, double *viol,
                     dv_error *err);

static void lava_params(dv_value_params *p, double eps, int n_threads)
{
    memset(p, 0, sizeof *p);
    p->method = DV_METHOD_LAVA;
    p->lava_entreg = eps;
    p->n_threads = n_threads;
}

/* Largest deviation of the row sums from 1/n plus that of the column sums
 * from 1/m. */
static double marginal_error(const double *P, size_t n, size_t m)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < m; j++)
            s += P[i * m + j];
        if (fabs(s - 1.0 / (double)n) > worst)
            worst = fabs(s - 1.0 / (double)n);
    }
    for (size_t j = 0; j < m; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += P[i * m + j];
        if (fabs(s - 1.0 / (double)m) > worst)
            worst = fabs(s - 1.0 / (double)m);
    }
    return worst;
}

static void test_sinkhorn_1x1(void)
{
    double C = 3.7, f, g, P;
    int it = 0;
    dv_error err = {0};
    CHECK_EQ_INT(dv__sinkhorn_log(&C, 1, 1, 0.1, 1e-9, 100, 1, &f, &g, &P, &it, NULL, &err), DV_OK);
    CHECK_NEAR(P, 1.0, 1e-12);
    CHECK_NEAR(f + g, C, 1e-12); /* P = exp((f + g - C) / eps) = 1 */
}

/* Cost [[0, c], [c, 0]], marginals 1/2: plan [[a, 1/2 - a], [1/2 - a, a]]
 * with a / (1/2 - a) = exp(c / eps), i.e. a = 1 / (2 (1 + exp(-c / eps))). */
static void test_sinkhorn_2x2(void)
{
    const double cs[] = {0.0, 0.3, 1.0, 2.5};
    const double epss[] = {0.1, 1.0, 0.05};
    for (size_t ci = 0; ci < DV__COUNT(cs); ci++) {
        for (size_t ei = 0; ei < DV__COUNT(epss); ei++) {
            double c = cs[ci], eps = epss[ei];
            double C[4] = {0, c, c, 0}, f[2], g[2], P[4], viol = -1;
            int it = 0;
            dv_error err = {0};
            int rc = dv__sinkhorn_log(C, 2, 2, eps, 1e-9, 10000, 2, f, g, P, &it, &viol, &err);
            CHECK_MSG(rc == DV_OK, "c %g eps %g: %s", c, eps, err.msg);
            CHECK(viol >= 0 && viol <= 1e-9);
            double a = 0.5 / (1 + exp(-c / eps));
            CHECK_NEAR(P[0], a, 1e-9);
            CHECK_NEAR(P[3], a, 1e-9);
            CHECK_NEAR(P[1], 0.5 - a, 1e-9);
            CHECK_NEAR(P[2], 0.5 - a, 1e-9);
            CHECK(marginal_error(P, 2, 2) <= 1e-9);
        }
    }
}

/* Random 37 x 23 cost: the returned plan has the right marginals, is the
 * Gibbs kernel of the potentials, and too few iterations give ENOTCONV. */
static void test_sinkhorn_random(void)
{
    size_t n = 37, m = 23;
    double *C = malloc(n * m * sizeof *C), *P = malloc(n * m * sizeof *P);
    double *f = malloc(n * sizeof *f), *g = malloc(m * sizeof *g);
    dv_rng r;
    dv_rng_seed(&r, 5, 0);
    for (size_t k = 0; k < n * m; k++)
        C[k] = 2 * dv_rng_uniform(&r);
    dv_error err = {0};
    int it = 0;
    int rc = dv__sinkhorn_log(C, n, m, 0.1, 1e-9, 10000, 0, f, g, P, &it, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    CHECK(it > 1);
    CHECK_MSG(marginal_error(P, n, m) <= 1e-9, "marginal error %g", marginal_error(P, n, m));
    CHECK_NEAR(P[5 * m + 7], exp((f[5] + g[7] - C[5 * m + 7]) / 0.1), 1e-15);

    dv_error err2 = {0};
    double viol = 0;
    rc = dv__sinkhorn_log(C, n, m, 0.01, 1e-9, 2, 1, f, g, P, &it, &viol, &err2);
    CHECK_EQ_INT(rc, DV_ENOTCONV);
    CHECK_EQ_INT(it, 2);
    CHECK(viol > 1e-9);
    CHECK(err2.code == DV_ENOTCONV && err2.msg[0] != 0);

    dv_error err3 = {0};
    CHECK_EQ_INT(dv__sinkhorn_log(C, n, m, 0, 1e-9, 10, 1, f, g, P, NULL, NULL, &err3), DV_EINVAL);
    CHECK(err3.msg[0] != 0);
    free(C);
    free(P);
    free(f);
    free(g);
}

/* Two Gaussian blobs at (-sep, 0) (class 0) and (+sep, 0) (class 1), std 1,
 * classes alternating; labels of rows listed in flip are flipped. */
static dv_dataset *blobs(size_t n, double sep, uint64_t seed, const int *flip, size_t d)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 1);
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        int c = (int)(i % 2);
        for (size_t k = 0; k < d; k++)
            X[i * d + k] = dv_rng_normal(&r) + (k == 0 ? (c ? sep : -sep) : 0);
        y[i] = flip && flip[i] ? 1 - c : c;
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    free(X);
    free(y);
    return ds;
}

static void test_flipped_labels(void)
{
    size_t n = 200, m = 100;
    int *flip = calloc(n, sizeof *flip);
    dv_rng r;
    dv_rng_seed(&r, 11, 0);
    size_t n_flip = 0;
    while (n_flip < n / 10) {
        size_t i = (size_t)dv_rng_below(&r, n);
        if (!flip[i]) {
            flip[i] = 1;
            n_flip++;
        }
    }
    dv_dataset *train = blobs(n, 3.0, 1, flip, 2), *val = blobs(m, 3.0, 2, NULL, 2);
    double *v = malloc(n * sizeof *v);
    dv_value_params p;
    lava_params(&p, 0.1, 0);
    dv_error err = {0};
    int rc = dv__lava(train, val, &p, v, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    if (rc == DV_OK) {
        double mf = 0, mc = 0, sum = 0, abs_sum = 0;
        size_t below = 0; /* flipped points ranked in the bottom 15 % */
        for (size_t i = 0; i < n; i++) {
            if (flip[i])
                mf += v[i];
            else
                mc += v[i];
            sum += v[i];
            abs_sum += fabs(v[i]);
        }
        mf /= (double)n_flip;
        mc /= (double)(n - n_flip);
        CHECK_MSG(mf < mc, "mean value flipped %g >= clean %g", mf, mc);
        /* Calibrated gradients sum to zero. */
        CHECK_MSG(fabs(sum) <= 1e-9 * abs_sum, "sum %g, sum of |v| %g", sum, abs_sum);
        /* Most flipped points (20 of 200) rank in the bottom 15 %. */
        for (size_t i = 0; i < n; i++) {
            if (!flip[i])
                continue;
            size_t lower = 0;
            for (size_t k = 0; k < n; k++)
                lower += v[k] < v[i];
            below += lower < n / 10 + n / 20;
        }
        CHECK_MSG(below >= n_flip * 3 / 4, "only %zu of %zu flipped points rank low", below,
                  n_flip);
    }
    free(v);
    free(flip);
    dv_dataset_free(train);
    dv_dataset_free(val);
}

/* Permuted training rows give permuted values; 1 and 2 threads agree bit
 * for bit (300 x 240 is above the size where lava.c goes parallel); three
 * classes, one missing from val. */
static void test_permutation_and_threads(void)
{
    size_t n = 300, m = 240, d = 3;
    dv_rng r;
    dv_rng_seed(&r, 21, 0);
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    double *Xv = malloc(m * d * sizeof *Xv), *yv = malloc(m * sizeof *yv);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 3);
        for (size_t k = 0; k < d; k++)
            X[i * d + k] = dv_rng_normal(&r) + 2 * y[i] * (k == 1);
    }
    for (size_t j = 0; j < m; j++) {
        yv[j] = (double)(j % 2); /* class 2 absent from val */
        for (size_t k = 0; k < d; k++)
            Xv[j * d + k] = dv_rng_normal(&r) + 2 * yv[j] * (k == 1);
    }
    dv_dataset *train = NULL, *val = NULL, *perm_train = NULL;
    dv_error err = {0};
    CHECK_EQ_INT(dv_dataset_from_arrays(&train, n, d, X, y, DV_TASK_CLASSIFICATION, 3, NULL, &err),
                 DV_OK);
    CHECK_EQ_INT(dv_dataset_from_arrays(&val, m, d, Xv, yv, DV_TASK_CLASSIFICATION, 3, NULL, &err),
                 DV_OK);
    int64_t *perm = malloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = (int64_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t k = (size_t)dv_rng_below(&r, i + 1);
        int64_t t = perm[i];
        perm[i] = perm[k];
        perm[k] = t;
    }
    CHECK_EQ_INT(dv_dataset_subset(&perm_train, train, perm, n, &err), DV_OK);

    double *v1 = malloc(n * sizeof *v1), *v2 = malloc(n * sizeof *v2), *vp = malloc(n * sizeof *vp);
    dv_value_params p;
    lava_params(&p, 0.1, 1);
    CHECK_EQ_INT(dv__lava(train, val, &p, v1, &err), DV_OK);
    lava_params(&p, 0.1, 2);
    CHECK_EQ_INT(dv__lava(train, val, &p, v2, &err), DV_OK);
    CHECK(memcmp(v1, v2, n * sizeof *v1) == 0);
    CHECK_EQ_INT(dv__lava(perm_train, val, &p, vp, &err), DV_OK);
    double scale = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        scale = fmax(scale, fabs(v1[i]));
        sum += v1[i];
    }
    CHECK(scale > 0);
    CHECK_NEAR(sum / ((double)n * scale), 0, 1e-12);
    for (size_t i = 0; i < n; i++)
        CHECK_NEAR(vp[i], v1[perm[i]], 1e-8 * scale);

    /* Two training rows: the values are -+ (f_0 - f_1), summing to zero. */
    int64_t two[2] = {0, 1};
    dv_dataset *tiny = NULL;
    CHECK_EQ_INT(dv_dataset_subset(&tiny, train, two, 2, &err), DV_OK);
    double vt[2];
    CHECK_EQ_INT(dv__lava(tiny, val, &p, vt, &err), DV_OK);
    CHECK_NEAR(vt[0] + vt[1], 0, 1e-12 * (fabs(vt[0]) + 1));

    free(X);
    free(y);
    free(Xv);
    free(yv);
    free(perm);
    free(v1);
    free(v2);
    free(vp);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(perm_train);
    dv_dataset_free(tiny);
}

static void test_bad_input(void)
{
    dv_dataset *train = blobs(20, 3.0, 1, NULL, 2), *val = blobs(10, 3.0, 2, NULL, 2);
    dv_dataset *val3 = blobs(10, 3.0, 2, NULL, 3);
    double X[6] = {0, 1, 2, 3, 4, 5}, y[3] = {0.5, 1.5, 2.5};
    dv_dataset *reg = NULL;
    dv_error err = {0};
    CHECK_EQ_INT(dv_dataset_from_arrays(&reg, 3, 2, X, y, DV_TASK_REGRESSION, 0, NULL, &err),
                 DV_OK);
    double v[20];
    dv_value_params p;
    lava_params(&p, 0.1, 0);

    dv_error e1 = {0};
    CHECK_EQ_INT(dv__lava(reg, val, &p, v, &e1), DV_EINVAL);
    CHECK(strstr(e1.msg, "classification") != NULL);
    dv_error e2 = {0};
    CHECK_EQ_INT(dv__lava(train, reg, &p, v, &e2), DV_EINVAL);
    CHECK(e2.msg[0] != 0);
    dv_error e3 = {0};
    CHECK_EQ_INT(dv__lava(train, val3, &p, v, &e3), DV_EINVAL);
    CHECK(strstr(e3.msg, "features") != NULL);
    dv_error e4 = {0};
    lava_params(&p, 0, 0);
    CHECK_EQ_INT(dv__lava(train, val, &p, v, &e4), DV_EINVAL);
    CHECK(strstr(e4.msg, "lava_entreg") != NULL);
    dv_error e5 = {0};
    lava_params(&p, NAN, 0);
    CHECK_EQ_INT(dv__lava(train, val, &p, v, &e5), DV_EINVAL);
    CHECK(e5.msg[0] != 0);
    dv_error e6 = {0};
    lava_params(&p, 0.1, 0);
    int64_t one = 0;
    dv_dataset *single = NULL;
    CHECK_EQ_INT(dv_dataset_subset(&single, train, &one, 1, &err), DV_OK);
    CHECK_EQ_INT(dv__lava(single, val, &p, v, &e6), DV_EINVAL);
    CHECK(e6.msg[0] != 0);
    dv_error e7 = {0};
    CHECK_EQ_INT(dv__lava(train, val, &p, NULL, &e7), DV_EINVAL);
    CHECK(e7.msg[0] != 0);

    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(val3);
    dv_dataset_free(reg);
    dv_dataset_free(single);
}

int main(void)
{
    RUN(test_sinkhorn_1x1);
    RUN(test_sinkhorn_2x2);
    RUN(test_sinkhorn_random);
    RUN(test_permutation_and_threads);
    RUN(test_flipped_labels);
    RUN(test_bad_input);
    return CHECK_DONE();
}
