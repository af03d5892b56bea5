/*
 * fig.c -- the figure engine.  Panels record series into display lists;
 * dv__fig_save chooses limits and ticks, lays the figure out from measured
 * text, and draws it once with cairo to PNG, SVG or PDF.
 */
#include "plot/fig.h"
#include "internal.h"

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

/* ---- the look (points) ---- */
#define FONT "DejaVu Sans"
#define FS_TICK 8.0
#define FS_LABEL 8.5
#define FS_TITLE 9.0
#define FS_FIGTITLE 10.0
#define FS_NOTE 7.5
#define FS_LEGEND 7.5
#define CAP 0.73    /* cap height of the font, per point of size */
#define DESC 0.24   /* descender depth, per point of size */
#define TICK_LEN 3.0
#define MINOR_LEN 1.8
#define TICK_PAD 2.0
#define LABEL_PAD 3.0
#define OUTER_PAD 4.0
#define CBAR_GAP 6.0
#define CBAR_W 8.0
#define LEG_PAD 4.0
#define LEG_SAMPLE 16.0
#define MAX_TICKS 64
#define MAX_IMAGE 32767 /* cairo's largest image side */

enum { S_LINE, S_SCATTER, S_ERRORBAR, S_BAND, S_HIST, S_BARS, S_HLINE, S_VLINE, S_IMAGE };

/* One recorded series.  Arrays by kind: line, scatter: x, y; errorbar: x, y,
 * e (err); band: x, y (lo), e (hi); hist: x (n + 1 edges), y (n counts);
 * bars: x, y (h), e (err); hline, vline: x[0]; image: y (z, n x ny). */
typedef struct {
    int kind;
    size_t n, ny;
    double *x, *y, *e;
    dv__rgb color;
    double width, size, alpha; /* line width; marker size or bar width; alpha */
    int dash, marker, cmap;
    double x0, x1, y0, y1, vmin, vmax;
    char *label; /* legend label; for an image, the colour bar label */
} series;

typedef struct {
    int log, fixed, cat;
    double flo, fhi;             /* fixed limits */
    double lo, hi, step;         /* limits and tick step after autoscaling */
    size_t nt, nminor;
    double tv[MAX_TICKS];        /* major ticks */
    char tl[MAX_TICKS][40];      /* their labels (the exponent when pow) */
    const char *tname[MAX_TICKS];/* category names (cat) */
    int pow;                     /* labels are 10^tl */
    double minor[MAX_TICKS];
} axis;

struct dv__axes {
    dv__fig *fig;
    char *title, *xlabel, *ylabel, *note;
    axis ax[2]; /* x, y */
    axis cb;    /* colour bar */
    int legend;
    char **cats;
    size_t ncats;
    series *s;
    size_t ns, cap;
    const series *img; /* the last image: its colour bar */
    int tx;            /* x tick target */
    int xrot;          /* x tick labels rotated 45 degrees */
    int xevery;        /* label every xevery-th x tick (crowded panels) */
    int off;           /* an unused panel: not drawn */
    double px, py, pw, ph;                     /* plotting rectangle */
    double ml, mr, mt, mb;                     /* margins it wants */
    double leg_w, leg_h, leg_tw;               /* legend box, widest text */
    double ytick_w, xtick_h, cbtick_w, cbar_w; /* measured text */
};

struct dv__fig {
    double w, h;
    int rows, cols;
    dv__axes *axes;
    char *title;
    int nomem;
    double title_h;
};

/* ---- colours ---- */

static dv__rgb hex(unsigned v)
{
    dv__rgb c = {((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0};
    return c;
}

dv__rgb dv__palette(int i)
{
    static const unsigned okabe_ito[8] = {0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2,
                                          0xD55E00, 0xCC79A7, 0xF0E442, 0x000000};
    int k = i % 8;
    return hex(okabe_ito[k < 0 ? k + 8 : k]);
}

dv__rgb dv__cmap_color(dv__cmap map, double t)
{
    static const unsigned viridis[17] = {0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d,
                                         0x2c728e, 0x26828e, 0x21918c, 0x1fa088, 0x28ae80, 0x3fbc73,
                                         0x5ec962, 0x84d44b, 0xaddc30, 0xd8e219, 0xfde725};
    static const unsigned diverging[5] = {0x0072B2, 0x8CBCDB, 0xFFFFFF, 0xEBAA7A, 0xD55E00};
    if (isnan(t)) {
        dv__rgb g = {0.5, 0.5, 0.5};
        return g;
    }
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const unsigned *tab = map == DV__CMAP_DIVERGING ? diverging : viridis;
    int n = map == DV__CMAP_DIVERGING ? 5 : 17;
    double u = t * (n - 1);
    int i = (int)u;
    if (i >= n - 1)
        i = n - 2;
    double f = u - i;
    dv__rgb a = hex(tab[i]), b = hex(tab[i + 1]), c;
    c.r = a.r + f * (b.r - a.r);
    c.g = a.g + f * (b.g - a.g);
    c.b = a.b + f * (b.b - a.b);
    return c;
}

/* ---- ticks ---- */

static const double nice_m[4] = {1, 2, 2.5, 5};

static double step_of(double m, int k) { return k >= 0 ? m * pow(10, k) : m / pow(10, -k); }

/* i * m * 10^k, so that a step of 0.1 gives 0.3, not 0.30000000000000004. */
static double tick_at(double i, double m, int k)
{
    return k >= 0 ? i * m * pow(10, k) : i * m / pow(10, -k);
}

size_t dv__nice_ticks(double lo, double hi, int target, double *ticks, size_t max, double *step)
{
    if (step)
        *step = 0;
    if (!isfinite(lo) || !isfinite(hi) || max < 2 || !isfinite(hi - lo))
        return 0;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    double mag = fmax(fabs(lo), fabs(hi));
    if (hi - lo <= 1e-12 * mag) {
        double v = lo / 2 + hi / 2, d = fmax(0.5, fabs(v) / 10);
        lo = v - d;
        hi = v + d;
    }
    double T = target < 1 ? 1 : target;
    if (T > (double)(max - 1))
        T = (double)(max - 1);
    int k0 = (int)floor(log10((hi - lo) / T)) - 1;
    for (int k = k0; k < k0 + 40; k++) {
        for (int j = 0; j < 4; j++) {
            double s = step_of(nice_m[j], k);
            if (!isfinite(s) || s <= 0)
                return 0;
            double i0 = floor(lo / s), i1 = ceil(hi / s);
            while (tick_at(i0 + 1, nice_m[j], k) <= lo)
                i0++;
            while (tick_at(i0, nice_m[j], k) > lo)
                i0--;
            while (tick_at(i1 - 1, nice_m[j], k) >= hi)
                i1--;
            while (tick_at(i1, nice_m[j], k) < hi)
                i1++;
            if (i1 - i0 > T)
                continue;
            size_t n = (size_t)(i1 - i0) + 1;
            for (size_t i = 0; i < n; i++) {
                double v = tick_at(i0 + (double)i, nice_m[j], k);
                ticks[i] = fabs(v) <= 1e-9 * s ? 0.0 : v;
            }
            if (step)
                *step = s;
            return n;
        }
    }
    return 0;
}

/* The exponent of the last significant digit of a step (0.25 -> -2). */
static int step_digit(double step)
{
    for (int q = 20; q > -30; q--) {
        double u = step / pow(10, q), r = round(u);
        if (r >= 1 && fabs(u - r) <= 1e-6 * u)
            return q;
    }
    return -30;
}

/* Drops trailing zeros after a decimal point, and the point itself. */
static void strip_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot)
        return;
    char *end = s + strlen(s);
    while (end > dot + 1 && end[-1] == '0')
        end--;
    if (end == dot + 1)
        end = dot;
    *end = 0;
}

