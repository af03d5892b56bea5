/*
 * cli.h -- shared pieces of the dval command: option helpers, data
 * loading, progress display and small file utilities.  The CLI uses only
 * the public API in dval.h.
 */
#ifndef DV_CLI_H
#define DV_CLI_H

#include "dval_plot.h"

#include <stdint.h>
#include <stdio.h>

/* Prints "dval: <message>" to stderr and exits with status 1. */
void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Prints "dval: warning: <message>" to stderr. */
/* getopt_long, except that an unknown option or a missing value ends the
 * program (status 2) with one line naming the option and the nearest valid
 * one. */
struct option;
extern const char *cli_command; /* the command being run, set by main */
/* The name of names[0..n-1] nearest to key (edit distance), or NULL when
 * none is near enough to suggest. */
const char *cli_nearest(const char *key, const char *const *names, size_t n);
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* malloc, calloc and realloc that end the program with a message when
 * memory runs out (never NULL; a size of 0 allocates 1 byte). */
void *cli_malloc(size_t n);
void *cli_calloc(size_t n, size_t size);
void *cli_realloc(void *p, size_t n);
char *cli_strdup(const char *s);
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict number parsing: the whole string must be a number in range;
 * otherwise dies naming the option. */
int64_t cli_int(const char *opt, const char *s, int64_t lo, int64_t hi);
double cli_double(const char *opt, const char *s);
uint64_t cli_u64(const char *opt, const char *s);
/* Parses "a,b,c" into a new array of int64; dies on bad items. */
int64_t *cli_int_list(const char *opt, const char *s, size_t *n);
/* The same for row indices: integers from 0. */
int64_t *cli_index_list(const char *opt, const char *s, size_t *n);
/* list (n entries, may be NULL) with the integers of s appended; *n grows. */
int64_t *cli_int_list_append(const char *opt, const char *s, int64_t *list, size_t *n);

/* Data options shared by the commands that read a data set. */
/* Several processes (dist.c): MPI started when a launcher made this one of
 * several; cli_comm is NULL for one process. */
void cli_dist_start(int *argc, char ***argv, const char *command);
dv_comm *cli_comm(void);
int cli_rank(void);
void cli_dist_end(void);
/* Ends every process of the job (after an error on this one). */
void cli_dist_abort(int status);
/* Dies when running on several processes: what runs on one only. */
void cli_dist_only_one(const char *what);

typedef struct {
    const char *data, *label, *val_data, *test_data;
    int regression, drop_missing, no_standardize;
    double n_val, n_test;
    uint64_t split_seed;
    const char *command; /* recorded in the manifest (NULL: none) */
} cli_data_opts;

void cli_data_opts_default(cli_data_opts *o);
/* Handles one data option; returns 1 when opt was one of them. */
int cli_data_opt(cli_data_opts *o, int opt, const char *arg);
/* getopt_long entries for the data options (values 1000..1099). */
#define CLI_DATA_LONGOPTS                                   \
    {"data", required_argument, 0, 1000},                   \
    {"label", required_argument, 0, 1001},                  \
    {"task", required_argument, 0, 1002},                   \
    {"drop-missing", no_argument, 0, 1003},                 \
    {"val", required_argument, 0, 1004},                    \
    {"test", required_argument, 0, 1005},                   \
    {"val-data", required_argument, 0, 1006},               \
    {"test-data", required_argument, 0, 1007},              \
    {"split-seed", required_argument, 0, 1008},             \
    {"no-standardize", no_argument, 0, 1009}
#define CLI_DATA_HELP                                                                      \
    "Data options:\n"                                                                      \
    "  --data FILE          CSV or CSV.gz with a header row (required)\n"                  \
    "  --label NAME         label column (default: the last column)\n"                     \
    "  --task KIND          classification (default) or regression\n"                      \
    "  --drop-missing       skip rows with a missing or non-numeric feature\n"             \
    "  --val N, --test N    validation/test rows: a count or a fraction in (0,1)\n"        \
    "                       (default 1000 each with >= 4000 rows, else 20 % each)\n"      \
    "  --val-data F, --test-data F   explicit validation/test files (same columns)\n"      \
    "  --split-seed S       seed of the train/validation/test split (default 0)\n"         \
    "  --no-standardize     keep raw features (default: standardize with training\n"       \
    "                       mean and population standard deviation)\n"

