/*
 * sensitivity.c -- whether a conclusion survives dropping a few rows: the
 * approximate maximum influence perturbation (AMIP) of Broderick, Giordano
 * and Meager, "An Automatic Finite-Sample Robustness Metric: When Can
 * Dropping a Little Data Make a Big Difference?" (2020).
 *
 * The quantity is c^T theta for the fitted parameters theta (a coefficient,
 * the intercept, or a prediction's linear part).  Removing row i moves
 * theta by about +H^-1 g_i (influence.c), so c^T theta by d_i = s_i (u .
 * x~_i), u = H^-1 c.  The rows are ranked by how far each moves the
 * quantity toward the goal, and the fewest whose summed first-order moves
 * reach it are removed; then the model is refitted without them, to see
 * whether the conclusion really changes.
 *
 * Standard errors: ols, sigma^2 c^T (X~^T X~)^-1 c with sigma^2 = RSS /
 * (n - d - 1); logreg, c^T (H / C)^-1 c (the penalized Hessian of the mean
 * log-loss scale).  The significance goal (ols) ranks rows by the
 * first-order move of the confidence bound s c^T theta - z se, with
 * d se^2 / d w_i = (e_i^2 - sigma^2) / (n - p) q - sigma^2 (c^T a_i)^2,
 * q = c^T (X~^T X~)^-1 c and a_i = (X~^T X~)^-1 x~_i.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void dv_amip_params_default(dv_amip_params *p)
{
    memset(p, 0, sizeof *p);
    dv_learner_params_default(&p->learner, DV_LEARNER_OLS);
    p->goal = DV_AMIP_SIGN;
    p->z = 1.959963984540054;
    p->max_fraction = 0.1;
}

const char *dv_amip_goal_name(dv_amip_goal g)
{
    static const char *const names[] = {"sign", "significance", "change"};
    return (unsigned)g < 3 ? names[g] : "?";
}

/* One fit's quantity and its standard error, and (with d, dse) each row's
 * first-order moves of both when it is removed. */
typedef struct {
    double phi, se;
    double *d, *dse;
} amip_fit;

static int fit_quantity(const dv_dataset *ds, const dv_amip_params *p, const double *c,
                        amip_fit *f, int per_row, dv_error *err)
{
    size_t n = ds->n, dim = ds->d, d1 = dim + 1;
    double *theta = NULL, *s = NULL, *L = NULL, *u = dv__malloc(d1 * sizeof(double));
    if (!u)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int rc = dv__influence_fit(ds, &p->learner, &theta, &s, &L, err);
    if (rc) {
        dv__free(u);
        return rc;
    }
    memcpy(u, c, d1 * sizeof(double));
    dv__chol_solve(L, d1, u, 1); /* u = H^-1 c */
    double phi = 0, cu = 0;
    for (size_t a = 0; a < d1; a++) {
        phi += c[a] * theta[a];
        cu += c[a] * u[a];
    }
    int ols = p->learner.kind != DV_LEARNER_LOGREG;
    double sigma2 = 0;
    if (ols) { /* H = 2 X~^T X~ (ols): q = c^T (X~^T X~)^-1 c = 2 c^T u; e_i = -s_i / 2 */
        for (size_t i = 0; i < n; i++)
            sigma2 += 0.25 * s[i] * s[i];
        sigma2 = n > d1 ? sigma2 / (double)(n - d1) : NAN;
        f->se = sqrt(sigma2 * 2.0 * cu);
    } else {
        f->se = sqrt(p->learner.C * cu);
    }
    f->phi = phi;
    if (per_row) {
        f->d = dv__malloc((n ? n : 1) * sizeof(double));
        f->dse = dv__malloc((n ? n : 1) * sizeof(double));
        if (!f->d || !f->dse)
            rc = dv__err(err, DV_ENOMEM, "out of memory");
        double q = 2.0 * cu;
        for (size_t i = 0; !rc && i < n; i++) {
            const double *x = ds->X + i * dim;
            double ux = u[dim];
            for (size_t j = 0; j < dim; j++)
                ux += u[j] * x[j];
            f->d[i] = s[i] * ux;
            f->dse[i] = NAN;
            if (ols && n > d1 && f->se > 0) {
                double e = -0.5 * s[i], ca = 2.0 * ux; /* c^T a_i */
                double dvar = (e * e - sigma2) / (double)(n - d1) * q - sigma2 * ca * ca;
                f->dse[i] = -dvar / (2.0 * f->se); /* removing: w_i from 1 to 0 */
            }
        }
    }
    dv__free(theta);
    dv__free(s);
    dv__free(L);
    dv__free(u);
    return rc;
}

typedef struct {
    double score;
    size_t i;
} ranked;

