/*
 * study_figures.c -- the figures of `dval study boundary` that are not
 * maps of a value: pairwise values of the points nearest the true boundary,
 * and the boundaries of repeated trainings.
 */
#define _GNU_SOURCE
#include "study.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void study_pairs_map(study *s)
{
    const study_opts *o = s->o;
    size_t m = o->pairs, n = 500;
    const double *X = dv_dataset_features(s->train);
    /* the training points nearest g's boundary, by the gap between the
     * squared distances to the nearest mean of each class */
    double *gap = cli_malloc(n * sizeof *gap);
    size_t *idx = cli_malloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) {
        double d[2] = {INFINITY, INFINITY};
        for (size_t k = 0; k < s->cf->n_means; k++) {
            double dx = X[2 * i] - s->cf->means[2 * k], dy = X[2 * i + 1] - s->cf->means[2 * k + 1];
            d[s->cf->cls[k]] = fmin(d[s->cf->cls[k]], sqrt(dx * dx + dy * dy));
        }
        gap[i] = fabs(d[0] - d[1]);
        idx[i] = i;
    }
    for (size_t a = 0; a < m; a++) /* partial selection sort: m is small */
        for (size_t b = a + 1; b < n; b++)
            if (gap[idx[b]] < gap[idx[a]] || (gap[idx[b]] == gap[idx[a]] && idx[b] < idx[a])) {
                size_t t = idx[a];
                idx[a] = idx[b];
                idx[b] = t;
            }
    int64_t *pts = cli_malloc(m * sizeof *pts);
    double *px = cli_malloc(m * sizeof *px), *py = cli_malloc(m * sizeof *py);
    for (size_t a = 0; a < m; a++) {
        pts[a] = (int64_t)idx[a];
        px[a] = X[2 * idx[a]];
        py[a] = X[2 * idx[a] + 1];
    }
    double *pv = cli_malloc(m * m * sizeof *pv), *se = cli_malloc(m * m * sizeof *se);
    size_t *order = cli_malloc(m * sizeof *order);
    phase ph;
    study_phase_begin(&ph, s, "pairwise values");
    dv_error err = {0};
    if (dv_pairwise_values(s->train, &s->lp, pts, m, o->pair_samples, o->seed, pv, se, o->threads,
                           cli_progress_cb, &ph.p, &err) ||
        dv_pairwise_order(pv, m, order, &err))
        cli_die("pairwise values: %s", err.msg);
    study_phase_end(&ph, s, "pairwise");
    double *ax = cli_malloc(n * sizeof *ax), *ay = cli_malloc(n * sizeof *ay);
    int *ac = cli_malloc(n * sizeof *ac);
    for (size_t i = 0; i < n; i++) {
        ax[i] = X[2 * i];
        ay[i] = X[2 * i + 1];
        ac[i] = (int)dv_dataset_targets(s->train)[i];
    }
    dv_pairs_plot pp = {m, pv, order, px, py, pts, n, ax, ay, ac, m};
    dv_plot_opts po = {6.8, 2.9, 150, NULL};
    char png[4200], csv[4200];
    snprintf(png, sizeof png, "%s/pairs.png", s->dir);
    snprintf(csv, sizeof csv, "%s/pairs.csv", s->dir);
    if (dv_plot_pairs(png, csv, &po, &pp, &err))
        cli_die("%s: %s", png, err.msg);
    fprintf(s->html,
            "<figure class=\"wide\"><img src=\"%s/pairs.png\" alt=\"pairs\"><figcaption><b>pairs"
            "</b>: pairwise values of the %zu training points nearest the true boundary, from "
            "%zu random half-subsets of the data: the number of a subset's own points whose "
            "class changes when both points leave it.</figcaption></figure>\n",
            s->cf->name, m, o->pair_samples);
    free(gap), free(idx), free(pts), free(px), free(py), free(pv), free(se), free(order);
    free(ax), free(ay), free(ac);
}

