/*
 * knn.c -- exact KNN-Shapley values of the training rows for a K-nearest-
 * neighbour utility on a validation set.
 *
 * Jia et al., "Efficient Task-Specific Data Valuation for Nearest Neighbor
 * Algorithms", PVLDB 12(11), 2019.
 *
 * For each validation point (x, t) the training rows are ordered by squared
 * Euclidean distance to x, ties broken by row index (alpha_1 .. alpha_N),
 * and the Shapley values of the utility restricted to that point follow
 * from one backward recursion over the order, O(N) after the sort (a
 * stable LSD radix sort of a distance prefix, ties of the prefix resolved
 * on the full distance; O(N log N) at worst).  The values are the
 * average over the validation points.
 *
 * Classification: U(S) = (1/K) sum_{k <= min(K,|S|)} 1[y_{alpha_k(S)} = t],
 * U(empty) = 0, with the recursion of the paper (Theorem 1); its start
 * s_N = 1[z_N = t]/N holds for K <= N, in general it is 1[z_N = t]/max(K, N).
 *
 * Regression: U(S) = -((1/K) sum_{k <= min(K,|S|)} y_{alpha_k(S)} - t)^2,
 * note 1/K even when |S| < K, so U(empty) = -t^2 (the sum is empty).  With
 * z_i = y_{alpha_i}, the difference of neighbours in the order is
 *   s_i - s_{i+1} = (z_i - z_{i+1})/K * [ 2t e_i - (1/K) (2 qL_i sum_{u<i} z_u
 *                    + 2 sum_{v>=i+2} q_v z_v + (z_i + z_{i+1}) e_i) ],
 *   e_i = min(K, i)/i,  q(M, a) = M (M+1) / (2 a (a+1)),
 *   qL_i = q(min(K-1, i-1), i-1),  q_v = q(min(K-1, v-2), v-2),
 * and the farthest point starts it:
 *   s_N = -(z_N/K) [ (2/K) q(min(K-1, N-1), N-1) sum_{u<N} z_u
 *                    + (z_N/K - 2t) min(K, N)/N ].
 * (q is the probability, over the Shapley distribution, that a given point
 * is present and at most K-2 of the a-1 points competing with it are.)
 * This is O(N) per validation point as well; tests/test_knn.c checks both
 * cases against enumeration of all subsets.
 *
 * Parallel over validation points (OpenMP).  The per-point values of a block
 * of validation points are kept apart and added to the total in validation
 * order, so the result is bit-identical for every thread count.
 */
#include "methods/methods.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Radix sort: two passes of 11-bit digits over a 22-bit distance prefix
 * kept in the upper half of a 64-bit word (measured a little faster than
 * three passes over 32 bits; equal prefixes are resolved afterwards). */
#define KNN_RADIX_BITS 11
#define KNN_RADIX_SIZE (1u << KNN_RADIX_BITS)
#define KNN_RADIX_PASSES 2
#define KNN_PREFIX_BITS (KNN_RADIX_BITS * KNN_RADIX_PASSES)

/* The low half of a sort word: the training row, and in bit 31 whether its
 * label matches the validation label (classification). */
#define KNN_ROW_MASK UINT32_C(0x7fffffff)
#define KNN_MATCH_BIT (UINT64_C(1) << 31)

/* Runs of equal sort prefixes longer than this are sorted with qsort. */
#define KNN_SMALL_RUN 32

/* Training rows per task of the final summation. */
#define KNN_SUM_CHUNK ((size_t)4096)

/* Upper bound on the doubles held by the per-point value buffers of a block. */
#define KNN_BLOCK_DOUBLES ((size_t)1 << 22)

/* Scratch of one thread. */
typedef struct {
    uint64_t *key;          /* n: distance bits, by training row */
    uint64_t *w, *w2;       /* n: (distance prefix << 32 | match | row) */
    const uint64_t *sorted; /* w or w2: the words nearest first */
    uint32_t *idx;          /* n: training rows, nearest first (regression) */
    size_t *hist;           /* KNN_RADIX_PASSES * KNN_RADIX_SIZE */
    double *z;              /* n: targets in distance order */
} knn_scratch;

