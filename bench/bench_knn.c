/*
 * bench_knn.c -- wall time of exact KNN-Shapley (dv__knn_shapley) on
 * synthetic linear-classification data: 50,000 training and 1,000
 * validation points with 10 features, K = 10, on 1 and 2 threads.  Also
 * checks that both runs give the same bits.  Prints wall and process CPU
 * time (the CPU time is the better guide on a shared machine).
 *
 * Usage: bench_knn [n_train] [n_val] [K]
 */
#include "methods/methods.h"
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Jia et al., "Efficient Task-Specific Data Valuation for Nearest Neighbor
 * Algorithms", PVLDB 2019 -- the method timed here. */

int main(int argc, char **argv)
{
    size_t n_train = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 50000;
    size_t n_val = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000;
    size_t K = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 10;

    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    sp.n_rows = n_train + n_val;
    sp.n_features = 10;
    sp.seed = 1;
    dv_error err = {0};
    dv_dataset *all = NULL, *train = NULL, *val = NULL;
    if (dv_synth(&all, &sp, &err)) {
        fprintf(stderr, "bench_knn: %s\n", err.msg);
        return 1;
    }
    int64_t *rows = malloc(sp.n_rows * sizeof *rows);
    for (size_t i = 0; i < sp.n_rows; i++)
        rows[i] = (int64_t)i;
    if (dv_dataset_subset(&train, all, rows, n_train, &err) ||
        dv_dataset_subset(&val, all, rows + n_train, n_val, &err)) {
        fprintf(stderr, "bench_knn: %s\n", err.msg);
        return 1;
    }

    double *v1 = malloc(n_train * sizeof *v1), *v2 = malloc(n_train * sizeof *v2);
    double t1 = 0.0, t2 = 0.0, c1 = 0.0, c2 = 0.0;
    for (int th = 1; th <= 2; th++) {
        double t0 = clock_s(CLOCK_MONOTONIC), p0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (dv__knn_shapley(train, val, K, th, NULL, th == 1 ? v1 : v2, &err)) {
            fprintf(stderr, "bench_knn: %s\n", err.msg);
            return 1;
        }
        double t = clock_s(CLOCK_MONOTONIC) - t0, c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - p0;
        if (th == 1) {
            t1 = t;
            c1 = c;
        } else {
            t2 = t;
            c2 = c;
        }
    }
    double sum = 0.0;
    for (size_t i = 0; i < n_train; i++)
        sum += v1[i];
    printf("knn_shapley n_train=%zu n_val=%zu d=10 K=%zu\n", n_train, n_val, K);
    printf("  1 thread : %.3f s wall, %.3f s cpu\n", t1, c1);
    printf("  2 threads: %.3f s wall, %.3f s cpu (speedup %.2f)\n", t2, c2, t1 / t2);
    printf("  sum of values %.6f, identical bits: %s\n", sum,
           memcmp(v1, v2, n_train * sizeof *v1) == 0 ? "yes" : "NO");

    free(v1);
    free(v2);
    free(rows);
    dv_dataset_free(all);
    dv_dataset_free(train);
    dv_dataset_free(val);
    return 0;
}
