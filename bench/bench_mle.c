/*
 * bench_mle.c -- throughput of the maximum-likelihood scaling-law fit
 * (dv_law_fit_mle) on one thread: 2000 points with 500 samples each, k
 * uniform in [100, 1000), deltas drawn from the law
 * N(c k^-alpha, sigma^2 k^-beta) with random per-point parameters.  Also
 * times the grid cardinalities (the 10-point geomspace of the paper's grid runs)
 * and the log estimator.  Prints points/s.
 *
 * Usage: bench_mle [n_points] [n_samples]
 */
#include "dval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void make_points(size_t np, size_t ns, int grid, double *delta, int32_t *card)
{
    static const int32_t geom[10] = {100, 129, 166, 215, 278, 359, 464, 599, 774, 1000};
    for (size_t p = 0; p < np; p++) {
        dv_rng r;
        dv_rng_seed(&r, 2024, p);
        double c = (dv_rng_uniform(&r) - 0.3) * 2.0;
        double alpha = 0.2 + 1.6 * dv_rng_uniform(&r);
        double sigma = 0.05 + dv_rng_uniform(&r);
        double beta = 0.5 + 2.0 * dv_rng_uniform(&r);
        for (size_t i = 0; i < ns; i++) {
            int32_t k = grid ? geom[dv_rng_below(&r, 10)] : (int32_t)(100 + dv_rng_below(&r, 900));
            double lk = log((double)k);
            card[p * ns + i] = k;
            delta[p * ns + i] = c * exp(-alpha * lk) + sigma * exp(-0.5 * beta * lk) * dv_rng_normal(&r);
        }
    }
}

static double run(const char *name, size_t np, size_t ns, const double *delta, const int32_t *card,
                  int (*fit)(const double *, const int32_t *, size_t, dv_law *))
{
    double checksum = 0.0;
    int n_bound = 0;
    double t0 = dv_clock_seconds();
    for (size_t p = 0; p < np; p++) {
        dv_law law;
        fit(delta + p * ns, card + p * ns, ns, &law);
        checksum += law.alpha + law.beta + law.log_alpha;
        n_bound += law.status == DV_LAW_BOUND;
    }
    double dt = dv_clock_seconds() - t0;
    printf("%-28s %6zu points x %4zu samples: %8.3f s  %10.0f points/s  (bound %d, checksum %.6g)\n",
           name, np, ns, dt, (double)np / dt, n_bound, checksum);
    return (double)np / dt;
}

int main(int argc, char **argv)
{
    size_t np = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2000;
    size_t ns = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 500;
    double *delta = malloc(np * ns * sizeof *delta);
    int32_t *card = malloc(np * ns * sizeof *card);
    if (!delta || !card)
        return 1;
    make_points(np, ns, 0, delta, card);
    run("mle, k uniform [100,1000)", np, ns, delta, card, dv_law_fit_mle);
    run("log, k uniform [100,1000)", np, ns, delta, card, dv_law_fit_log);
    run("both (dv_law_fit), uniform", np, ns, delta, card, dv_law_fit);
    make_points(np, ns, 1, delta, card);
    run("mle, k geomspace grid", np, ns, delta, card, dv_law_fit_mle);
    free(delta);
    free(card);
    return 0;
}
