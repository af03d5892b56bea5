/*
 * ame.c -- the average marginal effect (AME) estimator on any cooperative
 * game, computed the way OpenDataVal does: subsets are drawn with each
 * player included independently with probability q for q in {0.2, 0.4,
 * 0.6, 0.8} (max_samples / 4 subsets each), U(S) is evaluated for every
 * subset, the inclusion indicators are standardized per row (per sample),
 * the utilities are centred, and a cross-validated Lasso regresses U on
 * the indicators.  The value of player i is its Lasso coefficient.
 *
 * Every subset is a work item with its own random stream keyed by (seed,
 * item) and its utility is stored by item index; the Lasso folds write to
 * their own slots and are reduced in fold order, so the output is
 * identical for any number of threads.
 *
 * Lasso details.  The objective is (1/2m) ||y - X b - b0||^2 + lambda ||b||_1
 * over the m rows fitted (scikit-learn's scaling).  The intercept b0 is
 * eliminated by centring: on every fit (each CV training fold and the final
 * refit) the columns of X and the target are centred by their means over the
 * rows of that fit, the centred problem is solved without intercept, and
 * b0 = mean(y) - mean(X) b is used to predict held-out rows.  The grid has
 * DV__AME_LAMBDAS values lambda_max * (1e-3)^(l / (L - 1)), where lambda_max
 * = max_j |x_j^T y| / m on all samples (centred); fold k holds the samples
 * with index % K == k, K = min(5, samples); the chosen lambda minimizes
 * the mean over folds of the held-out mean squared error (ties: the larger
 * lambda); the final model is refit on all samples along the path down to
 * the chosen lambda, with warm starts.  Coordinate descent sweeps
 * cyclically (each full sweep followed by sweeps over the nonzero
 * coefficients) until the duality gap, relative to ||y||^2, is at most
 * DV__AME_CV_TOL = 1e-4 on the cross-validation folds (scikit-learn's
 * LassoCV default, which only chooses lambda) and DV__AME_TOL = 1e-8 on the
 * final refit, whose coefficients are the values; or DV__AME_MAX_SWEEPS
 * sweeps.  The folds' paths run deep into the nearly interpolating models
 * of small lambda, where coordinate descent is slow: for 2,000 players
 * and 1,000 subsets (bench_ame) they take 11 s at 1e-4, 6.5 minutes at
 * 1e-6, and more than 15 minutes under the former step-size rule.
 */
/* Lin et al., "Measuring the Effect of Training Data on Deep Learning Predictions via Randomized Experiments", ICML 2022. */
#include "methods.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#define DV__AME_LAMBDAS 30
#define DV__AME_FOLDS 5
#define DV__AME_TOL 1e-8
#define DV__AME_CV_TOL 1e-4
#define DV__AME_MAX_SWEEPS 100000

/* dv__lasso_cd (game.h) solves the Lasso (1/2n)||y - X b||^2 +
 * lambda ||b||_1 without intercept by coordinate descent, to a relative
 * duality gap of tol. */


/* ------------------------------------------------------------------------ */
/* Coordinate descent                                                       */
/* ------------------------------------------------------------------------ */

static double soft(double z, double t)
{
    return z > t ? z - t : z < -t ? z + t : 0.0;
}

/* One sweep over all coordinates (active_only = 0) or the nonzero ones;
 * r = y - X beta is kept up to date.  Returns the largest scaled change. */
static double cd_sweep(const double *X, size_t n, size_t p, const double *colsq, double lambda,
                       double *beta, double *r, int active_only)
{
    double worst = 0.0, dn = (double)n;
    for (size_t j = 0; j < p; j++) {
        if (colsq[j] <= 0.0 || (active_only && beta[j] == 0.0))
            continue;
        const double *x = X + j * n;
        double g = dv__dot4(n, x, r);
        double c = colsq[j] / dn;
        double b = soft(g / dn + c * beta[j], lambda) / c;
        double d = b - beta[j];
        if (d != 0.0) {
            for (size_t t = 0; t < n; t++)
                r[t] -= d * x[t];
            beta[j] = b;
            double s = fabs(d) * sqrt(c);
            if (s > worst)
                worst = s;
        }
    }
    return worst;
}

