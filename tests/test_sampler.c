/*
 * test_sampler.c -- the sampler against plain from-scratch fits: every
 * delta equals U(S + z) - U(S) with both models fitted from zero on the
 * coalition the sampler drew (replayed by a test hook); z is never in S;
 * class counts follow the rule; the output is byte-identical for 1 and 2
 * threads; grid mode uses the listed sizes.
 */
#define _GNU_SOURCE
#include "check.h"
#include "dval.h"
#include "sample/sampler.h" /* internal: the item kernel, for the fall-back test */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

/* Small classification data: x ~ N(0, I), y from a noisy linear rule
 * (noisy enough that no subset is separable in practice). */
static dv_dataset *make_data(size_t n, size_t d, size_t classes, uint64_t seed, int regression)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 99);
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n * d; i++)
        X[i] = dv_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += X[i * d + j] * (double)(j % 3 == 0 ? 1 : -0.5);
        s += 1.0 * dv_rng_normal(&r);
        if (regression)
            y[i] = s;
        else if (classes == 2)
            y[i] = s > 0.3; /* unbalanced classes */
        else
            y[i] = s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
    }
    dv_dataset *ds;
    dv_error err = {0};
    int rc = dv_dataset_from_arrays(&ds, n, d, X, y,
                                    regression ? DV_TASK_REGRESSION : DV_TASK_CLASSIFICATION,
                                    regression ? 0 : classes, NULL, &err);
    if (rc) {
        fprintf(stderr, "make_data: %s\n", err.msg);
        exit(1);
    }
    free(X);
    free(y);
    return ds;
}

static void *read_all(const char *dir, const char *name, dv_dtype t, size_t *rows, size_t *cols)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    void *data = NULL;
    dv_error err = {0};
    if (dv_npy_read(path, t, &data, rows, cols, &err))
        fprintf(stderr, "read %s: %s\n", path, err.msg);
    return data;
}

static int run(const char *dir, const dv_dataset *tr, const dv_dataset *va, const int64_t *pts,
               size_t np, const dv_sample_params *p)
{
    dv_error err = {0};
    int rc = dv_run_create(dir, tr, va, pts, np, p, NULL, &err);
    if (!rc)
        rc = dv_run_execute(dir, tr, va, pts, np, p, &err);
    if (rc)
        fprintf(stderr, "run %s: %s\n", dir, err.msg);
    return rc;
}

/* Compares every stored delta with the plain computation on the replayed
 * coalition; checks coalition invariants on the way. */
static void check_against_plain(const dv_dataset *tr, const dv_dataset *va, const int64_t *pts,
                                size_t np, const dv_sample_params *p, const char *dir,
                                double tol)
{
    size_t P, M, P2, M2;
    double *D = read_all(dir, "deltas.npy", DV_F64, &P, &M);
    int32_t *K = read_all(dir, "cards.npy", DV_I32, &P2, &M2);
    CHECK(D && K);
    if (!D || !K)
        return;
    CHECK_EQ_INT(P, np);
    CHECK_EQ_INT(P2, P);
    CHECK_EQ_INT(M2, M);
    size_t C = dv_dataset_classes(tr), n = dv_dataset_rows(tr);
    const double *y = dv_dataset_targets(tr);
    size_t class_n[8] = {0};
    for (size_t i = 0; i < n; i++)
        class_n[C ? (size_t)y[i] : 0]++;
    int64_t *S = malloc(n * sizeof *S);
    double worst = 0;
    for (size_t i = 0; i < P; i++) {
        for (size_t j = 0; j < M; j++) {
            size_t ns;
            int64_t k;
            dv_error err = {0};
            int rc = dv__sample_coalition(tr, pts, np, p, j, i, S, &ns, &k, &err);
            CHECK_MSG(rc == 0, "%s", err.msg);
            if (rc)
                continue;
            CHECK_EQ_INT(k, K[i * M + j]);
            CHECK_EQ_INT(ns, (size_t)k);
            CHECK(k >= p->min_card && k <= p->max_card);
            /* z not in S, no duplicates, class counts by the rule. */
            char *seen = calloc(n, 1);
            size_t cnt[8] = {0};
            for (size_t t = 0; t < ns; t++) {
                CHECK(S[t] != pts[i]);
                CHECK(!seen[S[t]]);
                seen[S[t]] = 1;
                cnt[C ? (size_t)y[S[t]] : 0]++;
            }
            free(seen);
            if (C) {
                int64_t want[8];
                CHECK(dv_class_counts(class_n, C, k, want, NULL) == 0);
                for (size_t c = 0; c < C; c++)
                    CHECK_EQ_INT(cnt[c], want[c]);
            }
            double plain;
            rc = dv__delta_plain(tr, va, &p->learner, p->metric, S, ns, pts[i], &plain, &err);
            CHECK_MSG(rc == 0, "%s", err.msg);
            double diff = fabs(plain - D[i * M + j]);
            if (diff > worst)
                worst = diff;
            CHECK_MSG(diff <= tol, "point %zu sample %zu: sampler %.17g plain %.17g", i, j,
                      D[i * M + j], plain);
        }
    }
    printf("# max |sampler - plain| = %.3g over %zu deltas\n", worst, P * M);
    free(S);
    dv_free(D);
    dv_free(K);
}

