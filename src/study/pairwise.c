/*
 * pairwise.c -- pairwise data values, the 2-D study's proposal ("Towards
 * Understanding Data Values: Empirical Results on Synthetic Data"): how
 * much the predictions on a subset's own rows change when two points leave
 * it together, averaged over subsets.  Points that can stand in for each
 * other (a cluster) or that hold the boundary between them (a point and its
 * "counter-point" across the boundary) show up as strong pairs.
 *
 * Subset s (a work item) is drawn row by row, each row in with probability
 * 1/2 from stream (seed, s), or is the s-th bit pattern when enumerating.
 * For it: f_T, then f_{T - i} for each chosen point i in T, then
 * f_{T - {i, j}} for each pair with both in T (a pair with one point in T
 * reuses that point's single removal; a pair with none contributes 0).
 * Each item writes its own m x m contribution; they are added up in the
 * order of s, so the result does not depend on the thread count.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

typedef struct {
    const dv_dataset *train;
    const dv_learner_params *lp;
    const int64_t *points;
    size_t m, n_samples;
    uint64_t seed;
    double *contrib; /* items x m x m */
    dv_progress_fn progress;
    void *user;
    uint64_t done, total;
} pair_ctx;

/* The labels of lp fitted on rows[0..n-1] at the rows T[0..nt-1] of train. */
static int fit_labels(const pair_ctx *x, const int64_t *rows, size_t n, const double *XT,
                      size_t nt, int *labels, dv_error *err)
{
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, x->lp, x->train, rows, n, NULL, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK;
    if (!rc)
        rc = dv_model_labels(m, XT, nt, x->train->d, labels, err);
    dv_model_free(m);
    return rc;
}

static size_t changed(const int *a, const int *b, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += a[i] != b[i];
    return k;
}

static int pair_item(void *vctx, void *state, size_t s, dv_error *err)
{
    (void)state;
    pair_ctx *x = vctx;
    const dv_dataset *tr = x->train;
    size_t n = tr->n, d = tr->d, m = x->m;
    double *out = x->contrib + s * m * m;
    memset(out, 0, m * m * sizeof *out);
    int64_t *T = dv__malloc(n * sizeof *T), *R = dv__malloc(n * sizeof *R);
    unsigned char *in = dv__calloc(n, 1);
    double *XT = dv__malloc((n * d + 1) * sizeof *XT);
    int *base = dv__malloc(n * sizeof *base), *one = dv__malloc((m * n + 1) * sizeof *one);
    int *two = dv__malloc(n * sizeof *two);
    int rc = DV_OK;
    if (!T || !R || !in || !XT || !base || !one || !two) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if (x->n_samples) {
        dv_rng g;
        dv_rng_seed(&g, x->seed, (uint64_t)s);
        for (size_t i = 0; i < n; i++)
            in[i] = (dv_rng_next(&g) >> 63) != 0;
    } else {
        for (size_t i = 0; i < n; i++)
            in[i] = (s >> i) & 1;
    }
    size_t nt = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i]) {
            memcpy(XT + nt * d, tr->X + i * d, d * sizeof *XT);
            T[nt++] = (int64_t)i;
        }
    if ((rc = fit_labels(x, T, nt, XT, nt, base, err)))
        goto done;
    /* single removals: one[a * n ..] for the chosen points in T */
    for (size_t a = 0; a < m; a++) {
        int64_t ia = x->points[a];
        if (!in[ia])
            continue;
        size_t k = 0;
        for (size_t t = 0; t < nt; t++)
            if (T[t] != ia)
                R[k++] = T[t];
        if ((rc = fit_labels(x, R, k, XT, nt, one + a * n, err)))
            goto done;
        out[a * m + a] = (double)changed(base, one + a * n, nt);
    }
    for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++) {
            int64_t ia = x->points[a], ib = x->points[b];
            size_t c;
            if (!in[ia] && !in[ib]) {
                c = 0;
            } else if (!in[ib]) {
                c = changed(base, one + a * n, nt);
            } else if (!in[ia]) {
                c = changed(base, one + b * n, nt);
            } else {
                size_t k = 0;
                for (size_t t = 0; t < nt; t++)
                    if (T[t] != ia && T[t] != ib)
                        R[k++] = T[t];
                if ((rc = fit_labels(x, R, k, XT, nt, two, err)))
                    goto done;
                c = changed(base, two, nt);
            }
            out[a * m + b] = out[b * m + a] = (double)c;
        }
done:
    dv__free(T);
    dv__free(R);
    dv__free(in);
    dv__free(XT);
    dv__free(base);
    dv__free(one);
    dv__free(two);
    if (!rc && x->progress) {
#pragma omp critical(dv_pairwise_progress)
        x->progress(x->user, ++x->done, x->total);
    }
    return rc;
}

