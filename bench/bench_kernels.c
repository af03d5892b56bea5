/*
 * bench_kernels.c -- the scan's hand-written kernels against the BLAS calls
 * they replace, on standardized one-hot data (the bundled Adult subset,
 * 108 columns):
 *   - X theta and X^T r in baseline form (util/basesparse.c) against
 *     cblas_dgemv on the dense rows, for 250, 500 and 1,000 rows;
 *   - one Cholesky solve of a vector (dv__chol_solve_vec) against two
 *     cblas_dtrsv, at p = 109.
 * Each line gives microseconds per call (best of 5 rounds) and the largest
 * difference between the two results.  One thread.
 *
 * Usage: bench_kernels [data.csv.gz]   (default data/adult_4000.csv.gz)
 */
#include "internal.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Best of 5 rounds of reps calls, in microseconds per call. */
#define TIME_US(out, reps, call)                                                                   \
    do {                                                                                           \
        double best_ = INFINITY;                                                                   \
        for (int r_ = 0; r_ < 5; r_++) {                                                           \
            double t_ = dv_clock_seconds();                                                                     \
            for (int k_ = 0; k_ < (reps); k_++) {                                                  \
                call;                                                                              \
            }                                                                                      \
            t_ = (dv_clock_seconds() - t_) / (reps)*1e6;                                                        \
            if (t_ < best_)                                                                        \
                best_ = t_;                                                                        \
        }                                                                                          \
        (out) = best_;                                                                             \
    } while (0)

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "data/adult_4000.csv.gz";
    dv_csv_options co;
    dv_csv_options_default(&co);
    dv_error err = {0};
    dv_dataset *all = NULL, *train = NULL, *val = NULL;
    int64_t rows[2000];
    for (int i = 0; i < 2000; i++)
        rows[i] = i;
    if (dv_dataset_read_csv(&all, path, &co, &err) || all->n < 2000 ||
        dv_dataset_subset(&train, all, rows, 1000, &err) ||
        dv_dataset_subset(&val, all, rows + 1000, 1000, &err)) {
        fprintf(stderr, "bench_kernels: %s\n", err.msg[0] ? err.msg : "need 2,000 rows");
        return 1;
    }
    dv_dataset_standardize(train, val, NULL);
    openblas_set_num_threads(1);
    size_t d = train->d, p = d + 1;
    dv_rng rg;
    dv_rng_seed(&rg, 1, 1);
    double *theta = malloc(p * sizeof *theta), *r = malloc(1000 * sizeof *r);
    double *z1 = malloc(1000 * sizeof *z1), *z2 = malloc(1000 * sizeof *z2);
    double *g1 = malloc(d * sizeof *g1), *g2 = malloc(d * sizeof *g2);
    for (size_t j = 0; j < p; j++)
        theta[j] = 0.3 * dv_rng_normal(&rg);
    for (size_t i = 0; i < 1000; i++)
        r[i] = dv_rng_normal(&rg);

    dv__bsp m;
    int worth;
    if (dv__bsp_plan(&m, train->X, train->n, d, train->n, &worth) || !worth) {
        fprintf(stderr, "bench_kernels: the baseline form does not apply to %s\n", path);
        return 1;
    }
    size_t listed = 0;
    for (size_t q = 0; q < m.nl; q++)
        listed += m.lstart[q + 1] - m.lstart[q];
    printf("%s: %zu columns, %zu whole, %.1f listed entries per row\n", path, d, m.nd,
           (double)listed / (double)train->n);
    printf("%-28s %6s %10s %10s %7s %9s\n", "product", "rows", "dense us", "form us", "ratio",
           "max diff");
    for (size_t n = 250; n <= 1000; n *= 2) {
        dv__bsp_reset(&m);
        for (size_t i = 0; i < n; i++)
            dv__bsp_push(&m, train->X + i * d);
        int reps = (int)(2000000 / n);
        double td, tf, diff = 0.0;
        TIME_US(td, reps,
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, train->X, (int)d,
                            theta, 1, 0.0, z1, 1));
        TIME_US(tf, reps, dv__bsp_gemv(&m, theta, 0.0, z2));
        for (size_t i = 0; i < n; i++)
            diff = fmax(diff, fabs(z1[i] - z2[i]));
        printf("%-28s %6zu %10.2f %10.2f %7.2f %9.1e\n", "X theta", n, td, tf, td / tf, diff);
        TIME_US(td, reps,
                cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, train->X, (int)d, r, 1,
                            0.0, g1, 1));
        TIME_US(tf, reps, dv__bsp_gemv_t(&m, r, g2));
        diff = 0.0;
        for (size_t j = 0; j < d; j++)
            diff = fmax(diff, fabs(g1[j] - g2[j]));
        printf("%-28s %6zu %10.2f %10.2f %7.2f %9.1e\n", "X^T r", n, td, tf, td / tf, diff);
    }

    /* A Hessian-like SPD matrix of the same size: X^T W X + I. */
    double *H = calloc(p * p, sizeof *H), *U = malloc(p * p * sizeof *U);
    double *dinv = malloc(p * sizeof *dinv), *v1 = malloc(p * sizeof *v1);
    double *v2 = malloc(p * sizeof *v2), *b = malloc(p * sizeof *b);
    for (size_t i = 0; i < 1000; i++) {
        const double *x = train->X + i * d;
        for (size_t a = 0; a < p; a++)
            for (size_t c = 0; c <= a; c++)
                H[a * p + c] += 0.2 * (a < d ? x[a] : 1.0) * (c < d ? x[c] : 1.0);
    }
    for (size_t a = 0; a < p; a++) {
        H[a * p + a] += 1.0;
        for (size_t c = 0; c < a; c++)
            H[c * p + a] = H[a * p + c];
        b[a] = dv_rng_normal(&rg);
    }
    if (dv__chol(H, p)) {
        fprintf(stderr, "bench_kernels: factorization failed\n");
        return 1;
    }
    dv__chol_prep(H, p, U, dinv);
    double tb, th;
    TIME_US(tb, 100000, {
        memcpy(v1, b, p * sizeof *b);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)p, H, (int)p, v1,
                    1);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)p, H, (int)p, v1, 1);
    });
    TIME_US(th, 100000, {
        memcpy(v2, b, p * sizeof *b);
        dv__chol_solve_vec(H, U, dinv, p, v2);
    });
    double diff = 0.0;
    for (size_t j = 0; j < p; j++)
        diff = fmax(diff, fabs(v1[j] - v2[j]));
    printf("%-28s %6zu %10.2f %10.2f %7.2f %9.1e\n", "(L L^T)^-1 v (p)", p, tb, th, tb / th, diff);

    dv__bsp_free(&m);
    dv_dataset_free(all);
    dv_dataset_free(train);
    dv_dataset_free(val);
    free(theta), free(r), free(z1), free(z2), free(g1), free(g2);
    free(H), free(U), free(dinv), free(v1), free(v2), free(b);
    return 0;
}
