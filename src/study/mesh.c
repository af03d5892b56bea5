/*
 * mesh.c -- the plane of the 2-D study ("Towards Understanding Data Values:
 * Empirical Results on Synthetic Data"): the labels a model gives the
 * points of a mesh, the distance between two classifiers as the share of
 * mesh points they label differently, and decision boundaries as level
 * curves (marching squares).  The meshes themselves and the nearest-mean
 * rule are data/plane.c's (the generator's geometry).
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows per prediction call.  Small blocks keep a wide network's hidden
 * activations in cache: the labels of 250,000 mesh points by an mlp with
 * 1,000 hidden units took 0.24 s in blocks of 64 and 1.7 s in blocks of
 * 4,096 (one thread, this machine). */
#define LABEL_CHUNK 64

int dv_model_labels(const dv_model *model, const double *X, size_t n, size_t d, int *labels,
                    dv_error *err)
{
    size_t K = dv_model_outputs(model);
    if (K < 2)
        return dv__err(err, DV_EINVAL, "labels need a classifier");
    size_t cap = n < LABEL_CHUNK ? n : LABEL_CHUNK;
    double *p = dv__malloc((cap ? cap : 1) * K * sizeof *p);
    if (!p)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t done = 0; done < n; done += cap) {
        size_t nb = n - done < cap ? n - done : cap;
        int rc = dv_model_predict(model, X + done * d, nb, d, p);
        if (rc) {
            dv__free(p);
            return dv__err(err, rc, "prediction failed");
        }
        for (size_t i = 0; i < nb; i++)
            labels[done + i] = (int)dv__argmax(p + i * K, K);
    }
    dv__free(p);
    return DV_OK;
}

double dv_label_disagreement(const int *a, const int *b, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += a[i] != b[i];
    return n ? (double)k / (double)n : 0.0;
}

/* The point on the edge from (xa, ya, fa) to (xb, yb, fb) where f = 0. */
static void cross(double xa, double ya, double fa, double xb, double yb, double fb, double *x,
                  double *y)
{
    double t = fa / (fa - fb);
    *x = xa + t * (xb - xa);
    *y = ya + t * (yb - ya);
}

size_t dv_mesh_contour(const dv_mesh *m, const double *f, double level, double *seg, size_t cap)
{
    if (dv_mesh_check(m))
        return 0;
    size_t count = 0;
    for (size_t i = 0; i + 1 < m->ny; i++)
        for (size_t j = 0; j + 1 < m->nx; j++) {
            /* corners counter-clockwise from the lower left: 0 (j, i), 1 (j+1, i),
             * 2 (j+1, i+1), 3 (j, i+1); "above" means f >= level */
            double xa = dv__mesh_coord(m->x0, m->x1, j, m->nx);
            double xb = dv__mesh_coord(m->x0, m->x1, j + 1, m->nx);
            double ya = dv__mesh_coord(m->y0, m->y1, i, m->ny);
            double yb = dv__mesh_coord(m->y0, m->y1, i + 1, m->ny);
            double x[4] = {xa, xb, xb, xa}, y[4] = {ya, ya, yb, yb};
            double v[4] = {f[i * m->nx + j] - level, f[i * m->nx + j + 1] - level,
                           f[(i + 1) * m->nx + j + 1] - level, f[(i + 1) * m->nx + j] - level};
            if (!(isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]) && isfinite(v[3])))
                continue;
            int up[4], n_up = 0;
            for (int c = 0; c < 4; c++)
                n_up += up[c] = v[c] >= 0;
            if (n_up == 0 || n_up == 4)
                continue;
            /* the crossing on each edge e (corner e to corner e+1) that changes */
            double ex[4], ey[4];
            int crossed[4];
            for (int e = 0; e < 4; e++) {
                /* from the left or lower corner, so that the two cells
                 * sharing an edge compute the same point, bit for bit */
                int a = e < 2 ? e : (e + 1) % 4, b = e < 2 ? e + 1 : e;
                crossed[e] = up[a] != up[b];
                if (crossed[e])
                    cross(x[a], y[a], v[a], x[b], y[b], v[b], &ex[e], &ey[e]);
            }
            int pairs[2][2], np = 0;
            if (n_up == 2 && up[0] == up[2]) { /* a saddle: split by the mean */
                double mean = (v[0] + v[1] + v[2] + v[3]) / 4;
                /* if the centre is on corner 0's side, corners 0 and 2 connect:
                 * the segments cut off corners 1 and 3 */
                if ((mean >= 0) == (up[0] != 0)) {
                    pairs[0][0] = 0, pairs[0][1] = 1; /* around corner 1 */
                    pairs[1][0] = 2, pairs[1][1] = 3; /* around corner 3 */
                } else {
                    pairs[0][0] = 3, pairs[0][1] = 0; /* around corner 0 */
                    pairs[1][0] = 1, pairs[1][1] = 2; /* around corner 2 */
                }
                np = 2;
            } else {
                int k = 0;
                for (int e = 0; e < 4; e++)
                    if (crossed[e])
                        pairs[0][k++] = e;
                np = 1;
            }
            for (int s = 0; s < np; s++) {
                if (count < cap) {
                    double *o = seg + 4 * count;
                    o[0] = ex[pairs[s][0]];
                    o[1] = ey[pairs[s][0]];
                    o[2] = ex[pairs[s][1]];
                    o[3] = ey[pairs[s][1]];
                }
                count++;
            }
        }
    return count;
}

