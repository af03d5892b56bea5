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
    "\n"
    "Values every point of a finished run (fitting RUN_DIR/scaling.csv first if it\n"
    "is missing) and writes values.csv (default RUN_DIR/values.csv) with columns:\n"
    "  point, label, psi_K for each --at K (c K^-alpha), law_value (mean of\n"
    "  c k^-alpha over k = min-card..max-card, the law-based distributional\n"
    "  Shapley value), mc_mean and mc_stderr (mean of the raw deltas and its\n"
    "  standard error), n_samples, status (of the law fit).  The distributional\n"
    "  Shapley value of the run (--method distributional) is mc_mean.\n"
    "\n"
    "Options:\n"
    "  --from DIR      run directory (required)\n"
    "  --at K          a dataset size for psi_K; repeat or give a list (default:\n"
    "                  min-card and max-card of the run)\n"
    "  --top N         print the N most valuable points by psi at --size\n"
    "  --size K        target size for --top (default: the first --at value)\n"
    "  -o, --out FILE  output CSV\n";

typedef struct {
    int64_t point;
    char *label;
    double c, alpha;
    char status[32];
} law_row;

/* Parses scaling.csv as written by dval fit. */
static law_row *read_scaling(const char *path, size_t *n)
{
    char *text = cli_slurp(path);
    if (!text)
        cli_die("%s: cannot read", path);
    size_t cap = 1024;
    law_row *rows = malloc(cap * sizeof *rows);
    *n = 0;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strncmp(line, "point,label,c,alpha,", 20) != 0)
        cli_die("%s: not a scaling.csv written by dval fit", path);
    long lineno = 1;
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        if (*n == cap)
            rows = realloc(rows, (cap *= 2) * sizeof *rows);
        law_row *r = &rows[*n];
        char *p = line, *end;
        r->point = strtoll(p, &end, 10);
        if (*end != ',')
            cli_die("%s:%ld: bad point index", path, lineno);
        p = end + 1;
        const char *lab = p;
        if (*p == '"') { /* quoted label */
            lab = ++p;
            char *w = p;
            for (;;) {
                if (!*p)
                    cli_die("%s:%ld: unterminated quote", path, lineno);
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = 0;
        } else {
            p = strchr(p, ',');
            if (!p)
                cli_die("%s:%ld: too few fields", path, lineno);
            *p = 0;
        }
        r->label = strdup(lab);
        p++;
        r->c = strtod(p, &end);
        if (*end != ',')
            cli_die("%s:%ld: bad c", path, lineno);
        r->alpha = strtod(end + 1, &end);
        if (*end != ',')
            cli_die("%s:%ld: bad alpha", path, lineno);
        /* skip sigma, beta, nll, log_r2, n_samples to reach status */
        for (int skip = 0; skip < 5; skip++) {
            end = strchr(end + 1, ',');
            if (!end)
                cli_die("%s:%ld: too few fields", path, lineno);
        }
        char *st = end + 1, *e2 = strchr(st, ',');
        size_t sl = e2 ? (size_t)(e2 - st) : strlen(st);
        if (sl >= sizeof r->status)
            sl = sizeof r->status - 1;
        memcpy(r->status, st, sl);
        r->status[sl] = 0;
        (*n)++;
    }
    free(text);
    return rows;
}

static int cmp_desc(const void *a, const void *b, void *ctx)
{
    const double *v = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (v[i] > v[j]) return -1;
    if (v[i] < v[j]) return 1;
    return (i > j) - (i < j);
}

