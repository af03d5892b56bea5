/*
 * oracle.h -- plain, deliberately naive statistics the tests hold the
 * library's against: mid-ranks by counting and Pearson correlation by its
 * definition (two passes).  Shared by the test programs that need them.
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

#endif
