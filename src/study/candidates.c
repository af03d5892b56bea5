/*
 * candidates.c -- values of points that are not in the training data, as
 * the 2-D study measures them ("Towards Understanding Data Values:
 * Empirical Results on Synthetic Data"): the change of the decision
 * boundary when a candidate is added (add-one leave-one-out), its
 * forgetting trace while the model trains, its memorization, an
 * ensemble's disagreement about it (an out-of-distribution score), and the
 * cooperative game of candidates for Shapley values.
 *
 * Every fit is on a dataset made here: the training rows, then the added
 * rows.  Work items are candidates (or ensemble members) run by
 * dv__for_items; each writes only its own outputs, so results do not
 * depend on the thread count.
 */
#include "learn/net.h"

#include <math.h>
#include <omp.h>
#include <string.h>

/* train's rows (none when train is NULL), then the n_add rows of add_x
 * (n_add x d) with labels add_y (indices add_rows, or all when NULL). */
static int augmented(const dv_dataset *train, size_t K, size_t d, const double *add_x,
                     const double *add_y, const int64_t *add_rows, size_t n_add,
                     dv_dataset **out, dv_error *err)
{
    size_t n = train ? train->n : 0;
    if (dv__dataset_alloc(out, n + n_add, d, DV_TASK_CLASSIFICATION, K))
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_dataset *ds = *out;
    if (n) {
        memcpy(ds->X, train->X, n * d * sizeof(double));
        memcpy(ds->y, train->y, n * sizeof(double));
    }
    for (size_t a = 0; a < n_add; a++) {
        size_t r = add_rows ? (size_t)add_rows[a] : a;
        memcpy(ds->X + (n + a) * d, add_x + r * d, d * sizeof(double));
        ds->y[n + a] = add_y[r];
    }
    for (size_t i = 0; i < n + n_add; i++)
        ds->src_rows[i] = (int64_t)i;
    return DV_OK;
}

/* The candidates' labels must be classes of the training data, and the
 * learner's settings valid. */
static int check_candidates(const dv_dataset *train, const dv_learner_params *lp,
                            const double *cand_x, const double *cand_y, size_t n_cand,
                            dv_error *err)
{
    const char *why = dv_learner_params_check(lp);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    if (!train || train->task != DV_TASK_CLASSIFICATION || train->n_classes < 2)
        return dv__err(err, DV_EINVAL, "candidate values need a classification data set");
    for (size_t c = 0; c < n_cand; c++) {
        for (size_t j = 0; j < train->d; j++)
            if (!isfinite(cand_x[c * train->d + j]))
                return dv__err(err, DV_EINVAL, "candidate %zu: feature %zu is not finite", c, j);
        if (cand_y) {
            double y = cand_y[c];
            if (!(y >= 0 && y < (double)train->n_classes && y == floor(y)))
                return dv__err(err, DV_EINVAL, "candidate %zu: label %g is not a class 0..%zu",
                               c, y, train->n_classes - 1);
        }
    }
    return DV_OK;
}

/* Progress after each finished item, one call at a time. */
typedef struct {
    dv_progress_fn fn;
    void *user;
    uint64_t done, total;
} progress;

static void tick(progress *p)
{
    if (!p->fn)
        return;
#pragma omp critical(dv_candidates_progress)
    p->fn(p->user, ++p->done, p->total);
}

/* ------------------------------------------------------------------------ */
/* Add-one                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    const dv_dataset *train;
    const dv_learner_params *lp;
    const double *cand_x, *cand_y, *eval_x;
    size_t n_eval, n_ref;
    const int *ref;
    double *dist;
    unsigned char *trace;
    progress prog;
} add_one_ctx;

/* The trace of the appended row (the last) after each epoch. */
typedef struct {
    const dv_dataset *ds;
    unsigned char *out;
    size_t E;
    int epochs;
} last_row_trace;

