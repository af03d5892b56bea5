/*
 * test_poison.c -- the poisoning task: the injections (the stated count,
 * only eligible rows, the trigger recomputed here from the column means and
 * standard deviations, everything else untouched, reproducible from the
 * seed), the probes, the scores against fits written out here, the file
 * read back, an attack that works, and bad input.
 */
#define _GNU_SOURCE
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N = 300, D = 4, NT = 200 };

static double unif(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* K classes: class = the sign pattern of x0 (and x1 for K = 3); x2, x3 noise. */
static dv_dataset *make(size_t n, size_t K, uint64_t seed)
{
    double *X = malloc(n * D * sizeof *X), *y = malloc(n * sizeof *y);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < D; j++)
            X[i * D + j] = 2 * unif(&s) - 1;
        y[i] = X[i * D] > 0 ? 1 : 0;
        if (K == 3 && X[i * D] <= 0 && X[i * D + 1] > 0)
            y[i] = 2;
    }
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n, D, X, y, DV_TASK_CLASSIFICATION, K, NULL, &err) == DV_OK);
    free(X);
    free(y);
    return ds;
}

static void col_stats(const dv_dataset *ds, size_t j, double *mean, double *sd)
{
    size_t n = dv_dataset_rows(ds);
    const double *X = dv_dataset_features(ds);
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += X[i * D + j];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (X[i * D + j] - m) * (X[i * D + j] - m);
    *mean = m;
    *sd = sqrt(ss / (double)n);
}

/* Every kind: count, eligibility, labels, features, the original untouched. */
static void test_inject(void)
{
    dv_dataset *tr = make(N, 3, 1);
    const double *X0 = dv_dataset_features(tr), *y0 = dv_dataset_targets(tr);
    double *Xcopy = malloc(N * D * sizeof *Xcopy), ycopy[N];
    memcpy(Xcopy, X0, N * D * sizeof *Xcopy);
    memcpy(ycopy, y0, sizeof ycopy);
    for (int kind = 0; kind < 3; kind++) {
        for (int64_t source = -1; source <= (kind == 0 ? 2 : -1); source++) {
            if (source == 1)
                continue; /* the target */
            dv_poison_params p;
            dv_poison_params_default(&p);
            p.kind = (dv_poison_kind)kind;
            p.fraction = 0.07;
            p.target = 1;
            p.source = source;
            size_t feats[2] = {3, 1};
            if (kind == 1) {
                p.features = feats;
                p.n_features = 2;
                p.trigger_z = 2.5;
            }
            p.watermark_amp = 0.7;
            p.seed = 42;
            dv_dataset *pz = NULL;
            unsigned char isp[N];
            dv_error err = {0};
            CHECK(dv_poison_inject(tr, &p, &pz, isp, &err) == DV_OK);
            if (!pz)
                continue;
            const double *X = dv_dataset_features(pz), *y = dv_dataset_targets(pz);
            size_t m = 0;
            double mean[D], sd[D];
            for (size_t j = 0; j < D; j++)
                col_stats(tr, j, &mean[j], &sd[j]);
            int sign[D] = {0};
            for (size_t i = 0; i < N; i++) {
                if (!isp[i]) {
                    CHECK(y[i] == y0[i]);
                    CHECK(memcmp(X + i * D, X0 + i * D, D * sizeof *X) == 0);
                    continue;
                }
                m++;
                CHECK(y[i] == 1);
                if (kind == 0)
                    CHECK(source < 0 ? y0[i] != 1 : y0[i] == (double)source);
                if (kind == 1)
                    CHECK(y0[i] != 1);
                for (size_t j = 0; j < D; j++) {
                    double want = X0[i * D + j];
                    if (kind == 1 && (j == 3 || j == 1))
                        want = mean[j] + 2.5 * sd[j];
                    if (kind == 2) {
                        /* the same sign for a column in every poisoned row */
                        double delta = X[i * D + j] - X0[i * D + j];
                        CHECK_NEAR(fabs(delta), 0.7 * sd[j], 1e-12);
                        int sg = delta > 0 ? 1 : -1;
                        CHECK(sign[j] == 0 || sign[j] == sg);
                        sign[j] = sg;
                        continue;
                    }
                    CHECK_NEAR(X[i * D + j], want, 1e-12);
                }
            }
            CHECK_EQ_INT(m, 21); /* round(0.07 * 300) */
            /* the same parameters, the same rows and bytes */
            dv_dataset *pz2 = NULL;
            unsigned char isp2[N];
            CHECK(dv_poison_inject(tr, &p, &pz2, isp2, &err) == DV_OK);
            CHECK(memcmp(isp, isp2, N) == 0);
            CHECK(memcmp(dv_dataset_features(pz2), X, N * D * sizeof *X) == 0);
            dv_dataset_free(pz2);
            /* another seed, other rows */
            p.seed = 43;
            CHECK(dv_poison_inject(tr, &p, &pz2, isp2, &err) == DV_OK);
            CHECK(memcmp(isp, isp2, N) != 0);
            dv_dataset_free(pz2);
            dv_dataset_free(pz);
        }
    }
    CHECK(memcmp(dv_dataset_features(tr), Xcopy, N * D * sizeof *Xcopy) == 0);
    CHECK(memcmp(dv_dataset_targets(tr), ycopy, sizeof ycopy) == 0);
    /* the default trigger: the three columns least correlated with a class
     * indicator, at mean + 3 sd */
    dv_poison_params p;
    dv_poison_params_default(&p);
    p.kind = DV_POISON_BACKDOOR;
    double value[D], assoc[D];
    unsigned char set[D];
    dv_error err = {0};
    CHECK(dv_poison_trigger(tr, &p, value, set, &err) == DV_OK);
    for (size_t j = 0; j < D; j++) {
        double mean, sd;
        col_stats(tr, j, &mean, &sd);
        assoc[j] = 0;
        for (int c = 0; c < 3; c++) { /* Pearson's r of x_j and 1[y = c] */
            double pc = 0, cov = 0;
            for (size_t i = 0; i < N; i++)
                pc += ycopy[i] == c;
            pc /= N;
            for (size_t i = 0; i < N; i++)
                cov += (Xcopy[i * D + j] - mean) * ((ycopy[i] == c) - pc) / N;
            double r = fabs(cov) / (sd * sqrt(pc * (1 - pc)));
            assoc[j] = r > assoc[j] ? r : assoc[j];
        }
    }
    size_t most = 0; /* the one left out: the largest association */
    for (size_t j = 1; j < D; j++)
        if (assoc[j] > assoc[most])
            most = j;
    CHECK(assoc[0] > 0.5); /* x0 decides the class: it must not carry the trigger */
    for (size_t j = 0; j < D; j++) {
        double mean, sd;
        col_stats(tr, j, &mean, &sd);
        CHECK_EQ_INT(set[j], j != most);
        if (j != most)
            CHECK_NEAR(value[j], mean + 3 * sd, 1e-12);
    }
    free(Xcopy);
    dv_dataset_free(tr);
}

