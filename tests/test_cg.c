/*
 * test_cg.c -- tests of the CG score (src/value/cg.c): the closed form
 * ((H^-1 y)_i)^2 / (H^-1)_ii against the definition y^T H^-1 y -
 * y_{-i}^T H_{-i}^-1 y_{-i} computed by brute force with a separate Gaussian
 * elimination, the clamp of u before arccos on duplicated points, a
 * mislabeled point ranked last, determinism and argument checks.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"
#include "methods/methods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The parameters the CG score reads, without dv_value_params_default. */
static dv_value_params cg_params(uint64_t seed, size_t reps, double unbalance)
{
    dv_value_params p;
    memset(&p, 0, sizeof p);
    p.method = DV_METHOD_CG;
    p.seed = seed;
    p.cg_reps = reps;
    p.cg_unbalance = unbalance;
    return p;
}

static dv_dataset *make_data(size_t n, size_t d, size_t K, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 7);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % K);
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = dv_rng_normal(&r) + (j == (size_t)y[i] % d ? 1.5 : 0.0);
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, K, NULL, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    free(X);
    free(y);
    return ds;
}

/* y^T A^-1 y for the m x m matrix A by Gaussian elimination with partial
 * pivoting (A and y are copied). */
static double quad_inv(const double *A, const double *y, size_t m)
{
    double *M = malloc(m * (m + 1) * sizeof(double));
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < m; j++)
            M[i * (m + 1) + j] = A[i * m + j];
        M[i * (m + 1) + m] = y[i];
    }
    for (size_t k = 0; k < m; k++) {
        size_t piv = k;
        for (size_t i = k + 1; i < m; i++)
            if (fabs(M[i * (m + 1) + k]) > fabs(M[piv * (m + 1) + k]))
                piv = i;
        for (size_t j = 0; j <= m; j++) {
            double t = M[k * (m + 1) + j];
            M[k * (m + 1) + j] = M[piv * (m + 1) + j];
            M[piv * (m + 1) + j] = t;
        }
        for (size_t i = k + 1; i < m; i++) {
            double f = M[i * (m + 1) + k] / M[k * (m + 1) + k];
            for (size_t j = k; j <= m; j++)
                M[i * (m + 1) + j] -= f * M[k * (m + 1) + j];
        }
    }
    double *z = malloc(m * sizeof(double));
    for (size_t ii = m; ii-- > 0;) {
        double s = M[ii * (m + 1) + m];
        for (size_t j = ii + 1; j < m; j++)
            s -= M[ii * (m + 1) + j] * z[j];
        z[ii] = s / M[ii * (m + 1) + ii];
    }
    double q = 0.0;
    for (size_t i = 0; i < m; i++)
        q += y[i] * z[i];
    free(M);
    free(z);
    return q;
}

/* The NTK entry written out from the paper, with the clamp. */
static double ntk(const double *a, const double *b, size_t d)
{
    double na = 0, nb = 0, u = 0;
    for (size_t k = 0; k < d; k++) {
        na += a[k] * a[k];
        nb += b[k] * b[k];
    }
    na = sqrt(na);
    nb = sqrt(nb);
    for (size_t k = 0; k < d; k++)
        u += (a[k] / na) * (b[k] / nb);
    if (u > 1)
        u = 1;
    if (u < -1)
        u = -1;
    return u * (M_PI - acos(u)) / (2 * M_PI);
}

/* With cg_unbalance large every other row is a negative, so the problem of
 * each class is fixed and the definition can be evaluated directly. */
static void test_closed_form_matches_definition(void)
{
    const size_t cases[][3] = {{9, 3, 2}, {12, 4, 3}, {15, 2, 2}, {10, 5, 4}};
    for (size_t t = 0; t < DV__COUNT(cases); t++) {
        size_t n = cases[t][0], d = cases[t][1], K = cases[t][2];
        dv_dataset *ds = make_data(n, d, K, 100 + t);
        const double *X = dv_dataset_features(ds), *Y = dv_dataset_targets(ds);
        dv_value_params p = cg_params(3, 1, 1000.0);
        double *v = malloc(n * sizeof(double));
        dv_error err = {0};
        int rc = dv__cg_score(ds, &p, v, &err);
        CHECK_MSG(rc == DV_OK, "%s", err.msg);

        double *H = malloc(n * n * sizeof(double)), *Hm = malloc(n * n * sizeof(double));
        double *y = malloc(n * sizeof(double)), *ym = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                H[i * n + j] = i == j ? 0.5 : ntk(X + i * d, X + j * d, d);
        for (size_t i = 0; i < n; i++) {
            size_t c = (size_t)Y[i];
            for (size_t j = 0; j < n; j++)
                y[j] = (size_t)Y[j] == c ? 1.0 : -1.0;
            double full = quad_inv(H, y, n);
            size_t m = 0;
            for (size_t a = 0; a < n; a++) {
                if (a == i)
                    continue;
                size_t mb = 0;
                for (size_t b = 0; b < n; b++)
                    if (b != i)
                        Hm[m * (n - 1) + mb++] = H[a * n + b];
                ym[m++] = y[a];
            }
            double score = full - quad_inv(Hm, ym, n - 1);
            CHECK(score >= -1e-9);
            CHECK_NEAR(-v[i], score, 1e-8 * (1.0 + fabs(score)));
        }
        free(H);
        free(Hm);
        free(y);
        free(ym);
        free(v);
        dv_dataset_free(ds);
    }
}

/* Exact duplicates and positive multiples of a row give u = 1 up to
 * rounding (sometimes 1 + 2^-52): the clamp keeps arccos finite, and the
 * ridge makes the singular kernel invertible.  Duplicates with conflicting
 * labels get huge scores (about 1 / ridge): the kernel cannot fit them. */
