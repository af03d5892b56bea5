/*
 * test_kernels.c -- the hand-written numerical kernels against plain
 * oracles: Cholesky solves of one vector against the residual of the
 * system and LAPACK's solve; products with a matrix in baseline form
 * against dense loops, for every kind of column it keeps; the ordered
 * parallel loop against the serial order it promises.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A x = b solved through dv__chol_solve_vec for SPD A = B B^T + n I. */
static void test_chol_solve_vec(void)
{
    dv_rng r;
    dv_rng_seed(&r, 3, 1);
    size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 31, 109};
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        size_t n = sizes[t];
        double *B = malloc(n * n * sizeof *B), *A = malloc(n * n * sizeof *A);
        double *L = malloc(n * n * sizeof *L), *U = malloc(n * n * sizeof *U);
        double *dinv = malloc(n * sizeof *dinv), *b = malloc(n * sizeof *b);
        double *x = malloc(n * sizeof *x), *ref = malloc(n * sizeof *ref);
        for (size_t i = 0; i < n * n; i++)
            B[i] = dv_rng_normal(&r);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double s = i == j ? (double)n : 0.0;
                for (size_t k = 0; k < n; k++)
                    s += B[i * n + k] * B[j * n + k];
                A[i * n + j] = s;
            }
        memcpy(L, A, n * n * sizeof *L);
        CHECK(dv__chol(L, n) == 0);
        dv__chol_prep(L, n, U, dinv);
        for (size_t i = 0; i < n; i++)
            b[i] = x[i] = ref[i] = dv_rng_normal(&r);
        dv__chol_solve_vec(L, U, dinv, n, x);
        dv__chol_solve(L, n, ref, 1);
        double worst = 0.0, scale = 0.0;
        for (size_t i = 0; i < n; i++) {
            double s = 0.0, a = fabs(b[i]);
            for (size_t j = 0; j < n; j++) {
                s += A[i * n + j] * x[j];
                a += fabs(A[i * n + j] * x[j]);
            }
            worst = fmax(worst, fabs(s - b[i]) / a);
            scale = fmax(scale, fabs(ref[i]));
        }
        CHECK_MSG(worst < 1e-13, "n = %zu: relative residual %.3g", n, worst);
        for (size_t i = 0; i < n; i++)
            CHECK_MSG(fabs(x[i] - ref[i]) <= 1e-12 * scale, "n = %zu, x[%zu] = %.17g, LAPACK %.17g",
                      n, i, x[i], ref[i]);
        free(B), free(A), free(L), free(U), free(dinv), free(b), free(x), free(ref);
    }
}

#define N 240
#define D 16

/* Columns of every kind: a one-hot group of 5 (standardized-like values,
 * one level common), a rare binary flag, a constant, a mostly-zero count
 * with varied values, and continuous columns. */
static void make_matrix(double *X, size_t n, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 2);
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * D;
        double u = dv_rng_uniform(&r);
        size_t level = u < 0.92 ? 0 : 1 + (size_t)(dv_rng_uniform(&r) * 4.0);
        for (size_t j = 0; j < 5; j++)
            x[j] = j == level ? 1.7 - 0.1 * (double)j : -0.3 - 0.05 * (double)j;
        x[5] = dv_rng_uniform(&r) < 0.03 ? 5.5 : -0.18;
        x[6] = 2.25;
        x[7] = dv_rng_uniform(&r) < 0.06 ? dv_rng_normal(&r) * 3.0 : 0.0;
        for (size_t j = 8; j < 10; j++)
            x[j] = dv_rng_normal(&r);
        for (size_t j = 10; j < D; j++) /* rare levels of other groups */
            x[j] = dv_rng_uniform(&r) < 0.02 ? 1.0 : -0.1;
    }
}

/* z = X theta + c and g = X^T r on the rows `rows` of X, by dense loops,
 * with the sums of absolute terms as the rounding scale. */
