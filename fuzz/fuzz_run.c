/*
 * fuzz_run.c -- opening a run directory (dv_run_open, then dv_run_laws)
 * when one of its files is any bytes: run.json (fuzz_run_json) or
 * points.csv (fuzz_run_points, compiled with FZ_POINTS).  The other files
 * are those of a small finished run (fuzz/run/).  A run that opens must be
 * consistent: point ids inside the training split, every cardinality
 * inside [min_card, max_card] (or one of the grid's), a label per point.
 */
#include "fuzz.h"

#include <math.h>

#ifdef FZ_POINTS
#define FZ_FILE "points.csv"
#else
#define FZ_FILE "run.json"
#endif

static const char *const files[] = {"run.json", "points.csv", "points.npy", "deltas.npy",
                                    "cards.npy", "scaling.csv"};

static void check(const dv_run *r)
{
    const dv_run_info *in = dv_run_get_info(r);
    const int64_t *pt = dv_run_points(r);
    const int32_t *k = dv_run_cards(r);
    fz_check(in->n_points > 0 && in->n_points <= in->n_train);
    fz_check(in->min_card >= 1 && in->min_card <= in->max_card);
    for (size_t i = 0; i < in->n_points; i++) {
        fz_check(pt[i] >= 0 && (size_t)pt[i] < in->n_train);
        fz_check(dv_run_label(r, i) != NULL);
        for (size_t s = 0; s < in->n_samples; s++) {
            int32_t c = k[i * in->n_samples + s];
            fz_check(c >= in->min_card && c <= in->max_card);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[4200];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s", fz_dir());
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            char src[4200], dst[4200];
            snprintf(src, sizeof src, "%s/%s", DV_FUZZ_RUN, files[i]);
            fz_path(dst, sizeof dst, files[i]);
            fz_copy(src, dst);
        }
    }
    char path[4200];
    fz_path(path, sizeof path, FZ_FILE);
    fz_write(path, data, size);
    dv_run *r = NULL;
    dv_error err = {0};
    if (dv_run_open(&r, dir, &err)) {
        fz_check(r == NULL && err.code != 0 && err.msg[0]);
        return 0;
    }
    check(r);
    const dv_run_info *in = dv_run_get_info(r);
    dv_law *laws = malloc(in->n_points * sizeof *laws);
    fz_check(laws != NULL);
    if (!dv_run_laws(r, 1, laws, &err))
        for (size_t i = 0; i < in->n_points; i++)
            fz_check(isfinite(laws[i].c) && isfinite(laws[i].alpha));
    free(laws);
    dv_run_free(r);
    return 0;
}
