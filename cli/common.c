/*
 * common.c -- helpers shared by the dval subcommands: errors, strict
 * number parsing, loading and splitting data, progress and output files.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_die(const char *fmt, ...)
{
    va_list ap;
    if (cli_rank() > 0) {
        /* Most failures (options, data) happen on every process: process 0
         * says so and ends the job (its launcher's SIGTERM now ends this
         * one); the others speak only if it does not. */
        signal(SIGTERM, SIG_DFL);
        sleep(1);
        fprintf(stderr, "dval (process %d): ", cli_rank());
    } else {
        fputs("dval: ", stderr);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_dist_abort(1);
    exit(1);
}

/* Levenshtein distance of a and b (short strings). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(b), row[64];
    if (n >= 64 || strlen(a) >= 64)
        return 64;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[n];
}

const char *cli_nearest(const char *key, const char *const *names, size_t n)
{
    size_t klen = strlen(key), bd = 64;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(key, names[i]);
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    return best && klen >= 3 && bd <= (klen > 6 ? klen / 3 : 2) ? best : NULL;
}

const char *cli_command = "";

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    opterr = 0; /* the messages are ours: one line, with a suggestion */
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c != '?')
        return c;
    /* The command as its help names it: "fit", "eval estimators", "plot law". */
    char cmd[128];
    if (*cli_command && strcmp(argv[0], cli_command) != 0) /* plot FIGURE: argv[0] the figure */
        snprintf(cmd, sizeof cmd, "%s %s", cli_command, argv[0]);
    else if (strcmp(argv[0], "eval") == 0 && argc > 1) /* eval TASK: argv[1] the task */
        snprintf(cmd, sizeof cmd, "eval %s", argv[1]);
    else
        snprintf(cmd, sizeof cmd, "%s", argv[0]);
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    char name[128];
    snprintf(name, sizeof name, "%s", arg);
    name[strcspn(name, "=")] = 0;
    for (const struct option *o = longopts; optopt && o && o->name; o++)
        if (o->val == optopt && o->has_arg == required_argument) {
            fprintf(stderr, "dval %s: option '--%s' needs a value (see dval %s --help)\n", cmd,
                    o->name, cmd);
            exit(2);
        }
    if (optopt && strchr(shortopts, optopt) && strchr(shortopts, optopt)[1] == ':') {
        fprintf(stderr, "dval %s: option '-%c' needs a value (see dval %s --help)\n", cmd, optopt,
                cmd);
        exit(2);
    }
    if (optopt && arg[0] == '-' && arg[1] != '-')
        snprintf(name, sizeof name, "-%c", optopt);
    const char *key = name + strspn(name, "-"), *names[256];
    size_t n = 0;
    for (const struct option *o = longopts; o && o->name && n < 256; o++)
        names[n++] = o->name;
    const char *best = cli_nearest(key, names, n);
    if (best)
        fprintf(stderr, "dval %s: unknown option '%s'; did you mean '--%s'? (see dval %s --help)\n",
                cmd, name, best, cmd);
    else
        fprintf(stderr, "dval %s: unknown option '%s' (see dval %s --help)\n", cmd, name, cmd);
    exit(2);
}

void *cli_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        cli_die("out of memory (%zu bytes)", n);
    return p;
}

void *cli_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        cli_die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *cli_realloc(void *old, size_t n)
{
    void *p = realloc(old, n ? n : 1);
    if (!p)
        cli_die("out of memory (%zu bytes)", n);
    return p;
}

char *cli_strdup(const char *str)
{
    char *p = strdup(str);
    if (!p)
        cli_die("out of memory");
    return p;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("dval: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int64_t cli_int(const char *opt, const char *s, int64_t lo, int64_t hi)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        cli_die("%s: '%s' is not an integer", opt, s);
    if (v < lo || v > hi)
        cli_die("%s: %lld is out of range [%lld, %lld]", opt, v, (long long)lo, (long long)hi);
    return v;
}

uint64_t cli_u64(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    if (*s == '-')
        cli_die("%s: '%s' must not be negative", opt, s);
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno)
        cli_die("%s: '%s' is not a non-negative integer", opt, s);
    return v;
}

