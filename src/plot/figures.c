/*
 * figures.c -- the figures of a sampling run: per-point laws, the grid-mode
 * validation figure and the histograms of the law parameters (after
 * Covert, Ji, Hashimoto, Zou, "Scaling Laws for the Value of Individual
 * Data Points in Machine Learning", ICML 2024), and a scatter with a
 * running median (law parameters against the distance to the decision
 * boundary).
 */
#include "plot/fig.h"
#include "plot/plotcsv.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The size and resolution of a figure from opts and its defaults (inches). */
#define SETUP(o, dw, dh)                                                     \
    double w_pt, h_pt, dpi;                                                  \
    do {                                                                     \
        int rc_ = dv__plot_setup(o, dw, dh, &w_pt, &h_pt, &dpi, err);        \
        if (rc_)                                                             \
            return rc_;                                                      \
    } while (0)

static int law_usable(const dv_law *L)
{
    return (L->status == DV_LAW_OK || L->status == DV_LAW_BOUND) && isfinite(L->c) &&
           isfinite(L->alpha) && isfinite(L->sigma) && isfinite(L->beta);
}

/* Distinct cardinalities of n values, sorted; returns their count. */
static size_t distinct_cards(const int32_t *k, size_t n, int32_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < m && out[j] != k[i])
            j++;
        if (j == m) {
            out[m++] = k[i];
            for (size_t q = m - 1; q > 0 && out[q] < out[q - 1]; q--) {
                int32_t t = out[q];
                out[q] = out[q - 1];
                out[q - 1] = t;
            }
        }
    }
    return m;
}

/* ------------------------------------------------------------------------ */
/* law                                                                      */
/* ------------------------------------------------------------------------ */