static int trace_epoch(void *user, const dv_model *m, int epoch)
{
    (void)epoch;
    last_row_trace *t = user;
    const dv_dataset *ds = t->ds;
    int label;
    int rc = dv_model_labels(m, ds->X + (ds->n - 1) * ds->d, 1, ds->d, &label, NULL);
    if (rc)
        return rc;
    if ((size_t)t->epochs < t->E)
        t->out[t->epochs++] = label == (int)ds->y[ds->n - 1];
    return DV_OK;
}

static int add_one_item(void *vctx, void *state, size_t c, dv_error *err)
{
    (void)state;
    add_one_ctx *x = vctx;
    const dv_dataset *tr = x->train;
    size_t d = tr->d;
    dv_dataset *ds = NULL;
    int *labels = dv__malloc((x->n_eval ? x->n_eval : 1) * sizeof *labels);
    int rc = labels ? augmented(tr, tr->n_classes, d, x->cand_x, x->cand_y, (int64_t[]){(int64_t)c},
                                1, &ds, err)
                    : dv__err(err, DV_ENOMEM, "out of memory");
    dv_model *m = NULL;
    if (!rc && x->trace) {
        size_t E = (size_t)x->lp->epochs;
        last_row_trace t = {ds, x->trace + c * E, E, 0};
        rc = dv__model_fit_traced(&m, x->lp, ds, NULL, ds->n, trace_epoch, &t, err);
        if (!rc && t.epochs == 0) /* no epochs (one class): the constant model */
            rc = trace_epoch(&t, m, 0);
        for (size_t e = t.epochs ? (size_t)t.epochs : 1; !rc && e < E; e++)
            t.out[e] = t.out[e - 1];
    } else if (!rc) {
        rc = dv_model_fit(&m, x->lp, ds, NULL, ds->n, NULL, err);
    }
    if (rc == DV_ENOTCONV)
        rc = DV_OK; /* the model is still usable, as for the methods */
    if (!rc)
        rc = dv_model_labels(m, x->eval_x, x->n_eval, d, labels, err);
    for (size_t r = 0; !rc && r < x->n_ref; r++)
        x->dist[c * x->n_ref + r] =
            dv_label_disagreement(labels, x->ref + r * x->n_eval, x->n_eval);
    dv_model_free(m);
    dv_dataset_free(ds);
    dv__free(labels);
    if (!rc)
        tick(&x->prog);
    return rc;
}

int dv_add_one(const dv_dataset *train, const dv_learner_params *lp, const double *cand_x,
               const double *cand_y, size_t n_cand, const double *eval_x, size_t n_eval,
               const int *ref, size_t n_ref, double *dist, unsigned char *trace, int n_threads,
               dv_progress_fn progress_fn, void *user, dv_error *err)
{
    if (!lp || (!cand_x && n_cand) || !cand_y || (n_ref && (!eval_x || !ref || !dist)))
        return dv__err(err, DV_EINVAL, "add-one: missing argument");
    int rc = check_candidates(train, lp, cand_x, cand_y, n_cand, err);
    if (rc)
        return rc;
    if (trace && lp->kind != DV_LEARNER_MLP)
        return dv__err(err, DV_EINVAL, "a forgetting trace needs a learner trained epoch by "
                                       "epoch (mlp); %s is fitted in one solve",
                       dv_learner_name(lp->kind));
    add_one_ctx x = {train, lp, cand_x, cand_y, eval_x, n_eval, n_ref, ref, dist, trace,
                     {progress_fn, user, 0, n_cand}};
    return dv__for_items(0, n_cand, n_threads, add_one_item, &x, NULL, NULL, 0, err);
}

/* ------------------------------------------------------------------------ */
/* Memorization and the ensemble                                            */
/* ------------------------------------------------------------------------ */

static uint64_t member_seed(const dv_learner_params *lp, uint64_t seed, size_t r)
{
    dv_rng g;
    dv_rng_seed(&g, seed, (uint64_t)r);
    return lp->seed ^ dv_rng_next(&g);
}

