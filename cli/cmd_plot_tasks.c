/*
 * cmd_plot_tasks.c -- the figures of the evaluation tasks: `dval plot
 * convergence | noisy | removal | addition | map`, each reading the CSV a
 * task wrote (or a grid of values for map).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/* Index of s in list[0..n-1], appending it when absent. */
static size_t intern(const char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return i;
    *list = cli_realloc(*list, (*n + 1) * sizeof **list);
    if (!*list)
        cli_die("out of memory");
    (*list)[*n] = s;
    return (*n)++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct values of v[0..n-1] (in place); returns their count. */
static size_t unique_sorted(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

static size_t find_sorted(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ------------------------------------------------------------------------ */
/* convergence                                                              */
/* ------------------------------------------------------------------------ */

int plot_convergence(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot convergence FILE.csv -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "Agreement of value estimates with the ground truth against the number of\n"
        "samples per point, from the CSV of dval eval estimators (columns samples,\n"
        "estimator, r2, pearson, spearman; other columns are ignored): three panels,\n"
        "R^2, Pearson and Spearman correlation, one line per estimator.  Missing or\n"
        "empty values are left out of the lines.\n"
        "\n"
        "--data columns: metric, estimator, samples, value.\n"
        "\n" CLI_PLOT_HELP;
    cli_plot_opts po;
    char **in;
    size_t n_in;
    cli_plot_parse(argc, argv, usage, NULL, 0, &po, NULL, NULL, &in, &n_in, 1, 1, "FILE.csv");
    static const char *const need[] = {"samples", "estimator", "r2", "pearson", "spearman", NULL};
    cli_table t;
    cli_table_read(&t, in[0], need);
    size_t cs = cli_table_col(&t, "samples"), ce = cli_table_col(&t, "estimator");
    size_t cm[3] = {cli_table_col(&t, "r2"), cli_table_col(&t, "pearson"),
                    cli_table_col(&t, "spearman")};
    double *b = cli_malloc(t.n_rows * sizeof *b);
    const char **names = NULL;
    size_t n_est = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        b[r] = cli_table_num(&t, r, cs, 0);
        if (!(b[r] > 0))
            cli_die("%s:%zu: samples %s is not positive", t.path, t.line[r],
                    cli_table_at(&t, r, cs));
        intern(&names, &n_est, cli_table_at(&t, r, ce));
    }
    size_t nb = unique_sorted(b, t.n_rows);
    double *m[3];
    for (int k = 0; k < 3; k++) {
        m[k] = cli_malloc(nb * n_est * sizeof *m[k]);
        for (size_t i = 0; i < nb * n_est; i++)
            m[k][i] = NAN;
    }
    unsigned char *seen = cli_calloc(nb * n_est, 1);
    for (size_t r = 0; r < t.n_rows; r++) {
        size_t j = find_sorted(b, nb, cli_table_num(&t, r, cs, 0));
        size_t e = intern(&names, &n_est, cli_table_at(&t, r, ce));
        if (seen[e * nb + j]++)
            cli_die("%s:%zu: a second row for estimator '%s' at %s samples", t.path, t.line[r],
                    names[e], cli_table_at(&t, r, cs));
        for (int k = 0; k < 3; k++)
            m[k][e * nb + j] = cli_table_num(&t, r, cm[k], 1);
    }
    dv_error err = {0};
    int rc = dv_plot_convergence(po.out, po.data, &po.o, nb, b, n_est, names, m[0], m[1], m[2],
                                 &err);
    cli_plot_done(&po, rc, &err);
    for (int k = 0; k < 3; k++)
        free(m[k]);
    free(seen);
    free(b);
    free(names);
    cli_table_free(&t);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* noisy                                                                    */
/* ------------------------------------------------------------------------ */

int plot_noisy(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot noisy VALUES.csv -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "Noisy-label detection: the fraction of flipped labels found against the\n"
        "fraction of training points inspected, lowest values first (ties by point),\n"
        "one line per method, with the optimal and the chance (y = x) lines.\n"
        "VALUES.csv is written by dval eval noisy --values-out: columns point, noisy\n"
        "(1 = label flipped) and one column of values per method.\n"
        "\n"
        "--data columns: method, inspected, found (fractions; the reference lines\n"
        "as methods 'optimal' and 'chance').\n"
        "\n" CLI_PLOT_HELP;
    cli_plot_opts po;
    char **in;
    size_t n_in;
    cli_plot_parse(argc, argv, usage, NULL, 0, &po, NULL, NULL, &in, &n_in, 1, 1, "VALUES.csv");
    static const char *const need[] = {"point", "noisy", NULL};
    cli_table t;
    cli_table_read(&t, in[0], need);
    size_t cp = cli_table_col(&t, "point"), cn = cli_table_col(&t, "noisy");
    size_t n = t.n_rows, nm = 0;
    size_t *mcol = cli_malloc(t.n_cols * sizeof *mcol);
    const char **names = cli_malloc(t.n_cols * sizeof *names);
    for (size_t c = 0; c < t.n_cols; c++)
        if (c != cp && c != cn) {
            mcol[nm] = c;
            names[nm++] = t.head[c];
        }
    if (nm == 0)
        cli_die("%s: no method columns (expected point,noisy,METHOD,...)", t.path);
    double *v = cli_malloc(nm * n * sizeof *v);
    unsigned char *noisy = cli_malloc(n), *seen = cli_calloc(n, 1);
    for (size_t r = 0; r < n; r++) {
        const char *ps = cli_table_at(&t, r, cp);
        char *end;
        long long p = strtoll(ps, &end, 10);
        if (end == ps || *end || p < 0 || (size_t)p >= n)
            cli_die("%s:%zu: point '%s' is not in 0..%zu (one row per point)", t.path, t.line[r],
                    ps, n - 1);
        if (seen[p]++)
            cli_die("%s:%zu: point %lld appears twice", t.path, t.line[r], p);
        const char *ns = cli_table_at(&t, r, cn);
        if (strcmp(ns, "0") != 0 && strcmp(ns, "1") != 0)
            cli_die("%s:%zu: noisy is '%s' (expected 0 or 1)", t.path, t.line[r], ns);
        noisy[p] = ns[0] == '1';
        for (size_t k = 0; k < nm; k++)
            v[k * n + (size_t)p] = cli_table_num(&t, r, mcol[k], 0);
    }
    dv_error err = {0};
    int rc = dv_plot_noisy(po.out, po.data, &po.o, n, noisy, nm, names, v, &err);
    if (rc == DV_EINVAL && strstr(err.msg, "no point"))
        cli_die("%s: no point is marked noisy", t.path);
    cli_plot_done(&po, rc, &err);
    free(v);
    free(noisy);
    free(seen);
    free(mcol);
    free(names);
    cli_table_free(&t);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* removal                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *names, *metric;
} removal_args;

static int removal_opt(void *ctx, int c, const char *arg)
{
    removal_args *a = ctx;
    if (c == 2000)
        a->names = arg;
    else if (c == 2001)
        a->metric = arg;
    else
        return 0;
    return 1;
}

int plot_removal(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot removal FILE.csv [FILE2.csv ...] [--names A,B,...]\n"
        "                         [--metric-name NAME] -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "Point removal: the test metric against the fraction of training points\n"
        "removed, highest-valued first (solid) and lowest-valued first (dashed), one\n"
        "colour per file of dval eval removal (columns fraction, high, low).  All\n"
        "files must have the same fractions.\n"
        "\n"
        "  --names A,B,...     method names, one per file (default: each file's name\n"
        "                      without directory and extension)\n"
        "  --metric-name NAME  the y axis label (default \"test metric\"; e.g.\n"
        "                      \"test accuracy\")\n"
        "\n"
        "--data columns: method, order (high or low), fraction, metric.\n"
        "\n" CLI_PLOT_HELP;
    static const struct option extra[] = {{"names", required_argument, 0, 2000},
                                          {"metric-name", required_argument, 0, 2001}};
    removal_args a = {0};
    cli_plot_opts po;
    char **in;
    size_t nf;
    cli_plot_parse(argc, argv, usage, extra, 2, &po, removal_opt, &a, &in, &nf, 1, 64,
                   "FILE.csv");
    /* method names */
    char **names = cli_calloc(nf, sizeof *names);
    char *list = NULL;
    if (a.names) {
        list = cli_strdup(a.names);
        size_t k = 0;
        char *save = NULL;
        for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
            if (k == nf)
                cli_die("plot removal: --names lists more names than the %zu files", nf);
            names[k++] = cli_strdup(s);
        }
        if (k != nf)
            cli_die("plot removal: --names lists %zu names for %zu files", k, nf);
    } else {
        for (size_t i = 0; i < nf; i++) {
            const char *base = strrchr(in[i], '/');
            base = base ? base + 1 : in[i];
            names[i] = cli_strdup(base);
            char *dot = strrchr(names[i], '.');
            if (dot && dot != names[i])
                *dot = '\0';
        }
    }
    free(list);
    static const char *const need[] = {"fraction", "high", "low", NULL};
    size_t ns = 0;
    double *frac = NULL, *hi = NULL, *lo = NULL, majority = NAN;
    const char *first = NULL;
    for (size_t i = 0; i < nf; i++) {
        cli_table t;
        cli_table_read(&t, in[i], need);
        size_t cf = cli_table_col(&t, "fraction"), ch = cli_table_col(&t, "high"),
               cl = cli_table_col(&t, "low");
        /* dval eval removal's reference: the first file's, when it has one */
        for (size_t c = 0; i == 0 && c < t.n_cols; c++)
            if (!strcmp(t.head[c], "majority") && t.n_rows)
                majority = cli_table_num(&t, 0, c, 0);
        if (i == 0) {
            ns = t.n_rows;
            first = in[0];
            frac = cli_malloc(ns * sizeof *frac);
            hi = cli_malloc(nf * ns * sizeof *hi);
            lo = cli_malloc(nf * ns * sizeof *lo);
        } else if (t.n_rows != ns) {
            cli_die("plot removal: %s has %zu steps but %s has %zu; the files must have the same "
                    "fractions (same --bin and --max-fraction)",
                    in[i], t.n_rows, first, ns);
        }
        for (size_t r = 0; r < ns; r++) {
            double fr = cli_table_num(&t, r, cf, 0);
            if (i == 0)
                frac[r] = fr;
            else if (fabs(fr - frac[r]) > 1e-12)
                cli_die("plot removal: %s:%zu: fraction %s, but %s has %.17g at that step; the "
                        "files must have the same fractions",
                        in[i], t.line[r], cli_table_at(&t, r, cf), first, frac[r]);
            hi[i * ns + r] = cli_table_num(&t, r, ch, 0);
            lo[i * ns + r] = cli_table_num(&t, r, cl, 0);
        }
        cli_table_free(&t);
    }
    dv_error err = {0};
    int rc = dv_plot_removal(po.out, po.data, &po.o, ns, frac, nf, (const char *const *)names, hi,
                             lo, a.metric, majority, &err);
    cli_plot_done(&po, rc, &err);
    for (size_t i = 0; i < nf; i++)
        free(names[i]);
    free(names);
    free(frac);
    free(hi);
    free(lo);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* addition                                                                 */
/* ------------------------------------------------------------------------ */

int plot_addition(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot addition FILE.csv -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "Point addition: the mean gain of the test metric, x 100, with +- one\n"
        "standard error bars, grouped by base-set size, one colour per scorer, from\n"
        "the CSV of dval eval addition (columns base_size, scores, gain_mean,\n"
        "gain_stderr).  Every scorer needs a row at every size.\n"
        "\n"
        "--data columns: base_size, scores, gain, stderr (raw gains as in FILE.csv;\n"
        "the figure shows them x 100).\n"
        "\n" CLI_PLOT_HELP;
    cli_plot_opts po;
    char **in;
    size_t n_in;
    cli_plot_parse(argc, argv, usage, NULL, 0, &po, NULL, NULL, &in, &n_in, 1, 1, "FILE.csv");
    static const char *const need[] = {"base_size", "scores", "gain_mean", "gain_stderr", NULL};
    cli_table t;
    cli_table_read(&t, in[0], need);
    size_t cb = cli_table_col(&t, "base_size"), cs = cli_table_col(&t, "scores"),
           cg = cli_table_col(&t, "gain_mean"), ce = cli_table_col(&t, "gain_stderr");
    double *b = cli_malloc(t.n_rows * sizeof *b);
    const char **sc = NULL;
    size_t n_sc = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        const char *s = cli_table_at(&t, r, cb);
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || *end || v < 0)
            cli_die("%s:%zu: base_size '%s' is not a size", t.path, t.line[r], s);
        b[r] = (double)v;
        intern(&sc, &n_sc, cli_table_at(&t, r, cs));
    }
    size_t nb = unique_sorted(b, t.n_rows);
    int64_t *sizes = cli_malloc(nb * sizeof *sizes);
    for (size_t j = 0; j < nb; j++)
        sizes[j] = (int64_t)b[j];
    double *mean = cli_malloc(nb * n_sc * sizeof *mean), *se = cli_malloc(nb * n_sc * sizeof *se);
    unsigned char *seen = cli_calloc(nb * n_sc, 1);
    for (size_t r = 0; r < t.n_rows; r++) {
        size_t j = find_sorted(b, nb, (double)strtoll(cli_table_at(&t, r, cb), NULL, 10));
        size_t k = intern(&sc, &n_sc, cli_table_at(&t, r, cs));
        if (seen[k * nb + j]++)
            cli_die("%s:%zu: a second row for scorer '%s' at base size %s", t.path, t.line[r],
                    sc[k], cli_table_at(&t, r, cb));
        mean[k * nb + j] = cli_table_num(&t, r, cg, 0);
        se[k * nb + j] = cli_table_num(&t, r, ce, 0);
        if (se[k * nb + j] < 0)
            cli_die("%s:%zu: gain_stderr %s is negative", t.path, t.line[r],
                    cli_table_at(&t, r, ce));
    }
    for (size_t k = 0; k < n_sc; k++)
        for (size_t j = 0; j < nb; j++)
            if (!seen[k * nb + j])
                cli_die("%s: no row for scorer '%s' at base size %lld", t.path, sc[k],
                        (long long)sizes[j]);
    dv_error err = {0};
    int rc = dv_plot_addition(po.out, po.data, &po.o, nb, sizes, n_sc, sc, mean, se, &err);
    cli_plot_done(&po, rc, &err);
    free(b);
    free(sizes);
    free(mean);
    free(se);
    free(seen);
    free(sc);
    cli_table_free(&t);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* map                                                                      */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *points, *curves, *value_label, *x_label, *y_label;
} map_args;

static int map_opt(void *ctx, int c, const char *arg)
{
    map_args *a = ctx;
    switch (c) {
    case 2000: a->points = arg; return 1;
    case 2001: a->curves = arg; return 1;
    case 2002: a->value_label = arg; return 1;
    case 2003: a->x_label = arg; return 1;
    case 2004: a->y_label = arg; return 1;
    }
    return 0;
}

/* Checks that the sorted distinct coordinates u[0..n-1] are evenly spaced. */
static void check_even(const char *path, const char *axis, const double *u, size_t n)
{
    if (n < 2)
        cli_die("%s: the grid has %zu distinct %s value%s; a map needs at least 2", path, n, axis,
                n == 1 ? "" : "s");
    double step = (u[n - 1] - u[0]) / (double)(n - 1);
    double tol = 1e-6 * step;
    for (size_t i = 1; i < n; i++)
        if (fabs(u[i] - u[i - 1] - step) > tol)
            cli_die("%s: the grid is not regular: the %s values are not evenly spaced (%.10g to "
                    "%.10g is a step of %.10g; %zu values from %.10g to %.10g need steps of %.10g)",
                    path, axis, u[i - 1], u[i], u[i] - u[i - 1], n, u[0], u[n - 1], step);
}

/* What a map is drawn from: the grid's cells and, optionally, points and
 * curves (the arrays dv_map points to). */
typedef struct {
    double *xs, *ys, *z;
    double *px, *py, *qx, *qy;
    int *cls;
    size_t *clen;
} map_arrays;

/* GRID.csv (x, y, value) into the mesh of m: every cell of a regular grid,
 * once. */
static void read_grid(const char *path, dv_map *m, map_arrays *A)
{
    static const char *const need[] = {"x", "y", "value", NULL};
    cli_table t;
    cli_table_read(&t, path, need);
    size_t cx = cli_table_col(&t, "x"), cy = cli_table_col(&t, "y"),
           cv = cli_table_col(&t, "value");
    size_t n = t.n_rows;
    double *xs = A->xs = cli_malloc(n * sizeof *xs), *ys = A->ys = cli_malloc(n * sizeof *ys);
    for (size_t r = 0; r < n; r++) {
        xs[r] = cli_table_num(&t, r, cx, 0);
        ys[r] = cli_table_num(&t, r, cy, 0);
    }
    size_t nx = unique_sorted(xs, n), ny = unique_sorted(ys, n);
    check_even(t.path, "x", xs, nx);
    check_even(t.path, "y", ys, ny);
    if (nx * ny != n)
        cli_die("%s: %zu rows, but the %zu distinct x and %zu distinct y values make a %zu-cell "
                "mesh: the grid is not complete",
                t.path, n, nx, ny, nx * ny);
    double *z = A->z = cli_malloc(n * sizeof *z);
    unsigned char *seen = cli_calloc(n, 1);
    for (size_t r = 0; r < n; r++) {
        size_t i = find_sorted(xs, nx, cli_table_num(&t, r, cx, 0)),
               j = find_sorted(ys, ny, cli_table_num(&t, r, cy, 0));
        if (seen[j * nx + i]++)
            cli_die("%s:%zu: a second row for the cell (%s, %s): the grid is not a regular mesh",
                    t.path, t.line[r], cli_table_at(&t, r, cx), cli_table_at(&t, r, cy));
        z[j * nx + i] = cli_table_num(&t, r, cv, 1);
    }
    free(seen);
    cli_table_free(&t);
    m->nx = nx;
    m->ny = ny;
    m->x0 = xs[0];
    m->x1 = xs[nx - 1];
    m->y0 = ys[0];
    m->y1 = ys[ny - 1];
    m->z = z;
}

/* --points P.csv (x, y, class) into m. */
static void read_map_points(const char *path, dv_map *m, map_arrays *A)
{
    static const char *const pneed[] = {"x", "y", "class", NULL};
    cli_table tp;
    cli_table_read(&tp, path, pneed);
    size_t px_c = cli_table_col(&tp, "x"), py_c = cli_table_col(&tp, "y"),
           pc_c = cli_table_col(&tp, "class");
    A->px = cli_malloc(tp.n_rows * sizeof *A->px);
    A->py = cli_malloc(tp.n_rows * sizeof *A->py);
    A->cls = cli_malloc(tp.n_rows * sizeof *A->cls);
    for (size_t r = 0; r < tp.n_rows; r++) {
        A->px[r] = cli_table_num(&tp, r, px_c, 0);
        A->py[r] = cli_table_num(&tp, r, py_c, 0);
        const char *s = cli_table_at(&tp, r, pc_c);
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || *end || v < 0 || v > 1000)
            cli_die("%s:%zu: class '%s' is not a class index (0..1000)", tp.path, tp.line[r], s);
        A->cls[r] = (int)v;
    }
    m->n_points = tp.n_rows;
    m->px = A->px;
    m->py = A->py;
    m->cls = A->cls;
    cli_table_free(&tp);
}

