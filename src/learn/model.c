/*
 * model.c -- the dv_model object: learner parameters (defaults, checks,
 * names), dv_model_fit (argument checks, gathering the training rows into
 * a design with a column of ones, dispatch to the logistic or linear
 * solver), prediction and the accessors.  The solvers live in logreg.c and
 * linear.c, the metrics in metric.c.
 *
 * Trees (DV_LEARNER_TREE, tree.c) take either task, ignore warm, get the
 * row list as it is (no design is gathered) and predict through
 * dv__tree_predict; they have no coefficients: dv_model_coef returns 0 for
 * them.
 *
 * Determinism: OpenBLAS (OpenMP build) splits a call over
 * omp_get_max_threads() threads, and the split changes the rounding, so a
 * fit would depend on the thread count in its last bits.  Fits and
 * predictions therefore run their BLAS calls on the calling thread only
 * (the OpenMP setting is per thread and restored afterwards): results are
 * identical bit for bit for any number of threads, and parallel speed
 * comes from running many fits at once.
 */
#include "learn/net.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

/* Makes BLAS calls on this thread single-threaded; returns the setting to
 * restore with blas_serial_end. */
static int blas_serial_begin(void)
{
    int t = omp_get_max_threads();
    if (t != 1)
        omp_set_num_threads(1);
    return t;
}

static void blas_serial_end(int t)
{
    if (t != 1)
        omp_set_num_threads(t);
}

void dv_learner_params_default(dv_learner_params *p, dv_learner_kind kind)
{
    p->kind = kind;
    p->C = 1.0;
    p->lambda = kind == DV_LEARNER_OLS ? 0.0 : 1.0;
    p->tol = 1e-10;
    p->max_iter = 100;
    p->max_depth = 0;
    p->min_leaf = 1;
    p->max_features = 0;
    p->seed = 0;
    /* mlp: the reference code's classifier (3 hidden layers of 32, 25 epochs,
     * batches of 1280, Adam at 1e-3) with scikit-learn's alpha */
    memset(p->hidden, 0, sizeof p->hidden);
    p->hidden[0] = p->hidden[1] = p->hidden[2] = 32;
    p->n_hidden = 3;
    p->epochs = 25;
    p->batch_size = 1280;
    p->lr = 1e-3;
    p->alpha = 1e-4;
    p->weight_decay = 0.0;
    p->val_fraction = 0.0;
    p->patience = 10;
    p->loss_tol = 0.0;
    p->n_iter_no_change = 10;
    p->neighbors = 50; /* knn: the reference code's model */
    p->distance_weights = 1;
    p->dropout = 0.0;
}

/* The mlp's settings, or NULL when they are valid. */
static const char *mlp_check(const dv_learner_params *p)
{
    const char *why = dv__net_check_hidden(p->hidden, p->n_hidden);
    if (why)
        return why;
    if (p->epochs < 1)
        return "epochs must be >= 1";
    if (p->batch_size < 1)
        return "batch_size must be >= 1";
    if (!(p->lr > 0) || !isfinite(p->lr))
        return "lr must be a finite number > 0";
    if (!(p->alpha >= 0) || !isfinite(p->alpha))
        return "alpha must be a finite number >= 0";
    if (!(p->weight_decay >= 0) || !(p->lr * p->weight_decay < 1))
        return "weight_decay must be >= 0 with lr * weight_decay < 1";
    if (!(p->val_fraction >= 0 && p->val_fraction < 1))
        return "val_fraction must be in [0, 1)";
    if (p->patience < 1)
        return "patience must be >= 1";
    if (!(p->loss_tol >= 0) || !isfinite(p->loss_tol))
        return "loss_tol must be a finite number >= 0";
    if (p->n_iter_no_change < 1)
        return "n_iter_no_change must be >= 1";
    if (!(p->dropout >= 0 && p->dropout < 1))
        return "dropout must be in [0, 1)";
    return NULL;
}

int dv_learner_params_preset(dv_learner_params *p, const char *name)
{
    if (!name || (strcmp(name, "reference") != 0 && strcmp(name, "sklearn-1000") != 0))
        return DV_EINVAL;
    dv_learner_params_default(p, DV_LEARNER_MLP);
    if (strcmp(name, "sklearn-1000") == 0) {
        p->n_hidden = 1;
        memset(p->hidden, 0, sizeof p->hidden);
        p->hidden[0] = 1000;
        p->epochs = 200; /* max_iter */
        p->batch_size = 200;
        p->lr = 1e-3;
        p->alpha = 1e-4;
        p->loss_tol = 1e-4;
        p->n_iter_no_change = 10;
    }
    return DV_OK;
}

