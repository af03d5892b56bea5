/*
 * estimators.c -- how fast value estimates converge (Covert et al., ICML
 * 2024): from the first m samples of each point, the Monte Carlo mean and
 * the law-based value (the mean of c k^-alpha over the sampled sizes), each
 * compared with a ground truth by error, explained variance, R^2, Pearson
 * and Spearman correlation and sign agreement.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int dv_spearman(const double *a, const double *b, size_t n, double *out)
{
    if (!out)
        return DV_EINVAL;
    *out = NAN;
    if (!a || !b || n < 2)
        return DV_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (isnan(a[i]) || isnan(b[i]))
            return DV_EINVAL;
    double *ra = dv__malloc(2 * n * sizeof *ra);
    if (!ra)
        return DV_ENOMEM;
    double *rb = ra + n;
    if (dv__ranks(a, n, ra) || dv__ranks(b, n, rb)) {
        dv__free(ra);
        return DV_ENOMEM;
    }
    *out = dv__pearson(ra, rb, n);
    dv__free(ra);
    return DV_OK;
}

static int sgn(double x)
{
    return (x > 0) - (x < 0);
}

int dv_agreement_eval(const double *truth, const double *estimate, size_t n, dv_agreement *out,
                      dv_error *err)
{
    if (!out)
        return dv__err(err, DV_EINVAL, "no output given");
    out->error = out->expl_var = out->r2 = NAN;
    out->pearson = out->spearman = out->sign = NAN;
    if (!truth || !estimate)
        return dv__err(err, DV_EINVAL, "truth and estimate must not be NULL");
    if (n < 2)
        return dv__err(err, DV_EINVAL, "need at least 2 points (got %zu)", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(truth[i]))
            return dv__err(err, DV_EINVAL, "truth %zu is not finite", i);
        if (!isfinite(estimate[i]))
            return dv__err(err, DV_EINVAL, "estimate %zu is not finite", i);
    }
    double mt = 0;
    for (size_t i = 0; i < n; i++)
        mt += truth[i];
    mt /= (double)n;
    double ss_res = 0, ss_tot = 0;
    size_t same = 0;
    for (size_t i = 0; i < n; i++) {
        double r = estimate[i] - truth[i], d = truth[i] - mt;
        ss_res += r * r;
        ss_tot += d * d;
        same += sgn(estimate[i]) == sgn(truth[i]);
    }
    double nn = (double)n;
    out->error = ss_res / nn;
    out->sign = (double)same / nn;
    if (ss_tot > 0) {
        out->expl_var = 1.0 - out->error / (ss_tot / nn);
        out->r2 = 1.0 - ss_res / ss_tot;
    }
    out->pearson = dv__pearson(truth, estimate, n);
    int rc = dv_spearman(truth, estimate, n, &out->spearman);
    if (rc)
        return dv__err(err, rc, "out of memory");
    return DV_OK;
}

void dv__first_samples(const double *drow, const int32_t *krow, size_t n_samples, size_t n_grid,
                       size_t m, double *d, int32_t *k)
{
    size_t block = n_grid > 1 ? n_samples / n_grid : 0;
    for (size_t t = 0; t < m; t++) {
        size_t col = n_grid > 1 ? (t % n_grid) * block + t / n_grid : t;
        d[t] = drow[col];
        k[t] = krow[col];
    }
}

/* The convergence experiment: one work item per (budget, point). */
typedef struct {
    const double *delta;
    const int32_t *card;
    size_t n_points, n_samples, n_grid;
    const size_t *budgets;
    int64_t k_lo, k_hi;
    double *mc_est, *law_est; /* n_budgets x n_points */
} conv_ctx;

typedef struct {
    double *d;
    int32_t *k;
} conv_state;

static void *conv_state_new(void *vctx)
{
    conv_ctx *cx = vctx;
    conv_state *s = dv__calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->d = dv__malloc(cx->n_samples * sizeof *s->d);
    s->k = dv__malloc(cx->n_samples * sizeof *s->k);
    if (!s->d || !s->k) {
        dv__free(s->d);
        dv__free(s->k);
        dv__free(s);
        return NULL;
    }
    return s;
}

static void conv_state_free(void *vs)
{
    conv_state *s = vs;
    if (!s)
        return;
    dv__free(s->d);
    dv__free(s->k);
    dv__free(s);
}