/* The Lasso's duality gap at beta (residual r = y - X beta), relative to
 * ||y||^2: the dual point is the residual scaled into the dual's feasible
 * set, as in scikit-learn's coordinate descent (Friedman, Hastie and
 * Tibshirani, "Regularization Paths for Generalized Linear Models via
 * Coordinate Descent", J. Stat. Softw. 2010).  An upper bound on how far
 * the objective (times n / ||y||^2) is from its minimum. */
static double rel_gap(const double *X, size_t n, size_t p, const double *y, double ynorm2,
                      double lambda, const double *beta, const double *r)
{
    double alpha = lambda * (double)n, dual = 0.0, l1 = 0.0, r2 = 0.0, ry = 0.0;
    for (size_t j = 0; j < p; j++) {
        double g = fabs(dv__dot4(n, X + j * n, r));
        if (g > dual)
            dual = g;
        l1 += fabs(beta[j]);
    }
    for (size_t t = 0; t < n; t++) {
        r2 += r[t] * r[t];
        ry += r[t] * y[t];
    }
    double cst = dual > alpha ? alpha / dual : 1.0;
    double gap = 0.5 * r2 * (1.0 + cst * cst) + alpha * l1 - cst * ry;
    return ynorm2 > 0.0 ? gap / ynorm2 : 0.0;
}

/* Runs sweeps until the relative duality gap is at most tol; r must equal
 * y - X beta on entry.  Between full sweeps the nonzero coefficients are
 * polished until their largest scaled step is below step_thr.  Returns the
 * number of sweeps used, max_sweeps + 1 when not converged. */
static size_t cd_solve(const double *X, size_t n, size_t p, const double *colsq, const double *y,
                       double ynorm2, double lambda, double *beta, double *r, double tol,
                       size_t max_sweeps)
{
    double step_thr = sqrt(tol * ynorm2 / (double)(n ? n : 1));
    size_t sweeps = 0;
    while (sweeps < max_sweeps) {
        sweeps++;
        double worst = cd_sweep(X, n, p, colsq, lambda, beta, r, 0);
        while (worst > step_thr && sweeps < max_sweeps) {
            sweeps++;
            if (cd_sweep(X, n, p, colsq, lambda, beta, r, 1) <= step_thr)
                break;
        }
        if (rel_gap(X, n, p, y, ynorm2, lambda, beta, r) <= tol)
            return sweeps;
    }
    return max_sweeps + 1;
}

static void column_squares(const double *X, size_t n, size_t p, double *colsq)
{
    for (size_t j = 0; j < p; j++) {
        const double *x = X + j * n;
        double s = 0.0;
        for (size_t t = 0; t < n; t++)
            s += x[t] * x[t];
        colsq[j] = s;
    }
}

static double sumsq(const double *y, size_t n)
{
    return dv__dot4(n, y, y);
}

int dv__lasso_cd(const double *X, size_t n, size_t p, const double *y, double lambda,
                 double *beta, double tol, size_t max_sweeps)
{
    double *colsq = dv__malloc((p ? p : 1) * sizeof(double));
    double *r = dv__malloc((n ? n : 1) * sizeof(double));
    if (!colsq || !r) {
        dv__free(colsq);
        dv__free(r);
        return -1;
    }
    column_squares(X, n, p, colsq);
    memcpy(r, y, n * sizeof(double));
    for (size_t j = 0; j < p; j++)
        if (beta[j] != 0.0)
            for (size_t t = 0; t < n; t++)
                r[t] -= beta[j] * X[j * n + t];
    size_t s = cd_solve(X, n, p, colsq, y, sumsq(y, n), lambda, beta, r, tol, max_sweeps);
    dv__free(colsq);
    dv__free(r);
    return (int)(s < (size_t)0x7fffffff ? s : 0x7fffffff);
}

