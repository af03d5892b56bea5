/*
 * dispatch.c -- dv_value_compute, the one entry point for every valuation
 * method on a data set: checks that data, learner, metric and groups fit
 * together, then runs the game methods on the learner game
 * (learner_game.c, value_game.c) or a model-specific method (knn.c, oob.c,
 * influence.c, lava.c, cg.c), summing per-row values into groups.
 */
#include "methods/game.h"
#include "methods/methods.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

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

/* Whether the data, learner, metric, groups and method fit together. */
static int check_inputs(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                        dv_error *err)
{
    size_t n = train->n;
    int needs_val = p->method != DV_METHOD_OOB && p->method != DV_METHOD_CG &&
                    p->method != DV_METHOD_RANDOM && p->method != DV_METHOD_FORGETTING &&
                    p->method != DV_METHOD_MEMORIZATION;
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
    return DV_OK;
}

int dv_value_compute(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                     double *values, double *stderrs, dv_value_info *info, dv_error *err)
{
    /* The methods parallelize over models or samples; BLAS inside each runs
     * serially (OpenMP-flavoured OpenBLAS would otherwise serialize the
     * concurrent calls).  The setting is restored on return. */
    if (!p)
        return dv__err(err, DV_EINVAL, "parameters are required");
    dv_value_params q = *p;
    if (q.max_samples == 0)
        q.max_samples = dv__default_max_samples(q.method);
    if (q.n_threads <= 0) /* read before OpenBLAS changes the OpenMP default */
        q.n_threads = omp_get_max_threads();
    int clf = train && dv_dataset_task(train) == DV_TASK_CLASSIFICATION;
    if (q.metric == DV_METRIC_DEFAULT) /* the default utility, measured per method */
        q.metric = !clf ? DV_METRIC_NEG_MSE
                   : q.method == DV_METHOD_TMC || q.method == DV_METHOD_BETA ||
                           q.method == DV_METHOD_GSHAPLEY || q.method == DV_METHOD_TS_SHAPLEY
                       ? DV_METRIC_ACCURACY
                                                                              : DV_METRIC_NEG_LOGLOSS;
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    dv_value_info local;
    if (!info)
        info = &local;
    int rc = value_compute(train, val, &q, values, stderrs, info, err);
    openblas_set_num_threads(blas_threads);
    if (!rc) {
        dv__value_finish(info, q.method, values, stderrs,
                         q.groups ? q.n_groups : dv_dataset_rows(train));
        info->metric = q.metric;
    }
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
    int rc = check_inputs(train, val, p, err);
    if (rc)
        return rc;
    size_t players = p->groups ? p->n_groups : n;
    if (stderrs)
        for (size_t i = 0; i < players; i++)
            stderrs[i] = NAN;

    switch (p->method) {
    case DV_METHOD_LOO:
    case DV_METHOD_EXACT_SHAPLEY:
    case DV_METHOD_EXACT_BANZHAF:
    case DV_METHOD_TMC:
    case DV_METHOD_BETA:
    case DV_METHOD_BANZHAF:
    case DV_METHOD_AME:
    case DV_METHOD_TS_SHAPLEY:
    case DV_METHOD_RANDOM:
        return dv__learner_game_value(train, val, p, values, stderrs, info, err);
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
        rc = dv__knn_shapley(train, val, p->knn_k, p->n_threads, p->comm, rowv, err);
        break;
    case DV_METHOD_LAVA:
        rc = dv__lava(train, val, p, rowv, err);
        break;
    case DV_METHOD_FORGETTING: /* per-row standard errors; none for groups */
        rc = dv__forgetting(train, p, rowv, p->groups ? NULL : stderrs, info, err);
        break;
    case DV_METHOD_MEMORIZATION:
        rc = dv__memorization(train, p, rowv, p->groups ? NULL : stderrs, info, err);
        break;
    case DV_METHOD_DVRL:
        rc = dv__dvrl(train, val, p, rowv, info, err);
        break;
    case DV_METHOD_GSHAPLEY:
        rc = dv__gshapley(train, val, p, rowv, stderrs, info, err);
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
