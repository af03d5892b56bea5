/*
 * learning_curve.c -- samples of the aggregate learning curve U(S) at several
 * dataset sizes, the input of the dataset-level law error(k) = eps +
 * c k^-alpha (Covert et al., ICML 2024, section on aggregate scaling).
 */
#include "sampler.h"


typedef struct {
    const dv_dataset *train, *val;
    double *out;
} curve_state;

/* Sample q: U(S) for a coalition drawn like sample q of a grid run. */
static int curve_one(const dv__sctx *cx, dv__ws *w, size_t q, void *user, dv_error *err)
{
    curve_state *st = user;
    int64_t k = dv__draw_coalition(cx, q, 0, w, w->S);
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, &cx->lp, st->train, w->S, (size_t)k, cx->model0, err);
    if (!rc)
        rc = dv_model_score(m, st->val, cx->metric, &st->out[q]);
    dv_model_free(m);
    return rc;
}

int dv_curve_sample(const dv_dataset *train, const dv_dataset *val, const dv_learner_params *lp,
                    dv_metric metric, const int64_t *cards, size_t n_cards, size_t n_samples,
                    uint64_t seed, int n_threads, double *out, dv_error *err)
{
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.learner = *lp;
    p.metric = metric;
    p.mode = DV_CARD_GRID;
    p.cards = cards;
    p.n_cards = n_cards;
    p.n_samples = n_samples;
    p.seed = seed ^ 0x4355525645ULL; /* "CURVE": streams apart from sampling runs */
    p.batch = 1;
    int64_t one = 0;
    dv__sctx cx;
    int rc = dv__sctx_init(&cx, train, val, &one, 1, &p, 0, err);
    if (rc)
        return rc;
    rc = dv_model_fit(&cx.model0, &cx.lp, train, NULL, 0, NULL, err);
    if (rc) {
        dv__sctx_free(&cx);
        return rc;
    }
    curve_state st = {train, val, out};
    rc = dv__parallel(&cx, n_threads, n_cards * n_samples, curve_one, &st, err);
    dv__sctx_free(&cx);
    return rc;
}
