/*
 * dval_plot.h -- figures of dval's results, drawn with cairo: the public
 * API of libdval_plot, a library of its own so that programs that only
 * value data do not link a drawing stack.  Link with -ldval_plot -ldval.
 *
 * Conventions are those of dval.h: an int status (dv_status), a dv_error*
 * that may be NULL, row-major matrices, nothing printed.
 */
#ifndef DVAL_PLOT_H
#define DVAL_PLOT_H

#include "dval.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Figures                                                                  */
/* ------------------------------------------------------------------------ */

/* Every figure is drawn with cairo into path, in the format its extension
 * names (.png, .svg or .pdf; an existing file is replaced only on success).
 * With data_path not NULL the numbers the figure draws are also written
 * there as CSV, so what is drawn can be checked.  opts may be NULL. */
typedef struct {
    double width, height; /* inches; 0 = the figure's default (a paper column wide) */
    double dpi;           /* PNG pixels per inch; 0 = 200 */
    const char *title;    /* NULL = the figure's own title */
} dv_plot_opts;

/* One point's samples and law per panel (small multiples): its raw
 * (cardinality, delta) samples, the fitted mean c k^-alpha and the band
 * c k^-alpha +- sigma k^(-beta/2) over [k_lo, k_hi].  delta and card are
 * n_points x n_samples, row-major; ids name the panels.  Data CSV: point,
 * kind (sample or law), k, delta, lo, hi. */
DV_API int dv_plot_law(const char *path, const char *data_path, const dv_plot_opts *opts,
                       size_t n_points, size_t n_samples, const int64_t *ids,
                       const double *delta, const int32_t *card, const dv_law *laws,
                       int64_t k_lo, int64_t k_hi, dv_error *err);

/* The validation figure of a grid-mode run (Covert et al. 2024, Figure 1):
 * (a) log10 |mean delta| against log10 k for the points nearest the alpha
 * quantiles 0.1, 0.3, 0.5, 0.7, 0.9 of the log estimator (log_alpha), each
 * with its log-log fit; (b) the histogram of the per-point R^2 of that fit
 * (log_r2); (c) at each grid cardinality, the R^2 over points of the law's
 * c k^-alpha (maximum likelihood) against the mean delta.  Data CSV: panel,
 * series, x, y. */
DV_API int dv_plot_validation(const char *path, const char *data_path, const dv_plot_opts *opts,
                              size_t n_points, size_t n_samples, const double *delta,
                              const int32_t *card, const dv_law *laws, dv_error *err);

/* Histograms of alpha, log10 |c| and beta over the points with a usable
 * law (status ok or bound), and alpha against log10 |c|.  Data CSV: panel,
 * series, x, y (bin left edge and count for the histograms). */
DV_API int dv_plot_hist(const char *path, const char *data_path, const dv_plot_opts *opts,
                        size_t n_points, const dv_law *laws, dv_error *err);

/* A scatter of y against x with a running median (the distance figure:
 * alpha or any value against the distance to the boundary).  Data CSV:
 * series, x, y. */
DV_API int dv_plot_scatter(const char *path, const char *data_path, const dv_plot_opts *opts,
                           size_t n, const double *x, const double *y, const char *x_label,
                           const char *y_label, dv_error *err);

/* Agreement of value estimates with a ground truth against the number of
 * samples per point (the numbers of `dval eval estimators`): three panels,
 * R^2, Pearson and Spearman, one line per estimator.  Each metric array is
 * n_est x n_budgets, row-major.  Data CSV: metric, estimator, samples,
 * value. */
DV_API int dv_plot_convergence(const char *path, const char *data_path,
                               const dv_plot_opts *opts, size_t n_budgets,
                               const double *budgets, size_t n_est, const char *const *names,
                               const double *r2, const double *pearson, const double *spearman,
                               dv_error *err);

