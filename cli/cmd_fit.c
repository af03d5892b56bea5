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
    "usage: dval fit RUN_DIR [--estimator mle|law_eb|amortized] [--threads T]\n"
    "       dval fit --deltas D.npy --cards K.npy -o OUT.csv [--threads T]\n"
    "\n"
    "Fits a scaling law per point to its sampled marginal contributions:\n"
    "delta ~ N(c k^-alpha, sigma^2 k^-beta) by maximum likelihood, and the log\n"
    "estimator (log-log regression of per-cardinality means; its R^2 is log_r2).\n"
    "The first form writes RUN_DIR/scaling.csv and scaling.json (the estimator and\n"
    "its settings); the second fits arrays made by any tool: D.npy float64 and\n"
    "K.npy int32 or int64, both points x samples.\n"
    "\n"
    "Output columns: point, label, c, alpha, sigma, beta, nll, log_r2, n_samples,\n"
    "status (ok, no_samples, one_card, all_zero, nonfinite, bound), log_c, log_alpha.\n"
    "\n"
    "Options:\n"
    "  --deltas F, --cards F  input arrays (second form)\n"
    "  -o, --out FILE         output CSV (default RUN_DIR/scaling.csv)\n"
    "  --estimator NAME       mle (default: a fit per point), law_eb (empirical Bayes,\n"
    "                         for few samples per point: each value the point's mean\n"
    "                         shrunk toward its class's, alpha and beta shared by the\n"
    "                         class; see dval eval estimators --help) or amortized: one\n"
    "                         network from each point's features (the run's data,\n"
    "                         loaded as the run did) to its law, trained on every\n"
    "                         point's samples\n"
    "                         (hidden layers of 128 and 128 pretrained as a classifier,\n"
    "                         AdamW, 100 epochs), and it saves the network (--law-model)\n"
    "  --neighbors K          law_eb: shrink toward the mean of the K nearest same-class\n"
    "                         points (needs the run's data; default 0: the class mean)\n"
    "  --data FILE            amortized, law_eb with neighbours: the run's data file,\n"
    "                         when it has moved\n"
    "  --epochs N, --seed S   amortized: training epochs (default 100) and seed (0)\n"
    "  --k-ref K              amortized: the size the network's c refers to,\n"
    "                         c (k/K)^-alpha (default 1, the reference's; mid = the\n"
    "                         geometric mean of the run's smallest and largest k)\n"
    "  --held-out F           amortized: a fraction of points held out, whose loss\n"
    "                         chooses the epoch kept (default 0: train on every point,\n"
    "                         keep the last epoch; the reference holds out 0.1)\n"
    "  --threads T            threads (default: all cores)\n"
    "  -q, --quiet            no message\n";

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
    int32_t *out = cli_malloc((n ? n : 1) * sizeof *out);
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
    dv_law *laws = cli_malloc((P ? P : 1) * sizeof *laws);
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
    dv_law *laws = cli_malloc((n ? n : 1) * sizeof *laws);
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
                                             {"estimator", required_argument, 0, 4},
                                             {"data", required_argument, 0, 5},
                                             {"epochs", required_argument, 0, 6},
                                             {"seed", required_argument, 0, 7},
                                             {"held-out", required_argument, 0, 8},
                                             {"law-model", required_argument, 0, 9},
                                             {"neighbors", required_argument, 0, 10},
                                             {"k-ref", required_argument, 0, 11},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *deltas = NULL, *cards = NULL, *out = NULL, *data = NULL, *model = NULL;
    const char *k_ref = NULL;
    int threads = 0, c, amortized = 0, eb = 0, epochs = 0, quiet = 0;
    size_t neighbors = 0;
    uint64_t seed = 0;
    double held = 0.0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        switch (c) {
        case 1: deltas = optarg; break;
        case 2: cards = optarg; break;
        case 'o': out = optarg; break;
        case 3: threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 4:
            if (strcmp(optarg, "amortized") != 0 && strcmp(optarg, "mle") != 0 &&
                strcmp(optarg, "law_eb") != 0)
                cli_die("--estimator: unknown estimator '%s' (mle, law_eb, amortized)", optarg);
            amortized = strcmp(optarg, "amortized") == 0;
            eb = strcmp(optarg, "law_eb") == 0;
            break;
        case 5: data = optarg; break;
        case 6: epochs = (int)cli_int("--epochs", optarg, 1, 1000000); break;
        case 7: seed = cli_u64("--seed", optarg); break;
        case 8:
            held = cli_fraction("--held-out", optarg);
            break;
        case 9: model = optarg; break;
        case 'q': quiet = 1; break;
        case 10: neighbors = (size_t)cli_int("--neighbors", optarg, 0, 1000000); break;
        case 11: k_ref = optarg; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (k_ref && !amortized)
        cli_die("fit: --k-ref is the amortized estimator's (--estimator amortized)");
    if (model && !amortized)
        cli_die("fit: --law-model is the amortized estimator's network (--estimator amortized)");
    if (neighbors && !eb)
        cli_die("fit: --neighbors is law_eb's (--estimator law_eb)");
    if ((deltas || cards) && (amortized || eb))
        cli_die("fit: the %s estimator needs a RUN_DIR (the points' features and classes)",
                amortized ? "amortized" : "law_eb");
    if (deltas || cards) {
        if (!deltas || !cards || !out)
            cli_die("fit: --deltas, --cards and -o go together (see dval fit --help)");
        if (optind < argc)
            cli_die("fit: unexpected argument '%s'", argv[optind]);
        fit_arrays(deltas, cards, out, threads);
        if (!quiet)
            fprintf(stderr, "dval: wrote %s\n", out);
        return 0;
    }
    if (optind != argc - 1)
        cli_die("fit: give one RUN_DIR, or --deltas/--cards/-o (see dval fit --help)");
    const char *run = argv[optind];
    dv_run *r = cli_run_open(run);
    size_t P = dv_run_get_info(r)->n_points;
    dv_fit_params fp;
    dv_fit_params_default(&fp);
    fp.estimator = amortized ? DV_FIT_AMORTIZED : eb ? DV_FIT_LAW_EB : DV_FIT_MLE;
    fp.n_threads = threads;
    fp.neighbors = neighbors;
    fp.data_path = data;
    fp.out = out;
    fp.law_model = model;
    if (epochs)
        fp.amortized.epochs = epochs;
    fp.amortized.seed = seed;
    fp.amortized.val_fraction = held;
    fp.amortized.k_ref = k_ref ? cli_k_ref(k_ref, dv_run_get_info(r)) : 1.0;
    dv_law *laws = cli_malloc((P ? P : 1) * sizeof *laws);
    dv_error err = {0};
    if (dv_run_fit_write(r, &fp, laws, &err))
        cli_die("%s%s", err.msg, strstr(err.msg, "needs the run's data") ? "; see --data" : "");
    size_t bound = 0;
    for (size_t i = 0; !amortized && !eb && i < P; i++)
        bound += laws[i].status == DV_LAW_BOUND;
    if (bound && !quiet)
        fprintf(stderr, "dval: %zu of %zu fits (%.1f %%) end on the bound of alpha, beta in "
                        "(0, e^2]: their samples do not determine the law (see the report; "
                        "--estimator law_eb)\n",
                bound, P, 100.0 * (double)bound / (double)P);
    free(laws);
    dv_run_free(r);
    if (!quiet) {
        char csv[4200], mpath[4200];
        snprintf(csv, sizeof csv, "%s%s", out ? out : run, out ? "" : "/scaling.csv");
        snprintf(mpath, sizeof mpath, "%s%s", model ? model : run, model ? "" : "/law_model.bin");
        fprintf(stderr, "dval: fitted %zu points; wrote %s%s%s\n", P, csv,
                amortized ? " and " : "", amortized ? mpath : "");
    }
    return 0;
}
