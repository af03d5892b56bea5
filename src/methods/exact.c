/*
 * exact.c -- Shapley and Banzhaf values of a game by enumerating all 2^n
 * coalitions (n <= DV__EXACT_MAX): the ground truth the sampling methods
 * are tested against.
 */
#include "methods/game.h"

#include <math.h>
#include <string.h>

typedef struct {
    double *u;    /* u[mask] = U(players in mask) */
    size_t n;
} exact_ctx;

static int exact_item(const dv_game *g, void *state, size_t mask, void *vctx, dv_error *err)
{
    exact_ctx *c = vctx;
    int64_t S[DV__EXACT_MAX];
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (mask >> i & 1)
            S[m++] = (int64_t)i;
    return g->utility(g->user, state, S, m, &c->u[mask]);
}

static size_t exact_spans(void *vctx, size_t mask, dv__span *sp)
{
    exact_ctx *c = vctx;
    sp[0] = (dv__span){&c->u[mask], 1, sizeof(double), sizeof(double)};
    return 1;
}

int dv__value_exact(const dv_game *g, const dv_value_params *p, int banzhaf, double *values,
                       dv_error *err)
{
    size_t n = g->n_players;
    if (n > DV__EXACT_MAX)
        return dv__err(err, DV_EINVAL,
                       "exact enumeration needs 2^n utilities: at most %d players (got %zu)",
                       DV__EXACT_MAX, n);
    size_t total = (size_t)1 << n;
    exact_ctx c = {dv__malloc(total * sizeof(double)), n};
    if (!c.u)
        return dv__err(err, DV_ENOMEM, "out of memory for 2^%zu utilities", n);
    int rc = dv__game_run_items(g, p, 0, total, exact_item, exact_spans, &c, err);
    if (!rc) {
        /* Shapley weight of a coalition of size s without i: s!(n-s-1)!/n!. */
        double w[DV__EXACT_MAX + 1];
        for (size_t s = 0; s < n; s++)
            w[s] = banzhaf ? ldexp(1.0, -(int)(n - 1))
                           : exp(lgamma((double)s + 1) + lgamma((double)(n - s)) -
                                 lgamma((double)n + 1));
        for (size_t i = 0; i < n; i++) {
            double v = 0.0;
            for (size_t mask = 0; mask < total; mask++) {
                if (mask >> i & 1)
                    continue;
                v += w[__builtin_popcountll(mask)] * (c.u[mask | (size_t)1 << i] - c.u[mask]);
            }
            values[i] = v;
        }
    }
    dv__free(c.u);
    return rc;
}
