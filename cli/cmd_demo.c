/*
 * cmd_demo.c -- `dval demo`: the main job.  Values the training points of
 * the bundled data set end to end (sample, fit, value) and writes a summary.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DV_DATA_DIR
#define DV_DATA_DIR "data"
#endif
#ifndef DV_SHARE_DIR
#define DV_SHARE_DIR "share/dval"
#endif

static const char *USAGE =
    "usage: dval demo [-o DIR] [--data FILE] [--samples M] [--threads T] [-q]\n"
    "\n"
    "Runs dval's main job on the bundled data set (a 4,000-row subset of UCI\n"
    "Adult; 2,000 training, 1,000 validation and 1,000 test rows): samples 250\n"
    "exact marginal contributions per training point with logistic regression at\n"
    "coalition sizes 100..1000, fits a scaling law per point, values the points,\n"
    "and writes DIR/run/ (the run: deltas.npy, cards.npy, points.npy, run.json,\n"
    "scaling.csv, values.csv), DIR/summary.txt and DIR/report/ (report.html with\n"
    "the figures, also as PNG and SVG).  Running it again reuses the finished run.\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR   output directory (default dval-demo)\n"
    "  --data FILE     another data set (label column last)\n"
    "  --samples M     samples per point (default 250)\n"
    "  --threads T     threads (default: all cores)\n"
    "  -q, --quiet     no progress display\n";

typedef struct {
    double c, alpha, value, mc;
    const char *label;
    int64_t point;
    int status;
} pt;

static int by_value(const void *a, const void *b)
{
    const pt *x = a, *y = b;
    if (x->value > y->value) return -1;
    if (x->value < y->value) return 1;
    return (x->point > y->point) - (x->point < y->point);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

static void write_quantiles(FILE *f, const char *name, const double *v0, size_t n)
{
    double *v = cli_malloc((n ? n : 1) * sizeof *v);
    memcpy(v, v0, n * sizeof *v);
    qsort(v, n, sizeof *v, by_double);
    fprintf(f, "  %-8s min %11.4g  10%% %11.4g  25%% %11.4g  median %11.4g  75%% %11.4g  90%% %11.4g  max %11.4g\n",
            name, quantile(v, n, 0), quantile(v, n, 0.1), quantile(v, n, 0.25),
            quantile(v, n, 0.5), quantile(v, n, 0.75), quantile(v, n, 0.9), quantile(v, n, 1));
    free(v);
}

/* DIR/summary.txt: the fits' statuses, quantiles of alpha, c and the
 * values, and the ten most and least valuable points. */
