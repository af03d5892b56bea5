/*
 * permutation.c -- permutation sampling on a game: truncated Monte Carlo
 * Data Shapley (Ghorbani & Zou, ICML 2019), Beta Shapley (Kwon & Zou,
 * AISTATS 2022) and TS-DShapley (Schoch, Mishra & Ji, "Data selection for
 * fine-tuning large language models using transferred Shapley values", ACL
 * SRW 2023), whose permutations are cut into subsets of a few players, each
 * valued as a game of its own, so that no utility is computed on more than
 * a subset.  Permutations run without batch barriers and are committed in
 * order, so the stopping rules see samples 1, 2, ... as in a serial run.
 */
#include "methods/game.h"

#include <math.h>
#include <omp.h>
#include <string.h>

typedef struct {
    double *w;        /* n position weights (n * w_j; all 1 for Shapley) */
    double u_empty, u_full;
    double truncation;
    size_t blocks;    /* subsets per permutation: 1, or TS-DShapley's */
    uint64_t seed;
    size_t window;    /* slots of out and calls; item t uses slot t % window */
    double *out;      /* window x n contributions */
    size_t *calls;    /* window: utility calls per item */
    /* The in-order commit of items (perm_commit). */
    const dv_game *g;
    const dv_value_params *p;
    dv__tally *T;
    double *values, *errs, t0;
    dv_value_info *info;
    size_t done;
} perm_ctx;

static int perm_item(const dv_game *g, void *state, size_t t, void *vctx, dv_error *err)
{
    perm_ctx *c = vctx;
    size_t n = g->n_players;
    double *x = c->out + (t % c->window) * n;
    int64_t *pi = dv__malloc(n * sizeof *pi);
    if (!pi)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_rng r;
    dv_rng_seed(&r, c->seed, 0x5045524dULL ^ ((uint64_t)t << 8)); /* "PERM" */
    for (size_t i = 0; i < n; i++)
        pi[i] = (int64_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)dv_rng_below(&r, i);
        int64_t tmp = pi[i - 1];
        pi[i - 1] = pi[j];
        pi[j] = tmp;
    }
    memset(x, 0, n * sizeof(double));
    int rc = DV_OK;
    size_t calls = 0, B = c->blocks;
    /* Block b of B (sizes differ by at most one) is the game of its players
     * alone; its marginals are scaled by m / n, its share of the players. */
    for (size_t b = 0; b < B && !rc; b++) {
        size_t lo = b * n / B, m = (b + 1) * n / B - lo;
        const int64_t *S = pi + lo;
        double prev = c->u_empty, full = c->u_full, scale = 1.0;
        if (B > 1) {
            scale = (double)m / (double)n;
            if (c->truncation > 0) {
                if ((rc = g->utility(g->user, state, S, m, &full)))
                    break;
                calls++;
            }
        }
        int close = 0;
        for (size_t j = 0; j < m; j++) {
            double u;
            if ((rc = g->utility(g->user, state, S, j + 1, &u)))
                break;
            calls++;
            x[S[j]] = scale * (c->w[j] * (u - prev));
            prev = u;
            /* Truncation (Ghorbani & Zou 2019): once U stays within a
             * relative tolerance of the whole game's for 5 consecutive
             * positions, the remaining marginals are taken as 0. */
            if (c->truncation > 0) {
                close = fabs(u - full) <= c->truncation * fabs(full) ? close + 1 : 0;
                if (close >= 5)
                    break;
            }
        }
    }
    c->calls[t % c->window] = calls;
    dv__free(pi);
    return rc;
}

static size_t perm_spans(void *vctx, size_t t, dv__span *sp)
{
    perm_ctx *c = vctx;
    size_t n = c->g->n_players;
    sp[0] = (dv__span){c->out + (t % c->window) * n, n, sizeof(double), sizeof(double)};
    sp[1] = (dv__span){&c->calls[t % c->window], 1, sizeof(size_t), sizeof(size_t)};
    return 2;
}

/* Beta(a, b) position weights of Kwon & Zou (2022), times n: position j
 * (1-based) of n gets n * C(n-1, j-1) Beta(j + b - 1, n - j + a) / Beta(a, b). */
