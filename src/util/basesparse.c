/*
 * basesparse.c -- a dense matrix stored by columns as a baseline plus
 * exceptions: X = 1 b^T + E, b_j the most frequent value of column j.
 * Columns that often differ from their baseline are kept whole
 * (column-major); the others keep only their exceptions, as lists of
 * (row, X_ij - b_j).
 *
 * Standardized one-hot data is dense after centring yet has few
 * exceptions: Adult's 108 columns become about 11 whole columns and 3.5
 * listed entries per row, so X theta and X^T r cost a fraction of the
 * dense products.  The products equal the dense ones up to rounding.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* A column is kept whole when more than this fraction of it differs from
 * its baseline: a listed entry costs about three times a dense one (on
 * Adult, fractions from 0.25 to 0.5 run 5 % faster than 0.125 and much
 * faster than all columns whole or all listed). */
#define WHOLE_FRAC 0.3

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void dv__bsp_free(dv__bsp *m)
{
    void *ptrs[] = {m->base, m->dcol, m->dense, m->lcol, m->lstart, m->llen, m->lrow, m->lval,
                    m->lidx};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        dv__free(ptrs[i]);
    memset(m, 0, sizeof *m);
}

/* Allocates m for up to cap rows with the layout in base/whole (d
 * columns) and list capacities count[j]. */
static int alloc_layout(dv__bsp *m, size_t d, size_t cap, const double *base, const char *whole,
                        const size_t *count)
{
    memset(m, 0, sizeof *m);
    m->d = d;
    m->cap = cap;
    size_t nd = 0, nl = 0, tot = 0;
    for (size_t j = 0; j < d; j++) {
        if (whole[j])
            nd++;
        else {
            nl++;
            tot += count[j];
        }
    }
    m->base = dv__malloc((d ? d : 1) * sizeof(double));
    m->dcol = dv__malloc((nd ? nd : 1) * sizeof(uint32_t));
    m->dense = dv__malloc((nd * cap > 0 ? nd * cap : 1) * sizeof(double));
    m->lcol = dv__malloc((nl ? nl : 1) * sizeof(uint32_t));
    m->lstart = dv__malloc((nl + 1) * sizeof(size_t));
    m->llen = dv__calloc(nl ? nl : 1, sizeof(size_t));
    m->lrow = dv__malloc((tot ? tot : 1) * sizeof(uint32_t));
    m->lval = dv__malloc((tot ? tot : 1) * sizeof(double));
    m->lidx = dv__malloc((d ? d : 1) * sizeof(size_t));
    if (!m->base || !m->dcol || !m->dense || !m->lcol || !m->lstart || !m->llen || !m->lrow ||
        !m->lval || !m->lidx) {
        dv__bsp_free(m);
        return DV_ENOMEM;
    }
    size_t e = 0;
    for (size_t j = 0; j < d; j++) {
        m->base[j] = whole[j] ? 0.0 : base[j];
        if (whole[j]) {
            m->lidx[j] = SIZE_MAX;
            m->dcol[m->nd++] = (uint32_t)j;
        } else {
            m->lidx[j] = m->nl;
            m->lcol[m->nl] = (uint32_t)j;
            m->lstart[m->nl++] = e;
            e += count[j];
        }
    }
    m->lstart[m->nl] = e;
    return DV_OK;
}

