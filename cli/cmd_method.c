/*
 * cmd_method.c -- `dval value --method NAME` (every valuation method on a
 * data set) and `dval eval noisy` (how well methods find flipped labels),
 * removal and addition; `dval eval estimators` is in cmd_estimators.c.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CLI_METHOD_HELP                                                                     \
    "Method options:\n"                                                                     \
    "  --learner NAME       logreg (default), ridge, ols, tree\n"                           \
    "  --C X, --lambda X    learner regularization (defaults 1)\n"                          \
    "  --tol X              logreg: converged when the gradient norm <= X max(1, its\n"   \
    "                       norm at 0) (default 1e-10; larger is faster, less exact)\n"    \
    "  --max-depth N, --min-leaf N, --max-features N   tree settings\n"                     \
    "  --metric NAME        utility on the validation split (as in dval sample)\n"          \
    "  --seed S, --threads T\n"                                                             \
    "  --max-samples N      budget of permutations/subsets/models (default 1000)\n"         \
    "  --min-samples N      samples before a stopping rule may apply (default 100)\n"       \
    "  --max-seconds X      time budget (default none)\n"                                   \
    "  --rhat X             stop when Gelman-Rubin R-hat <= X over --chains chains\n"       \
    "                       (permutation methods; default 1.05, 0 = off)\n"                 \
    "  --chains N           chains for R-hat (default 4)\n"                                 \
    "  --stderr X           stop when every standard error <= X\n"                          \
    "  --rank-tol X         stop when the Spearman correlation of successive checks\n"      \
    "                       >= 1 - X\n"                                                     \
    "  --check-every N      samples between checks (default 50)\n"                          \
    "  --truncation X       tmc: relative truncation tolerance (default 0.01, 0 = off)\n"   \
    "  --beta-a X, --beta-b X   beta: Beta(alpha, beta) weights (default 4, 1)\n"           \
    "  --k N                knn: neighbours (default 10)\n"                                 \
    "  --entreg X           lava: entropic regularization, relative to the mean cost (0.1)\n" \
    "  --groups FILE        value groups: one integer group per training row\n"

#define CLI_METHOD_LONGOPTS                                                 \
    {"learner", required_argument, 0, 2000}, {"C", required_argument, 0, 2001},           \
    {"lambda", required_argument, 0, 2002},  {"max-depth", required_argument, 0, 2003},   \
    {"min-leaf", required_argument, 0, 2004}, {"max-features", required_argument, 0, 2005}, \
    {"metric", required_argument, 0, 2006},  {"seed", required_argument, 0, 2007},        \
    {"threads", required_argument, 0, 2008}, {"max-samples", required_argument, 0, 2009}, \
    {"min-samples", required_argument, 0, 2010}, {"max-seconds", required_argument, 0, 2011}, \
    {"rhat", required_argument, 0, 2012},    {"chains", required_argument, 0, 2013},      \
    {"stderr", required_argument, 0, 2014},  {"rank-tol", required_argument, 0, 2015},    \
    {"check-every", required_argument, 0, 2016}, {"truncation", required_argument, 0, 2017}, \
    {"beta-a", required_argument, 0, 2018},  {"beta-b", required_argument, 0, 2019},      \
    {"k", required_argument, 0, 2020},       {"groups", required_argument, 0, 2021},       \
    {"entreg", required_argument, 0, 2022},  {"tol", required_argument, 0, 2023}

typedef struct {
    dv_value_params vp;
    const char *learner, *groups_file;
    int has_C, has_lambda, has_tol;
    double C, lambda, tol;
    int max_depth, min_leaf, max_features;
} method_opts;

/* Dies with a method's error, naming the method unless the message does. */
static void die_method(const char *method, const char *msg) __attribute__((noreturn));
static void die_method(const char *method, const char *msg)
{
    size_t k = strlen(method);
    if (strncmp(msg, method, k) == 0 && msg[k] == ':')
        cli_die("%s", msg);
    cli_die("%s: %s", method, msg);
}

static void method_opts_default(method_opts *o)
{
    memset(o, 0, sizeof *o);
    dv_value_params_default(&o->vp, DV_METHOD_TMC);
    o->learner = "logreg";
    o->min_leaf = 1;
}