double cli_double(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        cli_die("%s: '%s' is not a finite number", opt, s);
    return v;
}

static int64_t *int_list(const char *opt, const char *s, size_t *n, int64_t lo);

int64_t *cli_int_list(const char *opt, const char *s, size_t *n)
{
    return int_list(opt, s, n, 1);
}

int64_t *cli_index_list(const char *opt, const char *s, size_t *n)
{
    return int_list(opt, s, n, 0);
}

static int64_t *int_list(const char *opt, const char *s, size_t *n, int64_t lo)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    int64_t *out = cli_malloc(cap * sizeof *out);
    char *copy = strdup(s);
    if (!out || !copy)
        cli_die("out of memory");
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        out[(*n)++] = cli_int(opt, tok, lo, INT32_MAX);
    free(copy);
    if (*n == 0)
        cli_die("%s: empty list", opt);
    return out;
}

void cli_data_opts_default(cli_data_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_val = -1;
    o->n_test = -1;
}

static double count_or_fraction(const char *opt, const char *s)
{
    double v = cli_double(opt, s);
    if (v <= 0 || (v >= 1 && v != floor(v)))
        cli_die("%s: '%s' must be a positive count or a fraction in (0, 1)", opt, s);
    return v;
}

int cli_data_opt(cli_data_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case 1000: o->data = arg; return 1;
    case 1001: o->label = arg; return 1;
    case 1002:
        if (strcmp(arg, "classification") == 0)
            o->regression = 0;
        else if (strcmp(arg, "regression") == 0)
            o->regression = 1;
        else
            cli_die("--task: unknown task '%s' (classification or regression)", arg);
        return 1;
    case 1003: o->drop_missing = 1; return 1;
    case 1004: o->n_val = count_or_fraction("--val", arg); return 1;
    case 1005: o->n_test = count_or_fraction("--test", arg); return 1;
    case 1006: o->val_data = arg; return 1;
    case 1007: o->test_data = arg; return 1;
    case 1008: o->split_seed = cli_u64("--split-seed", arg); return 1;
    case 1009: o->no_standardize = 1; return 1;
    }
    return 0;
}

void cli_load_data(const cli_data_opts *o, dv_dataset **train, dv_dataset **val,
                   dv_dataset **test, char **manifest)
{
    if (!o->data)
        cli_die("--data FILE is required");
    if ((o->val_data || o->test_data) && (!o->val_data || !o->test_data))
        cli_die("--val-data and --test-data go together");
    if (o->val_data && (o->n_val > 0 || o->n_test > 0))
        cli_die("--val/--test sizes cannot be combined with --val-data/--test-data");
    dv_load_options lo;
    dv_load_options_default(&lo);
    lo.path = o->data;
    lo.csv.label = o->label;
    lo.csv.task = o->regression ? DV_TASK_REGRESSION : DV_TASK_CLASSIFICATION;
    lo.csv.drop_missing = o->drop_missing;
    lo.val_path = o->val_data;
    lo.test_path = o->test_data;
    lo.split.n_val = o->n_val;
    lo.split.n_test = o->n_test;
    lo.split.seed = o->split_seed;
    lo.standardize = !o->no_standardize;
    lo.command = o->command;
    dv_error err = {0};
    if (dv_data_load(&lo, train, val, test, manifest, &err))
        cli_die("%s", err.msg);
}

void cli_progress_init(cli_progress *p, const char *what, double per_item, int quiet)
{
    p->what = what;
    p->t0 = p->last = dv_clock_seconds();
    p->per_item = per_item;
    p->enabled = !quiet && isatty(2) && cli_rank() == 0;
}

