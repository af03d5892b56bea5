/*
 * clock.c -- the library's one clock: monotonic seconds, for time budgets
 * and the seconds reported in results.
 */
#include "internal.h"

#include <time.h>

double dv_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
