/*
 * run_estimators.c -- the estimator experiment of the scaling-law paper
 * (Covert et al. 2024) on a finished run: for growing budgets of samples
 * per point, how well each estimator's values -- the Monte Carlo mean, the
 * per-point law, the empirical-Bayes law and the amortized law -- agree
 * with the truth (the mean of all of a run's samples, or of a longer run
 * over the same points); and its CSV.
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

static const dv__name EST_NAMES[] = {{"mc_mean", DV_EST_MC_MEAN},
                                     {"law", DV_EST_LAW},
                                     {"law_eb", DV_EST_LAW_EB},
                                     {"amortized", DV_EST_AMORTIZED}};

const char *dv_estimator_name(int e)
{
    return e >= 0 && e < DV_EST_COUNT ? EST_NAMES[e].name : NULL;
}

int dv_estimator_lookup(const char *name, int *out)
{
    return dv__name_lookup(EST_NAMES, DV__COUNT(EST_NAMES), name, out);
}

void dv_estimators_options_default(dv_estimators_options *o)
{
    memset(o, 0, sizeof *o);
    o->estimators = 1u << DV_EST_MC_MEAN | 1u << DV_EST_LAW | 1u << DV_EST_LAW_EB;
    dv_amortized_params_default(&o->amortized);
}

/* The first m samples of every point (P x m). */
static int first_samples(const dv_run *r, size_t m, double **d, int32_t **k)
{
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points, M = I->n_samples, G = I->mode == DV_CARD_GRID ? I->n_cards : 0;
    *d = dv__malloc(P * m * sizeof **d);
    *k = dv__malloc(P * m * sizeof **k);
    if (!*d || !*k) {
        dv__free(*d);
        dv__free(*k);
        return DV_ENOMEM;
    }
    for (size_t i = 0; i < P; i++)
        dv__first_samples(dv_run_deltas(r) + i * M, dv_run_cards(r) + i * M, M, G, m,
                          *d + i * m, *k + i * m);
    return DV_OK;
}

/* The heads of the run's points from their labels (points.csv): one per
 * distinct class name, in order of first appearance; NULL for regression
 * or without labels. */
static int label_heads(const dv_run *r, int32_t **head, size_t *n_heads)
{
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points;
    *head = NULL;
    *n_heads = 0;
    if (I->n_classes == 0 || !*dv_run_label(r, 0))
        return DV_OK;
    if (!(*head = dv__malloc(P * sizeof **head)))
        return DV_ENOMEM;
    for (size_t i = 0; i < P; i++) {
        size_t q = 0;
        while (q < i && strcmp(dv_run_label(r, q), dv_run_label(r, i)) != 0)
            q++;
        (*head)[i] = q < i ? (*head)[q] : (int32_t)(*n_heads)++;
    }
    return DV_OK;
}

/* law_eb on the first m samples: heads from train's classes, or from the
 * run's labels without train. */
static int estimate_eb(const dv_run *r, size_t m, const dv_estimators_options *o, dv_law *laws,
                       dv_error *err)
{
    size_t P = dv_run_get_info(r)->n_points, H = 0;
    double *d = NULL, *X = NULL;
    int32_t *k = NULL, *head = NULL;
    int rc = first_samples(r, m, &d, &k);
    if (!rc && o->train) {
        if (!(rc = dv_run_check_split(r, o->train, err))) {
            rc = dv__run_features(r, o->train, o->eb_neighbors ? &X : NULL, &head);
            H = dv_dataset_classes(o->train);
        }
    } else if (!rc && o->eb_neighbors) {
        rc = dv__err(err, DV_EINVAL, "law_eb with neighbours needs the run's training split");
    } else if (!rc) {
        rc = label_heads(r, &head, &H);
    }
    if (rc == DV_ENOMEM)
        dv__err(err, rc, "out of memory");
    if (!rc)
        rc = dv_law_fit_eb(d, k, P, m, head, H, X, o->train ? dv_dataset_cols(o->train) : 0,
                           o->eb_neighbors, dv_run_get_info(r)->min_card,
                           dv_run_get_info(r)->max_card, o->n_threads, laws, err);
    dv__free(d);
    dv__free(k);
    dv__free(X);
    dv__free(head);
    return rc;
}