void cli_progress_cb(void *user, uint64_t done, uint64_t total)
{
    cli_progress *p = user;
    if (!p->enabled)
        return;
    double now = dv_clock_seconds();
    if (done != total && now - p->last < 0.25)
        return;
    p->last = now;
    double el = now - p->t0, rate = el > 0 ? (double)done / el : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    if (p->per_item > 0) /* counted in samples, the unit the user asked for */
        fprintf(stderr, "\r%s: %.0f of %.0f samples (%.1f%%), %.0f samples/s, ETA %dm%02ds   ",
                p->what, (double)done * p->per_item, (double)total * p->per_item, pct,
                rate * p->per_item, (int)(eta / 60), (int)eta % 60);
    else
        fprintf(stderr, "\r%s: %llu of %llu (%.1f%%), ETA %dm%02ds   ", p->what,
                (unsigned long long)done, (unsigned long long)total, pct, (int)(eta / 60),
                (int)eta % 60);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled)
        fputc('\n', stderr);
}

char *cli_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? cli_malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

FILE *cli_open_out(const char *path, char *tmp, size_t tmplen)
{
    snprintf(tmp, tmplen, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        cli_die("%s: cannot write: %s", path, strerror(errno));
    return f;
}

void cli_commit(FILE *f, const char *tmp, const char *path)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || dv_file_replace(tmp, path) != 0) {
        remove(tmp);
        cli_die("%s: write failed: %s", path, strerror(errno));
    }
}

int64_t *cli_int_list_append(const char *opt, const char *s, int64_t *list, size_t *n)
{
    size_t m;
    int64_t *more = cli_int_list(opt, s, &m);
    list = cli_realloc(list, (*n + m) * sizeof *list);
    if (!list)
        cli_die("out of memory");
    memcpy(list + *n, more, m * sizeof *list);
    *n += m;
    free(more);
    return list;
}

double cli_fraction(const char *opt, const char *arg)
{
    double f = cli_double(opt, arg);
    if (!(f >= 0 && f < 1))
        cli_die("%s: %s is not a fraction in [0, 1)", opt, arg);
    return f;
}

double cli_k_ref(const char *arg, const dv_run_info *I)
{
    if (strcmp(arg, "mid") == 0)
        return sqrt((double)I->min_card * (double)I->max_card);
    double k = cli_double("--k-ref", arg);
    if (!(k >= 1) || !isfinite(k))
        cli_die("--k-ref: %s is neither mid nor a size >= 1", arg);
    return k;
}

/* ------------------------------------------------------------------------ */
/* A small CSV table                                                        */
/* ------------------------------------------------------------------------ */

/* Splits a line at commas into fields, in place; a field in double quotes
 * may hold commas, and "" inside it is one quote. */
static void split_line(char *s, char ***out, size_t *n, size_t *cap)
{
    *n = 0;
    for (;;) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *out = cli_realloc(*out, *cap * sizeof **out);
            if (!*out)
                cli_die("out of memory");
        }
        (*out)[(*n)++] = s;
        char *c;
        if (*s == '"') {
            char *r = s + 1, *w = s;
            while (*r && !(r[0] == '"' && r[1] != '"'))
                *w++ = *r == '"' ? *++r : *r, r++;
            *w = '\0';
            c = *r ? strchr(r, ',') : NULL;
        } else {
            c = strchr(s, ',');
        }
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
}

