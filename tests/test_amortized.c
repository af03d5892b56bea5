/*
 * test_amortized.c -- the amortized estimator: its loss's gradient against
 * central finite differences (every layer, two heads, both signs of c), and
 * a planted-law recovery: deltas drawn from laws whose alpha and c vary
 * smoothly with two features, 10 samples per point; the network recovers
 * alpha (Pearson >= 0.9) where the per-point likelihood fit cannot.  The
 * trained network as an object and a file: it predicts the fit's laws bit
 * for bit, from raw rows too, survives a write and a read unchanged, and a
 * damaged file is refused saying why.
 */
#define _GNU_SOURCE
#include "check.h"
#include "oracle.h"
#include "dval.h"
#include "internal.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    /* The same result for another thread count, with and without points
     * held out to choose the epoch. */
    dv_law *again = malloc(N * sizeof *again), *held = malloc(N * sizeof *held);
    int nt = omp_get_max_threads();
    omp_set_num_threads(nt > 1 ? 1 : 2);
    CHECK(dv_law_fit_amortized(X, N, D, NULL, 0, delta, card, M, &p, again, &err) == DV_OK);
    p.val_fraction = 0.1;
    CHECK(dv_law_fit_amortized(X, N, D, NULL, 0, delta, card, M, &p, held, &err) == DV_OK);
    omp_set_num_threads(nt);
    int same = 1;
    for (size_t i = 0; i < N; i++)
        same &= again[i].c == laws[i].c && again[i].alpha == laws[i].alpha;
    CHECK(same);
    CHECK(dv_law_fit_amortized(X, N, D, NULL, 0, delta, card, M, &p, again, &err) == DV_OK);
    same = 1;
    for (size_t i = 0; i < N; i++) {
        same &= again[i].c == held[i].c && again[i].alpha == held[i].alpha;
        got[i] = held[i].alpha;
    }
    CHECK(same);
    double rh = oracle_corr(got, alpha, N);
    CHECK_MSG(rh >= 0.8, "held-out choice: Pearson %.3f", rh);
    free(held);
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

static int same_laws(const dv_law *a, const dv_law *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].c != b[i].c || a[i].alpha != b[i].alpha || a[i].sigma != b[i].sigma ||
            a[i].beta != b[i].beta)
            return 0;
    return 1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*len + 1);
    *len = fread(b, 1, *len, f);
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
}

/* A model whose file is damaged as damage() says must be refused with a
 * message holding what. */
static void expect_refused(const char *dir, const unsigned char *good, size_t len,
                           size_t new_len, size_t at, unsigned char xor_with, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "%s/bad.bin", dir);
    unsigned char *b = calloc(new_len + 1, 1);
    memcpy(b, good, new_len < len ? new_len : len);
    if (at < new_len)
        b[at] ^= xor_with;
    spit(path, b, new_len);
    dv_law_model *m = NULL;
    dv_error err = {0};
    CHECK(dv_law_model_read(&m, path, &err) == DV_EINVAL && m == NULL);
    CHECK_MSG(strstr(err.msg, what) != NULL, "'%s' lacks '%s'", err.msg, what);
    free(b);
}