static void test_binary_exact(void)
{
    dv_dataset *tr = make_data(300, 6, 2, 1, 0), *va = make_data(200, 6, 2, 2, 0);
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.n_samples = 6;
    p.min_card = 20;
    p.max_card = 150; /* with 300 rows, z in S happens often: the swap path runs */
    p.batch = 7;
    p.seed = 11;
    int64_t pts[20];
    for (int i = 0; i < 20; i++)
        pts[i] = i * 13;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/bin", tmpdir);
    CHECK(run(dir, tr, va, pts, 20, &p) == 0);
    check_against_plain(tr, va, pts, 20, &p, dir, 1e-9);
    /* accuracy utility */
    p.metric = DV_METRIC_ACCURACY;
    snprintf(dir, sizeof dir, "%s/acc", tmpdir);
    CHECK(run(dir, tr, va, pts, 20, &p) == 0);
    check_against_plain(tr, va, pts, 20, &p, dir, 1e-12);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_generic_paths(void)
{
    /* Multinomial logistic regression and ridge go through the generic path. */
    dv_dataset *tr = make_data(240, 4, 3, 3, 0), *va = make_data(100, 4, 3, 4, 0);
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.n_samples = 3;
    p.min_card = 30;
    p.max_card = 100;
    p.batch = 4;
    int64_t pts[6] = {0, 5, 10, 50, 100, 199};
    char dir[300];
    snprintf(dir, sizeof dir, "%s/multi", tmpdir);
    CHECK(run(dir, tr, va, pts, 6, &p) == 0);
    check_against_plain(tr, va, pts, 6, &p, dir, 1e-8);
    dv_dataset_free(tr);
    dv_dataset_free(va);

    tr = make_data(200, 5, 0, 5, 1);
    va = make_data(100, 5, 0, 6, 1);
    dv_learner_params_default(&p.learner, DV_LEARNER_RIDGE);
    p.metric = DV_METRIC_DEFAULT;
    snprintf(dir, sizeof dir, "%s/ridge", tmpdir);
    CHECK(run(dir, tr, va, pts, 6, &p) == 0);
    check_against_plain(tr, va, pts, 6, &p, dir, 1e-10);
    dv_dataset_free(tr);
    dv_dataset_free(va);

    /* An mlp fits every subset from its own seeded start, so the sampler's
     * deltas are the plain ones bit for bit. */
    tr = make_data(200, 3, 2, 7, 0);
    va = make_data(80, 3, 2, 8, 0);
    dv_learner_params_default(&p.learner, DV_LEARNER_MLP);
    p.learner.n_hidden = 1;
    p.learner.hidden[0] = 8;
    p.learner.epochs = 3;
    p.learner.batch_size = 32;
    p.n_samples = 2;
    snprintf(dir, sizeof dir, "%s/mlp", tmpdir);
    CHECK(run(dir, tr, va, pts, 6, &p) == 0);
    check_against_plain(tr, va, pts, 6, &p, dir, 0.0);
    /* So does knn, which keeps its rows. */
    dv_learner_params_default(&p.learner, DV_LEARNER_KNN);
    p.learner.neighbors = 7;
    snprintf(dir, sizeof dir, "%s/knn", tmpdir);
    CHECK(run(dir, tr, va, pts, 6, &p) == 0);
    check_against_plain(tr, va, pts, 6, &p, dir, 0.0);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* A point with an extreme value in a feature no other row has (a rare
 * one-hot category after standardization): its first quasi-Newton step
 * overshoots, which exercises the safeguarded fall-back. */
static void test_extreme_point(void)
{
    size_t n = 400, d = 5;
    dv_dataset *base = make_data(n, d, 2, 21, 0), *va = make_data(150, d, 2, 22, 0);
    double *X = malloc(n * d * sizeof *X);
    memcpy(X, dv_dataset_features(base), n * d * sizeof *X);
    for (size_t i = 0; i < n; i++)
        X[i * d + 4] = i == 7 ? 60.0 : -0.015;
    dv_dataset *tr;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, n, d, X, dv_dataset_targets(base), DV_TASK_CLASSIFICATION, 2,
                                 NULL, &err) == 0);
    double *Xv = malloc(150 * d * sizeof *Xv);
    memcpy(Xv, dv_dataset_features(va), 150 * d * sizeof *Xv);
    for (size_t i = 0; i < 150; i++)
        Xv[i * d + 4] = i % 50 == 0 ? 60.0 : -0.015;
    dv_dataset *va2;
    CHECK(dv_dataset_from_arrays(&va2, 150, d, Xv, dv_dataset_targets(va), DV_TASK_CLASSIFICATION, 2,
                                 NULL, &err) == 0);
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.n_samples = 8;
    p.min_card = 30;
    p.max_card = 250;
    p.batch = 3;
    int64_t pts[3] = {7, 8, 9};
    char dir[300];
    snprintf(dir, sizeof dir, "%s/extreme", tmpdir);
    CHECK(run(dir, tr, va2, pts, 3, &p) == 0);
    check_against_plain(tr, va2, pts, 3, &p, dir, 1e-8);
    free(X);
    free(Xv);
    dv_dataset_free(base);
    dv_dataset_free(va);
    dv_dataset_free(tr);
    dv_dataset_free(va2);
}

