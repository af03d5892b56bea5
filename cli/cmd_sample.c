/*
 * cmd_sample.c -- `dval sample`: exact marginal contributions of training
 * points at many coalition sizes, into a resumable run directory.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval sample --data FILE -o RUN_DIR [options]\n"
    "\n"
    "Samples marginal contributions U(S + z) - U(S) of training points z over\n"
    "random class-balanced coalitions S (z never in S), each utility that of a\n"
    "model fitted to convergence, and stores them in RUN_DIR (deltas.npy,\n"
    "cards.npy, points.npy, run.json).  Interrupted runs continue with --resume.\n"
    "Started by mpirun (or srun) on several processes, they share the work and\n"
    "process 0 writes the run, the same bytes as one process's.\n"
    "\n"
    "Sampling options:\n"
    "  -o, --out DIR        run directory (required)\n"
    "  --learner NAME       logreg (default), ridge, ols, tree, mlp or knn (other learners\n"
    "                       than binary logistic regression fit every subset in full)\n"
    "  --C X                logreg: inverse L2 strength (default 1)\n"
    "  --lambda X           ridge penalty (default 1)\n"
    "  --tol X              solver tolerance on the relative gradient norm (default 1e-10)\n"
    "  --metric NAME        utility: neg_logloss (default, classification), accuracy,\n"
    "                       neg_mse (default, regression), r2\n"
    "  --samples M          samples per point (per point and cardinality in grid mode;\n"
    "                       default 100)\n"
    "  --points N           value the first N training points (default: all)\n"
    "  --points-file F      value the training rows listed in F (integers)\n"
    "  --min-card K         smallest coalition size (default 100)\n"
    "  --max-card K         largest coalition size, inclusive (default 1000)\n"
    "  --mode MODE          uniform (k uniform in [min, max], default) or grid\n"
    "  --cards LIST         grid mode: comma-separated cardinalities\n"
    "  --grid-count N       grid mode: size of the geometric grid (default 10)\n"
    "  --seed S             random seed (default 0)\n"
    "  --threads T          worker threads (default: all cores); results do not depend on it\n"
    "                       (nor on the processes of mpirun -n R dval sample ...)\n"
    "  --batch B            points sharing one coalition per sample (default 128, max 256)\n"
    "  --resume             continue the run in RUN_DIR\n"
    "  --shard I/N          compute only shard I of N (I = 0 .. N-1) of the run's work\n"
    "                       items into RUN_DIR (e.g. one task of a job array); dval\n"
    "                       combine makes the run from the N shard directories\n"
    "  -q, --quiet          no progress display\n"
    "\n" CLI_MLP_HELP "\n" CLI_DATA_HELP;

static int64_t *read_points_file(const char *path, size_t *n)
{
    char *text = cli_slurp(path);
    if (!text)
        cli_die("%s: cannot read points file", path);
    size_t cap = 1024;
    int64_t *pts = cli_malloc(cap * sizeof *pts);
    *n = 0;
    long line = 1;
    for (char *p = text; *p;) {
        if (*p == '\n') {
            line++;
            p++;
        } else if (isspace((unsigned char)*p) || *p == ',') {
            p++;
        } else if (*p == '#') {
            while (*p && *p != '\n')
                p++;
        } else {
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p || (*end && !isspace((unsigned char)*end) && *end != ','))
                cli_die("%s:%ld: expected a training row index, found '%.20s'", path, line, p);
            if (v < 0)
                cli_die("%s:%ld: row index %lld is negative", path, line, v);
            if (*n == cap && !(pts = cli_realloc(pts, (cap *= 2) * sizeof *pts)))
                cli_die("out of memory");
            pts[(*n)++] = v;
            p = end;
        }
    }
    free(text);
    if (*n == 0)
        cli_die("%s: no row indices", path);
    return pts;
}

/* Appends the call's time to RUN_DIR/timing.txt and says what was done. */
static void report_sample(const cli_sample_job *j, const dv_sample_params *p, size_t P, double el)
{
    /* One line per call (a resumed run has several), read by dval report. */
    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s/timing.txt", j->out);
    FILE *tf = fopen(tpath, "a");
    if (tf) {
        char th[64] = "all cores";
        if (p->n_threads > 0)
            snprintf(th, sizeof th, "%d threads", p->n_threads);
        if (p->comm) /* (threads per process) */
            snprintf(th + strlen(th), sizeof th - strlen(th), " x %d processes", p->comm->size);
        fprintf(tf, "dval sample%s: %.2f s (%s)\n", j->resume ? " --resume" : "", el, th);
        fclose(tf);
    }
    size_t M = p->mode == DV_CARD_GRID ? 0 : p->n_samples;
    if (!j->quiet && p->n_shards) {
        fprintf(stderr, "dval: shard %zu of %zu in %.2f s, in %s/; once every shard is done: dval "
                        "combine RUN_DIR SHARD_DIR...\n",
                p->shard, p->n_shards, el, j->out);
    } else if (!j->quiet) {
        if (M)
            fprintf(stderr, "dval: %zu points x %zu samples in %.2f s (%.0f samples/s this call)\n",
                    P, M, el, (double)(P * M) / (el > 0 ? el : 1e-9));
        fprintf(stderr, "dval: results in %s/ (deltas.npy, cards.npy, points.npy, run.json)\n",
                j->out);
    }
}

