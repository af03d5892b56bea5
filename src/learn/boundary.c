/*
 * boundary.c -- distance of training rows to the decision boundary of a
 * binary logistic regression fitted on all of them, |w.x + b| / ||w||
 * (the distance figure of the scaling-law study).
 */
#include "internal.h"

#include <math.h>

int dv_boundary_distance(const dv_dataset *train, const dv_learner_params *lp,
                         const int64_t *rows, size_t n, double *out, dv_error *err)
{
    if (!train || !lp || !out)
        return dv__err(err, DV_EINVAL, "boundary distance: missing argument");
    if (lp->kind != DV_LEARNER_LOGREG || train->task != DV_TASK_CLASSIFICATION ||
        train->n_classes != 2)
        return dv__err(err, DV_EINVAL,
                       "boundary distance: needs binary logistic regression (data has %zu "
                       "classes)",
                       train->n_classes);
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, lp, train, NULL, 0, NULL, err);
    if (rc != DV_OK) {
        dv_model_free(m);
        return rc;
    }
    size_t d = train->d;
    double *w = dv__malloc((d + 1) * sizeof *w);
    if (!w) {
        dv_model_free(m);
        return dv__err(err, DV_ENOMEM, "boundary distance: out of memory");
    }
    dv_model_coef(m, w, d + 1);
    dv_model_free(m);
    double nw = 0;
    for (size_t j = 0; j < d; j++)
        nw += w[j] * w[j];
    nw = sqrt(nw);
    if (!(nw > 0)) {
        dv__free(w);
        return dv__err(err, DV_EDEGEN, "boundary distance: the fitted weights are all zero");
    }
    size_t cnt = rows ? n : train->n;
    for (size_t i = 0; i < cnt; i++) {
        int64_t r = rows ? rows[i] : (int64_t)i;
        if (r < 0 || (size_t)r >= train->n) {
            dv__free(w);
            return dv__err(err, DV_EINVAL, "boundary distance: row %lld out of range (%zu rows)",
                           (long long)r, train->n);
        }
        double t = w[d];
        for (size_t j = 0; j < d; j++)
            t += w[j] * train->X[(size_t)r * d + j];
        out[i] = fabs(t) / nw;
    }
    dv__free(w);
    return DV_OK;
}
