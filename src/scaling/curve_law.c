/*
 * curve_law.c -- the aggregate learning-curve law: a model's error at
 * training size k follows error(k) = eps + c k^-alpha with Gaussian noise
 * of variance sigma^2 k^-beta (Covert et al. 2024; the reference code's
 * AggregateLikelihoodEstimator).
 * Given (alpha, beta), eps and c come from weighted least squares with
 * weights k^beta, eps clamped to [0, min(error) - 1e-6], and sigma in closed
 * form; the remaining profile likelihood in (alpha, beta) is minimized over
 * (0, e^2]^2 by a grid search and the box-constrained Newton method of
 * law.c (here with finite-difference derivatives: curves are short).
 */
#include "internal.h"

#include <float.h>
#include <math.h>
#include <stdint.h> /* SIZE_MAX */
#include <string.h>

/* Scaling laws of model performance in the data-valuation setting: Covert,
 * Ji, Hashimoto and Zou, ICML 2024. */

/* Defined in law.c. */

#define CURVE_HI 7.38905609893065022723 /* e^2, as the per-point law */
#define CURVE_LO 4.24835425529158899e-18 /* e^-40: numerically zero */
#define CURVE_LOW_FLAG 1e-6
#define CURVE_GRID 25
#define CURVE_STARTS 4
#define CURVE_FD_STEP 1e-4
#define LN_2PI 1.83787706640934548356

typedef struct {
    size_t n;
    const double *y;
    double *l;      /* n: ln k - lbar */
    double *w, *psi; /* n: scratch */
    double lbar;    /* mean of ln k */
    double eps_hi;  /* min(error) - 1e-6 */
} curve_data;

/* Residual energy F = sum(k'^b r^2), k' = k / exp(lbar), of the weighted
 * least-squares fit at (a, b); writes eps and the centred c' (c = c'
 * exp(a lbar)).  The regressor is written as k'^-a = 1 + psi with psi =
 * expm1(-a ln k'), so the fit stays well conditioned as a -> 0, where the
 * two columns of the design become collinear. */
static double curve_profile(const curve_data *C, double a, double b, double *eps_out,
                            double *c_out)
{
    size_t n = C->n;
    const double *y = C->y, *l = C->l;
    double *w = C->w, *psi = C->psi;
    double sw = 0.0, sp = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++) {
        w[i] = exp(b * l[i]);
        psi[i] = expm1(-a * l[i]);
        sw += w[i];
        sp += w[i] * psi[i];
        sy += w[i] * y[i];
    }
    double pm = sp / sw, ym = sy / sw, spp = 0.0, spy = 0.0;
    for (size_t i = 0; i < n; i++) {
        spp += w[i] * (psi[i] - pm) * (psi[i] - pm);
        spy += w[i] * (psi[i] - pm) * (y[i] - ym);
    }
    double c = spp > 0.0 ? spy / spp : 0.0;
    /* y ~ (eps + c) + c psi */
    double eps = ym - c * pm - c;
    /* The clamp as torch.clamp(eps, min=0, max=min(error) - 1e-6); with
     * eps fixed, c is refitted (the exact constrained optimum: the profile
     * of a convex quadratic in eps is a convex quadratic). */
    double ec = fmin(fmax(eps, 0.0), C->eps_hi);
    double F = 0.0;
    if (ec != eps || !isfinite(eps)) {
        eps = ec;
        double num = 0.0, den = 0.0;
        for (size_t i = 0; i < n; i++) {
            double phi = 1.0 + psi[i];
            num += w[i] * phi * (y[i] - eps);
            den += w[i] * phi * phi;
        }
        c = num / den;
        for (size_t i = 0; i < n; i++) {
            double r = y[i] - eps - c * (1.0 + psi[i]);
            F += w[i] * r * r;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double r = (y[i] - ym) - c * (psi[i] - pm);
            F += w[i] * r * r;
        }
    }
    *eps_out = eps;
    *c_out = c;
    return F;
}

/* Node i of the grid: the box's ends exactly. */
static double curve_node(int i, double step)
{
    return i == 0 ? CURVE_LO : i == CURVE_GRID - 1 ? CURVE_HI : i * step;
}

static double curve_logF(const curve_data *C, double a, double b)
{
    double e, c, F = curve_profile(C, a, b, &e, &c);
    return F > 0.0 && isfinite(F) ? log(F) : HUGE_VAL;
}

