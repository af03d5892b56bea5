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
    int64_t *sizes, *score_at;
    size_t n_sizes, n_score_at, n_add, reps;
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
    case 6: o->score_at = cli_int_list("--score-at", arg, &o->n_score_at); break;
    default: o->min_r2 = cli_double("--min-r2", arg); break;
    }
}

/* Each candidate's law at size k, c k^-alpha, or NaN (ranked last) for a
 * failed fit or, in a grid run, a log-fit R^2 below min_r2.  Returns the
 * number of laws used. */
static size_t law_scores(const dv_law *laws, size_t P, int64_t k, int use_r2, double min_r2,
                         double *out)
{
    size_t kept = 0;
    for (size_t i = 0; i < P; i++) {
        int ok = (laws[i].status == DV_LAW_OK || laws[i].status == DV_LAW_BOUND) &&
                 (!use_r2 || laws[i].log_r2 >= min_r2);
        out[i] = ok ? laws[i].c * pow((double)k, -laws[i].alpha) : NAN;
        kept += ok;
    }
    return kept;
}

/* The added points are class-balanced, whatever the training split's
 * shares: said once, with the shares, since it moves a base's balance. */
static void print_balance(const dv_dataset *train, size_t n_add)
{
    size_t C = dv_dataset_classes(train), n = dv_dataset_rows(train);
    if (C < 2)
        return;
    size_t *count = cli_calloc(C, sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(size_t)dv_dataset_targets(train)[i]]++;
    printf("(each addition is class-balanced, %zu per class, random ones too; the training "
           "split, where bases come from, is",
           n_add / C);
    for (size_t c = 0; c < C; c++)
        printf("%s %s: %.1f %%", c ? "," : "", dv_dataset_class_name(train, c),
               100.0 * (double)count[c] / (double)n);
    printf(")\n");
    free(count);
}

/* What one scorer's additions are measured with. */
typedef struct {
    const dv_dataset *train, *test;
    const cli_method_opts *mo;
    const int64_t *pts;
    size_t P, n_add, reps;
    double *g;  /* reps gains */
    FILE *f;    /* the CSV */
} addition_ctx;

/* Adds the n_add best by scores (random when NULL) to cx->reps random bases
 * of base_size rows; prints and writes the mean gain and its standard
 * error, and returns them in gain[0..1]. */
static void measure(const addition_ctx *cx, int64_t base_size, const char *name,
                    const char *label, const double *scores, double gain[2])
{
    dv_error err = {0};
    const dv_value_params *vp = &cx->mo->vp;
    if (dv_addition_gains(cx->train, cx->test, &vp->learner, vp->metric, cx->pts, cx->P, scores,
                          (size_t)base_size, cx->n_add, cx->reps, vp->seed, vp->n_threads, cx->g,
                          &err))
        cli_die("addition: %s", err.msg);
    double mean = 0, var = 0;
    for (size_t r = 0; r < cx->reps; r++)
        mean += cx->g[r];
    mean /= (double)cx->reps;
    for (size_t r = 0; r < cx->reps; r++)
        var += (cx->g[r] - mean) * (cx->g[r] - mean);
    double se = sqrt(var / (double)(cx->reps - 1) / (double)cx->reps);
    printf("%9lld %-22s %14.4f %14.4f\n", (long long)base_size, label, 100 * mean, 100 * se);
    fprintf(cx->f, "%lld,%s,%.17g,%.17g,%zu\n", (long long)base_size, name, mean, se, cx->reps);
    gain[0] = mean;
    gain[1] = se;
}

