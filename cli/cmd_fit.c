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
    "usage: dval fit RUN_DIR [--estimator mle|amortized] [--threads T]\n"
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
    "  --estimator NAME       mle (default: a fit per point) or amortized: one network\n"
    "                         from each point's features (the run's data, loaded as the\n"
    "                         run did) to its law, trained on every point's samples\n"
    "                         (2 hidden layers of 128, AdamW, 100 epochs, 10 % of the\n"
    "                         points held out to stop early).  Experimental: it recovers\n"
    "                         planted laws, but without the reference's classifier\n"
    "                         pretraining it is not yet accurate on real data\n"
    "  --data FILE            amortized: the run's data file, when it has moved\n"
    "  --epochs N, --seed S   amortized: training epochs (default 100) and seed (0)\n"
    "  --held-out F           amortized: the fraction of points whose loss chooses the\n"
    "                         epoch kept (default 0.1; 0 = keep the last epoch)\n"
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

/* The amortized estimator on a run: features of its points from the run's
 * data (one head per class), laws written to out (NULL: RUN_DIR/scaling.csv). */
static void fit_amortized(const dv_run *r, const char *data, const char *out, int epochs,
                          uint64_t seed, double held)
{
    dv_dataset *tr, *va, *te;
    dv_error err = {0};
    if (dv_run_load_data(r, data, &tr, &va, &te, &err))
        cli_die("%s (the amortized estimator needs the run's data; see --data)", err.msg);
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points, d = dv_dataset_cols(tr), K = dv_dataset_classes(tr);
    const int64_t *pts = dv_run_points(r);
    double *X = malloc(P * d * sizeof *X);
    int32_t *head = K ? malloc(P * sizeof *head) : NULL;
    dv_law *laws = malloc(P * sizeof *laws);
    const char **labels = malloc(P * sizeof *labels);
    for (size_t i = 0; i < P; i++) {
        memcpy(X + i * d, dv_dataset_features(tr) + (size_t)pts[i] * d, d * sizeof *X);
        if (head)
            head[i] = (int32_t)dv_dataset_targets(tr)[pts[i]];
        labels[i] = dv_run_label(r, i);
    }
    dv_amortized_params ap;
    dv_amortized_params_default(&ap);
    if (epochs)
        ap.epochs = epochs;
    ap.seed = seed;
    ap.val_fraction = held;
    if (K)
        ap.pretrain = tr; /* the hidden layers start as a classifier of the training split */
    if (dv_law_fit_amortized(X, P, d, head, K, dv_run_deltas(r), dv_run_cards(r), I->n_samples,
                             &ap, laws, &err))
        cli_die("%s", err.msg);
    char def[4200];
    snprintf(def, sizeof def, "%s/scaling.csv", dv_run_dir(r));
    if (dv_scaling_write(out ? out : def, P, pts, labels, laws, &err))
        cli_die("%s", err.msg);
    free(X);
    free(head);
    free(laws);
    free(labels);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
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
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *deltas = NULL, *cards = NULL, *out = NULL, *data = NULL;
    int threads = 0, c, amortized = 0, epochs = 0;
    uint64_t seed = 0;
    double held = 0.1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 1: deltas = optarg; break;
        case 2: cards = optarg; break;
        case 'o': out = optarg; break;
        case 3: threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 4:
            if (strcmp(optarg, "amortized") != 0 && strcmp(optarg, "mle") != 0)
                cli_die("--estimator: unknown estimator '%s' (mle, amortized)", optarg);
            amortized = strcmp(optarg, "amortized") == 0;
            break;
        case 5: data = optarg; break;
        case 6: epochs = (int)cli_int("--epochs", optarg, 1, 1000000); break;
        case 7: seed = cli_u64("--seed", optarg); break;
        case 8:
            held = cli_double("--held-out", optarg);
            if (!(held >= 0 && held < 1))
                cli_die("--held-out: %g is not a fraction in [0, 1)", held);
            break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if ((deltas || cards) && amortized)
        cli_die("fit: the amortized estimator needs a RUN_DIR (the points' features)");
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
    if (amortized)
        fit_amortized(r, data, out, epochs, seed, held);
    else
        free(cli_run_laws(r, 1, out, threads));
    dv_run_free(r);
    if (out)
        fprintf(stderr, "dval: fitted %zu points; wrote %s\n", P, out);
    else
        fprintf(stderr, "dval: fitted %zu points; wrote %s/scaling.csv\n", P, run);
    return 0;
}
