/*
 * influence.c -- influence functions: the first-order change of a loss
 * when one training row is removed, from the exact Hessian of the training
 * objective at the fitted parameters.
 *
 * Koh & Liang, "Understanding Black-box Predictions via Influence Functions", ICML 2017.
 *
 * Parameters theta = (w, b) in the layout of dv_model_coef, x~ = (x, 1).
 * The learners minimize F(theta) = sum_i f_i(theta) + R(theta):
 *   logreg (binary): f_i = C * logloss_i, R = 1/2 ||w||^2,
 *     g_i = grad f_i = C (p_i - y_i) x~_i,  H = C sum p_i (1 - p_i) x~_i x~_i^T + diag(1..1, 0);
 *   ridge, ols:      f_i = (x~_i.theta - y_i)^2, R = lambda ||w||^2,
 *     g_i = 2 r_i x~_i (r_i the residual),  H = 2 sum x~_i x~_i^T + 2 lambda diag(1..1, 0).
 * Removing row i is F - f_i: the minimizer of F + eps f_i moves by
 * d theta / d eps = -H^-1 g_i, so at eps = -1, theta_{-i} - theta ~ +H^-1 g_i.
 * For a loss L (the summed log-loss or squared error over the validation
 * set, or of the one test point of dv_influence_explain),
 *
 *     value_i = L(theta_{-i}) - L(theta) ~ grad L^T H^-1 g_i,
 *
 * computed with one solve v = H^-1 grad L and value_i = v . g_i.  The sign
 * is dval's: positive = removing i raises the loss = i is valuable.  This
 * is Koh & Liang's -I_up,loss without their 1/n (our objective is a sum,
 * not a mean).  For ridge and ols the exact leave-one-out change is
 * H^-1 g_i / (1 - h_ii), h_ii the leverage: the first order misses that
 * factor, and the quadratic term of L.
 *
 * H is factored by Cholesky (d + 1 unknowns: O(n d^2 + d^3)) up to 2,000
 * parameters, and above that never formed: conjugate gradients with
 * Hessian-vector products (O(n d) per iteration) solve the system.  When
 * it is singular (ols with collinear columns or fewer rows than features)
 * a jitter of 1e-10 * trace(H) / (d + 1) is added to the diagonal, as the
 * ols solver does, and DV_EDEGEN is returned if that still fails.
 * Multinomial logistic regression is not supported (DV_EINVAL), nor a
 * training set with one class (constant model, DV_EDEGEN).  BLAS and
 * LAPACK run on the calling thread only, so results do not depend on the
 * thread count.
 */
#include "methods.h"

#include <math.h>
#include <omp.h>
#include <string.h>

/* Fits lp on train and returns theta (d + 1, caller frees) or an error. */
static int fit_theta(const dv_dataset *train, const dv_learner_params *lp, double **theta_out,
                     dv_error *err)
{
    *theta_out = NULL;
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, lp, train, NULL, 0, NULL, err);
    if (rc != DV_OK) {
        dv_model_free(m);
        return rc;
    }
    if (m->mode != DV__MODEL_LINEAR) {
        dv_model_free(m);
        return dv__err(err, DV_EDEGEN,
                       "influence: the training set has a single class, the model is constant");
    }
    double *theta = dv__malloc((train->d + 1) * sizeof(double));
    if (!theta) {
        dv_model_free(m);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    dv_model_coef(m, theta, train->d + 1);
    dv_model_free(m);
    *theta_out = theta;
    return DV_OK;
}

/* x~ . theta for a row x of d features. */
static double lin(const double *x, const double *theta, size_t d)
{
    double s = theta[d];
    for (size_t j = 0; j < d; j++)
        s += x[j] * theta[j];
    return s;
}

/* The core: out[i] = grad L^T H^-1 g_i for every training row, L the summed
 * loss of the nv points (Xv, yv). */
/* Solves H v = b (v in/out: b on entry) by conjugate gradients with
 * matrix-free products H u = sum_i hw_i x~_i (x~_i . u) + reg u_w, to a
 * relative residual of 1e-12 (Hestenes & Stiefel 1952). */
