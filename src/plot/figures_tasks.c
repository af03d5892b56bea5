/*
 * figures_tasks.c -- the figures of the evaluation tasks: convergence of
 * estimators, noisy-label detection, point removal, point addition, and a
 * 2-D map of values.  Drawing goes through the figure module (fig.h); the
 * numbers drawn can also be written as CSV (data_path).
 */
#define _GNU_SOURCE
#include "internal.h"
#include "plot/fig.h"
#include "plot/plotcsv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                           */
/* ------------------------------------------------------------------------ */

/* An argument check: a NULL pointer or a zero count, named in the message. */
typedef struct {
    const char *name;
    int bad;
    const char *is; /* "NULL" or "0" */
} arg_check;
#define NEED_PTR(p) {#p, (p) == NULL, "NULL"}
#define NEED_N(n) {#n, (n) == 0, "0"}

/* DV_EINVAL for the first failing check, then (what not NULL) for a NULL
 * list of n_names series names called what, or a NULL name in it; else
 * DV_OK. */
static int check_args(const arg_check *a, size_t n, const char *const *names, size_t n_names,
                      const char *what, dv_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].bad)
            return dv__err(err, DV_EINVAL, "%s is %s", a[i].name, a[i].is);
    if (what && !names)
        return dv__err(err, DV_EINVAL, "%s is NULL", what);
    for (size_t i = 0; what && i < n_names; i++)
        if (!names[i])
            return dv__err(err, DV_EINVAL, "%s[%zu] is NULL", what, i);
    return DV_OK;
}

/* Index of the first non-finite value of v[0..n-1], or n. */
static size_t first_nonfinite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return i;
    return n;
}

/* DV_EINVAL naming the first non-finite entry of v, n_series rows of n
 * steps each (series named by names), else DV_OK. */
static int check_series(const double *v, size_t n, size_t n_series, const char *const *names,
                        const char *what, dv_error *err)
{
    size_t bad = first_nonfinite(v, n * n_series);
    if (bad < n * n_series)
        return dv__err(err, DV_EINVAL, "%s[%zu] (method '%s', step %zu) is %g", what, bad,
                       names[bad / n], bad % n, v[bad]);
    return DV_OK;
}

/* ------------------------------------------------------------------------ */
/* Convergence of estimators                                                */
/* ------------------------------------------------------------------------ */

int dv_plot_convergence(const char *path, const char *data_path, const dv_plot_opts *opts,
                        size_t n_budgets, const double *budgets, size_t n_est,
                        const char *const *names, const double *r2, const double *pearson,
                        const double *spearman, dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_N(n_budgets), NEED_N(n_est),
                              NEED_PTR(budgets), NEED_PTR(r2), NEED_PTR(pearson),
                              NEED_PTR(spearman)};
    int rc = check_args(args, DV__COUNT(args), names, n_est, "names", err);
    if (rc)
        return rc;
    for (size_t j = 0; j < n_budgets; j++)
        if (!isfinite(budgets[j]) || budgets[j] <= 0)
            return dv__err(err, DV_EINVAL, "budgets[%zu] = %g is not a positive number of samples",
                           j, budgets[j]);
    double w, h, dpi;
    if ((rc = dv__plot_setup(opts, 7.0, 2.4, &w, &h, &dpi, err)))
        return rc;

    size_t *ord = dv__malloc(n_budgets * sizeof *ord);
    double *x = dv__malloc(n_budgets * sizeof *x), *y = dv__malloc(n_budgets * sizeof *y);
    if (!ord || !x || !y) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    dv__argsort(budgets, n_budgets, ord);
    double bmin = budgets[ord[0]], bmax = budgets[ord[n_budgets - 1]];
    int xlog = bmax / bmin >= 10;

    dv__plotcsv d;
    dv__fig *f;
    if ((rc = dv__plot_open(w, h, 1, 3, data_path, "metric,estimator,samples,value", &f, &d, err)))
        goto done;
    dv__fig_title(f, dv__plot_title(opts, "Agreement with the ground truth vs samples per point"));
    static const char *metric[3] = {"r2", "pearson", "spearman"};
    static const char *ptitle[3] = {"R\xc2\xb2", "Pearson correlation", "Spearman correlation"};
    static const char *ylab[3] = {"R\xc2\xb2 (1 = exact)", "Pearson r", "Spearman \xcf\x81"};
    const double *vals[3] = {r2, pearson, spearman};
    for (int p = 0; p < 3; p++) {
        dv__axes *a = dv__fig_axes(f, 0, p);
        dv__ax_title(a, ptitle[p]);
        dv__ax_xlabel(a, "samples per point");
        dv__ax_ylabel(a, ylab[p]);
        if (xlog)
            dv__ax_xlog(a, 1);
        dv__ax_legend(a, p == 0 ? DV__LEGEND_BEST : DV__LEGEND_NONE);
        if (p == 0) {
            /* R^2 of a poor estimate can be hugely negative: show [-1, 1]. */
            double lo = INFINITY;
            for (size_t k = 0; k < n_est * n_budgets; k++)
                if (isfinite(r2[k]) && r2[k] < lo)
                    lo = r2[k];
            if (lo < -1) {
                dv__ax_ylim(a, -1, 1.02);
                dv__ax_note(a, "clipped at \xe2\x88\x92""1");
            }
        }
        for (size_t e = 0; e < n_est; e++) {
            for (size_t j = 0; j < n_budgets; j++) {
                x[j] = budgets[ord[j]];
                y[j] = vals[p][e * n_budgets + ord[j]];
                if (d.f && isfinite(y[j])) {
                    fprintf(d.f, "%s,", metric[p]);
                    dv__csv_field(d.f, names[e]);
                    fprintf(d.f, ",%.17g,%.17g\n", x[j], y[j]);
                }
            }
            dv__rgb c = dv__palette((int)e);
            dv__ax_line(a, x, y, n_budgets, c, 1.5, (dv__dash)(e % 4), p == 0 ? names[e] : NULL);
            dv__ax_scatter(a, x, y, n_budgets, c, (dv__marker)(e % 5), 4.0, 1.0, NULL);
        }
    }
    rc = dv__plot_finish(f, path, dpi, &d, err);
