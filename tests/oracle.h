/*
 * oracle.h -- small independent computations the tests compare the library
 * with, written plainly (no BLAS, no LAPACK, nothing of the library's).
 */
#ifndef DV_ORACLE_H
#define DV_ORACLE_H

#include <math.h>
#include <stddef.h>

/* Solves A x = b (m x m, row-major) by Gaussian elimination with partial
 * pivoting: A and b are overwritten, x is left in b.  Returns 0 when A is
 * singular (a zero pivot), else 1. */
static inline int oracle_solve(double *A, double *b, size_t m)
{
    for (size_t c = 0; c < m; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < m; r++)
            if (fabs(A[r * m + c]) > fabs(A[piv * m + c]))
                piv = r;
        if (A[piv * m + c] == 0)
            return 0;
        for (size_t j = 0; j < m; j++) {
            double t = A[c * m + j];
            A[c * m + j] = A[piv * m + j];
            A[piv * m + j] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (size_t r = c + 1; r < m; r++) {
            double f = A[r * m + c] / A[c * m + c];
            for (size_t j = c; j < m; j++)
                A[r * m + j] -= f * A[c * m + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = m; c-- > 0;) {
        double s = b[c];
        for (size_t j = c + 1; j < m; j++)
            s -= A[c * m + j] * b[j];
        b[c] = s / A[c * m + c];
    }
    return 1;
}

#endif