/* Noisy-label detection: the fraction of flipped labels found against the
 * fraction of points inspected, lowest values first (ties by row), one line
 * per method, with the optimal and the random lines.  values is n_methods x
 * n, row-major.  Data CSV: method, inspected, found. */
DV_API int dv_plot_noisy(const char *path, const char *data_path, const dv_plot_opts *opts,
                         size_t n, const unsigned char *is_noisy, size_t n_methods,
                         const char *const *names, const double *values, dv_error *err);

/* Point removal: the test metric against the fraction of training points
 * removed, highest-valued first (solid) and lowest-valued first (dashed),
 * one colour per method.  high and low are n_methods x n_steps.  majority,
 * when finite, is drawn as a grey reference line: the metric of a model
 * that always predicts the training split's most frequent class (where a
 * curve that stays flat has lost everything it learned).  Data CSV:
 * method, order, fraction, metric (the line as method "majority class"). */
DV_API int dv_plot_removal(const char *path, const char *data_path, const dv_plot_opts *opts,
                           size_t n_steps, const double *fraction, size_t n_methods,
                           const char *const *names, const double *high, const double *low,
                           const char *metric_name, double majority, dv_error *err);

/* Active acquisition: the mean test accuracy against the labels bought, one
 * colour per scorer, with a band of +- half (the 95 % interval over the
 * repetitions; half may be NULL).  mean and half are n_scorers x n_points
 * over labels (n_points, increasing).  target, when finite, is drawn as a
 * grey dotted line.  Data CSV: scorer, labels, accuracy, ci95. */
DV_API int dv_plot_acquire(const char *path, const char *data_path, const dv_plot_opts *opts,
                           size_t n_points, const double *labels, size_t n_scorers,
                           const char *const *names, const double *mean, const double *half,
                           double target, dv_error *err);

/* Point addition: the mean gain with +- one standard error bars, grouped by
 * base-set size, one colour per scorer.  mean and se are n_scorers x
 * n_sizes (se may be NULL).  The bars show the gains x 100; the data CSV
 * holds them as given: base_size, scores, gain, stderr. */
DV_API int dv_plot_addition(const char *path, const char *data_path, const dv_plot_opts *opts,
                            size_t n_sizes, const int64_t *sizes, size_t n_scorers,
                            const char *const *scorers, const double *mean, const double *se,
                            dv_error *err);

/* A shaded map of values over a regular 2-D grid with a colour bar, and
 * optionally training points (coloured by class) and boundary curves. */
typedef struct {
    size_t nx, ny;          /* grid columns and rows */
    double x0, x1, y0, y1;  /* centres of the first and last columns and rows */
    const double *z;        /* ny x nx, row 0 at y0; NaN = no value */
    const char *z_label, *x_label, *y_label;
    size_t n_points;        /* optional scatter */
    const double *px, *py;
    const int *cls;         /* class per point (NULL: one class) */
    size_t n_curves;        /* optional polylines, concatenated; a NaN vertex breaks one */
    const size_t *curve_len;
    const double *cx, *cy;
    /* optional curve styles: curve k is drawn in style curve_group[k] (0:
     * solid black, 1: dashed black, 2 and up: dotted and dash-dotted lines
     * in the categorical colours), named group_names[g] in the legend
     * (NULL: all solid black, no legend entry) */
    const int *curve_group;
    const char *const *group_names;
    size_t n_groups;
    /* optional: a marker size per point, in points (0.5 to 20; NULL: by
     * class), to show a value per point by its area */
    const double *psize;
} dv_map;

/* Pairwise values of m points: the matrix with rows and columns in order
 * (left; the diagonal, a point removed alone, is left blank), and the
 * n_strong strongest pairs drawn as segments between the points over the
 * 2-D data (right; line width by value). */
