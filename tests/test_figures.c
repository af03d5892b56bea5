/*
 * test_figures.c -- the figures of a sampling run: every figure decodes
 * (libpng) to the requested size and is not blank, the SVG parses
 * (libxml2), and the numbers each figure writes with its data CSV equal
 * those recomputed here from the inputs; the boundary distance against a
 * projection onto the fitted hyperplane; failures leave files alone.
 */
#include "check.h"
#include "dval_plot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figcheck.h"

/* The rows of a CSV as arrays of fields (header dropped). */
typedef struct {
    size_t n;
    char *text;
    char **f;  /* n x 8 fields */
    size_t nf[4096];
} csv;

static int csv_read(csv *c, const char *path, const char *header)
{
    memset(c, 0, sizeof *c);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    rewind(fp);
    c->text = malloc((size_t)len + 1);
    size_t got = fread(c->text, 1, (size_t)len, fp);
    c->text[got] = '\0';
    fclose(fp);
    c->f = calloc(4096 * 8, sizeof *c->f);
    char *save = NULL, *line = strtok_r(c->text, "\n", &save);
    if (!line || strcmp(line, header) != 0)
        return 0;
    while ((line = strtok_r(NULL, "\n", &save)) && c->n < 4096) {
        size_t k = 0;
        for (char *p = line; k < 8;) {
            c->f[c->n * 8 + k++] = p;
            char *q = strchr(p, ',');
            if (!q)
                break;
            *q = '\0';
            p = q + 1;
        }
        c->nf[c->n++] = k;
    }
    return 1;
}

static const char *fld(const csv *c, size_t r, size_t k)
{
    return k < c->nf[r] ? c->f[r * 8 + k] : "";
}

static void csv_free(csv *c)
{
    free(c->text);
    free(c->f);
}

/* A small grid-mode-like data set: n points x (G cards x S samples). */
enum { NP = 12, G = 4, S = 6 };
static const int32_t GRID[G] = {50, 80, 130, 200};
static double D[NP * G * S];
static int32_t K[NP * G * S];
static dv_law L[NP];

static void make_data(void)
{
    dv_rng r;
    dv_rng_seed(&r, 5, 0);
    for (size_t i = 0; i < NP; i++) {
        double c = 0.2 + 0.1 * (double)i, a = 0.6 + 0.08 * (double)i;
        for (size_t g = 0; g < G; g++)
            for (size_t s = 0; s < S; s++) {
                size_t j = i * G * S + g * S + s;
                K[j] = GRID[g];
                D[j] = c * pow(GRID[g], -a) + 0.02 * pow(GRID[g], -1.0) * dv_rng_normal(&r);
            }
    }
    dv_law_fit_many(D, K, NP, G * S, L, 1);
}

