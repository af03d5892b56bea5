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

void dv_sample_params_default(dv_sample_params *p)
{
    memset(p, 0, sizeof *p);
    dv_learner_params_default(&p->learner, DV_LEARNER_LOGREG);
    p->metric = DV_METRIC_DEFAULT;
    p->mode = DV_CARD_UNIFORM;
    p->n_samples = 100;
    p->min_card = 100;
    p->max_card = 1000;
    p->n_cards = 10;
    p->seed = 0;
    p->n_threads = 0;
    p->batch = 128;
}

/* ------------------------------------------------------------------------ */
/* Set-up                                                                   */
/* ------------------------------------------------------------------------ */

static int resolve_metric(dv_metric m, dv_task task, dv_metric *out, dv_error *err)
{
    if (m == DV_METRIC_DEFAULT)
        m = task == DV_TASK_CLASSIFICATION ? DV_METRIC_NEG_LOGLOSS : DV_METRIC_NEG_MSE;
    int clf_metric = m == DV_METRIC_NEG_LOGLOSS || m == DV_METRIC_ACCURACY;
    int reg_metric = m == DV_METRIC_NEG_MSE || m == DV_METRIC_R2;
    if (!clf_metric && !reg_metric)
        return dv__err(err, DV_EINVAL, "unknown metric %d", (int)m);
    if (task == DV_TASK_CLASSIFICATION && !clf_metric)
        return dv__err(err, DV_EINVAL, "metric '%s' needs a regression task", dv_metric_name(m));
    if (task == DV_TASK_REGRESSION && !reg_metric)
        return dv__err(err, DV_EINVAL, "metric '%s' needs a classification task",
                       dv_metric_name(m));
    *out = m;
    return DV_OK;
}

void dv__sctx_free(dv__sctx *cx)
{
    dv__free(cx->cards);
    dv__free(cx->points);
    for (size_t c = 0; c < 256; c++)
        dv__free(cx->class_rows[c]);
    dv__free(cx->Xa);
    dv__free(cx->Xva);
    dv__free(cx->theta0);
    dv__free(cx->starts);
    dv_model_free(cx->model0);
    memset(cx, 0, sizeof *cx);
}

static double *augment(const dv_dataset *ds)
{
    size_t n = ds->n, d = ds->d;
    double *A = dv__malloc(n * (d + 1) * sizeof(double));
    if (!A)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        memcpy(A + i * (d + 1), ds->X + i * d, d * sizeof(double));
        A[i * (d + 1) + d] = 1.0;
    }
    return A;
}

static int sctx_init(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                     const int64_t *points, size_t n_points, const dv_sample_params *p, int fit,
                     dv_error *err);

int dv__sctx_init(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                  const int64_t *points, size_t n_points, const dv_sample_params *p,
                  int fit, dv_error *err)
{
    int rc = sctx_init(cx, train, val, points, n_points, p, fit, err);
    if (rc)
        dv__sctx_free(cx); /* every early return leaves cx freeable */
    return rc;
}

