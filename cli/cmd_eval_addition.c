/*
 * cmd_eval_addition.c -- `dval eval addition`: the gain of adding the
 * candidates a sampling run values highest, by law or Monte Carlo mean,
 * against random additions.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    const char *run;
    int64_t *sizes;
    size_t n_sizes, n_add, reps;
    double min_r2;
} addition_opts;

static void addition_opt(void *ctx, int c, const char *arg)
{
    addition_opts *o = ctx;
    switch (c) {
    case 1: o->run = arg; break;
    case 2: o->sizes = cli_int_list("--sizes", arg, &o->n_sizes); break;
    case 3: o->n_add = (size_t)cli_int("--add", arg, 1, INT32_MAX); break;
    case 4: o->reps = (size_t)cli_int("--reps", arg, 2, INT32_MAX); break;
    default: o->min_r2 = cli_double("--min-r2", arg); break;
    }
}

/* dval eval addition. */
int eval_addition(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, 0, 1},
                                         {"sizes", required_argument, 0, 2},
                                         {"add", required_argument, 0, 3},
                                         {"reps", required_argument, 0, 4},
                                         {"min-r2", required_argument, 0, 5},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    mo.vp.metric = DV_METRIC_ACCURACY;
    const char *out = "addition.csv";
    addition_opts ao = {NULL, NULL, 0, 100, 100, 0.9};
    cli_eval_parse(argc, argv, opts, &dop, &mo, &out, addition_opt, &ao);
    const char *run = ao.run;
    int64_t *sizes = ao.sizes;
    size_t n_sizes = ao.n_sizes, n_add = ao.n_add, reps = ao.reps;
    double min_r2 = ao.min_r2;
    if (!run)
        cli_die("eval addition: --from RUN_DIR (a finished sampling run) is required");
    if (!sizes)
        cli_die("eval addition: --sizes LIST of base set sizes is required");
    cli_method_opts_finish(&mo);
    dv_run *rn = cli_run_open(run);
    size_t P = dv_run_get_info(rn)->n_points, M = dv_run_get_info(rn)->n_samples;
    dv_dataset *train, *val, *test;
    dv_error err = {0};
    if (dv_run_check_data(rn, dop.data, &err))
        cli_die("%s", err.msg);
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (dv_run_check_split(rn, train, &err))
        cli_die("%s", err.msg);
    const int64_t *pts = dv_run_points(rn);
    dv_law *laws = cli_malloc(P * sizeof *laws);
    dv_law_fit_many(dv_run_deltas(rn), dv_run_cards(rn), P, M, laws, mo.vp.n_threads);
    double *mc = cli_malloc(P * sizeof *mc), *law = cli_malloc(P * sizeof *law);
    dv_run_values(rn, laws, NULL, mc, NULL);
    double *g = cli_malloc(reps * sizeof *g);
    char tmp[4400];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "base_size,scores,gain_mean,gain_stderr,reps\n");
    printf("point addition: %zu of %zu candidates added to random bases (%zu repetitions, test %s)\n",
           n_add, P, reps, dv_metric_name(mo.vp.metric));
    /* The log fit's R^2 needs per-size means: a grid run's.  In a uniform run
     * nearly every sample has its own size, so the R^2 says nothing and no
     * law is filtered by it. */
    int use_r2 = dv_run_get_info(rn)->mode == DV_CARD_GRID;
    if (!use_r2)
        printf("(a uniform run has no per-size means: no law is filtered by log-fit R^2)\n");
    printf("%9s %-22s %14s %14s\n", "base size", "scores", "gain x 100", "stderr x 100");
    for (size_t s = 0; s < n_sizes; s++) {
        size_t kept = 0;
        for (size_t i = 0; i < P; i++) {
            int ok = (laws[i].status == DV_LAW_OK || laws[i].status == DV_LAW_BOUND) &&
                     (!use_r2 || laws[i].log_r2 >= min_r2);
            law[i] = ok ? laws[i].c * pow((double)sizes[s], -laws[i].alpha) : NAN;
            kept += ok;
        }
        const char *names[3] = {"scaling law at k", "Monte Carlo mean", "random"};
        const double *sc[3] = {law, mc, NULL};
        for (int m = 0; m < 3; m++) {
            if (dv_addition_gains(train, test, &mo.vp.learner, mo.vp.metric, pts, P, sc[m],
                                  (size_t)sizes[s], n_add, reps, mo.vp.seed, mo.vp.n_threads, g,
                                  &err))
                cli_die("addition: %s", err.msg);
            double mean = 0, var = 0;
            for (size_t r = 0; r < reps; r++)
                mean += g[r];
            mean /= (double)reps;
            for (size_t r = 0; r < reps; r++)
                var += (g[r] - mean) * (g[r] - mean);
            double se = sqrt(var / (double)(reps - 1) / (double)reps);
            printf("%9lld %-22s %14.4f %14.4f\n", (long long)sizes[s], names[m], 100 * mean, 100 * se);
            fprintf(f, "%lld,%s,%.17g,%.17g,%zu\n", (long long)sizes[s],
                    m == 0 ? "law" : m == 1 ? "mc_mean" : "random", mean, se, reps);
        }
        if (kept < P)
            printf("%9s (%zu of %zu laws used%s; the others ranked last)\n", "", kept, P,
                   use_r2 ? " (log-fit R^2 >= --min-r2)" : "");
    }
    cli_commit(f, tmp, out);
    fprintf(stderr, "dval: wrote %s\n", out);
    free(g);
    free(mc);
    free(law);
    free(laws);
    free(sizes);
    dv_run_free(rn);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
