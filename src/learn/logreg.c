/*
 * logreg.c -- L2-penalized logistic regression with an unpenalized
 * intercept, the objective of scikit-learn's LogisticRegression:
 *
 *     min  C * sum_i logloss_i  +  1/2 sum ||w||^2 .
 *
 * Binary (K = 2): theta = (w, b), p(1 | x) = dv__sigmoid(x.w + b).
 * Multinomial (K > 2): K weight vectors and intercepts, softmax.  The
 * intercepts are identified only up to a common shift, so the intercept of
 * the last class in the fit is pinned to 0 (predictions are unchanged; the
 * weights are unique because of the penalty).  The unknowns are the first
 * K (d + 1) - 1 entries of the block layout (w_0, b_0, ..., w_{K-1}, b_{K-1}).
 *
 * Solver: Newton's method (Nocedal and Wright, "Numerical Optimization",
 * 2nd ed., ch. 3) with the gradient and Hessian assembled by BLAS on the
 * design Xa = [X, 1], a Cholesky solve (Levenberg-style diagonal shift if
 * the factorization fails), and a backtracking Armijo line search on the
 * objective, which gives global convergence from theta = 0 even on
 * separable data (the penalty bounds w, so the minimum exists and is
 * unique).  Stop when ||grad|| <= tol * max(1, ||grad at theta = 0||),
 * the norm taken over every coefficient.  A warm start copies the warm
 * model's coefficients (for the classes present in both fits).  Cost per
 * iteration: n (d + 1)^2 for the binary Hessian, K (K + 1) / 2 times that
 * for the multinomial one.
 *
 * Degenerate subsets:
 * - no rows: the constant model predicting the class prior; there is no
 *   prior argument in the API, so it is uniform, 1/K per class;
 * - rows of one class only: the constant model predicting that class with
 *   probability 1 (metrics clip probabilities, so log-loss stays finite);
 * - multinomial with some classes absent from the rows: the intercept of an
 *   absent class would run off to -infinity, so the softmax is fitted over
 *   the present classes only and absent classes get probability 0; their
 *   coefficient blocks are zero.  With only two classes present this is a
 *   two-class softmax (both weight vectors penalized), not the binary
 *   model scikit-learn would switch to.
 */
#include "internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

typedef struct {
    size_t n, d, d1;   /* rows, features, d + 1 */
    size_t nc;         /* score columns: 1 (binary) or classes in the fit */
    size_t nfull;      /* length of theta in the fit: nc * d1 */
    size_t nfree;      /* unknowns: d1 (binary) or nfull - 1 */
    double C;
    const double *Xa;  /* n x d1 */
    const double *y;   /* binary labels 0/1 */
    const size_t *cls; /* multinomial: class index within the fit, per row */
    double *Z, *P;     /* n x nc scores and probabilities at theta */
    double *Zt, *Pt;   /* the same at the trial point */
    double *W;         /* n x d1 weighted design */
    double *R;         /* n x nc residuals */
    double *G;         /* nfull gradient */
    double *H, *H0;    /* nfree x nfree Hessian (lower), and its copy */
    double *step, *theta, *theta_t;
} lr_work;

/* Objective at theta; fills the scores Z and probabilities P. */
static double objective(const lr_work *w, const double *theta, double *Z, double *P)
{
    size_t n = w->n, d = w->d, d1 = w->d1, nc = w->nc;
    double f = 0.0, pen = 0.0;
    if (nc == 1) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d1, 1.0, w->Xa, (int)d1, theta, 1,
                    0.0, Z, 1);
        for (size_t i = 0; i < n; i++) {
            P[i] = dv__sigmoid(Z[i]);
            f += dv__softplus(w->y[i] > 0.5 ? -Z[i] : Z[i]);
        }
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)nc, (int)d1, 1.0, w->Xa,
                    (int)d1, theta, (int)d1, 0.0, Z, (int)nc);
        for (size_t i = 0; i < n; i++) {
            const double *z = Z + i * nc;
            double *p = P + i * nc, mx = z[0], s = 0.0;
            for (size_t k = 1; k < nc; k++)
                mx = fmax(mx, z[k]);
            for (size_t k = 0; k < nc; k++)
                s += (p[k] = exp(z[k] - mx));
            for (size_t k = 0; k < nc; k++)
                p[k] /= s;
            f += mx + log(s) - z[w->cls[i]]; /* log-sum-exp minus the true score */
        }
    }
    for (size_t k = 0; k < nc; k++)
        for (size_t j = 0; j < d; j++)
            pen += theta[k * d1 + j] * theta[k * d1 + j];
    return w->C * f + 0.5 * pen;
}

