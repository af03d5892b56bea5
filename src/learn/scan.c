/*
 * scan.c -- a binary logistic regression refitted as its rows grow by one
 * (the permutation scans of TMC and Beta Shapley, src/methods).  Every fit
 * is converged to the learner's tolerance; only the path to it is cheaper
 * than a fresh fit.
 */
#include "learn/binary.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

/* Quasi-Newton iterations after which a scan refreshes its factor (7: on
 * Adult 5 % faster than 6 or 8, fewer refreshes against more iterations). */
#define DV__QN_STALE 7

/* ------------------------------------------------------------------------ */
/* Permutation scans: one model grown one row at a time                     */
/* ------------------------------------------------------------------------ */

/* A binary logistic regression refitted as its rows grow by one: each fit
 * starts from the previous solution and takes quasi-Newton steps (L-BFGS
 * whose initial matrix is a Cholesky factor of an earlier Hessian), checked
 * on the true gradient, with shorter steps and then full Newton when they
 * stall; the factor is refreshed when it has gone stale, by re-weighting
 * only the rows whose curvature has moved.  Converged to the learner's
 * tolerance like every other fit. */
struct dv__scan {
    const dv_dataset *train;
    dv_learner_params lp;
    size_t p, n, cap, n_pos;
    int have;                     /* theta belongs to rows[0..n) */
    int factored;                 /* Hf, wu and L too (made when a fit first extends) */
    int64_t *rows;
    double *X, *y, *theta, *L, *g, *g0, *gnew, *thnew2, *v, *Sh, *Yh, *rho;
    double *Hf, *wu, *xn2;        /* L L^T = Hf = sum_i wu_i x_i x_i^T + I on w; |x_i|^2 */
    double *Lt, *dinv;            /* L^T and 1 / diag L, for the solves */
    int n_upd;                    /* updates since Hf was assembled in full */
    size_t stats[DV__SC_NSTATS];  /* what it has done (dv__scan_check) */
    /* Few entries off their column's most frequent value (one-hot data):
     * products with X and the validation rows go through the baseline and
     * its exceptions (basesparse.c) instead of the dense rows. */
    const dv_dataset *val;
    int sparse, val_sparse;
    dv__bsp cur, vsp;             /* rows[0..n); the validation rows */
    size_t *chg;                  /* rows re-weighted by a refresh */
    double *dwv;                  /* their weight changes */
    uint32_t *eidx;               /* one row's exceptions: columns and values */
    double *eval, *sv;            /* ... and sum_i dw_i e_i (p) */
    dv__lr_ws w;                  /* z, wv, Xw, H, step, thnew */
};

void dv__scan_free(dv__scan *s)
{
    if (!s)
        return;
    void *ptrs[] = {s->rows, s->X,  s->y,  s->theta, s->L,   s->g,    s->g0,   s->gnew, s->thnew2,
                    s->v,    s->Sh, s->Yh, s->rho,   s->w.z, s->w.wv, s->w.Xw, s->w.H, s->w.step,
                    s->w.thnew, s->Hf, s->wu, s->xn2, s->Lt, s->dinv, s->chg, s->dwv, s->eidx, s->eval, s->sv};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        dv__free(ptrs[i]);
    dv__bsp_free(&s->cur);
    dv__bsp_free(&s->vsp);
    dv__free(s);
}

/* Chooses the baseline form (basesparse.c) when it beats dense products on
 * the training rows; the validation rows then take it too.  A prototype's
 * choice is copied instead of made again. */