static int method_opt(method_opts *o, int c, const char *arg)
{
    dv_value_params *p = &o->vp;
    switch (c) {
    case 2000: o->learner = arg; return 1;
    case 2001: o->C = cli_double("--C", arg); o->has_C = 1; return 1;
    case 2002: o->lambda = cli_double("--lambda", arg); o->has_lambda = 1; return 1;
    case 2023: o->tol = cli_double("--tol", arg); o->has_tol = 1; return 1;
    case 2003: o->max_depth = (int)cli_int("--max-depth", arg, 0, 1000); return 1;
    case 2004: o->min_leaf = (int)cli_int("--min-leaf", arg, 1, INT32_MAX); return 1;
    case 2005: o->max_features = (int)cli_int("--max-features", arg, 0, INT32_MAX); return 1;
    case 2006:
        if (dv_metric_from_name(arg, &p->metric))
            cli_die("--metric: unknown metric '%s' (neg_logloss, accuracy, neg_mse, r2)", arg);
        return 1;
    case 2007: p->seed = cli_u64("--seed", arg); return 1;
    case 2008: p->n_threads = (int)cli_int("--threads", arg, 1, 4096); return 1;
    case 2009: p->max_samples = (size_t)cli_int("--max-samples", arg, 1, INT64_MAX); return 1;
    case 2010: p->min_samples = (size_t)cli_int("--min-samples", arg, 0, INT64_MAX); return 1;
    case 2011: p->max_seconds = cli_double("--max-seconds", arg); return 1;
    case 2012: p->rhat = cli_double("--rhat", arg); return 1;
    case 2013: p->chains = (size_t)cli_int("--chains", arg, 2, 64); return 1;
    case 2014: p->stderr_tol = cli_double("--stderr", arg); return 1;
    case 2015: p->rank_tol = cli_double("--rank-tol", arg); return 1;
    case 2016: p->check_every = (size_t)cli_int("--check-every", arg, 1, INT64_MAX); return 1;
    case 2017: p->truncation = cli_double("--truncation", arg); return 1;
    case 2018: p->beta_a = cli_double("--beta-a", arg); return 1;
    case 2019: p->beta_b = cli_double("--beta-b", arg); return 1;
    case 2020: p->knn_k = (size_t)cli_int("--k", arg, 1, INT64_MAX); return 1;
    case 2021: o->groups_file = arg; return 1;
    case 2022: p->lava_entreg = cli_double("--entreg", arg); return 1;
    }
    return 0;
}

/* Completes the learner settings; dies on invalid ones. */
static void method_opts_finish(method_opts *o)
{
    dv_learner_kind kind;
    if (dv_learner_from_name(o->learner, &kind))
        cli_die("--learner: unknown learner '%s' (logreg, ridge, ols, tree)", o->learner);
    dv_learner_params_default(&o->vp.learner, kind);
    if (o->has_C)
        o->vp.learner.C = o->C;
    if (o->has_lambda)
        o->vp.learner.lambda = o->lambda;
    if (o->has_tol)
        o->vp.learner.tol = o->tol;
    o->vp.learner.max_depth = o->max_depth;
    o->vp.learner.min_leaf = o->min_leaf;
    o->vp.learner.max_features = o->max_features;
    o->vp.learner.seed = o->vp.seed;
    const char *why = dv_learner_params_check(&o->vp.learner);
    if (why)
        cli_die("learner %s: %s", o->learner, why);
    if (o->vp.max_seconds < 0 || o->vp.rhat < 0 || o->vp.stderr_tol < 0 || o->vp.rank_tol < 0 ||
        o->vp.truncation < 0)
        cli_die("stopping tolerances and budgets must not be negative");
}

/* Reads one integer group per training row (by source row order of the
 * training split: the file lists groups for the rows of the data file). */
