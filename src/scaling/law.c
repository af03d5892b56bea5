/*
 * law.c -- per-point scaling-law estimators.  A point's marginal
 * contributions delta at training-set sizes k are modelled as
 * delta ~ N(c k^-alpha, sigma^2 k^-beta).  Two estimators fit the law: the
 * log estimator (a log-log regression of the per-cardinality means) and the
 * maximum-likelihood estimator, whose nuisance parameters c and sigma have
 * closed forms, leaving a two-dimensional profile likelihood in
 * (alpha, beta) that a grid search plus a box-constrained Newton method
 * minimizes globally.  The Newton method is shared with curve.c.
 *
 * Both estimators work on samples grouped by distinct cardinality (count,
 * mean, within-group sum of squares), so one evaluation of the profile
 * likelihood costs O(distinct k), not O(samples).
 */
#include "internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Scaling laws for individual data points: Covert, Ji, Hashimoto and Zou,
 * "Scaling Laws for the Value of Individual Data Points in Machine
 * Learning", ICML 2024. */

/* The box for alpha and beta: the reference clamps log alpha, log beta <= 2
 * and leaves them unbounded below; exp(-40) is numerically alpha = 0 for any
 * cardinality that fits in an int32 (|alpha ln k| < 1e-16). */
#define LAW_HI 7.38905609893065022723 /* e^2 */
#define LAW_LO 4.24835425529158899e-18 /* e^-40 */
/* An optimum below this counts as "at the lower end" (DV_LAW_BOUND). */
#define LAW_LOW_FLAG 1e-6
/* Relative residual energy F/Q below which the law fits exactly. */
#define LAW_EXACT_REL 1e-24

#define LN_2PI 1.83787706640934548356
#define LN_10 2.30258509299404568402

/* Grid of the global search: GRID_NB nodes in beta; in alpha from 25 (many
 * distinct cardinalities) to GRID_NA_MAX (few, where nodes are cheap), for
 * about GRID_BUDGET node-group products. */
#define GRID_NB 8
#define GRID_NA_MAX 97
#define GRID_BUDGET 80000
/* Newton runs from up to this many local minima of the grid. */
#define LAW_STARTS_MAX 8


const char *dv_law_status_name(int status)
{
    switch (status) {
    case DV_LAW_OK:
        return "ok";
    case DV_LAW_NO_SAMPLES:
        return "no_samples";
    case DV_LAW_ONE_CARD:
        return "one_card";
    case DV_LAW_ALL_ZERO:
        return "all_zero";
    case DV_LAW_NONFINITE:
        return "nonfinite";
    case DV_LAW_BOUND:
        return "bound";
    default:
        return "unknown";
    }
}

/* ------------------------------------------------------------------------ */
/* Box-constrained Newton method in two variables                           */
/* ------------------------------------------------------------------------ */

/* Search direction on the free variables (fr) at gradient g, Hessian h.
 * kind 0: Newton, shifted (Levenberg-Marquardt) to positive definite when
 * the Hessian is not; kind 1: the gradient scaled by |diag h|, the
 * fallback when the Newton direction fails.  Returns 1 for an unshifted
 * Newton direction (whose model decrease measures convergence). */
static int law_direction(const int fr[2], const double g[2], const double h[3], int kind,
                         double d[2])
{
    d[0] = d[1] = 0.0;
    if (kind == 1) {
        for (int i = 0; i < 2; i++) {
            double hi = fabs(h[i == 0 ? 0 : 2]);
            if (fr[i])
                d[i] = hi > 0.0 && isfinite(hi) ? -g[i] / hi : -g[i];
        }
        return 0;
    }
    if (fr[0] && fr[1]) {
        double h11 = h[0], h12 = h[1], h22 = h[2];
        double tr = 0.5 * (h11 + h22);
        double dd = sqrt(0.25 * (h11 - h22) * (h11 - h22) + h12 * h12);
        double lmax = tr + dd;
        double det = h11 * h22 - h12 * h12;
        /* The smaller eigenvalue, computed without cancellation. */
        double lmin = lmax > 0.0 ? det / lmax : tr - dd;
        double shift = 0.0;
        if (!(lmin > 1e-14 * fabs(lmax)))
            shift = -lmin + 1e-4 * (fabs(lmin) + 1e-8 * fabs(lmax)) + DBL_MIN;
        h11 += shift;
        h22 += shift;
        det = h11 * h22 - h12 * h12;
        if (det > 0.0 && isfinite(det)) {
            d[0] = -(h22 * g[0] - h12 * g[1]) / det;
            d[1] = -(h11 * g[1] - h12 * g[0]) / det;
            return shift == 0.0;
        }
        d[0] = -g[0];
        d[1] = -g[1];
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        if (!fr[i])
            continue;
        double hi = h[i == 0 ? 0 : 2];
        if (hi > 0.0 && isfinite(hi)) {
            d[i] = -g[i] / hi;
            return 1;
        }
        d[i] = g[i] > 0.0 ? -1.0 : 1.0;
    }
    return 0;
}

