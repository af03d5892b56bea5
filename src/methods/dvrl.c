/*
 * dvrl.c -- data valuation by reinforcement learning (Yoon, Arik &
 * Pfister, "Data Valuation using Reinforcement Learning", ICML 2020).
 *
 * A valuator network h maps a row's features (x; with y and the residual
 * |y - f_V(x)| of a model fitted on the validation set, or with f_V(x), or
 * x alone) to a selection probability p = sigmoid(h).  Iteration t draws a
 * batch of training rows (the first B of a Fisher-Yates shuffle from
 * stream (seed, 2t)), selects row i when u_i < p_i (u from stream
 * (seed, 2t + 1); when nothing is selected, when u_i < 1/2), fits the
 * predictor on the selected rows, and rewards the selection with its
 * validation score minus the moving average of recent scores.  The
 * valuator's loss on the batch is
 *
 *     L = -reward / B sum_i [s_i log p_i + (1 - s_i) log(1 - p_i)]
 *         + 1000 (max(mean p - 0.9, 0) + max(0.1 - mean p, 0)),
 *
 * whose gradient in the logit z_i is -reward (s_i - p_i) / B + 1000
 * (1[mean p > 0.9] - 1[mean p < 0.1]) p_i (1 - p_i) / B (REINFORCE: the
 * score function of the Bernoulli selection), and Adam takes one step.
 * The values are h's probabilities at the training rows.
 */
#include "learn/net.h"
#include "methods.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define DVRL_WIDTH 100
#define DVRL_LAYERS 3
#define DVRL_WINDOW 20.0
#define DVRL_LR 0.01

double dv__dvrl_loss_grad(dv__net *net, const double *theta, const double *F, const double *s,
                          size_t nb, double reward, double *grad)
{
    dv__net_forward(net, theta, F, nb);
    const double *z = net->A[net->L];
    double mean = 0, loss = 0;
    for (size_t i = 0; i < nb; i++)
        mean += dv__sigmoid(z[i]);
    mean /= (double)nb;
    double pen = mean > 0.9 ? 1000.0 : mean < 0.1 ? -1000.0 : 0.0;
    for (size_t i = 0; i < nb; i++) {
        double p = dv__sigmoid(z[i]);
        /* log p = -softplus(-z), log(1 - p) = -softplus(z) */
        loss -= reward / (double)nb * (s[i] > 0.5 ? -dv__softplus(-z[i]) : -dv__softplus(z[i]));
        net->D[i] = -reward * (s[i] - p) / (double)nb + pen * p * (1 - p) / (double)nb;
    }
    loss += 1000.0 * (fmax(mean - 0.9, 0) + fmax(0.1 - mean, 0));
    if (grad)
        dv__net_backward(net, theta, nb, 0.0, 1.0, grad);
    return loss;
}

/* The valuator's input width and one row's features. */
static size_t feature_width(const dv_dataset *tr, int input)
{
    size_t K = tr->n_classes;
    return tr->d + (input == DV_DVRL_XYR ? 2 * K : input == DV_DVRL_XP ? K : 0);
}

static void features(const double *x, double y, const double *pv, size_t d, size_t K, int input,
                     double *out)
{
    memcpy(out, x, d * sizeof *out);
    if (input == DV_DVRL_XYR)
        for (size_t k = 0; k < K; k++) {
            double oh = (size_t)y == k ? 1.0 : 0.0;
            out[d + k] = oh;
            out[d + K + k] = fabs(oh - pv[k]);
        }
    else if (input == DV_DVRL_XP)
        memcpy(out + d, pv, K * sizeof *out);
}

/* Features of n rows X (labels y) into F, with f_V's probabilities. */
static int all_features(const dv_model *fv, const double *X, const double *y, size_t n, size_t d,
                        size_t K, int input, double *F, size_t w)
{
    double *pv = dv__malloc((n ? n : 1) * K * sizeof *pv);
    if (!pv)
        return DV_ENOMEM;
    int rc = dv_model_predict(fv, X, n, d, pv);
    for (size_t i = 0; !rc && i < n; i++)
        features(X + i * d, y ? y[i] : 0, pv + i * K, d, K, input, F + i * w);
    dv__free(pv);
    return rc;
}

