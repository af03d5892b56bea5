/*
 * fig_layout.c -- the figure engine's measurements: each panel's limits and
 * ticks from its data, text set in the figure's font, and the layout of the
 * panels from their measured margins.
 */
#include "plot/figimpl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- limits ---- */

int dv__fig_valid(const axis *x, double v) { return isfinite(v) && (!x->log || v > 0); }

typedef struct {
    double lo, hi;
} range;

static void grow(range *r, const axis *x, double v)
{
    if (dv__fig_valid(x, v)) {
        r->lo = fmin(r->lo, v);
        r->hi = fmax(r->hi, v);
    }
}

/* The outer edges of an image's cells along one axis. */
void dv__fig_image_extent(double c0, double c1, size_t n, double *e0, double *e1)
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
            if (!dv__fig_valid(X, s->x[i]))
                continue;
            if (s->kind == S_BAND) {
                if (dv__fig_valid(Y, s->y[i]) || dv__fig_valid(Y, s->e[i]))
                    grow(&r[0], X, s->x[i]);
                grow(&r[1], Y, s->y[i]);
                grow(&r[1], Y, s->e[i]);
                continue;
            }
            if (!dv__fig_valid(Y, s->y[i]))
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
            dv__fig_image_extent(s->x0, s->x1, s->n, &e0, &e1);
            grow(&r[0], X, e0);
            grow(&r[0], X, e1);
            dv__fig_image_extent(s->y0, s->y1, s->ny, &e0, &e1);
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

double dv__fig_text_w(cairo_t *cr, const char *s, double size, int bold)
{
    cairo_text_extents_t e;
    set_font(cr, size, bold);
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Draws s with its anchor (ha: 0 left .. 1 right of the advance; va: 0 top of
 * the capitals, 0.5 their middle, 1 the baseline) at (x, y), rotated by ang. */
void dv__fig_text(cairo_t *cr, const char *s, double size, int bold, double x, double y,
                  double ha, double va, double ang)
{
    double w = dv__fig_text_w(cr, s, size, bold);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (ang != 0)
        cairo_rotate(cr, ang);
    cairo_move_to(cr, -w * ha, CAP * size * (1 - va));
    cairo_show_text(cr, s);
    cairo_new_path(cr);
    cairo_restore(cr);
}


/* Width of tick label i of x (10^k drawn with a raised, smaller k). */
static double tick_w(cairo_t *cr, const axis *x, size_t i)
{
    char b[160];
    if (x->cat)
        return dv__fig_text_w(cr, x->tname[i], FS_TICK, 0);
    if (x->pow)
        return dv__fig_text_w(cr, "10", FS_TICK, 0) +
               dv__fig_text_w(cr, minus(x->tl[i], b, sizeof b), FS_TICK * EXP_SCALE, 0);
    return dv__fig_text_w(cr, minus(x->tl[i], b, sizeof b), FS_TICK, 0);
}

/* Height of the x tick labels above their baseline (cap, or the exponent). */
double dv__fig_tick_top(const axis *x)
{
    return x->pow ? CAP * FS_TICK * (EXP_RAISE + EXP_SCALE) : CAP * FS_TICK;
}

/* Draws tick label i of x like dv__fig_text() (rotation only for categories). */
void dv__fig_tick_text(cairo_t *cr, const axis *x, size_t i, double px, double py, double ha,
                       double va, double ang)
{
    char b[160];
    if (x->cat) {
        dv__fig_text(cr, x->tname[i], FS_TICK, 0, px, py, ha, va, ang);
        return;
    }
    if (!x->pow) {
        dv__fig_text(cr, minus(x->tl[i], b, sizeof b), FS_TICK, 0, px, py, ha, va, 0);
        return;
    }
    double w = tick_w(cr, x, i), wb = dv__fig_text_w(cr, "10", FS_TICK, 0);
    double left = px - w * ha, base = py + CAP * FS_TICK * (1 - va);
    dv__fig_text(cr, "10", FS_TICK, 0, left, base, 0, 1, 0);
    dv__fig_text(cr, minus(x->tl[i], b, sizeof b), FS_TICK * EXP_SCALE, 0, left + wb,
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
    a->xtick_h = dv__fig_tick_top(X) + (X->cat ? DESC * FS_TICK : 0);
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
                a->leg_tw = fmax(a->leg_tw, dv__fig_text_w(cr, a->s[k].label, FS_LEGEND, 0));
        a->leg_w = 2 * LEG_PAD + LEG_SAMPLE + 4 + a->leg_tw;
        a->leg_h = 2 * LEG_PAD + (double)nl * LEG_ROW - (LEG_ROW - FS_LEGEND * CAP * 1.35);
    }
    a->ml = OUTER_PAD + a->ytick_w + TICK_PAD + TICK_LEN +
            (a->ylabel ? FS_LABEL * (CAP + DESC) + LABEL_PAD : 0);
    a->ml = fmax(a->ml, OUTER_PAD + first_half);
    a->mb = OUTER_PAD + TICK_LEN + TICK_PAD + a->xtick_h +
            (a->xlabel ? LABEL_PAD + FS_LABEL * (CAP + DESC) : 0);
    a->mt = OUTER_PAD + fmax(dv__fig_tick_top(Y) / 2 + (Y->pow ? 1 : 0), 2) +
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
void dv__fig_layout(dv__fig *f, cairo_t *cr)
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

cairo_t *dv__fig_measure_context(cairo_surface_t **sf)
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