static int sctx_init(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                     const int64_t *points, size_t n_points, const dv_sample_params *p, int fit,
                     dv_error *err)
{
    memset(cx, 0, sizeof *cx);
    int rc;
    const char *why = dv_learner_params_check(&p->learner);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    if (train->d != val->d)
        return dv__err(err, DV_EINVAL, "training data has %zu features, validation data %zu",
                       train->d, val->d);
    if (val->n == 0)
        return dv__err(err, DV_EINVAL, "the validation split is empty");
    if (train->task != val->task)
        return dv__err(err, DV_EINVAL, "training and validation tasks differ");
    int is_clf = train->task == DV_TASK_CLASSIFICATION;
    if (is_clf && p->learner.kind != DV_LEARNER_LOGREG)
        return dv__err(err, DV_EINVAL, "learner '%s' is for regression; the task is classification",
                       dv_learner_name(p->learner.kind));
    if (!is_clf && p->learner.kind == DV_LEARNER_LOGREG)
        return dv__err(err, DV_EINVAL, "learner 'logreg' is for classification; the task is regression");
    if ((rc = resolve_metric(p->metric, train->task, &cx->metric, err)))
        return rc;
    if (p->n_samples < 1)
        return dv__err(err, DV_EINVAL, "the number of samples must be at least 1");
    if (p->batch < 1 || p->batch > DV__MAX_BATCH)
        return dv__err(err, DV_EINVAL, "the batch size must be in 1..%d", DV__MAX_BATCH);
    cx->train = train;
    cx->val = val;
    cx->lp = p->learner;
    cx->mode = p->mode;
    cx->n_samples = p->n_samples;
    cx->seed = p->seed;
    cx->y = train->y;

    /* Class pools: one per class, or one pool for regression. */
    cx->n_classes = is_clf ? train->n_classes : 1;
    if (cx->n_classes > 256)
        return dv__err(err, DV_EINVAL, "at most 256 classes are supported");
    for (size_t i = 0; i < train->n; i++)
        cx->class_n[is_clf ? (size_t)train->y[i] : 0]++;
    if (is_clf) {
        size_t present = 0;
        for (size_t c = 0; c < cx->n_classes; c++)
            present += cx->class_n[c] > 0;
        if (present < 2)
            return dv__err(err, DV_EINVAL, "the training split has a single class");
    }
    for (size_t c = 0; c < cx->n_classes; c++) {
        cx->class_rows[c] = dv__malloc((cx->class_n[c] + 1) * sizeof(int64_t));
        if (!cx->class_rows[c])
            goto nomem;
        cx->class_n[c] = 0;
    }
    for (size_t i = 0; i < train->n; i++) {
        size_t c = is_clf ? (size_t)train->y[i] : 0;
        cx->class_rows[c][cx->class_n[c]++] = (int64_t)i;
    }

    /* Cardinalities. */
    if (p->mode == DV_CARD_GRID) {
        if (p->cards) {
            cx->n_cards = p->n_cards;
            if (cx->n_cards == 0)
                return dv__err(err, DV_EINVAL, "the cardinality list is empty");
            if (!(cx->cards = dv__malloc(cx->n_cards * sizeof(int64_t))))
                goto nomem;
            memcpy(cx->cards, p->cards, cx->n_cards * sizeof(int64_t));
        } else {
            if (p->n_cards < 1)
                return dv__err(err, DV_EINVAL, "the grid needs at least one cardinality");
            if (p->min_card < 1 || p->max_card < p->min_card)
                return dv__err(err, DV_EINVAL, "min-card (%lld) must be >= 1 and <= max-card (%lld)",
                               (long long)p->min_card, (long long)p->max_card);
            if (!(cx->cards = dv__malloc(p->n_cards * sizeof(int64_t))))
                goto nomem;
            cx->n_cards = dv_geom_grid(p->min_card, p->max_card, p->n_cards, cx->cards);
        }
        cx->min_card = cx->max_card = cx->cards[0];
        for (size_t i = 0; i < cx->n_cards; i++) {
            if (cx->cards[i] < 1)
                return dv__err(err, DV_EINVAL, "cardinality %lld is not positive",
                               (long long)cx->cards[i]);
            if (cx->cards[i] < cx->min_card)
                cx->min_card = cx->cards[i];
            if (cx->cards[i] > cx->max_card)
                cx->max_card = cx->cards[i];
        }
        cx->n_slots = cx->n_cards * cx->n_samples;
    } else if (p->mode == DV_CARD_UNIFORM) {
        if (p->min_card < 1)
            return dv__err(err, DV_EINVAL, "min-card must be at least 1 (got %lld)",
                           (long long)p->min_card);
        if (p->max_card < p->min_card)
            return dv__err(err, DV_EINVAL, "min-card (%lld) is larger than max-card (%lld)",
                           (long long)p->min_card, (long long)p->max_card);
        cx->min_card = p->min_card;
        cx->max_card = p->max_card;
        cx->n_slots = cx->n_samples;
    } else {
        return dv__err(err, DV_EINVAL, "unknown cardinality mode %d", (int)p->mode);
    }
    /* Every k must admit a class-balanced coalition without the valued
     * point.  Counts are not monotone in k, so check each k used. */
    int64_t counts[256];
    if (cx->mode == DV_CARD_GRID) {
        for (size_t i = 0; i < cx->n_cards; i++)
            if ((rc = dv_class_counts(cx->class_n, cx->n_classes, cx->cards[i], counts, err)))
                return rc;
    } else {
        for (int64_t k = cx->min_card; k <= cx->max_card; k++)
            if ((rc = dv_class_counts(cx->class_n, cx->n_classes, k, counts, err)))
                return rc;
    }
    cx->kmax = cx->max_card;

    /* Points valued. */
    cx->n_points = points ? n_points : train->n;
    if (cx->n_points == 0)
        return dv__err(err, DV_EINVAL, "no points to value");
    if (!(cx->points = dv__malloc(cx->n_points * sizeof(int64_t))))
        goto nomem;
    for (size_t i = 0; i < cx->n_points; i++) {
        int64_t z = points ? points[i] : (int64_t)i;
        if (z < 0 || (size_t)z >= train->n) {
            dv__sctx_free(cx);
            return dv__err(err, DV_EINVAL, "point %lld is not a training row (0..%zu)",
                           (long long)z, train->n - 1);
        }
        cx->points[i] = z;
    }
    cx->batch = p->batch;
    cx->qn_max = 60;
    cx->n_batches = (cx->n_points + cx->batch - 1) / cx->batch;

    /* Start of every fit: the solution on the whole training set. */
    cx->p = train->d + 1;
    cx->fast = fit && is_clf && train->n_classes == 2 && p->learner.kind == DV_LEARNER_LOGREG;
    if (fit) {
        rc = dv_model_fit(&cx->model0, &cx->lp, train, NULL, 0, NULL, err);
        if (rc) {
            dv__sctx_free(cx);
            return rc == DV_ENOTCONV
                       ? dv__err(err, rc, "the fit on the full training set did not converge")
                       : rc;
        }
    }
    if (cx->fast && fit) {
        cx->Xa = augment(train);
        cx->Xva = augment(val);
        cx->theta0 = dv__malloc(cx->p * sizeof(double));
        if (!cx->Xa || !cx->Xva || !cx->theta0)
            goto nomem;
        dv_model_coef(cx->model0, cx->theta0, cx->p);
        /* Starting points for the coalition fits: a coalition of size k
         * behaves like the whole training set with C scaled by k / n, so
         * fit that on a geometric grid of k and start each S from the
         * nearest (far fewer Newton steps than from one start). */
        int64_t ks[DV__N_STARTS];
        cx->n_starts = dv_geom_grid(cx->min_card, cx->max_card, DV__N_STARTS, ks);
        cx->starts = dv__malloc(cx->n_starts * cx->p * sizeof(double));
        if (!cx->starts)
            goto nomem;
        /* Independent fits, so they run in parallel. */
        int nth = p->n_threads > 0 ? p->n_threads : omp_get_max_threads();
        int failed = 0;
        long ns = (long)cx->n_starts;
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1) reduction(| : failed)
        for (long i = 0; i < ns; i++) {
            dv_learner_params lq = cx->lp;
            lq.C = cx->lp.C * (double)ks[i] / (double)train->n;
            dv_model *mk = NULL;
            if (dv_model_fit(&mk, &lq, train, NULL, 0, cx->model0, NULL))
                failed = 1;
            else
                dv_model_coef(mk, cx->starts + (size_t)i * cx->p, cx->p);
            cx->start_k[i] = ks[i];
            dv_model_free(mk);
        }
        if (failed)
            return dv__err(err, DV_ENOTCONV, "a start fit on the full training set did not converge");
    }
    return DV_OK;