static void test_law(void)
{
    int64_t ids[2] = {3, 7};
    double d[2 * G * S];
    int32_t k[2 * G * S];
    dv_law l2[2] = {L[3], L[7]};
    memcpy(d, D + 3 * G * S, G * S * sizeof *d);
    memcpy(d + G * S, D + 7 * G * S, G * S * sizeof *d);
    memcpy(k, K + 3 * G * S, G * S * sizeof *k);
    memcpy(k + G * S, K + 7 * G * S, G * S * sizeof *k);
    dv_plot_opts o = {4.0, 2.0, 50.0, NULL};
    dv_error err = {0};
    int rc = dv_plot_law(fig_path("law.png"), fig_path("law.csv"), &o, 2, G * S, ids, d, k, l2, 50, 200,
                         &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    check_png(fig_path("law.png"), 200, 100);
    csv c;
    CHECK(csv_read(&c, fig_path("law.csv"), "point,kind,k,delta,lo,hi"));
    size_t ns = 0, nl = 0;
    double kmin = INFINITY, kmax = 0;
    for (size_t r = 0; r < c.n; r++) {
        int p = atoi(fld(&c, r, 0));
        size_t pi = p == 3 ? 0 : 1;
        CHECK(p == 3 || p == 7);
        double kk = strtod(fld(&c, r, 2), NULL), v = strtod(fld(&c, r, 3), NULL);
        if (strcmp(fld(&c, r, 1), "sample") == 0) {
            size_t j = ns % (G * S);
            CHECK_EQ_INT((int)kk, k[pi * G * S + j]);
            CHECK(v == d[pi * G * S + j]);
            ns++;
        } else {
            const dv_law *q = &l2[pi];
            double m = q->c * pow(kk, -q->alpha), sd = q->sigma * pow(kk, -q->beta / 2);
            CHECK_NEAR(v, m, 1e-12 * fabs(m) + 1e-300);
            CHECK_NEAR(strtod(fld(&c, r, 4), NULL), m - sd, 1e-12 * (fabs(m) + sd));
            CHECK_NEAR(strtod(fld(&c, r, 5), NULL), m + sd, 1e-12 * (fabs(m) + sd));
            kmin = kk < kmin ? kk : kmin;
            kmax = kk > kmax ? kk : kmax;
            nl++;
        }
    }
    CHECK_EQ_INT(ns, 2 * G * S);
    CHECK(nl >= 20);
    CHECK_NEAR(kmin, 50, 1e-9);
    CHECK_NEAR(kmax, 200, 1e-9);
    csv_free(&c);
    /* SVG of the same figure parses; PDF has its magic. */
    CHECK(dv_plot_law(fig_path("law.svg"), NULL, NULL, 2, G * S, ids, d, k, l2, 50, 200, &err) ==
          DV_OK);
    check_svg(fig_path("law.svg"));
    CHECK(dv_plot_law(fig_path("law.pdf"), NULL, NULL, 1, G * S, ids, d, k, l2, 50, 200, &err) ==
          DV_OK);
    check_pdf(fig_path("law.pdf"));
}

/* Mean of point i's deltas at cardinality k, straight from the arrays. */
static double mean_at(size_t i, int32_t k)
{
    double s = 0;
    int n = 0;
    for (size_t j = 0; j < G * S; j++)
        if (K[i * G * S + j] == k) {
            s += D[i * G * S + j];
            n++;
        }
    return s / n;
}

static void test_validation(void)
{
    dv_plot_opts o = {6.0, 2.0, 60.0, NULL};
    dv_error err = {0};
    int rc = dv_plot_validation(fig_path("val.png"), fig_path("val.csv"), &o, NP, G * S, D, K, L, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    check_png(fig_path("val.png"), 360, 120);
    csv c;
    CHECK(csv_read(&c, fig_path("val.csv"), "panel,series,x,y"));
    size_t nr2 = 0, nbins = 0, nmeans = 0;
    double hist_total = 0;
    for (size_t r = 0; r < c.n; r++) {
        const char *panel = fld(&c, r, 0), *series = fld(&c, r, 1);
        double x = strtod(fld(&c, r, 2), NULL), y = strtod(fld(&c, r, 3), NULL);
        if (strcmp(panel, "r2_by_k") == 0) {
            /* R^2 over points of the law (likelihood or log) at k. */
            int like = strcmp(series, "likelihood") == 0;
            double ym = 0, ss = 0, st = 0;
            for (size_t i = 0; i < NP; i++)
                ym += mean_at(i, (int32_t)x) / NP;
            for (size_t i = 0; i < NP; i++) {
                double yi = mean_at(i, (int32_t)x);
                double f = like ? L[i].c * pow(x, -L[i].alpha) : L[i].log_c * pow(x, -L[i].log_alpha);
                ss += (yi - f) * (yi - f);
                st += (yi - ym) * (yi - ym);
            }
            CHECK_NEAR(y, 1 - ss / st, 1e-9);
            nr2++;
        } else if (strcmp(panel, "r2_hist") == 0) {
            double cnt = 0;
            for (size_t i = 0; i < NP; i++)
                cnt += L[i].log_r2 >= x && (L[i].log_r2 < x + 0.05 || (x >= 0.95 && L[i].log_r2 <= 1));
            CHECK_NEAR(y, cnt, 0);
            hist_total += y;
            nbins++;
        } else if (strcmp(panel, "means") == 0 && strstr(series, "fit") == NULL) {
            size_t i = (size_t)atoi(series + 6); /* "point N" */
            CHECK(i < NP);
            CHECK_NEAR(y, fabs(mean_at(i, (int32_t)x)), 1e-12);
            nmeans++;
        }
    }
    CHECK_EQ_INT(nr2, 2 * G);
    CHECK_EQ_INT(nbins, 20);
    CHECK_NEAR(hist_total, NP, 0);
    CHECK(nmeans >= 3 * G); /* at least three distinct quantile points */
    csv_free(&c);
    /* Samples not on a shared grid: refused. */
    int32_t K2[NP * G * S];
    memcpy(K2, K, sizeof K2);
    K2[5 * G * S + 3] = 77;
    CHECK(dv_plot_validation(fig_path("val2.png"), NULL, NULL, NP, G * S, D, K2, L, &err) ==
          DV_EINVAL);
    CHECK(strstr(err.msg, "grid") != NULL);
}

static void test_hist(void)
{
    dv_law l2[NP];
    memcpy(l2, L, sizeof l2);
    l2[2].status = DV_LAW_NO_SAMPLES; /* left out */
    dv_plot_opts o = {4.0, 3.0, 50.0, NULL};
    dv_error err = {0};
    int rc = dv_plot_hist(fig_path("hist.png"), fig_path("hist.csv"), &o, NP, l2, &err);
    CHECK_MSG(rc == DV_OK, "%s", err.msg);
    check_png(fig_path("hist.png"), 200, 150);
    csv c;
    CHECK(csv_read(&c, fig_path("hist.csv"), "panel,series,x,y"));
    /* alpha bins: consecutive left edges give the width; count by brute force. */
    double edges[64], counts[64];
    size_t nb = 0, scatter = 0;
    for (size_t r = 0; r < c.n; r++) {
        if (strcmp(fld(&c, r, 0), "alpha") == 0) {
            edges[nb] = strtod(fld(&c, r, 2), NULL);
            counts[nb++] = strtod(fld(&c, r, 3), NULL);
        }
        if (strcmp(fld(&c, r, 0), "alpha_vs_log10_abs_c") == 0) {
            double x = strtod(fld(&c, r, 2), NULL), y = strtod(fld(&c, r, 3), NULL);
            int found = 0;
            for (size_t i = 0; i < NP; i++)
                found |= i != 2 && fabs(x - log10(fabs(l2[i].c))) < 1e-12 && y == l2[i].alpha;
            CHECK(found);
            scatter++;
        }
    }
    CHECK_EQ_INT(scatter, NP - 1);
    CHECK(nb >= 2);
    double w = edges[1] - edges[0], total = 0;
    for (size_t b = 0; b < nb; b++) {
        double cnt = 0, hi = edges[0] + (double)(b + 1) * w;
        for (size_t i = 0; i < NP; i++) {
            double a = l2[i].alpha;
            if (i == 2)
                continue;
            int in = a >= edges[b] - 1e-12 && (b + 1 == nb ? a <= hi + 1e-9 : a < hi - 1e-12);
            cnt += in;
        }
        CHECK_NEAR(counts[b], cnt, 0);
        total += counts[b];
    }
    CHECK_NEAR(total, NP - 1, 0);
    csv_free(&c);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_scatter(void)
{
    enum { N = 100 };
    double x[N], y[N];
    dv_rng r;
    dv_rng_seed(&r, 9, 0);
    for (int i = 0; i < N; i++) {
        x[i] = dv_rng_uniform(&r) * 3;
        y[i] = x[i] * x[i] + dv_rng_normal(&r);
    }
    x[17] = NAN; /* skipped */
    dv_plot_opts o = {3.0, 2.0, 80.0, NULL};
    dv_error err = {0};
    CHECK(dv_plot_scatter(fig_path("sc.png"), fig_path("sc.csv"), &o, N, x, y, "x", "y", &err) == DV_OK);
    check_png(fig_path("sc.png"), 240, 160);
    csv c;
    CHECK(csv_read(&c, fig_path("sc.csv"), "series,x,y"));
    /* Medians of G = clamp(m / 15, 3, 20) groups of the x-sorted finite
     * points, by brute force: group g holds the points whose x rank is in
     * [g m / G, (g+1) m / G). */
    size_t m = 0, g = 0, np = 0;
    double xs[N];
    for (int i = 0; i < N; i++)
        if (isfinite(x[i]))
            xs[m++] = x[i];
    qsort(xs, m, sizeof *xs, cmp_d);
    size_t ng = m / 15 < 3 ? 3 : m / 15 > 20 ? 20 : m / 15;
    for (size_t row = 0; row < c.n; row++) {
        if (strcmp(fld(&c, row, 0), "point") == 0) {
            np++;
            continue;
        }
        size_t a0 = g * m / ng, a1 = (g + 1) * m / ng;
        double buf[N], sx = 0;
        size_t k = 0;
        for (int i = 0; i < N; i++) {
            if (!isfinite(x[i]) || x[i] < xs[a0] || x[i] > xs[a1 - 1])
                continue;
            buf[k++] = y[i];
            sx += x[i];
        }
        qsort(buf, k, sizeof *buf, cmp_d);
        double med = k % 2 ? buf[k / 2] : 0.5 * (buf[k / 2 - 1] + buf[k / 2]);
        CHECK_EQ_INT(k, a1 - a0);
        CHECK_NEAR(strtod(fld(&c, row, 2), NULL), med, 1e-12);
        CHECK_NEAR(strtod(fld(&c, row, 1), NULL), sx / (double)k, 1e-12);
        g++;
    }
    CHECK_EQ_INT(np, N - 1);
    CHECK_EQ_INT(g, ng);
    csv_free(&c);
}

/* The distance of x to {w.x + b = 0}: moving x by that distance along the
 * unit normal lands on the boundary, where the model predicts 1/2. */
static void test_boundary_distance(void)
{
    dv_dataset *ds = NULL;
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    sp.n_rows = 200;
    sp.n_features = 4;
    sp.seed = 3;
    dv_error err = {0};
    CHECK(dv_synth(&ds, &sp, &err) == DV_OK);
    if (!ds)
        return;
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    int64_t rows[5] = {0, 7, 19, 100, 199};
    double dist[5];
    CHECK(dv_boundary_distance(ds, &lp, rows, 5, dist, &err) == DV_OK);
    dv_model *m = NULL;
    CHECK(dv_model_fit(&m, &lp, ds, NULL, 0, NULL, &err) == DV_OK);
    double w[5];
    dv_model_coef(m, w, 5);
    double nw = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2] + w[3] * w[3]);
    const double *X = dv_dataset_features(ds);
    for (int i = 0; i < 5; i++) {
        const double *x = X + rows[i] * 4;
        double p[2], xb[4], t = w[4];
        for (int j = 0; j < 4; j++)
            t += w[j] * x[j];
        for (int j = 0; j < 4; j++)
            xb[j] = x[j] - (t > 0 ? 1 : -1) * dist[i] * w[j] / nw;
        dv_model_predict(m, xb, 1, 4, p);
        CHECK_NEAR(p[1], 0.5, 1e-10);
        CHECK(dist[i] >= 0);
    }
    dv_model_free(m);
    dv_dataset_free(ds);
}

/* Failures: unknown extension, unwritable path; the data CSV stays as it was. */
static void test_failures(void)
{
    FILE *f = fopen(fig_path("keep.csv"), "w");
    fputs("keep\n", f);
    fclose(f);
    dv_error err = {0};
    int rc = dv_plot_hist(fig_path("x.jpg"), fig_path("keep.csv"), NULL, NP, L, &err);
    CHECK(rc != DV_OK);
    CHECK(strstr(err.msg, "x.jpg") != NULL);
    rc = dv_plot_hist("/nonexistent-dir/x.png", fig_path("keep.csv"), NULL, NP, L, &err);
    CHECK(rc == DV_EIO);
    CHECK(strstr(err.msg, "/nonexistent-dir/x.png") != NULL);
    char line[16] = {0};
    f = fopen(fig_path("keep.csv"), "r");
    CHECK(f && fgets(line, sizeof line, f) && strcmp(line, "keep\n") == 0);
    if (f)
        fclose(f);
    CHECK(access(fig_path("x.jpg"), F_OK) != 0);
    /* No usable law. */
    dv_law bad[2] = {L[0], L[1]};
    bad[0].status = bad[1].status = DV_LAW_ALL_ZERO;
    CHECK(dv_plot_hist(fig_path("h.png"), NULL, NULL, 2, bad, &err) == DV_EINVAL);
}

int main(void)
{
    if (!fig_dir_open("fig"))
        return 1;
    make_data();
    RUN(test_law);
    RUN(test_validation);
    RUN(test_hist);
    RUN(test_scatter);
    RUN(test_boundary_distance);
    RUN(test_failures);
    return fig_dir_close(CHECK_DONE());
}
