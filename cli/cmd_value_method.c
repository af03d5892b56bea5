/*
 * cmd_value_method.c -- `dval value --method NAME`: every training row (or
 * group) valued by one method on a data set, and --explain for influence.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
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
    "  --candidates FILE    value the rows of FILE (the data file's columns) as points\n"
    "                       added to the training data, one CSV row each (candidate,\n"
    "                       value): loo (the gain of --utility when the row is added),\n"
    "                       forgetting (minus its forgetting score while the mlp trains\n"
    "                       on the data and the row), memorization (minus the share of\n"
    "                       --max-samples seeds, default 5, for which the model fitted\n"
    "                       with the row classifies it correctly, less the share\n"
    "                       without it), ood-ensemble (the variance of the class\n"
    "                       probabilities of --max-samples models, default 10, at the\n"
    "                       row; its label is not used), ood-dropout (the variance of\n"
    "                       the probabilities of the mlp, trained with --dropout\n"
    "                       0.2 unless given, over --max-samples passes, default 50,\n"
    "                       with fresh dropout masks); tmc, beta, banzhaf, exact value\n"
    "                       the candidates as players added to the training data\n"
    "                       (Shapley of a candidate among the others; the game's U is\n"
    "                       --utility)\n"
    "  --method pairwise --points LIST   pairwise values of the training rows LIST\n"
    "                       (0-based rows of the training split): how many of a random\n"
    "                       half-subset's own rows change class when both points leave\n"
    "                       it, over --max-samples subsets (default 100); writes FILE.csv\n"
    "                       (a, b, point_a, point_b, source_a, source_b, value, stderr;\n"
    "                       a <= b) and the matrix as FILE.npy; draw with dval plot pairs\n"
    "  --price TOTAL        pay TOTAL to the points or --groups (data sources) by their\n"
    "                       values: a share proportional to each positive value, 0 to a\n"
    "                       value <= 0; adds the columns payment and payment_stderr\n"
    "                       (TOTAL x stderr / the sum of the positive values: the error\n"
    "                       of the source's own value; the sum's error is left out,\n"
    "                       which Shapley values, summing to U(all) - U(none), nearly\n"
    "                       lack when all are positive)\n"
    "  --utility NAME       with --candidates and loo or a game method: accuracy\n"
    "                       (default) on the validation rows, or boundary-mae: the\n"
    "                       share of validation rows whose predicted class moves away\n"
    "                       from the model's on the data alone.  Against a labelling\n"
    "                       rule instead of the model: accuracy with the rule's\n"
    "                       labels on a mesh as the validation file (dval synth\n"
    "                       gauss2d --mesh N), the share of the mesh where the model\n"
    "                       and the rule disagree, reduced by the candidate\n"
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

/* --method pairwise --points LIST: the pairwise value matrix. */
static void value_pairs(const cli_method_opts *mo, const dv_dataset *train, const int64_t *pts,
                        size_t m, const char *out, int quiet)
{
    if (m < 2)
        cli_die("--points: give at least 2 rows");
    size_t n = dv_dataset_rows(train), S = mo->vp.max_samples ? mo->vp.max_samples : 100;
    for (size_t a = 0; a < m; a++)
        if (pts[a] < 0 || (size_t)pts[a] >= n)
            cli_die("--points: %lld is not a row of the training split (0..%zu)",
                    (long long)pts[a], n - 1);
    size_t len = strlen(out);
    if (len < 5 || strcmp(out + len - 4, ".csv") != 0)
        cli_die("-o: the pairwise values go to a FILE.csv (and the matrix to FILE.npy)");
    double *pv = cli_malloc(m * m * sizeof *pv), *se = cli_malloc(m * m * sizeof *se);
    cli_progress prog;
    cli_progress_init(&prog, "pairwise", 0, quiet);
    dv_error err = {0};
    double t0 = dv_clock_seconds();
    if (dv_pairwise_values(train, &mo->vp.learner, pts, m, S, mo->vp.seed, pv, se,
                           mo->vp.n_threads, cli_progress_cb, &prog, &err))
        cli_die("pairwise: %s", err.msg);
    if (prog.enabled && prog.last > prog.t0)
        cli_progress_end(&prog);
    if (dv_pairwise_write(out, train, pts, m, pv, se, &err))
        cli_die("%s", err.msg);
    if (!quiet)
        fprintf(stderr, "dval: pairwise values of %zu points from %zu subsets in %.2f s; wrote %s "
                        "and %.*s.npy\n", m, S, dv_clock_seconds() - t0, out, (int)(len - 4), out);
    free(pv);
    free(se);
}

