/*
 * cmd_eval_estimators.c -- `dval eval estimators`: how fast the Monte Carlo mean
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
    "                            [--estimators LIST] [--threads T] [-o FILE.csv]\n"
    "\n"
    "For each budget m, values every point of a finished sampling run from its first\n"
    "m samples with each estimator and compares the values with the ground truth:\n"
    "the mean of all the deltas of each point in RUN_DIR (then budgets must be below\n"
    "the samples per point), or with --truth, in a second, longer run over the same\n"
    "points.  In grid mode the first m samples are taken round-robin over the\n"
    "cardinalities.  Estimators (a law's value is the mean of c k^-alpha over\n"
    "k = min-card..max-card):\n"
    "  mc_mean    the mean of the deltas\n"
    "  law        the law fitted to each point alone (dval fit)\n"
    "  law_eb     the empirical-Bayes law: alpha and beta shared by the points of a\n"
    "             class, each c shrunk toward the class mean (or, with --neighbors K,\n"
    "             the mean of its K nearest same-class points) as far as its own\n"
    "             samples are noisy\n"
    "  amortized  the amortized law (dval fit --estimator amortized; needs the run's\n"
    "             data, and trains one network per budget)\n"
    "\n"
    "Writes a CSV (default RUN_DIR/estimators.csv) with columns samples, estimator,\n"
    "error (mean squared error), expl_var (1 - error / Var(truth)),\n"
    "r2 (1 - SS_res / SS_tot), pearson, spearman, sign (fraction of points whose\n"
    "estimate has the sign of the truth), points; and prints it as a table.\n"
    "\n"
    "Options:\n"
    "  --truth DIR        ground-truth run over the same points (default: RUN_DIR)\n"
    "  --budgets LIST     increasing samples per point, each >= 2 (default\n"
    "                     5,10,20,...,100,150,...,500 up to what is available)\n"
    "  --estimators LIST  which estimators (default mc_mean,law,law_eb; all = the\n"
    "                     four)\n"
    "  --neighbors K      law_eb: shrink toward the K nearest same-class points\n"
    "                     (default 0: toward the class mean; needs the run's data)\n"
    "  --grid DIR         a grid-mode run over the same points: also the accuracy of\n"
    "                     each estimator's psi_k = c k^-alpha at each of its sizes k\n"
    "                     against its per-size means (the mc_mean row predicts its\n"
    "                     value at every k), written to OUT_by_size.csv (columns\n"
    "                     samples, estimator, k, then as above)\n"
    "  --data FILE        the run's data file, when it has moved\n"
    "  --epochs N, --seed S   amortized: training epochs (default 100) and seed (0)\n"
    "  --k-ref K          amortized: the size the network's c refers to, c (k/K)^-alpha\n"
    "                     (default 1: the reference's c k^-alpha; mid = the geometric\n"
    "                     mean of the run's smallest and largest k)\n"
    "  --held-out F       amortized: a fraction of points held out, whose loss\n"
    "                     chooses the epoch kept (default 0: keep the last epoch)\n"
    "  --threads T        threads (default: all cores); results do not depend on it\n"
    "  -o, --out FILE     output CSV\n"
    "  -q, --quiet        no table, no message\n";

/* The budgets given (bl, checked against the samples available), or the
 * defaults; *n is their count in and out. */
static size_t *choose_budgets(const dv_run *run, const dv_run *truth, int64_t *bl, size_t *n,
                              size_t avail, const char *run_dir)
{
    size_t *budgets = cli_malloc(32 * sizeof *budgets), nb = *n;
    if (bl) {
        budgets = cli_realloc(budgets, (nb ? nb : 1) * sizeof *budgets);
        for (size_t b = 0; b < nb; b++) {
            if (bl[b] < 2)
                cli_die("--budgets: %lld is below 2 (a law needs 2 samples)", (long long)bl[b]);
            if (b > 0 && bl[b] <= bl[b - 1])
                cli_die("--budgets: must be increasing (%lld after %lld)", (long long)bl[b],
                        (long long)bl[b - 1]);
            if ((size_t)bl[b] > avail)
                cli_die("--budgets: %lld is more than the %zu samples per point available%s",
                        (long long)bl[b], avail,
                        truth ? "" : " (the truth is the mean of all of them; give a "
                                         "longer --truth run to use every sample)");
            budgets[b] = (size_t)bl[b];
        }
        free(bl);
    } else {
        nb = dv_run_estimator_budgets(run, truth, budgets);
        if (nb == 0)
            cli_die("%s has %zu samples per point: fewer than the smallest default budget (5); "
                    "give --budgets", run_dir, dv_run_get_info(run)->n_samples);
    }

    *n = nb;
    return budgets;
}