static int by_score(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Whether the goal holds for a quantity phi with standard error se, given
 * the quantity on all rows (phi0, sign s0). */
static int goal_holds(const dv_amip_params *p, double phi0, double s0, double phi, double se)
{
    switch (p->goal) {
    case DV_AMIP_SIGN: return s0 * phi <= 0;
    case DV_AMIP_SIGNIFICANCE: return s0 * phi - p->z * se <= 0;
    default: return (p->change > 0 ? phi - phi0 : phi0 - phi) >= fabs(p->change);
    }
}

/* The quantity refitted without the first k rows of the ranking. */
static int refit_prefix(const dv_dataset *train, const dv_amip_params *p, const double *c,
                        const ranked *r, size_t k, int64_t *keep, amip_fit *out, dv_error *err)
{
    size_t n = train->n, nk = 0;
    unsigned char *gone = dv__calloc(n, 1);
    if (!gone)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t q = 0; q < k; q++)
        gone[r[q].i] = 1;
    for (size_t i = 0; i < n; i++)
        if (!gone[i])
            keep[nk++] = (int64_t)i;
    dv__free(gone);
    dv_dataset *kept = NULL;
    int rc = dv_dataset_subset(&kept, train, keep, nk, err);
    if (!rc)
        rc = fit_quantity(kept, p, c, out, 0, err);
    dv_dataset_free(kept);
    return rc;
}

int dv_amip(const dv_dataset *train, const dv_amip_params *p, int64_t *rows, double *moves,
            dv_amip_result *res, dv_error *err)
{
    memset(res, 0, sizeof *res);
    size_t n = train->n, dim = train->d, d1 = dim + 1;
    dv_learner_kind kind = p->learner.kind;
    if (kind != DV_LEARNER_OLS && kind != DV_LEARNER_LOGREG)
        return dv__err(err, DV_EINVAL, "sensitivity: the learner is ols or logreg, not %s",
                       dv_learner_name(kind));
    if (p->goal == DV_AMIP_SIGNIFICANCE && kind != DV_LEARNER_OLS)
        return dv__err(err, DV_EINVAL, "sensitivity: the significance goal needs ols (its "
                       "standard errors); use the sign or a change with logreg");
    if ((unsigned)p->goal > DV_AMIP_CHANGE)
        return dv__err(err, DV_EINVAL, "sensitivity: unknown goal %d", (int)p->goal);
    if (p->goal == DV_AMIP_CHANGE && (!(p->change != 0) || !isfinite(p->change)))
        return dv__err(err, DV_EINVAL, "sensitivity: the change sought must be a finite "
                       "number other than 0");
    if (p->coef < -1 || p->coef > (int64_t)dim)
        return dv__err(err, DV_EINVAL, "sensitivity: coefficient %lld is not 0..%zu (the "
                       "features, then the intercept)", (long long)p->coef, dim);
    if (p->coef == -1 && !p->x)
        return dv__err(err, DV_EINVAL, "sensitivity: a prediction needs its row x");
    if (!(p->max_fraction > 0 && p->max_fraction <= 1))
        return dv__err(err, DV_EINVAL, "sensitivity: max_fraction %g is not in (0, 1]",
                       p->max_fraction);
    if (!(p->z > 0) || !isfinite(p->z))
        return dv__err(err, DV_EINVAL, "sensitivity: z %g is not a positive number", p->z);
    double *c = dv__calloc(d1, sizeof(double));
    ranked *r = dv__malloc((n ? n : 1) * sizeof *r);
    int64_t *keep = dv__malloc((n ? n : 1) * sizeof *keep);
    amip_fit all = {0}, refit = {0};
    int rc = c && r && keep ? DV_OK : dv__err(err, DV_ENOMEM, "out of memory");
    if (!rc) {
        if (p->coef >= 0) {
            c[p->coef] = 1;
        } else {
            memcpy(c, p->x, dim * sizeof(double));
            c[dim] = 1;
        }
        rc = fit_quantity(train, p, c, &all, 1, err);
    }
    if (rc)
        goto done;
    double phi0 = all.phi, s0 = phi0 >= 0 ? 1.0 : -1.0;
    res->before = phi0;
    res->se_before = all.se;
    /* how far each row's removal moves toward the goal, and how far is needed */
    double need;
    for (size_t i = 0; i < n; i++) {
        double sc;
        if (p->goal == DV_AMIP_SIGN)
            sc = -s0 * all.d[i];
        else if (p->goal == DV_AMIP_SIGNIFICANCE)
            sc = -(s0 * all.d[i] - p->z * all.dse[i]);
        else
            sc = p->change > 0 ? all.d[i] : -all.d[i];
        r[i] = (ranked){isfinite(sc) ? sc : -INFINITY, i};
    }
    if (p->goal == DV_AMIP_SIGN)
        need = fabs(phi0);
    else if (p->goal == DV_AMIP_SIGNIFICANCE)
        need = s0 * phi0 - p->z * all.se;
    else
        need = fabs(p->change);
    qsort(r, n, sizeof *r, by_score);
    size_t cap = (size_t)floor(p->max_fraction * (double)n), m = 0, ranked_n = 0;
    if (cap >= n)
        cap = n - 1; /* a model needs rows */
    while (ranked_n < cap && r[ranked_n].score > 0) {
        rows[ranked_n] = (int64_t)r[ranked_n].i;
        if (moves)
            moves[ranked_n] = all.d[r[ranked_n].i];
        ranked_n++;
    }
    double got = 0, pred = phi0, pred_se = all.se;
    res->already = goal_holds(p, phi0, s0, phi0, all.se) && p->goal != DV_AMIP_CHANGE;
    while (!res->already && got < need && m < ranked_n) {
        got += r[m].score;
        pred += all.d[r[m].i];
        if (p->goal == DV_AMIP_SIGNIFICANCE)
            pred_se += all.dse[r[m].i];
        m++;
    }
    res->found = res->already || got >= need;
    res->n_ranked = ranked_n;
    res->n_removed = m;
    res->fraction = n ? (double)m / (double)n : 0;
    res->predicted = pred;
    res->se_predicted = pred_se;
    res->after = res->after_scan = phi0;
    res->se_after = res->se_after_scan = all.se;
    /* the refit without the first-order set */
    res->confirmed = res->already;
    if (m > 0) {
        if ((rc = refit_prefix(train, p, c, r, m, keep, &refit, err)))
            goto done;
        res->after = refit.phi;
        res->se_after = refit.se;
        res->confirmed = goal_holds(p, phi0, s0, refit.phi, refit.se);
    }
    /* the ranking's prefixes, shortest first, until a refit reaches the goal */
    size_t scan = ranked_n < DV_AMIP_MAX_REFITS ? ranked_n : DV_AMIP_MAX_REFITS;
    for (size_t k = 1; !res->already && k <= scan; k++) {
        if (k == m) {
            if (!res->confirmed)
                continue;
            res->n_scan = m;
            res->after_scan = res->after;
            res->se_after_scan = res->se_after;
            break;
        }
        if ((rc = refit_prefix(train, p, c, r, k, keep, &refit, err)))
            goto done;
        if (goal_holds(p, phi0, s0, refit.phi, refit.se)) {
            res->n_scan = k;
            res->after_scan = refit.phi;
            res->se_after_scan = refit.se;
            break;
        }
    }
done:
    dv__free(c);
    dv__free(r);
    dv__free(keep);
    dv__free(all.d);
    dv__free(all.dse);
    return rc;
}

