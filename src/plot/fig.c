/*
 * fig.c -- the figure engine.  Panels record series into display lists;
 * dv__fig_save chooses limits and ticks, lays the figure out from measured
 * text, and draws it once with cairo to PNG, SVG or PDF.
 */
#include "plot/figimpl.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- building ---- */

static char *dup_str(dv__fig *f, const char *s)
{
    if (!s)
        return NULL;
    char *p = dv__strdup(s);
    if (!p)
        f->nomem = 1;
    return p;
}

static void set_str(dv__fig *f, char **dst, const char *s)
{
    char *p = dup_str(f, s);
    dv__free(*dst);
    *dst = p;
}

static double *dup_arr(dv__fig *f, const double *v, size_t n)
{
    if (!v || !n)
        return NULL;
    double *p = n <= SIZE_MAX / sizeof *p ? dv__malloc(n * sizeof *p) : NULL;
    if (!p) {
        f->nomem = 1;
        return NULL;
    }
    memcpy(p, v, n * sizeof *p);
    return p;
}

dv__fig *dv__fig_new(double width_pt, double height_pt, int rows, int cols)
{
    if (!(width_pt > 0) || !(height_pt > 0) || width_pt > 1e5 || height_pt > 1e5 || rows < 1 ||
        cols < 1 || rows > 64 || cols > 64)
        return NULL;
    dv__fig *f = dv__calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->axes = dv__calloc((size_t)rows * (size_t)cols, sizeof *f->axes);
    if (!f->axes) {
        dv__free(f);
        return NULL;
    }
    f->w = width_pt;
    f->h = height_pt;
    f->rows = rows;
    f->cols = cols;
    for (int i = 0; i < rows * cols; i++) {
        f->axes[i].fig = f;
        f->axes[i].legend = DV__LEGEND_BEST;
    }
    return f;
}

static void series_free(series *s)
{
    dv__free(s->x);
    dv__free(s->y);
    dv__free(s->e);
    dv__free(s->label);
}

void dv__fig_free(dv__fig *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->rows * f->cols; i++) {
        dv__axes *a = &f->axes[i];
        for (size_t j = 0; j < a->ns; j++)
            series_free(&a->s[j]);
        dv__free(a->s);
        for (size_t j = 0; j < a->ncats; j++)
            dv__free(a->cats[j]);
        dv__free(a->cats);
        dv__free(a->title);
        dv__free(a->xlabel);
        dv__free(a->ylabel);
        dv__free(a->note);
    }
    dv__free(f->axes);
    dv__free(f->title);
    dv__free(f);
}

void dv__fig_title(dv__fig *f, const char *title)
{
    if (f)
        set_str(f, &f->title, title);
}

dv__axes *dv__fig_axes(dv__fig *f, int row, int col)
{
    if (!f || row < 0 || col < 0 || row >= f->rows || col >= f->cols)
        return NULL;
    return &f->axes[row * f->cols + col];
}

void dv__ax_title(dv__axes *a, const char *t)
{
    if (a)
        set_str(a->fig, &a->title, t);
}

void dv__ax_xlabel(dv__axes *a, const char *t)
{
    if (a)
        set_str(a->fig, &a->xlabel, t);
}

void dv__ax_ylabel(dv__axes *a, const char *t)
{
    if (a)
        set_str(a->fig, &a->ylabel, t);
}

void dv__ax_off(dv__axes *a)
{
    if (a)
        a->off = 1;
}

void dv__ax_note(dv__axes *a, const char *t)
{
    if (a)
        set_str(a->fig, &a->note, t);
}

void dv__ax_xlog(dv__axes *a, int on)
{
    if (a)
        a->ax[0].log = on != 0;
}

void dv__ax_ylog(dv__axes *a, int on)
{
    if (a)
        a->ax[1].log = on != 0;
}

static void set_lim(axis *x, double lo, double hi)
{
    x->fixed = isfinite(lo) && isfinite(hi) && lo < hi;
    x->flo = lo;
    x->fhi = hi;
}

void dv__ax_xlim(dv__axes *a, double lo, double hi)
{
    if (a)
        set_lim(&a->ax[0], lo, hi);
}

void dv__ax_ylim(dv__axes *a, double lo, double hi)
{
    if (a)
        set_lim(&a->ax[1], lo, hi);
}

void dv__ax_legend(dv__axes *a, dv__legend_pos pos)
{
    if (a)
        a->legend = pos;
}