/* Minimizes f over the box [lo, hi] from x (updated in place) by projected
 * Newton steps with an Armijo backtracking line search along the projected
 * path.  Bound constraints whose gradient points outwards are held fixed
 * (Bertsekas, "Projected Newton methods for optimization problems with
 * simple constraints", 1982); an indefinite Hessian is shifted to positive
 * definite (Levenberg-Marquardt).  f returns +inf or NaN where it cannot be
 * evaluated; such points are rejected.  Returns f at the final x. */
double dv__law_minimize2(double (*f)(void *ctx, const double x[2], double grad[2], double hess[3]),
                         void *ctx, double x[2], const double lo[2], const double hi[2],
                         int max_iter)
{
    const double step_max = 1.0;
    double g[2], h[3];
    double fx = f(ctx, x, g, h);
    int stalled = 0;
    if (!isfinite(fx))
        return fx;
    for (int it = 0; it < max_iter; it++) {
        int fr[2];
        double pg = 0.0;
        for (int i = 0; i < 2; i++) {
            fr[i] = !((x[i] <= lo[i] && g[i] > 0.0) || (x[i] >= hi[i] && g[i] < 0.0));
            if (fr[i] && fabs(g[i]) > pg)
                pg = fabs(g[i]);
        }
        if (pg <= 1e-12)
            break;

        double xt[2], gt[2], ht[3], ft = fx;
        int accepted = 0;
        for (int kind = 0; kind < 2 && !accepted; kind++) {
            double d[2];
            int newton = law_direction(fr, g, h, kind, d);
            if (!isfinite(d[0]) || !isfinite(d[1]))
                continue;
            /* Converged when a pure Newton step would gain less than 1e-13
             * (the quadratic model is exact enough there: f is smooth). */
            if (newton && -0.5 * (g[0] * d[0] + g[1] * d[1]) < 1e-13)
                goto done;
            double s = fabs(d[0]) > fabs(d[1]) ? fabs(d[0]) : fabs(d[1]);
            if (s > step_max) {
                d[0] *= step_max / s;
                d[1] *= step_max / s;
            }
            double t = 1.0;
            for (int ls = 0; ls < 60; ls++, t *= 0.5) {
                for (int i = 0; i < 2; i++) {
                    xt[i] = x[i] + t * d[i];
                    xt[i] = xt[i] < lo[i] ? lo[i] : xt[i] > hi[i] ? hi[i] : xt[i];
                }
                double pred = g[0] * (xt[0] - x[0]) + g[1] * (xt[1] - x[1]);
                if (!(pred < 0.0))
                    break; /* no descent left along this path */
                ft = f(ctx, xt, gt, ht);
                if (isfinite(ft) && ft <= fx + 1e-4 * pred) {
                    accepted = 1;
                    break;
                }
            }
        }
        if (!accepted)
            break;
        double moved = fabs(xt[0] - x[0]) + fabs(xt[1] - x[1]);
        double gain = fx - ft;
        x[0] = xt[0];
        x[1] = xt[1];
        fx = ft;
        memcpy(g, gt, sizeof g);
        memcpy(h, ht, sizeof h);
        /* Stalled: three tiny steps in a row (one alone may just be a
         * change of the active set). */
        stalled = gain <= 1e-15 * (1.0 + fabs(fx)) && moved <= 1e-9 ? stalled + 1 : 0;
        if (stalled >= 3)
            break;
    }
done:
    return fx;
}