done:
    dv__free(ord);
    dv__free(x);
    dv__free(y);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Noisy-label detection                                                    */
/* ------------------------------------------------------------------------ */

int dv_plot_noisy(const char *path, const char *data_path, const dv_plot_opts *opts, size_t n,
                  const unsigned char *is_noisy, size_t n_methods, const char *const *names,
                  const double *values, dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_N(n), NEED_N(n_methods), NEED_PTR(is_noisy),
                              NEED_PTR(values)};
    int rc = check_args(args, DV__COUNT(args), names, n_methods, "names", err);
    if (rc)
        return rc;
    size_t nn = 0;
    for (size_t i = 0; i < n; i++)
        nn += is_noisy[i] != 0;
    if (nn == 0)
        return dv__err(err, DV_EINVAL, "is_noisy marks no point as noisy");
    for (size_t m = 0; m < n_methods; m++) {
        size_t bad = first_nonfinite(values + m * n, n);
        if (bad < n)
            return dv__err(err, DV_EINVAL, "values of '%s' (method %zu): point %zu is %g", names[m],
                           m, bad, values[m * n + bad]);
    }
    double w, h, dpi;
    if ((rc = dv__plot_setup(opts, 3.4, 2.6, &w, &h, &dpi, err)))
        return rc;
    size_t *ord = dv__malloc(n * sizeof *ord);
    double *x = dv__malloc((n + 1) * sizeof *x), *y = dv__malloc((n + 1) * sizeof *y);
    if (!ord || !x || !y) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    dv__plotcsv d;
    dv__fig *f;
    if ((rc = dv__plot_open(w, h, 1, 1, data_path, "method,inspected,found", &f, &d, err)))
        goto done;
    dv__fig_title(f, dv__plot_title(opts, "Flipped labels found, lowest values first"));
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_xlabel(a, "fraction of training points inspected");
    dv__ax_ylabel(a, "fraction of flipped labels found");
    dv__ax_xlim(a, 0, 1);
    dv__ax_ylim(a, 0, 1.02);
    dv__ax_legend(a, DV__LEGEND_SE);
    char note[96];
    snprintf(note, sizeof note, "n = %zu, %zu flipped", n, nn);
    dv__ax_note(a, note);

    /* reference lines first, so the methods are drawn over them */
    double fo = (double)nn / (double)n;
    double ox[3] = {0, fo, 1}, oy[3] = {0, 1, 1}, rx[2] = {0, 1}, ry[2] = {0, 1};
    dv__rgb grey = {0.45, 0.45, 0.45};
    dv__ax_line(a, ox, oy, 3, grey, 1.0, DV__DASH_DASHED, "optimal");
    dv__ax_line(a, rx, ry, 2, grey, 1.0, DV__DASH_DOTTED, "chance (y = x)");
    if (d.f) {
        for (int k = 0; k < 3; k++)
            fprintf(d.f, "optimal,%.17g,%.17g\n", ox[k], oy[k]);
        for (int k = 0; k < 2; k++)
            fprintf(d.f, "chance,%.17g,%.17g\n", rx[k], ry[k]);
    }
    for (size_t m = 0; m < n_methods; m++) {
        if (dv__argsort(values + m * n, n, ord)) {
            dv__plotcsv_close(&d, 0, NULL);
            dv__fig_free(f);
            rc = dv__err(err, DV_ENOMEM, "out of memory");
            goto done;
        }
        size_t found = 0;
        x[0] = 0;
        y[0] = 0;
        for (size_t j = 1; j <= n; j++) {
            found += is_noisy[ord[j - 1]] != 0;
            x[j] = (double)j / (double)n;
            y[j] = (double)found / (double)nn;
        }
        if (d.f)
            for (size_t j = 0; j <= n; j++) {
                dv__csv_field(d.f, names[m]);
                fprintf(d.f, ",%.17g,%.17g\n", x[j], y[j]);
            }
        /* solid and dash-dot alternate so neighbouring colours also differ
         * in grey (dashed and dotted are the reference lines) */
        dv__ax_line(a, x, y, n + 1, dv__palette((int)m), 1.5,
                    m % 2 ? DV__DASH_DASHDOT : DV__DASH_SOLID, names[m]);
    }
    rc = dv__plot_finish(f, path, dpi, &d, err);