const char *dv_learner_params_check(const dv_learner_params *p)
{
    if (!p)
        return "learner parameters are NULL";
    if (p->kind != DV_LEARNER_LOGREG && p->kind != DV_LEARNER_RIDGE && p->kind != DV_LEARNER_OLS &&
        p->kind != DV_LEARNER_TREE && p->kind != DV_LEARNER_MLP && p->kind != DV_LEARNER_KNN)
        return "unknown learner kind";
    if (p->kind == DV_LEARNER_KNN && p->neighbors < 1)
        return "neighbors must be >= 1";
    if (!(p->C > 0) || !isfinite(p->C))
        return "C must be a finite number > 0";
    if (!(p->lambda >= 0) || !isfinite(p->lambda))
        return "lambda must be a finite number >= 0";
    if (!(p->tol > 0) || !isfinite(p->tol))
        return "tol must be a finite number > 0";
    if (p->max_iter < 1)
        return "max_iter must be >= 1";
    /* The tree fields are checked for trees only: other learners ignore them. */
    if (p->kind == DV_LEARNER_TREE) {
        if (p->max_depth < 0)
            return "max_depth must be >= 0 (0 = unlimited)";
        if (p->min_leaf < 1)
            return "min_leaf must be >= 1";
        if (p->max_features < 0)
            return "max_features must be >= 0 (0 = all features)";
    }
    return p->kind == DV_LEARNER_MLP ? mlp_check(p) : NULL;
}

static const dv__name LEARNER_NAMES[] = {
    {"logreg", DV_LEARNER_LOGREG}, {"ridge", DV_LEARNER_RIDGE}, {"ols", DV_LEARNER_OLS},
    {"tree", DV_LEARNER_TREE}, {"mlp", DV_LEARNER_MLP},   {"knn", DV_LEARNER_KNN}};

int dv_learner_from_name(const char *name, dv_learner_kind *out)
{
    int v;
    if (dv__name_lookup(LEARNER_NAMES, DV__COUNT(LEARNER_NAMES), name, &v))
        return DV_EINVAL;
    if (out)
        *out = (dv_learner_kind)v;
    return DV_OK;
}

const char *dv_learner_name(dv_learner_kind k)
{
    return dv__name_of(LEARNER_NAMES, DV__COUNT(LEARNER_NAMES), (int)k);
}

int dv__model_alloc(dv_model **out, dv_learner_kind kind, dv_task task, size_t d,
                    size_t n_classes)
{
    *out = NULL;
    dv_model *m = dv__calloc(1, sizeof *m);
    if (!m)
        return DV_ENOMEM;
    m->kind = kind;
    m->task = task;
    m->d = d;
    m->n_classes = task == DV_TASK_CLASSIFICATION ? n_classes : 0;
    m->n_params = m->n_classes > 2 ? m->n_classes * (d + 1) : d + 1;
    m->theta = dv__calloc(m->n_params, sizeof(double));
    if (m->n_classes > 2) {
        m->present = dv__malloc(m->n_classes);
        if (m->present)
            memset(m->present, 1, m->n_classes);
    }
    if (!m->theta || (m->n_classes > 2 && !m->present)) {
        dv_model_free(m);
        return DV_ENOMEM;
    }
    m->n_present = m->n_classes;
    m->mode = DV__MODEL_LINEAR;
    m->converged = 1;
    *out = m;
    return DV_OK;
}

void dv_model_free(dv_model *m)
{
    if (!m)
        return;
    dv__free(m->theta);
    dv__free(m->present);
    dv__tree_free(m->tree);
    dv__free(m->knn_X);
    dv__free(m->knn_y);
    dv__free(m);
}

static int fit_impl(dv_model **out, const dv_learner_params *p, const dv_dataset *ds,
                    const int64_t *rows, size_t n, const dv_model *warm, dv__epoch_fn fn,
                    void *user, dv_error *err);

