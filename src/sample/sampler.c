/*
 * sampler.c -- exact marginal contributions U(S + z) - U(S) for many points
 * at once.
 *
 * A work item (sample j, batch b) draws one class-balanced coalition S and
 * computes sample j of every point of batch b from it.  Every utility is
 * that of a model converged to the learner's tolerance; the speed comes
 * from doing less work, never from approximating:
 *
 * - S is fitted once per item, warm-started from the full-data solution.
 * - Each S + z is warm-started from S's solution.  Its Newton steps use the
 *   Hessian of S, factorized once per item, corrected for z by a
 *   Sherman-Morrison-Woodbury update (a chord method); iterations go on
 *   until the gradient of S + z meets the tolerance, with a fall-back to
 *   full Newton should the chord iteration stall.
 * - The points of a batch iterate together, so that gradients and
 *   validation predictions are matrix-matrix products (BLAS level 3).
 *
 * The fast path covers binary L2 logistic regression; other learners go
 * through the generic path (dv_model_fit with warm starts), equally exact.
 */
#include "sampler.h"

#include <cblas.h>
#include <lapacke.h>
#include <omp.h>
#include <math.h>
#include <string.h>

/* The Newton solver's view of a workspace. */
static dv__lr_ws *lr_ws(dv__ws *w)
{
    w->lr = (dv__lr_ws){w->z, w->wv, w->Xw, w->H, w->step, w->thnew};
    return &w->lr;
}

/* Marks the rows of S with a fresh stamp. */
static void mark_rows(dv__ws *w, const int64_t *S, size_t k, size_t n)
{
    if (++w->stamp == 0) {
        memset(w->mark, 0, n * sizeof(uint32_t));
        w->stamp = 1;
    }
    for (size_t i = 0; i < k; i++)
        w->mark[S[i]] = w->stamp;
}

/* Validation utility of each of the m parameter rows of Th. */
static void utilities(const dv__sctx *cx, const double *Th, size_t m, double *Zv, double *U)
{
    size_t nv = cx->val->n, p = cx->p, nz = nv * m;
    const double *yv = cx->val->y;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nv, (int)m, (int)p, 1.0, cx->Xva,
                (int)p, Th, (int)p, 0.0, Zv, (int)m);
    for (size_t c = 0; c < m; c++)
        U[c] = 0.0;
    if (cx->metric == DV_METRIC_ACCURACY) {
        for (size_t i = 0; i < nv; i++)
            for (size_t c = 0; c < m; c++)
                U[c] += (double)((Zv[i * m + c] > 0.0) == (yv[i] == 1.0));
    } else {
        /* log q with q = sigma(+-t), the probability of the true class,
         * clipped to [1e-15, 1 - 1e-15]. */
        for (size_t i = 0; i < nv; i++) {
            double s = yv[i] == 1.0 ? -1.0 : 1.0;
            for (size_t c = 0; c < m; c++)
                Zv[i * m + c] *= s;
        }
        dv__vlog_sigmoid_neg(Zv, nz, 1e-15, 1.0 - 1e-15);
        for (size_t i = 0; i < nv; i++)
            for (size_t c = 0; c < m; c++)
                U[c] += Zv[i * m + c];
    }
    for (size_t c = 0; c < m; c++)
        U[c] /= (double)nv;
}

/* A column: the data set S with up to two rows added (sign +1) or removed
 * (sign -1). */
typedef struct {
    int nmods;
    int64_t row[2];
    double sign[2];
} column;

/* Fits one column from scratch-free warm start theta (in/out) with full
 * Newton on the explicit row set: the safeguard when the chord iteration
 * stalls. */
