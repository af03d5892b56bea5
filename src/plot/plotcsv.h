/*
 * plotcsv.h -- the --data CSV of a figure (internal): the numbers a figure
 * draws, written to a temporary file and renamed into place only when the
 * figure itself was saved, so a failure leaves both files as they were.
 */
#ifndef DV_PLOT_PLOTCSV_H
#define DV_PLOT_PLOTCSV_H

#include "dval_plot.h"

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

/* Checks opts (NULL: defaults) and resolves the size in points and the dpi
 * (default 200); DV_EINVAL names a negative or non-finite field. */
int dv__plot_setup(const dv_plot_opts *opts, double def_w_in, double def_h_in, double *w_pt,
                   double *h_pt, double *dpi, dv_error *err);
/* The title: opts->title when given ("" = none), else def. */
const char *dv__plot_title(const dv_plot_opts *opts, const char *def);

struct dv__fig;
/* Creates the rows x cols figure of w_pt x h_pt points and opens its data
 * CSV with header; on failure (DV_ENOMEM, DV_EIO) neither is left open. */
int dv__plot_open(double w_pt, double h_pt, int rows, int cols, const char *data_path,
                  const char *header, struct dv__fig **f, dv__plotcsv *csv, dv_error *err);
/* Saves and frees the figure, then puts the data CSV in place only if the
 * figure was saved (else removes it). */
int dv__plot_finish(struct dv__fig *f, const char *path, double dpi, dv__plotcsv *csv,
                    dv_error *err);

#endif
