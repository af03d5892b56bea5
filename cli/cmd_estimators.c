/*
 * cmd_estimators.c -- `dval eval estimators`: how fast the Monte Carlo mean
 * and the law-based value converge to the truth as the number of samples
 * per point grows (the estimator experiment of the scaling-law paper).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: dval eval estimators RUN_DIR [--truth TRUTH_RUN_DIR] [--budgets LIST]\n"
    "                            [--threads T] [-o FILE.csv]\n"
    "\n"
    "For each budget m, values every point of a finished sampling run from its first\n"
    "m samples in two ways -- the Monte Carlo mean of the deltas, and the law value\n"
    "(a law c k^-alpha fitted to those samples, averaged over k = min-card..max-card)\n"
    "-- and compares both with the ground truth: the mean of all the deltas of each\n"
    "point in RUN_DIR (then budgets must be below the samples per point), or with\n"
    "--truth, in a second, longer run over the same points.  In grid mode the first\n"
    "m samples are taken round-robin over the cardinalities.\n"
    "\n"
    "Writes a CSV (default RUN_DIR/estimators.csv) with columns samples, estimator\n"
    "(mc_mean or law), error (mean squared error), expl_var (1 - error / Var(truth)),\n"
    "r2 (1 - SS_res / SS_tot), pearson, spearman, sign (fraction of points whose\n"
    "estimate has the sign of the truth), points; and prints it as a table.\n"
    "\n"
    "Options:\n"
    "  --truth DIR        ground-truth run over the same points (default: RUN_DIR)\n"
    "  --budgets LIST     increasing samples per point, each >= 2 (default\n"
    "                     5,10,20,...,100,150,...,500 up to what is available)\n"
    "  --threads T        threads (default: all cores); results do not depend on it\n"
    "  -o, --out FILE     output CSV\n"
    "  -q, --quiet        no table, no message\n";

typedef struct {
    char dir[4096];
    char mode[16];
    double *D;
    int32_t *K;
    int64_t *pts;
    size_t P, M, n_grid;
    int64_t min_card, max_card;
} run_data;

/* Number of entries of the JSON array "key": [ ... ] (-1 when absent). */
static long json_array_len(const char *text, const char *key)
{
    char pat[256];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(text, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != '[')
        return -1;
    long n = 0;
    int any = 0;
    for (p++; *p && *p != ']'; p++) {
        if (*p == ',')
            n++;
        else if (*p != ' ' && *p != '\n')
            any = 1;
    }
    return *p == ']' ? (any ? n + 1 : 0) : -1;
}

static void load_run(const char *dir, run_data *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char path[4300];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *man = cli_slurp(path);
    if (!man)
        cli_die("%s: cannot read (is %s a run directory?)", path, dir);
    double lo, hi, samples;
    if (!cli_json_number(man, "min_card", &lo) || !cli_json_number(man, "max_card", &hi) ||
        !cli_json_number(man, "samples", &samples) ||
        !cli_json_str(man, "mode", r->mode, sizeof r->mode))
        cli_die("%s: no mode, samples, min_card or max_card: not a run written by dval sample",
                path);
    r->min_card = (int64_t)lo;
    r->max_card = (int64_t)hi;
    if (strcmp(r->mode, "grid") == 0) {
        long g = json_array_len(man, "cards");
        if (g < 1)
            cli_die("%s: grid run without a \"cards\" list", path);
        r->n_grid = (size_t)g;
    } else if (strcmp(r->mode, "uniform") != 0) {
        cli_die("%s: unknown mode '%s'", path, r->mode);
    }
    free(man);
    dv_error err = {0};
    size_t P2, M2, cols;
    snprintf(path, sizeof path, "%s/deltas.npy", dir);
    if (dv_npy_read(path, DV_F64, (void **)&r->D, &r->P, &r->M, &err))
        cli_die("%s (is %s a finished run? see dval sample --resume)", err.msg, dir);
    snprintf(path, sizeof path, "%s/cards.npy", dir);
    if (dv_npy_read(path, DV_I32, (void **)&r->K, &P2, &M2, &err))
        cli_die("%s", err.msg);
    if (r->M == 0 || P2 != r->P || M2 != r->M)
        cli_die("%s/deltas.npy is %zu x %zu but cards.npy is %zu x %zu (both must be points x "
                "samples)", dir, r->P, r->M, P2, M2);
    snprintf(path, sizeof path, "%s/points.npy", dir);
    if (dv_npy_read(path, DV_I64, (void **)&r->pts, &P2, &cols, &err))
        cli_die("%s", err.msg);
    if (P2 != r->P || cols != 0)
        cli_die("%s holds %zu points, deltas.npy %zu", path, P2, r->P);
    if (r->n_grid) {
        /* The grid layout: one block of samples per cardinality. */
        if (r->M != r->n_grid * (size_t)samples)
            cli_die("%s/deltas.npy has %zu samples per point, not %zu cardinalities x %.0f",
                    dir, r->M, r->n_grid, samples);
        size_t B = r->M / r->n_grid;
        for (size_t i = 0; i < r->P; i++)
            for (size_t j = 0; j < r->M; j++)
                if (r->K[i * r->M + j] != r->K[i * r->M + j - j % B])
                    cli_die("%s/cards.npy: point %zu is not stored one cardinality block after "
                            "another", dir, i);
    }
}