/* ------------------------------------------------------------------------ */
/* Sampling the subsets                                                     */
/* ------------------------------------------------------------------------ */

static const double ame_q[4] = {0.2, 0.4, 0.6, 0.8};

/* Progress over both phases: the N subsets, then the K x L fits of the
 * cross-validation; ticks come from any thread, reports are serialized. */
typedef struct {
    dv_progress_fn fn;
    void *user;
    uint64_t done, total;
} ame_progress;

static void tick(ame_progress *pr)
{
    if (!pr || !pr->fn)
        return;
#pragma omp critical(dv_ame_progress)
    pr->fn(pr->user, ++pr->done, pr->total);
}

typedef struct {
    uint64_t seed;
    size_t n;               /* players */
    size_t per_q;           /* subsets per inclusion probability */
    unsigned char *in;      /* samples x players membership */
    double *u;              /* samples */
    ame_progress *pr;
} ame_ctx;

static int ame_item(const dv_game *g, void *state, size_t t, void *vctx, dv_error *err)
{
    ame_ctx *c = vctx;
    size_t n = g->n_players, m = 0;
    unsigned char *in = c->in + t * n;
    double q = ame_q[t / c->per_q];
    int64_t *S = dv__malloc(n * sizeof *S);
    if (!S)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_rng r;
    dv_rng_seed(&r, c->seed, 0x414d45ULL ^ ((uint64_t)t << 8)); /* "AME" */
    for (size_t i = 0; i < n; i++) {
        in[i] = dv_rng_uniform(&r) < q;
        if (in[i])
            S[m++] = (int64_t)i;
    }
    int rc = g->utility(g->user, state, S, m, &c->u[t]);
    dv__free(S);
    if (!rc && !isfinite(c->u[t]))
        rc = dv__err(err, DV_EINVAL, "the utility of subset %zu is not finite", t);
    tick(c->pr);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Cross-validated Lasso                                                    */
/* ------------------------------------------------------------------------ */

/* The rows of a fit (all samples, or the training rows of one fold),
 * centred: column-major m x p matrix, target, column means, target mean. */
typedef struct {
    size_t m, p;
    double *X, *y, *xm, *colsq, *r, *beta;
    double ym;
} fit_data;

static void fit_free(fit_data *f)
{
    dv__free(f->X);
    dv__free(f->y);
    dv__free(f->xm);
    dv__free(f->colsq);
    dv__free(f->r);
    dv__free(f->beta);
}

/* Copies rows t of Z (column-major N x p) and y with t % K != fold (all
 * rows when fold == K) and centres them. */
static int fit_init(fit_data *f, const double *Z, const double *y, size_t N, size_t p, size_t K,
                    size_t fold)
{
    memset(f, 0, sizeof *f);
    size_t m = 0;
    for (size_t t = 0; t < N; t++)
        m += t % K != fold;
    f->m = m;
    f->p = p;
    f->X = dv__malloc((m > 0 && p > 0 ? m * p : 1) * sizeof(double));
    f->y = dv__malloc((m ? m : 1) * sizeof(double));
    f->r = dv__malloc((m ? m : 1) * sizeof(double));
    f->xm = dv__malloc(p * sizeof(double));
    f->colsq = dv__malloc(p * sizeof(double));
    f->beta = dv__calloc(p, sizeof(double));
    if (!f->X || !f->y || !f->r || !f->xm || !f->colsq || !f->beta)
        return DV_ENOMEM;
    double dm = (double)(m ? m : 1), s = 0.0;
    for (size_t t = 0, k = 0; t < N; t++)
        if (t % K != fold) {
            f->y[k++] = y[t];
            s += y[t];
        }
    f->ym = s / dm;
    for (size_t k = 0; k < m; k++)
        f->y[k] -= f->ym;
    for (size_t j = 0; j < p; j++) {
        const double *z = Z + j * N;
        double *x = f->X + j * m, mean = 0.0;
        for (size_t t = 0, k = 0; t < N; t++)
            if (t % K != fold) {
                x[k++] = z[t];
                mean += z[t];
            }
        mean /= dm;
        for (size_t k = 0; k < m; k++)
            x[k] -= mean;
        f->xm[j] = mean;
    }
    column_squares(f->X, m, p, f->colsq);
    memcpy(f->r, f->y, m * sizeof(double));
    return DV_OK;
}

/* Fits fold `fold` along the lambda path and writes the held-out mean
 * squared error at each lambda into mse[0..L-1]. */
static int cv_fold(const double *Z, const double *y, size_t N, size_t p, size_t K, size_t fold,
                   const double *lambdas, size_t L, double *mse, ame_progress *pr)
{
    fit_data f;
    int rc = fit_init(&f, Z, y, N, p, K, fold);
    if (!rc) {
        double yy = sumsq(f.y, f.m);
        size_t n_test = N - f.m;
        for (size_t l = 0; l < L; l++) {
            cd_solve(f.X, f.m, p, f.colsq, f.y, yy, lambdas[l], f.beta, f.r, DV__AME_CV_TOL,
                     DV__AME_MAX_SWEEPS);
            double b0 = f.ym, sse = 0.0;
            for (size_t j = 0; j < p; j++)
                b0 -= f.xm[j] * f.beta[j];
            for (size_t t = fold; t < N; t += K) {
                double pred = b0;
                for (size_t j = 0; j < p; j++)
                    if (f.beta[j] != 0.0)
                        pred += Z[j * N + t] * f.beta[j];
                sse += (y[t] - pred) * (y[t] - pred);
            }
            mse[l] = sse / (double)(n_test ? n_test : 1);
            tick(pr);
        }
    }
    fit_free(&f);
    return rc;
}

/* Cross-validated Lasso of y on Z (column-major N x p); coefficients into
 * beta_out. */
static int lasso_cv(const double *Z, const double *y, size_t N, size_t p, int n_threads,
                    double *beta_out, ame_progress *pr, dv_error *err)
{
    fit_data all;
    int rc = fit_init(&all, Z, y, N, p, 1, 1); /* fold 1 of 1: every row */
    double *mse = dv__calloc(DV__AME_FOLDS * DV__AME_LAMBDAS, sizeof(double));
    if (rc || !mse) {
        rc = dv__err(err, DV_ENOMEM, "out of memory for the Lasso");
        goto done;
    }
    double lmax = 0.0;
    for (size_t j = 0; j < p; j++) {
        const double *x = all.X + j * N;
        double g = 0.0;
        for (size_t t = 0; t < N; t++)
            g += x[t] * all.y[t];
        g = fabs(g) / (double)N;
        if (g > lmax)
            lmax = g;
    }
    if (!(lmax > 0.0)) {
        /* Constant target or no varying column: every coefficient is 0. */
        memset(beta_out, 0, p * sizeof(double));
        goto done;
    }
    double lambdas[DV__AME_LAMBDAS];
    for (size_t l = 0; l < DV__AME_LAMBDAS; l++)
        lambdas[l] = lmax * pow(1e-3, (double)l / (DV__AME_LAMBDAS - 1));
    size_t K = N < DV__AME_FOLDS ? N : DV__AME_FOLDS;
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    if (nth > (int)K)
        nth = (int)K;
    int fold_rc[DV__AME_FOLDS] = {0};
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
    for (int k = 0; k < (int)K; k++)
        fold_rc[k] = cv_fold(Z, y, N, p, K, (size_t)k, lambdas, DV__AME_LAMBDAS,
                             mse + (size_t)k * DV__AME_LAMBDAS, pr);
    for (size_t k = 0; k < K; k++)
        if (fold_rc[k]) {
            rc = dv__err(err, DV_ENOMEM, "out of memory for the Lasso folds");
            goto done;
        }
    size_t best = 0;
    double best_err = INFINITY;
    for (size_t l = 0; l < DV__AME_LAMBDAS; l++) {
        double e = 0.0;
        for (size_t k = 0; k < K; k++)
            e += mse[k * DV__AME_LAMBDAS + l];
        e /= (double)K;
        if (e < best_err) {
            best_err = e;
            best = l;
        }
    }
    double yy = sumsq(all.y, N);
    for (size_t l = 0; l <= best; l++)
        cd_solve(all.X, N, p, all.colsq, all.y, yy, lambdas[l], all.beta, all.r, DV__AME_TOL,
                 DV__AME_MAX_SWEEPS);
    memcpy(beta_out, all.beta, p * sizeof(double));
done:
    fit_free(&all);
    dv__free(mse);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */
/* ------------------------------------------------------------------------ */

static size_t ame_spans(void *vctx, size_t t, dv__span *sp)
{
    ame_ctx *c = vctx;
    sp[0] = (dv__span){&c->u[t], 1, sizeof(double), sizeof(double)};
    sp[1] = (dv__span){c->in + t * c->n, c->n, 1, 1};
    return 2;
}

int dv__ame(const dv_game *g, const dv_value_params *p, double *values, dv_value_info *info,
            dv_error *err)
{
    dv_value_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (!g || !g->utility || !p || !values)
        return dv__err(err, DV_EINVAL, "AME needs a game, its utility, parameters and an output");
    size_t n = g->n_players;
    if (n == 0)
        return dv__err(err, DV_EINVAL, "AME: the game has no players");
    if (p->max_samples < 1)
        return dv__err(err, DV_EINVAL, "AME: max-samples must be at least 1");
    size_t per_q = p->max_samples / 4 ? p->max_samples / 4 : 1;
    size_t N = 4 * per_q;
    if (N > SIZE_MAX / n / sizeof(double))
        return dv__err(err, DV_EINVAL, "AME: %zu samples of %zu players is too large", N, n);
    size_t K = N < DV__AME_FOLDS ? N : DV__AME_FOLDS;
    ame_progress pr = {p->progress, p->progress_user, 0, N + K * DV__AME_LAMBDAS};
    ame_ctx c = {p->seed, n, per_q, dv__malloc(N * n), dv__malloc(N * sizeof(double)), &pr};
    double *Z = dv__malloc(N * n * sizeof(double));
    int rc = DV_OK;
    if (!c.in || !c.u || !Z) {
        rc = dv__err(err, DV_ENOMEM, "out of memory for %zu AME samples of %zu players", N, n);
        goto done;
    }
    if ((rc = dv__game_run_items(g, p, 0, N, ame_item, ame_spans, &c, err)))
        goto done;
    /* Row-standardized indicators, column-major: (z - mean) / sd over the
     * players of each sample (population sd); a constant row is 0. */
    for (size_t t = 0; t < N; t++) {
        const unsigned char *in = c.in + t * n;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += in[i];
        double mean = (double)k / (double)n, sd = sqrt(mean * (1.0 - mean));
        for (size_t i = 0; i < n; i++)
            Z[i * N + t] = k == 0 || k == n ? 0.0 : ((double)in[i] - mean) / sd;
    }
    /* Centred utilities (the Lasso centres again per fold). */
    double um = 0.0;
    for (size_t t = 0; t < N; t++)
        um += c.u[t];
    um /= (double)N;
    for (size_t t = 0; t < N; t++)
        c.u[t] -= um;
    rc = lasso_cv(Z, c.u, N, n, p->n_threads, values, &pr, err);
done:
    if (!rc) {
        info->samples = N;
        info->utility_calls = N;
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)N;
    }
    dv__free(c.in);
    dv__free(c.u);
    dv__free(Z);
    return rc;
}