done:
    dv__free(ord);
    dv__free(x);
    dv__free(y);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Point removal                                                            */
/* ------------------------------------------------------------------------ */

int dv_plot_removal(const char *path, const char *data_path, const dv_plot_opts *opts,
                    size_t n_steps, const double *fraction, size_t n_methods,
                    const char *const *names, const double *high, const double *low,
                    const char *metric_name, double majority, dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_N(n_steps), NEED_N(n_methods),
                              NEED_PTR(fraction), NEED_PTR(high), NEED_PTR(low)};
    int rc = check_args(args, DV__COUNT(args), names, n_methods, "names", err);
    if (rc)
        return rc;
    for (size_t j = 0; j < n_steps; j++)
        if (!isfinite(fraction[j]) || fraction[j] < 0 || fraction[j] > 1)
            return dv__err(err, DV_EINVAL, "fraction[%zu] = %g is not in [0, 1]", j, fraction[j]);
    if ((rc = check_series(high, n_steps, n_methods, names, "high", err)) ||
        (rc = check_series(low, n_steps, n_methods, names, "low", err)))
        return rc;
    double w, h, dpi;
    if ((rc = dv__plot_setup(opts, 3.4, 2.6, &w, &h, &dpi, err)))
        return rc;
    const char *metric = metric_name && metric_name[0] ? metric_name : "test metric";
    dv__plotcsv d;
    dv__fig *f;
    if ((rc = dv__plot_open(w, h, 1, 1, data_path, "method,order,fraction,metric", &f, &d, err)))
        return rc;
    dv__fig_title(f, dv__plot_title(opts, "Removing training points by value"));
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_xlabel(a, "fraction of training points removed");
    dv__ax_ylabel(a, metric);
    dv__ax_legend(a, DV__LEGEND_BEST);
    if (isfinite(majority)) {
        double lo_x = fraction[0], hi_x = fraction[0];
        for (size_t j = 1; j < n_steps; j++) {
            lo_x = fmin(lo_x, fraction[j]);
            hi_x = fmax(hi_x, fraction[j]);
        }
        double rx[2] = {lo_x, hi_x}, ry[2] = {majority, majority};
        dv__rgb ref = {0.55, 0.55, 0.55};
        dv__ax_line(a, rx, ry, 2, ref, 1.0, DV__DASH_DOTTED, "majority class");
        if (d.f)
            for (int k = 0; k < 2; k++)
                fprintf(d.f, "majority class,reference,%.17g,%.17g\n", rx[k], ry[k]);
    }
    /* the legend: one entry per method (its colour), then the two orders
     * (line styles, in grey, from series with no drawn point) */
    int marks = n_steps <= 25;
    for (size_t m = 0; m < n_methods; m++) {
        dv__rgb c = dv__palette((int)m);
        for (int o = 0; o < 2; o++) {
            const double *v = (o == 0 ? high : low) + m * n_steps;
            dv__ax_line(a, fraction, v, n_steps, c, 1.5, o == 0 ? DV__DASH_SOLID : DV__DASH_DASHED,
                        o == 0 ? names[m] : NULL);
            if (marks)
                dv__ax_scatter(a, fraction, v, n_steps, c,
                               o == 0 ? DV__MARK_CIRCLE : DV__MARK_TRIANGLE, 3.5, 1.0, NULL);
            if (d.f)
                for (size_t j = 0; j < n_steps; j++) {
                    dv__csv_field(d.f, names[m]);
                    fprintf(d.f, ",%s,%.17g,%.17g\n", o == 0 ? "high" : "low", fraction[j], v[j]);
                }
        }
    }
    const double none = NAN;
    dv__rgb grey = {0.3, 0.3, 0.3};
    dv__ax_line(a, &none, &none, 1, grey, 1.5, DV__DASH_SOLID, "highest first");
    dv__ax_line(a, &none, &none, 1, grey, 1.5, DV__DASH_DASHED, "lowest first");
    return dv__plot_finish(f, path, dpi, &d, err);
}