/* ------------------------------------------------------------------------ */
/* Samples grouped by cardinality                                           */
/* ------------------------------------------------------------------------ */

typedef struct {
    double d;
    int32_t k;
} law_pair;

typedef struct {
    size_t n;       /* samples */
    size_t g;       /* distinct cardinalities */
    double scale;   /* the deltas were divided by this power of two */
    double lbar;    /* mean of ln k over the samples */
    double *l;      /* g: ln k - lbar */
    double *cnt;    /* g: samples at k */
    double *m;      /* g: mean of the scaled deltas at k */
    double *W;      /* g: within-k sum of squares of the scaled deltas */
    double *phi, *w; /* g: scratch, k'^-alpha and k'^beta of the last evaluation */
    double *tab;    /* g x 2 GRID_NB: grid tables */
    void *block;
} law_data;

/* Stable LSD radix sort by k (keys are positive), 8 bits a pass; passes in
 * which every key has the same digit are skipped. */
static law_pair *sort_pairs(law_pair *a, law_pair *tmp, size_t n)
{
    for (int shift = 0; shift < 32; shift += 8) {
        size_t cnt[256] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[((uint32_t)a[i].k >> shift) & 255u]++;
        if (cnt[((uint32_t)a[0].k >> shift) & 255u] == n)
            continue;
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = cnt[b];
            cnt[b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[cnt[((uint32_t)a[i].k >> shift) & 255u]++] = a[i];
        law_pair *s = a;
        a = tmp;
        tmp = s;
    }
    return a;
}

/* Validates the samples and groups them.  Writes the dv_law_status of the
 * input to *lstat; the groups are built only when it is DV_LAW_OK or
 * DV_LAW_ONE_CARD.  Returns DV_OK or DV_ENOMEM. */
static int law_prepare(const double *delta, const int32_t *card, size_t n, law_data *D,
                       int *lstat)
{
    memset(D, 0, sizeof *D);
    D->n = n;
    D->scale = 1.0;
    if (n < 2) {
        *lstat = DV_LAW_NO_SAMPLES;
        return DV_OK;
    }
    double maxabs = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(delta[i]) || card[i] <= 0) {
            *lstat = DV_LAW_NONFINITE;
            return DV_OK;
        }
        double a = fabs(delta[i]);
        if (a > maxabs)
            maxabs = a;
    }
    if (maxabs == 0.0) {
        *lstat = DV_LAW_ALL_ZERO;
        return DV_OK;
    }
    int e;
    frexp(maxabs, &e);
    D->scale = ldexp(1.0, e); /* a power of two: the scaling is exact */

    size_t nd = 6 + 2 * GRID_NB;
    size_t per = 2 * sizeof(law_pair) + nd * sizeof(double);
    D->block = n <= SIZE_MAX / per ? dv__malloc(n * per) : NULL;
    if (!D->block) {
        *lstat = DV_LAW_NO_SAMPLES;
        return DV_ENOMEM;
    }
    law_pair *pa = D->block, *pb = pa + n;
    double *dbl = (double *)(pb + n);
    D->l = dbl;
    D->cnt = dbl + n;
    D->m = dbl + 2 * n;
    D->W = dbl + 3 * n;
    D->phi = dbl + 4 * n;
    D->w = dbl + 5 * n;
    D->tab = dbl + 6 * n;

    for (size_t i = 0; i < n; i++) {
        pa[i].d = delta[i] / D->scale;
        pa[i].k = card[i];
    }
    law_pair *s = sort_pairs(pa, pb, n);

    size_t g = 0;
    double lsum = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double sum = 0.0;
        while (j < n && s[j].k == s[i].k)
            sum += s[j++].d;
        double cnt = (double)(j - i), mean = sum / cnt, ss = 0.0;
        for (size_t t = i; t < j; t++)
            ss += (s[t].d - mean) * (s[t].d - mean);
        D->l[g] = log((double)s[i].k);
        D->cnt[g] = cnt;
        D->m[g] = mean;
        D->W[g] = ss;
        lsum += cnt * D->l[g];
        g++;
        i = j;
    }
    D->g = g;
    D->lbar = lsum / (double)n;
    for (size_t j = 0; j < g; j++)
        D->l[j] -= D->lbar;
    *lstat = g == 1 ? DV_LAW_ONE_CARD : DV_LAW_OK;
    return DV_OK;
}

