/*
 * run_figures.c -- the figures of a finished run (dv_run) with its laws:
 * the law panels of chosen points (by default those at quantiles of
 * alpha), the parameter histograms, the grid validation figure and the
 * distance to the decision boundary.  Each gathers the run's arrays and
 * calls the figure of dval_plot.h that draws them.
 */
#include "dval_plot.h"
#include "internal.h"

#include <math.h>
#include <string.h>

/* Points nearest the 10, 30, 50, 70, 90 and 99 % quantiles of alpha among
 * those whose law is ok (repeats dropped); returns their count. */
static size_t alpha_quantile_points(const dv_law *laws, size_t n, int64_t *sel)
{
    size_t m = 0;
    int64_t *ok = dv__malloc((n ? n : 1) * sizeof *ok);
    if (!ok)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (laws[i].status == DV_LAW_OK)
            ok[m++] = (int64_t)i;
    for (size_t i = 1; i < m; i++) /* insertion sort by alpha: small m is typical */
        for (size_t j = i; j > 0 && laws[ok[j]].alpha < laws[ok[j - 1]].alpha; j--) {
            int64_t t = ok[j];
            ok[j] = ok[j - 1];
            ok[j - 1] = t;
        }
    static const double q[] = {0.1, 0.3, 0.5, 0.7, 0.9, 0.99};
    size_t np = 0;
    for (size_t k = 0; k < 6 && np < m; k++) {
        int64_t v = ok[(size_t)floor(q[k] * (double)(m - 1) + 0.5)];
        if (np == 0 || sel[np - 1] != v)
            sel[np++] = v;
    }
    dv__free(ok);
    return np;
}

int dv_plot_run_law(const char *path, const char *data_path, const dv_plot_opts *opts,
                    const dv_run *r, const dv_law *laws, const int64_t *which, size_t n_which,
                    dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points, M = I->n_samples;
    int64_t quant[6];
    if (!which) {
        n_which = alpha_quantile_points(laws, P, quant);
        if (n_which == 0)
            return dv__err(err, DV_EDEGEN, "plot law: no point of %s has a fitted law (status ok)",
                           dv_run_dir(r));
        which = quant;
    }
    if (n_which == 0 || n_which > 36)
        return dv__err(err, DV_EINVAL, "plot law: 1 to 36 points, not %zu", n_which);
    for (size_t i = 0; i < n_which; i++)
        if (which[i] < 0 || (size_t)which[i] >= P)
            return dv__err(err, DV_EINVAL,
                           "plot law: --points: %lld is not a point of the run (0..%zu)",
                           (long long)which[i], P - 1);
    double *d = dv__malloc(n_which * M * sizeof *d);
    int32_t *k = dv__malloc(n_which * M * sizeof *k);
    dv_law *sl = dv__malloc(n_which * sizeof *sl);
    int rc = d && k && sl ? DV_OK : dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n_which; i++) {
        size_t z = (size_t)which[i];
        memcpy(d + i * M, dv_run_deltas(r) + z * M, M * sizeof *d);
        memcpy(k + i * M, dv_run_cards(r) + z * M, M * sizeof *k);
        sl[i] = laws[z];
    }
    if (!rc)
        rc = dv_plot_law(path, data_path, opts, n_which, M, which, d, k, sl, I->min_card,
                         I->max_card, err);
    dv__free(d);
    dv__free(k);
    dv__free(sl);
    return rc;
}

int dv_plot_run_hist(const char *path, const char *data_path, const dv_plot_opts *opts,
                     const dv_run *r, const dv_law *laws, dv_error *err)
{
    return dv_plot_hist(path, data_path, opts, dv_run_get_info(r)->n_points, laws, err);
}

int dv_plot_run_validation(const char *path, const char *data_path, const dv_plot_opts *opts,
                           const dv_run *r, const dv_law *laws, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    if (I->mode != DV_CARD_GRID)
        return dv__err(err, DV_EINVAL,
                       "plot validation: %s is a uniform-mode run; the figure needs a grid-mode "
                       "run (dval sample --mode grid)",
                       dv_run_dir(r));
    return dv_plot_validation(path, data_path, opts, I->n_points, I->n_samples, dv_run_deltas(r),
                              dv_run_cards(r), laws, err);
}

int dv_plot_run_distance(const char *path, const char *data_path, const dv_plot_opts *opts,
                         const dv_run *r, const dv_dataset *train, const double *y,
                         const char *y_label, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    int rc = dv_run_check_split(r, train, err);
    if (rc)
        return rc;
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    double *x = dv__malloc((I->n_points ? I->n_points : 1) * sizeof *x);
    if (!x)
        return dv__err(err, DV_ENOMEM, "out of memory");
    rc = dv_boundary_distance(train, &lp, dv_run_points(r), I->n_points, x, err);
    if (!rc)
        rc = dv_plot_scatter(path, data_path, opts, I->n_points, x, y,
                             "distance to the decision boundary", y_label, err);
    dv__free(x);
    return rc;
}