/* ------------------------------------------------------------------------ */
/* Active acquisition                                                       */
/* ------------------------------------------------------------------------ */

int dv_plot_acquire(const char *path, const char *data_path, const dv_plot_opts *opts,
                    size_t n_points, const double *labels, size_t n_scorers,
                    const char *const *names, const double *mean, const double *half,
                    double target, dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_N(n_points), NEED_N(n_scorers),
                              NEED_PTR(labels), NEED_PTR(mean)};
    int rc = check_args(args, DV__COUNT(args), names, n_scorers, "names", err);
    if (rc)
        return rc;
    for (size_t j = 0; j < n_points; j++)
        if (!isfinite(labels[j]) || (j && labels[j] <= labels[j - 1]))
            return dv__err(err, DV_EINVAL, "labels[%zu] = %g is not finite and increasing", j,
                           labels[j]);
    if ((rc = check_series(mean, n_points, n_scorers, names, "mean", err)))
        return rc;
    double w, h, dpi;
    if ((rc = dv__plot_setup(opts, 3.4, 2.6, &w, &h, &dpi, err)))
        return rc;
    double *lo = dv__malloc(n_points * sizeof *lo), *hi = dv__malloc(n_points * sizeof *hi);
    dv__plotcsv d;
    dv__fig *f;
    if (!lo || !hi)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    else
        rc = dv__plot_open(w, h, 1, 1, data_path, "scorer,labels,accuracy,ci95", &f, &d, err);
    if (rc) {
        dv__free(lo);
        dv__free(hi);
        return rc;
    }
    dv__fig_title(f, dv__plot_title(opts, "Active acquisition"));
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_xlabel(a, "labels bought");
    dv__ax_ylabel(a, "test accuracy");
    dv__ax_legend(a, DV__LEGEND_BEST);
    for (size_t s = 0; s < n_scorers; s++) {
        dv__rgb c = dv__palette((int)s);
        const double *m = mean + s * n_points, *e = half ? half + s * n_points : NULL;
        if (e) { /* the band where the interval is known (two repetitions or more) */
            for (size_t j = 0; j < n_points; j++) {
                lo[j] = isfinite(e[j]) ? m[j] - e[j] : NAN;
                hi[j] = isfinite(e[j]) ? m[j] + e[j] : NAN;
            }
            dv__ax_band(a, labels, lo, hi, n_points, c, 0.15, NULL);
        }
        dv__ax_line(a, labels, m, n_points, c, 1.5, DV__DASH_SOLID, names[s]);
        if (d.f)
            for (size_t j = 0; j < n_points; j++) {
                dv__csv_field(d.f, names[s]);
                fprintf(d.f, ",%.17g,%.17g,", labels[j], m[j]);
                if (e && isfinite(e[j]))
                    fprintf(d.f, "%.17g", e[j]);
                fputc('\n', d.f);
            }
    }
    dv__free(lo);
    dv__free(hi);
    if (isfinite(target)) {
        dv__rgb grey = {0.45, 0.45, 0.45};
        dv__ax_hline(a, target, grey, DV__DASH_DOTTED, "target");
    }
    return dv__plot_finish(f, path, dpi, &d, err);
}

/* ------------------------------------------------------------------------ */
/* Point addition                                                           */
/* ------------------------------------------------------------------------ */

