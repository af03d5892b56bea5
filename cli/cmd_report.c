/*
 * cmd_report.c -- `dval report RUN_DIR`: one self-contained HTML page for a
 * sampling run (settings, data, timing, the most and least valuable points,
 * and every figure that applies, embedded as PNG), with the figures also
 * written beside it as PNG and SVG.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval report RUN_DIR [-o DIR] [--data FILE]\n"
    "\n"
    "Writes DIR/report.html (default DIR: RUN_DIR/report), a self-contained page\n"
    "for a sampling run: the command and settings, the data, the timing, the most\n"
    "and least valuable points with their labels and values, and every figure that\n"
    "applies (law, hist, convergence of the estimates with the samples per point;\n"
    "validation for a grid-mode run; distance for binary logistic regression when\n"
    "the run's data file can be read).  The figures are\n"
    "also written to DIR as PNG and SVG.  Fits laws and values first when\n"
    "scaling.csv or values.csv is missing.\n"
    "\n"
    "  -o, --out DIR   output directory\n"
    "  --data FILE     the run's data file, when it has moved since the run\n"
    "  --top N         points in each of the top and bottom tables (default 10)\n"
    "  -q, --quiet     do not print the report's path\n";

static void html_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void base64_file(FILE *out, const char *path)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    FILE *in = fopen(path, "rb");
    if (!in)
        cli_die("%s: cannot read: %s", path, strerror(errno));
    unsigned char b[3];
    size_t n;
    while ((n = fread(b, 1, 3, in)) > 0) {
        unsigned v = (unsigned)b[0] << 16 | (n > 1 ? (unsigned)b[1] << 8 : 0) | (n > 2 ? b[2] : 0);
        fputc(T[v >> 18 & 63], out);
        fputc(T[v >> 12 & 63], out);
        fputc(n > 1 ? T[v >> 6 & 63] : '=', out);
        fputc(n > 2 ? T[v & 63] : '=', out);
    }
    fclose(in);
}

/* Runs `dval plot FIGURE RUN_DIR ... -o DIR/NAME.png` and the same as SVG. */
static void figure(FILE *h, const char *dir, const char *run, const char *name,
                   const char *caption, char **extra, int n_extra)
{
    char png[4400], svg[4400];
    snprintf(png, sizeof png, "%s/%s.png", dir, name);
    snprintf(svg, sizeof svg, "%s/%s.svg", dir, name);
    for (int pass = 0; pass < 2; pass++) {
        char *args[40];
        int na = 0;
        args[na++] = "plot";
        args[na++] = (char *)name;
        args[na++] = (char *)run;
        for (int i = 0; i < n_extra && na < 34; i++)
            args[na++] = extra[i];
        args[na++] = "-o";
        args[na++] = pass ? svg : png;
        args[na] = NULL;
        cmd_plot(na, args);
    }
    fprintf(h, "<figure><img alt=\"%s\" src=\"data:image/png;base64,", name);
    base64_file(h, png);
    fprintf(h, "\"><figcaption>");
    html_text(h, caption);
    fprintf(h, " <span class=\"cmd\">dval plot %s ", name);
    html_text(h, run);
    for (int i = 0; i < n_extra; i++) {
        fputc(' ', h);
        html_text(h, extra[i]);
    }
    fprintf(h, " -o %s.svg</span></figcaption></figure>\n", name);
}

typedef struct {
    long long point, source;
    char label[64];
    double law, mc, se, c, alpha;
    char status[16];
} row;

static int by_law(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int fx = isfinite(x->law), fy = isfinite(y->law);
    if (fx != fy)
        return fy - fx;
    if (x->law != y->law)
        return x->law < y->law ? 1 : -1;
    return (x->point > y->point) - (x->point < y->point);
}

/* values.csv joined with scaling.csv and points.csv (one row per point, in
 * point order in all three). */
