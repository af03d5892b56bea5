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
