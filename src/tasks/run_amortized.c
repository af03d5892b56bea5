/*
 * run_amortized.c -- the amortized estimator (Covert et al. 2024) on a
 * finished run: the features and classes of its points from the run's
 * training split, the first m samples of each point.
 */
#include "internal.h"

#include <string.h>

/* The features and classes of the run's points in train (X may be NULL). */
int dv__run_features(const dv_run *r, const dv_dataset *train, double **X, int32_t **head)
{
    size_t P = dv_run_get_info(r)->n_points, d = dv_dataset_cols(train);
    int K = dv_dataset_classes(train) > 0;
    if (X)
        *X = dv__malloc(P * d * sizeof **X);
    *head = K ? dv__malloc(P * sizeof **head) : NULL;
    if ((X && !*X) || (K && !*head))
        return DV_ENOMEM;
    const int64_t *pts = dv_run_points(r);
    for (size_t i = 0; i < P; i++) {
        if (X)
            memcpy(*X + i * d, dv_dataset_features(train) + (size_t)pts[i] * d,
                   d * sizeof(double));
        if (K)
            (*head)[i] = (int32_t)dv_dataset_targets(train)[pts[i]];
    }
    return DV_OK;
}

/* The features (P x d), heads and first m samples of the run's points. */
typedef struct {
    double *X, *delta;
    int32_t *head, *card;
} run_inputs;

static void inputs_free(run_inputs *in)
{
    dv__free(in->X);
    dv__free(in->delta);
    dv__free(in->head);
    dv__free(in->card);
}

int dv_run_fit_amortized(const dv_run *r, const dv_dataset *train, size_t m,
                         const dv_amortized_params *p, dv_law *laws, dv_law_model **model,
                         dv_error *err)
{
    if (model)
        *model = NULL;
    const dv_run_info *I = dv_run_get_info(r);
    size_t P = I->n_points, M = I->n_samples, d = dv_dataset_cols(train);
    size_t K = dv_dataset_classes(train), G = I->mode == DV_CARD_GRID ? I->n_cards : 0;
    if (m == 0)
        m = M;
    if (m > M)
        return dv__err(err, DV_EINVAL, "%s: %zu samples per point asked for, the run has %zu",
                       dv_run_dir(r), m, M);
    int rc = dv_run_check_split(r, train, err);
    if (rc)
        return rc;
    run_inputs in = {NULL, dv__malloc(P * m * sizeof(double)), NULL,
                     dv__malloc(P * m * sizeof(int32_t))};
    if (dv__run_features(r, train, &in.X, &in.head) || !in.delta || !in.card) {
        inputs_free(&in);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < P; i++)
        dv__first_samples(dv_run_deltas(r) + i * M, dv_run_cards(r) + i * M, M, G, m,
                          in.delta + i * m, in.card + i * m);
    dv_law_model *mdl = NULL;
    rc = dv_law_model_fit(&mdl, in.X, P, d, in.head, K, in.delta, in.card, m, p, laws, err);
    if (!rc && model &&
        !(rc = dv_law_model_describe(mdl, train, I->min_card, I->max_card, err))) {
        *model = mdl;
        mdl = NULL;
    }
    dv_law_model_free(mdl);
    inputs_free(&in);
    return rc;
}