static int solve_cg(const dv_dataset *train, const double *hw, double reg, double *v,
                    dv_error *err)
{
    size_t n = train->n, d = train->d, d1 = d + 1;
    double *x = dv__calloc(d1, sizeof(double)), *r = dv__malloc(d1 * sizeof(double));
    double *q = dv__malloc(d1 * sizeof(double)), *Hq = dv__malloc(d1 * sizeof(double));
    if (!x || !r || !q || !Hq) {
        dv__free(x);
        dv__free(r);
        dv__free(q);
        dv__free(Hq);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    memcpy(r, v, d1 * sizeof(double));
    memcpy(q, v, d1 * sizeof(double));
    double rr = 0, bb;
    for (size_t a = 0; a < d1; a++)
        rr += r[a] * r[a];
    bb = rr;
    int rc = DV_OK;
    size_t it = 0, max_it = 10 * d1 + 100;
    while (rr > 1e-24 * bb && bb > 0) {
        if (it++ >= max_it) {
            rc = dv__err(err, DV_ENOTCONV,
                         "influence: conjugate gradients did not converge in %zu iterations", max_it);
            break;
        }
        for (size_t a = 0; a < d1; a++)
            Hq[a] = a < d ? reg * q[a] : 0.0;
        for (size_t i = 0; i < n; i++) {
            const double *xi = train->X + i * d;
            double t = lin(xi, q, d) * hw[i];
            for (size_t a = 0; a < d; a++)
                Hq[a] += t * xi[a];
            Hq[d] += t;
        }
        double qHq = 0;
        for (size_t a = 0; a < d1; a++)
            qHq += q[a] * Hq[a];
        if (!(qHq > 0)) {
            rc = dv__err(err, DV_EDEGEN, "influence: the Hessian is not positive definite");
            break;
        }
        double alpha = rr / qHq, rr_new = 0;
        for (size_t a = 0; a < d1; a++) {
            x[a] += alpha * q[a];
            r[a] -= alpha * Hq[a];
            rr_new += r[a] * r[a];
        }
        for (size_t a = 0; a < d1; a++)
            q[a] = r[a] + rr_new / rr * q[a];
        rr = rr_new;
    }
    memcpy(v, x, d1 * sizeof(double));
    dv__free(x);
    dv__free(r);
    dv__free(q);
    dv__free(Hq);
    return rc;
}

static int check_train(const dv_dataset *train, const dv_learner_params *lp, dv_error *err);

/* Above this many parameters the Hessian is not formed: conjugate
 * gradients with Hessian-vector products instead of Cholesky. */
#define DV__INFLUENCE_CG_PARAMS 2000

/* Fits lp and forms what the influence needs: theta (d + 1), s (g_i = s_i
 * x~_i), hw (the Hessian's row weights) and, unless use_cg, the Cholesky
 * factor of H in L (d1 x d1, lower; jittered when singular).  All are
 * allocated here; on failure all are NULL. */
static int influence_parts(const dv_dataset *train, const dv_learner_params *lp, int use_cg,
                           double **theta_out, double **s_out, double **hw_out, double **L_out,
                           dv_error *err)
{
    size_t n = train->n, d = train->d, d1 = d + 1;
    *theta_out = *s_out = *hw_out = NULL;
    if (L_out)
        *L_out = NULL;
    int logreg = lp->kind == DV_LEARNER_LOGREG;
    double *theta = NULL;
    int rc = fit_theta(train, lp, &theta, err);
    if (rc != DV_OK)
        return rc;
    double *H = use_cg ? NULL : dv__calloc(d1 * d1, sizeof(double));
    double *H0 = use_cg ? NULL : dv__malloc(d1 * d1 * sizeof(double));
    double *s = dv__malloc(n * sizeof(double) + 1); /* g_i = s_i x~_i */
    double *hwv = dv__malloc(n * sizeof(double) + 1);
    if ((!use_cg && (!H || !H0)) || !s || !hwv) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto fail;
    }
    double reg = dv__influence_reg(lp);
    for (size_t i = 0; i < n; i++) {
        const double *x = train->X + i * d;
        double z = lin(x, theta, d), hw;
        if (logreg) {
            double pr = dv__sigmoid(z);
            s[i] = lp->C * (pr - train->y[i]);
            hw = lp->C * pr * (1.0 - pr);
        } else {
            s[i] = 2.0 * (z - train->y[i]);
            hw = 2.0;
        }
        hwv[i] = hw;
        if (use_cg)
            continue;
        for (size_t a = 0; a < d1; a++) { /* lower triangle of H += hw x~ x~^T */
            double xa = a < d ? x[a] : 1.0;
            for (size_t b = 0; b <= a; b++)
                H[a * d1 + b] += hw * xa * (b < d ? x[b] : 1.0);
        }
    }
    if (!use_cg) {
        for (size_t a = 0; a < d; a++)
            H[a * d1 + a] += reg;
        for (size_t a = 0; a < d1; a++)
            for (size_t b = a + 1; b < d1; b++)
                H[a * d1 + b] = H[b * d1 + a];
        int nt = omp_get_max_threads();
        if (nt != 1)
            omp_set_num_threads(1);
        memcpy(H0, H, d1 * d1 * sizeof(double));
        if (dv__chol(H, d1)) {
            double tr = 0.0;
            for (size_t a = 0; a < d1; a++)
                tr += H0[a * d1 + a];
            double jit = tr > 0 ? 1e-10 * tr / (double)d1 : 1e-10;
            memcpy(H, H0, d1 * d1 * sizeof(double));
            for (size_t a = 0; a < d1; a++)
                H[a * d1 + a] += jit;
            if (dv__chol(H, d1))
                rc = dv__err(err, DV_EDEGEN, "influence: the Hessian is singular");
        }
        if (nt != 1)
            omp_set_num_threads(nt);
        if (rc)
            goto fail;
    }
    dv__free(H0);
    *theta_out = theta;
    *s_out = s;
    *hw_out = hwv;
    if (L_out)
        *L_out = H;
    else
        dv__free(H);
    return DV_OK;
fail:
    dv__free(theta);
    dv__free(H);
    dv__free(H0);
    dv__free(s);
    dv__free(hwv);
    return rc;
}

