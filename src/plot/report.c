/*
 * report.c -- one self-contained HTML page for a finished run: the command
 * and settings, the data, the timing, the most and least valuable points,
 * and every figure that applies, embedded as PNG and also written beside
 * the page as PNG and SVG.  Everything on the page comes from library
 * calls on the run (dval.h, dval_plot.h).
 */
#include "dval_plot.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void dv_report_opts_default(dv_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->top = 10;
}

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

static int base64_file(FILE *out, const char *path, dv_error *err)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    FILE *in = fopen(path, "rb");
    if (!in)
        return dv__err(err, DV_EIO, "%s: cannot read: %s", path, strerror(errno));
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
    return DV_OK;
}

/* What the figures draw. */
typedef struct {
    const dv_run *r;
    const dv_law *laws;
    const dv_report_opts *o;
    /* convergence */
    size_t nb, n_est;
    double *budgets, *m[3];
    /* distance */
    const dv_dataset *train;
    double *alpha;
} fig_ctx;

/* One figure drawn twice (PNG and SVG) by draw(ctx, path, err). */
typedef int (*draw_fn)(void *ctx, const char *path, dv_error *err);

/* Draws DIR/NAME.png and .svg and embeds the PNG with its caption and the
 * command that draws it again (`dval plot NAME INPUT EXTRA... -o NAME.svg`). */
static int figure(FILE *h, const char *dir, const char *input, const char *name,
                  const char *caption, const char *const *extra, int n_extra, draw_fn draw,
                  void *ctx, dv_error *err)
{
    const dv_report_opts *o = ((const fig_ctx *)ctx)->o;
    char png[4400], svg[4400];
    snprintf(png, sizeof png, "%s/%s.png", dir, name);
    snprintf(svg, sizeof svg, "%s/%s.svg", dir, name);
    int rc = DV_OK;
    const char *files[2] = {png, svg};
    for (int k = 0; k < 2 && !rc; k++)
        if (!(rc = draw(ctx, files[k], err)) && o->wrote)
            o->wrote(o->user, files[k]);
    if (rc)
        return rc;
    fprintf(h, "<figure><img alt=\"%s\" src=\"data:image/png;base64,", name);
    if ((rc = base64_file(h, png, err)))
        return rc;
    fprintf(h, "\"><figcaption>");
    html_text(h, caption);
    fprintf(h, " <span class=\"cmd\">dval plot %s ", name);
    html_text(h, input);
    for (int i = 0; i < n_extra; i++) {
        fputc(' ', h);
        html_text(h, extra[i]);
    }
    fprintf(h, " -o %s.svg</span></figcaption></figure>\n", name);
    return DV_OK;
}

/* ------------------------------------------------------------------------ */
/* The figures' drawing calls                                               */
/* ------------------------------------------------------------------------ */


static int draw_law(void *c, const char *path, dv_error *err)
{
    fig_ctx *f = c;
    return dv_plot_run_law(path, NULL, NULL, f->r, f->laws, NULL, 0, err);
}

static int draw_hist(void *c, const char *path, dv_error *err)
{
    fig_ctx *f = c;
    return dv_plot_run_hist(path, NULL, NULL, f->r, f->laws, err);
}

static int draw_validation(void *c, const char *path, dv_error *err)
{
    fig_ctx *f = c;
    return dv_plot_run_validation(path, NULL, NULL, f->r, f->laws, err);
}

static int draw_convergence(void *c, const char *path, dv_error *err)
{
    static const char *const names[] = {"mc_mean", "law", "law_eb", "amortized"};
    fig_ctx *f = c;
    return dv_plot_convergence(path, NULL, NULL, f->nb, f->budgets, f->n_est, names, f->m[0],
                               f->m[1], f->m[2], err);
}

static int draw_distance(void *c, const char *path, dv_error *err)
{
    fig_ctx *f = c;
    return dv_plot_run_distance(path, NULL, NULL, f->r, f->train, f->alpha, "\xce\xb1", err);
}