/* dval eval addition. */
int eval_addition(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, 0, 1},
                                         {"sizes", required_argument, 0, 2},
                                         {"add", required_argument, 0, 3},
                                         {"reps", required_argument, 0, 4},
                                         {"min-r2", required_argument, 0, 5},
                                         {"score-at", required_argument, 0, 6},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    mo.vp.metric = DV_METRIC_ACCURACY;
    const char *out = "addition.csv";
    addition_opts ao = {NULL, NULL, NULL, 0, 0, 100, 100, 0.9};
    cli_eval_parse(argc, argv, NULL, opts, &dop, &mo, &out, addition_opt, &ao);
    if (!ao.run)
        cli_die("eval addition: --from RUN_DIR (a finished sampling run) is required");
    if (!ao.sizes)
        cli_die("eval addition: --sizes LIST of base set sizes is required");
    cli_method_opts_finish(&mo);
    dv_run *rn = cli_run_open(ao.run);
    size_t P = dv_run_get_info(rn)->n_points, M = dv_run_get_info(rn)->n_samples;
    dv_dataset *train, *val, *test;
    dv_error err = {0};
    if (dv_run_check_data(rn, dop.data, &err))
        cli_die("%s", err.msg);
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (dv_run_check_split(rn, train, &err))
        cli_die("%s", err.msg);
    dv_law *laws = cli_malloc(P * sizeof *laws);
    dv_law_fit_many(dv_run_deltas(rn), dv_run_cards(rn), P, M, laws, mo.vp.n_threads);
    double *mc = cli_malloc(P * sizeof *mc), *law = cli_malloc(P * sizeof *law);
    dv_run_values(rn, laws, NULL, mc, NULL);
    char tmp[4400];
    addition_ctx cx = {train, test, &mo, dv_run_points(rn), P, ao.n_add, ao.reps,
                       cli_malloc(ao.reps * sizeof(double)), cli_open_out(out, tmp, sizeof tmp)};
    fprintf(cx.f, "base_size,scores,gain_mean,gain_stderr,reps\n");
    printf("point addition: %zu of %zu candidates added to random bases (%zu repetitions, test %s)\n",
           ao.n_add, P, ao.reps, dv_metric_name(mo.vp.metric));
    /* The log fit's R^2 needs per-size means: a grid run's.  In a uniform run
     * nearly every sample has its own size, so the R^2 says nothing and no
     * law is filtered by it. */
    int use_r2 = dv_run_get_info(rn)->mode == DV_CARD_GRID;
    if (!use_r2)
        printf("(a uniform run has no per-size means: no law is filtered by log-fit R^2)\n");
    print_balance(train, ao.n_add);
    printf("%9s %-22s %14s %14s\n", "base size", "scores", "gain x 100", "stderr x 100");
    /* Scorers: the law at the base size, the law at each --score-at size,
     * the Monte Carlo mean, random. */
    double *lawk = cli_malloc((ao.n_score_at ? ao.n_score_at : 1) * P * sizeof *lawk);
    for (size_t j = 0; j < ao.n_score_at; j++)
        law_scores(laws, P, ao.score_at[j], use_r2, ao.min_r2, lawk + j * P);
    /* gains[j]: scorer j's mean gain and standard error at the current base
     * (the law at k, each --score-at, the Monte Carlo mean, random last). */
    size_t n_scorers = ao.n_score_at + 3, n_below = 0;
    double(*gains)[2] = cli_malloc(n_scorers * sizeof *gains);
    for (size_t s = 0; s < ao.n_sizes; s++) {
        int64_t k = ao.sizes[s];
        size_t kept = law_scores(laws, P, k, use_r2, ao.min_r2, law);
        measure(&cx, k, "law", "scaling law at k", law, gains[0]);
        for (size_t j = 0; j < ao.n_score_at; j++) {
            char name[64], label[64];
            snprintf(name, sizeof name, "law_k%lld", (long long)ao.score_at[j]);
            snprintf(label, sizeof label, "scaling law at %lld", (long long)ao.score_at[j]);
            measure(&cx, k, name, label, lawk + j * P, gains[1 + j]);
        }
        measure(&cx, k, "mc_mean", "Monte Carlo mean", mc, gains[n_scorers - 2]);
        measure(&cx, k, "random", "random", NULL, gains[n_scorers - 1]);
        if (kept < P)
            printf("%9s (%zu of %zu laws used%s; the others ranked last)\n", "", kept, P,
                   use_r2 ? " (log-fit R^2 >= --min-r2)" : "");
        const double *rnd = gains[n_scorers - 1];
        for (size_t j = 0; j + 1 < n_scorers; j++)
            n_below += gains[j][0] + 2 * hypot(gains[j][1], rnd[1]) < rnd[0];
    }
    /* Why a top set can lose to random additions, said where it happens. */
    if (n_below)
        printf("(%zu scorer%s fell below random by more than 2 standard errors.  One top set of\n"
               " individually valuable points ignores how alike they are: they tend to sit in\n"
               " tight clumps, and adding many of them to a small base can lower accuracy.\n"
               " Try fewer points (--add) or larger bases; see BENCHMARKS.md, \"Point addition\".)\n",
               n_below, n_below == 1 ? "" : "s");
    free(gains);
    cli_commit(cx.f, tmp, out);
    fprintf(stderr, "dval: wrote %s\n", out);
    free(lawk);
    free(ao.score_at);
    free(cx.g);
    free(mc);
    free(law);
    free(laws);
    free(ao.sizes);
    dv_run_free(rn);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
