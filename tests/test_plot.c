/*
 * test_plot.c -- the figure engine: nice ticks against a brute-force search
 * in long double, tick labels from a table, autoscaled limits against the
 * rules of fig.h, and figures written to PNG (decoded with libpng: size,
 * ink, pixel colours at known places), SVG (parsed with libxml2) and PDF,
 * with the failures of dv__fig_save and byte-identical repeats.
 * DV_FIG_DEMO=path also writes the demo figure there.
 */
#include "check.h"
#include "dval_plot.h"
#include "plot/fig.h"

#include <libxml/parser.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "figcheck.h"


/* ---- files ---- */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    *n = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(len > 0 ? (size_t)len : 1);
    if (p && len > 0 && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = p ? (size_t)len : 0;
    return p;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

typedef struct {
    int w, h;
    unsigned char *rgb; /* w x h x 3 */
} image;

/* Decodes a PNG to 8-bit RGB; rgb NULL on failure. */
static image read_png(const char *path)
{
    image im = {0, 0, NULL};
    png_image p;
    memset(&p, 0, sizeof p);
    p.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&p, path))
        return im;
    p.format = PNG_FORMAT_RGB;
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(p));
    if (!buf || !png_image_finish_read(&p, NULL, buf, 0, NULL)) {
        free(buf);
        png_image_free(&p);
        return im;
    }
    im.w = (int)p.width;
    im.h = (int)p.height;
    im.rgb = buf;
    return im;
}

static const unsigned char *px(const image *im, double x, double y)
{
    int i = (int)x, j = (int)y;
    i = i < 0 ? 0 : i >= im->w ? im->w - 1 : i;
    j = j < 0 ? 0 : j >= im->h ? im->h - 1 : j;
    return im->rgb + ((size_t)j * (size_t)im->w + (size_t)i) * 3;
}

/* Largest channel difference between a pixel and the colour hex. */
static int cdiff(const unsigned char *p, unsigned hex)
{
    int d = 0, c[3] = {(int)(hex >> 16) & 255, (int)(hex >> 8) & 255, (int)hex & 255};
    for (int k = 0; k < 3; k++)
        d = abs(p[k] - c[k]) > d ? abs(p[k] - c[k]) : d;
    return d;
}

/* Variance of the grey level over a rectangle of the image (whole: w = 0). */
static double variance(const image *im, int x0, int y0, int w, int h)
{
    if (w <= 0) {
        x0 = y0 = 0;
        w = im->w;
        h = im->h;
    }
    double s = 0, s2 = 0, n = 0;
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) {
            const unsigned char *p = px(im, x, y);
            double g = (p[0] + p[1] + p[2]) / 3.0;
            s += g;
            s2 += g * g;
            n++;
        }
    return n ? s2 / n - (s / n) * (s / n) : 0;
}

/* ---- nice ticks ---- */

/* Brute force in long double: the smallest m 10^k whose covering ticks
 * span at most T intervals. */
static double oracle_step(double lo, double hi, int T)
{
    static const long double m[4] = {1, 2, 2.5L, 5};
    for (int k = -40; k <= 40; k++)
        for (int j = 0; j < 4; j++) {
            long double s = m[j] * powl(10, k);
            long double i0 = floorl((long double)lo / s), i1 = ceill((long double)hi / s);
            if (i1 - i0 <= T)
                return (double)s;
        }
    return 0;
}

static int is_nice(double step)
{
    double k = floor(log10(step) + 1e-12), m = step / pow(10, k);
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 || fabs(m - 5) < 1e-9;
}

static void test_nice_ticks_oracle(void)
{
    dv_rng r;
    dv_rng_seed(&r, 7, 0);
    for (int rep = 0; rep < 20000; rep++) {
        double scale = pow(10, -6 + 12 * dv_rng_uniform(&r));
        double lo = scale * (dv_rng_uniform(&r) * 20 - 10);
        if (rep % 7 == 0)
            lo = round(lo / scale) * scale; /* often on a multiple */
        double hi = lo + scale * dv_rng_uniform(&r) * 10 * (rep % 5 ? 1 : 0.01);
        int target = 2 + (int)dv_rng_below(&r, 9);
        size_t max = rep % 3 ? 64 : 3 + dv_rng_below(&r, 5);
        double t[64], step = -1;
        size_t n = dv__nice_ticks(lo, hi, target, t, max, &step);
        int T = target < (int)max - 1 ? target : (int)max - 1;
        CHECK_MSG(n >= 2 && n <= (size_t)T + 1, "lo %.17g hi %.17g target %d n %zu", lo, hi,
                  target, n);
        if (n < 2 || n > 64)
            continue;
        CHECK_MSG(is_nice(step), "step %.17g", step);
        CHECK_MSG(t[0] <= lo && t[n - 1] >= hi, "lo %.17g hi %.17g: %.17g .. %.17g", lo, hi,
                  t[0], t[n - 1]);
        for (size_t i = 0; i < n; i++) {
            double q = t[i] / step;
            CHECK_MSG(fabs(q - round(q)) < 1e-9 * fmax(1, fabs(q)), "tick %.17g step %.17g", t[i],
                      step);
            if (i)
                CHECK_NEAR((t[i] - t[i - 1]) / step, 1, 1e-6);
        }
        /* the smallest: the next smaller candidate needs more intervals */
        double os = oracle_step(lo, hi, T);
        CHECK_MSG(fabs(os - step) <= 1e-9 * step, "lo %.17g hi %.17g T %d: step %.17g, want %.17g",
                  lo, hi, T, step, os);
        /* about target: at least T / 2 - 1 intervals */
        CHECK_MSG((double)(n - 1) >= T / 2.0 - 1, "n %zu T %d", n, T);
    }
}

