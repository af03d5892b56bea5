/*
 * law_eb.c -- an empirical-Bayes scaling law for small budgets.
 *
 * With a handful of samples per point, a law fitted to each point alone
 * extrapolates c k^-alpha from noise: c and alpha are nearly collinear (c
 * is the law at k = 1, far outside the sampled sizes), a few fits run to
 * the edge of the box, and their values, averaged over the whole size
 * range, can be off by orders of magnitude.  Even an alpha shared by all
 * the points of a class is poorly determined at 5 samples per point (it
 * ranged from 1 to 3 across runs of one data set), and a value
 * extrapolated with a wrong alpha is biased.  So this estimator keeps the
 * value away from alpha and borrows strength across points:
 *   1. the value: each point's mean delta (unbiased for the value over the
 *      sampled sizes), shrunk toward a prior mean mu_i -- the mean over the
 *      point's class, or over its nearest same-class neighbours in feature
 *      space -- by tau^2 / (tau^2 + s_i^2 / m), s_i^2 its samples' variance
 *      and tau^2 the method-of-moments excess of the spread of the means
 *      about mu over the mean s_i^2 / m (Efron & Morris, JASA 1973); a
 *      class of one point is not shrunk;
 *   2. the law's shape: alpha and beta shared by the points of a class,
 *      maximizing the class's profile likelihood of
 *          delta_ij ~ N(c_i k_ij^-alpha, sigma_i^2 k_ij^-beta)
 *      (c_i and sigma_i in closed form given them);
 *   3. c_i such that the mean of c_i k^-alpha over the value's sizes
 *      k_lo..k_hi is the value, sigma_i the weighted residual scale.
 * psi_k = c_i k^-alpha then follows the class's shape through the point's
 * value.
 */
#include "internal.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#define ALPHA_LO 1e-3
#define ALPHA_HI 3.0
#define BETA_LO 0.0
#define BETA_HI 3.0

/* One head's points and samples. */
typedef struct {
    const double *delta;
    const int32_t *card;
    size_t m;               /* samples per point */
    const size_t *pts;      /* the head's points */
    size_t n;
    int64_t kmax;
    double *u, *w;          /* tables over k = 0..kmax: k^-alpha, k^beta */
    double *nll;            /* per point, summed in order */
} eb_head;

/* c-hat, its variance factor 1 / sum w u^2 and sigma-hat^2 of point i
 * under the tables' (alpha, beta). */
static void point_fit(const eb_head *H, size_t i, double *c, double *inv_suu, double *s2)
{
    const double *d = H->delta + i * H->m;
    const int32_t *k = H->card + i * H->m;
    double suu = 0, sud = 0;
    for (size_t j = 0; j < H->m; j++) {
        double u = H->u[k[j]], w = H->w[k[j]];
        suu += w * u * u;
        sud += w * u * d[j];
    }
    *c = sud / suu;
    *inv_suu = 1.0 / suu;
    double ss = 0;
    for (size_t j = 0; j < H->m; j++) {
        double r = d[j] - *c * H->u[k[j]];
        ss += H->w[k[j]] * r * r;
    }
    *s2 = ss / (double)H->m;
}

/* The head's profile negative log-likelihood at (alpha, beta), points with
 * all-zero deltas left out (they say nothing about alpha). */
static double head_nll(eb_head *H, double alpha, double beta, int n_threads)
{
    for (int64_t k = 1; k <= H->kmax; k++) {
        H->u[k] = pow((double)k, -alpha);
        H->w[k] = pow((double)k, beta);
    }
#pragma omp parallel for num_threads(n_threads) schedule(static)
    for (size_t q = 0; q < H->n; q++) {
        double c, v, s2;
        point_fit(H, H->pts[q], &c, &v, &s2);
        double slog = 0;
        const int32_t *k = H->card + H->pts[q] * H->m;
        for (size_t j = 0; j < H->m; j++)
            slog += log((double)k[j]);
        H->nll[q] = s2 > 0 ? 0.5 * (double)H->m * log(s2) - 0.5 * beta * slog : 0.0;
    }
    double sum = 0;
    for (size_t q = 0; q < H->n; q++)
        sum += H->nll[q];
    return sum;
}

/* Golden-section minimum of f over [lo, hi] in x (the other coordinate
 * fixed): 40 steps. */
static double golden(eb_head *H, int which, double other, double lo, double hi, int nt)
{
    const double g = 0.61803398874989484820;
    double a = lo, b = hi, x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = which ? head_nll(H, other, x1, nt) : head_nll(H, x1, other, nt);
    double f2 = which ? head_nll(H, other, x2, nt) : head_nll(H, x2, other, nt);
    for (int it = 0; it < 40; it++) {
        if (f1 <= f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = which ? head_nll(H, other, x1, nt) : head_nll(H, x1, other, nt);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = which ? head_nll(H, other, x2, nt) : head_nll(H, x2, other, nt);
        }
    }
    return f1 <= f2 ? x1 : x2;
}

