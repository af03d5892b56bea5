/*
 * sampler.h -- private declarations of the marginal-contribution sampler
 * (src/sample): its set-up context, per-thread workspace and item kernels.
 */
#ifndef DV_SAMPLER_H
#define DV_SAMPLER_H

#include "learn/binary.h"

/* Largest batch of points sharing one coalition. */
#define DV__MAX_BATCH 256
/* Starting points of the coalition fits, on a grid of sizes. */
#define DV__N_STARTS 12

/* Everything a work item needs, fixed for the whole run (read-only while
 * items run, so threads share it). */
typedef struct {
    const dv_dataset *train, *val;
    dv_learner_params lp;
    dv_metric metric;         /* resolved, never DV_METRIC_DEFAULT */
    dv_card_mode mode;
    size_t n_samples;         /* per point (uniform) or per point and card (grid) */
    int64_t min_card, max_card;
    int64_t *cards;           /* grid cardinalities (owned) */
    size_t n_cards;
    size_t n_slots;           /* samples per point in the output */
    uint64_t seed;
    size_t batch, n_batches, n_points;
    size_t shard, n_shards;   /* the items of this directory: it % n_shards == shard (0: all) */
    int64_t *points;          /* owned copy */
    size_t n_classes;         /* 1 for regression (one pool) */
    size_t class_n[256];
    int64_t *class_rows[256]; /* rows of each class, ascending (owned) */
    const double *y;          /* train targets */
    int64_t kmax;
    int fast;                 /* binary logistic regression fast path */
    int qn_max;               /* quasi-Newton iterations before full Newton (tests set 0) */
    size_t p;                 /* d + 1 */
    double *Xa, *Xva;         /* augmented train and validation (owned, fast path) */
    double *theta0;           /* full-data solution */
    double *starts;           /* n_starts x p starting points of S fits */
    int64_t start_k[DV__N_STARTS];
    size_t n_starts;
    dv_model *model0;         /* same, for the generic path */
} dv__sctx;

/* Per-thread scratch. */
typedef struct {
    int64_t *class_rows[256]; /* private copies for the partial shuffles */
    int64_t *undo;
    uint32_t *mark;           /* mark[row] == stamp: row is in the current S */
    uint32_t stamp;
    int64_t *S, *rows2;
    size_t mcap;
    double *XS, *yS, *XS2, *yS2, *z, *wv, *Xw, *H, *g, *step, *theta, *thnew;
    double *Z, *T, *G, *Gs, *Zv, *final, *g0, *prevn, *modx, *modW;
    double *Sh, *Yh, *rho, *Told, *Gold; /* quasi-Newton history per column */
    double *U;                /* utilities per column */
    int *col_state;
    dv__lr_ws lr;             /* the Newton solver's view of the above */
} dv__ws;

int dv__sctx_init(dv__sctx *cx, const dv_dataset *train, const dv_dataset *val,
                  const int64_t *points, size_t n_points, const dv_sample_params *p,
                  int fit, dv_error *err);
void dv__sctx_free(dv__sctx *cx);
/* The metric m, DV_METRIC_DEFAULT resolved by task, checked against it. */
int dv__resolve_metric(dv_metric m, dv_task task, dv_metric *out, dv_error *err);
int dv__ws_init(dv__ws *w, const dv__sctx *cx);
void dv__ws_free(dv__ws *w);
/* Files of a run directory (run.c): an .npy file of rows x cols zeros; a
 * file mapped for reading and writing (its blocks reserved first), and its
 * release (synced). */
typedef struct {
    void *addr;
    size_t len;
} mapping;
int dv__npy_partial(const char *path, dv_dtype t, size_t rows, size_t cols, dv_error *err);
int dv__map_file(const char *path, mapping *m, dv_error *err);
void dv__unmap(mapping *m);

/* A workspace on the heap (NULL: out of memory), and its release. */
dv__ws *dv__ws_new(const dv__sctx *cx);
void dv__ws_delete(void *state);

int64_t dv__max_balanced_k(const size_t *class_n, size_t n_classes);
int64_t dv__item_card(const dv__sctx *cx, size_t j, dv_rng *r);
void dv__item_rng(const dv__sctx *cx, size_t j, size_t b, dv_rng *r);
void dv__swap_rng(const dv__sctx *cx, size_t j, size_t point_index, dv_rng *r);
/* Draws item (j, b)'s coalition into S; returns k. */
int64_t dv__draw_coalition(const dv__sctx *cx, size_t j, size_t b, dv__ws *w, int64_t *S);
/* The replacement row for point point_index when it was drawn into S. */
int64_t dv__draw_swap(const dv__sctx *cx, size_t j, size_t point_index, const uint32_t *mark,
                      uint32_t stamp);

/* Computes item (j, b): delta[i] and card[i] for the points of batch b. */
int dv__run_item(const dv__sctx *cx, dv__ws *w, size_t j, size_t b, double *delta,
                 int32_t *card, dv_error *err);

/* Runs fn(cx, w, q, user, err) for q = 0..n-1 on n_threads threads (<= 0:
 * the OpenMP default), each thread with its own workspace w and BLAS
 * running serially; returns the first failure (sampler.c, over
 * util/parallel.c). */
typedef int (*dv__work_fn)(const dv__sctx *cx, dv__ws *w, size_t q, void *user, dv_error *err);
int dv__parallel(const dv__sctx *cx, int n_threads, size_t n, dv__work_fn fn, void *user,
                 dv_error *err);

/* One marginal contribution, computed slowly and plainly: fits S and S + z
 * from scratch.  S is rows[0..n-1] of train.  The tests' reference. */
int dv__delta_plain(const dv_dataset *train, const dv_dataset *val, const dv_learner_params *lp,
                    dv_metric metric, const int64_t *S, size_t n, int64_t z, double *out,
                    dv_error *err);

/* Returns, for item (j, b), the coalition S drawn for point z (which must be
 * in batch b): its size in *n_out and the rows in S_out (capacity max_card).
 * It replays exactly the sampler's draw, for the tests. */
int dv__sample_coalition(const dv_dataset *train, const int64_t *points, size_t n_points,
                         const dv_sample_params *p, size_t j, size_t point_index,
                         int64_t *S_out, size_t *n_out, int64_t *k_out, dv_error *err);

#endif