static int64_t *read_groups(const char *path, const dv_dataset *train, size_t *n_groups)
{
    char *text = cli_slurp(path);
    if (!text)
        cli_die("%s: cannot read groups file", path);
    size_t cap = 1024, n = 0;
    int64_t *all = malloc(cap * sizeof *all);
    long line = 1;
    for (char *p = text; *p;) {
        if (*p == '\n') {
            line++;
            p++;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',') {
            p++;
            continue;
        }
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0)
            cli_die("%s:%ld: expected a non-negative group number, found '%.20s'", path, line, p);
        if (n == cap)
            all = realloc(all, (cap *= 2) * sizeof *all);
        all[n++] = v;
        p = end;
    }
    free(text);
    /* Map the file's rows to the training split, renumber groups densely. */
    size_t nt = dv_dataset_rows(train);
    const int64_t *src = dv_dataset_source_rows(train);
    int64_t *g = malloc(nt * sizeof *g);
    int64_t maxg = -1;
    for (size_t i = 0; i < nt; i++) {
        if ((size_t)src[i] >= n)
            cli_die("%s: has %zu groups but the data file has row %lld", path, n,
                    (long long)src[i] + 1);
        g[i] = all[src[i]];
        if (g[i] > maxg)
            maxg = g[i];
    }
    int64_t *map = malloc((size_t)(maxg + 1) * sizeof *map);
    for (int64_t k = 0; k <= maxg; k++)
        map[k] = -1;
    size_t ng = 0;
    for (size_t i = 0; i < nt; i++)
        if (map[g[i]] < 0)
            map[g[i]] = (int64_t)ng++;
    for (size_t i = 0; i < nt; i++)
        g[i] = map[g[i]];
    free(map);
    free(all);
    *n_groups = ng;
    return g;
}

static const char *VALUE_USAGE =
    "usage: dval value --method NAME --data FILE [-o FILE.csv] [options]\n"
    "\n"
    "Values every training row (or group) with one method and writes a CSV (point or\n"
    "group, value, stderr, samples; default values.csv) and a JSON of the settings,\n"
    "timing and stopping rule beside it (FILE.json).  Higher values are more\n"
    "valuable for every method.\n"
    "\n"
    "Methods: loo, exact (Shapley by enumeration, <= 24 players), exact-banzhaf,\n"
    "tmc (truncated Monte Carlo Data Shapley), beta (Beta Shapley), banzhaf (Data\n"
    "Banzhaf, maximum sample reuse), knn (exact KNN-Shapley), oob (Data-OOB),\n"
    "influence, lava, cg (CG score), random; and distributional (with --from\n"
    "RUN_DIR: the Monte Carlo mean of a sampling run).  Not every method is in every\n"
    "build; an unavailable one is reported as such.\n"
    "\n"
    "  --explain ROW        with --method influence: explain test row ROW's prediction\n"
    "                       (which training points pushed it, by how much; CSV)\n"
    "\n" CLI_METHOD_HELP "\n" CLI_DATA_HELP;