static void law_release(law_data *D) { dv__free(D->block); }

/* ------------------------------------------------------------------------ */
/* Log estimator                                                            */
/* ------------------------------------------------------------------------ */

/* The log estimator of Covert et al. 2024 on grouped data (at least two groups). */
static void law_log_groups(const law_data *D, dv_law *out)
{
    size_t g = D->g;
    double *x = D->phi, *y = D->w; /* scratch */
    double xm = 0.0, ym = 0.0;
    for (size_t j = 0; j < g; j++) {
        x[j] = -(D->l[j] + D->lbar) / LN_10;
        y[j] = log10(fabs(D->m[j] * D->scale) + 1e-12);
        xm += x[j];
        ym += y[j];
    }
    xm /= (double)g;
    ym /= (double)g;
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (size_t j = 0; j < g; j++) {
        x[j] -= xm;
        y[j] -= ym;
        sxx += x[j] * x[j];
        sxy += x[j] * y[j];
        syy += y[j] * y[j];
    }
    double alpha = sxy / sxx;
    double ssres = 0.0;
    for (size_t j = 0; j < g; j++)
        ssres += (y[j] - alpha * x[j]) * (y[j] - alpha * x[j]);
    /* sklearn's r2_score: a constant target gives 1 when fitted exactly. */
    double r2 = syy > 0.0 ? 1.0 - ssres / syy : (ssres == 0.0 ? 1.0 : 0.0);

    /* c = sum(d k^-a) / sum(k^-2a) over the raw samples, computed with the
     * centred logs and the largest exponent factored out so that no power
     * overflows. */
    double emax = -HUGE_VAL;
    for (size_t j = 0; j < g; j++) {
        double ex = -alpha * D->l[j];
        if (ex > emax)
            emax = ex;
    }
    double num = 0.0, den = 0.0;
    for (size_t j = 0; j < g; j++) {
        double p = exp(-alpha * D->l[j] - emax);
        num += D->cnt[j] * D->m[j] * p;
        den += D->cnt[j] * p * p;
    }
    double c = 0.0;
    if (num != 0.0) {
        double lf = alpha * D->lbar - emax + log(fabs(num) / den) + log(D->scale);
        c = copysign(exp(lf), num);
    }
    out->log_c = c;
    out->log_alpha = alpha;
    out->log_r2 = r2;
}

/* ------------------------------------------------------------------------ */
/* Maximum likelihood                                                       */
/* ------------------------------------------------------------------------ */


/* Profile of the scaled, centred problem at (a, b): with k' = k / exp(lbar),
 * w = k'^b and phi = k'^-a,
 *   c(a, b) = sum(n w phi m) / sum(n w phi^2),
 *   F(a, b) = sum(w (W + n (m - c phi)^2)) = N sigma'^2,
 * and the mean NLL is 0.5 ln(2 pi) + 0.5 + 0.5 ln(F / N) (plus ln scale);
 * the centring makes the -0.5 beta mean(ln k') term vanish.  F is summed
 * from non-negative terms, so it stays accurate down to an exact fit.
 * Returns F and c; with dF != NULL also the gradient dF[0..1] (a, b) and
 * Hessian dF[2..4] (aa, ab, bb) of F, from per-group sums derived by hand
 * from F = Q - A^2 / B (Q = sum w S2, A = sum w phi S1, B = sum n w phi^2). */
