/*
 * gshapley.c -- G-Shapley (Ghorbani & Zou, "Data Shapley: Equitable
 * Valuation of Data for Machine Learning", ICML 2019, section 4): an
 * approximation of Data Shapley for models trained by gradient descent.
 * Each Monte Carlo permutation is one pass of stochastic gradient descent
 * over the training rows in that order, one row per step, from zero
 * weights; a row's marginal contribution is the change of the validation
 * utility made by its step.  The values are the means over permutations.
 *
 * The model is linear -- softmax regression on the classes (cross-entropy)
 * for classification, least squares for regression -- or the learner's mlp
 * (learn/net.c), started from its seeded initial weights in every pass,
 * with its L2 penalty alpha; a step is plain SGD on one row.  The step size is the
 * learner's lr when gshapley_lr > 0, else the one of 10^-3 .. 10^1 (by
 * half decades) whose single pass over a seeded permutation scores best on
 * the validation set, as the paper searches for the rate that makes one
 * pass come closest to the full model.
 */
#include "methods.h"
#include "methods/game.h"

#include <math.h>
#include <string.h>

typedef struct {
    const dv_dataset *train, *val;
    const dv_value_params *p;
    size_t K;         /* outputs: classes, or 1 for regression */
    int mlp;          /* the learner's mlp instead of the linear model */
    size_t width[DV__NET_MAX_LAYERS + 1], layers; /* the mlp's widths and weight layers */
    double *theta0;   /* the mlp's initial weights (every pass starts there) */
    double lr;
    dv__tally *T;     /* the permutations' marginals, committed in order */
    double *slot;     /* window x n marginals */
    size_t window;
    size_t done;
    double t0;
    double *values, *errs;
    dv_value_info *info;
} gs_ctx;

typedef struct {
    double *W;        /* K x (d + 1) */
    double *zv;       /* n_val x K: the validation scores, kept up to date */
    double *g;        /* K: the step's output gradient */
    size_t *perm;
    /* mlp: the weights and their gradient, a net for one row and one for
     * the validation rows */
    double *theta, *grad;
    dv__net one, all;
} gs_state;

/* The validation utility from the scores zv. */
static double utility(const gs_ctx *c, const double *zv)
{
    const dv_dataset *v = c->val;
    size_t nv = v->n, K = c->K;
    dv_metric m = c->p->metric;
    double s = 0;
    if (m == DV_METRIC_ACCURACY) {
        for (size_t i = 0; i < nv; i++) {
            const double *z = zv + i * K;
            size_t best = 0;
            for (size_t k = 1; k < K; k++)
                if (z[k] > z[best])
                    best = k;
            s += best == (size_t)v->y[i];
        }
        return s / (double)nv;
    }
    if (m == DV_METRIC_NEG_LOGLOSS) {
        for (size_t i = 0; i < nv; i++) {
            const double *z = zv + i * K;
            double mx = z[0], den = 0;
            for (size_t k = 1; k < K; k++)
                mx = z[k] > mx ? z[k] : mx;
            for (size_t k = 0; k < K; k++)
                den += exp(z[k] - mx);
            double py = exp(z[(size_t)v->y[i]] - mx) / den;
            py = py < 1e-15 ? 1e-15 : py > 1 - 1e-15 ? 1 - 1e-15 : py;
            s += log(py);
        }
        return s / (double)nv;
    }
    double mean = 0, tot = 0;
    for (size_t i = 0; i < nv; i++) {
        double e = zv[i] - v->y[i];
        s += e * e;
        mean += v->y[i];
    }
    if (m == DV_METRIC_NEG_MSE)
        return -s / (double)nv;
    mean /= (double)nv;
    for (size_t i = 0; i < nv; i++)
        tot += (v->y[i] - mean) * (v->y[i] - mean);
    return tot > 0 ? 1 - s / tot : 0;
}