static int column_newton(const dv__sctx *cx, dv__ws *w, const int64_t *S, size_t k,
                         const column *col, double *theta)
{
    size_t p = cx->p, n2 = 0;
    for (size_t i = 0; i < k; i++) {
        int removed = 0;
        for (int m = 0; m < col->nmods; m++)
            removed |= col->sign[m] < 0 && col->row[m] == S[i];
        if (!removed)
            w->rows2[n2++] = S[i];
    }
    for (int m = 0; m < col->nmods; m++)
        if (col->sign[m] > 0)
            w->rows2[n2++] = col->row[m];
    for (size_t i = 0; i < n2; i++) {
        memcpy(w->XS2 + i * p, cx->Xa + (size_t)w->rows2[i] * p, p * sizeof(double));
        w->yS2[i] = cx->y[w->rows2[i]];
    }
    double g0n = dv__lr_grad0_norm(w->XS2, w->yS2, n2, p, cx->lp.C, w->g);
    return dv__lr_newton(w->XS2, w->yS2, n2, p, cx->lp.C, cx->lp.tol, cx->lp.max_iter, g0n, theta,
                         w->g, NULL, lr_ws(w));
}

/* The columns of one work item and the state of their iterations. */
typedef struct {
    column cols[2 * DV__MAX_BATCH];
    size_t m;                                    /* columns */
    size_t owner_plus[DV__MAX_BATCH];            /* point i's column S + z (or S + r) */
    size_t owner_base[DV__MAX_BATCH];            /* point i's base S' (-1: S itself) */
    double cw[2 * DV__MAX_BATCH][2];             /* s * C * sigma'(x theta_S) per mod */
    double Minv[2 * DV__MAX_BATCH][4];           /* Woodbury's small inverse per column */
    size_t modoff[2 * DV__MAX_BATCH];            /* first mod row of each column */
    size_t active[2 * DV__MAX_BATCH], na;        /* columns still iterating */
    int hn[2 * DV__MAX_BATCH], hpos[2 * DV__MAX_BATCH]; /* quasi-Newton history */
} item_cols;

/* Fits S (rows w->S[0..k-1]) from the stored start nearest in size; w->theta,
 * w->g and the factorized w->H hold its solution, *US its utility, and
 * w->step + p the gradient at 0 of S. */
static int fit_coalition(const dv__sctx *cx, dv__ws *w, size_t j, int64_t k, double *US,
                         dv_error *err)
{
    size_t p = cx->p, kk = (size_t)k;
    for (size_t i = 0; i < kk; i++) {
        memcpy(w->XS + i * p, cx->Xa + (size_t)w->S[i] * p, p * sizeof(double));
        w->yS[i] = cx->y[w->S[i]];
    }
    double *g0s = w->step + p; /* scratch of length p */
    double g0n = dv__lr_grad0_norm(w->XS, w->yS, kk, p, cx->lp.C, g0s);
    size_t best = 0;
    for (size_t i = 1; i < cx->n_starts; i++)
        if (fabs(log((double)cx->start_k[i] / (double)k)) <
            fabs(log((double)cx->start_k[best] / (double)k)))
            best = i;
    memcpy(w->theta, cx->starts + best * p, p * sizeof(double));
    if (dv__lr_newton(w->XS, w->yS, kk, p, cx->lp.C, cx->lp.tol, cx->lp.max_iter, g0n, w->theta,
                      w->g, w->H, lr_ws(w)))
        return dv__err(err, DV_ENOTCONV,
                       "the fit of a coalition (sample %zu, k = %lld) did not converge", j,
                       (long long)k);
    utilities(cx, w->theta, 1, w->Zv, US);
    return DV_OK;
}

/* Columns: S + z, or for z drawn into S, S' + z = S + r and S' = S + r - z. */
static void make_columns(const dv__sctx *cx, const dv__ws *w, size_t j, size_t first, size_t nb,
                         item_cols *ic)
{
    size_t m = 0;
    for (size_t i = 0; i < nb; i++) {
        int64_t z = cx->points[first + i];
        if (w->mark[z] == w->stamp) {
            int64_t r = dv__draw_swap(cx, j, first + i, w->mark, w->stamp);
            ic->cols[m] = (column){1, {r, -1}, {1.0, 0.0}};
            ic->owner_plus[i] = m++;
            ic->cols[m] = (column){2, {r, z}, {1.0, -1.0}};
            ic->owner_base[i] = m++;
        } else {
            ic->cols[m] = (column){1, {z, -1}, {1.0, 0.0}};
            ic->owner_plus[i] = m++;
            ic->owner_base[i] = (size_t)-1;
        }
    }
    ic->m = m;
}