void dv__tick_label(double v, double step, char *buf, size_t size)
{
    if (!size)
        return;
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    if (!(step > 0) || !isfinite(step)) {
        snprintf(buf, size, "%g", v == 0 ? 0.0 : v);
        return;
    }
    if (fabs(v) <= 1e-9 * step)
        v = 0;
    int q = step_digit(step);
    if (v != 0 && (fabs(v) >= 1e5 || step < 1e-4)) {
        int e = (int)floor(log10(fabs(v)));
        char m[64];
        for (int pass = 0; pass < 2; pass++) {
            int d = e - q < 0 ? 0 : e - q > 15 ? 15 : e - q;
            snprintf(m, sizeof m, "%.*f", d, v / pow(10, e));
            const char *digits = m[0] == '-' ? m + 1 : m;
            if (strncmp(digits, "10", 2) != 0 || (digits[2] != 0 && digits[2] != '.'))
                break;
            e++; /* the mantissa rounded up to 10 */
        }
        strip_zeros(m);
        snprintf(buf, size, "%se%d", m, e);
        return;
    }
    int d = q >= 0 ? 0 : -q > 15 ? 15 : -q;
    char t[400];
    snprintf(t, sizeof t, "%.*f", d, v);
    strip_zeros(t);
    snprintf(buf, size, "%s", strcmp(t, "-0") == 0 ? "0" : t);
}

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

/* ---- limits ---- */

static int valid(const axis *x, double v) { return isfinite(v) && (!x->log || v > 0); }

typedef struct {
    double lo, hi;
} range;

static void grow(range *r, const axis *x, double v)
{
    if (valid(x, v)) {
        r->lo = fmin(r->lo, v);
        r->hi = fmax(r->hi, v);
    }
}

/* The outer edges of an image's cells along one axis. */
static void image_extent(double c0, double c1, size_t n, double *e0, double *e1)
{
    double d = n > 1 ? (c1 - c0) / (double)(n - 1) : (c1 != c0 ? c1 - c0 : 1);
    *e0 = c0 - d / 2;
    *e1 = c1 + d / 2;
    if (n == 1 && c1 != c0) {
        *e0 = c0;
        *e1 = c1;
    }
}

/* The data range of a panel on both axes; tight when it holds an image. */
static void data_range(const dv__axes *a, range r[2], int *tight)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    r[0].lo = r[1].lo = INFINITY;
    r[0].hi = r[1].hi = -INFINITY;
    *tight = 0;
    for (size_t k = 0; k < a->ns; k++) {
        const series *s = &a->s[k];
        for (size_t i = 0; i < s->n && s->kind <= S_BAND; i++) {
            if (!valid(X, s->x[i]))
                continue;
            if (s->kind == S_BAND) {
                if (valid(Y, s->y[i]) || valid(Y, s->e[i]))
                    grow(&r[0], X, s->x[i]);
                grow(&r[1], Y, s->y[i]);
                grow(&r[1], Y, s->e[i]);
                continue;
            }
            if (!valid(Y, s->y[i]))
                continue;
            grow(&r[0], X, s->x[i]);
            grow(&r[1], Y, s->y[i]);
            if (s->kind == S_ERRORBAR && s->e && isfinite(s->e[i])) {
                grow(&r[1], Y, s->y[i] - fabs(s->e[i]));
                grow(&r[1], Y, s->y[i] + fabs(s->e[i]));
            }
        }
        if (s->kind == S_HIST || s->kind == S_BARS) {
            for (size_t i = 0; i < s->n; i++) {
                double l = s->kind == S_HIST ? s->x[i] : s->x[i] - s->size / 2;
                double h = s->kind == S_HIST ? s->x[i + 1] : s->x[i] + s->size / 2;
                if (!isfinite(l) || !isfinite(h) || !isfinite(s->y[i]))
                    continue;
                grow(&r[0], X, l);
                grow(&r[0], X, h);
                grow(&r[1], Y, s->y[i]);
                grow(&r[1], Y, 0);
                if (s->e && isfinite(s->e[i])) {
                    grow(&r[1], Y, s->y[i] - fabs(s->e[i]));
                    grow(&r[1], Y, s->y[i] + fabs(s->e[i]));
                }
            }
        }
        if (s->kind == S_HLINE && s->n)
            grow(&r[1], Y, s->x[0]);
        if (s->kind == S_VLINE && s->n)
            grow(&r[0], X, s->x[0]);
        if (s->kind == S_IMAGE && s->n) {
            double e0, e1;
            image_extent(s->x0, s->x1, s->n, &e0, &e1);
            grow(&r[0], X, e0);
            grow(&r[0], X, e1);
            image_extent(s->y0, s->y1, s->ny, &e0, &e1);
            grow(&r[1], Y, e0);
            grow(&r[1], Y, e1);
            *tight = 1;
        }
    }
}

/* Nice ticks inside [x->lo, x->hi] at the finest step that keeps at most
 * target intervals inside (limits off the ticks, as fixed or tight ones, do
 * not count the ticks outside), labelled. */
static void linear_ticks(axis *x, int target)
{
    double t[MAX_TICKS], step = 0, tol = 1e-9 * (x->hi - x->lo);
    x->nt = 0;
    for (int tt = target; tt <= 2 * target + 2; tt++) {
        double u[MAX_TICKS], s = 0;
        size_t n = dv__nice_ticks(x->lo, x->hi, tt, u, MAX_TICKS, &s), in = 0;
        for (size_t i = 0; i < n; i++)
            if (u[i] >= x->lo - tol && u[i] <= x->hi + tol && (!x->log || u[i] > 0))
                t[in++] = u[i];
        if (tt > target && (in < 2 || (int)in - 1 > target))
            break;
        if (tt == target || s != step) {
            x->nt = in;
            step = s;
            memcpy(x->tv, t, in * sizeof *t);
        }
    }
    x->step = step;
    for (size_t i = 0; i < x->nt; i++)
        dv__tick_label(x->tv[i], step, x->tl[i], sizeof x->tl[0]);
}