/* One SGD step on training row r; updates W and the validation scores. */
static void step(const gs_ctx *c, gs_state *s, size_t r)
{
    const dv_dataset *t = c->train, *v = c->val;
    size_t d = t->d, d1 = d + 1, K = c->K;
    const double *x = t->X + r * d;
    double *W = s->W, *g = s->g;
    for (size_t k = 0; k < K; k++) { /* z = W x~ */
        double z = W[k * d1 + d];
        for (size_t j = 0; j < d; j++)
            z += W[k * d1 + j] * x[j];
        g[k] = z;
    }
    if (t->task == DV_TASK_CLASSIFICATION) { /* softmax - one-hot */
        double mx = g[0], den = 0;
        for (size_t k = 1; k < K; k++)
            mx = g[k] > mx ? g[k] : mx;
        for (size_t k = 0; k < K; k++)
            den += (g[k] = exp(g[k] - mx));
        for (size_t k = 0; k < K; k++)
            g[k] = g[k] / den - (k == (size_t)t->y[r]);
    } else {
        g[0] -= t->y[r];
    }
    for (size_t k = 0; k < K; k++) {
        double a = -c->lr * g[k];
        if (a == 0)
            continue;
        for (size_t j = 0; j < d; j++)
            W[k * d1 + j] += a * x[j];
        W[k * d1 + d] += a;
        /* the validation scores move by a (x_v . x~) */
        for (size_t i = 0; i < v->n; i++) {
            const double *xv = v->X + i * d;
            double dot = 1;
            for (size_t j = 0; j < d; j++)
                dot += xv[j] * x[j];
            s->zv[i * K + k] += a * dot;
        }
    }
}

/* One pass in the order perm: the marginals into out (may be NULL); returns
 * the final utility. */
static double pass(const gs_ctx *c, gs_state *s, const size_t *perm, double *out)
{
    size_t n = c->train->n, K = c->K, d1 = c->train->d + 1;
    memset(s->W, 0, K * d1 * sizeof(double));
    memset(s->zv, 0, c->val->n * K * sizeof(double));
    double u = utility(c, s->zv);
    for (size_t t = 0; t < n; t++) {
        step(c, s, perm[t]);
        double u2 = utility(c, s->zv);
        if (out)
            out[perm[t]] = u2 - u;
        u = u2;
    }
    return u;
}

/* The mlp's validation scores into s->zv (n_val x K, as the linear model's:
 * a binary net's logit z becomes the pair (0, z)). */
static void mlp_scores(const gs_ctx *c, gs_state *s)
{
    const dv_dataset *v = c->val;
    dv__net_forward(&s->all, s->theta, v->X, v->n);
    const double *Z = s->all.A[s->all.L];
    size_t o = c->width[c->layers], K = c->K;
    for (size_t i = 0; i < v->n; i++) {
        if (o == 1 && K == 2) {
            s->zv[i * 2] = 0;
            s->zv[i * 2 + 1] = Z[i];
        } else {
            memcpy(s->zv + i * K, Z + i * o, K * sizeof(double));
        }
    }
}

/* One SGD step of the mlp on training row r. */
static void mlp_step(const gs_ctx *c, gs_state *s, size_t r)
{
    const dv_dataset *t = c->train;
    size_t o = c->width[c->layers];
    dv__net_forward(&s->one, s->theta, t->X + r * t->d, 1);
    const double *z = s->one.A[s->one.L];
    double *dz = s->one.D;
    if (t->task == DV_TASK_REGRESSION) {
        dz[0] = z[0] - t->y[r];
    } else if (o == 1) {
        dz[0] = dv__sigmoid(z[0]) - (t->y[r] > 0.5 ? 1.0 : 0.0);
    } else {
        size_t y = (size_t)t->y[r];
        dv__softmax(z, o, dz);
        dz[y] -= 1.0;
    }
    dv__net_backward(&s->one, s->theta, 1, c->p->learner.alpha, 1.0, s->grad);
    for (size_t q = 0; q < s->one.n_params; q++)
        s->theta[q] -= c->lr * s->grad[q];
}

