/*
 * dval.h -- the whole public API of dval, a library for valuing training data.
 *
 * dval estimates what each training point is worth to a model.  Its centre
 * is the individualized data scaling law of Covert, Ji, Hashimoto and Zou,
 * "Scaling Laws for the Value of Individual Data Points in Machine Learning"
 * (ICML 2024): the expected marginal contribution of a point z to a random
 * training set of size k,
 *
 *     psi_k(z) = E_{|S| = k} [ U(S + z) - U(S) ],
 *
 * behaves like c(z) * k^(-alpha(z)).  dval samples the marginal contributions
 * exactly, fits (c, alpha) per point, and values points with the law.
 *
 * The common path, in C (this program is compiled and run by the test
 * suite, tests/cli/example.sh; link with -ldval):
 *
 *     #include <stdio.h>
 *     #include "dval.h"
 *
 *     static int fail(const dv_error *e)
 *     {
 *         fprintf(stderr, "dval: %s\n", e->msg);
 *         return 1;
 *     }
 *
 *     int main(int argc, char **argv) // DATA.csv RUN_DIR
 *     {
 *         if (argc != 3)
 *             return 2;
 *         dv_error err = {0};
 *         dv_load_options lo; // read, split, standardize
 *         dv_load_options_default(&lo);
 *         lo.path = argv[1];
 *         dv_dataset *train, *val, *test;
 *         if (dv_data_load(&lo, &train, &val, &test, NULL, &err))
 *             return fail(&err);
 *
 *         dv_sample_params sp; // 20 samples per point, k in [20, 200]
 *         dv_sample_params_default(&sp);
 *         sp.n_samples = 20;
 *         sp.min_card = 20;
 *         sp.max_card = 200;
 *         int64_t points[] = {0, 1, 2, 3, 4};
 *         if (dv_run_create(argv[2], train, val, points, 5, &sp, NULL, &err) ||
 *             dv_run_execute(argv[2], train, val, points, 5, &sp, &err))
 *             return fail(&err);
 *
 *         dv_run *run; // the deltas U(S + z) - U(S), then a law per point
 *         dv_law laws[5];
 *         double value[5];
 *         if (dv_run_open(&run, argv[2], &err) || dv_run_fit(run, 0, NULL, laws, &err))
 *             return fail(&err);
 *         dv_run_values(run, laws, value, NULL, NULL);
 *         for (int i = 0; i < 5; i++)
 *             printf("point %d: c = %.6g, alpha = %.6g, value = %.6g\n", i, laws[i].c,
 *                    laws[i].alpha, value[i]);
 *         dv_run_free(run);
 *         dv_dataset_free(train);
 *         dv_dataset_free(val);
 *         dv_dataset_free(test);
 *         return 0;
 *     }
 *
 * Conventions that hold everywhere:
 * - Every function that can fail returns an int status (dv_status, 0 = OK)
 *   and writes results through OUT pointers.  Constructors set *out = NULL
 *   on failure.  Destructors accept NULL.
 * - A dv_error* argument may be NULL; when given, a failing call writes a
 *   message naming what was wrong (file, line, column, option) into it.
 * - Matrices are dense, row-major, rows = points, n_rows x n_cols, with no
 *   padding (leading dimension = n_cols).
 * - The library never prints and never exits.  Progress goes through a
 *   callback.
 * - Objects may be used by one thread at a time; distinct objects are
 *   independent.  Read-only use (const pointers) from many threads is safe.
 * - Randomness is always an explicit seed; results are identical bit for
 *   bit for any number of threads.
 */
#ifndef DVAL_H
#define DVAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DV_API __declspec(dllexport)
#else
#define DV_API __attribute__((visibility("default")))
#endif

#define DV_VERSION_MAJOR 0
#define DV_VERSION_MINOR 1
#define DV_VERSION_PATCH 0
#define DV_VERSION_STRING "0.1.0"
#define DV_VERSION_NUMBER (DV_VERSION_MAJOR * 10000 + DV_VERSION_MINOR * 100 + DV_VERSION_PATCH)

