/*
 * fig.h -- the figure module every dval figure is drawn with (internal).
 *
 * A figure is a grid of panels (axes).  Series are recorded into a panel's
 * display list (the arrays are copied), and nothing is drawn until
 * dv__fig_save: then each panel's limits come from its data (or fixed
 * limits), ticks are chosen, and one drawing path renders the figure with
 * cairo to PNG, SVG or PDF by the file name's extension.  Allocation
 * failures while recording are remembered and reported by dv__fig_save, so
 * figure code need not check every call (as cairo's own error model).
 *
 * Lengths are in points (1/72 inch).  The look is fixed here, once, for
 * every figure: Okabe-Ito colours (readable for colour-blind readers and,
 * with the dash and marker variations, in grey), light grid, 8 pt sans-serif
 * text, sizes for a paper column (about 3.4 in wide).
 */
#ifndef DV_PLOT_FIG_H
#define DV_PLOT_FIG_H

#include "dval_plot.h"

#include <stddef.h>

typedef struct {
    double r, g, b; /* in [0, 1] */
} dv__rgb;

/* The i-th categorical colour (Okabe-Ito order, black last; cycles). */
dv__rgb dv__palette(int i);

typedef enum {
    DV__CMAP_VIRIDIS = 0,  /* sequential, perceptually uniform */
    DV__CMAP_DIVERGING = 1 /* blue - white - orange, for signed values (0 at the middle) */
} dv__cmap;

/* Colour of t in [0, 1] (clamped; NaN gives mid-grey). */
dv__rgb dv__cmap_color(dv__cmap map, double t);

typedef enum {
    DV__MARK_CIRCLE = 0,
    DV__MARK_SQUARE,
    DV__MARK_TRIANGLE,
    DV__MARK_DIAMOND,
    DV__MARK_CROSS
} dv__marker;

typedef enum {
    DV__DASH_SOLID = 0,
    DV__DASH_DASHED,
    DV__DASH_DOTTED,
    DV__DASH_DASHDOT
} dv__dash;

typedef enum {
    DV__LEGEND_NONE = 0,
    DV__LEGEND_BEST, /* the corner with the fewest data points under it (default) */
    DV__LEGEND_NE,
    DV__LEGEND_NW,
    DV__LEGEND_SE,
    DV__LEGEND_SW,
    DV__LEGEND_RIGHT /* outside the panel, to its right */
} dv__legend_pos;

typedef struct dv__fig dv__fig;
typedef struct dv__axes dv__axes;

/* A figure of rows x cols panels, width x height points.  NULL on ENOMEM. */
dv__fig *dv__fig_new(double width_pt, double height_pt, int rows, int cols);
void dv__fig_free(dv__fig *f);

/* A title over the whole figure (copied; NULL removes it). */
void dv__fig_title(dv__fig *f, const char *title);

/* The panel at (row, col), both from 0; NULL when out of range. */
dv__axes *dv__fig_axes(dv__fig *f, int row, int col);

/* Draws the figure and writes it to path: .png (at dpi, 0 = 200; the image is
 * round(width_pt / 72 * dpi) x round(height_pt / 72 * dpi) pixels), .svg or
 * .pdf (case-insensitive).  Written to a temporary file renamed into place,
 * so a failure leaves an existing file untouched.  Errors (unknown
 * extension, unwritable path, an earlier allocation failure, a cairo error)
 * name the path.  Same inputs, same bytes (PNG and SVG). */
int dv__fig_save(dv__fig *f, const char *path, double dpi, dv_error *err);

/* ---- panel settings ---- */
void dv__ax_title(dv__axes *a, const char *title);
void dv__ax_xlabel(dv__axes *a, const char *label);
void dv__ax_ylabel(dv__axes *a, const char *label);
/* Base-10 log scale; values <= 0 are skipped when drawing and when choosing
 * limits.  Ticks at powers of ten, labelled 10^k with a superscript. */
void dv__ax_xlog(dv__axes *a, int on);
void dv__ax_ylog(dv__axes *a, int on);
/* Fixed limits (lo < hi); otherwise the limits are the data range widened
 * to the outer nice ticks (linear), or on a log axis to whole decades when
 * the range is wider than two decades, else to the nearest 1, 2, 5 x 10^k. */
void dv__ax_xlim(dv__axes *a, double lo, double hi);
void dv__ax_ylim(dv__axes *a, double lo, double hi);
void dv__ax_legend(dv__axes *a, dv__legend_pos pos);
/* Category names for an x axis whose data are the integers 0..n-1: ticks
 * at the integers, labelled with the names (copied). */
void dv__ax_xcategories(dv__axes *a, const char *const *names, size_t n);
/* An unused panel of the grid (small multiples with a spare cell): it
 * keeps its place in the layout but nothing of it is drawn. */
