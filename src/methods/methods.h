/*
 * methods.h -- private entry points of the valuation methods (src/methods),
 * dispatched by dv_value_compute in dispatch.c.  Each fills values[] (one per
 * training row) and returns a dv_status, with a message in err on failure.
 */
#ifndef DV_METHODS_H
#define DV_METHODS_H

#include "learn/net.h"
#include "methods/game.h"

/* Exact KNN-Shapley (Jia et al., PVLDB 2019), averaged over the validation
 * points; classification (label agreement) or regression (negative squared
 * error of the K-neighbour mean).  Ties in distance are broken by row index. */
int dv__knn_shapley(const dv_dataset *train, const dv_dataset *val, size_t K, int n_threads,
                    dv_comm *comm,
                    double *values, dv_error *err);

/* Data-OOB (Kwon & Zou 2023): p->max_samples bootstrap models of p->learner. */
int dv__data_oob(const dv_dataset *train, const dv_value_params *p, double *values,
                 dv_value_info *info, dv_error *err);

/* Influence of each training row on the validation loss (Koh & Liang 2017). */
int dv__influence_values(const dv_dataset *train, const dv_dataset *val,
                         const dv_value_params *p, double *values, dv_error *err);

/* The same with the solver chosen: use_cg 1 conjugate gradients, 0
 * Cholesky, -1 by size (for the tests). */
int dv__influence_values_solver(const dv_dataset *train, const dv_dataset *val,
                                const dv_value_params *p, int use_cg, double *values,
                                dv_error *err);

/* LAVA calibrated gradients (Just et al. 2023), sign so that higher = more valuable. */
int dv__lava(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
             double *values, dv_error *err);

/* CG score (Ki, Choi & Chung 2023). */
int dv__cg_score(const dv_dataset *train, const dv_value_params *p, double *values,
                 dv_error *err);

/* A game method (loo, exact, exact-banzhaf, tmc, beta, banzhaf, ame,
 * random) on the learner game of train and val (learner_game.c). */
int dv__learner_game_value(const dv_dataset *train, const dv_dataset *val,
                           const dv_value_params *p, double *values, double *stderrs,
                           dv_value_info *info, dv_error *err);

/* How well model predicts the rows of ds where mask[i] (every row when
 * mask is NULL): score[i] = 1[argmax of the probabilities == y_i] (ties to
 * the lowest class) for classification, -(y_i - f(x_i))^2 for regression;
 * 0 for rows outside the mask. */
int dv__self_scores(const dv_model *model, const dv_dataset *ds, const unsigned char *mask,
                    double *score, dv_error *err);

/* B models, each scoring n rows: fit(ctx, b, score, mask, err) fills model
 * b's n scores and n mask bytes (what the score means, which rows count);
 * models run in parallel blocks of 32 and add(ctx, score, mask) takes them
 * one at a time in the order of b, so sums do not depend on the thread
 * count.  progress (may be NULL) after each block. */
typedef int (*dv__model_fn)(void *ctx, size_t b, double *score, unsigned char *mask,
                            dv_error *err);
typedef void (*dv__model_add_fn)(void *ctx, const double *score, const unsigned char *mask);
int dv__model_blocks(size_t B, size_t n, int n_threads, dv_comm *comm, dv__model_fn fit,
                     dv__model_add_fn add, void *ctx, const char *what, dv_progress_fn progress,
                     void *user, dv_error *err);

/* Forgetting events (Toneva et al. 2019): p->max_samples training runs of
 * an epoch-wise learner (mlp). */
int dv__forgetting(const dv_dataset *train, const dv_value_params *p, double *values,
                   double *stderrs, dv_value_info *info, dv_error *err);

/* Subsampled memorization (Feldman & Zhang 2020). */
int dv__memorization(const dv_dataset *train, const dv_value_params *p, double *values,
                     double *stderrs, dv_value_info *info, dv_error *err);

/* DVRL's valuator loss on a batch of nb rows of features F (net's input
 * width) with selections s (0 or 1) and the reward, and its gradient into
 * grad (may be NULL); the forward pass leaves the logits in net->A[net->L]. */
double dv__dvrl_loss_grad(dv__net *net, const double *theta, const double *F, const double *s,
                          size_t nb, double reward, double *grad);

/* DVRL (Yoon, Arik & Pfister 2020) on the learner game's data. */
int dv__dvrl(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
             double *values, dv_value_info *info, dv_error *err);

/* G-Shapley (Ghorbani & Zou 2019): permutations of one SGD pass of a
 * linear model; tmc's stopping rules. */
int dv__gshapley(const dv_dataset *train, const dv_dataset *val, const dv_value_params *p,
                 double *values, double *stderrs, dv_value_info *info, dv_error *err);

#endif
