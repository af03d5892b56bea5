/*
 * cmd_curve.c -- `dval curve`: the data set's learning curve U(S) at several
 * sizes and its law error(k) = eps + c k^-alpha.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval curve --data FILE -o DIR [options]\n"
    "\n"
    "Samples the utility U(S) of models fitted on random class-balanced subsets S\n"
    "at several sizes k and fits the aggregate law error(k) = eps + c k^-alpha\n"
    "(variance proportional to k^-beta), where error = -U for the loss metrics\n"
    "and 1 - U for accuracy and r2.  Writes DIR/curve.csv (k, sample, utility,\n"
    "error) and DIR/curve_law.csv (eps, c, alpha, beta, nll, status).\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR        output directory (required)\n"
    "  --cards LIST         sizes (default: geometric grid from --min-card to --max-card)\n"
    "  --min-card K, --max-card K, --grid-count N   grid (default 100, 1000, 10)\n"
    "  --samples M          subsets per size (default 20)\n"
    "  --learner NAME, --C X, --lambda X, --metric NAME   as in dval sample\n"
    "  --seed S, --threads T\n"
    "\n" CLI_DATA_HELP;

/* DIR/curve.csv (k, sample, utility, error) and DIR/curve_law.csv. */
static void write_curve(const char *out, const int64_t *cards, size_t samples, size_t n,
                        const double *U, const double *E, const dv_curve_law *law)
{
    if (mkdir(out, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create directory: %s", out, strerror(errno));
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/curve.csv", out);
    FILE *f = cli_open_out(path, tmp, sizeof tmp);
    fprintf(f, "k,sample,utility,error\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%lld,%zu,%.17g,%.17g\n", (long long)cards[i / samples], i % samples, U[i], E[i]);
    cli_commit(f, tmp, path);
    snprintf(path, sizeof path, "%s/curve_law.csv", out);
    f = cli_open_out(path, tmp, sizeof tmp);
    fprintf(f, "eps,c,alpha,beta,nll,status\n%.17g,%.17g,%.17g,%.17g,%.17g,%s\n", law->eps, law->c,
            law->alpha, law->beta, law->nll, dv_law_status_name(law->status));
    cli_commit(f, tmp, path);
}

int cmd_curve(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_DATA_LONGOPTS,
        {"out", required_argument, 0, 'o'},   {"cards", required_argument, 0, 1},
        {"min-card", required_argument, 0, 2}, {"max-card", required_argument, 0, 3},
        {"grid-count", required_argument, 0, 4}, {"samples", required_argument, 0, 5},
        {"learner", required_argument, 0, 6}, {"C", required_argument, 0, 7},
        {"lambda", required_argument, 0, 8},  {"metric", required_argument, 0, 9},
        {"seed", required_argument, 0, 10},   {"threads", required_argument, 0, 11},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    const char *out = NULL, *learner = "logreg";
    int64_t *cards = NULL, lo = 100, hi = 1000;
    size_t n_cards = 0, grid = 10, samples = 20;
    double C = 1, lambda = 1;
    int has_C = 0, has_lambda = 0, threads = 0, c;
    uint64_t seed = 0;
    dv_metric metric = DV_METRIC_DEFAULT;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", longopts)) != -1) {
        if (cli_data_opt(&dop, c, optarg))
            continue;
        switch (c) {
        case 'o': out = optarg; break;
        case 1: cards = cli_int_list("--cards", optarg, &n_cards); break;
        case 2: lo = cli_int("--min-card", optarg, 1, INT32_MAX); break;
        case 3: hi = cli_int("--max-card", optarg, 1, INT32_MAX); break;
        case 4: grid = (size_t)cli_int("--grid-count", optarg, 1, 10000); break;
        case 5: samples = (size_t)cli_int("--samples", optarg, 1, 10000000); break;
        case 6: learner = optarg; break;
        case 7: C = cli_double("--C", optarg); has_C = 1; break;
        case 8: lambda = cli_double("--lambda", optarg); has_lambda = 1; break;
        case 9:
            if (dv_metric_from_name(optarg, &metric))
                cli_die("--metric: unknown metric '%s' (neg_logloss, accuracy, neg_mse, r2)", optarg);
            break;
        case 10: seed = cli_u64("--seed", optarg); break;
        case 11: threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("curve: unexpected argument '%s'", argv[optind]);
    if (!out)
        cli_die("curve: -o DIR is required (see dval curve --help)");
    if (!cards) {
        if (lo > hi)
            cli_die("--min-card (%lld) is larger than --max-card (%lld)", (long long)lo,
                    (long long)hi);
        cards = cli_malloc(grid * sizeof *cards);
        n_cards = dv_geom_grid(lo, hi, grid, cards);
    }
    dv_learner_params lp;
    cli_learner(&lp, learner, "logreg, ridge, ols", has_C ? &C : NULL, has_lambda ? &lambda : NULL,
                NULL);

    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (metric == DV_METRIC_DEFAULT)
        metric = dv_dataset_task(train) == DV_TASK_CLASSIFICATION ? DV_METRIC_NEG_LOGLOSS
                                                                  : DV_METRIC_NEG_MSE;
    double *U = cli_malloc(n_cards * samples * sizeof *U);
    dv_error err = {0};
    if (dv_curve_sample(train, val, &lp, metric, cards, n_cards, samples, seed, threads, U, &err))
        cli_die("curve: %s", err.msg);
    double top = metric == DV_METRIC_ACCURACY || metric == DV_METRIC_R2 ? 1.0 : 0.0;
    size_t n = n_cards * samples;
    double *E = cli_malloc(n * sizeof *E), *K = cli_malloc(n * sizeof *K);
    for (size_t i = 0; i < n; i++) {
        E[i] = top - U[i];
        K[i] = (double)cards[i / samples];
    }
    dv_curve_law law;
    dv_curve_fit(E, K, n, &law);

    write_curve(out, cards, samples, n, U, E, &law);
    printf("learning curve (%s, %s): error(k) = %.6g + %.6g k^-%.4f  [status %s]\n",
           dv_learner_name(lp.kind), dv_metric_name(metric), law.eps, law.c, law.alpha,
           dv_law_status_name(law.status));
    fprintf(stderr, "dval: wrote %s/curve.csv and %s/curve_law.csv\n", out, out);
    free(U);
    free(E);
    free(K);
    free(cards);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