/* How the point fits ended, and what a fit on the edge of the box means. */
static void fit_status(FILE *h, const dv_law *laws, size_t n)
{
    size_t count[DV_LAW_BOUND + 1] = {0};
    for (size_t i = 0; i < n; i++)
        if (laws[i].status >= 0 && laws[i].status <= DV_LAW_BOUND)
            count[laws[i].status]++;
    fputs("<p>Fits:", h);
    const char *sep = " ";
    for (int s = DV_LAW_OK; s <= DV_LAW_BOUND; s++)
        if (count[s]) {
            fprintf(h, "%s%s %zu (%.1f %%)", sep, dv_law_status_name(s), count[s],
                    100.0 * (double)count[s] / (double)(n ? n : 1));
            sep = ", ";
        }
    fputs(".", h);
    if (count[DV_LAW_BOUND])
        fprintf(h, " A fit on the bound has its optimum on the edge of the box alpha, beta in "
                   "(0, e<sup>2</sup>]: its samples do not determine the law (too few, or no "
                   "decay over the sampled sizes), and its c k<sup>-alpha</sup> and law value "
                   "can be far off outside the sampled sizes. For those %zu points prefer the "
                   "Monte Carlo mean (mc_mean) or the empirical-Bayes law (dval fit --estimator "
                   "law_eb).",
                count[DV_LAW_BOUND]);
    fputs("</p>\n", h);
}

/* The estimator experiment with the default budgets, written to
 * DIR/estimators.csv, its R^2, Pearson and Spearman rows into f->m. */
static int estimators(fig_ctx *f, const char *csv, dv_error *err)
{
    const dv_report_opts *ro = f->o;
    size_t b[32];
    f->nb = dv_run_estimator_budgets(f->r, NULL, b);
    f->n_est = ro->amortized ? 4 : 3;
    dv_agreement *out = dv__malloc((f->nb + 1) * DV_EST_COUNT * sizeof *out);
    f->budgets = dv__malloc((f->nb + 1) * sizeof *f->budgets);
    for (int k = 0; k < 3; k++)
        f->m[k] = dv__malloc(f->n_est * (f->nb + 1) * sizeof *f->m[k]);
    int rc = out && f->budgets && f->m[0] && f->m[1] && f->m[2]
                 ? DV_OK
                 : dv__err(err, DV_ENOMEM, "out of memory");
    /* The estimators that need only the samples, and the amortized law
     * when asked for (it needs the run's data). */
    dv_estimators_options o;
    dv_estimators_options_default(&o);
    o.estimators = 1u << DV_EST_MC_MEAN | 1u << DV_EST_LAW | 1u << DV_EST_LAW_EB;
    o.n_threads = ro->n_threads;
    dv_dataset *tr = NULL, *va = NULL, *te = NULL;
    if (!rc && ro->amortized) {
        const char *df = ro->data_path ? ro->data_path : dv_run_get_info(f->r)->data_path;
        rc = dv_run_load_data(f->r, df, &tr, &va, &te, err);
        o.estimators |= 1u << DV_EST_AMORTIZED;
        o.train = tr;
    }
    if (!rc)
        rc = dv_run_estimators(f->r, b, f->nb, &o, out, NULL, NULL, NULL, err);
    if (!rc)
        rc = dv_estimators_write(csv, b, f->nb, o.estimators, out,
                                 dv_run_get_info(f->r)->n_points, err);
    for (size_t j = 0; !rc && j < f->nb; j++) {
        f->budgets[j] = (double)b[j];
        for (size_t e = 0; e < f->n_est; e++) {
            const dv_agreement *a = &out[j * DV_EST_COUNT + e];
            f->m[0][e * f->nb + j] = a->r2;
            f->m[1][e * f->nb + j] = a->pearson;
            f->m[2][e * f->nb + j] = a->spearman;
        }
    }
    dv__free(out);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    long long point, source;
    const char *label;
    double law, law_se, mc, se, c, alpha;
    const char *status;
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

/* One row per point, most valuable first. */
static row *rows_by_value(const dv_run *r, const dv_law *laws)
{
    size_t n = dv_run_get_info(r)->n_points;
    row *x = dv__calloc(n ? n : 1, sizeof *x);
    double *v = dv__malloc(3 * (n ? n : 1) * sizeof *v);
    if (!x || !v) {
        dv__free(x);
        dv__free(v);
        return NULL;
    }
    dv_run_values(r, laws, v, v + n, v + 2 * n);
    const dv_run_info *I = dv_run_get_info(r);
    size_t M = I->n_samples;
    for (size_t i = 0; i < n; i++)
        x[i] = (row){dv_run_points(r)[i], dv_run_source_row(r, i), dv_run_label(r, i), v[i],
                     dv_law_value_stderr(dv_run_deltas(r) + i * M, dv_run_cards(r) + i * M, M,
                                         &laws[i], I->min_card, I->max_card),
                     v[n + i], v[2 * n + i], laws[i].c, laws[i].alpha,
                     dv_law_status_name(laws[i].status)};
    dv__free(v);
    qsort(x, n, sizeof *x, by_law);
    return x;
}

static void table(FILE *h, const row *r, size_t from, size_t to, size_t n)
{
    fputs("<table><tr><th>rank</th><th>point</th><th>data row</th><th>label</th>"
          "<th>law value &plusmn; s.e.</th><th>MC mean &plusmn; s.e.</th><th>c</th><th>&alpha;</th>"
          "<th>fit</th></tr>\n",
          h);
    for (size_t i = from; i < to && i < n; i++) {
        fprintf(h, "<tr><td>%zu</td><td>%lld</td><td>%lld</td><td>", i + 1, r[i].point,
                r[i].source);
        html_text(h, r[i].label);
        fprintf(h, "</td><td>%.4g", r[i].law);
        if (isfinite(r[i].law_se))
            fprintf(h, " &plusmn; %.2g", r[i].law_se);
        fprintf(h, "</td><td>%.4g &plusmn; %.2g</td><td>%.4g</td><td>%.3f</td><td>%s</td></tr>\n",
                r[i].mc, r[i].se, r[i].c, r[i].alpha, r[i].status);
    }
    fputs("</table>\n", h);
}

static void kv(FILE *h, const char *k, const char *v)
{
    fprintf(h, "<tr><th>%s</th><td>", k);
    html_text(h, v);
    fputs("</td></tr>\n", h);
}

/* ------------------------------------------------------------------------ */
/* The page                                                                 */
/* ------------------------------------------------------------------------ */

static void head(FILE *h, const char *name)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>dval report: ",
          h);
    html_text(h, name);
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
    html_text(h, name);
    fputs("</h1>\n", h);
}

