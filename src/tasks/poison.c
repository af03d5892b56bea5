/*
 * poison.c -- the poisoning task (Jia et al., "Scalability vs. utility: do
 * we have to sacrifice one for the other in data importance
 * quantification?", CVPR 2021): seeded label flips aimed at one class, a
 * feature-space backdoor and a watermark injected into the training rows;
 * the probes on which each attack succeeds; and the model's success and
 * accuracy after the lowest-valued rows are removed.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[] = {"flip", "backdoor", "watermark"};

const char *dv_poison_kind_name(dv_poison_kind k)
{
    return (unsigned)k < 3 ? KIND_NAMES[k] : "unknown";
}

int dv_poison_kind_from_name(const char *name, dv_poison_kind *out)
{
    for (int k = 0; k < 3; k++)
        if (strcmp(name, KIND_NAMES[k]) == 0) {
            *out = (dv_poison_kind)k;
            return DV_OK;
        }
    return DV_EINVAL;
}

void dv_poison_params_default(dv_poison_params *p)
{
    memset(p, 0, sizeof *p);
    p->kind = DV_POISON_FLIP;
    p->fraction = 0.1;
    p->target = 0;
    p->source = -1;
    p->trigger_z = 3;
    p->watermark_amp = 1;
}

static int check_params(const dv_dataset *ds, const dv_poison_params *p, dv_error *err)
{
    if (ds->task != DV_TASK_CLASSIFICATION || ds->n_classes < 2)
        return dv__err(err, DV_EINVAL, "poisoning needs a classification data set with 2+ classes");
    if ((unsigned)p->kind > DV_POISON_WATERMARK)
        return dv__err(err, DV_EINVAL, "unknown attack %d", (int)p->kind);
    if (!(p->fraction > 0 && p->fraction < 1))
        return dv__err(err, DV_EINVAL, "the poisoned fraction %g is not in (0, 1)", p->fraction);
    if (p->target >= ds->n_classes)
        return dv__err(err, DV_EINVAL, "target class %zu: the data has classes 0..%zu", p->target,
                       ds->n_classes - 1);
    if (p->kind == DV_POISON_FLIP && p->source >= 0 &&
        ((size_t)p->source >= ds->n_classes || (size_t)p->source == p->target))
        return dv__err(err, DV_EINVAL, "source class %lld is not another class than the target",
                       (long long)p->source);
    if (p->kind == DV_POISON_BACKDOOR) {
        if (!isfinite(p->trigger_z))
            return dv__err(err, DV_EINVAL, "the trigger's z is not finite");
        if (p->features && p->n_features == 0)
            return dv__err(err, DV_EINVAL, "the trigger has no columns");
        for (size_t a = 0; p->features && a < p->n_features; a++) {
            if (p->features[a] >= ds->d)
                return dv__err(err, DV_EINVAL, "trigger column %zu: the data has columns 0..%zu",
                               p->features[a], ds->d - 1);
            for (size_t b = 0; b < a; b++)
                if (p->features[b] == p->features[a])
                    return dv__err(err, DV_EINVAL, "trigger column %zu is given twice",
                                   p->features[a]);
        }
    }
    if (p->kind == DV_POISON_WATERMARK && !(isfinite(p->watermark_amp) && p->watermark_amp > 0))
        return dv__err(err, DV_EINVAL, "the watermark's amplitude %g is not positive",
                       p->watermark_amp);
    return DV_OK;
}

/* The default trigger's columns: the min(3, d) whose values say least about
 * the label (the smallest largest |correlation| with a class's indicator;
 * constant columns first, ties to the lower column), so that a model of the
 * clean rows has no reason to follow the trigger. */