static double law_profile(const law_data *D, double a, double b, double *c_out, double dF[5])
{
    size_t g = D->g;
    const double *l = D->l, *cnt = D->cnt, *m = D->m, *W = D->W;
    double *phi = D->phi, *w = D->w;
    for (size_t j = 0; j < g; j++) {
        phi[j] = exp(-a * l[j]);
        w[j] = exp(b * l[j]);
    }
    double A = 0.0, B = 0.0;
    for (size_t j = 0; j < g; j++) {
        double t = cnt[j] * w[j] * phi[j];
        A += t * m[j];
        B += t * phi[j];
    }
    double c = A / B;
    double F = 0.0, Fb = 0.0, Fbb = 0.0, P1 = 0.0, P2 = 0.0, B1 = 0.0, B2 = 0.0;
    if (!dF) {
        for (size_t j = 0; j < g; j++) {
            double r = m[j] - c * phi[j];
            F += w[j] * (W[j] + cnt[j] * r * r);
        }
    } else {
        for (size_t j = 0; j < g; j++) {
            double r = m[j] - c * phi[j];
            double e = w[j] * (W[j] + cnt[j] * r * r);
            double t = cnt[j] * w[j] * phi[j];
            double lj = l[j], l2 = lj * lj;
            F += e;
            Fb += lj * e;
            Fbb += l2 * e;
            P1 += lj * t * r;
            P2 += l2 * t * r;
            B1 += lj * t * phi[j];
            B2 += l2 * t * phi[j];
        }
        double da = -P1 + c * B1, db = P1;
        dF[0] = 2.0 * c * P1;
        dF[1] = Fb;
        dF[2] = -2.0 * c * P2 + 2.0 * c * c * B2 - 2.0 / B * da * da;
        dF[3] = 2.0 * c * P2 - 2.0 / B * da * db;
        dF[4] = Fbb - 2.0 / B * db * db;
    }
    *c_out = c;
    return F;
}

/* Objective of the Newton method: ln F and its derivatives. */
static double law_objective(void *ctx, const double x[2], double grad[2], double hess[3])
{
    const law_data *D = ctx;
    double c, dF[5];
    double F = law_profile(D, x[0], x[1], &c, grad ? dF : NULL);
    if (!(F > 0.0) || !isfinite(F))
        return HUGE_VAL;
    if (grad) {
        double ga = dF[0] / F, gb = dF[1] / F;
        grad[0] = ga;
        grad[1] = gb;
        hess[0] = dF[2] / F - ga * ga;
        hess[1] = dF[3] / F - ga * gb;
        hess[2] = dF[4] / F - gb * gb;
    }
    return log(F);
}

#if defined(__GNUC__)
/* Two-wide vectors (GCC and clang); other compilers get the same sums in
 * scalar code, in the same order, so the result does not depend on it. */
typedef double law_v2 __attribute__((vector_size(16)));
#endif

/* For one alpha row p (and p2 = p^2), A[ib] = sum_j U[j][ib] p[j] and
 * B[ib] = sum_j V[j][ib] p2[j] for all beta nodes at once: UV holds, per
 * group, the GRID_NB values of U and then those of V. */
static void law_grid_row(const double *UV, const double *p, size_t g, double *A, double *B)
{
#if defined(__GNUC__)
    law_v2 a[GRID_NB / 2], b[GRID_NB / 2];
    for (int t = 0; t < GRID_NB / 2; t++)
        a[t] = b[t] = (law_v2){0.0, 0.0};
    for (size_t j = 0; j < g; j++) {
        const double *uv = UV + j * 2 * GRID_NB;
        law_v2 pj = {p[j], p[j]};
        law_v2 p2 = pj * pj;
        for (int t = 0; t < GRID_NB / 2; t++) {
            law_v2 u, v;
            memcpy(&u, uv + 2 * t, sizeof u);
            memcpy(&v, uv + GRID_NB + 2 * t, sizeof v);
            a[t] += u * pj;
            b[t] += v * p2;
        }
    }
    for (int t = 0; t < GRID_NB / 2; t++) {
        A[2 * t] = a[t][0];
        A[2 * t + 1] = a[t][1];
        B[2 * t] = b[t][0];
        B[2 * t + 1] = b[t][1];
    }
#else
    for (int ib = 0; ib < GRID_NB; ib++)
        A[ib] = B[ib] = 0.0;
    for (size_t j = 0; j < g; j++) {
        const double *uv = UV + j * 2 * GRID_NB;
        double p2 = p[j] * p[j];
        for (int ib = 0; ib < GRID_NB; ib++) {
            A[ib] += uv[ib] * p[j];
            B[ib] += uv[GRID_NB + ib] * p2;
        }
    }
#endif
}

