/*
 * bench_ame.c -- wall time of the AME estimator (dv__ame) with a utility
 * that costs nothing, so that the time is the cross-validated Lasso's: n
 * players (default 2,000, the bundled data's training split) and the
 * default 1,000 subsets.  The game is additive with a concave size effect
 * and noise that depends on the subset, like a model's accuracy.  Prints
 * wall and process CPU time on 1 and 2 threads and checks that both give
 * the same bits.
 *
 * Usage: bench_ame [n_players] [subsets]
 */
#include "methods/game.h"
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lin et al., "Measuring the Effect of Training Data on Deep Learning
 * Predictions via Randomized Experiments", ICML 2022 -- the method timed. */

typedef struct {
    size_t n;
    double *a;
} game;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int utility(void *user, void *state, const int64_t *S, size_t m, double *out)
{
    const game *G = user;
    double s = 0.0;
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < m; i++) {
        s += G->a[S[i]];
        h = mix(h ^ (uint64_t)S[i]);
    }
    double u1 = ((double)(h >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double)(mix(h) >> 11) + 0.5) / 9007199254740992.0;
    double noise = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    *out = s / (double)G->n + 0.3 * sqrt((double)m / (double)G->n) + 0.01 * noise;
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000;
    size_t N = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000;
    game G = {n, malloc(n * sizeof(double))};
    dv_rng r;
    dv_rng_seed(&r, 7, 0);
    for (size_t i = 0; i < n; i++)
        G.a[i] = dv_rng_normal(&r) + (i % 10 == 0 ? -3.0 : 0.0);
    dv_game g = {n, &G, utility, NULL, NULL};
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_AME);
    p.method = DV_METHOD_AME;
    p.max_samples = N;
    double *v[2] = {malloc(n * sizeof(double)), malloc(n * sizeof(double))};
    double wall[2], cpu[2];
    dv_error err = {0};
    for (int th = 1; th <= 2; th++) {
        p.n_threads = th;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (dv__ame(&g, &p, v[th - 1], NULL, &err)) {
            fprintf(stderr, "bench_ame: %s\n", err.msg);
            return 1;
        }
        wall[th - 1] = clock_s(CLOCK_MONOTONIC) - t0;
        cpu[th - 1] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    size_t nz = 0;
    for (size_t i = 0; i < n; i++)
        nz += v[0][i] != 0.0;
    printf("ame: %zu players, %zu subsets, %zu nonzero values\n", n, N, nz);
    for (int th = 1; th <= 2; th++)
        printf("threads %d: wall %.2f s, cpu %.2f s\n", th, wall[th - 1], cpu[th - 1]);
    if (getenv("BENCH_AME_OUT")) {
        FILE *f = fopen(getenv("BENCH_AME_OUT"), "w");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%.17g\n", v[0][i]);
        fclose(f);
    }
    int same = !memcmp(v[0], v[1], n * sizeof(double));
    printf("identical on 1 and 2 threads: %s\n", same ? "yes" : "NO");
    free(G.a);
    free(v[0]);
    free(v[1]);
    return same ? 0 : 1;
}
