/*
 * candidate_values.c -- the value of rows that are not in the training data,
 * each added to it (`dval value --candidates`): leave-one-out as add-one,
 * the game methods with the candidates as players, forgetting and
 * memorization of the candidate, and the out-of-distribution scores; and
 * the pairwise value matrix written as the command writes it.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void dv_candidate_params_default(dv_candidate_params *p)
{
    memset(p, 0, sizeof *p);
    dv_value_params_default(&p->vp, DV_METHOD_LOO);
}

/* The labels of the validation rows by lp fitted on the training data alone. */
static int base_labels(const dv_dataset *train, const dv_dataset *val,
                       const dv_learner_params *lp, int *labels, dv_error *err)
{
    dv_model *f = NULL;
    int rc = dv_model_fit(&f, lp, train, NULL, 0, NULL, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (!rc)
        rc = dv_model_labels(f, dv_dataset_features(val), dv_dataset_rows(val),
                             dv_dataset_cols(val), labels, err);
    dv_model_free(f);
    return rc;
}

/* x as a value where higher is better, without a negative zero. */
static double negate(double x)
{
    return x == 0 ? 0.0 : -x;
}

/* Leave-one-out as add-one: the accuracy gained, or minus the share of
 * validation rows whose label moves from the model on the data alone. */
static int add_one_values(const dv_dataset *train, const dv_dataset *val,
                          const dv_candidate_params *p, const dv_learner_params *lp,
                          const double *cx, const double *cy, size_t nc, double *v,
                          dv_error *err)
{
    size_t nv = dv_dataset_rows(val);
    int *ref = dv__malloc((nv ? nv : 1) * sizeof *ref);
    int *lab = dv__malloc((nv ? nv : 1) * sizeof *lab);
    if (!ref || !lab) {
        dv__free(ref);
        dv__free(lab);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    double base = 0;
    int rc;
    if (p->boundary_mae) {
        rc = base_labels(train, val, lp, ref, err);
    } else { /* the model on the data alone: 1 - its accuracy */
        for (size_t i = 0; i < nv; i++)
            ref[i] = (int)dv_dataset_targets(val)[i];
        rc = base_labels(train, val, lp, lab, err);
        base = dv_label_disagreement(lab, ref, nv);
    }
    if (!rc)
        rc = dv_add_one(train, lp, cx, cy, nc, dv_dataset_features(val), nv, ref, 1, v, NULL,
                        p->vp.n_threads, p->vp.progress, p->vp.progress_user, err);
    for (size_t c = 0; !rc && !p->boundary_mae && c < nc; c++)
        v[c] = base - v[c];
    dv__free(ref);
    dv__free(lab);
    return rc;
}

/* The candidates as the players, added to the training data: U(S) = minus
 * the share of validation rows where the model fitted on the data and S errs
 * (accuracy - 1) or moves (boundary-mae). */
static int game_values(const dv_dataset *train, const dv_dataset *val,
                       const dv_candidate_params *p, const dv_learner_params *lp,
                       const double *cx, const double *cy, size_t nc, double *v,
                       dv_value_info *info, dv_error *err)
{
    size_t nv = dv_dataset_rows(val);
    int *ref = dv__malloc((nv ? nv : 1) * sizeof *ref);
    if (!ref)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < nv; i++)
        ref[i] = (int)dv_dataset_targets(val)[i];
    int rc = p->boundary_mae ? base_labels(train, val, lp, ref, err) : DV_OK;
    dv_game g;
    if (!rc)
        rc = dv_add_game(&g, train, dv_dataset_classes(train), lp, cx, cy, nc,
                         dv_dataset_cols(train), dv_dataset_features(val), nv, ref, err);
    if (!rc) {
        dv_value_params vp = p->vp;
        vp.learner = *lp;
        rc = dv_value_game(&g, &vp, v, NULL, info, err);
        dv_add_game_free(&g);
        for (size_t c = 0; !rc && p->boundary_mae && c < nc; c++)
            v[c] = negate(v[c]); /* the share moved, as loo's */
    }
    dv__free(ref);
    return rc;
}

int dv_value_candidates(const dv_dataset *train, const dv_dataset *val, const double *cx,
                        const double *cy, size_t nc, const dv_candidate_params *p, double *v,
                        dv_value_info *info, dv_error *err)
{
    dv_value_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    info->converged = -1;
    dv_method m = p->vp.method;
    int game = m == DV_METHOD_TMC || m == DV_METHOD_BETA || m == DV_METHOD_BANZHAF ||
               m == DV_METHOD_EXACT_SHAPLEY;
    if (p->ood < 0 || p->ood > 2)
        return dv__err(err, DV_EINVAL, "ood: %d is not 0, 1 (ensemble) or 2 (dropout)", p->ood);
    if (!p->ood && !game && m != DV_METHOD_LOO && m != DV_METHOD_FORGETTING &&
        m != DV_METHOD_MEMORIZATION)
        return dv__err(err, DV_EINVAL, "method '%s' does not value added rows (loo, "
                       "forgetting, memorization, tmc, beta, banzhaf, exact, ood-ensemble, "
                       "ood-dropout do)", dv_method_name(m));
    if (dv_dataset_task(train) != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "the candidate methods are for classification");
    if (p->boundary_mae && (p->ood || (m != DV_METHOD_LOO && !game)))
        return dv__err(err, DV_EINVAL, "the boundary-mae utility applies to loo and the game "
                       "methods");
    for (size_t c = 0; c < nc; c++)
        if (!(cy[c] >= 0 && cy[c] < (double)dv_dataset_classes(train) && cy[c] == (int)cy[c]))
            return dv__err(err, DV_EINVAL, "candidate %zu: label %g is not a class of the "
                           "training data", c, cy[c]);
    dv_learner_params lp = p->vp.learner;
    int mcd = p->ood == 2;
    size_t reps = p->vp.max_samples ? p->vp.max_samples : mcd ? 50 : p->ood ? 10 : 5;
    if (mcd && lp.dropout == 0)
        lp.dropout = 0.2;
    double t0 = dv_clock_seconds();
    int rc;
    if (m == DV_METHOD_LOO && !p->ood) {
        rc = add_one_values(train, val, p, &lp, cx, cy, nc, v, err);
    } else if (game && !p->ood) {
        rc = game_values(train, val, p, &lp, cx, cy, nc, v, info, err);
    } else if (m == DV_METHOD_FORGETTING && !p->ood) {
        if (lp.kind != DV_LEARNER_MLP)
            return dv__err(err, DV_EINVAL, "forgetting needs a learner trained epoch by epoch "
                           "(mlp); %s is fitted in one solve", dv_learner_name(lp.kind));
        size_t E = (size_t)lp.epochs;
        unsigned char *trace = dv__malloc(nc * E + 1);
        if (!trace)
            return dv__err(err, DV_ENOMEM, "out of memory");
        rc = dv_add_one(train, &lp, cx, cy, nc, NULL, 0, NULL, 0, NULL, trace, p->vp.n_threads,
                        p->vp.progress, p->vp.progress_user, err);
        for (size_t c = 0; !rc && c < nc; c++)
            v[c] = negate(dv_forgetting_score(trace + c * E, E, p->vp.forgetting_variant));
        dv__free(trace);
    } else if (m == DV_METHOD_MEMORIZATION && !p->ood) {
        rc = dv_candidate_memorization(train, &lp, cx, cy, nc, reps, p->vp.seed, v,
                                       p->vp.n_threads, p->vp.progress, p->vp.progress_user,
                                       err);
        for (size_t c = 0; !rc && c < nc; c++)
            v[c] = negate(v[c]);
    } else if (mcd) {
        if (lp.kind != DV_LEARNER_MLP)
            return dv__err(err, DV_EINVAL, "ood-dropout needs an mlp learner");
        rc = dv_ood_dropout(train, &lp, cx, nc, reps, p->vp.seed, v, err);
    } else {
        rc = dv_ood_ensemble(train, &lp, cx, nc, reps, p->vp.seed, v, p->vp.n_threads, err);
    }
    if (!game || p->ood) {
        info->samples = game ? 0 : reps;
        info->seconds = dv_clock_seconds() - t0;
    }
    return rc;
}

int dv_pairwise_write(const char *path, const dv_dataset *train, const int64_t *points,
                      size_t m, const double *pv, const double *se, dv_error *err)
{
    size_t len = strlen(path);
    if (len < 5 || strcmp(path + len - 4, ".csv") != 0)
        return dv__err(err, DV_EINVAL, "%s: the pairwise values go to a FILE.csv (and the "
                       "matrix to FILE.npy)", path);
    char npy[4200], tmp[4300];
    if (len > 4000)
        return dv__err(err, DV_EINVAL, "path too long");
    snprintf(npy, sizeof npy, "%.*s.npy", (int)(len - 4), path);
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "a,b,point_a,point_b,source_a,source_b,value,stderr\n");
    const int64_t *src = dv_dataset_source_rows(train);
    for (size_t a = 0; a < m; a++)
        for (size_t b = a; b < m; b++)
            fprintf(f, "%zu,%zu,%lld,%lld,%lld,%lld,%.17g,%.17g\n", a, b, (long long)points[a],
                    (long long)points[b], (long long)src[points[a]], (long long)src[points[b]],
                    pv[a * m + b], se[a * m + b]);
    int rc = dv_npy_write(npy, DV_F64, pv, m, m, err);
    if (rc) {
        fclose(f);
        remove(tmp);
        return rc;
    }
    return dv__out_commit(f, tmp, path, err);
}

int dv_candidates_write(const char *path, size_t n, const double *values, dv_error *err)
{
    char tmp[4300];
    if (strlen(path) > 4000)
        return dv__err(err, DV_EINVAL, "path too long");
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "candidate,value\n");
    for (size_t c = 0; c < n; c++)
        fprintf(f, "%zu,%.17g\n", c, values[c]);
    return dv__out_commit(f, tmp, path, err);
}