/* Global search: a grid over [0, e^2]^2, uniform in alpha and beta.  The
 * profile is often multimodal in alpha (noisy points have several basins),
 * less so in beta, so the grid is finer in alpha.  Rows of k'^-alpha come
 * from one exp per group by recurrence; a node costs two multiply-adds per
 * group through F = Q - A^2 / B, recomputed in the stable form where
 * cancellation could bite.  Writes the nodes that start the Newton method
 * (best first: the local minima in alpha of the profile min over beta) and
 * returns their number. */
static int law_grid(const law_data *D, int na, double starts[][2], int max_starts)
{
    size_t g = D->g;
    const double ha = LAW_HI / (na - 1), hb = LAW_HI / (GRID_NB - 1);
    double *UV = D->tab; /* g x 2 GRID_NB */
    double *p = D->phi, *e = D->w;
    double Q[GRID_NB];
    for (int ib = 0; ib < GRID_NB; ib++)
        Q[ib] = 0.0;
    for (size_t j = 0; j < g; j++) {
        double eb = exp(hb * D->l[j]), w = 1.0;
        double *uv = UV + j * 2 * GRID_NB;
        for (int ib = 0; ib < GRID_NB; ib++) {
            uv[GRID_NB + ib] = D->cnt[j] * w;
            uv[ib] = D->cnt[j] * w * D->m[j];
            Q[ib] += w * (D->W[j] + D->cnt[j] * D->m[j] * D->m[j]);
            w *= eb;
        }
        p[j] = 1.0;
        e[j] = exp(-ha * D->l[j]);
    }
    double prof[GRID_NA_MAX], barg[GRID_NA_MAX];
    for (int ia = 0; ia < na; ia++) {
        double A[GRID_NB], B[GRID_NB], f[GRID_NB];
        law_grid_row(UV, p, g, A, B);
        int best = 0;
        for (int ib = 0; ib < GRID_NB; ib++) {
            double F = Q[ib] - A[ib] * A[ib] / B[ib];
            if (!(F > 1e-8 * Q[ib])) {
                double c = A[ib] / B[ib];
                F = 0.0;
                for (size_t j = 0; j < g; j++) {
                    double r = D->m[j] - c * p[j];
                    F += UV[j * 2 * GRID_NB + GRID_NB + ib] * (D->W[j] / D->cnt[j] + r * r);
                }
            }
            f[ib] = F > 0.0 ? log(F) : -HUGE_VAL;
            if (f[ib] < f[best])
                best = ib;
        }
        /* The minimum over beta, refined by a parabola through the best
         * node and its neighbours: the ranking of the alpha basins is
         * sensitive to beta. */
        prof[ia] = f[best];
        barg[ia] = best * hb;
        int mid = best == 0 ? 1 : best == GRID_NB - 1 ? GRID_NB - 2 : best;
        double fl = f[mid - 1], fm = f[mid], fr = f[mid + 1], curv = fl - 2.0 * fm + fr;
        if (curv > 0.0 && isfinite(curv)) {
            /* Vertex of the parabola, kept within the nodes' span. */
            double dl = 0.5 * (fl - fr) / curv;
            dl = dl < -1.0 ? -1.0 : dl > 1.0 ? 1.0 : dl;
            double fv = fm - 0.5 * (fl - fr) * dl + 0.5 * curv * dl * dl;
            if (fv < prof[ia]) {
                prof[ia] = fv;
                barg[ia] = (mid + dl) * hb;
            }
        }
        for (size_t j = 0; j < g; j++)
            p[j] *= e[j];
    }
    /* Local minima of the profile along alpha, best first. */
    int n_starts = 0;
    double fs[GRID_NA_MAX];
    for (int ia = 0; ia < na; ia++) {
        int is_min = (ia == 0 || prof[ia] <= prof[ia - 1]) &&
                     (ia == na - 1 || prof[ia] < prof[ia + 1]);
        if (!is_min)
            continue;
        double a = ia == 0 ? LAW_LO : ia == na - 1 ? LAW_HI : ia * ha;
        double b = barg[ia] < 1e-12 ? LAW_LO : barg[ia] > LAW_HI - 1e-12 ? LAW_HI : barg[ia];
        int pos = n_starts < max_starts ? n_starts : max_starts;
        while (pos > 0 && fs[pos - 1] > prof[ia]) {
            if (pos < max_starts) {
                fs[pos] = fs[pos - 1];
                starts[pos][0] = starts[pos - 1][0];
                starts[pos][1] = starts[pos - 1][1];
            }
            pos--;
        }
        if (pos < max_starts) {
            fs[pos] = prof[ia];
            starts[pos][0] = a;
            starts[pos][1] = b;
            if (n_starts < max_starts)
                n_starts++;
        }
    }
    if (n_starts == 0) { /* all NaN: cannot happen with finite data */
        starts[0][0] = 1.0;
        starts[0][1] = 2.0;
        n_starts = 1;
    }
    return n_starts;
}

