/*
 * cmd_value.c -- `dval value`: per-point values from a run's scaling laws
 * (psi_k = c k^-alpha and its mean over the sampled range) and from the
 * raw samples (Monte Carlo mean and standard error).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval value --from RUN_DIR [--at K ...] [--top N [--size K]] [-o FILE]\n"
    "       dval value --method NAME --data FILE ...   (see dval value --method tmc --help)\n"
    "       dval value --law-model FILE --data NEW.csv -o OUT.csv   (laws of points\n"
    "                  never sampled; see dval value --law-model --help)\n"
    "\n"
    "Values every point of a finished run (fitting RUN_DIR/scaling.csv first if it\n"
    "is missing) and writes values.csv (default RUN_DIR/values.csv) with columns:\n"
    "  point, label, psi_K for each --at K (c K^-alpha), law_value (mean of\n"
    "  c k^-alpha over k = min-card..max-card, the law-based distributional\n"
    "  Shapley value), mc_mean and mc_stderr (mean of the raw deltas and its\n"
    "  standard error), n_samples, status (of the law fit).  The distributional\n"
    "  Shapley value of the run (--method distributional) is mc_mean.\n"
    "\n"
    CLI_METHODS_HELP
    "\n"
    "Options:\n"
    "  --from DIR      run directory (required)\n"
    "  --at K          a dataset size for psi_K; repeat or give a list (default:\n"
    "                  min-card and max-card of the run)\n"
    "  --top N         print the N most valuable points by psi at --size\n"
    "  --size K        target size for --top (default: the first --at value)\n"
    "  -o, --out FILE  output CSV\n";

static int cmp_desc(const void *a, const void *b, void *ctx)
{
    const double *v = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (v[i] > v[j]) return -1;
    if (v[i] < v[j]) return 1;
    return (i > j) - (i < j);
}

void cli_value_run(const dv_run *r, const dv_law *laws, const int64_t *at, size_t n_at,
                   size_t top, int64_t top_k, const char *out_csv)
{
    const dv_run_info *I = dv_run_get_info(r);
    int64_t deflt[2] = {I->min_card, I->max_card};
    if (!at) {
        at = deflt;
        n_at = I->min_card == I->max_card ? 1 : 2;
    }
    dv_error err = {0};
    if (dv_run_write_values(r, laws, at, n_at, out_csv, &err))
        cli_die("%s", err.msg);
    if (top == 0)
        return;
    size_t n = I->n_points;
    int64_t k = top_k > 0 ? top_k : at[0];
    double *target = cli_malloc((n ? n : 1) * sizeof *target);
    size_t *idx = cli_malloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) {
        target[i] = laws[i].c * pow((double)k, -laws[i].alpha);
        idx[i] = i;
    }
    qsort_r(idx, n, sizeof *idx, cmp_desc, target);
    printf("top %zu points by psi_k at k = %lld (c k^-alpha)\n", top < n ? top : n, (long long)k);
    printf("%6s %8s %-12s %14s %12s %8s\n", "rank", "point", "label", "psi_k", "c", "alpha");
    for (size_t q = 0; q < top && q < n; q++) {
        size_t i = idx[q];
        printf("%6zu %8lld %-12s %14.6e %12.4e %8.4f\n", q + 1, (long long)dv_run_points(r)[i],
               dv_run_label(r, i), target[i], laws[i].c, laws[i].alpha);
    }
    free(idx);
    free(target);
}

int cmd_value(int argc, char **argv)
{
    /* --method NAME values points of a data set; only "distributional" reads
     * a sampling run (its values are the mc_mean column). */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--law-model") == 0 || strncmp(argv[i], "--law-model=", 12) == 0) {
            cli_dist_only_one("dval value --law-model");
            return cmd_value_law(argc, argv);
        }
        const char *m = NULL;
        if (strcmp(argv[i], "--method") == 0 && i + 1 < argc)
            m = argv[i + 1];
        else if (strncmp(argv[i], "--method=", 9) == 0)
            m = argv[i] + 9;
        if (m && strcmp(m, "distributional") != 0)
            return cmd_value_method(argc, argv);
    }
    cli_dist_only_one("dval value --from (the laws of a run)");
    static const struct option longopts[] = {{"from", required_argument, 0, 1},
                                             {"method", required_argument, 0, 5},
                                             {"at", required_argument, 0, 2},
                                             {"top", required_argument, 0, 3},
                                             {"size", required_argument, 0, 4},
                                             {"out", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *from = NULL, *out = NULL;
    int64_t *at = NULL;
    size_t n_at = 0, top = 0;
    int64_t size = 0;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", longopts)) != -1) {
        switch (c) {
        case 1: from = optarg; break;
        case 2: at = cli_int_list_append("--at", optarg, at, &n_at); break;
        case 3: top = (size_t)cli_int("--top", optarg, 1, INT64_MAX); break;
        case 4: size = cli_int("--size", optarg, 1, INT32_MAX); break;
        case 5: break; /* distributional: the mc_mean column */
        case 'o': out = optarg; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (!from)
        cli_die("value: --from RUN_DIR is required (see dval value --help)");
    if (optind < argc)
        cli_die("value: unexpected argument '%s'", argv[optind]);
    dv_run *r = cli_run_open(from);
    dv_law *laws = cli_run_laws(r, 0, NULL, 0);
    cli_value_run(r, laws, at, n_at, top, size, out);
    free(laws);
    dv_run_free(r);
    if (out)
        fprintf(stderr, "dval: wrote %s\n", out);
    else
        fprintf(stderr, "dval: wrote %s/values.csv\n", from);
    free(at);
    return 0;
}
