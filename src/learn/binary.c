/*
 * binary.c -- kernels of binary L2 logistic regression on augmented rows
 * (features, then a 1 for the intercept), shared by the sampler's batched
 * fits (src/sample/sampler.c) and the permutation scan (scan.c):
 * objective, gradient, Hessian, a Newton solver with Armijo backtracking,
 * and the validation score of a parameter vector.
 *
 * The objective is scikit-learn's, C * sum log-loss + 1/2 ||w||^2 with an
 * unpenalized intercept, the same as logreg.c's binary case.
 */
#include "learn/binary.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

/* C * sum log-loss + 1/2 ||w||^2 at theta; z receives X theta. */
double dv__lr_objective(const double *X, const double *y, size_t n, size_t p, double C,
                        const double *theta, double *z, double *e)
{
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)p, 1.0, X, (int)p, theta, 1, 0.0, z, 1);
    /* log(1 + e^t) = max(t, 0) + log1p(e^-|t|), over the array at once. */
    for (size_t i = 0; i < n; i++)
        e[i] = -fabs(z[i]);
    dv__vexp(e, n);
    dv__vlog1p(e, n);
    double f = 0.0;
    for (size_t i = 0; i < n; i++)
        f += (z[i] > 0 ? z[i] : 0.0) + e[i] - y[i] * z[i];
    double r = 0.0;
    for (size_t j = 0; j + 1 < p; j++)
        r += theta[j] * theta[j];
    return C * f + 0.5 * r;
}

/* The loss terms' derivatives wv_i = C (sigma(z_i) - y_i). */
void dv__lr_residuals(const double *y, size_t n, double C, const double *z, double *wv)
{
    for (size_t i = 0; i < n; i++)
        wv[i] = -z[i];
    dv__vsigmoid_neg(wv, n);
    for (size_t i = 0; i < n; i++)
        wv[i] = C * (wv[i] - y[i]);
}

/* g (holding X^T wv) gains the penalty's term; returns its 2-norm. */
double dv__lr_penalized_norm(const double *theta, double *g, size_t p)
{
    double s = 0.0;
    for (size_t j = 0; j < p; j++) {
        if (j + 1 < p)
            g[j] += theta[j];
        s += g[j] * g[j];
    }
    return sqrt(s);
}

/* Gradient at theta given z = X theta; returns its 2-norm. */
double dv__lr_gradient(const double *X, const double *y, size_t n, size_t p, double C,
                       const double *theta, const double *z, double *wv, double *g)
{
    dv__lr_residuals(y, n, C, z, wv);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)p, 1.0, X, (int)p, wv, 1, 0.0, g, 1);
    return dv__lr_penalized_norm(theta, g, p);
}

/* The Hessian at z = X theta into H (row-major lower), unfactorized; the
 * row weights C sigma'(z_i) also into w when w is not NULL. */
void dv__lr_hessian_assemble(const double *X, size_t n, size_t p, double C, const double *z,
                             double *Xw, double *H, double *w)
{
    for (size_t i = 0; i < n; i++) {
        double s = dv__sigmoid(z[i]), wi = C * s * (1.0 - s), r = sqrt(wi);
        if (w)
            w[i] = wi;
        for (size_t j = 0; j < p; j++)
            Xw[i * p + j] = r * X[i * p + j];
    }
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)p, (int)n, 1.0, Xw, (int)p, 0.0, H,
                (int)p);
    for (size_t j = 0; j + 1 < p; j++)
        H[j * p + j] += 1.0;
}

int dv__lr_hessian_factor(const double *X, size_t n, size_t p, double C, const double *z,
                          double *Xw, double *H)
{
    dv__lr_hessian_assemble(X, n, p, C, z, Xw, H, NULL);
    /* Row-major lower is column-major upper: no transposition needed. */
    return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, H, (lapack_int)p) != 0;
}

/* Rows of B (m x p) := rows of B times H^-1, H = L L^T factorized in L. */
void dv__lr_solve_rows(const double *L, size_t p, double *B, size_t m)
{
    if (m == 0)
        return;
    if (m == 1) { /* b L^-T L^-1 by two triangular solves with b as a column */
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)p, L, (int)p, B, 1);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)p, L, (int)p, B, 1);
        return;
    }
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, (int)m, (int)p,
                1.0, L, (int)p, B, (int)p);
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, (int)m, (int)p,
                1.0, L, (int)p, B, (int)p);
}