/* The shared (alpha, beta) of a head: a coarse grid, then coordinate-wise
 * golden sections around the best grid point. */
static void head_exponents(eb_head *H, double *alpha, double *beta, int nt)
{
    double best = INFINITY, ba = 0.5, bb = 1.0;
    for (int ia = 0; ia < 12; ia++)
        for (int ib = 0; ib < 7; ib++) {
            double a = ALPHA_LO + (ALPHA_HI - ALPHA_LO) * ia / 11.0;
            double b = BETA_LO + (BETA_HI - BETA_LO) * ib / 6.0;
            double f = head_nll(H, a, b, nt);
            if (f < best) {
                best = f;
                ba = a;
                bb = b;
            }
        }
    double da = (ALPHA_HI - ALPHA_LO) / 11.0, db = (BETA_HI - BETA_LO) / 6.0;
    for (int round = 0; round < 3; round++) {
        ba = golden(H, 0, bb, fmax(ALPHA_LO, ba - da), fmin(ALPHA_HI, ba + da), nt);
        bb = golden(H, 1, ba, fmax(BETA_LO, bb - db), fmin(BETA_HI, bb + db), nt);
        da *= 0.5;
        db *= 0.5;
    }
    *alpha = ba;
    *beta = bb;
}

/* nb[0..K-1]: the K nearest points of the head to point pts[q] (squared
 * Euclidean distance, ties by index), itself excluded. */
static void nearest(const double *X, size_t d, const size_t *pts, size_t n, size_t q, size_t K,
                    size_t *nb, double *dist)
{
    size_t got = 0;
    const double *x = X + pts[q] * d;
    for (size_t r = 0; r < n; r++) {
        if (r == q)
            continue;
        const double *z = X + pts[r] * d;
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += (x[j] - z[j]) * (x[j] - z[j]);
        /* insertion into the sorted list of the best got */
        size_t at = got < K ? got : K;
        while (at > 0 && dist[at - 1] > s)
            at--;
        if (at >= K)
            continue;
        size_t end = got < K ? got : K - 1;
        memmove(nb + at + 1, nb + at, (end - at) * sizeof *nb);
        memmove(dist + at + 1, dist + at, (end - at) * sizeof *dist);
        nb[at] = r;
        dist[at] = s;
        if (got < K)
            got++;
    }
}

/* The mean and the variance of the mean of point i's samples. */
static void point_mean(const eb_head *H, size_t i, double *mean, double *var)
{
    const double *d = H->delta + i * H->m;
    double s = 0, ss = 0;
    for (size_t j = 0; j < H->m; j++)
        s += d[j];
    s /= (double)H->m;
    for (size_t j = 0; j < H->m; j++)
        ss += (d[j] - s) * (d[j] - s);
    *mean = s;
    *var = ss / (double)(H->m - 1) / (double)H->m;
}

/* Each point's prior mean mu[q]: the mean of est over the head, or over the
 * point's K nearest neighbours in the head. */
static int prior_means(const eb_head *H, const double *est, const double *X, size_t d, size_t K,
                       int nt, double *mu)
{
    size_t n = H->n;
    double bar = 0;
    for (size_t q = 0; q < n; q++)
        bar += est[q];
    bar /= (double)n;
    for (size_t q = 0; q < n; q++)
        mu[q] = bar;
    if (!K)
        return DV_OK;
    int rc = DV_OK;
#pragma omp parallel num_threads(nt)
    {
        double *dist = dv__malloc(K * sizeof(double));
        size_t *nb = dv__malloc(K * sizeof(size_t));
#pragma omp for schedule(static)
        for (size_t q = 0; q < n; q++) {
            if (!dist || !nb)
                continue;
            nearest(X, d, H->pts, n, q, K, nb, dist);
            double s = 0;
            for (size_t r = 0; r < K; r++)
                s += est[nb[r]];
            mu[q] = s / (double)K;
        }
        if (!dist || !nb) {
#pragma omp atomic write
            rc = DV_ENOMEM;
        }
        dv__free(dist);
        dv__free(nb);
    }
    return rc;
}

