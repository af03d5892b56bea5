/*
 * learner_game.c -- the learner game: U(S) = the metric on the validation
 * set of the learner fitted on S (players are training rows, or groups of
 * rows), with warm starts from the full-data model and, for binary logistic
 * regression under permutation sampling, fits grown one row at a time
 * (learn/scan.c).  dv__learner_game_value runs a game method on it.
 */
#include "methods/methods.h"
#include "learn/binary.h"

#include <string.h>

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

int dv__learner_game_value(const dv_dataset *train, const dv_dataset *val,
                           const dv_value_params *p, double *values, double *stderrs,
                           dv_value_info *info, dv_error *err)
{
    size_t n = train->n, players = p->groups ? p->n_groups : n;
    int rc;
    learner_game lg = {train, val, &p->learner, p->metric, NULL, NULL, NULL, 0, NULL};
    /* Permutation scans grow one fit a row at a time; other methods'
     * coalitions do not extend each other, and their fits start from
     * the full-data model instead. */
    lg.scan = p->learner.kind == DV_LEARNER_LOGREG && train->n_classes == 2 && !p->groups &&
              (p->method == DV_METHOD_TMC || p->method == DV_METHOD_BETA ||
               p->method == DV_METHOD_TS_SHAPLEY);
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