/* Loads and splits the data (dv_data_load); dies with its message.
 * *manifest receives the JSON object describing the data (dv_free it). */
void cli_load_data(const cli_data_opts *o, dv_dataset **train, dv_dataset **val,
                   dv_dataset **test, char **manifest);


#define CLI_METHOD_HELP                                                                     \
    "Method options:\n"                                                                     \
    "  --learner NAME       logreg (default), ridge, ols, tree, mlp, knn\n"                 \
    "  --C X, --lambda X    learner regularization (defaults 1)\n"                          \
    "  --tol X              logreg: converged when the gradient norm <= X max(1, its\n"   \
    "                       norm at 0) (default 1e-10; larger is faster, less exact)\n"    \
    "  --max-depth N, --min-leaf N, --max-features N   tree settings\n"                     \
    "  --metric NAME        utility on the validation split (as in dval sample; default\n"  \
    "                       accuracy for tmc and beta on classification, measured best)\n" \
    "  --seed S, --threads T\n"                                                             \
    "  --max-samples N      budget of permutations/subsets/models (default 1000; ame\n"      \
    "                       4000, which its Lasso needs: measured in BENCHMARKS.md)\n"      \
    "  --min-samples N      samples before a stopping rule may apply (default 100)\n"       \
    "  --max-seconds X      time budget (default none)\n"                                   \
    "  --rhat X             stop when Gelman-Rubin R-hat <= X over --chains chains\n"       \
    "                       (permutation methods; default 1.05, 0 = off) and every\n"       \
    "                       standard error <= --rel-stderr times the standard deviation\n"  \
    "                       of the values (default 0.1; 0 = R-hat alone)\n"                 \
    "  --chains N           chains for R-hat (default 4)\n"                                 \
    "  --stderr X           stop when every standard error <= X\n"                          \
    "  --rank-tol X         stop when the Spearman correlation of successive checks\n"      \
    "                       >= 1 - X\n"                                                     \
    "  --check-every N      samples between checks (default 50)\n"                          \
    "  --truncation X       tmc: relative truncation tolerance (default 0.01, 0 = off)\n"   \
    "  --beta-a X, --beta-b X   beta: Beta(alpha, beta) weights (default 4, 1)\n"           \
    "  --k N                knn: neighbours (default 10)\n"                                 \
    "  --entreg X           lava: entropic regularization, relative to the mean cost (0.1)\n" \
    "  --variant NAME       forgetting: events (1 -> 0 changes, default), printed (the\n"  \
    "                       2-D study's count), last-learned (first epoch correct),\n"      \
    "                       simple (epochs misclassified), frequent (printed, after the\n"  \
    "                       first correct epoch); value = minus the mean over --max-samples\n" \
    "                       training runs (default 5; learner: the mlp with batches of\n" \
    "                       128 unless --learner or --mlp-batch)\n"                          \
    "  --mem-fraction X     memorization: subset size / n (default 0.7)\n"                \
    "  --dvrl-input NAME    dvrl: what the valuator sees: xyr (x, y and the residual of a\n" \
    "                       model fitted on the validation split; default), xp (x and\n"  \
    "                       that model's probabilities), x\n"                                \
    "  --dvrl-batch N       dvrl: training rows per iteration (default 32; iterations:\n"  \
    "                       --max-samples, default 1000)\n"                                \
    "  --gshapley-lr X      gshapley: the SGD step size (default: the best of 10^-3 ..\n" \
    "                       10^1 for one pass over the data)\n"                            \
    "  --ts-subset N        ts-shapley: players per subset (default 100)\n"               \
    "  --groups FILE        value groups: one integer group per training row\n"           \
    CLI_MLP_HELP


