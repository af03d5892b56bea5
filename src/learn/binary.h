/*
 * binary.h -- private kernels of binary L2 logistic regression shared by the
 * sampler (src/sample) and the permutation scans of TMC and Beta Shapley
 * (src/methods): binary.c and scan.c.
 *
 * Rows are augmented, X = [features, 1] row-major n x p with p = d + 1, y
 * holds 0/1 labels, theta = (w, b); the objective is C * sum log-loss +
 * 1/2 ||w||^2, the same as logreg.c's binary case.
 */
#ifndef DV_LEARN_BINARY_H
#define DV_LEARN_BINARY_H

#include "internal.h"

/* Curvature pairs kept by the quasi-Newton iterations (the sampler's
 * batched S + z fits and the scans). */
#define DV__QN_HIST 6

static inline double dv__dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* y += a x */
static inline void dv__axpy(double a, const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += a * x[i];
}

/* Scratch of the Newton solver: z and wv hold n values, Xw n x p, H p x p,
 * step and thnew p each. */
typedef struct {
    double *z, *wv, *Xw, *H, *step, *thnew;
} dv__lr_ws;

/* C * sum log-loss + 1/2 ||w||^2 at theta; z receives X theta, e is
 * scratch of n values. */
double dv__lr_objective(const double *X, const double *y, size_t n, size_t p, double C,
                        const double *theta, double *z, double *e);
/* The loss terms' derivatives wv_i = C (sigma(z_i) - y_i). */
void dv__lr_residuals(const double *y, size_t n, double C, const double *z, double *wv);
/* g (holding X^T wv) gains the penalty's term; returns its 2-norm. */
double dv__lr_penalized_norm(const double *theta, double *g, size_t p);
/* Gradient at theta given z = X theta into g; returns its 2-norm. */
double dv__lr_gradient(const double *X, const double *y, size_t n, size_t p, double C,
                       const double *theta, const double *z, double *wv, double *g);
/* The Hessian at z = X theta into H (row-major lower), unfactorized; the
 * row weights C sigma'(z_i) also into w when w is not NULL.  Xw is scratch
 * of n x p. */
void dv__lr_hessian_assemble(const double *X, size_t n, size_t p, double C, const double *z,
                             double *Xw, double *H, double *w);
/* The same, factorized in place (Cholesky, lower); nonzero when H is not
 * positive definite. */
int dv__lr_hessian_factor(const double *X, size_t n, size_t p, double C, const double *z,
                          double *Xw, double *H);
/* Rows of B (m x p) := rows of B times H^-1, H = L L^T factorized in L. */
void dv__lr_solve_rows(const double *L, size_t p, double *B, size_t m);
/* Newton's method with Armijo backtracking, from theta (in/out), until
 * ||grad|| <= tol * max(1, g0n) (DV_ENOTCONV after max_iter iterations).
 * On return g holds the gradient at theta and, when H is not NULL, H the
 * factorized Hessian at theta. */
int dv__lr_newton(const double *X, const double *y, size_t n, size_t p, double C, double tol,
                  int max_iter, double g0n, double *theta, double *g, double *H, dv__lr_ws *w);
/* Norm of the gradient at theta = 0 of rows X, y: C * X^T (1/2 - y); g is
 * scratch of p. */
double dv__lr_grad0_norm(const double *X, const double *y, size_t n, size_t p, double C,
                         double *g);

/* The mean metric (neg_logloss or accuracy) of val's labels under margins
 * t[0..val->n - 1]. */
double dv__binary_score_margins(const dv_dataset *val, const double *t, dv_metric metric);
/* Validation metric (neg_logloss or accuracy) of binary parameters theta
 * (d weights, intercept) on val; margins is scratch for val->n doubles. */
int dv__binary_score(const dv_dataset *val, const double *theta, dv_metric metric,
                     double *margins, double *out);

/* Permutation scans (scan.c): one binary logistic regression refitted as
 * its rows grow by one, each fit converged to the learner's tolerance. */
typedef struct dv__scan dv__scan;
/* val (may be NULL) is the set dv__scan_score scores on.  proto (may be
 * NULL): a scan of the same train and val whose set-up is copied, which is
 * cheaper than making it again. */
int dv__scan_new(dv__scan **out, const dv_dataset *train, const dv_dataset *val,
                 const dv_learner_params *lp, const dv__scan *proto);
void dv__scan_free(dv__scan *s);
/* Fits rows S[0..n-1] (reusing the previous fit when S extends it by one
 * row); *theta points to the solution (d weights, intercept).  DV_EDEGEN
 * when S has one class (use the generic learner). */
int dv__scan_fit(dv__scan *s, const int64_t *S, size_t n, const double **theta);
/* What a scan has done, for tests: partial refreshes of the factor, full
 * assemblies, rows re-weighted up and down, fits that extended the previous
 * one and converged by quasi-Newton steps, fits that fell back to full
 * Newton, and whether products go through the baseline form (1: training
 * rows, +2: validation rows). */
enum { DV__SC_REFRESH, DV__SC_REBUILD, DV__SC_UP, DV__SC_DOWN, DV__SC_QN, DV__SC_NEWTON,
       DV__SC_FORM, DV__SC_NSTATS };
/* Test hook: the largest deviation (relative to the sum of absolute
 * terms) of the preconditioner's assembled Hessian from sum_i wu_i x_i
 * x_i^T + I recomputed from its row weights; the counts into stats. */
double dv__scan_check(const dv__scan *s, size_t stats[DV__SC_NSTATS]);
/* dv__binary_score on the scan's validation set, in its sparse form when it
 * has one. */
int dv__scan_score(const dv__scan *s, const double *theta, dv_metric metric, double *margins,
                   double *out);

#endif
