/*
 * internal.h -- private declarations shared by the modules in src/.
 * Never installed; the CLI must not include it.
 */
#ifndef DV_INTERNAL_H
#define DV_INTERNAL_H

#include "dval.h"

#include <math.h> /* exp, for dv__sigmoid */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* FILE, for dv__json_string */

#if defined(__GNUC__)
#define DV__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DV__PRINTF(a, b)
#endif

/* All allocations go through these (one place to add accounting or fault
 * injection). */
void *dv__malloc(size_t n);
void *dv__calloc(size_t n, size_t size);
void *dv__realloc(void *p, size_t n);
void dv__free(void *p);
char *dv__strdup(const char *s);

#define DV__COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A table of names for enumeration values (src/util/error.c). */
typedef struct {
    const char *name;
    int value;
} dv__name;
/* Value of name in t (DV_OK), or DV_EINVAL when absent or name is NULL. */
int dv__name_lookup(const dv__name *t, size_t n, const char *name, int *out);
/* Name of value in t, or "unknown". */
const char *dv__name_of(const dv__name *t, size_t n, int value);

/* order[0..n-1] = indices of v in ascending order of value, ties by index
 * (v must hold no NaN).  DV_ENOMEM or DV_OK (util/error.c). */
int dv__argsort(const double *v, size_t n, size_t *order);
/* Average ranks of v into r: 1-based, ties share their mean rank (the
 * ranks of Spearman's correlation).  DV_ENOMEM or DV_OK. */
int dv__ranks(const double *v, size_t n, double *r);
/* Pearson correlation of a and b, clamped to [-1, 1]; NaN when either is
 * constant. */
double dv__pearson(const double *a, const double *b, size_t n);

/* Fills err (when not NULL) and returns code. */
int dv__err(dv_error *err, int code, const char *fmt, ...) DV__PRINTF(3, 4);

/* The dataset.  Features row-major n x d. */
struct dv_dataset {
    size_t n, d;
    dv_task task;
    size_t n_classes;    /* 0 for regression */
    double *X;           /* n x d */
    double *y;           /* n; class index as double for classification */
    int64_t *src_rows;   /* n; source row of each row */
    char **col_names;    /* d names */
    char *label_name;
    char **class_names;  /* n_classes names */
    double *std_mean, *std_scale; /* d each: the standardization applied, or NULL */
    int borrowed_X;      /* X is the caller's (dv_dataset_wrap): never written nor freed */
};

/* The first m entries of a (n of them) become a uniform draw without
 * replacement: a Fisher-Yates shuffle stopped after m swaps, one
 * dv_rng_below(r, n - t) per swap t (src/util/rng.c). */
void dv__shuffle_prefix(int64_t *a, size_t n, size_t m, dv_rng *r);

/* Allocates an empty dataset shell with room for n x d (names not set). */
int dv__dataset_alloc(dv_dataset **out, size_t n, size_t d, dv_task task, size_t n_classes);
/* Copies the names of src (columns, label, classes) and its standardization
 * into dst of equal shape; DV_ENOMEM. */
int dv__dataset_copy_names(dv_dataset *dst, const dv_dataset *src);

/* The influence of training rows on a linear or logistic fit (Koh & Liang
 * 2017; src/methods/influence.c): lp (binary logreg, ridge or ols) fitted
 * on train gives theta (d weights, then the intercept), s (row i's gradient
 * of the objective is s_i x~_i, x~ = (x, 1)) and L, the lower Cholesky
 * factor of the objective's Hessian H ((d + 1) x (d + 1)); removing row i
 * moves theta by about +H^-1 g_i.  The caller frees all three. */
int dv__influence_fit(const dv_dataset *train, const dv_learner_params *lp, double **theta,
                      double **s, double **L, dv_error *err);
/* The L2 term of H's diagonal for lp (the intercept's is 0). */
double dv__influence_reg(const dv_learner_params *lp);

/* Dense linear algebra helpers (src/util/linalg.c), row-major. */
/* Cholesky factorization of the n x n SPD matrix A in place (lower).  Returns
 * 0 on success, nonzero if not positive definite. */
