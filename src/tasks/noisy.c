/*
 * noisy.c -- the mislabeled-point task: seeded label flips, and how well a
 * valuation ranks the flipped points lowest (F1 of the exact 1-D 2-means
 * split, as OpenDataVal scores it; AUROC; recall among the lowest values).
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int dv_flip_labels(dv_dataset *ds, double rho, uint64_t seed, int64_t *flipped,
                   size_t *n_flipped, dv_error *err)
{
    if (n_flipped)
        *n_flipped = 0;
    if (ds->task != DV_TASK_CLASSIFICATION || ds->n_classes < 2)
        return dv__err(err, DV_EINVAL, "label noise needs a classification data set with 2+ classes");
    if (!(rho >= 0 && rho <= 1))
        return dv__err(err, DV_EINVAL, "noise rate %g is not in [0, 1]", rho);
    size_t n = ds->n, m = (size_t)llround(rho * (double)n);
    int64_t *idx = dv__malloc((n ? n : 1) * sizeof *idx);
    unsigned char *mark = dv__calloc(n ? n : 1, 1);
    if (!idx || !mark) {
        dv__free(idx);
        dv__free(mark);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (int64_t)i;
    dv_rng r;
    dv_rng_seed(&r, seed, 0x4e4f495345ULL); /* "NOISE" */
    for (size_t t = 0; t < m; t++) {
        size_t u = t + (size_t)dv_rng_below(&r, n - t);
        int64_t tmp = idx[t];
        idx[t] = idx[u];
        idx[u] = tmp;
        size_t row = (size_t)idx[t];
        size_t shift = 1 + (size_t)dv_rng_below(&r, ds->n_classes - 1);
        ds->y[row] = (double)(((size_t)ds->y[row] + shift) % ds->n_classes);
        mark[row] = 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i] && flipped)
            flipped[k++] = (int64_t)i;
    if (n_flipped)
        *n_flipped = m;
    dv__free(idx);
    dv__free(mark);
    return DV_OK;
}

int dv_detection_eval(const double *values, const unsigned char *is_noisy, size_t n,
                      dv_detection *out, dv_error *err)
{
    memset(out, 0, sizeof *out);
    if (n < 2)
        return dv__err(err, DV_EINVAL, "need at least 2 values");
    size_t *o = dv__malloc(n * sizeof *o);
    double *a = dv__malloc(n * sizeof *a);
    double *pre = dv__malloc((n + 1) * sizeof *pre), *pre2 = dv__malloc((n + 1) * sizeof *pre2);
    if (!o || !a || !pre || !pre2) {
        dv__free(o);
        dv__free(a);
        dv__free(pre);
        dv__free(pre2);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    size_t noisy = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) {
            dv__free(o);
            dv__free(a);
            dv__free(pre);
            dv__free(pre2);
            return dv__err(err, DV_EINVAL, "value %zu is not finite", i);
        }
        noisy += is_noisy[i] != 0;
    }
    if (dv__argsort(values, n, o)) {
        dv__free(o);
        dv__free(a);
        dv__free(pre);
        dv__free(pre2);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        a[i] = values[o[i]];
    /* Exact 1-D 2-means: the best cut of the sorted values, between two
     * distinct values, by within-cluster sum of squares from prefix sums. */
    pre[0] = pre2[0] = 0;
    for (size_t i = 0; i < n; i++) {
        pre[i + 1] = pre[i] + a[i];
        pre2[i + 1] = pre2[i] + a[i] * a[i];
    }
    double best = INFINITY;
    size_t cut = n; /* all values equal: nothing predicted noisy */
    for (size_t s = 1; s < n; s++) {
        if (a[s] == a[s - 1])
            continue;
        double sl = pre[s], sr = pre[n] - pre[s];
        double sse = (pre2[s] - sl * sl / (double)s) + (pre2[n] - pre2[s] - sr * sr / (double)(n - s));
        if (sse < best) {
            best = sse;
            cut = s;
        }
    }
    size_t tp = 0;
    if (cut < n) {
        for (size_t s = 0; s < cut; s++)
            tp += is_noisy[o[s]] != 0;
        out->n_predicted = cut;
        out->threshold = a[cut - 1];
    } else {
        out->n_predicted = 0;
        out->threshold = -INFINITY;
    }
    size_t fp = out->n_predicted - tp, fn = noisy - tp;
    out->f1 = 2 * tp + fp + fn ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
    /* AUROC by Mann-Whitney with average ranks for ties. */
    double rank_sum = 0;
    for (size_t s = 0; s < n;) {
        size_t e = s;
        while (e + 1 < n && a[e + 1] == a[s])
            e++;
        double r = (double)(s + e) / 2.0 + 1.0;
        for (size_t t = s; t <= e; t++)
            if (is_noisy[o[t]])
                rank_sum += r;
        s = e + 1;
    }
    double nn = (double)noisy, nc = (double)(n - noisy);
    /* Noisy points should rank low: AUROC = P(noisy < clean). */
    out->auroc = noisy && noisy < n ? 1.0 - (rank_sum - nn * (nn + 1) / 2) / (nn * nc) : NAN;
    size_t hit = 0;
    for (size_t s = 0; s < noisy; s++)
        hit += is_noisy[o[s]] != 0;
    out->recall = noisy ? (double)hit / nn : NAN;
    dv__free(o);
    dv__free(a);
    dv__free(pre);
    dv__free(pre2);
    return DV_OK;
}