/* The probes: the eligible test rows, with the trigger. */
static void test_probes(void)
{
    dv_dataset *tr = make(N, 2, 2), *te = make(NT, 2, 3);
    const double *Xt = dv_dataset_features(te), *yt = dv_dataset_targets(te);
    for (int kind = 0; kind < 3; kind++) {
        dv_poison_params p;
        dv_poison_params_default(&p);
        p.kind = (dv_poison_kind)kind;
        p.target = 0;
        double value[D];
        unsigned char set[D];
        dv_error err = {0};
        CHECK(dv_poison_trigger(tr, &p, value, set, &err) == DV_OK);
        dv_dataset *pr = NULL;
        CHECK(dv_poison_probes(tr, te, &p, &pr, &err) == DV_OK);
        if (!pr)
            continue;
        size_t k = 0;
        const double *Xp = dv_dataset_features(pr);
        for (size_t i = 0; i < NT; i++) {
            if (yt[i] == 0)
                continue;
            CHECK(k < dv_dataset_rows(pr));
            if (k >= dv_dataset_rows(pr))
                break;
            for (size_t j = 0; j < D; j++) {
                double want = Xt[i * D + j];
                if (set[j])
                    want = kind == 2 ? want + value[j] : value[j];
                CHECK(Xp[k * D + j] == want);
            }
            CHECK(kind != 0 || !set[0]);
            k++;
        }
        CHECK_EQ_INT(k, dv_dataset_rows(pr));
        dv_dataset_free(pr);
    }
    dv_dataset_free(tr);
    dv_dataset_free(te);
}

/* The share of X's n rows a model fitted on rows[0..nr-1] of ds assigns to
 * target, and its accuracy on te. */
static void score_by_hand(const dv_dataset *ds, const int64_t *rows, size_t nr,
                          const dv_dataset *probes, const dv_dataset *te, size_t target,
                          double *success, double *acc)
{
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    dv_model *m = NULL;
    dv_error err = {0};
    CHECK(dv_model_fit(&m, &lp, ds, rows, nr, NULL, &err) == DV_OK);
    size_t np = dv_dataset_rows(probes), nt = dv_dataset_rows(te);
    double *pr = malloc((np > nt ? np : nt) * 2 * sizeof *pr);
    CHECK(dv_model_predict(m, dv_dataset_features(probes), np, D, pr) == DV_OK);
    size_t hit = 0;
    for (size_t i = 0; i < np; i++)
        hit += (pr[2 * i + 1] > pr[2 * i] ? 1u : 0u) == target;
    *success = (double)hit / (double)np;
    CHECK(dv_model_predict(m, dv_dataset_features(te), nt, D, pr) == DV_OK);
    hit = 0;
    for (size_t i = 0; i < nt; i++)
        hit += (pr[2 * i + 1] > pr[2 * i] ? 1.0 : 0.0) == dv_dataset_targets(te)[i];
    *acc = (double)hit / (double)nt;
    free(pr);
    dv_model_free(m);
}

