/*
 * oob.c -- Data-OOB: the value of a training point is the mean score of
 * the bagged models that did not see it (Kwon & Zou, "Data-OOB: Out-of-bag
 * Estimate as a Simple and Efficient Data Value", ICML 2023).
 *
 * Model b (b = 0..B-1, B = p->max_samples) is p->learner fitted on a
 * bootstrap sample of m = round(p->oob_fraction * n) rows drawn with
 * replacement (repeats count) from dv_rng stream (p->seed, b): m draws
 * dv_rng_below(n), then one dv_rng_next whose value, XORed into
 * p->learner.seed, seeds the model's own randomness (the feature subsets
 * of a tree with max_features: bagged trees so form a random forest).
 * Then
 *
 *     value_i = sum_b 1[i out of bag b] T(y_i, f_b(x_i)) / sum_b 1[i out of bag b]
 *
 * with T = 1[y_i == argmax of the predicted probabilities] (ties to the
 * lowest class) for classification and -(y_i - f_b(x_i))^2 for regression.
 * A row that is out of bag for no model gets the mean value of the rows
 * that were; 0 when no row ever was.
 *
 * Determinism: the models of a block of OOB_BLOCK are fitted in parallel
 * (p->n_threads) and their out-of-bag scores stored; the block is then
 * added up serially in the order of b, so the values are identical bit for
 * bit for any thread count.  B is fixed: the stopping rules of the
 * sampling methods (min_samples, max_seconds, rhat, ...) do not apply.
 */
#include "methods.h"

#include <math.h>
#include <omp.h>
#include <string.h>


/* Fits model b and writes, for each training row, whether it is out of bag
 * (oob[i]) and then its score (score[i]). */
static int oob_model(const dv_dataset *train, const dv_value_params *p, size_t b, size_t m,
                     double *score, unsigned char *oob, dv_error *err)
{
    size_t n = train->n;
    dv_rng r;
    dv_rng_seed(&r, p->seed, (uint64_t)b);
    int64_t *rows = dv__malloc((m ? m : 1) * sizeof *rows);
    if (!rows)
        return dv__err(err, DV_ENOMEM, "out of memory");
    memset(oob, 1, n);
    for (size_t k = 0; k < m; k++) {
        rows[k] = (int64_t)dv_rng_below(&r, (uint64_t)n);
        oob[rows[k]] = 0;
    }
    dv_learner_params lp = p->learner;
    lp.seed = p->learner.seed ^ dv_rng_next(&r);
    dv_model *model = NULL;
    int rc = dv_model_fit(&model, &lp, train, rows, m, NULL, err);
    dv__free(rows);
    if (rc == DV_ENOTCONV)
        rc = DV_OK; /* the model is still usable, as for the other methods */
    if (rc != DV_OK)
        return rc;

    /* Score the out-of-bag rows only. */
    rc = dv__self_scores(model, train, oob, score, err);
    dv_model_free(model);
    return rc;
}

typedef struct {
    const dv_dataset *train;
    const dv_value_params *p;
    size_t m;     /* bootstrap size */
    double *sum;  /* per row: the scores of the models it was out of bag for */
    size_t *cnt;
} oob_ctx;

static int oob_fit(void *ctx, size_t b, double *score, unsigned char *oob, dv_error *err)
{
    const oob_ctx *x = ctx;
    return oob_model(x->train, x->p, b, x->m, score, oob, err);
}

static void oob_add(void *ctx, const double *score, const unsigned char *oob)
{
    oob_ctx *x = ctx;
    for (size_t i = 0; i < x->train->n; i++)
        if (oob[i]) {
            x->sum[i] += score[i];
            x->cnt[i]++;
        }
}

int dv__data_oob(const dv_dataset *train, const dv_value_params *p, double *values,
                 dv_value_info *info, dv_error *err)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!train || !p || (!values && train && train->n))
        return dv__err(err, DV_EINVAL, "data-oob: training data, parameters and an output "
                                       "are required");
    const char *why = dv_learner_params_check(&p->learner);
    if (why)
        return dv__err(err, DV_EINVAL, "data-oob: learner: %s", why);
    size_t B = p->max_samples, n = train->n;
    if (B == 0)
        return dv__err(err, DV_EINVAL, "data-oob: max_samples (the number of models) must be "
                                       ">= 1");
    if (!(p->oob_fraction > 0) || !isfinite(p->oob_fraction))
        return dv__err(err, DV_EINVAL, "data-oob: oob_fraction must be a finite number > 0");
    double mm = round(p->oob_fraction * (double)n);
    if (mm > 1e9)
        return dv__err(err, DV_EINVAL, "data-oob: bootstrap of %.0f rows is too large", mm);
    size_t m = (size_t)mm;
    if (n == 0)
        return DV_OK;

    double t0 = omp_get_wtime();
    oob_ctx x = {train, p, m, dv__calloc(n, sizeof(double)), dv__calloc(n, sizeof(size_t))};
    double *sum = x.sum;
    size_t *cnt = x.cnt;
    int rc = DV_OK;
    if (!sum || !cnt) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = dv__model_blocks(B, n, p->n_threads, p->comm, oob_fit, oob_add, &x, "data-oob", NULL, NULL,
                               err)))
        goto done;
    double mean = 0.0;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++)
        if (cnt[i]) {
            values[i] = sum[i] / (double)cnt[i];
            mean += values[i];
            seen++;
        }
    mean = seen ? mean / (double)seen : 0.0;
    for (size_t i = 0; i < n; i++)
        if (!cnt[i])
            values[i] = mean;
    if (info) {
        info->samples = B;
        info->utility_calls = B;
        info->seconds = omp_get_wtime() - t0;
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)B;
    }

done:
    dv__free(sum);
    dv__free(cnt);
    return rc;
}
