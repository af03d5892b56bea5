/*
 * study_common.c -- what the maps of `dval study boundary` share: progress
 * and timing per phase, meshes, boundaries as curves, drawing a map with its
 * report entry, and the baseline (the data, the mlp, the true and learned
 * boundaries, the overview map).
 */
#define _GNU_SOURCE
#include "study.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const GROUP_NAMES[] = {"true boundary", "learned boundary", "", "", ""};

void study_phase_begin(phase *ph, study *s, const char *what)
{
    static char label[256];
    snprintf(label, sizeof label, "%s (configuration %d of %d), phase %d of %d: %s", s->cf->name,
             s->o->config_no, s->o->n_configs, ++s->phase_no, N_PHASES, what);
    cli_progress_init(&ph->p, label, 0, s->o->quiet);
    ph->t0 = dv_clock_seconds();
}

/* Each phase's share of a configuration's time, in the order of
 * study_phase_begin's calls, measured with the defaults (timing.csv of the
 * full study and of --quick; BENCHMARKS.md).  Other options shift the
 * shares; the estimate of the time left scales with the time measured so
 * far, so it stays roughly right. */
static const double FULL_SHARES[N_PHASES] = {
    0.0002, 0.089, 0.167, 0.00002, 0.0003, 0.382, 0.271, 0.057, 0.0008, 0.0006, 0.0007, 0.005,
    0.026};
static const double QUICK_SHARES[N_PHASES] = {
    0.001, 0.097, 0.204, 0.002, 0.004, 0.131, 0.024, 0.457, 0.008, 0.009, 0.011, 0.027, 0.026};

double study_phase_end(phase *ph, study *s, const char *method)
{
    if (ph->p.enabled && ph->p.last > ph->p.t0)
        cli_progress_end(&ph->p);
    double now = dv_clock_seconds(), sec = now - ph->t0;
    fprintf(s->timing, "%s,%s,%.3f\n", s->cf->name, method, sec);
    fflush(s->timing);
    const double *share = s->o->quick ? QUICK_SHARES : FULL_SHARES;
    if (s->phase_no >= 1 && s->phase_no <= N_PHASES)
        s->clk->done += share[s->phase_no - 1];
    if (!s->o->quiet) {
        double left = s->o->n_configs - s->clk->done;
        left = left > 0 ? (now - s->clk->t0) / s->clk->done * left : 0;
        fprintf(stderr, "dval: %s: %s in %.1f s; the study has about %.0f %s left\n",
                s->cf->name, method, sec, left >= 120 ? left / 60 : left,
                left >= 120 ? "min" : "s");
    }
    return sec;
}

/* ------------------------------------------------------------------------ */
/* Maps                                                                     */
/* ------------------------------------------------------------------------ */

dv_mesh study_mesh_step(double step)
{
    size_t n = (size_t)llround(30.0 / step) + 1;
    return (dv_mesh){-10, 20, -10, 20, n, n};
}

double *study_mesh_xy(const dv_mesh *m, size_t *n)
{
    *n = m->nx * m->ny;
    double *xy = cli_malloc(2 * *n * sizeof *xy);
    dv_error err = {0};
    if (dv_mesh_points(m, xy, &err))
        cli_die("mesh: %s", err.msg);
    return xy;
}

/* The level curve of field on s->C as NaN-separated polylines. */
size_t study_contour(const study *s, const double *field, double **x, double **y)
{
    size_t n = dv_mesh_contour(&s->C, field, 0, NULL, 0);
    double *seg = cli_malloc((4 * n + 1) * sizeof *seg);
    dv_mesh_contour(&s->C, field, 0, seg, n);
    *x = cli_malloc((3 * n + 1) * sizeof **x);
    *y = cli_malloc((3 * n + 1) * sizeof **y);
    size_t len = dv_segments_chain(seg, n, *x, *y);
    if (n && !len)
        cli_die("out of memory");
    free(seg);
    return len;
}

/* One map on mesh m with both boundaries: DIR/name.png and name.csv, and
 * its entry in the report with the mean value on the plotting nodes that
 * f_X misclassifies against the rest (when m is the plotting mesh). */
