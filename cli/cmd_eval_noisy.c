/*
 * cmd_eval_noisy.c -- `dval eval noisy`: how well each method's lowest
 * values find training labels flipped at random.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The comma-separated method names into ms (at most 32); returns their count. */
static size_t parse_methods(const char *methods, dv_method *ms)
{
    char *list = cli_strdup(methods), *save = NULL;
    size_t nm = 0;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (nm == 32)
            cli_die("--methods: at most 32 methods");
        ms[nm++] = cli_method("--methods", t);
    }
    free(list);
    return nm;
}

/* --values-out into g: point, noisy (1 = flipped), then one column per
 * method that ran. */
static void write_values_out(FILE *g, size_t n, const unsigned char *is_noisy,
                             const dv_method *ms, size_t nm, const int *ran, const double *all)
{
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
}

/* Opens path's temporary file, or drops the other output (f, at ftmp) and
 * dies. */
static FILE *fopen_or_drop(const char *path, char *tmp, size_t len, FILE *f, const char *ftmp)
{
    snprintf(tmp, len, "%s.tmp%ld", path, (long)getpid());
    FILE *g = fopen(tmp, "w");
    if (!g) {
        int e = errno;
        fclose(f);
        remove(ftmp);
        cli_die("%s: cannot write: %s", path, strerror(e));
    }
    return g;
}

int eval_noisy(int argc, char **argv)
{
    static const struct option opts[] = {{"methods", required_argument, 0, 1},
                                         {"rho", required_argument, 0, 2},
                                         {"noise-seed", required_argument, 0, 3},
                                         {"noisy-val", no_argument, 0, 4},
                                         {"values-out", required_argument, 0, 5},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    const char *out = "noisy.csv";
    noisy_opts no = {NULL, 0.2, 0, 0, NULL};
    cli_eval_parse(argc, argv, NULL, opts, &dop, &mo, &out, noisy_opt, &no);
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
    dv_method ms[32];
    size_t nm = parse_methods(methods, ms);
    cli_method_opts_finish(&mo);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    size_t n = dv_dataset_rows(train), nf;
    int64_t *fl = cli_malloc(n * sizeof *fl);
    dv_error err = {0};
    if (dv_flip_labels(train, rho, noise_seed, fl, &nf, &err))
        cli_die("%s", err.msg);
    if (noisy_val && dv_flip_labels(val, rho, noise_seed + 1, NULL, NULL, &err))
        cli_die("%s", err.msg);
    unsigned char *is_noisy = cli_calloc(n, 1);
    for (size_t k = 0; k < nf; k++)
        is_noisy[fl[k]] = 1;
    /* Both outputs are opened before any work and put in place together, so
     * that an unwritable one leaves neither. */
    char tmp[4300], vtmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    FILE *g = no.values_out ? fopen_or_drop(no.values_out, vtmp, sizeof vtmp, f, tmp) : NULL;
    fprintf(f, "method,f1,auroc,recall,predicted,seconds,samples,stopped_by\n");
    printf("noisy-label detection: %zu training points, %zu flipped (rho = %g)%s\n", n, nf, rho,
           noisy_val ? ", validation labels flipped too" : "");
    printf("%-14s %7s %7s %7s %9s %9s %8s  %s\n", "method", "F1", "AUROC", "recall", "predicted",
           "seconds", "samples", "stopped by");
    double *v = cli_malloc(n * sizeof *v), *se = cli_malloc(n * sizeof *se);
    /* --values-out: every method's values, kept for the methods that ran */
    double *all = no.values_out ? cli_malloc(nm * n * sizeof *all) : NULL;
    int ran[32] = {0};
    size_t failed = 0;
    for (size_t k = 0; k < nm; k++) {
        dv_value_params p = cli_method_params(&mo, ms[k]);
        dv_value_info info;
        if (dv_value_compute(train, val, &p, v, se, &info, &err)) {
            printf("%-14s %s\n", dv_method_name(ms[k]), err.msg);
            fprintf(f, "%s,,,,,,,error\n", dv_method_name(ms[k]));
            failed++;
            continue;
        }
        if (all) {
            memcpy(all + k * n, v, n * sizeof *v);
            ran[k] = 1;
        }
        dv_detection d;
        if (dv_detection_eval(v, is_noisy, n, &d, &err))
            cli_die_method(dv_method_name(ms[k]), err.msg);
        printf("%-14s %7.3f %7.3f %7.3f %9zu %9.2f %8zu  %s\n", dv_method_name(ms[k]), d.f1,
               d.auroc, d.recall, d.n_predicted, info.seconds, info.samples,
               dv_stop_rule_name(info.stop_rule));
        fprintf(f, "%s,%.17g,%.17g,%.17g,%zu,%.6f,%zu,%s\n", dv_method_name(ms[k]), d.f1, d.auroc,
                d.recall, d.n_predicted, info.seconds, info.samples,
                dv_stop_rule_name(info.stop_rule));
        fflush(stdout);
    }
    if (g) {
        write_values_out(g, n, is_noisy, ms, nm, ran, all);
        int bad = ferror(g);
        bad |= fclose(g) != 0;
        if (bad || dv_file_replace(vtmp, no.values_out) != 0) {
            remove(vtmp);
            fclose(f);
            remove(tmp);
            cli_die("%s: write failed: %s", no.values_out, strerror(errno));
        }
    }
    cli_commit(f, tmp, out);
    if (g)
        fprintf(stderr, "dval: wrote %s\n", no.values_out);
    fprintf(stderr, "dval: wrote %s\n", out);
    /* The others' results are written; the status still says that the
     * comparison is incomplete. */
    if (failed)
        fprintf(stderr, "dval: eval noisy: %zu of %zu methods failed (their rows say \"error\")\n",
                failed, nm);
    free(all);
    free(v);
    free(se);
    free(fl);
    free(is_noisy);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return failed ? 1 : 0;
}