/* --candidates FILE: values of rows added to the training data. */
static void value_candidates(const char *method, int ood, const cli_method_opts *mo,
                             const cli_data_opts *dop, const dv_dataset *train,
                             const dv_dataset *val, const char *path, const char *utility,
                             const char *out, int quiet)
{
    dv_candidate_params cp;
    dv_candidate_params_default(&cp);
    cp.vp = cli_method_params(mo, mo->vp.method);
    cp.ood = strcmp(method, "ood-dropout") == 0 ? 2 : ood ? 1 : 0;
    if (utility && strcmp(utility, "boundary-mae") == 0)
        cp.boundary_mae = 1;
    else if (utility && strcmp(utility, "accuracy") != 0)
        cli_die("--utility: unknown utility '%s' (accuracy, boundary-mae)", utility);
    dv_method m = mo->vp.method;
    int game = m == DV_METHOD_TMC || m == DV_METHOD_BETA || m == DV_METHOD_BANZHAF ||
               m == DV_METHOD_EXACT_SHAPLEY;
    if (utility && (ood || (m != DV_METHOD_LOO && !game)))
        cli_die("--utility applies to loo and the game methods with --candidates");
    /* an ensemble of one-solve fits would agree with itself: mlps unless told */
    if (ood && !mo->has_learner)
        cp.vp.learner = mo->mlp_learner;
    if (cp.ood == 2 && cp.vp.learner.kind != DV_LEARNER_MLP)
        cli_die("ood-dropout needs --learner mlp (the default)");
    if (m == DV_METHOD_FORGETTING && !ood && cp.vp.learner.kind != DV_LEARNER_MLP)
        cli_die("forgetting needs a learner trained epoch by epoch (--learner mlp); %s is "
                "fitted in one solve", dv_learner_name(cp.vp.learner.kind));
    dv_csv_options co;
    dv_csv_options_default(&co);
    co.label = dop->label;
    co.drop_missing = dop->drop_missing;
    dv_dataset *cand = NULL;
    dv_error err = {0};
    if (dv_dataset_read_like(&cand, path, train, &co, &err))
        cli_die("--candidates: %s", err.msg);
    size_t nc = dv_dataset_rows(cand);
    double *v = cli_malloc((nc ? nc : 1) * sizeof *v);
    cli_progress prog;
    cli_progress_init(&prog, method, 0, quiet);
    cp.vp.progress = cli_progress_cb;
    cp.vp.progress_user = &prog;
    dv_value_info info;
    int rc = dv_value_candidates(train, val, dv_dataset_features(cand), dv_dataset_targets(cand),
                                 nc, &cp, v, &info, &err);
    if (prog.enabled && prog.last > prog.t0)
        cli_progress_end(&prog);
    if (rc)
        cli_die("--candidates: %s", err.msg);
    if (!quiet && info.converged == 0)
        fprintf(stderr, "dval: NOT converged: the %s budget ran out (largest standard error "
                        "%.3g)\n", dv_stop_rule_name(info.stop_rule), info.max_stderr);
    if (dv_candidates_write(out, nc, v, &err))
        cli_die("%s", err.msg);
    if (!quiet)
        fprintf(stderr, "dval: %s valued %zu candidates in %.2f s; wrote %s\n", method, nc,
                info.seconds, out);
    free(v);
    dv_dataset_free(cand);
}