/* --curves C.csv (curve, x, y; each curve's rows in order) into m. */
static void read_map_curves(const char *path, dv_map *m, map_arrays *A)
{
    static const char *const cneed[] = {"curve", "x", "y", NULL};
    cli_table tc;
    cli_table_read(&tc, path, cneed);
    size_t cc = cli_table_col(&tc, "curve"), ccx = cli_table_col(&tc, "x"),
           ccy = cli_table_col(&tc, "y");
    const char **ids = NULL;
    size_t n_ids = 0;
    for (size_t r = 0; r < tc.n_rows; r++)
        intern(&ids, &n_ids, cli_table_at(&tc, r, cc));
    A->clen = cli_calloc(n_ids, sizeof *A->clen);
    A->qx = cli_malloc(tc.n_rows * sizeof *A->qx);
    A->qy = cli_malloc(tc.n_rows * sizeof *A->qy);
    size_t k = 0;
    for (size_t c = 0; c < n_ids; c++)
        for (size_t r = 0; r < tc.n_rows; r++)
            if (strcmp(cli_table_at(&tc, r, cc), ids[c]) == 0) {
                A->qx[k] = cli_table_num(&tc, r, ccx, 0);
                A->qy[k] = cli_table_num(&tc, r, ccy, 0);
                k++;
                A->clen[c]++;
            }
    free(ids);
    m->n_curves = n_ids;
    m->curve_len = A->clen;
    m->cx = A->qx;
    m->cy = A->qy;
    cli_table_free(&tc);
}