nomem:
    dv__sctx_free(cx);
    return dv__err(err, DV_ENOMEM, "out of memory");
}

void dv__ws_free(dv__ws *w)
{
    for (size_t c = 0; c < 256; c++)
        dv__free(w->class_rows[c]);
    void *ptrs[] = {w->undo, w->mark, w->S, w->rows2, w->XS, w->yS, w->XS2, w->yS2, w->z,
                    w->wv, w->Xw, w->H, w->g, w->step, w->theta, w->thnew, w->Z, w->T,
                    w->G, w->Gs, w->Zv, w->final, w->g0, w->prevn, w->modx, w->modW, w->U,
                    w->col_state, w->Sh, w->Yh, w->rho, w->Told, w->Gold};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        dv__free(ptrs[i]);
    memset(w, 0, sizeof *w);
}

int dv__ws_init(dv__ws *w, const dv__sctx *cx)
{
    memset(w, 0, sizeof *w);
    size_t n = cx->train->n, k = (size_t)cx->kmax + 2, p = cx->p, nv = cx->val->n;
    size_t m = 2 * cx->batch;
    w->mcap = m;
    int bad = 0;
    for (size_t c = 0; c < cx->n_classes; c++) {
        w->class_rows[c] = dv__malloc((cx->class_n[c] + 1) * sizeof(int64_t));
        if (!w->class_rows[c])
            bad = 1;
        else
            memcpy(w->class_rows[c], cx->class_rows[c], cx->class_n[c] * sizeof(int64_t));
    }
    w->undo = dv__malloc(k * sizeof(int64_t));
    w->mark = dv__calloc(n, sizeof(uint32_t));
    w->S = dv__malloc(k * sizeof(int64_t));
    w->rows2 = dv__malloc(k * sizeof(int64_t));
    w->U = dv__malloc(m * sizeof(double));
    w->col_state = dv__malloc(m * sizeof(int));
    bad |= !w->undo || !w->mark || !w->S || !w->rows2 || !w->U || !w->col_state;
    if (cx->fast) {
        w->XS = dv__malloc(k * p * sizeof(double));
        w->yS = dv__malloc(k * sizeof(double));
        w->XS2 = dv__malloc(k * p * sizeof(double));
        w->yS2 = dv__malloc(k * sizeof(double));
        w->z = dv__malloc(k * sizeof(double));
        w->wv = dv__malloc(k * sizeof(double));
        w->Xw = dv__malloc(k * p * sizeof(double));
        w->H = dv__malloc(p * p * sizeof(double));
        w->g = dv__malloc(p * sizeof(double));
        w->step = dv__malloc(2 * p * sizeof(double));
        w->theta = dv__malloc(p * sizeof(double));
        w->thnew = dv__malloc(p * sizeof(double));
        w->Z = dv__malloc(k * m * sizeof(double));
        w->T = dv__malloc(m * p * sizeof(double));
        w->G = dv__malloc(m * p * sizeof(double));
        w->Gs = dv__malloc(m * p * sizeof(double));
        w->Zv = dv__malloc(nv * m * sizeof(double));
        w->final = dv__malloc(m * p * sizeof(double));
        w->g0 = dv__malloc(m * p * sizeof(double));
        w->prevn = dv__malloc(m * sizeof(double));
        w->modx = dv__malloc(2 * m * p * sizeof(double));
        w->modW = dv__malloc(2 * m * p * sizeof(double));
        w->Sh = dv__malloc(m * DV__QN_HIST * p * sizeof(double));
        w->Yh = dv__malloc(m * DV__QN_HIST * p * sizeof(double));
        w->rho = dv__malloc(m * DV__QN_HIST * sizeof(double));
        w->Told = dv__malloc(m * p * sizeof(double));
        w->Gold = dv__malloc(m * p * sizeof(double));
        bad |= !w->XS || !w->yS || !w->XS2 || !w->yS2 || !w->z || !w->wv || !w->Xw || !w->H ||
               !w->g || !w->step || !w->theta || !w->thnew || !w->Z || !w->T || !w->G ||
               !w->Gs || !w->Zv || !w->final || !w->g0 || !w->prevn || !w->modx || !w->modW || !w->Sh || !w->Yh || !w->rho ||
               !w->Told || !w->Gold;
    }
    if (bad) {
        dv__ws_free(w);
        return DV_ENOMEM;
    }
    return DV_OK;
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

/* ------------------------------------------------------------------------ */
/* Binary logistic regression kernels (augmented rows: x then 1)            */
/* ------------------------------------------------------------------------ */

static inline double vdot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* y += a x */
static inline void vaxpy(double a, const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += a * x[i];
}

static inline double sigmoid(double t)
{
    if (t >= 0)
        return 1.0 / (1.0 + exp(-t));
    double e = exp(t);
    return e / (1.0 + e);
}

/* C * sum log-loss + 1/2 ||w||^2 at theta; z receives X theta. */
static double objective(const double *X, const double *y, size_t n, size_t p, double C,
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
static void residuals(const double *y, size_t n, double C, const double *z, double *wv)
{
    for (size_t i = 0; i < n; i++)
        wv[i] = -z[i];
    dv__vsigmoid_neg(wv, n);
    for (size_t i = 0; i < n; i++)
        wv[i] = C * (wv[i] - y[i]);
}

/* g (holding X^T wv) gains the penalty's term; returns its 2-norm. */
static double penalized_norm(const double *theta, double *g, size_t p)
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
static double gradient(const double *X, const double *y, size_t n, size_t p, double C,
                       const double *theta, const double *z, double *wv, double *g)
{
    residuals(y, n, C, z, wv);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)p, 1.0, X, (int)p, wv, 1, 0.0, g, 1);
    return penalized_norm(theta, g, p);
}