void study_draw_map_sized(study *s, const dv_mesh *m, const double *z, const char *name,
                           const char *label, const char *caption, size_t n_points,
                           const double *px, const double *py, const int *pcls,
                           const double *psize, const char *title)
{
    char png[4200], csv[4200];
    snprintf(png, sizeof png, "%s/%s.png", s->dir, name);
    snprintf(csv, sizeof csv, "%s/%s.csv", s->dir, name);
    dv_map mp = {m->nx, m->ny, m->x0, m->x1, m->y0, m->y1, z, label, "x", "y",
                 n_points, px, py, pcls, 2, s->curve_len, s->curve_x, s->curve_y,
                 s->curve_group, GROUP_NAMES, 2, psize};
    dv_plot_opts po = {3.4, 2.9, 150, title};
    dv_error err = {0};
    if (dv_plot_map(png, csv, &po, &mp, &err))
        cli_die("%s: %s", png, err.msg);
    fprintf(s->html, "<figure><img src=\"%s/%s.png\" alt=\"%s\"><figcaption><b>%s</b>: %s",
            s->cf->name, name, name, name, caption);
    if (n_points == 0) { /* the value where f_X errs against elsewhere, over m's nodes */
        size_t nm;
        double *xy = study_mesh_xy(m, &nm);
        int *g = cli_malloc(nm * sizeof *g), *f = cli_malloc(nm * sizeof *f);
        if (dv_nearest_mean_labels(s->cf->means, s->cf->cls, s->cf->n_means, xy, nm, g, &err) ||
            dv_model_labels(s->fX, xy, nm, 2, f, &err))
            cli_die("labels: %s", err.msg);
        double in = 0, out = 0;
        size_t ni = 0, no = 0;
        for (size_t k = 0; k < nm; k++) {
            if (isnan(z[k]))
                continue;
            if (g[k] != f[k])
                in += z[k], ni++;
            else
                out += z[k], no++;
        }
        if (ni && no)
            fprintf(s->html, " Mean value where f_X misclassifies (%zu nodes): %.4g; elsewhere "
                             "(%zu nodes): %.4g.",
                    ni, in / (double)ni, no, out / (double)no);
        else
            fprintf(s->html, " f_X misclassifies %zu of the %zu nodes.", ni, nm);
        free(xy), free(g), free(f);
    }
    fprintf(s->html, "</figcaption></figure>\n");
    fflush(s->html);
}