static void write_values(const char *out, const dv_dataset *train, const int64_t *groups,
                         size_t n_groups, const double *v, const double *se, size_t samples,
                         const dv_value_params *p, const dv_value_info *info, const char *data)
{
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    size_t n = groups ? n_groups : dv_dataset_rows(train);
    fprintf(f, "%s,value,stderr,samples\n", groups ? "group" : "point");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%zu,%.17g,", i, v[i]);
        if (isfinite(se[i]))
            fprintf(f, "%.17g", se[i]);
        fprintf(f, ",%zu\n", samples);
    }
    cli_commit(f, tmp, out);
    char jpath[4300], jtmp[4400];
    snprintf(jpath, sizeof jpath, "%s.json", out);
    f = cli_open_out(jpath, jtmp, sizeof jtmp);
    fprintf(f, "{\n  \"method\": \"%s\",\n  \"data\": ", dv_method_name(p->method));
    cli_json_string(f, data);
    fprintf(f, ",\n  \"learner\": \"%s\",\n  \"metric\": \"%s\",\n  \"seed\": %llu,\n",
            dv_learner_name(p->learner.kind), dv_metric_name(p->metric),
            (unsigned long long)p->seed);
    fprintf(f, "  \"C\": %.17g,\n  \"lambda\": %.17g,\n  \"tol\": %.17g,\n  \"max_iter\": %d,\n",
            p->learner.C, p->learner.lambda, p->learner.tol, p->learner.max_iter);
    fprintf(f, "  \"max_samples\": %zu,\n  \"min_samples\": %zu,\n  \"max_seconds\": %.17g,\n",
            p->max_samples, p->min_samples, p->max_seconds);
    fprintf(f, "  \"rhat\": %.17g,\n  \"chains\": %zu,\n  \"stderr\": %.17g,\n  \"rank_tol\": %.17g,\n",
            p->rhat, p->chains, p->stderr_tol, p->rank_tol);
    fprintf(f, "  \"truncation\": %.17g,\n  \"beta\": [%.17g, %.17g],\n  \"knn_k\": %zu,\n",
            p->truncation, p->beta_a, p->beta_b, p->knn_k);
    fprintf(f, "  \"groups\": %zu,\n", groups ? n_groups : (size_t)0);
    fprintf(f, "  \"samples\": %zu,\n  \"utility_calls\": %zu,\n  \"seconds\": %.6f,\n",
            info->samples, info->utility_calls, info->seconds);
    fprintf(f, "  \"stopped_by\": \"%s\",\n  \"stop_level\": %.17g\n}\n",
            dv_stop_rule_name(info->stop_rule), isfinite(info->stop_level) ? info->stop_level : 0.0);
    cli_commit(f, jtmp, jpath);
}

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
    double *v = malloc(n * sizeof *v);
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
        ranked_point *r = malloc(n * sizeof *r);
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
    method_opts mo;
    method_opts_default(&mo);
    const char *method = NULL, *out = "values.csv";
    int quiet = 0, c;
    int64_t explain = -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        if (cli_data_opt(&dop, c, optarg) || method_opt(&mo, c, optarg))
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
    dv_method m;
    if (!method || dv_method_from_name(method, &m))
        cli_die("--method: unknown method '%s' (see dval value --help)", method ? method : "");
    mo.vp.method = m;
    method_opts_finish(&mo);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (explain >= 0) {
        if (m != DV_METHOD_INFLUENCE)
            cli_die("--explain needs --method influence");
        explain_row(train, test, &mo.vp.learner, explain, out, quiet);
        dv_dataset_free(train);
        dv_dataset_free(val);
        dv_dataset_free(test);
        return 0;
    }
    size_t n_groups = 0;
    int64_t *groups = mo.groups_file ? read_groups(mo.groups_file, train, &n_groups) : NULL;
    mo.vp.groups = groups;
    mo.vp.n_groups = n_groups;
    size_t n = groups ? n_groups : dv_dataset_rows(train);
    double *v = malloc(n * sizeof *v), *se = malloc(n * sizeof *se);
    dv_value_info info;
    dv_error err = {0};
    if (dv_value_compute(train, val, &mo.vp, v, se, &info, &err))
        die_method(method, err.msg);
    write_values(out, train, groups, n_groups, v, se, info.samples, &mo.vp, &info, dop.data);
    if (!quiet)
        fprintf(stderr, "dval: %s valued %zu %s in %.2f s (%zu samples, stopped by %s at %.4g); wrote %s\n",
                method, n, groups ? "groups" : "points", info.seconds, info.samples,
                dv_stop_rule_name(info.stop_rule), info.stop_level, out);
    free(v);
    free(se);
    free(groups);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}

static const char *EVAL_USAGE =
    "usage: dval eval noisy --data FILE --methods LIST [--rho X] [-o FILE.csv]\n"
    "                       [--values-out FILE.csv] [options]\n"
    "       dval eval removal --data FILE --method NAME [--bin X] [--max-fraction X] [-o FILE.csv]\n"
    "       dval eval addition --from RUN_DIR --data FILE --sizes LIST [--add N] [--reps N]\n"
    "       dval eval estimators RUN_DIR [--truth DIR] [--budgets LIST]   (see its --help)\n"
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
    "sets of k other training rows, scored by the scaling law c k^-alpha (laws with a\n"
    "log-fit R^2 below --min-r2, default 0.9, rank last), by the Monte Carlo mean, and\n"
    "at random, and reports the mean gain of the test metric (default accuracy) over\n"
    "--reps repetitions with its standard error.  Give the run's data and split options.\n"
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
    "\n" CLI_METHOD_HELP "\n" CLI_DATA_HELP;

static const char *EVAL_USAGE;

/* Parses an eval task's options: the data and method options, -o and
 * --help, plus the task's own (task_opts, codes 1..31) handed to
 * task_opt.  Exits after --help (0), on unknown options (2) and on stray
 * arguments. */
typedef void (*task_opt_fn)(void *ctx, int c, const char *arg);