static int scan_sparse_init(dv__scan *s, const dv__scan *proto)
{
    const dv_dataset *tr = s->train, *va = s->val;
    int worth;
    if (proto) {
        s->sparse = proto->sparse;
        s->val_sparse = proto->val_sparse;
        if ((s->sparse && dv__bsp_copy(&s->cur, &proto->cur)) ||
            (s->val_sparse && dv__bsp_copy(&s->vsp, &proto->vsp)))
            return DV_ENOMEM;
        if (s->sparse)
            dv__bsp_reset(&s->cur);
        return DV_OK;
    }
    if (dv__bsp_plan(&s->cur, tr->X, tr->n, tr->d, tr->n + 1, &worth))
        return DV_ENOMEM;
    s->sparse = worth;
    if (worth && va && va->n > 0) {
        if (dv__bsp_like(&s->vsp, &s->cur, va->X, va->n))
            return DV_ENOMEM;
        s->val_sparse = 1;
    }
    return DV_OK;
}

int dv__scan_new(dv__scan **out, const dv_dataset *train, const dv_dataset *val,
                 const dv_learner_params *lp, const dv__scan *proto)
{
    *out = NULL;
    dv__scan *s = dv__calloc(1, sizeof *s);
    if (!s)
        return DV_ENOMEM;
    size_t p = train->d + 1, n = train->n + 1;
    s->train = train;
    s->val = val;
    s->lp = *lp;
    s->p = p;
    s->cap = n;
    s->rows = dv__malloc(n * sizeof(int64_t));
    s->X = dv__malloc(n * p * sizeof(double));
    s->y = dv__malloc(n * sizeof(double));
    s->w.z = dv__malloc(n * sizeof(double));
    s->w.wv = dv__malloc(n * sizeof(double));
    s->w.Xw = dv__malloc(n * p * sizeof(double));
    double **vecs[] = {&s->theta, &s->g, &s->g0, &s->gnew, &s->thnew2, &s->v,
                       &s->w.step, &s->w.thnew};
    int bad = !s->rows || !s->X || !s->y || !s->w.z || !s->w.wv || !s->w.Xw;
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        bad |= !(*vecs[i] = dv__calloc(2 * p, sizeof(double)));
    s->L = dv__malloc(p * p * sizeof(double));
    s->Hf = dv__malloc(p * p * sizeof(double));
    s->Lt = dv__malloc(p * p * sizeof(double));
    s->chg = dv__malloc(n * sizeof(size_t));
    s->dwv = dv__malloc(n * sizeof(double));
    s->eidx = dv__malloc(p * sizeof(uint32_t));
    s->eval = dv__malloc(p * sizeof(double));
    s->sv = dv__malloc(p * sizeof(double));
    s->dinv = dv__malloc(p * sizeof(double));
    s->wu = dv__malloc(n * sizeof(double));
    s->xn2 = dv__malloc(n * sizeof(double));
    s->w.H = dv__malloc(p * p * sizeof(double));
    s->Sh = dv__malloc(DV__QN_HIST * p * sizeof(double));
    s->Yh = dv__malloc(DV__QN_HIST * p * sizeof(double));
    s->rho = dv__malloc(DV__QN_HIST * sizeof(double));
    bad |= !s->chg || !s->dwv || !s->eidx || !s->eval || !s->sv;
    bad |= !s->L || !s->Hf || !s->Lt || !s->dinv || !s->wu || !s->xn2 || !s->w.H || !s->Sh || !s->Yh || !s->rho;
    if (bad || scan_sparse_init(s, proto)) {
        dv__scan_free(s);
        return DV_ENOMEM;
    }
    *out = s;
    return DV_OK;
}

/* w.z := X theta over the scan's rows. */
static void scan_margins(dv__scan *s, const double *theta)
{
    size_t d = s->p - 1;
    if (s->sparse)
        dv__bsp_gemv(&s->cur, theta, theta[d], s->w.z);
    else
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)s->n, (int)s->p, 1.0, s->X, (int)s->p, theta,
                    1, 0.0, s->w.z, 1);
}

