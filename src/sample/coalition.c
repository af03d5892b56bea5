/*
 * coalition.c -- how the sampler draws coalitions: class-balanced counts,
 * cardinality grids, and the per-item draw of a coalition S plus, for a
 * point z that landed in S, the swap that makes S a uniform draw from the
 * training set without z.
 *
 * The draw follows the bounded-cardinality sampler of Covert et al.,
 * "Scaling Laws for the Value of Individual Data Points in Machine
 * Learning" (ICML 2024), with the valued point excluded from S.
 */
#include "sampler.h"

#include <math.h>
#include <string.h>

size_t dv_geom_grid(int64_t lo, int64_t hi, size_t n, int64_t *out)
{
    size_t m = 0;
    if (n == 0 || lo < 1 || hi < lo)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        if (n == 1)
            v = lo;
        else if (i == n - 1)
            v = hi;
        else {
            /* As numpy.geomspace(lo, hi, n).astype(int): 10 ** (log10(lo) +
             * i * step), truncated, with exact end points. */
            double a0 = log10((double)lo), step = (log10((double)hi) - a0) / (double)(n - 1);
            double x = pow(10.0, (double)i * step + a0);
            v = (int64_t)x;
            if (v < lo)
                v = lo;
        }
        if (m == 0 || out[m - 1] != v)
            out[m++] = v;
    }
    return m;
}

/* The counts of dv_class_counts; returns the first class that cannot
 * supply its count, or -1. */
static long counts_of(const size_t *class_n, size_t n_classes, int64_t k, int64_t *counts)
{
    size_t total = 0, major = 0;
    for (size_t c = 0; c < n_classes; c++) {
        total += class_n[c];
        if (class_n[c] > class_n[major])
            major = c;
    }
    int64_t sum = 0;
    for (size_t c = 0; c < n_classes; c++) {
        /* nearbyint rounds half to even, as Python's round() does. */
        counts[c] = (int64_t)nearbyint((double)class_n[c] / (double)total * (double)k);
        sum += counts[c];
    }
    counts[major] += k - sum;
    for (size_t c = 0; c < n_classes; c++) {
        int64_t avail = (int64_t)class_n[c] - 1; /* the valued point is excluded */
        if (counts[c] < 0 || counts[c] > avail)
            return (long)c;
    }
    return -1;
}

int dv_class_counts(const size_t *class_n, size_t n_classes, int64_t k, int64_t *counts,
                    dv_error *err)
{
    size_t total = 0;
    for (size_t c = 0; c < n_classes; c++)
        total += class_n[c];
    if (k < 1 || total == 0 || n_classes == 0)
        return dv__err(err, DV_EINVAL, "coalition size %lld is impossible for %zu rows",
                       (long long)k, total);
    long bad = counts_of(class_n, n_classes, k, counts);
    if (bad < 0)
        return DV_OK;
    if (!err)
        return DV_EINVAL;
    size_t c = (size_t)bad;
    int64_t avail = (int64_t)class_n[c] - 1;
    return dv__err(err, DV_EINVAL,
                   "coalition size %lld needs %lld rows of class %zu, but only %lld are "
                   "available once the valued point is left out (class balance allows at most "
                   "k = %lld)",
                   (long long)k, (long long)counts[c], c, (long long)(avail < 0 ? 0 : avail),
                   (long long)dv__max_balanced_k(class_n, n_classes));
}

int64_t dv__max_balanced_k(const size_t *class_n, size_t n_classes)
{
    size_t total = 0;
    for (size_t c = 0; c < n_classes; c++)
        total += class_n[c];
    int64_t counts[256];
    if (n_classes > 256)
        return 0;
    for (int64_t k = (int64_t)total; k > 0; k--)
        if (counts_of(class_n, n_classes, k, counts) < 0)
            return k;
    return 0;
}

int64_t dv__item_card(const dv__sctx *cx, size_t j, dv_rng *r)
{
    if (cx->mode == DV_CARD_GRID)
        return cx->cards[j / cx->n_samples];
    return cx->min_card + (int64_t)dv_rng_below(r, (uint64_t)(cx->max_card - cx->min_card + 1));
}

void dv__item_rng(const dv__sctx *cx, size_t j, size_t b, dv_rng *r)
{
    dv_rng_seed(r, cx->seed, (uint64_t)j * (uint64_t)cx->n_batches + (uint64_t)b);
}

void dv__swap_rng(const dv__sctx *cx, size_t j, size_t point_index, dv_rng *r)
{
    dv_rng_seed(r, cx->seed ^ 0x5157415053ULL /* "SWAPS" */,
                (uint64_t)j * (uint64_t)cx->n_points + (uint64_t)point_index);
}

int64_t dv__draw_coalition(const dv__sctx *cx, size_t j, size_t b, dv__ws *w, int64_t *S)
{
    dv_rng r;
    dv__item_rng(cx, j, b, &r);
    int64_t k = dv__item_card(cx, j, &r);
    int64_t counts[256];
    dv_class_counts(cx->class_n, cx->n_classes, k, counts, NULL); /* checked at set-up */
    size_t pos = 0;
    for (size_t c = 0; c < cx->n_classes; c++) {
        /* Partial Fisher-Yates on the thread's copy of the class list, undone
         * afterwards so the copy is always in canonical order. */
        int64_t *rows = w->class_rows[c];
        size_t nc = cx->class_n[c];
        for (int64_t t = 0; t < counts[c]; t++) {
            size_t u = (size_t)t + (size_t)dv_rng_below(&r, nc - (size_t)t);
            w->undo[t] = (int64_t)u;
            int64_t tmp = rows[t];
            rows[t] = rows[u];
            rows[u] = tmp;
            S[pos++] = rows[t];
        }
        for (int64_t t = counts[c] - 1; t >= 0; t--) {
            size_t u = (size_t)w->undo[t];
            int64_t tmp = rows[t];
            rows[t] = rows[u];
            rows[u] = tmp;
        }
    }
    return k;
}

int64_t dv__draw_swap(const dv__sctx *cx, size_t j, size_t point_index, const uint32_t *mark,
                      uint32_t stamp)
{
    int64_t z = cx->points[point_index];
    size_t c = cx->train->task == DV_TASK_CLASSIFICATION ? (size_t)cx->y[z] : 0;
    const int64_t *rows = cx->class_rows[c];
    size_t nc = cx->class_n[c];
    dv_rng r;
    dv__swap_rng(cx, j, point_index, &r);
    /* Rejection: uniform over the rows of z's class that are neither in S
     * nor z.  Falls back to an exact scan when S covers most of the class. */
    for (int tries = 0; tries < 64; tries++) {
        int64_t cand = rows[dv_rng_below(&r, nc)];
        if (cand != z && mark[cand] != stamp)
            return cand;
    }
    size_t free_n = 0;
    for (size_t t = 0; t < nc; t++)
        free_n += rows[t] != z && mark[rows[t]] != stamp;
    size_t pick = (size_t)dv_rng_below(&r, free_n);
    for (size_t t = 0; t < nc; t++)
        if (rows[t] != z && mark[rows[t]] != stamp && pick-- == 0)
            return rows[t];
    return -1; /* unreachable: class counts leave a free row */
}
