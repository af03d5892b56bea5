/*
 * bench_sampler.c -- samples per second of the exact sampler on the
 * reference setting: linear-clf (12,000 rows, d = 50; 10,000 train, 1,000
 * validation, 1,000 test), L2 logistic regression, k uniform in
 * [100, 1000], on 1 and 2 threads.  The set-up (loading, the start fits)
 * is timed apart from the sampling.
 *
 * usage: bench_sampler [points] [samples] [threads...]
 */
#define _GNU_SOURCE
#include "dval.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void die(const dv_error *e)
{
    fprintf(stderr, "bench_sampler: %s\n", e->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    double tol = getenv("DV_BENCH_TOL") ? atof(getenv("DV_BENCH_TOL")) : 1e-10;
    size_t P = argc > 1 ? (size_t)atol(argv[1]) : 2048;
    size_t M = argc > 2 ? (size_t)atol(argv[2]) : 20;
    int threads[8] = {1, 2};
    int nt = 2;
    if (argc > 3) {
        nt = 0;
        for (int i = 3; i < argc && nt < 8; i++)
            threads[nt++] = atoi(argv[i]);
    }
    dv_error err = {0};
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    dv_dataset *all, *tr, *va, *te;
    if (dv_synth(&all, &sp, &err))
        die(&err);
    dv_split_options so;
    dv_split_options_default(&so);
    if (dv_dataset_split(all, &so, &tr, &va, &te, &err))
        die(&err);
    dv_dataset_standardize(tr, va, te);
    int64_t *pts = malloc(P * sizeof *pts);
    for (size_t i = 0; i < P; i++)
        pts[i] = (int64_t)i;
    printf("linear-clf n_train=%zu n_val=%zu d=%zu, logreg C=1 tol=%g, k in [100,1000], "
           "%zu points x %zu samples\n",
           dv_dataset_rows(tr), dv_dataset_rows(va), dv_dataset_cols(tr), tol, P, M);
    for (int t = 0; t < nt; t++) {
        dv_sample_params p;
        dv_sample_params_default(&p);
        p.n_samples = M;
        p.n_threads = threads[t];
        p.learner.tol = tol;
        char dir[] = "/tmp/dval_bench_XXXXXX";
        if (!mkdtemp(dir))
            return 1;
        double t0 = dv_clock_seconds();
        if (dv_run_create(dir, tr, va, pts, P, &p, NULL, &err))
            die(&err);
        /* Time the set-up alone on a run of one sample (its own directory). */
        char dir1[] = "/tmp/dval_bench_XXXXXX";
        if (!mkdtemp(dir1))
            return 1;
        dv_sample_params p1 = p;
        p1.n_samples = 1;
        int64_t one = 0;
        p1.batch = 1;
        double s0 = dv_clock_seconds();
        if (dv_run_create(dir1, tr, va, &one, 1, &p1, NULL, &err) ||
            dv_run_execute(dir1, tr, va, &one, 1, &p1, &err))
            die(&err);
        double setup = dv_clock_seconds() - s0;
        t0 = dv_clock_seconds();
        if (dv_run_execute(dir, tr, va, pts, P, &p, &err))
            die(&err);
        double el = dv_clock_seconds() - t0;
        printf("threads=%d  wall %.2f s (set-up about %.2f s)  %.0f samples/s overall, %.0f "
               "samples/s excluding set-up\n",
               threads[t], el, setup, (double)(P * M) / el, (double)(P * M) / (el - setup));
        fflush(stdout);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s %s", dir, dir1);
        if (system(cmd) != 0)
            return 1;
    }
    free(pts);
    dv_dataset_free(all);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    return 0;
}