static void beta_weights(size_t n, double a, double b, double *w)
{
    double lb = lgamma(a) + lgamma(b) - lgamma(a + b);
    for (size_t j = 1; j <= n; j++) {
        double lc = lgamma((double)n) - lgamma((double)j) - lgamma((double)(n - j + 1));
        double x = (double)j + b - 1, y = (double)(n - j) + a;
        double lbeta = lgamma(x) + lgamma(y) - lgamma(x + y);
        w[j - 1] = (double)n * exp(lc + lbeta - lb);
    }
}

static int full_and_empty(const dv_game *g, double *u_empty, double *u_full, dv_error *err)
{
    size_t n = g->n_players;
    int64_t *S = dv__malloc((n ? n : 1) * sizeof *S);
    if (!S)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        S[i] = (int64_t)i;
    void *state = g->new_state ? g->new_state(g->user) : NULL;
    int rc = g->utility(g->user, state, S, 0, u_empty);
    if (!rc)
        rc = g->utility(g->user, state, S, n, u_full);
    if (state && g->free_state)
        g->free_state(state);
    dv__free(S);
    return rc;
}

/* Takes permutation t (in order) into the dv__tally and applies the rules. */
static int perm_commit(void *vctx, size_t t)
{
    perm_ctx *c = vctx;
    dv__tally_add(c->T, t, c->out + (t % c->window) * c->g->n_players);
    c->info->utility_calls += c->calls[t % c->window];
    c->done = t + 1;
    if (c->p->progress) /* under the commit lock: one call at a time */
        c->p->progress(c->p->progress_user, c->done, c->p->max_samples);
    return (dv__check_due(c->p, c->done) &&
            dv__should_stop(c->p, c->T, c->done, -1.0, c->values, c->errs, c->info)) ||
           dv__budget_stop(c->p, c->done, c->t0, c->info);
}

int dv__value_permutations(const dv_game *g, const dv_value_params *p, int beta,
                              double *values, double *stderrs, dv_value_info *info,
                              dv_error *err)
{
    size_t n = g->n_players;
    perm_ctx c = {0};
    c.t0 = dv_clock_seconds();
    c.seed = p->seed;
    c.truncation = beta == 1 ? 0.0 : p->truncation;
    c.blocks = 1;
    if (beta == 2) { /* about ts_subset players per block */
        c.blocks = (size_t)((double)n / (double)p->ts_subset + 0.5);
        c.blocks = c.blocks < 1 ? 1 : c.blocks;
    }
    c.window = dv__game_window(p);
    c.g = g;
    c.w = dv__malloc(n * sizeof(double));
    c.out = dv__malloc(c.window * n * sizeof(double));
    c.calls = dv__malloc(c.window * sizeof(size_t));
    double *errs = dv__malloc(n * sizeof(double));
    dv__tally T;
    int rc = dv__tally_init(&T, n, p->chains);
    if (rc || !c.w || !c.out || !c.calls || !errs) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if (beta == 1)
        beta_weights(n, p->beta_a, p->beta_b, c.w);
    else
        for (size_t j = 0; j < n; j++)
            c.w[j] = 1.0;
    if ((rc = full_and_empty(g, &c.u_empty, &c.u_full, err)))
        goto done;
    info->utility_calls += 2;
    c.g = g;
    c.p = p;
    c.T = &T;
    c.values = values;
    c.errs = errs;
    c.info = info;
    /* Permutations run without batch barriers and are committed in order:
     * the rules see samples 1, 2, ... exactly as in a serial run. */
    if (p->max_samples > 0)
        rc = dv__game_run_ordered(g, p, 0, p->max_samples, c.window, perm_item, perm_spans,
                                  perm_commit, &c, err);
    else
        dv__budget_stop(p, 0, c.t0, info);
    info->samples = c.done;
    dv__tally_values(&T, values, stderrs ? stderrs : errs);
done:
    dv__tally_free(&T);
    dv__free(c.w);
    dv__free(c.out);
    dv__free(c.calls);
    dv__free(errs);
    return rc;
}
