/*
 * plotcsv.c -- writer of a figure's --data CSV (see plotcsv.h).
 */
#define _GNU_SOURCE
#include "plot/plotcsv.h"
#include "plot/fig.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

int dv__plotcsv_open(dv__plotcsv *c, const char *path, const char *header, dv_error *err)
{
    memset(c, 0, sizeof *c);
    if (!path)
        return DV_OK;
    c->path = path;
    if (snprintf(c->tmp, sizeof c->tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof c->tmp)
        return dv__err(err, DV_EINVAL, "%s: path too long", path);
    c->f = fopen(c->tmp, "w");
    if (!c->f)
        return dv__err(err, DV_EIO, "%s: cannot create: %s", path, strerror(errno));
    fprintf(c->f, "%s\n", header);
    return DV_OK;
}

void dv__plotcsv_row(dv__plotcsv *c, const char *fmt, ...)
{
    if (!c->f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->f, fmt, ap);
    va_end(ap);
    fputc('\n', c->f);
}

int dv__plotcsv_close(dv__plotcsv *c, int ok, dv_error *err)
{
    if (!c->f)
        return DV_OK;
    int bad = ferror(c->f) != 0;
    bad |= fclose(c->f) != 0;
    c->f = NULL;
    if (!ok || bad) {
        remove(c->tmp);
        return ok ? dv__err(err, DV_EIO, "%s: write failed", c->path) : DV_OK;
    }
    if (dv_file_replace(c->tmp, c->path) != 0) {
        int e = errno;
        remove(c->tmp);
        return dv__err(err, DV_EIO, "%s: cannot rename into place: %s", c->path, strerror(e));
    }
    return DV_OK;
}

/* Checks opts and resolves the size (points) and dpi. */
int dv__plot_setup(const dv_plot_opts *opts, double def_w_in, double def_h_in, double *w_pt,
                   double *h_pt, double *dpi, dv_error *err)
{
    double w = def_w_in, h = def_h_in, d = 200;
    if (opts) {
        if (!isfinite(opts->width) || opts->width < 0)
            return dv__err(err, DV_EINVAL, "opts->width: %g inches is not a size (0 = default)",
                           opts->width);
        if (!isfinite(opts->height) || opts->height < 0)
            return dv__err(err, DV_EINVAL, "opts->height: %g inches is not a size (0 = default)",
                           opts->height);
        if (!isfinite(opts->dpi) || opts->dpi < 0)
            return dv__err(err, DV_EINVAL, "opts->dpi: %g is not a resolution (0 = 200)",
                           opts->dpi);
        if (opts->width > 0)
            w = opts->width;
        if (opts->height > 0)
            h = opts->height;
        if (opts->dpi > 0)
            d = opts->dpi;
    }
    *w_pt = w * 72.0;
    *h_pt = h * 72.0;
    *dpi = d;
    return DV_OK;
}

const char *dv__plot_title(const dv_plot_opts *opts, const char *def)
{
    if (opts && opts->title)
        return opts->title[0] ? opts->title : NULL;
    return def;
}

int dv__plot_open(double w_pt, double h_pt, int rows, int cols, const char *data_path,
                  const char *header, struct dv__fig **f, dv__plotcsv *csv, dv_error *err)
{
    memset(csv, 0, sizeof *csv);
    *f = dv__fig_new(w_pt, h_pt, rows, cols);
    if (!*f)
        return dv__err(err, DV_ENOMEM, "out of memory for a %d x %d figure", rows, cols);
    int rc = dv__plotcsv_open(csv, data_path, header, err);
    if (rc) {
        dv__fig_free(*f);
        *f = NULL;
    }
    return rc;
}

int dv__plot_finish(struct dv__fig *f, const char *path, double dpi, dv__plotcsv *csv,
                    dv_error *err)
{
    int rc = dv__fig_save(f, path, dpi, err);
    dv__fig_free(f);
    int rc2 = dv__plotcsv_close(csv, rc == DV_OK, err);
    return rc != DV_OK ? rc : rc2;
}

