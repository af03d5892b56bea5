/*
 * plotcsv.c -- writer of a figure's --data CSV (see plotcsv.h).
 */
#define _GNU_SOURCE
#include "plotcsv.h"
#include "internal.h"

#include <errno.h>
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
    if (rename(c->tmp, c->path) != 0) {
        int e = errno;
        remove(c->tmp);
        return dv__err(err, DV_EIO, "%s: cannot rename into place: %s", c->path, strerror(e));
    }
    return DV_OK;
}