/* Ticks of a log axis with fewer than three powers of ten inside: the values m 10^k
 * inside the limits for the densest of the mantissa sets {1}, {1, 2, 5},
 * {1, 2, 3, 5}, {1, ..., 9} that gives at most target + 1 ticks (and at
 * least two when any set does), labelled plainly (50, 100, 200, 500). */
static void short_log_ticks(axis *x, int target)
{
    static const int sets[4][10] = {{1, 0}, {1, 2, 5, 0}, {1, 2, 3, 5, 0},
                                    {1, 2, 3, 4, 5, 6, 7, 8, 9, 0}};
    int k0 = (int)floor(log10(x->lo)) - 1, k1 = (int)ceil(log10(x->hi)) + 1;
    int cap = target < 3 ? 4 : target + 1;
    x->nt = 0;
    for (int s = 0; s < 4; s++) {
        double v[MAX_TICKS];
        size_t n = 0;
        for (int k = k0; k <= k1; k++)
            for (const int *m = sets[s]; *m && n < MAX_TICKS; m++) {
                double t = *m * pow(10, k);
                if (t >= x->lo * (1 - 1e-9) && t <= x->hi * (1 + 1e-9))
                    v[n++] = t;
            }
        if ((int)n > cap && x->nt >= 2)
            break;
        if (n >= x->nt) {
            memcpy(x->tv, v, n * sizeof *v);
            x->nt = n;
        }
        if ((int)n > cap)
            break;
    }
    x->step = 0;
    for (size_t i = 0; i < x->nt; i++)
        snprintf(x->tl[i], sizeof x->tl[0], "%g", x->tv[i]);
}

/* Decade ticks of a log axis (at least three powers of ten inside), else
 * those of short_log_ticks. */
static void log_ticks(axis *x, int target)
{
    double l0 = log10(x->lo), l1 = log10(x->hi);
    int k0 = (int)ceil(l0 - 1e-9), k1 = (int)floor(l1 + 1e-9);
    x->pow = 0;
    x->nminor = 0;
    if (k1 - k0 < 2) {
        short_log_ticks(x, target);
        return;
    }
    int every = 1;
    target = target < 3 ? 6 : 2 * target; /* decade labels are short */
    while ((k1 - k0) / every > target || (k1 - k0) / every + 1 > MAX_TICKS)
        every++;
    x->pow = 1;
    x->nt = 0;
    for (int k = k0; k <= k1; k++) {
        if (((k % every) + every) % every == 0 && x->nt < MAX_TICKS) {
            x->tv[x->nt] = pow(10, k);
            snprintf(x->tl[x->nt], sizeof x->tl[0], "%d", k);
            x->nt++;
        } else if (x->nminor < MAX_TICKS) {
            x->minor[x->nminor++] = pow(10, k);
        }
    }
    if (l1 - l0 <= 5 && every == 1)
        for (int k = (int)floor(l0); k <= k1; k++)
            for (int j = 2; j <= 9 && x->nminor < MAX_TICKS; j++) {
                double v = j * pow(10, k);
                if (v >= x->lo * (1 - 1e-9) && v <= x->hi * (1 + 1e-9))
                    x->minor[x->nminor++] = v;
            }
}

/* Limits and ticks of one axis from its data range r. */
static void autoscale(axis *x, range r, int tight, int target, size_t ncats,
                      char *const *cats)
{
    x->nt = x->nminor = 0;
    x->pow = 0;
    if (x->cat) {
        x->lo = x->fixed ? x->flo : -0.5;
        x->hi = x->fixed ? x->fhi : (double)ncats - 0.5;
        size_t every = (ncats + MAX_TICKS - 1) / MAX_TICKS;
        for (size_t i = 0; i < ncats; i += every)
            if ((double)i >= x->lo && (double)i <= x->hi) {
                x->tv[x->nt] = (double)i;
                x->tname[x->nt] = cats[i] ? cats[i] : "";
                x->nt++;
            }
        return;
    }
    if (x->fixed && (!x->log || x->flo > 0)) {
        x->lo = x->flo;
        x->hi = x->fhi;
    } else if (r.lo > r.hi) {
        x->lo = x->log ? 1 : 0;
        x->hi = x->log ? 10 : 1;
    } else if (x->log) {
        x->lo = r.lo;
        x->hi = r.hi;
        if (x->lo == x->hi) {
            x->lo /= 10;
            x->hi *= 10;
        } else if (!tight && log10(x->hi) - log10(x->lo) > 2) {
            x->lo = pow(10, floor(log10(x->lo) + 1e-9));
            x->hi = pow(10, ceil(log10(x->hi) - 1e-9));
        } else if (!tight) {
            /* Out to the nearest 1-2-5 values. */
            static const double m[] = {1, 2, 5, 10};
            double e = floor(log10(x->lo)), lo = x->lo, hi = x->hi;
            for (int j = 3; j >= 0; j--)
                if (m[j] * pow(10, e) <= lo * (1 + 1e-9)) {
                    x->lo = m[j] * pow(10, e);
                    break;
                }
            e = floor(log10(hi));
            for (int j = 0; j < 4; j++)
                if (m[j] * pow(10, e) >= hi * (1 - 1e-9)) {
                    x->hi = m[j] * pow(10, e);
                    break;
                }
        }
    } else {
        x->lo = r.lo;
        x->hi = r.hi;
        if (!tight || x->lo == x->hi) {
            double t[MAX_TICKS], step;
            size_t n = dv__nice_ticks(x->lo, x->hi, target, t, MAX_TICKS, &step);
            if (n) {
                x->lo = t[0];
                x->hi = t[n - 1];
            }
        }
    }
    if (x->log)
        log_ticks(x, target);
    else
        linear_ticks(x, target);
}

/* ---- text ---- */

static void set_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Copies s to buf with each '-' as a typographic minus (tick labels). */
static const char *minus(const char *s, char *buf, size_t size)
{
    size_t j = 0;
    for (; *s && j + 4 < size; s++) {
        if (*s == '-') {
            memcpy(buf + j, "\xe2\x88\x92", 3);
            j += 3;
        } else {
            buf[j++] = *s;
        }
    }
    buf[j] = 0;
    return buf;
}