/* Gradient of the scan's objective at theta (w.z receives X theta). */
static double scan_gradient(dv__scan *s, const double *theta, double *g)
{
    size_t d = s->p - 1;
    scan_margins(s, theta);
    if (s->sparse) {
        dv__lr_residuals(s->y, s->n, s->lp.C, s->w.z, s->w.wv);
        g[d] = dv__bsp_gemv_t(&s->cur, s->w.wv, g);
        return dv__lr_penalized_norm(theta, g, s->p);
    }
    return dv__lr_gradient(s->X, s->y, s->n, s->p, s->lp.C, theta, s->w.z, s->w.wv, g);
}

static void scan_append(dv__scan *s, int64_t row)
{
    size_t p = s->p, d = p - 1;
    double *x = s->X + s->n * p;
    memcpy(x, s->train->X + (size_t)row * d, d * sizeof(double));
    x[d] = 1.0;
    s->y[s->n] = s->train->y[row];
    s->n_pos += s->y[s->n] == 1.0;
    dv__axpy(s->lp.C * (0.5 - s->y[s->n]), x, s->g0, p);
    s->wu[s->n] = 0.0; /* not in the factor yet */
    s->xn2[s->n] = dv__dot(x, x, p);
    s->rows[s->n++] = row;
    /* A row the layout has no room for (seen twice): dense from now on. */
    if (s->sparse && dv__bsp_push(&s->cur, x))
        s->sparse = 0;
}

/* The preconditioner's factor: Hf assembled from row weights wu (the
 * curvature C sigma'(x_i theta) of each row when last refreshed), and L
 * its Cholesky factor.  A full assembly costs n p^2 / 2; a refresh that
 * re-weights only the rows whose curvature has moved costs k p^2 / 2 for k
 * such rows, plus the factorization. */
static int scan_factor(dv__scan *s)
{
    size_t p = s->p;
    memcpy(s->L, s->Hf, p * p * sizeof(double));
    if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, s->L, (lapack_int)p) != 0)
        return 1;
    dv__chol_prep(s->L, p, s->Lt, s->dinv);
    return 0;
}

/* Hf += sum_t dw_t x_i x_i^T over rows i = rows[t] in baseline form,
 * x_i = b + e_i with e_i sparse: the sum is (sum dw) b b^T + b s^T + s b^T
 * + sum dw e_i e_i^T, s = sum dw e_i, so each row costs its exceptions
 * squared instead of p^2 (the intercept's baseline is 1, never an
 * exception). */
static void scan_add_rows(dv__scan *s, const size_t *rows, const double *dw, size_t k)
{
    size_t p = s->p, d = p - 1;
    const double *b = s->cur.base;
    double S = 0.0, *sv = s->sv;
    memset(sv, 0, p * sizeof(double));
    for (size_t t = 0; t < k; t++) {
        const double *x = s->X + rows[t] * p;
        size_t m = 0;
        for (size_t j = 0; j < d; j++)
            if (x[j] != b[j]) {
                s->eidx[m] = (uint32_t)j;
                s->eval[m++] = x[j] - b[j];
            }
        double w = dw[t];
        S += w;
        for (size_t a = 0; a < m; a++) {
            double wa = w * s->eval[a];
            double *h = s->Hf + (size_t)s->eidx[a] * p;
            sv[s->eidx[a]] += wa;
            for (size_t c = 0; c <= a; c++)
                h[s->eidx[c]] += wa * s->eval[c];
        }
    }
    for (size_t a = 0; a < p; a++) {
        double ba = a < d ? b[a] : 1.0, *h = s->Hf + a * p;
        for (size_t c = 0; c <= a; c++) {
            double bc = c < d ? b[c] : 1.0;
            h[c] += (S * ba + sv[a]) * bc + ba * sv[c];
        }
    }
}