static void test_clamp_duplicates(void)
{
    const size_t n = 10, d = 3;
    double X[10 * 3], y[10];
    dv_rng r;
    dv_rng_seed(&r, 5, 0);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 2);
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = dv_rng_normal(&r);
    }
    /* Rows 1 and 3 (class 1) are positive multiples of row 0 (class 0);
     * row 5, relabelled class 0, is an exact copy of row 2 (class 0). */
    for (size_t j = 0; j < d; j++) {
        X[1 * d + j] = 7.0 * X[0 * d + j];
        X[3 * d + j] = 0.1 * X[0 * d + j];
        X[5 * d + j] = X[2 * d + j];
    }
    y[5] = 0.0;
    X[9 * d + 0] = 0.1; /* rows 9 and 8 = 13 * row 9: u rounds to 1 or just above */
    X[9 * d + 1] = 0.2;
    X[9 * d + 2] = 0.3;
    for (size_t j = 0; j < d; j++)
        X[8 * d + j] = 13.0 * X[9 * d + j];
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    dv_value_params p = cg_params(1, 2, 1.0);
    double v[10];
    int rc = dv__cg_score(ds, &p, v, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(isfinite(v[i]) && v[i] <= 1e-9, "v[%zu] = %g", i, v[i]);
    if (getenv("CG_VERBOSE"))
        for (size_t i = 0; i < n; i++)
            printf("v[%zu] = %g\n", i, v[i]);
    /* Rows 5 and 2 are the same point with the same label: leaving one out
     * leaves the other, so their scores are small next to those of rows
     * 0 and 1 (same direction, different labels). */
    CHECK(v[5] > v[1] && v[5] > v[0]);
    CHECK(v[2] > v[1] && v[2] > v[0]);
    dv_dataset_free(ds);
}

/* Two separated blobs with one label flipped: the flipped point is the
 * least valuable (highest CG score). */
static void test_mislabeled_is_last(void)
{
    const size_t n = 60, d = 2;
    double X[60 * 2], y[60];
    dv_rng r;
    dv_rng_seed(&r, 11, 0);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 2);
        double cx = y[i] > 0 ? 3.0 : -3.0;
        X[i * d] = cx + 0.5 * dv_rng_normal(&r);
        X[i * d + 1] = 1.0 + 0.5 * dv_rng_normal(&r);
    }
    y[10] = 1.0 - y[10];
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    dv_value_params p = cg_params(2, 3, 1.0);
    double v[60];
    CHECK(dv__cg_score(ds, &p, v, &err) == DV_OK);
    size_t worst = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] < v[worst])
            worst = i;
    CHECK_EQ_INT(worst, 10);
    dv_dataset_free(ds);
}

static void test_determinism(void)
{
    const size_t n = 40;
    dv_dataset *ds = make_data(n, 3, 3, 9);
    double a[40], b[40], c[40], e[40];
    dv_error err = {0};
    dv_value_params p = cg_params(42, 3, 0.7);
    CHECK(dv__cg_score(ds, &p, a, &err) == DV_OK);
    CHECK(dv__cg_score(ds, &p, b, &err) == DV_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    p.seed = 43; /* other negatives */
    CHECK(dv__cg_score(ds, &p, c, &err) == DV_OK);
    CHECK(memcmp(a, c, sizeof a) != 0);
    /* every row is a positive of its own class: all values set, <= 0 */
    for (size_t i = 0; i < n; i++)
        CHECK(isfinite(a[i]) && a[i] <= 1e-12);
    /* one repetition with all negatives does not depend on the seed */
    p = cg_params(1, 1, 50.0);
    CHECK(dv__cg_score(ds, &p, c, &err) == DV_OK);
    p.seed = 2;
    CHECK(dv__cg_score(ds, &p, e, &err) == DV_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_NEAR(c[i], e[i], 1e-10 * (1 + fabs(c[i])));
    dv_dataset_free(ds);
}

static void test_bad_input(void)
{
    double X[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {0.5, 1, 2, 3}, v[6];
    dv_dataset *reg = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&reg, 4, 2, X, y, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    dv_value_params p = cg_params(0, 1, 1.0);
    CHECK_EQ_INT(dv__cg_score(reg, &p, v, &err), DV_EINVAL);
    CHECK_EQ_INT(err.code, DV_EINVAL);
    dv_dataset *clf = make_data(6, 2, 2, 1);
    CHECK_EQ_INT(dv__cg_score(NULL, &p, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__cg_score(clf, NULL, v, &err), DV_EINVAL);
    CHECK_EQ_INT(dv__cg_score(clf, &p, NULL, &err), DV_EINVAL);
    p.cg_reps = 0;
    CHECK_EQ_INT(dv__cg_score(clf, &p, v, &err), DV_EINVAL);
    p.cg_reps = 1;
    p.cg_unbalance = 0.0;
    CHECK_EQ_INT(dv__cg_score(clf, &p, v, &err), DV_EINVAL);
    p.cg_unbalance = NAN;
    CHECK_EQ_INT(dv__cg_score(clf, &p, v, &err), DV_EINVAL);
    p.cg_unbalance = 1.0;
    CHECK_EQ_INT(dv__cg_score(clf, &p, v, NULL), DV_OK);
    dv_dataset_free(reg);
    dv_dataset_free(clf);
}

int main(void)
{
    RUN(test_closed_form_matches_definition);
    RUN(test_clamp_duplicates);
    RUN(test_mislabeled_is_last);
    RUN(test_determinism);
    RUN(test_bad_input);
    return CHECK_DONE();
}
