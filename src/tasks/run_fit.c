/*
 * run_fit.c -- the laws of a finished run by a named estimator (mle,
 * law_eb or amortized), written to scaling.csv with a record of the
 * estimator and its settings beside it: what `dval fit RUN_DIR` does, for
 * any caller.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char *const FIT_NAMES[] = {"mle", "law_eb", "amortized"};

const char *dv_fit_estimator_name(dv_fit_estimator e)
{
    return (unsigned)e < 3 ? FIT_NAMES[e] : "?";
}

int dv_fit_estimator_from_name(const char *name, dv_fit_estimator *out)
{
    for (int e = 0; e < 3; e++)
        if (name && strcmp(name, FIT_NAMES[e]) == 0) {
            *out = (dv_fit_estimator)e;
            return DV_OK;
        }
    return DV_EINVAL;
}

void dv_fit_params_default(dv_fit_params *p)
{
    memset(p, 0, sizeof *p);
    p->estimator = DV_FIT_MLE;
    dv_amortized_params_default(&p->amortized);
}

/* Where the fit's record goes: OUT.csv -> OUT.json, else OUT.json. */
static void record_path(char *buf, size_t len, const char *csv)
{
    size_t n = strlen(csv);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        snprintf(buf, len, "%.*s.json", (int)(n - 4), csv);
    else
        snprintf(buf, len, "%s.json", csv);
}

/* The record of a fit: the estimator and its settings, so that a reader of
 * the CSV knows which estimator made the laws. */
static int write_record(const char *csv, const dv_fit_params *p, const dv_amortized_params *ap,
                        const char *model, dv_error *err)
{
    char path[4300], tmp[4400];
    record_path(path, sizeof path, csv);
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "{\n  \"estimator\": \"%s\",\n  \"version\": \"%s\"",
            dv_fit_estimator_name(p->estimator), dv_version_string());
    if (p->estimator == DV_FIT_LAW_EB)
        fprintf(f, ",\n  \"neighbors\": %zu", p->neighbors);
    if (ap) {
        fprintf(f, ",\n  \"hidden\": [");
        for (size_t l = 0; l < ap->n_hidden; l++)
            fprintf(f, "%s%zu", l ? ", " : "", ap->hidden[l]);
        fprintf(f, "],\n  \"epochs\": %d,\n  \"batch_size\": %zu,\n  \"lr\": %.17g,\n"
                   "  \"lr_min\": %.17g,\n  \"warmup\": %d,\n  \"weight_decay\": %.17g,\n"
                   "  \"clip\": %.17g,\n  \"held_out\": %.17g,\n  \"patience\": %d,\n"
                   "  \"pretrain_epochs\": %d,\n  \"pretrained\": %s,\n  \"k_ref\": %.17g,\n"
                   "  \"seed\": %llu",
                ap->epochs, ap->batch_size, ap->lr, ap->lr_min, ap->warmup, ap->weight_decay,
                ap->clip, ap->val_fraction, ap->patience, ap->pretrain_epochs,
                ap->pretrain ? "true" : "false", ap->k_ref, (unsigned long long)ap->seed);
        fprintf(f, ",\n  \"law_model\": ");
        dv__json_string(f, model);
    }
    fprintf(f, "\n}\n");
    return dv__out_commit(f, tmp, path, err);
}

int dv_run_fit_write(const dv_run *r, const dv_fit_params *p, dv_law *laws, dv_error *err)
{
    if ((unsigned)p->estimator > DV_FIT_AMORTIZED)
        return dv__err(err, DV_EINVAL, "unknown estimator %d", (int)p->estimator);
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points;
    char csv[4200], model[4200];
    if (p->out)
        snprintf(csv, sizeof csv, "%s", p->out);
    else if (dv__path_in(csv, sizeof csv, dv_run_dir(r), "scaling.csv"))
        return dv__err(err, DV_EINVAL, "run directory path too long");
    if (p->law_model)
        snprintf(model, sizeof model, "%s", p->law_model);
    else if (dv__path_in(model, sizeof model, dv_run_dir(r), "law_model.bin"))
        return dv__err(err, DV_EINVAL, "run directory path too long");
    if (p->estimator == DV_FIT_MLE) {
        int rc = dv_run_fit(r, p->n_threads, csv, laws, err);
        return rc ? rc : write_record(csv, p, NULL, NULL, err);
    }
    /* law_eb with neighbours and amortized need the points' features */
    int need_data = p->estimator == DV_FIT_AMORTIZED || p->neighbors > 0;
    dv_dataset *tr = NULL, *va = NULL, *te = NULL;
    const dv_dataset *train = p->train;
    int rc = DV_OK;
    if (need_data && !train) {
        rc = dv_run_load_data(r, p->data_path, &tr, &va, &te, err);
        if (rc) {
            if (err) {
                size_t n = strlen(err->msg);
                snprintf(err->msg + n, sizeof err->msg - n, " (the %s estimator needs the run's "
                         "data)", dv_fit_estimator_name(p->estimator));
            }
            return rc;
        }
        train = tr;
    }
    const char **labels = dv__malloc((P ? P : 1) * sizeof *labels);
    double *v = dv__malloc((P ? P : 1) * sizeof *v);
    if (!labels || !v)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < P; i++)
        labels[i] = dv_run_label(r, i);
    dv_amortized_params ap = p->amortized;
    if (!rc && p->estimator == DV_FIT_AMORTIZED) {
        /* the hidden layers start as a classifier of the training split */
        ap.pretrain = dv_dataset_classes(train) ? train : NULL;
        dv_law_model *m = NULL;
        rc = dv_run_fit_amortized(r, train, 0, &ap, laws, &m, err);
        if (!rc)
            rc = dv_law_model_write(m, model, err);
        dv_law_model_free(m);
    } else if (!rc) {
        dv_estimators_options o;
        dv_estimators_options_default(&o);
        o.train = p->neighbors ? train : NULL;
        o.eb_neighbors = p->neighbors;
        o.n_threads = p->n_threads;
        rc = dv_run_estimate(r, I->n_samples, DV_EST_LAW_EB, &o, v, laws, err);
    }
    if (!rc)
        rc = dv_scaling_write(csv, P, dv_run_points(r), labels, laws, err);
    if (!rc)
        rc = write_record(csv, p, p->estimator == DV_FIT_AMORTIZED ? &ap : NULL, model, err);
    dv__free(labels);
    dv__free(v);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    return rc;
}