void dv__ax_xcategories(dv__axes *a, const char *const *names, size_t n)
{
    if (!a)
        return;
    for (size_t j = 0; j < a->ncats; j++)
        dv__free(a->cats[j]);
    dv__free(a->cats);
    a->cats = NULL;
    a->ncats = 0;
    a->ax[0].cat = 0;
    if (!names || !n)
        return;
    a->cats = dv__calloc(n, sizeof *a->cats);
    if (!a->cats) {
        a->fig->nomem = 1;
        return;
    }
    a->ncats = n;
    a->ax[0].cat = 1;
    for (size_t j = 0; j < n; j++)
        a->cats[j] = dup_str(a->fig, names[j] ? names[j] : "");
}

/* A new series at the end of a's list (NULL when out of memory). */
static series *add(dv__axes *a, int kind, dv__rgb color, const char *label)
{
    if (a->ns == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 4;
        series *s = dv__realloc(a->s, cap * sizeof *s);
        if (!s) {
            a->fig->nomem = 1;
            return NULL;
        }
        a->s = s;
        a->cap = cap;
    }
    series *s = &a->s[a->ns++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->color = color;
    s->alpha = 1;
    s->label = dup_str(a->fig, label);
    return s;
}

/* Copies the arrays of s (n values each; x gets nx); on failure s keeps none. */
static void copy_arrays(dv__axes *a, series *s, size_t n, size_t nx, const double *x,
                        const double *y, const double *e)
{
    s->x = dup_arr(a->fig, x, nx);
    s->y = dup_arr(a->fig, y, n);
    s->e = dup_arr(a->fig, e, n);
    if ((x && nx && !s->x) || (y && n && !s->y) || (e && n && !s->e)) {
        dv__free(s->x);
        dv__free(s->y);
        dv__free(s->e);
        s->x = s->y = s->e = NULL;
        n = 0;
    }
    s->n = n;
}

void dv__ax_line(dv__axes *a, const double *x, const double *y, size_t n, dv__rgb color,
                 double width_pt, dv__dash dash, const char *label)
{
    series *s = a ? add(a, S_LINE, color, label) : NULL;
    if (!s)
        return;
    s->width = width_pt > 0 ? width_pt : 1.2;
    s->dash = dash;
    if (x && y)
        copy_arrays(a, s, n, n, x, y, NULL);
}

void dv__ax_scatter(dv__axes *a, const double *x, const double *y, size_t n, dv__rgb color,
                    dv__marker marker, double size_pt, double alpha, const char *label)
{
    series *s = a ? add(a, S_SCATTER, color, label) : NULL;
    if (!s)
        return;
    s->marker = marker;
    s->size = size_pt > 0 ? size_pt : 3.5;
    s->alpha = alpha > 0 && alpha <= 1 ? alpha : 1;
    if (x && y)
        copy_arrays(a, s, n, n, x, y, NULL);
}

void dv__ax_errorbar(dv__axes *a, const double *x, const double *y, const double *err, size_t n,
                     dv__rgb color, dv__marker marker, const char *label)
{
    series *s = a ? add(a, S_ERRORBAR, color, label) : NULL;
    if (!s)
        return;
    s->marker = marker;
    s->size = 3.5;
    if (x && y)
        copy_arrays(a, s, n, n, x, y, err);
}

void dv__ax_band(dv__axes *a, const double *x, const double *lo, const double *hi, size_t n,
                 dv__rgb color, double alpha, const char *label)
{
    series *s = a ? add(a, S_BAND, color, label) : NULL;
    if (!s)
        return;
    s->alpha = alpha > 0 && alpha <= 1 ? alpha : 0.25;
    if (x && lo && hi)
        copy_arrays(a, s, n, n, x, lo, hi);
}

void dv__ax_hist(dv__axes *a, const double *edges, const double *counts, size_t n_bins,
                 dv__rgb color, const char *label)
{
    series *s = a ? add(a, S_HIST, color, label) : NULL;
    if (!s)
        return;
    if (edges && counts && n_bins)
        copy_arrays(a, s, n_bins, n_bins + 1, edges, counts, NULL);
}

void dv__ax_bars(dv__axes *a, const double *x, const double *h, const double *err, size_t n,
                 double width, dv__rgb color, const char *label)
{
    series *s = a ? add(a, S_BARS, color, label) : NULL;
    if (!s)
        return;
    s->size = width > 0 && isfinite(width) ? width : 0.8;
    if (x && h)
        copy_arrays(a, s, n, n, x, h, err);
}

static void ref_line(dv__axes *a, int kind, double v, dv__rgb color, dv__dash dash,
                     const char *label)
{
    series *s = a ? add(a, kind, color, label) : NULL;
    if (!s)
        return;
    s->width = 1.0;
    s->dash = dash;
    copy_arrays(a, s, 1, 1, &v, NULL, NULL);
}

void dv__ax_hline(dv__axes *a, double y, dv__rgb color, dv__dash dash, const char *label)
{
    ref_line(a, S_HLINE, y, color, dash, label);
}

void dv__ax_vline(dv__axes *a, double x, dv__rgb color, dv__dash dash, const char *label)
{
    ref_line(a, S_VLINE, x, color, dash, label);
}

void dv__ax_image(dv__axes *a, const double *z, size_t nx, size_t ny, double x0, double x1,
                  double y0, double y1, dv__cmap map, double vmin, double vmax,
                  const char *cbar_label)
{
    dv__rgb black = {0, 0, 0};
    series *s = a ? add(a, S_IMAGE, black, cbar_label) : NULL;
    if (!s)
        return;
    s->cmap = map;
    s->x0 = x0;
    s->x1 = x1;
    s->y0 = y0;
    s->y1 = y1;
    if (z && nx && ny && nx <= MAX_IMAGE && ny <= MAX_IMAGE && isfinite(x0) && isfinite(x1) &&
        isfinite(y0) && isfinite(y1))
        copy_arrays(a, s, nx * ny, 0, NULL, z, NULL);
    s->ny = s->n ? ny : 0;
    s->n = s->n ? nx : 0;
    if (!(isfinite(vmin) && isfinite(vmax) && vmin != vmax)) {
        vmin = INFINITY;
        vmax = -INFINITY;
        for (size_t i = 0; i < s->n * s->ny; i++)
            if (isfinite(s->y[i])) {
                vmin = fmin(vmin, s->y[i]);
                vmax = fmax(vmax, s->y[i]);
            }
        if (vmin > vmax)
            vmin = 0, vmax = 1;
        if (vmin == vmax)
            vmin -= 0.5, vmax += 0.5;
    }
    s->vmin = vmin;
    s->vmax = vmax;
}

/* ---- a panel's place ---- */

int dv__fig_panel_rect(dv__fig *f, int row, int col, double dpi, double rect[4])
{
    dv__axes *a = dv__fig_axes(f, row, col);
    if (!a)
        return -1;
    if (!(dpi > 0) || !isfinite(dpi))
        dpi = 200;
    cairo_surface_t *sf;
    cairo_t *cr = dv__fig_measure_context(&sf);
    dv__fig_layout(f, cr);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    double k = dpi / 72;
    rect[0] = a->px * k;
    rect[1] = a->py * k;
    rect[2] = a->pw * k;
    rect[3] = a->ph * k;
    return 0;
}

int dv__fig_panel_limits(dv__fig *f, int row, int col, double lim[4])
{
    double rect[4];
    if (dv__fig_panel_rect(f, row, col, 72, rect))
        return -1;
    const dv__axes *a = dv__fig_axes(f, row, col);
    lim[0] = a->ax[0].lo;
    lim[1] = a->ax[0].hi;
    lim[2] = a->ax[1].lo;
    lim[3] = a->ax[1].hi;
    return 0;
}

/* ---- saving ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int nomem;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    sink *s = closure;
    if (s->n + len > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->n + len)
            cap *= 2;
        unsigned char *p = dv__realloc(s->p, cap);
        if (!p) {
            s->nomem = 1;
            return CAIRO_STATUS_NO_MEMORY;
        }
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->n, data, len);
    s->n += len;
    return CAIRO_STATUS_SUCCESS;
}

/* cairo numbers the SVG's images and surfaces by counters shared by the
 * whole process; renumber them from 1 in order of appearance so that the
 * same figure gives the same bytes. */
static int svg_renumber(sink *s)
{
    static const char *const keys[] = {"image", "surface", "source-", "pattern", "mask",
                                       "clip", "glyph"};
    sink out = {0};
    unsigned long map_from[4096], map_to[4096];
    size_t nmap[DV__COUNT(keys)] = {0}, base[DV__COUNT(keys)];
    for (size_t k = 0; k < DV__COUNT(keys); k++)
        base[k] = k * (DV__COUNT(map_from) / DV__COUNT(keys));
    size_t per = DV__COUNT(map_from) / DV__COUNT(keys);
    size_t i = 0;
    while (i < s->n) {
        /* ids appear as id="KEYn", href="#KEYn" and url(#KEYn) */
        size_t k = DV__COUNT(keys);
        int after = i > 0 && (s->p[i - 1] == '"' || s->p[i - 1] == '#');
        if (after)
            for (k = 0; k < DV__COUNT(keys); k++) {
                size_t l = strlen(keys[k]);
                if (i + l < s->n && memcmp(s->p + i, keys[k], l) == 0 &&
                    s->p[i + l] >= '0' && s->p[i + l] <= '9')
                    break;
            }
        if (k == DV__COUNT(keys) || k == DV__COUNT(keys) - 1) {
            /* glyph ids are per document already */
            if (sink_write(&out, s->p + i, 1))
                break;
            i++;
            continue;
        }
        size_t l = strlen(keys[k]), j = i + l;
        unsigned long v = 0;
        while (j < s->n && s->p[j] >= '0' && s->p[j] <= '9')
            v = v * 10 + (unsigned long)(s->p[j++] - '0');
        size_t m = 0;
        while (m < nmap[k] && map_from[base[k] + m] != v)
            m++;
        if (m == nmap[k] && m < per) {
            map_from[base[k] + m] = v;
            map_to[base[k] + m] = m + 1;
            nmap[k]++;
        }
        char b[64];
        /* past the table (hundreds of images), keep the id clear of the new ones */
        int bl = snprintf(b, sizeof b, "%s%lu", keys[k],
                          m < per ? map_to[base[k] + m] : v + 1000000);
        if (sink_write(&out, (const unsigned char *)b, (unsigned)bl))
            break;
        i = j;
    }
    if (out.nomem) {
        dv__free(out.p);
        return -1;
    }
    dv__free(s->p);
    *s = out;
    return 0;
}

int dv__fig_save(dv__fig *f, const char *path, double dpi, dv_error *err)
{
    if (!path)
        return dv__err(err, DV_EINVAL, "figure: no path");
    if (!f)
        return dv__err(err, DV_EINVAL, "%s: no figure", path);
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (dot && slash && dot < slash)
        dot = NULL;
    int fmt = !dot ? -1 : !strcasecmp(dot, ".png") ? 0 : !strcasecmp(dot, ".svg") ? 1
                                                       : !strcasecmp(dot, ".pdf") ? 2 : -1;
    if (fmt < 0)
        return dv__err(err, DV_EINVAL, "%s: unknown figure format (use .png, .svg or .pdf)", path);
    if (f->nomem)
        return dv__err(err, DV_ENOMEM, "%s: out of memory while building the figure", path);
    if (dpi == 0)
        dpi = 200;
    if (!(dpi > 0) || !isfinite(dpi) || dpi > 10000)
        return dv__err(err, DV_EINVAL, "%s: bad dpi %g", path, dpi);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return dv__err(err, DV_EINVAL, "%s: path too long", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return dv__err(err, DV_EIO, "%s: cannot create: %s", path, strerror(errno));

    sink out = {0};
    cairo_surface_t *sf;
    if (fmt == 0) {
        double pw = round(f->w / 72 * dpi), ph = round(f->h / 72 * dpi);
        if (pw < 1)
            pw = 1;
        if (ph < 1)
            ph = 1;
        if (pw > MAX_IMAGE || ph > MAX_IMAGE) {
            fclose(fp);
            remove(tmp);
            return dv__err(err, DV_EINVAL, "%s: %.0f x %.0f pixels is too large", path, pw, ph);
        }
        sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)pw, (int)ph);
    } else if (fmt == 1) {
        sf = cairo_svg_surface_create_for_stream(sink_write, &out, f->w, f->h);
    } else {
        sf = cairo_pdf_surface_create_for_stream(sink_write, &out, f->w, f->h);
    }
    cairo_t *cr = cairo_create(sf);
    if (fmt == 0)
        cairo_scale(cr, dpi / 72, dpi / 72);
    dv__fig_draw(f, cr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (fmt == 0) {
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_write_to_png_stream(sf, sink_write, &out);
    } else {
        cairo_surface_finish(sf);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(sf);
    }
    cairo_surface_destroy(sf);
    if (st == CAIRO_STATUS_SUCCESS && fmt == 1 && svg_renumber(&out))
        st = CAIRO_STATUS_NO_MEMORY;
    int rc = DV_OK;
    if (st != CAIRO_STATUS_SUCCESS || out.nomem) {
        rc = dv__err(err, st == CAIRO_STATUS_NO_MEMORY || out.nomem ? DV_ENOMEM : DV_EIO,
                     "%s: drawing failed: %s", path, cairo_status_to_string(st));
        fclose(fp);
    } else {
        int ok = fwrite(out.p, 1, out.n, fp) == out.n;
        if (fclose(fp) != 0)
            ok = 0;
        if (!ok)
            rc = dv__err(err, DV_EIO, "%s: write failed: %s", path, strerror(errno));
        else if (dv_file_replace(tmp, path) != 0)
            rc = dv__err(err, DV_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
    }
    if (rc != DV_OK)
        remove(tmp);
    dv__free(out.p);
    return rc;
}
