/*
 * selfscore.c -- how well a model predicts the training rows themselves:
 * the per-row score shared by Data-OOB (out-of-bag rows), memorization
 * (every row, in or out of the subset) and forgetting (every row, after
 * each epoch).
 */
#include "methods.h"

#include <string.h>

int dv__self_scores(const dv_model *model, const dv_dataset *ds, const unsigned char *mask,
                    double *score, dv_error *err)
{
    size_t n = ds->n, d = ds->d, m = 0;
    int clf = ds->task == DV_TASK_CLASSIFICATION;
    size_t K = clf ? ds->n_classes : 1;
    for (size_t i = 0; i < n; i++)
        m += !mask || mask[i];
    double *X = mask ? dv__malloc((m ? m : 1) * (d ? d : 1) * sizeof *X) : NULL;
    double *pred = dv__malloc((m ? m : 1) * K * sizeof *pred);
    int rc = DV_OK;
    if ((mask && !X) || !pred) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0, o = 0; mask && i < n; i++)
        if (mask[i])
            memcpy(X + o++ * d, ds->X + i * d, d * sizeof *X);
    if ((rc = dv_model_predict(model, mask ? X : ds->X, m, d, pred)) != DV_OK) {
        rc = dv__err(err, rc, "prediction failed");
        goto done;
    }
    for (size_t i = 0, o = 0; i < n; i++) {
        if (mask && !mask[i]) {
            score[i] = 0.0;
            continue;
        }
        const double *q = pred + o++ * K;
        if (clf) {
            size_t best = 0;
            for (size_t k = 1; k < K; k++)
                if (q[k] > q[best])
                    best = k;
            score[i] = (double)(best == (size_t)ds->y[i]);
        } else {
            double e = ds->y[i] - q[0];
            score[i] = -(e * e);
        }
    }
done:
    dv__free(X);
    dv__free(pred);
    return rc;
}