static void free_run(run_data *r)
{
    dv_free(r->D);
    dv_free(r->K);
    dv_free(r->pts);
}

static double *row_means(const run_data *r)
{
    double *m = malloc(r->P * sizeof *m);
    if (!m)
        cli_die("out of memory");
    for (size_t i = 0; i < r->P; i++) {
        double s = 0;
        for (size_t j = 0; j < r->M; j++)
            s += r->D[i * r->M + j];
        m[i] = s / (double)r->M;
    }
    return m;
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.17g", v);
    else
        fprintf(f, ",nan");
}

int eval_estimators(int argc, char **argv)
{
    static const struct option longopts[] = {{"truth", required_argument, 0, 1},
                                             {"budgets", required_argument, 0, 2},
                                             {"threads", required_argument, 0, 3},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *truth_dir = NULL, *out = NULL;
    int64_t *bl = NULL;
    size_t nb = 0;
    int threads = 0, quiet = 0, c;
    optind = 2; /* argv: eval estimators ... */
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 1: truth_dir = optarg; break;
        case 2:
            free(bl);
            bl = cli_int_list("--budgets", optarg, &nb);
            break;
        case 3: threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind >= argc)
        cli_die("eval estimators: give a RUN_DIR (see dval eval estimators --help)");
    if (optind + 1 < argc)
        cli_die("eval estimators: unexpected argument '%s'", argv[optind + 1]);
    const char *run_dir = argv[optind];

    run_data run;
    load_run(run_dir, &run);
    if (run.P < 2)
        cli_die("%s: the run has %zu point; the metrics need at least 2", run_dir, run.P);
    double *truth;
    size_t avail;
    char truth_what[4400];
    if (truth_dir) {
        run_data tr;
        load_run(truth_dir, &tr);
        if (tr.P != run.P)
            cli_die("%s has %zu points but %s has %zu: the truth run must value the same points",
                    truth_dir, tr.P, run_dir, run.P);
        for (size_t i = 0; i < run.P; i++)
            if (tr.pts[i] != run.pts[i])
                cli_die("%s/points.npy differs from %s/points.npy at point %zu (row %lld vs "
                        "%lld): the truth run must value the same points",
                        truth_dir, run_dir, i, (long long)tr.pts[i], (long long)run.pts[i]);
        if (tr.min_card != run.min_card || tr.max_card != run.max_card)
            cli_warn("the truth run samples k in [%lld, %lld], this run in [%lld, %lld]",
                     (long long)tr.min_card, (long long)tr.max_card, (long long)run.min_card,
                     (long long)run.max_card);
        truth = row_means(&tr);
        snprintf(truth_what, sizeof truth_what, "mean of all %zu samples per point of %s", tr.M,
                 truth_dir);
        free_run(&tr);
        avail = run.M;
    } else {
        truth = row_means(&run);
        snprintf(truth_what, sizeof truth_what, "mean of all %zu samples per point of the run",
                 run.M);
        avail = run.M - 1;
    }
    if (avail < 2)
        cli_die("%s has %zu samples per point: too few for any budget%s", run_dir, run.M,
                truth_dir ? "" : " (budgets must be below it when the run is its own truth)");

    size_t *budgets;
    if (bl) {
        budgets = malloc(nb * sizeof *budgets);
        for (size_t b = 0; b < nb; b++) {
            if (bl[b] < 2)
                cli_die("--budgets: %lld is below 2 (a law needs 2 samples)", (long long)bl[b]);
            if (b > 0 && bl[b] <= bl[b - 1])
                cli_die("--budgets: must be increasing (%lld after %lld)", (long long)bl[b],
                        (long long)bl[b - 1]);
            if ((size_t)bl[b] > avail)
                cli_die("--budgets: %lld is more than the %zu samples per point available%s",
                        (long long)bl[b], avail,
                        truth_dir ? "" : " (the truth is the mean of all of them; give a "
                                         "longer --truth run to use every sample)");
            budgets[b] = (size_t)bl[b];
        }
        free(bl);
    } else {
        budgets = malloc(32 * sizeof *budgets);
        nb = 0;
        static const size_t deflt[] = {5,   10,  20,  30,  40,  50,  60,  70,  80,  90, 100,
                                       150, 200, 250, 300, 350, 400, 450, 500};
        for (size_t b = 0; b < sizeof deflt / sizeof deflt[0]; b++)
            if (deflt[b] <= avail)
                budgets[nb++] = deflt[b];
        if (nb == 0)
            cli_die("%s has %zu samples per point: fewer than the smallest default budget (5); "
                    "give --budgets", run_dir, run.M);
    }

    dv_agreement *mc = malloc(nb * sizeof *mc), *law = malloc(nb * sizeof *law);
    if (!budgets || !mc || !law)
        cli_die("out of memory");
    dv_error err = {0};
    if (dv_estimator_convergence(run.D, run.K, run.P, run.M, run.n_grid, truth, budgets, nb,
                                 run.min_card, run.max_card, threads, mc, law, &err))
        cli_die("%s: %s", run_dir, err.msg);

    char def_out[4300], tmp[4400];
    snprintf(def_out, sizeof def_out, "%s/estimators.csv", run_dir);
    if (!out)
        out = def_out;
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "samples,estimator,error,expl_var,r2,pearson,spearman,sign,points\n");
    if (!quiet) {
        printf("estimator convergence: %zu points, %s run, k in [%lld, %lld]\n", run.P,
               run.mode, (long long)run.min_card, (long long)run.max_card);
        printf("truth: %s\n", truth_what);
        printf("%7s %-9s %11s %10s %10s %8s %8s %6s\n", "samples", "estimator", "error",
               "expl_var", "r2", "pearson", "spearman", "sign");
    }
    for (size_t b = 0; b < nb; b++) {
        for (int e = 0; e < 2; e++) {
            const dv_agreement *a = e ? &law[b] : &mc[b];
            const char *name = e ? "law" : "mc_mean";
            fprintf(f, "%zu,%s", budgets[b], name);
            csv_num(f, a->error);
            csv_num(f, a->expl_var);
            csv_num(f, a->r2);
            csv_num(f, a->pearson);
            csv_num(f, a->spearman);
            csv_num(f, a->sign);
            fprintf(f, ",%zu\n", run.P);
            if (!quiet)
                printf("%7zu %-9s %11.4e %10.4g %10.4g %8.4f %8.4f %6.3f\n", budgets[b], name,
                       a->error, a->expl_var, a->r2, a->pearson, a->spearman, a->sign);
        }
    }
    cli_commit(f, tmp, out);
    if (!quiet)
        fprintf(stderr, "dval: wrote %s\n", out);
    free(mc);
    free(law);
    free(budgets);
    free(truth);
    free_run(&run);
    return 0;
}
