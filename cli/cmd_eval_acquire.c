/*
 * cmd_eval_acquire.c -- `dval eval acquire`: active acquisition from a pool
 * (dv_acquire) by each scorer, repeated over seeds: the curves of test
 * accuracy against labels bought, and the labels each scorer needs to reach
 * a target accuracy, against random's.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *USAGE =
    "usage: dval eval acquire --data FILE [--pool FILE | --initial N] [--scorers LIST]\n"
    "                         [--batch B] [--rounds R] [--reps R] [-o FILE.csv] [options]\n"
    "\n"
    "Active acquisition (Jia et al. 2021): starting from labelled rows, each round\n"
    "buys the labels of the --batch pool rows a scorer ranks first and refits the\n"
    "learner (--learner, default logreg); the test accuracy after every round is\n"
    "the curve.  The pool's labels are hidden from every scorer but the oracle.\n"
    "Scorers:\n"
    "  random     a seeded random batch\n"
    "  margin     the smallest gap between the current model's two likeliest classes\n"
    "  entropy    the largest entropy of the current model's probabilities\n"
    "  distance   k-center greedy: the rows farthest from every labelled row\n"
    "  ood        the largest variance of an ensemble of small mlps (--ood-members)\n"
    "  law        the largest value c k^-alpha that a law model (--law-model, from\n"
    "             dval fit --estimator amortized --law-model FILE) predicts at the\n"
    "             current number of labels k, averaged over the classes with the\n"
    "             current model's probabilities\n"
    "  oracle     sees the hidden labels: the rows whose addition most improves the\n"
    "             validation utility (--metric: neg_logloss or accuracy; one fit per pool\n"
    "             row and round); the check that the harness rewards a good scorer\n"
    "Without --pool, each repetition draws --initial labelled rows from the training\n"
    "split (seeded by --seed + the repetition) and the rest of the split is the\n"
    "pool; with --pool FILE (the data file's columns, labels included) the training\n"
    "split is the labelled set.  The labels needed to reach the target accuracy\n"
    "(--target-acc; default: random's final accuracy, averaged over the\n"
    "repetitions) are read off each curve, linear between rounds, and compared with\n"
    "random's of the same repetition: the labels saved, with a 95 % confidence\n"
    "interval (Student's t over the repetitions where both reach the target).\n"
    "\n"
    "Writes FILE.csv (default acquire.csv: scorer, rep, round, labels, accuracy) and\n"
    "FILE.csv.json (the target and, per scorer, the labels to reach it and the labels\n"
    "saved); dval plot acquire draws the curves.\n"
    "\n"
    "  --scorers LIST       comma-separated (default random,margin,entropy,distance)\n"
    "  --pool FILE          the pool; default: the training split but --initial rows\n"
    "  --initial N          labelled rows drawn from the training split (default 50)\n"
    "  --batch B            labels bought per round (default 10)\n"
    "  --rounds R           rounds (default 20)\n"
    "  --reps R             repetitions (default 5)\n"
    "  --target-acc X       the target accuracy (default: random's final, on average)\n"
    "  --law-model FILE     law: the law model\n"
    "  --ood-members N      ood: ensemble members (default 5)\n"
    "\n" CLI_METHOD_HELP "\n" CLI_DATA_HELP;

typedef struct {
    const char *scorers, *pool, *law_model;
    size_t initial, batch, rounds, reps, members;
    double target;
} acq_opts;

static void acq_opt(void *ctx, int c, const char *arg)
{
    acq_opts *o = ctx;
    switch (c) {
    case 1: o->scorers = arg; break;
    case 2: o->pool = arg; break;
    case 3: o->initial = (size_t)cli_int("--initial", arg, 1, INT32_MAX); break;
    case 4: o->batch = (size_t)cli_int("--batch", arg, 1, INT32_MAX); break;
    case 5: o->rounds = (size_t)cli_int("--rounds", arg, 1, 100000); break;
    case 6: o->reps = (size_t)cli_int("--reps", arg, 1, 10000); break;
    case 7:
        o->target = cli_double("--target-acc", arg);
        if (!(o->target > 0 && o->target <= 1))
            cli_die("--target-acc: %s is not an accuracy in (0, 1]", arg);
        break;
    case 8: o->law_model = arg; break;
    default: o->members = (size_t)cli_int("--ood-members", arg, 2, 1000); break;
    }
}

int eval_acquire(int argc, char **argv)
{
    static const struct option opts[] = {{"scorers", required_argument, 0, 1},
                                         {"pool", required_argument, 0, 2},
                                         {"initial", required_argument, 0, 3},
                                         {"batch", required_argument, 0, 4},
                                         {"rounds", required_argument, 0, 5},
                                         {"reps", required_argument, 0, 6},
                                         {"target-acc", required_argument, 0, 7},
                                         {"law-model", required_argument, 0, 8},
                                         {"ood-members", required_argument, 0, 9},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    mo.vp.metric = (dv_metric)-2; /* unset: the oracle's neg_logloss */
    const char *out = "acquire.csv";
    acq_opts ao = {"random,margin,entropy,distance", NULL, NULL, 50, 10, 20, 5, 5, NAN};
    cli_eval_parse(argc, argv, USAGE, opts, &dop, &mo, &out, acq_opt, &ao);
    /* the scorers first, so that a typo fails before any work */
    dv_acq_scorer sc[16];
    size_t ns = 0;
    int has_random = 0, has_law = 0;
    char *list = cli_strdup(ao.scorers), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (ns == 16)
            cli_die("--scorers: at most 16");
        if (dv_acq_scorer_from_name(t, &sc[ns]))
            cli_die("--scorers: unknown scorer '%s' (random, margin, entropy, distance, ood, "
                    "law, oracle)", t);
        has_random |= sc[ns] == DV_ACQ_RANDOM;
        has_law |= sc[ns] == DV_ACQ_LAW;
        ns++;
    }
    free(list);
    if (!ns)
        cli_die("--scorers: the list is empty");
    if (has_law != (ao.law_model != NULL))
        cli_die(has_law ? "the law scorer needs --law-model FILE"
                        : "--law-model goes with the law scorer (--scorers ...,law)");
    if (!has_random && !isfinite(ao.target))
        cli_die("the default target is random's final accuracy: add random to --scorers or give "
                "--target-acc");
    if (mo.groups_file)
        cli_die("eval acquire buys single rows; --groups does not apply");
    dv_metric metric = (int)mo.vp.metric == -2 ? DV_METRIC_NEG_LOGLOSS : mo.vp.metric;
    if ((int)mo.vp.metric == -2)
        mo.vp.metric = DV_METRIC_DEFAULT;
    if (metric != DV_METRIC_NEG_LOGLOSS && metric != DV_METRIC_ACCURACY)
        cli_die("--metric: the oracle's utility is neg_logloss or accuracy");
    cli_method_opts_finish(&mo);
    dv_law_model *lm = NULL;
    dv_error err = {0};
    if (ao.law_model && dv_law_model_read(&lm, ao.law_model, &err))
        cli_die("%s", err.msg);
    if (lm && !dv_law_model_get_info(lm)->described)
        cli_die("%s: the law model does not record its data's columns", ao.law_model);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (dv_dataset_task(train) != DV_TASK_CLASSIFICATION)
        cli_die("eval acquire needs a classification data set");
    size_t n = dv_dataset_rows(train), R = ao.reps, T = ao.rounds, B = ao.batch;
    dv_dataset *fixed_pool = NULL;
    if (ao.pool) {
        dv_csv_options co;
        dv_csv_options_default(&co);
        co.label = dop.label;
        co.drop_missing = dop.drop_missing;
        if (dv_dataset_read_like(&fixed_pool, ao.pool, train, &co, &err))
            cli_die("--pool: %s", err.msg);
    } else if (ao.initial >= n) {
        cli_die("--initial: %zu labelled rows leave no pool in a training split of %zu",
                ao.initial, n);
    }
    size_t np = ao.pool ? dv_dataset_rows(fixed_pool) : n - ao.initial;
    if (B > np)
        cli_die("--batch: a batch of %zu is larger than the pool of %zu rows", B, np);
    if (B * T > np)
        cli_die("--rounds: %zu rounds of %zu buy %zu labels but the pool has %zu rows", T, B,
                B * T, np);
    /* the output is written at the end; an unwritable place fails first */
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fclose(f);
    remove(tmp);
    double *acc = cli_malloc(ns * R * (T + 1) * sizeof *acc);
    int64_t *chosen = cli_malloc(T * B * sizeof *chosen);
    fprintf(stderr, "dval: acquisition: %zu scorers x %zu repetitions, %zu rounds of %zu labels "
                    "from a pool of %zu\n", ns, R, T, B, np);
    for (size_t r = 0; r < R; r++) {
        dv_dataset *lab = train, *pool = fixed_pool;
        if (!ao.pool && dv_acquire_split(train, ao.initial, mo.vp.seed + r, &lab, &pool, &err))
            cli_die("%s", err.msg);
        size_t heads = 0;
        dv_law *laws = NULL;
        if (lm) {
            laws = cli_malloc(dv_dataset_rows(pool) * dv_dataset_classes(train) * sizeof *laws);
            if (dv_acquire_laws(lm, pool, laws, &heads, &err))
                cli_die("--law-model: %s", err.msg);
        }
        for (size_t s = 0; s < ns; s++) {
            dv_acq_params p;
            dv_acq_params_default(&p);
            p.learner = mo.vp.learner;
            p.metric = metric;
            p.batch = B;
            p.rounds = T;
            p.seed = mo.vp.seed + r;
            p.n_threads = mo.vp.n_threads;
            if (ao.members)
                p.ood_members = ao.members;
            p.laws = laws;
            p.law_heads = heads;
            double *a = acc + (s * R + r) * (T + 1), t0 = dv_clock_seconds();
            if (dv_acquire(lab, pool, val, test, sc[s], &p, a, chosen, &err))
                cli_die("%s: %s", dv_acq_scorer_name(sc[s]), err.msg);
            fprintf(stderr, "dval: rep %zu, %-8s accuracy %.4f -> %.4f (%.1f s)\n", r,
                    dv_acq_scorer_name(sc[s]), a[0], a[T], dv_clock_seconds() - t0);
        }
        free(laws);
        if (!ao.pool) {
            dv_dataset_free(lab);
            dv_dataset_free(pool);
        }
    }
    /* the summary, printed and written with the curves */
    double target = ao.target;
    dv_acq_summary *S = cli_malloc(ns * sizeof *S);
    if (dv_acq_summarize(sc, ns, R, T, B, acc, &target, S, NULL, &err) ||
        dv_acquire_write(out, sc, ns, R, T, B, np, acc, ao.target, &err))
        cli_die("%s", err.msg);
    printf("target accuracy %.4f (%s); labels bought to reach it, and saved against random "
           "(95 %% interval over the repetitions)\n",
           target, isfinite(ao.target) ? "given" : "random's final accuracy, mean");
    printf("%-9s %17s %8s %18s %24s\n", "scorer", "final accuracy", "reached",
           "labels to target", "saved vs random");
    for (size_t s = 0; s < ns; s++) {
        const dv_acq_summary *o = &S[s];
        printf("%-9s %8.4f ± %.4f %4zu/%-3zu %9.1f ± %-6.1f %8.1f [%.1f, %.1f]\n",
               dv_acq_scorer_name(sc[s]), o->final_mean, o->final_ci, o->reached, R,
               o->labels_mean, o->labels_ci, o->saved_mean, o->saved_mean - o->saved_ci,
               o->saved_mean + o->saved_ci);
    }
    fprintf(stderr, "dval: wrote %s and %s.json\n", out, out);
    free(S);
    free(acc);
    free(chosen);
    dv_law_model_free(lm);
    dv_dataset_free(fixed_pool);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