int dv_plot_law(const char *path, const char *data_path, const dv_plot_opts *o, size_t n_points,
                size_t n_samples, const int64_t *ids, const double *delta, const int32_t *card,
                const dv_law *laws, int64_t k_lo, int64_t k_hi, dv_error *err)
{
    if (!path || !delta || !card || !laws || n_points == 0 || n_samples == 0)
        return dv__err(err, DV_EINVAL, "plot law: no points or samples to draw");
    if (n_points > 36)
        return dv__err(err, DV_EINVAL, "plot law: %zu points; at most 36 panels", n_points);
    if (!(k_lo > 0 && k_hi >= k_lo))
        return dv__err(err, DV_EINVAL, "plot law: cardinality range [%lld, %lld] is empty",
                       (long long)k_lo, (long long)k_hi);
    int cols = n_points <= 2 || n_points == 4 ? (n_points == 1 ? 1 : 2) : 3;
    int rows = (int)((n_points + (size_t)cols - 1) / (size_t)cols);
    SETUP(o, n_points == 1 ? 3.4 : 2.6 * cols, n_points == 1 ? 2.6 : 0.35 + 2.2 * rows);
    dv__fig *f;
    dv__plotcsv csv;
    int rc = dv__plot_open(w_pt, h_pt, rows, cols, data_path, "point,kind,k,delta,lo,hi", &f,
                           &csv, err);
    if (rc)
        return rc;
    dv__fig_title(f, dv__plot_title(o, n_points == 1 ? NULL
                                               : "Marginal contributions \xce\x94 and laws "
                                                 "c\xc2\xb7k^\xe2\x88\x92\xce\xb1 \xc2\xb1 "
                                                 "\xcf\x83\xc2\xb7k^\xe2\x88\x92\xce\xb2/2"));
    for (size_t i = n_points; i < (size_t)(rows * cols); i++)
        dv__ax_off(dv__fig_axes(f, (int)(i / (size_t)cols), (int)(i % (size_t)cols)));
    enum { NK = 96 };
    double *kx = dv__malloc(n_samples * sizeof *kx);
    if (!kx) {
        dv__plotcsv_close(&csv, 0, err);
        dv__fig_free(f);
        return dv__err(err, DV_ENOMEM, "plot law: out of memory");
    }
    for (size_t i = 0; i < n_points; i++) {
        dv__axes *a = dv__fig_axes(f, (int)(i / (size_t)cols), (int)(i % (size_t)cols));
        const dv_law *L = &laws[i];
        const double *d = delta + i * n_samples;
        const int32_t *k = card + i * n_samples;
        long long id = ids ? (long long)ids[i] : (long long)i;
        for (size_t s = 0; s < n_samples; s++) {
            kx[s] = (double)k[s];
            dv__plotcsv_row(&csv, "%lld,sample,%d,%.17g,,", id, (int)k[s], d[s]);
        }
        char t[96];
        snprintf(t, sizeof t, n_points == 1 ? "Point %lld: contributions and law" : "point %lld",
                 id);
        dv__ax_title(a, n_points == 1 ? dv__plot_title(o, t) : t);
        dv__ax_xlog(a, 1);
        dv__ax_scatter(a, kx, d, n_samples, dv__palette(3), DV__MARK_CIRCLE, 2.2, 0.35,
                       i == 0 ? "samples" : NULL);
        if (law_usable(L)) {
            double x[NK], m[NK], lo[NK], hi[NK];
            double l0 = log((double)k_lo), l1 = log((double)k_hi);
            for (int q = 0; q < NK; q++) {
                x[q] = exp(l0 + (l1 - l0) * q / (NK - 1));
                m[q] = L->c * pow(x[q], -L->alpha);
                double sd = L->sigma * pow(x[q], -L->beta / 2);
                lo[q] = m[q] - sd;
                hi[q] = m[q] + sd;
                dv__plotcsv_row(&csv, "%lld,law,%.17g,%.17g,%.17g,%.17g", id, x[q], m[q], lo[q],
                                hi[q]);
            }
            char lb1[96], lb2[96];
            snprintf(lb1, sizeof lb1, "c=%.3g, \xce\xb1=%.2f", L->c, L->alpha);
            snprintf(lb2, sizeof lb2, "\xcf\x83=%.2g, \xce\xb2=%.2f", L->sigma, L->beta);
            dv__ax_band(a, x, lo, hi, NK, dv__palette(0), 0.25, lb2);
            dv__ax_line(a, x, m, NK, dv__palette(4), 1.4, DV__DASH_SOLID, lb1);
        } else {
            dv__ax_note(a, dv_law_status_name(L->status));
        }
        dv__ax_hline(a, 0.0, (dv__rgb){0.45, 0.45, 0.45}, DV__DASH_DOTTED, NULL);
        dv__ax_legend(a, DV__LEGEND_BEST);
        if (i / (size_t)cols == (size_t)rows - 1 || i + (size_t)cols >= n_points)
            dv__ax_xlabel(a, "dataset size k");
        if (i % (size_t)cols == 0)
            dv__ax_ylabel(a, "marginal contribution \xce\x94");
    }
    dv__free(kx);
    return dv__plot_finish(f, path, dpi, &csv, err);
}

/* ------------------------------------------------------------------------ */
/* validation                                                               */
/* ------------------------------------------------------------------------ */

/* Mean delta of each point at each of the m grid cardinalities (NaN where a
 * point has no sample there): n_points x m. */
static double *grid_means(const double *delta, const int32_t *card, size_t n_points,
                          size_t n_samples, const int32_t *grid, size_t m)
{
    double *mu = dv__calloc(n_points * m, sizeof *mu);
    size_t *cnt = dv__calloc(m ? m : 1, sizeof *cnt);
    if (!mu || !cnt) {
        dv__free(mu);
        dv__free(cnt);
        return NULL;
    }
    for (size_t i = 0; i < n_points; i++) {
        memset(cnt, 0, m * sizeof *cnt);
        double *row = mu + i * m;
        for (size_t s = 0; s < n_samples; s++) {
            size_t g = 0;
            while (g < m && grid[g] != card[i * n_samples + s])
                g++;
            if (g < m && isfinite(delta[i * n_samples + s])) {
                row[g] += delta[i * n_samples + s];
                cnt[g]++;
            }
        }
        for (size_t g = 0; g < m; g++)
            row[g] = cnt[g] ? row[g] / (double)cnt[g] : NAN;
    }
    dv__free(cnt);
    return mu;
}