/* The Hessian at z = X theta into H (row-major lower), unfactorized; the
 * row weights C sigma'(z_i) also into w when w is not NULL. */
static void hessian_assemble(const double *X, size_t n, size_t p, double C, const double *z,
                             double *Xw, double *H, double *w)
{
    for (size_t i = 0; i < n; i++) {
        double s = sigmoid(z[i]), wi = C * s * (1.0 - s), r = sqrt(wi);
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

static int hessian_factor(const double *X, size_t n, size_t p, double C, const double *z,
                          double *Xw, double *H)
{
    hessian_assemble(X, n, p, C, z, Xw, H, NULL);
    /* Row-major lower is column-major upper: no transposition needed. */
    return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, H, (lapack_int)p) != 0;
}

/* Rows of B (m x p) := rows of B times H^-1, H = L L^T factorized in L. */
static void solve_rows(const double *L, size_t p, double *B, size_t m)
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
static int newton_binary(const double *X, const double *y, size_t n, size_t p, double C,
                         double tol, int max_iter, double g0n, double *theta, double *g,
                         double *H, dv__ws *w)
{
    double thr = tol * (g0n > 1.0 ? g0n : 1.0);
    double f = objective(X, y, n, p, C, theta, w->z, w->wv);
    for (int it = 0;; it++) {
        double gn = gradient(X, y, n, p, C, theta, w->z, w->wv, g);
        if (gn <= thr)
            break;
        if (it >= max_iter)
            return DV_ENOTCONV;
        if (hessian_factor(X, n, p, C, w->z, w->Xw, w->H))
            return DV_ENOTCONV;
        memcpy(w->step, g, p * sizeof(double));
        solve_rows(w->H, p, w->step, 1);
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
            fn = objective(X, y, n, p, C, w->thnew, w->z, w->wv);
            if (fn <= f + 1e-4 * t * slope || fn <= f)
                break;
            t *= 0.5;
        }
        if (ls_max == 0) {
            for (size_t j = 0; j < p; j++)
                theta[j] -= w->step[j];
            fn = objective(X, y, n, p, C, theta, w->z, w->wv);
        } else {
            memcpy(theta, w->thnew, p * sizeof(double));
        }
        f = fn; /* w->z holds X theta */
    }
    if (H && hessian_factor(X, n, p, C, w->z, w->Xw, H))
        return DV_ENOTCONV;
    return DV_OK;
}

/* Norm of the gradient at theta = 0 of rows X, y: C * X^T (1/2 - y). */
static double grad0_norm(const double *X, const double *y, size_t n, size_t p, double C,
                         double *g)
{
    memset(g, 0, p * sizeof(double));
    for (size_t i = 0; i < n; i++)
        cblas_daxpy((int)p, C * (0.5 - y[i]), X + i * p, 1, g, 1);
    return cblas_dnrm2((int)p, g, 1);
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
    double g0n = grad0_norm(w->XS2, w->yS2, n2, p, cx->lp.C, w->g);
    return newton_binary(w->XS2, w->yS2, n2, p, cx->lp.C, cx->lp.tol, cx->lp.max_iter, g0n, theta,
                         w->g, NULL, w);
}