static void scratch_free(knn_scratch *s)
{
    dv__free(s->key);
    dv__free(s->w);
    dv__free(s->w2);
    dv__free(s->idx);
    dv__free(s->hist);
    dv__free(s->z);
}

static int scratch_alloc(knn_scratch *s, size_t n)
{
    memset(s, 0, sizeof *s);
    s->key = dv__malloc(n * sizeof *s->key);
    s->w = dv__malloc(n * sizeof *s->w);
    s->w2 = dv__malloc(n * sizeof *s->w2);
    s->idx = dv__malloc(n * sizeof *s->idx);
    s->hist = dv__malloc((size_t)KNN_RADIX_PASSES * KNN_RADIX_SIZE * sizeof *s->hist);
    s->z = dv__malloc(n * sizeof *s->z);
    if (!s->key || !s->w || !s->w2 || !s->idx || !s->hist || !s->z) {
        scratch_free(s);
        return DV_ENOMEM;
    }
    return DV_OK;
}

/* (key, word) pairs for qsort of long runs. */
typedef struct {
    uint64_t key;
    uint64_t w;
} knn_pair;

static int pair_cmp(const void *a, const void *b)
{
    const knn_pair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    uint64_t rx = x->w & KNN_ROW_MASK, ry = y->w & KNN_ROW_MASK;
    return (rx > ry) - (rx < ry);
}

/* Sorts the words w[0..m-1], in row order already, by key[row] keeping the
 * row order among equal keys.  Returns nonzero when out of memory. */
static int sort_run(uint64_t *w, size_t m, const uint64_t *key)
{
    if (m <= KNN_SMALL_RUN) {
        for (size_t i = 1; i < m; i++) {
            uint64_t x = w[i];
            uint64_t k = key[x & KNN_ROW_MASK];
            size_t j = i;
            for (; j > 0 && key[w[j - 1] & KNN_ROW_MASK] > k; j--)
                w[j] = w[j - 1];
            w[j] = x;
        }
        return 0;
    }
    knn_pair *p = dv__malloc(m * sizeof *p);
    if (!p)
        return 1;
    for (size_t i = 0; i < m; i++) {
        p[i].key = key[w[i] & KNN_ROW_MASK];
        p[i].w = w[i];
    }
    qsort(p, m, sizeof *p, pair_cmp);
    for (size_t i = 0; i < m; i++)
        w[i] = p[i].w;
    dv__free(p);
    return 0;
}

/* Squared distances from q to every training row, as order-preserving bit
 * patterns (non-negative doubles compare like their bits; a NaN sorts
 * last), each computed the same way so exact ties stay ties.  The order
 * (distance, row) is found by a stable LSD radix sort of the prefix
 * (key - min key) >> shift, shift the least that fits KNN_PREFIX_BITS,
 * starting from row order; then runs with equal prefixes are sorted on the
 * full key (insertion sort, or qsort for long runs, so the worst case stays
 * O(N log N)).  On return s->sorted holds
 * the words nearest first.  Returns nonzero when out of memory. */
