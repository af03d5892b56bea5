/*
 * run_estimators.c -- the estimator experiment of the scaling-law paper
 * (Covert et al. 2024) on a finished run: for growing budgets of samples
 * per point, how well the Monte Carlo mean and the law value agree with the
 * truth (the mean of all of a run's samples, or of a longer run over the
 * same points); and its CSV.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* Each point's mean delta. */
static double *row_means(const dv_run *r)
{
    const dv_run_info *I = dv_run_get_info(r);
    const double *D = dv_run_deltas(r);
    double *m = dv__malloc((I->n_points ? I->n_points : 1) * sizeof *m);
    for (size_t i = 0; m && i < I->n_points; i++) {
        double s = 0;
        for (size_t j = 0; j < I->n_samples; j++)
            s += D[i * I->n_samples + j];
        m[i] = s / (double)I->n_samples;
    }
    return m;
}

/* Grid runs: every point's samples stored one cardinality block after
 * another. */
static int check_blocks(const dv_run *r, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    if (I->mode != DV_CARD_GRID)
        return DV_OK;
    const int32_t *K = dv_run_cards(r);
    size_t M = I->n_samples, B = M / (I->n_cards ? I->n_cards : 1);
    for (size_t i = 0; i < I->n_points; i++)
        for (size_t j = 0; j < M; j++)
            if (K[i * M + j] != K[i * M + j - j % B])
                return dv__err(err, DV_EFORMAT,
                               "%s/cards.npy: point %zu is not stored one cardinality block "
                               "after another",
                               dv_run_dir(r), i);
    return DV_OK;
}

/* truth must value the same points as r. */
static int check_truth(const dv_run *r, const dv_run *truth, dv_error *err)
{
    size_t P = dv_run_get_info(r)->n_points, Pt = dv_run_get_info(truth)->n_points;
    if (Pt != P)
        return dv__err(err, DV_EINVAL,
                       "%s has %zu points but %s has %zu: the truth run must value the same "
                       "points",
                       dv_run_dir(truth), Pt, dv_run_dir(r), P);
    const int64_t *a = dv_run_points(truth), *b = dv_run_points(r);
    for (size_t i = 0; i < P; i++)
        if (a[i] != b[i])
            return dv__err(err, DV_EINVAL,
                           "%s/points.npy differs from %s/points.npy at point %zu (row %lld vs "
                           "%lld): the truth run must value the same points",
                           dv_run_dir(truth), dv_run_dir(r), i, (long long)a[i], (long long)b[i]);
    return DV_OK;
}

size_t dv_run_estimator_budgets(const dv_run *r, const dv_run *truth, size_t *out)
{
    static const size_t deflt[] = {5,   10,  20,  30,  40,  50,  60,  70,  80,  90,
                                   100, 150, 200, 250, 300, 350, 400, 450, 500};
    size_t M = dv_run_get_info(r)->n_samples, avail = truth ? M : M - 1, n = 0;
    for (size_t b = 0; b < DV__COUNT(deflt); b++)
        if (deflt[b] <= avail)
            out[n++] = deflt[b];
    return n;
}

int dv_run_estimators(const dv_run *r, const dv_run *truth, const size_t *budgets,
                      size_t n_budgets, int n_threads, dv_agreement *mc, dv_agreement *law,
                      dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    if (I->n_points < 2)
        return dv__err(err, DV_EINVAL, "%s: the run has %zu point; the metrics need at least 2",
                       dv_run_dir(r), I->n_points);
    int rc = check_blocks(r, err);
    if (!rc && truth)
        rc = check_truth(r, truth, err);
    size_t avail = truth ? I->n_samples : I->n_samples - 1;
    for (size_t b = 0; !rc && b < n_budgets; b++)
        if (budgets[b] < 2 || budgets[b] > avail || (b > 0 && budgets[b] <= budgets[b - 1]))
            rc = dv__err(err, DV_EINVAL,
                         "budget %zu: budgets must increase, from 2 to the %zu samples per "
                         "point available",
                         budgets[b], avail);
    if (rc)
        return rc;
    double *t = row_means(truth ? truth : r);
    if (!t)
        return dv__err(err, DV_ENOMEM, "out of memory");
    dv_error e = {0};
    rc = dv_estimator_convergence(dv_run_deltas(r), dv_run_cards(r), I->n_points, I->n_samples,
                                  I->mode == DV_CARD_GRID ? I->n_cards : 0, t, budgets,
                                  n_budgets, I->min_card, I->max_card, n_threads, mc, law, &e);
    if (rc)
        dv__err(err, rc, "%s: %s", dv_run_dir(r), e.msg);
    dv__free(t);
    return rc;
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.17g", v);
    else
        fprintf(f, ",nan");
}

int dv_estimators_write(const char *path, const size_t *budgets, size_t n_budgets,
                        const dv_agreement *mc, const dv_agreement *law, size_t n_points,
                        dv_error *err)
{
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "samples,estimator,error,expl_var,r2,pearson,spearman,sign,points\n");
    for (size_t b = 0; b < n_budgets; b++)
        for (int e = 0; e < 2; e++) {
            const dv_agreement *a = e ? &law[b] : &mc[b];
            fprintf(f, "%zu,%s", budgets[b], e ? "law" : "mc_mean");
            csv_num(f, a->error);
            csv_num(f, a->expl_var);
            csv_num(f, a->r2);
            csv_num(f, a->pearson);
            csv_num(f, a->spearman);
            csv_num(f, a->sign);
            fprintf(f, ",%zu\n", n_points);
        }
    return dv__out_commit(f, tmp, path, err);
}