#define CLI_METHOD_LONGOPTS                                                 \
    {"learner", required_argument, 0, 2000}, {"C", required_argument, 0, 2001},           \
    {"lambda", required_argument, 0, 2002},  {"max-depth", required_argument, 0, 2003},   \
    {"min-leaf", required_argument, 0, 2004}, {"max-features", required_argument, 0, 2005}, \
    {"metric", required_argument, 0, 2006},  {"seed", required_argument, 0, 2007},        \
    {"threads", required_argument, 0, 2008}, {"max-samples", required_argument, 0, 2009}, \
    {"min-samples", required_argument, 0, 2010}, {"max-seconds", required_argument, 0, 2011}, \
    {"rhat", required_argument, 0, 2012},    {"chains", required_argument, 0, 2013},      \
    {"stderr", required_argument, 0, 2014},  {"rank-tol", required_argument, 0, 2015},    \
    {"check-every", required_argument, 0, 2016}, {"truncation", required_argument, 0, 2017}, \
    {"beta-a", required_argument, 0, 2018},  {"beta-b", required_argument, 0, 2019},      \
    {"k", required_argument, 0, 2020},       {"groups", required_argument, 0, 2021},       \
    {"entreg", required_argument, 0, 2022},  {"tol", required_argument, 0, 2023},          \
    {"rel-stderr", required_argument, 0, 2024}, {"variant", required_argument, 0, 2025},   \
    {"mem-fraction", required_argument, 0, 2026}, {"dvrl-input", required_argument, 0, 2027}, \
    {"dvrl-batch", required_argument, 0, 2028}, {"gshapley-lr", required_argument, 0, 2029}, \
    {"ts-subset", required_argument, 0, 2030},                                              \
    CLI_MLP_LONGOPTS

/* The mlp and knn learners' options (codes 1200..1299), shared by every
 * command that takes --learner. */
typedef struct {
    const char *preset;
    size_t hidden[DV_MLP_MAX_HIDDEN], n_hidden;
    int has_hidden, epochs, patience;
    size_t batch;
    double lr, alpha, weight_decay, val_fraction;
    int has_lr, has_alpha, has_wd, has_val;
    double loss_tol;        /* --loss-tol (has_loss_tol) */
    int has_loss_tol, n_iter_no_change;
    double dropout;         /* --dropout (has_dropout) */
    int has_dropout;
    size_t neighbors;       /* knn: k (0: the default) */
    const char *knn_weights;/* knn: "uniform" or "distance" (NULL: the default) */
} cli_mlp_opts;
#define CLI_MLP_LONGOPTS                                                                    \
    {"hidden", required_argument, 0, 1200}, {"epochs", required_argument, 0, 1201},         \
    {"mlp-batch", required_argument, 0, 1202}, {"lr", required_argument, 0, 1203},         \
    {"alpha", required_argument, 0, 1204}, {"weight-decay", required_argument, 0, 1205},   \
    {"early-stop", required_argument, 0, 1206}, {"patience", required_argument, 0, 1207},  \
    {"mlp-preset", required_argument, 0, 1208}, {"neighbors", required_argument, 0, 1209},  \
    {"knn-weights", required_argument, 0, 1210}, {"loss-tol", required_argument, 0, 1211}, \
    {"n-iter-no-change", required_argument, 0, 1212}, {"dropout", required_argument, 0, 1213}
#define CLI_MLP_HELP                                                                       \
    "mlp options (--learner mlp):\n"                                                       \
    "  --mlp-preset NAME    reference (default: 3 hidden layers of 32, 25 epochs,\n"      \
    "                       batches of 1280, Adam, lr 1e-3, alpha 1e-4) or sklearn-1000\n" \
    "                       (one hidden layer of 1000, at most 200 epochs, batches of\n"   \
    "                       200, stopping as scikit-learn: --loss-tol 1e-4)\n"           \
    "  --hidden LIST        hidden layer sizes, e.g. 32,32,32 (at most 8 layers)\n"       \
    "  --epochs N, --mlp-batch N, --lr X   epochs, rows per Adam step, step size\n"      \
    "  --alpha X            L2 penalty on the weights (scikit-learn's alpha)\n"           \
    "  --weight-decay X     AdamW's decoupled weight decay (0 = Adam)\n"                  \
    "  --early-stop F       hold out a fraction F of the rows and stop after --patience\n" \
    "                       epochs (default 10) without a lower held-out loss\n"         \
    "  --loss-tol X         without --early-stop: stop once the training loss has not\n" \
    "                       fallen by X for more than --n-iter-no-change epochs\n"        \
    "                       (default 10) in a row, as scikit-learn (0 = off, default)\n" \
    "  --dropout P          drop each hidden unit with probability P at each training\n" \
    "                       step (default 0; ood-dropout: 0.2); sampling runs refuse it\n" \
    "knn options (--learner knn):\n"                                                       \
    "  --neighbors K        neighbours (default 50, the reference code's model)\n"        \
    "  --knn-weights W      distance (default: 1 / distance) or uniform\n"