/* The agreement table on stdout. */
static void print_table(const dv_run_info *I, const char *truth_what, const size_t *budgets,
                        size_t nb, unsigned mask, const dv_agreement *out)
{
    size_t P = I->n_points;
    printf("estimator convergence: %zu points, %s run, k in [%lld, %lld]\n", P,
           I->mode == DV_CARD_GRID ? "grid" : "uniform", (long long)I->min_card,
           (long long)I->max_card);
    printf("truth: %s\n", truth_what);
    printf("%7s %-9s %11s %10s %10s %8s %8s %6s\n", "samples", "estimator", "error",
           "expl_var", "r2", "pearson", "spearman", "sign");
    for (size_t b = 0; b < nb; b++)
        for (int e = 0; e < DV_EST_COUNT; e++) {
            if (!(mask >> e & 1u))
                continue;
            const dv_agreement *a = &out[b * DV_EST_COUNT + e];
            printf("%7zu %-9s %11.4e %10.4g %10.4g %8.4f %8.4f %6.3f\n", budgets[b],
                   dv_estimator_name(e), a->error, a->expl_var, a->r2, a->pearson,
                   a->spearman, a->sign);
        }
}

/* --estimators LIST as a mask. */
static unsigned estimator_mask(const char *list)
{
    if (strcmp(list, "all") == 0)
        return (1u << DV_EST_COUNT) - 1;
    unsigned mask = 0;
    char *copy = cli_strdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int e;
        if (dv_estimator_lookup(tok, &e))
            cli_die("--estimators: unknown estimator '%s' (mc_mean, law, law_eb, amortized, "
                    "all)", tok);
        mask |= 1u << e;
    }
    free(copy);
    if (!mask)
        cli_die("--estimators: no estimator given");
    return mask;
}