static row *read_rows(const char *run, size_t *n_out)
{
    static const char *const vneed[] = {"point", "law_value", "mc_mean", "mc_stderr", NULL};
    static const char *const sneed[] = {"point", "c", "alpha", "status", NULL};
    static const char *const pneed[] = {"point", "source_row", "label", NULL};
    char vp[4300], sp[4300], pp[4300];
    snprintf(vp, sizeof vp, "%s/values.csv", run);
    snprintf(sp, sizeof sp, "%s/scaling.csv", run);
    snprintf(pp, sizeof pp, "%s/points.csv", run);
    cli_table v, sc, pt;
    cli_table_read(&v, vp, vneed);
    cli_table_read(&sc, sp, sneed);
    cli_table_read(&pt, pp, pneed);
    size_t n = v.n_rows;
    if (sc.n_rows != n || pt.n_rows != n)
        cli_die("%s: values.csv, scaling.csv and points.csv have %zu, %zu and %zu rows", run, n,
                sc.n_rows, pt.n_rows);
    row *r = calloc(n ? n : 1, sizeof *r);
    if (!r)
        cli_die("out of memory");
    size_t vc[4], scc[4], pc[3];
    for (int k = 0; k < 4; k++) {
        vc[k] = cli_table_col(&v, vneed[k]);
        scc[k] = cli_table_col(&sc, sneed[k]);
    }
    for (int k = 0; k < 3; k++)
        pc[k] = cli_table_col(&pt, pneed[k]);
    for (size_t i = 0; i < n; i++) {
        row *x = &r[i];
        x->point = atoll(cli_table_at(&v, i, vc[0]));
        if (x->point != atoll(cli_table_at(&sc, i, scc[0])) ||
            x->point != atoll(cli_table_at(&pt, i, pc[0])))
            cli_die("%s: row %zu names different points in values.csv, scaling.csv and "
                    "points.csv",
                    run, i + 1);
        x->source = atoll(cli_table_at(&pt, i, pc[1]));
        snprintf(x->label, sizeof x->label, "%s", cli_table_at(&pt, i, pc[2]));
        x->law = cli_table_num(&v, i, vc[1], 1);
        x->mc = cli_table_num(&v, i, vc[2], 1);
        x->se = cli_table_num(&v, i, vc[3], 1);
        x->c = cli_table_num(&sc, i, scc[1], 1);
        x->alpha = cli_table_num(&sc, i, scc[2], 1);
        snprintf(x->status, sizeof x->status, "%s", cli_table_at(&sc, i, scc[3]));
    }
    cli_table_free(&v);
    cli_table_free(&sc);
    cli_table_free(&pt);
    *n_out = n;
    return r;
}

static void table(FILE *h, const row *r, size_t from, size_t to, size_t n)
{
    fputs("<table><tr><th>rank</th><th>point</th><th>data row</th><th>label</th>"
          "<th>law value</th><th>MC mean &plusmn; s.e.</th><th>c</th><th>&alpha;</th>"
          "<th>fit</th></tr>\n",
          h);
    for (size_t i = from; i < to && i < n; i++) {
        fprintf(h, "<tr><td>%zu</td><td>%lld</td><td>%lld</td><td>", i + 1, r[i].point,
                r[i].source);
        html_text(h, r[i].label);
        fprintf(h, "</td><td>%.4g</td><td>%.4g &plusmn; %.2g</td><td>%.4g</td><td>%.3f</td>"
                   "<td>%s</td></tr>\n",
                r[i].law, r[i].mc, r[i].se, r[i].c, r[i].alpha, r[i].status);
    }
    fputs("</table>\n", h);
}

