/*
 * cmd_study.c -- `dval study boundary`: the 2-D study of what makes a point
 * valuable ("Towards Understanding Data Values: Empirical Results on
 * Synthetic Data"), run end to end from documented defaults: synthetic
 * two-class data whose true decision boundary g is known, an mlp, a mesh
 * over the plane, and one colour map per method of the value of a point
 * added at each mesh node, with the true and the learned boundaries drawn.
 * Writes DIR/<config>/<map>.png with the map's numbers beside it
 * (<map>.csv: x, y, value), DIR/timing.csv and DIR/report.html.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "dval_plot.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval study boundary [-o DIR] [--quick] [--configs LIST] [options]\n"
    "\n"
    "The 2-D study of data values: for each data configuration, two classes of\n"
    "Gaussian clusters labelled by their nearest cluster mean (the true rule g), an\n"
    "mlp trained on 500 points, and the value of a point added at each node of a\n"
    "plotting mesh over [-10, 20]^2, measured as how much it moves the learned\n"
    "decision boundary: the share of a fine measurement mesh whose predicted class\n"
    "changes.  Maps (each a PNG with its numbers in a CSV beside it):\n"
    "  loo_truth        add-one: how much closer to g the model gets, dv(f_X, g) -\n"
    "                   dv(f_X+x, g), the candidate labelled by g\n"
    "  loo_baseline     add-one: how far the boundary moves, dv(f_X+x, f_X)\n"
    "  forgetting_*     the candidate's forgetting while f_X+x trains, per epoch\n"
    "                   (events, printed, last-learned, simple, frequent), / epochs\n"
    "  memorization     P[f_X+x classifies x as g] - P[f_X does], over seeds\n"
    "  ood_ensemble     variance of an ensemble of small mlps at x (no label)\n"
    "  ood_dropout      variance of the mlp's predictions at x under dropout masks\n"
    "  shapley          Data Shapley of the nodes of a coarser mesh added to X\n"
    "                   (truncated Monte Carlo, utility -dv(f, g))\n"
    "  mesh_only        leave-one-out when the data are the plotting mesh alone\n"
    "  loo_training     each training point's leave-one-out value against the\n"
    "                   baseline, dv(f_X-x, f_X), as its marker's size (and a CSV)\n"
    "  dvrl_xyr, dvrl_xp, dvrl_x   DVRL's valuator (trained on X with the plotting\n"
    "                   mesh labelled by g as its validation set) at each node, for\n"
    "                   its three inputs\n"
    "  pairs            pairwise values of the training points nearest g's boundary\n"
    "  stability        boundaries of repeated trainings, small to large mlps\n"
    "  stability_nN     boundaries with one point added to N = 50, 100, 500 training\n"
    "                   points, at a class-1 cluster's centre, labelled right or wrong\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR        output directory (default dval-study)\n"
    "  --quick              a small version (mlp of 100 units, 100 x 100 measurement\n"
    "                       mesh, plotting step 3): about 35 s on 2 cores\n"
    "  --configs LIST       two, four, overlap (default all three)\n"
    "  --hidden N           hidden units of the mlp (default 1000; quick 100)\n"
    "  --mesh N             measurement mesh of N x N points (default 500; quick 100)\n"
    "  --plot-step X        plotting mesh step (default 1; quick 3)\n"
    "  --shapley-step X     Shapley mesh step (default 3; quick 6)\n"
    "  --shapley-perms N    Shapley permutations (default 20; quick 4)\n"
    "  --mem-reps N         memorization seeds (default 3; quick 2)\n"
    "  --ensemble N         ensemble members (default 10; quick 5)\n"
    "  --pairs M            points of the pairwise values (default 12; quick 8)\n"
    "  --pair-samples N     subsets of the pairwise values (default 30; quick 6)\n"
    "  --dvrl-iters N       DVRL iterations (default 300; quick 50; its predictor is\n"
    "                       the mlp with at most 100 hidden units, batches of 100)\n"
    "  --seed S, --threads T, -q/--quiet\n"
    "\n"
    "The configurations (spread 2 around each mean; 500 training points):\n"
    "  two      class 0 at (0, 1), class 1 at (10, 7)\n"
    "  four     class 0 at (0, 1) and (12, 15), class 1 at (10, 7) and (1, 13)\n"
    "  overlap  class 0 at (3, 3), class 1 at (7, 6), spread 3: the clusters overlap\n"
    ;

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    size_t n_means;
    double means[8];
    int cls[4];
    double spread;
} config;

static const config CONFIGS[] = {
    {"two", 2, {0, 1, 10, 7}, {0, 1}, 2.0},
    {"four", 4, {0, 1, 12, 15, 10, 7, 1, 13}, {0, 0, 1, 1}, 2.0},
    {"overlap", 2, {3, 3, 7, 6}, {0, 1}, 3.0},
};

typedef struct {
    const char *out;
    int quick, quiet, threads;
    uint64_t seed;
    size_t hidden, mesh, shapley_perms, mem_reps, ensemble, pairs, pair_samples, dvrl_iters;
    double plot_step, shapley_step;
    int want[3];
    int config_no, n_configs; /* for the progress display */
} study_opts;