static void test_nice_ticks_table(void)
{
    static const struct {
        double lo, hi;
        int target;
        double step, first, last;
        size_t n;
    } cases[] = {
        {0, 1, 5, 0.2, 0, 1, 6},      {0, 10, 5, 2, 0, 10, 6},   {0, 100, 4, 25, 0, 100, 5},
        {-1, 1, 4, 0.5, -1, 1, 5},    {0.1, 0.9, 4, 0.25, 0, 1, 5}, {3, 3, 5, 0.25, 2.5, 3.5, 5},
        {1, 0, 5, 0.2, 0, 1, 6},      {0.3, 0.7, 4, 0.1, 0.3, 0.7, 5},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double t[64], step;
        size_t n = dv__nice_ticks(cases[c].lo, cases[c].hi, cases[c].target, t, 64, &step);
        CHECK_EQ_INT(n, cases[c].n);
        CHECK_NEAR(step, cases[c].step, 1e-15);
        if (n) {
            CHECK_NEAR(t[0], cases[c].first, 1e-15);
            CHECK_NEAR(t[n - 1], cases[c].last, 1e-15);
        }
    }
    double t[64], step;
    /* exact tick values: 0.3 is 3 / 10, not 3 * 0.1; -0 snapped */
    size_t n = dv__nice_ticks(-0.3, 0.3, 6, t, 64, &step);
    CHECK_EQ_INT(n, 7);
    CHECK(t[0] == -0.3 && t[6] == 0.3 && t[3] == 0 && !signbit(t[3]));
    CHECK_EQ_INT(dv__nice_ticks(NAN, 1, 5, t, 64, &step), 0);
    CHECK_EQ_INT(dv__nice_ticks(0, INFINITY, 5, t, 64, &step), 0);
    CHECK_EQ_INT(dv__nice_ticks(-1e308, 1e308, 5, t, 64, &step), 0);
    CHECK_EQ_INT(dv__nice_ticks(0, 1, 5, t, 1, &step), 0);
}