static double text_w(cairo_t *cr, const char *s, double size, int bold)
{
    cairo_text_extents_t e;
    set_font(cr, size, bold);
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Draws s with its anchor (ha: 0 left .. 1 right of the advance; va: 0 top of
 * the capitals, 0.5 their middle, 1 the baseline) at (x, y), rotated by ang. */
static void text(cairo_t *cr, const char *s, double size, int bold, double x, double y, double ha,
                 double va, double ang)
{
    double w = text_w(cr, s, size, bold);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (ang != 0)
        cairo_rotate(cr, ang);
    cairo_move_to(cr, -w * ha, CAP * size * (1 - va));
    cairo_show_text(cr, s);
    cairo_new_path(cr);
    cairo_restore(cr);
}

#define EXP_SCALE 0.7
#define EXP_RAISE 0.5 /* exponent baseline above the base's, in cap heights */

/* Width of tick label i of x (10^k drawn with a raised, smaller k). */
static double tick_w(cairo_t *cr, const axis *x, size_t i)
{
    char b[160];
    if (x->cat)
        return text_w(cr, x->tname[i], FS_TICK, 0);
    if (x->pow)
        return text_w(cr, "10", FS_TICK, 0) +
               text_w(cr, minus(x->tl[i], b, sizeof b), FS_TICK * EXP_SCALE, 0);
    return text_w(cr, minus(x->tl[i], b, sizeof b), FS_TICK, 0);
}

/* Height of the x tick labels above their baseline (cap, or the exponent). */
static double tick_top(const axis *x)
{
    return x->pow ? CAP * FS_TICK * (EXP_RAISE + EXP_SCALE) : CAP * FS_TICK;
}

/* Draws tick label i of x like text() (rotation only for categories). */
static void tick_text(cairo_t *cr, const axis *x, size_t i, double px, double py, double ha,
                      double va, double ang)
{
    char b[160];
    if (x->cat) {
        text(cr, x->tname[i], FS_TICK, 0, px, py, ha, va, ang);
        return;
    }
    if (!x->pow) {
        text(cr, minus(x->tl[i], b, sizeof b), FS_TICK, 0, px, py, ha, va, 0);
        return;
    }
    double w = tick_w(cr, x, i), wb = text_w(cr, "10", FS_TICK, 0);
    double left = px - w * ha, base = py + CAP * FS_TICK * (1 - va);
    text(cr, "10", FS_TICK, 0, left, base, 0, 1, 0);
    text(cr, minus(x->tl[i], b, sizeof b), FS_TICK * EXP_SCALE, 0, left + wb,
         base - EXP_RAISE * CAP * FS_TICK, 0, 1, 0);
}

/* ---- layout ---- */

static size_t legend_count(const dv__axes *a)
{
    size_t n = 0;
    for (size_t k = 0; k < a->ns; k++)
        n += a->s[k].label && a->s[k].kind != S_IMAGE;
    return n;
}

#define LEG_ROW (FS_LEGEND * 1.45)

/* Limits, ticks and the margins the panel wants (its text measured). */
static void measure_panel(dv__axes *a, cairo_t *cr, double cell_w, double cell_h, int ty)
{
    range r[2];
    int tight;
    data_range(a, r, &tight);
    autoscale(&a->ax[0], r[0], tight, a->tx, a->ncats, a->cats);
    autoscale(&a->ax[1], r[1], tight, ty, 0, NULL);
    axis *X = &a->ax[0], *Y = &a->ax[1];
    a->img = NULL;
    for (size_t k = 0; k < a->ns; k++)
        if (a->s[k].kind == S_IMAGE && a->s[k].n)
            a->img = &a->s[k];
    a->ytick_w = 0;
    for (size_t i = 0; i < Y->nt; i++)
        a->ytick_w = fmax(a->ytick_w, tick_w(cr, Y, i));
    double xw = 0, first_half = 0, last_half = 0;
    for (size_t i = 0; i < X->nt; i++)
        xw = fmax(xw, tick_w(cr, X, i));
    if (X->nt) {
        first_half = tick_w(cr, X, 0) / 2;
        last_half = tick_w(cr, X, X->nt - 1) / 2;
    }
    a->xtick_h = tick_top(X) + (X->cat ? DESC * FS_TICK : 0);
    if (a->xrot) {
        double c = sqrt(0.5);
        a->xtick_h = xw * c + CAP * FS_TICK * c;
        first_half = xw * c;
        last_half = 0;
    }
    /* the colour bar */
    a->cbar_w = 0;
    if (a->img) {
        axis *cb = &a->cb;
        memset(cb, 0, sizeof *cb);
        cb->lo = fmin(a->img->vmin, a->img->vmax);
        cb->hi = fmax(a->img->vmin, a->img->vmax);
        linear_ticks(cb, ty);
        a->cbtick_w = 0;
        for (size_t i = 0; i < cb->nt; i++)
            a->cbtick_w = fmax(a->cbtick_w, tick_w(cr, cb, i));
        a->cbar_w = CBAR_GAP + CBAR_W + TICK_LEN + TICK_PAD + a->cbtick_w +
                    (a->img->label ? LABEL_PAD + FS_LABEL * (CAP + DESC) : 0);
    }
    /* the legend box */
    size_t nl = legend_count(a);
    a->leg_w = a->leg_h = a->leg_tw = 0;
    if (nl && a->legend != DV__LEGEND_NONE) {
        for (size_t k = 0; k < a->ns; k++)
            if (a->s[k].label && a->s[k].kind != S_IMAGE)
                a->leg_tw = fmax(a->leg_tw, text_w(cr, a->s[k].label, FS_LEGEND, 0));
        a->leg_w = 2 * LEG_PAD + LEG_SAMPLE + 4 + a->leg_tw;
        a->leg_h = 2 * LEG_PAD + (double)nl * LEG_ROW - (LEG_ROW - FS_LEGEND * CAP * 1.35);
    }
    a->ml = OUTER_PAD + a->ytick_w + TICK_PAD + TICK_LEN +
            (a->ylabel ? FS_LABEL * (CAP + DESC) + LABEL_PAD : 0);
    a->ml = fmax(a->ml, OUTER_PAD + first_half);
    a->mb = OUTER_PAD + TICK_LEN + TICK_PAD + a->xtick_h +
            (a->xlabel ? LABEL_PAD + FS_LABEL * (CAP + DESC) : 0);
    a->mt = OUTER_PAD + fmax(tick_top(Y) / 2 + (Y->pow ? 1 : 0), 2) +
            (a->title ? FS_TITLE * (CAP + DESC) + 4 : 0);
    if (a->img)
        a->mt = fmax(a->mt, OUTER_PAD + CAP * FS_TICK / 2 + (a->title ? FS_TITLE + 4 : 0));
    a->mr = OUTER_PAD + a->cbar_w;
    if (a->leg_w > 0 && a->legend == DV__LEGEND_RIGHT)
        a->mr += 6 + a->leg_w;
    else if (!a->img)
        a->mr = fmax(a->mr, OUTER_PAD + last_half);
    (void)cell_w;
    (void)cell_h;
}

/* Whether the x tick labels of a fit side by side in its width. */
static int x_labels_fit(const dv__axes *a, cairo_t *cr)
{
    const axis *X = &a->ax[0];
    if (X->nt < 2)
        return 1;
    double span = X->log ? log10(X->hi) - log10(X->lo) : X->hi - X->lo;
    size_t k = (size_t)a->xevery;
    for (size_t i = 0; i + k < X->nt; i += k) {
        double p0 = X->log ? log10(X->tv[i]) - log10(X->lo) : X->tv[i] - X->lo;
        double p1 = X->log ? log10(X->tv[i + k]) - log10(X->lo) : X->tv[i + k] - X->lo;
        double gap = (p1 - p0) / span * a->pw;
        if ((tick_w(cr, X, i) + tick_w(cr, X, i + k)) / 2 + 4 > gap)
            return 0;
    }
    return 1;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Places every panel: margins measured per panel, shared along rows and
 * columns so that the grid lines up. */
static void layout(dv__fig *f, cairo_t *cr)
{
    int R = f->rows, C = f->cols;
    f->title_h = f->title ? OUTER_PAD + FS_FIGTITLE * (CAP + DESC) + 2 : 0;
    double cw = f->w / C, ch = (f->h - f->title_h) / R;
    int ty = clampi((int)(ch * 0.75 / 25), 3, 8);
    for (int i = 0; i < R * C; i++) {
        f->axes[i].tx = clampi((int)(cw * 0.75 / 30), 3, 9);
        f->axes[i].xrot = 0;
        f->axes[i].xevery = 1;
    }
    for (int pass = 0; pass < 8; pass++) {
        double L[64] = {0}, Rm[64] = {0}, T[64] = {0}, B[64] = {0};
        for (int i = 0; i < R * C; i++) {
            dv__axes *a = &f->axes[i];
            measure_panel(a, cr, cw, ch, ty);
            int r = i / C, c = i % C;
            L[c] = fmax(L[c], a->ml);
            Rm[c] = fmax(Rm[c], a->mr);
            T[r] = fmax(T[r], a->mt);
            B[r] = fmax(B[r], a->mb);
        }
        int again = 0;
        for (int i = 0; i < R * C; i++) {
            dv__axes *a = &f->axes[i];
            int r = i / C, c = i % C;
            a->px = c * cw + L[c];
            a->pw = fmax(cw - L[c] - Rm[c], 10);
            a->py = f->title_h + r * ch + T[r];
            a->ph = fmax(ch - T[r] - B[r], 10);
            int tx = clampi((int)(a->pw / 36), 3, 9);
            if (tx < a->tx && !a->ax[0].cat) {
                a->tx = tx;
                again = 1;
            } else if (!a->xrot && !x_labels_fit(a, cr)) {
                if (a->ax[0].cat)
                    a->xrot = 1;
                else if (a->tx > 2)
                    a->tx--;
                else if ((size_t)a->xevery < a->ax[0].nt)
                    a->xevery++;
                else
                    continue;
                again = 1;
            }
        }
        if (!again)
            break;
    }
}

static cairo_t *measure_context(cairo_surface_t **sf)
{
    *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(*sf);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    return cr;
}

int dv__fig_panel_rect(dv__fig *f, int row, int col, double dpi, double rect[4])
{
    dv__axes *a = dv__fig_axes(f, row, col);
    if (!a)
        return -1;
    if (!(dpi > 0) || !isfinite(dpi))
        dpi = 200;
    cairo_surface_t *sf;
    cairo_t *cr = measure_context(&sf);
    layout(f, cr);
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

/* ---- drawing ---- */

static double tf(const axis *x, double v) { return x->log ? log10(v) : v; }

static double clampc(double v) { return v < -1e6 ? -1e6 : v > 1e6 ? 1e6 : v; }

static double sx(const dv__axes *a, double v)
{
    const axis *x = &a->ax[0];
    return clampc(a->px + (tf(x, v) - tf(x, x->lo)) / (tf(x, x->hi) - tf(x, x->lo)) * a->pw);
}

static double sy(const dv__axes *a, double v)
{
    const axis *y = &a->ax[1];
    double u = (tf(y, v) - tf(y, y->lo)) / (tf(y, y->hi) - tf(y, y->lo));
    return clampc(a->py + a->ph - u * a->ph);
}

/* Screen y of the bars' base (0, or the bottom of a log axis). */
static double base_y(const dv__axes *a) { return a->ax[1].log ? a->py + a->ph : sy(a, 0); }

static void rgb(cairo_t *cr, dv__rgb c, double alpha)
{
    if (alpha >= 1)
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
    else
        cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

static void grey(cairo_t *cr, double g) { cairo_set_source_rgb(cr, g, g, g); }

static void set_dash(cairo_t *cr, int dash, double w)
{
    static const double dashed[] = {3.7, 1.6}, dotted[] = {1, 1.65}, dashdot[] = {6.4, 1.6, 1, 1.6};
    const double *p = NULL;
    int n = 0;
    if (dash == DV__DASH_DASHED)
        p = dashed, n = 2;
    else if (dash == DV__DASH_DOTTED)
        p = dotted, n = 2;
    else if (dash == DV__DASH_DASHDOT)
        p = dashdot, n = 4;
    double d[4];
    for (int i = 0; i < n; i++)
        d[i] = p[i] * w;
    cairo_set_dash(cr, d, n, 0);
}

static void marker(cairo_t *cr, int m, double x, double y, double size, dv__rgb c, double alpha)
{
    double r = size / 2;
    cairo_new_path(cr);
    switch (m) {
    case DV__MARK_SQUARE:
        r *= 0.886; /* the circle's area */
        cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
        break;
    case DV__MARK_TRIANGLE:
        r *= 1.2;
        cairo_move_to(cr, x, y - r);
        cairo_line_to(cr, x + r * 0.866, y + r * 0.5);
        cairo_line_to(cr, x - r * 0.866, y + r * 0.5);
        cairo_close_path(cr);
        break;
    case DV__MARK_DIAMOND:
        r *= 1.2;
        cairo_move_to(cr, x, y - r);
        cairo_line_to(cr, x + r * 0.75, y);
        cairo_line_to(cr, x, y + r);
        cairo_line_to(cr, x - r * 0.75, y);
        cairo_close_path(cr);
        break;
    case DV__MARK_CROSS:
        cairo_move_to(cr, x - r, y - r);
        cairo_line_to(cr, x + r, y + r);
        cairo_move_to(cr, x - r, y + r);
        cairo_line_to(cr, x + r, y - r);
        rgb(cr, c, alpha);
        cairo_set_line_width(cr, 1.0);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_stroke(cr);
        return;
    default:
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        break;
    }
    rgb(cr, c, alpha);
    cairo_fill(cr);
}

/* A vertical error bar with caps from y0 to y1 (screen) at x. */
static void error_bar(cairo_t *cr, double x, double y0, double y1, double cap)
{
    cairo_move_to(cr, x, y0);
    cairo_line_to(cr, x, y1);
    cairo_move_to(cr, x - cap, y0);
    cairo_line_to(cr, x + cap, y0);
    cairo_move_to(cr, x - cap, y1);
    cairo_line_to(cr, x + cap, y1);
}

/* Screen ends of y +- e (a log axis' missing lower end goes to the bottom). */
static void err_ends(const dv__axes *a, double y, double e, double *s0, double *s1)
{
    double lo = y - fabs(e), hi = y + fabs(e);
    *s0 = valid(&a->ax[1], lo) ? sy(a, lo) : a->py + a->ph + 1;
    *s1 = sy(a, hi);
}

static void draw_image(cairo_t *cr, const dv__axes *a, const series *s)
{
    size_t nx = s->n, ny = s->ny;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)nx, (int)ny);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        unsigned char *px = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img);
        cairo_surface_flush(img);
        for (size_t j = 0; j < ny; j++) {
            uint32_t *row = (uint32_t *)(px + (size_t)stride * (ny - 1 - j));
            for (size_t i = 0; i < nx; i++) {
                double z = s->y[j * nx + i];
                if (isnan(z)) {
                    row[i] = 0;
                    continue;
                }
                dv__rgb c = dv__cmap_color(s->cmap, (z - s->vmin) / (s->vmax - s->vmin));
                row[i] = 0xff000000u | (uint32_t)lround(c.r * 255) << 16 |
                         (uint32_t)lround(c.g * 255) << 8 | (uint32_t)lround(c.b * 255);
            }
        }
        cairo_surface_mark_dirty(img);
    }
    double ex0, ex1, ey0, ey1;
    image_extent(s->x0, s->x1, nx, &ex0, &ex1);
    image_extent(s->y0, s->y1, ny, &ey0, &ey1);
    if (valid(&a->ax[0], ex0) && valid(&a->ax[0], ex1) && valid(&a->ax[1], ey0) &&
        valid(&a->ax[1], ey1)) {
        double X0 = sx(a, ex0), X1 = sx(a, ex1), Y0 = sy(a, ey0), Y1 = sy(a, ey1);
        cairo_save(cr);
        cairo_translate(cr, X0, Y1);
        cairo_scale(cr, (X1 - X0) / (double)nx, (Y0 - Y1) / (double)ny);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
        cairo_rectangle(cr, 0, 0, (double)nx, (double)ny);
        cairo_fill(cr);
        cairo_restore(cr);
    }
    cairo_surface_destroy(img);
}