/* The options of plot pairs. */
typedef struct {
    const char *data, *label;
    size_t top;
} pairs_args;

static int pairs_opt(void *ctx, int c, const char *arg)
{
    pairs_args *a = ctx;
    switch (c) {
    case 2000: a->data = arg; return 1;
    case 2001: a->label = arg; return 1;
    case 2002: a->top = (size_t)cli_int("--top", arg, 1, 100000); return 1;
    }
    return 0;
}

int plot_map(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot map GRID.csv [--points P.csv] [--curves C.csv] [--value-label NAME]\n"
        "                     -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "A shaded map of values over a regular 2-D grid, with a colour bar: viridis\n"
        "for values of one sign, a diverging map centred at 0 when they have both.\n"
        "GRID.csv has columns x, y, value and one row per cell of a full regular mesh\n"
        "(any order; an empty or nan value leaves the cell blank).\n"
        "\n"
        "  --points P.csv       training points to draw: columns x, y, class\n"
        "                       (class a non-negative integer)\n"
        "  --curves C.csv       polylines (e.g. decision boundaries): columns curve, x,\n"
        "                       y; the rows of one curve id in order\n"
        "  --value-label NAME   colour bar label (default \"value\")\n"
        "  --x-label NAME, --y-label NAME   axis labels (default x, y)\n"
        "\n"
        "--data columns: x, y, value (the grid cells, row by row from the lowest y).\n"
        "\n" CLI_PLOT_HELP;
    static const struct option extra[] = {{"points", required_argument, 0, 2000},
                                          {"curves", required_argument, 0, 2001},
                                          {"value-label", required_argument, 0, 2002},
                                          {"x-label", required_argument, 0, 2003},
                                          {"y-label", required_argument, 0, 2004}};
    map_args a = {0};
    cli_plot_opts po;
    char **in;
    size_t n_in;
    cli_plot_parse(argc, argv, usage, extra, 5, &po, map_opt, &a, &in, &n_in, 1, 1, "GRID.csv");
    dv_map m = {0};
    map_arrays A = {0};
    read_grid(in[0], &m, &A);
    m.z_label = a.value_label ? a.value_label : "value";
    m.x_label = a.x_label ? a.x_label : "x";
    m.y_label = a.y_label ? a.y_label : "y";
    if (a.points)
        read_map_points(a.points, &m, &A);
    if (a.curves)
        read_map_curves(a.curves, &m, &A);
    dv_error err = {0};
    int rc = dv_plot_map(po.out, po.data, &po.o, &m, &err);
    cli_plot_done(&po, rc, &err);
    void *ptrs[] = {A.xs, A.ys, A.z, A.px, A.py, A.qx, A.qy, A.cls, A.clen};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        free(ptrs[i]);
    return 0;
}