/* dv_poison_score against fits on the rows kept, chosen here; and the
 * backdoor works: the poisoned model follows the trigger, and removing the
 * injected rows undoes it. */
static void test_score(void)
{
    dv_dataset *tr = make(N, 2, 4), *te = make(NT, 2, 5), *pz = NULL, *pr = NULL;
    dv_poison_params p;
    dv_poison_params_default(&p);
    p.kind = DV_POISON_BACKDOOR;
    size_t feats[1] = {3};
    p.features = feats;
    p.n_features = 1;
    p.trigger_z = 4;
    p.target = 1;
    unsigned char isp[N];
    dv_error err = {0};
    CHECK(dv_poison_inject(tr, &p, &pz, isp, &err) == DV_OK);
    CHECK(dv_poison_probes(tr, te, &p, &pr, &err) == DV_OK);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    double s_clean, a_clean, s_pois, a_pois, s, a, s_hand, a_hand;
    CHECK(dv_poison_score(tr, &lp, NULL, 0, te, pr, 1, &s_clean, &a_clean, &err) == DV_OK);
    CHECK(dv_poison_score(pz, &lp, NULL, 0, te, pr, 1, &s_pois, &a_pois, &err) == DV_OK);
    score_by_hand(pz, NULL, 0, pr, te, 1, &s_hand, &a_hand);
    CHECK(s_pois == s_hand && a_pois == a_hand);
    /* the attack works: the trigger flips most probes */
    CHECK_MSG(s_pois > s_clean + 0.3, "success %g poisoned, %g clean", s_pois, s_clean);
    /* removing exactly the injected rows: the fit on the clean rows left */
    double v[N];
    int64_t rows[N];
    size_t nk = 0, m = 0;
    for (size_t i = 0; i < N; i++) {
        v[i] = isp[i] ? -1 : 0;
        m += isp[i];
        if (!isp[i])
            rows[nk++] = (int64_t)i;
    }
    CHECK(dv_poison_score(pz, &lp, v, m, te, pr, 1, &s, &a, &err) == DV_OK);
    score_by_hand(pz, rows, nk, pr, te, 1, &s_hand, &a_hand);
    CHECK(s == s_hand && a == a_hand);
    CHECK_MSG(s < s_pois - 0.3, "success %g after removal, %g poisoned", s, s_pois);
    /* ties go by row index: equal values remove the first rows */
    for (size_t i = 0; i < N; i++) {
        v[i] = 5;
        rows[i] = (int64_t)i;
    }
    CHECK(dv_poison_score(pz, &lp, v, 17, te, pr, 1, &s, &a, &err) == DV_OK);
    score_by_hand(pz, rows + 17, N - 17, pr, te, 1, &s_hand, &a_hand);
    CHECK(s == s_hand && a == a_hand);
    /* bad input */
    CHECK(dv_poison_score(pz, &lp, v, N, te, pr, 1, &s, &a, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "leaves none") != NULL);
    CHECK(dv_poison_score(pz, &lp, NULL, 3, te, pr, 1, &s, &a, &err) == DV_EINVAL);
    v[7] = NAN;
    CHECK(dv_poison_score(pz, &lp, v, 3, te, pr, 1, &s, &a, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "row 7") != NULL);
    CHECK(dv_poison_score(pz, &lp, NULL, 0, te, pr, 2, &s, &a, &err) == DV_EINVAL);
    dv_dataset_free(tr);
    dv_dataset_free(te);
    dv_dataset_free(pz);
    dv_dataset_free(pr);
}

