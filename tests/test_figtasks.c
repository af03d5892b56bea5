/*
 * test_figtasks.c -- the figures of the evaluation tasks: each writes a PNG
 * of exactly the requested size that is not blank, an SVG that parses, a
 * PDF, and a data CSV holding the numbers drawn, checked against values
 * computed here independently (a brute-force recount for the noisy-label
 * curves; the inputs for removal, addition and the map).  Bad arguments
 * fail with DV_EINVAL naming them, an unwritable data path with DV_EIO,
 * and a failure leaves an existing figure untouched.
 */
#include "check.h"
#include "dval_plot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figcheck.h"

/* The CSV's lines (header first), split at commas. */
typedef struct {
    size_t n;
    char *text;
    char **line;
} csv;

static int csv_read(csv *c, const char *path)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    c->text = calloc((size_t)len + 1, 1);
    if (fread(c->text, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    c->line = malloc(((size_t)len + 1) * sizeof *c->line);
    for (char *p = c->text; *p;) {
        char *e = strchr(p, '\n');
        if (!e)
            return -1; /* every line ends with a newline */
        *e = '\0';
        c->line[c->n++] = p;
        p = e + 1;
    }
    return 0;
}

static void csv_free(csv *c)
{
    free(c->text);
    free(c->line);
}

/* Splits row r (from 1) into up to max fields; returns the count. */
static size_t fields(csv *c, size_t r, char **f, size_t max)
{
    size_t n = 0;
    char *p = c->line[r];
    while (n < max) {
        f[n++] = p;
        char *e = strchr(p, ',');
        if (!e)
            break;
        *e = '\0';
        p = e + 1;
    }
    return n;
}

static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return (*s && !*end) ? v : -12345.678;
}

static int file_is(const char *path, const char *content)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[64] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return n == strlen(content) && memcmp(buf, content, n) == 0;
}

static void write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    fputs(content, f);
    fclose(f);
}

/* ------------------------------------------------------------------------ */

/* Three methods over 13 points, with ties. */
#define NN 13
static const unsigned char NOISY[NN] = {1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0};
static const double VALS[3 * NN] = {
    /* a: finds the noisy points first */
    -3, 1, 2, -2, 0.5, 3, 4, -1, 5, 6, -4, 7, 8,
    /* b: ties everywhere: the order is by point index */
    0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* c: the reverse */
    9, -1, -2, 8, -3, -4, -5, 7, -6, -7, 6, -8, -9};
static const char *const NOISY_NAMES[3] = {"a", "b (ties)", "c"};

static void test_noisy(void)
{
    dv_plot_opts o = {3, 2, 100, NULL};
    dv_error err = {0};
    const char *png = fig_path("noisy.png"), *data = fig_path("noisy.csv");
    CHECK_EQ_INT(dv_plot_noisy(png, data, &o, NN, NOISY, 3, NOISY_NAMES, VALS, &err), DV_OK);
    check_png(png, 300, 200);
    CHECK_EQ_INT(dv_plot_noisy(fig_path("noisy.svg"), NULL, NULL, NN, NOISY, 3, NOISY_NAMES, VALS, &err),
                 DV_OK);
    check_svg(fig_path("noisy.svg"));
    CHECK_EQ_INT(dv_plot_noisy(fig_path("noisy.pdf"), NULL, NULL, NN, NOISY, 1, NOISY_NAMES, VALS, &err),
                 DV_OK);
    check_pdf(fig_path("noisy.pdf"));
    /* default size: 3.4 x 2.6 in at 200 dpi */
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, NULL, NN, NOISY, 3, NOISY_NAMES, VALS, &err), DV_OK);
    check_png(png, 680, 520);

    csv c;
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n >= 1 && strcmp(c.line[0], "method,inspected,found") == 0);
    /* references (3 + 2 rows), then n + 1 rows per method */
    CHECK_EQ_INT(c.n, 1 + 5 + 3 * (NN + 1));
    size_t nn = 0;
    for (size_t i = 0; i < NN; i++)
        nn += NOISY[i];
    char *f[4];
    if (c.n == 1 + 5 + 3 * (NN + 1)) {
        CHECK(fields(&c, 2, f, 4) == 3 && strcmp(f[0], "optimal") == 0 &&
              num(f[1]) == (double)nn / NN && num(f[2]) == 1);
        CHECK(fields(&c, 4, f, 4) == 3 && strcmp(f[0], "chance") == 0 && num(f[1]) == 0 &&
              num(f[2]) == 0);
        for (size_t m = 0; m < 3; m++)
            for (size_t j = 0; j <= NN; j++) {
                /* brute force: point i is among the j lowest when fewer than
                 * j points come before it (lower value, or equal and lower
                 * index) */
                size_t found = 0;
                for (size_t i = 0; i < NN; i++) {
                    size_t before = 0;
                    for (size_t k = 0; k < NN; k++)
                        before += VALS[m * NN + k] < VALS[m * NN + i] ||
                                  (VALS[m * NN + k] == VALS[m * NN + i] && k < i);
                    found += NOISY[i] && before < j;
                }
                size_t r = 6 + m * (NN + 1) + j;
                size_t nf = fields(&c, r, f, 4);
                CHECK_MSG(nf == 3 && strcmp(f[0], NOISY_NAMES[m]) == 0 &&
                              num(f[1]) == (double)j / NN && num(f[2]) == (double)found / (double)nn,
                          "method %zu, j = %zu: row '%s,%s,%s', expected found %zu of %zu", m, j,
                          f[0], nf > 1 ? f[1] : "", nf > 2 ? f[2] : "", found, nn);
            }
        /* method a finds all four noisy points in its four lowest */
        fields(&c, 6 + 4, f, 4);
        CHECK(num(f[2]) == 1);
    }
    csv_free(&c);
}