/* Every column through the full-Newton fall-back (quasi-Newton disabled)
 * and through the normal path: both equal the plain computation. */
static void test_fallback_path(void)
{
    dv_dataset *tr = make_data(300, 6, 2, 31, 0), *va = make_data(120, 6, 2, 32, 0);
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.n_samples = 4;
    p.min_card = 40;
    p.max_card = 200;
    p.batch = 10;
    int64_t pts[10];
    for (int i = 0; i < 10; i++)
        pts[i] = 3 * i;
    dv_error err = {0};
    for (int qn = 0; qn <= 60; qn += 60) {
        dv__sctx cx;
        CHECK(dv__sctx_init(&cx, tr, va, pts, 10, &p, 1, &err) == 0);
        CHECK(cx.fast);
        cx.qn_max = qn;
        dv__ws w;
        CHECK(dv__ws_init(&w, &cx) == 0);
        int64_t *S = malloc(300 * sizeof *S);
        for (size_t j = 0; j < 4; j++) {
            double delta[10];
            int32_t card[10];
            CHECK(dv__run_item(&cx, &w, j, 0, delta, card, &err) == 0);
            for (size_t i = 0; i < 10; i++) {
                size_t ns;
                int64_t k;
                double plain;
                CHECK(dv__sample_coalition(tr, pts, 10, &p, j, i, S, &ns, &k, &err) == 0);
                CHECK_EQ_INT(k, card[i]);
                CHECK(dv__delta_plain(tr, va, &p.learner, p.metric, S, ns, pts[i], &plain, &err) == 0);
                CHECK_MSG(fabs(plain - delta[i]) <= 1e-9, "qn_max %d sample %zu point %zu: %.17g vs %.17g",
                          qn, j, i, delta[i], plain);
            }
        }
        free(S);
        dv__ws_free(&w);
        dv__sctx_free(&cx);
    }
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* Standardized one-hot data: three categorical features (levels of
 * unequal frequency) and one continuous, y from a noisy rule.  Few
 * entries differ from their column's most frequent value, so the scan
 * takes its products in baseline form. */
static dv_dataset *make_onehot(size_t n, uint64_t seed)
{
    static const size_t levels[3] = {4, 6, 3};
    size_t d = 4 + 6 + 3 + 1;
    dv_rng r;
    dv_rng_seed(&r, seed, 17);
    double *X = calloc(n * d, sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        size_t off = 0;
        double s = 0.0;
        for (size_t f = 0; f < 3; f++) {
            /* Level 0 is common; the others are rare. */
            size_t l = dv_rng_uniform(&r) < 0.9 ? 0 : 1 + dv_rng_below(&r, levels[f] - 1);
            X[i * d + off + l] = 1.0;
            s += (l % 2 ? 1.0 : -0.5) * (double)(f + 1);
            off += levels[f];
        }
        X[i * d + off] = dv_rng_uniform(&r) < 0.05 ? dv_rng_normal(&r) : 0.0;
        s += X[i * d + off] + dv_rng_normal(&r);
        y[i] = s > -1.0;
    }
    dv_dataset *ds;
    dv_error err = {0};
    if (dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err)) {
        fprintf(stderr, "make_onehot: %s\n", err.msg);
        exit(1);
    }
    free(X);
    free(y);
    return ds;
}

