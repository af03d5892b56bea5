/*
 * fig_draw.c -- the figure engine's drawing: series, legends, colour bars
 * and panels with cairo, once the layout is done.
 */
#include "plot/figimpl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    *s0 = dv__fig_valid(&a->ax[1], lo) ? sy(a, lo) : a->py + a->ph + 1;
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
    dv__fig_image_extent(s->x0, s->x1, nx, &ex0, &ex1);
    dv__fig_image_extent(s->y0, s->y1, ny, &ey0, &ey1);
    if (dv__fig_valid(&a->ax[0], ex0) && dv__fig_valid(&a->ax[0], ex1) &&
        dv__fig_valid(&a->ax[1], ey0) && dv__fig_valid(&a->ax[1], ey1)) {
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
        if (!dv__fig_valid(X, s->x[i]) || !dv__fig_valid(Y, s->y[i])) {
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
        if (dv__fig_valid(X, s->x[i]) && dv__fig_valid(Y, s->y[i]) && isfinite(s->e[i])) {
            double y0, y1;
            err_ends(a, s->y[i], s->e[i], &y0, &y1);
            error_bar(cr, sx(a, s->x[i]), y0, y1, 2.2);
        }
    rgb(cr, s->color, 1);
    cairo_set_line_width(cr, 0.9);
    cairo_stroke(cr);
    for (size_t i = 0; i < s->n; i++)
        if (dv__fig_valid(X, s->x[i]) && dv__fig_valid(Y, s->y[i]))
            marker(cr, s->marker, sx(a, s->x[i]), sy(a, s->y[i]), s->size, s->color, 1);
}

/* A band between y (lower) and e (upper), one filled piece per run of valid
 * points. */
static void draw_band(cairo_t *cr, const dv__axes *a, const series *s)
{
    const axis *X = &a->ax[0], *Y = &a->ax[1];
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && dv__fig_valid(X, s->x[j]) && dv__fig_valid(Y, s->y[j]) &&
               dv__fig_valid(Y, s->e[j]))
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
        if (!dv__fig_valid(X, l) || !dv__fig_valid(X, h) || !isfinite(s->y[i]))
            continue;
        double top = dv__fig_valid(Y, s->y[i]) ? sy(a, s->y[i]) : base_y(a), b = base_y(a);
        cairo_rectangle(cr, sx(a, l), fmin(top, b), sx(a, h) - sx(a, l), fabs(b - top));
        rgb(cr, s->color, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
    if (s->kind == S_BARS && s->e) {
        for (size_t i = 0; i < s->n; i++)
            if (dv__fig_valid(X, s->x[i]) && isfinite(s->y[i]) && isfinite(s->e[i])) {
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
            if (dv__fig_valid(X, s->x[i]) && dv__fig_valid(Y, s->y[i]))
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
        if (!s->n || !dv__fig_valid(s->kind == S_HLINE ? Y : X, s->x[0]))
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
            if (!dv__fig_valid(X, s->x[i]))
                continue;
            double x = sx(a, s->x[i]);
            if (dv__fig_valid(Y, s->y[i]))
                cost += in_box(x, sy(a, s->y[i]), b);
            if (s->kind == S_BAND && dv__fig_valid(Y, s->e[i]))
                cost += in_box(x, sy(a, s->e[i]), b);
            if (s->kind == S_LINE && i + 1 < s->n && dv__fig_valid(Y, s->y[i]) &&
                dv__fig_valid(X, s->x[i + 1]) && dv__fig_valid(Y, s->y[i + 1]))
                cost += in_box((x + sx(a, s->x[i + 1])) / 2,
                               (sy(a, s->y[i]) + sy(a, s->y[i + 1])) / 2, b);
        }
        if (s->kind == S_HIST || s->kind == S_BARS)
            for (size_t i = 0; i < s->n; i++) {
                double l = s->kind == S_HIST ? s->x[i] : s->x[i] - s->size / 2;
                double h = s->kind == S_HIST ? s->x[i + 1] : s->x[i] + s->size / 2;
                if (dv__fig_valid(X, l) && dv__fig_valid(X, h) && dv__fig_valid(Y, s->y[i]))
                    cost += 3 * rect_meets(sx(a, l), sy(a, s->y[i]), sx(a, h), base_y(a), b);
            }
        if (s->kind == S_HLINE && s->n && dv__fig_valid(Y, s->x[0]))
            cost += 3 * rect_meets(a->px, sy(a, s->x[0]), a->px + a->pw, sy(a, s->x[0]), b);
        if (s->kind == S_VLINE && s->n && dv__fig_valid(X, s->x[0]))
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
        dv__fig_text(cr, s->label, FS_LEGEND, 0, b[0] + LEG_PAD + LEG_SAMPLE + 4, y, 0, 0.5, 0);
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
        dv__fig_tick_text(cr, cb, i, xr + TICK_LEN + TICK_PAD, ty, 0, 0.5, 0);
    }
    if (s->label)
        dv__fig_text(cr, s->label, FS_LABEL, 0,
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
            dv__fig_tick_text(cr, X, i, sx(a, X->tv[i]), ly, 1, 0, -M_PI / 4);
        else if (X->pow)
            dv__fig_tick_text(cr, X, i, sx(a, X->tv[i]), ly + dv__fig_tick_top(X) - CAP * FS_TICK,
                              0.5, 0, 0);
        else
            dv__fig_tick_text(cr, X, i, sx(a, X->tv[i]), ly, 0.5, 0, 0);
    }
    for (size_t i = 0; i < Y->nt; i++)
        dv__fig_tick_text(cr, Y, i, x0 - TICK_LEN - TICK_PAD, sy(a, Y->tv[i]), 1, 0.5, 0);
    /* labels, title, note */
    if (a->xlabel)
        dv__fig_text(cr, a->xlabel, FS_LABEL, 0, x0 + a->pw / 2, ly + a->xtick_h + LABEL_PAD, 0.5,
                     0, 0);
    if (a->ylabel)
        dv__fig_text(cr, a->ylabel, FS_LABEL, 0,
             x0 - TICK_LEN - TICK_PAD - a->ytick_w - LABEL_PAD - FS_LABEL * DESC, y0 + a->ph / 2,
             0.5, 1, -M_PI / 2);
    if (a->title)
        dv__fig_text(cr, a->title, FS_TITLE, 0, x0 + a->pw / 2,
             y0 - fmax(4, (Y->pow ? dv__fig_tick_top(Y) / 2 + 2 : 4)) - FS_TITLE * DESC, 0.5, 1, 0);
    if (a->note)
        dv__fig_text(cr, a->note, FS_NOTE, 0, x0 + 4, y0 + 4, 0, 0, 0);
    if (a->img)
        draw_colorbar(cr, a);
    draw_legend(cr, a);
}

/* Draws f onto cr, whose user space is in points. */
void dv__fig_draw(dv__fig *f, cairo_t *cr)
{
    cairo_surface_t *msf;
    cairo_t *m = dv__fig_measure_context(&msf);
    dv__fig_layout(f, m);
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
        double fs = FS_FIGTITLE, tw = dv__fig_text_w(cr, f->title, fs, 1);
        double room = f->w - 2 * OUTER_PAD;
        if (tw > room)
            fs = fs * room / tw < 0.65 * fs ? 0.65 * fs : fs * room / tw;
        dv__fig_text(cr, f->title, fs, 1, f->w / 2, OUTER_PAD, 0.5, 0, 0);
    }
}