int plot_pairs(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot pairs PAIRS.csv --source FILE [--label NAME] [--top N]\n"
        "                       -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "Pairwise values (dval value --method pairwise): the matrix with its rows ordered\n"
        "by an average-linkage clustering (left; the diagonal left blank), and the\n"
        "strongest pairs as segments between the points over the data (right), drawn in\n"
        "the data file's first two feature columns.  PAIRS.csv needs columns a, b,\n"
        "source_a, source_b, value (source_*: rows of the data file, from 0).\n"
        "\n"
        "  --source FILE        the data file the values were computed on\n"
        "  --label NAME         its label column (default: the last)\n"
        "  --top N              pairs drawn as segments (default 10)\n"
        "\n"
        "--data columns: a, b, row_a, row_b (source rows), value.\n"
        "\n" CLI_PLOT_HELP;
    static const struct option extra[] = {{"source", required_argument, 0, 2000},
                                          {"label", required_argument, 0, 2001},
                                          {"top", required_argument, 0, 2002}};
    pairs_args a = {0};
    cli_plot_opts po;
    char **in;
    size_t n_in;
    cli_plot_parse(argc, argv, usage, extra, 3, &po, pairs_opt, &a, &in, &n_in, 1, 1, "PAIRS.csv");
    if (!a.data)
        cli_die("plot pairs: --source FILE (the data the values were computed on) is required");
    static const char *const need[] = {"a", "b", "source_a", "source_b", "value", NULL};
    cli_table t;
    cli_table_read(&t, in[0], need);
    size_t ca = cli_table_col(&t, "a"), cb = cli_table_col(&t, "b"),
           csa = cli_table_col(&t, "source_a"), csb = cli_table_col(&t, "source_b"),
           cv = cli_table_col(&t, "value");
    size_t m = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        double x = cli_table_num(&t, r, ca, 0), y = cli_table_num(&t, r, cb, 0);
        if (!(x >= 0 && y >= 0 && x < 4096 && y < 4096 && x == floor(x) && y == floor(y)))
            cli_die("%s:%zu: a and b must be point numbers 0..4095", t.path, t.line[r]);
        m = (size_t)fmax((double)m, fmax(x, y) + 1);
    }
    if (m < 2)
        cli_die("%s: fewer than 2 points", t.path);
    double *pv = cli_calloc(m * m, sizeof *pv);
    int64_t *src = cli_malloc(m * sizeof *src);
    unsigned char *seen = cli_calloc(m * m, 1);
    for (size_t k = 0; k < m; k++)
        src[k] = -1;
    for (size_t r = 0; r < t.n_rows; r++) {
        size_t x = (size_t)cli_table_num(&t, r, ca, 0), y = (size_t)cli_table_num(&t, r, cb, 0);
        double v = cli_table_num(&t, r, cv, 0);
        pv[x * m + y] = pv[y * m + x] = v;
        seen[x * m + y] = seen[y * m + x] = 1;
        src[x] = (int64_t)cli_table_num(&t, r, csa, 0);
        src[y] = (int64_t)cli_table_num(&t, r, csb, 0);
    }
    for (size_t x = 0; x < m; x++)
        for (size_t y = x + 1; y < m; y++)
            if (!seen[x * m + y])
                cli_die("%s: the pair (%zu, %zu) is missing", t.path, x, y);
    dv_csv_options co;
    dv_csv_options_default(&co);
    co.label = a.label;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    if (dv_dataset_read_csv(&ds, a.data, &co, &err))
        cli_die("%s", err.msg);
    size_t n = dv_dataset_rows(ds), d = dv_dataset_cols(ds);
    if (d < 2)
        cli_die("%s: the pairs figure needs two feature columns", a.data);
    const double *X = dv_dataset_features(ds);
    double *px = cli_malloc(m * sizeof *px), *py = cli_malloc(m * sizeof *py);
    for (size_t k = 0; k < m; k++) {
        if (src[k] < 0 || (size_t)src[k] >= n)
            cli_die("%s: point %zu's source row %lld is not a row of %s (0..%zu)", t.path, k,
                    (long long)src[k], a.data, n - 1);
        px[k] = X[(size_t)src[k] * d];
        py[k] = X[(size_t)src[k] * d + 1];
    }
    double *ax = cli_malloc(n * sizeof *ax), *ay = cli_malloc(n * sizeof *ay);
    int *ac = cli_malloc(n * sizeof *ac);
    for (size_t i = 0; i < n; i++) {
        ax[i] = X[i * d];
        ay[i] = X[i * d + 1];
        ac[i] = dv_dataset_task(ds) == DV_TASK_CLASSIFICATION ? (int)dv_dataset_targets(ds)[i] : 0;
    }
    size_t *order = cli_malloc(m * sizeof *order);
    if (dv_pairwise_order(pv, m, order, &err))
        cli_die("%s: %s", t.path, err.msg);
    dv_pairs_plot pp = {m, pv, order, px, py, src, n, ax, ay, ac, a.top};
    int rc = dv_plot_pairs(po.out, po.data, &po.o, &pp, &err);
    cli_plot_done(&po, rc, &err);
    cli_table_free(&t);
    dv_dataset_free(ds);
    free(pv), free(src), free(seen), free(px), free(py), free(ax), free(ay), free(ac), free(order);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* acquire                                                                  */