static void test_noisy_errors(void)
{
    dv_error err = {0};
    const char *png = fig_path("keep.png");
    write_file(png, "keep");
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, NULL, 0, NOISY, 3, NOISY_NAMES, VALS, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "n is 0") != NULL);
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, NULL, NN, NULL, 3, NOISY_NAMES, VALS, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "is_noisy") != NULL);
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, NULL, NN, NOISY, 3, NULL, VALS, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "names") != NULL);
    CHECK_EQ_INT(dv_plot_noisy(NULL, NULL, NULL, NN, NOISY, 3, NOISY_NAMES, VALS, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "path") != NULL);
    double v[NN];
    memcpy(v, VALS, sizeof v);
    v[4] = NAN;
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, NULL, NN, NOISY, 1, NOISY_NAMES, v, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "values of 'a'") && strstr(err.msg, "point 4"));
    unsigned char none[NN] = {0};
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, NULL, NN, none, 1, NOISY_NAMES, VALS, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "no point") != NULL);
    dv_plot_opts bad = {-1, 0, 0, NULL};
    CHECK_EQ_INT(dv_plot_noisy(png, NULL, &bad, NN, NOISY, 1, NOISY_NAMES, VALS, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "width") != NULL);
    /* an unwritable data path: DV_EIO naming it; the figure is untouched */
    CHECK_EQ_INT(dv_plot_noisy(png, "/nonexistent/d.csv", NULL, NN, NOISY, 1, NOISY_NAMES, VALS,
                               &err),
                 DV_EIO);
    CHECK(strstr(err.msg, "/nonexistent/d.csv") != NULL);
    CHECK(file_is(png, "keep"));
    /* a failed figure (unknown extension) writes no data CSV */
    const char *data = fig_path("nodata.csv");
    CHECK(dv_plot_noisy(fig_path("x.jpg"), data, NULL, NN, NOISY, 1, NOISY_NAMES, VALS, &err) != DV_OK);
    CHECK(access(fig_path("x.jpg"), F_OK) != 0);
    CHECK(access(data, F_OK) != 0);
    /* unwritable figure path: the existing data file is untouched */
    write_file(data, "keep");
    CHECK(dv_plot_noisy("/nonexistent/x.png", data, NULL, NN, NOISY, 1, NOISY_NAMES, VALS, &err) !=
          DV_OK);
    CHECK(strstr(err.msg, "/nonexistent/x.png") != NULL);
    CHECK(file_is(data, "keep"));
    CHECK(file_is(png, "keep"));
}

