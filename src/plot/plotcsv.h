/*
 * plotcsv.h -- the --data CSV of a figure (internal): the numbers a figure
 * draws, written to a temporary file and renamed into place only when the
 * figure itself was saved, so a failure leaves both files as they were.
 */
#ifndef DV_PLOT_PLOTCSV_H
#define DV_PLOT_PLOTCSV_H

#include "dval.h"

#include <stdio.h>

typedef struct {
    FILE *f;          /* NULL when no data file was asked for: rows are dropped */
    const char *path;
    char tmp[4200];
} dv__plotcsv;

/* Opens path's temporary twin and writes the header line (path NULL: a no-op
 * writer). */
int dv__plotcsv_open(dv__plotcsv *c, const char *path, const char *header, dv_error *err);
/* One row: printf-style. */
void dv__plotcsv_row(dv__plotcsv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* With ok: flushes and renames into place (DV_EIO on failure); otherwise
 * removes the temporary file.  Returns DV_OK or the error. */
int dv__plotcsv_close(dv__plotcsv *c, int ok, dv_error *err);

/* Inches to points with a default. */
static inline double dv__plot_inches(double v, double dflt)
{
    return 72.0 * (v > 0 ? v : dflt);
}

#endif