int dv__chol(double *A, size_t n);
/* Solves (L L^T) X = B in place for nrhs right-hand sides stored as columns
 * of the n x nrhs row-major matrix B. */
void dv__chol_solve(const double *L, size_t n, double *B, size_t nrhs);
/* For dv__chol_solve_vec: U := L^T (row-major upper) and dinv := 1 / diag L
 * of the row-major lower factor L. */
void dv__chol_prep(const double *L, size_t n, double *U, double *dinv);
/* v := (L L^T)^-1 v for one vector, with U and dinv from dv__chol_prep. */
void dv__chol_solve_vec(const double *restrict L, const double *restrict U,
                        const double *restrict dinv, size_t n, double *restrict v);


/* Small hot kernels built twice, for AVX2 and for baseline x86-64, the
 * variant chosen when the library loads.  They only add and multiply
 * element by element (GCC contracts nothing into FMA without -mfma), so
 * both variants give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define DV__CLONES __attribute__((target_clones("avx2", "default")))
#else
#define DV__CLONES
#endif

/* x . y with four partial sums combined as (s0 + s1) + (s2 + s3), which
 * vectorizes; the same bits on every machine and thread count
 * (basesparse.c; learn/binary.h's dv__dot sums in order). */
double dv__dot4(size_t n, const double *restrict x, const double *restrict y);

/* A matrix stored by columns as a baseline plus exceptions, X = 1 b^T + E
 * (src/util/basesparse.c): columns that often differ from their baseline
 * whole, the others as lists of (row, X_ij - b_j).  Rows are appended. */
typedef struct {
    size_t d, n, cap;      /* columns, rows held, row capacity */
    double *base;          /* d baselines (0 for whole columns) */
    size_t nd, nl;         /* whole and listed columns */
    uint32_t *dcol, *lcol; /* their column numbers */
    double *dense;         /* nd x cap, column-major */
    size_t *lstart, *llen; /* list q: entries lstart[q] + [0, llen[q]), room to lstart[q+1] */
    uint32_t *lrow;
    double *lval;
    size_t *lidx;          /* column j's list, SIZE_MAX for whole columns */
} dv__bsp;

/* Chooses the layout from the n x d row-major X, with room for cap rows
 * whose exceptions are X's (any subset of its rows, each at most once);
 * *worth := whether it beats dense products (m is empty otherwise).  m
 * starts with no rows. */
int dv__bsp_plan(dv__bsp *m, const double *X, size_t n, size_t d, size_t cap, int *worth);
/* m := the n rows of X in plan's layout. */
int dv__bsp_like(dv__bsp *m, const dv__bsp *plan, const double *X, size_t n);
void dv__bsp_free(dv__bsp *m);
/* dst := a deep copy of src (layout, capacities and rows). */
int dv__bsp_copy(dv__bsp *dst, const dv__bsp *src);
void dv__bsp_reset(dv__bsp *m);
/* Appends a row of d values; DV_EINVAL when the layout has no room. */
int dv__bsp_push(dv__bsp *m, const double *x);
/* z := X theta + c. */
void dv__bsp_gemv(const dv__bsp *m, const double *theta, double c, double *restrict z);
/* g := X^T r; returns sum_i r_i. */
double dv__bsp_gemv_t(const dv__bsp *m, const double *restrict r, double *restrict g);

/* Formats a double so that it reads back exactly (%.17g, with "nan"/"inf"
 * spelled as JSON-safe strings by the caller). */
void dv__fmt_double(char *buf, size_t len, double v);

/* Files (src/util/files.c).  buf := dir/name; -1 when it does not fit. */
int dv__path_in(char *buf, size_t len, const char *dir, const char *name);
int dv__file_exists(const char *path);
/* The whole file, NUL-terminated (dv__free it), its length in *len (may be
 * NULL); NULL with errno set when it cannot be read. */
char *dv__slurp(const char *path, size_t *len);
/* Writing to path through a temporary name (tmp, tmplen >= strlen(path) +
 * 32): dv__out_open opens it (NULL with err filled on failure),
 * dv__out_commit closes it and renames it into place, or removes it when
 * anything failed. */