/* A polyline through the valid points, broken at invalid ones. */
static void draw_line(cairo_t *cr, const dv__axes *a, const series *s)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    int pen = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!valid(X, s->x[i]) || !valid(Y, s->y[i])) {
            pen = 0;
            continue;
        }
        if (pen)
            cairo_line_to(cr, sx(a, s->x[i]), sy(a, s->y[i]));
        else
            cairo_move_to(cr, sx(a, s->x[i]), sy(a, s->y[i]));
        pen = 1;
    }
    rgb(cr, s->color, 1);
    cairo_set_line_width(cr, s->width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, s->dash == DV__DASH_DOTTED ? CAIRO_LINE_CAP_ROUND
                                                      : CAIRO_LINE_CAP_BUTT);
    set_dash(cr, s->dash, s->width);
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

/* Error bars with a marker at each point. */
static void draw_errorbars(cairo_t *cr, const dv__axes *a, const series *s)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    for (size_t i = 0; s->e && i < s->n; i++)
        if (valid(X, s->x[i]) && valid(Y, s->y[i]) && isfinite(s->e[i])) {
            double y0, y1;
            err_ends(a, s->y[i], s->e[i], &y0, &y1);
            error_bar(cr, sx(a, s->x[i]), y0, y1, 2.2);
        }
    rgb(cr, s->color, 1);
    cairo_set_line_width(cr, 0.9);
    cairo_stroke(cr);
    for (size_t i = 0; i < s->n; i++)
        if (valid(X, s->x[i]) && valid(Y, s->y[i]))
            marker(cr, s->marker, sx(a, s->x[i]), sy(a, s->y[i]), s->size, s->color, 1);
}