/* Per column: start at theta_S, its gradient there (g_S plus the modified
 * rows' terms), its gradient at 0, and the Woodbury pieces: modx rows x_m,
 * modW rows H_S^-1 x_m, per column the small inverse
 * (H + U D U^T)^-1 g = H^-1 g - W (D^-1 + U^T W)^-1 W^T g with W = H^-1 U
 * (at most 2 x 2). */
static void column_starts(const dv__sctx *cx, dv__ws *w, item_cols *ic)
{
    size_t p = cx->p, nmod = 0;
    double C = cx->lp.C;
    const double *g0s = w->step + p;
    for (size_t c = 0; c < ic->m; c++) {
        double *G = w->G + c * p, *g0 = w->g0 + c * p;
        memcpy(w->T + c * p, w->theta, p * sizeof(double));
        memcpy(G, w->g, p * sizeof(double));
        memcpy(g0, g0s, p * sizeof(double));
        for (int q = 0; q < ic->cols[c].nmods; q++) {
            const double *x = cx->Xa + (size_t)ic->cols[c].row[q] * p;
            double yr = cx->y[ic->cols[c].row[q]], s = ic->cols[c].sign[q];
            double t = cblas_ddot((int)p, x, 1, w->theta, 1);
            double sg = dv__sigmoid(t);
            cblas_daxpy((int)p, s * C * (sg - yr), x, 1, G, 1);
            cblas_daxpy((int)p, s * C * (0.5 - yr), x, 1, g0, 1);
            ic->cw[c][q] = s * C * sg * (1.0 - sg);
            memcpy(w->modx + nmod * p, x, p * sizeof(double));
            nmod++;
        }
    }
    memcpy(w->modW, w->modx, nmod * p * sizeof(double));
    dv__lr_solve_rows(w->H, p, w->modW, nmod);
    nmod = 0;
    for (size_t c = 0; c < ic->m; c++) {
        ic->modoff[c] = nmod;
        int r = ic->cols[c].nmods;
        double A[4] = {0, 0, 0, 0};
        for (int a = 0; a < r; a++)
            for (int bb = 0; bb < r; bb++)
                A[a * 2 + bb] = cblas_ddot((int)p, w->modx + (nmod + (size_t)a) * p, 1,
                                           w->modW + (nmod + (size_t)bb) * p, 1);
        /* (D^-1 + U^T W) = D^-1 (I + D U^T W): invert I + D U^T W and scale
         * rows, which stays finite when an entry of D underflows to 0. */
        double B[4] = {1, 0, 0, 1};
        for (int a = 0; a < r; a++)
            for (int bb = 0; bb < r; bb++)
                B[a * 2 + bb] = (a == bb) + ic->cw[c][a] * A[a * 2 + bb];
        /* K = (I + D A)^-1 D, then correction = W K W^T g. */
        double K[4] = {0, 0, 0, 0};
        if (r == 1) {
            K[0] = ic->cw[c][0] / B[0];
        } else if (r == 2) {
            double det = B[0] * B[3] - B[1] * B[2];
            double Bi[4] = {B[3] / det, -B[1] / det, -B[2] / det, B[0] / det};
            for (int a = 0; a < 2; a++)
                for (int bb = 0; bb < 2; bb++)
                    K[a * 2 + bb] = Bi[a * 2 + bb] * ic->cw[c][bb];
        }
        memcpy(ic->Minv[c], K, sizeof K);
        nmod += (size_t)r;
    }
}

/* The true gradients of the active columns at their iterates (Z = X_S T^T,
 * R = C (sigma(Z) - y), plus the penalty and the modified rows), and the
 * curvature pair (s, y) of each column's last step. */