/* Writes the values (with prices when price >= 0) and says what was done. */
static void write_values(const char *method, const cli_method_opts *mo, const cli_data_opts *dop,
                         size_t n, const double *v, const double *se, const dv_value_info *ix,
                         int groups, double price, const char *out, int quiet)
{
    dv_value_info info = *ix;
    dv_error err = {0};
    if (price >= 0) {
        double *pay = cli_malloc(n * sizeof *pay), *pse = cli_malloc(n * sizeof *pse);
        if (dv_prices(v, se, n, price, pay, pse, &err) ||
            dv_values_write_priced(out, n, v, se, pay, pse, price, &mo->vp, &info, dop->data, &err))
            cli_die("%s", err.msg);
        free(pay);
        free(pse);
    } else if (dv_values_write(out, n, v, se, &mo->vp, &info, dop->data, &err)) {
        cli_die("%s", err.msg);
    }
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
    if (!quiet && mo->vp.method == DV_METHOD_AME) {
        size_t nz = 0;
        for (size_t i = 0; i < n; i++)
            nz += v[i] != 0.0;
        if (nz == 0)
            fprintf(stderr, "dval: ame: the cross-validated Lasso kept no %s: every value is 0 "
                            "(%zu subsets carry too little signal for %zu %s; raise "
                            "--max-samples)\n",
                    groups ? "group" : "point", info.samples, n, groups ? "groups" : "points");
    }
}

int cmd_value_method(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_DATA_LONGOPTS, CLI_METHOD_LONGOPTS,
                                             {"method", required_argument, 0, 1},
                                             {"explain", required_argument, 0, 3},
                                             {"candidates", required_argument, 0, 4},
                                             {"utility", required_argument, 0, 5},
                                             {"points", required_argument, 0, 6},
                                             {"price", required_argument, 0, 7},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    const char *method = NULL, *out = "values.csv", *candidates = NULL, *utility = NULL;
    int64_t *points = NULL;
    size_t n_points = 0;
    int quiet = 0, c;
    int64_t explain = -1;
    double price = -1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        if (cli_data_opt(&dop, c, optarg) || cli_method_opt(&mo, c, optarg))
            continue;
        switch (c) {
        case 1: method = optarg; break;
        case 3: explain = cli_int("--explain", optarg, 0, INT64_MAX); break;
        case 4: candidates = optarg; break;
        case 5: utility = optarg; break;
        case 6: points = cli_index_list("--points", optarg, &n_points); break;
        case 7:
            price = cli_double("--price", optarg);
            if (!(price >= 0) || !isfinite(price))
                cli_die("--price: %s is not an amount >= 0", optarg);
            break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(VALUE_USAGE, stdout); return 0;
        default: fputs(VALUE_USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("value: unexpected argument '%s'", argv[optind]);
    if (utility && !candidates)
        cli_die("--utility goes with --candidates (the methods' own utility is --metric)");
    int ood = method && strcmp(method, "ood-ensemble") == 0;
    int mcd = method && strcmp(method, "ood-dropout") == 0;
    ood |= mcd;
    int pairwise = method && strcmp(method, "pairwise") == 0;
    if (pairwise != (points != NULL))
        cli_die(pairwise ? "--method pairwise needs --points LIST (rows of the training split)"
                         : "--points goes with --method pairwise");
    if (ood && !candidates)
        cli_die("--method %s scores rows that are not in the data: give --candidates FILE",
                method);
    if (price >= 0 && (candidates || pairwise || explain >= 0))
        cli_die("--price pays the training points or groups by their values; it does not go "
                "with --%s", candidates ? "candidates" : pairwise ? "method pairwise" : "explain");
    mo.vp.method = ood || pairwise ? DV_METHOD_RANDOM : cli_method("--method", method);
    cli_method_opts_finish(&mo);
    if (pairwise || candidates || explain >= 0)
        cli_dist_only_one(pairwise ? "--method pairwise" : candidates ? "--candidates" : "--explain");
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (pairwise) {
        value_pairs(&mo, train, points, n_points, out, quiet);
        free(points);
        dv_dataset_free(train);
        dv_dataset_free(val);
        dv_dataset_free(test);
        return 0;
    }
    if (candidates) {
        value_candidates(method, ood, &mo, &dop, train, val, candidates, utility, out, quiet);
        dv_dataset_free(train);
        dv_dataset_free(val);
        dv_dataset_free(test);
        return 0;
    }
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
    mo.vp.comm = cli_comm();
    int vrc = dv_value_compute(train, val, &mo.vp, v, se, &info, &err);
    if (prog.enabled && prog.last > prog.t0) /* a line was drawn */
        cli_progress_end(&prog);
    if (vrc)
        cli_die_method(method, err.msg);
    if (cli_rank() == 0) /* of several processes, 0 writes */
        write_values(method, &mo, &dop, n, v, se, &info, groups != NULL, price, out, quiet);
    free(v);
    free(se);
    free(groups);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
