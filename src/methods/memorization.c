/*
 * memorization.c -- subsampled memorization (Feldman & Zhang, "What Neural
 * Networks Memorize and Why", NeurIPS 2020):
 *
 *     mem_i = P[f_S(x_i) correct | i in S] - P[f_S(x_i) correct | i not in S]
 *
 * over models f_S of p->learner fitted on uniform subsets S of
 * s = floor(p->mem_fraction * n) rows (at least 1, at most n - 1).
 * Model b (b = 0..B-1, B = p->max_samples) draws its subset as the first s
 * of a partial Fisher-Yates shuffle of 0..n-1 with dv_rng stream
 * (p->seed, b), then one dv_rng_next XORed into p->learner.seed.  Every
 * row is scored by every model (dv__self_scores: correct or not for
 * classification, minus the squared error for regression), and the two
 * conditional means are the means over the models whose subset held the
 * row and over those whose subset did not.  The standard error is
 * sqrt(v_in / B_in + v_out / B_out) from the two groups' sample variances
 * (NaN when a group has fewer than 2 models; the value is then 0 when a
 * group is empty).
 *
 * A high memorization marks a row that is predicted correctly only when
 * it is trained on: atypical or mislabeled.  Since dval's values are
 * "higher = more valuable", the value is -mem_i.  Models are fitted in
 * parallel blocks and added up in the order of b: the same bits for any
 * thread count.
 */
#include "methods.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#define MEM_BLOCK 32 /* models stored at once; fixed, independent of the threads */

/* Model b: its subset into in[0..n-1] (1 = in S), its scores of every row. */
static int mem_model(const dv_dataset *train, const dv_value_params *p, size_t b, size_t s,
                     unsigned char *in, double *score, dv_error *err)
{
    size_t n = train->n;
    int64_t *idx = dv__malloc(n * sizeof *idx);
    if (!idx)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_rng g;
    dv_rng_seed(&g, p->seed, (uint64_t)b);
    for (size_t i = 0; i < n; i++)
        idx[i] = (int64_t)i;
    for (size_t t = 0; t < s; t++) {
        size_t u = t + (size_t)dv_rng_below(&g, (uint64_t)(n - t));
        int64_t tmp = idx[t];
        idx[t] = idx[u];
        idx[u] = tmp;
    }
    memset(in, 0, n);
    for (size_t t = 0; t < s; t++)
        in[idx[t]] = 1;
    dv_learner_params lp = p->learner;
    lp.seed = p->learner.seed ^ dv_rng_next(&g);
    dv_model *model = NULL;
    int rc = dv_model_fit(&model, &lp, train, idx, s, NULL, err);
    dv__free(idx);
    if (rc == DV_ENOTCONV)
        rc = DV_OK; /* the model is still usable, as for the other methods */
    if (!rc)
        rc = dv__self_scores(model, train, NULL, score, err);
    dv_model_free(model);
    return rc;
}

int dv__memorization(const dv_dataset *train, const dv_value_params *p, double *values,
                     double *stderrs, dv_value_info *info, dv_error *err)
{
    size_t B = p->max_samples, n = train->n;
    if (B == 0)
        return dv__err(err, DV_EINVAL, "memorization: max_samples (the number of models) must "
                                       "be >= 1");
    if (!(p->mem_fraction > 0 && p->mem_fraction < 1))
        return dv__err(err, DV_EINVAL, "memorization: the subset fraction %g is not in (0, 1)",
                       p->mem_fraction);
    if (n < 2)
        return dv__err(err, DV_EINVAL, "memorization needs at least 2 training rows");
    size_t s = (size_t)floor(p->mem_fraction * (double)n);
    s = s < 1 ? 1 : s > n - 1 ? n - 1 : s;
    size_t blk = B < MEM_BLOCK ? B : MEM_BLOCK;
    int nth = p->n_threads > 0 ? p->n_threads : omp_get_max_threads();
    /* sums[4 * i + 0..3]: in-sum, in-sum of squares, out-sum, out-sum of squares */
    double *sums = dv__calloc(4 * n, sizeof *sums);
    size_t *cnt = dv__calloc(n, sizeof *cnt); /* models whose subset held row i */
    double *score = dv__malloc(blk * n * sizeof *score);
    unsigned char *in = dv__malloc(blk * n);
    int *rcs = dv__malloc(blk * sizeof *rcs);
    dv_error *errs = dv__calloc(blk, sizeof *errs);
    int rc = DV_OK;
    if (!sums || !cnt || !score || !in || !rcs || !errs) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t b0 = 0; b0 < B; b0 += blk) {
        size_t nb = B - b0 < blk ? B - b0 : blk;
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
        for (size_t j = 0; j < nb; j++)
            rcs[j] = mem_model(train, p, b0 + j, s, in + j * n, score + j * n, &errs[j]);
        for (size_t j = 0; j < nb; j++)
            if (rcs[j]) {
                rc = dv__err(err, rcs[j], "memorization: model %zu: %s", b0 + j, errs[j].msg);
                goto done;
            }
        for (size_t j = 0; j < nb; j++) /* the fixed order of the sums: b ascending */
            for (size_t i = 0; i < n; i++) {
                double v = score[j * n + i];
                int k = in[j * n + i] ? 0 : 2;
                sums[4 * i + k] += v;
                sums[4 * i + k + 1] += v * v;
                cnt[i] += in[j * n + i];
            }
        if (p->progress)
            p->progress(p->progress_user, b0 + nb, B);
    }
    for (size_t i = 0; i < n; i++) {
        double ni = (double)cnt[i], no = (double)(B - cnt[i]);
        double mi = ni ? sums[4 * i] / ni : 0, mo = no ? sums[4 * i + 2] / no : 0;
        /* sample variances from the sums (scores are 0/1 or bounded errors) */
        double vi = ni > 1 ? (sums[4 * i + 1] - ni * mi * mi) / (ni - 1) : NAN;
        double vo = no > 1 ? (sums[4 * i + 3] - no * mo * mo) / (no - 1) : NAN;
        double mem = ni && no ? mi - mo : 0.0;
        values[i] = mem == 0 ? 0.0 : -mem;
        if (stderrs)
            stderrs[i] = ni > 1 && no > 1 ? sqrt(fmax(vi, 0) / ni + fmax(vo, 0) / no) : NAN;
    }
    if (info) {
        info->samples = B;
        info->utility_calls = B;
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)B;
    }
done:
    dv__free(sums);
    dv__free(cnt);
    dv__free(score);
    dv__free(in);
    dv__free(rcs);
    dv__free(errs);
    return rc;
}