void cli_sample(const cli_sample_job *j)
{
    dv_sample_params sp = *j->params;
    char manifest_path[4200];
    snprintf(manifest_path, sizeof manifest_path, "%s/run.json", j->out);
    struct stat st;
    int writer = cli_rank() == 0; /* of several processes, 0 alone writes */
    int have_run = writer ? stat(manifest_path, &st) == 0 : j->resume;
    if (have_run && !j->resume)
        cli_die("%s already holds a run; pass --resume to continue it, or choose another "
                "directory",
                j->out);
    if (!have_run && j->resume)
        cli_die("%s: no run to resume (no run.json)", j->out);

    dv_dataset *train, *val, *test;
    char *manifest;
    cli_data_opts dop = *j->data;
    dop.command = j->command;
    cli_load_data(&dop, &train, &val, &test, &manifest);

    int64_t *pts = NULL;
    size_t n_pts = 0;
    if (j->points_file) {
        pts = read_points_file(j->points_file, &n_pts);
        for (size_t i = 0; i < n_pts; i++)
            if ((size_t)pts[i] >= dv_dataset_rows(train))
                cli_die("%s: row %lld is not a training row (the training split has %zu rows)",
                        j->points_file, (long long)pts[i], dv_dataset_rows(train));
    } else if (j->n_first) {
        if ((size_t)j->n_first > dv_dataset_rows(train))
            cli_die("--points: %lld is more than the %zu training rows", (long long)j->n_first,
                    dv_dataset_rows(train));
        n_pts = (size_t)j->n_first;
        pts = cli_malloc(n_pts * sizeof *pts);
        for (size_t i = 0; i < n_pts; i++)
            pts[i] = (int64_t)i;
    }

    dv_error err = {0};
    if (writer && dv_run_create(j->out, train, val, pts, n_pts, &sp, manifest, &err))
        cli_die("%s", err.msg);
    sp.comm = cli_comm();

    size_t P = pts ? n_pts : dv_dataset_rows(train);
    size_t batches = (P + sp.batch - 1) / sp.batch;
    cli_progress pr;
    cli_progress_init(&pr, "sample", (double)P / (double)batches, j->quiet);
    sp.progress = cli_progress_cb;
    sp.progress_user = &pr;
    double t0 = dv_clock_seconds();
    int rc = dv_run_execute(j->out, train, val, pts, n_pts, &sp, &err);
    cli_progress_end(&pr);
    if (rc)
        cli_die("%s%s", err.msg,
                rc == DV_ENOMEM || rc == DV_ENOTCONV || rc == DV_EIO || rc == DV_EINTR
                    ? " (finished work is kept; rerun with --resume)"
                    : "");
    double el = dv_clock_seconds() - t0;
    if (writer) /* of several processes, 0 reports */
        report_sample(j, &sp, P, el);
    dv_free(manifest);
    free(pts);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
}

static char *join_args(int argc, char **argv)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        cli_die("out of memory");
    fprintf(f, "dval");
    for (int i = 0; i < argc; i++)
        fprintf(f, " %s", argv[i]);
    fclose(f);
    return buf;
}

