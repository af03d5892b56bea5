/*
 * cmd_plot.c -- `dval plot FIGURE`: the figures of a sampling run (law,
 * validation, hist, distance) and the dispatch to the figures of the
 * evaluation tasks (cmd_plot_tasks.c).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *USAGE =
    "usage: dval plot FIGURE [inputs] -o FILE.(png|svg|pdf) [--data FILE.csv] [options]\n"
    "\n"
    "Draws a figure (dval plot FIGURE --help for each).  Figures of a sampling run:\n"
    "  law          samples and fitted law of a few points (small multiples)\n"
    "  validation   the grid-mode validation figure: mean contribution vs k,\n"
    "               R^2 of the log fits, R^2 of the laws at each cardinality\n"
    "  hist         histograms of alpha, log|c| and beta; alpha vs log|c|\n"
    "  distance     alpha (or a value column) vs the distance to the logistic\n"
    "               decision boundary\n"
    "Figures of the evaluation tasks:\n"
    "  convergence  estimate accuracy vs samples per point (dval eval estimators)\n"
    "  noisy        flipped labels found vs points inspected (dval eval noisy)\n"
    "  removal      test metric vs fraction removed (dval eval removal)\n"
    "  addition     gains of point addition (dval eval addition)\n"
    "  acquire      test accuracy vs labels bought (dval eval acquire)\n"
    "  map          a 2-D map of values with a colour bar\n"
    "  pairs        pairwise values: the ordered matrix and the strongest pairs\n"
    "\n" CLI_PLOT_HELP;

int cli_plot_opt(cli_plot_opts *p, int opt, const char *arg)
{
    switch (opt) {
    case 'o': p->out = arg; return 1;
    case 1100: p->data = arg; return 1;
    case 1101:
        p->o.width = cli_double("--width", arg);
        if (!(p->o.width > 0.5 && p->o.width <= 50))
            cli_die("--width: %s inches is outside (0.5, 50]", arg);
        return 1;
    case 1102:
        p->o.height = cli_double("--height", arg);
        if (!(p->o.height > 0.5 && p->o.height <= 50))
            cli_die("--height: %s inches is outside (0.5, 50]", arg);
        return 1;
    case 1103:
        p->o.dpi = cli_double("--dpi", arg);
        if (!(p->o.dpi >= 10 && p->o.dpi <= 2400))
            cli_die("--dpi: %s is outside [10, 2400]", arg);
        return 1;
    case 1104: p->o.title = arg; return 1;
    }
    return 0;
}

void cli_plot_check(const cli_plot_opts *p, const char *figure)
{
    if (!p->out)
        cli_die("plot %s: -o FILE.(png|svg|pdf) is required", figure);
}

void cli_plot_done(const cli_plot_opts *p, int rc, const dv_error *err)
{
    if (rc != DV_OK)
        cli_die("%s", err->msg[0] ? err->msg : dv_strerror(rc));
    if (p->data)
        fprintf(stderr, "dval: wrote %s and %s\n", p->out, p->data);
    else
        fprintf(stderr, "dval: wrote %s\n", p->out);
}

/* ------------------------------------------------------------------------ */
/* A sampling run in memory                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    dv_run *run;
    size_t n_points;
    dv_law *laws;    /* from scaling.csv, NULL when not read */
    const char *mode;
} run_data;

/* The laws of the run from scaling.csv (fitted first when it is missing). */
static void run_laws(run_data *r, const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/scaling.csv", dir);
    if (access(path, F_OK) != 0)
        fprintf(stderr, "dval: %s missing; fitting the laws first\n", path);
    r->laws = cli_run_laws(r->run, 0, NULL, 0);
}

static void run_load(run_data *r, const char *dir, int need_laws)
{
    memset(r, 0, sizeof *r);
    r->run = cli_run_open(dir);
    const dv_run_info *I = dv_run_get_info(r->run);
    r->n_points = I->n_points;
    r->mode = I->mode == DV_CARD_GRID ? "grid" : "uniform";
    if (need_laws)
        run_laws(r, dir);
}