/* Exceptions of each column of the n x d X against base, into count. */
static void count_exceptions(const double *X, size_t n, size_t d, const double *base,
                             size_t *count)
{
    memset(count, 0, d * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            count[j] += X[i * d + j] != base[j];
}

int dv__bsp_plan(dv__bsp *m, const double *X, size_t n, size_t d, size_t cap, int *worth)
{
    *worth = 0;
    memset(m, 0, sizeof *m);
    double *c = dv__malloc((n ? n : 1) * sizeof(double)), *base = dv__malloc((d ? d : 1) * sizeof(double));
    size_t *count = dv__malloc((d ? d : 1) * sizeof(size_t));
    char *whole = dv__malloc(d ? d : 1);
    int rc = !c || !base || !count || !whole ? DV_ENOMEM : DV_OK;
    size_t listed = 0, nd = 0;
    for (size_t j = 0; !rc && j < d; j++) {
        for (size_t i = 0; i < n; i++)
            c[i] = X[i * d + j];
        qsort(c, n, sizeof(double), cmp_double);
        /* The longest run of equal values; ties go to the smallest value. */
        size_t best = 0, run = 0;
        double b = 0.0;
        for (size_t i = 0; i < n; i++) {
            run = i > 0 && c[i] == c[i - 1] ? run + 1 : 1;
            if (run > best) {
                best = run;
                b = c[i];
            }
        }
        base[j] = b;
        count[j] = n - best;
        whole[j] = (double)count[j] > WHOLE_FRAC * (double)n;
        if (whole[j])
            nd++;
        else
            listed += count[j];
    }
    /* Worth it when whole columns plus listed entries (each about three
     * times a dense entry) cost at most 60 % of the dense products. */
    if (!rc && n > 0 && d > 0 &&
        (double)nd + 3.5 * (double)listed / (double)n <= 0.6 * (double)d) {
        rc = alloc_layout(m, d, cap, base, whole, count);
        *worth = rc == DV_OK;
    }
    dv__free(c);
    dv__free(base);
    dv__free(count);
    dv__free(whole);
    return rc;
}

/* Allocates m in src's layout (the same whole columns and baselines) for
 * cap rows, with list room count[j] for column j, or src's own when count
 * is NULL. */
static int alloc_like(dv__bsp *m, const dv__bsp *src, size_t cap, const size_t *count)
{
    size_t d = src->d;
    size_t *room = dv__malloc((d ? d : 1) * sizeof(size_t));
    char *whole = dv__malloc(d ? d : 1);
    int rc = room && whole ? DV_OK : DV_ENOMEM;
    for (size_t j = 0; !rc && j < d; j++) {
        size_t q = src->lidx[j];
        whole[j] = q == SIZE_MAX;
        room[j] = count ? count[j] : whole[j] ? 0 : src->lstart[q + 1] - src->lstart[q];
    }
    if (!rc)
        rc = alloc_layout(m, d, cap, src->base, whole, room);
    dv__free(room);
    dv__free(whole);
    return rc;
}

int dv__bsp_like(dv__bsp *m, const dv__bsp *plan, const double *X, size_t n)
{
    size_t d = plan->d;
    size_t *count = dv__malloc((d ? d : 1) * sizeof(size_t));
    if (!count)
        return DV_ENOMEM;
    count_exceptions(X, n, d, plan->base, count);
    int rc = alloc_like(m, plan, n, count);
    dv__free(count);
    for (size_t i = 0; !rc && i < n; i++)
        rc = dv__bsp_push(m, X + i * d);
    return rc;
}

int dv__bsp_copy(dv__bsp *dst, const dv__bsp *src)
{
    if (alloc_like(dst, src, src->cap, NULL))
        return DV_ENOMEM;
    dst->n = src->n;
    for (size_t q = 0; q < src->nd; q++)
        memcpy(dst->dense + q * src->cap, src->dense + q * src->cap, src->n * sizeof(double));
    for (size_t q = 0; q < src->nl; q++) {
        dst->llen[q] = src->llen[q];
        memcpy(dst->lrow + src->lstart[q], src->lrow + src->lstart[q],
               src->llen[q] * sizeof(uint32_t));
        memcpy(dst->lval + src->lstart[q], src->lval + src->lstart[q],
               src->llen[q] * sizeof(double));
    }
    return DV_OK;
}

void dv__bsp_reset(dv__bsp *m)
{
    m->n = 0;
    memset(m->llen, 0, (m->nl ? m->nl : 1) * sizeof(size_t));
}

int dv__bsp_push(dv__bsp *m, const double *x)
{
    if (m->n >= m->cap)
        return DV_EINVAL;
    for (size_t q = 0; q < m->nl; q++) {
        size_t j = m->lcol[q];
        if (x[j] != m->base[j] && m->lstart[q] + m->llen[q] >= m->lstart[q + 1])
            return DV_EINVAL; /* more exceptions than the layout has room for */
    }
    size_t i = m->n++;
    for (size_t q = 0; q < m->nd; q++)
        m->dense[q * m->cap + i] = x[m->dcol[q]];
    for (size_t q = 0; q < m->nl; q++) {
        size_t j = m->lcol[q];
        if (x[j] != m->base[j]) {
            size_t e = m->lstart[q] + m->llen[q]++;
            m->lrow[e] = (uint32_t)i;
            m->lval[e] = x[j] - m->base[j];
        }
    }
    return DV_OK;
}

/* Whole-column kernels, built for AVX2 too (see DV__CLONES). */
DV__CLONES static void whole_axpy(size_t n, double t, const double *restrict x,
                                  double *restrict z)
{
    for (size_t i = 0; i < n; i++)
        z[i] += t * x[i];
}

DV__CLONES double dv__dot4(size_t n, const double *restrict x, const double *restrict r)
{
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a0 += x[i] * r[i];
        a1 += x[i + 1] * r[i + 1];
        a2 += x[i + 2] * r[i + 2];
        a3 += x[i + 3] * r[i + 3];
    }
    for (; i < n; i++)
        a0 += x[i] * r[i];
    return (a0 + a1) + (a2 + a3);
}

void dv__bsp_gemv(const dv__bsp *m, const double *theta, double c, double *restrict z)
{
    size_t n = m->n;
    double s = c;
    for (size_t j = 0; j < m->d; j++)
        s += m->base[j] * theta[j];
    for (size_t i = 0; i < n; i++)
        z[i] = s;
    for (size_t q = 0; q < m->nd; q++) {
        whole_axpy(n, theta[m->dcol[q]], m->dense + q * m->cap, z);
    }
    for (size_t q = 0; q < m->nl; q++) {
        const uint32_t *restrict row = m->lrow + m->lstart[q];
        const double *restrict v = m->lval + m->lstart[q];
        double t = theta[m->lcol[q]];
        for (size_t e = 0, k = m->llen[q]; e < k; e++)
            z[row[e]] += v[e] * t;
    }
}

double dv__bsp_gemv_t(const dv__bsp *m, const double *restrict r, double *restrict g)
{
    size_t n = m->n;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += r[i];
    for (size_t j = 0; j < m->d; j++)
        g[j] = m->base[j] * s;
    for (size_t q = 0; q < m->nd; q++) {
        g[m->dcol[q]] += dv__dot4(n, m->dense + q * m->cap, r);
    }
    for (size_t q = 0; q < m->nl; q++) {
        const uint32_t *restrict row = m->lrow + m->lstart[q];
        const double *restrict v = m->lval + m->lstart[q];
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        size_t e = 0, k = m->llen[q];
        for (; e + 4 <= k; e += 4) {
            a0 += v[e] * r[row[e]];
            a1 += v[e + 1] * r[row[e + 1]];
            a2 += v[e + 2] * r[row[e + 2]];
            a3 += v[e + 3] * r[row[e + 3]];
        }
        for (; e < k; e++)
            a0 += v[e] * r[row[e]];
        g[m->lcol[q]] += (a0 + a1) + (a2 + a3);
    }
    return s;
}
