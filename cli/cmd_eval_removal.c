/*
 * cmd_eval_removal.c -- `dval eval removal`: the test metric as the highest-
 * and the lowest-valued training points are removed.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <math.h>

#include <getopt.h>
#include <stdlib.h>

typedef struct {
    const char *method;
    double bin, max_frac;
} removal_opts;

static void removal_opt(void *ctx, int c, const char *arg)
{
    removal_opts *o = ctx;
    if (c == 1)
        o->method = arg;
    else if (c == 2)
        o->bin = cli_double("--bin", arg);
    else
        o->max_frac = cli_double("--max-fraction", arg);
}

/* dval eval removal. */
int eval_removal(int argc, char **argv)
{
    static const struct option opts[] = {{"method", required_argument, 0, 1},
                                         {"bin", required_argument, 0, 2},
                                         {"max-fraction", required_argument, 0, 3},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    mo.vp.metric = (dv_metric)-2; /* unset: accuracy for classification */
    const char *out = "removal.csv";
    removal_opts ro = {NULL, 0.05, 0.5};
    cli_eval_parse(argc, argv, NULL, opts, &dop, &mo, &out, removal_opt, &ro);
    const char *method = ro.method;
    double bin_frac = ro.bin, max_frac = ro.max_frac;
    dv_method m = cli_method("--method", method);
    if (!(bin_frac > 0 && bin_frac < 1) || !(max_frac > 0 && max_frac < 1))
        cli_die("--bin and --max-fraction must be in (0, 1)");
    if (mo.groups_file)
        cli_die("eval removal values single points; --groups does not apply");
    mo.vp.method = m;
    dv_metric score_metric = mo.vp.metric;
    if ((int)score_metric == -2)
        mo.vp.metric = DV_METRIC_DEFAULT;
    cli_method_opts_finish(&mo);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if ((int)score_metric == -2)
        score_metric = dv_dataset_task(train) == DV_TASK_CLASSIFICATION ? DV_METRIC_ACCURACY
                                                                        : DV_METRIC_NEG_MSE;
    size_t n = dv_dataset_rows(train);
    size_t bin = (size_t)(bin_frac * (double)n + 0.5);
    if (bin < 1)
        bin = 1;
    size_t steps = (size_t)(max_frac * (double)n) / bin;
    double *v = cli_malloc(n * sizeof *v), *hi = cli_malloc((steps + 1) * sizeof *hi),
           *lo = cli_malloc((steps + 1) * sizeof *lo);
    dv_value_info info;
    dv_error err = {0};
    if (dv_value_compute(train, val, &mo.vp, v, NULL, &info, &err))
        cli_die_method(method, err.msg);
    if (dv_removal_curve(train, test, &mo.vp.learner, score_metric, v, bin, steps, hi, lo, &err))
        cli_die("removal: %s", err.msg);
    /* The reference of the figure: the accuracy of always predicting the
     * training split's most frequent class. */
    double majority = NAN;
    if (dv_dataset_task(train) == DV_TASK_CLASSIFICATION && score_metric == DV_METRIC_ACCURACY &&
        dv_dataset_rows(test) > 0) {
        size_t C = dv_dataset_classes(train), best = 0, hits = 0;
        size_t *count = cli_calloc(C ? C : 1, sizeof *count);
        const double *y = dv_dataset_targets(train), *yt = dv_dataset_targets(test);
        for (size_t i = 0; i < n; i++)
            count[(size_t)y[i]]++;
        for (size_t c = 1; c < C; c++)
            if (count[c] > count[best])
                best = c;
        for (size_t i = 0; i < dv_dataset_rows(test); i++)
            hits += (size_t)yt[i] == best;
        majority = (double)hits / (double)dv_dataset_rows(test);
        free(count);
    }
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "step,removed,fraction,high,low%s\n", isfinite(majority) ? ",majority" : "");
    printf("point removal by %s values (%zu training points, bins of %zu, test %s)\n", method, n,
           bin, dv_metric_name(score_metric));
    printf("%5s %8s %9s %14s %14s\n", "step", "removed", "fraction", "highest gone", "lowest gone");
    for (size_t s = 0; s <= steps; s++) {
        fprintf(f, "%zu,%zu,%.17g,%.17g,%.17g", s, s * bin, (double)(s * bin) / (double)n, hi[s],
                lo[s]);
        if (isfinite(majority))
            fprintf(f, ",%.17g", majority);
        fputc('\n', f);
        printf("%5zu %8zu %9.3f %14.4f %14.4f\n", s, s * bin, (double)(s * bin) / (double)n, hi[s],
               lo[s]);
    }
    if (isfinite(majority))
        printf("always predicting the majority class: %.4f\n", majority);
    cli_commit(f, tmp, out);
    fprintf(stderr, "dval: wrote %s\n", out);
    free(v);
    free(hi);
    free(lo);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