/* One pass of the mlp in the order perm from its initial weights; the
 * marginals into out (may be NULL); returns the final utility. */
static double mlp_pass(const gs_ctx *c, gs_state *s, const size_t *perm, double *out)
{
    size_t n = c->train->n;
    memcpy(s->theta, c->theta0, s->one.n_params * sizeof(double));
    mlp_scores(c, s);
    double u = utility(c, s->zv);
    for (size_t t = 0; t < n; t++) {
        mlp_step(c, s, perm[t]);
        mlp_scores(c, s);
        double u2 = utility(c, s->zv);
        if (out)
            out[perm[t]] = u2 - u;
        u = u2;
    }
    return u;
}

static void state_free(void *state);

static void *state_new(void *ctx)
{
    gs_ctx *c = ctx;
    gs_state *s = dv__calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t n = c->train->n, K = c->K, d1 = c->train->d + 1;
    s->W = dv__malloc(K * d1 * sizeof(double));
    s->zv = dv__malloc((c->val->n ? c->val->n : 1) * K * sizeof(double));
    s->g = dv__malloc(K * sizeof(double));
    s->perm = dv__malloc(n * sizeof(size_t));
    int bad = !s->W || !s->zv || !s->g || !s->perm;
    if (!bad && c->mlp) {
        bad = dv__net_init(&s->one, c->width, c->layers, 1) ||
              dv__net_init(&s->all, c->width, c->layers, c->val->n);
        if (!bad) {
            s->theta = dv__malloc(s->one.n_params * sizeof(double));
            s->grad = dv__malloc(s->one.n_params * sizeof(double));
            bad = !s->theta || !s->grad;
        }
    }
    if (bad) {
        state_free(s);
        return NULL;
    }
    return s;
}

static void state_free(void *state)
{
    gs_state *s = state;
    if (!s)
        return;
    dv__free(s->W);
    dv__free(s->zv);
    dv__free(s->g);
    dv__free(s->perm);
    dv__free(s->theta);
    dv__free(s->grad);
    dv__net_free(&s->one);
    dv__net_free(&s->all);
    dv__free(s);
}

/* Permutation j of the rows, from the seed alone. */
static void permutation(uint64_t seed, size_t j, size_t *perm, size_t n)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 0x6773686170ULL /* "gshap" */ + (uint64_t)j);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)dv_rng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
}

static int item(void *ctx, void *state, size_t j, dv_error *err)
{
    gs_ctx *c = ctx;
    gs_state *s = state;
    if (!s)
        return dv__err(err, DV_ENOMEM, "out of memory");
    size_t n = c->train->n;
    permutation(c->p->seed, j + 1, s->perm, n); /* 0 is the rate search's */
    (c->mlp ? mlp_pass : pass)(c, s, s->perm, c->slot + (j % c->window) * n);
    return DV_OK;
}

static size_t spans(void *ctx, size_t j, dv__span *sp)
{
    gs_ctx *c = ctx;
    size_t n = c->train->n;
    sp[0] = (dv__span){c->slot + (j % c->window) * n, n, sizeof(double), sizeof(double)};
    return 1;
}

/* Takes permutation j (in order) and applies the stopping rules, as tmc's. */
static int commit(void *ctx, size_t j)
{
    gs_ctx *c = ctx;
    dv__tally_add(c->T, j, c->slot + (j % c->window) * c->train->n);
    c->info->utility_calls += c->train->n + 1;
    c->done = j + 1;
    if (c->p->progress)
        c->p->progress(c->p->progress_user, j + 1, c->p->max_samples);
    return (dv__check_due(c->p, c->done) &&
            dv__should_stop(c->p, c->T, c->done, -1.0, c->values, c->errs, c->info)) ||
           dv__budget_stop(c->p, c->done, c->t0, c->info);
}