static void qn_gradients(const dv__sctx *cx, dv__ws *w, size_t kk, item_cols *ic)
{
    size_t p = cx->p, d = p - 1, na = ic->na;
    const size_t H = DV__QN_HIST;
    double C = cx->lp.C;
    for (size_t a = 0; a < na; a++)
        memcpy(w->Gs + a * p, w->T + ic->active[a] * p, p * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)kk, (int)na, (int)p, -1.0, w->XS,
                (int)p, w->Gs, (int)p, 0.0, w->Z, (int)na);
    dv__vsigmoid_neg(w->Z, kk * na); /* Z held -X_S theta */
    for (size_t i = 0; i < kk; i++) {
        double yi = w->yS[i];
        double *zr = w->Z + i * na;
        for (size_t a = 0; a < na; a++)
            zr[a] -= yi;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)na, (int)p, (int)kk, C, w->Z,
                (int)na, w->XS, (int)p, 0.0, w->Gs, (int)p);
    for (size_t a = 0; a < na; a++) {
        size_t c = ic->active[a];
        const column *col = &ic->cols[c];
        double *G = w->G + c * p, *th = w->T + c * p;
        memcpy(G, w->Gs + a * p, p * sizeof(double));
        for (size_t q = 0; q < d; q++)
            G[q] += th[q];
        for (int q = 0; q < col->nmods; q++) {
            const double *x = cx->Xa + (size_t)col->row[q] * p;
            double t = dv__dot(x, th, p);
            dv__axpy(col->sign[q] * C * (dv__sigmoid(t) - cx->y[col->row[q]]), x, G, p);
        }
        double *sv = w->Sh + (c * H + (size_t)ic->hpos[c]) * p;
        double *yv = w->Yh + (c * H + (size_t)ic->hpos[c]) * p;
        const double *to = w->Told + c * p, *go = w->Gold + c * p;
        for (size_t q = 0; q < p; q++) {
            sv[q] = th[q] - to[q];
            yv[q] = G[q] - go[q];
        }
        double sy = dv__dot(sv, yv, p);
        if (sy > 1e-12 * sqrt(dv__dot(sv, sv, p) * dv__dot(yv, yv, p))) {
            w->rho[c * H + (size_t)ic->hpos[c]] = 1.0 / sy;
            ic->hpos[c] = (ic->hpos[c] + 1) % (int)H;
            if (ic->hn[c] < (int)H)
                ic->hn[c]++;
        }
    }
}

/* Drops the converged (state 1) and the stalled (state 2: full Newton
 * later) columns from the active list. */
static void qn_converged(const dv__sctx *cx, dv__ws *w, int it, item_cols *ic)
{
    size_t p = cx->p, nn = 0;
    for (size_t a = 0; a < ic->na; a++) {
        size_t c = ic->active[a];
        double gn = sqrt(dv__dot(w->G + c * p, w->G + c * p, p));
        double g0c = sqrt(dv__dot(w->g0 + c * p, w->g0 + c * p, p));
        if (gn <= dv__grad_threshold(cx->lp.tol, g0c)) {
            w->col_state[c] = 1;
            continue;
        }
        if (it >= cx->qn_max || !(gn < 2.0 * w->prevn[c])) {
            w->col_state[c] = 2;
            continue;
        }
        if (gn < w->prevn[c])
            w->prevn[c] = gn; /* the smallest gradient norm so far */
        ic->active[nn++] = c;
    }
    ic->na = nn;
}

/* One quasi-Newton step of every active column: the two-loop recursion
 * around the Woodbury-corrected solve with H_S. */