/* Newton's method with Armijo backtracking, from theta (in/out).  On
 * return g holds the gradient at theta and, when H is not NULL, H the
 * factorized Hessian at theta.  g0n is the norm of the gradient at 0. */
int dv__lr_newton(const double *X, const double *y, size_t n, size_t p, double C,
                         double tol, int max_iter, double g0n, double *theta, double *g,
                         double *H, dv__lr_ws *w)
{
    double thr = dv__grad_threshold(tol, g0n);
    double f = dv__lr_objective(X, y, n, p, C, theta, w->z, w->wv);
    for (int it = 0;; it++) {
        double gn = dv__lr_gradient(X, y, n, p, C, theta, w->z, w->wv, g);
        if (gn <= thr)
            break;
        if (it >= max_iter)
            return DV_ENOTCONV;
        if (dv__lr_hessian_factor(X, n, p, C, w->z, w->Xw, w->H))
            return DV_ENOTCONV;
        memcpy(w->step, g, p * sizeof(double));
        dv__lr_solve_rows(w->H, p, w->step, 1);
        double slope = 0.0;
        for (size_t j = 0; j < p; j++)
            slope -= g[j] * w->step[j];
        double t = 1.0, fn = f;
        /* Near the optimum the predicted decrease falls below the rounding
         * error of f and Armijo's test becomes noise: take the full step. */
        int ls_max = -slope > 1e-12 * (1.0 + fabs(f)) ? 60 : 0;
        for (int ls = 0; ls < ls_max; ls++) {
            for (size_t j = 0; j < p; j++)
                w->thnew[j] = theta[j] - t * w->step[j];
            fn = dv__lr_objective(X, y, n, p, C, w->thnew, w->z, w->wv);
            if (fn <= f + 1e-4 * t * slope || fn <= f)
                break;
            t *= 0.5;
        }
        if (ls_max == 0) {
            for (size_t j = 0; j < p; j++)
                theta[j] -= w->step[j];
            fn = dv__lr_objective(X, y, n, p, C, theta, w->z, w->wv);
        } else {
            memcpy(theta, w->thnew, p * sizeof(double));
        }
        f = fn; /* w->z holds X theta */
    }
    if (H && dv__lr_hessian_factor(X, n, p, C, w->z, w->Xw, H))
        return DV_ENOTCONV;
    return DV_OK;
}

/* Norm of the gradient at theta = 0 of rows X, y: C * X^T (1/2 - y). */
double dv__lr_grad0_norm(const double *X, const double *y, size_t n, size_t p, double C,
                         double *g)
{
    memset(g, 0, p * sizeof(double));
    for (size_t i = 0; i < n; i++)
        cblas_daxpy((int)p, C * (0.5 - y[i]), X + i * p, 1, g, 1);
    return cblas_dnrm2((int)p, g, 1);
}

/* The metric of validation margins t. */
double dv__binary_score_margins(const dv_dataset *val, const double *t, dv_metric metric)
{
    size_t n = val->n;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (metric == DV_METRIC_ACCURACY) {
            s += (double)((t[i] > 0.0) == (val->y[i] == 1.0));
        } else {
            double q = val->y[i] == 1.0 ? dv__sigmoid(t[i]) : dv__sigmoid(-t[i]);
            s += log(q < 1e-15 ? 1e-15 : q > 1.0 - 1e-15 ? 1.0 - 1e-15 : q);
        }
    }
    return s / (double)(n ? n : 1);
}

int dv__binary_score(const dv_dataset *val, const double *theta, dv_metric metric,
                     double *margins, double *out)
{
    size_t d = val->d, n = val->n;
    /* All validation margins in one BLAS product, then the metric. */
    for (size_t i = 0; i < n; i++)
        margins[i] = theta[d];
    if (n)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, val->X, (int)d, theta, 1,
                    1.0, margins, 1);
    *out = dv__binary_score_margins(val, margins, metric);
    return DV_OK;
}