/* R^2 = 1 - sum (y - yhat)^2 / sum (y - mean y)^2 over the finite pairs. */
static double r_squared(const double *y, const double *yhat, size_t n)
{
    double s = 0, m = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i]) && isfinite(yhat[i])) {
            m += y[i];
            k++;
        }
    if (k < 2)
        return NAN;
    m /= (double)k;
    double tot = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i]) && isfinite(yhat[i])) {
            s += (y[i] - yhat[i]) * (y[i] - yhat[i]);
            tot += (y[i] - m) * (y[i] - m);
        }
    return tot > 0 ? 1.0 - s / tot : NAN;
}

/* The cardinality grid shared by every point (point 0's distinct sizes);
 * returns its size, 0 when the points are not on one grid. */
static size_t shared_grid(const int32_t *card, size_t n_points, size_t n_samples, int32_t *grid)
{
    size_t m = distinct_cards(card, n_samples, grid); /* the grid of point 0 */
    for (size_t i = 1; i < n_points && m >= 2; i++) {
        for (size_t s = 0; s < n_samples; s++) {
            size_t g = 0;
            while (g < m && grid[g] != card[i * n_samples + s])
                g++;
            if (g == m)
                return 0; /* not one grid for all points */
        }
    }
    return m;
}

/* What the panels of the validation figure draw from. */
typedef struct {
    const dv_law *laws;
    size_t n_points;
    const int32_t *grid;
    size_t m;          /* grid size */
    const double *mu;  /* n_points x m mean deltas */
    dv__plotcsv *csv;
} vfig;

/* The points with a usable log fit, by its alpha (ties by index), into ord;
 * returns their count, or SIZE_MAX when out of memory. */
static size_t by_log_alpha(const dv_law *laws, size_t n_points, size_t *ord)
{
    double *al = dv__malloc((n_points ? n_points : 1) * sizeof *al);
    size_t *o2 = dv__malloc((n_points ? n_points : 1) * sizeof *o2);
    size_t *tmp = dv__malloc((n_points ? n_points : 1) * sizeof *tmp);
    size_t nu = 0;
    for (size_t i = 0; al && i < n_points; i++)
        if (isfinite(laws[i].log_alpha) && laws[i].status != DV_LAW_NONFINITE &&
            laws[i].status != DV_LAW_NO_SAMPLES)
            al[nu++] = laws[i].log_alpha, ord[nu - 1] = i;
    if (!al || !o2 || !tmp || dv__argsort(al, nu, o2))
        nu = SIZE_MAX;
    for (size_t j = 0; nu != SIZE_MAX && j < nu; j++)
        tmp[j] = ord[o2[j]];
    if (nu != SIZE_MAX)
        memcpy(ord, tmp, nu * sizeof *ord);
    dv__free(al);
    dv__free(o2);
    dv__free(tmp);
    return nu;
}

/* (a) the mean contribution against k of the points nearest the quantiles
 * of the log estimator's alpha, with their log-log fits. */
