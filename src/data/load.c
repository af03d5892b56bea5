/*
 * load.c -- a data set ready for valuation: read from CSV, split into
 * training, validation and test rows (or read from three files whose
 * columns and classes must agree), standardized with the training
 * statistics, and described by a JSON manifest (file, SHA-256, label map,
 * split) that runs and value files record.
 */
#include "internal.h"

#include <math.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dv_load_options_default(dv_load_options *o)
{
    memset(o, 0, sizeof *o);
    dv_csv_options_default(&o->csv);
    dv_split_options_default(&o->split);
    o->standardize = 1;
}

/* Whether b has a's columns and classes (b was read from path). */
static int same_columns(const dv_dataset *a, const dv_dataset *b, const char *path, dv_error *err)
{
    if (a->d != b->d)
        return dv__err(err, DV_EFORMAT, "%s: has %zu feature columns, the training data %zu",
                       path, b->d, a->d);
    for (size_t j = 0; j < a->d; j++)
        if (strcmp(a->col_names[j], b->col_names[j]) != 0)
            return dv__err(err, DV_EFORMAT, "%s: column %zu is '%s', the training data has '%s'",
                           path, j + 1, b->col_names[j], a->col_names[j]);
    if (a->n_classes != b->n_classes)
        return dv__err(err, DV_EFORMAT, "%s: has %zu classes, the training data %zu", path,
                       b->n_classes, a->n_classes);
    for (size_t c = 0; c < a->n_classes; c++)
        if (strcmp(a->class_names[c], b->class_names[c]) != 0)
            return dv__err(err, DV_EFORMAT,
                           "%s: its class labels differ from the training data's ('%s' vs '%s')",
                           path, b->class_names[c], a->class_names[c]);
    return DV_OK;
}

/* Reads the three explicit files into train, val and test. */
static int load_files(const dv_load_options *o, dv_dataset *all, dv_dataset **train,
                      dv_dataset **val, dv_dataset **test, dv_error *err)
{
    if (!o->val_path || !o->test_path)
        return dv__err(err, DV_EINVAL, "validation and test files go together");
    *train = all;
    int rc = dv_dataset_read_csv(val, o->val_path, &o->csv, err);
    if (!rc)
        rc = dv_dataset_read_csv(test, o->test_path, &o->csv, err);
    if (!rc)
        rc = same_columns(*train, *val, o->val_path, err);
    if (!rc)
        rc = same_columns(*train, *test, o->test_path, err);
    return rc;
}

/* The manifest: {"command": ..., "data": {...},\n  "split": {...}}. */
static int manifest_text(const dv_load_options *o, const dv_dataset *train, const dv_dataset *val,
                         const dv_dataset *test, char **out, dv_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return dv__err(err, DV_ENOMEM, "out of memory");
    char rp[PATH_MAX], hex[65] = "";
    const char *abs = realpath(o->path, rp) ? rp : o->path;
    fputc('{', f);
    if (o->command) {
        fprintf(f, "\"command\": ");
        dv__json_string(f, o->command);
        fprintf(f, ",\n  ");
    }
    fprintf(f, "\"data\": {\"path\": ");
    dv__json_string(f, abs);
    if (dv_sha256_file(o->path, hex, NULL) == 0)
        fprintf(f, ", \"sha256\": \"%s\"", hex);
    fprintf(f, ", \"label\": ");
    dv__json_string(f, train->label_name);
    fprintf(f, ", \"label_map\": {");
    for (size_t c = 0; c < train->n_classes; c++) {
        fprintf(f, "%s", c ? ", " : "");
        dv__json_string(f, train->class_names[c]);
        fprintf(f, ": %zu", c);
    }
    fprintf(f, "}, \"standardized\": %s},\n", o->standardize ? "true" : "false");
    fprintf(f, "  \"split\": {\"train\": %zu, \"val\": %zu, \"test\": %zu", train->n, val->n,
            test->n);
    if (o->val_path) {
        fprintf(f, ", \"val_data\": ");
        dv__json_string(f, o->val_path);
        fprintf(f, ", \"test_data\": ");
        dv__json_string(f, o->test_path);
    } else {
        fprintf(f, ", \"seed\": %llu", (unsigned long long)o->split.seed);
    }
    fprintf(f, "}}");
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    *out = buf;
    return DV_OK;
}

/* Features beyond this overflow the standardization's squares. */
#define FEATURE_MAX 1e150
/* More classes than this: a continuous target read as classes. */
#define CLASSES_MAX 256

/* What no learner can use: a feature too large to standardize, or a
 * classification label with more distinct values than classes can have. */
static int check_values(const dv_load_options *o, const dv_dataset *ds, const char *path,
                        dv_error *err)
{
    size_t n = dv_dataset_rows(ds), d = dv_dataset_cols(ds);
    if (dv_dataset_classes(ds) > CLASSES_MAX)
        return dv__err(err, DV_EINVAL,
                       "%s: the label column '%s' has %zu distinct values, more than the %d "
                       "classes dval supports (a continuous target? use --task regression)",
                       path, dv_dataset_label_name(ds), dv_dataset_classes(ds), CLASSES_MAX);
    const double *X = dv_dataset_features(ds);
    for (size_t i = 0; o->standardize && i < n * d; i++)
        if (!(fabs(X[i]) <= FEATURE_MAX))
            return dv__err(err, DV_EINVAL,
                           "%s: column '%s', data row %lld holds %g, too large to standardize "
                           "(at most 1e150 in magnitude)",
                           path, dv_dataset_col_name(ds, i % d),
                           (long long)dv_dataset_source_rows(ds)[i / d] + 1, X[i]);
    return DV_OK;
}

