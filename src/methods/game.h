/*
 * game.h -- private interface of src/methods: the runner of work items on
 * a game and the sampling estimators' stopping rules (game.c), and the
 * game-theoretic estimators dispatched by dv_value_game (dispatch.c).
 */
#ifndef DV_METHODS_GAME_H
#define DV_METHODS_GAME_H

#include "internal.h"

/* One work item of a method on game g: item with fresh game state. */
typedef int (*dv__game_item_fn)(const dv_game *g, void *state, size_t item, void *ctx,
                                dv_error *err);
/* Runs fn for items [lo, hi) on p->n_threads threads (and over p->comm's
 * processes, every process ending with every item's results, which live
 * where spans(ctx, item) says), each item with fresh game state
 * (g->new_state / g->free_state), BLAS serial; returns the first failure. */
int dv__game_run_items(const dv_game *g, const dv_value_params *p, size_t lo, size_t hi,
                       dv__game_item_fn fn, dv__span_fn spans, void *ctx, dv_error *err);
/* The same, each item committed in order as soon as it and all before it
 * are done (commit(ctx, item) returns nonzero to stop; over processes, on
 * every process, process 0's commits deciding the stop); at most window
 * items run past the last committed one (dv__for_items_ordered). */
int dv__game_run_ordered(const dv_game *g, const dv_value_params *p, size_t lo, size_t hi,
                         size_t window, dv__game_item_fn fn, dv__span_fn spans,
                         int (*commit)(void *ctx, size_t item), void *ctx, dv_error *err);
/* The window of an ordered run: 8 slots per thread over all processes. */
size_t dv__game_window(const dv_value_params *p);

/* Per-sample contributions reduced into per-chain sums of x and x^2;
 * sample t belongs to chain t % chains. */
typedef struct {
    size_t n, chains;
    double *s1, *s2;     /* chains x n */
    size_t *cnt;         /* chains */
    double *prev;        /* values at the previous check (rank rule) */
    int have_prev;
} dv__tally;

int dv__tally_init(dv__tally *T, size_t n, size_t chains);
void dv__tally_free(dv__tally *T);
void dv__tally_add(dv__tally *T, size_t t, const double *x);
/* Mean and standard error (stderrs may be NULL) over all samples. */
void dv__tally_values(const dv__tally *T, double *values, double *stderrs);

/* The budget rules: max_samples and max_seconds (not checked when t0 < 0);
 * on a stop, info gets the rule and its level. */
int dv__budget_stop(const dv_value_params *p, size_t done, double t0, dv_value_info *info);
/* The quality rules: every standard error small enough, or the ranking
 * stable since the previous check (prev/have_prev carry that check). */
int dv__quality_stop(const dv_value_params *p, const double *vals, const double *errs, size_t n,
                     double *prev, int *have_prev, dv_value_info *info);
/* Whether the permutation estimators stop after `done` samples: budgets,
 * then (from min_samples on) R-hat and the quality rules. */
int dv__should_stop(const dv_value_params *p, dv__tally *T, size_t done, double t0,
                    double *vals, double *errs, dv_value_info *info);
/* Samples per parallel batch of the MSR estimator. */
size_t dv__batch_size(const dv_value_params *p);
/* Whether the rules are checked after the k-th sample. */
int dv__check_due(const dv_value_params *p, size_t k);

/* The estimators on a game; each fills values[0..n_players-1]. */
#define DV__EXACT_MAX 24 /* players of the enumerations */
int dv__value_loo(const dv_game *g, const dv_value_params *p, double *values, dv_error *err);
int dv__value_exact(const dv_game *g, const dv_value_params *p, int banzhaf, double *values,
                    dv_error *err);
/* TMC (beta = 0), Beta Shapley (beta = 1) or TS-DShapley (beta = 2: each
 * permutation cut into subsets of about p->ts_subset players, each scanned
 * as a game of its own, the marginals times subset size / n). */
int dv__value_permutations(const dv_game *g, const dv_value_params *p, int beta,
                           double *values, double *stderrs, dv_value_info *info,
                           dv_error *err);
int dv__value_msr(const dv_game *g, const dv_value_params *p, double *values, double *stderrs,
                  dv_value_info *info, dv_error *err);
/* Average marginal effect (Lin et al. 2022), ame.c. */
/* The method's budget when max_samples is 0. */
size_t dv__default_max_samples(dv_method m);
int dv__ame(const dv_game *g, const dv_value_params *p, double *values, dv_value_info *info,
            dv_error *err);
/* Lasso by cyclic coordinate descent, without intercept, X column-major
 * n x p, beta warm start in / solution out, until the duality gap is at
 * most tol ||y||^2; returns sweeps (> max_sweeps: not converged) or -1 out
 * of memory (ame.c). */
int dv__lasso_cd(const double *X, size_t n, size_t p, const double *y, double lambda,
                 double *beta, double tol, size_t max_sweeps);

/* The largest finite standard error (NaN when none) and the standard
 * deviation of the finite values. */
void dv__value_spread(const double *vals, const double *errs, size_t n, double *max_stderr,
                      double *sd);
/* info's max_stderr, value_sd and converged, from the final values. */
void dv__value_finish(dv_value_info *info, dv_method m, const double *values,
                      const double *stderrs, size_t n);

#endif