/* Fits grown one row at a time along a permutation of tr equal fresh fits
 * of every prefix (the scan path of the permutation estimators), and the
 * scan's validation scores equal the dense ones.  want_form: the expected
 * baseline-form flags of dv__scan_check. */
static void check_scan(dv_dataset *tr, dv_dataset *va, size_t want_form)
{
    size_t n = tr->n, p = tr->d + 1;
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    dv__scan *sc, *sc2;
    CHECK(dv__scan_new(&sc, tr, va, &lp, NULL) == 0);
    /* A scan whose set-up is copied from sc computes the same bits. */
    CHECK(dv__scan_new(&sc2, tr, va, &lp, sc) == 0);
    int64_t *perm = malloc(n * sizeof *perm);
    double *ref = malloc(p * sizeof *ref), *mg = malloc(va->n * sizeof *mg);
    dv_rng r;
    dv_rng_seed(&r, 5, 5);
    for (size_t i = 0; i < n; i++)
        perm[i] = (int64_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)dv_rng_below(&r, (uint64_t)i + 1);
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    size_t fitted = 0, st[DV__SC_NSTATS];
    for (size_t k = 1; k <= n; k++) {
        const double *th, *th2;
        int rc = dv__scan_fit(sc, perm, k, &th);
        CHECK_EQ_INT(dv__scan_fit(sc2, perm, k, &th2), rc);
        if (rc == DV_EDEGEN)
            continue; /* one class so far */
        CHECK_EQ_INT(rc, 0);
        CHECK(memcmp(th, th2, p * sizeof *th) == 0);
        dv_model *m;
        CHECK(dv_model_fit(&m, &lp, tr, perm, k, NULL, NULL) == 0);
        dv_model_coef(m, ref, p);
        dv_model_free(m);
        for (size_t q = 0; q < p; q++)
            CHECK_NEAR(th[q], ref[q], 1e-7 * (1 + fabs(ref[q])));
        double a, b;
        CHECK(dv__scan_score(sc, th, DV_METRIC_NEG_LOGLOSS, mg, &a) == 0);
        CHECK(dv__binary_score(va, th, DV_METRIC_NEG_LOGLOSS, mg, &b) == 0);
        CHECK_NEAR(a, b, 1e-12 * (1 + fabs(b)));
        /* The preconditioner is what its row weights say it is. */
        double dev = dv__scan_check(sc, st);
        CHECK_MSG(dev <= 1e-13, "prefix %zu: assembled Hessian off by %.3g", k, dev);
        fitted++;
    }
    CHECK(fitted > n - n / 6);
    /* The partial refresh ran, in both directions. */
    dv__scan_check(sc, st);
    CHECK_MSG(st[DV__SC_REFRESH] > 0 && st[DV__SC_UP] > 0 && st[DV__SC_DOWN] > 0,
              "refreshes %zu, rows up %zu, down %zu", st[DV__SC_REFRESH], st[DV__SC_UP],
              st[DV__SC_DOWN]);
    /* Nearly every fit came from the quasi-Newton steps on the scan's own
     * products, not from the full-Newton fall-back (which is always right). */
    CHECK_MSG(st[DV__SC_NEWTON] * 20 < st[DV__SC_QN], "quasi-Newton %zu, Newton %zu",
              st[DV__SC_QN], st[DV__SC_NEWTON]);
    CHECK_EQ_INT(st[DV__SC_FORM], want_form);
    dv__scan_check(sc2, st);
    CHECK_EQ_INT(st[DV__SC_FORM], want_form);
    dv__scan_free(sc);
    dv__scan_free(sc2);
    free(perm);
    free(ref);
    free(mg);
}