/* Command, settings, data and timing. */
static void settings(FILE *h, const dv_run *r)
{
    const dv_run_info *I = dv_run_get_info(r);
    int grid = I->mode == DV_CARD_GRID;
    char buf[512];
    fputs("<h2>Command and settings</h2>\n<pre>", h);
    html_text(h, I->command);
    fputs("</pre>\n<table class=\"kv\">\n", h);
    kv(h, "learner", I->learner);
    kv(h, "utility", I->metric);
    kv(h, "sampling mode", grid ? "grid" : "uniform");
    snprintf(buf, sizeof buf, "%lld to %lld", (long long)I->min_card, (long long)I->max_card);
    kv(h, "dataset sizes k", buf);
    snprintf(buf, sizeof buf, "%zu%s", I->samples, grid ? " per cardinality" : "");
    kv(h, "samples per point", buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)I->seed);
    kv(h, "seed", buf);
    fputs("</table>\n<h2>Data</h2>\n<table class=\"kv\">\n", h);
    kv(h, "file", I->data_path);
    kv(h, "label column", I->label);
    snprintf(buf, sizeof buf, "%zu training, %zu validation, %zu test rows (split seed %llu)",
             I->n_train, I->n_val, I->n_test, (unsigned long long)I->split_seed);
    kv(h, "split", buf);
    snprintf(buf, sizeof buf, "%zu%s", I->n_features,
             I->standardized ? " (standardized with training statistics)" : "");
    kv(h, "features", buf);
    snprintf(buf, sizeof buf, "%zu", I->n_points);
    kv(h, "points valued", buf);
    fputs("</table>\n<h2>Timing</h2>\n", h);
    char path[4200];
    dv__path_in(path, sizeof path, dv_run_dir(r), "timing.txt");
    char *timing = dv__slurp(path, NULL);
    if (timing) {
        fputs("<pre>", h);
        html_text(h, timing);
        fputs("</pre>\n", h);
        dv__free(timing);
    } else {
        fputs("<p>Not recorded for this run.</p>\n", h);
    }
}