/* Full gradient (nfull entries) at theta with scores Z and probabilities P. */
static void gradient(lr_work *w, const double *theta, const double *Z, const double *P)
{
    size_t n = w->n, d = w->d, d1 = w->d1, nc = w->nc;
    if (nc == 1) {
        /* p - y, written without cancellation: -dv__sigmoid(-z) when y = 1. */
        for (size_t i = 0; i < n; i++)
            w->R[i] = w->y[i] > 0.5 ? -dv__sigmoid(-Z[i]) : P[i];
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d1, w->C, w->Xa, (int)d1, w->R, 1,
                    0.0, w->G, 1);
    } else {
        for (size_t i = 0; i < n; i++) {
            const double *p = P + i * nc;
            double *r = w->R + i * nc, others = 0.0;
            size_t c = w->cls[i];
            for (size_t k = 0; k < nc; k++) {
                r[k] = p[k];
                if (k != c)
                    others += p[k];
            }
            r[c] = -others; /* p_c - 1 */
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nc, (int)d1, (int)n, w->C, w->R,
                    (int)nc, w->Xa, (int)d1, 0.0, w->G, (int)d1);
    }
    for (size_t k = 0; k < nc; k++)
        for (size_t j = 0; j < d; j++)
            w->G[k * d1 + j] += theta[k * d1 + j];
}

/* Hessian of the free parameters (lower triangle of the nfree x nfree
 * row-major w->H): C Xa^T S Xa + I on the weights. */
static void hessian(lr_work *w, const double *Z, const double *P)
{
    size_t n = w->n, d = w->d, d1 = w->d1, nc = w->nc, nf = w->nfree;
    if (nc == 1) {
        for (size_t i = 0; i < n; i++) {
            double s = sqrt(w->C * P[i] * dv__sigmoid(-Z[i])); /* C p (1 - p) */
            for (size_t j = 0; j < d1; j++)
                w->W[i * d1 + j] = s * w->Xa[i * d1 + j];
        }
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)d1, (int)n, 1.0, w->W, (int)d1,
                    0.0, w->H, (int)d1);
    } else {
        /* Block (k, l), l <= k: C sum_i p_ik (delta_kl - p_il) xa_i xa_i^T.
         * The last class's intercept is pinned, so the last block row and
         * column lose their last entry. */
        for (size_t k = 0; k < nc; k++)
            for (size_t l = 0; l <= k; l++) {
                for (size_t i = 0; i < n; i++) {
                    const double *p = P + i * nc;
                    double s;
                    if (k == l) {
                        double rest = 0.0; /* 1 - p_k without cancellation */
                        for (size_t q = 0; q < nc; q++)
                            if (q != k)
                                rest += p[q];
                        s = p[k] * rest;
                    } else {
                        s = -p[k] * p[l];
                    }
                    for (size_t j = 0; j < d1; j++)
                        w->W[i * d1 + j] = s * w->Xa[i * d1 + j];
                }
                int rows = (int)(k == nc - 1 ? d1 - 1 : d1);
                int cols = (int)(l == nc - 1 ? d1 - 1 : d1);
                if (rows > 0 && cols > 0)
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, cols, (int)n, w->C,
                                w->Xa, (int)d1, w->W, (int)d1, 0.0, w->H + k * d1 * nf + l * d1,
                                (int)nf);
            }
    }
    for (size_t k = 0; k < nc; k++)
        for (size_t j = 0; j < d; j++)
            w->H[(k * d1 + j) * nf + k * d1 + j] += 1.0;
}

/* Newton direction: solves H step = -G (free part).  If H is not
 * numerically positive definite, shifts its diagonal; as a last resort
 * takes the steepest-descent direction. */
static void newton_direction(lr_work *w)
{
    size_t nf = w->nfree;
    memcpy(w->H0, w->H, nf * nf * sizeof(double));
    for (size_t j = 0; j < nf; j++)
        w->step[j] = -w->G[j];
    if (!dv__chol(w->H, nf)) {
        dv__chol_solve(w->H, nf, w->step, 1);
        return;
    }
    double dmax = 0.0;
    for (size_t j = 0; j < nf; j++)
        dmax = fmax(dmax, fabs(w->H0[j * nf + j]));
    double mu = 1e-10 * fmax(dmax, 1.0);
    for (int attempt = 0; attempt < 8; attempt++, mu *= 100.0) {
        memcpy(w->H, w->H0, nf * nf * sizeof(double));
        for (size_t j = 0; j < nf; j++)
            w->H[j * nf + j] += mu;
        if (!dv__chol(w->H, nf)) {
            dv__chol_solve(w->H, nf, w->step, 1);
            return;
        }
    }
    /* step already holds -G */
}