void cli_value_run(const char *run_dir, const int64_t *at, size_t n_at, size_t top,
                   int64_t top_k, const char *out_csv, int print_top)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", run_dir);
    char *manifest = cli_slurp(path);
    if (!manifest)
        cli_die("%s: cannot read (is %s a run directory?)", path, run_dir);
    double lo, hi;
    if (!cli_json_number(manifest, "min_card", &lo) || !cli_json_number(manifest, "max_card", &hi))
        cli_die("%s: no min_card/max_card", path);
    free(manifest);
    int64_t deflt[2] = {(int64_t)lo, (int64_t)hi};
    if (!at) {
        at = deflt;
        n_at = lo == hi ? 1 : 2;
    }
    snprintf(path, sizeof path, "%s/scaling.csv", run_dir);
    struct stat st;
    if (stat(path, &st) != 0)
        cli_fit_run(run_dir, NULL, 0);
    size_t n;
    law_row *laws = read_scaling(path, &n);

    double *D;
    size_t P, M;
    dv_error err = {0};
    snprintf(path, sizeof path, "%s/deltas.npy", run_dir);
    if (dv_npy_read(path, DV_F64, (void **)&D, &P, &M, &err))
        cli_die("%s", err.msg);
    if (P != n)
        cli_die("%s has %zu points but scaling.csv %zu; rerun dval fit", path, P, n);

    char def_out[4200], tmp[4300];
    snprintf(def_out, sizeof def_out, "%s/values.csv", run_dir);
    const char *out = out_csv ? out_csv : def_out;
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "point,label");
    for (size_t a = 0; a < n_at; a++)
        fprintf(f, ",psi_%lld", (long long)at[a]);
    fprintf(f, ",law_value,mc_mean,mc_stderr,n_samples,status\n");
    double *target = malloc((n ? n : 1) * sizeof *target);
    for (size_t i = 0; i < n; i++) {
        const law_row *L = &laws[i];
        fprintf(f, "%lld,%s", (long long)L->point, L->label);
        for (size_t a = 0; a < n_at; a++)
            fprintf(f, ",%.17g", L->c * pow((double)at[a], -L->alpha));
        double s = 0, s2 = 0;
        const double *row = D + i * M;
        for (size_t j = 0; j < M; j++)
            s += row[j];
        double mean = M ? s / (double)M : 0;
        for (size_t j = 0; j < M; j++)
            s2 += (row[j] - mean) * (row[j] - mean);
        double se = M > 1 ? sqrt(s2 / (double)(M - 1) / (double)M) : 0;
        fprintf(f, ",%.17g,%.17g,%.17g,%zu,%s\n",
                dv_law_mean_value(L->c, L->alpha, (int64_t)lo, (int64_t)hi), mean, se, M,
                L->status);
        target[i] = L->c * pow((double)(top_k > 0 ? top_k : at[0]), -L->alpha);
    }
    cli_commit(f, tmp, out);
    if (print_top && top > 0) {
        size_t *idx = malloc(n * sizeof *idx);
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        qsort_r(idx, n, sizeof *idx, cmp_desc, target);
        int64_t k = top_k > 0 ? top_k : at[0];
        printf("top %zu points by psi_k at k = %lld (c k^-alpha)\n", top < n ? top : n,
               (long long)k);
        printf("%6s %8s %-12s %14s %12s %8s\n", "rank", "point", "label", "psi_k", "c", "alpha");
        for (size_t r = 0; r < top && r < n; r++) {
            const law_row *L = &laws[idx[r]];
            printf("%6zu %8lld %-12s %14.6e %12.4e %8.4f\n", r + 1, (long long)L->point, L->label,
                   target[idx[r]], L->c, L->alpha);
        }
        free(idx);
    }
    for (size_t i = 0; i < n; i++)
        free(laws[i].label);
    free(laws);
    free(target);
    dv_free(D);
}

int cmd_value(int argc, char **argv)
{
    /* --method NAME values points of a data set; only "distributional" reads
     * a sampling run (its values are the mc_mean column). */
    for (int i = 1; i < argc; i++) {
        const char *m = NULL;
        if (strcmp(argv[i], "--method") == 0 && i + 1 < argc)
            m = argv[i + 1];
        else if (strncmp(argv[i], "--method=", 9) == 0)
            m = argv[i] + 9;
        if (m && strcmp(m, "distributional") != 0)
            return cmd_value_method(argc, argv);
    }
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
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 1: from = optarg; break;
        case 2: {
            size_t m;
            int64_t *more = cli_int_list("--at", optarg, &m);
            at = realloc(at, (n_at + m) * sizeof *at);
            memcpy(at + n_at, more, m * sizeof *at);
            n_at += m;
            free(more);
            break;
        }
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
    cli_value_run(from, at, n_at, top, size, out, 1);
    if (out)
        fprintf(stderr, "dval: wrote %s\n", out);
    else
        fprintf(stderr, "dval: wrote %s/values.csv\n", from);
    free(at);
    return 0;
}