FILE *dv__out_open(const char *path, char *tmp, size_t tmplen, dv_error *err);
int dv__out_commit(FILE *f, const char *tmp, const char *path, dv_error *err);
/* text to path through a temporary name. */
int dv__write_text(const char *path, const char *text, dv_error *err);
/* A CSV field: as is, or quoted with quotes doubled when it holds a comma,
 * a quote or a line break (nothing for NULL). */
void dv__csv_field(FILE *f, const char *s);

/* Writes s as a JSON string literal (quotes, backslashes and control
 * characters escaped) to f. */
void dv__json_string(FILE *f, const char *s);

/* Writes a .npy v1.0 header for a C-order array into buf; returns its
 * length (a multiple of 64), or 0 if cap is too small. */
size_t dv__npy_header(char *buf, size_t cap, dv_dtype t, size_t rows, size_t cols);

/* learners (src/learn) ---------------------------------------------------- */

/* How a fitted model predicts. */
typedef enum {
    DV__MODEL_LINEAR = 0,    /* from theta (logistic, softmax or linear) */
    DV__MODEL_ONE_CLASS = 1, /* classification: probability 1 for const_class */
    DV__MODEL_UNIFORM = 2    /* classification: probability 1/K for every class */
} dv__model_mode;

/* The model.  theta is stored in the public coefficient layout of
 * dv_model_coef:
 *   regression (ridge, ols) and binary logreg (K = 2): (w_0..w_{d-1}, b),
 *     binary probability of class 1 = sigmoid(x.w + b);
 *   multinomial logreg (K > 2): K blocks of (w_k, b_k), block k at
 *     theta + k * (d + 1); softmax over the present classes, whose last
 *     present class has b = 0; the blocks of absent classes are all zero
 *     and those classes get probability 0.
 * Constant models (mode != DV__MODEL_LINEAR) keep theta all zero.  A
 * classification dataset with K = 1 class always predicts probability 1. */
struct dv_model {
    dv_learner_kind kind;
    dv_task task;
    size_t d;              /* number of features */
    size_t n_classes;      /* K (>= 1) for classification, 0 for regression */
    size_t n_params;       /* length of theta: K * (d + 1) when K > 2, else d + 1 */
    double *theta;         /* n_params coefficients, layout above */
    unsigned char *present;/* K > 2 only (else NULL): 1 if class k had training rows */
    size_t n_present;      /* classes with training rows (K for K <= 2 linear models) */
    int mode;              /* dv__model_mode */
    size_t const_class;    /* DV__MODEL_ONE_CLASS: the class predicted */
    int iterations;        /* Newton iterations (0 for closed-form and constant fits) */
    double grad_norm;      /* objective gradient norm at theta */
    double grad0_norm;     /* objective gradient norm at theta = 0 */
    int converged;         /* 0 if the solver stopped before the tolerance */
    /* tree learner */
    struct dv__tree *tree; /* DV_LEARNER_TREE: the fitted tree (tree.c); else NULL */
    /* mlp: layer widths d, hidden..., outputs (mlp.c); theta holds each
     * layer's weights (out x in, row-major) then its biases */
    size_t mlp_width[DV_MLP_MAX_HIDDEN + 2];
    size_t mlp_layers;     /* weight layers: n_hidden + 1 (0 for other learners) */
    /* knn: the training rows it predicts from (neighbors.c) */
    double *knn_X, *knn_y; /* knn_n x d features, knn_n targets */
    size_t knn_n, knn_k;   /* rows kept; neighbours used (at most knn_n) */
    int knn_distance;      /* weights 1 / distance */
};

/* Allocates a model with theta = 0, mode DV__MODEL_LINEAR, every class
 * present, converged = 1.  task/d/n_classes as in the dataset it fits. */
int dv__model_alloc(dv_model **out, dv_learner_kind kind, dv_task task, size_t d,
                    size_t n_classes);

/* The solvers behind dv_model_fit.  Xa is the gathered n x (d + 1) design,
 * row-major, whose last column is all ones; y the n targets (class indices
 * as doubles for classification).  m comes from dv__model_alloc with the
 * dataset's shape; the solvers fill theta and the bookkeeping fields. */