static void test_removal(void)
{
    enum { S = 6, M = 2 };
    const double frac[S] = {0, 0.1, 0.2, 0.3, 0.4, 0.5};
    const double hi[M * S] = {0.82, 0.8, 0.77, 0.71, 0.66, 0.6, 0.82, 0.81, 0.79, 0.78, 0.74, 0.7};
    const double lo[M * S] = {0.82, 0.83, 0.835, 0.84, 0.83, 0.81, 0.82, 0.82, 0.81, 0.8, 0.79, 0.78};
    const char *names[M] = {"knn", "loo"};
    dv_plot_opts o = {3, 2, 100, NULL};
    dv_error err = {0};
    const char *data = fig_path("removal.csv");
    CHECK_EQ_INT(dv_plot_removal(fig_path("removal.png"), data, &o, S, frac, M, names, hi, lo,
                                 "test accuracy", 0.75, &err),
                 DV_OK);
    check_png(fig_path("removal.png"), 300, 200);
    CHECK_EQ_INT(dv_plot_removal(fig_path("removal.svg"), NULL, NULL, S, frac, M, names, hi, lo, NULL,
                                 NAN, &err),
                 DV_OK);
    check_svg(fig_path("removal.svg"));
    csv c;
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n >= 1 && strcmp(c.line[0], "method,order,fraction,metric") == 0);
    /* the majority-class reference first: two points at 0.75 across the fractions */
    CHECK_EQ_INT(c.n, 1 + 2 + M * 2 * S);
    if (c.n == 1 + 2 + M * 2 * S) {
        for (size_t r = 1; r <= 2; r++) {
            char *f[5];
            size_t nf = fields(&c, r, f, 5);
            CHECK_MSG(nf == 4 && strcmp(f[0], "majority class") == 0 &&
                          strcmp(f[1], "reference") == 0 &&
                          num(f[2]) == (r == 1 ? frac[0] : frac[S - 1]) && num(f[3]) == 0.75,
                      "reference row %zu", r);
        }
        size_t r = 3;
        for (size_t m = 0; m < M; m++)
            for (int o2 = 0; o2 < 2; o2++)
                for (size_t j = 0; j < S; j++, r++) {
                    char *f[5];
                    size_t nf = fields(&c, r, f, 5);
                    double want = (o2 ? lo : hi)[m * S + j];
                    CHECK_MSG(nf == 4 && strcmp(f[0], names[m]) == 0 &&
                                  strcmp(f[1], o2 ? "low" : "high") == 0 && num(f[2]) == frac[j] &&
                                  num(f[3]) == want,
                              "row %zu", r);
                }
    }
    csv_free(&c);
    double bf[S];
    memcpy(bf, frac, sizeof bf);
    bf[2] = 1.5;
    CHECK_EQ_INT(dv_plot_removal(fig_path("r.png"), NULL, NULL, S, bf, M, names, hi, lo, NULL, NAN, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "fraction[2]") != NULL);
    double bh[M * S];
    memcpy(bh, hi, sizeof bh);
    bh[7] = INFINITY;
    CHECK_EQ_INT(dv_plot_removal(fig_path("r.png"), NULL, NULL, S, frac, M, names, bh, lo, NULL, NAN, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "high[7]") && strstr(err.msg, "'loo'"));
    CHECK_EQ_INT(dv_plot_removal(fig_path("r.png"), NULL, NULL, 0, frac, M, names, hi, lo, NULL, NAN, &err),
                 DV_EINVAL);
    CHECK_EQ_INT(dv_plot_removal(fig_path("r.png"), NULL, NULL, S, frac, M, names, hi, NULL, NULL, NAN, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "low") != NULL);
    CHECK(access(fig_path("r.png"), F_OK) != 0);
}