/* A band between y (lower) and e (upper), one filled piece per run of valid
 * points. */
static void draw_band(cairo_t *cr, const dv__axes *a, const series *s)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && valid(X, s->x[j]) && valid(Y, s->y[j]) && valid(Y, s->e[j]))
            j++;
        if (j > i + 1) {
            for (size_t k = i; k < j; k++)
                cairo_line_to(cr, sx(a, s->x[k]), sy(a, s->e[k]));
            for (size_t k = j; k-- > i;)
                cairo_line_to(cr, sx(a, s->x[k]), sy(a, s->y[k]));
            cairo_close_path(cr);
        }
        i = j + 1;
    }
    rgb(cr, s->color, s->alpha);
    cairo_fill(cr);
}

/* Histogram bars (edges x[0..n]) or bars of width size centred at x, with
 * optional error bars. */
static void draw_bars(cairo_t *cr, const dv__axes *a, const series *s)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    for (size_t i = 0; i < s->n; i++) {
        double l = s->kind == S_HIST ? s->x[i] : s->x[i] - s->size / 2;
        double h = s->kind == S_HIST ? s->x[i + 1] : s->x[i] + s->size / 2;
        if (!valid(X, l) || !valid(X, h) || !isfinite(s->y[i]))
            continue;
        double top = valid(Y, s->y[i]) ? sy(a, s->y[i]) : base_y(a), b = base_y(a);
        cairo_rectangle(cr, sx(a, l), fmin(top, b), sx(a, h) - sx(a, l), fabs(b - top));
        rgb(cr, s->color, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
    if (s->kind == S_BARS && s->e) {
        for (size_t i = 0; i < s->n; i++)
            if (valid(X, s->x[i]) && isfinite(s->y[i]) && isfinite(s->e[i])) {
                double y0, y1;
                err_ends(a, s->y[i], s->e[i], &y0, &y1);
                error_bar(cr, sx(a, s->x[i]), y0, y1, 2.2);
            }
        grey(cr, 0.15);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
    }
}

static void draw_series(cairo_t *cr, const dv__axes *a, const series *s)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_new_path(cr);
    switch (s->kind) {
    case S_LINE:
        draw_line(cr, a, s);
        break;
    case S_SCATTER:
        for (size_t i = 0; i < s->n; i++)
            if (valid(X, s->x[i]) && valid(Y, s->y[i]))
                marker(cr, s->marker, sx(a, s->x[i]), sy(a, s->y[i]), s->size, s->color, s->alpha);
        break;
    case S_ERRORBAR:
        draw_errorbars(cr, a, s);
        break;
    case S_BAND:
        draw_band(cr, a, s);
        break;
    case S_HIST:
    case S_BARS:
        draw_bars(cr, a, s);
        break;
    case S_HLINE:
    case S_VLINE:
        if (!s->n || !valid(s->kind == S_HLINE ? Y : X, s->x[0]))
            break;
        if (s->kind == S_HLINE) {
            cairo_move_to(cr, a->px, sy(a, s->x[0]));
            cairo_line_to(cr, a->px + a->pw, sy(a, s->x[0]));
        } else {
            cairo_move_to(cr, sx(a, s->x[0]), a->py);
            cairo_line_to(cr, sx(a, s->x[0]), a->py + a->ph);
        }
        rgb(cr, s->color, 1);
        cairo_set_line_width(cr, s->width);
        set_dash(cr, s->dash, s->width);
        cairo_stroke(cr);
        break;
    case S_IMAGE:
        if (s->n)
            draw_image(cr, a, s);
        break;
    }
    cairo_set_dash(cr, NULL, 0, 0);
}