double dv__influence_reg(const dv_learner_params *lp)
{
    if (lp->kind == DV_LEARNER_LOGREG)
        return 1.0;
    return 2.0 * (lp->kind == DV_LEARNER_OLS ? 0.0 : lp->lambda);
}

/* out[i] = v^T H^-1 g_i for every training row, v = grad L of the nv points
 * (Xv, yv). */
static int influence_core(const dv_dataset *train, const dv_learner_params *lp,
                          const double *Xv, const double *yv, size_t nv, double *out,
                          int use_cg, dv_error *err)
{
    size_t n = train->n, d = train->d, d1 = d + 1;
    if (use_cg < 0)
        use_cg = d1 > DV__INFLUENCE_CG_PARAMS;
    int logreg = lp->kind == DV_LEARNER_LOGREG;
    double *theta, *s, *hwv, *L = NULL;
    int rc = influence_parts(train, lp, use_cg, &theta, &s, &hwv, use_cg ? NULL : &L, err);
    if (rc != DV_OK)
        return rc;
    double *v = dv__calloc(d1, sizeof(double));
    if (!v) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < nv; k++) { /* v = grad L */
        const double *x = Xv + k * d;
        double z = lin(x, theta, d);
        double gk = logreg ? dv__sigmoid(z) - yv[k] : 2.0 * (z - yv[k]);
        for (size_t j = 0; j < d; j++)
            v[j] += gk * x[j];
        v[d] += gk;
    }
    if (use_cg) {
        if ((rc = solve_cg(train, hwv, dv__influence_reg(lp), v, err)))
            goto done;
    } else {
        int nt = omp_get_max_threads();
        if (nt != 1)
            omp_set_num_threads(1);
        dv__chol_solve(L, d1, v, 1);
        if (nt != 1)
            omp_set_num_threads(nt);
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = train->X + i * d;
        double t = v[d];
        for (size_t j = 0; j < d; j++)
            t += v[j] * x[j];
        out[i] = s[i] * t;
    }
done:
    dv__free(theta);
    dv__free(L);
    dv__free(s);
    dv__free(hwv);
    dv__free(v);
    return rc;
}