/* Reads path; the header must hold every column of need (NULL-ended). */
void cli_table_read(cli_table *t, const char *path, const char *const *need)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    t->text = cli_slurp(path);
    if (!t->text)
        cli_die("%s: cannot read: %s", path, strerror(errno));
    char *save = NULL, *line;
    size_t cap = 0, ln = 0, rcap = 0;
    char **f = NULL;
    for (char *p = t->text; (line = strtok_r(p, "\n", &save)); p = NULL) {
        ln++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (len == 0)
            continue;
        size_t nf;
        split_line(line, &f, &nf, &cap);
        if (!t->head) {
            t->n_cols = nf;
            t->head = cli_malloc(nf * sizeof *t->head);
            if (!t->head)
                cli_die("out of memory");
            memcpy(t->head, f, nf * sizeof *f);
            continue;
        }
        if (nf != t->n_cols)
            cli_die("%s:%zu: %zu fields, the header has %zu", path, ln, nf, t->n_cols);
        if (t->n_rows == rcap) {
            rcap = rcap ? 2 * rcap : 64;
            t->cells = cli_realloc(t->cells, rcap * t->n_cols * sizeof *t->cells);
            t->line = cli_realloc(t->line, rcap * sizeof *t->line);
            if (!t->cells || !t->line)
                cli_die("out of memory");
        }
        memcpy(t->cells + t->n_rows * t->n_cols, f, nf * sizeof *f);
        t->line[t->n_rows++] = ln;
    }
    free(f);
    if (!t->head)
        cli_die("%s: empty file (expected a header row)", path);
    for (size_t k = 0; need && need[k]; k++) {
        size_t c = 0;
        while (c < t->n_cols && strcmp(t->head[c], need[k]) != 0)
            c++;
        if (c == t->n_cols) {
            char want[512] = "";
            for (size_t j = 0; need[j]; j++)
                snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", j ? "," : "",
                         need[j]);
            cli_die("%s: no '%s' column (expected the columns %s)", path, need[k], want);
        }
    }
    if (t->n_rows == 0)
        cli_die("%s: no data rows", path);
}

size_t cli_table_col(const cli_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->head[c], name) == 0)
            return c;
    cli_die("%s: no '%s' column", t->path, name);
}

const char *cli_table_at(const cli_table *t, size_t r, size_t c)
{
    return t->cells[r * t->n_cols + c];
}

/* The cell as a number; empty or "nan" gives NaN when allow_nan, else dies. */
double cli_table_num(const cli_table *t, size_t r, size_t c, int allow_nan)
{
    const char *s = cli_table_at(t, r, c);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end) {
        if (allow_nan && *s == '\0')
            return NAN;
        cli_die("%s:%zu: %s '%s' is not a number", t->path, t->line[r], t->head[c], s);
    }
    if (!isfinite(v) && !(allow_nan && isnan(v)))
        cli_die("%s:%zu: %s is %s (a finite number is needed)", t->path, t->line[r], t->head[c],
                s);
    return v;
}


void cli_table_free(cli_table *t)
{
    free(t->text);
    free(t->head);
    free(t->cells);
    free(t->line);
}

void cli_wrote(void *user, const char *path)
{
    (void)user;
    fprintf(stderr, "dval: wrote %s\n", path);
}

/* Dies: opt has no NAME among the n names name_at(ds, k), listing up to 20
 * of them (and also). */
static void die_unknown(const dv_dataset *ds, const char *opt, const char *what,
                        const char *whats, const char *name, size_t n, const char *(*name_at)(const dv_dataset *, size_t),
                        const char *also)
{
    char *list = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&list, &len);
    for (size_t k = 0; f && k < n && k < 20; k++)
        fprintf(f, "%s%s", k ? ", " : "", name_at(ds, k));
    if (f) {
        fprintf(f, "%s%s%s", n > 20 ? ", ..." : "", also ? "; or " : "", also ? also : "");
        fclose(f);
    }
    cli_die("%s: no %s '%s' (the %s: %s)", opt, what, name, whats, list ? list : "");
}

size_t cli_column(const dv_dataset *ds, const char *opt, const char *name, const char *also)
{
    size_t d = dv_dataset_cols(ds);
    for (size_t j = 0; j < d; j++)
        if (strcmp(dv_dataset_col_name(ds, j), name) == 0)
            return j;
    die_unknown(ds, opt, "column", "columns", name, d, dv_dataset_col_name, also);
    return 0;
}

size_t cli_class(const dv_dataset *ds, const char *opt, const char *name)
{
    size_t K = dv_dataset_classes(ds);
    for (size_t c = 0; c < K; c++)
        if (strcmp(dv_dataset_class_name(ds, c), name) == 0)
            return c;
    die_unknown(ds, opt, "class", "classes", name, K, dv_dataset_class_name, NULL);
    return 0;
}