int dv__logreg_fit(dv_model *m, const dv_learner_params *p, const double *Xa, const double *y,
                   size_t n, const dv_model *warm, dv_error *err);
int dv__linear_fit(dv_model *m, double lambda, const double *Xa, const double *y, size_t n,
                   dv_error *err);

/* Mean clipped log-loss of 0/1 labels y[0..n-1] under p = sigmoid(X w + b),
 * X row-major n x d, theta = (w_0..w_{d-1}, b): -(1/n) sum log clip(p(y_i))
 * with clip to [1e-15, 1 - 1e-15].  Exactly the negative of dv_model_score
 * with DV_METRIC_NEG_LOGLOSS for a binary logreg model.  0 when n == 0.
 * No allocation. */
double dv__logloss_binary(const double *theta, const double *X, const double *y, size_t n,
                          size_t d);

/* end of learners (src/learn) ---------------------------------------------- */

/* tree learner (src/learn/tree.c) ------------------------------------------ */

/* dv_model.mode of a fitted tree.  Not DV__MODEL_LINEAR, so no linear fast
 * path (such as the binary log-loss of dv_model_score) applies to it. */
#define DV__MODEL_TREE 3

/* Fits the CART tree of m (from dv__model_alloc with the dataset's shape)
 * on rows[0..n-1] of ds (rows == NULL: rows 0..n-1; repeats count); sets
 * m->tree, m->mode = DV__MODEL_TREE and m->n_params = 0 (no coefficients).
 * p must have passed dv_learner_params_check. */
int dv__tree_fit(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                 const int64_t *rows, size_t n, dv_error *err);
/* n_rows x dv_model_outputs(m) values: class frequencies or the leaf mean. */
void dv__tree_predict(const dv_model *m, const double *X, size_t n_rows, double *out);
void dv__tree_free(struct dv__tree *t);
/* Number of leaves and depth (root = 0) of m's tree; 0 and 0 without one. */
void dv__tree_shape(const dv_model *m, size_t *n_leaves, size_t *depth);

/* end of tree learner ------------------------------------------------------- */

/* k nearest neighbours (src/learn/neighbors.c) ----------------------------- */

#define DV__MODEL_KNN 5
/* Keeps rows[0..n-1] of ds (rows == NULL: every row) in m; mode becomes
 * DV__MODEL_KNN (or the constant models for no rows or one class). */
int dv__knn_fit(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                const int64_t *rows, size_t n, dv_error *err);
/* n_rows x dv_model_outputs(m) values: weighted class frequencies or the
 * weighted mean target of the neighbours. */
int dv__knn_predict(const dv_model *m, const double *X, size_t n_rows, double *out);

/* multilayer perceptron (src/learn/mlp.c) ------------------------------------ */

/* dv_model.mode of a fitted mlp (no linear fast path applies). */
#define DV__MODEL_MLP 4

/* Fits the mlp of m (from dv__model_alloc) on rows[0..n-1] of ds (rows ==
 * NULL: every row); sets theta, mlp_width, mlp_layers, n_params and mode.
 * p must have passed dv_learner_params_check.  BLAS runs on the calling
 * thread (dv_model_fit arranges it). */
int dv__mlp_fit(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                const int64_t *rows, size_t n, dv_error *err);
/* Called after each training epoch (epoch = 1, 2, ...) with the model as it
 * stands; a non-zero return stops the fit with that status. */
typedef int (*dv__epoch_fn)(void *user, const dv_model *m, int epoch);
/* dv__mlp_fit calling fn after every epoch. */
int dv__mlp_fit_traced(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                       const int64_t *rows, size_t n, dv__epoch_fn fn, void *user,
                       dv_error *err);
/* dv_model_fit of an mlp with fn called after every epoch (DV_EINVAL for
 * another learner). */
int dv__model_fit_traced(dv_model **out, const dv_learner_params *p, const dv_dataset *ds,
                         const int64_t *rows, size_t n, dv__epoch_fn fn, void *user,
                         dv_error *err);