/* The method called name, or the end of the program with a message naming
 * opt, the nearest method and every method. */
dv_method cli_method(const char *opt, const char *name);
/* The methods of dval value --method, for the help texts. */
#define CLI_METHODS_HELP                                                                    \
    "Methods: loo, exact (Shapley by enumeration, <= 24 players), exact-banzhaf,\n"         \
    "tmc (truncated Monte Carlo Data Shapley), beta (Beta Shapley), banzhaf (Data\n"        \
    "Banzhaf, maximum sample reuse), knn (exact KNN-Shapley), oob (Data-OOB), ame\n"        \
    "(average marginal effect: a lasso on random subsets), influence, lava, cg (CG\n"      \
    "score), random, forgetting (forgetting events while an mlp trains; --variant),\n"    \
    "memorization (subsampled, with full trees unless --learner; value = minus the\n"     \
    "memorization), dvrl (a valuator network trained by reinforcement learning),\n"       \
    "gshapley (G-Shapley: an approximation of Data Shapley from permutations of one\n"    \
    "pass of stochastic gradient descent of a linear model or, with --learner mlp, of\n"  \
    "the mlp, as tmc's budget and rules; with the mlp give --metric neg_logloss: one\n"  \
    "pass often changes no prediction, and accuracy then values every row 0),\n"          \
    "ts-shapley (TS-DShapley: each permutation cut into subsets of --ts-subset rows,\n"  \
    "each valued as a game of its own with --learner as the proxy, the contributions\n" \
    "times subset size / n; an approximation of Data Shapley, as tmc's rules);\n"       \
    "distributional (with --from RUN_DIR: the Monte Carlo mean of a sampling run);\n"     \
    "pairwise (with --points: the pairwise value matrix); ood-ensemble and\n"             \
    "ood-dropout (with --candidates: the variance of an ensemble's, or of an mlp's\n"     \
    "under dropout masks, predictions at rows not in the data).\n"
/* Handles one mlp option; returns 1 when c was one of them. */
int cli_mlp_opt(cli_mlp_opts *o, int c, const char *arg);
/* Applies the preset, then the options given, to lp (an mlp's settings). */
void cli_mlp_apply(const cli_mlp_opts *o, dv_learner_params *lp);

/* The method options, parsed (cli_method_opt) and completed
 * (cli_method_opts_finish, which dies on invalid settings). */
typedef struct {
    dv_value_params vp;
    const char *learner, *groups_file;
    int has_C, has_lambda, has_tol;
    double C, lambda, tol;
    int max_depth, min_leaf, max_features;
    cli_mlp_opts mlp;
    int has_learner;            /* --learner given */
    dv_learner_params mlp_learner; /* the mlp with the options given (cli_method_opts_finish) */
} cli_method_opts;
/* The settings of method m: o->vp, with the method's own default learner
 * (forgetting: the mlp with batches of 128; memorization: a full tree) when
 * --learner was not given. */
dv_value_params cli_method_params(const cli_method_opts *o, dv_method m);
void cli_method_opts_default(cli_method_opts *o);
/* lp := the defaults of the learner named (known lists the names the
 * command takes, for the message), with C, lambda and tol when not NULL;
 * dies on an unknown name or invalid settings. */