/* The legend's sample of s in the box [x, x + LEG_SAMPLE] around mid-height y. */
static void legend_sample(cairo_t *cr, const series *s, double x, double y)
{
    double h = FS_LEGEND * CAP * 1.2;
    cairo_new_path(cr);
    switch (s->kind) {
    case S_SCATTER:
        marker(cr, s->marker, x + LEG_SAMPLE / 2, y, s->size, s->color, s->alpha);
        break;
    case S_ERRORBAR:
        error_bar(cr, x + LEG_SAMPLE / 2, y + h / 2 + 1, y - h / 2 - 1, 2.2);
        rgb(cr, s->color, 1);
        cairo_set_line_width(cr, 0.9);
        cairo_stroke(cr);
        marker(cr, s->marker, x + LEG_SAMPLE / 2, y, s->size, s->color, 1);
        break;
    case S_BAND:
    case S_HIST:
    case S_BARS:
        cairo_rectangle(cr, x + 1, y - h / 2, LEG_SAMPLE - 2, h);
        rgb(cr, s->color, s->kind == S_BAND ? s->alpha : 1);
        cairo_fill(cr);
        break;
    default: {
        double w = s->width;
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + LEG_SAMPLE, y);
        rgb(cr, s->color, 1);
        cairo_set_line_width(cr, w);
        set_dash(cr, s->dash, w);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        break;
    }
    }
}

static int in_box(double x, double y, const double b[4])
{
    return x >= b[0] && x <= b[0] + b[2] && y >= b[1] && y <= b[1] + b[3];
}

static int rect_meets(double x0, double y0, double x1, double y1, const double b[4])
{
    return fmax(x0, x1) >= b[0] && fmin(x0, x1) <= b[0] + b[2] && fmax(y0, y1) >= b[1] &&
           fmin(y0, y1) <= b[1] + b[3];
}

/* How much of the data a legend box at b would cover. */
static double legend_cost(const dv__axes *a, const double b[4])
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    double cost = 0;
    for (size_t k = 0; k < a->ns; k++) {
        const series *s = &a->s[k];
        for (size_t i = 0; s->kind <= S_BAND && i < s->n; i++) {
            if (!valid(X, s->x[i]))
                continue;
            double x = sx(a, s->x[i]);
            if (valid(Y, s->y[i]))
                cost += in_box(x, sy(a, s->y[i]), b);
            if (s->kind == S_BAND && valid(Y, s->e[i]))
                cost += in_box(x, sy(a, s->e[i]), b);
            if (s->kind == S_LINE && i + 1 < s->n && valid(Y, s->y[i]) &&
                valid(X, s->x[i + 1]) && valid(Y, s->y[i + 1]))
                cost += in_box((x + sx(a, s->x[i + 1])) / 2,
                               (sy(a, s->y[i]) + sy(a, s->y[i + 1])) / 2, b);
        }
        if (s->kind == S_HIST || s->kind == S_BARS)
            for (size_t i = 0; i < s->n; i++) {
                double l = s->kind == S_HIST ? s->x[i] : s->x[i] - s->size / 2;
                double h = s->kind == S_HIST ? s->x[i + 1] : s->x[i] + s->size / 2;
                if (valid(X, l) && valid(X, h) && valid(Y, s->y[i]))
                    cost += 3 * rect_meets(sx(a, l), sy(a, s->y[i]), sx(a, h), base_y(a), b);
            }
        if (s->kind == S_HLINE && s->n && valid(Y, s->x[0]))
            cost += 3 * rect_meets(a->px, sy(a, s->x[0]), a->px + a->pw, sy(a, s->x[0]), b);
        if (s->kind == S_VLINE && s->n && valid(X, s->x[0]))
            cost += 3 * rect_meets(sx(a, s->x[0]), a->py, sx(a, s->x[0]), a->py + a->ph, b);
    }
    return cost;
}

static void draw_legend(cairo_t *cr, const dv__axes *a)
{
    if (a->leg_w <= 0)
        return;
    double w = a->leg_w, h = a->leg_h, in = 4, b[4];
    double corners[4][2] = {{a->px + a->pw - in - w, a->py + in}, /* NE */
                            {a->px + in, a->py + in},             /* NW */
                            {a->px + in, a->py + a->ph - in - h}, /* SW */
                            {a->px + a->pw - in - w, a->py + a->ph - in - h}}; /* SE */
    int pick = 0;
    switch (a->legend) {
    case DV__LEGEND_NE: pick = 0; break;
    case DV__LEGEND_NW: pick = 1; break;
    case DV__LEGEND_SW: pick = 2; break;
    case DV__LEGEND_SE: pick = 3; break;
    case DV__LEGEND_RIGHT: pick = -1; break;
    default: {
        double best = INFINITY;
        for (int c = 0; c < 4; c++) {
            b[0] = corners[c][0];
            b[1] = corners[c][1];
            b[2] = w;
            b[3] = h;
            double cost = legend_cost(a, b) + (c == 1 && a->note ? 1e6 : 0);
            if (cost < best) {
                best = cost;
                pick = c;
            }
        }
    }
    }
    if (pick >= 0) {
        b[0] = corners[pick][0];
        b[1] = corners[pick][1];
    } else {
        b[0] = a->px + a->pw + a->cbar_w + 6;
        b[1] = a->py;
    }
    cairo_new_path(cr);
    cairo_rectangle(cr, b[0], b[1], w, h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_fill_preserve(cr);
    grey(cr, 0.8);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    double y = b[1] + LEG_PAD + FS_LEGEND * CAP * 0.675;
    for (size_t k = 0; k < a->ns; k++) {
        const series *s = &a->s[k];
        if (!s->label || s->kind == S_IMAGE)
            continue;
        legend_sample(cr, s, b[0] + LEG_PAD, y);
        grey(cr, 0.1);
        text(cr, s->label, FS_LEGEND, 0, b[0] + LEG_PAD + LEG_SAMPLE + 4, y, 0, 0.5, 0);
        y += LEG_ROW;
    }
}

static void draw_colorbar(cairo_t *cr, const dv__axes *a)
{
    const series *s = a->img;
    const axis *cb = &a->cb;
    double x = a->px + a->pw + CBAR_GAP, y = a->py, h = a->ph;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 256);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        unsigned char *px = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img);
        cairo_surface_flush(img);
        for (int j = 0; j < 256; j++) {
            double v = cb->lo + (cb->hi - cb->lo) * (255 - j + 0.5) / 256;
            dv__rgb c = dv__cmap_color(s->cmap, (v - s->vmin) / (s->vmax - s->vmin));
            *(uint32_t *)(px + (size_t)stride * (size_t)j) =
                (uint32_t)lround(c.r * 255) << 16 | (uint32_t)lround(c.g * 255) << 8 |
                (uint32_t)lround(c.b * 255);
        }
        cairo_surface_mark_dirty(img);
    }
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, CBAR_W, h / 256);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_rectangle(cr, 0, 0, 1, 256);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    grey(cr, 0.2);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, x, y, CBAR_W, h);
    cairo_stroke(cr);
    double xr = x + CBAR_W;
    for (size_t i = 0; i < cb->nt; i++) {
        double ty = y + h - (cb->tv[i] - cb->lo) / (cb->hi - cb->lo) * h;
        cairo_move_to(cr, xr, ty);
        cairo_line_to(cr, xr + TICK_LEN, ty);
    }
    cairo_stroke(cr);
    grey(cr, 0.1);
    for (size_t i = 0; i < cb->nt; i++) {
        double ty = y + h - (cb->tv[i] - cb->lo) / (cb->hi - cb->lo) * h;
        tick_text(cr, cb, i, xr + TICK_LEN + TICK_PAD, ty, 0, 0.5, 0);
    }
    if (s->label)
        text(cr, s->label, FS_LABEL, 0,
             xr + TICK_LEN + TICK_PAD + a->cbtick_w + LABEL_PAD + FS_LABEL * CAP, y + h / 2, 0.5, 1,
             -M_PI / 2);
}

