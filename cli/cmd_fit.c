/*
 * cmd_fit.c -- `dval fit`: a scaling law c k^-alpha (with variance law
 * sigma^2 k^-beta) per point, from a run directory or from any pair of
 * deltas/cardinalities arrays.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: dval fit RUN_DIR [--threads T]\n"
    "       dval fit --deltas D.npy --cards K.npy -o OUT.csv [--threads T]\n"
    "\n"
    "Fits a scaling law per point to its sampled marginal contributions:\n"
    "delta ~ N(c k^-alpha, sigma^2 k^-beta) by maximum likelihood, and the log\n"
    "estimator (log-log regression of per-cardinality means; its R^2 is log_r2).\n"
    "The first form writes RUN_DIR/scaling.csv; the second fits arrays made by any\n"
    "tool: D.npy float64 and K.npy int32 or int64, both points x samples.\n"
    "\n"
    "Output columns: point, label, c, alpha, sigma, beta, nll, log_r2, n_samples,\n"
    "status (ok, no_samples, one_card, all_zero, nonfinite, bound), log_c, log_alpha.\n"
    "\n"
    "Options:\n"
    "  --deltas F, --cards F  input arrays (second form)\n"
    "  -o, --out FILE         output CSV (default RUN_DIR/scaling.csv)\n"
    "  --threads T            threads (default: all cores)\n";

/* Reads an int32 or int64 2-D array as int32. */
static int32_t *read_cards(const char *path, size_t *rows, size_t *cols)
{
    void *data;
    dv_error err = {0};
    if (dv_npy_read(path, DV_I32, &data, rows, cols, &err) == 0)
        return data;
    dv_error err2 = {0};
    if (dv_npy_read(path, DV_I64, &data, rows, cols, &err2) != 0)
        cli_die("%s", err.msg);
    size_t n = *rows * (*cols ? *cols : 1);
    int32_t *out = malloc((n ? n : 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        int64_t v = ((int64_t *)data)[i];
        if (v < 0 || v > INT32_MAX)
            cli_die("%s: cardinality %lld out of range", path, (long long)v);
        out[i] = (int32_t)v;
    }
    dv_free(data);
    return out;
}

static void fit_arrays(const char *dpath, const char *kpath, const char *out, int threads)
{
    double *D;
    size_t P, M, P2, M2;
    dv_error err = {0};
    if (dv_npy_read(dpath, DV_F64, (void **)&D, &P, &M, &err))
        cli_die("%s", err.msg);
    int32_t *K = read_cards(kpath, &P2, &M2);
    if (M == 0) { /* a 1-D array is one point */
        M = P;
        P = 1;
    }
    if (M2 == 0) {
        M2 = P2;
        P2 = 1;
    }
    if (P != P2 || M != M2)
        cli_die("%s is %zu x %zu but %s is %zu x %zu", dpath, P, M, kpath, P2, M2);
    dv_law *laws = malloc((P ? P : 1) * sizeof *laws);
    dv_law_fit_many(D, K, P, M, laws, threads);
    if (dv_scaling_write(out, P, NULL, NULL, laws, &err))
        cli_die("%s", err.msg);
    free(laws);
    dv_free(D);
    free(K);
}

dv_run *cli_run_open(const char *run_dir)
{
    dv_run *r;
    dv_error err = {0};
    if (dv_run_open(&r, run_dir, &err))
        cli_die("%s", err.msg);
    return r;
}

dv_law *cli_run_laws(const dv_run *r, int refit, const char *out_csv, int threads)
{
    size_t n = dv_run_get_info(r)->n_points;
    dv_law *laws = malloc((n ? n : 1) * sizeof *laws);
    dv_error err = {0};
    if (!laws)
        cli_die("out of memory");
    if (refit ? dv_run_fit(r, threads, out_csv, laws, &err) : dv_run_laws(r, threads, laws, &err))
        cli_die("%s", err.msg);
    return laws;
}

int cmd_fit(int argc, char **argv)
{
    static const struct option longopts[] = {{"deltas", required_argument, 0, 1},
                                             {"cards", required_argument, 0, 2},
                                             {"out", required_argument, 0, 'o'},
                                             {"threads", required_argument, 0, 3},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *deltas = NULL, *cards = NULL, *out = NULL;
    int threads = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 1: deltas = optarg; break;
        case 2: cards = optarg; break;
        case 'o': out = optarg; break;
        case 3: threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (deltas || cards) {
        if (!deltas || !cards || !out)
            cli_die("fit: --deltas, --cards and -o go together (see dval fit --help)");
        if (optind < argc)
            cli_die("fit: unexpected argument '%s'", argv[optind]);
        fit_arrays(deltas, cards, out, threads);
        fprintf(stderr, "dval: wrote %s\n", out);
        return 0;
    }
    if (optind != argc - 1)
        cli_die("fit: give one RUN_DIR, or --deltas/--cards/-o (see dval fit --help)");
    const char *run = argv[optind];
    dv_run *r = cli_run_open(run);
    size_t P = dv_run_get_info(r)->n_points;
    free(cli_run_laws(r, 1, out, threads));
    dv_run_free(r);
    if (out)
        fprintf(stderr, "dval: fitted %zu points; wrote %s\n", P, out);
    else
        fprintf(stderr, "dval: fitted %zu points; wrote %s/scaling.csv\n", P, run);
    return 0;
}