static void write_summary(const char *sp, const dv_run *rn, const dv_law *laws, const char *data,
                          double t_sample, double t_fit)
{
    size_t P = dv_run_get_info(rn)->n_points, M = dv_run_get_info(rn)->n_samples;
    const double *D = dv_run_deltas(rn);
    pt *v = cli_calloc(P, sizeof *v);
    for (size_t i = 0; i < P; i++) {
        v[i].label = dv_run_label(rn, i);
        v[i].point = dv_run_points(rn)[i];
        v[i].c = laws[i].c;
        v[i].alpha = laws[i].alpha;
        v[i].status = laws[i].status;
        v[i].value = dv_law_mean_value(laws[i].c, laws[i].alpha, 100, 1000);
    }
    double *a = cli_malloc(P * sizeof *a), *cv = cli_malloc(P * sizeof *cv);
    double *lv = cli_malloc(P * sizeof *lv), *mc = cli_malloc(P * sizeof *mc);
    size_t nok = 0, n_status[8] = {0};
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < P; i++) {
        n_status[laws[i].status & 7]++;
        if (laws[i].status == DV_LAW_OK) {
            a[nok] = laws[i].alpha;
            cv[nok++] = laws[i].c;
        }
        double m = 0;
        for (size_t j = 0; j < M; j++)
            m += D[i * M + j];
        m /= (double)M;
        v[i].mc = mc[i] = m;
        lv[i] = v[i].value;
        sx += lv[i];
        sy += m;
    }
    sx /= (double)P;
    sy /= (double)P;
    for (size_t i = 0; i < P; i++) {
        sxx += (lv[i] - sx) * (lv[i] - sx);
        syy += (mc[i] - sy) * (mc[i] - sy);
        sxy += (lv[i] - sx) * (mc[i] - sy);
    }
    double corr = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
    qsort(v, P, sizeof *v, by_value);
    char tmp[4400];
    FILE *f = cli_open_out(sp, tmp, sizeof tmp);
    fprintf(f, "dval demo: %zu training points of %s, %zu samples each, k in [100, 1000]\n", P,
            data, M);
    fprintf(f, "learner: L2 logistic regression (C = 1); utility: validation log-likelihood\n\n");
    fprintf(f, "Scaling laws psi_k = c k^-alpha (maximum likelihood); fit status:");
    for (int s = 0; s < 6; s++)
        if (n_status[s])
            fprintf(f, " %s %zu", dv_law_status_name(s), n_status[s]);
    fprintf(f, "\n(bound: the optimum lies on the edge of alpha, beta in (0, e^2]; such fits are\n"
               "left out of the alpha and c rows below)\n");
    write_quantiles(f, "alpha", a, nok);
    write_quantiles(f, "c", cv, nok);
    write_quantiles(f, "law", lv, P);
    write_quantiles(f, "mc_mean", mc, P);
    fprintf(f, "  (law: law value; mc_mean: mean of the raw deltas; Pearson correlation %.3f)\n", corr);
    fprintf(f, "\n\nMost valuable points (law value = mean of c k^-alpha over k = 100..1000):\n");
    fprintf(f, "%6s %8s %8s %14s %14s %12s %8s\n", "rank", "point", "label", "law_value", "mc_mean", "c", "alpha");
    for (size_t r = 0; r < 10 && r < P; r++)
        fprintf(f, "%6zu %8lld %8s %14.6e %14.6e %12.4e %8.4f\n", r + 1, (long long)v[r].point,
                v[r].label, v[r].value, v[r].mc, v[r].c, v[r].alpha);
    fprintf(f, "\nLeast valuable points (candidates for inspection, e.g. label noise):\n");
    fprintf(f, "%6s %8s %8s %14s %14s %12s %8s\n", "rank", "point", "label", "law_value", "mc_mean", "c", "alpha");
    for (size_t r = P > 10 ? P - 10 : 0; r < P; r++)
        fprintf(f, "%6zu %8lld %8s %14.6e %14.6e %12.4e %8.4f\n", r + 1, (long long)v[r].point,
                v[r].label, v[r].value, v[r].mc, v[r].c, v[r].alpha);
    fprintf(f, "\nTimes: sampling %.1f s, fitting and valuing %.1f s\n", t_sample, t_fit);
    cli_commit(f, tmp, sp);
    free(v);
    free(a);
    free(cv);
    free(lv);
    free(mc);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                             {"data", required_argument, 0, 1},
                                             {"samples", required_argument, 0, 2},
                                             {"threads", required_argument, 0, 3},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *out = "dval-demo", *data = NULL, *samples = "250", *threads = NULL;
    int quiet = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 1: data = optarg; break;
        case 2: samples = optarg; cli_int("--samples", optarg, 1, 100000000); break;
        case 3: threads = optarg; cli_int("--threads", optarg, 1, 4096); break;
        case 'q': quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("demo: unexpected argument '%s'", argv[optind]);
    char dpath[4200];
    if (!data) {
        /* $DVAL_DATA_DIR, else beside an installed dval (PREFIX/share/dval),
         * else the source tree it was built from */
        const char *env = getenv("DVAL_DATA_DIR");
        char exe[4096];
        ssize_t len = env ? -1 : readlink("/proc/self/exe", exe, sizeof exe - 1);
        struct stat sb;
        if (len > 0) {
            exe[len] = 0;
            char *slash = strrchr(exe, '/');
            if (slash)
                *slash = 0;
            snprintf(dpath, sizeof dpath, "%s/../%s/adult_4000.csv.gz", exe, DV_SHARE_DIR);
        }
        if (env || len <= 0 || stat(dpath, &sb) != 0)
            snprintf(dpath, sizeof dpath, "%s/adult_4000.csv.gz", env ? env : DV_DATA_DIR);
        data = dpath;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create directory: %s", out, strerror(errno));
    char run[4200], path[4300];
    snprintf(run, sizeof run, "%s/run", out);
    snprintf(path, sizeof path, "%s/run.json", run);
    struct stat st;
    int resume = stat(path, &st) == 0;

    double t0 = dv_clock_seconds();
    if (!quiet)
        fprintf(stderr, "dval demo: sampling marginal contributions on %s%s\n", data,
                resume ? " (continuing the existing run)" : "");
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    dop.data = data;
    dv_sample_params params;
    dv_sample_params_default(&params);
    params.n_samples = (size_t)atoll(samples);
    params.min_card = 100;
    params.max_card = 1000;
    params.seed = 0;
    params.n_threads = threads ? atoi(threads) : 0;
    /* The run records the dval sample command that makes the same run. */
    char command[9000];
    snprintf(command, sizeof command,
             "dval sample --data %s -o %s --samples %s --min-card 100 --max-card 1000 --seed 0%s%s%s%s",
             data, run, samples, threads ? " --threads " : "", threads ? threads : "",
             resume ? " --resume" : "", quiet ? " --quiet" : "");
    cli_sample_job job = {&dop, &params, run, NULL, 0, resume, quiet, command};
    cli_sample(&job);
    double t1 = dv_clock_seconds();
    dv_run *rn = cli_run_open(run);
    dv_law *laws = cli_run_laws(rn, 1, NULL, threads ? atoi(threads) : 0);
    cli_value_run(rn, laws, NULL, 0, 0, 0, NULL);
    double t2 = dv_clock_seconds();

    char sp[4300];
    snprintf(sp, sizeof sp, "%s/summary.txt", out);
    write_summary(sp, rn, laws, data, t1 - t0, t2 - t1);
    char *summary = cli_slurp(sp);
    if (summary)
        fputs(summary, stdout);
    char rdir[4300];
    snprintf(rdir, sizeof rdir, "%s/report", out);
    dv_report_opts ro;
    dv_report_opts_default(&ro);
    ro.n_threads = params.n_threads;
    /* the report's figures go unlisted: its path is printed below */
    dv_error err = {0};
    if (dv_report_write(rn, laws, rdir, &ro, &err))
        cli_die("%s", err.msg);
    printf("\nResults: %s/ (scaling.csv: one law per point; values.csv: values;\n"
           "deltas.npy/cards.npy: the raw samples), %s, and figures in %s/\n"
           "Open the report: %s/report.html\n",
           run, sp, rdir, rdir);
    free(summary);
    free(laws);
    dv_run_free(rn);
    return 0;
}
