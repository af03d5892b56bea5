/*
 * selfscore.c -- how well a model predicts the training rows themselves:
 * the per-row score shared by Data-OOB (out-of-bag rows), memorization
 * (every row, in or out of the subset) and forgetting (every row, after
 * each epoch).
 */
#include "methods.h"

#include <omp.h>
#include <string.h>

#define MODEL_BLOCK 32 /* models stored at once; fixed, independent of the threads */

/* Over several processes: the models of a block as work items, each
 * model's scores and mask sent to every process. */
typedef struct {
    dv__model_fn fit;
    void *ctx;
    size_t b0, n;
    double *score;
    unsigned char *mask;
    const char *what;
} block_job;

static int block_item(void *vctx, void *state, size_t j, dv_error *err)
{
    (void)state;
    block_job *x = vctx;
    dv_error e = {0};
    int rc = x->fit(x->ctx, x->b0 + j, x->score + j * x->n, x->mask + j * x->n, &e);
    return rc ? dv__err(err, rc, "%s: model %zu: %s", x->what, x->b0 + j, e.msg) : DV_OK;
}

static size_t block_spans(void *vctx, size_t j, dv__span *sp)
{
    block_job *x = vctx;
    sp[0] = (dv__span){x->score + j * x->n, x->n, sizeof(double), sizeof(double)};
    sp[1] = (dv__span){x->mask + j * x->n, x->n, 1, 1};
    return 2;
}

int dv__model_blocks(size_t B, size_t n, int n_threads, dv_comm *comm, dv__model_fn fit,
                     dv__model_add_fn add, void *ctx, const char *what, dv_progress_fn progress,
                     void *user, dv_error *err)
{
    size_t blk = MODEL_BLOCK;
    int dist = dv__dist_on(comm);
    if (dist) { /* a larger block keeps every process busy; the sums keep their order */
        size_t t = 2 * dv__dist_threads(comm, n_threads);
        blk = t > blk ? t : blk;
    }
    blk = B < blk ? B : blk;
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    double *score = dv__malloc((blk * n + 1) * sizeof *score);
    unsigned char *mask = dv__malloc(blk * n + 1);
    int *rcs = dv__malloc((blk + 1) * sizeof *rcs);
    dv_error *errs = dv__calloc(blk + 1, sizeof *errs);
    int rc = DV_OK;
    if (!score || !mask || !rcs || !errs)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t b0 = 0; !rc && b0 < B; b0 += blk) {
        size_t nb = B - b0 < blk ? B - b0 : blk;
        if (dist) {
            block_job x = {fit, ctx, b0, n, score, mask, what};
            dv__job j = {comm, 0, nb, NULL, 0, 1, n_threads, block_item, block_spans, NULL, &x,
                         NULL, NULL, 0};
            rc = dv__job_run(&j, err);
        } else {
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
            for (size_t j = 0; j < nb; j++)
                rcs[j] = fit(ctx, b0 + j, score + j * n, mask + j * n, &errs[j]);
            for (size_t j = 0; !rc && j < nb; j++)
                if (rcs[j])
                    rc = dv__err(err, rcs[j], "%s: model %zu: %s", what, b0 + j, errs[j].msg);
        }
        for (size_t j = 0; !rc && j < nb; j++) /* the fixed order of the sums: b ascending */
            add(ctx, score + j * n, mask + j * n);
        if (!rc && progress)
            progress(user, b0 + nb, B);
    }
    dv__free(score);
    dv__free(mask);
    dv__free(rcs);
    dv__free(errs);
    return rc;
}

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
            score[i] = (double)(dv__argmax(q, K) == (size_t)ds->y[i]);
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