/* Boundaries drawn together: the true one first, then trained ones. */
typedef struct {
    size_t n, cap;
    double **x, **y;
    size_t *len;
    int *grp;
} curve_set;

static void curves_init(curve_set *c, const study *s, size_t cap)
{
    c->cap = cap + 1;
    c->x = cli_calloc(c->cap, sizeof *c->x);
    c->y = cli_calloc(c->cap, sizeof *c->y);
    c->len = cli_calloc(c->cap, sizeof *c->len);
    c->grp = cli_calloc(c->cap, sizeof *c->grp);
    c->len[0] = s->curve_len[0];
    c->x[0] = cli_malloc((c->len[0] + 1) * sizeof(double));
    c->y[0] = cli_malloc((c->len[0] + 1) * sizeof(double));
    memcpy(c->x[0], s->curve_x, c->len[0] * sizeof(double));
    memcpy(c->y[0], s->curve_y, c->len[0] * sizeof(double));
    c->n = 1;
}

/* lp fitted on rows[0..n-1] of ds (all when rows is NULL): its boundary in
 * style group. */
static void curves_fit(curve_set *c, const study *s, const dv_learner_params *lp,
                       const dv_dataset *ds, const int64_t *rows, size_t n, int group)
{
    double *pr = cli_malloc(2 * s->nC * sizeof *pr), *field = cli_malloc(s->nC * sizeof *field);
    dv_model *f = NULL;
    dv_error err = {0};
    int rc = dv_model_fit(&f, lp, ds, rows, n, NULL, &err);
    if ((rc && rc != DV_ENOTCONV) || dv_model_predict(f, s->cxy, s->nC, 2, pr))
        cli_die("stability: %s", err.msg);
    for (size_t q = 0; q < s->nC; q++)
        field[q] = pr[2 * q + 1] - 0.5;
    if (c->n == c->cap)
        cli_die("stability: too many curves");
    c->len[c->n] = study_contour(s, field, &c->x[c->n], &c->y[c->n]);
    c->grp[c->n++] = group;
    dv_model_free(f);
    free(pr), free(field);
}

/* The curves over the true classes as DIR/name.png, and its report entry. */
static void curves_draw(curve_set *c, study *s, const char *name, const char *title,
                        const char *const names[5], size_t n_points, const double *px,
                        const double *py, const int *pcls, const char *caption)
{
    size_t total = 0;
    for (size_t k = 0; k < c->n; k++)
        total += c->len[k];
    double *ax = cli_malloc((total + 1) * sizeof *ax), *ay = cli_malloc((total + 1) * sizeof *ay);
    for (size_t i = 0, off = 0; i < c->n; off += c->len[i], i++) {
        memcpy(ax + off, c->x[i], c->len[i] * sizeof *ax);
        memcpy(ay + off, c->y[i], c->len[i] * sizeof *ay);
    }
    double *z = cli_malloc(s->nP * sizeof *z);
    for (size_t q = 0; q < s->nP; q++)
        z[q] = s->gP[q];
    dv_map mp = {s->P.nx, s->P.ny, s->P.x0, s->P.x1, s->P.y0, s->P.y1, z, "true class", "x",
                 "y", n_points, px, py, pcls, c->n, c->len, ax, ay, c->grp, names, 5, NULL};
    dv_plot_opts po = {3.4, 2.9, 150, title};
    char png[4200], csv[4200];
    snprintf(png, sizeof png, "%s/%s.png", s->dir, name);
    snprintf(csv, sizeof csv, "%s/%s.csv", s->dir, name);
    dv_error err = {0};
    if (dv_plot_map(png, csv, &po, &mp, &err))
        cli_die("%s: %s", png, err.msg);
    fprintf(s->html, "<figure><img src=\"%s/%s.png\" alt=\"%s\"><figcaption><b>%s</b>: %s"
                     "</figcaption></figure>\n",
            s->cf->name, name, name, name, caption);
    for (size_t k = 0; k < c->n; k++)
        free(c->x[k]), free(c->y[k]);
    free(c->x), free(c->y), free(c->len), free(c->grp), free(ax), free(ay), free(z);
}