static int values(FILE *h, const dv_run *r, const dv_law *laws, size_t top, dv_error *err)
{
    size_t n = dv_run_get_info(r)->n_points;
    row *x = rows_by_value(r, laws);
    if (!x)
        return dv__err(err, DV_ENOMEM, "out of memory");
    fputs("<h2>Values</h2>\n<p>Law value: the mean of c&nbsp;k<sup>&minus;&alpha;</sup> over the "
          "run's dataset sizes (the law-based distributional Shapley value), with its standard "
          "error (delta method; too small where the samples hardly determine the law); MC mean: "
          "the mean of the sampled marginal contributions, with its standard error.</p>\n",
          h);
    fprintf(h, "<h3>Most valuable points</h3>\n");
    table(h, x, 0, top, n);
    fprintf(h, "<h3>Least valuable points</h3>\n<p>Candidates for inspection (e.g. label "
               "noise).</p>\n");
    table(h, x, n > top ? n - top : 0, n, n);
    dv__free(x);
    return DV_OK;
}

/* The distance figure: the run's data loaded as the run did. */
static int distance(FILE *h, const char *dir, const dv_run *r, fig_ctx *f,
                    const dv_report_opts *o, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    const char *df = o->data_path ? o->data_path : I->data_path;
    FILE *probe = fopen(df, "rb");
    if (!probe) {
        fputs("<p>The distance figure needs the run's data file, which cannot be read here "
              "(pass --data FILE).</p>\n",
              h);
        return DV_OK;
    }
    fclose(probe);
    dv_dataset *tr, *va, *te;
    int rc = dv_run_load_data(r, df, &tr, &va, &te, err);
    if (rc)
        return rc;
    size_t n = I->n_points;
    f->train = tr;
    f->alpha = dv__malloc((n ? n : 1) * sizeof *f->alpha);
    if (!f->alpha)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        f->alpha[i] = f->laws[i].alpha;
    char sv[32], st[32], ss[32];
    snprintf(sv, sizeof sv, "%zu", I->n_val);
    snprintf(st, sizeof st, "%zu", I->n_test);
    snprintf(ss, sizeof ss, "%llu", (unsigned long long)I->split_seed);
    const char *extra[16] = {"--data", df, "--label", I->label, "--val", sv, "--test", st,
                             "--split-seed", ss};
    int ne = 10;
    if (!I->standardized)
        extra[ne++] = "--no-standardize";
    if (!rc)
        rc = figure(h, dir, dv_run_dir(r), "distance",
                    "alpha against the distance of each point to the decision boundary of "
                    "logistic regression fitted on the full training split.",
                    extra, ne, draw_distance, f, err);
    dv__free(f->alpha);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    return rc;
}

static size_t per_point_samples(const dv_run_info *I)
{
    return I->samples * (I->mode == DV_CARD_GRID ? I->n_cards : 1);
}