static int panel_means(dv__axes *a, const vfig *v, dv_error *err)
{
    size_t *ord = dv__malloc((v->n_points ? v->n_points : 1) * sizeof *ord);
    size_t nu = ord ? by_log_alpha(v->laws, v->n_points, ord) : SIZE_MAX;
    if (nu == SIZE_MAX) {
        dv__free(ord);
        return dv__err(err, DV_ENOMEM, "plot validation: out of memory");
    }
    static const double qs[] = {0.1, 0.3, 0.5, 0.7, 0.9};
    double kx[64], ky[64], fx[2], fy[2];
    size_t m = v->m, mm = m < 64 ? m : 64;
    for (size_t q = 0; q < 5 && nu > 0; q++) {
        size_t i = ord[(size_t)floor(qs[q] * (double)(nu - 1) + 0.5)];
        const dv_law *L = &v->laws[i];
        for (size_t g = 0; g < mm; g++) {
            kx[g] = v->grid[g];
            ky[g] = fabs(v->mu[i * m + g]);
        }
        char lab[64], ser[32];
        snprintf(lab, sizeof lab, "\xce\xb1=%.2f", L->log_alpha);
        snprintf(ser, sizeof ser, "point %zu", i);
        dv__rgb col = dv__cmap_color(DV__CMAP_VIRIDIS, 0.05 + 0.85 * (double)q / 4.0);
        dv__ax_scatter(a, kx, ky, mm, col, DV__MARK_CIRCLE, 3.0, 1.0, lab);
        fx[0] = v->grid[0];
        fx[1] = v->grid[m - 1];
        for (int e = 0; e < 2; e++)
            fy[e] = fabs(L->log_c) * pow(fx[e], -L->log_alpha);
        dv__ax_line(a, fx, fy, 2, col, 1.0, DV__DASH_DASHED, NULL);
        for (size_t g = 0; g < mm; g++)
            dv__plotcsv_row(v->csv, "means,%s,%.17g,%.17g", ser, kx[g], ky[g]);
        for (int e = 0; e < 2; e++)
            dv__plotcsv_row(v->csv, "means,%s fit,%.17g,%.17g", ser, fx[e], fy[e]);
    }
    dv__free(ord);
    dv__ax_xlog(a, 1);
    dv__ax_ylog(a, 1);
    dv__ax_title(a, "(a) mean contribution, \xce\xb1 quantiles");
    dv__ax_xlabel(a, "dataset size k");
    dv__ax_ylabel(a, "|mean \xce\x94| at k");
    dv__ax_legend(a, DV__LEGEND_SW);
    return DV_OK;
}

/* (b) the histogram of the log fits' R^2 on [0, 1]. */
static void panel_r2_hist(dv__axes *a, const vfig *v)
{
    enum { NB = 20 };
    double edges[NB + 1], counts[NB] = {0};
    for (int b = 0; b <= NB; b++)
        edges[b] = (double)b / NB;
    size_t nr2 = 0;
    for (size_t i = 0; i < v->n_points; i++) {
        double r = v->laws[i].log_r2;
        if (!isfinite(r))
            continue;
        int b = (int)floor(r * NB);
        b = b < 0 ? 0 : b >= NB ? NB - 1 : b;
        counts[b]++;
        nr2++;
    }
    for (int b = 0; b < NB; b++)
        dv__plotcsv_row(v->csv, "r2_hist,bin,%.17g,%.17g", edges[b], counts[b]);
    dv__ax_hist(a, edges, counts, NB, dv__palette(1), NULL);
    dv__ax_xlim(a, 0.0, 1.0);
    char note[64];
    snprintf(note, sizeof note, "%zu points", nr2);
    dv__ax_note(a, note);
    dv__ax_title(a, "(b) R\xc2\xb2 of the log-log fits");
    dv__ax_xlabel(a, "R\xc2\xb2");
    dv__ax_ylabel(a, "points");
}

/* (c) at each k, R^2 over points of the laws (likelihood and log
 * estimator) against the mean contributions. */