int dv_run_estimate(const dv_run *r, size_t m, int estimator, const dv_estimators_options *o,
                    double *value, dv_law *laws, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points;
    if (m < 2 || m > I->n_samples)
        return dv__err(err, DV_EINVAL, "%s: %zu samples per point is not in [2, %zu]",
                       dv_run_dir(r), m, I->n_samples);
    if (estimator == DV_EST_AMORTIZED && !o->train)
        return dv__err(err, DV_EINVAL, "the amortized estimator needs the run's training split");
    if (estimator < 0 || estimator >= DV_EST_COUNT)
        return dv__err(err, DV_EINVAL, "unknown estimator %d", estimator);
    dv_law *L = laws ? laws : dv__malloc(P * sizeof *L);
    double *d = NULL;
    int32_t *k = NULL;
    int rc = L ? DV_OK : DV_ENOMEM;
    if (!rc && (estimator == DV_EST_MC_MEAN || estimator == DV_EST_LAW))
        rc = first_samples(r, m, &d, &k);
    if (rc == DV_ENOMEM)
        dv__err(err, rc, "out of memory");
    if (!rc && estimator == DV_EST_MC_MEAN) {
        for (size_t i = 0; i < P; i++) {
            double s = 0;
            for (size_t t = 0; t < m; t++)
                s += d[i * m + t];
            value[i] = s / (double)m;
        }
    } else if (!rc) {
        if (estimator == DV_EST_LAW)
            rc = dv_law_fit_many(d, k, P, m, L, o->n_threads);
        else if (estimator == DV_EST_LAW_EB)
            rc = estimate_eb(r, m, o, L, err);
        else {
            dv_amortized_params ap = o->amortized;
            if (!ap.pretrain && dv_dataset_classes(o->train))
                ap.pretrain = o->train;
            rc = dv_run_fit_amortized(r, o->train, m, &ap, L, NULL, err);
        }
        for (size_t i = 0; !rc && i < P; i++)
            value[i] = dv_law_mean_value(L[i].c, L[i].alpha, I->min_card, I->max_card);
    }
    dv__free(d);
    dv__free(k);
    if (L != laws)
        dv__free(L);
    return rc;
}

/* Each point's mean delta at each size of a grid run (P x n_cards). */
static double *size_means(const dv_run *g)
{
    const dv_run_info *G = dv_run_get_info(g);
    size_t P = G->n_points, M = G->n_samples, C = G->n_cards, B = M / C;
    double *m = dv__malloc(P * C * sizeof *m);
    for (size_t i = 0; m && i < P; i++)
        for (size_t q = 0; q < C; q++) {
            double s = 0;
            for (size_t j = 0; j < B; j++)
                s += dv_run_deltas(g)[i * M + q * B + j];
            m[i * C + q] = s / (double)B;
        }
    return m;
}

static void set_nan(dv_agreement *a, size_t n)
{
    for (size_t q = 0; q < n; q++)
        a[q].error = a[q].expl_var = a[q].r2 = a[q].pearson = a[q].spearman = a[q].sign = NAN;
}

/* The experiment's arrays. */
typedef struct {
    const dv_run *r;
    const dv_estimators_options *o;
    const double *truth, *at_size; /* P; P x C (grid runs) or NULL */
    const int64_t *cards;
    size_t C;
    double *v, *psi;               /* P each */
    dv_law *laws;                  /* P */
} est_ctx;

/* One estimator at one budget: out its agreement with the truth, by_size
 * (C entries, when the grid is given) that of psi_k with the grid's means. */
static int one_estimate(est_ctx *x, size_t m, int e, dv_agreement *out, dv_agreement *by_size,
                        dv_error *err)
{
    size_t P = dv_run_get_info(x->r)->n_points;
    int rc = dv_run_estimate(x->r, m, e, x->o, x->v, x->laws, err);
    if (!rc)
        rc = dv_agreement_eval(x->truth, x->v, P, out, err);
    for (size_t q = 0; !rc && x->at_size && q < x->C; q++) {
        double *g = x->psi + P; /* the grid's column q */
        for (size_t i = 0; i < P; i++) {
            x->psi[i] = e == DV_EST_MC_MEAN ? x->v[i]
                                            : x->laws[i].c * pow((double)x->cards[q],
                                                                 -x->laws[i].alpha);
            g[i] = x->at_size[i * x->C + q];
        }
        rc = dv_agreement_eval(g, x->psi, P, &by_size[q], err);
    }
    return rc;
}

