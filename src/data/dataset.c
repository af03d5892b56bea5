/*
 * dataset.c -- the dataset object: construction from arrays, subsets,
 * accessors, the seeded train/validation/test split and standardization.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int dv__dataset_alloc(dv_dataset **out, size_t n, size_t d, dv_task task, size_t n_classes)
{
    *out = NULL;
    dv_dataset *ds = dv__calloc(1, sizeof *ds);
    if (!ds)
        return DV_ENOMEM;
    ds->n = n;
    ds->d = d;
    ds->task = task;
    ds->n_classes = task == DV_TASK_CLASSIFICATION ? n_classes : 0;
    ds->X = dv__malloc(n * d * sizeof(double));
    ds->y = dv__malloc(n * sizeof(double));
    ds->src_rows = dv__malloc(n * sizeof(int64_t));
    ds->col_names = dv__calloc(d, sizeof(char *));
    ds->class_names = dv__calloc(ds->n_classes, sizeof(char *));
    if (!ds->X || !ds->y || !ds->src_rows || !ds->col_names || !ds->class_names) {
        dv_dataset_free(ds);
        return DV_ENOMEM;
    }
    *out = ds;
    return DV_OK;
}

void dv_dataset_free(dv_dataset *ds)
{
    if (!ds)
        return;
    if (ds->col_names)
        for (size_t j = 0; j < ds->d; j++)
            dv__free(ds->col_names[j]);
    if (ds->class_names)
        for (size_t c = 0; c < ds->n_classes; c++)
            dv__free(ds->class_names[c]);
    dv__free(ds->col_names);
    dv__free(ds->class_names);
    dv__free(ds->label_name);
    dv__free(ds->std_mean);
    dv__free(ds->std_scale);
    if (!ds->borrowed_X)
        dv__free(ds->X);
    dv__free(ds->y);
    dv__free(ds->src_rows);
    dv__free(ds);
}

/* Keeps a copy of the standardization applied to ds. */
static int record_standardization(dv_dataset *ds, const double *mean, const double *scale)
{
    dv__free(ds->std_mean);
    dv__free(ds->std_scale);
    ds->std_mean = dv__malloc(ds->d * sizeof(double));
    ds->std_scale = dv__malloc(ds->d * sizeof(double));
    if (!ds->std_mean || !ds->std_scale) {
        dv__free(ds->std_mean);
        dv__free(ds->std_scale);
        ds->std_mean = ds->std_scale = NULL;
        return DV_ENOMEM;
    }
    memcpy(ds->std_mean, mean, ds->d * sizeof(double));
    memcpy(ds->std_scale, scale, ds->d * sizeof(double));
    return DV_OK;
}

int dv__dataset_copy_names(dv_dataset *dst, const dv_dataset *src)
{
    for (size_t j = 0; j < src->d; j++)
        if (!(dst->col_names[j] = dv__strdup(src->col_names[j])))
            return DV_ENOMEM;
    for (size_t c = 0; c < src->n_classes; c++)
        if (!(dst->class_names[c] = dv__strdup(src->class_names[c])))
            return DV_ENOMEM;
    if (!(dst->label_name = dv__strdup(src->label_name ? src->label_name : "label")))
        return DV_ENOMEM;
    if (src->std_mean)
        return record_standardization(dst, src->std_mean, src->std_scale);
    return DV_OK;
}

