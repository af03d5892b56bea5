/*
 * neighbors.c -- the k-nearest-neighbours learner: a fit keeps its rows; a
 * prediction finds the k rows nearest to the query (Euclidean distance,
 * ties broken by row order, so the result does not depend on how the
 * search runs) and returns their class frequencies or mean target, each
 * row weighted by 1 / distance when asked (rows at distance 0 then take all
 * the weight), as scikit-learn's KNeighborsClassifier and
 * KNeighborsRegressor do.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

int dv__knn_fit(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                const int64_t *rows, size_t n, dv_error *err)
{
    size_t d = ds->d;
    m->n_params = 0;
    m->knn_k = p->neighbors < n ? p->neighbors : n;
    m->knn_distance = p->distance_weights != 0;
    m->knn_X = dv__malloc((n ? n : 1) * d * sizeof(double) + 1);
    m->knn_y = dv__malloc((n ? n : 1) * sizeof(double));
    if (!m->knn_X || !m->knn_y)
        return dv__err(err, DV_ENOMEM, "out of memory");
    size_t first = 0;
    int mixed = 0; /* rows of more than one class */
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? (size_t)rows[i] : i;
        memcpy(m->knn_X + i * d, ds->X + r * d, d * sizeof(double));
        m->knn_y[i] = ds->y[r];
        if (i == 0)
            first = (size_t)ds->y[r];
        mixed |= (size_t)ds->y[r] != first;
    }
    m->knn_n = n;
    m->mode = DV__MODEL_KNN;
    if (m->task == DV_TASK_CLASSIFICATION && !mixed) {
        /* no rows: the uniform prior; one class: that class */
        m->mode = n == 0 ? DV__MODEL_UNIFORM : DV__MODEL_ONE_CLASS;
        m->const_class = first;
    }
    return DV_OK;
}

/* Inserts (dist, row) into the k best so far (sorted by distance, then
 * row); returns the new count. */
static size_t keep_best(double *bd, size_t *br, size_t cnt, size_t k, double dist, size_t row)
{
    if (cnt == k && !(dist < bd[k - 1]))
        return cnt; /* rows come in order, so an equal distance loses the tie */
    size_t j = cnt < k ? cnt++ : k - 1;
    while (j > 0 && bd[j - 1] > dist) {
        bd[j] = bd[j - 1];
        br[j] = br[j - 1];
        j--;
    }
    bd[j] = dist;
    br[j] = row;
    return cnt;
}

int dv__knn_predict(const dv_model *m, const double *X, size_t n_rows, double *out)
{
    size_t d = m->d, k = m->knn_k, K = m->n_classes, n = m->knn_n;
    int clf = m->task == DV_TASK_CLASSIFICATION;
    double *bd = dv__malloc((k ? k : 1) * sizeof(double));
    size_t *br = dv__malloc((k ? k : 1) * sizeof(size_t));
    if (!bd || !br) {
        dv__free(bd);
        dv__free(br);
        return DV_ENOMEM;
    }
    for (size_t q = 0; q < n_rows; q++) {
        const double *x = X + q * d;
        double *o = out + q * (clf ? K : 1);
        size_t cnt = 0;
        for (size_t i = 0; i < n && k > 0; i++) {
            const double *r = m->knn_X + i * d;
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += (x[j] - r[j]) * (x[j] - r[j]);
            cnt = keep_best(bd, br, cnt, k, s, i);
        }
        /* Weights: 1, or 1 / distance; exact matches take all the weight. */
        int exact = m->knn_distance && cnt > 0 && bd[0] == 0.0;
        double wsum = 0.0, acc = 0.0;
        for (size_t c = 0; clf && c < K; c++)
            o[c] = 0.0;
        for (size_t t = 0; t < cnt; t++) {
            double w = !m->knn_distance ? 1.0 : exact ? (bd[t] == 0.0) : 1.0 / sqrt(bd[t]);
            double y = m->knn_y[br[t]];
            if (clf)
                o[(size_t)y] += w;
            else
                acc += w * y;
            wsum += w;
        }
        if (clf)
            for (size_t c = 0; c < K; c++)
                o[c] = wsum > 0 ? o[c] / wsum : 1.0 / (double)K;
        else
            o[0] = wsum > 0 ? acc / wsum : 0.0;
    }
    dv__free(bd);
    dv__free(br);
    return DV_OK;
}
