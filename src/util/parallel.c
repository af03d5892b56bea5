/*
 * parallel.c -- the one worker loop of the library: independent work items
 * on OpenMP threads with dynamic scheduling, per-thread (or per-item)
 * scratch state, BLAS serial inside each item, and the first failure
 * reported.  Results must be written by item index, so they do not depend
 * on the thread count.
 */
#include "internal.h"

#include <cblas.h>
#include <omp.h>
#include <stdatomic.h>
#include <time.h>

/* dv_interrupt's request: a lock-free atomic, so a signal handler may set it */
static atomic_int stop_requested;

void dv_interrupt(void)
{
    atomic_store_explicit(&stop_requested, 1, memory_order_relaxed);
}

void dv_interrupt_clear(void)
{
    atomic_store_explicit(&stop_requested, 0, memory_order_relaxed);
}

int dv_interrupted(void)
{
    return atomic_load_explicit(&stop_requested, memory_order_relaxed);
}

int dv__check_interrupt(dv_error *err)
{
    return dv_interrupted() ? dv__err(err, DV_EINTR, "interrupted") : DV_OK;
}

/* Restores BLAS threading and reports the first failure, if any. */
static int finish(int blas_threads, int failed, const dv_error *first, dv_error *err)
{
    openblas_set_num_threads(blas_threads);
    if (!failed)
        return DV_OK;
    if (err)
        *err = *first;
    return first->code ? first->code : DV_EINVAL;
}

int dv__for_items(size_t lo, size_t hi, int n_threads, dv__item_fn fn, void *ctx,
                  void *(*state_new)(void *ctx), void (*state_free)(void *state), int per_item,
                  dv_error *err)
{
    /* Read the OpenMP default before OpenBLAS (openmp flavour) changes it;
     * concurrent BLAS calls run serially, else OpenBLAS serializes them. */
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    volatile int failed = 0;
    dv_error first = {0};
    long long a = (long long)lo, b = (long long)hi;
#pragma omp parallel num_threads(nth)
    {
        void *state = NULL;
        int ok = 1;
        if (state_new && !per_item)
            ok = (state = state_new(ctx)) != NULL;
#pragma omp for schedule(dynamic, 1)
        for (long long t = a; t < b; t++) {
            if (failed)
                continue;
            dv_error e = {0};
            int rc;
            if ((rc = dv__check_interrupt(&e)))
                goto report;
            if (state_new && per_item)
                ok = (state = state_new(ctx)) != NULL;
            rc = ok ? fn(ctx, state, (size_t)t, &e)
                    : dv__err(&e, DV_ENOMEM, "out of memory for a worker's scratch space");
            if (state_new && per_item && state) {
                state_free(state);
                state = NULL;
            }
            if (rc && !e.msg[0])
                dv__err(&e, rc, "step %lld of the computation failed: %s", t, dv_strerror(rc));
        report:
            if (rc) {
#pragma omp critical(dv_for_items_err)
                {
                    if (!failed)
                        first = e;
                    failed = 1;
                }
            }
        }
        if (state && state_free)
            state_free(state);
    }
    return finish(blas_threads, failed, &first, err);
}

int dv__for_items_ordered(size_t lo, size_t hi, size_t window, int n_threads, dv__item_fn fn,
                          int (*commit)(void *ctx, size_t item), void *ctx,
                          void *(*state_new)(void *ctx), void (*state_free)(void *state),
                          dv_error *err)
{
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    unsigned char *done = dv__calloc(window ? window : 1, 1);
    if (!done)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    size_t next = lo, committed = lo;
    int stop = 0, failed = 0;
    dv_error first = {0};
#pragma omp parallel num_threads(nth)
    for (;;) {
        size_t t = 0;
        int quit = 0, wait = 0;
#pragma omp critical(dv_ordered)
        {
            if (!failed && dv__check_interrupt(&first))
                failed = 1;
            if (stop || failed || next >= hi)
                quit = 1;
            else if (next - committed >= window)
                wait = 1; /* a straggler holds the oldest slot */
            else
                t = next++;
        }
        if (quit)
            break;
        if (wait) {
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
            continue;
        }
        dv_error e = {0};
        void *state = state_new ? state_new(ctx) : NULL;
        int rc = state_new && !state
                     ? dv__err(&e, DV_ENOMEM, "out of memory for a worker's scratch space")
                     : fn(ctx, state, t, &e);
        if (state && state_free)
            state_free(state);
        if (rc && !e.msg[0])
            dv__err(&e, rc, "step %zu of the computation failed: %s", t, dv_strerror(rc));
#pragma omp critical(dv_ordered)
        {
            if (rc) {
                if (!failed)
                    first = e;
                failed = 1;
            } else {
                done[t % window] = 1;
                while (!stop && !failed && committed < next && done[committed % window]) {
                    done[committed % window] = 0;
                    stop = commit(ctx, committed) != 0;
                    committed++;
                }
            }
        }
    }
    dv__free(done);
    return finish(blas_threads, failed, &first, err);
}