/* The validation score of p->learner fitted on rows[0..n-1]. */
static int score_on(const dv_dataset *tr, const dv_dataset *val, const dv_value_params *p,
                    const int64_t *rows, size_t n, double *out, dv_error *err)
{
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, &p->learner, tr, rows, n, NULL, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (!rc && (rc = dv_model_score(m, val, p->metric, out)))
        rc = dv__err(err, rc, "dvrl: scoring the predictor failed");
    dv_model_free(m);
    return rc;
}

static void predict_h(dv__net *net, const double *theta, const double *F, size_t n, size_t w,
                      double *out)
{
    for (size_t done = 0; done < n; done += net->cap) {
        size_t nb = n - done < net->cap ? n - done : net->cap;
        dv__net_forward(net, theta, F + done * w, nb);
        for (size_t i = 0; i < nb; i++)
            out[done + i] = dv__sigmoid(net->A[net->L][i]);
    }
}

static int dvrl_run(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                    const double *extra_x, const double *extra_y, size_t n_extra, double *values,
                    double *extra_values, dv_error *err);

int dv_dvrl(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
            const double *extra_x, const double *extra_y, size_t n_extra, double *values,
            double *extra_values, dv_error *err)
{
    /* small products, one after another: BLAS threads would only wait */
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    int rc = dvrl_run(train, val, p, extra_x, extra_y, n_extra, values, extra_values, err);
    openblas_set_num_threads(blas_threads);
    return rc;
}