int dv_run_estimators(const dv_run *r, const size_t *budgets, size_t n_budgets,
                      const dv_estimators_options *o, dv_agreement *out, dv_agreement *by_size,
                      dv_progress_fn progress, void *user, dv_error *err)
{
    const dv_run_info *I = dv_run_get_info(r);
    const dv_run *truth = o->truth, *grid = o->grid;
    if (I->n_points < 2)
        return dv__err(err, DV_EINVAL, "%s: the run has %zu point; the metrics need at least 2",
                       dv_run_dir(r), I->n_points);
    unsigned mask = o->estimators ? o->estimators : 7u; /* 0: the default three */
    if (mask >> DV_EST_COUNT)
        return dv__err(err, DV_EINVAL, "estimators: unknown bits in the mask 0x%x", mask);
    if (by_size && (!grid || dv_run_get_info(grid)->mode != DV_CARD_GRID))
        return dv__err(err, DV_EINVAL, "the accuracy by size needs a grid-mode run (grid)");
    int rc = check_blocks(r, err);
    if (!rc && truth)
        rc = check_truth(r, truth, err);
    if (!rc && by_size && !(rc = check_blocks(grid, err)))
        rc = check_truth(r, grid, err);
    size_t avail = truth ? I->n_samples : I->n_samples - 1;
    for (size_t b = 0; !rc && b < n_budgets; b++)
        if (budgets[b] < 2 || budgets[b] > avail || (b > 0 && budgets[b] <= budgets[b - 1]))
            rc = dv__err(err, DV_EINVAL,
                         "budget %zu: budgets must increase, from 2 to the %zu samples per "
                         "point available",
                         budgets[b], avail);
    if (rc)
        return rc;
    size_t P = I->n_points, n_est = 0, done = 0, C = by_size ? dv_run_get_info(grid)->n_cards : 0;
    for (int e = 0; e < DV_EST_COUNT; e++)
        n_est += mask >> e & 1u;
    est_ctx x = {r, o, row_means(truth ? truth : r), by_size ? size_means(grid) : NULL,
                 by_size ? dv_run_get_info(grid)->cards : NULL, C,
                 dv__malloc(P * sizeof(double)), dv__malloc(2 * P * sizeof(double)),
                 dv__malloc(P * sizeof(dv_law))};
    if (!x.truth || (by_size && !x.at_size) || !x.v || !x.psi || !x.laws)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    set_nan(out, n_budgets * DV_EST_COUNT);
    if (by_size)
        set_nan(by_size, n_budgets * DV_EST_COUNT * C);
    for (size_t b = 0; !rc && b < n_budgets; b++)
        for (int e = 0; !rc && e < DV_EST_COUNT; e++) {
            if (!(mask >> e & 1u))
                continue;
            dv_error e2 = {0};
            size_t at = b * DV_EST_COUNT + (size_t)e;
            rc = one_estimate(&x, budgets[b], e, &out[at], by_size ? by_size + at * C : NULL,
                              &e2);
            if (rc)
                dv__err(err, rc, "%s: %s estimates from %zu samples: %s", dv_run_dir(r),
                        dv_estimator_name(e), budgets[b], e2.msg);
            else if (progress)
                progress(user, ++done, (uint64_t)(n_budgets * n_est));
        }
    dv__free((void *)x.truth);
    dv__free((void *)x.at_size);
    dv__free(x.v);
    dv__free(x.psi);
    dv__free(x.laws);
    return rc;
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.17g", v);
    else
        fprintf(f, ",nan");
}

/* The metrics of a row, then the points. */
static void csv_metrics(FILE *f, const dv_agreement *a, size_t n_points)
{
    csv_num(f, a->error);
    csv_num(f, a->expl_var);
    csv_num(f, a->r2);
    csv_num(f, a->pearson);
    csv_num(f, a->spearman);
    csv_num(f, a->sign);
    fprintf(f, ",%zu\n", n_points);
}

int dv_estimators_write(const char *path, const size_t *budgets, size_t n_budgets,
                        unsigned estimators, const dv_agreement *out, size_t n_points,
                        dv_error *err)
{
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "samples,estimator,error,expl_var,r2,pearson,spearman,sign,points\n");
    for (size_t b = 0; b < n_budgets; b++)
        for (int e = 0; e < DV_EST_COUNT; e++) {
            if (!(estimators >> e & 1u))
                continue;
            fprintf(f, "%zu,%s", budgets[b], dv_estimator_name(e));
            csv_metrics(f, &out[b * DV_EST_COUNT + e], n_points);
        }
    return dv__out_commit(f, tmp, path, err);
}

int dv_estimators_by_size_write(const char *path, const size_t *budgets, size_t n_budgets,
                                unsigned estimators, const int64_t *cards, size_t n_cards,
                                const dv_agreement *by_size, size_t n_points, dv_error *err)
{
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "samples,estimator,k,error,expl_var,r2,pearson,spearman,sign,points\n");
    for (size_t b = 0; b < n_budgets; b++)
        for (int e = 0; e < DV_EST_COUNT; e++) {
            if (!(estimators >> e & 1u))
                continue;
            for (size_t q = 0; q < n_cards; q++) {
                fprintf(f, "%zu,%s,%lld", budgets[b], dv_estimator_name(e), (long long)cards[q]);
                csv_metrics(f, &by_size[(b * DV_EST_COUNT + (size_t)e) * n_cards + q], n_points);
            }
        }
    return dv__out_commit(f, tmp, path, err);
}