int dv_plot_addition(const char *path, const char *data_path, const dv_plot_opts *opts,
                     size_t n_sizes, const int64_t *sizes, size_t n_scorers,
                     const char *const *scorers, const double *mean, const double *se,
                     dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_N(n_sizes), NEED_N(n_scorers), NEED_PTR(sizes),
                              NEED_PTR(mean)};
    int rc = check_args(args, DV__COUNT(args), scorers, n_scorers, "scorers", err);
    if (rc)
        return rc;
    size_t nv = n_sizes * n_scorers, bad;
    if ((bad = first_nonfinite(mean, nv)) < nv)
        return dv__err(err, DV_EINVAL, "mean[%zu] (scorer '%s', size %lld) is %g", bad,
                       scorers[bad / n_sizes], (long long)sizes[bad % n_sizes], mean[bad]);
    if (se)
        for (size_t i = 0; i < nv; i++)
            if (!isfinite(se[i]) || se[i] < 0)
                return dv__err(err, DV_EINVAL,
                               "se[%zu] (scorer '%s', size %lld) = %g is not a standard error", i,
                               scorers[i / n_sizes], (long long)sizes[i % n_sizes], se[i]);
    double w, h, dpi;
    if ((rc = dv__plot_setup(opts, 3.4, 2.6, &w, &h, &dpi, err)))
        return rc;
    char **labels = dv__calloc(n_sizes, sizeof *labels);
    double *x = dv__malloc(n_sizes * sizeof *x), *hh = dv__malloc(n_sizes * sizeof *hh),
           *ee = dv__malloc(n_sizes * sizeof *ee);
    dv__plotcsv d = {0};
    dv__fig *f = NULL;
    if (!labels || !x || !hh || !ee) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t s = 0; s < n_sizes; s++) {
        labels[s] = dv__malloc(24);
        if (!labels[s]) {
            rc = dv__err(err, DV_ENOMEM, "out of memory");
            goto done;
        }
        snprintf(labels[s], 24, "%lld", (long long)sizes[s]);
    }
    if ((rc = dv__plot_open(w, h, 1, 1, data_path, "base_size,scores,gain,stderr", &f, &d, err)))
        goto done;
    dv__fig_title(f, dv__plot_title(opts, "Gain from adding the top-scored points"));
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_xlabel(a, "size of the base training set");
    dv__ax_ylabel(a, "test metric gain \xc3\x97 100");
    dv__ax_xcategories(a, (const char *const *)labels, n_sizes);
    dv__ax_xlim(a, -0.5, (double)n_sizes - 0.5);
    dv__ax_legend(a, DV__LEGEND_RIGHT);
    dv__ax_hline(a, 0, (dv__rgb){0, 0, 0}, DV__DASH_SOLID, NULL);
    double group = 0.8, bw = group / (double)n_scorers;
    for (size_t k = 0; k < n_scorers; k++) {
        for (size_t s = 0; s < n_sizes; s++) {
            x[s] = (double)s - group / 2 + bw * ((double)k + 0.5);
            hh[s] = 100 * mean[k * n_sizes + s];
            ee[s] = se ? 100 * se[k * n_sizes + s] : 0;
            if (d.f) {
                fprintf(d.f, "%lld,", (long long)sizes[s]);
                dv__csv_field(d.f, scorers[k]);
                fprintf(d.f, ",%.17g,", mean[k * n_sizes + s]);
                if (se)
                    fprintf(d.f, "%.17g", se[k * n_sizes + s]);
                fputc('\n', d.f);
            }
        }
        dv__ax_bars(a, x, hh, se ? ee : NULL, n_sizes, bw * 0.92, dv__palette((int)k),
                    scorers[k]);
    }
    rc = dv__plot_finish(f, path, dpi, &d, err);
    f = NULL;
done:
    if (f) {
        dv__plotcsv_close(&d, 0, NULL);
        dv__fig_free(f);
    }
    if (labels)
        for (size_t s = 0; s < n_sizes; s++)
            dv__free(labels[s]);
    dv__free(labels);
    dv__free(x);
    dv__free(hh);
    dv__free(ee);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* A 2-D map                                                                */
/* ------------------------------------------------------------------------ */

/* Centre of cell i of n spanning [a, b]. */
static double grid_at(double a, double b, size_t i, size_t n)
{
    if (i == n - 1)
        return b;
    return a + (b - a) * (double)i / (double)(n - 1);
}

/* The map's grid, values, points and curves are drawable; *zmin and
 * *zmax receive the range of the values. */
