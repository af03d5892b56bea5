/*
 * curve.c -- samples of the aggregate learning curve U(S) at several
 * dataset sizes, the input of the dataset-level law error(k) = eps +
 * c k^-alpha (Covert et al., ICML 2024, section on aggregate scaling).
 */
#include "sampler.h"

#include <cblas.h>
#include <omp.h>

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
    size_t total = n_cards * n_samples;
    int nth = n_threads > 0 ? n_threads : omp_get_max_threads();
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    volatile int failed = 0;
    dv_error first = {0};
#pragma omp parallel num_threads(nth)
    {
        dv__ws w;
        int wrc = dv__ws_init(&w, &cx);
        if (wrc) {
#pragma omp critical(dv_curve_err)
            {
                if (!failed)
                    dv__err(&first, DV_ENOMEM, "out of memory");
                failed = 1;
            }
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t j = 0; j < total; j++) {
            if (failed || wrc)
                continue;
            int64_t k = dv__draw_coalition(&cx, j, 0, &w, w.S);
            dv_model *m = NULL;
            dv_error e = {0};
            int r = dv_model_fit(&m, &cx.lp, train, w.S, (size_t)k, cx.model0, &e);
            if (!r)
                r = dv_model_score(m, val, cx.metric, &out[j]);
            dv_model_free(m);
            if (r) {
#pragma omp critical(dv_curve_err)
                {
                    if (!failed)
                        first = e;
                    failed = 1;
                }
            }
        }
        dv__ws_free(&w);
    }
    openblas_set_num_threads(blas_threads);
    dv__sctx_free(&cx);
    if (failed) {
        if (err)
            *err = first;
        return first.code ? first.code : DV_EINVAL;
    }
    return DV_OK;
}