static void test_addition(void)
{
    enum { NS = 3, K = 3 };
    const int64_t sizes[NS] = {50, 100, 400};
    const char *sc[K] = {"law", "mc_mean", "random"};
    const double mean[K * NS] = {0.012, 0.006, 0.001, 0.010, 0.004, -0.001, 0.002, -0.003, 0.0};
    const double se[K * NS] = {0.002, 0.0015, 0.001, 0.002, 0.001, 0.001, 0.002, 0.001, 0.0005};
    dv_plot_opts o = {3, 2, 100, NULL};
    dv_error err = {0};
    const char *data = fig_path("addition.csv");
    CHECK_EQ_INT(dv_plot_addition(fig_path("addition.png"), data, &o, NS, sizes, K, sc, mean, se, &err),
                 DV_OK);
    check_png(fig_path("addition.png"), 300, 200);
    CHECK_EQ_INT(dv_plot_addition(fig_path("addition.svg"), NULL, NULL, NS, sizes, K, sc, mean, NULL,
                                  &err),
                 DV_OK);
    check_svg(fig_path("addition.svg"));
    csv c;
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n >= 1 && strcmp(c.line[0], "base_size,scores,gain,stderr") == 0);
    CHECK_EQ_INT(c.n, 1 + K * NS);
    if (c.n == 1 + K * NS)
        for (size_t k = 0, r = 1; k < K; k++)
            for (size_t s = 0; s < NS; s++, r++) {
                char *f[5];
                size_t nf = fields(&c, r, f, 5);
                CHECK_MSG(nf == 4 && num(f[0]) == (double)sizes[s] && strcmp(f[1], sc[k]) == 0 &&
                              num(f[2]) == mean[k * NS + s] && num(f[3]) == se[k * NS + s],
                          "row %zu", r);
            }
    csv_free(&c);
    /* without standard errors the column is empty */
    CHECK_EQ_INT(dv_plot_addition(fig_path("addition.png"), data, NULL, NS, sizes, K, sc, mean, NULL,
                                  &err),
                 DV_OK);
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n == 1 + K * NS && strcmp(c.line[1], "50,law,0.012,") == 0);
    csv_free(&c);
    double bse[K * NS];
    memcpy(bse, se, sizeof bse);
    bse[4] = -1;
    CHECK_EQ_INT(dv_plot_addition(fig_path("a.png"), NULL, NULL, NS, sizes, K, sc, mean, bse, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "se[4]") != NULL);
    double bm[K * NS];
    memcpy(bm, mean, sizeof bm);
    bm[8] = NAN;
    CHECK_EQ_INT(dv_plot_addition(fig_path("a.png"), NULL, NULL, NS, sizes, K, sc, bm, se, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "mean[8]") && strstr(err.msg, "random"));
    const char *bsc[K] = {"law", NULL, "random"};
    CHECK_EQ_INT(dv_plot_addition(fig_path("a.png"), NULL, NULL, NS, sizes, K, bsc, mean, se, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "scorers[1]") != NULL);
    CHECK(access(fig_path("a.png"), F_OK) != 0);
}