static int check_map(const dv_map *map, double *zmin_out, double *zmax_out, dv_error *err)
{
    if (map->nx < 2 || map->ny < 2)
        return dv__err(err, DV_EINVAL, "map->nx = %zu, map->ny = %zu: the grid needs at least 2 "
                                       "columns and 2 rows", map->nx, map->ny);
    if (map->nx > ((size_t)1 << 26) / map->ny)
        return dv__err(err, DV_EINVAL, "map: a %zu x %zu grid is too large", map->nx, map->ny);
    if (!(isfinite(map->x0) && isfinite(map->x1) && map->x0 < map->x1))
        return dv__err(err, DV_EINVAL, "map->x0 = %g, map->x1 = %g: need finite x0 < x1", map->x0,
                       map->x1);
    if (!(isfinite(map->y0) && isfinite(map->y1) && map->y0 < map->y1))
        return dv__err(err, DV_EINVAL, "map->y0 = %g, map->y1 = %g: need finite y0 < y1", map->y0,
                       map->y1);
    if (!map->z)
        return dv__err(err, DV_EINVAL, "map->z is NULL");
    size_t nz = map->nx * map->ny, n_fin = 0;
    double zmin = INFINITY, zmax = -INFINITY;
    for (size_t i = 0; i < nz; i++) {
        double v = map->z[i];
        if (isnan(v))
            continue;
        if (!isfinite(v))
            return dv__err(err, DV_EINVAL, "map->z[%zu] is %g (NaN marks a cell with no value)",
                           i, v);
        n_fin++;
        zmin = v < zmin ? v : zmin;
        zmax = v > zmax ? v : zmax;
    }
    if (n_fin == 0)
        return dv__err(err, DV_EINVAL, "map->z has no value (every cell is NaN)");
    if (map->n_points) {
        if (!map->px || !map->py)
            return dv__err(err, DV_EINVAL, "map->%s is NULL with n_points = %zu",
                           !map->px ? "px" : "py", map->n_points);
        for (size_t i = 0; i < map->n_points; i++) {
            if (!isfinite(map->px[i]) || !isfinite(map->py[i]))
                return dv__err(err, DV_EINVAL, "map point %zu (%g, %g) is not finite", i,
                               map->px[i], map->py[i]);
            if (map->cls && map->cls[i] < 0)
                return dv__err(err, DV_EINVAL, "map->cls[%zu] = %d is negative", i, map->cls[i]);
            if (map->psize && !(map->psize[i] >= 0.5 && map->psize[i] <= 20))
                return dv__err(err, DV_EINVAL, "map->psize[%zu] = %g is not a size in 0.5..20 "
                               "points", i, map->psize[i]);
        }
    }
    if (map->n_curves) {
        if (!map->curve_len || !map->cx || !map->cy)
            return dv__err(err, DV_EINVAL, "map->%s is NULL with n_curves = %zu",
                           !map->curve_len ? "curve_len" : !map->cx ? "cx" : "cy", map->n_curves);
        for (size_t k = 0, off = 0; k < map->n_curves; off += map->curve_len[k], k++)
            for (size_t i = off; i < off + map->curve_len[k]; i++)
                if (isinf(map->cx[i]) || isinf(map->cy[i]))
                    return dv__err(err, DV_EINVAL, "map curve %zu, vertex %zu (%g, %g) is not "
                                   "finite (NaN breaks a curve)", k, i - off, map->cx[i],
                                   map->cy[i]);
        for (size_t k = 0; map->curve_group && k < map->n_curves; k++)
            if (map->curve_group[k] < 0 || (size_t)map->curve_group[k] >= map->n_groups)
                return dv__err(err, DV_EINVAL, "map curve %zu: group %d is not in 0..%zu", k,
                               map->curve_group[k], map->n_groups ? map->n_groups - 1 : 0);
    }
    *zmin_out = zmin;
    *zmax_out = zmax;
    return DV_OK;
}