static int default_trigger(const dv_dataset *train, unsigned char *set, dv_error *err)
{
    size_t n = train->n, d = train->d, K = train->n_classes;
    double *assoc = dv__malloc((d ? d : 1) * sizeof *assoc);
    size_t *order = dv__malloc((d ? d : 1) * sizeof *order);
    if (!assoc || !order) {
        dv__free(assoc);
        dv__free(order);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < d; j++) {
        double mx = 0, sxx = 0;
        for (size_t i = 0; i < n; i++)
            mx += train->X[i * d + j];
        mx /= (double)n;
        for (size_t i = 0; i < n; i++)
            sxx += (train->X[i * d + j] - mx) * (train->X[i * d + j] - mx);
        assoc[j] = 0;
        for (size_t c = 0; c < K && sxx > 0; c++) {
            double pc = 0, sxy = 0;
            for (size_t i = 0; i < n; i++)
                pc += (size_t)train->y[i] == c;
            pc /= (double)n;
            if (pc <= 0 || pc >= 1)
                continue;
            for (size_t i = 0; i < n; i++)
                sxy += (train->X[i * d + j] - mx) * (((size_t)train->y[i] == c) - pc);
            double r = fabs(sxy) / sqrt(sxx * pc * (1 - pc) * (double)n);
            assoc[j] = r > assoc[j] ? r : assoc[j];
        }
    }
    int rc = dv__argsort(assoc, d, order) ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    for (size_t a = 0; !rc && a < d && a < 3; a++)
        set[order[a]] = 1;
    dv__free(assoc);
    dv__free(order);
    return rc;
}

int dv_poison_trigger(const dv_dataset *train, const dv_poison_params *p, double *value,
                      unsigned char *set, dv_error *err)
{
    int rc = check_params(train, p, err);
    if (rc)
        return rc;
    size_t n = train->n, d = train->d;
    memset(set, 0, d);
    for (size_t j = 0; j < d; j++)
        value[j] = 0;
    if (p->kind == DV_POISON_FLIP)
        return DV_OK;
    if (n == 0)
        return dv__err(err, DV_EINVAL, "the training data is empty");
    dv_rng r;
    dv_rng_seed(&r, p->seed, 0x574d41524bULL); /* "WMARK" */
    for (size_t j = 0; j < d; j++) {
        /* the column's mean and population standard deviation, in two passes */
        double mean = 0, ss = 0;
        for (size_t i = 0; i < n; i++)
            mean += train->X[i * d + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double e = train->X[i * d + j] - mean;
            ss += e * e;
        }
        double sd = sqrt(ss / (double)n);
        if (!(sd > 0))
            sd = 1; /* a constant column: its units */
        if (p->kind == DV_POISON_WATERMARK) {
            value[j] = (dv_rng_below(&r, 2) ? 1.0 : -1.0) * p->watermark_amp * sd;
            set[j] = 1;
        } else {
            value[j] = mean + p->trigger_z * sd;
        }
    }
    if (p->kind == DV_POISON_BACKDOOR) {
        if (p->features) {
            for (size_t a = 0; a < p->n_features; a++)
                set[p->features[a]] = 1;
        } else if (default_trigger(train, set, err)) {
            return DV_ENOMEM;
        }
        for (size_t j = 0; j < d; j++)
            if (!set[j])
                value[j] = 0;
    }
    return DV_OK;
}

/* Applies the trigger to the d features of x. */
static void apply_trigger(const dv_poison_params *p, const double *value, const unsigned char *set,
                          double *x, size_t d)
{
    for (size_t j = 0; j < d; j++)
        if (set[j])
            x[j] = p->kind == DV_POISON_WATERMARK ? x[j] + value[j] : value[j];
}

/* Whether row i (label y) may carry the attack: flip: of the source class
 * (or not of the target); backdoor: not of the target; watermark: any. */
static int eligible(const dv_poison_params *p, double y)
{
    size_t c = (size_t)y;
    if (p->kind == DV_POISON_WATERMARK)
        return 1;
    if (p->kind == DV_POISON_FLIP && p->source >= 0)
        return c == (size_t)p->source;
    return c != p->target;
}

/* Whether a test row (label y) is a probe: of the source class (or not of
 * the target) for flip, not of the target for the others. */
static int probe(const dv_poison_params *p, double y)
{
    size_t c = (size_t)y;
    if (p->kind == DV_POISON_FLIP && p->source >= 0)
        return c == (size_t)p->source;
    return c != p->target;
}

/* The rows of ds that pass keep, into a new array (its count in *m). */
static int64_t *rows_where(const dv_dataset *ds, const dv_poison_params *p,
                           int (*keep)(const dv_poison_params *, double), size_t *m)
{
    int64_t *rows = dv__malloc((ds->n ? ds->n : 1) * sizeof *rows);
    *m = 0;
    for (size_t i = 0; rows && i < ds->n; i++)
        if (keep(p, ds->y[i]))
            rows[(*m)++] = (int64_t)i;
    return rows;
}