/* Assembles Hf in full at margins z = X theta and factorizes it. */
static int scan_rebuild(dv__scan *s, const double *z)
{
    if (s->sparse) {
        size_t p = s->p;
        memset(s->Hf, 0, p * p * sizeof(double));
        for (size_t j = 0; j + 1 < p; j++)
            s->Hf[j * p + j] = 1.0;
        for (size_t i = 0; i < s->n; i++) {
            double sg = dv__sigmoid(z[i]);
            s->wu[i] = s->lp.C * sg * (1.0 - sg);
            s->chg[i] = i;
        }
        scan_add_rows(s, s->chg, s->wu, s->n);
    } else {
        dv__lr_hessian_assemble(s->X, s->n, s->p, s->lp.C, z, s->w.Xw, s->Hf, s->wu);
    }
    s->n_upd = 0;
    s->factored = 1;
    s->stats[DV__SC_REBUILD]++;
    return scan_factor(s);
}

/* Refreshes the factor at margins z: rows whose curvature w moved by more
 * than a tenth (and by more than 1e-3 / |x_i|^2, negligible against the
 * penalty otherwise) get their current weight, by a symmetric rank-k
 * update up and one down; a full assembly now and then bounds rounding. */
static int scan_refresh(dv__scan *s, const double *z)
{
    size_t n = s->n, p = s->p, up = 0, down = n;
    if (s->n_upd >= 64)
        return scan_rebuild(s, z);
    for (size_t i = 0; i < n; i++) {
        double sg = dv__sigmoid(z[i]);
        double w = s->lp.C * sg * (1.0 - sg), dw = w - s->wu[i];
        if (!(fabs(dw) > 0.1 * fmax(w, s->wu[i]) && fabs(dw) * s->xn2[i] > 1e-3))
            continue;
        s->wu[i] = w;
        if (s->sparse) { /* rows and changes, added below in baseline form */
            s->chg[up + n - down] = i;
            s->dwv[up + n - down] = dw;
            if (dw > 0)
                up++;
            else
                down--;
            continue;
        }
        double *row = s->w.Xw + (dw > 0 ? up++ : --down) * p, r = sqrt(fabs(dw));
        for (size_t j = 0; j < p; j++)
            row[j] = r * s->X[i * p + j];
    }
    if (up == 0 && down == n)
        return 0; /* nothing moved: L still factors Hf */
    s->n_upd++;
    s->stats[DV__SC_REFRESH]++;
    s->stats[DV__SC_UP] += up;
    s->stats[DV__SC_DOWN] += n - down;
    if (s->sparse)
        scan_add_rows(s, s->chg, s->dwv, up + n - down);
    else if (up)
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)p, (int)up, 1.0, s->w.Xw, (int)p,
                    1.0, s->Hf, (int)p);
    if (!s->sparse && down < n)
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)p, (int)(n - down), -1.0,
                    s->w.Xw + down * p, (int)p, 1.0, s->Hf, (int)p);
    return scan_factor(s) ? scan_rebuild(s, z) : 0;
}

/* Loads rows S[0..n-1]: the last one appended when S extends the previous
 * fit (making the preconditioner first if there is none), else all anew;
 * *nofactor when the preconditioner could not be factorized. */
static void scan_rows(dv__scan *s, const int64_t *S, size_t n, int extend, int *nofactor)
{
    *nofactor = 0;
    if (!extend) {
        s->factored = 0;
        s->n = s->n_pos = 0;
        if (s->sparse)
            dv__bsp_reset(&s->cur);
        memset(s->g0, 0, s->p * sizeof(double));
        for (size_t i = 0; i < n; i++)
            scan_append(s, S[i]);
        if (!s->have)
            memset(s->theta, 0, s->p * sizeof(double));
        return;
    }
    /* The preconditioner is made when a fit first extends (fits that never
     * do, as in leave-one-out, need none). */
    if (!s->factored) {
        scan_margins(s, s->theta);
        *nofactor = scan_rebuild(s, s->w.z);
    }
    scan_append(s, S[n - 1]);
}

/* s->v := the quasi-Newton direction at s->g: the two-loop recursion over
 * hn curvature pairs around the factor's solve, with the new row's missing
 * curvature cn added by Sherman-Morrison (u = H^-1 x_new). */
