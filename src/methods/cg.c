/*
 * cg.c -- the CG score, a training-free data value: how much a point
 * changes the complexity-gap term y^T H^-1 y of the infinite-width
 * two-layer ReLU network's neural tangent kernel H.
 *
 * Ki, Choi & Chung, "Data Valuation Without Training of a Model", ICLR 2023.
 *
 * For each class c, the rows of class c are positives (label +1) and a
 * random subset of the other classes, min(round(cg_unbalance * n_c),
 * n_others) rows drawn without replacement by a partial Fisher-Yates
 * shuffle of the other rows in row order with dv_rng seeded from
 * (seed, rep * 1000 + c), are negatives (label -1).  Features are scaled to
 * unit L2 norm (an all-zero row stays zero), and
 *
 *     H_ij = u_ij (pi - arccos u_ij) / (2 pi),  u_ij = x_i . x_j clamped to [-1, 1],
 *
 * with H_ii = 1/2.  The score of positive i is the drop of y^T H^-1 y when
 * i is left out, which by the Schur complement is
 *
 *     y^T H^-1 y - y_{-i}^T H_{-i}^-1 y_{-i} = ((H^-1 y)_i)^2 / (H^-1)_ii .
 *
 * H^-1 comes from a Cholesky factorization (dpotrf, dpotri).  H is
 * positive definite for distinct directions; duplicated directions (or
 * all-zero rows) make it singular, and then a ridge eps * I is added,
 * eps = 1e-10 * 0.5 (one ten-billionth of the diagonal), grown tenfold
 * until the factorization succeeds (at most 1e-2 * 0.5, else DV_EDEGEN).
 * Scores are averaged over cg_reps draws of the negatives.  A high score
 * marks an atypical, hard or mislabeled point, so since dval's values are
 * "higher = more valuable" the value returned is -score.
 *
 * Cost per class: O(N^2 d + N^3) time and N^2 doubles, N = n_c + negatives.
 * LAPACK runs on the calling thread only, so results do not depend on the
 * thread count.
 */
#include "methods.h"

#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <string.h>

/* Inverse of the SPD N x N matrix H (row-major, overwritten by the full
 * inverse).  A ridge is added when H is numerically singular (see the top
 * of the file); H0 keeps a copy of H for the retries.  Returns 0, or
 * nonzero when even the largest ridge fails. */
static int spd_inverse(double *H, double *H0, size_t N)
{
    memcpy(H0, H, N * N * sizeof(double));
    double eps = 0.0;
    for (;;) {
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)N, H, (lapack_int)N);
        if (info == 0)
            break;
        eps = eps == 0.0 ? 0.5e-10 : eps * 10.0;
        if (eps > 0.5e-2 * 1.0000001)
            return 1;
        memcpy(H, H0, N * N * sizeof(double));
        for (size_t i = 0; i < N; i++)
            H[i * N + i] += eps;
    }
    if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'L', (lapack_int)N, H, (lapack_int)N) != 0)
        return 1;
    for (size_t i = 0; i < N; i++) /* mirror the lower triangle */
        for (size_t j = i + 1; j < N; j++)
            H[i * N + j] = H[j * N + i];
    return 0;
}

/* Scores of the positives of one problem: rows idx[0..N-1] of the unit
 * rows U (d columns), the first npos positive.  Adds w * score of
 * positive k to acc[idx[k]].  H, H0 are N x N scratch, a N scratch. */
static int one_problem(const double *U, size_t d, const size_t *idx, size_t N, size_t npos,
                       double w, double *H, double *H0, double *a, double *acc)
{
    const double two_pi = 2.0 * 3.14159265358979323846;
    const double pi = 3.14159265358979323846;
    for (size_t i = 0; i < N; i++) {
        const double *xi = U + idx[i] * d;
        H[i * N + i] = 0.5;
        for (size_t j = 0; j < i; j++) {
            const double *xj = U + idx[j] * d;
            double u = 0.0;
            for (size_t k = 0; k < d; k++)
                u += xi[k] * xj[k];
            u = u > 1.0 ? 1.0 : (u < -1.0 ? -1.0 : u);
            double h = u * (pi - acos(u)) / two_pi;
            H[i * N + j] = h;
            H[j * N + i] = h;
        }
    }
    if (spd_inverse(H, H0, N))
        return 1;
    for (size_t i = 0; i < N; i++) { /* a = H^-1 y */
        double s = 0.0;
        for (size_t j = 0; j < N; j++)
            s += H[i * N + j] * (j < npos ? 1.0 : -1.0);
        a[i] = s;
    }
    for (size_t i = 0; i < npos; i++)
        acc[idx[i]] += w * (a[i] * a[i] / H[i * N + i]);
    return 0;
}

