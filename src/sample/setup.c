/*
 * setup.c -- what a sampling job fixes before its work items run: the
 * checks of data and settings, the class pools coalitions are drawn from,
 * the cardinalities, the points valued, the fits on the whole training set
 * that every coalition fit starts from, and the per-thread workspaces.
 */
#include "sampler.h"

#include <omp.h>
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

int dv__resolve_metric(dv_metric m, dv_task task, dv_metric *out, dv_error *err)
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

/* The learner, data, metric, sample count and batch size fit together. */
static int check_setup(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                       const dv_sample_params *p, dv_error *err)
{
    const char *why = dv_learner_params_check(&p->learner);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    if (p->learner.dropout != 0) /* run.json does not record it */
        return dv__err(err, DV_EINVAL, "learner: sampling runs do not take dropout");
    if (train->d != val->d)
        return dv__err(err, DV_EINVAL, "training data has %zu features, validation data %zu",
                       train->d, val->d);
    if (val->n == 0)
        return dv__err(err, DV_EINVAL, "the validation split is empty");
    if (train->task != val->task)
        return dv__err(err, DV_EINVAL, "training and validation tasks differ");
    int is_clf = train->task == DV_TASK_CLASSIFICATION;
    dv_learner_kind kind = p->learner.kind;
    if (is_clf && (kind == DV_LEARNER_RIDGE || kind == DV_LEARNER_OLS))
        return dv__err(err, DV_EINVAL, "learner '%s' is for regression; the task is classification",
                       dv_learner_name(kind));
    if (!is_clf && kind == DV_LEARNER_LOGREG)
        return dv__err(err, DV_EINVAL, "learner 'logreg' is for classification; the task is regression");
    int rc = dv__resolve_metric(p->metric, train->task, &cx->metric, err);
    if (rc)
        return rc;
    if (p->n_samples < 1)
        return dv__err(err, DV_EINVAL, "the number of samples must be at least 1");
    if (p->batch < 1 || p->batch > DV__MAX_BATCH)
        return dv__err(err, DV_EINVAL, "the batch size must be in 1..%d", DV__MAX_BATCH);
    if (p->n_shards && p->shard >= p->n_shards)
        return dv__err(err, DV_EINVAL, "shard %zu of %zu: shards are numbered 0 to %zu", p->shard,
                       p->n_shards, p->n_shards - 1);
    return DV_OK;
}

/* Class pools: the rows of each class, ascending (one pool for regression). */
static int class_pools(dv__sctx *cx, const dv_dataset *train, dv_error *err)
{
    int is_clf = train->task == DV_TASK_CLASSIFICATION;
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
            return dv__err(err, DV_ENOMEM, "out of memory");
        cx->class_n[c] = 0;
    }
    for (size_t i = 0; i < train->n; i++) {
        size_t c = is_clf ? (size_t)train->y[i] : 0;
        cx->class_rows[c][cx->class_n[c]++] = (int64_t)i;
    }
    return DV_OK;
}