static void eval_parse(int argc, char **argv, const struct option *task_opts,
                       cli_data_opts *dop, method_opts *mo, const char **out, task_opt_fn task_opt,
                       void *ctx)
{
    static const struct option common[] = {CLI_DATA_LONGOPTS, CLI_METHOD_LONGOPTS,
                                           {"out", required_argument, 0, 'o'},
                                           {"help", no_argument, 0, 'h'}};
    size_t nt = 0, nc = sizeof common / sizeof common[0];
    while (task_opts[nt].name)
        nt++;
    struct option *all = malloc((nc + nt + 1) * sizeof *all);
    if (!all)
        cli_die("out of memory");
    memcpy(all, common, nc * sizeof *all);
    memcpy(all + nc, task_opts, (nt + 1) * sizeof *all);
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "o:h", all, NULL)) != -1) {
        if (cli_data_opt(dop, c, optarg) || method_opt(mo, c, optarg))
            continue;
        if (c == 'o')
            *out = optarg;
        else if (c == 'h') {
            fputs(EVAL_USAGE, stdout);
            exit(0);
        } else if (c > 0 && c < 32) /* task codes; getopt's '?' and ':' are above */
            task_opt(ctx, c, optarg);
        else {
            fputs(EVAL_USAGE, stderr);
            exit(2);
        }
    }
    free(all);
    if (optind < argc)
        cli_die("eval: unexpected argument '%s'", argv[optind]);
}

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
static int eval_removal(int argc, char **argv)
{
    static const struct option opts[] = {{"method", required_argument, 0, 1},
                                         {"bin", required_argument, 0, 2},
                                         {"max-fraction", required_argument, 0, 3},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    method_opts mo;
    method_opts_default(&mo);
    mo.vp.metric = (dv_metric)-2; /* unset: accuracy for classification */
    const char *out = "removal.csv";
    removal_opts ro = {NULL, 0.05, 0.5};
    eval_parse(argc, argv, opts, &dop, &mo, &out, removal_opt, &ro);
    const char *method = ro.method;
    double bin_frac = ro.bin, max_frac = ro.max_frac;
    dv_method m;
    if (!method || dv_method_from_name(method, &m))
        cli_die("eval removal: --method: unknown method '%s'", method ? method : "");
    if (!(bin_frac > 0 && bin_frac < 1) || !(max_frac > 0 && max_frac < 1))
        cli_die("--bin and --max-fraction must be in (0, 1)");
    if (mo.groups_file)
        cli_die("eval removal values single points; --groups does not apply");
    mo.vp.method = m;
    dv_metric score_metric = mo.vp.metric;
    if ((int)score_metric == -2)
        mo.vp.metric = DV_METRIC_DEFAULT;
    method_opts_finish(&mo);
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
    double *v = malloc(n * sizeof *v), *hi = malloc((steps + 1) * sizeof *hi),
           *lo = malloc((steps + 1) * sizeof *lo);
    dv_value_info info;
    dv_error err = {0};
    if (dv_value_compute(train, val, &mo.vp, v, NULL, &info, &err))
        die_method(method, err.msg);
    if (dv_removal_curve(train, test, &mo.vp.learner, score_metric, v, bin, steps, hi, lo, &err))
        cli_die("removal: %s", err.msg);
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "step,removed,fraction,high,low\n");
    printf("point removal by %s values (%zu training points, bins of %zu, test %s)\n", method, n,
           bin, dv_metric_name(score_metric));
    printf("%5s %8s %9s %14s %14s\n", "step", "removed", "fraction", "highest gone", "lowest gone");
    for (size_t s = 0; s <= steps; s++) {
        fprintf(f, "%zu,%zu,%.17g,%.17g,%.17g\n", s, s * bin, (double)(s * bin) / (double)n, hi[s],
                lo[s]);
        printf("%5zu %8zu %9.3f %14.4f %14.4f\n", s, s * bin, (double)(s * bin) / (double)n, hi[s],
               lo[s]);
    }
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
static int eval_addition(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, 0, 1},
                                         {"sizes", required_argument, 0, 2},
                                         {"add", required_argument, 0, 3},
                                         {"reps", required_argument, 0, 4},
                                         {"min-r2", required_argument, 0, 5},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    method_opts mo;
    method_opts_default(&mo);
    mo.vp.metric = DV_METRIC_ACCURACY;
    const char *out = "addition.csv";
    addition_opts ao = {NULL, NULL, 0, 100, 100, 0.9};
    eval_parse(argc, argv, opts, &dop, &mo, &out, addition_opt, &ao);
    const char *run = ao.run;
    int64_t *sizes = ao.sizes;
    size_t n_sizes = ao.n_sizes, n_add = ao.n_add, reps = ao.reps;
    double min_r2 = ao.min_r2;
    if (!run)
        cli_die("eval addition: --from RUN_DIR (a finished sampling run) is required");
    if (!sizes)
        cli_die("eval addition: --sizes LIST of base set sizes is required");
    method_opts_finish(&mo);
    char path[4300];
    snprintf(path, sizeof path, "%s/run.json", run);
    char *manifest = cli_slurp(path);
    double n_train_run;
    if (!manifest || !cli_json_number(manifest, "n_train", &n_train_run))
        cli_die("%s: cannot read the run's manifest", path);
    free(manifest);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if ((double)dv_dataset_rows(train) != n_train_run)
        cli_die("the data options give %zu training rows, the run had %.0f: use the run's data "
                "and split options", dv_dataset_rows(train), n_train_run);
    double *D;
    int32_t *K;
    int64_t *pts;
    size_t P, M, P2, M2, cols;
    dv_error err = {0};
    snprintf(path, sizeof path, "%s/deltas.npy", run);
    if (dv_npy_read(path, DV_F64, (void **)&D, &P, &M, &err))
        cli_die("%s", err.msg);
    snprintf(path, sizeof path, "%s/cards.npy", run);
    if (dv_npy_read(path, DV_I32, (void **)&K, &P2, &M2, &err))
        cli_die("%s", err.msg);
    snprintf(path, sizeof path, "%s/points.npy", run);
    if (dv_npy_read(path, DV_I64, (void **)&pts, &P2, &cols, &err))
        cli_die("%s", err.msg);
    dv_law *laws = malloc(P * sizeof *laws);
    dv_law_fit_many(D, K, P, M, laws, mo.vp.n_threads);
    double *mc = malloc(P * sizeof *mc), *law = malloc(P * sizeof *law);
    for (size_t i = 0; i < P; i++) {
        double s = 0;
        for (size_t j = 0; j < M; j++)
            s += D[i * M + j];
        mc[i] = s / (double)M;
    }
    double *g = malloc(reps * sizeof *g);
    char tmp[4400];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "base_size,scores,gain_mean,gain_stderr,reps\n");
    printf("point addition: %zu of %zu candidates added to random bases (%zu repetitions, test %s)\n",
           n_add, P, reps, dv_metric_name(mo.vp.metric));
    printf("%9s %-22s %14s %14s\n", "base size", "scores", "gain x 100", "stderr x 100");
    for (size_t s = 0; s < n_sizes; s++) {
        size_t kept = 0;
        for (size_t i = 0; i < P; i++) {
            int ok = (laws[i].status == DV_LAW_OK || laws[i].status == DV_LAW_BOUND) &&
                     laws[i].log_r2 >= min_r2;
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
            printf("%9s (%zu of %zu laws with log-fit R^2 >= %g used; the others ranked last)\n", "",
                   kept, P, min_r2);
    }
    cli_commit(f, tmp, out);
    fprintf(stderr, "dval: wrote %s\n", out);
    free(g);
    free(mc);
    free(law);
    free(laws);
    free(sizes);
    dv_free(D);
    dv_free(K);
    dv_free(pts);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}