int dv__influence_fit(const dv_dataset *train, const dv_learner_params *lp, double **theta,
                      double **s, double **L, dv_error *err)
{
    int rc = check_train(train, lp, err);
    if (rc)
        return rc;
    if (train->d + 1 > DV__INFLUENCE_CG_PARAMS)
        return dv__err(err, DV_EINVAL, "%zu parameters: more than the %d this analysis forms "
                       "a Hessian for", train->d + 1, DV__INFLUENCE_CG_PARAMS);
    double *hw;
    rc = influence_parts(train, lp, 0, theta, s, &hw, L, err);
    if (!rc)
        dv__free(hw);
    return rc;
}

/* Argument checks shared by both entry points. */
static int check_train(const dv_dataset *train, const dv_learner_params *lp, dv_error *err)
{
    const char *why = dv_learner_params_check(lp);
    if (why)
        return dv__err(err, DV_EINVAL, "invalid learner parameters: %s", why);
    if (lp->kind == DV_LEARNER_LOGREG) {
        if (train->task != DV_TASK_CLASSIFICATION)
            return dv__err(err, DV_EINVAL, "learner logreg needs a classification dataset");
        if (train->n_classes > 2)
            return dv__err(err, DV_EINVAL,
                           "influence supports binary logistic regression, ridge and OLS");
    } else if (lp->kind == DV_LEARNER_RIDGE || lp->kind == DV_LEARNER_OLS) {
        if (train->task != DV_TASK_REGRESSION)
            return dv__err(err, DV_EINVAL, "learner %s needs a regression dataset",
                           dv_learner_name(lp->kind));
    } else {
        return dv__err(err, DV_EINVAL,
                       "influence supports binary logistic regression, ridge and OLS");
    }
    if (train->n == 0)
        return dv__err(err, DV_EINVAL, "influence: the training set is empty");
    return DV_OK;
}

int dv__influence_values(const dv_dataset *train, const dv_dataset *val,
                         const dv_value_params *p, double *values, dv_error *err)
{
    return dv__influence_values_solver(train, val, p, -1, values, err);
}

int dv__influence_values_solver(const dv_dataset *train, const dv_dataset *val,
                                const dv_value_params *p, int use_cg, double *values,
                                dv_error *err)
{
    if (!train || !val || !p || !values)
        return dv__err(err, DV_EINVAL, "influence: %s is NULL",
                       !train ? "train" : (!val ? "val" : (!p ? "params" : "values")));
    int rc = check_train(train, &p->learner, err);
    if (rc != DV_OK)
        return rc;
    if (val->d != train->d || val->task != train->task)
        return dv__err(err, DV_EINVAL,
                       "influence: the validation set has %zu features (%s), train %zu (%s)",
                       val->d, val->task == DV_TASK_REGRESSION ? "regression" : "classification",
                       train->d,
                       train->task == DV_TASK_REGRESSION ? "regression" : "classification");
    if (train->task == DV_TASK_CLASSIFICATION)
        for (size_t k = 0; k < val->n; k++)
            if (val->y[k] != 0.0 && val->y[k] != 1.0)
                return dv__err(err, DV_EINVAL,
                               "influence: validation row %zu has class %g, not 0 or 1", k,
                               val->y[k]);
    return influence_core(train, &p->learner, val->X, val->y, val->n, values, use_cg, err);
}

int dv_influence_explain(const dv_dataset *train, const dv_learner_params *lp, const double *x,
                         double y, double *out, dv_error *err)
{
    if (!train || !lp || !x || !out)
        return dv__err(err, DV_EINVAL, "dv_influence_explain: %s is NULL",
                       !train ? "train" : (!lp ? "learner parameters" : (!x ? "x" : "out")));
    int rc = check_train(train, lp, err);
    if (rc != DV_OK)
        return rc;
    if (!isfinite(y) || (lp->kind == DV_LEARNER_LOGREG && y != 0.0 && y != 1.0))
        return dv__err(err, DV_EINVAL, "dv_influence_explain: label %g is not %s", y,
                       lp->kind == DV_LEARNER_LOGREG ? "class 0 or 1" : "finite");
    return influence_core(train, lp, x, &y, 1, out, -1, err);
}