/* Gradient norm over every coefficient, the pinned intercept included (its
 * derivative is minus the sum of the other intercepts' derivatives, so it
 * vanishes with them): the gradient in scikit-learn's parametrization. */
static double grad_norm(const lr_work *w)
{
    double s = 0.0;
    for (size_t j = 0; j < w->nfull; j++)
        s += w->G[j] * w->G[j];
    return sqrt(s);
}

/* Runs Newton from w->theta.  Returns DV_OK or DV_ENOTCONV; fills the
 * model's bookkeeping fields.  cold: theta starts at 0. */
static int newton(lr_work *w, const dv_learner_params *p, int cold, dv_model *m, dv_error *err)
{
    double g0 = 0.0;
    if (!cold) {
        memset(w->theta_t, 0, w->nfull * sizeof(double));
        objective(w, w->theta_t, w->Zt, w->Pt);
        gradient(w, w->theta_t, w->Zt, w->Pt);
        g0 = grad_norm(w);
    }
    double f = objective(w, w->theta, w->Z, w->P);
    gradient(w, w->theta, w->Z, w->P);
    double gn = grad_norm(w);
    if (cold)
        g0 = gn;
    double thr = dv__grad_threshold(p->tol, g0);
    int it = 0, stalled = 0;
    while (!(gn <= thr) && it < p->max_iter) {
        hessian(w, w->Z, w->P);
        newton_direction(w);
        double gs = 0.0;
        for (size_t j = 0; j < w->nfree; j++)
            gs += w->G[j] * w->step[j];
        if (!(gs < 0)) { /* not a descent direction (round-off): steepest descent */
            gs = 0.0;
            for (size_t j = 0; j < w->nfree; j++) {
                w->step[j] = -w->G[j];
                gs -= w->G[j] * w->G[j];
            }
        }
        /* Backtracking Armijo search (Nocedal and Wright, alg. 3.1).  Near
         * the optimum the decrease falls below the rounding of f, so a
         * change within 1e-12 |f| also passes (the approximate Armijo test
         * of Hager and Zhang, SIAM J. Optim. 16, 2005). */
        double t = 1.0, ft = 0.0, slack = 1e-12 * fabs(f);
        int ok = 0;
        for (int ls = 0; ls < 60; ls++, t *= 0.5) {
            memcpy(w->theta_t, w->theta, w->nfull * sizeof(double));
            for (size_t j = 0; j < w->nfree; j++)
                w->theta_t[j] += t * w->step[j];
            ft = objective(w, w->theta_t, w->Zt, w->Pt);
            if ((ok = ft <= f + 1e-4 * t * gs || ft <= f + slack))
                break;
        }
        it++;
        if (!ok) {
            stalled = 1;
            break;
        }
        double *tmp;
        tmp = w->theta, w->theta = w->theta_t, w->theta_t = tmp;
        tmp = w->Z, w->Z = w->Zt, w->Zt = tmp;
        tmp = w->P, w->P = w->Pt, w->Pt = tmp;
        f = ft;
        gradient(w, w->theta, w->Z, w->P);
        gn = grad_norm(w);
    }
    m->iterations = it;
    m->grad_norm = gn;
    m->grad0_norm = g0;
    m->converged = gn <= thr;
    if (m->converged)
        return DV_OK;
    return dv__err(err, DV_ENOTCONV,
                   "logistic regression did not converge in %d Newton iterations%s: gradient "
                   "norm %.3g > %.3g",
                   it, stalled ? " (line search stalled)" : "", gn, thr);
}

/* The solver's arrays for n rows and nc classes present (class k of the
 * data is class map[k] of the fit). */