/* What one configuration's maps share. */
typedef struct {
    const study_opts *o;
    const config *cf;
    char dir[4096];
    dv_dataset *train;
    dv_learner_params lp;
    dv_mesh M, P, C; /* measurement, plotting, contour meshes */
    double *mxy, *pxy, *cxy;
    size_t nM, nP, nC;
    int *gM, *fM, *gP, *fP; /* labels of g and f_X on M and P */
    double base_dist;       /* dv(f_X, g) */
    dv_model *fX;           /* the mlp on the training data */
    double *curve_x, *curve_y;
    size_t curve_len[2];
    int curve_group[2];
    FILE *timing, *html;
    int phase_no;
} study;

static const char *const GROUP_NAMES[] = {"true boundary", "learned boundary", "", "", ""};

/* ------------------------------------------------------------------------ */
/* Progress                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    cli_progress p;
    double t0;
} phase;

#define N_PHASES 13 /* phase_begin calls per configuration */

static void phase_begin(phase *ph, study *s, const char *what)
{
    static char label[256];
    snprintf(label, sizeof label, "%s (configuration %d of %d), phase %d of %d: %s", s->cf->name,
             s->o->config_no, s->o->n_configs, ++s->phase_no, N_PHASES, what);
    cli_progress_init(&ph->p, label, 0, s->o->quiet);
    ph->t0 = dv_clock_seconds();
}

static double phase_end(phase *ph, study *s, const char *method)
{
    if (ph->p.enabled && ph->p.last > ph->p.t0)
        cli_progress_end(&ph->p);
    double sec = dv_clock_seconds() - ph->t0;
    fprintf(s->timing, "%s,%s,%.3f\n", s->cf->name, method, sec);
    fflush(s->timing);
    if (!s->o->quiet)
        fprintf(stderr, "dval: %s: %s in %.1f s\n", s->cf->name, method, sec);
    return sec;
}

/* ------------------------------------------------------------------------ */
/* Maps                                                                     */
/* ------------------------------------------------------------------------ */

static dv_mesh mesh_step(double step)
{
    size_t n = (size_t)llround(30.0 / step) + 1;
    return (dv_mesh){-10, 20, -10, 20, n, n};
}

static double *mesh_xy(const dv_mesh *m, size_t *n)
{
    *n = m->nx * m->ny;
    double *xy = cli_malloc(2 * *n * sizeof *xy);
    dv_error err = {0};
    if (dv_mesh_points(m, xy, &err))
        cli_die("mesh: %s", err.msg);
    return xy;
}