int cmd_sample(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_DATA_LONGOPTS,
        {"out", required_argument, 0, 'o'},
        {"learner", required_argument, 0, 1},
        {"C", required_argument, 0, 2},
        {"lambda", required_argument, 0, 3},
        {"tol", required_argument, 0, 4},
        {"metric", required_argument, 0, 5},
        {"samples", required_argument, 0, 6},
        {"points", required_argument, 0, 7},
        {"points-file", required_argument, 0, 8},
        {"min-card", required_argument, 0, 9},
        {"max-card", required_argument, 0, 10},
        {"mode", required_argument, 0, 11},
        {"cards", required_argument, 0, 12},
        {"grid-count", required_argument, 0, 13},
        {"seed", required_argument, 0, 14},
        {"threads", required_argument, 0, 15},
        {"batch", required_argument, 0, 16},
        {"resume", no_argument, 0, 17},
        {"shard", required_argument, 0, 18},
        CLI_MLP_LONGOPTS,
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_mlp_opts mlp = {0};
    dv_sample_params sp;
    dv_sample_params_default(&sp);
    const char *out = NULL, *points_file = NULL, *learner = "logreg";
    double C = 0, lambda = 0, tol = 0;
    int has_C = 0, has_lambda = 0, has_tol = 0;
    int64_t n_first = 0;
    int resume = 0, quiet = 0, c;
    int64_t *cards = NULL;
    size_t n_cards = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        if (cli_data_opt(&dop, c, optarg) || cli_mlp_opt(&mlp, c, optarg))
            continue;
        switch (c) {
        case 'o': out = optarg; break;
        case 1: learner = optarg; break;
        case 2: C = cli_double("--C", optarg); has_C = 1; break;
        case 3: lambda = cli_double("--lambda", optarg); has_lambda = 1; break;
        case 4: tol = cli_double("--tol", optarg); has_tol = 1; break;
        case 5:
            if (dv_metric_from_name(optarg, &sp.metric))
                cli_die("--metric: unknown metric '%s' (neg_logloss, accuracy, neg_mse, r2)", optarg);
            break;
        case 6: sp.n_samples = (size_t)cli_int("--samples", optarg, 1, 100000000); break;
        case 7: n_first = cli_int("--points", optarg, 1, INT64_MAX); break;
        case 8: points_file = optarg; break;
        case 9: sp.min_card = cli_int("--min-card", optarg, 1, INT32_MAX); break;
        case 10: sp.max_card = cli_int("--max-card", optarg, 1, INT32_MAX); break;
        case 11:
            if (strcmp(optarg, "uniform") == 0)
                sp.mode = DV_CARD_UNIFORM;
            else if (strcmp(optarg, "grid") == 0)
                sp.mode = DV_CARD_GRID;
            else
                cli_die("--mode: unknown mode '%s' (uniform or grid)", optarg);
            break;
        case 12: cards = cli_int_list("--cards", optarg, &n_cards); break;
        case 13: sp.n_cards = (size_t)cli_int("--grid-count", optarg, 1, 100000); break;
        case 14: sp.seed = cli_u64("--seed", optarg); break;
        case 15: sp.n_threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 16: sp.batch = (size_t)cli_int("--batch", optarg, 1, 256); break;
        case 17: resume = 1; break;
        case 18: {
            char *slash = strchr(optarg, '/');
            if (!slash || slash == optarg)
                cli_die("--shard: '%s' is not I/N (shard I of N, I from 0 to N - 1)", optarg);
            *slash = 0;
            sp.n_shards = (size_t)cli_int("--shard N", slash + 1, 1, 1000000);
            sp.shard = (size_t)cli_int("--shard I", optarg, 0, (int64_t)sp.n_shards - 1);
            *slash = '/';
            break;
        }
        case 'q': quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("sample: unexpected argument '%s' (see dval sample --help)", argv[optind]);
    if (!out)
        cli_die("sample: -o RUN_DIR is required (see dval sample --help)");
    if (n_first && points_file)
        cli_die("--points and --points-file exclude each other");
    if (cards && sp.mode != DV_CARD_GRID)
        cli_die("--cards needs --mode grid");
    cli_learner(&sp.learner, learner, "logreg, ridge, ols, tree, mlp, knn", has_C ? &C : NULL,
                has_lambda ? &lambda : NULL, has_tol ? &tol : NULL);
    sp.learner.seed = sp.seed;
    cli_mlp_apply(&mlp, &sp.learner);
    const char *why = dv_learner_params_check(&sp.learner);
    if (why)
        cli_die("learner %s: %s", learner, why);
    if (cards) {
        sp.cards = cards;
        sp.n_cards = n_cards;
    }

    cli_sample_job job = {&dop, &sp, out, points_file, n_first, resume, quiet, NULL};
    char *cmdline = join_args(argc, argv);
    job.command = cmdline;
    cli_sample(&job);
    free(cmdline);
    free(cards);
    return 0;
}