static void test_tick_labels(void)
{
    static const struct {
        double v, step;
        const char *want;
    } cases[] = {
        {0.30000000000000004, 0.1, "0.3"}, {-0.0, 1, "0"},         {2.5, 0.5, "2.5"},
        {1e6, 1e6, "1e6"},                 {1e6, 2e5, "1e6"},      {1.2e6, 2e5, "1.2e6"},
        {1.25e6, 2.5e5, "1.25e6"},         {-1e-17, 0.1, "0"},     {1.5e-4, 5e-5, "1.5e-4"},
        {100, 20, "100"},                  {99999, 1, "99999"},    {1e5, 5e4, "1e5"},
        {0.25, 0.25, "0.25"},              {-3, 1, "-3"},          {0.75, 0.25, "0.75"},
        {1, 0.25, "1"},                    {-0.5, 0.5, "-0.5"},    {1e-5, 1e-5, "1e-5"},
        {0.0001, 0.0001, "0.0001"},        {2000, 500, "2000"},    {-2.5e-5, 2.5e-6, "-2.5e-5"},
        {9.99999999e5, 1e5, "1e6"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char buf[64];
        dv__tick_label(cases[c].v, cases[c].step, buf, sizeof buf);
        CHECK_MSG(strcmp(buf, cases[c].want) == 0, "%.17g step %g: \"%s\", want \"%s\"",
                  cases[c].v, cases[c].step, buf, cases[c].want);
    }
}

/* ---- autoscaling ---- */

/* lo, hi are the outer nice ticks around [dlo, dhi]: multiples of a nice
 * step s with dlo - s < lo <= dlo and dhi <= hi < dhi + s. */
static int outer_ticks(double lo, double hi, double dlo, double dhi)
{
    static const double m[4] = {1, 2, 2.5, 5};
    for (int k = -10; k <= 10; k++)
        for (int j = 0; j < 4; j++) {
            double s = m[j] * pow(10, k), a = lo / s, b = hi / s;
            if (fabs(a - round(a)) < 1e-9 && fabs(b - round(b)) < 1e-9 && lo <= dlo &&
                lo > dlo - s && hi >= dhi && hi < dhi + s)
                return 1;
        }
    return 0;
}

static void test_autoscale(void)
{
    dv__fig *f = dv__fig_new(500, 360, 2, 4);
    CHECK(f != NULL);
    if (!f)
        return;
    double x[5] = {0.3, 1, 2, 3, 4.1}, y[5] = {1.2, 2, NAN, 7.4, INFINITY};
    dv__rgb c = dv__palette(0);
    dv__ax_line(dv__fig_axes(f, 0, 0), x, y, 5, c, 1.2, DV__DASH_SOLID, "a");
    /* the arrays are copied: scribbling on them afterwards changes nothing */
    for (int i = 0; i < 5; i++)
        x[i] = y[i] = 1e9;
    double h[2] = {3, 5}, bx[2] = {0, 1};
    dv__ax_bars(dv__fig_axes(f, 0, 1), bx, h, NULL, 2, 0.8, c, NULL);
    double ex[2] = {1, 2}, ey[2] = {1, 3}, ee[2] = {2, NAN};
    dv__ax_errorbar(dv__fig_axes(f, 0, 2), ex, ey, ee, 2, c, DV__MARK_CIRCLE, NULL);
    double lx[4] = {1, 2, 3, 4}, ly[4] = {-1, 0, 0.5, 200};
    dv__axes *lg = dv__fig_axes(f, 0, 3);
    dv__ax_ylog(lg, 1);
    dv__ax_scatter(lg, lx, ly, 4, c, DV__MARK_CIRCLE, 3, 1, NULL);
    /* (1, 1) empty; (1, 2) fixed limits; (1, 3) an image */
    dv__axes *fx = dv__fig_axes(f, 1, 2);
    dv__ax_line(fx, lx, lx, 4, c, 1, DV__DASH_SOLID, NULL);
    dv__ax_xlim(fx, 1.5, 2.5);
    dv__ax_ylim(fx, -3, 0.25);
    double z[4] = {0, 1, 2, 3};
    dv__ax_image(dv__fig_axes(f, 1, 3), z, 2, 2, 0, 1, 10, 20, DV__CMAP_VIRIDIS, 0, 0, "z");
    double e[4] = {-2, -1, 0.5, 1}, cnt[3] = {4, 10, 2};
    dv__ax_hist(dv__fig_axes(f, 1, 0), e, cnt, 3, c, NULL);

    double lim[4];
    CHECK(dv__fig_panel_limits(f, 0, 0, lim) == 0);
    /* x = 2 and 4.1 have no finite y: not data */
    CHECK_MSG(outer_ticks(lim[0], lim[1], 0.3, 3), "x %g %g", lim[0], lim[1]);
    CHECK_MSG(outer_ticks(lim[2], lim[3], 1.2, 7.4), "y %g %g", lim[2], lim[3]);
    dv__fig_panel_limits(f, 0, 1, lim);
    CHECK(lim[2] == 0 && outer_ticks(lim[2], lim[3], 0, 5));
    CHECK(outer_ticks(lim[0], lim[1], -0.4, 1.4));
    dv__fig_panel_limits(f, 0, 2, lim);
    CHECK_MSG(outer_ticks(lim[2], lim[3], -1, 3), "y %g %g", lim[2], lim[3]);
    dv__fig_panel_limits(f, 0, 3, lim);
    CHECK_NEAR(lim[2], 0.1, 1e-15);
    CHECK_NEAR(lim[3], 1000, 1e-12);
    dv__fig_panel_limits(f, 1, 1, lim);
    CHECK(lim[0] == 0 && lim[1] == 1 && lim[2] == 0 && lim[3] == 1);
    dv__fig_panel_limits(f, 1, 2, lim);
    CHECK(lim[0] == 1.5 && lim[1] == 2.5 && lim[2] == -3 && lim[3] == 0.25);
    dv__fig_panel_limits(f, 1, 3, lim);
    CHECK(lim[0] == -0.5 && lim[1] == 1.5 && lim[2] == 5 && lim[3] == 25);
    dv__fig_panel_limits(f, 1, 0, lim);
    CHECK(outer_ticks(lim[0], lim[1], -2, 1) && lim[2] == 0 && outer_ticks(lim[2], lim[3], 0, 10));
    CHECK(dv__fig_panel_limits(f, 2, 0, lim) != 0);
    dv_error err = {0};
    CHECK(dv__fig_save(f, fig_path("auto.png"), 72, &err) == 0);
    dv__fig_free(f);
}

/* ---- figures ---- */

/* The demo: every kind of series, 2 x 2 panels. */
static dv__fig *demo_figure(void)
{
    dv__fig *f = dv__fig_new(490, 380, 2, 2);
    if (!f)
        return NULL;
    dv__fig_title(f, "Figure engine demo");
    enum { N = 60 };
    double x[N], y1[N], y2[N], lo[N], hi[N];
    for (int i = 0; i < N; i++) {
        x[i] = i * 0.1;
        y1[i] = sin(x[i]) * exp(-0.1 * x[i]);
        y2[i] = cos(x[i]) * 0.8;
        lo[i] = y1[i] - 0.15;
        hi[i] = y1[i] + 0.15;
    }
    y2[30] = NAN; /* a break */
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_band(a, x, lo, hi, N, dv__palette(0), 0.25, "band");
    dv__ax_line(a, x, y1, N, dv__palette(0), 1.2, DV__DASH_SOLID, "damped sine");
    dv__ax_line(a, x, y2, N, dv__palette(1), 1.2, DV__DASH_DASHED, "cosine");
    dv__ax_hline(a, 0, dv__palette(7), DV__DASH_DOTTED, NULL);
    dv__ax_title(a, "Lines and a band");
    dv__ax_xlabel(a, "time t (s)");
    dv__ax_ylabel(a, "signal");
    dv__ax_note(a, "n = 60");

    double sx[8], sy[8], se[8], sy2[8];
    for (int i = 0; i < 8; i++) {
        sx[i] = pow(10, 0.5 * i);
        sy[i] = 3 * pow(sx[i], -0.5);
        se[i] = sy[i] * 0.3;
        sy2[i] = 0.5 * pow(sx[i], -0.3);
    }
    a = dv__fig_axes(f, 0, 1);
    dv__ax_xlog(a, 1);
    dv__ax_ylog(a, 1);
    dv__ax_errorbar(a, sx, sy, se, 8, dv__palette(2), DV__MARK_SQUARE, "k^-1/2");
    dv__ax_scatter(a, sx, sy2, 8, dv__palette(4), DV__MARK_TRIANGLE, 4, 0.9, "k^-0.3");
    dv__ax_title(a, "Log-log with error bars");
    dv__ax_xlabel(a, "cardinality k");
    dv__ax_ylabel(a, "marginal contribution");
    dv__ax_legend(a, DV__LEGEND_BEST);

    double edges[21], counts[20];
    for (int i = 0; i <= 20; i++)
        edges[i] = -3 + 0.3 * i;
    for (int i = 0; i < 20; i++) {
        double c = (edges[i] + edges[i + 1]) / 2;
        counts[i] = round(400 * exp(-c * c / 2) * 0.3 / sqrt(2 * M_PI) * 10) / 10;
    }
    a = dv__fig_axes(f, 1, 0);
    dv__ax_hist(a, edges, counts, 20, dv__palette(3), "values");
    dv__ax_vline(a, 0.4, dv__palette(4), DV__DASH_DASHED, "threshold");
    dv__ax_title(a, "Histogram");
    dv__ax_xlabel(a, "value");
    dv__ax_ylabel(a, "count");

    double z[12 * 16];
    for (int j = 0; j < 12; j++)
        for (int i = 0; i < 16; i++)
            z[j * 16 + i] = sin(i * 0.4 + 0.3) * cos(j * 0.5);
    z[5 * 16 + 7] = NAN;
    a = dv__fig_axes(f, 1, 1);
    dv__ax_image(a, z, 16, 12, 0, 15, 1, 12, DV__CMAP_DIVERGING, -1, 1, "correlation");
    dv__ax_title(a, "Heat map");
    dv__ax_xlabel(a, "column");
    dv__ax_ylabel(a, "row");
    return f;
}

static void test_demo_png(void)
{
    dv__fig *f = demo_figure();
    CHECK(f != NULL);
    if (!f)
        return;
    dv_error err = {0};
    const char *p = fig_path("demo.png");
    CHECK_MSG(dv__fig_save(f, p, 150, &err) == 0, "%s", err.msg);
    image im = read_png(p);
    CHECK(im.rgb != NULL);
    if (im.rgb) {
        CHECK_EQ_INT(im.w, (int)lround(490.0 / 72 * 150));
        CHECK_EQ_INT(im.h, (int)lround(380.0 / 72 * 150));
        CHECK(variance(&im, 0, 0, 0, 0) > 100);
        /* each panel has ink inside its plotting rectangle */
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++) {
                double rc[4];
                CHECK(dv__fig_panel_rect(f, r, c, 150, rc) == 0);
                CHECK(rc[0] > 0 && rc[1] > 0 && rc[0] + rc[2] < im.w && rc[1] + rc[3] < im.h);
                double v = variance(&im, (int)rc[0] + 2, (int)rc[1] + 2, (int)rc[2] - 4,
                                    (int)rc[3] - 4);
                CHECK_MSG(v > 50, "panel %d %d: variance %g", r, c, v);
                /* the corner outside the plot, at the figure's edge, is white */
                CHECK(cdiff(px(&im, c * im.w / 2 + 1, im.h - 2), 0xffffff) == 0);
            }
    }
    free(im.rgb);
    const char *demo = getenv("DV_FIG_DEMO");
    if (demo) {
        CHECK_MSG(dv__fig_save(f, demo, 200, &err) == 0, "%s", err.msg);
    }
    /* at the default dpi */
    CHECK(dv__fig_save(f, p, 0, &err) == 0);
    im = read_png(p);
    CHECK(im.rgb && im.w == (int)lround(490.0 / 72 * 200) && im.h == (int)lround(380.0 / 72 * 200));
    free(im.rgb);
    dv__fig_free(f);
}

