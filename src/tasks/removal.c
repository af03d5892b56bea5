/*
 * removal.c -- the point-removal task (Ghorbani & Zou, "Data Shapley", ICML
 * 2019): retrain after removing the most and, separately, the least
 * valuable points in bins, and score each model on held-out data.  Good
 * values make the first curve fall fast and the second hold or rise.
 */
#include "internal.h"


int dv_removal_curve(const dv_dataset *train, const dv_dataset *test, const dv_learner_params *lp,
                     dv_metric metric, const double *values, size_t bin, size_t n_steps,
                     double *high, double *low, dv_error *err)
{
    size_t n = train->n;
    if (bin == 0 || n_steps * bin > n)
        return dv__err(err, DV_EINVAL, "%zu steps of %zu rows do not fit in %zu training rows",
                       n_steps, bin, n);
    if (test->n == 0 || test->d != train->d || test->task != train->task)
        return dv__err(err, DV_EINVAL, "the test split is empty or does not match the training data");
    size_t *r = dv__malloc((n ? n : 1) * sizeof *r);
    int64_t *rows = dv__malloc((n ? n : 1) * sizeof *rows);
    if (!r || !rows) {
        dv__free(r);
        dv__free(rows);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (values[i] != values[i]) {
            dv__free(r);
            dv__free(rows);
            return dv__err(err, DV_EINVAL, "value of row %zu is NaN", i);
        }
    }
    int rc = dv__argsort(values, n, r) ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    for (size_t s = 0; s <= n_steps && !rc; s++) {
        size_t keep = n - s * bin;
        for (int side = 0; side < 2 && !rc; side++) {
            /* side 0: drop the highest (keep the lowest `keep`); side 1: drop the lowest. */
            for (size_t k = 0; k < keep; k++)
                rows[k] = (int64_t)(side == 0 ? r[k] : r[n - keep + k]);
            dv_model *m = NULL;
            double u = 0;
            rc = dv_model_fit(&m, lp, train, rows, keep, NULL, err);
            if (rc == DV_ENOTCONV)
                rc = dv__err(err, rc, "a fit after removing %zu rows did not converge", s * bin);
            if (!rc)
                rc = dv_model_score(m, test, metric, &u);
            dv_model_free(m);
            (side == 0 ? high : low)[s] = u;
        }
    }
    dv__free(r);
    dv__free(rows);
    return rc;
}