static int conv_item(void *vctx, void *vstate, size_t item, dv_error *err)
{
    conv_ctx *cx = vctx;
    conv_state *s = vstate;
    size_t b = item / cx->n_points, i = item % cx->n_points, m = cx->budgets[b];
    const double *drow = cx->delta + i * cx->n_samples;
    const int32_t *krow = cx->card + i * cx->n_samples;
    dv__first_samples(drow, krow, cx->n_samples, cx->n_grid, m, s->d, s->k);
    double sum = 0;
    for (size_t t = 0; t < m; t++)
        sum += s->d[t];
    cx->mc_est[item] = sum / (double)m;
    dv_law L;
    int rc = dv_law_fit(s->d, s->k, m, &L);
    if (rc)
        return dv__err(err, rc, "law fit of point %zu at %zu samples: %s", i, m, dv_strerror(rc));
    cx->law_est[item] = dv_law_mean_value(L.c, L.alpha, cx->k_lo, cx->k_hi);
    return DV_OK;
}

int dv_estimator_convergence(const double *delta, const int32_t *card, size_t n_points,
                             size_t n_samples, size_t n_grid, const double *truth,
                             const size_t *budgets, size_t n_budgets, int64_t k_lo, int64_t k_hi,
                             int n_threads, dv_agreement *mc, dv_agreement *law, dv_error *err)
{
    if (!delta || !card || !truth || !budgets || !mc || !law)
        return dv__err(err, DV_EINVAL, "delta, card, truth, budgets, mc and law must not be NULL");
    if (n_points < 2)
        return dv__err(err, DV_EINVAL, "need at least 2 points (got %zu)", n_points);
    if (n_budgets == 0)
        return dv__err(err, DV_EINVAL, "no budgets given");
    if (k_lo < 1 || k_hi < k_lo)
        return dv__err(err, DV_EINVAL, "the size range [%lld, %lld] is empty or not positive",
                       (long long)k_lo, (long long)k_hi);
    if (n_grid > 1 && (n_samples == 0 || n_samples % n_grid != 0))
        return dv__err(err, DV_EINVAL,
                       "%zu samples per point do not split into %zu cardinality blocks",
                       n_samples, n_grid);
    for (size_t b = 0; b < n_budgets; b++)
        if (budgets[b] < 2 || budgets[b] > n_samples)
            return dv__err(err, DV_EINVAL, "budget %zu (%zu samples) is not in [2, %zu]", b,
                           budgets[b], n_samples);
    for (size_t i = 0; i < n_points; i++) {
        if (!isfinite(truth[i]))
            return dv__err(err, DV_EINVAL, "truth %zu is not finite", i);
        for (size_t j = 0; j < n_samples; j++) {
            if (!isfinite(delta[i * n_samples + j]))
                return dv__err(err, DV_EINVAL, "delta of point %zu, sample %zu is not finite", i, j);
            if (card[i * n_samples + j] < 1)
                return dv__err(err, DV_EINVAL, "cardinality of point %zu, sample %zu is %d", i, j,
                               (int)card[i * n_samples + j]);
        }
    }
    size_t items = n_budgets * n_points;
    conv_ctx cx = {delta, card, n_points, n_samples, n_grid, budgets, k_lo, k_hi, NULL, NULL};
    cx.mc_est = dv__malloc(items * sizeof *cx.mc_est);
    cx.law_est = dv__malloc(items * sizeof *cx.law_est);
    if (!cx.mc_est || !cx.law_est) {
        dv__free(cx.mc_est);
        dv__free(cx.law_est);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    int rc = dv__for_items(0, items, n_threads, conv_item, &cx, conv_state_new, conv_state_free,
                           0, err);
    for (size_t b = 0; rc == DV_OK && b < n_budgets; b++) {
        dv_error e = {0};
        const char *what = "mc_mean";
        rc = dv_agreement_eval(truth, cx.mc_est + b * n_points, n_points, &mc[b], &e);
        if (rc == DV_OK) {
            what = "law";
            rc = dv_agreement_eval(truth, cx.law_est + b * n_points, n_points, &law[b], &e);
        }
        if (rc)
            dv__err(err, rc, "%s estimates from %zu samples: %s", what, budgets[b], e.msg);
    }
    dv__free(cx.mc_est);
    dv__free(cx.law_est);
    return rc;
}