/* Every series kind and option on its own panel, each drawn with ink. */
static void test_every_series(void)
{
    dv__fig *f = dv__fig_new(560, 400, 3, 4);
    if (!f) {
        CHECK(f != NULL);
        return;
    }
    double x[6] = {0, 1, 2, 3, 4, 5}, y[6] = {1, 3, 2, 5, 4, 6}, e[6] = {.5, .5, 1, .2, .3, .4};
    double lo[6], hi[6], edges[7] = {0, 1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 6; i++)
        lo[i] = y[i] - 1, hi[i] = y[i] + 1;
    dv__ax_line(dv__fig_axes(f, 0, 0), x, y, 6, dv__palette(0), 1.2, DV__DASH_DASHDOT, "l");
    for (int m = 0; m < 5; m++)
        dv__ax_scatter(dv__fig_axes(f, 0, 1), x, y, 6, dv__palette(m), (dv__marker)m, 4, 0.8,
                       "s");
    dv__ax_errorbar(dv__fig_axes(f, 0, 2), x, y, e, 6, dv__palette(2), DV__MARK_DIAMOND, "e");
    dv__ax_band(dv__fig_axes(f, 0, 3), x, lo, hi, 6, dv__palette(3), 0.3, "b");
    dv__ax_hist(dv__fig_axes(f, 1, 0), edges, y, 6, dv__palette(4), "h");
    const char *names[3] = {"alpha", "beta", "a long category"};
    dv__axes *a = dv__fig_axes(f, 1, 1);
    double bx0[3] = {-0.2, 0.8, 1.8}, bx1[3] = {0.2, 1.2, 2.2};
    dv__ax_bars(a, bx0, y, e, 3, 0.4, dv__palette(0), "g1");
    dv__ax_bars(a, bx1, y + 3, NULL, 3, 0.4, dv__palette(1), "g2");
    dv__ax_xcategories(a, names, 3);
    dv__ax_legend(a, DV__LEGEND_RIGHT);
    dv__ax_hline(dv__fig_axes(f, 1, 2), 0.5, dv__palette(5), DV__DASH_DOTTED, "h");
    dv__ax_vline(dv__fig_axes(f, 1, 2), 0.5, dv__palette(6), DV__DASH_SOLID, "v");
    double z[6] = {1, 2, 3, 4, 5, NAN};
    dv__ax_image(dv__fig_axes(f, 1, 3), z, 3, 2, 0, 2, 0, 1, DV__CMAP_VIRIDIS, 0, 0, NULL);
    a = dv__fig_axes(f, 2, 0);
    dv__ax_xlog(a, 1);
    dv__ax_line(a, y, x, 6, dv__palette(1), 1, DV__DASH_DOTTED, NULL);
    dv__ax_legend(dv__fig_axes(f, 2, 1), DV__LEGEND_NW);
    dv__ax_line(dv__fig_axes(f, 2, 1), x, y, 6, dv__palette(1), 1, DV__DASH_SOLID, "x");
    dv__ax_legend(dv__fig_axes(f, 2, 2), DV__LEGEND_SE);
    dv__ax_scatter(dv__fig_axes(f, 2, 2), x, y, 6, dv__palette(2), DV__MARK_CROSS, 5, 1, "x");
    dv__ax_legend(dv__fig_axes(f, 2, 3), DV__LEGEND_SW);
    dv__ax_line(dv__fig_axes(f, 2, 3), x, y, 6, dv__palette(1), 1, DV__DASH_SOLID, "x");
    CHECK(dv__fig_axes(f, 3, 0) == NULL && dv__fig_axes(f, 0, -1) == NULL);
    dv__ax_line(NULL, x, y, 6, dv__palette(1), 1, DV__DASH_SOLID, "x"); /* ignored */
    dv_error err = {0};
    const char *p = fig_path("every.png");
    CHECK_MSG(dv__fig_save(f, p, 120, &err) == 0, "%s", err.msg);
    const char *demo = getenv("DV_FIG_DEMO");
    if (demo) {
        char q[600];
        snprintf(q, sizeof q, "%s.every.png", demo);
        CHECK(dv__fig_save(f, q, 200, &err) == 0);
    }
    image im = read_png(p);
    CHECK(im.rgb != NULL);
    if (im.rgb) {
        CHECK_EQ_INT(im.w, (int)lround(560.0 / 72 * 120));
        CHECK_EQ_INT(im.h, (int)lround(400.0 / 72 * 120));
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++) {
                double rc[4];
                dv__fig_panel_rect(f, r, c, 120, rc);
                double v = variance(&im, (int)rc[0] + 2, (int)rc[1] + 2, (int)rc[2] - 4,
                                    (int)rc[3] - 4);
                CHECK_MSG(v > 20, "panel %d %d: variance %g", r, c, v);
            }
    }
    free(im.rgb);
    dv__fig_free(f);
}