static int panel_r2_by_k(dv__axes *a, const vfig *v, dv_error *err)
{
    size_t n = v->n_points, m = v->m, mm = m < 64 ? m : 64;
    double *y = dv__malloc(n * sizeof *y), *yh = dv__malloc(n * sizeof *yh);
    if (!y || !yh) {
        dv__free(y);
        dv__free(yh);
        return dv__err(err, DV_ENOMEM, "plot validation: out of memory");
    }
    double kx[64], r2m[64], r2l[64];
    const dv_law *laws = v->laws;
    for (size_t g = 0; g < mm; g++) {
        double k = v->grid[g];
        for (size_t i = 0; i < n; i++) {
            y[i] = v->mu[i * m + g];
            yh[i] = law_usable(&laws[i]) ? laws[i].c * pow(k, -laws[i].alpha) : NAN;
        }
        r2m[g] = r_squared(y, yh, n);
        for (size_t i = 0; i < n; i++)
            yh[i] = isfinite(laws[i].log_c) && isfinite(laws[i].log_alpha)
                        ? laws[i].log_c * pow(k, -laws[i].log_alpha)
                        : NAN;
        r2l[g] = r_squared(y, yh, n);
        kx[g] = k;
        dv__plotcsv_row(v->csv, "r2_by_k,likelihood,%.17g,%.17g", k, r2m[g]);
        dv__plotcsv_row(v->csv, "r2_by_k,log,%.17g,%.17g", k, r2l[g]);
    }
    dv__free(y);
    dv__free(yh);
    dv__ax_line(a, kx, r2m, mm, dv__palette(0), 1.2, DV__DASH_SOLID, NULL);
    dv__ax_scatter(a, kx, r2m, mm, dv__palette(0), DV__MARK_CIRCLE, 3.2, 1.0, "likelihood");
    dv__ax_line(a, kx, r2l, mm, dv__palette(4), 1.2, DV__DASH_DASHED, NULL);
    dv__ax_scatter(a, kx, r2l, mm, dv__palette(4), DV__MARK_SQUARE, 3.2, 1.0, "log estimator");
    dv__ax_xlog(a, 1);
    dv__ax_title(a, "(c) R\xc2\xb2 of the laws at k");
    dv__ax_xlabel(a, "dataset size k");
    dv__ax_ylabel(a, "R\xc2\xb2 over points");
    dv__ax_legend(a, DV__LEGEND_BEST);
    return DV_OK;
}

int dv_plot_validation(const char *path, const char *data_path, const dv_plot_opts *o,
                       size_t n_points, size_t n_samples, const double *delta, const int32_t *card,
                       const dv_law *laws, dv_error *err)
{
    if (!path || !delta || !card || !laws || n_points == 0 || n_samples == 0)
        return dv__err(err, DV_EINVAL, "plot validation: no points or samples to draw");
    SETUP(o, 7.0, 2.5);
    int32_t *grid = dv__malloc(n_samples * sizeof *grid);
    if (!grid)
        return dv__err(err, DV_ENOMEM, "plot validation: out of memory");
    size_t m = shared_grid(card, n_points, n_samples, grid);
    if (m < 2) {
        dv__free(grid);
        return dv__err(err, DV_EINVAL,
                       "plot validation: the samples are not on one grid of at least two "
                       "cardinalities shared by every point (a grid-mode run is needed)");
    }
    double *mu = grid_means(delta, card, n_points, n_samples, grid, m);
    dv__fig *f = NULL;
    dv__plotcsv csv = {0};
    int rc = mu ? DV_OK : dv__err(err, DV_ENOMEM, "plot validation: out of memory");
    if (!rc)
        rc = dv__plot_open(w_pt, h_pt, 1, 3, data_path, "panel,series,x,y", &f, &csv, err);
    vfig v = {laws, n_points, grid, m, mu, &csv};
    if (!rc) {
        dv__fig_title(f, dv__plot_title(o, "Scaling of marginal contributions (grid-mode run)"));
        rc = panel_means(dv__fig_axes(f, 0, 0), &v, err);
    }
    if (!rc) {
        panel_r2_hist(dv__fig_axes(f, 0, 1), &v);
        rc = panel_r2_by_k(dv__fig_axes(f, 0, 2), &v, err);
    }
    if (!rc) {
        rc = dv__plot_finish(f, path, dpi, &csv, err);
        f = NULL;
    }
    if (f) {
        dv__plotcsv_close(&csv, 0, err);
        dv__fig_free(f);
    }
    dv__free(grid);
    dv__free(mu);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* hist                                                                     */
/* ------------------------------------------------------------------------ */

/* Equal-width bins over [min, max] of the finite v (max in the last bin);
 * about sqrt(n) bins, between 8 and 40.  Returns the bin count. */
static int histogram(const double *v, size_t n, double *edges, double *counts)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
            k++;
        }
    if (k == 0)
        return 0;
    int nb = (int)ceil(sqrt((double)k));
    nb = nb < 8 ? 8 : nb > 40 ? 40 : nb;
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    double w = (hi - lo) / nb;
    for (int b = 0; b <= nb; b++)
        edges[b] = b == nb ? hi : lo + b * w;
    memset(counts, 0, (size_t)nb * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            int b = (int)floor((v[i] - lo) / w);
            counts[b < 0 ? 0 : b >= nb ? nb - 1 : b]++;
        }
    return nb;
}