void study_draw_map(study *s, const dv_mesh *m, const double *z, const char *name,
                     const char *label, const char *caption, size_t n_points, const double *px,
                     const double *py, const int *pcls)
{
    study_draw_map_sized(s, m, z, name, label, caption, n_points, px, py, pcls, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* The baseline                                                             */
/* ------------------------------------------------------------------------ */

void study_setup(study *s)
{
    const study_opts *o = s->o;
    const config *cf = s->cf;
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_GAUSS2D);
    sp.n_rows = 500;
    sp.clusters_per_class = cf->n_means / 2;
    sp.means = cf->means;
    sp.spread = cf->spread;
    sp.seed = o->seed;
    dv_error err = {0};
    /* dv_synth's cluster m belongs to class m / clusters_per_class: the
     * configurations list their means in that order */
    if (dv_synth(&s->train, &sp, &err))
        cli_die("synth: %s", err.msg);
    dv_learner_params_default(&s->lp, DV_LEARNER_MLP);
    dv_learner_params_preset(&s->lp, "sklearn-1000");
    s->lp.hidden[0] = o->hidden;
    s->lp.seed = o->seed;
    s->M = (dv_mesh){-10, 20, -10, 20, o->mesh, o->mesh};
    s->P = study_mesh_step(o->plot_step);
    size_t nc = o->mesh < 201 ? o->mesh : 201;
    s->C = (dv_mesh){-10, 20, -10, 20, nc, nc};
    s->mxy = study_mesh_xy(&s->M, &s->nM);
    s->pxy = study_mesh_xy(&s->P, &s->nP);
    s->cxy = study_mesh_xy(&s->C, &s->nC);
    s->gM = cli_malloc(s->nM * sizeof(int));
    s->fM = cli_malloc(s->nM * sizeof(int));
    s->gP = cli_malloc(s->nP * sizeof(int));
    s->fP = cli_malloc(s->nP * sizeof(int));
    phase ph;
    study_phase_begin(&ph, s, "baseline");
    dv_model *f = NULL;
    int rc = dv_model_fit(&f, &s->lp, s->train, NULL, 500, NULL, &err);
    if (rc && rc != DV_ENOTCONV)
        cli_die("baseline mlp: %s", err.msg);
    if (dv_nearest_mean_labels(cf->means, cf->cls, cf->n_means, s->mxy, s->nM, s->gM, &err) ||
        dv_nearest_mean_labels(cf->means, cf->cls, cf->n_means, s->pxy, s->nP, s->gP, &err) ||
        dv_model_labels(f, s->mxy, s->nM, 2, s->fM, &err) ||
        dv_model_labels(f, s->pxy, s->nP, 2, s->fP, &err))
        cli_die("labels: %s", err.msg);
    s->base_dist = dv_label_disagreement(s->fM, s->gM, s->nM);
    /* the boundaries: g's as the sign of (squared distance to the nearest
     * class-0 mean) - (to the nearest class-1 mean), f_X's as P(1) - 1/2 */
    double *field = cli_malloc(2 * s->nC * sizeof *field), *pr = cli_malloc(2 * s->nC * sizeof *pr);
    for (size_t k = 0; k < s->nC; k++) {
        double d[2] = {INFINITY, INFINITY};
        for (size_t m = 0; m < cf->n_means; m++) {
            double dx = s->cxy[2 * k] - cf->means[2 * m], dy = s->cxy[2 * k + 1] - cf->means[2 * m + 1];
            d[cf->cls[m]] = fmin(d[cf->cls[m]], dx * dx + dy * dy);
        }
        field[k] = d[0] - d[1];
    }
    if (dv_model_predict(f, s->cxy, s->nC, 2, pr))
        cli_die("baseline mlp: prediction failed");
    for (size_t k = 0; k < s->nC; k++)
        field[s->nC + k] = pr[2 * k + 1] - 0.5;
    double *gx, *gy, *fx, *fy;
    size_t ng = study_contour(s, field, &gx, &gy), nf = study_contour(s, field + s->nC, &fx, &fy);
    s->curve_x = cli_malloc((ng + nf + 1) * sizeof(double));
    s->curve_y = cli_malloc((ng + nf + 1) * sizeof(double));
    memcpy(s->curve_x, gx, ng * sizeof(double));
    memcpy(s->curve_y, gy, ng * sizeof(double));
    memcpy(s->curve_x + ng, fx, nf * sizeof(double));
    memcpy(s->curve_y + ng, fy, nf * sizeof(double));
    s->curve_len[0] = ng, s->curve_len[1] = nf;
    s->curve_group[0] = 0, s->curve_group[1] = 1;
    free(gx), free(gy), free(fx), free(fy), free(field), free(pr);
    s->fX = f;
    study_phase_end(&ph, s, "baseline");
    /* the overview: g's classes over the plane, the training points */
    double *z = cli_malloc(s->nP * sizeof *z);
    for (size_t k = 0; k < s->nP; k++)
        z[k] = s->gP[k];
    double *px = cli_malloc(500 * sizeof *px), *py = cli_malloc(500 * sizeof *py);
    int *pc = cli_malloc(500 * sizeof *pc);
    for (size_t i = 0; i < 500; i++) {
        px[i] = dv_dataset_features(s->train)[2 * i];
        py[i] = dv_dataset_features(s->train)[2 * i + 1];
        pc[i] = (int)dv_dataset_targets(s->train)[i];
    }
    char cap[512];
    snprintf(cap, sizeof cap, "the true class g(x) at the plotting nodes, the 500 training points, "
                              "the true boundary (solid) and the mlp's (dashed).  The mlp "
                              "disagrees with g on %.2f %% of the measurement mesh.",
             100 * s->base_dist);
    study_draw_map(s, &s->P, z, "overview", "true class", cap, 500, px, py, pc);
    free(z), free(px), free(py), free(pc);
}