static void dense_products(const double *X, const size_t *rows, size_t k, const double *theta,
                           double c, const double *r, double *z, double *zs, double *g,
                           double *gs)
{
    for (size_t i = 0; i < k; i++) {
        z[i] = c;
        zs[i] = fabs(c);
        for (size_t j = 0; j < D; j++) {
            z[i] += X[rows[i] * D + j] * theta[j];
            zs[i] += fabs(X[rows[i] * D + j] * theta[j]);
        }
    }
    for (size_t j = 0; j < D; j++) {
        g[j] = gs[j] = 0.0;
        for (size_t i = 0; i < k; i++) {
            g[j] += X[rows[i] * D + j] * r[i];
            gs[j] += fabs(X[rows[i] * D + j] * r[i]);
        }
    }
}

static void check_products(const dv__bsp *m, const double *X, const size_t *rows, size_t k,
                           dv_rng *rg)
{
    double theta[D], r[N], z[N], zs[N], g[D], gs[D], zb[N], gb[D];
    for (size_t j = 0; j < D; j++)
        theta[j] = dv_rng_normal(rg);
    for (size_t i = 0; i < k; i++)
        r[i] = dv_rng_normal(rg);
    double c = dv_rng_normal(rg), rsum = 0.0, rabs = 0.0;
    for (size_t i = 0; i < k; i++) {
        rsum += r[i];
        rabs += fabs(r[i]);
    }
    dense_products(X, rows, k, theta, c, r, z, zs, g, gs);
    CHECK_EQ_INT(m->n, k);
    dv__bsp_gemv(m, theta, c, zb);
    double s = dv__bsp_gemv_t(m, r, gb);
    for (size_t i = 0; i < k; i++)
        CHECK_MSG(fabs(zb[i] - z[i]) <= 1e-13 * (1.0 + zs[i]), "row %zu: %.17g vs %.17g", i, zb[i],
                  z[i]);
    /* Baseline form sums b_j * sum(r) and the exceptions: the rounding
     * scale includes |b_j| sum |r|. */
    for (size_t j = 0; j < D; j++)
        CHECK_MSG(fabs(gb[j] - g[j]) <= 1e-13 * (1.0 + gs[j] + fabs(m->base[j]) * rabs),
                  "column %zu: %.17g vs %.17g", j, gb[j], g[j]);
    CHECK(fabs(s - rsum) <= 1e-13 * (1.0 + rabs));
}

static void test_baseline_form(void)
{
    double *X = malloc(N * D * sizeof *X);
    make_matrix(X, N, 11);
    dv__bsp m;
    int worth = -1;
    CHECK(dv__bsp_plan(&m, X, N, D, N + 1, &worth) == 0);
    CHECK_EQ_INT(worth, 1);
    /* The layout: continuous columns whole, the rest listed, each listed
     * column's baseline its most frequent value. */
    CHECK_EQ_INT(m.nd, 2);
    CHECK(m.lidx[8] == SIZE_MAX && m.lidx[9] == SIZE_MAX);
    CHECK(m.lidx[0] != SIZE_MAX && m.lidx[5] != SIZE_MAX && m.lidx[7] != SIZE_MAX);
    CHECK(m.base[0] == 1.7 && m.base[1] == -0.35 && m.base[5] == -0.18 && m.base[6] == 2.25 &&
          m.base[7] == 0.0);
    CHECK_EQ_INT(m.llen[m.lidx[6]], 0);
    dv_rng rg;
    dv_rng_seed(&rg, 5, 5);
    /* Rows appended in a shuffled order, products checked at several
     * prefixes, then again after a reset. */
    size_t rows[N];
    for (size_t i = 0; i < N; i++)
        rows[i] = i;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = N - 1; i > 0; i--) {
            size_t j = (size_t)dv_rng_below(&rg, i + 1), t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
        dv__bsp_reset(&m);
        for (size_t k = 0; k < N; k++) {
            CHECK(dv__bsp_push(&m, X + rows[k] * D) == 0);
            if (k == 0 || k == 6 || k == 77 || k == N - 1)
                check_products(&m, X, rows, k + 1, &rg);
        }
    }
    /* Every row is in: one more row with an exception in a listed column
     * has no room (the scan's cue to fall back to dense products), and is
     * not half-appended. */
    double extra[D];
    memcpy(extra, X, sizeof extra);
    size_t row5 = 0;
    while (X[row5 * D + 5] == m.base[5])
        row5++;
    memcpy(extra, X + row5 * D, sizeof extra);
    CHECK_EQ_INT(dv__bsp_push(&m, extra), DV_EINVAL);
    check_products(&m, X, rows, N, &rg);
    /* Another matrix in the same layout (validation rows). */
    double *X2 = malloc(100 * D * sizeof *X2);
    make_matrix(X2, 100, 12);
    dv__bsp v;
    CHECK(dv__bsp_like(&v, &m, X2, 100) == 0);
    size_t all[100];
    for (size_t i = 0; i < 100; i++)
        all[i] = i;
    check_products(&v, X2, all, 100, &rg);
    /* A copy holds the same rows and takes more. */
    dv__bsp c;
    CHECK(dv__bsp_copy(&c, &v) == 0);
    check_products(&c, X2, all, 100, &rg);
    dv__bsp_reset(&c);
    for (size_t i = 0; i < 40; i++)
        CHECK(dv__bsp_push(&c, X2 + i * D) == 0);
    check_products(&c, X2, all, 40, &rg);
    dv__bsp_free(&c);
    dv__bsp_free(&v);
    dv__bsp_free(&m);
    /* Dense data: not worth it. */
    for (size_t i = 0; i < N * D; i++)
        X[i] = dv_rng_normal(&rg);
    CHECK(dv__bsp_plan(&m, X, N, D, N, &worth) == 0);
    CHECK_EQ_INT(worth, 0);
    dv__bsp_free(&m);
    free(X);
    free(X2);
}

