/*
 * linear.c -- ridge regression and ordinary least squares with an
 * unpenalized intercept,
 *
 *     min ||X w + b 1 - y||^2 + lambda ||w||^2      (ols: lambda = 0),
 *
 * in closed form: centring X and y removes b, then
 * (Xc^T Xc + lambda I) w = Xc^T yc by Cholesky, and b = mean(y) - mean(x).w
 * (Hastie, Tibshirani and Friedman, "The Elements of Statistical Learning",
 * 2nd ed., sec. 3.4.1).
 *
 * Singular systems (ols with fewer rows than features, collinear or
 * constant columns) do not fail: when lambda = 0 and Xc^T Xc is singular
 * or numerically so (a Cholesky pivot below 1e-12 of its diagonal entry),
 * a jitter of 1e-10 * trace(Xc^T Xc) / d (1e-10 if the trace is 0) is
 * added to the diagonal.  As the jitter is tiny this is close to the
 * minimum-norm least-squares solution, which interpolates the data when
 * there are fewer rows than features.  An empty subset predicts 0.
 */
#include "internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* ||2 Xa^T r + 2 lambda [w; 0]|| with r = Xa theta - y: the gradient norm
 * of the objective at theta.  r is scratch of n entries, g of d + 1. */
static double grad_norm(const double *Xa, const double *y, size_t n, size_t d, double lambda,
                        const double *theta, double *r, double *g)
{
    size_t d1 = d + 1;
    for (size_t i = 0; i < n; i++)
        r[i] = -y[i];
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d1, 1.0, Xa, (int)d1, theta, 1, 1.0, r,
                1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d1, 2.0, Xa, (int)d1, r, 1, 0.0, g, 1);
    double s = 0.0;
    for (size_t j = 0; j < d1; j++) {
        double gj = g[j] + (j < d ? 2.0 * lambda * theta[j] : 0.0);
        s += gj * gj;
    }
    return sqrt(s);
}

int dv__linear_fit(dv_model *m, double lambda, const double *Xa, const double *y, size_t n,
                   dv_error *err)
{
    size_t d = m->d, d1 = d + 1;
    memset(m->theta, 0, m->n_params * sizeof(double));
    m->mode = DV__MODEL_LINEAR;
    m->iterations = 0;
    m->converged = 1;
    m->grad_norm = m->grad0_norm = 0.0;
    if (n == 0)
        return DV_OK;

    double *xbar = dv__calloc(d, sizeof(double));
    double *Xc = dv__malloc(n * d * sizeof(double));
    double *yc = dv__malloc(n * sizeof(double));
    double *A = dv__calloc(d * d, sizeof(double));
    double *L = dv__calloc(d * d, sizeof(double));
    double *g = dv__malloc(d1 * sizeof(double));
    double *zero = dv__calloc(d1, sizeof(double));
    int rc = DV_OK;
    if (!xbar || !Xc || !yc || !A || !L || !g || !zero) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }

    double ybar = 0.0;
    for (size_t i = 0; i < n; i++) {
        ybar += y[i];
        for (size_t j = 0; j < d; j++)
            xbar[j] += Xa[i * d1 + j];
    }
    ybar /= (double)n;
    for (size_t j = 0; j < d; j++)
        xbar[j] /= (double)n;
    for (size_t i = 0; i < n; i++) {
        yc[i] = y[i] - ybar;
        for (size_t j = 0; j < d; j++)
            Xc[i * d + j] = Xa[i * d1 + j] - xbar[j];
    }
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)d, (int)n, 1.0, Xc, (int)d, 0.0, A,
                (int)d);
    double *w = m->theta; /* right-hand side Xc^T yc, then the solution */
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, Xc, (int)d, yc, 1, 0.0, w, 1);
    double trace = 0.0;
    for (size_t j = 0; j < d; j++)
        trace += A[j * d + j];

    memcpy(L, A, d * d * sizeof(double));
    for (size_t j = 0; j < d; j++)
        L[j * d + j] += lambda;
    int singular = lambda == 0.0 && n <= d; /* rank(Xc) <= n - 1 < d */
    if (!singular)
        singular = dv__chol(L, d) != 0;
    if (!singular && lambda == 0.0)
        for (size_t j = 0; j < d; j++)
            if (L[j * d + j] * L[j * d + j] <= 1e-12 * A[j * d + j])
                singular = 1;
    if (singular) {
        double mu = 1e-10 * (trace > 0 ? trace / (double)d : 1.0);
        int ok = 0;
        for (int attempt = 0; attempt < 6 && !ok; attempt++, mu *= 100.0) {
            memcpy(L, A, d * d * sizeof(double));
            for (size_t j = 0; j < d; j++)
                L[j * d + j] += lambda + mu;
            ok = !dv__chol(L, d);
        }
        if (!ok) {
            rc = dv__err(err, DV_EDEGEN, "%s: the normal equations are singular",
                         lambda > 0 ? "ridge" : "ols");
            memset(m->theta, 0, m->n_params * sizeof(double));
            goto done;
        }
    }
    dv__chol_solve(L, d, w, 1);
    double b = ybar;
    for (size_t j = 0; j < d; j++)
        b -= xbar[j] * w[j];
    w[d] = b;

    m->grad_norm = grad_norm(Xa, y, n, d, lambda, m->theta, yc, g);
    m->grad0_norm = grad_norm(Xa, y, n, d, lambda, zero, yc, g);

done:
    dv__free(xbar);
    dv__free(Xc);
    dv__free(yc);
    dv__free(A);
    dv__free(L);
    dv__free(g);
    dv__free(zero);
    return rc;
}
