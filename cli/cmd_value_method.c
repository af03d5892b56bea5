/*
 * cmd_value_method.c -- `dval value --method NAME`: every training row (or
 * group) valued by one method on a data set, and --explain for influence.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *VALUE_USAGE =
    "usage: dval value --method NAME --data FILE [-o FILE.csv] [options]\n"
    "\n"
    "Values every training row (or group) with one method and writes a CSV (point or\n"
    "group, value, stderr, samples; default values.csv) and a JSON of the settings,\n"
    "timing and stopping rule beside it (FILE.json).  Higher values are more\n"
    "valuable for every method.\n"
    "\n"
    CLI_METHODS_HELP
    "\n"
    "  --explain ROW        with --method influence: explain test row ROW's prediction\n"
    "                       (which training points pushed it, by how much; CSV)\n"
    "\n" CLI_METHOD_HELP "\n" CLI_DATA_HELP;

typedef struct {
    double v;
    size_t i;
} ranked_point;

static int by_influence(const void *a, const void *b)
{
    const ranked_point *x = a, *y = b;
    if (x->v > y->v)
        return -1;
    if (x->v < y->v)
        return 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* --explain ROW: which training points pushed test row ROW's prediction. */
static void explain_row(const dv_dataset *train, const dv_dataset *test,
                        const dv_learner_params *lp, int64_t row, const char *out, int quiet)
{
    if ((size_t)row >= dv_dataset_rows(test))
        cli_die("--explain: row %lld is not a row of the test split (0..%zu)", (long long)row,
                dv_dataset_rows(test) - 1);
    size_t n = dv_dataset_rows(train), d = dv_dataset_cols(train);
    double *v = cli_malloc(n * sizeof *v);
    dv_error err = {0};
    double y = dv_dataset_targets(test)[row];
    if (dv_influence_explain(train, lp, dv_dataset_features(test) + (size_t)row * d, y, v, &err))
        cli_die("influence: %s", err.msg);
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "point,source_row,influence\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%zu,%lld,%.17g\n", i, (long long)dv_dataset_source_rows(train)[i], v[i]);
    cli_commit(f, tmp, out);
    if (!quiet) {
        ranked_point *r = cli_malloc(n * sizeof *r);
        for (size_t i = 0; i < n; i++)
            r[i] = (ranked_point){v[i], i};
        qsort(r, n, sizeof *r, by_influence);
        int clf = dv_dataset_task(train) == DV_TASK_CLASSIFICATION;
        printf("test row %lld (source row %lld, label %s): training points whose removal would\n"
               "raise (helped) or lower (hurt) its loss the most\n",
               (long long)row, (long long)dv_dataset_source_rows(test)[row],
               clf ? dv_dataset_class_name(train, (size_t)y) : "-");
        printf("%8s %10s %8s %14s\n", "point", "source", "label", "influence");
        size_t k = n < 10 ? n : 10;
        for (size_t t = 0; t < 2 * k; t++) {
            size_t i = t < k ? r[t].i : r[n - 2 * k + t].i;
            if (t == k)
                printf("%8s\n", "...");
            double yi = dv_dataset_targets(train)[i];
            printf("%8zu %10lld %8s %14.6e\n", i, (long long)dv_dataset_source_rows(train)[i],
                   clf ? dv_dataset_class_name(train, (size_t)yi) : "-", v[i]);
        }
        free(r);
        fprintf(stderr, "dval: wrote %s\n", out);
    }
    free(v);
}

int cmd_value_method(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_DATA_LONGOPTS, CLI_METHOD_LONGOPTS,
                                             {"method", required_argument, 0, 1},
                                             {"explain", required_argument, 0, 3},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    const char *method = NULL, *out = "values.csv";
    int quiet = 0, c;
    int64_t explain = -1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        if (cli_data_opt(&dop, c, optarg) || cli_method_opt(&mo, c, optarg))
            continue;
        switch (c) {
        case 1: method = optarg; break;
        case 3: explain = cli_int("--explain", optarg, 0, INT64_MAX); break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(VALUE_USAGE, stdout); return 0;
        default: fputs(VALUE_USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("value: unexpected argument '%s'", argv[optind]);
    mo.vp.method = cli_method("--method", method);
    cli_method_opts_finish(&mo);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (explain >= 0) {
        if (mo.vp.method != DV_METHOD_INFLUENCE)
            cli_die("--explain needs --method influence");
        explain_row(train, test, &mo.vp.learner, explain, out, quiet);
        dv_dataset_free(train);
        dv_dataset_free(val);
        dv_dataset_free(test);
        return 0;
    }
    size_t n_groups = 0;
    int64_t *groups = mo.groups_file ? cli_read_groups(mo.groups_file, train, &n_groups) : NULL;
    mo.vp.groups = groups;
    mo.vp.n_groups = n_groups;
    size_t n = groups ? n_groups : dv_dataset_rows(train);
    double *v = cli_malloc(n * sizeof *v), *se = cli_malloc(n * sizeof *se);
    dv_value_info info;
    dv_error err = {0};
    cli_progress prog;
    cli_progress_init(&prog, method, 0, quiet);
    mo.vp.progress = cli_progress_cb;
    mo.vp.progress_user = &prog;
    int vrc = dv_value_compute(train, val, &mo.vp, v, se, &info, &err);
    if (prog.enabled && prog.last > prog.t0) /* a line was drawn */
        cli_progress_end(&prog);
    if (vrc)
        cli_die_method(method, err.msg);
    if (dv_values_write(out, n, v, se, &mo.vp, &info, dop.data, &err))
        cli_die("%s", err.msg);
    if (!quiet && info.stop_rule == DV_STOP_DONE) /* exact or not sampled: no rule */
        fprintf(stderr, "dval: %s valued %zu %s in %.2f s; wrote %s\n", method, n,
                groups ? "groups" : "points", info.seconds, out);
    else if (!quiet)
        fprintf(stderr, "dval: %s valued %zu %s in %.2f s (%zu samples, stopped by %s at %.4g); wrote %s\n",
                method, n, groups ? "groups" : "points", info.seconds, info.samples,
                dv_stop_rule_name(info.stop_rule), info.stop_level, out);
    if (!quiet) {
        if (info.converged == 0)
            fprintf(stderr, "dval: NOT converged: the %s budget ran out before the values were "
                            "resolved (largest standard error %.3g, standard deviation of the "
                            "values %.3g); raise --max-samples or --max-seconds, or treat the "
                            "values as rough\n",
                    dv_stop_rule_name(info.stop_rule), info.max_stderr, info.value_sd);
    }
    if (!quiet && mo.vp.method == DV_METHOD_AME) {
        size_t nz = 0;
        for (size_t i = 0; i < n; i++)
            nz += v[i] != 0.0;
        if (nz == 0)
            fprintf(stderr, "dval: ame: the cross-validated Lasso kept no %s: every value is 0 "
                            "(%zu subsets carry too little signal for %zu %s; raise "
                            "--max-samples)\n",
                    groups ? "group" : "point", info.samples, n, groups ? "groups" : "points");
    }
    free(v);
    free(se);
    free(groups);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