int dv_pairwise_values(const dv_dataset *train, const dv_learner_params *lp,
                       const int64_t *points, size_t m, size_t n_samples, uint64_t seed,
                       double *pv, double *se, int n_threads, dv_progress_fn progress,
                       void *user, dv_error *err)
{
    if (!train || !lp || (m && (!points || !pv)))
        return dv__err(err, DV_EINVAL, "pairwise values: missing argument");
    if (train->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "pairwise values need a classification data set");
    const char *why = dv_learner_params_check(lp);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    size_t n = train->n;
    for (size_t a = 0; a < m; a++) {
        if (points[a] < 0 || (size_t)points[a] >= n)
            return dv__err(err, DV_EINVAL, "pairwise values: point %lld is not a training row "
                                           "(0..%zu)", (long long)points[a], n ? n - 1 : 0);
        for (size_t b = 0; b < a; b++)
            if (points[b] == points[a])
                return dv__err(err, DV_EINVAL, "pairwise values: row %lld is chosen twice",
                               (long long)points[a]);
    }
    if (m > 4096)
        return dv__err(err, DV_EINVAL, "pairwise values: %zu points; at most 4096", m);
    if (!n_samples && n > 20)
        return dv__err(err, DV_EINVAL, "pairwise values: exact enumeration of 2^%zu subsets is "
                                       "too many (at most 2^20); sample subsets instead", n);
    size_t items = n_samples ? n_samples : (size_t)1 << n;
    if (items > SIZE_MAX / sizeof(double) / (m * m + 1))
        return dv__err(err, DV_EINVAL, "pairwise values: %zu subsets x %zu pairs is too large",
                       items, m * m);
    pair_ctx x = {train, lp, points, m, n_samples, seed,
                  dv__malloc((items * m * m + 1) * sizeof(double)), progress, user, 0, items};
    if (!x.contrib)
        return dv__err(err, DV_ENOMEM, "out of memory for %zu x %zu x %zu contributions", items,
                       m, m);
    int rc = dv__for_items(0, items, n_threads, pair_item, &x, NULL, NULL, 0, err);
    for (size_t ab = 0; !rc && ab < m * m; ab++) {
        double sum = 0, ss = 0;
        for (size_t s = 0; s < items; s++)
            sum += x.contrib[s * m * m + ab];
        double mean = sum / (double)items;
        for (size_t s = 0; n_samples && s < items; s++) {
            double e = x.contrib[s * m * m + ab] - mean;
            ss += e * e;
        }
        pv[ab] = mean;
        if (se)
            se[ab] = n_samples > 1 ? sqrt(ss / (double)(items - 1) / (double)items)
                     : n_samples   ? NAN
                                   : 0.0;
    }
    dv__free(x.contrib);
    return rc;
}

int dv_pairwise_order(const double *pv, size_t m, size_t *order, dv_error *err)
{
    if (m && (!pv || !order))
        return dv__err(err, DV_EINVAL, "pairwise order: missing argument");
    if (m > 4096)
        return dv__err(err, DV_EINVAL, "pairwise order: %zu points; at most 4096", m);
    for (size_t ab = 0; ab < m * m; ab++)
        if (!isfinite(pv[ab]))
            return dv__err(err, DV_EINVAL, "pairwise order: value (%zu, %zu) is not finite",
                           ab / m, ab % m);
    /* Clusters are linked lists of leaves (head, tail, next); sim holds the
     * summed similarity between live clusters, size their sizes. */
    size_t *next = dv__malloc((m + 1) * sizeof *next), *tail = dv__malloc((m + 1) * sizeof *tail);
    size_t *size = dv__malloc((m + 1) * sizeof *size);
    unsigned char *live = dv__malloc(m + 1);
    double *sim = dv__malloc((m * m + 1) * sizeof *sim);
    if (!next || !tail || !size || !live || !sim) {
        dv__free(next), dv__free(tail), dv__free(size), dv__free(live), dv__free(sim);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        next[i] = SIZE_MAX;
        tail[i] = i;
        size[i] = 1;
        live[i] = 1;
        for (size_t j = 0; j < m; j++) /* symmetrised */
            sim[i * m + j] = (pv[i * m + j] + pv[j * m + i]) / 2;
    }
    for (size_t merges = 0; merges + 1 < m; merges++) {
        size_t bi = 0, bj = 0;
        double best = -INFINITY;
        for (size_t i = 0; i < m; i++)
            for (size_t j = i + 1; live[i] && j < m; j++) {
                if (!live[j])
                    continue;
                double avg = sim[i * m + j] / ((double)size[i] * (double)size[j]);
                if (avg > best) {
                    best = avg;
                    bi = i;
                    bj = j;
                }
            }
        /* j's leaves follow i's; i carries the merged cluster */
        next[tail[bi]] = bj;
        tail[bi] = tail[bj];
        size[bi] += size[bj];
        live[bj] = 0;
        for (size_t k = 0; k < m; k++)
            if (live[k] && k != bi) {
                sim[bi * m + k] += sim[bj * m + k];
                sim[k * m + bi] = sim[bi * m + k];
            }
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (live[i])
            for (size_t v = i; v != SIZE_MAX; v = next[v])
                order[k++] = v;
    dv__free(next), dv__free(tail), dv__free(size), dv__free(live), dv__free(sim);
    return DV_OK;
}
