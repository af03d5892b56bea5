/*
 * linalg.c -- the one place that calls LAPACK: Cholesky factorization and
 * solves on small dense symmetric positive definite systems.
 */
#include "internal.h"

#include <lapacke.h>

int dv__chol(double *A, size_t n)
{
    /* Row-major lower = column-major upper of the same memory; LAPACKE
     * handles the layout. */
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, A, (lapack_int)n);
    return info != 0;
}

void dv__chol_solve(const double *L, size_t n, double *B, size_t nrhs)
{
    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, (lapack_int)nrhs, L, (lapack_int)n, B,
                   (lapack_int)nrhs);
}

void dv__chol_prep(const double *L, size_t n, double *U, double *dinv)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j <= i; j++)
            U[j * n + i] = L[i * n + j];
        dinv[i] = 1.0 / L[i * n + i];
    }
}

/* Both triangular solves in axpy form, four rows at a time, so that the
 * inner loops run over contiguous memory without a reduction: at n ~ 100
 * about twice as fast as two dtrsv calls (bench/ in BENCHMARKS.md). */
DV__CLONES void dv__chol_solve_vec(const double *restrict L, const double *restrict U,
                        const double *restrict dinv, size_t n, double *restrict v)
{
    /* L y = v by columns of L (rows of U). */
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const double *u0 = U + j * n, *u1 = u0 + n, *u2 = u1 + n, *u3 = u2 + n;
        double y0 = v[j] * dinv[j];
        double y1 = (v[j + 1] - u0[j + 1] * y0) * dinv[j + 1];
        double y2 = (v[j + 2] - u0[j + 2] * y0 - u1[j + 2] * y1) * dinv[j + 2];
        double y3 = (v[j + 3] - u0[j + 3] * y0 - u1[j + 3] * y1 - u2[j + 3] * y2) * dinv[j + 3];
        v[j] = y0;
        v[j + 1] = y1;
        v[j + 2] = y2;
        v[j + 3] = y3;
        for (size_t i = j + 4; i < n; i++)
            v[i] -= (y0 * u0[i] + y1 * u1[i]) + (y2 * u2[i] + y3 * u3[i]);
    }
    for (; j < n; j++) {
        const double *u = U + j * n;
        double yj = v[j] * dinv[j];
        v[j] = yj;
        for (size_t i = j + 1; i < n; i++)
            v[i] -= yj * u[i];
    }
    /* L^T x = y by rows of L, from the bottom. */
    size_t k = n;
    for (size_t t = 0; t < n % 4; t++) {
        k--;
        const double *r = L + k * n;
        double xk = v[k] * dinv[k];
        v[k] = xk;
        for (size_t i = 0; i < k; i++)
            v[i] -= xk * r[i];
    }
    while (k >= 4) {
        k -= 4;
        const double *r0 = L + k * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;
        double x3 = v[k + 3] * dinv[k + 3];
        double x2 = (v[k + 2] - r3[k + 2] * x3) * dinv[k + 2];
        double x1 = (v[k + 1] - r3[k + 1] * x3 - r2[k + 1] * x2) * dinv[k + 1];
        double x0 = (v[k] - r3[k] * x3 - r2[k] * x2 - r1[k] * x1) * dinv[k];
        v[k] = x0;
        v[k + 1] = x1;
        v[k + 2] = x2;
        v[k + 3] = x3;
        for (size_t i = 0; i < k; i++)
            v[i] -= (x0 * r0[i] + x1 * r1[i]) + (x2 * r2[i] + x3 * r3[i]);
    }
}