int dv_poison_inject(const dv_dataset *train, const dv_poison_params *p, dv_dataset **poisoned,
                     unsigned char *is_poisoned, dv_error *err)
{
    *poisoned = NULL;
    int rc = check_params(train, p, err);
    if (rc)
        return rc;
    size_t n = train->n, d = train->d, n_el;
    size_t m = (size_t)llround(p->fraction * (double)n);
    if (m == 0)
        return dv__err(err, DV_EINVAL, "a fraction %g of %zu rows poisons none", p->fraction, n);
    double *value = dv__malloc((d ? d : 1) * sizeof *value);
    unsigned char *set = dv__malloc(d ? d : 1);
    int64_t *all = dv__malloc(n * sizeof *all);
    int64_t *rows = rows_where(train, p, eligible, &n_el);
    if (!value || !set || !all || !rows)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    else if (n_el < m)
        rc = dv__err(err, DV_EINVAL, "%zu rows are to be poisoned but only %zu can carry the %s "
                                     "attack (%s)", m, n_el, dv_poison_kind_name(p->kind),
                     p->kind == DV_POISON_FLIP && p->source >= 0 ? "rows of the source class"
                                                                 : "rows not of the target class");
    if (!rc)
        rc = dv_poison_trigger(train, p, value, set, err);
    dv_dataset *ds = NULL;
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            all[i] = (int64_t)i;
        rc = dv_dataset_subset(&ds, train, all, n, err);
    }
    if (!rc) {
        /* the first m of a seeded shuffle of the eligible rows */
        dv_rng r;
        dv_rng_seed(&r, p->seed, 0x504f49534f4eULL + (uint64_t)p->kind); /* "POISON" */
        memset(is_poisoned, 0, n);
        dv__shuffle_prefix(rows, n_el, m, &r);
        for (size_t t = 0; t < m; t++) {
            size_t i = (size_t)rows[t];
            is_poisoned[i] = 1;
            ds->y[i] = (double)p->target;
            apply_trigger(p, value, set, ds->X + i * d, d);
        }
        *poisoned = ds;
    }
    dv__free(value);
    dv__free(set);
    dv__free(all);
    dv__free(rows);
    return rc;
}

int dv_poison_probes(const dv_dataset *clean, const dv_dataset *test, const dv_poison_params *p,
                     dv_dataset **probes, dv_error *err)
{
    *probes = NULL;
    int rc = check_params(clean, p, err);
    if (rc)
        return rc;
    if (test->d != clean->d || test->task != clean->task || test->n_classes != clean->n_classes)
        return dv__err(err, DV_EINVAL, "the test split does not match the training data");
    size_t d = clean->d, m;
    double *value = dv__malloc((d ? d : 1) * sizeof *value);
    unsigned char *set = dv__malloc(d ? d : 1);
    int64_t *rows = rows_where(test, p, probe, &m);
    if (!value || !set || !rows)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    else if (m == 0)
        rc = dv__err(err, DV_EINVAL, "the test split has no rows the %s attack aims at",
                     dv_poison_kind_name(p->kind));
    if (!rc)
        rc = dv_poison_trigger(clean, p, value, set, err);
    dv_dataset *ds = NULL;
    if (!rc)
        rc = dv_dataset_subset(&ds, test, rows, m, err);
    if (!rc) {
        /* The watermark, unlike the others, keeps the probe's own label:
         * only the prediction is asked for. */
        for (size_t i = 0; i < m; i++)
            apply_trigger(p, value, set, ds->X + i * d, d);
        *probes = ds;
    }
    dv__free(value);
    dv__free(set);
    dv__free(rows);
    return rc;
}