/* ln F with central-difference derivatives for the Newton method. */
static double curve_objective(void *ctx, const double x[2], double grad[2], double hess[3])
{
    const curve_data *C = ctx;
    const double h = CURVE_FD_STEP;
    double f0 = curve_logF(C, x[0], x[1]);
    if (!isfinite(f0) || !grad)
        return f0;
    double fa1 = curve_logF(C, x[0] + h, x[1]), fa0 = curve_logF(C, x[0] - h, x[1]);
    double fb1 = curve_logF(C, x[0], x[1] + h), fb0 = curve_logF(C, x[0], x[1] - h);
    double fpp = curve_logF(C, x[0] + h, x[1] + h), fpm = curve_logF(C, x[0] + h, x[1] - h);
    double fmp = curve_logF(C, x[0] - h, x[1] + h), fmm = curve_logF(C, x[0] - h, x[1] - h);
    grad[0] = (fa1 - fa0) / (2.0 * h);
    grad[1] = (fb1 - fb0) / (2.0 * h);
    hess[0] = (fa1 - 2.0 * f0 + fa0) / (h * h);
    hess[1] = (fpp - fpm - fmp + fmm) / (4.0 * h * h);
    hess[2] = (fb1 - 2.0 * f0 + fb0) / (h * h);
    if (!isfinite(grad[0] + grad[1] + hess[0] + hess[1] + hess[2]))
        grad[0] = grad[1] = hess[0] = hess[1] = hess[2] = 0.0;
    return f0;
}

/* An exact curve (F = 0 up to rounding): ln F has a spike, F a smooth
 * minimum, so alpha is polished by Newton steps on F at beta = 0. */
static double curve_polish_exact(const curve_data *C, double a)
{
    /* The difference step follows the Newton steps down: F is computed to
     * ~1e-32 relative near an exact fit, so small steps stay accurate and
     * keep the truncation error of the differences below the target. */
    double h = CURVE_FD_STEP;
    for (int it = 0; it < 60; it++) {
        double e, c;
        double f0 = curve_profile(C, a, 0.0, &e, &c);
        double f1 = curve_profile(C, a + h, 0.0, &e, &c);
        double fm = curve_profile(C, a - h, 0.0, &e, &c);
        double d1 = (f1 - fm) / (2.0 * h), d2 = (f1 - 2.0 * f0 + fm) / (h * h);
        if (!(d2 > 0.0))
            break;
        double an = a - d1 / d2;
        an = an < CURVE_LO ? CURVE_LO : an > CURVE_HI ? CURVE_HI : an;
        if (!isfinite(an))
            break;
        double step = fabs(an - a);
        a = an;
        if (step <= 1e-15 * (1.0 + a))
            break;
        h = fmin(CURVE_FD_STEP, fmax(step, 1e-8));
    }
    return a;
}

/* The cases with no law to fit (too few or non-finite values, all zero,
 * one size): fills out and returns 1; else 0 with *ymin the smallest
 * error. */
static int curve_degenerate(const double *err_values, const double *k, size_t n,
                            dv_curve_law *out, double *ymin)
{
    if (n < 2) {
        out->status = DV_LAW_NO_SAMPLES;
        return 1;
    }
    int all_zero = 1, one_k = 1;
    *ymin = HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(err_values[i]) || !isfinite(k[i]) || !(k[i] > 0.0)) {
            out->status = DV_LAW_NONFINITE;
            return 1;
        }
        all_zero &= err_values[i] == 0.0;
        one_k &= k[i] == k[0];
        *ymin = fmin(*ymin, err_values[i]);
    }
    if (all_zero) {
        out->status = DV_LAW_ALL_ZERO;
        return 1;
    }
    if (!one_k)
        return 0;
    /* eps and alpha are unidentifiable: report the mean as c. */
    double m = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        m += err_values[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (err_values[i] - m) * (err_values[i] - m);
    double sd = sqrt(ss / (double)n);
    out->c = m;
    out->nll = sd > 0.0 ? 0.5 * LN_2PI + 0.5 + log(sd) : 0.0;
    out->status = DV_LAW_ONE_CARD;
    return 1;
}

/* The best few local minima of the profile on a grid over [0, e^2]^2 (the
 * profile can be multimodal), best first; returns their count (>= 1). */
static int curve_grid_starts(const curve_data *C, double starts[CURVE_STARTS][2])
{
    static const int dirs[8][2] = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1},
                                   {0, 1},   {1, -1}, {1, 0},  {1, 1}};
    double fg[CURVE_GRID][CURVE_GRID];
    const double step = CURVE_HI / (CURVE_GRID - 1);
    for (int i = 0; i < CURVE_GRID; i++)
        for (int j = 0; j < CURVE_GRID; j++)
            fg[i][j] = curve_logF(C, curve_node(i, step), curve_node(j, step));
    double fs[CURVE_STARTS];
    int n_starts = 0;
    for (int i = 0; i < CURVE_GRID; i++) {
        for (int j = 0; j < CURVE_GRID; j++) {
            int is_min = isfinite(fg[i][j]);
            for (int t = 0; t < 8 && is_min; t++) {
                int u = i + dirs[t][0], v = j + dirs[t][1];
                if (u >= 0 && u < CURVE_GRID && v >= 0 && v < CURVE_GRID)
                    is_min = t < 4 ? fg[i][j] <= fg[u][v] : fg[i][j] < fg[u][v];
            }
            if (!is_min)
                continue;
            int pos = n_starts < CURVE_STARTS ? n_starts : CURVE_STARTS;
            while (pos > 0 && fs[pos - 1] > fg[i][j]) {
                if (pos < CURVE_STARTS) {
                    fs[pos] = fs[pos - 1];
                    starts[pos][0] = starts[pos - 1][0];
                    starts[pos][1] = starts[pos - 1][1];
                }
                pos--;
            }
            if (pos < CURVE_STARTS) {
                fs[pos] = fg[i][j];
                starts[pos][0] = curve_node(i, step);
                starts[pos][1] = curve_node(j, step);
                if (n_starts < CURVE_STARTS)
                    n_starts++;
            }
        }
    }
    if (n_starts == 0) {
        starts[0][0] = 0.5; /* the reference's initial point */
        starts[0][1] = 3.0;
        n_starts = 1;
    }
    return n_starts;
}