/* A 2 x 2 heat map at fixed colour limits: the centre of each cell has the
 * colour of its value (viridis at 0, 1/3, 2/3, 1), and a row of pixels
 * through the cells has only the two cell colours (one raster, no seams). */
static void test_heatmap_pixels(void)
{
    dv__fig *f = dv__fig_new(300, 200, 1, 2);
    if (!f) {
        CHECK(f != NULL);
        return;
    }
    double z[4] = {0, 1, 2, 3}, zd[4] = {-1, 1, NAN, 0};
    dv__ax_image(dv__fig_axes(f, 0, 0), z, 2, 2, 0, 1, 0, 1, DV__CMAP_VIRIDIS, 0, 3, "v");
    dv__ax_image(dv__fig_axes(f, 0, 1), zd, 2, 2, 0, 1, 0, 1, DV__CMAP_DIVERGING, -1, 1, NULL);
    dv_error err = {0};
    const char *p = fig_path("heat.png");
    CHECK_MSG(dv__fig_save(f, p, 144, &err) == 0, "%s", err.msg);
    image im = read_png(p);
    CHECK(im.rgb != NULL);
    if (!im.rgb) {
        dv__fig_free(f);
        return;
    }
    double rc[4];
    dv__fig_panel_rect(f, 0, 0, 144, rc);
    static const unsigned want[4] = {0x440154, 0x31688e, 0x35b779, 0xfde725};
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
            double cx = rc[0] + (i + 0.5) / 2 * rc[2], cy = rc[1] + rc[3] - (j + 0.5) / 2 * rc[3];
            const unsigned char *q = px(&im, cx, cy);
            CHECK_MSG(cdiff(q, want[j * 2 + i]) <= 10, "cell %d %d: %02x%02x%02x, want %06x", i,
                      j, q[0], q[1], q[2], want[j * 2 + i]);
        }
    int bad = 0;
    double yrow = rc[1] + rc[3] * 0.75;
    for (int x = (int)rc[0] + 2; x < (int)(rc[0] + rc[2]) - 2; x++) {
        const unsigned char *q = px(&im, x, yrow);
        bad += cdiff(q, want[0]) > 10 && cdiff(q, want[1]) > 10;
    }
    CHECK_MSG(bad == 0, "%d pixels in the bottom row are neither cell colour", bad);
    /* diverging: -1 blue, 1 vermillion, 0 white; the NaN cell shows the white page
     * (sampled off the cell centre, where a grid line may show through) */
    dv__fig_panel_rect(f, 0, 1, 144, rc);
    static const unsigned wd[4] = {0x0072b2, 0xd55e00, 0xffffff, 0xffffff};
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
            double cx = rc[0] + (i + 0.5) / 2 * rc[2] + 4;
            double cy = rc[1] + rc[3] - (j + 0.5) / 2 * rc[3] + 4;
            const unsigned char *q = px(&im, cx, cy);
            CHECK_MSG(cdiff(q, wd[j * 2 + i]) <= 10, "cell %d %d: %02x%02x%02x, want %06x", i, j,
                      q[0], q[1], q[2], wd[j * 2 + i]);
        }
    free(im.rgb);
    dv__fig_free(f);
}