/* The file: one line per poisoned row and attack, the features read back. */
static void test_write(void)
{
    dv_dataset *tr = make(N, 2, 6);
    dv_poison_params p;
    dv_poison_params_default(&p);
    p.fraction = 0.05;
    dv_poison_kind kinds[3] = {DV_POISON_WATERMARK, DV_POISON_FLIP, DV_POISON_BACKDOOR};
    char path[] = "/tmp/dv_test_poison_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    dv_error err = {0};
    CHECK(dv_poison_write(path, tr, &p, kinds, 3, &err) == DV_OK);
    FILE *f = fopen(path, "r");
    char line[4096];
    CHECK(f && fgets(line, sizeof line, f));
    CHECK(strcmp(line, "attack,point,source_row,label_before,label_after,x0,x1,x2,x3\n") == 0);
    for (int a = 0; a < 3 && f; a++) {
        p.kind = kinds[a];
        dv_dataset *pz = NULL;
        unsigned char isp[N];
        CHECK(dv_poison_inject(tr, &p, &pz, isp, &err) == DV_OK);
        const double *X = dv_dataset_features(pz);
        for (size_t i = 0; i < N; i++) {
            if (!isp[i])
                continue;
            CHECK(fgets(line, sizeof line, f) != NULL);
            char name[32];
            size_t pt;
            long long src;
            int lb, la, used = 0;
            CHECK(sscanf(line, "%31[a-z],%zu,%lld,%d,%d%n", name, &pt, &src, &lb, &la, &used) == 5);
            CHECK(strcmp(name, dv_poison_kind_name(kinds[a])) == 0);
            CHECK_EQ_INT(pt, i);
            CHECK_EQ_INT(src, i);
            CHECK_EQ_INT(la, 0);
            CHECK_EQ_INT(lb, (int)dv_dataset_targets(tr)[i]);
            char *s = line + used;
            for (size_t j = 0; j < D; j++) {
                CHECK(*s == ',');
                CHECK(strtod(s + 1, &s) == X[i * D + j]);
            }
        }
        dv_dataset_free(pz);
    }
    CHECK(f && !fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    remove(path);
    dv_dataset_free(tr);
}

static void test_bad_input(void)
{
    dv_dataset *tr = make(N, 2, 7), *pz = NULL, *pr = NULL;
    unsigned char isp[N];
    dv_error err = {0};
    dv_poison_params p;
#define BAD(setup, what)                                                         \
    do {                                                                         \
        dv_poison_params_default(&p);                                            \
        setup;                                                                   \
        CHECK(dv_poison_inject(tr, &p, &pz, isp, &err) == DV_EINVAL);            \
        CHECK(pz == NULL);                                                       \
        CHECK_MSG(strstr(err.msg, what) != NULL, "%s", err.msg);                 \
    } while (0)
    BAD(p.fraction = 0, "not in (0, 1)");
    BAD(p.fraction = 1, "not in (0, 1)");
    BAD(p.fraction = NAN, "not in (0, 1)");
    BAD(p.fraction = 0.001, "poisons none");
    BAD(p.target = 2, "target class 2");
    BAD(p.source = 0, "source class 0");
    BAD(p.source = 5, "source class 5");
    size_t f2[2] = {1, 1}, f9[1] = {9};
    BAD((p.kind = DV_POISON_BACKDOOR, p.features = f2, p.n_features = 2), "given twice");
    BAD((p.kind = DV_POISON_BACKDOOR, p.features = f9, p.n_features = 1), "trigger column 9");
    BAD((p.kind = DV_POISON_BACKDOOR, p.features = f9, p.n_features = 0), "no columns");
    BAD((p.kind = DV_POISON_BACKDOOR, p.trigger_z = INFINITY), "not finite");
    BAD((p.kind = DV_POISON_WATERMARK, p.watermark_amp = 0), "not positive");
    /* more rows to poison than the eligible ones: class 0 is about half */
    BAD(p.fraction = 0.9, "can carry");
    /* regression data */
    double X[4] = {0, 1, 2, 3}, y[4] = {0, 1, 2, 3};
    dv_dataset *reg = NULL;
    CHECK(dv_dataset_from_arrays(&reg, 4, 1, X, y, DV_TASK_REGRESSION, 0, NULL, &err) == DV_OK);
    dv_poison_params_default(&p);
    CHECK(dv_poison_inject(reg, &p, &pz, isp, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "classification") != NULL);
    /* a test split without the rows the attack aims at */
    double Xc[2 * D] = {0}, yc[2] = {0, 0};
    dv_dataset *te = NULL;
    CHECK(dv_dataset_from_arrays(&te, 2, D, Xc, yc, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    CHECK(dv_poison_probes(tr, te, &p, &pr, &err) == DV_EINVAL);
    CHECK(pr == NULL && strstr(err.msg, "no rows") != NULL);
    dv_poison_kind k;
    CHECK(dv_poison_kind_from_name("backdoor", &k) == DV_OK && k == DV_POISON_BACKDOOR);
    CHECK(dv_poison_kind_from_name("trojan", &k) == DV_EINVAL);
    dv_dataset_free(te);
    dv_dataset_free(reg);
    dv_dataset_free(tr);
}

int main(void)
{
    RUN(test_inject);
    RUN(test_probes);
    RUN(test_score);
    RUN(test_write);
    RUN(test_bad_input);
    return CHECK_DONE();
}