/* Returns DV_VERSION_NUMBER of the library actually linked. */
DV_API int dv_version_number(void);
DV_API const char *dv_version_string(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* Status codes.  The values are pinned: never renumber. */
#define DV_STATUS_MAP(X)                                   \
    X(DV_OK, 0, "success")                                 \
    X(DV_ENOMEM, 1, "out of memory")                       \
    X(DV_EINVAL, 2, "invalid argument")                    \
    X(DV_EIO, 3, "input/output error")                     \
    X(DV_EFORMAT, 4, "malformed input")                    \
    X(DV_ENOTCONV, 5, "solver did not converge")           \
    X(DV_EDEGEN, 6, "degenerate input")                    \
    X(DV_ESTATE, 7, "inconsistent or incompatible state")   \
    X(DV_EINTR, 8, "interrupted")

typedef enum {
#define DV__STATUS_ENUM(name, val, text) name = val,
    DV_STATUS_MAP(DV__STATUS_ENUM)
#undef DV__STATUS_ENUM
} dv_status;

/* Static text for a status code; never NULL. */
DV_API const char *dv_strerror(int code);

/* Detail of a failure.  Zero-initialize; the library fills it on error. */
typedef struct {
    int code;       /* dv_status of the failure */
    char msg[512];  /* human-readable detail, NUL-terminated */
} dv_error;

/* Seconds on a monotonic clock (an arbitrary origin): the clock of the
 * library's time budgets (dv_value_params.max_seconds) and of the seconds
 * it reports. */
DV_API double dv_clock_seconds(void);

/* Asks every computation of the library that is running, in any thread, to
 * stop: each returns DV_EINTR at its next work item (a model fit, a
 * permutation, a chunk of samples), its outputs untouched and a sampling run
 * resumable.  Safe to call from a signal handler.  The request stays until
 * dv_interrupt_clear; dv_interrupted tells whether one is pending. */
DV_API void dv_interrupt(void);
DV_API void dv_interrupt_clear(void);
DV_API int dv_interrupted(void);

/* ------------------------------------------------------------------------ */
/* Random numbers                                                           */
/* ------------------------------------------------------------------------ */

/* xoshiro256** seeded through splitmix64.  A plain value: copy it freely. */
typedef struct {
    uint64_t s[4];
} dv_rng;

/* Seeds from (seed, stream): distinct streams are independent.  Monte Carlo
 * code keys the stream by the work item, never by the thread. */
DV_API void dv_rng_seed(dv_rng *r, uint64_t seed, uint64_t stream);
DV_API uint64_t dv_rng_next(dv_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
DV_API double dv_rng_uniform(dv_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire's method).  n > 0. */
DV_API uint64_t dv_rng_below(dv_rng *r, uint64_t n);
/* Standard normal (polar Box-Muller without caching: two uniforms per pair,
 * returns one value; deterministic). */
DV_API double dv_rng_normal(dv_rng *r);

/* ------------------------------------------------------------------------ */
/* Datasets                                                                 */
/* ------------------------------------------------------------------------ */

typedef enum {
    DV_TASK_CLASSIFICATION = 0, /* labels are classes 0..C-1 */
    DV_TASK_REGRESSION = 1      /* labels are real numbers */
} dv_task;

/* A dataset: n_rows x n_cols features (double, row-major) and one target
 * per row.  For classification the targets are class indices 0..C-1 stored
 * as doubles, and the dataset keeps the class names (the original label
 * strings, in the order of the mapping). */
typedef struct dv_dataset dv_dataset;

typedef struct {
    const char *label;  /* name of the label column; NULL = last column */
    dv_task task;       /* default DV_TASK_CLASSIFICATION */
    int drop_missing;   /* nonzero: skip rows with a missing/non-numeric feature */
    int one_class;      /* nonzero: a classification file may hold a single class (rows to
                         * add to data of more classes); default 0: an error */
} dv_csv_options;

DV_API void dv_csv_options_default(dv_csv_options *o);

/* Reads a CSV file, plain or gzip-compressed (detected from the content),
 * with a header row.  Class labels may be integers or strings: they are
 * mapped to 0..C-1 in sorted order (numerically when all labels are
 * integers, else by byte order).  Every error names the file, the line and
 * the column. */
DV_API int dv_dataset_read_csv(dv_dataset **out, const char *path,
                               const dv_csv_options *o, dv_error *err);

/* Makes a dataset from arrays (copied).  For classification y must hold
 * integers 0..n_classes-1; class names become "0", "1", ... .  col_names may
 * be NULL (names "x0", "x1", ...). */
DV_API int dv_dataset_from_arrays(dv_dataset **out, size_t n_rows, size_t n_cols,
                                  const double *X, const double *y, dv_task task,
                                  size_t n_classes, const char *const *col_names,
                                  dv_error *err);
/* As dv_dataset_from_arrays, but the dataset borrows X instead of copying
 * it: X must stay valid and unchanged until the dataset is freed.  The
 * library never writes borrowed features; standardizing the dataset first
 * makes its own copy.  y is copied. */
DV_API int dv_dataset_wrap(dv_dataset **out, size_t n_rows, size_t n_cols, const double *X,
                           const double *y, dv_task task, size_t n_classes,
                           const char *const *col_names, dv_error *err);
/* Renames the label column (label; NULL keeps it) and the classes
 * (class_names[0..n_classes-1]; NULL keeps them), e.g. to the labels that
 * arrays were coded from.  Names must be non-empty and distinct. */
DV_API int dv_dataset_set_names(dv_dataset *ds, const char *label,
                                const char *const *class_names, dv_error *err);

/* A new dataset holding rows[0..n-1] of src (copied, in that order).  The
 * class mapping is kept. */
DV_API int dv_dataset_subset(dv_dataset **out, const dv_dataset *src,
                             const int64_t *rows, size_t n, dv_error *err);

DV_API void dv_dataset_free(dv_dataset *ds);

DV_API size_t dv_dataset_rows(const dv_dataset *ds);
DV_API size_t dv_dataset_cols(const dv_dataset *ds);
DV_API dv_task dv_dataset_task(const dv_dataset *ds);
/* Number of classes (0 for regression). */
DV_API size_t dv_dataset_classes(const dv_dataset *ds);
/* Borrowed pointers, valid until the dataset is freed or modified. */
DV_API const double *dv_dataset_features(const dv_dataset *ds);
DV_API const double *dv_dataset_targets(const dv_dataset *ds);
DV_API const char *dv_dataset_col_name(const dv_dataset *ds, size_t j);
DV_API const char *dv_dataset_label_name(const dv_dataset *ds);
DV_API const char *dv_dataset_class_name(const dv_dataset *ds, size_t c);
/* Row of the source file (0 = first data row) each row came from; for
 * datasets made from arrays, 0..n-1; subsets keep the source rows. */
DV_API const int64_t *dv_dataset_source_rows(const dv_dataset *ds);

typedef struct {
    double n_val;     /* >= 1: a count; in (0, 1): a fraction; < 0: default */
    double n_test;    /* same */
    uint64_t seed;    /* permutation seed */
} dv_split_options;

/* Defaults: 1000 and 1000 rows when the data has at least 4000 rows, else
 * 20 % each; seed 0. */
DV_API void dv_split_options_default(dv_split_options *o);

/* Seeded random split into train / validation / test (each copied).  Any
 * OUT pointer for a part of size 0 receives an empty dataset. */
DV_API int dv_dataset_split(const dv_dataset *all, const dv_split_options *o,
                            dv_dataset **train, dv_dataset **val,
                            dv_dataset **test, dv_error *err);

/* Standardizes features of train, and with train's mean and population
 * standard deviation also val and test (either may be NULL).  Constant
 * columns are centred but not scaled.  DV_ENOMEM (the datasets unchanged)
 * when the statistics, or the copy of borrowed features, cannot be made. */
DV_API int dv_dataset_standardize(dv_dataset *train, dv_dataset *val, dv_dataset *test);
/* x := (x - mean) / scale per column (d values each; scale > 0, both
 * finite, else DV_EINVAL), as dv_dataset_standardize does with the training
 * statistics: e.g. new rows standardized like a run's training split. */
DV_API int dv_dataset_standardize_by(dv_dataset *ds, const double *mean, const double *scale);
/* The mean and scale ds was standardized with (its own or its training
 * split's; subsets keep them), or NULL when it was not standardized. */
DV_API const double *dv_dataset_std_mean(const dv_dataset *ds);
DV_API const double *dv_dataset_std_scale(const dv_dataset *ds);

/* How dv_data_load makes the three parts of a data set. */
typedef struct {
    const char *path;       /* CSV or CSV.gz with a header row (required) */
    dv_csv_options csv;     /* label column, task, missing values (all files) */
    const char *val_path;   /* explicit validation and test files (both or */
    const char *test_path;  /* neither): same columns and classes as path */
    dv_split_options split; /* the seeded split of path, without the files */
    int standardize;        /* nonzero (default): dv_dataset_standardize */
    const char *command;    /* recorded first in the manifest when not NULL */
} dv_load_options;

DV_API void dv_load_options_default(dv_load_options *o);

/* Reads o->path and splits it into train, validation and test parts (or
 * reads the explicit validation and test files and checks that their
 * columns and class labels agree with the training file's), then
 * standardizes them with the training statistics.  manifest, when not
 * NULL, receives a JSON object describing the data, to be recorded with
 * the results: {"command": ..., "data": {"path", "sha256", "label",
 * "label_map", "standardized"}, "split": {"train", "val", "test", "seed" or
 * "val_data"/"test_data"}}; free it with dv_free.  On failure every OUT
 * pointer is NULL and err names the file and what was wrong. */
DV_API int dv_data_load(const dv_load_options *o, dv_dataset **train, dv_dataset **val,
                        dv_dataset **test, char **manifest, dv_error *err);

/* Reads new rows of the training data's kind from path (with o's label,
 * task and missing-value settings): the same feature columns as train, in
 * the same order, classes mapped to train's by their labels (a label that
 * train does not have is an error naming the row), and the features
 * standardized with train's statistics when train was standardized.  For
 * rows to value that are not in the data (dval value --candidates). */
DV_API int dv_dataset_read_like(dv_dataset **out, const char *path, const dv_dataset *train,
                                const dv_csv_options *o, dv_error *err);

/* Synthetic data (the reference implementation's generators). */
typedef enum {
    DV_SYNTH_LINEAR_CLF = 0, /* x ~ N(0, I_d), coef ~ N(0, I), y = 1[x.coef + 0.1 eps > 0] */
    DV_SYNTH_LINEAR_REG = 1, /* same, y = x.coef + 0.1 eps */
    DV_SYNTH_GAUSS2D = 2     /* 2-D mixture of Gaussian clusters, labelled by nearest mean */
} dv_synth_kind;

typedef struct {
    dv_synth_kind kind;
    size_t n_rows;            /* default 12000 */
    size_t n_features;        /* linear kinds; default 50 */
    double noise;             /* linear kinds; default 0.1 */
    size_t n_classes;         /* gauss2d; default 2 */
    size_t clusters_per_class;/* gauss2d; default 2 */
    double spread;            /* gauss2d: std of each cluster; default 1 */
    double separation;        /* gauss2d: scale of cluster means; default 3 */
    const double *means;      /* gauss2d: optional explicit means, (n_classes*clusters_per_class) x 2 */
    uint64_t seed;
    /* gauss2d: when set, the rows are this mesh's nodes (n_rows is ignored),
     * labelled by the same rule as the drawn rows: a labelled evaluation set
     * for the rule g (the 2-D study's measurement against g). */
    const struct dv_mesh *mesh;
} dv_synth_params;

DV_API void dv_synth_params_default(dv_synth_params *p, dv_synth_kind kind);
DV_API int dv_synth(dv_dataset **out, const dv_synth_params *p, dv_error *err);

/* Writes a dataset as CSV (header, features with %.17g, label last).
 * Written to a temporary name and renamed, so a failure leaves no file. */
DV_API int dv_dataset_write_csv(const dv_dataset *ds, const char *path, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Learners, models and metrics                                             */
/* ------------------------------------------------------------------------ */

typedef enum {
    DV_LEARNER_LOGREG = 0, /* L2 logistic regression (binary or multinomial) */
    DV_LEARNER_RIDGE = 1,  /* ridge regression: min ||Xw + b - y||^2 + lambda ||w||^2 */
    DV_LEARNER_OLS = 2,    /* least squares (ridge with lambda = 0) */
    DV_LEARNER_TREE = 3,   /* CART decision tree: Gini (classification) or squared error */
    DV_LEARNER_MLP = 4,    /* multilayer perceptron (ReLU), trained by Adam on minibatches */
    DV_LEARNER_KNN = 5     /* k nearest neighbours (Euclidean), uniform or distance weights */
} dv_learner_kind;

#define DV_MLP_MAX_HIDDEN 8 /* hidden layers of an mlp, at most */

typedef struct {
    dv_learner_kind kind;
    double C;        /* logreg: min C * sum log-loss + 1/2 ||w||^2; default 1 */
    double lambda;   /* ridge penalty; default 1 */
    double tol;      /* logreg: stop when ||grad|| <= tol * max(1, ||grad at 0||); default 1e-10 */
    int max_iter;    /* logreg Newton iterations; default 100 */
    int max_depth;   /* tree: maximum depth (root = 0); default 0 = unlimited */
    int min_leaf;    /* tree: minimum rows per leaf; default 1 */
    int max_features;/* tree: features tried per split, 0 = all; a random subset otherwise */
    uint64_t seed;   /* tree: seed of the feature subsets; mlp: of the weights, batches, hold-out */
    /* mlp: fully connected ReLU layers, then a sigmoid (two classes), softmax
     * (more) or linear (regression) output; the loss is the mean
     * cross-entropy or half the mean squared error of a minibatch plus
     * alpha / 2 ||W||^2 / batch (scikit-learn's MLP).  Weights and biases
     * start uniform in +-1/sqrt(fan-in) (the common frameworks' default). */
    size_t hidden[DV_MLP_MAX_HIDDEN]; /* hidden layer sizes; default 32, 32, 32 */
    size_t n_hidden;    /* hidden layers used (0: a linear model); default 3 */
    int epochs;         /* passes over the training rows; default 25 */
    size_t batch_size;  /* rows per Adam step (the last batch may be smaller); default 1280 */
    double lr;          /* Adam's step size; default 1e-3 */
    double alpha;       /* L2 penalty on the weights, as scikit-learn's alpha; default 1e-4 */
    double weight_decay;/* AdamW's decoupled decay per step (times lr); 0 = Adam; default 0 */
    double val_fraction;/* early stopping: rows held out, 0 = off (train all epochs); default 0 */
    int patience;       /* early stopping: epochs without a better held-out loss; default 10 */
    /* Without a held-out part, scikit-learn's rule on the training loss (the
     * epoch's mean minibatch loss with the penalty): stop once it has not
     * fallen below the best so far minus loss_tol for more than
     * n_iter_no_change epochs in a row; loss_tol 0 (default) = off. */
    double loss_tol;
    int n_iter_no_change; /* default 10 */
    /* knn: the class frequencies (or the mean target) of the k training rows
     * nearest to a query (ties by row order), weighted by 1 / distance when
     * distance_weights (rows at distance 0 then take all the weight), as
     * scikit-learn's KNeighbors models.  The reference code's knn model is
     * k = 50 with distance weights, the default. */
    size_t neighbors;   /* k; default 50 (all rows when a fit has fewer) */
    int distance_weights; /* nonzero: weights 1 / distance; default 1 */
    /* mlp: each hidden unit is dropped with this probability at each
     * training step, the kept ones scaled by 1 / (1 - dropout) (Srivastava
     * et al., JMLR 2014), masks from a stream keyed by the seed; predictions
     * use every unit.  Default 0 (off).  Not recorded by sampling runs,
     * which refuse it. */
    double dropout;
} dv_learner_params;

DV_API void dv_learner_params_default(dv_learner_params *p, dv_learner_kind kind);
/* NULL if valid, else a static message saying why not. */
DV_API const char *dv_learner_params_check(const dv_learner_params *p);
/* Parses "logreg", "ridge", "ols", "tree", "mlp", "knn".  Returns DV_EINVAL
 * for an unknown name. */
DV_API int dv_learner_from_name(const char *name, dv_learner_kind *out);
/* The mlp defaults (dv_learner_params_default) changed by a preset:
 * "reference" (the defaults: the reference code's classifier) or
 * "sklearn-1000" (scikit-learn's MLPClassifier defaults with one hidden
 * layer of 1000 units: 200 epochs, batches of 200, Adam at 1e-3, alpha
 * 1e-4, loss_tol 1e-4, n_iter_no_change 10).  DV_EINVAL for another name. */
DV_API int dv_learner_params_preset(dv_learner_params *p, const char *name);
DV_API const char *dv_learner_name(dv_learner_kind k);

/* A fitted model.  Constant models: a training subset with a single class
 * predicts that class with probability 1 (clipped by the metrics); an empty
 * one predicts the class prior given at fit time (uniform by default), and
 * an empty regression set predicts 0. */
typedef struct dv_model dv_model;

/* Fits on rows[0..n-1] of ds (rows == NULL: all rows, n ignored).  warm,
 * when not NULL, is a model of the same shape to start from.  Returns
 * DV_ENOTCONV if the tolerance was not reached in max_iter iterations (the
 * model is still returned in *out, flagged not converged). */
DV_API int dv_model_fit(dv_model **out, const dv_learner_params *p, const dv_dataset *ds,
                        const int64_t *rows, size_t n, const dv_model *warm,
                        dv_error *err);
DV_API void dv_model_free(dv_model *m);

/* Number of outputs of predict: n_classes for classification (probabilities
 * per class), 1 for regression. */
DV_API size_t dv_model_outputs(const dv_model *m);
/* Writes n_rows x outputs values into out. */
DV_API int dv_model_predict(const dv_model *m, const double *X, size_t n_rows,
                            size_t n_cols, double *out);
/* Coefficients: classification binary: d weights then intercept (d + 1);
 * multinomial: K blocks of (d weights, intercept); regression: d + 1.
 * Returns the number of coefficients; copies min(len, that) into out. */
DV_API size_t dv_model_coef(const dv_model *m, double *out, size_t len);
DV_API int dv_model_iterations(const dv_model *m);
/* Norm of the objective's gradient at the solution, and the norm at 0. */
DV_API double dv_model_grad_norm(const dv_model *m);
DV_API double dv_model_grad0_norm(const dv_model *m);

typedef enum {
    DV_METRIC_DEFAULT = -1,  /* neg_logloss for classification, neg_mse for regression;
                              * for tmc and beta on classification (dv_value_compute),
                              * accuracy: with the log-likelihood their values found
                              * flipped labels no better than random on Adult, credit
                              * default and MAGIC (BENCHMARKS.md) */
    DV_METRIC_NEG_LOGLOSS = 0,
    DV_METRIC_ACCURACY = 1,
    DV_METRIC_NEG_MSE = 2,
    DV_METRIC_R2 = 3
} dv_metric;

DV_API int dv_metric_from_name(const char *name, dv_metric *out);
DV_API const char *dv_metric_name(dv_metric m);

/* Scores model m on dataset ds with metric (higher is better).  Log-loss
 * uses natural logs and clips probabilities to [1e-15, 1 - 1e-15]. */
DV_API int dv_model_score(const dv_model *m, const dv_dataset *ds, dv_metric metric,
                          double *out);

/* Distance of rows of train to the decision boundary of binary logistic
 * regression (lp) fitted on all of train: |w.x + b| / ||w|| (rows == NULL:
 * every row). */
DV_API int dv_boundary_distance(const dv_dataset *train, const dv_learner_params *lp,
                                const int64_t *rows, size_t n, double *out, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Sampling marginal contributions (the run directory)                      */
/* ------------------------------------------------------------------------ */

typedef enum {
    DV_CARD_UNIFORM = 0, /* each sample's k uniform over [min_card, max_card] */
    DV_CARD_GRID = 1     /* n_samples samples at each listed cardinality */
} dv_card_mode;

typedef void (*dv_progress_fn)(void *user, uint64_t done, uint64_t total);

/* ------------------------------------------------------------------------ */
/* Several processes                                                        */
/* ------------------------------------------------------------------------ */

/* A message transport between the processes of one job, such as the ranks
 * of an MPI communicator (dval_mpi.h makes one from MPI_COMM_WORLD).  Set
 * in dv_sample_params or dv_value_params with size > 1, it spreads the
 * work items of dv_run_execute and of the sampling methods over the
 * processes as they ask for work (process 0 computes too), and the results
 * are identical to one process's.  Every process makes the same library
 * calls with the same arguments: process 0 writes the run directory, and
 * dv_value_compute returns the values on every process.  The library calls
 * the functions from the thread that called it, one call at a time, so
 * MPI_THREAD_FUNNELED is enough.  Messages of one (source, tag) arrive in
 * the order they were sent. */
typedef struct dv_comm {
    int rank;  /* this process: 0 .. size - 1 */
    int size;  /* processes */
    /* Sends len bytes to process dest with tag (0 .. 32767); 0 on success. */
    int (*send)(void *user, int dest, int tag, const void *buf, size_t len);
    /* Without waiting: 1 with the source and length of a message with tag
     * that has arrived and is not yet received, 0 if there is none, < 0 on
     * failure. */
    int (*poll)(void *user, int tag, int *src, size_t *len);
    /* Receives that message (len bytes from src with tag); 0 on success. */
    int (*recv)(void *user, int src, int tag, void *buf, size_t len);
    void *user;
    unsigned seq; /* the library's count of exchanges; set to 0 once */
} dv_comm;


typedef struct {
    dv_learner_params learner;
    dv_metric metric;      /* DV_METRIC_DEFAULT resolves by task */
    dv_card_mode mode;
    size_t n_samples;      /* per point (uniform) or per point and cardinality (grid) */
    int64_t min_card, max_card;  /* inclusive */
    const int64_t *cards;  /* grid: explicit cardinalities (NULL = geometric grid) */
    size_t n_cards;        /* grid: number of explicit cards, or grid size when cards == NULL */
    uint64_t seed;
    int n_threads;         /* <= 0: OpenMP default */
    size_t batch;          /* points sharing one fitted coalition; default 128, at most 256 */
    dv_progress_fn progress; /* may be NULL */
    void *progress_user;
    dv_comm *comm;         /* NULL: this process alone; else spread over comm's processes */
    /* Shard `shard` of n_shards (0: the whole run): the directory holds only
     * the work items it with it % n_shards == shard, one row of batch
     * samples each; dv_run_combine makes the run from all the shards. */
    size_t shard, n_shards;
} dv_sample_params;

DV_API void dv_sample_params_default(dv_sample_params *p);

/* Geometric grid of n integers from lo to hi (like numpy geomspace cast to
 * int, duplicates removed); returns the count written to out (<= n). */
DV_API size_t dv_geom_grid(int64_t lo, int64_t hi, size_t n, int64_t *out);

/* Class-balanced counts for a coalition of size k from a training set with
 * class sizes class_n[0..C-1]: count_c = round(share_c * k), the remainder
 * (positive or negative) to the majority class.  Returns DV_EINVAL with a
 * message when some class cannot supply its count (the point valued is
 * excluded, so a class offers class_n[c] - 1 rows to points of its class). */
DV_API int dv_class_counts(const size_t *class_n, size_t n_classes, int64_t k,
                           int64_t *counts, dv_error *err);

/* Work layout: the points valued are cut into batches of p->batch points;
 * a work item is (sample index j, batch b).  Sample j of every point in a
 * batch is computed from one coalition drawn for the item; the random
 * stream is keyed by (seed, j, b).  Items are independent, so they can run
 * in any order, on any thread or process. */

/* Makes the run directory run_dir from the n directories of the shards of
 * one run (dv_sample_params.shard and n_shards, each finished), exactly as
 * dv_run_execute writes it on one process, except that run.json records
 * the first shard's command without its --shard option.  Checks that the
 * shards hold one run (the same fingerprint), that each is there once and
 * finished, naming the directory at fault (DV_ESTATE), and leaves run_dir
 * without a run on any failure.  run_dir must not hold a run. */
DV_API int dv_run_combine(const char *run_dir, const char *const *shard_dirs, size_t n,
                          dv_error *err);

/* A finished run directory, opened for reading: its settings (run.json),
 * samples (deltas.npy, cards.npy, points.npy) and point labels
 * (points.csv).  Read-only: any number of threads may read one run. */
typedef struct dv_run dv_run;

/* Creates RUN_DIR (or checks that an existing one matches, for resuming)
 * with run.json and empty partial outputs.  points == NULL values all
 * training rows.  manifest_extra, when not NULL, is a JSON object text whose
 * members are added to run.json (command line, data file hash, split, ...). */
DV_API int dv_run_create(const char *run_dir, const dv_dataset *train,
                         const dv_dataset *val, const int64_t *points, size_t n_points,
                         const dv_sample_params *p, const char *manifest_extra,
                         dv_error *err);

/* Computes every unfinished work item of the run in run_dir (created by
 * dv_run_create with the same data, points and parameters, else DV_ESTATE)
 * and, when all
 * are done, writes the final deltas.npy, cards.npy and points.npy.  Work
 * is checkpointed as it finishes: after a kill, calling this again finishes
 * the run, with output byte-identical to an uninterrupted run. */
DV_API int dv_run_execute(const char *run_dir, const dv_dataset *train,
                          const dv_dataset *val, const int64_t *points, size_t n_points,
                          const dv_sample_params *p, dv_error *err);

/* Samples the learning curve: n_samples utilities U(S) at each of the
 * n_cards cardinalities, S drawn class-balanced from train without
 * replacement, each model fitted to convergence.  out is n_cards x
 * n_samples, row-major.  Identical for any thread count. */
DV_API int dv_curve_sample(const dv_dataset *train, const dv_dataset *val,
                           const dv_learner_params *lp, dv_metric metric, const int64_t *cards,
                           size_t n_cards, size_t n_samples, uint64_t seed, int n_threads,
                           double *out, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Valuation methods                                                        */
/* ------------------------------------------------------------------------ */

typedef enum {
    DV_METHOD_LOO = 0,            /* leave-one-out: U(D) - U(D - i) */
    DV_METHOD_EXACT_SHAPLEY = 1,  /* Shapley value by enumeration (n <= 24) */
    DV_METHOD_EXACT_BANZHAF = 2,  /* Banzhaf value by enumeration (n <= 24) */
    DV_METHOD_TMC = 3,            /* truncated Monte Carlo Data Shapley (Ghorbani & Zou 2019) */
    DV_METHOD_BETA = 4,           /* Beta Shapley (Kwon & Zou 2022) */
    DV_METHOD_BANZHAF = 5,        /* Data Banzhaf, maximum-sample-reuse (Wang & Jia 2023) */
    DV_METHOD_KNN = 6,            /* exact KNN-Shapley (Jia et al. 2019) */
    DV_METHOD_OOB = 7,            /* Data-OOB (Kwon & Zou 2023) */
    DV_METHOD_AME = 8,            /* average marginal effect (Lin et al. 2022) */
    DV_METHOD_INFLUENCE = 9,      /* influence functions (Koh & Liang 2017) */
    DV_METHOD_LAVA = 10,          /* LAVA (Just et al. 2023) */
    DV_METHOD_CG = 11,            /* CG score (Ki, Choi & Chung 2023) */
    DV_METHOD_RANDOM = 12,        /* uniform random values: the baseline */
    DV_METHOD_FORGETTING = 13,    /* forgetting events while training (Toneva et al. 2019) */
    DV_METHOD_MEMORIZATION = 14,  /* subsampled memorization (Feldman & Zhang 2020) */
    DV_METHOD_DVRL = 15,          /* reinforcement-learning valuator (Yoon et al. 2020) */
    DV_METHOD_GSHAPLEY = 16,      /* G-Shapley: permutations of one SGD pass (Ghorbani & Zou 2019) */
    DV_METHOD_TS_SHAPLEY = 17     /* TS-DShapley: Shapley values within random subsets
                                   * (Schoch, Mishra & Ji 2023) */
} dv_method;
#define DV_N_METHODS 18 /* methods 0..DV_N_METHODS-1 */

/* What DVRL's valuator sees of a row (f_V: p->learner fitted on the
 * validation set, its class probabilities). */
typedef enum {
    DV_DVRL_XYR = 0, /* x, y one-hot, |y one-hot - f_V(x)| (Yoon et al.) */
    DV_DVRL_XP = 1,  /* x, f_V(x) */
    DV_DVRL_X = 2    /* x alone */
} dv_dvrl_input;

/* How a forgetting trace (correct[t] = 1 when the row is classified
 * correctly after epoch t + 1, t = 0..E-1) becomes a score; higher = harder
 * (dv_value_compute returns -score, since values are "higher = more
 * valuable").  Rows never classified correctly rank last: events, printed
 * and frequent give them E, last-learned E + 1. */
typedef enum {
    DV_FORGET_EVENTS = 0,       /* 1 -> 0 transitions (Toneva et al.) */
    DV_FORGET_PRINTED = 1,      /* epochs with correct[t] <= correct[t - 1], correct[-1] = 0
                                 * (the 2-D study's Algorithm 1 as printed) */
    DV_FORGET_LAST_LEARNED = 2, /* the first epoch (1-based) in which it is correct */
    DV_FORGET_SIMPLE = 3,       /* epochs in which it is misclassified */
    DV_FORGET_FREQUENT = 4      /* as printed, counted only after it was first correct */
} dv_forgetting_variant;

/* The score of one trace of E epochs under variant v (NaN for an unknown
 * variant). */
DV_API double dv_forgetting_score(const unsigned char *correct, size_t E, int v);
/* Parses "events", "printed", "last-learned", "simple", "frequent". */
DV_API int dv_forgetting_variant_from_name(const char *name, int *out);
DV_API const char *dv_forgetting_variant_name(int v);

DV_API int dv_method_from_name(const char *name, dv_method *out);
DV_API const char *dv_method_name(dv_method m);

/* Which rule ended a sampling method. */
typedef enum {
    DV_STOP_DONE = 0,      /* the method is not a sampling method, or it is exact */
    DV_STOP_SAMPLES = 1,   /* max_samples reached */
    DV_STOP_SECONDS = 2,   /* max_seconds reached */
    DV_STOP_RHAT = 3,      /* Gelman-Rubin R-hat over chains at or below rhat */
    DV_STOP_STDERR = 4,    /* every standard error at or below stderr_tol */
    DV_STOP_RANK = 5       /* ranking stable: Spearman of successive checks >= 1 - rank_tol */
} dv_stop_rule;

DV_API const char *dv_stop_rule_name(int rule);

typedef struct {
    dv_method method;
    dv_learner_params learner;   /* the model behind U(S) */
    dv_metric metric;            /* U(S) on the validation set */
    uint64_t seed;
    int n_threads;               /* <= 0: OpenMP default; results do not depend on it */
    /* Sampling methods (tmc, beta, banzhaf, ame, oob): budget and stopping. */
    size_t max_samples;          /* permutations / subsets / models / training runs
                                  * (forgetting); 0 = the method's default: 4000 for ame
                                  * (1,000 subsets per inclusion probability, as
                                  * OpenDataVal), 5 for forgetting, 1000 otherwise */
    size_t min_samples;          /* before any stopping rule applies; default 100 */
    double max_seconds;          /* 0 = no time limit */
    double rhat;                 /* stop when max R-hat <= rhat (0 = off); default 1.05, */
    double rel_stderr;           /* and every standard error <= rel_stderr times the
                                  * standard deviation of the values (0 = R-hat alone;
                                  * default 0.1): chains that agree are not enough when
                                  * each value is still noise */
    size_t chains;               /* chains for R-hat; default 4 */
    double stderr_tol;           /* stop when every standard error <= this (0 = off) */
    double rank_tol;             /* stop when rank correlation >= 1 - rank_tol (0 = off) */
    size_t check_every;          /* samples between checks; default 50 */
    /* Method parameters. */
    double truncation;           /* tmc: truncate a scan once |U - U(D)| <= truncation * |U(D)|; 0 = off; default 0.01 */
    double beta_a, beta_b;       /* beta: Beta(alpha, beta) weights; default 4, 1 */
    size_t knn_k;                /* knn: neighbours K; default 10 */
    double oob_fraction;         /* oob: bootstrap size as a fraction of n; default 1 */
    double lava_entreg;          /* lava: entropic regularization; default 0.1 */
    size_t cg_reps;              /* cg: repetitions of the negative draw; default 1 */
    double cg_unbalance;         /* cg: negatives per positive; default 1 */
    int forgetting_variant;      /* forgetting: dv_forgetting_variant; default events */
    double mem_fraction;         /* memorization: subset size as a fraction of n; default 0.7 */
    int dvrl_input;              /* dvrl: dv_dvrl_input; default DV_DVRL_XYR */
    size_t dvrl_batch;           /* dvrl: rows per iteration; default 32 */
    double gshapley_lr;          /* gshapley: the step size; 0 (default) = the best of
                                  * 10^-3 .. 10^1 for one pass */
    size_t ts_subset;            /* ts-shapley: players per subset; default 100 */
    /* Groups: groups[i] in 0..n_groups-1 is the group of training row i;
     * NULL values single rows.  Values are then per group. */
    const int64_t *groups;
    size_t n_groups;
    /* Called as the work advances (tmc and beta: each permutation taken;
     * ame: its subsets, then its cross-validation fits; memorization,
     * forgetting, dvrl: models, runs, iterations), one call at a time; may
     * be NULL. */
    dv_progress_fn progress;
    void *progress_user;
    /* NULL: this process alone; else the sampling methods' work (tmc, beta,
     * ts-shapley, banzhaf, ame, oob, memorization, gshapley, forgetting's
     * training runs, loo and exact's utilities) and knn's validation points
     * are spread over comm's processes (dv_comm); the other methods run
     * whole on every process. */
    dv_comm *comm;
} dv_value_params;

DV_API void dv_value_params_default(dv_value_params *p, dv_method m);

typedef struct {
    size_t samples;        /* samples used (permutations, subsets, models), 0 if none */
    size_t utility_calls;  /* U(S) evaluations */
    double seconds;
    int stop_rule;         /* dv_stop_rule */
    double stop_level;     /* the value of the deciding statistic (R-hat, max stderr, ...) */
    double max_stderr;     /* the largest standard error of the values (NaN if none) */
    double value_sd;       /* the standard deviation of the values */
    int metric;            /* the utility used (dv_metric; DV_METRIC_DEFAULT resolved) */
    int converged;         /* 1: exact, or stopped by a precision rule (rhat with
                            * rel_stderr, stderr, rank); 0: stopped by the budget
                            * (samples, seconds) before the values were resolved;
                            * -1: a budget stop of a method without standard errors
                            * (ame, oob), which nothing here can judge */
} dv_value_info;

/* Values every training row (or group) of train for the model p->learner
 * scored on val.  values and stderrs (may be NULL; NaN where a method has
 * none) have one entry per row or group.  info may be NULL. */
DV_API int dv_value_compute(const dv_dataset *train, const dv_dataset *val,
                            const dv_value_params *p, double *values, double *stderrs,
                            dv_value_info *info, dv_error *err);

/* Writes n values (one per training row, or per group when p->groups is
 * set) to path as CSV, columns point (or group), value, stderr (empty where
 * not finite; stderrs may be NULL), samples; and path.json beside it: the
 * method, data_path, the learner and stopping settings, the samples and
 * utility calls used, the seconds and the rule that stopped the method.
 * Both through temporary names. */
DV_API int dv_values_write(const char *path, size_t n, const double *values,
                           const double *stderrs, const dv_value_params *p,
                           const dv_value_info *info, const char *data_path, dv_error *err);

/* Payments by value (pricing data by source, e.g. with groups): source i
 * is paid total * v_i / S, S the sum of the positive values; a source whose
 * value is 0 or negative is paid 0.  The payments sum to total (up to
 * rounding).  pay_se[i] = total * stderr_i / S is the error that source i's
 * own value brings; the error of S is left out (Shapley values nearly lack
 * it when all are positive: each permutation's contributions sum to
 * U(all) - U(none), but for truncation); 0 for an unpaid source, NaN
 * where the value has no standard error (stderrs may be NULL).  DV_EINVAL
 * when no value is positive, a value is not finite or total is negative. */
DV_API int dv_prices(const double *values, const double *stderrs, size_t n, double total,
                     double *pay, double *pay_se, dv_error *err);
/* dv_values_write with the payments of dv_prices as two more columns,
 * payment and payment_stderr, and the total and rule in path.json. */
DV_API int dv_values_write_priced(const char *path, size_t n, const double *values,
                                  const double *stderrs, const double *pay,
                                  const double *pay_se, double total, const dv_value_params *p,
                                  const dv_value_info *info, const char *data_path,
                                  dv_error *err);

/* A cooperative game, for the game-theoretic methods (loo, exact_shapley,
 * exact_banzhaf, tmc, beta, banzhaf, ame, random) on any utility. */
typedef struct {
    size_t n_players;
    void *user;
    /* U(S), S = players[0..n-1] in the order given; state comes from
     * new_state (NULL when new_state is NULL), one per thread. */
    int (*utility)(void *user, void *state, const int64_t *S, size_t n, double *out);
    void *(*new_state)(void *user);
    void (*free_state)(void *state);
} dv_game;

DV_API int dv_value_game(const dv_game *g, const dv_value_params *p, double *values,
                         double *stderrs, dv_value_info *info, dv_error *err);

/* Influence functions (Koh & Liang 2017) for one test point x (length d,
 * label y; binary logistic regression, ridge or OLS fitted on all of
 * train): out[i] (one per training row) is the first-order change of the
 * loss at (x, y) when training row i is removed, grad l(x)^T H^-1 g_i, with
 * H the Hessian of the training objective and g_i row i's gradient term.
 * Positive: removing row i would raise the loss, so row i helped this
 * prediction. */
DV_API int dv_influence_explain(const dv_dataset *train, const dv_learner_params *lp,
                                const double *x, double y, double *out, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Tasks: finding mislabeled points                                         */
/* ------------------------------------------------------------------------ */

/* Flips the labels of round(rho * n) rows of a classification dataset,
 * chosen without replacement with the seed: new label = (old + s) mod C with
 * s uniform in 1..C-1.  flipped (capacity n rows, may be NULL) receives the
 * rows flipped, in increasing order, and *n_flipped their count. */
DV_API int dv_flip_labels(dv_dataset *ds, double rho, uint64_t seed, int64_t *flipped,
                          size_t *n_flipped, dv_error *err);

/* How well low values find the noisy points (is_noisy[i] != 0). */
typedef struct {
    double f1;          /* of the exact 1-D 2-means split: lower cluster = predicted noisy */
    double threshold;   /* values <= threshold are predicted noisy */
    size_t n_predicted; /* size of the lower cluster */
    double auroc;       /* P(value of a noisy point < value of a clean one), ties 1/2 */
    double recall;      /* noisy points among the |noisy| lowest values / |noisy| */
} dv_detection;

/* NaN values are not allowed (DV_EINVAL). */
DV_API int dv_detection_eval(const double *values, const unsigned char *is_noisy, size_t n,
                             dv_detection *out, dv_error *err);

/* Point removal (Ghorbani & Zou 2019): for s = 0..n_steps, fit lp on the
 * training rows left after removing the s * bin highest-valued rows (high[s])
 * and, separately, the s * bin lowest-valued rows (low[s]), and score the
 * model on test with metric.  Ties in value are broken by row index. */
DV_API int dv_removal_curve(const dv_dataset *train, const dv_dataset *test,
                            const dv_learner_params *lp, dv_metric metric, const double *values,
                            size_t bin, size_t n_steps, double *high, double *low,
                            dv_error *err);

/* Poisoning (Jia et al. 2021, "Scalability vs. utility"): a fraction of the
 * training rows is altered so that a model learns what the attacker wants,
 * and good values should rank those rows lowest. */
typedef enum {
    DV_POISON_FLIP = 0,      /* rows of one class (or of any other) relabelled as the target */
    DV_POISON_BACKDOOR = 1,  /* rows of other classes: trigger columns set, relabelled as the target */
    DV_POISON_WATERMARK = 2  /* rows of any class: a pattern added to every column, labelled the target */
} dv_poison_kind;

DV_API const char *dv_poison_kind_name(dv_poison_kind k);
DV_API int dv_poison_kind_from_name(const char *name, dv_poison_kind *out);

typedef struct {
    dv_poison_kind kind;
    double fraction;        /* of the training rows poisoned, in (0, 1) (default 0.1) */
    size_t target;          /* the class the poisoned rows are labelled (default 0) */
    int64_t source;         /* flip: the class the rows are drawn from; -1 (default): any
                             * class but the target */
    const size_t *features; /* backdoor: the trigger's columns; NULL: the min(3, d) that say
                             * least about the label (the smallest largest |correlation|
                             * with a class indicator in train), so that a model of the
                             * clean rows has no reason to follow them */
    size_t n_features;
    double trigger_z;       /* backdoor: the trigger sets a column to its mean + z sd (default 3) */
    double watermark_amp;   /* watermark: column j moves by +-amp sd_j, the signs seeded
                             * (default 1) */
    uint64_t seed;
} dv_poison_params;

DV_API void dv_poison_params_default(dv_poison_params *p);

/* The trigger of p on data like train (the means and standard deviations
 * of train's columns): backdoor: x_j := value[j] where set[j]; watermark:
 * x_j += value[j] for every j (set all 1); flip: nothing set.  value and set
 * have room for d entries. */
DV_API int dv_poison_trigger(const dv_dataset *train, const dv_poison_params *p, double *value,
                             unsigned char *set, dv_error *err);

/* A copy of train with round(fraction n) rows poisoned as p says, drawn
 * from the eligible rows with p->seed; is_poisoned (n entries) marks them.
 * Fewer eligible rows than that is DV_EINVAL.  Reproducible from p alone. */
DV_API int dv_poison_inject(const dv_dataset *train, const dv_poison_params *p,
                            dv_dataset **poisoned, unsigned char *is_poisoned, dv_error *err);

/* The attack's probes from test: flip: the rows of the source class (or of
 * every class but the target), as they are; backdoor and watermark: the
 * rows not of the target class with the trigger of p (made from clean, the
 * training data before poisoning) applied.  The attack succeeds on a probe
 * the model assigns to the target class.  DV_EINVAL when there are none. */
DV_API int dv_poison_probes(const dv_dataset *clean, const dv_dataset *test,
                            const dv_poison_params *p, dv_dataset **probes, dv_error *err);

/* Fits lp on train without its n_remove lowest-valued rows (values NULL:
 * on every row; ties in value go by row index) and measures the share of
 * probes assigned to target (*success) and the accuracy on test. */
DV_API int dv_poison_score(const dv_dataset *train, const dv_learner_params *lp,
                           const double *values, size_t n_remove, const dv_dataset *test,
                           const dv_dataset *probes, size_t target, double *success,
                           double *accuracy, dv_error *err);
/* Writes the rows each attack of kinds (with p's other settings) poisons to
 * path (CSV: attack, point, source_row, label_before, label_after, then
 * the poisoned features as train holds them), through a temporary name. */
DV_API int dv_poison_write(const char *path, const dv_dataset *train, const dv_poison_params *p,
                           const dv_poison_kind *kinds, size_t n_kinds, dv_error *err);

/* Point addition (Covert et al. 2024, as its reference experiment): for
 * each of reps repetitions, draw a base set of base_size training rows
 * uniformly from the rows that are not candidates, add n_add candidates
 * and return gains[r] = U(base + added) - U(base) with U the metric of lp
 * on test.  The added candidates are class-balanced (n_add / C per class,
 * the remainder to the lowest classes): the best-scored of each class when
 * scores (one per candidate) is given, a random draw per repetition when it
 * is NULL.  Identical for any thread count. */
DV_API int dv_addition_gains(const dv_dataset *train, const dv_dataset *test,
                             const dv_learner_params *lp, dv_metric metric,
                             const int64_t *candidates, size_t n_cand, const double *scores,
                             size_t base_size, size_t n_add, size_t reps, uint64_t seed,
                             int n_threads, double *gains, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Tasks: how fast value estimates converge                                 */
/* ------------------------------------------------------------------------ */

/* How well estimates of n values agree with the truth (Covert et al. 2024). */
typedef struct {
    double error;    /* mean squared error: mean of (estimate - truth)^2 */
    double expl_var; /* 1 - error / Var(truth), population variance */
    double r2;       /* 1 - SS_res / SS_tot (scikit-learn's r2_score(truth, estimate));
                      * equal to expl_var up to rounding */
    double pearson;  /* Pearson correlation of truth and estimate */
    double spearman; /* Spearman correlation: Pearson of the average ranks (ties share) */
    double sign;     /* fraction of points where sign(estimate) == sign(truth), sign(0) = 0 */
} dv_agreement;

/* Agreement of estimate[0..n-1] with truth[0..n-1], n >= 2.  A non-finite
 * value is DV_EINVAL naming its index.  A constant truth makes expl_var,
 * r2, pearson and spearman NaN (scikit-learn would give r2 = 0 or 1); a
 * constant estimate makes pearson and spearman NaN. */
DV_API int dv_agreement_eval(const double *truth, const double *estimate, size_t n,
                             dv_agreement *out, dv_error *err);

/* Spearman rank correlation of a and b (n >= 2, no NaN; else DV_EINVAL):
 * the Pearson correlation of the average ranks, NaN when either side is
 * constant. */
DV_API int dv_spearman(const double *a, const double *b, size_t n, double *out);

/* The estimator-convergence experiment of the scaling-law paper.  delta and
 * card are points x samples (row-major n_points x n_samples, as in a run
 * directory) and truth holds one ground-truth value per point.  For each
 * budget m = budgets[b] (2 <= m <= n_samples, any order) and each point it
 * takes the point's first m samples and forms
 *   - the Monte Carlo estimate: their mean, and
 *   - the law estimate: dv_law_fit on them, then
 *     dv_law_mean_value(c, alpha, k_lo, k_hi) (a fit with one cardinality
 *     gives c = the mean and alpha = 0, so its value is the mean),
 * and writes mc[b] and law[b], each dv_agreement_eval(truth, estimates).
 *
 * "First m samples": with n_grid <= 1, columns 0..m-1 (uniform runs).  With
 * n_grid = G >= 2 the columns are G consecutive blocks of n_samples / G
 * samples, one block per cardinality, as grid runs store them; the samples
 * are then taken round-robin over the blocks (sample t = 0..m-1 is column
 * (t mod G) * (n_samples / G) + t / G), so every cardinality gets
 * floor(m / G) or ceil(m / G) of them and larger budgets extend smaller
 * ones.  Non-finite deltas or truths and cardinalities below 1 are
 * DV_EINVAL.  The result does not depend on n_threads (<= 0: OpenMP
 * default). */
DV_API int dv_estimator_convergence(const double *delta, const int32_t *card, size_t n_points,
                                    size_t n_samples, size_t n_grid, const double *truth,
                                    const size_t *budgets, size_t n_budgets, int64_t k_lo,
                                    int64_t k_hi, int n_threads, dv_agreement *mc,
                                    dv_agreement *law, dv_error *err);

/* ------------------------------------------------------------------------ */
/* NumPy .npy files and memory the library returns                          */
/* ------------------------------------------------------------------------ */

typedef enum { DV_F64 = 0, DV_I32 = 1, DV_I64 = 2 } dv_dtype;

/* Writes a C-order 1-D (cols == 0) or 2-D array, little-endian, format 1.0,
 * via a temporary file renamed into place. */
DV_API int dv_npy_write(const char *path, dv_dtype t, const void *data, size_t rows,
                        size_t cols, dv_error *err);
/* Reads a C-order 1-D or 2-D array of the given dtype.  *data is allocated
 * with malloc; release it with dv_free.  For a 1-D array *cols = 0. */
DV_API int dv_npy_read(const char *path, dv_dtype t, void **data, size_t *rows,
                       size_t *cols, dv_error *err);

/* Frees memory the library returned. */
DV_API void dv_free(void *p);

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

/* SHA-256 of a file's bytes as 64 lowercase hex digits and a NUL. */
DV_API int dv_sha256_file(const char *path, char hex[65], dv_error *err);

/* Puts the finished temporary file tmp in place of path, as every writer
 * of the library does: rename(2), so a crash never leaves half a file; but
 * when path is a device or a pipe (/dev/null, /dev/stdout, a FIFO) its bytes
 * are copied into it and tmp removed, so the device stays.  0 on success,
 * else -1 with errno set (tmp is then left for the caller to remove). */
DV_API int dv_file_replace(const char *tmp, const char *path);


/* ------------------------------------------------------------------------ */
/* Scaling laws                                                             */
/* ------------------------------------------------------------------------ */

typedef enum {
    DV_LAW_OK = 0,
    DV_LAW_NO_SAMPLES = 1,   /* fewer than 2 samples */
    DV_LAW_ONE_CARD = 2,     /* all samples at one cardinality: alpha unidentifiable */
    DV_LAW_ALL_ZERO = 3,     /* every delta is zero: c = 0, alpha undefined */
    DV_LAW_NONFINITE = 4,    /* a delta or cardinality is NaN/Inf/<= 0 */
    DV_LAW_BOUND = 5         /* the optimum lies on the bound of (alpha, beta) */
} dv_law_status;

DV_API const char *dv_law_status_name(int status);

/* One point's law: delta ~ N(c k^-alpha, sigma^2 k^-beta). */
typedef struct {
    double c, alpha;     /* maximum-likelihood mean law */
    double sigma, beta;  /* maximum-likelihood variance law */
    double nll;          /* mean negative log-likelihood at the optimum */
    double log_c, log_alpha, log_r2; /* log estimator: c, alpha, R^2 of the log-log fit */
    size_t n_samples;
    int status;          /* dv_law_status */
} dv_law;

/* Log estimator (Covert et al. 2024, the reference code's LogEstimator):
 * alpha from the regression of log10(|mean_k| + 1e-12) on -log10 k over
 * distinct k, c by least squares of the raw deltas on k^-alpha without
 * intercept.  Fills log_c, log_alpha,
 * log_r2 (and status). */
DV_API int dv_law_fit_log(const double *delta, const int32_t *card, size_t n, dv_law *out);

/* Maximum-likelihood estimator: c and sigma in closed form given (alpha,
 * beta), the profile likelihood minimized over alpha, beta in (0, e^2].
 * Fills c, alpha, sigma, beta, nll (and status). */
DV_API int dv_law_fit_mle(const double *delta, const int32_t *card, size_t n, dv_law *out);

/* Both estimators. */
DV_API int dv_law_fit(const double *delta, const int32_t *card, size_t n, dv_law *out);

/* scaling.csv: one law per point, columns point, label, c, alpha, sigma,
 * beta, nll, log_r2, n_samples, status, log_c, log_alpha, every double
 * with 17 significant digits.  points and labels may be NULL (points 0..n-1,
 * empty labels).  Written through a temporary name. */
DV_API int dv_scaling_write(const char *path, size_t n, const int64_t *points,
                            const char *const *labels, const dv_law *laws, dv_error *err);
/* Reads a scaling.csv of exactly n points into laws; row i must be point
 * points[i] (i when points is NULL).  A malformed row is named by line. */
DV_API int dv_scaling_read(const char *path, size_t n, const int64_t *points, dv_law *laws,
                           dv_error *err);

/* Mean negative Gaussian log-likelihood of the samples under (c, alpha,
 * sigma, beta), the objective both the estimator and its tests use. */
DV_API double dv_law_nll(const double *delta, const int32_t *card, size_t n, double c,
                         double alpha, double sigma, double beta);

/* Fits dv_law_fit to each row of a points x samples pair of matrices
 * (delta: float64, card: int32, both row-major n_points x n_samples) on
 * n_threads threads (<= 0: OpenMP default).  The result does not depend on
 * the thread count. */
DV_API int dv_law_fit_many(const double *delta, const int32_t *card, size_t n_points,
                           size_t n_samples, dv_law *laws, int n_threads);

/* The law-based value of a point: the mean of c k^-alpha over the integers
 * k in [k_lo, k_hi]. */
DV_API double dv_law_mean_value(double c, double alpha, int64_t k_lo, int64_t k_hi);
/* The standard error of that value for the law fitted to the n samples
 * (delta[i] at size card[i]): the delta method with the sandwich covariance
 * of (c, alpha), robust to a variance law that does not hold.  NaN when it
 * cannot be computed (fewer than 3 samples, a failed fit, sigma = 0). */
DV_API double dv_law_value_stderr(const double *delta, const int32_t *card, size_t n,
                                  const dv_law *law, int64_t k_lo, int64_t k_hi);

/* Aggregate learning-curve law error(k) = eps + c k^-alpha, with variance
 * proportional to k^-beta, fitted to error values err[i] at sizes k[i]. */
typedef struct {
    double eps, c, alpha, beta;
    double nll;
    int status;          /* dv_law_status */
} dv_curve_law;

DV_API int dv_curve_fit(const double *err_values, const double *k, size_t n, dv_curve_law *out);

/* The amortized estimator (Covert et al. 2024): one network, trained on the
 * samples of every point at once, maps a point's features to its law.  Per
 * head (the point's class, or one head), five outputs: the logit of the
 * sign of c, log |c|, log alpha, log sigma and log beta (capped at 2).  The
 * loss of a point is the mean Gaussian negative log-likelihood of its
 * deltas (divided by their overall standard deviation) under
 * N(c k^-alpha, sigma^2 k^-beta) with the better sign of c, plus the
 * cross-entropy of the sign's logit against that sign and 1e-5 (alpha -
 * 1)^2.  AdamW with a linear warm-up and a cosine decay of the step size,
 * the gradient's norm clipped, optionally a fraction of the points held out
 * to choose the epoch (the parameters with the best held-out loss are
 * kept); the last layer starts at zero. */
typedef struct {
    size_t hidden[DV_MLP_MAX_HIDDEN]; /* hidden layer sizes; default 128, 128 */
    size_t n_hidden;     /* default 2 */
    int epochs;          /* default 100 */
    size_t batch_size;   /* points per step; default 128 */
    double lr, lr_min;   /* peak and final step size; default 1e-3, 1e-5 */
    int warmup;          /* epochs of linear warm-up; default 5 */
    double weight_decay; /* AdamW's; default 1e-5 */
    double clip;         /* largest gradient norm, 0 = no clipping; default 1 */
    double val_fraction; /* points held out for early stopping, 0 = none (default; the
                          * reference holds out 0.1) */
    int patience;        /* stop after this many epochs without a better held-out
                          * loss; 0 (default): train every epoch, keep the best */
    uint64_t seed;       /* of the weights, the batches and the held-out points */
    /* The reference pretrains the hidden layers as a classifier of the
     * training rows (an mlp of the same hidden sizes, softmax output) and
     * starts from them; a classification data set to do so, or NULL. */
    const dv_dataset *pretrain;
    int pretrain_epochs; /* default 10 */
    /* The size the network's c and sigma refer to: it predicts the law as
     * c' (k / k_ref)^-alpha (c = c' k_ref^alpha).  1 (default) is the
     * reference's c k^-alpha, the law at k = 1, far outside the sampled
     * sizes and nearly collinear with alpha. */
    double k_ref;
} dv_amortized_params;

DV_API void dv_amortized_params_default(dv_amortized_params *p);
/* NULL if valid, else a static message saying why not. */
DV_API const char *dv_amortized_params_check(const dv_amortized_params *p);

/* Fits the amortized estimator to n_points points: X their features
 * (n_points x d, best standardized), head their head (a class index below
 * n_heads; NULL: one head), delta and card their samples (n_points x
 * n_samples, row-major, as in a run directory).  laws receives each point's
 * law (c, alpha, sigma, beta; nll the point's mean negative log-likelihood;
 * the log estimator's fields from dv_law_fit_log).  The result is the same
 * for any number of threads. */
DV_API int dv_law_fit_amortized(const double *X, size_t n_points, size_t d, const int32_t *head,
                                size_t n_heads, const double *delta, const int32_t *card,
                                size_t n_samples, const dv_amortized_params *p, dv_law *laws,
                                dv_error *err);

/* The empirical-Bayes law (law_eb), for small budgets.  A point's value
 * (the mean of its law over k = k_lo..k_hi) is the mean of its samples
 * shrunk toward a prior mean -- the mean over its head (a class; head
 * NULL: one head) when neighbors = 0, else the mean over its `neighbors`
 * nearest same-head points in X (n_points x d) -- by the ratio of the
 * prior variance (estimated from the spread of the means) to the prior
 * plus the point's sampling variance.  alpha and beta are shared by the
 * points of a head, chosen by the head's profile likelihood, and c makes
 * the law's mean over k_lo..k_hi the value.  delta and card as for
 * dv_law_fit_many (at least 2 samples per point); laws gets c, alpha,
 * sigma, beta, nll, status and the log estimator's fields.  The result
 * does not depend on n_threads (<= 0: OpenMP default). */
DV_API int dv_law_fit_eb(const double *delta, const int32_t *card, size_t n_points,
                         size_t n_samples, const int32_t *head, size_t n_heads, const double *X,
                         size_t d, size_t neighbors, int64_t k_lo, int64_t k_hi, int n_threads,
                         dv_law *laws, dv_error *err);

/* The trained amortized network, to predict the laws of points that were
 * never sampled.  dv_law_model_fit trains it as dv_law_fit_amortized does
 * (laws, when not NULL, receives the same laws) and returns it. */
typedef struct dv_law_model dv_law_model;

DV_API int dv_law_model_fit(dv_law_model **out, const double *X, size_t n_points, size_t d,
                            const int32_t *head, size_t n_heads, const double *delta,
                            const int32_t *card, size_t n_samples,
                            const dv_amortized_params *p, dv_law *laws, dv_error *err);
DV_API void dv_law_model_free(dv_law_model *m);

/* The laws of n rows of features X (n x d, prepared as the training points'
 * were) with heads head (NULL for a one-head model).  The log estimator's
 * fields and nll are 0; n_samples is 0. */
DV_API int dv_law_model_predict(const dv_law_model *m, const double *X, size_t n,
                                const int32_t *head, dv_law *laws, dv_error *err);

/* Records where the model's points came from, so that it can read raw data
 * later: train's column names, label name, class names (the heads, in
 * class order) and standardization (dv_dataset_std_mean/_scale), and the
 * sizes k_lo..k_hi over which values average the law. */
DV_API int dv_law_model_describe(dv_law_model *m, const dv_dataset *train, int64_t k_lo,
                                 int64_t k_hi, dv_error *err);

typedef struct {
    size_t n_features, n_heads;   /* inputs; heads (classes, or 1) */
    size_t n_hidden, hidden[DV_MLP_MAX_HIDDEN];
    size_t n_params;
    size_t n_points, n_samples;   /* the training run's shape */
    int epochs;
    uint64_t seed;
    int64_t k_lo, k_hi;           /* 0, 0 until described */
    int described;                /* dv_law_model_describe was called */
    int standardized;             /* raw rows are standardized before prediction */
    const char *label;            /* label column ("" until described) */
} dv_law_model_info;

DV_API const dv_law_model_info *dv_law_model_get_info(const dv_law_model *m);
/* Column j's name and class c's name ("" until described). */
DV_API const char *dv_law_model_col_name(const dv_law_model *m, size_t j);
DV_API const char *dv_law_model_class_name(const dv_law_model *m, size_t c);

/* The laws of the rows of ds, raw data read like the training file (a
 * described model only): ds's columns are matched to the model's by name
 * (any order; a missing or unknown column is DV_EINVAL naming it), its
 * classes by name (a class the model has no head for is DV_EINVAL naming
 * the row), its features standardized with the training statistics. */
DV_API int dv_law_model_predict_dataset(const dv_law_model *m, const dv_dataset *ds,
                                        dv_law *laws, dv_error *err);

/* The law-model file (docs/FORMATS.md): the bytes "DVLAWMDL", the format
 * version (1) and the length of the body, the body (description and
 * weights, little-endian, doubles bit for bit), the body's CRC-32.
 * Written through a temporary name.  Reading refuses a file of another
 * version, a short or long file and a checksum mismatch, saying which. */
DV_API int dv_law_model_write(const dv_law_model *m, const char *path, dv_error *err);
DV_API int dv_law_model_read(dv_law_model **out, const char *path, dv_error *err);

/* The predicted laws of ds's rows as a CSV: row (of the data file, 0 = the
 * first data row), label, c, alpha, sigma, beta, psi_K = c K^-alpha for each
 * K of at[0..n_at-1], law_value (the mean of c k^-alpha over k = k_lo..k_hi,
 * e.g. the model's info.k_lo and k_hi).  Written through a temporary name. */
DV_API int dv_law_values_write(const char *path, const dv_dataset *ds, const dv_law *laws,
                               const int64_t *at, size_t n_at, int64_t k_lo, int64_t k_hi,
                               dv_error *err);

/* ------------------------------------------------------------------------ */
/* Tasks: active acquisition (after the laws, which one scorer uses)        */
/* ------------------------------------------------------------------------ */

/* Active acquisition (Jia et al. 2021): a labelled seed set, a pool whose
 * labels are revealed only when bought, rounds that buy the batch a scorer
 * ranks first and refit the learner. */
typedef enum {
    DV_ACQ_RANDOM = 0,   /* a seeded random batch */
    DV_ACQ_MARGIN = 1,   /* the smallest gap between the current model's two likeliest classes */
    DV_ACQ_ENTROPY = 2,  /* the largest entropy of the current model's probabilities */
    DV_ACQ_DISTANCE = 3, /* k-center greedy: the farthest from every labelled row (no model) */
    DV_ACQ_OOD = 4,      /* the largest variance of an ensemble (dv_ood_ensemble) */
    DV_ACQ_LAW = 5,      /* the largest value c k^-alpha of the row's law at the current
                          * size k (the labelled rows), averaged over the classes with the
                          * current model's probabilities when there is a law per class */
    DV_ACQ_ORACLE = 6    /* sees the hidden labels: the largest gain of the validation
                          * utility when the row is added (the harness's check) */
} dv_acq_scorer;

DV_API const char *dv_acq_scorer_name(dv_acq_scorer s);
DV_API int dv_acq_scorer_from_name(const char *name, dv_acq_scorer *out);

typedef struct {
    dv_learner_params learner;     /* refitted each round (default logreg) */
    dv_learner_params ood_learner; /* the ensemble's members (default: mlps of one hidden
                                    * layer of 32, 100 epochs, batches of 32) */
    size_t ood_members;            /* default 5 */
    dv_metric metric;              /* the oracle's utility on val: neg_logloss (default)
                                    * or accuracy */
    size_t batch;                  /* labels bought per round (default 10) */
    size_t rounds;                 /* default 20 */
    uint64_t seed;                 /* random's draws; the ensemble's */
    const dv_law *laws;            /* DV_ACQ_LAW: pool rows x law_heads laws (row-major), e.g.
                                    * a law model's (dv_law_model_predict) for each class */
    size_t law_heads;              /* 1, or one per class */
    int n_threads;                 /* the oracle's fits; results do not depend on it */
} dv_acq_params;

DV_API void dv_acq_params_default(dv_acq_params *p);

/* One acquisition run: accuracy[r] (rounds + 1 entries) is the learner's
 * test accuracy after round r (r = 0: the labelled rows alone), chosen
 * (rounds x batch) the pool rows bought, in order.  The pool's labels are
 * read only for the rows bought and by the oracle.  A batch larger than the
 * pool, or more labels than the pool holds, is DV_EINVAL. */
DV_API int dv_acquire(const dv_dataset *labelled, const dv_dataset *pool, const dv_dataset *val,
                      const dv_dataset *test, dv_acq_scorer scorer, const dv_acq_params *p,
                      double *accuracy, int64_t *chosen, dv_error *err);

/* The labelled rows and the pool of one repetition without a pool file:
 * the first `initial` rows of a shuffle of train seeded by seed, and the
 * rest (copies, in that order). */
DV_API int dv_acquire_split(const dv_dataset *train, size_t initial, uint64_t seed,
                            dv_dataset **labelled, dv_dataset **pool, dv_error *err);

/* The laws a described law model predicts for the pool's rows, for each of
 * its heads (*heads: 1, or one per class; the rows taken as of class h for
 * head h, whatever their labels): laws has room for rows x classes, row i's
 * head h at laws[i * heads + h] (dv_acq_params's laws). */
DV_API int dv_acquire_laws(const dv_law_model *m, const dv_dataset *pool, dv_law *laws,
                           size_t *heads, dv_error *err);

/* The labels bought when the curve accuracy[0..rounds] (batch per round)
 * first reaches target, linear between rounds; 0 if accuracy[0] does, NaN
 * if it never does. */
DV_API double dv_acq_labels_to(const double *accuracy, size_t rounds, size_t batch,
                               double target);

/* The two-sided 95 % quantile of Student's t with df degrees of freedom (a
 * table to 30, then 1.96 + 2.4 / df, within 0.003); NaN for 0. */
DV_API double dv_t95(size_t df);

/* The curves' mean over the repetitions and its 95 % half-width (Student's
 * t; NaN with one repetition), per scorer and round: mean and half are
 * n_scorers x (rounds + 1); accuracy as dv_acq_summarize's. */
DV_API void dv_acq_curve_means(const double *accuracy, size_t n_scorers, size_t reps,
                               size_t rounds, double *mean, double *half);

/* One scorer's curves summarized over the repetitions; the intervals are
 * 95 % (Student's t) half-widths, NaN with fewer than two numbers. */
typedef struct {
    double final_mean, final_ci; /* the final accuracy */
    size_t n_final;
    double labels_mean, labels_ci; /* the labels to reach the target, where reached */
    size_t reached;                /* repetitions that reach it */
    double saved_mean, saved_ci;   /* random's labels minus the scorer's, in the same
                                    * repetition, where both reach it (NaN without random) */
    size_t pairs;
} dv_acq_summary;

/* accuracy: n_scorers x reps x (rounds + 1), as dv_acquire's curves of
 * scorer s, repetition r in block s * reps + r.  *target, when NaN, becomes
 * random's final accuracy averaged over the repetitions (random must be
 * among the scorers).  out gets one summary per scorer, labels (may be
 * NULL; n_scorers x reps) each curve's labels to the target (NaN: never). */
DV_API int dv_acq_summarize(const dv_acq_scorer *scorers, size_t n_scorers, size_t reps,
                            size_t rounds, size_t batch, const double *accuracy, double *target,
                            dv_acq_summary *out, double *labels, dv_error *err);

/* Writes the curves to path (CSV: scorer, rep, round, labels, accuracy)
 * and the summary to path.json (the target, and per scorer the final
 * accuracy, the labels to the target per repetition, their mean and the
 * labels saved against random with their interval), both through
 * temporary names.  target NaN: random's final accuracy. */
DV_API int dv_acquire_write(const char *path, const dv_acq_scorer *scorers, size_t n_scorers,
                            size_t reps, size_t rounds, size_t batch, size_t pool,
                            const double *accuracy, double target, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Reading a run: its samples, laws and values                              */
/* ------------------------------------------------------------------------ */

/* A dv_run (declared with the sampler above) is a finished run directory
 * opened by dv_run_open. */

/* What run.json records.  Strings are owned by the run (valid until
 * dv_run_free); absent strings are "". */
typedef struct {
    size_t n_points;          /* points valued: rows of the sample arrays */
    size_t n_samples;         /* samples per point: columns of the arrays */
    size_t samples;           /* --samples: per point (uniform) or per point and k (grid) */
    dv_card_mode mode;
    int64_t min_card, max_card;
    size_t n_cards;           /* grid: the cardinalities, cards[0..n_cards-1] */
    const int64_t *cards;
    uint64_t seed;
    size_t batch;
    size_t n_train, n_val, n_test, n_features;
    int has_split_seed;       /* the data were split by dval (not given as files) */
    uint64_t split_seed;
    const char *task, *learner, *metric;
    const char *command;      /* the command line that made the run */
    const char *data_path, *data_sha256, *label;
    const char *val_data, *test_data; /* explicit validation/test files, or "" */
    int standardized;         /* features were standardized with training statistics */
    size_t n_classes;         /* classification: classes; 0 for regression */
    const char *version;      /* dval version that made the run */
} dv_run_info;

/* Opens the finished run in run_dir.  A run still in progress is
 * DV_ESTATE (finish it with dv_run_execute); a missing or malformed file is
 * named in err. */
DV_API int dv_run_open(dv_run **out, const char *run_dir, dv_error *err);
DV_API void dv_run_free(dv_run *r);
DV_API const char *dv_run_dir(const dv_run *r);
DV_API const dv_run_info *dv_run_get_info(const dv_run *r);
/* Borrowed arrays, n_points x n_samples row-major (points: n_points rows of
 * the training split).  Grid runs store n_cards blocks of `samples` columns,
 * one block per cardinality. */
DV_API const double *dv_run_deltas(const dv_run *r);
DV_API const int32_t *dv_run_cards(const dv_run *r);
DV_API const int64_t *dv_run_points(const dv_run *r);
/* Label of point i (the class name, or the target for regression); "" when
 * the run has no points.csv. */
DV_API const char *dv_run_label(const dv_run *r, size_t i);

/* Row of the data file point i came from (points.csv); -1 when unknown. */
DV_API int64_t dv_run_source_row(const dv_run *r, size_t i);

/* Whether train is the training split the run was made on: as many rows,
 * and each point's source row as recorded.  DV_ESTATE naming the first
 * difference otherwise. */
DV_API int dv_run_check_split(const dv_run *r, const dv_dataset *train, dv_error *err);
/* Whether the file at path holds the bytes the run was made on (the SHA-256
 * recorded in run.json); DV_ESTATE naming the file otherwise. */
DV_API int dv_run_check_data(const dv_run *r, const char *path, dv_error *err);
/* Loads the run's data as the run did (dv_data_load with the label, task,
 * split and standardization of run.json; data_path, when not NULL, replaces
 * the recorded file, e.g. after a move) and checks the split
 * (dv_run_check_split). */
DV_API int dv_run_load_data(const dv_run *r, const char *data_path, dv_dataset **train,
                            dv_dataset **val, dv_dataset **test, dv_error *err);

/* Fits every point's law (dv_law_fit_many) into laws[0..n_points-1] and
 * writes them to path (NULL: RUN_DIR/scaling.csv). */
DV_API int dv_run_fit(const dv_run *r, int n_threads, const char *path, dv_law *laws,
                      dv_error *err);
/* The laws of RUN_DIR/scaling.csv, checked against the run's points; when
 * the file is missing, dv_run_fit makes it first. */
DV_API int dv_run_laws(const dv_run *r, int n_threads, dv_law *laws, dv_error *err);
/* The amortized estimator on a run: each point's features are its row of
 * train (the run's training split, e.g. from dv_run_load_data; checked with
 * dv_run_check_split), its head its class (one head for regression), its
 * samples the first m of the run's (0: all; grid runs take them
 * round-robin over the sizes).  laws receives every point's law; model,
 * when not NULL, the trained network, described with train and the run's
 * sizes (dv_law_model_describe). */
DV_API int dv_run_fit_amortized(const dv_run *r, const dv_dataset *train, size_t m,
                                const dv_amortized_params *p, dv_law *laws,
                                dv_law_model **model, dv_error *err);
/* Each point's law value (the mean of c k^-alpha over k = min_card..
 * max_card), the mean of its deltas and that mean's standard error; any
 * output may be NULL. */
DV_API void dv_run_values(const dv_run *r, const dv_law *laws, double *law_value,
                          double *mc_mean, double *mc_stderr);
/* Writes the run's values to path (NULL: RUN_DIR/values.csv): point, label,
 * psi_K = c K^-alpha for each K of at[0..n_at-1], law_value (the mean of
 * c k^-alpha over k = min_card..max_card) and law_stderr (its standard
 * error, dv_law_value_stderr; 0 for a failed fit), mc_mean and mc_stderr
 * (the mean of the point's deltas and its standard error), n_samples,
 * status. */
DV_API int dv_run_write_values(const dv_run *r, const dv_law *laws, const int64_t *at,
                               size_t n_at, const char *path, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Tasks: the estimator experiment on a run                                 */
/* ------------------------------------------------------------------------ */

/* The estimators of a point's value from its first m samples. */
typedef enum {
    DV_EST_MC_MEAN = 0,   /* the mean of the samples */
    DV_EST_LAW = 1,       /* the law value of the point's own fit (dv_law_fit) */
    DV_EST_LAW_EB = 2,    /* the law value of the empirical-Bayes law (dv_law_fit_eb) */
    DV_EST_AMORTIZED = 3, /* the law value of the amortized law (dv_run_fit_amortized) */
    DV_EST_COUNT = 4
} dv_estimator;

/* "mc_mean", "law", "law_eb", "amortized" (NULL for another value), and
 * back (DV_EINVAL for an unknown name). */
DV_API const char *dv_estimator_name(int e);
DV_API int dv_estimator_lookup(const char *name, int *out);

/* The estimator experiment on a finished run. */
typedef struct {
    unsigned estimators;   /* bits 1 << DV_EST_*; default (and 0) mc_mean, law, law_eb */
    /* The truth: each point's mean of all its samples in `truth` (a longer
     * run over the same points), or when NULL in the run itself (then every
     * budget must be below its samples per point). */
    const dv_run *truth;
    /* The run's training split (dv_run_load_data): the points' features
     * for amortized and for law_eb with neighbours, and amortized's
     * pretraining for classification. */
    const dv_dataset *train;
    /* A grid-mode run over the same points, for the accuracy of each
     * estimator's psi_k = c k^-alpha at each of its sizes against its
     * per-size means (the mc_mean row predicts its value at every size). */
    const dv_run *grid;
    size_t eb_neighbors;   /* law_eb's prior (dv_law_fit_eb); default 0: the class mean */
    dv_amortized_params amortized; /* default dv_amortized_params_default */
    int n_threads;         /* <= 0: OpenMP default; results do not depend on it */
} dv_estimators_options;

DV_API void dv_estimators_options_default(dv_estimators_options *o);

/* One estimator's value of every point of r from its first m samples (grid
 * runs: round-robin over the sizes) into value[0..n_points-1]; laws, when
 * not NULL, receives the laws of the law estimators. */
DV_API int dv_run_estimate(const dv_run *r, size_t m, int estimator,
                           const dv_estimators_options *o, double *value, dv_law *laws,
                           dv_error *err);

/* The experiment: for each budget (increasing, from 2) and each estimator
 * asked for, dv_agreement_eval of the truth and the estimates into
 * out[b * DV_EST_COUNT + e]; the entries of the others are NaN.  by_size,
 * when not NULL (o->grid needed), receives for each of them and each of the
 * grid's C sizes k_q the agreement of psi_k with the grid's means at
 * by_size[(b * DV_EST_COUNT + e) * C + q].  progress, when not NULL, is
 * called after each (budget, estimator). */
DV_API int dv_run_estimators(const dv_run *r, const size_t *budgets, size_t n_budgets,
                             const dv_estimators_options *o, dv_agreement *out,
                             dv_agreement *by_size, dv_progress_fn progress, void *user,
                             dv_error *err);
/* The default budgets, 5, 10, 20, ..., 100, 150, ..., 500, up to what r
 * offers (as dv_run_estimators counts it); writes at most 19 into out and
 * returns the count. */
DV_API size_t dv_run_estimator_budgets(const dv_run *r, const dv_run *truth, size_t *out);
/* estimators.csv: samples, estimator, error, expl_var, r2, pearson,
 * spearman, sign, points; one row per budget and estimator of the mask. */
DV_API int dv_estimators_write(const char *path, const size_t *budgets, size_t n_budgets,
                               unsigned estimators, const dv_agreement *out, size_t n_points,
                               dv_error *err);
/* estimators_by_size.csv: samples, estimator, k, error, expl_var, r2,
 * pearson, spearman, sign, points; one row per budget, estimator of the
 * mask and size of cards[0..n_cards-1] (by_size as dv_run_estimators
 * fills it). */
DV_API int dv_estimators_by_size_write(const char *path, const size_t *budgets,
                                       size_t n_budgets, unsigned estimators,
                                       const int64_t *cards, size_t n_cards,
                                       const dv_agreement *by_size, size_t n_points,
                                       dv_error *err);

/* Whether a conclusion survives dropping a few rows: the approximate
 * maximum influence perturbation (AMIP; Broderick, Giordano & Meager 2020).
 * The quantity is a coefficient of ols or binary logistic regression fitted
 * on train (coef 0..d-1 a feature's, d the intercept) or, with coef -1, the
 * linear part (x, 1) . theta of a prediction at x.  Rows are ranked by the
 * first-order move of the quantity when each is removed (influence
 * functions), and the fewest whose summed moves reach the goal are
 * removed, at most max_fraction of the rows; then the model is refitted
 * without them to check the conclusion. */
typedef enum {
    DV_AMIP_SIGN = 0,         /* the quantity reaches 0 or changes sign */
    DV_AMIP_SIGNIFICANCE = 1, /* ols: |quantity| / se falls to z or below */
    DV_AMIP_CHANGE = 2        /* the quantity moves by change (signed) or more */
} dv_amip_goal;

DV_API const char *dv_amip_goal_name(dv_amip_goal g);

typedef struct {
    dv_learner_params learner; /* ols (default) or logreg (binary) */
    int64_t coef;              /* 0..d-1 a feature, d the intercept, -1 the prediction at x */
    const double *x;           /* coef -1: the row (d features, scaled as train) */
    dv_amip_goal goal;         /* default DV_AMIP_SIGN */
    double change;             /* DV_AMIP_CHANGE: the move sought */
    double z;                  /* significance: the normal quantile (default 1.96) */
    double max_fraction;       /* the most rows removed, as a fraction (default 0.1) */
} dv_amip_params;

DV_API void dv_amip_params_default(dv_amip_params *p);

typedef struct {
    double before, se_before;       /* the quantity and its standard error, all rows */
    double predicted, se_predicted; /* first order, without the rows removed */
    double after, se_after;         /* refitted without them */
    size_t n_ranked;   /* rows whose removal moves toward the goal, at most max_fraction */
    size_t n_removed;  /* the first-order set: the first n_removed of them */
    double fraction;   /* n_removed / rows */
    int already;   /* the goal holds on all rows (nothing removed) */
    int found;     /* the first-order moves reach the goal within max_fraction */
    int confirmed; /* the refit without the first-order set reaches it */
    /* The first-order ranking refitted: the shortest prefix (at most
     * DV_AMIP_MAX_REFITS rows) whose refit reaches the goal, 0 if none; the
     * first order misses rows that mask each other (two far points that
     * each hide the other's pull) and this catches them. */
    size_t n_scan;
    double after_scan, se_after_scan;
} dv_amip_result;

#define DV_AMIP_MAX_REFITS 200

/* Writes the ranking (training rows, the largest move toward the goal
 * first) into rows[0..n_ranked-1] and, when moves is not NULL, each one's
 * first-order move of the quantity into moves (both with room for every
 * row).  When the goal is out of the first order's reach, n_removed is
 * n_ranked, found is 0, and the refit says what removing them does. */
DV_API int dv_amip(const dv_dataset *train, const dv_amip_params *p, int64_t *rows, double *moves,
                   dv_amip_result *res, dv_error *err);
/* Writes the ranking to path (CSV: rank, point, source_row, move,
 * first_order and refit_scan, 1 for the rows of each set) and the result to
 * path.json, naming the quantity (e.g. the coefficient's column). */
DV_API int dv_amip_write(const char *path, const dv_dataset *train, const dv_amip_params *p,
                         const int64_t *rows, const double *moves, const dv_amip_result *res,
                         const char *quantity, dv_error *err);

/* The laws of a run by a named estimator, as `dval fit RUN_DIR` makes them. */
typedef enum {
    DV_FIT_MLE = 0,      /* a maximum-likelihood fit per point (dv_run_fit) */
    DV_FIT_LAW_EB = 1,   /* empirical Bayes over all the samples (dv_law_fit_eb) */
    DV_FIT_AMORTIZED = 2 /* one network from features to laws (dv_run_fit_amortized) */
} dv_fit_estimator;

DV_API const char *dv_fit_estimator_name(dv_fit_estimator e);
DV_API int dv_fit_estimator_from_name(const char *name, dv_fit_estimator *out);

typedef struct {
    dv_fit_estimator estimator;    /* default DV_FIT_MLE */
    int n_threads;                 /* <= 0: OpenMP default; results do not depend on it */
    size_t neighbors;              /* law_eb: the prior's nearest same-class points (0: class mean) */
    /* amortized, and law_eb with neighbours: the run's training split, or
     * NULL to load it as the run did (dv_run_load_data with data_path) */
    const dv_dataset *train;
    const char *data_path;         /* the run's data file when it has moved, or NULL */
    /* amortized: the network (default dv_amortized_params_default); its
     * pretrain is set to the training split for classification */
    dv_amortized_params amortized;
    const char *out;               /* the laws (NULL: RUN_DIR/scaling.csv) */
    const char *law_model;         /* amortized: the network (NULL: RUN_DIR/law_model.bin) */
} dv_fit_params;

DV_API void dv_fit_params_default(dv_fit_params *p);

/* Fits the laws of r's points with p's estimator into laws[0..n_points-1]
 * and writes them (dv_scaling_write) to p->out, with a JSON record of the
 * estimator and its settings beside it (OUT.csv -> OUT.json); amortized
 * also writes its network (dv_law_model_write) to p->law_model. */
DV_API int dv_run_fit_write(const dv_run *r, const dv_fit_params *p, dv_law *laws,
                            dv_error *err);

/* ------------------------------------------------------------------------ */
/* The 2-D study: decision boundaries on a mesh, values of candidate points */
/* ------------------------------------------------------------------------ */

/* A regular mesh over a rectangle of the plane: nx lines from x0 to x1 and
 * ny lines from y0 to y1 (each >= 2).  Point k = i * nx + j is
 * (x0 + j (x1 - x0) / (nx - 1), y0 + i (y1 - y0) / (ny - 1)). */
typedef struct dv_mesh {
    double x0, x1, y0, y1;
    size_t nx, ny;
} dv_mesh;

/* NULL if m is a usable mesh, else why not; also refuses meshes of more
 * than 10^8 points (their arrays would not fit comfortably). */
DV_API const char *dv_mesh_check(const dv_mesh *m);
/* The mesh's 2 nx ny coordinates, point by point. */
DV_API int dv_mesh_points(const dv_mesh *m, double *xy, dv_error *err);
/* The class a model predicts (argmax of its probabilities, ties to the
 * lowest class) for n rows of X (n x d). */
DV_API int dv_model_labels(const dv_model *model, const double *X, size_t n, size_t d,
                           int *labels, dv_error *err);
/* The labels of the nearest of n_means points means (n_means x 2; mean m
 * has class mean_class[m]; ties to the lower m) for n points xy: the
 * labelling rule g of dv_synth's gauss2d. */
DV_API int dv_nearest_mean_labels(const double *means, const int *mean_class, size_t n_means,
                                  const double *xy, size_t n, int *labels, dv_error *err);
/* The share of the n positions where a and b differ: the study's distance
 * dv(f_A, f_B) between two classifiers, the area between their decision
 * boundaries as a fraction of the mesh. */
DV_API double dv_label_disagreement(const int *a, const int *b, size_t n);
/* The level curve f = level of a field on the mesh (f[k] at point k) by
 * marching squares, with linear interpolation along the cell edges (a
 * saddle cell is split by the mean of its corners).  Writes up to cap
 * segments as (xa, ya, xb, yb) into seg and returns how many there are
 * (call with cap 0 to count). */
DV_API size_t dv_mesh_contour(const dv_mesh *m, const double *f, double level, double *seg,
                              size_t cap);
/* The n segments of dv_mesh_contour joined into polylines where they meet
 * end to end (exactly: dv_mesh_contour computes a shared point once per
 * edge), written into x and y (room for 3 n vertices) with one NaN vertex
 * between polylines; a closed curve repeats its first vertex at its end.
 * Returns the vertices written (0 when out of memory). */
DV_API size_t dv_segments_chain(const double *seg, size_t n, double *x, double *y);

/* Values of candidate points: rows that are not in the training data.
 * Each candidate c is the row cand_x[c d .. c d + d - 1] with the label
 * cand_y[c]; "train + c" is train with that row appended last.  Fits in
 * parallel over candidates (n_threads <= 0: the OpenMP default) give the
 * same bits for any thread count.  progress (may be NULL) is called as
 * candidates finish, one call at a time. */

/* Add-one values: f_c = lp fitted on train + c (with lp's own seed, the
 * same for every candidate).  dist[c n_ref + r] = dv_label_disagreement of
 * f_c's labels of the n_eval points eval_x (n_eval x d) with the labels
 * ref[r n_eval ..] (a reference classifier's: the true rule, or a model
 * fitted on train alone).  trace (may be NULL; needs an mlp):
 * trace[c E + t] = 1 when f_c classifies candidate c as cand_y[c] after
 * epoch t + 1, E = lp->epochs (epochs after an early stop repeat the
 * last), for dv_forgetting_score. */
DV_API int dv_add_one(const dv_dataset *train, const dv_learner_params *lp, const double *cand_x,
                      const double *cand_y, size_t n_cand, const double *eval_x, size_t n_eval,
                      const int *ref, size_t n_ref, double *dist, unsigned char *trace,
                      int n_threads, dv_progress_fn progress, void *user, dv_error *err);

/* Memorization of candidates (Feldman & Zhang 2020, for added rows):
 * mem[c] = the share of reps seeds s_r for which lp fitted on train + c
 * classifies c as cand_y[c], minus the share for lp fitted on train; s_r =
 * lp->seed XOR the first dv_rng_next of stream (seed, r). */
DV_API int dv_candidate_memorization(const dv_dataset *train, const dv_learner_params *lp,
                                     const double *cand_x, const double *cand_y, size_t n_cand,
                                     size_t reps, uint64_t seed, double *mem, int n_threads,
                                     dv_progress_fn progress, void *user, dv_error *err);

/* An out-of-distribution score of unlabelled points: var[i] = the variance
 * over `members` models (lp fitted on all of train with seeds s_r as
 * above) of their predicted probabilities at X's row i, summed over the
 * classes (for two classes: twice the variance of P(class 1)). */
DV_API int dv_ood_ensemble(const dv_dataset *train, const dv_learner_params *lp,
                           const double *X, size_t n, size_t members, uint64_t seed, double *var,
                           int n_threads, dv_error *err);

/* MC dropout (Gal & Ghahramani, ICML 2016), an out-of-distribution score:
 * lp (an mlp; lp->dropout the rate, in (0, 1)) fitted on all of train with
 * dropout, then var[i] = the variance over `passes` forward passes with
 * fresh dropout masks (stream (seed, pass)) of the predicted probabilities
 * at X's row i, summed over the classes. */
DV_API int dv_ood_dropout(const dv_dataset *train, const dv_learner_params *lp, const double *X,
                          size_t n, size_t passes, uint64_t seed, double *var, dv_error *err);

/* The game of candidates: players are the candidates, and U(S) =
 * -dv_label_disagreement(labels of lp fitted on train + S, ref) on the
 * eval points; train may be NULL (then the data is S alone, of
 * n_classes classes).  For dv_value_game (Shapley, leave-one-out, ...) on
 * a mesh.  The game borrows every array until dv_add_game_free. */
DV_API int dv_add_game(dv_game *g, const dv_dataset *train, size_t n_classes,
                       const dv_learner_params *lp, const double *cand_x, const double *cand_y,
                       size_t n_cand, size_t d, const double *eval_x, size_t n_eval,
                       const int *ref, dv_error *err);
DV_API void dv_add_game_free(dv_game *g);

/* Pairwise data values (the 2-D study's proposal): for the m training rows
 * points[0..m-1] (distinct rows of train),
 *
 *     pv[a m + b] = E_T  sum_{k in T} 1[f_T(x_k) != f_{T - {i_a, i_b}}(x_k)]
 *
 * with T a uniform random subset of train's rows (each row in T with
 * probability 1/2, so E_T is the sum over all 2^n subsets divided by 2^n),
 * f_S the labels of lp fitted on the rows S, and i_a = points[a]; on the
 * diagonal i_a alone is removed.  The matrix is symmetric.  n_samples > 0:
 * the mean over n_samples subsets, subset s drawn from stream (seed, s),
 * with standard errors in se (may be NULL); n_samples == 0: exact, by
 * enumerating all 2^n subsets (n <= 20; se = 0). */
DV_API int dv_pairwise_values(const dv_dataset *train, const dv_learner_params *lp,
                              const int64_t *points, size_t m, size_t n_samples, uint64_t seed,
                              double *pv, double *se, int n_threads, dv_progress_fn progress,
                              void *user, dv_error *err);
/* An order of the m points of a pairwise value matrix pv (m x m) that puts
 * points of strong pairs next to each other: average-linkage agglomerative
 * clustering on the off-diagonal values as similarities (the pair of
 * clusters with the highest mean similarity merges first; ties to the
 * lowest indices), then the leaves of the tree from left to right.  Writes
 * a permutation of 0..m-1 into order. */
DV_API int dv_pairwise_order(const double *pv, size_t m, size_t *order, dv_error *err);
/* Writes the pairwise values as `dval value --method pairwise` does: path
 * (FILE.csv) with a row per pair a <= b (a, b, point_a, point_b, source_a,
 * source_b, value, stderr) and the m x m matrix pv beside it as FILE.npy;
 * points are rows of train. */
DV_API int dv_pairwise_write(const char *path, const dv_dataset *train, const int64_t *points,
                             size_t m, const double *pv, const double *se, dv_error *err);

/* The value of rows that are not in the training data, each added to it
 * (`dval value --candidates`).  vp.method picks the value: loo (add-one:
 * the validation accuracy gained, or with boundary_mae minus the share of
 * validation rows whose label moves from the model on the data alone), a
 * game method (tmc, beta, banzhaf, exact: the candidates are the players,
 * the data always in; its utility as loo's), forgetting (minus the
 * candidate's forgetting score, vp.forgetting_variant; an mlp learner) or
 * memorization (minus its memorization over vp.max_samples subsets, default
 * 5); or ood selects an out-of-distribution score instead, the variance of
 * the class-1 probability over an ensemble of vp.max_samples members
 * (default 10; dv_ood_ensemble) or over as many dropout masks (default 50;
 * dv_ood_dropout, the learner's dropout or 0.2).  vp.learner, vp.seed,
 * vp.n_threads and vp.progress apply to all. */
typedef struct {
    dv_value_params vp;
    int ood;          /* 0: vp.method; 1: ood-ensemble; 2: ood-dropout */
    int boundary_mae; /* loo and the game methods: the boundary-mae utility */
} dv_candidate_params;

DV_API void dv_candidate_params_default(dv_candidate_params *p);

/* Values the n_cand candidates cand_x (n_cand x d, d the training data's
 * columns; standardized like it) with labels cand_y (class indices of
 * train) into values; info (may be NULL) gets the samples, the time and,
 * for a game method, its stopping rule and convergence (else converged is
 * -1).  Classification only. */
DV_API int dv_value_candidates(const dv_dataset *train, const dv_dataset *val,
                               const double *cand_x, const double *cand_y, size_t n_cand,
                               const dv_candidate_params *p, double *values,
                               dv_value_info *info, dv_error *err);
/* Writes the candidates' values as `dval value --candidates` does: path
 * (CSV) with columns candidate (0 = the first row), value. */
DV_API int dv_candidates_write(const char *path, size_t n, const double *values, dv_error *err);

/* DVRL (Yoon, Arik & Pfister, ICML 2020): a valuator network h (3 ReLU
 * layers of 100 units, a sigmoid output) gives each row a selection
 * probability; each of p->max_samples iterations draws p->dvrl_batch
 * training rows, selects each with its probability, fits p->learner on the
 * selected rows and rewards the selection by its validation score
 * (p->metric) minus a moving average of the recent scores (20 iterations,
 * starting from the score of the model on all the data), and moves h by
 * REINFORCE with Adam (step 0.01), plus a penalty 1000 (max(mean p - 0.9,
 * 0) + max(0.1 - mean p, 0)) that keeps the mean probability in [0.1,
 * 0.9].  values[i] = h at training row i.  extra_x (n_extra x d, labels
 * extra_y; may be NULL with n_extra 0) are rows where h is also evaluated,
 * into extra_values.  Sequential and seeded: the same bits every run. */
DV_API int dv_dvrl(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                   const double *extra_x, const double *extra_y, size_t n_extra, double *values,
                   double *extra_values, dv_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DVAL_H */