static void qn_direction(dv__scan *s, int hn, int hpos, const double *xn, const double *u,
                         double cn, double smden)
{
    size_t p = s->p;
    double alph[DV__QN_HIST];
    memcpy(s->v, s->g, p * sizeof(double));
    for (int t = 0; t < hn; t++) {
        size_t i = (size_t)((hpos - 1 - t + 2 * DV__QN_HIST) % DV__QN_HIST);
        alph[t] = s->rho[i] * dv__dot(s->Sh + i * p, s->v, p);
        dv__axpy(-alph[t], s->Yh + i * p, s->v, p);
    }
    dv__chol_solve_vec(s->L, s->Lt, s->dinv, p, s->v);
    dv__axpy(-cn * dv__dot(xn, s->v, p) / smden, u, s->v, p);
    for (int t = hn - 1; t >= 0; t--) {
        size_t i = (size_t)((hpos - 1 - t + 2 * DV__QN_HIST) % DV__QN_HIST);
        double b = s->rho[i] * dv__dot(s->Yh + i * p, s->v, p);
        dv__axpy(alph[t] - b, s->Sh + i * p, s->v, p);
    }
}

/* Accepts the step to s->thnew2 (gradient s->gnew), keeping its curvature
 * pair when it is positive enough. */
static void qn_accept(dv__scan *s, int *hn, int *hpos)
{
    size_t p = s->p;
    double *sv = s->Sh + (size_t)*hpos * p, *yv = s->Yh + (size_t)*hpos * p;
    for (size_t q = 0; q < p; q++) {
        sv[q] = s->thnew2[q] - s->theta[q];
        yv[q] = s->gnew[q] - s->g[q];
    }
    double sy = dv__dot(sv, yv, p);
    if (sy > 1e-12 * sqrt(dv__dot(sv, sv, p) * dv__dot(yv, yv, p))) {
        s->rho[*hpos] = 1.0 / sy;
        *hpos = (*hpos + 1) % DV__QN_HIST;
        if (*hn < DV__QN_HIST)
            (*hn)++;
    }
    memcpy(s->theta, s->thnew2, p * sizeof(double));
    memcpy(s->g, s->gnew, p * sizeof(double));
}

/* The fit of the rows extended by one from the previous solution by
 * quasi-Newton steps; returns whether the gradient reached thr. */
static int scan_extend(dv__scan *s, double thr)
{
    size_t p = s->p;
    double C = s->lp.C;
    /* The gradient at theta (s->g, exact for the previous rows) gains the
     * new row's term. */
    const double *xn = s->X + (s->n - 1) * p;
    double sg = dv__sigmoid(dv__dot(xn, s->theta, p));
    dv__axpy(C * (sg - s->y[s->n - 1]), xn, s->g, p);
    double gn = sqrt(dv__dot(s->g, s->g, p));
    /* The new row's curvature joins the stale factor by Sherman-Morrison:
     * (L L^T + c x x^T)^-1 g = H^-1 g - c (x . H^-1 g) / (1 + c x . u) u,
     * u = H^-1 x, so the first step is Newton's when the factor is fresh. */
    double cn = C * sg * (1.0 - sg);
    double *u = s->thnew2 + p; /* scratch: the second half of thnew2 */
    memcpy(u, xn, p * sizeof(double));
    dv__chol_solve_vec(s->L, s->Lt, s->dinv, p, u);
    double smden = 1.0 + cn * dv__dot(xn, u, p);
    int hn = 0, hpos = 0, it, mid = 0, ok = 0;
    for (it = 0; it < 16 && !(ok = gn <= thr); it++) {
        /* Slow progress: the factor is stale.  Refresh it at theta (w.z
         * holds X theta: the last gradient was taken there) and let
         * Sherman-Morrison carry only the new row's weight that the factor
         * lacks; the curvature pairs stay valid. */
        if (it == DV__QN_STALE && !mid) {
            mid = 1;
            if (scan_refresh(s, s->w.z))
                break;
            double sz = dv__sigmoid(s->w.z[s->n - 1]);
            cn = C * sz * (1.0 - sz) - s->wu[s->n - 1];
            memcpy(u, xn, p * sizeof(double));
            dv__chol_solve_vec(s->L, s->Lt, s->dinv, p, u);
            smden = 1.0 + cn * dv__dot(xn, u, p);
        }
        qn_direction(s, hn, hpos, xn, u, cn, smden);
        for (size_t q = 0; q < p; q++)
            s->thnew2[q] = s->theta[q] - s->v[q];
        double gn2 = scan_gradient(s, s->thnew2, s->gnew);
        /* No progress (a new row far from the fit can make the first step
         * overshoot): shorter steps, then full Newton in the caller. */
        for (int bt = 0; bt < 3 && !(gn2 < gn); bt++) {
            for (size_t q = 0; q < p; q++) {
                s->v[q] *= 0.5;
                s->thnew2[q] = s->theta[q] - s->v[q];
            }
            gn2 = scan_gradient(s, s->thnew2, s->gnew);
        }
        if (!(gn2 < gn))
            break;
        qn_accept(s, &hn, &hpos);
        gn = gn2;
    }
    /* A factor that needed many steps is stale: refresh it (w.z holds X
     * theta: the last gradient was taken at the accepted step). */
    if (ok && it > DV__QN_STALE && !mid && scan_refresh(s, s->w.z))
        ok = 0;
    return ok;
}