int eval_estimators(int argc, char **argv)
{
    static const struct option longopts[] = {{"truth", required_argument, 0, 1},
                                             {"budgets", required_argument, 0, 2},
                                             {"threads", required_argument, 0, 3},
                                             {"estimators", required_argument, 0, 4},
                                             {"neighbors", required_argument, 0, 5},
                                             {"data", required_argument, 0, 6},
                                             {"epochs", required_argument, 0, 7},
                                             {"seed", required_argument, 0, 8},
                                             {"grid", required_argument, 0, 9},
                                             {"held-out", required_argument, 0, 10},
                                             {"k-ref", required_argument, 0, 11},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *truth_dir = NULL, *out = NULL, *data = NULL, *grid_dir = NULL, *k_ref = NULL;
    dv_estimators_options eo;
    dv_estimators_options_default(&eo);
    int64_t *bl = NULL;
    size_t nb = 0;
    int threads = 0, quiet = 0, c;
    optind = 2; /* argv: eval estimators ... */
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        switch (c) {
        case 1: truth_dir = optarg; break;
        case 2:
            free(bl);
            bl = cli_int_list("--budgets", optarg, &nb);
            break;
        case 3: threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 4: eo.estimators = estimator_mask(optarg); break;
        case 5: eo.eb_neighbors = (size_t)cli_int("--neighbors", optarg, 0, 100000); break;
        case 6: data = optarg; break;
        case 7: eo.amortized.epochs = (int)cli_int("--epochs", optarg, 1, 1000000); break;
        case 8: eo.amortized.seed = cli_u64("--seed", optarg); break;
        case 9: grid_dir = optarg; break;
        case 11: k_ref = optarg; break;
        case 10:
            eo.amortized.val_fraction = cli_fraction("--held-out", optarg);
            break;
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

    dv_run *run = cli_run_open(run_dir), *truth = truth_dir ? cli_run_open(truth_dir) : NULL;
    const dv_run_info *I = dv_run_get_info(run);
    size_t P = I->n_points, M = I->n_samples;
    dv_error err = {0};
    if (P < 2)
        cli_die("%s: the run has %zu point; the metrics need at least 2", run_dir, P);
    char truth_what[4400];
    size_t avail = M - 1;
    if (truth) {
        const dv_run_info *T = dv_run_get_info(truth);
        if (T->min_card != I->min_card || T->max_card != I->max_card)
            cli_warn("the truth run samples k in [%lld, %lld], this run in [%lld, %lld]",
                     (long long)T->min_card, (long long)T->max_card, (long long)I->min_card,
                     (long long)I->max_card);
        snprintf(truth_what, sizeof truth_what, "mean of all %zu samples per point of %s",
                 T->n_samples, truth_dir);
        avail = M;
    } else {
        snprintf(truth_what, sizeof truth_what, "mean of all %zu samples per point of the run",
                 M);
    }
    if (avail < 2)
        cli_die("%s has %zu samples per point: too few for any budget%s", run_dir, M,
                truth_dir ? "" : " (budgets must be below it when the run is its own truth)");

    size_t *budgets = choose_budgets(run, truth, bl, &nb, avail, run_dir);
    dv_agreement *res = cli_malloc(nb * DV_EST_COUNT * sizeof *res);
    if (!budgets || !res)
        cli_die("out of memory");
    /* The run's data, for the estimators that need the points' features. */
    dv_dataset *tr = NULL, *va = NULL, *te = NULL;
    if (eo.estimators >> DV_EST_AMORTIZED & 1u || eo.eb_neighbors) {
        if (dv_run_load_data(run, data, &tr, &va, &te, &err))
            cli_die("%s (the amortized law and law_eb's neighbours need the run's data; see "
                    "--data)", err.msg);
    }
    dv_run *grid = grid_dir ? cli_run_open(grid_dir) : NULL;
    size_t C = grid ? dv_run_get_info(grid)->n_cards : 0;
    dv_agreement *by_size = grid ? cli_malloc(nb * DV_EST_COUNT * (C ? C : 1) * sizeof *by_size) : NULL;
    eo.truth = truth;
    eo.grid = grid;
    if (k_ref)
        eo.amortized.k_ref = cli_k_ref(k_ref, I);
    eo.train = tr;
    eo.n_threads = threads;
    size_t n_est = 0;
    for (int e = 0; e < DV_EST_COUNT; e++)
        n_est += eo.estimators >> e & 1u;
    cli_progress prog;
    cli_progress_init(&prog, "estimates", 0, quiet || !(eo.estimators >> DV_EST_AMORTIZED & 1u));
    if (dv_run_estimators(run, budgets, nb, &eo, res, by_size, cli_progress_cb, &prog, &err))
        cli_die("%s", err.msg);
    cli_progress_end(&prog);

    char def_out[4300];
    snprintf(def_out, sizeof def_out, "%s/estimators.csv", run_dir);
    if (!out)
        out = def_out;
    if (dv_estimators_write(out, budgets, nb, eo.estimators, res, P, &err))
        cli_die("%s", err.msg);
    char by_out[4400] = "";
    if (grid) {
        size_t n = strlen(out);
        int has_csv = n > 4 && strcmp(out + n - 4, ".csv") == 0;
        snprintf(by_out, sizeof by_out, "%.*s_by_size.csv", (int)(has_csv ? n - 4 : n), out);
        if (dv_estimators_by_size_write(by_out, budgets, nb, eo.estimators,
                                        dv_run_get_info(grid)->cards, C, by_size, P, &err))
            cli_die("%s", err.msg);
    }
    if (!quiet) {
        print_table(I, truth_what, budgets, nb, eo.estimators, res);
        fprintf(stderr, "dval: wrote %s\n", out);
        if (grid)
            fprintf(stderr, "dval: wrote %s\n", by_out);
    }
    free(res);
    free(by_size);
    dv_run_free(grid);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    free(budgets);
    dv_run_free(run);
    dv_run_free(truth);
    return 0;
}