static void run_free(run_data *r)
{
    dv_run_free(r->run);
    free(r->laws);
}

/* ------------------------------------------------------------------------ */
/* Figures of a run                                                         */
/* ------------------------------------------------------------------------ */


/* Parses the figure options, the figure's own (extra, handled by handle)
 * and --help; returns the positional arguments (input files) in *inputs,
 * between min_in and max_in of them. */
void cli_plot_parse(int argc, char **argv, const char *usage, const struct option *extra,
                    size_t n_extra, cli_plot_opts *po, cli_opt_fn handle, void *ctx,
                    char ***inputs, size_t *n_inputs, size_t min_in, size_t max_in,
                    const char *what)
{
    struct option opts[32];
    static const struct option common[] = {CLI_PLOT_LONGOPTS, {"help", no_argument, 0, 'h'}};
    size_t k = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        opts[k++] = common[i];
    for (size_t i = 0; i < n_extra && k < 31; i++)
        opts[k++] = extra[i];
    memset(&opts[k], 0, sizeof opts[k]);
    memset(po, 0, sizeof *po);
    optind = 1;
    int c;
    while ((c = cli_getopt(argc, argv, "o:h", opts)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            exit(0);
        }
        if (cli_plot_opt(po, c, optarg))
            continue;
        if (handle && handle(ctx, c, optarg))
            continue;
        fputs(usage, stderr);
        exit(2);
    }
    size_t n = (size_t)(argc - optind);
    if (n < min_in)
        cli_die("plot %s: %s is required (see dval plot %s --help)", argv[0], what, argv[0]);
    if (n > max_in)
        cli_die("plot %s: unexpected argument '%s'", argv[0], argv[optind + (int)max_in]);
    *inputs = argv + optind;
    *n_inputs = n;
    cli_plot_check(po, argv[0]);
}

/* One positional argument: the run directory. */
static void parse_fig(int argc, char **argv, const char *usage, const struct option *extra,
                      size_t n_extra, cli_plot_opts *po, const char **run_dir, cli_opt_fn handle,
                      void *ctx)
{
    char **in;
    size_t n;
    cli_plot_parse(argc, argv, usage, extra, n_extra, po, handle, ctx, &in, &n, 1, 1, "RUN_DIR");
    *run_dir = in[0];
}

typedef struct {
    int64_t *points;
    size_t n_points;
} law_args;

static int law_opt(void *ctx, int c, const char *arg)
{
    law_args *a = ctx;
    if (c != 2000)
        return 0;
    free(a->points);
    a->n_points = 0;
    a->points = cli_malloc((strlen(arg) / 2 + 1) * sizeof *a->points);
    char *copy = cli_strdup(arg), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        a->points[a->n_points++] = cli_int("--points", t, 0, INT64_MAX);
    free(copy);
    return 1;
}

static int plot_law(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot law RUN_DIR [--points LIST] -o FILE [--data FILE.csv]\n"
        "\n"
        "One panel per point: its sampled marginal contributions (cardinality k,\n"
        "delta), the fitted law c k^-alpha and the band c k^-alpha +- sigma k^(-beta/2)\n"
        "(maximum likelihood; fitted first if RUN_DIR/scaling.csv is missing).\n"
        "\n"
        "  --points LIST   run points to draw (indices into the run; default the\n"
        "                  points nearest the 10, 30, 50, 70, 90, 99 % quantiles of alpha)\n"
        "\n" CLI_PLOT_HELP;
    static const struct option extra[] = {{"points", required_argument, 0, 2000}};
    law_args a = {0};
    cli_plot_opts po;
    const char *dir;
    parse_fig(argc, argv, usage, extra, 1, &po, &dir, law_opt, &a);
    run_data r;
    run_load(&r, dir, 1);
    if (a.points && (a.n_points == 0 || a.n_points > 36))
        cli_die("plot law: --points must list 1 to 36 points");
    dv_error err = {0};
    int rc = dv_plot_run_law(po.out, po.data, &po.o, r.run, r.laws, a.points, a.n_points, &err);
    cli_plot_done(&po, rc, &err);
    free(a.points);
    run_free(&r);
    return 0;
}