typedef struct {
    const char *methods;
    double rho;
    uint64_t noise_seed;
    int noisy_val;
    const char *values_out;
} noisy_opts;

static void noisy_opt(void *ctx, int c, const char *arg)
{
    noisy_opts *o = ctx;
    switch (c) {
    case 1: o->methods = arg; break;
    case 2: o->rho = cli_double("--rho", arg); break;
    case 3: o->noise_seed = cli_u64("--noise-seed", arg); break;
    case 4: o->noisy_val = 1; break;
    default: o->values_out = arg; break;
    }
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
    if (strcmp(argv[1], "noisy") != 0)
        cli_die("eval: unknown task '%s' (noisy, removal, addition, estimators)", argv[1]);
    static const struct option opts[] = {{"methods", required_argument, 0, 1},
                                         {"rho", required_argument, 0, 2},
                                         {"noise-seed", required_argument, 0, 3},
                                         {"noisy-val", no_argument, 0, 4},
                                         {"values-out", required_argument, 0, 5},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    method_opts mo;
    method_opts_default(&mo);
    const char *out = "noisy.csv";
    noisy_opts no = {NULL, 0.2, 0, 0, NULL};
    eval_parse(argc, argv, opts, &dop, &mo, &out, noisy_opt, &no);
    const char *methods = no.methods;
    double rho = no.rho;
    uint64_t noise_seed = no.noise_seed;
    int noisy_val = no.noisy_val;
    if (!methods)
        cli_die("eval noisy: --methods LIST is required");
    if (!(rho > 0 && rho < 1))
        cli_die("--rho: %g is not in (0, 1)", rho);
    if (mo.groups_file)
        cli_die("eval noisy values single points; --groups does not apply");
    /* Parse the method list first, so a typo fails before any work. */
    char *list = strdup(methods), *save = NULL;
    dv_method ms[32];
    size_t nm = 0;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (nm == 32)
            cli_die("--methods: at most 32 methods");
        if (dv_method_from_name(t, &ms[nm]))
            cli_die("--methods: unknown method '%s' (see dval value --help)", t);
        nm++;
    }
    free(list);
    method_opts_finish(&mo);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    size_t n = dv_dataset_rows(train), nf;
    int64_t *fl = malloc(n * sizeof *fl);
    dv_error err = {0};
    if (dv_flip_labels(train, rho, noise_seed, fl, &nf, &err))
        cli_die("%s", err.msg);
    if (noisy_val && dv_flip_labels(val, rho, noise_seed + 1, NULL, NULL, &err))
        cli_die("%s", err.msg);
    unsigned char *is_noisy = calloc(n, 1);
    for (size_t k = 0; k < nf; k++)
        is_noisy[fl[k]] = 1;
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "method,f1,auroc,recall,predicted,seconds,samples,stopped_by\n");
    printf("noisy-label detection: %zu training points, %zu flipped (rho = %g)%s\n", n, nf, rho,
           noisy_val ? ", validation labels flipped too" : "");
    printf("%-14s %7s %7s %7s %9s %9s %8s  %s\n", "method", "F1", "AUROC", "recall", "predicted",
           "seconds", "samples", "stopped by");
    double *v = malloc(n * sizeof *v), *se = malloc(n * sizeof *se);
    /* --values-out: every method's values, kept for the methods that ran */
    double *all = no.values_out ? malloc(nm * n * sizeof *all) : NULL;
    int ran[32] = {0};
    for (size_t k = 0; k < nm; k++) {
        dv_value_params p = mo.vp;
        p.method = ms[k];
        dv_value_info info;
        if (dv_value_compute(train, val, &p, v, se, &info, &err)) {
            printf("%-14s %s\n", dv_method_name(ms[k]), err.msg);
            fprintf(f, "%s,,,,,,,error\n", dv_method_name(ms[k]));
            continue;
        }
        if (all) {
            memcpy(all + k * n, v, n * sizeof *v);
            ran[k] = 1;
        }
        dv_detection d;
        if (dv_detection_eval(v, is_noisy, n, &d, &err))
            die_method(dv_method_name(ms[k]), err.msg);
        printf("%-14s %7.3f %7.3f %7.3f %9zu %9.2f %8zu  %s\n", dv_method_name(ms[k]), d.f1,
               d.auroc, d.recall, d.n_predicted, info.seconds, info.samples,
               dv_stop_rule_name(info.stop_rule));
        fprintf(f, "%s,%.17g,%.17g,%.17g,%zu,%.6f,%zu,%s\n", dv_method_name(ms[k]), d.f1, d.auroc,
                d.recall, d.n_predicted, info.seconds, info.samples,
                dv_stop_rule_name(info.stop_rule));
        fflush(stdout);
    }
    cli_commit(f, tmp, out);
    fprintf(stderr, "dval: wrote %s\n", out);
    if (all) {
        /* point, noisy (1 = flipped), then one column per method that ran */
        char vtmp[4300];
        FILE *g = cli_open_out(no.values_out, vtmp, sizeof vtmp);
        fprintf(g, "point,noisy");
        for (size_t k = 0; k < nm; k++)
            if (ran[k])
                fprintf(g, ",%s", dv_method_name(ms[k]));
        fputc('\n', g);
        for (size_t i = 0; i < n; i++) {
            fprintf(g, "%zu,%d", i, is_noisy[i] ? 1 : 0);
            for (size_t k = 0; k < nm; k++)
                if (ran[k])
                    fprintf(g, ",%.17g", all[k * n + i]);
            fputc('\n', g);
        }
        cli_commit(g, vtmp, no.values_out);
        fprintf(stderr, "dval: wrote %s\n", no.values_out);
        free(all);
    }
    free(v);
    free(se);
    free(fl);
    free(is_noisy);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