static void qn_step(const dv__sctx *cx, dv__ws *w, item_cols *ic)
{
    size_t p = cx->p, na = ic->na;
    const size_t H = DV__QN_HIST;
    double alph[2 * DV__MAX_BATCH][DV__QN_HIST];
    for (size_t a = 0; a < na; a++) {
        size_t c = ic->active[a];
        double *q = w->Gs + a * p;
        memcpy(q, w->G + c * p, p * sizeof(double));
        for (int t = 0; t < ic->hn[c]; t++) {
            size_t i = (size_t)((ic->hpos[c] - 1 - t + 2 * (int)H) % (int)H);
            const double *sv = w->Sh + (c * H + i) * p, *yv = w->Yh + (c * H + i) * p;
            alph[a][t] = w->rho[c * H + i] * dv__dot(sv, q, p);
            dv__axpy(-alph[a][t], yv, q, p);
        }
    }
    dv__lr_solve_rows(w->H, p, w->Gs, na);
    for (size_t a = 0; a < na; a++) {
        size_t c = ic->active[a];
        double *v = w->Gs + a * p, *th = w->T + c * p;
        int r = ic->cols[c].nmods;
        double wg[2] = {0, 0};
        for (int q = 0; q < r; q++)
            wg[q] = dv__dot(w->modx + (ic->modoff[c] + (size_t)q) * p, v, p);
        for (int q = 0; q < r; q++) {
            double coef = 0.0;
            for (int q2 = 0; q2 < r; q2++)
                coef += ic->Minv[c][q * 2 + q2] * wg[q2];
            dv__axpy(-coef, w->modW + (ic->modoff[c] + (size_t)q) * p, v, p);
        }
        for (int t = ic->hn[c] - 1; t >= 0; t--) {
            size_t i = (size_t)((ic->hpos[c] - 1 - t + 2 * (int)H) % (int)H);
            const double *sv = w->Sh + (c * H + i) * p, *yv = w->Yh + (c * H + i) * p;
            double bta = w->rho[c * H + i] * dv__dot(yv, v, p);
            dv__axpy(alph[a][t] - bta, sv, v, p);
        }
        memcpy(w->Told + c * p, th, p * sizeof(double));
        memcpy(w->Gold + c * p, w->G + c * p, p * sizeof(double));
        for (size_t q = 0; q < p; q++)
            th[q] -= v[q];
    }
}

/* Exact marginal contributions of batch b from one coalition S of size k
 * (binary logistic regression): S is fitted once; the S + z columns
 * iterate together by quasi-Newton steps (L-BFGS whose initial matrix is
 * the Woodbury-corrected Hessian of S, so that the first step is Newton's
 * step for S + z from theta_S), judged on the true gradient only; stalled
 * columns finish by full Newton. */
static int run_item_fast(const dv__sctx *cx, dv__ws *w, size_t j, size_t b, int64_t k,
                         double *delta, dv_error *err)
{
    size_t p = cx->p, kk = (size_t)k;
    size_t first = b * cx->batch;
    size_t nb = cx->n_points - first < cx->batch ? cx->n_points - first : cx->batch;
    double US = 0.0;
    int rc = fit_coalition(cx, w, j, k, &US, err);
    if (rc)
        return rc;
    if (nb > DV__MAX_BATCH)
        return dv__err(err, DV_EINVAL, "batch too large");
    item_cols ic;
    make_columns(cx, w, j, first, nb, &ic);
    column_starts(cx, w, &ic);
    for (size_t c = 0; c < ic.m; c++) {
        ic.active[c] = c;
        w->prevn[c] = INFINITY;
        w->col_state[c] = 0;
        ic.hn[c] = ic.hpos[c] = 0;
    }
    ic.na = ic.m;
    for (int it = 0; ic.na > 0; it++) {
        if (it > 0)
            qn_gradients(cx, w, kk, &ic);
        qn_converged(cx, w, it, &ic);
        if (ic.na > 0)
            qn_step(cx, w, &ic);
    }
    /* Stalled columns: full Newton with line search, restarted from theta_S
     * (a stalled quasi-Newton iterate can be far off, e.g. after a point
     * with an extreme feature value made the first step overshoot). */
    for (size_t c = 0; c < ic.m; c++) {
        if (w->col_state[c] == 2)
            memcpy(w->T + c * p, w->theta, p * sizeof(double));
        if (w->col_state[c] == 2 && column_newton(cx, w, w->S, kk, &ic.cols[c], w->T + c * p))
            return dv__err(err, DV_ENOTCONV,
                           "the fit of a coalition plus a point (sample %zu, k = %lld) did not "
                           "converge",
                           j, (long long)k);
    }
    utilities(cx, w->T, ic.m, w->Zv, w->U);
    for (size_t i = 0; i < nb; i++) {
        double base = ic.owner_base[i] == (size_t)-1 ? US : w->U[ic.owner_base[i]];
        delta[i] = w->U[ic.owner_plus[i]] - base;
    }
    return DV_OK;
}