/* The map's points, one marker shape per class, with a legend. */
static int map_points(dv__axes *a, const dv_map *map, dv_error *err)
{
    int max_cls = 0;
    for (size_t i = 0; i < map->n_points; i++)
        if (map->cls && map->cls[i] > max_cls)
            max_cls = map->cls[i];
    double *qx = dv__malloc(map->n_points * sizeof *qx),
           *qy = dv__malloc(map->n_points * sizeof *qy);
    if (!qx || !qy) {
        dv__free(qx);
        dv__free(qy);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (int c = 0; c <= max_cls; c++) {
        size_t m = 0;
        for (size_t i = 0; i < map->n_points; i++)
            if (!map->cls || map->cls[i] == c) {
                qx[m] = map->px[i];
                qy[m] = map->py[i];
                m++;
            }
        if (m == 0)
            continue;
        char lab[32];
        snprintf(lab, sizeof lab, "class %d", c);
        /* black markers with a white rim read over any colour of the map
         * (and in grey); the classes differ by shape */
        static const dv__marker shape[4] = {DV__MARK_CIRCLE, DV__MARK_TRIANGLE,
                                            DV__MARK_SQUARE, DV__MARK_DIAMOND};
        double sz = c % 4 == 1 ? 5.0 : 4.0;
        if (map->psize) { /* one marker per point, sized by its value */
            int first = 1;
            for (size_t i = 0; i < map->n_points; i++) {
                if (map->cls && map->cls[i] != c)
                    continue;
                double z = map->psize[i];
                dv__ax_scatter(a, &map->px[i], &map->py[i], 1, (dv__rgb){1, 1, 1}, shape[c % 4],
                               z + 1.2, 1.0, NULL);
                dv__ax_scatter(a, &map->px[i], &map->py[i], 1, (dv__rgb){0, 0, 0}, shape[c % 4],
                               z, 1.0, first ? (map->cls ? lab : "points") : NULL);
                first = 0;
            }
            continue;
        }
        dv__ax_scatter(a, qx, qy, m, (dv__rgb){1, 1, 1}, shape[c % 4], sz + 1.8, 1.0, NULL);
        dv__ax_scatter(a, qx, qy, m, (dv__rgb){0, 0, 0}, shape[c % 4], sz, 1.0,
                       map->cls ? lab : "points");
    }
    dv__free(qx);
    dv__free(qy);
    dv__ax_legend(a, DV__LEGEND_BEST);
    return DV_OK;
}

int dv_plot_map(const char *path, const char *data_path, const dv_plot_opts *opts,
                const dv_map *map, dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_PTR(map)};
    int rc0 = check_args(args, DV__COUNT(args), NULL, 0, NULL, err);
    if (rc0)
        return rc0;
    double zmin = 0.0, zmax = 0.0;
    if ((rc0 = check_map(map, &zmin, &zmax, err)))
        return rc0;
    double w, h, dpi;
    int rc = dv__plot_setup(opts, 3.4, 2.6, &w, &h, &dpi, err);
    if (rc)
        return rc;
    dv__plotcsv d;
    dv__fig *f;
    if ((rc = dv__plot_open(w, h, 1, 1, data_path, "x,y,value", &f, &d, err)))
        return rc;
    const char *zl = map->z_label && map->z_label[0] ? map->z_label : "value";
    char title[256];
    snprintf(title, sizeof title, "%s over the plane", zl);
    if (title[0] >= 'a' && title[0] <= 'z')
        title[0] = (char)(title[0] - 'a' + 'A');
    dv__fig_title(f, dv__plot_title(opts, title));
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_xlabel(a, map->x_label ? map->x_label : "x");
    dv__ax_ylabel(a, map->y_label ? map->y_label : "y");
    /* the image spans the cells, half a step beyond the centres */
    double hx = (map->x1 - map->x0) / (double)(map->nx - 1) / 2,
           hy = (map->y1 - map->y0) / (double)(map->ny - 1) / 2;
    dv__ax_xlim(a, map->x0 - hx, map->x1 + hx);
    dv__ax_ylim(a, map->y0 - hy, map->y1 + hy);
    if (zmin < 0 && zmax > 0) {
        double m = fmax(-zmin, zmax);
        dv__ax_image(a, map->z, map->nx, map->ny, map->x0, map->x1, map->y0, map->y1,
                     DV__CMAP_DIVERGING, -m, m, zl);
    } else {
        dv__ax_image(a, map->z, map->nx, map->ny, map->x0, map->x1, map->y0, map->y1,
                     DV__CMAP_VIRIDIS, zmin, zmax, zl);
    }
    for (size_t k = 0, off = 0; k < map->n_curves; off += map->curve_len[k], k++) {
        int g = map->curve_group ? map->curve_group[k] : 0;
        int first = 1; /* the group's first curve carries its legend entry */
        for (size_t j = 0; map->curve_group && j < k; j++)
            first &= map->curve_group[j] != g;
        const char *name = map->curve_group && map->group_names && first ? map->group_names[g]
                                                                         : NULL;
        dv__rgb col = g < 2 ? (dv__rgb){0, 0, 0} : dv__palette(g - 2);
        dv__dash dash = g == 0 ? DV__DASH_SOLID
                        : g == 1 ? DV__DASH_DASHED
                        : g % 2 ? DV__DASH_DASHDOT
                                : DV__DASH_DOTTED;
        dv__ax_line(a, map->cx + off, map->cy + off, map->curve_len[k], col, 1.2, dash, name);
    }
    if (map->n_points) {
        if ((rc = map_points(a, map, err))) {
            dv__plotcsv_close(&d, 0, NULL);
            dv__fig_free(f);
            return rc;
        }
    } else {
        dv__ax_legend(a, map->curve_group && map->group_names ? DV__LEGEND_BEST
                                                              : DV__LEGEND_NONE);
    }
    if (d.f)
        for (size_t r = 0; r < map->ny; r++)
            for (size_t c = 0; c < map->nx; c++)
                fprintf(d.f, "%.17g,%.17g,%.17g\n", grid_at(map->x0, map->x1, c, map->nx),
                        grid_at(map->y0, map->y1, r, map->ny), map->z[r * map->nx + c]);
    return dv__plot_finish(f, path, dpi, &d, err);
}

/* ------------------------------------------------------------------------ */
/* Pairwise values                                                           */
/* ------------------------------------------------------------------------ */

typedef struct {
    double v;
    size_t a, b;
} pair_rank;