/* n_rows x dv_model_outputs(m) values: class probabilities or the output. */
int dv__mlp_predict(const dv_model *m, const double *X, size_t n_rows, double *out);
/* The mean loss of the mlp with parameters theta (m's layout) on rows
 * X (n x d), y, and its gradient into grad (n_params): for the tests'
 * finite differences.  alpha as in dv_learner_params. */
double dv__mlp_loss_grad(const dv_model *m, const double *theta, const double *X,
                         const double *y, size_t n, double alpha, double *grad);

/* The class with the highest probability among p[0..K-1], ties to the
 * lowest: every predicted label of the library. */
static inline size_t dv__argmax(const double *p, size_t K)
{
    size_t best = 0;
    for (size_t k = 1; k < K; k++)
        if (p[k] > p[best])
            best = k;
    return best;
}

/* The logistic function 1 / (1 + e^-t), without overflow for either sign. */
static inline double dv__sigmoid(double t)
{
    if (t >= 0)
        return 1.0 / (1.0 + exp(-t));
    double e = exp(t);
    return e / (1.0 + e);
}

/* log(1 + e^t) without overflow or cancellation. */
static inline double dv__softplus(double t) { return fmax(t, 0.0) + log1p(exp(-fabs(t))); }

/* p[0..o-1] := softmax(z[0..o-1]); returns log sum_k e^z_k. */
static inline double dv__softmax(const double *z, size_t o, double *p)
{
    double mx = z[0], s = 0.0;
    for (size_t k = 1; k < o; k++)
        mx = fmax(mx, z[k]);
    for (size_t k = 0; k < o; k++)
        s += (p[k] = exp(z[k] - mx));
    for (size_t k = 0; k < o; k++)
        p[k] /= s;
    return mx + log(s);
}

/* The convergence rule of every iterative fit: a fit is converged when the
 * norm of its objective's gradient is at most this, tol * max(1, the norm
 * of the gradient at theta = 0). */
static inline double dv__grad_threshold(double tol, double grad0_norm)
{
    return tol * (grad0_norm > 1.0 ? grad0_norm : 1.0);
}

/* In-place exp, log and log1p of x[0..n-1] (src/util/vmath.c). */
void dv__vexp(double *x, size_t n);
void dv__vlog(double *x, size_t n);
void dv__vlog1p(double *x, size_t n);
/* x = 1 / (1 + e^x), i.e. sigma(-x); and log of that clipped to [lo, hi]. */
void dv__vsigmoid_neg(double *x, size_t n);
void dv__vlog_sigmoid_neg(double *x, size_t n, double lo, double hi);

/* The amortized estimator's mean loss over all n_points points (one batch)
 * for the network of the given hidden sizes with parameters theta, deltas
 * as given (not rescaled), and its gradient into grad: for the tests'
 * finite differences (scaling/amortized.c). */
double dv__amortized_loss_grad(const double *X, size_t n_points, size_t d, const int32_t *head,
                               size_t n_heads, const double *delta, const int32_t *card,
                               size_t m, const size_t *hidden, size_t n_hidden,
                               const double *theta, double *grad);

/* Minimizes f over the box [lo, hi] in two variables by a safeguarded
 * Newton method from x (in/out); f returns its value and fills the gradient
 * and the Hessian (xx, xy, yy).  Returns the minimum found (law.c; used by
 * the per-point and the aggregate law fits). */
double dv__law_minimize2(double (*f)(void *ctx, const double x[2], double grad[2], double hess[3]),
                         void *ctx, double x[2], const double lo[2], const double hi[2],
                         int max_iter);

/* Line j of n from a to b of a mesh (the last exactly b; data/plane.c). */
double dv__mesh_coord(double a, double b, size_t j, size_t n);

/* DV_EINTR with its message when dv_interrupt has been called, else DV_OK:
 * for the loops that do not run through dv__for_items. */
int dv__check_interrupt(dv_error *err);

/* Runs fn(ctx, state, item, err) for items [lo, hi) on n_threads OpenMP
 * threads (<= 0: the default); state comes from state_new(ctx) once per
 * thread, or once per item when per_item (NULL state_new: state is NULL).
 * BLAS runs serially inside; returns the first failure (util/parallel.c). */