/* Exact law (F = 0 up to rounding): F itself, not ln F, is smooth at the
 * optimum, so alpha is polished by 1-D Newton steps on F at beta = 0. */
static double law_polish_exact(const law_data *D, double a)
{
    for (int it = 0; it < 50; it++) {
        double c, dF[5];
        law_profile(D, a, 0.0, &c, dF);
        if (!(dF[2] > 0.0))
            break;
        double an = a - dF[0] / dF[2];
        an = an < LAW_LO ? LAW_LO : an > LAW_HI ? LAW_HI : an;
        if (!isfinite(an) || fabs(an - a) <= 1e-15 * (1.0 + a)) {
            a = isfinite(an) ? an : a;
            break;
        }
        a = an;
    }
    return a;
}

/* Fills c, alpha, sigma, beta, nll from grouped data with >= 2 groups;
 * returns the status (DV_LAW_OK or DV_LAW_BOUND). */
static int law_mle_groups(const law_data *D, dv_law *out)
{
    double starts[LAW_STARTS_MAX][2], x[2] = {1.0, 2.0}, fx = HUGE_VAL;
    size_t na = GRID_BUDGET / (GRID_NB * D->g);
    na = na < 25 ? 25 : na > GRID_NA_MAX ? GRID_NA_MAX : na;
    int n_starts = law_grid(D, (int)na, starts, LAW_STARTS_MAX);
    const double lo[2] = {LAW_LO, LAW_LO}, hi[2] = {LAW_HI, LAW_HI};
    for (int s = 0; s < n_starts && s < LAW_STARTS_MAX; s++) {
        double f = dv__law_minimize2(law_objective, (void *)D, starts[s], lo, hi, 100);
        if (f < fx) {
            fx = f;
            x[0] = starts[s][0];
            x[1] = starts[s][1];
        }
    }

    double c, F = law_profile(D, x[0], x[1], &c, NULL);
    /* Q at the optimum: the residual energy of the zero law. */
    double Q = 0.0;
    for (size_t j = 0; j < D->g; j++)
        Q += D->w[j] * (D->W[j] + D->cnt[j] * D->m[j] * D->m[j]);

    int status = DV_LAW_OK;
    if (!(F > 1e-12 * Q)) {
        /* Possibly an exact law: polish alpha on F and decide there. */
        double a = law_polish_exact(D, x[0]);
        double c0, F0 = law_profile(D, a, 0.0, &c0, NULL), Q0 = 0.0;
        for (size_t j = 0; j < D->g; j++)
            Q0 += D->W[j] + D->cnt[j] * D->m[j] * D->m[j];
        if (!(F0 > LAW_EXACT_REL * Q0)) {
            /* sigma = 0 lies on the boundary of the parameter space and the
             * likelihood is unbounded: beta is unidentifiable (0), nll does
             * not apply (0). */
            out->c = c0 * D->scale * exp(a * D->lbar);
            out->alpha = a;
            out->sigma = 0.0;
            out->beta = 0.0;
            out->nll = 0.0;
            return DV_LAW_BOUND;
        }
    }
    if (!(F > 0.0)) /* cannot happen after the exact-law test; be safe */
        F = DBL_MIN;
    out->c = c * D->scale * exp(x[0] * D->lbar);
    out->alpha = x[0];
    out->sigma = sqrt(F / (double)D->n) * D->scale * exp(0.5 * x[1] * D->lbar);
    out->beta = x[1];
    out->nll = 0.5 * LN_2PI + 0.5 + 0.5 * log(F / (double)D->n) + log(D->scale);
    for (int i = 0; i < 2; i++)
        if (x[i] >= LAW_HI || x[i] < LAW_LOW_FLAG)
            status = DV_LAW_BOUND;
    return status;
}

