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

/* Where the fit's record goes: OUT.csv -> OUT.json. */
static void record_path(char *buf, size_t len, const char *csv)
{
    size_t n = strlen(csv);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        snprintf(buf, len, "%.*s.json", (int)(n - 4), csv);
    else
        snprintf(buf, len, "%s.json", csv);
}

/* The record of a fit beside its CSV: the estimator and its settings, so
 * that a reader knows which estimator made the laws. */
static void write_record(const char *csv, const char *estimator, const dv_amortized_params *ap,
                         const char *model, size_t neighbors)
{
    char path[4300], tmp[4400];
    record_path(path, sizeof path, csv);
    FILE *f = cli_open_out(path, tmp, sizeof tmp);
    fprintf(f, "{\n  \"estimator\": \"%s\",\n  \"version\": \"%s\"", estimator,
            dv_version_string());
    if (strcmp(estimator, "law_eb") == 0)
        fprintf(f, ",\n  \"neighbors\": %zu", neighbors);
    if (ap) {
        fprintf(f, ",\n  \"hidden\": [");
        for (size_t l = 0; l < ap->n_hidden; l++)
            fprintf(f, "%s%zu", l ? ", " : "", ap->hidden[l]);
        fprintf(f, "],\n  \"epochs\": %d,\n  \"batch_size\": %zu,\n  \"lr\": %.17g,\n"
                   "  \"lr_min\": %.17g,\n  \"warmup\": %d,\n  \"weight_decay\": %.17g,\n"
                   "  \"clip\": %.17g,\n  \"held_out\": %.17g,\n  \"patience\": %d,\n"
                   "  \"pretrain_epochs\": %d,\n  \"pretrained\": %s,\n  \"k_ref\": %.17g,\n"
                   "  \"seed\": %llu",
                ap->epochs, ap->batch_size, ap->lr, ap->lr_min, ap->warmup, ap->weight_decay,
                ap->clip, ap->val_fraction, ap->patience, ap->pretrain_epochs,
                ap->pretrain ? "true" : "false", ap->k_ref, (unsigned long long)ap->seed);
        fprintf(f, ",\n  \"law_model\": ");
        cli_json_string(f, model);
    }
    fprintf(f, "\n}\n");
    cli_commit(f, tmp, path);
}

/* The amortized estimator on a run: features of its points from the run's
 * data (one head per class), laws written to csv and the trained network
 * to model. */
static void fit_amortized(const dv_run *r, const char *data, const char *csv, const char *model,
                          int epochs, uint64_t seed, double held, double k_ref)
{
    dv_dataset *tr, *va, *te;
    dv_error err = {0};
    if (dv_run_load_data(r, data, &tr, &va, &te, &err))
        cli_die("%s (the amortized estimator needs the run's data; see --data)", err.msg);
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points;
    dv_law *laws = cli_malloc(P * sizeof *laws);
    const char **labels = cli_malloc(P * sizeof *labels);
    for (size_t i = 0; i < P; i++)
        labels[i] = dv_run_label(r, i);
    dv_amortized_params ap;
    dv_amortized_params_default(&ap);
    if (epochs)
        ap.epochs = epochs;
    ap.seed = seed;
    ap.val_fraction = held;
    ap.k_ref = k_ref;
    if (dv_dataset_classes(tr))
        ap.pretrain = tr; /* the hidden layers start as a classifier of the training split */
    dv_law_model *m;
    if (dv_run_fit_amortized(r, tr, 0, &ap, laws, &m, &err) ||
        dv_law_model_write(m, model, &err) ||
        dv_scaling_write(csv, P, dv_run_points(r), labels, laws, &err))
        cli_die("%s", err.msg);
    write_record(csv, "amortized", &ap, model, 0);
    dv_law_model_free(m);
    free(laws);
    free(labels);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
}

/* The empirical-Bayes law from all of the run's samples. */
static void fit_eb(const dv_run *r, const char *data, const char *csv, size_t neighbors,
                   int threads)
{
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points;
    dv_dataset *tr = NULL, *va = NULL, *te = NULL;
    dv_error err = {0};
    if (neighbors && dv_run_load_data(r, data, &tr, &va, &te, &err))
        cli_die("%s (law_eb's neighbours need the run's data; see --data)", err.msg);
    dv_estimators_options o;
    dv_estimators_options_default(&o);
    o.train = tr;
    o.eb_neighbors = neighbors;
    o.n_threads = threads;
    dv_law *laws = cli_malloc(P * sizeof *laws);
    double *v = cli_malloc(P * sizeof *v);
    const char **labels = cli_malloc(P * sizeof *labels);
    for (size_t i = 0; i < P; i++)
        labels[i] = dv_run_label(r, i);
    if (dv_run_estimate(r, I->n_samples, DV_EST_LAW_EB, &o, v, laws, &err) ||
        dv_scaling_write(csv, P, dv_run_points(r), labels, laws, &err))
        cli_die("%s", err.msg);
    write_record(csv, "law_eb", NULL, NULL, neighbors);
    free(laws);
    free(v);
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
    char csv[4200], mpath[4200];
    snprintf(csv, sizeof csv, "%s", out ? out : "");
    if (!out)
        snprintf(csv, sizeof csv, "%s/scaling.csv", run);
    snprintf(mpath, sizeof mpath, "%s", model ? model : "");
    if (!model)
        snprintf(mpath, sizeof mpath, "%s/law_model.bin", run);
    if (amortized) {
        fit_amortized(r, data, csv, mpath, epochs, seed, held,
                      k_ref ? cli_k_ref(k_ref, dv_run_get_info(r)) : 1.0);
    } else if (eb) {
        fit_eb(r, data, csv, neighbors, threads);
    } else {
        dv_law *laws = cli_run_laws(r, 1, csv, threads);
        size_t bound = 0;
        for (size_t i = 0; i < P; i++)
            bound += laws[i].status == DV_LAW_BOUND;
        if (bound && !quiet)
            fprintf(stderr, "dval: %zu of %zu fits (%.1f %%) end on the bound of alpha, beta in "
                            "(0, e^2]: their samples do not determine the law (see the report; "
                            "--estimator law_eb)\n",
                    bound, P, 100.0 * (double)bound / (double)P);
        free(laws);
        write_record(csv, "mle", NULL, NULL, 0);
    }
    dv_run_free(r);
    if (!quiet)
        fprintf(stderr, "dval: fitted %zu points; wrote %s%s%s\n", P, csv,
                amortized ? " and " : "", amortized ? mpath : "");
    return 0;
}
