/*
 * figimpl.h -- the figure engine's private insides, shared by its files:
 * fig.c (recording series, a panel's place, saving), fig_layout.c (limits,
 * ticks, text, the layout of panels), fig_draw.c (drawing with cairo) and
 * fig_colour.c (palette and colour maps).  Calls go fig -> fig_draw ->
 * fig_layout -> fig_colour, never back.
 */
#ifndef DV_PLOT_FIGIMPL_H
#define DV_PLOT_FIGIMPL_H

#include "plot/fig.h"
#include "internal.h"

#include <cairo.h>

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

#define EXP_SCALE 0.7
#define EXP_RAISE 0.5 /* exponent baseline above the base's, in cap heights */
#define LEG_ROW (FS_LEGEND * 1.45)

/* Whether v can be drawn on axis x (finite; positive on a log axis). */
int dv__fig_valid(const axis *x, double v);
/* The outer edges e0, e1 of n image cells whose centres run from c0 to c1. */
void dv__fig_image_extent(double c0, double c1, size_t n, double *e0, double *e1);
/* Width of s in the figure's font at size (bold or not). */
double dv__fig_text_w(cairo_t *cr, const char *s, double size, int bold);
/* Draws s with its anchor at (x, y): ha 0 left .. 1 right, va 0 top .. 1
 * bottom of the cap height, rotated by ang degrees. */
void dv__fig_text(cairo_t *cr, const char *s, double size, int bold, double x, double y,
                  double ha, double va, double ang);
/* Height of the x tick labels above their baseline (cap, or the exponent). */
double dv__fig_tick_top(const axis *x);
/* Draws tick label i of x like dv__fig_text (rotation only for categories). */
void dv__fig_tick_text(cairo_t *cr, const axis *x, size_t i, double px, double py, double ha,
                       double va, double ang);
/* Limits, ticks and text measured for every panel, then every panel placed. */
void dv__fig_layout(dv__fig *f, cairo_t *cr);
/* A small surface and context for measuring text (*sf to destroy). */
cairo_t *dv__fig_measure_context(cairo_surface_t **sf);
/* Draws f onto cr, whose user space is in points (after dv__fig_layout). */
void dv__fig_draw(dv__fig *f, cairo_t *cr);

#endif
