/*
 * many.c -- scaling-law fits for many points at once, and the law-based
 * value (Covert et al., ICML 2024: the mean of c k^-alpha over a range of
 * dataset sizes).
 */
#include "internal.h"

#include <math.h>
#include <omp.h>

int dv_law_fit_many(const double *delta, const int32_t *card, size_t n_points, size_t n_samples,
                    dv_law *laws, int n_threads)
{
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    long long n = (long long)n_points;
#pragma omp parallel for num_threads(nth) schedule(dynamic, 16)
    for (long long i = 0; i < n; i++)
        dv_law_fit(delta + (size_t)i * n_samples, card + (size_t)i * n_samples, n_samples,
                   &laws[i]);
    return DV_OK;
}

double dv_law_mean_value(double c, double alpha, int64_t k_lo, int64_t k_hi)
{
    if (k_hi < k_lo || k_lo < 1)
        return 0.0;
    double s = 0.0;
    for (int64_t k = k_lo; k <= k_hi; k++)
        s += pow((double)k, -alpha);
    return c * s / (double)(k_hi - k_lo + 1);
}