static int figures(FILE *h, const char *dir, const dv_run *r, const dv_law *laws,
                   const dv_report_opts *o, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    const char *run = dv_run_dir(r);
    fig_ctx f = {r, laws, o, 0, 0, NULL, {NULL, NULL, NULL}, NULL, NULL};
    fputs("<h2>Figures</h2>\n", h);
    fit_status(h, laws, I->n_points);
    int rc = figure(h, dir, run, "law",
                    "Sampled marginal contributions of points at quantiles of alpha, with the "
                    "fitted law c k^-alpha and its +-sigma k^(-beta/2) band.",
                    NULL, 0, draw_law, &f, err);
    if (!rc)
        rc = figure(h, dir, run, "hist", "Distribution of the law parameters over the points.",
                    NULL, 0, draw_hist, &f, err);
    if (rc == DV_EDEGEN) { /* no law was fitted: the figures of laws have nothing to show */
        fprintf(h, "<p>No point's law could be fitted (%zu samples per point), so the figures "
                   "of the laws are left out.</p>\n",
                per_point_samples(I));
        rc = DV_OK;
    }
    /* How fast the estimates settle: the first m samples against all of them. */
    size_t per_point = per_point_samples(I);
    if (!rc && per_point >= 10) {
        char est[4400], cap[400];
        snprintf(est, sizeof est, "%s/estimators.csv", dir);
        snprintf(cap, sizeof cap,
                 "Agreement of the values computed from the first m samples per point (the "
                 "Monte Carlo mean, the per-point law, the empirical-Bayes law%s) with the mean "
                 "of all the run's samples (itself an estimate), as m grows (numbers in "
                 "estimators.csv).",
                 o->amortized ? ", the amortized law" : "");
        rc = estimators(&f, est, err);
        if (!rc)
            rc = figure(h, dir, est, "convergence", cap, NULL, 0, draw_convergence, &f, err);
    }
    if (!rc && I->mode == DV_CARD_GRID)
        rc = figure(h, dir, run, "validation",
                    "Validation of the laws on the cardinality grid: mean contributions against "
                    "k, R^2 of the per-point log-log fits, and R^2 of the laws at each k.",
                    NULL, 0, draw_validation, &f, err);
    if (!rc && I->n_classes == 2 && strcmp(I->learner, "logreg") == 0)
        rc = distance(h, dir, r, &f, o, err);
    dv__free(f.budgets);
    for (int k = 0; k < 3; k++)
        dv__free(f.m[k]);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* What the values were used for: task results kept in the run directory    */
/* ------------------------------------------------------------------------ */

/* A CSV file of dval's own (no quoted fields): its lines split at commas in
 * place; NULL when it cannot be read. */
typedef struct {
    char *text;
    char ***cell; /* rows (the header first) of n_cols fields */
    size_t n_rows, n_cols;
} task_csv;

static void task_csv_free(task_csv *t)
{
    for (size_t r = 0; t->cell && r < t->n_rows; r++)
        dv__free(t->cell[r]);
    dv__free(t->cell);
    dv__free(t->text);
    memset(t, 0, sizeof *t);
}

/* Reads path; 1 when it holds a header and rows of equal width, else 0
 * (the file is then left out of the report). */
static int task_csv_read(task_csv *t, const char *path)
{
    memset(t, 0, sizeof *t);
    if (!(t->text = dv__slurp(path, NULL)))
        return 0;
    size_t lines = 0;
    for (char *c = t->text; *c; c++)
        lines += *c == '\n';
    t->cell = dv__calloc(lines + 1, sizeof *t->cell);
    if (!t->cell) {
        task_csv_free(t);
        return 0;
    }
    char *save = NULL;
    for (char *line = strtok_r(t->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t k = 1;
        for (char *c = line; *c; c++)
            k += *c == ',';
        if (t->n_rows == 0)
            t->n_cols = k;
        if (k != t->n_cols || !(t->cell[t->n_rows] = dv__malloc(k * sizeof(char *)))) {
            task_csv_free(t);
            return 0;
        }
        char **f = t->cell[t->n_rows++];
        f[0] = line;
        for (size_t j = 1; j < k; j++) {
            char *c = strchr(f[j - 1], ',');
            *c = '\0';
            f[j] = c + 1;
        }
    }
    if (t->n_rows < 2) {
        task_csv_free(t);
        return 0;
    }
    return 1;
}

/* The column named name, or n_cols. */
static size_t task_col(const task_csv *t, const char *name)
{
    size_t j = 0;
    while (j < t->n_cols && strcmp(t->cell[0][j], name))
        j++;
    return j;
}

/* RUN_DIR/poison.csv (dval eval poison -o RUN_DIR/poison.csv) as a table. */
static void poison_table(FILE *h, const task_csv *t)
{
    static const char *const cols[] = {"attack", "method", "f1", "auroc", "success_clean",
                                       "success_poisoned", "success_after", "accuracy_after"};
    static const char *const heads[] = {"attack", "method", "F1", "AUROC", "success, clean rows",
                                        "success, poisoned rows", "success after removal",
                                        "test accuracy after removal"};
    size_t c[8];
    for (int k = 0; k < 8; k++)
        if ((c[k] = task_col(t, cols[k])) == t->n_cols)
            return;
    fputs("<h3>Poisoned rows</h3>\n<p>From poison.csv (<span class=\"cmd\">dval eval poison"
          "</span>): how well each method's lowest values find the poisoned rows, and the "
          "attack's success on the test probes before and after the lowest-valued rows are "
          "removed (<em>injected</em> removes exactly the poisoned rows).</p>\n<table><tr>", h);
    for (int k = 0; k < 8; k++)
        fprintf(h, "<th>%s</th>", heads[k]);
    fputs("</tr>\n", h);
    for (size_t r = 1; r < t->n_rows; r++) {
        fputs("<tr>", h);
        for (int k = 0; k < 8; k++) {
            const char *v = t->cell[r][c[k]];
            fputs("<td>", h);
            if (k < 2 || !*v)
                html_text(h, *v ? v : "error");
            else
                fprintf(h, "%.3f", strtod(v, NULL));
            fputs("</td>", h);
        }
        fputs("</tr>\n", h);
    }
    fputs("</table>\n", h);
}

typedef struct {
    fig_ctx base; /* first: figure() reads its options */
    size_t np, ns;
    double *labels, *mean, *half, target;
    const char **names;
} acq_fig;

static int draw_acquire(void *c, const char *path, dv_error *err)
{
    acq_fig *a = c;
    return dv_plot_acquire(path, NULL, NULL, a->np, a->labels, a->ns, a->names, a->mean,
                           a->half, a->target, err);
}

/* RUN_DIR/acquire.csv (dval eval acquire): the curves and the summary. */
static int acquire_section(FILE *h, const char *dir, const char *csv, const task_csv *t,
                           const dv_report_opts *o, dv_error *err)
{
    size_t cs = task_col(t, "scorer"), cr = task_col(t, "rep"), ck = task_col(t, "round"),
           cl = task_col(t, "labels"), ca = task_col(t, "accuracy");
    if (cs == t->n_cols || cr == t->n_cols || ck == t->n_cols || cl == t->n_cols ||
        ca == t->n_cols)
        return DV_OK;
    /* the shape: scorers in order, repetitions and rounds from the largest indices */
    size_t n = t->n_rows - 1, ns = 0, reps = 0, rounds = 0;
    const char **names = dv__calloc(n, sizeof *names);
    dv_acq_scorer *codes = dv__calloc(n, sizeof *codes);
    if (!names || !codes) {
        dv__free(names);
        dv__free(codes);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    int ok = 1;
    double batch = 0;
    for (size_t r = 1; r <= n && ok; r++) {
        const char *s = t->cell[r][cs];
        size_t k = 0;
        while (k < ns && strcmp(names[k], s))
            k++;
        if (k == ns) {
            ok = dv_acq_scorer_from_name(s, &codes[ns]) == DV_OK;
            names[ns++] = s;
        }
        size_t rep = (size_t)strtoul(t->cell[r][cr], NULL, 10),
               rd = (size_t)strtoul(t->cell[r][ck], NULL, 10);
        reps = rep + 1 > reps ? rep + 1 : reps;
        rounds = rd > rounds ? rd : rounds;
        if (rd == 1)
            batch = strtod(t->cell[r][cl], NULL);
    }
    ok = ok && ns && rounds && batch >= 1 && n == ns * reps * (rounds + 1);
    size_t T1 = rounds + 1;
    double *acc = ok ? dv__malloc(n * sizeof *acc) : NULL;
    acq_fig a = {{NULL, NULL, o, 0, 0, NULL, {NULL, NULL, NULL}, NULL, NULL}, T1, ns,
                 dv__malloc(T1 * sizeof(double)), dv__malloc(ns * T1 * sizeof(double)),
                 dv__malloc(ns * T1 * sizeof(double)), NAN, names};
    dv_acq_summary *S = dv__malloc((ns ? ns : 1) * sizeof *S);
    int rc = ok && (!acc || !a.labels || !a.mean || !a.half || !S)
                 ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    /* rows are written scorer by scorer, repetition by repetition, round by round */
    for (size_t r = 1; ok && !rc && r <= n; r++)
        acc[r - 1] = strtod(t->cell[r][ca], NULL);
    if (ok && !rc) {
        char jpath[4500];
        snprintf(jpath, sizeof jpath, "%s.json", csv);
        char *j = dv__slurp(jpath, NULL), *k = j ? strstr(j, "\"target_accuracy\":") : NULL;
        if (k && strstr(j, "\"target_is\": \"given\""))
            a.target = strtod(k + strlen("\"target_accuracy\":"), NULL);
        dv__free(j);
        for (size_t q = 0; q < T1; q++)
            a.labels[q] = (double)q * batch;
        dv_acq_curve_means(acc, ns, reps, rounds, a.mean, a.half);
        rc = dv_acq_summarize(codes, ns, reps, rounds, (size_t)batch, acc, &a.target, S, NULL,
                              err);
    }
    if (ok && !rc) {
        fputs("<h3>Active acquisition</h3>\n", h);
        rc = figure(h, dir, csv, "acquire",
                    "Test accuracy against labels bought, per scorer: the mean over the "
                    "repetitions with its 95 % interval, and the target accuracy.",
                    NULL, 0, draw_acquire, &a, err);
    }
    if (ok && !rc) {
        fprintf(h, "<table><tr><th>scorer</th><th>final accuracy</th><th>reached %.4f</th>"
                   "<th>labels to reach it</th><th>labels saved against random (95 %%)</th>"
                   "</tr>\n", a.target);
        for (size_t s = 0; s < ns; s++) {
            const dv_acq_summary *u = &S[s];
            fprintf(h, "<tr><td>%s</td><td>%.4f</td><td>%zu of "
                       "%zu</td><td>%.1f</td><td>",
                    dv_acq_scorer_name(codes[s]), u->final_mean, u->reached, reps,
                    u->labels_mean);
            if (isfinite(u->saved_ci))
                fprintf(h, "%.1f [%.1f, %.1f]", u->saved_mean, u->saved_mean - u->saved_ci,
                        u->saved_mean + u->saved_ci);
            else if (isfinite(u->saved_mean))
                fprintf(h, "%.1f", u->saved_mean);
            fputs("</td></tr>\n", h);
        }
        fputs("</table>\n", h);
    }
    dv__free(names);
    dv__free(codes);
    dv__free(acc);
    dv__free(a.labels);
    dv__free(a.mean);
    dv__free(a.half);
    dv__free(S);
    return rc;
}

/* The results of dval eval poison, acquire and sensitivity written into
 * the run directory, when there are any. */
static int applications(FILE *h, const char *dir, const dv_run *r, const dv_report_opts *o,
                        dv_error *err)
{
    char pp[4400], ap[4400], sp[4400];
    snprintf(pp, sizeof pp, "%s/poison.csv", dv_run_dir(r));
    snprintf(ap, sizeof ap, "%s/acquire.csv", dv_run_dir(r));
    snprintf(sp, sizeof sp, "%s/sensitivity.csv.json", dv_run_dir(r));
    task_csv pt, at;
    int has_p = task_csv_read(&pt, pp), has_a = task_csv_read(&at, ap);
    char *sens = dv__slurp(sp, NULL);
    int rc = DV_OK;
    if (has_p || has_a || sens)
        fputs("<h2>Applications</h2>\n", h);
    if (has_p)
        poison_table(h, &pt);
    if (has_a)
        rc = acquire_section(h, dir, ap, &at, o, err);
    if (!rc && sens) {
        fputs("<h3>Sensitivity of a conclusion</h3>\n<p>From sensitivity.csv.json (<span "
              "class=\"cmd\">dval eval sensitivity</span>): the fewest training rows whose "
              "removal changes the conclusion, by first order and by refits.</p>\n<pre>", h);
        html_text(h, sens);
        fputs("</pre>\n", h);
    }
    if (has_p)
        task_csv_free(&pt);
    if (has_a)
        task_csv_free(&at);
    dv__free(sens);
    return rc;
}

int dv_report_write(const dv_run *r, const dv_law *laws, const char *dir,
                    const dv_report_opts *opts, dv_error *err)
{
    dv_report_opts o;
    if (opts)
        o = *opts;
    else
        dv_report_opts_default(&o);
    if (!r || !laws || !dir)
        return dv__err(err, DV_EINVAL, "report: a run, its laws and a folder are required");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return dv__err(err, DV_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    char hp[4400], tmp[4500];
    snprintf(hp, sizeof hp, "%s/report.html", dir);
    FILE *h = dv__out_open(hp, tmp, sizeof tmp, err);
    if (!h)
        return err ? err->code : DV_EIO;
    head(h, dv_run_dir(r));
    settings(h, r);
    int rc = values(h, r, laws, o.top ? o.top : 10, err);
    if (!rc)
        rc = figures(h, dir, r, laws, &o, err);
    if (!rc)
        rc = applications(h, dir, r, &o, err);
    if (rc) {
        fclose(h);
        remove(tmp);
        return rc;
    }
    fputs("<p class=\"cmd\">Made by dval ", h);
    html_text(h, dv_version_string());
    fputs(".</p>\n</body></html>\n", h);
    return dv__out_commit(h, tmp, hp, err);
}
