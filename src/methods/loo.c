/*
 * loo.c -- leave-one-out values on a game: U(D) - U(D - i), the n + 1
 * utilities computed in parallel.
 */
#include "methods/game.h"

#include <math.h>
#include <string.h>

typedef struct {
    double *u;    /* u[0] = U(D), u[1 + i] = U(D - i) */
} loo_ctx;

static int loo_item(const dv_game *g, void *state, size_t item, void *vctx, dv_error *err)
{
    loo_ctx *c = vctx;
    size_t n = g->n_players, m = 0;
    int64_t *S = dv__malloc((n ? n : 1) * sizeof *S);
    if (!S)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (item == 0 || i != item - 1)
            S[m++] = (int64_t)i;
    int rc = g->utility(g->user, state, S, m, &c->u[item]);
    dv__free(S);
    return rc;
}

static size_t loo_spans(void *vctx, size_t item, dv__span *sp)
{
    loo_ctx *c = vctx;
    sp[0] = (dv__span){&c->u[item], 1, sizeof(double), sizeof(double)};
    return 1;
}

int dv__value_loo(const dv_game *g, const dv_value_params *p, double *values, dv_error *err)
{
    size_t n = g->n_players;
    loo_ctx c = {dv__malloc((n + 1) * sizeof(double))};
    if (!c.u)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int rc = dv__game_run_items(g, p, 0, n + 1, loo_item, loo_spans, &c, err);
    for (size_t i = 0; !rc && i < n; i++)
        values[i] = c.u[0] - c.u[1 + i];
    dv__free(c.u);
    return rc;
}
