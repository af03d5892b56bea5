/*
 * fuzz_csv.c -- the CSV reader (dv_dataset_read_csv) on any bytes: plain
 * text, or gzip when the bytes start with gzip's magic.  Compiled with
 * FZ_GZIP (fuzz_csv_gz) the input is the CSV text and is compressed
 * before it is written, so that mutations reach the reader through zlib.
 *
 * A successful read must hold a consistent dataset: classes in range,
 * finite features no larger than the reader's limit, source rows
 * increasing, and a standardization that stays finite.
 */
#include "fuzz.h"

#include <math.h>
#ifdef FZ_GZIP
#include <zlib.h>
#endif

static void check(const dv_dataset *ds)
{
    size_t n = dv_dataset_rows(ds), d = dv_dataset_cols(ds), C = dv_dataset_classes(ds);
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    const int64_t *src = dv_dataset_source_rows(ds);
    fz_check(n > 0 && d > 0);
    fz_check(dv_dataset_task(ds) == DV_TASK_REGRESSION ? C == 0 : C >= 1 && C <= 256);
    for (size_t j = 0; j < d; j++)
        fz_check(dv_dataset_col_name(ds, j) != NULL);
    for (size_t c = 0; c < C; c++)
        fz_check(dv_dataset_class_name(ds, c) != NULL);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            fz_check(isfinite(X[i * d + j]) && fabs(X[i * d + j]) <= 1e150);
        fz_check(isfinite(y[i]));
        if (C)
            fz_check(y[i] >= 0 && y[i] < (double)C && y[i] == floor(y[i]));
        fz_check(i == 0 || src[i] > src[i - 1]);
    }
}

static void read_as(const char *path, dv_task task, int drop_missing)
{
    dv_csv_options o;
    dv_csv_options_default(&o);
    o.task = task;
    o.drop_missing = drop_missing;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    if (dv_dataset_read_csv(&ds, path, &o, &err)) {
        fz_check(ds == NULL && err.code != 0 && err.msg[0]);
        return;
    }
    check(ds);
    dv_dataset_standardize(ds, NULL, NULL);
    const double *X = dv_dataset_features(ds);
    for (size_t i = 0; i < dv_dataset_rows(ds) * dv_dataset_cols(ds); i++)
        fz_check(isfinite(X[i]));
    dv_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[4200];
    if (!path[0])
        fz_path(path, sizeof path, "in.csv");
#ifdef FZ_GZIP
    uLongf len = compressBound(size) + 32;
    uint8_t *gz = malloc(len);
    z_stream z = {0};
    if (!gz || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)size;
    z.next_out = gz;
    z.avail_out = (uInt)len;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    fz_write(path, gz, z.total_out);
    deflateEnd(&z);
    free(gz);
#else
    fz_write(path, data, size);
#endif
    read_as(path, DV_TASK_CLASSIFICATION, 0);
    read_as(path, DV_TASK_REGRESSION, 1);
    return 0;
}