/* One cardinality: alpha, beta unidentifiable (0); c = mean, sigma = the
 * (maximum-likelihood) standard deviation. */
static void law_one_card(const law_data *D, dv_law *out)
{
    double sd = sqrt(D->W[0] / (double)D->n);
    out->c = D->m[0] * D->scale;
    out->alpha = 0.0;
    out->sigma = sd * D->scale;
    out->beta = 0.0;
    out->nll = sd > 0.0 ? 0.5 * LN_2PI + 0.5 + log(sd) + log(D->scale) : 0.0;
    out->log_c = out->c;
    out->log_alpha = 0.0;
    out->log_r2 = 0.0;
}

enum { FIT_LOG = 1, FIT_MLE = 2 };

static int law_fit_impl(const double *delta, const int32_t *card, size_t n, dv_law *out,
                        int what)
{
    if (!out)
        return DV_EINVAL;
    memset(out, 0, sizeof *out);
    out->n_samples = n;
    if (n > 0 && (!delta || !card)) {
        out->status = DV_LAW_NO_SAMPLES;
        return DV_EINVAL;
    }
    law_data D;
    int lstat;
    int rc = law_prepare(delta, card, n, &D, &lstat);
    out->status = lstat;
    if (rc != DV_OK || lstat == DV_LAW_NO_SAMPLES || lstat == DV_LAW_NONFINITE ||
        lstat == DV_LAW_ALL_ZERO) {
        law_release(&D);
        return rc;
    }
    if (lstat == DV_LAW_ONE_CARD) {
        law_one_card(&D, out);
        if (!(what & FIT_LOG))
            out->log_c = 0.0;
        if (!(what & FIT_MLE))
            out->c = out->sigma = out->nll = 0.0;
    } else {
        if (what & FIT_LOG)
            law_log_groups(&D, out);
        if (what & FIT_MLE)
            out->status = law_mle_groups(&D, out);
    }
    law_release(&D);
    return DV_OK;
}

int dv_law_fit_log(const double *delta, const int32_t *card, size_t n, dv_law *out)
{
    return law_fit_impl(delta, card, n, out, FIT_LOG);
}

int dv_law_fit_mle(const double *delta, const int32_t *card, size_t n, dv_law *out)
{
    return law_fit_impl(delta, card, n, out, FIT_MLE);
}

int dv_law_fit(const double *delta, const int32_t *card, size_t n, dv_law *out)
{
    return law_fit_impl(delta, card, n, out, FIT_LOG | FIT_MLE);
}

double dv_law_nll(const double *delta, const int32_t *card, size_t n, double c, double alpha,
                  double sigma, double beta)
{
    if (n == 0 || !delta || !card || !(sigma >= 0.0))
        return NAN;
    double s = 0.0;
    int all_exact = 1;
    for (size_t i = 0; i < n; i++) {
        if (card[i] <= 0)
            return NAN;
        double lk = log((double)card[i]);
        double r = delta[i] - c * exp(-alpha * lk);
        if (sigma == 0.0) {
            all_exact &= r == 0.0;
            continue;
        }
        double var = sigma * sigma * exp(-beta * lk);
        s += 0.5 * (LN_2PI + log(var) + r * r / var);
    }
    if (sigma == 0.0) /* the density degenerates to a point mass */
        return all_exact ? -HUGE_VAL : HUGE_VAL;
    return s / (double)n;
}