static void test_map(void)
{
    enum { NX = 4, NY = 3 };
    /* row 0 at y = -1; both signs: the diverging map */
    double z[NX * NY] = {-1, -0.5, 0, 0.5, -0.2, NAN, 0.4, 1, 0, 0.3, 0.6, 0.9};
    double px[4] = {0.2, 1.5, 2.5, 2.9}, py[4] = {-0.8, 0.1, 0.5, -0.2};
    int cls[4] = {0, 1, 1, 0};
    size_t clen[2] = {2, 3};
    double cx[5] = {0, 3, 0, 1.5, 3}, cy[5] = {-1, 1, 1, 0, -1};
    dv_map m = {NX, NY, 0, 3, -1, 1, z, "value", "feature 1", "feature 2",
                4, px, py, cls, 2, clen, cx, cy, NULL, NULL, 0, NULL};
    dv_plot_opts o = {3, 2, 100, NULL};
    dv_error err = {0};
    const char *data = fig_path("map.csv");
    CHECK_EQ_INT(dv_plot_map(fig_path("map.png"), data, &o, &m, &err), DV_OK);
    check_png(fig_path("map.png"), 300, 200);
    CHECK_EQ_INT(dv_plot_map(fig_path("map.svg"), NULL, NULL, &m, &err), DV_OK);
    check_svg(fig_path("map.svg"));
    csv c;
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n >= 1 && strcmp(c.line[0], "x,y,value") == 0);
    CHECK_EQ_INT(c.n, 1 + NX * NY);
    if (c.n == 1 + NX * NY)
        for (size_t r = 0, row = 1; r < NY; r++)
            for (size_t k = 0; k < NX; k++, row++) {
                char *f[4];
                size_t nf = fields(&c, row, f, 4);
                double want = z[r * NX + k], got = nf == 3 ? num(f[2]) : 0;
                CHECK_MSG(nf == 3 && num(f[0]) == (double)k && num(f[1]) == -1.0 + (double)r &&
                              (isnan(want) ? isnan(got) : got == want),
                          "row %zu: %s", row, c.line[row]);
            }
    csv_free(&c);
    /* non-negative values (viridis), no points or curves */
    for (size_t i = 0; i < NX * NY; i++)
        z[i] = (double)i;
    dv_map m2 = {NX, NY, 0, 3, -1, 1, z, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL};
    CHECK_EQ_INT(dv_plot_map(fig_path("map2.png"), NULL, &o, &m2, &err), DV_OK);
    check_png(fig_path("map2.png"), 300, 200);

    dv_map b = m2;
    b.nx = 1;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &b, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "nx") != NULL);
    b = m2;
    b.x1 = b.x0;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &b, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "x0") != NULL);
    b = m2;
    b.n_points = 2;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &b, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "px") != NULL);
    z[3] = INFINITY;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &m2, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "z[3]") != NULL);
    for (size_t i = 0; i < NX * NY; i++)
        z[i] = NAN;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &m2, &err), DV_EINVAL);
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, NULL, &err), DV_EINVAL);
    CHECK(access(fig_path("b.png"), F_OK) != 0);
    /* curve groups: a NaN vertex breaks a curve; a group out of range is named */
    for (size_t i = 0; i < NX * NY; i++)
        z[i] = (double)i;
    double gx[7] = {0, 1, NAN, 2, 3, 0, 3}, gy[7] = {-1, 0, NAN, 0, 1, 1, -1};
    size_t glen[2] = {5, 2};
    int grp[2] = {0, 2};
    const char *gname[3] = {"truth", "model", "other"};
    dv_map g = m2;
    g.n_curves = 2, g.curve_len = glen, g.cx = gx, g.cy = gy;
    g.curve_group = grp, g.group_names = gname, g.n_groups = 3;
    CHECK_EQ_INT(dv_plot_map(fig_path("groups.png"), NULL, &o, &g, &err), DV_OK);
    check_png(fig_path("groups.png"), 300, 200);
    grp[1] = 3;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &g, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "group 3") != NULL);
    gx[0] = INFINITY;
    grp[1] = 1;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &g, &err), DV_EINVAL);
    /* points sized by a value; a size out of range is named */
    double ps[4] = {1, 3, 8, 12};
    dv_map sized = m;
    sized.z = z;
    sized.psize = ps;
    CHECK_EQ_INT(dv_plot_map(fig_path("sized.png"), NULL, &o, &sized, &err), DV_OK);
    check_png(fig_path("sized.png"), 300, 200);
    ps[2] = 40;
    CHECK_EQ_INT(dv_plot_map(fig_path("b.png"), NULL, NULL, &sized, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "psize[2]") != NULL);
}

/* The pairs figure: its data are every pair once, with the input's values;
 * a bad order or a non-finite value is refused. */
static void test_pairs(void)
{
    enum { M = 5 };
    double pv[M * M], px[M], py[M], ax[20], ay[20];
    int acls[20];
    for (size_t a = 0; a < M; a++) {
        px[a] = (double)a;
        py[a] = (double)(a * a) / 4;
        for (size_t b = 0; b < M; b++)
            pv[a * M + b] = a == b ? 9 : 1.0 / (1.0 + (double)(a + b));
    }
    for (size_t i = 0; i < 20; i++) {
        ax[i] = (double)(i % 5);
        ay[i] = (double)i / 4;
        acls[i] = (int)(i % 2);
    }
    size_t order[M] = {4, 2, 0, 1, 3};
    int64_t ids[M] = {10, 11, 12, 13, 14};
    dv_pairs_plot p = {M, pv, order, px, py, ids, 20, ax, ay, acls, 3};
    dv_plot_opts o = {6, 2.5, 100, NULL};
    dv_error err = {0};
    const char *data = fig_path("pairs.csv");
    CHECK_EQ_INT(dv_plot_pairs(fig_path("pairs.png"), data, &o, &p, &err), DV_OK);
    check_png(fig_path("pairs.png"), 600, 250);
    csv c;
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n >= 1 && strcmp(c.line[0], "a,b,row_a,row_b,value") == 0);
    CHECK_EQ_INT(c.n, 1 + M * (M - 1) / 2);
    for (size_t row = 1; row < c.n; row++) {
        char *f[6];
        size_t nf = fields(&c, row, f, 6);
        size_t a = nf == 5 ? (size_t)num(f[0]) : 0, b = nf == 5 ? (size_t)num(f[1]) : 0;
        CHECK_MSG(nf == 5 && a < b && b < M && num(f[2]) == 10 + (double)a &&
                      num(f[4]) == pv[a * M + b],
                  "row %zu: %s", row, c.line[row]);
    }
    csv_free(&c);
    order[1] = 4;
    CHECK_EQ_INT(dv_plot_pairs(fig_path("b.png"), NULL, NULL, &p, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "permutation") != NULL);
    order[1] = 2;
    pv[7] = NAN;
    CHECK_EQ_INT(dv_plot_pairs(fig_path("b.png"), NULL, NULL, &p, &err), DV_EINVAL);
    CHECK(strstr(err.msg, "(1, 2)") != NULL);
}

