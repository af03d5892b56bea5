/*
 * study.h -- the pieces of `dval study boundary` (cmd_study.c): the
 * configuration, the state one configuration's maps share, and the phases
 * (study_common.c: progress, meshes, curves, maps and the baseline;
 * study_values.c: the value maps; study_figures.c: pairwise values and
 * stability).
 */
#ifndef DV_CLI_STUDY_H
#define DV_CLI_STUDY_H

#include "cli.h"
#include "dval_plot.h"

#include <stdio.h>

typedef struct {
    const char *name;
    size_t n_means;
    double means[8];
    int cls[4];
    double spread;
} config;

typedef struct {
    const char *out;
    int quick, quiet, threads;
    uint64_t seed;
    size_t hidden, mesh, shapley_perms, mem_reps, ensemble, pairs, pair_samples, dvrl_iters;
    double plot_step, shapley_step;
    int want[3];
    int config_no, n_configs; /* for the progress display */
} study_opts;

/* The whole study's clock, for the time left: the phases done so far, in
 * configurations (each phase counts its share of a configuration's time). */
typedef struct {
    double t0, done;
} study_clock;

/* What one configuration's maps share. */
typedef struct {
    const study_opts *o;
    study_clock *clk;
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

/* A phase's progress display and its line in timing.csv. */
typedef struct {
    cli_progress p;
    double t0;
} phase;

#define N_PHASES 13 /* study_phase_begin calls per configuration */

void study_phase_begin(phase *ph, study *s, const char *what);
double study_phase_end(phase *ph, study *s, const char *method);
/* The mesh of [-10, 20]^2 with the given step, and a mesh's points. */
dv_mesh study_mesh_step(double step);
double *study_mesh_xy(const dv_mesh *m, size_t *n);
/* The level curve 0 of field on s->C as NaN-separated polylines. */
size_t study_contour(const study *s, const double *field, double **x, double **y);
/* A map on mesh m with both boundaries (DIR/name.png, name.csv) and its
 * report entry; points may be sized (psize) and the title given. */
void study_draw_map_sized(study *s, const dv_mesh *m, const double *z, const char *name,
                          const char *label, const char *caption, size_t n_points,
                          const double *px, const double *py, const int *pcls,
                          const double *psize, const char *title);
void study_draw_map(study *s, const dv_mesh *m, const double *z, const char *name,
                    const char *label, const char *caption, size_t n_points, const double *px,
                    const double *py, const int *pcls);

/* The phases, in the order run_config runs them. */
void study_setup(study *s);
void study_add_one_maps(study *s);
void study_memorization_map(study *s);
void study_ood_map(study *s);
void study_dropout_map(study *s);
void study_shapley_map(study *s);
void study_mesh_only_map(study *s);
void study_training_map(study *s);
void study_dvrl_maps(study *s);
void study_stability_map(study *s);
void study_pairs_map(study *s);

#endif
