/*
 * study_values.c -- the value maps of `dval study boundary`: add-one
 * leave-one-out and forgetting, memorization, the out-of-distribution
 * scores, Shapley on a mesh, leave-one-out of the mesh alone and of the
 * training points, and DVRL's valuator.
 */
#define _GNU_SOURCE
#include "study.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void study_add_one_maps(study *s)
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
    study_phase_begin(&ph, s, "add-one and forgetting");
    dv_error err = {0};
    if (dv_add_one(s->train, &s->lp, s->pxy, cy, nP, s->mxy, s->nM, ref, 2, dist, trace,
                   o->threads, cli_progress_cb, &ph.p, &err))
        cli_die("add-one: %s", err.msg);
    study_phase_end(&ph, s, "add-one + forgetting");
    double *z = cli_malloc(nP * sizeof *z);
    for (size_t k = 0; k < nP; k++)
        z[k] = s->base_dist - dist[2 * k];
    study_draw_map(s, &s->P, z, "loo_truth", "closer to g",
             "add-one leave-one-out against the truth: dv(f_X, g) - dv(f_X+x, g), the share of "
             "the plane where the model moves towards g when x joins the data.", 0, NULL, NULL,
             NULL);
    for (size_t k = 0; k < nP; k++)
        z[k] = dist[2 * k + 1];
    study_draw_map(s, &s->P, z, "loo_baseline", "boundary moved",
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
        study_draw_map(s, &s->P, z, names[v], "forgetting", caps[v], 0, NULL, NULL, NULL);
    }
    free(cy), free(dist), free(trace), free(ref), free(z);
}

void study_memorization_map(study *s)
{
    size_t nP = s->nP;
    double *cy = cli_malloc(nP * sizeof *cy), *mem = cli_malloc(nP * sizeof *mem);
    for (size_t k = 0; k < nP; k++)
        cy[k] = s->gP[k];
    phase ph;
    study_phase_begin(&ph, s, "memorization");
    dv_error err = {0};
    if (dv_candidate_memorization(s->train, &s->lp, s->pxy, cy, nP, s->o->mem_reps, s->o->seed,
                                  mem, s->o->threads, cli_progress_cb, &ph.p, &err))
        cli_die("memorization: %s", err.msg);
    study_phase_end(&ph, s, "memorization");
    char cap[256];
    snprintf(cap, sizeof cap, "memorization of x labelled by g: the share of %zu seeds for which "
                              "f_X+x classifies x as g does, minus the share for f_X.",
             s->o->mem_reps);
    study_draw_map(s, &s->P, mem, "memorization", "memorization", cap, 0, NULL, NULL, NULL);
    free(cy), free(mem);
}

void study_dropout_map(study *s)
{
    dv_learner_params lp = s->lp;
    lp.dropout = 0.2;
    size_t passes = s->o->quick ? 10 : 30;
    double *var = cli_malloc(s->nP * sizeof *var);
    phase ph;
    study_phase_begin(&ph, s, "mc dropout");
    dv_error err = {0};
    if (dv_ood_dropout(s->train, &lp, s->pxy, s->nP, passes, s->o->seed, var, &err))
        cli_die("mc dropout: %s", err.msg);
    study_phase_end(&ph, s, "ood dropout");
    char cap[256];
    snprintf(cap, sizeof cap, "out-of-distribution score: the variance of the class "
                              "probabilities at x over %zu dropout masks of the mlp trained with "
                              "dropout 0.2 (MC dropout; no label needed).", passes);
    study_draw_map(s, &s->P, var, "ood_dropout", "dropout variance", cap, 0, NULL, NULL, NULL);
    free(var);
}

void study_ood_map(study *s)
{
    dv_learner_params small = s->lp;
    small.hidden[0] = 10;
    double *var = cli_malloc(s->nP * sizeof *var);
    phase ph;
    study_phase_begin(&ph, s, "ensemble");
    dv_error err = {0};
    if (dv_ood_ensemble(s->train, &small, s->pxy, s->nP, s->o->ensemble, s->o->seed, var,
                        s->o->threads, &err))
        cli_die("ensemble: %s", err.msg);
    study_phase_end(&ph, s, "ood ensemble");
    char cap[256];
    snprintf(cap, sizeof cap, "out-of-distribution score: the variance of the class "
                              "probabilities of %zu mlps of 10 hidden units at x (no label "
                              "needed).", s->o->ensemble);
    study_draw_map(s, &s->P, var, "ood_ensemble", "ensemble variance", cap, 0, NULL, NULL, NULL);
    free(var);
}