int dv_data_load(const dv_load_options *o, dv_dataset **train, dv_dataset **val,
                 dv_dataset **test, char **manifest, dv_error *err)
{
    *train = *val = *test = NULL;
    if (manifest)
        *manifest = NULL;
    if (!o || !o->path)
        return dv__err(err, DV_EINVAL, "a data file is required");
    if ((o->val_path || o->test_path) && (o->split.n_val > 0 || o->split.n_test > 0))
        return dv__err(err, DV_EINVAL,
                       "split sizes cannot be combined with validation and test files");
    dv_dataset *all = NULL;
    int rc = dv_dataset_read_csv(&all, o->path, &o->csv, err);
    if (!rc && (rc = check_values(o, all, o->path, err)))
        dv_dataset_free(all);
    if (rc)
        return rc;
    if (o->val_path || o->test_path) {
        rc = load_files(o, all, train, val, test, err);
    } else {
        dv_error e = {0};
        rc = dv_dataset_split(all, &o->split, train, val, test, &e);
        if (rc)
            dv__err(err, rc, "%s: %s", o->path, e.msg);
        dv_dataset_free(all);
        all = NULL;
    }
    if (!rc && o->val_path && !(rc = check_values(o, *val, o->val_path, err)))
        rc = check_values(o, *test, o->test_path, err);
    if (!rc && o->standardize && (rc = dv_dataset_standardize(*train, *val, *test)))
        dv__err(err, rc, "out of memory standardizing %s", o->path);
    if (!rc && manifest)
        rc = manifest_text(o, *train, *val, *test, manifest, err);
    if (rc) {
        if (*train != all)
            dv_dataset_free(all);
        dv_dataset_free(*train);
        dv_dataset_free(*val);
        dv_dataset_free(*test);
        *train = *val = *test = NULL;
    }
    return rc;
}

int dv_dataset_read_like(dv_dataset **out, const char *path, const dv_dataset *train,
                         const dv_csv_options *o, dv_error *err)
{
    if (!out || !path || !train)
        return dv__err(err, DV_EINVAL, "read like: missing argument");
    *out = NULL;
    dv_csv_options co;
    if (o)
        co = *o;
    else
        dv_csv_options_default(&co);
    co.task = train->task;
    co.one_class = 1; /* the classes are the training data's */
    dv_dataset *ds = NULL;
    int rc = dv_dataset_read_csv(&ds, path, &co, err);
    if (rc)
        return rc;
    if (ds->d != train->d)
        rc = dv__err(err, DV_EFORMAT, "%s: has %zu feature columns, the training data %zu", path,
                     ds->d, train->d);
    for (size_t j = 0; !rc && j < ds->d; j++)
        if (strcmp(train->col_names[j], ds->col_names[j]) != 0)
            rc = dv__err(err, DV_EFORMAT, "%s: column %zu is '%s', the training data has '%s'",
                         path, j + 1, ds->col_names[j], train->col_names[j]);
    if (!rc && train->task == DV_TASK_CLASSIFICATION) {
        /* this file's class c -> train's class of the same label */
        size_t *map = dv__malloc((ds->n_classes + 1) * sizeof *map);
        if (!map)
            rc = dv__err(err, DV_ENOMEM, "out of memory");
        for (size_t c = 0; !rc && c < ds->n_classes; c++) {
            map[c] = SIZE_MAX;
            for (size_t k = 0; k < train->n_classes; k++)
                if (strcmp(ds->class_names[c], train->class_names[k]) == 0)
                    map[c] = k;
        }
        for (size_t i = 0; !rc && i < ds->n; i++) {
            size_t c = (size_t)ds->y[i];
            if (map[c] == SIZE_MAX)
                rc = dv__err(err, DV_EFORMAT, "%s: row %zu: label '%s' is not a class of the "
                                              "training data", path, i + 1, ds->class_names[c]);
            else
                ds->y[i] = (double)map[c];
        }
        for (size_t c = 0; !rc && c < ds->n_classes; c++)
            dv__free(ds->class_names[c]);
        dv__free(ds->class_names);
        ds->class_names = NULL;
        ds->n_classes = train->n_classes;
        if (!rc && !(ds->class_names = dv__calloc(train->n_classes, sizeof(char *))))
            rc = dv__err(err, DV_ENOMEM, "out of memory");
        for (size_t k = 0; !rc && k < train->n_classes; k++)
            if (!(ds->class_names[k] = dv__strdup(train->class_names[k])))
                rc = dv__err(err, DV_ENOMEM, "out of memory");
        dv__free(map);
    }
    if (!rc && train->std_mean && dv_dataset_standardize_by(ds, train->std_mean, train->std_scale))
        rc = dv__err(err, DV_EINVAL, "%s: the training statistics cannot standardize it", path);
    if (rc) {
        dv_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return DV_OK;
}