/* The level curve of field on s->C as NaN-separated polylines. */
static size_t contour(const study *s, const double *field, double **x, double **y)
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
static void draw_map_sized(study *s, const dv_mesh *m, const double *z, const char *name,
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
        double *xy = mesh_xy(m, &nm);
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

static void draw_map(study *s, const dv_mesh *m, const double *z, const char *name,
                     const char *label, const char *caption, size_t n_points, const double *px,
                     const double *py, const int *pcls)
{
    draw_map_sized(s, m, z, name, label, caption, n_points, px, py, pcls, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* The phases                                                               */
/* ------------------------------------------------------------------------ */

static void setup(study *s)
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
    s->P = mesh_step(o->plot_step);
    size_t nc = o->mesh < 201 ? o->mesh : 201;
    s->C = (dv_mesh){-10, 20, -10, 20, nc, nc};
    s->mxy = mesh_xy(&s->M, &s->nM);
    s->pxy = mesh_xy(&s->P, &s->nP);
    s->cxy = mesh_xy(&s->C, &s->nC);
    s->gM = cli_malloc(s->nM * sizeof(int));
    s->fM = cli_malloc(s->nM * sizeof(int));
    s->gP = cli_malloc(s->nP * sizeof(int));
    s->fP = cli_malloc(s->nP * sizeof(int));
    phase ph;
    phase_begin(&ph, s, "baseline");
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
    size_t ng = contour(s, field, &gx, &gy), nf = contour(s, field + s->nC, &fx, &fy);
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
    phase_end(&ph, s, "baseline");
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
    draw_map(s, &s->P, z, "overview", "true class", cap, 500, px, py, pc);
    free(z), free(px), free(py), free(pc);
}

static void add_one_maps(study *s)
{
    const study_opts *o = s->o;
    size_t nP = s->nP, E = (size_t)s->lp.epochs;
    double *cy = cli_malloc(nP * sizeof *cy), *dist = cli_malloc(2 * nP * sizeof *dist);
    unsigned char *trace = cli_malloc(nP * E);
    int *ref = cli_malloc(2 * s->nM * sizeof *ref);
    memcpy(ref, s->gM, s->nM * sizeof *ref);
    memcpy(ref + s->nM, s->fM, s->nM * sizeof *ref);
    for (size_t k = 0; k < nP; k++)
        cy[k] = s->gP[k];
    phase ph;
    phase_begin(&ph, s, "add-one and forgetting");
    dv_error err = {0};
    if (dv_add_one(s->train, &s->lp, s->pxy, cy, nP, s->mxy, s->nM, ref, 2, dist, trace,
                   o->threads, cli_progress_cb, &ph.p, &err))
        cli_die("add-one: %s", err.msg);
    phase_end(&ph, s, "add-one + forgetting");
    double *z = cli_malloc(nP * sizeof *z);
    for (size_t k = 0; k < nP; k++)
        z[k] = s->base_dist - dist[2 * k];
    draw_map(s, &s->P, z, "loo_truth", "closer to g",
             "add-one leave-one-out against the truth: dv(f_X, g) - dv(f_X+x, g), the share of "
             "the plane where the model moves towards g when x joins the data.", 0, NULL, NULL,
             NULL);
    for (size_t k = 0; k < nP; k++)
        z[k] = dist[2 * k + 1];
    draw_map(s, &s->P, z, "loo_baseline", "boundary moved",
             "add-one leave-one-out against the baseline: dv(f_X+x, f_X), the share of the "
             "plane whose class changes when x joins the data.", 0, NULL, NULL, NULL);
    static const char *const names[5] = {"forgetting_events", "forgetting_printed",
                                         "forgetting_last_learned", "forgetting_simple",
                                         "forgetting_frequent"};
    static const char *const caps[5] = {
        "forgetting events of x (correct after one epoch, wrong after the next) while "
        "f_X+x trains, divided by the epochs; never learned: 1.",
        "the study's Algorithm 1 as printed: epochs in which x's correctness did not rise.",
        "the first epoch in which x is classified correctly, divided by the epochs + 1 (never: "
        "1).",
        "epochs in which x is misclassified, divided by the epochs.",
        "as printed, counted only after x was first classified correctly."};
    for (int v = 0; v < 5; v++) {
        for (size_t k = 0; k < nP; k++)
            z[k] = dv_forgetting_score(trace + k * E, E, v) /
                   (double)(v == DV_FORGET_LAST_LEARNED ? E + 1 : E);
        draw_map(s, &s->P, z, names[v], "forgetting", caps[v], 0, NULL, NULL, NULL);
    }
    free(cy), free(dist), free(trace), free(ref), free(z);
}

static void memorization_map(study *s)
{
    size_t nP = s->nP;
    double *cy = cli_malloc(nP * sizeof *cy), *mem = cli_malloc(nP * sizeof *mem);
    for (size_t k = 0; k < nP; k++)
        cy[k] = s->gP[k];
    phase ph;
    phase_begin(&ph, s, "memorization");
    dv_error err = {0};
    if (dv_candidate_memorization(s->train, &s->lp, s->pxy, cy, nP, s->o->mem_reps, s->o->seed,
                                  mem, s->o->threads, cli_progress_cb, &ph.p, &err))
        cli_die("memorization: %s", err.msg);
    phase_end(&ph, s, "memorization");
    char cap[256];
    snprintf(cap, sizeof cap, "memorization of x labelled by g: the share of %zu seeds for which "
                              "f_X+x classifies x as g does, minus the share for f_X.",
             s->o->mem_reps);
    draw_map(s, &s->P, mem, "memorization", "memorization", cap, 0, NULL, NULL, NULL);
    free(cy), free(mem);
}

static void dropout_map(study *s)
{
    dv_learner_params lp = s->lp;
    lp.dropout = 0.2;
    size_t passes = s->o->quick ? 10 : 30;
    double *var = cli_malloc(s->nP * sizeof *var);
    phase ph;
    phase_begin(&ph, s, "mc dropout");
    dv_error err = {0};
    if (dv_ood_dropout(s->train, &lp, s->pxy, s->nP, passes, s->o->seed, var, &err))
        cli_die("mc dropout: %s", err.msg);
    phase_end(&ph, s, "ood dropout");
    char cap[256];
    snprintf(cap, sizeof cap, "out-of-distribution score: the variance of the class "
                              "probabilities at x over %zu dropout masks of the mlp trained with "
                              "dropout 0.2 (MC dropout; no label needed).", passes);
    draw_map(s, &s->P, var, "ood_dropout", "dropout variance", cap, 0, NULL, NULL, NULL);
    free(var);
}

static void ood_map(study *s)
{
    dv_learner_params small = s->lp;
    small.hidden[0] = 10;
    double *var = cli_malloc(s->nP * sizeof *var);
    phase ph;
    phase_begin(&ph, s, "ensemble");
    dv_error err = {0};
    if (dv_ood_ensemble(s->train, &small, s->pxy, s->nP, s->o->ensemble, s->o->seed, var,
                        s->o->threads, &err))
        cli_die("ensemble: %s", err.msg);
    phase_end(&ph, s, "ood ensemble");
    char cap[256];
    snprintf(cap, sizeof cap, "out-of-distribution score: the variance of the class "
                              "probabilities of %zu mlps of 10 hidden units at x (no label "
                              "needed).", s->o->ensemble);
    draw_map(s, &s->P, var, "ood_ensemble", "ensemble variance", cap, 0, NULL, NULL, NULL);
    free(var);
}

/* A game method over candidates cxy (labelled by g) of mesh m, added to
 * train (or alone when train is NULL): the values into z. */
static void game_values(study *s, const dv_mesh *m, const dv_dataset *train, dv_method method,
                        size_t perms, const char *what, double *z)
{
    size_t n;
    double *xy = mesh_xy(m, &n), *cy = cli_malloc(n * sizeof *cy);
    int *lab = cli_malloc(n * sizeof *lab);
    dv_error err = {0};
    dv_nearest_mean_labels(s->cf->means, s->cf->cls, s->cf->n_means, xy, n, lab, &err);
    for (size_t k = 0; k < n; k++)
        cy[k] = lab[k];
    dv_game g;
    if (dv_add_game(&g, train, 2, &s->lp, xy, cy, n, 2, s->mxy, s->nM, s->gM, &err))
        cli_die("%s: %s", what, err.msg);
    dv_value_params vp;
    dv_value_params_default(&vp, method);
    vp.seed = s->o->seed;
    vp.n_threads = s->o->threads;
    vp.max_samples = perms ? perms : 1;
    vp.min_samples = vp.max_samples;
    vp.rhat = 0;
    vp.truncation = 0;
    phase ph;
    phase_begin(&ph, s, what);
    vp.progress = cli_progress_cb;
    vp.progress_user = &ph.p;
    if (dv_value_game(&g, &vp, z, NULL, NULL, &err))
        cli_die("%s: %s", what, err.msg);
    phase_end(&ph, s, what);
    dv_add_game_free(&g);
    free(xy), free(cy), free(lab);
}

static void shapley_map(study *s)
{
    dv_mesh S = mesh_step(s->o->shapley_step);
    double *z = cli_malloc(S.nx * S.ny * sizeof *z);
    game_values(s, &S, s->train, DV_METHOD_TMC, s->o->shapley_perms, "shapley", z);
    char cap[320];
    snprintf(cap, sizeof cap, "Data Shapley of the nodes of a mesh of step %g added to X: each "
                              "node's mean marginal contribution to -dv(f, g) over %zu random "
                              "orders of the nodes (truncated Monte Carlo without truncation).",
             s->o->shapley_step, s->o->shapley_perms);
    draw_map(s, &S, z, "shapley", "Shapley value", cap, 0, NULL, NULL, NULL);
    free(z);
}

static void mesh_only_map(study *s)
{
    double *z = cli_malloc(s->nP * sizeof *z);
    game_values(s, &s->P, NULL, DV_METHOD_LOO, 1, "mesh-only loo", z);
    draw_map(s, &s->P, z, "mesh_only",
             "leave-one-out",
             "the data are the plotting mesh alone, labelled by g: leave-one-out, dv(f_P-x, g) - "
             "dv(f_P, g).", 0, NULL, NULL, NULL);
    free(z);
}

static void dvrl_maps(study *s)
{
    size_t nP = s->nP;
    double *gy = cli_malloc(nP * sizeof *gy), *v = cli_malloc(500 * sizeof *v);
    double *z = cli_malloc(nP * sizeof *z);
    for (size_t k = 0; k < nP; k++)
        gy[k] = s->gP[k];
    dv_dataset *target = NULL;
    dv_error err = {0};
    if (dv_dataset_from_arrays(&target, nP, 2, s->pxy, gy, DV_TASK_CLASSIFICATION, 2, NULL, &err))
        cli_die("dvrl: %s", err.msg);
    static const char *const names[3] = {"dvrl_xyr", "dvrl_xp", "dvrl_x"};
    static const char *const what[3] = {"x, y and the residual |y - f_V(x)|", "x and f_V(x)",
                                        "x alone"};
    for (int input = 0; input < 3; input++) {
        dv_value_params vp;
        dv_value_params_default(&vp, DV_METHOD_DVRL);
        vp.learner = s->lp;
        vp.learner.hidden[0] = s->lp.hidden[0] < 100 ? s->lp.hidden[0] : 100;
        vp.max_samples = s->o->dvrl_iters;
        vp.dvrl_batch = 100;
        vp.dvrl_input = input;
        vp.seed = s->o->seed;
        phase ph;
        phase_begin(&ph, s, names[input]);
        vp.progress = cli_progress_cb;
        vp.progress_user = &ph.p;
        if (dv_dvrl(s->train, target, &vp, s->pxy, gy, nP, v, z, &err))
            cli_die("dvrl: %s", err.msg);
        phase_end(&ph, s, names[input]);
        char cap[400];
        snprintf(cap, sizeof cap, "DVRL's selection probability at x (labelled by g): a valuator "
                                  "seeing %s, trained for %zu iterations on the training data "
                                  "with the plotting mesh as its validation set.",
                 what[input], s->o->dvrl_iters);
        draw_map(s, &s->P, z, names[input], "selection probability", cap, 0, NULL, NULL, NULL);
    }
    dv_dataset_free(target);
    free(gy), free(v), free(z);
}

/* Regime 3: each training point's leave-one-out value against the
 * baseline, dv(f_X-x, f_X), drawn as its marker's size. */
static void training_map(study *s)
{
    size_t n = 500;
    double *v = cli_malloc(n * sizeof *v), *sz = cli_malloc(n * sizeof *sz);
    dv_error err = {0};
    dv_game g;
    if (dv_add_game(&g, NULL, 2, &s->lp, dv_dataset_features(s->train),
                    dv_dataset_targets(s->train), n, 2, s->mxy, s->nM, s->fM, &err))
        cli_die("training loo: %s", err.msg);
    dv_value_params vp;
    dv_value_params_default(&vp, DV_METHOD_LOO);
    vp.seed = s->o->seed;
    vp.n_threads = s->o->threads;
    phase ph;
    phase_begin(&ph, s, "training-point loo");
    if (dv_value_game(&g, &vp, v, NULL, NULL, &err))
        cli_die("training loo: %s", err.msg);
    phase_end(&ph, s, "training loo");
    dv_add_game_free(&g);
    /* U(S) = -dv(f_S, f_X): U(X) - U(X - x) = dv(f_X-x, f_X) - dv(f_X, f_X) */
    double top = 0;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, fabs(v[i]));
    for (size_t i = 0; i < n; i++)
        sz[i] = 1.0 + 9.0 * (top > 0 ? fabs(v[i]) / top : 0.0);
    double *z = cli_malloc(s->nP * sizeof *z), *px = cli_malloc(n * sizeof *px),
           *py = cli_malloc(n * sizeof *py);
    int *pc = cli_malloc(n * sizeof *pc);
    for (size_t k = 0; k < s->nP; k++)
        z[k] = s->gP[k];
    for (size_t i = 0; i < n; i++) {
        px[i] = dv_dataset_features(s->train)[2 * i];
        py[i] = dv_dataset_features(s->train)[2 * i + 1];
        pc[i] = (int)dv_dataset_targets(s->train)[i];
    }
    char cap[320], csv[4200], tmp[4300];
    snprintf(cap, sizeof cap, "training points: each point's leave-one-out value against the "
                              "baseline, dv(f_X-x, f_X), as its marker's size (largest: %.4g of "
                              "the plane); <a href=\"%s/loo_training_points.csv\">the values</a>.",
             top, s->cf->name);
    draw_map_sized(s, &s->P, z, "loo_training", "true class", cap, n, px, py, pc, sz,
                   "Training points by leave-one-out");
    snprintf(csv, sizeof csv, "%s/loo_training_points.csv", s->dir);
    FILE *f = cli_open_out(csv, tmp, sizeof tmp);
    fprintf(f, "point,x,y,class,value\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%zu,%.17g,%.17g,%d,%.17g\n", i, px[i], py[i], pc[i], v[i]);
    cli_commit(f, tmp, csv);
    free(v), free(sz), free(z), free(px), free(py), free(pc);
}

static void pairs_map(study *s)
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
    phase_begin(&ph, s, "pairwise values");
    dv_error err = {0};
    if (dv_pairwise_values(s->train, &s->lp, pts, m, o->pair_samples, o->seed, pv, se, o->threads,
                           cli_progress_cb, &ph.p, &err) ||
        dv_pairwise_order(pv, m, order, &err))
        cli_die("pairwise values: %s", err.msg);
    phase_end(&ph, s, "pairwise");
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
    c->len[c->n] = contour(s, field, &c->x[c->n], &c->y[c->n]);
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

static void stability_map(study *s)
{
    size_t sizes[3] = {3, 50, s->o->hidden}, reps = s->o->quick ? 3 : 5;
    phase ph;
    phase_begin(&ph, s, "stability");
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
    phase_end(&ph, s, "stability");
}

static void run_config(study_opts *o, const config *cf, FILE *timing, FILE *html)
{
    study s = {.o = o, .cf = cf, .timing = timing, .html = html};
    snprintf(s.dir, sizeof s.dir, "%s/%s", o->out, cf->name);
    if (mkdir(s.dir, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create: %s", s.dir, strerror(errno));
    fprintf(html, "<h2 id=\"%s\">%s</h2>\n<div class=\"maps\">\n", cf->name, cf->name);
    setup(&s);
    add_one_maps(&s);
    memorization_map(&s);
    ood_map(&s);
    dropout_map(&s);
    shapley_map(&s);
    mesh_only_map(&s);
    training_map(&s);
    dvrl_maps(&s);
    stability_map(&s);
    fputs("</div>\n", html);
    pairs_map(&s);
    dv_dataset_free(s.train);
    dv_model_free(s.fX);
    void *ptrs[] = {s.mxy, s.pxy, s.cxy, s.gM, s.fM, s.gP, s.fP, s.curve_x, s.curve_y};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        free(ptrs[i]);
}

int cmd_study(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "boundary") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            fputs(USAGE, stdout);
            return 0;
        }
        cli_die("study: give the study to run: dval study boundary (see dval study --help)");
    }
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},         {"quick", no_argument, 0, 1},
        {"configs", required_argument, 0, 2},       {"hidden", required_argument, 0, 3},
        {"mesh", required_argument, 0, 4},          {"plot-step", required_argument, 0, 5},
        {"shapley-step", required_argument, 0, 6},  {"shapley-perms", required_argument, 0, 7},
        {"mem-reps", required_argument, 0, 8},      {"ensemble", required_argument, 0, 9},
        {"pairs", required_argument, 0, 10},        {"pair-samples", required_argument, 0, 11},
        {"seed", required_argument, 0, 12},         {"threads", required_argument, 0, 13},
        {"dvrl-iters", required_argument, 0, 14},
        {"quiet", no_argument, 0, 'q'},             {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    study_opts o = {.out = "dval-study"};
    const char *configs = NULL;
    /* given values; 0 = the (quick) default */
    size_t hidden = 0, mesh = 0, perms = 0, reps = 0, ens = 0, pairs = 0, psamp = 0, diters = 0;
    double pstep = 0, sstep = 0;
    int c;
    optind = 1;
    argc--, argv++; /* past "study": getopt sees "boundary" as the program name */
    while ((c = cli_getopt(argc, argv, "o:qh", opts)) != -1) {
        switch (c) {
        case 'o': o.out = optarg; break;
        case 1: o.quick = 1; break;
        case 2: configs = optarg; break;
        case 3: hidden = (size_t)cli_int("--hidden", optarg, 1, 100000); break;
        case 4: mesh = (size_t)cli_int("--mesh", optarg, 2, 5000); break;
        case 5: pstep = cli_double("--plot-step", optarg); break;
        case 6: sstep = cli_double("--shapley-step", optarg); break;
        case 7: perms = (size_t)cli_int("--shapley-perms", optarg, 1, 100000); break;
        case 8: reps = (size_t)cli_int("--mem-reps", optarg, 1, 100000); break;
        case 9: ens = (size_t)cli_int("--ensemble", optarg, 2, 100000); break;
        case 10: pairs = (size_t)cli_int("--pairs", optarg, 2, 500); break;
        case 11: psamp = (size_t)cli_int("--pair-samples", optarg, 2, 1000000); break;
        case 12: o.seed = cli_u64("--seed", optarg); break;
        case 13: o.threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 14: diters = (size_t)cli_int("--dvrl-iters", optarg, 1, 10000000); break;
        case 'q': o.quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("study boundary: unexpected argument '%s'", argv[optind]);
    int q = o.quick;
    o.hidden = hidden ? hidden : q ? 100 : 1000;
    o.mesh = mesh ? mesh : q ? 100 : 500;
    o.plot_step = pstep ? pstep : q ? 3 : 1;
    o.shapley_step = sstep ? sstep : q ? 6 : 3;
    o.shapley_perms = perms ? perms : q ? 4 : 20;
    o.mem_reps = reps ? reps : q ? 2 : 3;
    o.ensemble = ens ? ens : q ? 5 : 10;
    o.pairs = pairs ? pairs : q ? 8 : 12;
    o.pair_samples = psamp ? psamp : q ? 6 : 30;
    o.dvrl_iters = diters ? diters : q ? 50 : 300;
    if (!(o.plot_step > 0 && o.plot_step <= 15) || !(o.shapley_step > 0 && o.shapley_step <= 15))
        cli_die("--plot-step and --shapley-step must be in (0, 15]");
    if (30.0 / o.plot_step > 1000 || 30.0 / o.shapley_step > 1000)
        cli_die("--plot-step and --shapley-step must be at least 0.03 (at most 1001 nodes a side)");
    if (configs) {
        char *list = cli_strdup(configs), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            size_t k = 0;
            while (k < 3 && strcmp(t, CONFIGS[k].name) != 0)
                k++;
            if (k == 3)
                cli_die("--configs: unknown configuration '%s' (two, four, overlap)", t);
            o.want[k] = 1;
        }
        free(list);
    } else {
        o.want[0] = o.want[1] = o.want[2] = 1;
    }
    if (mkdir(o.out, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create: %s", o.out, strerror(errno));
    char tpath[4200], ttmp[4300], hpath[4200], htmp[4300];
    snprintf(tpath, sizeof tpath, "%s/timing.csv", o.out);
    snprintf(hpath, sizeof hpath, "%s/report.html", o.out);
    FILE *timing = cli_open_out(tpath, ttmp, sizeof ttmp);
    FILE *html = cli_open_out(hpath, htmp, sizeof htmp);
    fprintf(timing, "config,method,seconds\n");
    fprintf(html,
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>dval: the 2-D study"
            "</title>\n<style>body{font-family:sans-serif;max-width:1240px;margin:1em auto;"
            "padding:0 1em}.maps{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;width:"
            "380px}figure.wide{width:760px;margin-top:1em}img{max-width:100%%;border:1px solid "
            "#eee}figcaption{font-size:85%%}</style></head><body>\n<h1>The 2-D study of data "
            "values</h1>\n<p>An mlp with %zu hidden units (scikit-learn's MLPClassifier "
            "defaults otherwise) on 500 points; measurement mesh %zu &times; %zu over "
            "[&minus;10, 20]&sup2;; plotting mesh step %g; seed %llu.  Each map is the value of "
            "a point added at a mesh node; the solid line is the true boundary g, the dashed "
            "one the mlp's.  dv(f, f') is the share of the measurement mesh where two "
            "classifiers disagree.  Timing per method: <a href=\"timing.csv\">timing.csv</a>."
            "</p>\n",
            o.hidden, o.mesh, o.mesh, o.plot_step, (unsigned long long)o.seed);
    double t0 = dv_clock_seconds();
    o.n_configs = o.want[0] + o.want[1] + o.want[2];
    for (int k = 0; k < 3; k++)
        if (o.want[k]) {
            o.config_no++;
            run_config(&o, &CONFIGS[k], timing, html);
        }
    fprintf(html, "<p>Total: %.0f s.</p>\n"
                  "</body></html>\n",
            dv_clock_seconds() - t0);
    cli_commit(timing, ttmp, tpath);
    cli_commit(html, htmp, hpath);
    if (!o.quiet)
        fprintf(stderr, "dval: the study took %.0f s; open %s\n", dv_clock_seconds() - t0, hpath);
    return 0;
}