int dv_amip_write(const char *path, const dv_dataset *train, const dv_amip_params *p,
                  const int64_t *rows, const double *moves, const dv_amip_result *res,
                  const char *quantity, dv_error *err)
{
    char tmp[4400], jpath[4400];
    if (snprintf(jpath, sizeof jpath, "%s.json", path) >= (int)sizeof jpath)
        return dv__err(err, DV_EINVAL, "%s: path too long", path);
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "rank,point,source_row,move,first_order,refit_scan\n");
    const int64_t *src = dv_dataset_source_rows(train);
    for (size_t k = 0; k < res->n_ranked; k++)
        fprintf(f, "%zu,%lld,%lld,%.17g,%d,%d\n", k + 1, (long long)rows[k],
                (long long)src[rows[k]], moves ? moves[k] : NAN, k < res->n_removed,
                k < res->n_scan);
    int rc = dv__out_commit(f, tmp, path, err);
    if (rc)
        return rc;
    f = dv__out_open(jpath, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "{\n  \"quantity\": ");
    dv__json_string(f, quantity ? quantity : "");
    fprintf(f, ",\n  \"learner\": \"%s\",\n  \"goal\": \"%s\",\n",
            dv_learner_name(p->learner.kind), dv_amip_goal_name(p->goal));
    if (p->goal == DV_AMIP_CHANGE)
        fprintf(f, "  \"change\": %.17g,\n", p->change);
    if (p->goal == DV_AMIP_SIGNIFICANCE)
        fprintf(f, "  \"z\": %.17g,\n", p->z);
    fprintf(f, "  \"rows\": %zu,\n  \"max_fraction\": %.17g,\n", train->n, p->max_fraction);
    fprintf(f, "  \"before\": %.17g,\n  \"se_before\": %.17g,\n", res->before, res->se_before);
    fprintf(f, "  \"already\": %s,\n", res->already ? "true" : "false");
    fprintf(f, "  \"first_order\": {\"rows\": %zu, \"fraction\": %.17g, \"reached\": %s, "
               "\"predicted\": %.17g, \"after\": %.17g, \"se_after\": %.17g, \"confirmed\": %s},\n",
            res->n_removed, res->fraction, res->found ? "true" : "false", res->predicted,
            res->after, res->se_after, res->confirmed ? "true" : "false");
    fprintf(f, "  \"refit_scan\": {\"rows\": %zu, \"fraction\": %.17g, \"after\": %.17g, "
               "\"se_after\": %.17g}\n}\n",
            res->n_scan, train->n ? (double)res->n_scan / (double)train->n : 0.0,
            res->after_scan, res->se_after_scan);
    return dv__out_commit(f, tmp, jpath, err);
}
