/*
 * test_amortized.c -- the amortized estimator: its loss's gradient against
 * central finite differences (every layer, two heads, both signs of c), and
 * a planted-law recovery: deltas drawn from laws whose alpha and c vary
 * smoothly with two features, 10 samples per point; the network recovers
 * alpha (Pearson >= 0.9) where the per-point likelihood fit cannot.
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"
#include "internal.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

static void test_gradient(void)
{
    enum { N = 6, D = 2, M = 5, H = 2 };
    size_t hidden[2] = {4, 3};
    size_t np = (4 * D + 4) + (3 * 4 + 3) + (5 * H * 3 + 5 * H);
    double X[N * D], delta[N * M], *th = malloc(np * sizeof *th), *g = malloc(np * sizeof *g);
    int32_t card[N * M], head[N] = {0, 1, 0, 1, 1, 0};
    dv_rng r;
    dv_rng_seed(&r, 1, 2);
    for (size_t i = 0; i < N * D; i++)
        X[i] = dv_rng_normal(&r);
    for (size_t i = 0; i < N * M; i++) {
        card[i] = 5 + (int32_t)dv_rng_below(&r, 50);
        delta[i] = (i / M % 2 ? -1 : 1) * 0.3 * pow(card[i], -0.5) + 0.1 * dv_rng_normal(&r);
    }
    for (size_t q = 0; q < np; q++)
        th[q] = 0.3 * dv_rng_normal(&r);
    double f = dv__amortized_loss_grad(X, N, D, head, H, delta, card, M, hidden, 2, th, g);
    CHECK(isfinite(f));
    double worst = 0;
    for (size_t q = 0; q < np; q++) {
        double h = 1e-6, keep = th[q];
        th[q] = keep + h;
        double fp = dv__amortized_loss_grad(X, N, D, head, H, delta, card, M, hidden, 2, th, NULL);
        th[q] = keep - h;
        double fm = dv__amortized_loss_grad(X, N, D, head, H, delta, card, M, hidden, 2, th, NULL);
        th[q] = keep;
        double fd = (fp - fm) / (2 * h), e = fabs(fd - g[q]) / (1e-4 + fabs(fd) + fabs(g[q]));
        worst = e > worst ? e : worst;
    }
    CHECK_MSG(worst < 1e-5, "relative gradient error %.3g", worst);
    free(th);
    free(g);
}

/* Laws that vary smoothly with the features: alpha in (0.35, 0.85), c > 0,
 * sigma = 0.3, beta = 1, k uniform in [10, 200], 10 samples per point. */
static void test_planted(void)
{
    enum { N = 800, D = 2, M = 10 };
    double *X = malloc(N * D * sizeof *X), *delta = malloc(N * M * sizeof *delta);
    int32_t *card = malloc(N * M * sizeof *card);
    double alpha[N], got[N], mle[N];
    dv_rng r;
    dv_rng_seed(&r, 7, 1);
    for (size_t i = 0; i < N; i++) {
        X[i * D] = dv_rng_normal(&r);
        X[i * D + 1] = dv_rng_normal(&r);
        alpha[i] = 0.6 + 0.25 * tanh(X[i * D]);
        double c = 0.5 * (1 + 0.3 * tanh(X[i * D + 1]));
        for (size_t j = 0; j < M; j++) {
            int32_t k = 10 + (int32_t)dv_rng_below(&r, 191);
            card[i * M + j] = k;
            delta[i * M + j] = c * pow(k, -alpha[i]) + 0.3 * pow(k, -0.5) * dv_rng_normal(&r);
        }
    }
    dv_amortized_params p;
    dv_amortized_params_default(&p);
    p.hidden[0] = p.hidden[1] = 32;
    p.epochs = 150;
    p.batch_size = 64;
    p.lr = 3e-3;
    p.patience = 30;
    dv_law *laws = malloc(N * sizeof *laws), *pp = malloc(N * sizeof *pp);
    dv_error err = {0};
    CHECK(dv_law_fit_amortized(X, N, D, NULL, 0, delta, card, M, &p, laws, &err) == DV_OK);
    CHECK(dv_law_fit_many(delta, card, N, M, pp, 1) == DV_OK);
    for (size_t i = 0; i < N; i++) {
        got[i] = laws[i].alpha;
        mle[i] = pp[i].alpha;
    }
    double ra = oracle_corr(got, alpha, N), rm = oracle_corr(mle, alpha, N);
    printf("# alpha recovery: amortized Pearson %.3f, per-point likelihood %.3f\n", ra, rm);
    CHECK_MSG(ra >= 0.9, "amortized: Pearson %.3f", ra);
    CHECK_MSG(rm < ra - 0.2, "per-point: Pearson %.3f", rm);
    /* The same result for another thread count. */
    dv_law *again = malloc(N * sizeof *again);
    int nt = omp_get_max_threads();
    omp_set_num_threads(nt > 1 ? 1 : 2);
    CHECK(dv_law_fit_amortized(X, N, D, NULL, 0, delta, card, M, &p, again, &err) == DV_OK);
    omp_set_num_threads(nt);
    int same = 1;
    for (size_t i = 0; i < N; i++)
        same &= again[i].c == laws[i].c && again[i].alpha == laws[i].alpha;
    CHECK(same);
    free(again);
    free(X);
    free(delta);
    free(card);
    free(laws);
    free(pp);
}

static void test_bad_input(void)
{
    dv_amortized_params p;
    dv_amortized_params_default(&p);
    CHECK(dv_amortized_params_check(&p) == NULL);
    p.lr_min = 2 * p.lr;
    CHECK(dv_amortized_params_check(&p) != NULL);
    dv_amortized_params_default(&p);
    double X[4] = {0, 1, 2, 3}, delta[4] = {0.1, NAN, 0.2, 0.1};
    int32_t card[4] = {5, 6, 7, 8}, head[2] = {0, 3};
    dv_law laws[2];
    dv_error err = {0};
    CHECK(dv_law_fit_amortized(X, 2, 2, NULL, 0, delta, card, 2, &p, laws, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "sample 1 of point 0") != NULL, "%s", err.msg);
    delta[1] = 0.3;
    CHECK(dv_law_fit_amortized(X, 2, 2, head, 2, delta, card, 2, &p, laws, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "head 3") != NULL, "%s", err.msg);
}

int main(void)
{
    RUN(test_gradient);
    RUN(test_planted);
    RUN(test_bad_input);
    return CHECK_DONE();
}