typedef struct {
    const dv_dataset *train;
    const dv_learner_params *lp;
    const double *cand_x, *cand_y;
    size_t n_cand, reps;
    uint64_t seed;
    int *base;           /* reps x n_cand: 1 when f_X (seed r) classifies c correctly */
    unsigned char *with; /* n_cand x reps: the same for f_{X + c} */
    progress prog;
} mem_ctx;

/* Items 0..reps-1: f_X with seed r; then reps + c: candidate c's reps fits. */
static int mem_item(void *vctx, void *state, size_t item, dv_error *err)
{
    (void)state;
    mem_ctx *x = vctx;
    const dv_dataset *tr = x->train;
    size_t d = tr->d;
    dv_learner_params lp = *x->lp;
    dv_model *m = NULL;
    int rc = DV_OK;
    if (item < x->reps) {
        lp.seed = member_seed(x->lp, x->seed, item);
        rc = dv_model_fit(&m, &lp, tr, NULL, tr->n, NULL, err);
        if (rc == DV_ENOTCONV)
            rc = DV_OK;
        if (!rc)
            rc = dv_model_labels(m, x->cand_x, x->n_cand, d, x->base + item * x->n_cand, err);
        for (size_t c = 0; !rc && c < x->n_cand; c++)
            x->base[item * x->n_cand + c] = x->base[item * x->n_cand + c] == (int)x->cand_y[c];
        dv_model_free(m);
        return rc;
    }
    size_t c = item - x->reps;
    dv_dataset *ds = NULL;
    rc = augmented(tr, tr->n_classes, d, x->cand_x, x->cand_y, (int64_t[]){(int64_t)c}, 1, &ds,
                   err);
    for (size_t r = 0; !rc && r < x->reps; r++) {
        lp.seed = member_seed(x->lp, x->seed, r);
        rc = dv_model_fit(&m, &lp, ds, NULL, ds->n, NULL, err);
        if (rc == DV_ENOTCONV)
            rc = DV_OK;
        int label = -1;
        if (!rc)
            rc = dv_model_labels(m, x->cand_x + c * d, 1, d, &label, err);
        x->with[c * x->reps + r] = label == (int)x->cand_y[c];
        dv_model_free(m);
        m = NULL;
    }
    dv_dataset_free(ds);
    if (!rc)
        tick(&x->prog);
    return rc;
}

int dv_candidate_memorization(const dv_dataset *train, const dv_learner_params *lp,
                              const double *cand_x, const double *cand_y, size_t n_cand,
                              size_t reps, uint64_t seed, double *mem, int n_threads,
                              dv_progress_fn progress_fn, void *user, dv_error *err)
{
    if (!lp || (!cand_x && n_cand) || !cand_y || (!mem && n_cand))
        return dv__err(err, DV_EINVAL, "memorization: missing argument");
    if (reps == 0)
        return dv__err(err, DV_EINVAL, "memorization: reps must be >= 1");
    int rc = check_candidates(train, lp, cand_x, cand_y, n_cand, err);
    if (rc)
        return rc;
    size_t cells = reps * n_cand + 1;
    mem_ctx x = {train, lp, cand_x, cand_y, n_cand, reps, seed,
                 dv__malloc(cells * sizeof(int)), dv__malloc(cells),
                 {progress_fn, user, 0, n_cand}};
    if (!x.base || !x.with)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    if (!rc)
        rc = dv__for_items(0, reps + n_cand, n_threads, mem_item, &x, NULL, NULL, 0, err);
    for (size_t c = 0; !rc && c < n_cand; c++) {
        long s = 0;
        for (size_t r = 0; r < reps; r++)
            s += (long)x.with[c * reps + r] - (long)x.base[r * n_cand + c];
        mem[c] = (double)s / (double)reps;
    }
    dv__free(x.base);
    dv__free(x.with);
    return rc;
}

