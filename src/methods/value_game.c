/*
 * value_game.c -- dv_value_game: a game-theoretic method on any cooperative
 * game (leave-one-out, exact enumeration, TMC and Beta Shapley, Data
 * Banzhaf, AME, TS-DShapley, the random baseline), with the method's checks and its
 * bookkeeping of utility calls and time.
 */
#include "methods/game.h"

#include <math.h>
#include <string.h>

int dv_value_game(const dv_game *g, const dv_value_params *p, double *values, double *stderrs,
                  dv_value_info *info, dv_error *err)
{
    dv_value_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (!g || !g->utility || !p || !values)
        return dv__err(err, DV_EINVAL, "a game, its utility, parameters and an output are required");
    dv_value_params q = *p;
    if (q.max_samples == 0)
        q.max_samples = dv__default_max_samples(q.method);
    p = &q;
    size_t n = g->n_players;
    if (n == 0)
        return dv__err(err, DV_EINVAL, "the game has no players");
    if (stderrs)
        for (size_t i = 0; i < n; i++)
            stderrs[i] = NAN;
    double t0 = dv_clock_seconds();
    int rc;
    switch (p->method) {
    case DV_METHOD_LOO:
        rc = dv__value_loo(g, p, values, err);
        info->utility_calls = n + 1;
        break;
    case DV_METHOD_EXACT_SHAPLEY:
    case DV_METHOD_EXACT_BANZHAF:
        rc = dv__value_exact(g, p, p->method == DV_METHOD_EXACT_BANZHAF, values, err);
        info->utility_calls = n <= DV__EXACT_MAX ? (size_t)1 << n : 0;
        break;
    case DV_METHOD_TMC:
    case DV_METHOD_BETA:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        if (p->method == DV_METHOD_BETA && !(p->beta_a > 0 && p->beta_b > 0))
            return dv__err(err, DV_EINVAL, "Beta Shapley needs alpha > 0 and beta > 0");
        rc = dv__value_permutations(g, p, p->method == DV_METHOD_BETA, values, stderrs, info, err);
        break;
    case DV_METHOD_TS_SHAPLEY:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        if (p->ts_subset < 2)
            return dv__err(err, DV_EINVAL, "ts-shapley: subsets of %zu players are too small "
                                           "(at least 2)", p->ts_subset);
        rc = dv__value_permutations(g, p, 2, values, stderrs, info, err);
        break;
    case DV_METHOD_BANZHAF:
        if (p->max_samples < 1)
            return dv__err(err, DV_EINVAL, "max-samples must be at least 1");
        rc = dv__value_msr(g, p, values, stderrs, info, err);
        break;
    case DV_METHOD_AME:
        rc = dv__ame(g, p, values, info, err);
        break;
    case DV_METHOD_RANDOM: {
        dv_rng r;
        dv_rng_seed(&r, p->seed, 0x52414e44ULL); /* "RAND" */
        for (size_t i = 0; i < n; i++)
            values[i] = dv_rng_uniform(&r);
        rc = DV_OK;
        break;
    }
    default:
        return dv__err(err, DV_EINVAL, "method '%s' is not defined on a general game",
                       dv_method_name(p->method));
    }
    info->seconds = dv_clock_seconds() - t0;
    if (!rc)
        dv__value_finish(info, p->method, values, stderrs, n);
    return rc;
}
