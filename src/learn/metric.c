/*
 * metric.c -- the scores of a model on a dataset (higher is better): mean
 * negative log-loss and accuracy for classification, negative mean squared
 * error and R^2 for regression; metric names; and dv__logloss_binary, the
 * allocation-free binary log-loss the sampler's fast path uses.
 *
 * Conventions (those of scikit-learn's metrics unless noted):
 * - log-loss uses natural logs and clips probabilities to
 *   [1e-15, 1 - 1e-15];
 * - accuracy takes the argmax of the probabilities, ties to the lowest
 *   class index;
 * - R^2 = 1 - SS_res / SS_tot; when SS_tot = 0 (constant targets) it is 1
 *   for a perfect prediction (SS_res = 0) and 0 otherwise, as r2_score with
 *   force_finite=True;
 * - an empty dataset has no score: DV_EINVAL.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#define DV__PMIN 1e-15
#define DV__PMAX (1.0 - 1e-15)

static double clip_p(double p) { return p < DV__PMIN ? DV__PMIN : p > DV__PMAX ? DV__PMAX : p; }

double dv__logloss_binary(const double *theta, const double *X, const double *y, size_t n,
                          size_t d)
{
    if (n == 0)
        return 0.0;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        double z = theta[d];
        for (size_t j = 0; j < d; j++)
            z += x[j] * theta[j];
        /* p(y_i) = dv__sigmoid(z) for y = 1, dv__sigmoid(-z) = 1 - dv__sigmoid(z) for y = 0 */
        s -= log(clip_p(dv__sigmoid(y[i] > 0.5 ? z : -z)));
    }
    return s / (double)n;
}

static const dv__name METRIC_NAMES[] = {{"default", DV_METRIC_DEFAULT},
                                        {"neg_logloss", DV_METRIC_NEG_LOGLOSS},
                                        {"accuracy", DV_METRIC_ACCURACY},
                                        {"neg_mse", DV_METRIC_NEG_MSE},
                                        {"r2", DV_METRIC_R2}};

int dv_metric_from_name(const char *name, dv_metric *out)
{
    int v;
    if (dv__name_lookup(METRIC_NAMES, DV__COUNT(METRIC_NAMES), name, &v))
        return DV_EINVAL;
    if (out)
        *out = (dv_metric)v;
    return DV_OK;
}

const char *dv_metric_name(dv_metric m)
{
    return dv__name_of(METRIC_NAMES, DV__COUNT(METRIC_NAMES), (int)m);
}

int dv_model_score(const dv_model *m, const dv_dataset *ds, dv_metric metric, double *out)
{
    if (!m || !ds || !out)
        return DV_EINVAL;
    int clf = m->task == DV_TASK_CLASSIFICATION;
    if (ds->task != m->task || ds->d != m->d || (clf && ds->n_classes != m->n_classes))
        return DV_EINVAL;
    if (metric == DV_METRIC_DEFAULT)
        metric = clf ? DV_METRIC_NEG_LOGLOSS : DV_METRIC_NEG_MSE;
    int clf_metric = metric == DV_METRIC_NEG_LOGLOSS || metric == DV_METRIC_ACCURACY;
    int reg_metric = metric == DV_METRIC_NEG_MSE || metric == DV_METRIC_R2;
    if (!(clf ? clf_metric : reg_metric))
        return DV_EINVAL;
    size_t n = ds->n, K = dv_model_outputs(m);
    if (n == 0)
        return DV_EINVAL;

    /* The binary log-loss goes through the same code as the sampler. */
    if (metric == DV_METRIC_NEG_LOGLOSS && m->mode == DV__MODEL_LINEAR && K == 2) {
        *out = -dv__logloss_binary(m->theta, ds->X, ds->y, n, ds->d);
        return DV_OK;
    }

    double *pred = dv__malloc(n * K * sizeof(double));
    if (!pred)
        return DV_ENOMEM;
    int rc = dv_model_predict(m, ds->X, n, ds->d, pred);
    if (rc) {
        dv__free(pred);
        return rc;
    }
    double s = 0.0;
    switch (metric) {
    case DV_METRIC_NEG_LOGLOSS:
        for (size_t i = 0; i < n; i++)
            s -= log(clip_p(pred[i * K + (size_t)ds->y[i]]));
        s = -s / (double)n;
        break;
    case DV_METRIC_ACCURACY:
        for (size_t i = 0; i < n; i++) {
            s += dv__argmax(pred + i * K, K) == (size_t)ds->y[i];
        }
        s /= (double)n;
        break;
    case DV_METRIC_NEG_MSE:
        for (size_t i = 0; i < n; i++)
            s += (pred[i] - ds->y[i]) * (pred[i] - ds->y[i]);
        s = -s / (double)n;
        break;
    default: { /* DV_METRIC_R2 */
        double ybar = 0.0, sst = 0.0;
        for (size_t i = 0; i < n; i++)
            ybar += ds->y[i];
        ybar /= (double)n;
        for (size_t i = 0; i < n; i++) {
            s += (pred[i] - ds->y[i]) * (pred[i] - ds->y[i]);
            sst += (ds->y[i] - ybar) * (ds->y[i] - ybar);
        }
        s = sst > 0 ? 1.0 - s / sst : (s == 0 ? 1.0 : 0.0);
        break;
    }
    }
    dv__free(pred);
    *out = s;
    return DV_OK;
}