/* Steps 1 and 3 for one head, laws written. */
static int head_laws(eb_head *H, double alpha, double beta, const double *X, size_t d,
                     size_t K, int64_t k_lo, int64_t k_hi, int nt, dv_law *laws)
{
    size_t n = H->n;
    double *est = dv__malloc(3 * n * sizeof(double));
    if (!est)
        return DV_ENOMEM;
    double *v = est + n, *mu = est + 2 * n;
    for (size_t q = 0; q < n; q++)
        point_mean(H, H->pts[q], &est[q], &v[q]);
    int rc = prior_means(H, est, X, d, K, nt, mu);
    /* tau^2 by moments: about the class mean, E (mean - bar)^2 = (1 - 1/n)
     * (tau^2 + v); about the mean of K neighbours (independent draws about
     * the same prior mean), E (mean - mu)^2 = (1 + 1/K) tau^2 + v + v/K. */
    double spread = 0, noise = 0;
    for (size_t q = 0; q < n; q++) {
        spread += (est[q] - mu[q]) * (est[q] - mu[q]);
        noise += v[q];
    }
    double tau2 = K ? spread / ((double)n * (1.0 + 1.0 / (double)K)) - noise / (double)n
                : n > 1 ? spread / (double)(n - 1) - noise / (double)n
                        : 0.0;
    tau2 = n > 1 ? fmax(0.0, tau2) : INFINITY; /* one point: nothing to shrink toward */
    head_nll(H, alpha, beta, nt); /* the tables at (alpha, beta) */
    double kbar = dv_law_mean_value(1.0, alpha, k_lo, k_hi);
    for (size_t q = 0; q < n; q++) {
        size_t i = H->pts[q];
        dv_law *L = &laws[i];
        double shrink = isinf(tau2) ? 1.0 : tau2 + v[q] > 0 ? tau2 / (tau2 + v[q]) : 1.0;
        L->c = (mu[q] + shrink * (est[q] - mu[q])) / kbar;
        L->alpha = alpha;
        L->beta = beta;
        double ss = 0;
        const double *dl = H->delta + i * H->m;
        const int32_t *kk = H->card + i * H->m;
        for (size_t j = 0; j < H->m; j++) {
            double r = dl[j] - L->c * H->u[kk[j]];
            ss += H->w[kk[j]] * r * r;
        }
        L->sigma = sqrt(ss / (double)H->m);
        L->status = v[q] > 0 || est[q] != 0 ? DV_LAW_OK : DV_LAW_ALL_ZERO;
    }
    dv__free(est);
    return rc;
}

int dv_law_fit_eb(const double *delta, const int32_t *card, size_t n_points, size_t n_samples,
                  const int32_t *head, size_t n_heads, const double *X, size_t d,
                  size_t neighbors, int64_t k_lo, int64_t k_hi, int n_threads, dv_law *laws,
                  dv_error *err)
{
    if (k_lo < 1 || k_hi < k_lo)
        return dv__err(err, DV_EINVAL, "law_eb: sizes %lld..%lld are not a range from 1",
                       (long long)k_lo, (long long)k_hi);
    if (!delta || !card || !laws || n_points < 2 || n_samples < 2)
        return dv__err(err, DV_EINVAL, "law_eb: needs at least 2 points with 2 samples each");
    if (neighbors && (!X || d < 1))
        return dv__err(err, DV_EINVAL, "law_eb: the neighbour prior needs the points' features");
    size_t heads = head ? n_heads : 1, m = n_samples;
    int64_t kmax = 1;
    for (size_t q = 0; q < n_points * m; q++) {
        if (!isfinite(delta[q]) || card[q] < 1)
            return dv__err(err, DV_EINVAL, "law_eb: sample %zu of point %zu is %g at k = %d",
                           q % m, q / m, delta[q], (int)card[q]);
        kmax = card[q] > kmax ? card[q] : kmax;
    }
    for (size_t i = 0; head && i < n_points; i++)
        if (head[i] < 0 || (size_t)head[i] >= heads)
            return dv__err(err, DV_EINVAL, "law_eb: point %zu has head %d, not in 0..%zu", i,
                           (int)head[i], heads - 1);
    int nt = n_threads > 0 ? n_threads : omp_get_max_threads();
    size_t *pts = dv__malloc(n_points * sizeof(size_t));
    double *u = dv__malloc((size_t)(kmax + 1) * 2 * sizeof(double));
    double *nll = dv__malloc(n_points * sizeof(double));
    int rc = !pts || !u || !nll ? DV_ENOMEM : DV_OK;
    for (size_t h = 0; h < heads && !rc; h++) {
        size_t n = 0;
        for (size_t i = 0; i < n_points; i++)
            if (!head || (size_t)head[i] == h)
                pts[n++] = i;
        if (n == 0)
            continue;
        eb_head H = {delta, card, m, pts, n, kmax, u, u + kmax + 1, nll};
        double alpha, beta;
        head_exponents(&H, &alpha, &beta, nt);
        size_t K = neighbors < n - 1 ? neighbors : n - 1;
        rc = head_laws(&H, alpha, beta, X, d, K, k_lo, k_hi, nt, laws);
    }
    for (size_t i = 0; !rc && i < n_points; i++) {
        dv_law *L = &laws[i], keep = *L;
        dv_law_fit_log(delta + i * m, card + i * m, m, L); /* the log estimator's fields */
        L->c = keep.c;
        L->alpha = keep.alpha;
        L->sigma = keep.sigma;
        L->beta = keep.beta;
        L->status = keep.status;
        L->nll = L->sigma > 0 ? dv_law_nll(delta + i * m, card + i * m, m, L->c, L->alpha,
                                           L->sigma, L->beta)
                              : 0.0;
        L->n_samples = m;
    }
    dv__free(pts);
    dv__free(u);
    dv__free(nll);
    if (rc == DV_ENOMEM)
        return dv__err(err, rc, "out of memory");
    return rc;
}