/* The grid's cardinalities: the list given, or a geometric grid. */
static int grid_cards(dv__sctx *cx, const dv_sample_params *p, dv_error *err)
{
    if (p->cards) {
        cx->n_cards = p->n_cards;
        if (cx->n_cards == 0)
            return dv__err(err, DV_EINVAL, "the cardinality list is empty");
        if (!(cx->cards = dv__malloc(cx->n_cards * sizeof(int64_t))))
            return dv__err(err, DV_ENOMEM, "out of memory");
        memcpy(cx->cards, p->cards, cx->n_cards * sizeof(int64_t));
    } else {
        if (p->n_cards < 1)
            return dv__err(err, DV_EINVAL, "the grid needs at least one cardinality");
        if (p->min_card < 1 || p->max_card < p->min_card)
            return dv__err(err, DV_EINVAL, "min-card (%lld) must be >= 1 and <= max-card (%lld)",
                           (long long)p->min_card, (long long)p->max_card);
        if (!(cx->cards = dv__malloc(p->n_cards * sizeof(int64_t))))
            return dv__err(err, DV_ENOMEM, "out of memory");
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
    return DV_OK;
}

/* Cardinalities of either mode; every k used must admit a class-balanced
 * coalition without the valued point (counts are not monotone in k, so
 * each k is checked). */
static int cardinalities(dv__sctx *cx, const dv_sample_params *p, dv_error *err)
{
    int rc;
    if (p->mode == DV_CARD_GRID) {
        if ((rc = grid_cards(cx, p, err)))
            return rc;
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
    return DV_OK;
}

/* The points valued (all training rows when points is NULL). */
static int points_valued(dv__sctx *cx, const dv_dataset *train, const int64_t *points,
                         size_t n_points, dv_error *err)
{
    cx->n_points = points ? n_points : train->n;
    if (cx->n_points == 0)
        return dv__err(err, DV_EINVAL, "no points to value");
    if (!(cx->points = dv__malloc(cx->n_points * sizeof(int64_t))))
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < cx->n_points; i++) {
        int64_t z = points ? points[i] : (int64_t)i;
        if (z < 0 || (size_t)z >= train->n)
            return dv__err(err, DV_EINVAL, "point %lld is not a training row (0..%zu)",
                           (long long)z, train->n - 1);
        cx->points[i] = z;
    }
    return DV_OK;
}

/* Start fit i (C scaled to ks[i] rows) into cx->starts row i. */
typedef struct {
    dv__sctx *cx;
    const dv_dataset *train;
    const int64_t *ks;
} start_job;

static int start_item(void *ctx, void *state, size_t i, dv_error *err)
{
    (void)state;
    start_job *s = ctx;
    dv__sctx *cx = s->cx;
    dv_learner_params lq = cx->lp;
    lq.C = cx->lp.C * (double)s->ks[i] / (double)s->train->n;
    dv_model *mk = NULL;
    if (dv_model_fit(&mk, &lq, s->train, NULL, 0, cx->model0, NULL))
        return dv__err(err, DV_ENOTCONV, "a start fit on the full training set did not converge");
    dv_model_coef(mk, cx->starts + i * cx->p, cx->p);
    dv_model_free(mk);
    return DV_OK;
}

static size_t start_spans(void *ctx, size_t i, dv__span *sp)
{
    start_job *s = ctx;
    sp[0] = (dv__span){s->cx->starts + i * s->cx->p, s->cx->p, sizeof(double), sizeof(double)};
    return 1;
}

/* Starting points for the coalition fits of the fast path: a coalition of
 * size k behaves like the whole training set with C scaled by k / n, so
 * that is fitted on a geometric grid of k and each S starts from the
 * nearest (far fewer Newton steps than from one start). */
static int start_fits(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                      int n_threads, dv_comm *comm, dv_error *err)
{
    cx->Xa = augment(train);
    cx->Xva = augment(val);
    cx->theta0 = dv__malloc(cx->p * sizeof(double));
    if (!cx->Xa || !cx->Xva || !cx->theta0)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_model_coef(cx->model0, cx->theta0, cx->p);
    int64_t ks[DV__N_STARTS];
    cx->n_starts = dv_geom_grid(cx->min_card, cx->max_card, DV__N_STARTS, ks);
    cx->starts = dv__malloc(cx->n_starts * cx->p * sizeof(double));
    if (!cx->starts)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < cx->n_starts; i++)
        cx->start_k[i] = ks[i];
    if (dv__dist_on(comm)) { /* shared out over the processes */
        start_job s = {cx, train, ks};
        dv__job j = {comm, 0, cx->n_starts, NULL, 0, 1, n_threads, start_item, start_spans, NULL,
                     &s, NULL, NULL, 0};
        return dv__job_run(&j, err);
    }
    /* Independent fits, so they run in parallel. */
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
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
    return DV_OK;
}

/* Fills cx step by step; on failure the caller frees what was made. */
static int sctx_init(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                     const int64_t *points, size_t n_points, const dv_sample_params *p, int fit,
                     dv_error *err)
{
    memset(cx, 0, sizeof *cx);
    int rc = check_setup(cx, train, val, p, err);
    if (rc)
        return rc;
    cx->train = train;
    cx->val = val;
    cx->lp = p->learner;
    cx->mode = p->mode;
    cx->n_samples = p->n_samples;
    cx->seed = p->seed;
    cx->y = train->y;
    if ((rc = class_pools(cx, train, err)) || (rc = cardinalities(cx, p, err)) ||
        (rc = points_valued(cx, train, points, n_points, err)))
        return rc;
    cx->batch = p->batch;
    cx->shard = p->shard;
    cx->n_shards = p->n_shards;
    cx->qn_max = 60;
    cx->n_batches = (cx->n_points + cx->batch - 1) / cx->batch;
    /* Start of every fit: the solution on the whole training set. */
    cx->p = train->d + 1;
    cx->fast = fit && train->task == DV_TASK_CLASSIFICATION && train->n_classes == 2 &&
               p->learner.kind == DV_LEARNER_LOGREG;
    if (!fit)
        return DV_OK;
    rc = dv_model_fit(&cx->model0, &cx->lp, train, NULL, 0, NULL, err);
    if (rc)
        return rc == DV_ENOTCONV
                   ? dv__err(err, rc, "the fit on the full training set did not converge")
                   : rc;
    return cx->fast ? start_fits(cx, train, val, p->n_threads, p->comm, err) : DV_OK;
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