static int dvrl_run(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                    const double *extra_x, const double *extra_y, size_t n_extra, double *values,
                    double *extra_values, dv_error *err)
{
    if (!train || !val || !p || !values || (n_extra && (!extra_x || !extra_values)))
        return dv__err(err, DV_EINVAL, "dvrl: missing argument");
    if (train->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "dvrl: needs a classification task");
    if (p->dvrl_input < DV_DVRL_XYR || p->dvrl_input > DV_DVRL_X)
        return dv__err(err, DV_EINVAL, "dvrl: unknown input variant %d", p->dvrl_input);
    if (p->dvrl_input == DV_DVRL_XYR && n_extra && !extra_y)
        return dv__err(err, DV_EINVAL, "dvrl: the (x, y, residual) valuator needs the extra "
                                       "rows' labels");
    size_t n = train->n, d = train->d, K = train->n_classes, T = p->max_samples;
    size_t B = p->dvrl_batch < n ? p->dvrl_batch : n;
    if (B == 0 || T == 0)
        return dv__err(err, DV_EINVAL, "dvrl: the batch (%zu) and the iterations (%zu) must be "
                                       ">= 1", p->dvrl_batch, T);
    dv_metric metric = p->metric == DV_METRIC_DEFAULT ? DV_METRIC_NEG_LOGLOSS : p->metric;
    dv_value_params q = *p;
    q.metric = metric;
    size_t w = feature_width(train, p->dvrl_input), widths[DVRL_LAYERS + 2];
    widths[0] = w;
    for (int l = 1; l <= DVRL_LAYERS; l++)
        widths[l] = DVRL_WIDTH;
    widths[DVRL_LAYERS + 1] = 1;
    dv__net net = {0};
    dv_model *fv = NULL;
    double *F = dv__malloc((n * w + 1) * sizeof *F), *Fx = NULL, *Fb = dv__malloc(B * w * sizeof *Fb);
    double *s = dv__malloc(B * sizeof *s), *theta = NULL, *grad = NULL, *m1 = NULL, *m2 = NULL;
    size_t *order = dv__malloc(n * sizeof *order);
    int64_t *sel = dv__malloc(B * sizeof *sel);
    int rc = DV_OK;
    if (!F || !Fb || !s || !order || !sel ||
        dv__net_init(&net, widths, DVRL_LAYERS + 1, B > 256 ? B : 256)) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    theta = dv__malloc(net.n_params * sizeof *theta);
    grad = dv__malloc(net.n_params * sizeof *grad);
    m1 = dv__calloc(net.n_params, sizeof *m1);
    m2 = dv__calloc(net.n_params, sizeof *m2);
    if (!theta || !grad || !m1 || !m2) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    /* f_V: the predictor on the validation rows */
    rc = dv_model_fit(&fv, &p->learner, val, NULL, 0, NULL, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (rc)
        goto done;
    if ((rc = all_features(fv, train->X, train->y, n, d, K, p->dvrl_input, F, w))) {
        rc = dv__err(err, rc, "dvrl: predicting with the validation model failed");
        goto done;
    }
    dv_rng g;
    dv_rng_seed(&g, p->seed, 0x4456524cULL); /* "DVRL" */
    dv__net_init_weights(&net, theta, dv_rng_next(&g));
    double baseline;
    if ((rc = score_on(train, val, &q, NULL, n, &baseline, err)))
        goto done;
    for (size_t t = 0; t < T; t++) {
        if ((rc = dv__check_interrupt(err)))
            goto done;
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        dv_rng r;
        dv_rng_seed(&r, p->seed, 2 * (uint64_t)t);
        for (size_t k = 0; k < B; k++) { /* the batch: a partial shuffle */
            size_t u = k + (size_t)dv_rng_below(&r, (uint64_t)(n - k));
            size_t tmp = order[k];
            order[k] = order[u];
            order[u] = tmp;
            memcpy(Fb + k * w, F + order[k] * w, w * sizeof *Fb);
        }
        dv__net_forward(&net, theta, Fb, B);
        dv_rng_seed(&r, p->seed, 2 * (uint64_t)t + 1);
        size_t m = 0;
        for (size_t k = 0; k < B; k++) {
            double u = dv_rng_uniform(&r);
            s[k] = u < dv__sigmoid(net.A[net.L][k]);
            m += s[k] > 0.5;
        }
        if (m == 0) /* nothing selected: half at random */
            for (size_t k = 0; k < B; k++)
                m += (s[k] = dv_rng_uniform(&r) < 0.5) > 0.5;
        size_t ns = 0;
        for (size_t k = 0; k < B; k++)
            if (s[k] > 0.5)
                sel[ns++] = (int64_t)order[k];
        double perf;
        if ((rc = score_on(train, val, &q, sel, ns, &perf, err)))
            goto done;
        double reward = perf - baseline;
        baseline += (perf - baseline) / DVRL_WINDOW;
        dv__dvrl_loss_grad(&net, theta, Fb, s, B, reward, grad);
        dv__adam_step(theta, grad, m1, m2, net.n_params, (long)t + 1, DVRL_LR, 0.0);
        if (p->progress && ((t + 1) % 50 == 0 || t + 1 == T))
            p->progress(p->progress_user, t + 1, T);
    }
    predict_h(&net, theta, F, n, w, values);
    if (n_extra) {
        if (!(Fx = dv__malloc(n_extra * w * sizeof *Fx))) {
            rc = dv__err(err, DV_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = all_features(fv, extra_x, extra_y, n_extra, d, K, p->dvrl_input, Fx, w))) {
            rc = dv__err(err, rc, "dvrl: predicting with the validation model failed");
            goto done;
        }
        predict_h(&net, theta, Fx, n_extra, w, extra_values);
    }
done:
    dv__net_free(&net);
    dv_model_free(fv);
    void *ptrs[] = {F, Fx, Fb, s, theta, grad, m1, m2, order, sel};
    for (size_t i = 0; i < DV__COUNT(ptrs); i++)
        dv__free(ptrs[i]);
    return rc;
}

int dv__dvrl(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
             double *values, dv_value_info *info, dv_error *err)
{
    int rc = dv_dvrl(train, val, p, NULL, NULL, 0, values, NULL, err);
    if (!rc && info) {
        info->samples = p->max_samples;
        info->utility_calls = p->max_samples + 1;
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)p->max_samples;
    }
    return rc;
}
