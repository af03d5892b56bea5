/*
 * bench_dist.c -- the cost of handing work items over MPI processes
 * (dv__job_run over libdval_mpi): items that take a fixed time (a busy
 * wait of WORK_US microseconds) and return RESULT_BYTES each to process 0,
 * as dval sample's items do (12 bytes per point of a batch).  Prints the
 * items per second and the time per item beyond the work, from which the
 * coordinator's limit follows: with WORK_US = 0 the items are pure
 * messages.
 *
 * With root_work_us, process 0's own items take that long instead, so that
 * the others compute nearly all items and process 0's processor time per
 * item is the coordinator's cost (it is printed).
 *
 * Usage: mpirun -n R bench_dist [items] [work_us] [result_bytes] [threads] [root_work_us]
 */
#include "internal.h"
#include "dval_mpi.h"
#include "../bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

typedef struct {
    double work_s;
    size_t own;           /* items computed here */
    size_t bytes;
    unsigned char *slots; /* per thread on the others, per item on process 0 */
    int rank;
    size_t done;
} bench_ctx;

static int item(void *vctx, void *state, size_t it, dv_error *err)
{
    (void)state;
    (void)err;
    bench_ctx *c = vctx;
#pragma omp atomic
    c->own++;
    double t0 = clock_s(CLOCK_MONOTONIC);
    while (clock_s(CLOCK_MONOTONIC) - t0 < c->work_s) {
    }
    unsigned char *out = c->slots + (size_t)omp_get_thread_num() * c->bytes;
    for (size_t i = 0; i < c->bytes; i++)
        out[i] = (unsigned char)(it + i);
    return DV_OK;
}

static size_t spans(void *vctx, size_t it, dv__span *sp)
{
    (void)it;
    bench_ctx *c = vctx;
    sp[0] = (dv__span){c->slots + (size_t)omp_get_thread_num() * c->bytes, c->bytes, 1, 1};
    return 1;
}

static int commit(void *vctx, size_t it)
{
    (void)it;
    ((bench_ctx *)vctx)->done++;
    return 0;
}

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    size_t items = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000;
    double work_us = argc > 2 ? atof(argv[2]) : 0;
    size_t bytes = argc > 3 ? strtoull(argv[3], NULL, 10) : 1536;
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    double root_us = argc > 5 ? atof(argv[5]) : work_us;
    dv_comm comm;
    dv_comm_mpi_init(&comm, MPI_COMM_WORLD);
    bench_ctx c = {(comm.rank == 0 ? root_us : work_us) * 1e-6, 0, bytes, calloc((size_t)(threads + 1), bytes ? bytes : 1),
                   comm.rank, 0};
    dv__job j = {&comm, 0, items, NULL, 0, 0, threads, item, spans, commit, &c, NULL, NULL, 0};
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    dv_error err = {0};
    int rc = dv__job_run(&j, &err);
    double wall = clock_s(CLOCK_MONOTONIC) - t0;
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    if (rc)
        fprintf(stderr, "process %d: %s\n", comm.rank, err.msg);
    if (comm.rank == 0) {
        double workers = (double)comm.size * threads;
        printf("processes %d x threads %d, %zu items of %.0f us returning %zu bytes: %.3f s, "
               "%.0f items/s, %.1f us per item beyond the work (per thread), committed %zu\n",
               comm.size, threads, items, work_us, bytes, wall, (double)items / wall,
               (wall * workers / (double)items - work_us * 1e-6) * 1e6, c.done);
        printf("process 0 computed %zu items itself; its processor time %.3f s, less its own "
               "work: %.2f us per item received\n",
               c.own, cpu, (cpu - (double)c.own * c.work_s) / (double)(items - c.own) * 1e6);
    }
    free(c.slots);
    dv_comm_mpi_finish(&comm);
    MPI_Finalize();
    return rc ? 1 : 0;
}