/* The law at the optimum (alpha, beta) = x, back on the original scale. */
static void curve_result(curve_data *C, const double *y, const double x[2], double scale,
                         dv_curve_law *out)
{
    size_t n = C->n;
    double eps, c, F = curve_profile(C, x[0], x[1], &eps, &c);
    double Q = 0.0;
    for (size_t i = 0; i < n; i++)
        Q += C->w[i] * y[i] * y[i];
    if (!(F > 1e-12 * Q)) {
        double a = curve_polish_exact(C, x[0]);
        double e0, c0, F0 = curve_profile(C, a, 0.0, &e0, &c0), Q0 = 0.0;
        for (size_t i = 0; i < n; i++)
            Q0 += y[i] * y[i];
        if (!(F0 > 1e-24 * Q0)) {
            /* sigma = 0: the likelihood is unbounded, beta unidentifiable. */
            out->eps = e0 * scale;
            out->c = c0 * scale * exp(a * C->lbar);
            out->alpha = a;
            out->beta = 0.0;
            out->nll = 0.0;
            out->status = DV_LAW_BOUND;
            return;
        }
    }
    if (!(F > 0.0))
        F = DBL_MIN;
    out->eps = eps * scale;
    out->c = c * scale * exp(x[0] * C->lbar);
    out->alpha = x[0];
    out->beta = x[1];
    out->nll = 0.5 * LN_2PI + 0.5 + 0.5 * log(F / (double)n) + log(scale);
    out->status = DV_LAW_OK;
    for (int i = 0; i < 2; i++)
        if (x[i] >= CURVE_HI || x[i] < CURVE_LOW_FLAG)
            out->status = DV_LAW_BOUND;
}

int dv_curve_fit(const double *err_values, const double *k, size_t n, dv_curve_law *out)
{
    if (!out)
        return DV_EINVAL;
    memset(out, 0, sizeof *out);
    if (n > 0 && (!err_values || !k)) {
        out->status = DV_LAW_NO_SAMPLES;
        return DV_EINVAL;
    }
    double ymin;
    if (curve_degenerate(err_values, k, n, out, &ymin))
        return DV_OK;
    double *buf = n <= SIZE_MAX / (4 * sizeof *buf) ? dv__malloc(4 * n * sizeof *buf) : NULL;
    if (!buf) {
        out->status = DV_LAW_NO_SAMPLES;
        return DV_ENOMEM;
    }
    /* Errors scaled by a power of two (exact) so that no square overflows. */
    double ymax = 0.0;
    for (size_t i = 0; i < n; i++)
        ymax = fmax(ymax, fabs(err_values[i]));
    int ex;
    frexp(ymax, &ex);
    const double scale = ldexp(1.0, ex);
    double *y = buf + 3 * n;
    for (size_t i = 0; i < n; i++)
        y[i] = err_values[i] / scale;
    curve_data C = {n, y, buf, buf + n, buf + 2 * n, 0.0, (ymin - 1e-6) / scale};
    double lsum = 0.0;
    for (size_t i = 0; i < n; i++) {
        C.l[i] = log(k[i]);
        lsum += C.l[i];
    }
    C.lbar = lsum / (double)n;
    for (size_t i = 0; i < n; i++)
        C.l[i] -= C.lbar;
    /* Newton from the best few local minima of the grid. */
    double starts[CURVE_STARTS][2];
    int n_starts = curve_grid_starts(&C, starts);
    const double lo[2] = {CURVE_LO, CURVE_LO}, hi[2] = {CURVE_HI, CURVE_HI};
    double x[2] = {starts[0][0], starts[0][1]}, fbest = HUGE_VAL;
    for (int s = 0; s < n_starts && s < CURVE_STARTS; s++) {
        double f = dv__law_minimize2(curve_objective, &C, starts[s], lo, hi, 200);
        if (f < fbest) {
            fbest = f;
            x[0] = starts[s][0];
            x[1] = starts[s][1];
        }
    }
    curve_result(&C, y, x, scale, out);
    dv__free(buf);
    return DV_OK;
}