typedef int (*dv__item_fn)(void *ctx, void *state, size_t item, dv_error *err);
int dv__for_items(size_t lo, size_t hi, int n_threads, dv__item_fn fn, void *ctx,
                  void *(*state_new)(void *ctx), void (*state_free)(void *state), int per_item,
                  dv_error *err);
/* The same with a fresh state per item, and each item committed in order
 * as soon as it and all before it are done: commit(ctx, item) runs under a
 * lock, item by item from lo, and a nonzero return stops the run (items
 * after it are dropped).  At most `window` items are done or running past
 * the last committed one, so item results can live in window slots (item %
 * window).  Threads never wait for a whole batch, only when a straggler
 * holds the oldest slot. */
int dv__for_items_ordered(size_t lo, size_t hi, size_t window, int n_threads, dv__item_fn fn,
                          int (*commit)(void *ctx, size_t item), void *ctx,
                          void *(*state_new)(void *ctx), void (*state_free)(void *state),
                          dv_error *err);

/* ---- Work items over several processes (util/dist.c) ---- */

/* Where part of an item's results lives: count elements of size bytes,
 * stride bytes apart. */
typedef struct {
    void *base;
    size_t count, size, stride;
} dv__span;
#define DV__MAX_SPANS 4
/* Fills sp with the spans of item's results in ctx; returns their count. */
typedef size_t (*dv__span_fn)(void *ctx, size_t item, dv__span *sp);

/* A loop of work items.  On one process (comm NULL or of size 1) it is
 * dv__for_items (window 0; commit, if any, after each item under a lock)
 * or dv__for_items_ordered (window > 0).  Over several, process 0 hands
 * the items out as processes have room and receives their results through
 * spans; with everywhere, every process ends with every item's results and
 * makes the same commits in the same order (process 0's commits decide the
 * stop), else the results and commits are process 0's alone.  fn(ctx,
 * state, item) writes item's results where spans(ctx, item) says; on a
 * process other than 0 spans is called on the computing thread right after
 * fn, so results may live in that thread's scratch. */
typedef struct {
    dv_comm *comm;
    size_t lo, hi;           /* positions */
    const uint64_t *ids;     /* process 0: position q is item ids[q] (NULL: q); unordered only */
    size_t window;           /* 0: unordered; else commits in order (dv__for_items_ordered) */
    int everywhere;
    int n_threads;           /* per process */
    dv__item_fn fn;
    dv__span_fn spans;
    int (*commit)(void *ctx, size_t item); /* may be NULL when unordered; nonzero: stop */
    void *ctx;
    void *(*state_new)(void *ctx);
    void (*state_free)(void *state);
    int per_item;            /* state per item (always when ordered) */
} dv__job;
int dv__job_run(const dv__job *j, dv_error *err);
/* Whether comm spans several processes. */
int dv__dist_on(const dv_comm *c);
/* Threads over all processes (each gives n_threads, <= 0: its default);
 * the same number on every process. */
size_t dv__dist_threads(dv_comm *c, int n_threads);
/* len bytes of process 0's buf into every process's. */
int dv__dist_bcast(dv_comm *c, void *buf, size_t len, dv_error *err);
/* Process 0's status rc (and message in err) on every process. */
int dv__dist_status(dv_comm *c, int rc, dv_error *err);

/* The first m of a point's n_samples samples (drow, krow) into d and k:
 * the leading columns, or with n_grid >= 2 round-robin over the n_grid
 * cardinality blocks a grid run stores (sample t is column (t mod G) *
 * (n_samples / G) + t / G), so larger budgets extend smaller ones
 * (tasks/estimators.c). */
void dv__first_samples(const double *drow, const int32_t *krow, size_t n_samples, size_t n_grid,
                       size_t m, double *d, int32_t *k);

/* The features (P x d, when X is not NULL) and classes (NULL for
 * regression) of a run's P points, their rows of its training split train;
 * DV_ENOMEM or DV_OK (tasks/run_amortized.c). */
int dv__run_features(const dv_run *r, const dv_dataset *train, double **X, int32_t **head);

#endif /* DV_INTERNAL_H */