void study_stability_map(study *s)
{
    size_t sizes[3] = {3, 50, s->o->hidden}, reps = s->o->quick ? 3 : 5;
    phase ph;
    study_phase_begin(&ph, s, "stability");
    curve_set c;
    curves_init(&c, s, 3 * reps);
    for (int h = 0; h < 3; h++)
        for (size_t r = 0; r < reps; r++) {
            dv_learner_params lp = s->lp;
            lp.hidden[0] = sizes[h];
            lp.seed = s->o->seed + 1000 * (uint64_t)(h + 1) + r;
            curves_fit(&c, s, &lp, s->train, NULL, 500, 2 + h);
        }
    char h0[32], h1[32], h2[32], cap[300];
    snprintf(h0, sizeof h0, "%zu hidden", sizes[0]);
    snprintf(h1, sizeof h1, "%zu hidden", sizes[1]);
    snprintf(h2, sizeof h2, "%zu hidden", sizes[2]);
    const char *names[5] = {"true boundary", "", h0, h1, h2};
    snprintf(cap, sizeof cap, "decision boundaries of %zu trainings (other seeds) of mlps with "
                              "%zu, %zu and %zu hidden units over the true classes.",
             reps, sizes[0], sizes[1], sizes[2]);
    curves_draw(&c, s, "stability", "Boundaries of repeated trainings", names, 0, NULL, NULL,
                NULL, cap);
    /* One point added to the first 50, 100 and 500 training points: at the
     * centre of a class-1 cluster, labelled 1 (correct) or 0 (mislabelled). */
    size_t ns[3] = {50, 100, 500};
    const double *X = dv_dataset_features(s->train), *Y = dv_dataset_targets(s->train);
    size_t mc = 0;
    while (s->cf->cls[mc] != 1)
        mc++;
    for (int k = 0; k < 3; k++) {
        double *AX = cli_malloc((ns[k] + 1) * 2 * sizeof *AX), *AY = cli_malloc((ns[k] + 1) * sizeof *AY);
        memcpy(AX, X, ns[k] * 2 * sizeof *AX);
        memcpy(AY, Y, ns[k] * sizeof *AY);
        AX[2 * ns[k]] = s->cf->means[2 * mc];
        AX[2 * ns[k] + 1] = s->cf->means[2 * mc + 1];
        curve_set a;
        curves_init(&a, s, 3 * reps);
        for (int label = -1; label <= 1; label++) { /* -1: no point */
            AY[ns[k]] = label < 0 ? 0 : label;
            dv_dataset *ds = NULL;
            dv_error err = {0};
            if (dv_dataset_from_arrays(&ds, ns[k] + (label >= 0), 2, AX, AY,
                                       DV_TASK_CLASSIFICATION, 2, NULL, &err))
                cli_die("stability: %s", err.msg);
            for (size_t r = 0; r < reps; r++) {
                dv_learner_params lp = s->lp;
                lp.seed = s->o->seed + 7000 + r;
                curves_fit(&a, s, &lp, ds, NULL, dv_dataset_rows(ds), label < 0 ? 2 : label ? 3 : 4);
            }
            dv_dataset_free(ds);
        }
        const char *an[5] = {"true boundary", "", "without the point", "point labelled 1",
                             "point labelled 0"};
        char name[64], title[80];
        snprintf(name, sizeof name, "stability_n%zu", ns[k]);
        snprintf(title, sizeof title, "One point added to %zu", ns[k]);
        snprintf(cap, sizeof cap, "boundaries of %zu trainings on the first %zu training points "
                                  "alone, and with one point at the centre of a class-1 cluster "
                                  "(the marker) labelled 1 (correct) or 0 (mislabelled).",
                 reps, ns[k]);
        int one = 1;
        curves_draw(&a, s, name, title, an, 1, AX + 2 * ns[k], AX + 2 * ns[k] + 1, &one, cap);
        free(AX), free(AY);
    }
    study_phase_end(&ph, s, "stability");
}