static int sort_by_distance(const dv_dataset *train, const double *q, double target, knn_scratch *s)
{
    int clf = train->task == DV_TASK_CLASSIFICATION;
    size_t n = train->n, d = train->d;
    const double *X = train->X;
    uint64_t *key = s->key;
    uint64_t lo = UINT64_MAX, hi = 0;
    /* Four rows at a time (independent dependency chains); the last group
     * repeats its final row, so every row goes through the same code. */
    for (size_t i = 0; i < n; i += 4) {
        const double *x[4];
        double acc[4] = {0.0, 0.0, 0.0, 0.0};
        for (size_t r = 0; r < 4; r++)
            x[r] = X + (i + r < n ? i + r : n - 1) * d;
        for (size_t k = 0; k < d; k++) {
            for (size_t r = 0; r < 4; r++) {
                double t = x[r][k] - q[k];
                acc[r] += t * t;
            }
        }
        for (size_t r = 0; r < 4 && i + r < n; r++) {
            uint64_t b;
            memcpy(&b, &acc[r], sizeof b);
            key[i + r] = b;
            lo = b < lo ? b : lo;
            hi = b > hi ? b : hi;
        }
    }
    int shift = 0;
    while (((hi - lo) >> shift) >> KNN_PREFIX_BITS)
        shift++;

    size_t *h = s->hist;
    memset(h, 0, (size_t)KNN_RADIX_PASSES * KNN_RADIX_SIZE * sizeof *h);
    uint64_t *wa = s->w, *wb = s->w2;
    for (size_t i = 0; i < n; i++) {
        uint64_t p = (key[i] - lo) >> shift;
        uint64_t m = clf && train->y[i] == target ? KNN_MATCH_BIT : 0;
        wa[i] = p << 32 | m | (uint64_t)i;
        for (int r = 0; r < KNN_RADIX_PASSES; r++)
            h[(size_t)r * KNN_RADIX_SIZE + ((p >> (r * KNN_RADIX_BITS)) & (KNN_RADIX_SIZE - 1))]++;
    }
    for (int r = 0; r < KNN_RADIX_PASSES; r++) {
        size_t *hp = h + (size_t)r * KNN_RADIX_SIZE;
        int sh = 32 + r * KNN_RADIX_BITS;
        /* A digit shared by every key leaves the order unchanged. */
        if (hp[(wa[0] >> sh) & (KNN_RADIX_SIZE - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t b = 0; b < KNN_RADIX_SIZE; b++) {
            size_t c = hp[b];
            hp[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t w = wa[i];
            wb[hp[(w >> sh) & (KNN_RADIX_SIZE - 1)]++] = w;
        }
        uint64_t *wt = wa;
        wa = wb;
        wb = wt;
    }
    /* shift == 0: the prefix was the whole difference, already exact */
    for (size_t i = 0; shift > 0 && i < n;) {
        size_t j = i + 1;
        while (j < n && wa[j] >> 32 == wa[i] >> 32)
            j++;
        if (j - i > 1 && sort_run(wa + i, j - i, key))
            return 1;
        i = j;
    }
    s->sorted = wa;
    return 0;
}

/* Probability that a point is present and at most K-2 of its a-1
 * competitors are: M (M+1) / (2 a (a+1)) with M = min(K-1, a); 0 for a = 0. */
static double present_prob(size_t K, size_t a)
{
    if (a == 0)
        return 0.0;
    double M = (double)(K - 1 < a ? K - 1 : a);
    return M * (M + 1.0) / (2.0 * (double)a * ((double)a + 1.0));
}

/* Shapley values of one validation point's utility, written to out[row].
 * Returns nonzero when out of memory. */
static int point_values(const dv_dataset *train, const double *q, double t, size_t K,
                         knn_scratch *s, double *out)
{
    size_t n = train->n;
    double Kd = (double)K;
    if (sort_by_distance(train, q, t, s))
        return 1;
    const uint64_t *w = s->sorted;

    if (train->task == DV_TASK_CLASSIFICATION) {
        /* Base max(K, N), not N as printed in the paper, which assumes
         * K <= N: the farthest point enters the K nearest with probability
         * min(K, N)/N and then adds 1/K.  Ranks r = i + 1 are 1-indexed. */
        double znext = (w[n - 1] & KNN_MATCH_BIT) ? 1.0 : 0.0;
        double v = znext / (double)(n > K ? n : K);
        out[w[n - 1] & KNN_ROW_MASK] = v;
        for (size_t i = n - 1; i-- > 0;) {
            double zi = (w[i] & KNN_MATCH_BIT) ? 1.0 : 0.0;
            double r = (double)(i + 1);
            double m = (double)(i + 1 < K ? i + 1 : K);
            v += (zi - znext) / Kd * m / r;
            out[w[i] & KNN_ROW_MASK] = v;
            znext = zi;
        }
        return 0;
    }

    /* Regression. */
    uint32_t *idx = s->idx;
    double *z = s->z;
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        idx[i] = (uint32_t)(w[i] & KNN_ROW_MASK);
        z[i] = train->y[idx[i]];
        total += z[i];
    }
    double left = total - z[n - 1]; /* sum_{u < N} z_u */
    double zn = z[n - 1];
    double en = (double)(n < K ? n : K) / (double)n;
    double v = -(zn / Kd) * ((2.0 / Kd) * present_prob(K, n - 1) * left + (zn / Kd - 2.0 * t) * en);
    out[idx[n - 1]] = v;
    double right = 0.0; /* sum_{v >= r+2} q_v z_v, ranks 1-indexed */
    for (size_t i = n - 1; i-- > 0;) {
        size_t r = i + 1;           /* rank of z[i] */
        left -= z[i];               /* now sum_{u < r} z_u */
        if (i + 2 < n)              /* add rank r + 2 = index i + 2 */
            right += present_prob(K, r) * z[i + 2];
        double e = (double)(r < K ? r : K) / (double)r;
        double inner = 2.0 * present_prob(K, r - 1) * left + 2.0 * right + (z[i] + z[i + 1]) * e;
        v += (z[i] - z[i + 1]) / Kd * (2.0 * t * e - inner / Kd);
        out[idx[i]] = v;
    }
    return 0;
}

/* Over several processes: validation point t is work item t, its n values
 * sent to process 0, which adds them in point order (as one process does),
 * then sends every process the sums. */
typedef struct {
    const dv_dataset *train, *val;
    size_t K, n, window;
    double *slot;    /* window x n */
    double *values;
} knn_dist;

static void *knn_state_new(void *ctx)
{
    const knn_dist *x = ctx;
    knn_scratch *s = dv__calloc(1, sizeof *s);
    if (s && scratch_alloc(s, x->n)) {
        scratch_free(s);
        dv__free(s);
        s = NULL;
    }
    return s;
}

static void knn_state_free(void *state)
{
    scratch_free(state);
    dv__free(state);
}

static int knn_item(void *ctx, void *state, size_t t, dv_error *err)
{
    const knn_dist *x = ctx;
    if (point_values(x->train, x->val->X + t * x->val->d, x->val->y[t], x->K, state,
                     x->slot + (t % x->window) * x->n))
        return dv__err(err, DV_ENOMEM, "knn_shapley: out of memory sorting %zu distances", x->n);
    return DV_OK;
}

static size_t knn_spans(void *ctx, size_t t, dv__span *sp)
{
    const knn_dist *x = ctx;
    sp[0] = (dv__span){x->slot + (t % x->window) * x->n, x->n, sizeof(double), sizeof(double)};
    return 1;
}

static int knn_commit(void *ctx, size_t t)
{
    const knn_dist *x = ctx;
    const double *v = x->slot + (t % x->window) * x->n;
    for (size_t i = 0; i < x->n; i++)
        x->values[i] += v[i];
    return 0;
}

static int knn_shapley_dist(const dv_dataset *train, const dv_dataset *val, size_t K,
                            int n_threads, dv_comm *comm, double *values, dv_error *err)
{
    size_t n = train->n;
    knn_dist x = {train, val, K, n, 4 * dv__dist_threads(comm, n_threads), NULL, values};
    if (!(x.slot = dv__malloc(x.window * n * sizeof *x.slot)))
        return dv__err(err, DV_ENOMEM, "knn_shapley: out of memory for %zu training rows", n);
    memset(values, 0, n * sizeof *values);
    dv__job j = {comm, 0, val->n, NULL, x.window, 0, n_threads, knn_item, knn_spans, knn_commit,
                 &x, knn_state_new, knn_state_free, 0};
    int rc = dv__job_run(&j, err);
    dv__free(x.slot);
    for (size_t i = 0; !rc && i < n; i++)
        values[i] /= (double)val->n;
    return rc ? rc : dv__dist_bcast(comm, values, n * sizeof *values, err);
}

int dv__knn_shapley(const dv_dataset *train, const dv_dataset *val, size_t K, int n_threads,
                    dv_comm *comm, double *values, dv_error *err)
{
    if (!train || !val || !values)
        return dv__err(err, DV_EINVAL, "knn_shapley: train, val and values must not be NULL");
    if (K == 0)
        return dv__err(err, DV_EINVAL, "knn_shapley: K must be at least 1");
    if (train->n == 0)
        return dv__err(err, DV_EINVAL, "knn_shapley: the training set is empty");
    if (val->n == 0)
        return dv__err(err, DV_EINVAL, "knn_shapley: the validation set is empty");
    if (train->n > KNN_ROW_MASK + (size_t)1)
        return dv__err(err, DV_EINVAL, "knn_shapley: %zu training rows exceed the limit of %zu",
                       train->n, KNN_ROW_MASK + (size_t)1);
    if (train->d != val->d)
        return dv__err(err, DV_EINVAL,
                       "knn_shapley: dimension mismatch: train has %zu features, val has %zu",
                       train->d, val->d);
    if (train->task != val->task)
        return dv__err(err, DV_EINVAL,
                       "knn_shapley: task mismatch between train and val (%s vs %s)",
                       train->task == DV_TASK_REGRESSION ? "regression" : "classification",
                       val->task == DV_TASK_REGRESSION ? "regression" : "classification");
    if (train->task == DV_TASK_CLASSIFICATION && train->n_classes != val->n_classes)
        return dv__err(err, DV_EINVAL,
                       "knn_shapley: class count mismatch: train has %zu classes, val has %zu",
                       train->n_classes, val->n_classes);

    if (dv__dist_on(comm))
        return knn_shapley_dist(train, val, K, n_threads, comm, values, err);
    size_t n = train->n, nv = val->n;
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    if (nth < 1)
        nth = 1;
    if ((size_t)nth > nv)
        nth = (int)nv;

    /* Block of validation points whose per-point values are held at once:
     * at least one per thread, else bounded by KNN_BLOCK_DOUBLES.  The block
     * size does not change the result (the sum is always in point order). */
    size_t block = KNN_BLOCK_DOUBLES / n;
    if (block < (size_t)nth)
        block = (size_t)nth;
    if (block > nv)
        block = nv;

    knn_scratch *sc = dv__calloc((size_t)nth, sizeof *sc);
    double *buf = dv__malloc(block * n * sizeof *buf);
    int rc = (sc && buf) ? DV_OK : DV_ENOMEM;
    int made = 0;
    for (; rc == DV_OK && made < nth; made++)
        rc = scratch_alloc(&sc[made], n);
    if (rc != DV_OK) {
        for (int i = 0; i < made; i++)
            scratch_free(&sc[i]);
        dv__free(sc);
        dv__free(buf);
        return dv__err(err, DV_ENOMEM, "knn_shapley: out of memory for %zu training rows", n);
    }

    memset(values, 0, n * sizeof *values);
    int failed = 0;
    for (size_t b0 = 0; b0 < nv && !failed; b0 += block) {
        size_t nb = nv - b0 < block ? nv - b0 : block;
#pragma omp parallel num_threads(nth)
        {
            knn_scratch *s = &sc[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
            for (size_t j = 0; j < nb; j++) {
                size_t p = b0 + j;
                if (point_values(train, val->X + p * val->d, val->y[p], K, s, buf + j * n)) {
#pragma omp atomic write
                    failed = 1;
                }
            }
            /* Sum in validation order, independently per training row. */
#pragma omp for schedule(static)
            for (size_t c = 0; c < n; c += KNN_SUM_CHUNK) {
                size_t e = n - c < KNN_SUM_CHUNK ? n : c + KNN_SUM_CHUNK;
                for (size_t j = 0; j < nb; j++) {
                    const double *bj = buf + j * n;
                    for (size_t i = c; i < e; i++)
                        values[i] += bj[i];
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        values[i] /= (double)nv;

    for (int i = 0; i < nth; i++)
        scratch_free(&sc[i]);
    dv__free(sc);
    dv__free(buf);
    if (failed)
        return dv__err(err, DV_ENOMEM, "knn_shapley: out of memory sorting %zu distances", n);
    return DV_OK;
}
