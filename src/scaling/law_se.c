/*
 * law_se.c -- the standard error of a point's law value (the mean of
 * c k^-alpha over the run's sizes), by the delta method with the sandwich
 * (heteroscedasticity-robust) covariance of the fitted (c, alpha) at the
 * fitted variance law (Huber, "The behavior of maximum likelihood estimates
 * under nonstandard conditions", 1967; White, Econometrica 1980).
 *
 * The mean parameters are taken as (c', alpha) with c' = c k0^-alpha the law
 * at k0, the geometric mean of the sampled sizes: the same linearization as
 * in (c, alpha), with far less collinearity between the two.  For sample i
 * with size k_i, t_i = ln(k_i / k0), f_i = e^(-alpha t_i), mean mu_i = c' f_i,
 * weight w_i = k_i^beta / sigma^2 and gradient d_i = (f_i, -c' t_i f_i):
 *   A = sum w_i d_i d_i^T,  B = sum w_i^2 (delta_i - mu_i)^2 d_i d_i^T,
 *   Cov = A^-1 B A^-1,  se = sqrt(g^T Cov g),
 * with g the gradient of the law value in (c', alpha).  The mean and the
 * variance parameters of a Gaussian are orthogonal, so the variance law's
 * uncertainty does not enter to first order.
 */
#include "internal.h"

#include <math.h>

double dv_law_value_stderr(const double *delta, const int32_t *card, size_t n, const dv_law *law,
                           int64_t k_lo, int64_t k_hi)
{
    if (!delta || !card || !law || n < 3 || k_lo < 1 || k_hi < k_lo ||
        (law->status != DV_LAW_OK && law->status != DV_LAW_BOUND) || !isfinite(law->c) ||
        !isfinite(law->alpha) || !(law->sigma > 0) || !isfinite(law->sigma) ||
        !isfinite(law->beta))
        return NAN;
    double slog = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(delta[i]) && card[i] >= 1) {
            slog += log((double)card[i]);
            m++;
        }
    if (m < 3)
        return NAN;
    double lk0 = slog / (double)m, a = law->alpha;
    double c1 = law->c * exp(-a * lk0), s2 = law->sigma * law->sigma;
    double A[3] = {0, 0, 0}, B[3] = {0, 0, 0}; /* symmetric 2 x 2: [00, 01, 11] */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(delta[i]) || card[i] < 1)
            continue;
        double lk = log((double)card[i]), t = lk - lk0, f = exp(-a * t);
        double w = exp(law->beta * lk) / s2, r = delta[i] - c1 * f;
        double d0 = f, d1 = -c1 * t * f, w2r2 = w * w * r * r;
        A[0] += w * d0 * d0;
        A[1] += w * d0 * d1;
        A[2] += w * d1 * d1;
        B[0] += w2r2 * d0 * d0;
        B[1] += w2r2 * d0 * d1;
        B[2] += w2r2 * d1 * d1;
    }
    double det = A[0] * A[2] - A[1] * A[1];
    if (!(det > 0) || !isfinite(det))
        return NAN;
    /* Ainv = [A2, -A1; -A1, A0] / det; Cov = Ainv B Ainv. */
    double i0 = A[2] / det, i1 = -A[1] / det, i2 = A[0] / det;
    double p0 = i0 * B[0] + i1 * B[1], p1 = i0 * B[1] + i1 * B[2]; /* row 0 of Ainv B */
    double q0 = i1 * B[0] + i2 * B[1], q1 = i1 * B[1] + i2 * B[2]; /* row 1 */
    double C00 = p0 * i0 + p1 * i1, C01 = p0 * i1 + p1 * i2, C11 = q0 * i1 + q1 * i2;
    /* Gradient of mean_k c' (k / k0)^-alpha in (c', alpha). */
    double g0 = 0.0, g1 = 0.0;
    for (int64_t k = k_lo; k <= k_hi; k++) {
        double t = log((double)k) - lk0, f = exp(-a * t);
        g0 += f;
        g1 -= c1 * t * f;
    }
    double nk = (double)(k_hi - k_lo + 1);
    g0 /= nk;
    g1 /= nk;
    double v = g0 * g0 * C00 + 2.0 * g0 * g1 * C01 + g1 * g1 * C11;
    return v >= 0 && isfinite(v) ? sqrt(v) : NAN;
}
