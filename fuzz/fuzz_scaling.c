/*
 * fuzz_scaling.c -- the scaling.csv reader (dv_scaling_read) on any bytes,
 * for the point ids 0..5 and for the ids 3, 7, 11.  Laws that read must be
 * usable: finite c, alpha, sigma and beta, a known status, and writing them
 * back and reading again gives the same laws.
 */
#include "fuzz.h"

#include <math.h>

static void read_for(const char *path, const char *back, size_t n, const int64_t *points)
{
    dv_law laws[6], again[6];
    dv_error err = {0};
    if (dv_scaling_read(path, n, points, laws, &err)) {
        fz_check(err.code != 0 && err.msg[0]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fz_check(isfinite(laws[i].c) && isfinite(laws[i].alpha) && isfinite(laws[i].sigma) &&
                 isfinite(laws[i].beta));
        fz_check(dv_law_status_name(laws[i].status) != NULL);
    }
    fz_check(!dv_scaling_write(back, n, points, NULL, laws, &err));
    fz_check(!dv_scaling_read(back, n, points, again, &err));
    for (size_t i = 0; i < n; i++)
        fz_check(again[i].c == laws[i].c && again[i].alpha == laws[i].alpha &&
                 again[i].sigma == laws[i].sigma && again[i].beta == laws[i].beta &&
                 again[i].status == laws[i].status && again[i].n_samples == laws[i].n_samples);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[4200], back[4200];
    fz_input(path, back, "scaling.csv", "back.csv", data, size);
    static const int64_t ids[3] = {3, 7, 11};
    read_for(path, back, 6, NULL);
    read_for(path, back, 3, ids);
    return 0;
}