typedef struct {
    const dv_dataset *train;
    const dv_learner_params *lp;
    const double *X;
    size_t n, K;
    uint64_t seed;
    double *prob; /* members x n x K */
} ens_ctx;

static int ens_item(void *vctx, void *state, size_t r, dv_error *err)
{
    (void)state;
    ens_ctx *x = vctx;
    dv_learner_params lp = *x->lp;
    lp.seed = member_seed(x->lp, x->seed, r);
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, &lp, x->train, NULL, x->train->n, NULL, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (!rc && (rc = dv_model_predict(m, x->X, x->n, x->train->d, x->prob + r * x->n * x->K)))
        rc = dv__err(err, rc, "prediction failed");
    dv_model_free(m);
    return rc;
}

int dv_ood_ensemble(const dv_dataset *train, const dv_learner_params *lp, const double *X,
                    size_t n, size_t members, uint64_t seed, double *var, int n_threads,
                    dv_error *err)
{
    if (!lp || (!X && n) || (!var && n))
        return dv__err(err, DV_EINVAL, "ensemble: missing argument");
    if (members < 2)
        return dv__err(err, DV_EINVAL, "an ensemble needs at least 2 members");
    int rc = check_candidates(train, lp, X, NULL, n, err);
    if (rc)
        return rc;
    size_t K = train->n_classes;
    if (n > SIZE_MAX / K / members / sizeof(double))
        return dv__err(err, DV_EINVAL, "ensemble: %zu points x %zu members is too large", n,
                       members);
    ens_ctx x = {train, lp, X, n, K, seed, dv__malloc((n ? n : 1) * K * members * sizeof(double))};
    if (!x.prob)
        return dv__err(err, DV_ENOMEM, "out of memory for %zu x %zu probabilities", members, n);
    rc = dv__for_items(0, members, n_threads, ens_item, &x, NULL, NULL, 0, err);
    for (size_t i = 0; !rc && i < n; i++) {
        double v = 0;
        for (size_t k = 0; k < K; k++) {
            double mean = 0, ss = 0;
            for (size_t r = 0; r < members; r++)
                mean += x.prob[(r * n + i) * K + k];
            mean /= (double)members;
            for (size_t r = 0; r < members; r++) {
                double e = x.prob[(r * n + i) * K + k] - mean;
                ss += e * e;
            }
            v += ss / (double)(members - 1);
        }
        var[i] = v;
    }
    dv__free(x.prob);
    return rc;
}

