/*
 * base.c -- the private helpers every part of the library uses: error
 * messages, the allocation wrappers, name tables, sorting and ranks.  The
 * plotting library compiles its own copy (its symbols are hidden), as it
 * does of files.c.
 */
#include "internal.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dv__err(dv_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void *dv__malloc(size_t n) { return malloc(n ? n : 1); }
void *dv__calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }
void *dv__realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void dv__free(void *p) { free(p); }

char *dv__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *r = dv__malloc(n);
    if (r)
        memcpy(r, s, n);
    return r;
}

void dv__fmt_double(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%.17g", v);
}

int dv__name_lookup(const dv__name *t, size_t n, const char *name, int *out)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(name, t[i].name) == 0) {
            *out = t[i].value;
            return DV_OK;
        }
    return DV_EINVAL;
}

const char *dv__name_of(const dv__name *t, size_t n, int value)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == value)
            return t[i].name;
    return "unknown";
}

typedef struct {
    double v;
    size_t i;
} dv__vi;

static int dv__vi_ascending(const void *a, const void *b)
{
    const dv__vi *x = a, *y = b;
    if (x->v < y->v)
        return -1;
    if (x->v > y->v)
        return 1;
    return (x->i > y->i) - (x->i < y->i);
}

int dv__argsort(const double *v, size_t n, size_t *order)
{
    dv__vi *a = dv__malloc((n ? n : 1) * sizeof *a);
    if (!a)
        return DV_ENOMEM;
    for (size_t i = 0; i < n; i++)
        a[i] = (dv__vi){v[i], i};
    qsort(a, n, sizeof *a, dv__vi_ascending);
    for (size_t i = 0; i < n; i++)
        order[i] = a[i].i;
    dv__free(a);
    return DV_OK;
}

int dv__ranks(const double *v, size_t n, double *r)
{
    size_t *o = dv__malloc((n ? n : 1) * sizeof *o);
    if (!o || dv__argsort(v, n, o)) {
        dv__free(o);
        return DV_ENOMEM;
    }
    for (size_t s = 0; s < n;) {
        size_t e = s;
        while (e + 1 < n && v[o[e + 1]] == v[o[s]])
            e++;
        for (size_t t = s; t <= e; t++)
            r[o[t]] = (double)(s + e) / 2.0 + 1.0;
        s = e + 1;
    }
    dv__free(o);
    return DV_OK;
}

double dv__pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (!(saa > 0) || !(sbb > 0))
        return NAN;
    double r = sab / sqrt(saa * sbb);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

void dv__json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
