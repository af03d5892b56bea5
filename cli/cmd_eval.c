/*
 * cmd_eval.c -- `dval eval TASK`: the evaluation tasks (noisy, removal,
 * addition, estimators; one file each) and the option parsing they share.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *EVAL_USAGE =
    "usage: dval eval noisy --data FILE --methods LIST [--rho X] [-o FILE.csv]\n"
    "                       [--values-out FILE.csv] [options]\n"
    "       dval eval removal --data FILE --method NAME [--bin X] [--max-fraction X] [-o FILE.csv]\n"
    "       dval eval addition --from RUN_DIR --data FILE --sizes LIST [--add N] [--reps N]\n"
    "       dval eval estimators RUN_DIR [--truth DIR] [--budgets LIST]   (see its --help)\n"
    "       dval eval sensitivity --data FILE --coef NAME [--goal GOAL]   (see its --help)\n"
    "       dval eval poison --data FILE --methods LIST [--attacks LIST]  (see its --help)\n"
    "       dval eval acquire --data FILE [--scorers LIST] [--pool FILE]  (see its --help)\n"
    "\n"
    "Flips the labels of a fraction rho of the training points (seeded by\n"
    "--noise-seed; validation labels stay clean unless --noisy-val), values the\n"
    "points with each method and reports how well low values find the flipped\n"
    "points: F1 of the exact 1-D 2-means split (lower cluster = predicted noisy),\n"
    "AUROC, recall among the |noisy| lowest values, and wall time.  The table is\n"
    "printed and written as CSV (default noisy.csv).\n"
    "\n"
    "removal values the training points with --method, then retrains --learner after\n"
    "removing the highest-valued and, separately, the lowest-valued points in bins of\n"
    "--bin (a fraction of the training set, default 0.05) up to --max-fraction\n"
    "(default 0.5), and scores every model on the test split (--metric; default\n"
    "accuracy for classification).  Writes step, removed, fraction, high, low\n"
    "(default removal.csv).\n"
    "\n"
    "addition takes the points of a finished sampling run as candidates; for each base\n"
    "size k in --sizes it adds the --add best candidates (class-balanced) to random base\n"
    "sets of k other training rows, scored by the scaling law c k^-alpha (in a grid run,\n"
    "laws with a log-fit R^2 below --min-r2, default 0.9, rank last; a uniform run has\n"
    "no per-size means for that R^2), by the law at each size of --score-at, by the\n"
    "Monte Carlo mean, and at random, and reports the mean gain of the test metric\n"
    "(default accuracy) over --reps repetitions with its standard error.  The same\n"
    "top set goes into every base: selection by individual values, blind to how\n"
    "redundant the chosen points are with each other.  Give the run's data and split\n"
    "options.\n"
    "\n"
    "  --methods LIST       comma-separated method names (see dval value --help)\n"
    "  --rho X              noise rate (default 0.2)\n"
    "  --noise-seed S       seed of the flips (default 0)\n"
    "  --noisy-val          flip the same fraction of validation labels too\n"
    "  --values-out FILE    noisy: also write every point's values, one column per\n"
    "                       method: point, noisy (1 = flipped), METHOD, ...\n"
    "  --method NAME        removal: the valuation method\n"
    "  --bin X              removal: rows per step, as a fraction (default 0.05)\n"
    "  --max-fraction X     removal: remove up to this fraction (default 0.5)\n"
    "  --from RUN_DIR       addition: the sampling run whose points are the candidates\n"
    "  --sizes LIST         addition: base set sizes, e.g. 500,5000\n"
    "  --add N              addition: candidates added to each base (default 100)\n"
    "  --reps N             addition: random bases per size (default 100)\n"
    "  --score-at LIST      addition: also score by the law at these sizes (the paper's\n"
    "                       test: points scored at a small k help small bases)\n"
    "  --min-r2 X           addition, grid runs: laws with a lower log-fit R^2 rank last\n"
    "                       (default 0.9)\n"
    "\n" CLI_METHOD_HELP "\n" CLI_DATA_HELP;

void cli_eval_parse(int argc, char **argv, const char *usage, const struct option *task_opts,
                    cli_data_opts *dop, cli_method_opts *mo, const char **out,
                    cli_task_opt_fn task_opt, void *ctx)
{
    if (!usage)
        usage = EVAL_USAGE;
    static const struct option common[] = {CLI_DATA_LONGOPTS, CLI_METHOD_LONGOPTS,
                                           {"out", required_argument, 0, 'o'},
                                           {"help", no_argument, 0, 'h'}};
    size_t nt = 0, nc = sizeof common / sizeof common[0];
    while (task_opts[nt].name)
        nt++;
    struct option *all = cli_malloc((nc + nt + 1) * sizeof *all);
    if (!all)
        cli_die("out of memory");
    memcpy(all, common, nc * sizeof *all);
    memcpy(all + nc, task_opts, (nt + 1) * sizeof *all);
    int c;
    optind = 2;
    while ((c = cli_getopt(argc, argv, "o:h", all)) != -1) {
        if (cli_data_opt(dop, c, optarg) || cli_method_opt(mo, c, optarg))
            continue;
        if (c == 'o')
            *out = optarg;
        else if (c == 'h') {
            fputs(usage, stdout);
            exit(0);
        } else if (c > 0 && c < 32) /* task codes; getopt's '?' and ':' are above */
            task_opt(ctx, c, optarg);
        else {
            fputs(usage, stderr);
            exit(2);
        }
    }
    free(all);
    if (optind < argc)
        cli_die("eval: unexpected argument '%s'", argv[optind]);
}

int cmd_eval(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(EVAL_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "removal") == 0)
        return eval_removal(argc, argv);
    if (strcmp(argv[1], "addition") == 0)
        return eval_addition(argc, argv);
    if (strcmp(argv[1], "estimators") == 0)
        return eval_estimators(argc, argv);
    if (strcmp(argv[1], "noisy") == 0)
        return eval_noisy(argc, argv);
    if (strcmp(argv[1], "sensitivity") == 0)
        return eval_sensitivity(argc, argv);
    if (strcmp(argv[1], "poison") == 0)
        return eval_poison(argc, argv);
    if (strcmp(argv[1], "acquire") == 0)
        return eval_acquire(argc, argv);
    cli_die("eval: unknown task '%s' (noisy, removal, addition, estimators, sensitivity, poison, "
            "acquire)", argv[1]);
}