/* The generic path: any learner, through dv_model_fit. */
static int run_item_generic(const dv__sctx *cx, dv__ws *w, size_t j, size_t b, int64_t k,
                            double *delta, dv_error *err)
{
    size_t kk = (size_t)k, first = b * cx->batch;
    size_t nb = cx->n_points - first < cx->batch ? cx->n_points - first : cx->batch;
    dv_model *mS = NULL, *mZ = NULL, *mB = NULL;
    double US;
    int rc = dv_model_fit(&mS, &cx->lp, cx->train, w->S, kk, cx->model0, err);
    if (!rc)
        rc = dv_model_score(mS, cx->val, cx->metric, &US);
    for (size_t i = 0; i < nb && !rc; i++) {
        int64_t z = cx->points[first + i];
        double base = US, plus;
        memcpy(w->rows2, w->S, kk * sizeof(int64_t));
        if (w->mark[z] == w->stamp) {
            int64_t r = dv__draw_swap(cx, j, first + i, w->mark, w->stamp);
            for (size_t t = 0; t < kk; t++)
                if (w->rows2[t] == z)
                    w->rows2[t] = r;
            rc = dv_model_fit(&mB, &cx->lp, cx->train, w->rows2, kk, mS, err);
            if (!rc)
                rc = dv_model_score(mB, cx->val, cx->metric, &base);
        }
        w->rows2[kk] = z;
        if (!rc)
            rc = dv_model_fit(&mZ, &cx->lp, cx->train, w->rows2, kk + 1, mS, err);
        if (!rc)
            rc = dv_model_score(mZ, cx->val, cx->metric, &plus);
        if (!rc)
            delta[i] = plus - base;
        dv_model_free(mZ);
        dv_model_free(mB);
        mZ = mB = NULL;
    }
    dv_model_free(mS);
    if (rc == DV_ENOTCONV)
        return dv__err(err, rc, "a fit in sample %zu (k = %lld) did not converge", j, (long long)k);
    return rc;
}

int dv__run_item(const dv__sctx *cx, dv__ws *w, size_t j, size_t b, double *delta,
                 int32_t *card, dv_error *err)
{
    int64_t k = dv__draw_coalition(cx, j, b, w, w->S);
    mark_rows(w, w->S, (size_t)k, cx->train->n);
    size_t first = b * cx->batch;
    size_t nb = cx->n_points - first < cx->batch ? cx->n_points - first : cx->batch;
    for (size_t i = 0; i < nb; i++)
        card[i] = (int32_t)k;
    /* The fast path needs both classes in S. */
    int both = 0;
    if (cx->fast) {
        int seen[2] = {0, 0};
        for (size_t i = 0; i < (size_t)k; i++)
            seen[cx->y[w->S[i]] != 0.0] = 1;
        both = seen[0] && seen[1];
    }
    if (cx->fast && both)
        return run_item_fast(cx, w, j, b, k, delta, err);
    return run_item_generic(cx, w, j, b, k, delta, err);
}

/* ------------------------------------------------------------------------ */
/* Test hooks and the plain reference computation                           */
/* ------------------------------------------------------------------------ */

