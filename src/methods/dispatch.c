/*
 * dispatch.c -- one entry point for every valuation method: parameters,
 * names, the learner game U(S) = metric on the validation set of the
 * learner fitted on S (players are training rows, or groups of rows), and
 * the dispatch to the game-theoretic estimators (loo.c, exact.c, permutation.c, msr.c,
 * ame.c, run by game.c) and to the
 * model-specific methods (knn.c, oob.c, influence.c, lava.c, cg.c).
 */
#include "methods.h"
#include "learn/binary.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

static const dv__name METHOD_NAMES[] = {
    {"loo", DV_METHOD_LOO},         {"exact", DV_METHOD_EXACT_SHAPLEY},
    {"exact-banzhaf", DV_METHOD_EXACT_BANZHAF},
    {"tmc", DV_METHOD_TMC},         {"beta", DV_METHOD_BETA},
    {"banzhaf", DV_METHOD_BANZHAF}, {"knn", DV_METHOD_KNN},
    {"oob", DV_METHOD_OOB},         {"ame", DV_METHOD_AME},
    {"influence", DV_METHOD_INFLUENCE}, {"lava", DV_METHOD_LAVA},
    {"cg", DV_METHOD_CG},           {"random", DV_METHOD_RANDOM}};

int dv_method_from_name(const char *name, dv_method *out)
{
    int v;
    if (dv__name_lookup(METHOD_NAMES, DV__COUNT(METHOD_NAMES), name, &v))
        return DV_EINVAL;
    if (out)
        *out = (dv_method)v;
    return DV_OK;
}

const char *dv_method_name(dv_method m)
{
    return dv__name_of(METHOD_NAMES, DV__COUNT(METHOD_NAMES), (int)m);
}

static const dv__name STOP_NAMES[] = {{"done", DV_STOP_DONE},     {"max-samples", DV_STOP_SAMPLES},
                                      {"max-seconds", DV_STOP_SECONDS}, {"rhat", DV_STOP_RHAT},
                                      {"stderr", DV_STOP_STDERR}, {"rank", DV_STOP_RANK}};

const char *dv_stop_rule_name(int rule) { return dv__name_of(STOP_NAMES, DV__COUNT(STOP_NAMES), rule); }

void dv_value_params_default(dv_value_params *p, dv_method m)
{
    memset(p, 0, sizeof *p);
    p->method = m;
    dv_learner_params_default(&p->learner, DV_LEARNER_LOGREG);
    p->metric = DV_METRIC_DEFAULT;
    p->max_samples = 1000;
    p->min_samples = 100;
    p->rhat = 1.05;
    p->chains = 4;
    p->check_every = 50;
    p->truncation = 0.01;
    p->beta_a = 4.0;
    p->beta_b = 1.0;
    p->knn_k = 10;
    p->oob_fraction = 1.0;
    p->lava_entreg = 0.1;
    p->cg_reps = 1;
    p->cg_unbalance = 1.0;
}

/* ------------------------------------------------------------------------ */
/* Methods on any game                                                      */
/* ------------------------------------------------------------------------ */