static void kv(FILE *h, const char *k, const char *v)
{
    fprintf(h, "<tr><th>%s</th><td>", k);
    html_text(h, v);
    fputs("</td></tr>\n", h);
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"data", required_argument, 0, 1},
                                         {"top", required_argument, 0, 2},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL, *data = NULL;
    size_t top = 10;
    int quiet = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 1: data = optarg; break;
        case 2: top = (size_t)cli_int("--top", optarg, 1, 1000); break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind >= argc)
        cli_die("report: RUN_DIR is required");
    const char *run = argv[optind++];
    if (optind < argc)
        cli_die("report: unexpected argument '%s'", argv[optind]);
    char path[4300], dir[4300];
    snprintf(path, sizeof path, "%s/run.json", run);
    char *json = cli_slurp(path);
    if (!json)
        cli_die("%s: cannot read (is %s a run directory made by dval sample?)", path, run);
    if (!strstr(json, "\"complete\": true"))
        cli_die("report: the run in %s is not complete (continue it with dval sample --resume)",
                run);
    snprintf(dir, sizeof dir, "%s", out ? out : "");
    if (!out)
        snprintf(dir, sizeof dir, "%s/report", run);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create directory: %s", dir, strerror(errno));

    dv_run *rn = cli_run_open(run);
    dv_law *laws = cli_run_laws(rn, 0, NULL, 0);
    snprintf(path, sizeof path, "%s/values.csv", run);
    struct stat st;
    if (stat(path, &st) != 0)
        cli_value_run(rn, laws, NULL, 0, 0, 0, NULL);
    free(laws);
    dv_run_free(rn);

    char mode[16] = "", command[2048] = "", dpath[4096] = "", label[256] = "", metric[64] = "";
    char learner[64] = "";
    cli_json_str(json, "mode", mode, sizeof mode);
    cli_json_str(json, "command", command, sizeof command);
    cli_json_str(json, "path", dpath, sizeof dpath);
    cli_json_str(json, "label", label, sizeof label);
    cli_json_str(json, "metric", metric, sizeof metric);
    cli_json_str(json, "name", learner, sizeof learner);
    double ntr = 0, nval = 0, ntest = 0, nf = 0, np = 0, ns = 0, klo = 0, khi = 0, seed = 0;
    double sseed = 0, stdz = 1;
    cli_json_number(json, "n_train", &ntr);
    cli_json_number(json, "n_val", &nval);
    cli_json_number(json, "test", &ntest);
    cli_json_number(json, "n_features", &nf);
    cli_json_number(json, "n_points", &np);
    cli_json_number(json, "samples", &ns);
    cli_json_number(json, "min_card", &klo);
    cli_json_number(json, "max_card", &khi);
    cli_json_number(json, "seed", &seed);
    const char *sp = strstr(json, "\"split\"");
    if (sp)
        cli_json_number(sp, "seed", &sseed);
    if (strstr(json, "\"standardized\": false"))
        stdz = 0;
    /* Exactly two classes: one comma inside "classes": [...]. */
    const char *cl = strstr(json, "\"classes\": [");
    const char *cend = cl ? strchr(cl, ']') : NULL;
    int commas = 0;
    for (const char *p = cl; p && p < cend; p++)
        commas += *p == ',';
    int binary = cl && cend && commas == 1;

    size_t n;
    row *r = read_rows(run, &n);
    qsort(r, n, sizeof *r, by_law);

    char hp[4400], tmp[4500];
    snprintf(hp, sizeof hp, "%s/report.html", dir);
    FILE *h = cli_open_out(hp, tmp, sizeof tmp);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>dval report: ",
          h);
    html_text(h, run);
    fputs("</title>\n<style>\n"
          "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:60em;"
          "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
          "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;"
          "margin-top:2em}\n"
          "table{border-collapse:collapse;font-size:.9em;margin:.5em 0}"
          "th,td{padding:.2em .7em;text-align:right;border-bottom:1px solid #eee}"
          "th{background:#f5f5f5}table.kv th{text-align:left}table.kv td{text-align:left}\n"
          "pre,.cmd{font-family:'DejaVu Sans Mono',monospace;font-size:.85em;background:#f7f7f7;"
          "padding:.1em .3em;white-space:pre-wrap}\n"
          "figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}"
          "figcaption{font-size:.9em;color:#444}\n"
          "</style></head><body>\n<h1>dval report: ",
          h);
    html_text(h, run);
    fputs("</h1>\n<h2>Command and settings</h2>\n<pre>", h);
    html_text(h, command);
    fputs("</pre>\n<table class=\"kv\">\n", h);
    char buf[512];
    kv(h, "learner", learner);
    kv(h, "utility", metric);
    kv(h, "sampling mode", mode);
    snprintf(buf, sizeof buf, "%.0f to %.0f", klo, khi);
    kv(h, "dataset sizes k", buf);
    snprintf(buf, sizeof buf, "%.0f%s", ns, strcmp(mode, "grid") == 0 ? " per cardinality" : "");
    kv(h, "samples per point", buf);
    snprintf(buf, sizeof buf, "%.0f", seed);
    kv(h, "seed", buf);
    fputs("</table>\n<h2>Data</h2>\n<table class=\"kv\">\n", h);
    kv(h, "file", dpath);
    kv(h, "label column", label);
    snprintf(buf, sizeof buf, "%.0f training, %.0f validation, %.0f test rows (split seed %.0f)",
             ntr, nval, ntest, sseed);
    kv(h, "split", buf);
    snprintf(buf, sizeof buf, "%.0f%s", nf, stdz ? " (standardized with training statistics)" : "");
    kv(h, "features", buf);
    snprintf(buf, sizeof buf, "%.0f", np);
    kv(h, "points valued", buf);
    fputs("</table>\n<h2>Timing</h2>\n", h);
    snprintf(path, sizeof path, "%s/timing.txt", run);
    char *timing = cli_slurp(path);
    if (timing) {
        fputs("<pre>", h);
        html_text(h, timing);
        fputs("</pre>\n", h);
        free(timing);
    } else {
        fputs("<p>Not recorded for this run.</p>\n", h);
    }

    fputs("<h2>Values</h2>\n<p>Law value: the mean of c&nbsp;k<sup>&minus;&alpha;</sup> over the "
          "run's dataset sizes (the law-based distributional Shapley value); MC mean: the mean "
          "of the sampled marginal contributions, with its standard error.</p>\n",
          h);
    fprintf(h, "<h3>Most valuable points</h3>\n");
    table(h, r, 0, top, n);
    fprintf(h, "<h3>Least valuable points</h3>\n<p>Candidates for inspection (e.g. label "
               "noise).</p>\n");
    table(h, r, n > top ? n - top : 0, n, n);

    fputs("<h2>Figures</h2>\n", h);
    figure(h, dir, run, "law",
           "Sampled marginal contributions of points at quantiles of alpha, with the fitted "
           "law c k^-alpha and its +-sigma k^(-beta/2) band.",
           NULL, 0);
    figure(h, dir, run, "hist", "Distribution of the law parameters over the points.", NULL, 0);
    /* How fast the estimates settle: the first m samples against all of them. */
    double per_point = ns; /* samples per point: per cardinality x cardinalities in grid mode */
    const char *cards = strstr(json, "\"cards\": [");
    if (strcmp(mode, "grid") == 0 && cards) {
        double g = 1;
        for (const char *p = cards; *p && *p != ']'; p++)
            g += *p == ',';
        per_point = ns * g;
    }
    if (per_point >= 10) {
        char est[4400];
        snprintf(est, sizeof est, "%s/estimators.csv", dir);
        char *eargs[] = {"eval", "estimators", (char *)run, "-o", est, "--quiet", NULL};
        cmd_eval(6, eargs);
        figure(h, dir, est, "convergence",
               "Agreement of the Monte Carlo mean and of the law-based value computed from the "
               "first m samples per point with the mean of all the run's samples (itself an "
               "estimate), as m grows (numbers in estimators.csv).",
               NULL, 0);
    }
    if (strcmp(mode, "grid") == 0)
        figure(h, dir, run, "validation",
               "Validation of the laws on the cardinality grid: mean contributions against k, "
               "R^2 of the per-point log-log fits, and R^2 of the laws at each k.",
               NULL, 0);
    const char *df = data ? data : dpath;
    FILE *probe = binary && strcmp(learner, "logreg") == 0 ? fopen(df, "rb") : NULL;
    if (probe) {
        fclose(probe);
        char sv[32], st2[32], ss[32];
        snprintf(sv, sizeof sv, "%.0f", nval);
        snprintf(st2, sizeof st2, "%.0f", ntest);
        snprintf(ss, sizeof ss, "%.0f", sseed);
        char *extra[16] = {"--data", (char *)df, "--label", label, "--val", sv, "--test", st2,
                           "--split-seed", ss};
        int ne = 10;
        if (!stdz)
            extra[ne++] = "--no-standardize";
        figure(h, dir, run, "distance",
               "alpha against the distance of each point to the decision boundary of logistic "
               "regression fitted on the full training split.",
               extra, ne);
    } else if (binary) {
        fputs("<p>The distance figure needs the run's data file, which cannot be read here "
              "(pass --data FILE).</p>\n",
              h);
    }
    fputs("<p class=\"cmd\">Made by dval ", h);
    html_text(h, dv_version_string());
    fputs(".</p>\n</body></html>\n", h);
    cli_commit(h, tmp, hp);
    if (!quiet)
        printf("%s\n", hp);
    free(r);
    free(json);
    return 0;
}
