/*
 * bench.h -- what the benchmark programs share: the clocks they read.
 */
#ifndef DV_BENCH_H
#define DV_BENCH_H

#include <time.h>

/* Seconds on clock id: CLOCK_MONOTONIC for wall time,
 * CLOCK_PROCESS_CPUTIME_ID for the process's CPU time. */
static inline double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