void dv__ax_off(dv__axes *a);
/* A short note in a corner of the panel (e.g. "n = 1000"), top-left. */
void dv__ax_note(dv__axes *a, const char *text);

/* ---- series (drawn in the order they are added; label NULL = not in the
 * legend).  Non-finite points are skipped (a line breaks there). ---- */
void dv__ax_line(dv__axes *a, const double *x, const double *y, size_t n, dv__rgb color,
                 double width_pt, dv__dash dash, const char *label);
void dv__ax_scatter(dv__axes *a, const double *x, const double *y, size_t n, dv__rgb color,
                    dv__marker marker, double size_pt, double alpha, const char *label);
/* Markers at (x, y) with vertical bars y - err .. y + err (err may be NULL). */
void dv__ax_errorbar(dv__axes *a, const double *x, const double *y, const double *err, size_t n,
                     dv__rgb color, dv__marker marker, const char *label);
/* A filled band between lo and hi over x (sorted), with alpha. */
void dv__ax_band(dv__axes *a, const double *x, const double *lo, const double *hi, size_t n,
                 dv__rgb color, double alpha, const char *label);
/* A histogram from precomputed counts: bins [edges[i], edges[i+1]). */
void dv__ax_hist(dv__axes *a, const double *edges, const double *counts, size_t n_bins,
                 dv__rgb color, const char *label);
/* Bars centred at x[i], of the given width in data units, from 0 to h[i],
 * with error bars h[i] +- err[i] when err is not NULL. */
void dv__ax_bars(dv__axes *a, const double *x, const double *h, const double *err, size_t n,
                 double width, dv__rgb color, const char *label);
/* Reference lines across the panel. */
void dv__ax_hline(dv__axes *a, double y, dv__rgb color, dv__dash dash, const char *label);
void dv__ax_vline(dv__axes *a, double x, dv__rgb color, dv__dash dash, const char *label);
/* A heat map: z is ny rows x nx columns (row 0 at y0, the bottom), cell
 * centres spanning [x0, x1] x [y0, y1], drawn as one raster image (no seams,
 * nearest-neighbour), coloured by map over [vmin, vmax] (vmin == vmax: the
 * finite range of z), with a colour bar right of the panel labelled
 * cbar_label.  NaN cells are transparent.  A panel with an image takes its
 * automatic limits tight around the data (the cells' outer edges included),
 * not widened to nice ticks. */
void dv__ax_image(dv__axes *a, const double *z, size_t nx, size_t ny, double x0, double x1,
                  double y0, double y1, dv__cmap map, double vmin, double vmax,
                  const char *cbar_label);

/* ---- exposed for the tests ---- */

/* Nice-number ticks (1, 2, 2.5, 5 x 10^k steps) covering [lo, hi] with about
 * `target` intervals: writes up to max ticks, all multiples of *step, the
 * first <= lo and the last >= hi; returns their count (0 if lo, hi or hi - lo
 * are not finite, max < 2, or no step fits).  The rule: with T = min(max(target,
 * 1), max - 1), *step is the smallest s = m 10^k (m in 1, 2, 2.5, 5) for which
 * the ticks floor(lo / s) s .. ceil(hi / s) s span at most T intervals; tick i
 * is computed as the integer multiple i * s (no accumulated error), and a
 * value within 1e-9 s of 0 is 0.  lo > hi are swapped; lo == hi (or a range
 * below 1e-12 of its magnitude) is widened to v - d .. v + d around its
 * centre v, d = max(0.5, |v| / 10), a unit-sized range near 0. */
size_t dv__nice_ticks(double lo, double hi, int target, double *ticks, size_t max, double *step);

/* Formats a tick value for a given step: enough decimals for the step, no
 * trailing zeros, "-0" printed as "0" (as is any |v| < 1e-9 step), and
 * scientific notation ("1e6", "2.5e-5": mantissa digits down to the step's
 * last digit) for |v| >= 1e5 or a step < 1e-4. */
void dv__tick_label(double v, double step, char *buf, size_t size);

/* The plotting rectangle of panel (row, col) after layout, in pixels of a
 * PNG saved at dpi (0 = 200): rect = x, y (top-left corner, from the image's
 * top-left), width, height.  Returns 0, or -1 when the panel does not exist. */
int dv__fig_panel_rect(dv__fig *f, int row, int col, double dpi, double rect[4]);
/* The limits panel (row, col) is drawn with: lim = x lo, x hi, y lo, y hi.
 * Returns 0, or -1 when the panel does not exist. */
int dv__fig_panel_limits(dv__fig *f, int row, int col, double lim[4]);

#endif /* DV_PLOT_FIG_H */