/* U := the rows of train scaled to unit norm; cls[c] := the rows of class c. */
static int unit_rows(const dv_dataset *train, double *U, size_t *cls, dv_error *err)
{
    size_t n = train->n, d = train->d, K = train->n_classes;
    for (size_t i = 0; i < n; i++) {
        double c = train->y[i];
        if (!(c >= 0) || (size_t)c >= K || c != floor(c))
            return dv__err(err, DV_EINVAL, "cg: row %zu has label %g, not a class 0..%zu", i, c,
                           K ? K - 1 : 0);
        cls[(size_t)c]++;
        const double *x = train->X + i * d;
        double s = 0.0;
        for (size_t k = 0; k < d; k++)
            s += x[k] * x[k];
        s = sqrt(s);
        for (size_t k = 0; k < d; k++)
            U[i * d + k] = s > 0 ? x[k] / s : 0.0;
    }
    return DV_OK;
}

/* The rows of class c (idx[0..npos-1]) followed by a seeded draw of
 * m = round(unbalance * npos) rows of the other classes; returns the
 * problem's size and sets *npos_out. */
static size_t class_problem(const dv_dataset *train, const dv_value_params *p, size_t rep,
                            size_t c, size_t *idx, size_t *others, size_t *npos_out)
{
    size_t n = train->n, npos = 0, no = 0;
    for (size_t i = 0; i < n; i++) {
        if ((size_t)train->y[i] == c)
            idx[npos++] = i;
        else
            others[no++] = i;
    }
    double want = nearbyint(p->cg_unbalance * (double)npos);
    size_t m = want >= (double)no ? no : (size_t)want;
    dv_rng r;
    dv_rng_seed(&r, p->seed, (uint64_t)rep * 1000u + (uint64_t)c);
    for (size_t k = 0; k < m; k++) { /* partial Fisher-Yates */
        size_t j = k + (size_t)dv_rng_below(&r, (uint64_t)(no - k));
        size_t t = others[k];
        others[k] = others[j];
        others[j] = t;
        idx[npos + k] = others[k];
    }
    *npos_out = npos;
    return npos + m;
}

int dv__cg_score(const dv_dataset *train, const dv_value_params *p, double *values,
                 dv_error *err)
{
    if (!train || !p || !values)
        return dv__err(err, DV_EINVAL, "cg: %s is NULL",
                       !train ? "train" : (!p ? "params" : "values"));
    if (train->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "cg score needs a classification dataset");
    if (p->cg_reps < 1)
        return dv__err(err, DV_EINVAL, "cg_reps must be >= 1");
    if (!(p->cg_unbalance > 0) || !isfinite(p->cg_unbalance))
        return dv__err(err, DV_EINVAL, "cg_unbalance must be a finite number > 0");
    size_t n = train->n, d = train->d, K = train->n_classes;
    if (n == 0)
        return DV_OK;

    int rc = DV_OK;
    double *U = dv__malloc(n * d * sizeof(double) + 1);
    size_t *cls = dv__calloc(K + 1, sizeof(size_t));
    size_t *idx = dv__malloc(n * sizeof(size_t));
    size_t *others = dv__malloc(n * sizeof(size_t));
    double *acc = dv__calloc(n, sizeof(double));
    double *H = NULL, *H0 = NULL, *a = NULL;
    if (!U || !cls || !idx || !others || !acc) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = unit_rows(train, U, cls, err)))
        goto done;
    /* The largest problem sizes the scratch. */
    size_t Nmax = 0;
    for (size_t c = 0; c < K; c++) {
        size_t nc = cls[c], no = n - nc;
        double want = nearbyint(p->cg_unbalance * (double)nc);
        size_t m = want >= (double)no ? no : (size_t)want;
        if (nc + m > Nmax)
            Nmax = nc + m;
    }
    H = dv__malloc(Nmax * Nmax * sizeof(double) + 1);
    H0 = dv__malloc(Nmax * Nmax * sizeof(double) + 1);
    a = dv__malloc(Nmax * sizeof(double) + 1);
    if (!H || !H0 || !a) {
        rc = dv__err(err, DV_ENOMEM, "out of memory (cg: %zu x %zu kernel matrix)", Nmax, Nmax);
        goto done;
    }

    int nt = omp_get_max_threads();
    if (nt != 1)
        omp_set_num_threads(1);
    double w = 1.0 / (double)p->cg_reps;
    for (size_t rep = 0; rep < p->cg_reps && rc == DV_OK; rep++) {
        for (size_t c = 0; c < K; c++) {
            size_t nc = cls[c];
            if (nc == 0)
                continue;
            size_t npos, N = class_problem(train, p, rep, c, idx, others, &npos);
            if (one_problem(U, d, idx, N, npos, w, H, H0, a, acc)) {
                rc = dv__err(err, DV_EDEGEN,
                             "cg: the kernel matrix of class %zu is not positive definite "
                             "even with a ridge", c);
                break;
            }
        }
    }
    if (nt != 1)
        omp_set_num_threads(nt);
    if (rc == DV_OK)
        for (size_t i = 0; i < n; i++)
            values[i] = -acc[i];

done:
    dv__free(U);
    dv__free(cls);
    dv__free(idx);
    dv__free(others);
    dv__free(acc);
    dv__free(H);
    dv__free(H0);
    dv__free(a);
    return rc;
}