static void test_law_model(void)
{
    enum { N = 120, D = 3, M = 6 };
    double X[N * D], y[N], delta[N * M];
    int32_t card[N * M], head[N];
    dv_rng r;
    dv_rng_seed(&r, 3, 9);
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            X[i * D + j] = 10.0 * j + (j + 1) * dv_rng_normal(&r);
        y[i] = X[i * D + 1] > 10.0;
        for (size_t t = 0; t < M; t++) {
            card[i * M + t] = 10 + (int32_t)dv_rng_below(&r, 90);
            delta[i * M + t] = (y[i] ? 1 : -1) * 0.2 * pow(card[i * M + t], -0.6) +
                               0.05 * dv_rng_normal(&r);
        }
    }
    dv_dataset *raw, *train;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&raw, N, D, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    int64_t all[N];
    for (size_t i = 0; i < N; i++)
        all[i] = (int64_t)i;
    CHECK(dv_dataset_subset(&train, raw, all, N, &err) == 0);
    dv_dataset_standardize(train, NULL, NULL);
    const double *Z = dv_dataset_features(train);
    for (size_t i = 0; i < N; i++)
        head[i] = (int32_t)y[i];
    dv_amortized_params p;
    dv_amortized_params_default(&p);
    p.hidden[0] = p.hidden[1] = 16;
    p.epochs = 15;
    dv_law laws[N], got[N];
    dv_law_model *m = NULL, *back = NULL;
    CHECK(dv_law_model_fit(&m, Z, N, D, head, 2, delta, card, M, &p, laws, &err) == DV_OK);
    CHECK(dv_law_model_predict(m, Z, N, head, got, &err) == DV_OK);
    CHECK_MSG(same_laws(laws, got, N), "predictions differ from the fit's laws");
    CHECK(dv_law_model_predict_dataset(m, raw, got, &err) == DV_EINVAL); /* not described */
    CHECK(dv_law_model_describe(m, train, 10, 99, &err) == DV_OK);
    memset(got, 0, sizeof got);
    CHECK(dv_law_model_predict_dataset(m, raw, got, &err) == DV_OK);
    CHECK_MSG(same_laws(laws, got, N), "raw rows: predictions differ from the fit's laws");
    /* Write, read, write: the same bytes, the same predictions, the same info. */
    char dir[] = "/tmp/dval_test_lawmodel.XXXXXX", p1[256], p2[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(p1, sizeof p1, "%s/a.bin", dir);
    snprintf(p2, sizeof p2, "%s/b.bin", dir);
    CHECK(dv_law_model_write(m, p1, &err) == DV_OK);
    CHECK(dv_law_model_read(&back, p1, &err) == DV_OK);
    CHECK(dv_law_model_write(back, p2, &err) == DV_OK);
    size_t l1 = 0, l2 = 0;
    unsigned char *b1 = slurp(p1, &l1), *b2 = slurp(p2, &l2);
    CHECK(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0);
    const dv_law_model_info *a = dv_law_model_get_info(m), *b = dv_law_model_get_info(back);
    CHECK(a->n_features == b->n_features && a->n_heads == 2 && b->n_heads == 2 &&
          b->n_hidden == 2 && b->hidden[1] == 16 && b->n_params == a->n_params &&
          b->n_points == N && b->n_samples == M && b->epochs == 15 && b->k_lo == 10 &&
          b->k_hi == 99 && b->standardized && strcmp(b->label, "label") == 0);
    CHECK(strcmp(dv_law_model_col_name(back, 2), "x2") == 0);
    CHECK(strcmp(dv_law_model_class_name(back, 1), "1") == 0);
    memset(got, 0, sizeof got);
    CHECK(dv_law_model_predict_dataset(back, raw, got, &err) == DV_OK);
    CHECK_MSG(same_laws(laws, got, N), "read back: predictions differ");
    /* Damage refused. */
    expect_refused(dir, b1, l1, l1, 8, 2, "version 3");   /* another version */
    expect_refused(dir, b1, l1, l1, 0, 1, "no DVLAWMDL");  /* not the magic */
    expect_refused(dir, b1, l1, l1 - 1, l1, 0, "cut or damaged");
    expect_refused(dir, b1, l1, l1 + 1, l1, 0, "cut or damaged");
    expect_refused(dir, b1, l1, 10, l1, 0, "no DVLAWMDL");
    expect_refused(dir, b1, l1, l1, l1 / 2, 0x10, "checksum");
    expect_refused(dir, b1, l1, l1, l1 - 2, 0x80, "checksum"); /* the checksum itself */
    dv_law_model *none = (dv_law_model *)&err;
    CHECK(dv_law_model_read(&none, "/nonexistent/x.bin", &err) == DV_EIO && none == NULL);
    /* Another reference size: the same round trip, other laws. */
    dv_law_model *k30 = NULL, *k30b = NULL;
    dv_law l30[N];
    p.k_ref = 30;
    CHECK(dv_law_model_fit(&k30, Z, N, D, head, 2, delta, card, M, &p, l30, &err) == DV_OK);
    CHECK(!same_laws(laws, l30, N));
    CHECK(dv_law_model_write(k30, p1, &err) == DV_OK && dv_law_model_read(&k30b, p1, &err) == 0);
    memset(got, 0, sizeof got);
    CHECK(dv_law_model_predict(k30b, Z, N, head, got, &err) == DV_OK);
    CHECK_MSG(same_laws(l30, got, N), "k_ref 30: predictions differ after a round trip");
    dv_law_model_free(k30);
    dv_law_model_free(k30b);
    p.k_ref = 0.5;
    CHECK(dv_amortized_params_check(&p) && strstr(dv_amortized_params_check(&p), "k_ref"));
    /* Rows with a class the model has no head for are named. */
    double y3[N];
    memcpy(y3, y, sizeof y3);
    y3[5] = 2;
    dv_dataset *three;
    CHECK(dv_dataset_from_arrays(&three, N, D, X, y3, DV_TASK_CLASSIFICATION, 3, NULL, &err) == 0);
    CHECK(dv_law_model_predict_dataset(m, three, got, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "row 6 has the class '2'") != NULL, "%s", err.msg);
    dv_dataset_free(three);
    unlink(p1);
    unlink(p2);
    snprintf(p1, sizeof p1, "%s/bad.bin", dir);
    unlink(p1);
    rmdir(dir);
    free(b1);
    free(b2);
    dv_law_model_free(m);
    dv_law_model_free(back);
    dv_dataset_free(raw);
    dv_dataset_free(train);
}

int main(void)
{
    RUN(test_law_model);
    RUN(test_gradient);
    RUN(test_planted);
    RUN(test_bad_input);
    return CHECK_DONE();
}