int dv__scan_fit(dv__scan *s, const int64_t *S, size_t n, const double **theta)
{
    size_t p = s->p;
    int extend = s->have && n == s->n + 1 && memcmp(S, s->rows, s->n * sizeof(int64_t)) == 0;
    int nofactor;
    scan_rows(s, S, n, extend, &nofactor);
    if (s->n_pos == 0 || s->n_pos == s->n) {
        s->have = 0; /* one class: the generic learner's constant model */
        return DV_EDEGEN;
    }
    double g0n = sqrt(dv__dot(s->g0, s->g0, p));
    int ok = extend && !nofactor && scan_extend(s, dv__grad_threshold(s->lp.tol, g0n));
    s->stats[ok ? DV__SC_QN : DV__SC_NEWTON]++;
    if (!ok) {
        s->have = 0;
        s->factored = 0;
        if (dv__lr_newton(s->X, s->y, s->n, p, s->lp.C, s->lp.tol, s->lp.max_iter, g0n, s->theta,
                          s->g, NULL, &s->w))
            return DV_ENOTCONV;
    }
    s->have = 1;
    *theta = s->theta;
    return DV_OK;
}

double dv__scan_check(const dv__scan *s, size_t stats[DV__SC_NSTATS])
{
    size_t p = s->p, d = p - 1;
    memcpy(stats, s->stats, sizeof s->stats);
    stats[DV__SC_FORM] = (size_t)s->sparse + 2 * (size_t)s->val_sparse;
    double worst = 0.0;
    if (!s->factored)
        return worst; /* no preconditioner yet */
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++) {
            double h = a == b && a < d ? 1.0 : 0.0, scale = 1.0;
            for (size_t i = 0; i < s->n; i++) {
                double t = s->wu[i] * s->X[i * p + a] * s->X[i * p + b];
                h += t;
                scale += fabs(t);
            }
            worst = fmax(worst, fabs(s->Hf[a * p + b] - h) / scale);
        }
    return worst;
}

int dv__scan_score(const dv__scan *s, const double *theta, dv_metric metric, double *margins,
                   double *out)
{
    if (!s->val_sparse)
        return dv__binary_score(s->val, theta, metric, margins, out);
    size_t d = s->p - 1;
    dv__bsp_gemv(&s->vsp, theta, theta[d], margins);
    *out = dv__binary_score_margins(s->val, margins, metric);
    return DV_OK;
}