static int by_pair_value(const void *x, const void *y)
{
    const pair_rank *p = x, *q = y;
    if (p->v != q->v)
        return p->v < q->v ? 1 : -1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

int dv_plot_pairs(const char *path, const char *data_path, const dv_plot_opts *opts,
                  const dv_pairs_plot *p, dv_error *err)
{
    const arg_check args[] = {NEED_PTR(path), NEED_PTR(p)};
    int rc = check_args(args, DV__COUNT(args), NULL, 0, NULL, err);
    if (rc)
        return rc;
    size_t m = p->m;
    if (m < 2 || m > 4096)
        return dv__err(err, DV_EINVAL, "pairs: %zu points; need 2..4096", m);
    if (!p->pv || !p->px || !p->py || (p->n_all && (!p->ax || !p->ay)))
        return dv__err(err, DV_EINVAL, "pairs: missing array");
    for (size_t i = 0; i < m * m; i++)
        if (!isfinite(p->pv[i]))
            return dv__err(err, DV_EINVAL, "pairs: value (%zu, %zu) is not finite", i / m, i % m);
    if (p->order) {
        unsigned char *seen = dv__calloc(m, 1);
        if (!seen)
            return dv__err(err, DV_ENOMEM, "out of memory");
        for (size_t i = 0; i < m && !rc; i++) {
            if (p->order[i] >= m || seen[p->order[i]])
                rc = dv__err(err, DV_EINVAL, "pairs: order is not a permutation of 0..%zu",
                             m - 1);
            else
                seen[p->order[i]] = 1;
        }
        dv__free(seen);
        if (rc)
            return rc;
    }
    double w, h, dpi;
    if ((rc = dv__plot_setup(opts, 6.8, 2.9, &w, &h, &dpi, err)))
        return rc;
    size_t n_pairs = m * (m - 1) / 2, n_strong = p->n_strong ? p->n_strong : 10;
    n_strong = n_strong < n_pairs ? n_strong : n_pairs;
    double *z = dv__malloc(m * m * sizeof *z);
    pair_rank *r = dv__malloc(n_pairs * sizeof *r);
    if (!z || !r) {
        dv__free(z), dv__free(r);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            size_t a = p->order ? p->order[i] : i, b = p->order ? p->order[j] : j;
            z[i * m + j] = a == b ? NAN : p->pv[a * m + b];
        }
    size_t k = 0;
    for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++)
            r[k++] = (pair_rank){p->pv[a * m + b], a, b};
    qsort(r, n_pairs, sizeof *r, by_pair_value);
    dv__plotcsv d;
    dv__fig *f;
    if ((rc = dv__plot_open(w, h, 1, 2, data_path, "a,b,row_a,row_b,value", &f, &d, err))) {
        dv__free(z), dv__free(r);
        return rc;
    }
    dv__fig_title(f, dv__plot_title(opts, "Pairwise values"));
    dv__axes *L = dv__fig_axes(f, 0, 0), *R = dv__fig_axes(f, 0, 1);
    dv__ax_title(L, "matrix, rows ordered by clustering");
    dv__ax_xlabel(L, "point (in that order)");
    dv__ax_ylabel(L, "point (in that order)");
    dv__ax_image(L, z, m, m, 0, (double)(m - 1), 0, (double)(m - 1), DV__CMAP_VIRIDIS, 0, 0,
                 "pairwise value");
    dv__ax_legend(L, DV__LEGEND_NONE);
    char title[64];
    snprintf(title, sizeof title, "the %zu strongest pairs", n_strong);
    dv__ax_title(R, title);
    dv__ax_xlabel(R, "x");
    dv__ax_ylabel(R, "y");
    int max_cls = 0;
    for (size_t i = 0; p->acls && i < p->n_all; i++)
        max_cls = p->acls[i] > max_cls ? p->acls[i] : max_cls;
    double *qx = dv__malloc((p->n_all + 1) * sizeof *qx), *qy = dv__malloc((p->n_all + 1) * sizeof *qy);
    for (int c = 0; qx && qy && c <= max_cls && p->n_all; c++) {
        size_t n = 0;
        for (size_t i = 0; i < p->n_all; i++)
            if (!p->acls || p->acls[i] == c) {
                qx[n] = p->ax[i];
                qy[n] = p->ay[i];
                n++;
            }
        char lab[32];
        snprintf(lab, sizeof lab, "class %d", c);
        dv__ax_scatter(R, qx, qy, n, dv__palette(c), DV__MARK_CIRCLE, 2.5, 0.35, lab);
    }
    dv__free(qx);
    dv__free(qy);
    double top = r[0].v > 0 ? r[0].v : 1;
    for (size_t t = 0; t < n_strong; t++) {
        double sx[2] = {p->px[r[t].a], p->px[r[t].b]}, sy[2] = {p->py[r[t].a], p->py[r[t].b]};
        dv__ax_line(R, sx, sy, 2, (dv__rgb){0, 0, 0}, 0.5 + 2.5 * fmax(r[t].v, 0) / top,
                    DV__DASH_SOLID, t == 0 ? "strong pair" : NULL);
    }
    dv__ax_scatter(R, p->px, p->py, m, (dv__rgb){0, 0, 0}, DV__MARK_DIAMOND, 4.5, 1.0,
                   "chosen point");
    dv__ax_legend(R, DV__LEGEND_BEST);
    if (d.f)
        for (size_t a = 0; a < m; a++)
            for (size_t b = a + 1; b < m; b++)
                fprintf(d.f, "%zu,%zu,%lld,%lld,%.17g\n", a, b,
                        (long long)(p->ids ? p->ids[a] : (int64_t)a),
                        (long long)(p->ids ? p->ids[b] : (int64_t)b), p->pv[a * m + b]);
    dv__free(z), dv__free(r);
    return dv__plot_finish(f, path, dpi, &d, err);
}