int dv__gshapley(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                 double *values, double *stderrs, dv_value_info *info, dv_error *err)
{
    dv_learner_kind k = p->learner.kind;
    int clf = train->task == DV_TASK_CLASSIFICATION;
    if (k != DV_LEARNER_MLP &&
        (clf ? k != DV_LEARNER_LOGREG : k != DV_LEARNER_RIDGE && k != DV_LEARNER_OLS))
        return dv__err(err, DV_EINVAL, "gshapley trains a model by gradient steps: learner "
                       "mlp, logreg (classification), ols or ridge (regression), not %s",
                       dv_learner_name(k));
    if (p->groups)
        return dv__err(err, DV_EINVAL, "gshapley values single rows; groups do not apply");
    if (!(p->gshapley_lr >= 0) || !isfinite(p->gshapley_lr))
        return dv__err(err, DV_EINVAL, "gshapley: the step size %g is not a number >= 0",
                       p->gshapley_lr);
    size_t n = train->n;
    gs_ctx c = {0};
    c.train = train;
    c.val = val;
    c.p = p;
    c.K = clf ? train->n_classes : 1;
    c.lr = p->gshapley_lr;
    c.mlp = k == DV_LEARNER_MLP;
    if (c.mlp) { /* the mlp's shape: as learn/mlp.c, one output for two classes */
        const dv_learner_params *lp = &p->learner;
        c.layers = lp->n_hidden + 1;
        c.width[0] = train->d;
        for (size_t l = 0; l < lp->n_hidden; l++)
            c.width[l + 1] = lp->hidden[l];
        c.width[c.layers] = clf && c.K == 2 ? 1 : c.K;
    }
    c.window = dv__dist_on(p->comm) ? 4 * dv__dist_threads(p->comm, p->n_threads)
                                    : 4 * (size_t)(p->n_threads > 0 ? p->n_threads : 1);
    c.t0 = dv_clock_seconds();
    c.values = values;
    c.info = info;
    dv__tally T = {0};
    int rc = dv__tally_init(&T, n, p->chains);
    c.T = &T;
    c.slot = dv__malloc(c.window * n * sizeof(double));
    c.errs = dv__malloc(n * sizeof(double));
    gs_state *s = state_new(&c);
    if (rc || !c.slot || !c.errs || !s)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    if (!rc && c.mlp) { /* the initial weights, the learner's seed's */
        if (!(c.theta0 = dv__malloc(s->one.n_params * sizeof(double))))
            rc = dv__err(err, DV_ENOMEM, "out of memory");
        else
            dv__net_init_weights(&s->one, c.theta0, p->learner.seed);
    }
    if (!rc && c.lr == 0) { /* the rate whose single pass scores best */
        permutation(p->seed, 0, s->perm, n);
        double best = -INFINITY, best_lr = 1;
        for (int e = -6; e <= 2; e++) {
            c.lr = pow(10.0, (double)e / 2.0);
            double u = (c.mlp ? mlp_pass : pass)(&c, s, s->perm, NULL);
            if (u > best) {
                best = u;
                best_lr = c.lr;
            }
        }
        c.lr = best_lr;
    }
    if (!rc) {
        dv__job j = {p->comm, 0, p->max_samples, NULL, c.window, 1, p->n_threads, item, spans,
                     commit, &c, state_new, state_free, 1};
        rc = dv__job_run(&j, err);
    }
    if (!rc) {
        info->samples = c.done;
        dv__tally_values(&T, values, stderrs ? stderrs : c.errs);
        if (!info->stop_rule)
            dv__budget_stop(p, c.done, -1.0, info);
    }
    state_free(s);
    dv__tally_free(&T);
    dv__free(c.slot);
    dv__free(c.errs);
    dv__free(c.theta0);
    return rc;
}