static int plot_validation(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot validation RUN_DIR -o FILE [--data FILE.csv]\n"
        "\n"
        "The validation figure of a grid-mode run (dval sample --mode grid): (a) log\n"
        "mean contribution against log k for the points nearest the 10, 30, 50, 70\n"
        "and 90 % quantiles of alpha (log estimator), with their log-log fits; (b)\n"
        "the histogram of the per-point R^2 of those fits; (c) the R^2 over points of\n"
        "the fitted laws against the mean contributions, at each grid cardinality.\n"
        "\n" CLI_PLOT_HELP;
    cli_plot_opts po;
    const char *dir;
    parse_fig(argc, argv, usage, NULL, 0, &po, &dir, NULL, NULL);
    run_data r;
    run_load(&r, dir, 0);
    if (strcmp(r.mode, "grid") != 0)
        cli_die("plot validation: %s is a %s-mode run; the figure needs a grid-mode run "
                "(dval sample --mode grid)",
                dir, r.mode);
    run_laws(&r, dir);
    dv_error err = {0};
    int rc = dv_plot_run_validation(po.out, po.data, &po.o, r.run, r.laws, &err);
    cli_plot_done(&po, rc, &err);
    run_free(&r);
    return 0;
}

static int plot_hist(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot hist RUN_DIR -o FILE [--data FILE.csv]\n"
        "\n"
        "Histograms of alpha, log10|c| and beta over the points of a run (laws with\n"
        "status ok or bound), and alpha against log10|c|.\n"
        "\n" CLI_PLOT_HELP;
    cli_plot_opts po;
    const char *dir;
    parse_fig(argc, argv, usage, NULL, 0, &po, &dir, NULL, NULL);
    run_data r;
    run_load(&r, dir, 1);
    dv_error err = {0};
    int rc = dv_plot_run_hist(po.out, po.data, &po.o, r.run, r.laws, &err);
    cli_plot_done(&po, rc, &err);
    run_free(&r);
    return 0;
}

typedef struct {
    const char *column, *values;
    cli_data_opts dop;
} dist_args;

static int dist_opt(void *ctx, int c, const char *arg)
{
    dist_args *a = ctx;
    if (c == 2001) {
        a->column = arg;
        return 1;
    }
    if (c == 2002) {
        a->values = arg;
        return 1;
    }
    return cli_data_opt(&a->dop, c, arg);
}

/* Column `name` of a CSV with a `point` column, by point (NaN where absent). */
static double *read_column(const char *path, const char *name, size_t n_points)
{
    const char *const need[] = {"point", name, NULL};
    cli_table t;
    cli_table_read(&t, path, need);
    size_t cp = cli_table_col(&t, "point"), cv = cli_table_col(&t, name);
    double *v = cli_malloc((n_points ? n_points : 1) * sizeof *v);
    if (!v)
        cli_die("out of memory");
    for (size_t i = 0; i < n_points; i++)
        v[i] = NAN;
    for (size_t r = 0; r < t.n_rows; r++) {
        const char *ps = cli_table_at(&t, r, cp);
        char *end;
        long long i = strtoll(ps, &end, 10);
        if (*end || end == ps || i < 0 || (size_t)i >= n_points)
            cli_die("%s:%zu: point '%s' is not a point of the run", path, t.line[r], ps);
        v[i] = cli_table_num(&t, r, cv, 1);
    }
    cli_table_free(&t);
    return v;
}