int dv_poison_score(const dv_dataset *train, const dv_learner_params *lp, const double *values,
                    size_t n_remove, const dv_dataset *test, const dv_dataset *probes,
                    size_t target, double *success, double *accuracy, dv_error *err)
{
    size_t n = train->n;
    if (n_remove >= n)
        return dv__err(err, DV_EINVAL, "removing %zu of %zu training rows leaves none", n_remove,
                       n);
    if (!values && n_remove)
        return dv__err(err, DV_EINVAL, "rows to remove but no values to choose them by");
    if (probes->n == 0 || probes->d != train->d || test->n == 0 || test->d != train->d)
        return dv__err(err, DV_EINVAL, "the probes or the test split are empty or do not match "
                                       "the training data");
    if (target >= train->n_classes)
        return dv__err(err, DV_EINVAL, "target class %zu: the data has %zu classes", target,
                       train->n_classes);
    for (size_t i = 0; values && i < n; i++)
        if (values[i] != values[i])
            return dv__err(err, DV_EINVAL, "value of row %zu is NaN", i);
    size_t *order = dv__malloc(n * sizeof *order);
    unsigned char *drop = dv__calloc(n, 1);
    int64_t *rows = dv__malloc(n * sizeof *rows);
    int *lab = dv__malloc(probes->n * sizeof *lab);
    int rc = !order || !drop || !rows || !lab ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    if (!rc && values && dv__argsort(values, n, order))
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    dv_model *m = NULL;
    if (!rc) {
        for (size_t k = 0; k < n_remove; k++)
            drop[order[k]] = 1;
        /* the rows kept, in their own order */
        size_t nk = 0;
        for (size_t i = 0; i < n; i++)
            if (!drop[i])
                rows[nk++] = (int64_t)i;
        rc = dv_model_fit(&m, lp, train, rows, nk, NULL, err);
        if (rc == DV_ENOTCONV)
            rc = dv__err(err, rc, "the fit without the %zu lowest-valued rows did not converge",
                         n_remove);
    }
    if (!rc)
        rc = dv_model_labels(m, probes->X, probes->n, probes->d, lab, err);
    if (!rc) {
        size_t hit = 0;
        for (size_t i = 0; i < probes->n; i++)
            hit += (size_t)lab[i] == target;
        *success = (double)hit / (double)probes->n;
        rc = dv_model_score(m, test, DV_METRIC_ACCURACY, accuracy);
        if (rc)
            rc = dv__err(err, rc, "scoring on the test split failed");
    }
    dv_model_free(m);
    dv__free(order);
    dv__free(drop);
    dv__free(rows);
    dv__free(lab);
    return rc;
}

int dv_poison_write(const char *path, const dv_dataset *train, const dv_poison_params *p,
                    const dv_poison_kind *kinds, size_t n_kinds, dv_error *err)
{
    size_t n = train->n, d = train->d;
    unsigned char *is_p = dv__malloc(n ? n : 1);
    if (!is_p)
        return dv__err(err, DV_ENOMEM, "out of memory");
    char tmp[4352];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f) {
        dv__free(is_p);
        return err ? err->code : DV_EIO;
    }
    fputs("attack,point,source_row,label_before,label_after", f);
    for (size_t j = 0; j < d; j++) {
        fputc(',', f);
        dv__csv_field(f, train->col_names[j]);
    }
    fputc('\n', f);
    int rc = DV_OK;
    char buf[32];
    for (size_t a = 0; a < n_kinds && !rc; a++) {
        dv_poison_params q = *p;
        q.kind = kinds[a];
        dv_dataset *pz;
        if ((rc = dv_poison_inject(train, &q, &pz, is_p, err)))
            break;
        for (size_t i = 0; i < n; i++) {
            if (!is_p[i])
                continue;
            fprintf(f, "%s,%zu,%lld,", dv_poison_kind_name(q.kind), i,
                    (long long)train->src_rows[i]);
            dv__csv_field(f, train->class_names[(size_t)train->y[i]]);
            fputc(',', f);
            dv__csv_field(f, train->class_names[(size_t)pz->y[i]]);
            for (size_t j = 0; j < d; j++) {
                dv__fmt_double(buf, sizeof buf, pz->X[i * d + j]);
                fprintf(f, ",%s", buf);
            }
            fputc('\n', f);
        }
        dv_dataset_free(pz);
    }
    dv__free(is_p);
    if (rc) {
        fclose(f);
        remove(tmp);
        return rc;
    }
    return dv__out_commit(f, tmp, path, err);
}