static void test_scan_fits(void)
{
    dv_dataset *tr = make_data(120, 4, 2, 51, 0), *va = make_data(50, 4, 2, 52, 0);
    check_scan(tr, va, 0); /* Gaussian: dense products */
    dv_dataset_free(tr);
    dv_dataset_free(va);
    tr = make_onehot(150, 53);
    va = make_onehot(80, 54);
    dv_dataset_standardize(tr, va, NULL);
    check_scan(tr, va, 3);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int eq = fa && fb;
    while (eq) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb)
            eq = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return eq;
}

/* The four files of two run directories are equal byte for byte. */
static void check_same_run(const char *d1, const char *d2, const char *why)
{
    const char *names[] = {"deltas.npy", "cards.npy", "points.npy", "run.json"};
    char a[400], b[400];
    for (int i = 0; i < 4; i++) {
        snprintf(a, sizeof a, "%s/%s", d1, names[i]);
        snprintf(b, sizeof b, "%s/%s", d2, names[i]);
        CHECK_MSG(files_equal(a, b), "%s differs %s", names[i], why);
    }
}

/* A small uniform run: sizes 30..max_card. */
static dv_sample_params small_run(size_t samples, int64_t max_card, size_t batch)
{
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.n_samples = samples;
    p.min_card = 30;
    p.max_card = max_card;
    p.batch = batch;
    return p;
}

