/*
 * oracle.h -- plain, deliberately naive computations the tests hold the
 * library's against: mid-ranks by counting, Pearson correlation by its
 * definition (two passes), linear systems by Gaussian elimination.  Shared
 * by the test programs that need them.
 */
#ifndef DV_TEST_ORACLE_H
#define DV_TEST_ORACLE_H

#include <math.h>
#include <stddef.h>

/* Mid-rank by counting: 1 + #{smaller} + (#{equal} - 1) / 2. */
static inline void oracle_ranks(const double *v, size_t n, double *r)
{
    for (size_t i = 0; i < n; i++) {
        size_t less = 0, eq = 0;
        for (size_t j = 0; j < n; j++) {
            less += v[j] < v[i];
            eq += v[j] == v[i];
        }
        r[i] = 1.0 + (double)less + ((double)eq - 1.0) / 2.0;
    }
}

static inline double oracle_corr(const double *a, const double *b, size_t n)
{
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        sa += a[i];
        sb += b[i];
    }
    for (size_t i = 0; i < n; i++) {
        double x = a[i] - sa / (double)n, y = b[i] - sb / (double)n;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    return sab / sqrt(saa) / sqrt(sbb);
}

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
