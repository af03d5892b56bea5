/*
 * plane.c -- the geometry of dv_synth's gauss2d and of the 2-D study:
 * regular meshes of a rectangle and the nearest-mean labelling rule g.
 */
#include "internal.h"

#include <math.h>

const char *dv_mesh_check(const dv_mesh *m)
{
    if (!m)
        return "no mesh";
    if (!(isfinite(m->x0) && isfinite(m->x1) && isfinite(m->y0) && isfinite(m->y1)))
        return "the mesh's corners are not finite";
    if (!(m->x1 > m->x0 && m->y1 > m->y0))
        return "the mesh's rectangle is empty (x1 <= x0 or y1 <= y0)";
    if (m->nx < 2 || m->ny < 2)
        return "a mesh needs at least 2 lines each way";
    if (m->nx > 100000000 / m->ny)
        return "the mesh has more than 10^8 points";
    return NULL;
}

double dv__mesh_coord(double a, double b, size_t j, size_t n)
{
    return j + 1 == n ? b : a + (double)j * (b - a) / (double)(n - 1);
}

int dv_mesh_points(const dv_mesh *m, double *xy, dv_error *err)
{
    const char *why = dv_mesh_check(m);
    if (why)
        return dv__err(err, DV_EINVAL, "%s", why);
    for (size_t i = 0; i < m->ny; i++)
        for (size_t j = 0; j < m->nx; j++) {
            double *p = xy + 2 * (i * m->nx + j);
            p[0] = dv__mesh_coord(m->x0, m->x1, j, m->nx);
            p[1] = dv__mesh_coord(m->y0, m->y1, i, m->ny);
        }
    return DV_OK;
}

int dv_nearest_mean_labels(const double *means, const int *mean_class, size_t n_means,
                           const double *xy, size_t n, int *labels, dv_error *err)
{
    if (n_means == 0)
        return dv__err(err, DV_EINVAL, "no cluster means");
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        size_t arg = 0;
        for (size_t m = 0; m < n_means; m++) {
            double dx = xy[2 * i] - means[2 * m], dy = xy[2 * i + 1] - means[2 * m + 1];
            double d2 = dx * dx + dy * dy;
            if (d2 < best) {
                best = d2;
                arg = m;
            }
        }
        labels[i] = mean_class[arg];
    }
    return DV_OK;
}