void cli_learner(dv_learner_params *lp, const char *name, const char *known, const double *C,
                 const double *lambda, const double *tol);
/* Handles one method option; returns 1 when c was one of them. */
int cli_method_opt(cli_method_opts *o, int c, const char *arg);
void cli_method_opts_finish(cli_method_opts *o);
/* Dies with a method's error, naming the method unless the message does. */
void cli_die_method(const char *method, const char *msg) __attribute__((noreturn));
/* One integer group per row of the data file, mapped to the training split
 * and renumbered densely; *n_groups receives their count. */
int64_t *cli_read_groups(const char *path, const dv_dataset *train, size_t *n_groups);

/* Progress display on stderr (only when it is a terminal and not quiet). */
typedef struct {
    const char *what;
    double t0, last;
    double per_item; /* samples per work item, for the rate */
    int enabled;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *what, double per_item, int quiet);
void cli_progress_cb(void *user, uint64_t done, uint64_t total);
void cli_progress_end(cli_progress *p);

/* A dv_report_opts.wrote callback: "dval: wrote PATH" on stderr. */
void cli_wrote(void *user, const char *path);

/* Reads a whole file (NUL-terminated); NULL if unreadable. */
char *cli_slurp(const char *path);

/* A CSV table read whole: a header row, then rows of as many fields (a
 * field in double quotes may hold commas).  Errors name the file and line
 * and end the program. */
typedef struct {
    const char *path;
    char *text;
    size_t n_cols, n_rows;
    char **head;  /* n_cols */
    char **cells; /* n_rows x n_cols */
    size_t *line; /* line number of each row */
} cli_table;
/* Reads path; the header must hold every column of need (NULL-ended). */
void cli_table_read(cli_table *t, const char *path, const char *const *need);
size_t cli_table_col(const cli_table *t, const char *name);
const char *cli_table_at(const cli_table *t, size_t r, size_t c);
/* The cell as a number; empty or "nan" gives NaN when allow_nan, else dies. */
double cli_table_num(const cli_table *t, size_t r, size_t c, int allow_nan);
void cli_table_free(cli_table *t);

/* Opens PATH.tmp for writing; cli_commit renames it to PATH (or removes it
 * on failure), so an error never leaves a half-written file behind. */
FILE *cli_open_out(const char *path, char *tmp, size_t tmplen);
void cli_commit(FILE *f, const char *tmp, const char *path);
/* A number in [0, 1), or the end of the program naming opt. */
double cli_fraction(const char *opt, const char *arg);
/* --k-ref: "mid" (the geometric mean of the run's smallest and largest k)
 * or a size >= 1. */
double cli_k_ref(const char *arg, const dv_run_info *I);