static int run_item_fast(const dv__sctx *cx, dv__ws *w, size_t j, size_t b, int64_t k,
                         double *delta, dv_error *err)
{
    size_t p = cx->p, d = p - 1, kk = (size_t)k;
    double C = cx->lp.C, tol = cx->lp.tol;
    size_t first = b * cx->batch;
    size_t nb = cx->n_points - first < cx->batch ? cx->n_points - first : cx->batch;

    for (size_t i = 0; i < kk; i++) {
        memcpy(w->XS + i * p, cx->Xa + (size_t)w->S[i] * p, p * sizeof(double));
        w->yS[i] = cx->y[w->S[i]];
    }
    /* Fit S from the full-data solution. */
    double *g0s = w->step + p; /* scratch of length p */
    double g0n = grad0_norm(w->XS, w->yS, kk, p, C, g0s);
    size_t best = 0;
    for (size_t i = 1; i < cx->n_starts; i++)
        if (fabs(log((double)cx->start_k[i] / (double)k)) <
            fabs(log((double)cx->start_k[best] / (double)k)))
            best = i;
    memcpy(w->theta, cx->starts + best * p, p * sizeof(double));
    if (newton_binary(w->XS, w->yS, kk, p, C, tol, cx->lp.max_iter, g0n, w->theta, w->g, w->H, w))
        return dv__err(err, DV_ENOTCONV, "the fit of a coalition (sample %zu, k = %lld) did not converge",
                       j, (long long)k);
    double US;
    utilities(cx, w->theta, 1, w->Zv, &US);

    /* Columns: S + z, or for z drawn into S, S' + z = S + r and S' = S + r - z. */
    column cols[2 * DV__MAX_BATCH];
    size_t owner_plus[DV__MAX_BATCH], owner_base[DV__MAX_BATCH];
    if (nb > DV__MAX_BATCH)
        return dv__err(err, DV_EINVAL, "batch too large");
    size_t m = 0;
    for (size_t i = 0; i < nb; i++) {
        int64_t z = cx->points[first + i];
        if (w->mark[z] == w->stamp) {
            int64_t r = dv__draw_swap(cx, j, first + i, w->mark, w->stamp);
            cols[m] = (column){1, {r, -1}, {1.0, 0.0}};
            owner_plus[i] = m++;
            cols[m] = (column){2, {r, z}, {1.0, -1.0}};
            owner_base[i] = m++;
        } else {
            cols[m] = (column){1, {z, -1}, {1.0, 0.0}};
            owner_plus[i] = m++;
            owner_base[i] = (size_t)-1;
        }
    }

    /* Per column: start at theta_S, its gradient there (g_S plus the
     * modified rows' terms), its gradient at 0, and the Woodbury pieces.
     * modx rows: x_m; modW rows: H_S^-1 x_m; mod scalars kept in cw. */
    double cw[2 * DV__MAX_BATCH][2]; /* s * C * sigma'(x theta_S) per mod */
    size_t nmod = 0;
    for (size_t c = 0; c < m; c++) {
        double *th = w->T + c * p, *G = w->G + c * p, *g0 = w->g0 + c * p;
        memcpy(th, w->theta, p * sizeof(double));
        memcpy(G, w->g, p * sizeof(double));
        memcpy(g0, g0s, p * sizeof(double));
        for (int q = 0; q < cols[c].nmods; q++) {
            const double *x = cx->Xa + (size_t)cols[c].row[q] * p;
            double yr = cx->y[cols[c].row[q]], s = cols[c].sign[q];
            double t = cblas_ddot((int)p, x, 1, w->theta, 1);
            double sg = sigmoid(t);
            cblas_daxpy((int)p, s * C * (sg - yr), x, 1, G, 1);
            cblas_daxpy((int)p, s * C * (0.5 - yr), x, 1, g0, 1);
            cw[c][q] = s * C * sg * (1.0 - sg);
            memcpy(w->modx + nmod * p, x, p * sizeof(double));
            nmod++;
        }
    }
    memcpy(w->modW, w->modx, nmod * p * sizeof(double));
    solve_rows(w->H, p, w->modW, nmod);
    /* Woodbury: (H + U D U^T)^-1 g = H^-1 g - W (D^-1 + U^T W)^-1 W^T g,
     * with W = H^-1 U.  Per column the small matrix is at most 2 x 2. */
    double Minv[2 * DV__MAX_BATCH][4];
    size_t modoff[2 * DV__MAX_BATCH];
    nmod = 0;
    for (size_t c = 0; c < m; c++) {
        modoff[c] = nmod;
        int r = cols[c].nmods;
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
                B[a * 2 + bb] = (a == bb) + cw[c][a] * A[a * 2 + bb];
        /* K = (I + D A)^-1 D, then correction = W K W^T g. */
        double K[4] = {0, 0, 0, 0};
        if (r == 1) {
            K[0] = cw[c][0] / B[0];
        } else if (r == 2) {
            double det = B[0] * B[3] - B[1] * B[2];
            double Bi[4] = {B[3] / det, -B[1] / det, -B[2] / det, B[0] / det};
            for (int a = 0; a < 2; a++)
                for (int bb = 0; bb < 2; bb++)
                    K[a * 2 + bb] = Bi[a * 2 + bb] * cw[c][bb];
        }
        memcpy(Minv[c], K, sizeof K);
        nmod += (size_t)r;
    }

    /* Quasi-Newton iterations, all active columns together: L-BFGS whose
     * initial matrix is the Woodbury-corrected Hessian of S at theta_S, so
     * that the first step is exactly Newton's step for S + z from theta_S
     * and later steps add curvature learnt along the way.  Convergence is
     * judged on the true gradient only. */
    size_t active[2 * DV__MAX_BATCH], na = m;
    int hn[2 * DV__MAX_BATCH], hpos[2 * DV__MAX_BATCH];
    for (size_t c = 0; c < m; c++) {
        active[c] = c;
        w->prevn[c] = INFINITY;
        w->col_state[c] = 0;
        hn[c] = hpos[c] = 0;
    }
    const int max_qn = cx->qn_max;
    const size_t H = DV__QN_HIST;
    for (int it = 0; na > 0; it++) {
        if (it > 0) {
            /* Gradients at the current iterates: Z = X_S T^T, R = C (sigma(Z) - y). */
            for (size_t a = 0; a < na; a++)
                memcpy(w->Gs + a * p, w->T + active[a] * p, p * sizeof(double));
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)kk, (int)na, (int)p, -1.0,
                        w->XS, (int)p, w->Gs, (int)p, 0.0, w->Z, (int)na);
            dv__vsigmoid_neg(w->Z, kk * na); /* Z held -X_S theta */
            for (size_t i = 0; i < kk; i++) {
                double yi = w->yS[i];
                double *zr = w->Z + i * na;
                for (size_t a = 0; a < na; a++)
                    zr[a] -= yi;
            }
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)na, (int)p, (int)kk, C,
                        w->Z, (int)na, w->XS, (int)p, 0.0, w->Gs, (int)p);
            for (size_t a = 0; a < na; a++) {
                size_t c = active[a];
                double *G = w->G + c * p, *th = w->T + c * p;
                memcpy(G, w->Gs + a * p, p * sizeof(double));
                for (size_t q = 0; q < d; q++)
                    G[q] += th[q];
                for (int q = 0; q < cols[c].nmods; q++) {
                    const double *x = cx->Xa + (size_t)cols[c].row[q] * p;
                    double t = vdot(x, th, p);
                    vaxpy(cols[c].sign[q] * C * (sigmoid(t) - cx->y[cols[c].row[q]]), x, G, p);
                }
                /* Curvature pair (s, y) of the last step. */
                double *sv = w->Sh + (c * H + (size_t)hpos[c]) * p;
                double *yv = w->Yh + (c * H + (size_t)hpos[c]) * p;
                const double *to = w->Told + c * p, *go = w->Gold + c * p;
                for (size_t q = 0; q < p; q++) {
                    sv[q] = th[q] - to[q];
                    yv[q] = G[q] - go[q];
                }
                double sy = vdot(sv, yv, p);
                if (sy > 1e-12 * sqrt(vdot(sv, sv, p) * vdot(yv, yv, p))) {
                    w->rho[c * H + (size_t)hpos[c]] = 1.0 / sy;
                    hpos[c] = (hpos[c] + 1) % (int)H;
                    if (hn[c] < (int)H)
                        hn[c]++;
                }
            }
        }
        /* Convergence test; the rest take a step. */
        size_t nn = 0;
        for (size_t a = 0; a < na; a++) {
            size_t c = active[a];
            double gn = sqrt(vdot(w->G + c * p, w->G + c * p, p));
            double g0c = sqrt(vdot(w->g0 + c * p, w->g0 + c * p, p));
            if (gn <= tol * (g0c > 1.0 ? g0c : 1.0)) {
                w->col_state[c] = 1;
                continue;
            }
            if (it >= max_qn || !(gn < 2.0 * w->prevn[c])) {
                w->col_state[c] = 2; /* stalled: full Newton below */
                continue;
            }
            if (gn < w->prevn[c])
                w->prevn[c] = gn; /* the smallest gradient norm so far */
            active[nn++] = c;
        }
        na = nn;
        if (na == 0)
            break;
        /* Two-loop recursion around the initial matrix's solve. */
        double alph[2 * DV__MAX_BATCH][DV__QN_HIST];
        for (size_t a = 0; a < na; a++) {
            size_t c = active[a];
            double *q = w->Gs + a * p;
            memcpy(q, w->G + c * p, p * sizeof(double));
            for (int t = 0; t < hn[c]; t++) {
                size_t i = (size_t)((hpos[c] - 1 - t + 2 * (int)H) % (int)H);
                const double *sv = w->Sh + (c * H + i) * p, *yv = w->Yh + (c * H + i) * p;
                alph[a][t] = w->rho[c * H + i] * vdot(sv, q, p);
                vaxpy(-alph[a][t], yv, q, p);
            }
        }
        solve_rows(w->H, p, w->Gs, na);
        for (size_t a = 0; a < na; a++) {
            size_t c = active[a];
            double *v = w->Gs + a * p, *th = w->T + c * p;
            int r = cols[c].nmods;
            double wg[2] = {0, 0};
            for (int q = 0; q < r; q++)
                wg[q] = vdot(w->modx + (modoff[c] + (size_t)q) * p, v, p);
            for (int q = 0; q < r; q++) {
                double coef = 0.0;
                for (int q2 = 0; q2 < r; q2++)
                    coef += Minv[c][q * 2 + q2] * wg[q2];
                vaxpy(-coef, w->modW + (modoff[c] + (size_t)q) * p, v, p);
            }
            for (int t = hn[c] - 1; t >= 0; t--) {
                size_t i = (size_t)((hpos[c] - 1 - t + 2 * (int)H) % (int)H);
                const double *sv = w->Sh + (c * H + i) * p, *yv = w->Yh + (c * H + i) * p;
                double bta = w->rho[c * H + i] * vdot(yv, v, p);
                vaxpy(alph[a][t] - bta, sv, v, p);
            }
            memcpy(w->Told + c * p, th, p * sizeof(double));
            memcpy(w->Gold + c * p, w->G + c * p, p * sizeof(double));
            for (size_t q = 0; q < p; q++)
                th[q] -= v[q];
        }
    }
    /* Stalled columns: full Newton with line search, restarted from theta_S
     * (a stalled quasi-Newton iterate can be far off, e.g. after a point
     * with an extreme feature value made the first step overshoot). */
    for (size_t c = 0; c < m; c++) {
        if (w->col_state[c] == 2)
            memcpy(w->T + c * p, w->theta, p * sizeof(double));
        if (w->col_state[c] == 2 &&
            column_newton(cx, w, w->S, kk, &cols[c], w->T + c * p))
            return dv__err(err, DV_ENOTCONV,
                           "the fit of a coalition plus a point (sample %zu, k = %lld) did not converge",
                           j, (long long)k);
    }
    utilities(cx, w->T, m, w->Zv, w->U);
    for (size_t i = 0; i < nb; i++) {
        double base = owner_base[i] == (size_t)-1 ? US : w->U[owner_base[i]];
        delta[i] = w->U[owner_plus[i]] - base;
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

int dv_sample_coalition(const dv_dataset *train, const int64_t *points, size_t n_points,
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

int dv_delta_plain(const dv_dataset *train, const dv_dataset *val, const dv_learner_params *lp,
                   dv_metric metric, const int64_t *S, size_t n, int64_t z, double *out,
                   dv_error *err)
{
    dv_metric m = DV_METRIC_NEG_LOGLOSS;
    int rc = resolve_metric(metric, train->task, &m, err);
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

static void *sampler_ws_new(void *vctx)
{
    const sampler_items *si = vctx;
    dv__ws *w = dv__malloc(sizeof *w);
    if (w && dv__ws_init(w, si->cx)) {
        dv__free(w);
        w = NULL;
    }
    return w;
}

static void sampler_ws_free(void *state)
{
    dv__ws_free(state);
    dv__free(state);
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
    return dv__for_items(0, n, n_threads, sampler_item, &si, sampler_ws_new, sampler_ws_free, 0,
                         err);
}

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
    dv__ws w;                     /* z, wv, Xw, H, step, thnew */
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
        residuals(s->y, s->n, s->lp.C, s->w.z, s->w.wv);
        g[d] = dv__bsp_gemv_t(&s->cur, s->w.wv, g);
        return penalized_norm(theta, g, s->p);
    }
    return gradient(s->X, s->y, s->n, s->p, s->lp.C, theta, s->w.z, s->w.wv, g);
}

static void scan_append(dv__scan *s, int64_t row)
{
    size_t p = s->p, d = p - 1;
    double *x = s->X + s->n * p;
    memcpy(x, s->train->X + (size_t)row * d, d * sizeof(double));
    x[d] = 1.0;
    s->y[s->n] = s->train->y[row];
    s->n_pos += s->y[s->n] == 1.0;
    vaxpy(s->lp.C * (0.5 - s->y[s->n]), x, s->g0, p);
    s->wu[s->n] = 0.0; /* not in the factor yet */
    s->xn2[s->n] = vdot(x, x, p);
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
            double sg = sigmoid(z[i]);
            s->wu[i] = s->lp.C * sg * (1.0 - sg);
            s->chg[i] = i;
        }
        scan_add_rows(s, s->chg, s->wu, s->n);
    } else {
        hessian_assemble(s->X, s->n, s->p, s->lp.C, z, s->w.Xw, s->Hf, s->wu);
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
        double sg = sigmoid(z[i]);
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

int dv__scan_fit(dv__scan *s, const int64_t *S, size_t n, const double **theta)
{
    size_t p = s->p;
    double C = s->lp.C;
    int extend = s->have && n == s->n + 1 && memcmp(S, s->rows, s->n * sizeof(int64_t)) == 0;
    int nofactor = 0;
    if (!extend) {
        s->factored = 0;
        s->n = s->n_pos = 0;
        if (s->sparse)
            dv__bsp_reset(&s->cur);
        memset(s->g0, 0, p * sizeof(double));
        for (size_t i = 0; i < n; i++)
            scan_append(s, S[i]);
        if (!s->have)
            memset(s->theta, 0, p * sizeof(double));
    } else {
        /* The preconditioner is made when a fit first extends (fits that
         * never do, as in leave-one-out, need none). */
        if (!s->factored) {
            scan_margins(s, s->theta);
            nofactor = scan_rebuild(s, s->w.z);
        }
        scan_append(s, S[n - 1]);
    }
    if (s->n_pos == 0 || s->n_pos == s->n) {
        s->have = 0; /* one class: the generic learner's constant model */
        return DV_EDEGEN;
    }
    double g0n = sqrt(vdot(s->g0, s->g0, p));
    double thr = s->lp.tol * (g0n > 1.0 ? g0n : 1.0);
    int ok = 0;
    if (extend && !nofactor) {
        /* The gradient at theta (s->g, exact for the previous rows) gains
         * the new row's term. */
        const double *xn = s->X + (s->n - 1) * p;
        double sg = sigmoid(vdot(xn, s->theta, p));
        vaxpy(C * (sg - s->y[s->n - 1]), xn, s->g, p);
        double gn = sqrt(vdot(s->g, s->g, p));
        /* The new row's curvature joins the stale factor by Sherman-Morrison:
         * (L L^T + c x x^T)^-1 g = H^-1 g - c (x . H^-1 g) / (1 + c x . u) u,
         * u = H^-1 x, so the first step is Newton's when the factor is fresh. */
        double cn = C * sg * (1.0 - sg);
        double *u = s->thnew2 + p; /* scratch: the second half of thnew2 */
        memcpy(u, xn, p * sizeof(double));
        dv__chol_solve_vec(s->L, s->Lt, s->dinv, p, u);
        double smden = 1.0 + cn * vdot(xn, u, p);
        int hn = 0, hpos = 0, it, mid = 0;
        for (it = 0; it < 16 && !(ok = gn <= thr); it++) {
            /* Slow progress: the factor is stale.  Refresh it at theta
             * (w.z holds X theta: the last gradient was taken there) and
             * let Sherman-Morrison carry only the new row's weight that the
             * factor lacks; the curvature pairs stay valid. */
            if (it == DV__QN_STALE && !mid) {
                mid = 1;
                if (scan_refresh(s, s->w.z))
                    break;
                double sz = sigmoid(s->w.z[s->n - 1]);
                cn = C * sz * (1.0 - sz) - s->wu[s->n - 1];
                memcpy(u, xn, p * sizeof(double));
                dv__chol_solve_vec(s->L, s->Lt, s->dinv, p, u);
                smden = 1.0 + cn * vdot(xn, u, p);
            }
            /* Two-loop recursion around the stale factor's solve. */
            double alph[DV__QN_HIST];
            memcpy(s->v, s->g, p * sizeof(double));
            for (int t = 0; t < hn; t++) {
                size_t i = (size_t)((hpos - 1 - t + 2 * DV__QN_HIST) % DV__QN_HIST);
                alph[t] = s->rho[i] * vdot(s->Sh + i * p, s->v, p);
                vaxpy(-alph[t], s->Yh + i * p, s->v, p);
            }
            dv__chol_solve_vec(s->L, s->Lt, s->dinv, p, s->v);
            vaxpy(-cn * vdot(xn, s->v, p) / smden, u, s->v, p);
            for (int t = hn - 1; t >= 0; t--) {
                size_t i = (size_t)((hpos - 1 - t + 2 * DV__QN_HIST) % DV__QN_HIST);
                double b = s->rho[i] * vdot(s->Yh + i * p, s->v, p);
                vaxpy(alph[t] - b, s->Sh + i * p, s->v, p);
            }
            for (size_t q = 0; q < p; q++)
                s->thnew2[q] = s->theta[q] - s->v[q];
            double gn2 = scan_gradient(s, s->thnew2, s->gnew);
            /* No progress (a new row far from the fit can make the first
             * step overshoot): shorter steps, then full Newton below. */
            for (int bt = 0; bt < 3 && !(gn2 < gn); bt++) {
                for (size_t q = 0; q < p; q++) {
                    s->v[q] *= 0.5;
                    s->thnew2[q] = s->theta[q] - s->v[q];
                }
                gn2 = scan_gradient(s, s->thnew2, s->gnew);
            }
            if (!(gn2 < gn))
                break;
            double *sv = s->Sh + (size_t)hpos * p, *yv = s->Yh + (size_t)hpos * p;
            for (size_t q = 0; q < p; q++) {
                sv[q] = s->thnew2[q] - s->theta[q];
                yv[q] = s->gnew[q] - s->g[q];
            }
            double sy = vdot(sv, yv, p);
            if (sy > 1e-12 * sqrt(vdot(sv, sv, p) * vdot(yv, yv, p))) {
                s->rho[hpos] = 1.0 / sy;
                hpos = (hpos + 1) % DV__QN_HIST;
                if (hn < DV__QN_HIST)
                    hn++;
            }
            memcpy(s->theta, s->thnew2, p * sizeof(double));
            memcpy(s->g, s->gnew, p * sizeof(double));
            gn = gn2;
        }
        /* A factor that needed many steps is stale: refresh it (w.z holds
         * X theta: the last gradient was taken at the accepted step). */
        if (ok && it > DV__QN_STALE && !mid) {
            if (scan_refresh(s, s->w.z))
                ok = 0;
        }
    }
    s->stats[ok ? DV__SC_QN : DV__SC_NEWTON]++;
    if (!ok) {
        s->have = 0;
        s->factored = 0;
        if (newton_binary(s->X, s->y, s->n, p, C, s->lp.tol, s->lp.max_iter, g0n, s->theta, s->g,
                          NULL, &s->w))
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

/* The metric of validation margins t. */
static double score_margins(const dv_dataset *val, const double *t, dv_metric metric)
{
    size_t n = val->n;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (metric == DV_METRIC_ACCURACY) {
            s += (double)((t[i] > 0.0) == (val->y[i] == 1.0));
        } else {
            double q = val->y[i] == 1.0 ? sigmoid(t[i]) : sigmoid(-t[i]);
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
    *out = score_margins(val, margins, metric);
    return DV_OK;
}

int dv__scan_score(const dv__scan *s, const double *theta, dv_metric metric, double *margins,
                   double *out)
{
    if (!s->val_sparse)
        return dv__binary_score(s->val, theta, metric, margins, out);
    size_t d = s->p - 1;
    dv__bsp_gemv(&s->vsp, theta, theta[d], margins);
    *out = score_margins(s->val, margins, metric);
    return DV_OK;
}