/* Items of uneven length write their index into slot t % window; the
 * commit reads it back (a slot reused before its commit would show another
 * index) and records the order. */
typedef struct {
    size_t window, stop_at, fail_at;
    size_t slot[64];
    size_t order[256], n_committed;
    int bad_slot;
} ord_ctx;

static int ord_item(void *vctx, void *state, size_t t, dv_error *err)
{
    ord_ctx *c = vctx;
    (void)state;
    if (t == c->fail_at)
        return dv__err(err, DV_EINVAL, "item %zu refuses", t);
    struct timespec ts = {0, (long)((t * 7919) % 13) * 20000};
    nanosleep(&ts, NULL);
    c->slot[t % c->window] = t;
    return 0;
}

static int ord_commit(void *vctx, size_t t)
{
    ord_ctx *c = vctx;
    if (c->slot[t % c->window] != t)
        c->bad_slot = 1;
    c->order[c->n_committed++] = t;
    return t == c->stop_at;
}

static void test_ordered_loop(void)
{
    for (int th = 1; th <= 4; th++) {
        ord_ctx c = {.window = 3 * (size_t)th, .stop_at = 137, .fail_at = SIZE_MAX};
        dv_error err = {0};
        CHECK_EQ_INT(dv__for_items_ordered(5, 200, c.window, th, ord_item, ord_commit, &c, NULL,
                                           NULL, &err),
                     0);
        /* Exactly 5..137, in order, each from its own slot. */
        CHECK_EQ_INT(c.n_committed, 133);
        for (size_t i = 0; i < c.n_committed; i++)
            CHECK_EQ_INT(c.order[i], 5 + i);
        CHECK(!c.bad_slot);
        /* Without a stop: every item up to hi. */
        ord_ctx all = {.window = 2, .stop_at = SIZE_MAX, .fail_at = SIZE_MAX};
        CHECK_EQ_INT(dv__for_items_ordered(0, 50, all.window, th, ord_item, ord_commit, &all, NULL,
                                           NULL, &err),
                     0);
        CHECK_EQ_INT(all.n_committed, 50);
        CHECK_EQ_INT(all.order[49], 49);
        CHECK(!all.bad_slot);
        /* A failing item is reported, and nothing after it is committed. */
        ord_ctx f = {.window = 4, .stop_at = SIZE_MAX, .fail_at = 30};
        CHECK_EQ_INT(dv__for_items_ordered(0, 100, f.window, th, ord_item, ord_commit, &f, NULL,
                                           NULL, &err),
                     DV_EINVAL);
        CHECK(strstr(err.msg, "item 30") != NULL);
        CHECK(f.n_committed <= 30);
    }
}

int main(void)
{
    RUN(test_chol_solve_vec);
    RUN(test_baseline_form);
    RUN(test_ordered_loop);
    return CHECK_DONE();
}
