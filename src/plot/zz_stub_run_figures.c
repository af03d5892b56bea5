/* TEMPORARY stubs of the run figures (implemented on another branch); drop at merge. */
#include "internal.h"

int dv_plot_law(const char *path, const char *data_path, const dv_plot_opts *opts,
                size_t n_points, size_t n_samples, const int64_t *ids, const double *delta,
                const int32_t *card, const dv_law *laws, int64_t k_lo, int64_t k_hi,
                dv_error *err)
{
    return dv__err(err, DV_EINVAL, "dv_plot_law is not available in this build");
}

int dv_plot_validation(const char *path, const char *data_path, const dv_plot_opts *opts,
                       size_t n_points, size_t n_samples, const double *delta,
                       const int32_t *card, const dv_law *laws, dv_error *err)
{
    return dv__err(err, DV_EINVAL, "dv_plot_validation is not available in this build");
}

int dv_plot_hist(const char *path, const char *data_path, const dv_plot_opts *opts,
                 size_t n_points, const dv_law *laws, dv_error *err)
{
    return dv__err(err, DV_EINVAL, "dv_plot_hist is not available in this build");
}

int dv_boundary_distance(const dv_dataset *train, const dv_learner_params *lp,
                         const int64_t *rows, size_t n, double *out, dv_error *err)
{
    return dv__err(err, DV_EINVAL, "dv_boundary_distance is not available in this build");
}

int dv_plot_scatter(const char *path, const char *data_path, const dv_plot_opts *opts, size_t n,
                    const double *x, const double *y, const char *x_label, const char *y_label,
                    dv_error *err)
{
    return dv__err(err, DV_EINVAL, "dv_plot_scatter is not available in this build");
}