/* Subcommands. */
int cmd_synth(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_combine(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_value(int argc, char **argv);
int cmd_curve(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_value_method(int argc, char **argv);
int cmd_value_law(int argc, char **argv);
/* The tasks of dval eval (cmd_eval_*.c); argv[0] is "eval". */
int eval_noisy(int argc, char **argv);
int eval_sensitivity(int argc, char **argv);
int eval_removal(int argc, char **argv);
int eval_addition(int argc, char **argv);
int eval_estimators(int argc, char **argv);
/* Parses an eval task's options: the data and method options, -o and
 * --help (printing usage, or eval's own when NULL), plus the task's own
 * (task_opts, codes 1..31) handed to task_opt.  Exits after --help (0), on
 * unknown options (2) and on stray arguments. */
struct option;
typedef void (*cli_task_opt_fn)(void *ctx, int c, const char *arg);
void cli_eval_parse(int argc, char **argv, const char *usage, const struct option *task_opts,
                    cli_data_opts *dop, cli_method_opts *mo, const char **out,
                    cli_task_opt_fn task_opt, void *ctx);
int eval_poison(int argc, char **argv);
int eval_acquire(int argc, char **argv);
/* The index of ds's feature column name, else dies naming opt and listing
 * the columns (and, when not NULL, what else opt takes). */
size_t cli_column(const dv_dataset *ds, const char *opt, const char *name, const char *also);
/* The index of ds's class name (a label as the data file writes it), else
 * dies naming opt and listing the classes. */
size_t cli_class(const dv_dataset *ds, const char *opt, const char *name);
int cmd_demo(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_study(int argc, char **argv);

/* Options every figure of `dval plot` takes: -o FILE, --data CSV, --width,
 * --height (inches), --dpi, --title. */
typedef struct {
    const char *out, *data;
    dv_plot_opts o;
} cli_plot_opts;
#define CLI_PLOT_LONGOPTS                                   \
    {"out", required_argument, 0, 'o'},                     \
    {"data", required_argument, 0, 1100},                   \
    {"width", required_argument, 0, 1101},                  \
    {"height", required_argument, 0, 1102},                 \
    {"dpi", required_argument, 0, 1103},                    \
    {"title", required_argument, 0, 1104}
#define CLI_PLOT_HELP                                                                      \
    "Figure options:\n"                                                                    \
    "  -o, --out FILE       output figure: .png, .svg or .pdf (required)\n"                \
    "  --data FILE          also write the numbers drawn as CSV\n"                         \
    "  --width X, --height X   size in inches (default: the figure's own)\n"               \
    "  --dpi X              PNG resolution (default 200)\n"                                \
    "  --title TEXT         replace the figure's title\n"
/* Handles one figure option; returns 1 when opt was one of them. */
int cli_plot_opt(cli_plot_opts *p, int opt, const char *arg);
/* A figure's own option handler: returns 1 when it took opt. */
typedef int (*cli_opt_fn)(void *ctx, int opt, const char *arg);
struct option;
/* Parses the figure options, the figure's own (extra, taken by handle) and
 * --help; *inputs receives the positional arguments (between min_in and
 * max_in of them, described by what in the message); dies on errors. */
void cli_plot_parse(int argc, char **argv, const char *usage, const struct option *extra,
                    size_t n_extra, cli_plot_opts *po, cli_opt_fn handle, void *ctx,
                    char ***inputs, size_t *n_inputs, size_t min_in, size_t max_in,
                    const char *what);
/* Dies unless -o was given; reports a library error and dies. */
void cli_plot_check(const cli_plot_opts *p, const char *figure);
void cli_plot_done(const cli_plot_opts *p, int rc, const dv_error *err);

/* Figures of the evaluation tasks (cmd_plot_tasks.c), dispatched by cmd_plot. */
int plot_convergence(int argc, char **argv);
int plot_noisy(int argc, char **argv);
int plot_removal(int argc, char **argv);
int plot_addition(int argc, char **argv);
int plot_acquire(int argc, char **argv);
int plot_map(int argc, char **argv);
int plot_pairs(int argc, char **argv);

/* A sampling job: what dval sample runs after parsing its options. */
typedef struct {
    const cli_data_opts *data;
    const dv_sample_params *params;
    const char *out;         /* run directory */
    const char *points_file; /* rows to value, or NULL */
    int64_t n_first;         /* or the first n training rows (0: all) */
    int resume, quiet;
    const char *command;     /* recorded in run.json */
} cli_sample_job;
/* Loads the data, creates or resumes the run and samples it, appending the
 * time to RUN_DIR/timing.txt; dies on errors. */
void cli_sample(const cli_sample_job *j);

/* Opens a finished run (dv_run_open) or dies with the library's message. */
dv_run *cli_run_open(const char *run_dir);
/* The run's laws: fitted and written to out_csv (NULL: RUN_DIR/scaling.csv)
 * when refit, else read from scaling.csv (fitted first when missing).  The
 * caller frees the array. */
dv_law *cli_run_laws(const dv_run *r, int refit, const char *out_csv, int threads);
/* Writes the run's values.csv (out_csv NULL: RUN_DIR/values.csv; at NULL:
 * min-card and max-card); prints the top N points by c k^-alpha at top_k
 * (default at[0]) when top > 0. */
void cli_value_run(const dv_run *r, const dv_law *laws, const int64_t *at, size_t n_at,
                   size_t top, int64_t top_k, const char *out_csv);

#endif