static void test_convergence(void)
{
    enum { B = 4, E = 2 };
    /* budgets out of order: drawn (and written) in increasing order */
    const double bud[B] = {100, 10, 1000, 30};
    const char *names[E] = {"mc_mean", "law"};
    const double r2[E * B] = {0.8, 0.1, 0.95, 0.5, 0.9, 0.6, 0.97, NAN};
    const double pe[E * B] = {0.9, 0.4, 0.98, 0.7, 0.95, 0.8, 0.99, 0.9};
    const double sp[E * B] = {0.88, 0.35, 0.97, 0.66, 0.93, 0.75, 0.985, 0.88};
    dv_plot_opts o = {7, 2.4, 100, "Convergence"};
    dv_error err = {0};
    const char *data = fig_path("conv.csv");
    CHECK_EQ_INT(dv_plot_convergence(fig_path("conv.png"), data, &o, B, bud, E, names, r2, pe, sp, &err),
                 DV_OK);
    check_png(fig_path("conv.png"), 700, 240);
    CHECK_EQ_INT(dv_plot_convergence(fig_path("conv.svg"), NULL, NULL, B, bud, E, names, r2, pe, sp,
                                     &err),
                 DV_OK);
    check_svg(fig_path("conv.svg"));
    csv c;
    CHECK(csv_read(&c, data) == 0);
    CHECK(c.n >= 1 && strcmp(c.line[0], "metric,estimator,samples,value") == 0);
    CHECK_EQ_INT(c.n, 1 + 3 * E * B - 1); /* the NaN is not drawn */
    static const size_t order[B] = {1, 3, 0, 2};
    static const char *metric[3] = {"r2", "pearson", "spearman"};
    const double *v[3] = {r2, pe, sp};
    size_t r = 1;
    for (int p = 0; p < 3; p++)
        for (size_t e = 0; e < E; e++)
            for (size_t j = 0; j < B; j++) {
                double want = v[p][e * B + order[j]];
                if (isnan(want))
                    continue;
                if (r >= c.n) {
                    CHECK_MSG(0, "missing row for %s %s %g", metric[p], names[e], bud[order[j]]);
                    continue;
                }
                char *f[5];
                size_t nf = fields(&c, r, f, 5);
                CHECK_MSG(nf == 4 && strcmp(f[0], metric[p]) == 0 && strcmp(f[1], names[e]) == 0 &&
                              num(f[2]) == bud[order[j]] && num(f[3]) == want,
                          "row %zu", r);
                r++;
            }
    csv_free(&c);
    double bb[B] = {100, 0, 1000, 30};
    CHECK_EQ_INT(dv_plot_convergence(fig_path("c.png"), NULL, NULL, B, bb, E, names, r2, pe, sp, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "budgets[1]") != NULL);
    CHECK_EQ_INT(dv_plot_convergence(fig_path("c.png"), NULL, NULL, B, bud, 0, names, r2, pe, sp, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "n_est") != NULL);
    CHECK_EQ_INT(dv_plot_convergence(fig_path("c.png"), NULL, NULL, B, bud, E, names, r2, NULL, sp, &err),
                 DV_EINVAL);
    CHECK(strstr(err.msg, "pearson") != NULL);
    CHECK(access(fig_path("c.png"), F_OK) != 0);
}


int main(void)
{
    if (!fig_dir_open("figtasks"))
        return 1;
    RUN(test_noisy);
    RUN(test_noisy_errors);
    RUN(test_removal);
    RUN(test_addition);
    RUN(test_map);
    RUN(test_pairs);
    RUN(test_convergence);
    return fig_dir_close(CHECK_DONE());
}