int dv_model_fit(dv_model **out, const dv_learner_params *p, const dv_dataset *ds,
                 const int64_t *rows, size_t n, const dv_model *warm, dv_error *err)
{
    return fit_impl(out, p, ds, rows, n, warm, NULL, NULL, err);
}

int dv__model_fit_traced(dv_model **out, const dv_learner_params *p, const dv_dataset *ds,
                         const int64_t *rows, size_t n, dv__epoch_fn fn, void *user,
                         dv_error *err)
{
    if (out)
        *out = NULL;
    if (p && p->kind != DV_LEARNER_MLP)
        return dv__err(err, DV_EINVAL, "learner %s is not trained epoch by epoch (mlp is)",
                       dv_learner_name(p->kind));
    return fit_impl(out, p, ds, rows, n, NULL, fn, user, err);
}

static int fit_impl(dv_model **out, const dv_learner_params *p, const dv_dataset *ds,
                    const int64_t *rows, size_t n, const dv_model *warm, dv__epoch_fn fn,
                    void *user, dv_error *err)
{
    if (!out)
        return dv__err(err, DV_EINVAL, "dv_model_fit: out is NULL");
    *out = NULL;
    if (!p || !ds)
        return dv__err(err, DV_EINVAL, "dv_model_fit: %s is NULL", p ? "dataset" : "params");
    const char *why = dv_learner_params_check(p);
    if (why)
        return dv__err(err, DV_EINVAL, "invalid learner parameters: %s", why);
    int logreg = p->kind == DV_LEARNER_LOGREG, tree = p->kind == DV_LEARNER_TREE;
    int mlp = p->kind == DV_LEARNER_MLP, knn = p->kind == DV_LEARNER_KNN;
    if (logreg && ds->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "learner logreg needs a classification dataset");
    if (!logreg && !tree && !mlp && !knn && ds->task != DV_TASK_REGRESSION)
        return dv__err(err, DV_EINVAL, "learner %s needs a regression dataset",
                       dv_learner_name(p->kind));
    if (!rows)
        n = ds->n;
    for (size_t i = 0; rows && i < n; i++)
        if (rows[i] < 0 || (size_t)rows[i] >= ds->n)
            return dv__err(err, DV_EINVAL, "row index %lld out of range 0..%zu",
                           (long long)rows[i], ds->n ? ds->n - 1 : 0);
    if (warm && logreg &&
        (warm->kind != DV_LEARNER_LOGREG || warm->task != ds->task || warm->d != ds->d ||
         warm->n_classes != ds->n_classes))
        return dv__err(err, DV_EINVAL,
                       "warm-start model does not match: %s with %zu features and %zu "
                       "classes, the fit has %zu features and %zu classes",
                       dv_learner_name(warm->kind), warm->d, warm->n_classes, ds->d,
                       ds->n_classes);

    dv_model *m;
    if (dv__model_alloc(&m, p->kind, ds->task, ds->d, ds->n_classes))
        return dv__err(err, DV_ENOMEM, "out of memory");
    if (knn) {
        int krc = dv__knn_fit(m, p, ds, rows, n, err);
        if (krc != DV_OK) {
            dv_model_free(m);
            return krc;
        }
        *out = m;
        return DV_OK;
    }
    if (mlp) {
        int nt = blas_serial_begin();
        int mrc = dv__mlp_fit_traced(m, p, ds, rows, n, fn, user, err);
        blas_serial_end(nt);
        if (mrc != DV_OK) {
            dv_model_free(m);
            return mrc;
        }
        *out = m;
        return DV_OK;
    }
    if (tree) {
        int trc = dv__tree_fit(m, p, ds, rows, n, err);
        if (trc != DV_OK) {
            dv_model_free(m);
            return trc;
        }
        *out = m;
        return DV_OK;
    }

    /* Gather the rows into Xa = [X_S, 1] and y_S. */
    size_t d = ds->d, d1 = d + 1;
    double *Xa = dv__malloc(n * d1 * sizeof(double));
    double *y = dv__malloc(n * sizeof(double));
    if (!Xa || !y) {
        dv__free(Xa);
        dv__free(y);
        dv_model_free(m);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? (size_t)rows[i] : i;
        memcpy(Xa + i * d1, ds->X + r * d, d * sizeof(double));
        Xa[i * d1 + d] = 1.0;
        y[i] = ds->y[r];
    }
    int nt = blas_serial_begin();
    int rc = logreg ? dv__logreg_fit(m, p, Xa, y, n, warm, err)
                    : dv__linear_fit(m, p->kind == DV_LEARNER_OLS ? 0.0 : p->lambda, Xa, y, n, err);
    blas_serial_end(nt);
    dv__free(Xa);
    dv__free(y);
    if (rc != DV_OK && rc != DV_ENOTCONV) {
        dv_model_free(m);
        return rc;
    }
    *out = m;
    return rc;
}