/* ------------------------------------------------------------------------ */

static int acquire_opt(void *ctx, int c, const char *arg)
{
    double *target = ctx;
    if (c != 2000)
        return 0;
    *target = cli_double("--target", arg);
    return 1;
}

/* "target_accuracy" of dval eval acquire's FILE.json, or NaN. */
static double json_target(const char *csv)
{
    char path[4200];
    snprintf(path, sizeof path, "%s.json", csv);
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *k = strstr(buf, "\"target_accuracy\":");
    return k ? strtod(k + strlen("\"target_accuracy\":"), NULL) : NAN;
}

int plot_acquire(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot acquire FILE.csv [--target X] -o FILE.(png|svg|pdf) [--data FILE.csv]\n"
        "\n"
        "Active acquisition: the mean test accuracy over the repetitions against the\n"
        "labels bought, one colour per scorer, with its 95 % interval (Student's t) as\n"
        "a band, from dval eval acquire's CSV (scorer, rep, round, labels, accuracy).\n"
        "The target accuracy (a dotted line) is read from FILE.csv.json when present.\n"
        "\n"
        "  --target X          draw this target instead\n"
        "\n"
        "--data columns: scorer, labels, accuracy (the mean), ci95 (the half-width).\n"
        "\n" CLI_PLOT_HELP;
    static const struct option extra[] = {{"target", required_argument, 0, 2000}};
    double target = NAN;
    cli_plot_opts po;
    char **in;
    size_t nf;
    cli_plot_parse(argc, argv, usage, extra, 1, &po, acquire_opt, &target, &in, &nf, 1, 1,
                   "FILE.csv");
    if (!isfinite(target))
        target = json_target(in[0]);
    static const char *const need[] = {"scorer", "rep", "labels", "accuracy", NULL};
    cli_table t;
    cli_table_read(&t, in[0], need);
    size_t cs = cli_table_col(&t, "scorer"), cr = cli_table_col(&t, "rep"),
           cl = cli_table_col(&t, "labels"), ca = cli_table_col(&t, "accuracy");
    /* scorers in order of appearance; the labels of the first (rep, scorer) run */
    const char **names = cli_calloc(t.n_rows ? t.n_rows : 1, sizeof *names);
    double *labels = cli_malloc((t.n_rows ? t.n_rows : 1) * sizeof *labels);
    size_t ns = 0, np = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        const char *s = cli_table_at(&t, r, cs);
        size_t k = 0;
        while (k < ns && strcmp(names[k], s))
            k++;
        if (k == ns)
            names[ns++] = s;
        if (k == 0 && !strcmp(cli_table_at(&t, r, cr), cli_table_at(&t, 0, cr)))
            labels[np++] = cli_table_num(&t, r, cl, 0);
    }
    if (!np)
        cli_die("plot acquire: %s has no rows", in[0]);
    /* the curves as dval eval acquire writes them: every scorer has the same
     * repetitions, each run the first run's labels */
    size_t reps = t.n_rows / (ns * np);
    if (reps * ns * np != t.n_rows)
        cli_die("plot acquire: %s has %zu rows, not scorers x repetitions x rounds (%zu x ? x "
                "%zu)", in[0], t.n_rows, ns, np);
    double *acc = cli_malloc(t.n_rows * sizeof *acc);
    unsigned char *seen = cli_calloc(t.n_rows, 1);
    for (size_t r = 0; r < t.n_rows; r++) {
        const char *s = cli_table_at(&t, r, cs);
        size_t k = 0, j = 0;
        while (strcmp(names[k], s))
            k++;
        double lb = cli_table_num(&t, r, cl, 0), rep = cli_table_num(&t, r, cr, 0);
        while (j < np && labels[j] != lb)
            j++;
        if (j == np)
            cli_die("plot acquire: %s:%zu: %s labels, which the first run (%s) does not have",
                    in[0], t.line[r], cli_table_at(&t, r, cl), names[0]);
        if (!(rep >= 0 && rep < (double)reps && rep == floor(rep)))
            cli_die("plot acquire: %s:%zu: repetition %s is not in 0..%zu", in[0], t.line[r],
                    cli_table_at(&t, r, cr), reps - 1);
        size_t at = (k * reps + (size_t)rep) * np + j;
        if (seen[at]++)
            cli_die("plot acquire: %s:%zu: scorer '%s', repetition %s, %s labels twice", in[0],
                    t.line[r], s, cli_table_at(&t, r, cr), cli_table_at(&t, r, cl));
        acc[at] = cli_table_num(&t, r, ca, 0);
    }
    double *mean = cli_malloc(ns * np * sizeof *mean), *half = cli_malloc(ns * np * sizeof *half);
    dv_acq_curve_means(acc, ns, reps, np - 1, mean, half);
    dv_error err = {0};
    int rc = dv_plot_acquire(po.out, po.data, &po.o, np, labels, ns, names, mean, half, target,
                             &err);
    cli_plot_done(&po, rc, &err);
    free(names);
    free(labels);
    free(acc);
    free(seen);
    free(mean);
    free(half);
    cli_table_free(&t);
    return 0;
}