static int make_from_arrays(dv_dataset **out, size_t n_rows, size_t n_cols, const double *X,
                            const double *y, dv_task task, size_t n_classes,
                            const char *const *col_names, int borrow, dv_error *err)
{
    *out = NULL;
    if (n_cols == 0)
        return dv__err(err, DV_EINVAL, "a dataset needs at least one feature column");
    if (task == DV_TASK_CLASSIFICATION && n_classes < 1)
        return dv__err(err, DV_EINVAL, "classification needs n_classes >= 1");
    for (size_t i = 0; i < n_rows * n_cols; i++)
        if (!isfinite(X[i]))
            return dv__err(err, DV_EINVAL, "feature value at row %zu, column %zu is not finite",
                           i / n_cols, i % n_cols);
    for (size_t i = 0; i < n_rows; i++) {
        if (!isfinite(y[i]))
            return dv__err(err, DV_EINVAL, "label at row %zu is not finite", i);
        if (task == DV_TASK_CLASSIFICATION &&
            (y[i] < 0 || y[i] != floor(y[i]) || y[i] >= (double)n_classes))
            return dv__err(err, DV_EINVAL, "label %g at row %zu is not a class in 0..%zu", y[i], i,
                           n_classes - 1);
    }
    dv_dataset *ds;
    if (dv__dataset_alloc(&ds, n_rows, n_cols, task, n_classes))
        return dv__err(err, DV_ENOMEM, "out of memory");
    if (borrow) {
        dv__free(ds->X);
        ds->X = (double *)X; /* never written: see borrowed_X */
        ds->borrowed_X = 1;
    } else if (n_rows) {
        memcpy(ds->X, X, n_rows * n_cols * sizeof(double));
    }
    if (n_rows)
        memcpy(ds->y, y, n_rows * sizeof(double));
    for (size_t i = 0; i < n_rows; i++)
        ds->src_rows[i] = (int64_t)i;
    char buf[32];
    int bad = 0;
    for (size_t j = 0; j < n_cols && !bad; j++) {
        if (col_names && col_names[j])
            ds->col_names[j] = dv__strdup(col_names[j]);
        else {
            snprintf(buf, sizeof buf, "x%zu", j);
            ds->col_names[j] = dv__strdup(buf);
        }
        bad = !ds->col_names[j];
    }
    for (size_t c = 0; c < ds->n_classes && !bad; c++) {
        snprintf(buf, sizeof buf, "%zu", c);
        bad = !(ds->class_names[c] = dv__strdup(buf));
    }
    if (!bad)
        bad = !(ds->label_name = dv__strdup("label"));
    if (bad) {
        dv_dataset_free(ds);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    *out = ds;
    return DV_OK;
}

int dv_dataset_from_arrays(dv_dataset **out, size_t n_rows, size_t n_cols, const double *X,
                           const double *y, dv_task task, size_t n_classes,
                           const char *const *col_names, dv_error *err)
{
    return make_from_arrays(out, n_rows, n_cols, X, y, task, n_classes, col_names, 0, err);
}

int dv_dataset_wrap(dv_dataset **out, size_t n_rows, size_t n_cols, const double *X,
                    const double *y, dv_task task, size_t n_classes, const char *const *col_names,
                    dv_error *err)
{
    return make_from_arrays(out, n_rows, n_cols, X, y, task, n_classes, col_names, 1, err);
}

int dv_dataset_set_names(dv_dataset *ds, const char *label, const char *const *class_names,
                         dv_error *err)
{
    if (label && !*label)
        return dv__err(err, DV_EINVAL, "the label column's name is empty");
    for (size_t c = 0; class_names && c < ds->n_classes; c++) {
        if (!class_names[c] || !*class_names[c])
            return dv__err(err, DV_EINVAL, "class %zu has no name", c);
        for (size_t e = 0; e < c; e++)
            if (strcmp(class_names[e], class_names[c]) == 0)
                return dv__err(err, DV_EINVAL, "classes %zu and %zu are both named '%s'", e, c,
                               class_names[c]);
    }
    /* copies first, so that a failure leaves the dataset as it was */
    size_t K = class_names ? ds->n_classes : 0;
    char *lab = label ? dv__strdup(label) : NULL;
    char **names = dv__calloc(K ? K : 1, sizeof *names);
    int bad = (label && !lab) || !names;
    for (size_t c = 0; !bad && c < K; c++)
        bad = !(names[c] = dv__strdup(class_names[c]));
    if (bad) {
        for (size_t c = 0; names && c < K; c++)
            dv__free(names[c]);
        dv__free(names);
        dv__free(lab);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    if (lab) {
        dv__free(ds->label_name);
        ds->label_name = lab;
    }
    for (size_t c = 0; c < K; c++) {
        dv__free(ds->class_names[c]);
        ds->class_names[c] = names[c];
    }
    dv__free(names);
    return DV_OK;
}

int dv_dataset_subset(dv_dataset **out, const dv_dataset *src, const int64_t *rows, size_t n,
                      dv_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (rows[i] < 0 || (size_t)rows[i] >= src->n)
            return dv__err(err, DV_EINVAL, "row index %lld out of range 0..%zu",
                           (long long)rows[i], src->n ? src->n - 1 : 0);
    dv_dataset *ds;
    if (dv__dataset_alloc(&ds, n, src->d, src->task, src->n_classes))
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t r = (size_t)rows[i];
        memcpy(ds->X + i * src->d, src->X + r * src->d, src->d * sizeof(double));
        ds->y[i] = src->y[r];
        ds->src_rows[i] = src->src_rows[r];
    }
    if (dv__dataset_copy_names(ds, src)) {
        dv_dataset_free(ds);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    *out = ds;
    return DV_OK;
}

size_t dv_dataset_rows(const dv_dataset *ds) { return ds->n; }
size_t dv_dataset_cols(const dv_dataset *ds) { return ds->d; }
dv_task dv_dataset_task(const dv_dataset *ds) { return ds->task; }
size_t dv_dataset_classes(const dv_dataset *ds) { return ds->n_classes; }
const double *dv_dataset_features(const dv_dataset *ds) { return ds->X; }
const double *dv_dataset_targets(const dv_dataset *ds) { return ds->y; }
const int64_t *dv_dataset_source_rows(const dv_dataset *ds) { return ds->src_rows; }
const char *dv_dataset_label_name(const dv_dataset *ds) { return ds->label_name; }

const char *dv_dataset_col_name(const dv_dataset *ds, size_t j)
{
    return j < ds->d ? ds->col_names[j] : NULL;
}

const char *dv_dataset_class_name(const dv_dataset *ds, size_t c)
{
    return c < ds->n_classes ? ds->class_names[c] : NULL;
}

void dv_split_options_default(dv_split_options *o)
{
    o->n_val = -1;
    o->n_test = -1;
    o->seed = 0;
}

/* Resolves a count-or-fraction option against n rows. */
static int resolve_count(double v, size_t n, size_t dflt, const char *what, size_t *out,
                         dv_error *err)
{
    if (v < 0) {
        *out = dflt;
        return DV_OK;
    }
    if (!isfinite(v))
        return dv__err(err, DV_EINVAL, "%s size is not finite", what);
    if (v > 0 && v < 1) {
        *out = (size_t)llround(v * (double)n);
        return DV_OK;
    }
    if (v != floor(v))
        return dv__err(err, DV_EINVAL, "%s size %g is neither a count nor a fraction in (0, 1)",
                        what, v);
    *out = (size_t)v;
    return DV_OK;
}

int dv_dataset_split(const dv_dataset *all, const dv_split_options *o, dv_dataset **train,
                     dv_dataset **val, dv_dataset **test, dv_error *err)
{
    *train = *val = *test = NULL;
    size_t n = all->n, nv = 0, nt = 0;
    size_t dflt = n >= 4000 ? 1000 : (size_t)llround(0.2 * (double)n);
    int rc;
    if ((rc = resolve_count(o->n_val, n, dflt, "validation", &nv, err)) ||
        (rc = resolve_count(o->n_test, n, dflt, "test", &nt, err)))
        return rc;
    if (nv + nt >= n)
        return dv__err(err, DV_EINVAL,
                       "validation (%zu) + test (%zu) rows leave no training rows out of %zu", nv,
                       nt, n);
    int64_t *perm = dv__malloc(n * sizeof *perm);
    if (!perm)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        perm[i] = (int64_t)i;
    dv_rng r;
    dv_rng_seed(&r, o->seed, 0x73706c6974ULL /* "split" */);
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)dv_rng_below(&r, i);
        int64_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    
    size_t ntr = n - nv - nt;
    rc = dv_dataset_subset(val, all, perm, nv, err);
    if (!rc)
        rc = dv_dataset_subset(test, all, perm + nv, nt, err);
    if (!rc)
        rc = dv_dataset_subset(train, all, perm + nv + nt, ntr, err);
    dv__free(perm);
    if (rc) {
        dv_dataset_free(*train);
        dv_dataset_free(*val);
        dv_dataset_free(*test);
        *train = *val = *test = NULL;
    }
    return rc;
}

/* What standardizing ds needs, allocated before anything changes so that
 * applying it cannot fail: the record of the transform, and a copy of
 * borrowed features (the caller's stay as they are). */
typedef struct {
    double *X, *mean, *scale;
} std_prep;

static void std_prep_free(std_prep *p)
{
    dv__free(p->X);
    dv__free(p->mean);
    dv__free(p->scale);
    p->X = p->mean = p->scale = NULL;
}

static int std_prepare(const dv_dataset *ds, std_prep *p)
{
    memset(p, 0, sizeof *p);
    if (!ds)
        return DV_OK;
    size_t nd = ds->n * ds->d;
    p->mean = dv__malloc((ds->d ? ds->d : 1) * sizeof(double));
    p->scale = dv__malloc((ds->d ? ds->d : 1) * sizeof(double));
    if (ds->borrowed_X)
        p->X = dv__malloc((nd ? nd : 1) * sizeof(double));
    if (!p->mean || !p->scale || (ds->borrowed_X && !p->X)) {
        std_prep_free(p);
        return DV_ENOMEM;
    }
    return DV_OK;
}

static void std_apply(dv_dataset *ds, std_prep *p, const double *mean, const double *scale)
{
    if (!ds)
        return;
    const double *src = ds->X;
    if (p->X) {
        ds->X = p->X;
        ds->borrowed_X = 0;
    }
    for (size_t i = 0; i < ds->n; i++)
        for (size_t j = 0; j < ds->d; j++)
            ds->X[i * ds->d + j] = (src[i * ds->d + j] - mean[j]) / scale[j];
    memcpy(p->mean, mean, ds->d * sizeof(double));
    memcpy(p->scale, scale, ds->d * sizeof(double));
    dv__free(ds->std_mean);
    dv__free(ds->std_scale);
    ds->std_mean = p->mean;
    ds->std_scale = p->scale;
    p->X = p->mean = p->scale = NULL;
}

int dv_dataset_standardize_by(dv_dataset *ds, const double *mean, const double *scale)
{
    if (!ds)
        return DV_OK;
    for (size_t j = 0; j < ds->d; j++)
        if (!isfinite(mean[j]) || !(scale[j] > 0) || !isfinite(scale[j]))
            return DV_EINVAL;
    std_prep p;
    if (std_prepare(ds, &p))
        return DV_ENOMEM;
    std_apply(ds, &p, mean, scale);
    return DV_OK;
}

const double *dv_dataset_std_mean(const dv_dataset *ds) { return ds->std_mean; }
const double *dv_dataset_std_scale(const dv_dataset *ds) { return ds->std_scale; }

int dv_dataset_standardize(dv_dataset *train, dv_dataset *val, dv_dataset *test)
{
    size_t d = train->d, n = train->n;
    double *mean = dv__calloc(d ? d : 1, sizeof(double)), *scale = dv__calloc(d ? d : 1, sizeof(double));
    dv_dataset *sets[3] = {train, val, test};
    std_prep p[3] = {{0}};
    int rc = mean && scale ? DV_OK : DV_ENOMEM;
    for (int k = 0; !rc && k < 3; k++)
        rc = std_prepare(sets[k], &p[k]);
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                mean[j] += train->X[i * d + j];
        for (size_t j = 0; j < d; j++)
            mean[j] = n ? mean[j] / (double)n : 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double t = train->X[i * d + j] - mean[j];
                scale[j] += t * t;
            }
        for (size_t j = 0; j < d; j++) {
            double s = n ? sqrt(scale[j] / (double)n) : 0.0;
            /* A constant column is centred only, as scikit-learn's StandardScaler does. */
            scale[j] = s > 1e-12 * (1.0 + fabs(mean[j])) ? s : 1.0;
        }
        for (int k = 0; k < 3; k++)
            std_apply(sets[k], &p[k], mean, scale);
    }
    for (int k = 0; k < 3; k++)
        std_prep_free(&p[k]);
    dv__free(mean);
    dv__free(scale);
    return rc;
}