int dv__sample_coalition(const dv_dataset *train, const int64_t *points, size_t n_points,
                        const dv_sample_params *p, size_t j, size_t point_index, int64_t *S_out,
                        size_t *n_out, int64_t *k_out, dv_error *err)
{
    /* Set-up without model fits: a throw-away validation set is not
     * needed, so reuse train as validation. */
    dv__sctx cx;
    dv_sample_params q = *p;
    int rc = dv__sctx_init(&cx, train, train, points, n_points, &q, 0, err);
    if (rc)
        return rc;
    cx.fast = 0;
    if (point_index >= cx.n_points || j >= cx.n_slots) {
        dv__sctx_free(&cx);
        return dv__err(err, DV_EINVAL, "sample %zu or point index %zu out of range", j, point_index);
    }
    dv__ws w;
    if ((rc = dv__ws_init(&w, &cx))) {
        dv__sctx_free(&cx);
        return dv__err(err, rc, "out of memory");
    }
    size_t b = point_index / cx.batch;
    int64_t k = dv__draw_coalition(&cx, j, b, &w, w.S);
    mark_rows(&w, w.S, (size_t)k, train->n);
    int64_t z = cx.points[point_index];
    if (w.mark[z] == w.stamp) {
        int64_t r = dv__draw_swap(&cx, j, point_index, w.mark, w.stamp);
        for (int64_t t = 0; t < k; t++)
            if (w.S[t] == z)
                w.S[t] = r;
    }
    memcpy(S_out, w.S, (size_t)k * sizeof(int64_t));
    *n_out = (size_t)k;
    *k_out = k;
    dv__ws_free(&w);
    dv__sctx_free(&cx);
    return DV_OK;
}

int dv__delta_plain(const dv_dataset *train, const dv_dataset *val, const dv_learner_params *lp,
                   dv_metric metric, const int64_t *S, size_t n, int64_t z, double *out,
                   dv_error *err)
{
    dv_metric m = DV_METRIC_NEG_LOGLOSS;
    int rc = dv__resolve_metric(metric, train->task, &m, err);
    if (rc)
        return rc;
    int64_t *rows = dv__malloc((n + 1) * sizeof(int64_t));
    if (!rows)
        return dv__err(err, DV_ENOMEM, "out of memory");
    memcpy(rows, S, n * sizeof(int64_t));
    rows[n] = z;
    dv_model *a = NULL, *bm = NULL;
    double ua = 0, ub = 0;
    rc = dv_model_fit(&a, lp, train, rows, n, NULL, err);
    if (!rc)
        rc = dv_model_fit(&bm, lp, train, rows, n + 1, NULL, err);
    if (!rc)
        rc = dv_model_score(a, val, m, &ua);
    if (!rc)
        rc = dv_model_score(bm, val, m, &ub);
    if (!rc)
        *out = ub - ua;
    dv_model_free(a);
    dv_model_free(bm);
    dv__free(rows);
    return rc;
}

typedef struct {
    const dv__sctx *cx;
    dv__work_fn fn;
    void *user;
} sampler_items;

dv__ws *dv__ws_new(const dv__sctx *cx)
{
    dv__ws *w = dv__malloc(sizeof *w);
    if (w && dv__ws_init(w, cx)) {
        dv__free(w);
        w = NULL;
    }
    return w;
}

void dv__ws_delete(void *state)
{
    if (!state)
        return;
    dv__ws_free(state);
    dv__free(state);
}

static void *sampler_ws_new(void *vctx)
{
    const sampler_items *si = vctx;
    return dv__ws_new(si->cx);
}

static int sampler_item(void *vctx, void *state, size_t q, dv_error *err)
{
    const sampler_items *si = vctx;
    return si->fn(si->cx, state, q, si->user, err);
}

int dv__parallel(const dv__sctx *cx, int n_threads, size_t n, dv__work_fn fn, void *user,
                 dv_error *err)
{
    sampler_items si = {cx, fn, user};
    return dv__for_items(0, n, n_threads, sampler_item, &si, sampler_ws_new, dv__ws_delete, 0,
                         err);
}