typedef struct {
    size_t m;
    const double *pv;       /* m x m */
    const size_t *order;    /* display order (NULL: 0..m-1) */
    const double *px, *py;  /* the m points' coordinates */
    const int64_t *ids;     /* their training rows, for the data CSV (NULL: 0..m-1) */
    size_t n_all;           /* optional context: every training point */
    const double *ax, *ay;
    const int *acls;        /* class per point (NULL: one class) */
    size_t n_strong;        /* pairs drawn (0: 10) */
} dv_pairs_plot;

/* Data CSV: a, b, row_a, row_b, value (every pair a < b, in the matrix's
 * order of the input). */
DV_API int dv_plot_pairs(const char *path, const char *data_path, const dv_plot_opts *opts,
                         const dv_pairs_plot *p, dv_error *err);

/* Data CSV: x, y, value (the grid cells). */
DV_API int dv_plot_map(const char *path, const char *data_path, const dv_plot_opts *opts,
                       const dv_map *map, dv_error *err);

/* ------------------------------------------------------------------------ */
/* Figures of a finished run                                                */
/* ------------------------------------------------------------------------ */

/* dv_plot_law for the points which[0..n_which-1] of the run (1 to 36;
 * which NULL: the points nearest the 10, 30, 50, 70, 90 and 99 % quantiles
 * of alpha among the laws with status ok).  laws: one per point of r. */
DV_API int dv_plot_run_law(const char *path, const char *data_path, const dv_plot_opts *opts,
                           const dv_run *r, const dv_law *laws, const int64_t *which,
                           size_t n_which, dv_error *err);
/* dv_plot_hist of the run's laws. */
DV_API int dv_plot_run_hist(const char *path, const char *data_path, const dv_plot_opts *opts,
                            const dv_run *r, const dv_law *laws, dv_error *err);
/* dv_plot_validation of a grid-mode run (DV_EINVAL for a uniform one). */
DV_API int dv_plot_run_validation(const char *path, const char *data_path,
                                  const dv_plot_opts *opts, const dv_run *r, const dv_law *laws,
                                  dv_error *err);
/* y (one value per point, e.g. alpha) against each point's distance to the
 * decision boundary of logistic regression (C = 1) fitted on train, which
 * must be the run's training split (dv_run_check_split). */
DV_API int dv_plot_run_distance(const char *path, const char *data_path,
                                const dv_plot_opts *opts, const dv_run *r,
                                const dv_dataset *train, const double *y, const char *y_label,
                                dv_error *err);

/* ------------------------------------------------------------------------ */
/* The report of a run                                                      */
/* ------------------------------------------------------------------------ */

typedef struct {
    size_t top;            /* points in each of the top and bottom tables; default 10 */
    const char *data_path; /* the run's data file when it has moved (NULL: as recorded) */
    int n_threads;         /* <= 0: OpenMP default; the page does not depend on it */
    int amortized;         /* nonzero: the convergence figure also shows the amortized
                            * law (one network per budget; needs the run's data) */
    void (*wrote)(void *user, const char *path); /* called after each figure file */
    void *user;
} dv_report_opts;

DV_API void dv_report_opts_default(dv_report_opts *o);

/* Writes DIR/report.html, one self-contained page for the finished run r
 * with its laws (dv_run_laws): the command and settings, the data, the
 * timing (RUN_DIR/timing.txt), the most and least valuable points, and
 * every figure that applies, embedded as PNG and also written to DIR as PNG
 * and SVG: law, hist, convergence (the estimator experiment: mc_mean, law,
 * law_eb and with opts->amortized the amortized law; its numbers in
 * DIR/estimators.csv, when a point has at least 10 samples), validation
 * (grid runs) and distance (binary logistic regression, when the data file
 * can be read); and, when RUN_DIR holds them, the results of dval eval
 * poison (poison.csv: a table), acquire (acquire.csv and its .json: the
 * figure and the summary) and sensitivity (sensitivity.csv.json).  DIR is
 * created when missing.  opts may be NULL. */
DV_API int dv_report_write(const dv_run *r, const dv_law *laws, const char *dir,
                           const dv_report_opts *opts, dv_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DVAL_PLOT_H */
