/*
 * synth.c -- synthetic datasets, for tests, demos and benchmarks.
 *
 * Linear kinds (the reference implementation's lm_clf / lm_reg): features
 * x ~ N(0, I_d), one coefficient vector coef ~ N(0, I_d) per dataset, and
 * target x.coef + noise * eps with eps ~ N(0, 1); the classifier labels
 * 1 when the target is positive, else 0.
 *
 * gauss2d (2-D data in the style of "Towards Understanding Data Values"):
 * n_classes * clusters_per_class Gaussian clusters, cluster m belonging to
 * class m / clusters_per_class.  Each row picks a cluster uniformly and
 * adds spread * N(0, I_2) to its mean; its label is the class of the
 * nearest cluster mean, so labels are a function of x alone.  The means are
 * given by the caller or drawn as N(0, separation^2 I_2).  Given a mesh,
 * the rows are its nodes instead of draws, labelled by the same rule.
 *
 * Randomness: the dataset-wide draws (coef, cluster means) come from stream
 * 0 of the seed and row i from stream i + 1, so row i depends only on
 * (seed, i) and a dataset of n rows is a prefix of any longer one.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

void dv_synth_params_default(dv_synth_params *p, dv_synth_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->n_rows = 12000;
    p->n_features = 50;
    p->noise = 0.1;
    p->n_classes = 2;
    p->clusters_per_class = 2;
    p->spread = 1.0;
    p->separation = 3.0;
    p->means = NULL;
    p->seed = 0;
}

static int synth_linear(dv_dataset **out, const dv_synth_params *p, dv_error *err)
{
    size_t n = p->n_rows, d = p->n_features;
    if (d < 1)
        return dv__err(err, DV_EINVAL, "synth: n_features must be at least 1");
    if (!isfinite(p->noise) || p->noise < 0)
        return dv__err(err, DV_EINVAL, "synth: noise must be finite and >= 0 (got %g)",
                       p->noise);
    if (d > SIZE_MAX / sizeof(double) / n)
        return dv__err(err, DV_EINVAL, "synth: %zu x %zu features is too large", n, d);
    double *coef = dv__malloc(d * sizeof *coef);
    double *X = dv__malloc(n * d * sizeof *X);
    double *y = dv__malloc(n * sizeof *y);
    int rc = DV_OK;
    if (!coef || !X || !y) {
        rc = dv__err(err, DV_ENOMEM, "synth: out of memory");
        goto done;
    }
    dv_rng r;
    dv_rng_seed(&r, p->seed, 0);
    for (size_t j = 0; j < d; j++)
        coef[j] = dv_rng_normal(&r);
    int clf = p->kind == DV_SYNTH_LINEAR_CLF;
    for (size_t i = 0; i < n; i++) {
        dv_rng_seed(&r, p->seed, (uint64_t)i + 1);
        double *x = X + i * d, t = 0;
        for (size_t j = 0; j < d; j++) {
            x[j] = dv_rng_normal(&r);
            t += x[j] * coef[j];
        }
        t += p->noise * dv_rng_normal(&r);
        y[i] = clf ? (t > 0 ? 1.0 : 0.0) : t;
    }
    rc = dv_dataset_from_arrays(out, n, d, X, y,
                                clf ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION, clf ? 2 : 0,
                                NULL, err);
done:
    dv__free(coef);
    dv__free(X);
    dv__free(y);
    return rc;
}

static int synth_gauss2d(dv_dataset **out, const dv_synth_params *p, dv_error *err)
{
    size_t n = p->n_rows, K = p->n_classes, per = p->clusters_per_class;
    if (K < 2)
        return dv__err(err, DV_EINVAL, "synth: gauss2d needs n_classes >= 2 (got %zu)", K);
    if (per < 1)
        return dv__err(err, DV_EINVAL, "synth: gauss2d needs clusters_per_class >= 1");
    if (per > SIZE_MAX / 2 / sizeof(double) / K)
        return dv__err(err, DV_EINVAL, "synth: too many clusters (%zu x %zu)", K, per);
    if (!isfinite(p->spread) || p->spread < 0)
        return dv__err(err, DV_EINVAL, "synth: spread must be finite and >= 0 (got %g)",
                       p->spread);
    if (!p->means && (!isfinite(p->separation) || p->separation <= 0))
        return dv__err(err, DV_EINVAL, "synth: separation must be finite and > 0 (got %g)",
                       p->separation);
    if (p->mesh) {
        const char *why = dv_mesh_check(p->mesh);
        if (why)
            return dv__err(err, DV_EINVAL, "synth: mesh: %s", why);
        n = p->mesh->nx * p->mesh->ny;
    }
    if (n > SIZE_MAX / 2 / sizeof(double))
        return dv__err(err, DV_EINVAL, "synth: %zu rows is too many", n);
    size_t M = K * per;
    if (p->means)
        for (size_t m = 0; m < 2 * M; m++)
            if (!isfinite(p->means[m]))
                return dv__err(err, DV_EINVAL, "synth: cluster mean %zu is not finite", m / 2);
    double *mu = dv__malloc(2 * M * sizeof *mu);
    double *X = dv__malloc(2 * n * sizeof *X);
    double *y = dv__malloc(n * sizeof *y);
    int *cls = dv__malloc(M * sizeof *cls), *lab = dv__malloc(n * sizeof *lab);
    int rc = DV_OK;
    if (!mu || !X || !y || !cls || !lab) {
        rc = dv__err(err, DV_ENOMEM, "synth: out of memory");
        goto done;
    }
    dv_rng r;
    if (p->means) {
        memcpy(mu, p->means, 2 * M * sizeof *mu);
    } else {
        dv_rng_seed(&r, p->seed, 0);
        for (size_t m = 0; m < 2 * M; m++)
            mu[m] = p->separation * dv_rng_normal(&r);
    }
    for (size_t m = 0; m < M; m++)
        cls[m] = (int)(m / per);
    if (p->mesh) {
        if ((rc = dv_mesh_points(p->mesh, X, err)))
            goto done;
    } else {
        for (size_t i = 0; i < n; i++) {
            dv_rng_seed(&r, p->seed, (uint64_t)i + 1);
            size_t m = (size_t)dv_rng_below(&r, M);
            X[2 * i] = mu[2 * m] + p->spread * dv_rng_normal(&r);
            X[2 * i + 1] = mu[2 * m + 1] + p->spread * dv_rng_normal(&r);
        }
    }
    /* the class of the nearest mean (ties to the lower cluster) */
    if ((rc = dv_nearest_mean_labels(mu, cls, M, X, n, lab, err)))
        goto done;
    for (size_t i = 0; i < n; i++)
        y[i] = (double)lab[i];
    {
        const char *names[2] = {"x0", "x1"};
        rc = dv_dataset_from_arrays(out, n, 2, X, y, DV_TASK_CLASSIFICATION, K, names, err);
    }
done:
    dv__free(mu);
    dv__free(X);
    dv__free(y);
    dv__free(cls);
    dv__free(lab);
    return rc;
}

int dv_synth(dv_dataset **out, const dv_synth_params *p, dv_error *err)
{
    *out = NULL;
    if (!p)
        return dv__err(err, DV_EINVAL, "synth: no parameters given");
    if (p->n_rows < 1)
        return dv__err(err, DV_EINVAL, "synth: n_rows must be at least 1");
    if (p->mesh && p->kind != DV_SYNTH_GAUSS2D)
        return dv__err(err, DV_EINVAL, "synth: a mesh applies to gauss2d only");
    switch (p->kind) {
    case DV_SYNTH_LINEAR_CLF:
    case DV_SYNTH_LINEAR_REG:
        return synth_linear(out, p, err);
    case DV_SYNTH_GAUSS2D:
        return synth_gauss2d(out, p, err);
    }
    return dv__err(err, DV_EINVAL, "synth: unknown kind %d", (int)p->kind);
}