int dv_ood_dropout(const dv_dataset *train, const dv_learner_params *lp, const double *X,
                   size_t n, size_t passes, uint64_t seed, double *var, dv_error *err)
{
    if (!lp || (!X && n) || (!var && n))
        return dv__err(err, DV_EINVAL, "MC dropout: missing argument");
    if (lp->kind != DV_LEARNER_MLP || !(lp->dropout > 0 && lp->dropout < 1))
        return dv__err(err, DV_EINVAL, "MC dropout needs an mlp with a dropout rate in (0, 1)");
    if (passes < 2)
        return dv__err(err, DV_EINVAL, "MC dropout needs at least 2 passes");
    int rc = check_candidates(train, lp, X, NULL, n, err);
    if (rc)
        return rc;
    dv_model *m = NULL;
    rc = dv_model_fit(&m, lp, train, NULL, train->n, NULL, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (rc)
        return rc;
    size_t K = train->n_classes, d = train->d;
    dv__net net = {0};
    double *sum = dv__calloc(n * K + 1, sizeof *sum), *sq = dv__calloc(n * K + 1, sizeof *sq);
    double *q = dv__malloc(K * sizeof *q);
    if (!sum || !sq || !q)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    if (!rc && m->mode != DV__MODEL_MLP) { /* a constant model (one class): no spread */
        for (size_t i = 0; i < n; i++)
            var[i] = 0.0;
        goto done;
    }
    if (!rc && dv__net_init(&net, m->mlp_width, m->mlp_layers, 64))
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t t = 0; !rc && t < passes; t++) {
        dv_rng r;
        dv_rng_seed(&r, seed, (uint64_t)t);
        net.drop_rng = &r;
        net.drop = lp->dropout;
        for (size_t done = 0; done < n; done += net.cap) {
            size_t nb = n - done < net.cap ? n - done : net.cap;
            dv__net_forward(&net, m->theta, X + done * d, nb);
            size_t o = net.w[net.L];
            for (size_t i = 0; i < nb; i++) {
                const double *z = net.A[net.L] + i * o;
                if (o == 1) {
                    q[0] = dv__sigmoid(-z[0]);
                    q[1] = dv__sigmoid(z[0]);
                } else {
                    dv__softmax(z, o, q);
                }
                for (size_t k = 0; k < K; k++) {
                    sum[(done + i) * K + k] += q[k];
                    sq[(done + i) * K + k] += q[k] * q[k];
                }
            }
        }
    }
    for (size_t i = 0; !rc && i < n; i++) {
        double v = 0;
        for (size_t k = 0; k < K; k++) {
            double mean = sum[i * K + k] / (double)passes;
            v += fmax(sq[i * K + k] - (double)passes * mean * mean, 0) / (double)(passes - 1);
        }
        var[i] = v;
    }
done:
    dv__net_free(&net);
    dv_model_free(m);
    dv__free(sum);
    dv__free(sq);
    dv__free(q);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The game of candidates                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    const dv_dataset *train;
    size_t K, d, n_cand, n_eval;
    dv_learner_params lp;
    const double *cand_x, *cand_y, *eval_x;
    const int *ref;
} add_game;

static int add_game_utility(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    (void)state;
    add_game *g = user;
    dv_dataset *ds = NULL;
    int *labels = dv__malloc((g->n_eval ? g->n_eval : 1) * sizeof *labels);
    int rc = labels ? augmented(g->train, g->K, g->d, g->cand_x, g->cand_y, S, n, &ds, NULL)
                    : DV_ENOMEM;
    dv_model *m = NULL;
    if (!rc)
        rc = dv_model_fit(&m, &g->lp, ds, NULL, ds->n, NULL, NULL);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (!rc)
        rc = dv_model_labels(m, g->eval_x, g->n_eval, g->d, labels, NULL);
    if (!rc)
        *out = -dv_label_disagreement(labels, g->ref, g->n_eval);
    dv_model_free(m);
    dv_dataset_free(ds);
    dv__free(labels);
    return rc;
}

int dv_add_game(dv_game *g, const dv_dataset *train, size_t n_classes,
                const dv_learner_params *lp, const double *cand_x, const double *cand_y,
                size_t n_cand, size_t d, const double *eval_x, size_t n_eval, const int *ref,
                dv_error *err)
{
    if (!g || !lp || (!cand_x && n_cand) || !cand_y || !eval_x || !ref)
        return dv__err(err, DV_EINVAL, "candidate game: missing argument");
    memset(g, 0, sizeof *g);
    if (train && (train->d != d || train->n_classes != n_classes))
        return dv__err(err, DV_EINVAL, "candidate game: the training data have %zu features and "
                                       "%zu classes, the candidates %zu and %zu",
                       train->d, train->n_classes, d, n_classes);
    if (n_classes < 2)
        return dv__err(err, DV_EINVAL, "candidate game: needs 2 or more classes");
    const char *why = dv_learner_params_check(lp);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    add_game *a = dv__malloc(sizeof *a);
    if (!a)
        return dv__err(err, DV_ENOMEM, "out of memory");
    *a = (add_game){train, n_classes, d, n_cand, n_eval, *lp, cand_x, cand_y, eval_x, ref};
    g->n_players = n_cand;
    g->user = a;
    g->utility = add_game_utility;
    return DV_OK;
}

void dv_add_game_free(dv_game *g)
{
    if (g) {
        dv__free(g->user);
        g->user = NULL;
    }
}