static int plot_distance(int argc, char **argv)
{
    static const char *usage =
        "usage: dval plot distance RUN_DIR --data FILE [data options] -o FILE.png\n"
        "                          [--column NAME] [--values FILE.csv] [--plot-data FILE.csv]\n"
        "\n"
        "alpha (or any column of a per-point CSV) against each point's distance to the\n"
        "decision boundary |w.x + b| / ||w|| of L2 logistic regression (C = 1) fitted on\n"
        "the full training split.  The data options must be those of the run (the\n"
        "split is checked against the run's points).\n"
        "\n"
        "  --column NAME    column to draw (default alpha, from RUN_DIR/scaling.csv)\n"
        "  --values FILE    per-point CSV holding the column (default scaling.csv,\n"
        "                   or values.csv for its columns)\n"
        "\n"
        "Figure options:\n"
        "  -o, --out FILE       output figure: .png, .svg or .pdf (required)\n"
        "  --plot-data FILE     also write the numbers drawn as CSV\n"
        "  --width X, --height X, --dpi X, --title TEXT\n"
        "\n" CLI_DATA_HELP;
    /* --data is the data set here, so the figure's CSV is --plot-data. */
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},     {"plot-data", required_argument, 0, 1100},
        {"width", required_argument, 0, 1101},  {"height", required_argument, 0, 1102},
        {"dpi", required_argument, 0, 1103},    {"title", required_argument, 0, 1104},
        {"column", required_argument, 0, 2001}, {"values", required_argument, 0, 2002},
        {"help", no_argument, 0, 'h'},          CLI_DATA_LONGOPTS,
        {0, 0, 0, 0}};
    dist_args a = {0};
    cli_data_opts_default(&a.dop);
    cli_plot_opts po;
    memset(&po, 0, sizeof po);
    optind = 1;
    int c;
    while ((c = cli_getopt(argc, argv, "o:h", opts)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (cli_plot_opt(&po, c, optarg) || dist_opt(&a, c, optarg))
            continue;
        fprintf(stderr, "%s", usage);
        return 2;
    }
    if (optind >= argc)
        cli_die("plot distance: RUN_DIR is required");
    const char *dir = argv[optind++];
    if (optind < argc)
        cli_die("plot distance: unexpected argument '%s'", argv[optind]);
    cli_plot_check(&po, "distance");
    if (!a.dop.data)
        cli_die("plot distance: --data FILE (the run's data set) is required");
    run_data r;
    run_load(&r, dir, 1);
    const char *column = a.column ? a.column : "alpha";
    char vpath[4200];
    if (a.values)
        snprintf(vpath, sizeof vpath, "%s", a.values);
    else
        snprintf(vpath, sizeof vpath, "%s/scaling.csv", dir);
    double *y = read_column(vpath, column, r.n_points);
    dv_dataset *train, *val, *test;
    cli_load_data(&a.dop, &train, &val, &test, NULL);
    /* The law's parameters by their letters, as in the other figures. */
    static const char *const greek[][2] = {
        {"alpha", "\xce\xb1"}, {"beta", "\xce\xb2"}, {"sigma", "\xcf\x83"}};
    char ylab[128];
    snprintf(ylab, sizeof ylab, "%s", column);
    for (size_t g = 0; g < sizeof greek / sizeof *greek; g++)
        if (!strcmp(column, greek[g][0]))
            snprintf(ylab, sizeof ylab, "%s", greek[g][1]);
    dv_error err = {0};
    int rc = dv_plot_run_distance(po.out, po.data, &po.o, r.run, train, y, ylab, &err);
    if (rc == DV_ESTATE)
        cli_die("plot distance: %s", err.msg);
    cli_plot_done(&po, rc, &err);
    free(y);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    run_free(&r);
    return 0;
}

typedef struct {
    const char *name;
    int (*fn)(int, char **);
} figure;

static const figure FIGURES[] = {
    {"law", plot_law},         {"validation", plot_validation},   {"hist", plot_hist},
    {"distance", plot_distance}, {"convergence", plot_convergence}, {"noisy", plot_noisy},
    {"removal", plot_removal}, {"addition", plot_addition},       {"map", plot_map},
    {"pairs", plot_pairs},     {"acquire", plot_acquire}};

int cmd_plot(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof FIGURES / sizeof FIGURES[0]; i++)
        if (strcmp(argv[1], FIGURES[i].name) == 0)
            return FIGURES[i].fn(argc - 1, argv + 1);
    cli_die("plot: unknown figure '%s' (law, validation, hist, distance, convergence, noisy, "
            "removal, addition, acquire, map, pairs)",
            argv[1]);
}