static void test_threads_identical(void)
{
    dv_dataset *tr = make_data(400, 8, 2, 7, 0), *va = make_data(150, 8, 2, 8, 0);
    dv_sample_params p = small_run(10, 200, 16);
    char d1[300], d2[300];
    snprintf(d1, sizeof d1, "%s/t1", tmpdir);
    snprintf(d2, sizeof d2, "%s/t2", tmpdir);
    p.n_threads = 1;
    CHECK(run(d1, tr, va, NULL, 0, &p) == 0);
    p.n_threads = 2;
    CHECK(run(d2, tr, va, NULL, 0, &p) == 0);
    check_same_run(d1, d2, "between 1 and 2 threads");
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

/* dv_interrupt from a progress callback: the run stops with DV_EINTR, the
 * request holds until cleared, and the run then resumes to the bytes of an
 * uninterrupted one; a value method stops the same way and leaves nothing
 * behind that changes the next call. */
static uint64_t interrupt_at;
static void interrupting(void *user, uint64_t done, uint64_t total)
{
    (void)user, (void)total;
    if (done == interrupt_at)
        dv_interrupt();
}

static void test_interrupt(void)
{
    dv_dataset *tr = make_data(300, 6, 2, 17, 0), *va = make_data(120, 6, 2, 18, 0);
    dv_sample_params p = small_run(12, 150, 8);
    p.n_threads = 2;
    char d1[300], d2[300];
    snprintf(d1, sizeof d1, "%s/int1", tmpdir);
    snprintf(d2, sizeof d2, "%s/int2", tmpdir);
    dv_error err = {0};
    CHECK(run(d2, tr, va, NULL, 0, &p) == 0);
    p.progress = interrupting;
    interrupt_at = 2;
    CHECK(dv_run_create(d1, tr, va, NULL, 0, &p, NULL, &err) == 0);
    CHECK(dv_run_execute(d1, tr, va, NULL, 0, &p, &err) == DV_EINTR);
    CHECK_MSG(strstr(err.msg, "interrupted") != NULL, "%s", err.msg);
    CHECK(dv_interrupted());
    CHECK(dv_run_execute(d1, tr, va, NULL, 0, &p, &err) == DV_EINTR); /* still requested */
    dv_interrupt_clear();
    CHECK(!dv_interrupted());
    p.progress = NULL;
    CHECK(dv_run_execute(d1, tr, va, NULL, 0, &p, &err) == 0);
    check_same_run(d1, d2, "after an interrupted run resumed");
    /* tmc, beta (ordered permutations), forgetting and dvrl (their own loops) */
    dv_method ms[] = {DV_METHOD_TMC, DV_METHOD_BETA, DV_METHOD_FORGETTING, DV_METHOD_DVRL};
    size_t n = dv_dataset_rows(tr);
    double *v1 = malloc(n * sizeof *v1), *v2 = malloc(n * sizeof *v2);
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        dv_value_params vp;
        dv_value_params_default(&vp, ms[k]);
        /* dvrl reports every 50 iterations */
        vp.max_samples = ms[k] == DV_METHOD_FORGETTING ? 4 : ms[k] == DV_METHOD_DVRL ? 120 : 40;
        vp.min_samples = 40;
        vp.n_threads = 2;
        if (ms[k] == DV_METHOD_FORGETTING)
            vp.learner.epochs = 3;
        vp.progress = interrupting;
        interrupt_at = ms[k] == DV_METHOD_DVRL ? 50 : 2;
        CHECK_MSG(dv_value_compute(tr, va, &vp, v1, NULL, NULL, &err) == DV_EINTR, "%s: %s",
                  dv_method_name(ms[k]), err.msg);
        dv_interrupt_clear();
        vp.progress = NULL;
        CHECK(dv_value_compute(tr, va, &vp, v1, NULL, NULL, &err) == 0);
        CHECK(dv_value_compute(tr, va, &vp, v2, NULL, NULL, &err) == 0);
        CHECK_MSG(!memcmp(v1, v2, n * sizeof *v1), "%s: values differ after an interrupt",
                  dv_method_name(ms[k]));
    }
    free(v1);
    free(v2);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_grid_mode(void)
{
    dv_dataset *tr = make_data(300, 5, 2, 9, 0), *va = make_data(100, 5, 2, 10, 0);
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.mode = DV_CARD_GRID;
    int64_t cards[3] = {20, 50, 90};
    p.cards = cards;
    p.n_cards = 3;
    p.n_samples = 2;
    p.min_card = 20;
    p.max_card = 90;
    int64_t pts[5] = {1, 2, 3, 4, 5};
    char dir[300];
    snprintf(dir, sizeof dir, "%s/grid", tmpdir);
    CHECK(run(dir, tr, va, pts, 5, &p) == 0);
    size_t P, M;
    int32_t *K = read_all(dir, "cards.npy", DV_I32, &P, &M);
    CHECK_EQ_INT(M, 6);
    for (size_t i = 0; K && i < P; i++)
        for (size_t j = 0; j < M; j++)
            CHECK_EQ_INT(K[i * M + j], cards[j / 2]);
    dv_free(K);
    check_against_plain(tr, va, pts, 5, &p, dir, 1e-9);
    /* geometric grid like numpy.geomspace(100, 1000, 10).astype(int) */
    int64_t g[10];
    size_t ng = dv_geom_grid(100, 1000, 10, g);
    int64_t want[10] = {100, 129, 166, 215, 278, 359, 464, 599, 774, 1000};
    CHECK_EQ_INT(ng, 10);
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(g[i], want[i]);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

static void test_class_counts(void)
{
    size_t n[3] = {50, 30, 20};
    int64_t c[3];
    CHECK(dv_class_counts(n, 3, 10, c, NULL) == 0);
    CHECK_EQ_INT(c[0], 5);
    CHECK_EQ_INT(c[1], 3);
    CHECK_EQ_INT(c[2], 2);
    /* 7 * 0.5 = 3.5 -> 4 (half to even), 7 * 0.3 = 2.1 -> 2, 7 * 0.2 = 1.4 -> 1:
     * sum 7, nothing to add. 5: 2.5 -> 2, 1.5 -> 2, 1 -> 1, remainder 0. */
    CHECK(dv_class_counts(n, 3, 7, c, NULL) == 0);
    CHECK_EQ_INT(c[0] + c[1] + c[2], 7);
    CHECK(dv_class_counts(n, 3, 5, c, NULL) == 0);
    CHECK_EQ_INT(c[0], 2);
    CHECK_EQ_INT(c[1], 2);
    CHECK_EQ_INT(c[2], 1);
    /* 11: 5.5 -> 6, 3.3 -> 3, 2.2 -> 2, sum 11 */
    CHECK(dv_class_counts(n, 3, 11, c, NULL) == 0);
    CHECK_EQ_INT(c[0], 6);
    /* 13: 6.5 -> 6, 3.9 -> 4, 2.6 -> 3 = 13 */
    CHECK(dv_class_counts(n, 3, 13, c, NULL) == 0);
    CHECK_EQ_INT(c[0], 6);
    CHECK_EQ_INT(c[2], 3);
    /* too large for class balance once the valued point is left out */
    dv_error err = {0};
    CHECK(dv_class_counts(n, 3, 100, c, &err) != 0);
    CHECK(strstr(err.msg, "class") != NULL);
}

static void test_bad_params(void)
{
    dv_dataset *tr = make_data(100, 3, 2, 12, 0), *va = make_data(50, 3, 2, 13, 0);
    dv_sample_params p;
    dv_sample_params_default(&p);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/bad", tmpdir);
    dv_error err = {0};
    p.min_card = 50;
    p.max_card = 10;
    CHECK(dv_run_create(dir, tr, va, NULL, 0, &p, NULL, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "min-card") != NULL);
    p.min_card = 10;
    p.max_card = 99; /* needs all rows of a class: impossible without z */
    CHECK(dv_run_create(dir, tr, va, NULL, 0, &p, NULL, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "class") != NULL);
    p.max_card = 20;
    p.learner.kind = DV_LEARNER_RIDGE;
    CHECK(dv_run_create(dir, tr, va, NULL, 0, &p, NULL, &err) == DV_EINVAL);
    dv_learner_params_default(&p.learner, DV_LEARNER_LOGREG);
    p.metric = DV_METRIC_R2;
    CHECK(dv_run_create(dir, tr, va, NULL, 0, &p, NULL, &err) == DV_EINVAL);
    p.metric = DV_METRIC_DEFAULT;
    int64_t bad_pt = 1000;
    CHECK(dv_run_create(dir, tr, va, &bad_pt, 1, &p, NULL, &err) == DV_EINVAL);
    CHECK(access(dir, F_OK) != 0); /* nothing created */
    /* a run resumed with other settings is refused */
    CHECK(dv_run_create(dir, tr, va, NULL, 0, &p, NULL, &err) == 0);
    p.seed = 5;
    CHECK(dv_run_create(dir, tr, va, NULL, 0, &p, NULL, &err) == DV_ESTATE);
    CHECK(dv_run_execute(dir, tr, va, NULL, 0, &p, &err) == DV_ESTATE);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dval_test_sampler_XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_class_counts);
    RUN(test_binary_exact);
    RUN(test_generic_paths);
    RUN(test_extreme_point);
    RUN(test_fallback_path);
    RUN(test_scan_fits);
    RUN(test_threads_identical);
    RUN(test_interrupt);
    RUN(test_grid_mode);
    RUN(test_bad_params);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return CHECK_DONE();
}
