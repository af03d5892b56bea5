/*
 * test_rundir.c -- reading a finished run (dv_run_open) and the files made
 * from it: the arrays and settings against what the run was made with,
 * the laws against dv_law_fit_many on the same arrays, scaling.csv read
 * back bit for bit, values.csv against sums recomputed here, and errors
 * that name the file and line.
 */
#define _GNU_SOURCE
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], run[128], csv[128];
static dv_dataset *tr, *va;
static const int64_t PTS[] = {3, 0, 7, 11, 5};
#define NP 5
#define M 7

static void make_run(void)
{
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    sp.n_rows = 260;
    sp.n_features = 3;
    sp.noise = 1.0;
    sp.seed = 5;
    dv_dataset *all;
    dv_error err = {0};
    if (dv_synth(&all, &sp, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    snprintf(csv, sizeof csv, "%s/data.csv", dir);
    CHECK(dv_dataset_write_csv(all, csv, &err) == DV_OK);
    dv_dataset_free(all);
    dv_load_options lo;
    dv_load_options_default(&lo);
    lo.path = csv;
    lo.split.n_val = 60;
    lo.split.n_test = 0;
    lo.split.seed = 8;
    lo.command = "test";
    dv_dataset *te;
    char *manifest = NULL;
    CHECK(dv_data_load(&lo, &tr, &va, &te, &manifest, &err) == DV_OK);
    dv_dataset_free(te);
    dv_sample_params p;
    dv_sample_params_default(&p);
    p.n_samples = M;
    p.min_card = 10;
    p.max_card = 80;
    p.seed = 3;
    p.batch = 2;
    snprintf(run, sizeof run, "%s/run", dir);
    CHECK(dv_run_create(run, tr, va, PTS, NP, &p, manifest, &err) == DV_OK);
    dv_free(manifest);
    /* An unfinished run is refused. */
    dv_run *r = NULL;
    CHECK(dv_run_open(&r, run, &err) == DV_ESTATE && r == NULL);
    CHECK_MSG(strstr(err.msg, "not complete") != NULL, "%s", err.msg);
    CHECK(dv_run_execute(run, tr, va, PTS, NP, &p, &err) == DV_OK);
}

static void *load(const char *name, dv_dtype t)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", run, name);
    void *data = NULL;
    size_t rows, cols;
    dv_error err = {0};
    CHECK(dv_npy_read(path, t, &data, &rows, &cols, &err) == DV_OK);
    return data;
}

static void test_open(void)
{
    dv_run *r;
    dv_error err = {0};
    CHECK(dv_run_open(&r, run, &err) == DV_OK);
    const dv_run_info *I = dv_run_get_info(r);
    CHECK_EQ_INT(I->n_points, NP);
    CHECK_EQ_INT(I->n_samples, M);
    CHECK_EQ_INT(I->samples, M);
    CHECK_EQ_INT(I->min_card, 10);
    CHECK_EQ_INT(I->max_card, 80);
    CHECK_EQ_INT(I->seed, 3);
    CHECK_EQ_INT(I->batch, 2);
    CHECK_EQ_INT(I->n_train, dv_dataset_rows(tr));
    CHECK_EQ_INT(I->n_val, 60);
    CHECK_EQ_INT(I->n_features, 3);
    CHECK(I->mode == DV_CARD_UNIFORM && I->n_cards == 0);
    CHECK(strcmp(I->command, "test") == 0 && strcmp(I->learner, "logreg") == 0);
    CHECK(strcmp(I->metric, "neg_logloss") == 0 && strcmp(I->task, "classification") == 0);
    CHECK(strcmp(I->version, dv_version_string()) == 0);
    CHECK(I->has_split_seed && I->split_seed == 8 && I->n_test == 0 && I->standardized);
    CHECK(I->n_classes == 2 && strcmp(I->label, "label") == 0);
    for (size_t i = 0; i < NP; i++)
        CHECK_EQ_INT(dv_run_source_row(r, i), dv_dataset_source_rows(tr)[PTS[i]]);
    double *D = load("deltas.npy", DV_F64);
    int32_t *K = load("cards.npy", DV_I32);
    CHECK(memcmp(D, dv_run_deltas(r), NP * M * sizeof *D) == 0);
    CHECK(memcmp(K, dv_run_cards(r), NP * M * sizeof *K) == 0);
    CHECK(memcmp(PTS, dv_run_points(r), sizeof PTS) == 0);
    const double *y = dv_dataset_targets(tr);
    for (size_t i = 0; i < NP; i++)
        CHECK(strcmp(dv_run_label(r, i), dv_dataset_class_name(tr, (size_t)y[PTS[i]])) == 0);
    CHECK(strcmp(dv_run_label(r, NP), "") == 0);
    dv_free(D);
    dv_free(K);
    dv_run_free(r);
    dv_run_free(NULL);
}

static int same_law(const dv_law *a, const dv_law *b)
{
    const double x[] = {a->c, a->alpha, a->sigma, a->beta, a->nll, a->log_r2, a->log_c, a->log_alpha};
    const double z[] = {b->c, b->alpha, b->sigma, b->beta, b->nll, b->log_r2, b->log_c, b->log_alpha};
    return memcmp(x, z, sizeof x) == 0 && a->status == b->status && a->n_samples == b->n_samples;
}

/* Laws: the same bits as dv_law_fit_many; scaling.csv reads back exactly;
 * values.csv holds what the definitions give. */
static void test_laws_and_values(void)
{
    dv_run *r;
    dv_error err = {0};
    CHECK(dv_run_open(&r, run, &err) == DV_OK);
    dv_law fit[NP], want[NP], back[NP];
    CHECK(dv_law_fit_many(dv_run_deltas(r), dv_run_cards(r), NP, M, want, 1) == DV_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/scaling.csv", run);
    unlink(path);
    CHECK(dv_run_laws(r, 2, fit, &err) == DV_OK); /* fits and writes scaling.csv */
    CHECK(access(path, F_OK) == 0);
    CHECK(dv_run_laws(r, 2, back, &err) == DV_OK); /* reads it */
    for (size_t i = 0; i < NP; i++) {
        CHECK(same_law(&fit[i], &want[i]));
        CHECK(same_law(&back[i], &want[i]));
    }
    int64_t at[2] = {10, 40};
    snprintf(path, sizeof path, "%s/v.csv", dir);
    CHECK(dv_run_write_values(r, fit, at, 2, path, &err) == DV_OK);
    FILE *f = fopen(path, "r");
    char line[4096];
    CHECK(f && fgets(line, sizeof line, f));
    CHECK(strcmp(line, "point,label,psi_10,psi_40,law_value,law_stderr,mc_mean,mc_stderr,n_samples,status\n") == 0);
    const double *D = dv_run_deltas(r);
    for (size_t i = 0; i < NP && f && fgets(line, sizeof line, f); i++) {
        long long pt;
        char lab[64], st[32];
        double p10, p40, lv, lse, mc, se;
        size_t ns;
        CHECK(sscanf(line, "%lld,%63[^,],%lf,%lf,%lf,%lf,%lf,%lf,%zu,%31s", &pt, lab, &p10, &p40,
                     &lv, &lse, &mc, &se, &ns, st) == 10);
        double want_se = dv_law_value_stderr(D + i * M, dv_run_cards(r) + i * M, M, &fit[i], 10, 80);
        CHECK(lse == (isfinite(want_se) ? want_se : 0.0));
        CHECK_EQ_INT(pt, PTS[i]);
        CHECK_NEAR(p10, fit[i].c * pow(10, -fit[i].alpha), 1e-15 * (1 + fabs(p10)));
        CHECK_NEAR(p40, fit[i].c * pow(40, -fit[i].alpha), 1e-15 * (1 + fabs(p40)));
        double s = 0, l = 0, s2 = 0;
        for (int k = 10; k <= 80; k++)
            l += fit[i].c * pow(k, -fit[i].alpha);
        for (size_t j = 0; j < M; j++)
            s += D[i * M + j];
        for (size_t j = 0; j < M; j++)
            s2 += (D[i * M + j] - s / M) * (D[i * M + j] - s / M);
        CHECK_NEAR(lv, l / 71, 1e-12 * (1 + fabs(lv)));
        CHECK_NEAR(mc, s / M, 1e-15);
        CHECK_NEAR(se, sqrt(s2 / (M - 1) / M), 1e-15);
        CHECK_EQ_INT(ns, M);
        CHECK(strcmp(st, dv_law_status_name(fit[i].status)) == 0);
    }
    if (f)
        fclose(f);
    dv_run_free(r);
}

/* scaling.csv on its own: labels that need quotes, and bad files named by
 * line. */
static void test_scaling_file(void)
{
    dv_law laws[3], back[3];
    memset(laws, 0, sizeof laws);
    for (int i = 0; i < 3; i++) {
        laws[i].c = 0.1 * (i + 1) / 3.0;
        laws[i].alpha = 1.0 / 7 + i;
        laws[i].sigma = 1e-300;
        laws[i].beta = 2.5;
        laws[i].nll = -3.25;
        laws[i].log_r2 = NAN;
        laws[i].n_samples = (size_t)(10 + i);
        laws[i].status = i == 2 ? DV_LAW_BOUND : DV_LAW_OK;
        laws[i].log_c = -1e-17;
        laws[i].log_alpha = INFINITY;
    }
    const char *labels[3] = {"a,b", "say \"hi\"", "plain"};
    const int64_t pts[3] = {4, 9, 2};
    char path[256];
    snprintf(path, sizeof path, "%s/s.csv", dir);
    dv_error err = {0};
    CHECK(dv_scaling_write(path, 3, pts, labels, laws, &err) == DV_OK);
    CHECK(dv_scaling_read(path, 3, pts, back, &err) == DV_OK);
    for (int i = 0; i < 3; i++) {
        CHECK(back[i].c == laws[i].c && back[i].alpha == laws[i].alpha);
        CHECK(back[i].sigma == laws[i].sigma && isnan(back[i].log_r2));
        CHECK(back[i].status == laws[i].status && back[i].n_samples == laws[i].n_samples);
        CHECK(back[i].log_alpha == INFINITY && back[i].log_c == laws[i].log_c);
    }
    const int64_t other[3] = {4, 8, 2};
    CHECK(dv_scaling_read(path, 3, other, back, &err) == DV_ESTATE);
    CHECK_MSG(strstr(err.msg, "s.csv:3: point 9 where the run has 8"), "%s", err.msg);
    CHECK(dv_scaling_read(path, 2, pts, back, &err) == DV_EFORMAT);
    CHECK(dv_scaling_read(path, 4, NULL, back, &err) != DV_OK);
    FILE *f = fopen(path, "a");
    fputs("3,x,1,2,3\n", f);
    fclose(f);
    const int64_t four[4] = {4, 9, 2, 3};
    CHECK(dv_scaling_read(path, 4, four, back, &err) == DV_EFORMAT);
    CHECK_MSG(strstr(err.msg, "s.csv:5: expected 12 fields"), "%s", err.msg);
    snprintf(path, sizeof path, "%s/nosuch.csv", dir);
    CHECK(dv_scaling_read(path, 1, NULL, back, &err) == DV_EIO);
    CHECK(strstr(err.msg, "nosuch.csv: cannot read") != NULL);
    /* An unwritable path leaves nothing behind and says so. */
    snprintf(path, sizeof path, "%s/no/such/dir/s.csv", dir);
    CHECK(dv_scaling_write(path, 3, pts, labels, laws, &err) == DV_EIO);
}

/* The run's data loaded as the run did equals the training split it was
 * made on; another split is refused, naming the point. */
static void test_load_data(void)
{
    dv_run *r;
    dv_error err = {0};
    CHECK(dv_run_open(&r, run, &err) == DV_OK);
    dv_dataset *t2, *v2, *e2;
    CHECK(dv_run_load_data(r, NULL, &t2, &v2, &e2, &err) == DV_OK);
    size_t n = dv_dataset_rows(tr), d = dv_dataset_cols(tr);
    CHECK_EQ_INT(dv_dataset_rows(t2), n);
    CHECK(memcmp(dv_dataset_features(t2), dv_dataset_features(tr), n * d * sizeof(double)) == 0);
    CHECK(memcmp(dv_dataset_features(v2), dv_dataset_features(va), 60 * d * sizeof(double)) == 0);
    dv_dataset_free(t2);
    dv_dataset_free(v2);
    dv_dataset_free(e2);
    /* Another seed: as many rows, other rows under the points. */
    dv_load_options lo;
    dv_load_options_default(&lo);
    lo.path = csv;
    lo.split.n_val = 60;
    lo.split.n_test = 0;
    lo.split.seed = 9;
    CHECK(dv_data_load(&lo, &t2, &v2, &e2, NULL, &err) == DV_OK);
    CHECK(dv_run_check_split(r, t2, &err) == DV_ESTATE);
    CHECK_MSG(strstr(err.msg, "data row") != NULL, "%s", err.msg);
    dv_dataset_free(t2);
    dv_dataset_free(v2);
    dv_dataset_free(e2);
    dv_run_free(r);
}

/* The first m samples of every point, gathered here (uniform run: the
 * leading columns). */
static void first_m(const dv_run *r, size_t m, double *d, int32_t *k)
{
    for (size_t i = 0; i < NP; i++)
        for (size_t t = 0; t < m; t++) {
            d[i * m + t] = dv_run_deltas(r)[i * M + t];
            k[i * m + t] = dv_run_cards(r)[i * M + t];
        }
}

/* dv_run_estimators against a recomputation from the arrays: the mc_mean
 * and law rows against dv_estimator_convergence, the law_eb and amortized
 * rows against dv_law_fit_eb and dv_law_fit_amortized on the first m
 * samples gathered here, each scored with dv_agreement_eval; budgets and
 * the truth run are checked. */
static void test_estimators(void)
{
    dv_run *r;
    dv_error err = {0};
    CHECK(dv_run_open(&r, run, &err) == DV_OK);
    size_t b[32];
    size_t nb = dv_run_estimator_budgets(r, NULL, b);
    CHECK_EQ_INT(nb, 1); /* 7 samples: the truth takes all, budgets up to 6 -> {5} */
    CHECK_EQ_INT(b[0], 5);
    size_t budgets[3] = {2, 4, 6};
    dv_agreement out[3 * DV_EST_COUNT], mc2[3], law2[3];
    dv_estimators_options o;
    dv_estimators_options_default(&o);
    o.estimators = (1u << DV_EST_COUNT) - 1;
    o.train = tr;
    o.amortized.epochs = 3;
    o.amortized.hidden[0] = o.amortized.hidden[1] = 8;
    o.n_threads = 2;
    CHECK(dv_run_estimators(r, budgets, 3, &o, out, NULL, NULL, NULL, &err) == DV_OK);
    const double *D = dv_run_deltas(r);
    double truth[NP];
    for (size_t i = 0; i < NP; i++) {
        double sum = 0;
        for (size_t j = 0; j < M; j++)
            sum += D[i * M + j];
        truth[i] = sum / M;
    }
    CHECK(dv_estimator_convergence(D, dv_run_cards(r), NP, M, 0, truth, budgets, 3, 10, 80, 1,
                                   mc2, law2, &err) == DV_OK);
    double X[NP * 3], d[NP * M], v[NP];
    int32_t k[NP * M], head[NP];
    for (size_t i = 0; i < NP; i++) {
        memcpy(X + i * 3, dv_dataset_features(tr) + PTS[i] * 3, 3 * sizeof(double));
        head[i] = (int32_t)dv_dataset_targets(tr)[PTS[i]];
    }
    for (size_t q = 0; q < 3; q++) {
        const dv_agreement *row = out + q * DV_EST_COUNT;
        CHECK(memcmp(&row[DV_EST_MC_MEAN], &mc2[q], sizeof mc2[q]) == 0);
        CHECK(memcmp(&row[DV_EST_LAW], &law2[q], sizeof law2[q]) == 0);
        size_t m = budgets[q];
        first_m(r, m, d, k);
        dv_law L[NP];
        dv_agreement a;
        dv_amortized_params ap = o.amortized;
        ap.pretrain = tr;
        CHECK(dv_law_fit_eb(d, k, NP, m, head, 2, NULL, 0, 0, 10, 80, 1, L, &err) == DV_OK);
        for (size_t i = 0; i < NP; i++)
            v[i] = dv_law_mean_value(L[i].c, L[i].alpha, 10, 80);
        CHECK(dv_agreement_eval(truth, v, NP, &a, &err) == DV_OK);
        CHECK_MSG(memcmp(&row[DV_EST_LAW_EB], &a, sizeof a) == 0, "law_eb at %zu samples", m);
        CHECK(dv_law_fit_amortized(X, NP, 3, head, 2, d, k, m, &ap, L, &err) == DV_OK);
        for (size_t i = 0; i < NP; i++)
            v[i] = dv_law_mean_value(L[i].c, L[i].alpha, 10, 80);
        CHECK(dv_agreement_eval(truth, v, NP, &a, &err) == DV_OK);
        CHECK_MSG(memcmp(&row[DV_EST_AMORTIZED], &a, sizeof a) == 0, "amortized at %zu", m);
    }
    /* Without the training split law_eb takes its classes from the labels. */
    dv_agreement out2[3 * DV_EST_COUNT];
    o.estimators = 1u << DV_EST_LAW_EB;
    o.train = NULL;
    CHECK(dv_run_estimators(r, budgets, 3, &o, out2, NULL, NULL, NULL, &err) == DV_OK);
    for (size_t q = 0; q < 3; q++)
        CHECK(memcmp(&out2[q * DV_EST_COUNT + DV_EST_LAW_EB], &out[q * DV_EST_COUNT + DV_EST_LAW_EB],
                     sizeof out[0]) == 0 &&
              isnan(out2[q * DV_EST_COUNT + DV_EST_MC_MEAN].r2));
    o.estimators = 1u << DV_EST_AMORTIZED;
    CHECK(dv_run_estimators(r, budgets, 3, &o, out2, NULL, NULL, NULL, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "training split") != NULL, "%s", err.msg);
    o.estimators = 1u << DV_EST_MC_MEAN | 1u << DV_EST_LAW;
    size_t too_many[1] = {7};
    CHECK(dv_run_estimators(r, too_many, 1, &o, out2, NULL, NULL, NULL, &err) == DV_EINVAL);
    o.truth = r; /* own truth run: every sample may be used */
    CHECK(dv_run_estimators(r, too_many, 1, &o, out2, NULL, NULL, NULL, &err) == DV_OK);
    /* The accuracy by size: a grid run over the same points; the law rows
     * recomputed from laws fitted here and the grid's means at each size. */
    char gdir[256];
    snprintf(gdir, sizeof gdir, "%s/grid", dir);
    dv_sample_params gp;
    dv_sample_params_default(&gp);
    static const int64_t gcards[3] = {15, 40, 70};
    gp.mode = DV_CARD_GRID;
    gp.cards = gcards;
    gp.n_cards = 3;
    gp.n_samples = 4;
    gp.seed = 9;
    CHECK(dv_run_create(gdir, tr, va, PTS, NP, &gp, NULL, &err) == DV_OK &&
          dv_run_execute(gdir, tr, va, PTS, NP, &gp, &err) == DV_OK);
    dv_run *g = NULL;
    CHECK(dv_run_open(&g, gdir, &err) == DV_OK);
    dv_agreement by[3 * DV_EST_COUNT * 3], want;
    o.truth = NULL;
    o.grid = g;
    o.estimators = 1u << DV_EST_MC_MEAN | 1u << DV_EST_LAW;
    CHECK(dv_run_estimators(r, budgets, 3, &o, out2, by, NULL, NULL, &err) == DV_OK);
    for (size_t q = 0; q < 3; q++) {
        size_t m = budgets[q];
        dv_law L[NP];
        first_m(r, m, d, k);
        CHECK(dv_law_fit_many(d, k, NP, m, L, 1) == DV_OK);
        for (size_t c = 0; c < 3; c++) {
            double at_k[NP], psi[NP];
            for (size_t i = 0; i < NP; i++) {
                double s = 0;
                for (size_t j = 0; j < 4; j++)
                    s += dv_run_deltas(g)[i * 12 + c * 4 + j];
                at_k[i] = s / 4;
                psi[i] = L[i].c * pow((double)gcards[c], -L[i].alpha);
            }
            CHECK(dv_agreement_eval(at_k, psi, NP, &want, &err) == DV_OK);
            CHECK_MSG(memcmp(&by[(q * DV_EST_COUNT + DV_EST_LAW) * 3 + c], &want, sizeof want) == 0,
                      "law psi at k = %lld, %zu samples", (long long)gcards[c], m);
            CHECK(isnan(by[(q * DV_EST_COUNT + DV_EST_LAW_EB) * 3 + c].r2));
        }
    }
    o.grid = r; /* not a grid run */
    CHECK(dv_run_estimators(r, budgets, 3, &o, out2, by, NULL, NULL, &err) == DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "grid-mode") != NULL, "%s", err.msg);
    dv_run_free(g);
    char path[256];
    snprintf(path, sizeof path, "%s/est.csv", dir);
    CHECK(dv_estimators_write(path, budgets, 3, 1u << DV_EST_MC_MEAN | 1u << DV_EST_LAW, out, NP,
                              &err) == DV_OK);
    FILE *f = fopen(path, "r");
    char line[512];
    int rows = 0;
    while (f && fgets(line, sizeof line, f))
        rows++;
    if (f)
        fclose(f);
    CHECK_EQ_INT(rows, 7);
    dv_run_free(r);
}

static void test_open_errors(void)
{
    dv_run *r = (dv_run *)1;
    dv_error err = {0};
    char path[256];
    snprintf(path, sizeof path, "%s/nothing", dir);
    CHECK(dv_run_open(&r, path, &err) == DV_EIO && r == NULL);
    CHECK_MSG(strstr(err.msg, "run.json: cannot read") != NULL, "%s", err.msg);
    /* A manifest without the arrays names the missing file. */
    snprintf(path, sizeof path, "%s/half", dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/run.json %s/", path, run, path);
    CHECK(system(cmd) == 0);
    CHECK(dv_run_open(&r, path, &err) != DV_OK && r == NULL);
    CHECK_MSG(strstr(err.msg, "deltas.npy") != NULL, "%s", err.msg);
    snprintf(cmd, sizeof cmd, "%s/half/run.json", dir);
    FILE *f = fopen(cmd, "w");
    fputs("{\"mode\": \"uniform\", \"samples\": 3", f);
    fclose(f);
    CHECK(dv_run_open(&r, path, &err) == DV_EFORMAT);
    CHECK_MSG(strstr(err.msg, "not valid JSON") != NULL, "%s", err.msg);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/dval_test_rundir.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    make_run();
    RUN(test_open);
    RUN(test_laws_and_values);
    RUN(test_scaling_file);
    RUN(test_load_data);
    RUN(test_estimators);
    RUN(test_open_errors);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return CHECK_DONE();
}