size_t dv_model_outputs(const dv_model *m)
{
    return m->task == DV_TASK_CLASSIFICATION ? m->n_classes : 1;
}

static int predict(const dv_model *m, const double *X, size_t n_rows, double *out)
{
    size_t d = m->d, K = m->n_classes;
    const double *th = m->theta;

    if (m->kind == DV_LEARNER_TREE && m->tree) {
        dv__tree_predict(m, X, n_rows, out);
        return 0;
    }
    if (m->mode == DV__MODEL_MLP)
        return dv__mlp_predict(m, X, n_rows, out);
    if (m->mode == DV__MODEL_KNN)
        return dv__knn_predict(m, X, n_rows, out);
    if (m->task == DV_TASK_REGRESSION) {
        for (size_t i = 0; i < n_rows; i++)
            out[i] = th[d];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n_rows, (int)d, 1.0, X, (int)d, th, 1, 1.0,
                    out, 1);
        return 0;
    }
    if (m->mode == DV__MODEL_UNIFORM || m->mode == DV__MODEL_ONE_CLASS || K == 1) {
        for (size_t i = 0; i < n_rows; i++)
            for (size_t k = 0; k < K; k++) {
                double v = m->mode == DV__MODEL_UNIFORM ? 1.0 / (double)K
                                                        : (double)(k == m->const_class);
                out[i * K + k] = K == 1 ? 1.0 : v;
            }
        return 0;
    }
    if (K == 2) {
        /* z into out[0..n), then spread to (p0, p1) from the back so that
         * no z is overwritten before it is read. */
        for (size_t i = 0; i < n_rows; i++)
            out[i] = th[d];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n_rows, (int)d, 1.0, X, (int)d, th, 1, 1.0,
                    out, 1);
        for (size_t i = n_rows; i-- > 0;) {
            double z = out[i];
            out[2 * i] = dv__sigmoid(-z);
            out[2 * i + 1] = dv__sigmoid(z);
        }
        return 0;
    }
    /* Multinomial: logits = X W^T + b over the K blocks (stride d + 1),
     * softmax over the present classes; absent classes get 0. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n_rows, (int)K, (int)d, 1.0, X,
                (int)d, th, (int)(d + 1), 0.0, out, (int)K);
    for (size_t i = 0; i < n_rows; i++) {
        double *o = out + i * K, mx = -INFINITY, s = 0.0;
        for (size_t k = 0; k < K; k++) {
            if (!m->present[k])
                continue;
            o[k] += th[k * (d + 1) + d];
            if (o[k] > mx)
                mx = o[k];
        }
        for (size_t k = 0; k < K; k++) {
            o[k] = m->present[k] ? exp(o[k] - mx) : 0.0;
            s += o[k];
        }
        for (size_t k = 0; k < K; k++)
            o[k] /= s;
    }
    return 0;
}

int dv_model_predict(const dv_model *m, const double *X, size_t n_rows, size_t n_cols,
                     double *out)
{
    if (!m || (n_rows && (!X || !out)))
        return DV_EINVAL;
    if (n_cols != m->d)
        return DV_EINVAL;
    if (n_rows == 0)
        return DV_OK;
    int nt = blas_serial_begin();
    int rc = predict(m, X, n_rows, out);
    blas_serial_end(nt);
    return rc;
}

size_t dv_model_coef(const dv_model *m, double *out, size_t len)
{
    size_t c = len < m->n_params ? len : m->n_params;
    if (out && c)
        memcpy(out, m->theta, c * sizeof(double));
    return m->n_params;
}

int dv_model_iterations(const dv_model *m) { return m->iterations; }
double dv_model_grad_norm(const dv_model *m) { return m->grad_norm; }
double dv_model_grad0_norm(const dv_model *m) { return m->grad0_norm; }