/* A horizontal line at fixed limits crosses the panel at its middle. */
static void test_line_pixels(void)
{
    dv__fig *f = dv__fig_new(200, 150, 1, 1);
    if (!f) {
        CHECK(f != NULL);
        return;
    }
    dv__axes *a = dv__fig_axes(f, 0, 0);
    double x[2] = {0, 1}, y[2] = {0.5, 0.5};
    dv__ax_line(a, x, y, 2, dv__palette(3), 3, DV__DASH_SOLID, NULL); /* 0072B2 */
    dv__ax_xlim(a, 0, 1);
    dv__ax_ylim(a, 0, 1);
    dv__ax_legend(a, DV__LEGEND_NONE);
    dv_error err = {0};
    const char *p = fig_path("line.png");
    CHECK(dv__fig_save(f, p, 144, &err) == 0);
    image im = read_png(p);
    double rc[4];
    dv__fig_panel_rect(f, 0, 0, 144, rc);
    if (im.rgb) {
        for (int k = 1; k < 8; k++) {
            const unsigned char *q = px(&im, rc[0] + rc[2] * k / 8.0, rc[1] + rc[3] / 2);
            CHECK_MSG(cdiff(q, 0x0072b2) <= 8, "%02x%02x%02x", q[0], q[1], q[2]);
            /* a quarter above: background (white or the light grid) */
            q = px(&im, rc[0] + rc[2] * k / 8.0 + 3, rc[1] + rc[3] * 0.3);
            CHECK(q[0] > 200 && q[1] > 200 && q[2] > 200);
        }
    }
    CHECK(im.rgb != NULL);
    free(im.rgb);
    dv__fig_free(f);
}