int dv_value_game(const dv_game *g, const dv_value_params *p, double *values, double *stderrs,
                  dv_value_info *info, dv_error *err)
{
    dv_value_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (!g || !g->utility || !p || !values)
        return dv__err(err, DV_EINVAL, "a game, its utility, parameters and an output are required");
    size_t n = g->n_players;
    if (n == 0)
        return dv__err(err, DV_EINVAL, "the game has no players");
    if (stderrs)
        for (size_t i = 0; i < n; i++)
            stderrs[i] = NAN;
    double t0 = dv_clock_seconds();
    int rc;
    switch (p->method) {
    case DV_METHOD_LOO:
        rc = dv__value_loo(g, p, values, err);
        info->utility_calls = n + 1;
        break;
    case DV_METHOD_EXACT_SHAPLEY:
    case DV_METHOD_EXACT_BANZHAF:
        rc = dv__value_exact(g, p, p->method == DV_METHOD_EXACT_BANZHAF, values, err);
        info->utility_calls = n <= DV__EXACT_MAX ? (size_t)1 << n : 0;
        break;
    case DV_METHOD_TMC:
    case DV_METHOD_BETA:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        if (p->method == DV_METHOD_BETA && !(p->beta_a > 0 && p->beta_b > 0))
            return dv__err(err, DV_EINVAL, "Beta Shapley needs alpha > 0 and beta > 0");
        rc = dv__value_permutations(g, p, p->method == DV_METHOD_BETA, values, stderrs, info, err);
        break;
    case DV_METHOD_BANZHAF:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        rc = dv__value_msr(g, p, values, stderrs, info, err);
        break;
    case DV_METHOD_AME:
        rc = dv__ame(g, p, values, info, err);
        break;
    case DV_METHOD_RANDOM: {
        dv_rng r;
        dv_rng_seed(&r, p->seed, 0x52414e44ULL); /* "RAND" */
        for (size_t i = 0; i < n; i++)
            values[i] = dv_rng_uniform(&r);
        rc = DV_OK;
        break;
    }
    default:
        return dv__err(err, DV_EINVAL, "method '%s' is not defined on a general game",
                       dv_method_name(p->method));
    }
    info->seconds = dv_clock_seconds() - t0;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The learner game                                                         */
/* ------------------------------------------------------------------------ */

typedef struct {
    const dv_dataset *train, *val;
    const dv_learner_params *lp;
    dv_metric metric;
    const int64_t *group_start;  /* groups: rows of group g are order[start[g]..start[g+1]) */
    const int64_t *group_rows;
    const dv_model *base;        /* the model on all rows: the first start of every item */
    int scan;                    /* binary logreg on rows: grow fits along permutation scans */
    const dv__scan *proto;       /* the scans' shared set-up (NULL: made by each) */
} learner_game;

typedef struct {
    const learner_game *lg;
    dv_model *warm;   /* the last model of this work item, the next fit's start */
    int64_t *rows;
    double *margins;  /* scan scoring: one per validation row */
    dv__scan *scan;   /* fits grown one row at a time (binary logreg) */
} learner_state;

static void *lg_new_state(void *user)
{
    const learner_game *lg = user;
    learner_state *s = dv__calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lg = lg;
    s->rows = dv__malloc((lg->train->n ? lg->train->n : 1) * sizeof(int64_t));
    if (lg->scan)
        s->margins = dv__malloc((lg->val->n ? lg->val->n : 1) * sizeof(double));
    if (!s->rows || (lg->scan && (!s->margins || dv__scan_new(&s->scan, lg->train, lg->val, lg->lp, lg->proto)))) {
        dv__free(s->margins);
        dv__free(s->rows);
        dv__free(s);
        return NULL;
    }
    return s;
}

static void lg_free_state(void *state)
{
    learner_state *s = state;
    dv_model_free(s->warm);
    dv__scan_free(s->scan);
    dv__free(s->rows);
    dv__free(s->margins);
    dv__free(s);
}

static int lg_utility(void *user, void *state, const int64_t *S, size_t n, double *out)
{
    const learner_game *lg = user;
    learner_state *s = state;
    size_t m = 0;
    const int64_t *rows = S;
    if (lg->group_start) {
        for (size_t i = 0; i < n; i++)
            for (int64_t r = lg->group_start[S[i]]; r < lg->group_start[S[i] + 1]; r++)
                s->rows[m++] = lg->group_rows[r];
        rows = s->rows;
    } else {
        m = n;
    }
    if (s->scan && m > 0) {
        const double *theta;
        int rc = dv__scan_fit(s->scan, rows, m, &theta);
        if (rc == DV_OK)
            return dv__scan_score(s->scan, theta,
                                    lg->metric == DV_METRIC_DEFAULT ? DV_METRIC_NEG_LOGLOSS
                                                                     : lg->metric,
                                    s->margins, out);
        if (rc != DV_EDEGEN)
            return rc;
    }
    dv_model *mod = NULL;
    /* Warm starts only help iterative learners, and only between models of
     * the same shape; a failed warm start is no error. */
    const dv_model *start = s->warm ? s->warm : lg->base;
    int rc = dv_model_fit(&mod, lg->lp, lg->train, rows, m, start, NULL);
    if (rc == DV_EINVAL && start) {
        dv_model_free(mod);
        mod = NULL;
        rc = dv_model_fit(&mod, lg->lp, lg->train, rows, m, NULL, NULL);
    }
    if (rc) {
        dv_model_free(mod);
        return rc;
    }
    rc = dv_model_score(mod, lg->val, lg->metric, out);
    dv_model_free(s->warm);
    s->warm = mod;
    return rc;
}

/* Builds the row lists of the groups; players = groups. */
static int make_groups(const dv_value_params *p, size_t n, int64_t **start, int64_t **rows,
                       dv_error *err)
{
    *start = dv__calloc(p->n_groups + 1, sizeof(int64_t));
    *rows = dv__malloc((n ? n : 1) * sizeof(int64_t));
    if (!*start || !*rows)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        (*start)[p->groups[i] + 1]++;
    for (size_t g = 0; g < p->n_groups; g++) {
        if ((*start)[g + 1] == 0)
            return dv__err(err, DV_EINVAL, "group %zu has no rows", g);
        (*start)[g + 1] += (*start)[g];
    }
    int64_t *fill = dv__malloc((p->n_groups ? p->n_groups : 1) * sizeof(int64_t));
    if (!fill)
        return dv__err(err, DV_ENOMEM, "out of memory");
    memcpy(fill, *start, p->n_groups * sizeof(int64_t));
    for (size_t i = 0; i < n; i++)
        (*rows)[fill[p->groups[i]]++] = (int64_t)i;
    dv__free(fill);
    return DV_OK;
}

/* Sums per-row values into per-group values (methods defined per row). */
static void sum_groups(const dv_value_params *p, size_t n, const double *row_values,
                       double *values)
{
    for (size_t g = 0; g < p->n_groups; g++)
        values[g] = 0.0;
    for (size_t i = 0; i < n; i++)
        values[p->groups[i]] += row_values[i];
}

static int value_compute(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                         double *values, double *stderrs, dv_value_info *info, dv_error *err);

int dv_value_compute(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                     double *values, double *stderrs, dv_value_info *info, dv_error *err)
{
    /* The methods parallelize over models or samples; BLAS inside each runs
     * serially (OpenMP-flavoured OpenBLAS would otherwise serialize the
     * concurrent calls).  The setting is restored on return. */
    if (!p)
        return dv__err(err, DV_EINVAL, "parameters are required");
    dv_value_params q = *p;
    if (q.n_threads <= 0) /* read before OpenBLAS changes the OpenMP default */
        q.n_threads = omp_get_max_threads();
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    int rc = value_compute(train, val, &q, values, stderrs, info, err);
    openblas_set_num_threads(blas_threads);
    return rc;
}

static int value_compute(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                         double *values, double *stderrs, dv_value_info *info, dv_error *err)
{
    dv_value_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (!train || !p || !values)
        return dv__err(err, DV_EINVAL, "training data, parameters and an output are required");
    size_t n = train->n;
    if (n == 0)
        return dv__err(err, DV_EINVAL, "the training set is empty");
    int needs_val = p->method != DV_METHOD_OOB && p->method != DV_METHOD_CG &&
                    p->method != DV_METHOD_RANDOM;
    if (needs_val) {
        if (!val || val->n == 0)
            return dv__err(err, DV_EINVAL, "method '%s' needs a non-empty validation set",
                           dv_method_name(p->method));
        if (val->d != train->d || val->task != train->task ||
            val->n_classes != train->n_classes)
            return dv__err(err, DV_EINVAL, "validation data do not match the training data");
    }
    const char *why = dv_learner_params_check(&p->learner);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    int clf_metric = p->metric == DV_METRIC_NEG_LOGLOSS || p->metric == DV_METRIC_ACCURACY;
    int reg_metric = p->metric == DV_METRIC_NEG_MSE || p->metric == DV_METRIC_R2;
    if (p->metric != DV_METRIC_DEFAULT && !clf_metric && !reg_metric)
        return dv__err(err, DV_EINVAL, "unknown metric %d", (int)p->metric);
    if ((train->task == DV_TASK_CLASSIFICATION && reg_metric) ||
        (train->task == DV_TASK_REGRESSION && clf_metric))
        return dv__err(err, DV_EINVAL, "metric '%s' does not fit a %s task", dv_metric_name(p->metric),
                       train->task == DV_TASK_CLASSIFICATION ? "classification" : "regression");
    if (p->learner.kind == DV_LEARNER_LOGREG && train->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "learner 'logreg' is for classification; the task is regression");
    if ((p->learner.kind == DV_LEARNER_RIDGE || p->learner.kind == DV_LEARNER_OLS) &&
        train->task != DV_TASK_REGRESSION)
        return dv__err(err, DV_EINVAL, "learner '%s' is for regression; the task is classification",
                       dv_learner_name(p->learner.kind));
    if (p->groups && p->n_groups == 0)
        return dv__err(err, DV_EINVAL, "groups given but n_groups is 0");
    for (size_t i = 0; p->groups && i < n; i++)
        if (p->groups[i] < 0 || (size_t)p->groups[i] >= p->n_groups)
            return dv__err(err, DV_EINVAL, "row %zu: group %lld is not in 0..%zu", i,
                           (long long)p->groups[i], p->n_groups - 1);
    size_t players = p->groups ? p->n_groups : n;
    if (stderrs)
        for (size_t i = 0; i < players; i++)
            stderrs[i] = NAN;

    int rc;
    switch (p->method) {
    case DV_METHOD_LOO:
    case DV_METHOD_EXACT_SHAPLEY:
    case DV_METHOD_EXACT_BANZHAF:
    case DV_METHOD_TMC:
    case DV_METHOD_BETA:
    case DV_METHOD_BANZHAF:
    case DV_METHOD_AME:
    case DV_METHOD_RANDOM: {
        learner_game lg = {train, val, &p->learner, p->metric, NULL, NULL, NULL, 0, NULL};
        /* Permutation scans grow one fit a row at a time; other methods'
         * coalitions do not extend each other, and their fits start from
         * the full-data model instead. */
        lg.scan = p->learner.kind == DV_LEARNER_LOGREG && train->n_classes == 2 && !p->groups &&
                  (p->method == DV_METHOD_TMC || p->method == DV_METHOD_BETA);
        /* Every work item makes its own scan (fresh state keeps results
         * independent of the thread count), copying one set-up. */
        dv__scan *proto = NULL;
        if (lg.scan && dv__scan_new(&proto, train, val, &p->learner, NULL))
            return dv__err(err, DV_ENOMEM, "out of memory");
        lg.proto = proto;
        /* Items start their fits from the full-data model (deterministic,
         * and close to most coalitions' solutions). */
        dv_model *base = NULL;
        if (p->method != DV_METHOD_RANDOM &&
            dv_model_fit(&base, &p->learner, train, NULL, 0, NULL, NULL) == DV_OK)
            lg.base = base;
        int64_t *gs = NULL, *gr = NULL;
        if (p->groups) {
            if ((rc = make_groups(p, n, &gs, &gr, err))) {
                dv__free(gs);
                dv__free(gr);
                dv_model_free(base);
                dv__scan_free(proto);
                return rc;
            }
            lg.group_start = gs;
            lg.group_rows = gr;
        }
        dv_game g = {players, &lg, lg_utility, lg_new_state, lg_free_state};
        rc = dv_value_game(&g, p, values, stderrs, info, err);
        dv__scan_free(proto);
        dv_model_free(base);
        dv__free(gs);
        dv__free(gr);
        return rc;
    }
    default:
        break;
    }
    /* Model-specific methods are defined per row; groups sum their rows. */
    double *rowv = p->groups ? dv__malloc(n * sizeof(double)) : values;
    if (!rowv)
        return dv__err(err, DV_ENOMEM, "out of memory");
    double t0 = dv_clock_seconds();
    switch (p->method) {
    case DV_METHOD_CG:
        rc = dv__cg_score(train, p, rowv, err);
        break;
    case DV_METHOD_INFLUENCE:
        rc = dv__influence_values(train, val, p, rowv, err);
        break;
    case DV_METHOD_OOB:
        rc = dv__data_oob(train, p, rowv, info, err);
        break;
    case DV_METHOD_KNN:
        rc = dv__knn_shapley(train, val, p->knn_k, p->n_threads, rowv, err);
        break;
    case DV_METHOD_LAVA:
        rc = dv__lava(train, val, p, rowv, err);
        break;
    default:
        rc = dv__err(err, DV_EINVAL, "method '%s' is not available in this build",
                     dv_method_name(p->method));
        break;
    }
    if (!info->seconds)
        info->seconds = dv_clock_seconds() - t0;
    if (!rc && p->groups)
        sum_groups(p, n, rowv, values);
    if (p->groups)
        dv__free(rowv);
    return rc;
}