static int work_alloc(lr_work *w, const dv_learner_params *p, const double *Xa, const double *y,
                      size_t n, size_t d, size_t K, size_t nc, const size_t *map, dv_error *err)
{
    size_t d1 = d + 1;
    w->n = n;
    w->d = d;
    w->d1 = d1;
    w->nc = K == 2 ? 1 : nc;
    w->nfull = w->nc * d1;
    w->nfree = K == 2 ? d1 : w->nfull - 1;
    w->C = p->C;
    w->Xa = Xa;
    w->y = y;
    size_t nz = n * w->nc, nf = w->nfree;
    w->Z = dv__malloc(nz * sizeof(double));
    w->P = dv__malloc(nz * sizeof(double));
    w->Zt = dv__malloc(nz * sizeof(double));
    w->Pt = dv__malloc(nz * sizeof(double));
    w->R = dv__malloc(nz * sizeof(double));
    w->W = dv__malloc(n * d1 * sizeof(double));
    w->G = dv__malloc(w->nfull * sizeof(double));
    w->H = dv__calloc(nf * nf, sizeof(double));
    w->H0 = dv__calloc(nf * nf, sizeof(double));
    w->step = dv__malloc(nf * sizeof(double));
    w->theta = dv__calloc(w->nfull, sizeof(double));
    w->theta_t = dv__calloc(w->nfull, sizeof(double));
    size_t *cls = NULL;
    if (K > 2 && (cls = dv__malloc(n * sizeof *cls)))
        for (size_t i = 0; i < n; i++)
            cls[i] = map[(size_t)y[i]];
    w->cls = cls;
    if (!w->Z || !w->P || !w->Zt || !w->Pt || !w->R || !w->W || !w->G || !w->H || !w->H0 ||
        !w->step || !w->theta || !w->theta_t || (K > 2 && !cls))
        return dv__err(err, DV_ENOMEM, "out of memory");
    return DV_OK;
}

static void work_free(lr_work *w)
{
    void *ptrs[] = {w->Z, w->P, w->Zt, w->Pt, w->R, w->W, w->G, w->H, w->H0, w->step, w->theta,
                    w->theta_t, (void *)w->cls};
    for (size_t i = 0; i < DV__COUNT(ptrs); i++)
        dv__free(ptrs[i]);
}

int dv__logreg_fit(dv_model *m, const dv_learner_params *p, const double *Xa, const double *y,
                   size_t n, const dv_model *warm, dv_error *err)
{
    size_t K = m->n_classes, d = m->d, d1 = d + 1;
    m->iterations = 0;
    m->grad_norm = m->grad0_norm = 0.0;
    m->converged = 1;
    memset(m->theta, 0, m->n_params * sizeof(double));
    if (n == 0) {
        m->mode = DV__MODEL_UNIFORM;
        return DV_OK;
    }

    size_t *count = dv__calloc(K, sizeof *count);
    size_t *map = dv__calloc(K, sizeof *map);
    if (!count || !map) {
        dv__free(count);
        dv__free(map);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] >= 0 && y[i] < (double)K && y[i] == floor(y[i]))) {
            dv__free(count);
            dv__free(map);
            return dv__err(err, DV_EINVAL, "label %g is not a class in 0..%zu", y[i], K - 1);
        }
        count[(size_t)y[i]]++;
    }
    size_t nc = 0, last = 0;
    for (size_t k = 0; k < K; k++)
        if (count[k]) {
            map[k] = nc++;
            last = k;
        }
    if (nc == 1) {
        m->mode = DV__MODEL_ONE_CLASS;
        m->const_class = last;
        m->n_present = 1;
        if (m->present)
            for (size_t k = 0; k < K; k++)
                m->present[k] = k == last;
        dv__free(count);
        dv__free(map);
        return DV_OK;
    }

    lr_work w = {0};
    int rc = work_alloc(&w, p, Xa, y, n, d, K, nc, map, err);
    if (rc)
        goto done;

    /* Starting point: the warm model's coefficients (classes present in
     * both), shifted so that the pinned intercept is 0; else 0. */
    int cold = 1;
    if (warm && warm->mode == DV__MODEL_LINEAR) {
        cold = 0;
        if (K == 2) {
            memcpy(w.theta, warm->theta, d1 * sizeof(double));
        } else {
            for (size_t k = 0; k < K; k++)
                if (count[k] && warm->present[k])
                    memcpy(w.theta + map[k] * d1, warm->theta + k * d1, d1 * sizeof(double));
            double shift = w.theta[(nc - 1) * d1 + d];
            for (size_t q = 0; q < nc; q++)
                w.theta[q * d1 + d] -= shift;
        }
    }

    rc = newton(&w, p, cold, m, err);

    /* Back to the model's layout. */
    if (K == 2) {
        memcpy(m->theta, w.theta, d1 * sizeof(double));
        m->n_present = 2;
    } else {
        for (size_t k = 0; k < K; k++) {
            m->present[k] = count[k] > 0;
            if (count[k])
                memcpy(m->theta + k * d1, w.theta + map[k] * d1, d1 * sizeof(double));
        }
        m->n_present = nc;
    }
    m->mode = DV__MODEL_LINEAR;

done:
    work_free(&w);
    dv__free(count);
    dv__free(map);
    return rc;
}