static int count_elements(xmlNode *n, int *paths, int *images)
{
    int c = 0;
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            c++;
            *paths += strcmp((const char *)n->name, "path") == 0;
            *images += strcmp((const char *)n->name, "image") == 0;
        }
        c += count_elements(n->children, paths, images);
    }
    return c;
}

static void test_svg_pdf(void)
{
    dv__fig *f = demo_figure();
    if (!f) {
        CHECK(f != NULL);
        return;
    }
    dv_error err = {0};
    const char *svg = fig_path("demo.svg"), *svg2 = fig_path("demo2.SVG");
    CHECK_MSG(dv__fig_save(f, svg, 0, &err) == 0, "%s", err.msg);
    xmlDoc *doc = xmlReadFile(svg, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    CHECK(doc != NULL);
    if (doc) {
        xmlNode *root = xmlDocGetRootElement(doc);
        CHECK(root && strcmp((const char *)root->name, "svg") == 0);
        int paths = 0, images = 0;
        count_elements(root, &paths, &images);
        CHECK(paths >= 1);
        CHECK(images >= 1); /* the heat map and the colour bar are rasters */
        xmlFreeDoc(doc);
    }
    /* same figure, same bytes */
    CHECK(dv__fig_save(f, svg2, 0, &err) == 0);
    size_t n1, n2;
    unsigned char *b1 = slurp(svg, &n1), *b2 = slurp(svg2, &n2);
    CHECK(b1 && b2 && n1 == n2 && n1 > 0 && memcmp(b1, b2, n1) == 0);
    free(b1);
    free(b2);
    const char *pdf = fig_path("demo.Pdf");
    CHECK_MSG(dv__fig_save(f, pdf, 0, &err) == 0, "%s", err.msg);
    b1 = slurp(pdf, &n1);
    CHECK(b1 && n1 > 100 && memcmp(b1, "%PDF-", 5) == 0);
    free(b1);
    dv__fig_free(f);
}

static void test_png_repeat(void)
{
    dv__fig *f = demo_figure();
    if (!f) {
        CHECK(f != NULL);
        return;
    }
    const char *p1 = fig_path("r1.png"), *p2 = fig_path("r2.PNG");
    CHECK(dv__fig_save(f, p1, 100, NULL) == 0);
    CHECK(dv__fig_save(f, p2, 100, NULL) == 0);
    size_t n1, n2;
    unsigned char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
    CHECK(b1 && b2 && n1 == n2 && n1 > 0 && memcmp(b1, b2, n1) == 0);
    CHECK(n1 > 8 && memcmp(b1, "\x89PNG", 4) == 0);
    free(b1);
    free(b2);
    dv__fig_free(f);
}

static void test_save_errors(void)
{
    dv__fig *f = dv__fig_new(100, 80, 1, 1);
    if (!f) {
        CHECK(f != NULL);
        return;
    }
    double x[2] = {0, 1};
    dv__ax_line(dv__fig_axes(f, 0, 0), x, x, 2, dv__palette(0), 1, DV__DASH_SOLID, NULL);
    dv_error err = {0};
    size_t n;
    unsigned char *b;
    /* an unknown extension: refused, the existing file kept */
    const char *jpg = fig_path("keep.jpg");
    spit(jpg, "keep");
    CHECK(dv__fig_save(f, jpg, 0, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, jpg) != NULL && strstr(err.msg, ".png") != NULL);
    b = slurp(jpg, &n);
    CHECK(b && n == 4 && memcmp(b, "keep", 4) == 0);
    free(b);
    memset(&err, 0, sizeof err);
    CHECK(dv__fig_save(f, fig_path("noext"), 0, &err) == DV_EINVAL);
    CHECK(dv__fig_save(f, fig_path("a.png/"), 0, &err) != 0);
    /* a directory that does not exist */
    memset(&err, 0, sizeof err);
    const char *missing = fig_path("no/such/dir/f.png");
    CHECK(dv__fig_save(f, missing, 0, &err) == DV_EIO);
    CHECK(strstr(err.msg, missing) != NULL && strstr(err.msg, "No such file") != NULL);
    /* the target is a directory: the rename fails, the directory stays */
    const char *d = fig_path("isdir.png");
    mkdir(d, 0755);
    memset(&err, 0, sizeof err);
    CHECK(dv__fig_save(f, d, 0, &err) == DV_EIO);
    CHECK(strstr(err.msg, d) != NULL);
    struct stat st;
    CHECK(stat(d, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(d);
    /* a read-only directory (root writes anyway, so only as a user) */
    if (geteuid() != 0) {
        const char *ro = fig_path("ro");
        mkdir(ro, 0755);
        char fp[600];
        snprintf(fp, sizeof fp, "%s/f.svg", ro);
        spit(fp, "old");
        chmod(ro, 0555);
        memset(&err, 0, sizeof err);
        CHECK(dv__fig_save(f, fp, 0, &err) == DV_EIO);
        CHECK(strstr(err.msg, fp) != NULL && strstr(err.msg, "ermission") != NULL);
        b = slurp(fp, &n);
        CHECK(b && n == 3 && memcmp(b, "old", 3) == 0);
        free(b);
        chmod(ro, 0755);
        remove(fp);
        rmdir(ro);
    }
    CHECK(dv__fig_save(NULL, fig_path("x.png"), 0, &err) == DV_EINVAL);
    CHECK(dv__fig_save(f, fig_path("x.png"), -5, &err) == DV_EINVAL);
    /* nothing left behind but what we made */
    dv__fig_free(f);
}

static void test_colors(void)
{
    static const unsigned oi[8] = {0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2,
                                   0xD55E00, 0xCC79A7, 0xF0E442, 0x000000};
    for (int i = 0; i < 16; i++) {
        dv__rgb c = dv__palette(i);
        unsigned v = oi[i % 8];
        CHECK_NEAR(c.r * 255, (v >> 16) & 255, 1e-9);
        CHECK_NEAR(c.g * 255, (v >> 8) & 255, 1e-9);
        CHECK_NEAR(c.b * 255, v & 255, 1e-9);
    }
    dv__rgb c = dv__cmap_color(DV__CMAP_VIRIDIS, 0);
    CHECK_NEAR(c.r, 0x44 / 255.0, 1e-9);
    c = dv__cmap_color(DV__CMAP_VIRIDIS, 7); /* clamped */
    CHECK_NEAR(c.g, 0xe7 / 255.0, 1e-9);
    c = dv__cmap_color(DV__CMAP_DIVERGING, 0.5);
    CHECK(c.r == 1 && c.g == 1 && c.b == 1);
    c = dv__cmap_color(DV__CMAP_DIVERGING, NAN);
    CHECK(c.r == 0.5 && c.g == 0.5 && c.b == 0.5);
    /* viridis brightens monotonically */
    double prev = -1;
    for (int i = 0; i <= 100; i++) {
        c = dv__cmap_color(DV__CMAP_VIRIDIS, i / 100.0);
        double l = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
        CHECK(l > prev);
        prev = l;
    }
}

int main(void)
{
    if (!fig_dir_open("plot"))
        return 1;
    RUN(test_nice_ticks_oracle);
    RUN(test_nice_ticks_table);
    RUN(test_tick_labels);
    RUN(test_colors);
    RUN(test_autoscale);
    RUN(test_demo_png);
    RUN(test_every_series);
    RUN(test_heatmap_pixels);
    RUN(test_line_pixels);
    RUN(test_svg_pdf);
    RUN(test_png_repeat);
    RUN(test_save_errors);
    return fig_dir_close(CHECK_DONE());
}
