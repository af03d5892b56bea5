/*
 * bench_amortized.c -- wall time of training the amortized estimator with
 * its default settings (2 hidden layers of 128, 100 epochs, batches of 128
 * points) on planted laws: POINTS points x SAMPLES samples, FEATURES
 * features, two heads, sizes uniform in [100, 1000].  The target:
 * 10,000 points x 100 samples within 60 s on two cores.
 *
 * usage: bench_amortized POINTS SAMPLES FEATURES
 */
#include "dval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_amortized POINTS SAMPLES FEATURES\n");
        return 2;
    }
    size_t N = (size_t)atol(argv[1]), M = (size_t)atol(argv[2]), D = (size_t)atol(argv[3]);
    double *X = malloc(N * D * sizeof *X), *delta = malloc(N * M * sizeof *delta);
    int32_t *card = malloc(N * M * sizeof *card), *head = malloc(N * sizeof *head);
    dv_law *laws = malloc(N * sizeof *laws);
    dv_rng r;
    dv_rng_seed(&r, 11, 0);
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            X[i * D + j] = dv_rng_normal(&r);
        head[i] = X[i * D] > 0;
        double alpha = 0.6 + 0.25 * tanh(X[i * D + 1]), c = 0.5 * (1 + 0.3 * tanh(X[i * D]));
        for (size_t t = 0; t < M; t++) {
            int32_t k = 100 + (int32_t)dv_rng_below(&r, 901);
            card[i * M + t] = k;
            delta[i * M + t] = c * pow(k, -alpha) + 0.3 * pow(k, -0.5) * dv_rng_normal(&r);
        }
    }
    dv_amortized_params p;
    dv_amortized_params_default(&p);
    dv_error err = {0};
    double t0 = dv_clock_seconds();
    if (dv_law_fit_amortized(X, N, D, head, 2, delta, card, M, &p, laws, &err)) {
        fprintf(stderr, "bench_amortized: %s\n", err.msg);
        return 1;
    }
    double t = dv_clock_seconds() - t0;
    printf("amortized training: %zu points x %zu samples, %zu features: %.2f s (%.3f s/epoch)\n",
           N, M, D, t, t / p.epochs);
    free(X);
    free(delta);
    free(card);
    free(head);
    free(laws);
    return 0;
}
