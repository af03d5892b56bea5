/*
 * parallel.c -- the worker loop shared by the sampler and the learning-curve
 * sampler: independent work items on OpenMP threads, one scratch space per
 * thread, BLAS serial inside each item, stop at the first failure.
 */
#include "sampler.h"

#include <cblas.h>
#include <omp.h>

int dv__parallel(const dv__sctx *cx, int n_threads, size_t n, dv__work_fn fn, void *user,
                 dv_error *err)
{
    /* Read the OpenMP default before OpenBLAS (openmp flavour) changes it. */
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    volatile int failed = 0;
    dv_error first = {0};
#pragma omp parallel num_threads(nth)
    {
        dv__ws w;
        int wrc = dv__ws_init(&w, cx);
        if (wrc) {
#pragma omp critical(dv_parallel_err)
            {
                if (!failed)
                    dv__err(&first, DV_ENOMEM, "out of memory for a worker's scratch space");
                failed = 1;
            }
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t q = 0; q < n; q++) {
            if (failed || wrc)
                continue;
            dv_error e = {0};
            if (fn(cx, &w, q, user, &e)) {
#pragma omp critical(dv_parallel_err)
                {
                    if (!failed)
                        first = e;
                    failed = 1;
                }
            }
        }
        dv__ws_free(&w);
    }
    openblas_set_num_threads(blas_threads);
    if (!failed)
        return DV_OK;
    if (err)
        *err = first;
    return first.code ? first.code : DV_EINVAL;
}