static void draw_panel(cairo_t *cr, const dv__axes *a)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    double x0 = a->px, y0 = a->py, x1 = a->px + a->pw, y1 = a->py + a->ph;
    /* grid */
    cairo_set_line_width(cr, 0.5);
    grey(cr, 0.88);
    for (size_t i = 0; i < X->nt && !X->cat; i++) {
        cairo_move_to(cr, sx(a, X->tv[i]), y0);
        cairo_line_to(cr, sx(a, X->tv[i]), y1);
    }
    for (size_t i = 0; i < Y->nt; i++) {
        cairo_move_to(cr, x0, sy(a, Y->tv[i]));
        cairo_line_to(cr, x1, sy(a, Y->tv[i]));
    }
    cairo_stroke(cr);
    /* data, clipped to the panel */
    cairo_save(cr);
    cairo_rectangle(cr, x0, y0, a->pw, a->ph);
    cairo_clip(cr);
    for (size_t k = 0; k < a->ns; k++)
        draw_series(cr, a, &a->s[k]);
    cairo_restore(cr);
    /* frame and ticks */
    cairo_new_path(cr);
    grey(cr, 0.2);
    cairo_set_line_width(cr, 0.7);
    cairo_rectangle(cr, x0, y0, a->pw, a->ph);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.6);
    for (size_t i = 0; i < X->nt; i++) {
        cairo_move_to(cr, sx(a, X->tv[i]), y1);
        cairo_line_to(cr, sx(a, X->tv[i]), y1 + TICK_LEN);
    }
    for (size_t i = 0; i < Y->nt; i++) {
        cairo_move_to(cr, x0, sy(a, Y->tv[i]));
        cairo_line_to(cr, x0 - TICK_LEN, sy(a, Y->tv[i]));
    }
    for (size_t i = 0; i < X->nminor; i++) {
        cairo_move_to(cr, sx(a, X->minor[i]), y1);
        cairo_line_to(cr, sx(a, X->minor[i]), y1 + MINOR_LEN);
    }
    for (size_t i = 0; i < Y->nminor; i++) {
        cairo_move_to(cr, x0, sy(a, Y->minor[i]));
        cairo_line_to(cr, x0 - MINOR_LEN, sy(a, Y->minor[i]));
    }
    cairo_stroke(cr);
    /* tick labels */
    grey(cr, 0.1);
    double ly = y1 + TICK_LEN + TICK_PAD;
    for (size_t i = 0; i < X->nt; i += (size_t)a->xevery) {
        if (a->xrot)
            tick_text(cr, X, i, sx(a, X->tv[i]), ly, 1, 0, -M_PI / 4);
        else if (X->pow)
            tick_text(cr, X, i, sx(a, X->tv[i]), ly + tick_top(X) - CAP * FS_TICK, 0.5, 0, 0);
        else
            tick_text(cr, X, i, sx(a, X->tv[i]), ly, 0.5, 0, 0);
    }
    for (size_t i = 0; i < Y->nt; i++)
        tick_text(cr, Y, i, x0 - TICK_LEN - TICK_PAD, sy(a, Y->tv[i]), 1, 0.5, 0);
    /* labels, title, note */
    if (a->xlabel)
        text(cr, a->xlabel, FS_LABEL, 0, x0 + a->pw / 2, ly + a->xtick_h + LABEL_PAD, 0.5, 0, 0);
    if (a->ylabel)
        text(cr, a->ylabel, FS_LABEL, 0,
             x0 - TICK_LEN - TICK_PAD - a->ytick_w - LABEL_PAD - FS_LABEL * DESC, y0 + a->ph / 2,
             0.5, 1, -M_PI / 2);
    if (a->title)
        text(cr, a->title, FS_TITLE, 0, x0 + a->pw / 2,
             y0 - fmax(4, (Y->pow ? tick_top(Y) / 2 + 2 : 4)) - FS_TITLE * DESC, 0.5, 1, 0);
    if (a->note)
        text(cr, a->note, FS_NOTE, 0, x0 + 4, y0 + 4, 0, 0, 0);
    if (a->img)
        draw_colorbar(cr, a);
    draw_legend(cr, a);
}

/* Draws f onto cr, whose user space is in points. */
static void draw(dv__fig *f, cairo_t *cr)
{
    cairo_surface_t *msf;
    cairo_t *m = measure_context(&msf);
    layout(f, m);
    cairo_destroy(m);
    cairo_surface_destroy(msf);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (int i = 0; i < f->rows * f->cols; i++)
        if (!f->axes[i].off)
            draw_panel(cr, &f->axes[i]);
    if (f->title) {
        grey(cr, 0.05);
        /* A title wider than the figure is set smaller (down to 65 %). */
        double fs = FS_FIGTITLE, tw = text_w(cr, f->title, fs, 1), room = f->w - 2 * OUTER_PAD;
        if (tw > room)
            fs = fs * room / tw < 0.65 * fs ? 0.65 * fs : fs * room / tw;
        text(cr, f->title, fs, 1, f->w / 2, OUTER_PAD, 0.5, 0, 0);
    }
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
    draw(f, cr);
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
        else if (rename(tmp, path) != 0)
            rc = dv__err(err, DV_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
    }
    if (rc != DV_OK)
        remove(tmp);
    dv__free(out.p);
    return rc;
}