/* Segment endpoints sorted by (x, y) to find each one's partner. */
typedef struct {
    double x, y;
    size_t seg; /* segment * 2 + end */
} endpoint;

static int by_point(const void *a, const void *b)
{
    const endpoint *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->seg > q->seg) - (p->seg < q->seg);
}

size_t dv_segments_chain(const double *seg, size_t n, double *x, double *y)
{
    if (n == 0)
        return 0;
    endpoint *e = dv__malloc(2 * n * sizeof *e);
    size_t *mate = dv__malloc(2 * n * sizeof *mate); /* the other end at the same point */
    unsigned char *used = dv__calloc(n, 1);
    if (!e || !mate || !used) {
        dv__free(e), dv__free(mate), dv__free(used);
        return 0;
    }
    for (size_t k = 0; k < 2 * n; k++) {
        e[k] = (endpoint){seg[4 * (k / 2) + 2 * (k % 2)], seg[4 * (k / 2) + 2 * (k % 2) + 1], k};
        mate[k] = SIZE_MAX;
    }
    qsort(e, 2 * n, sizeof *e, by_point);
    /* a point shared by exactly two ends joins them */
    for (size_t k = 0; k < 2 * n;) {
        size_t j = k + 1;
        while (j < 2 * n && e[j].x == e[k].x && e[j].y == e[k].y)
            j++;
        if (j - k == 2) {
            mate[e[k].seg] = e[k + 1].seg;
            mate[e[k + 1].seg] = e[k].seg;
        }
        k = j;
    }
    size_t out = 0;
    /* open chains first (from an end without a mate), then closed loops */
    for (int pass = 0; pass < 2; pass++)
        for (size_t s0 = 0; s0 < n; s0++) {
            if (used[s0])
                continue;
            size_t start = 2 * s0;
            if (pass == 0) {
                if (mate[2 * s0] != SIZE_MAX && mate[2 * s0 + 1] != SIZE_MAX)
                    continue;
                start = mate[2 * s0] == SIZE_MAX ? 2 * s0 : 2 * s0 + 1;
            }
            if (out)
                x[out] = y[out] = NAN, out++;
            size_t end = start; /* the end we enter the segment by */
            x[out] = seg[4 * (end / 2) + 2 * (end % 2)];
            y[out] = seg[4 * (end / 2) + 2 * (end % 2) + 1];
            out++;
            for (;;) {
                size_t sg = end / 2, other = end ^ 1;
                used[sg] = 1;
                x[out] = seg[4 * sg + 2 * (other % 2)];
                y[out] = seg[4 * sg + 2 * (other % 2) + 1];
                out++;
                size_t nx = mate[other];
                if (nx == SIZE_MAX || used[nx / 2])
                    break;
                end = nx;
            }
        }
    dv__free(e), dv__free(mate), dv__free(used);
    return out;
}