/* A game method over candidates cxy (labelled by g) of mesh m, added to
 * train (or alone when train is NULL): the values into z. */
static void game_values(study *s, const dv_mesh *m, const dv_dataset *train, dv_method method,
                        size_t perms, const char *what, double *z)
{
    size_t n;
    double *xy = study_mesh_xy(m, &n), *cy = cli_malloc(n * sizeof *cy);
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
    study_phase_begin(&ph, s, what);
    vp.progress = cli_progress_cb;
    vp.progress_user = &ph.p;
    if (dv_value_game(&g, &vp, z, NULL, NULL, &err))
        cli_die("%s: %s", what, err.msg);
    study_phase_end(&ph, s, what);
    dv_add_game_free(&g);
    free(xy), free(cy), free(lab);
}

void study_shapley_map(study *s)
{
    dv_mesh S = study_mesh_step(s->o->shapley_step);
    double *z = cli_malloc(S.nx * S.ny * sizeof *z);
    game_values(s, &S, s->train, DV_METHOD_TMC, s->o->shapley_perms, "shapley", z);
    char cap[320];
    snprintf(cap, sizeof cap, "Data Shapley of the nodes of a mesh of step %g added to X: each "
                              "node's mean marginal contribution to -dv(f, g) over %zu random "
                              "orders of the nodes (truncated Monte Carlo without truncation).",
             s->o->shapley_step, s->o->shapley_perms);
    study_draw_map(s, &S, z, "shapley", "Shapley value", cap, 0, NULL, NULL, NULL);
    free(z);
}

void study_mesh_only_map(study *s)
{
    double *z = cli_malloc(s->nP * sizeof *z);
    game_values(s, &s->P, NULL, DV_METHOD_LOO, 1, "mesh-only loo", z);
    study_draw_map(s, &s->P, z, "mesh_only",
             "leave-one-out",
             "the data are the plotting mesh alone, labelled by g: leave-one-out, dv(f_P-x, g) - "
             "dv(f_P, g).", 0, NULL, NULL, NULL);
    free(z);
}

void study_dvrl_maps(study *s)
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
        study_phase_begin(&ph, s, names[input]);
        vp.progress = cli_progress_cb;
        vp.progress_user = &ph.p;
        if (dv_dvrl(s->train, target, &vp, s->pxy, gy, nP, v, z, &err))
            cli_die("dvrl: %s", err.msg);
        study_phase_end(&ph, s, names[input]);
        char cap[400];
        snprintf(cap, sizeof cap, "DVRL's selection probability at x (labelled by g): a valuator "
                                  "seeing %s, trained for %zu iterations on the training data "
                                  "with the plotting mesh as its validation set.",
                 what[input], s->o->dvrl_iters);
        study_draw_map(s, &s->P, z, names[input], "selection probability", cap, 0, NULL, NULL, NULL);
    }
    dv_dataset_free(target);
    free(gy), free(v), free(z);
}

/* Regime 3: each training point's leave-one-out value against the
 * baseline, dv(f_X-x, f_X), drawn as its marker's size. */
void study_training_map(study *s)
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
    study_phase_begin(&ph, s, "training-point loo");
    if (dv_value_game(&g, &vp, v, NULL, NULL, &err))
        cli_die("training loo: %s", err.msg);
    study_phase_end(&ph, s, "training loo");
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
    study_draw_map_sized(s, &s->P, z, "loo_training", "true class", cap, n, px, py, pc, sz,
                   "Training points by leave-one-out");
    snprintf(csv, sizeof csv, "%s/loo_training_points.csv", s->dir);
    FILE *f = cli_open_out(csv, tmp, sizeof tmp);
    fprintf(f, "point,x,y,class,value\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%zu,%.17g,%.17g,%d,%.17g\n", i, px[i], py[i], pc[i], v[i]);
    cli_commit(f, tmp, csv);
    free(v), free(sz), free(z), free(px), free(py), free(pc);
}