int dv_plot_hist(const char *path, const char *data_path, const dv_plot_opts *o, size_t n_points,
                 const dv_law *laws, dv_error *err)
{
    if (!path || !laws || n_points == 0)
        return dv__err(err, DV_EINVAL, "plot hist: no laws to draw");
    SETUP(o, 5.0, 4.0);
    double *v[3];
    size_t n = 0;
    for (int j = 0; j < 3; j++)
        v[j] = dv__malloc(n_points * sizeof(double));
    if (!v[0] || !v[1] || !v[2]) {
        for (int j = 0; j < 3; j++)
            dv__free(v[j]);
        return dv__err(err, DV_ENOMEM, "plot hist: out of memory");
    }
    for (size_t i = 0; i < n_points; i++)
        if (law_usable(&laws[i]) && laws[i].c != 0) {
            v[0][n] = laws[i].alpha;
            v[1][n] = log10(fabs(laws[i].c));
            v[2][n] = laws[i].beta;
            n++;
        }
    int rc;
    if (n == 0) {
        rc = dv__err(err, DV_EINVAL, "plot hist: none of the %zu laws is usable (status ok)",
                     n_points);
        goto out;
    }
    dv__fig *f;
    dv__plotcsv csv;
    if ((rc = dv__plot_open(w_pt, h_pt, 2, 2, data_path, "panel,series,x,y", &f, &csv, err)))
        goto out;
    char t[96];
    snprintf(t, sizeof t, "Scaling-law parameters of %zu points", n);
    dv__fig_title(f, dv__plot_title(o, t));
    static const char *names[] = {"alpha", "log10_abs_c", "beta"};
    static const char *labels[] = {"\xce\xb1 (decay of the mean)", "log\xe2\x82\x81\xe2\x82\x80|c|",
                                   "\xce\xb2 (decay of the variance)"};
    double edges[41], counts[40];
    for (int j = 0; j < 3; j++) {
        dv__axes *a = dv__fig_axes(f, j / 2, j % 2);
        int nb = histogram(v[j], n, edges, counts);
        for (int b = 0; b < nb; b++)
            dv__plotcsv_row(&csv, "%s,bin,%.17g,%.17g", names[j], edges[b], counts[b]);
        dv__ax_hist(a, edges, counts, (size_t)nb, dv__palette(j == 1 ? 3 : j == 2 ? 2 : 0),
                    NULL);
        dv__ax_xlabel(a, labels[j]);
        dv__ax_ylabel(a, "points");
    }
    dv__axes *a = dv__fig_axes(f, 1, 1);
    dv__ax_scatter(a, v[1], v[0], n, dv__palette(3), DV__MARK_CIRCLE, 2.2, 0.45, NULL);
    for (size_t i = 0; i < n; i++)
        dv__plotcsv_row(&csv, "alpha_vs_log10_abs_c,point,%.17g,%.17g", v[1][i], v[0][i]);
    dv__ax_xlabel(a, labels[1]);
    dv__ax_ylabel(a, "\xce\xb1");
    rc = dv__plot_finish(f, path, dpi, &csv, err);
out:
    for (int j = 0; j < 3; j++)
        dv__free(v[j]);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* scatter with a running median (the distance figure)                     */
/* ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int dv_plot_scatter(const char *path, const char *data_path, const dv_plot_opts *o, size_t n,
                    const double *x, const double *y, const char *x_label, const char *y_label,
                    dv_error *err)
{
    if (!path || !x || !y || n == 0)
        return dv__err(err, DV_EINVAL, "plot scatter: no points to draw");
    SETUP(o, 3.4, 2.6);
    /* Finite pairs sorted by x, for the running median over ~20 groups. */
    size_t m = 0;
    size_t *ord = dv__malloc(n * sizeof *ord);
    double *xs = dv__malloc(n * sizeof *xs), *tmp = dv__malloc(n * sizeof *tmp);
    double *mx = dv__malloc(21 * sizeof *mx), *my = dv__malloc(21 * sizeof *my);
    if (!ord || !xs || !tmp || !mx || !my) {
        dv__free(ord), dv__free(xs), dv__free(tmp), dv__free(mx), dv__free(my);
        return dv__err(err, DV_ENOMEM, "plot scatter: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            xs[m++] = x[i], tmp[m - 1] = (double)i;
    int rc = DV_OK;
    if (m == 0) {
        rc = dv__err(err, DV_EINVAL, "plot scatter: none of the %zu points is finite", n);
        goto out;
    }
    if ((rc = dv__argsort(xs, m, ord)))
        goto out;
    /* About 15 points per group, 3 to 20 groups. */
    size_t groups = m / 15 < 3 ? (m < 3 ? m : 3) : m / 15 > 20 ? 20 : m / 15, ng = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t a0 = g * m / groups, a1 = (g + 1) * m / groups;
        if (a1 <= a0)
            continue;
        double *buf = dv__malloc((a1 - a0) * sizeof *buf);
        if (!buf) {
            rc = dv__err(err, DV_ENOMEM, "plot scatter: out of memory");
            goto out;
        }
        double sx = 0;
        for (size_t j = a0; j < a1; j++) {
            size_t i = (size_t)tmp[ord[j]];
            buf[j - a0] = y[i];
            sx += x[i];
        }
        qsort(buf, a1 - a0, sizeof *buf, cmp_double);
        size_t c = a1 - a0;
        mx[ng] = sx / (double)c;
        my[ng] = c % 2 ? buf[c / 2] : 0.5 * (buf[c / 2 - 1] + buf[c / 2]);
        ng++;
        dv__free(buf);
    }
    dv__fig *f;
    dv__plotcsv csv;
    if ((rc = dv__plot_open(w_pt, h_pt, 1, 1, data_path, "series,x,y", &f, &csv, err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            dv__plotcsv_row(&csv, "point,%.17g,%.17g", x[i], y[i]);
    for (size_t g = 0; g < ng; g++)
        dv__plotcsv_row(&csv, "median,%.17g,%.17g", mx[g], my[g]);
    char t[160];
    snprintf(t, sizeof t, "%s against %s", y_label ? y_label : "y", x_label ? x_label : "x");
    dv__fig_title(f, dv__plot_title(o, t));
    dv__axes *a = dv__fig_axes(f, 0, 0);
    dv__ax_scatter(a, x, y, n, dv__palette(3), DV__MARK_CIRCLE, 2.2, 0.4, "points");
    dv__ax_line(a, mx, my, ng, dv__palette(4), 1.6, DV__DASH_SOLID, "running median");
    dv__ax_xlabel(a, x_label ? x_label : "x");
    dv__ax_ylabel(a, y_label ? y_label : "y");
    dv__ax_legend(a, DV__LEGEND_BEST);
    rc = dv__plot_finish(f, path, dpi, &csv, err);
out:
    dv__free(ord);
    dv__free(xs);
    dv__free(tmp);
    dv__free(mx);
    dv__free(my);
    return rc;
}
