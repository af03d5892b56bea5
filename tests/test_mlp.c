/*
 * test_mlp.c -- the multilayer perceptron learner: its gradient against
 * central finite differences (every layer, each loss), training that lowers
 * the loss and separates a separable set, a regression fit, the same bits
 * for the same seed on any number of threads, and its settings checked.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"
#include "learn/net.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* n rows of d standard normal features; labels from a rule of the kind
 * asked (0: two classes, 3: three classes, -1: regression). */
static dv_dataset *make_data(size_t n, size_t d, int kind, double gap, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 1);
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = dv_rng_normal(&r);
            s += X[i * d + j] * (j % 2 ? -0.7 : 1.0);
        }
        if (kind == -1)
            y[i] = s + X[i * d] * X[i * d] + 0.05 * dv_rng_normal(&r);
        else if (kind == 3)
            y[i] = s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
        else {
            y[i] = s > 0;
            for (size_t j = 0; j < d; j++) /* push the classes apart */
                X[i * d + j] += (y[i] ? gap : -gap) * (j % 2 ? -0.7 : 1.0);
        }
    }
    dv_dataset *ds;
    dv_error err = {0};
    if (dv_dataset_from_arrays(&ds, n, d, X, y,
                               kind == -1 ? DV_TASK_REGRESSION : DV_TASK_CLASSIFICATION,
                               kind == -1 ? 0 : kind == 3 ? 3 : 2, NULL, &err)) {
        fprintf(stderr, "make_data: %s\n", err.msg);
        exit(1);
    }
    free(X);
    free(y);
    return ds;
}

static void small_net(dv_learner_params *p)
{
    dv_learner_params_default(p, DV_LEARNER_MLP);
    p->n_hidden = 2;
    p->hidden[0] = 5;
    p->hidden[1] = 4;
    p->epochs = 1;
    p->batch_size = 16;
    p->alpha = 0.3;
    p->seed = 4;
}

/* The analytic gradient of the mean loss against central differences, at
 * the seeded start of a small network with two hidden layers. */
static void gradient_check(int kind)
{
    dv_dataset *ds = make_data(12, 3, kind, 0.0, 7);
    dv_learner_params p;
    small_net(&p);
    dv_model *m = NULL;
    dv_error err = {0};
    CHECK(dv_model_fit(&m, &p, ds, NULL, 0, NULL, &err) == DV_OK);
    if (!m)
        return;
    size_t np = m->n_params, n = dv_dataset_rows(ds);
    CHECK_EQ_INT(np, 5 * 3 + 5 + 4 * 5 + 4 + (kind == 3 ? 3 : 1) * 4 + (kind == 3 ? 3 : 1));
    double *th = malloc(np * sizeof *th), *g = malloc(np * sizeof *g);
    memcpy(th, m->theta, np * sizeof *th);
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    dv__mlp_loss_grad(m, th, X, y, n, p.alpha, g);
    double worst = 0;
    for (size_t q = 0; q < np; q++) {
        double h = 1e-6, keep = th[q];
        th[q] = keep + h;
        double fp = dv__mlp_loss_grad(m, th, X, y, n, p.alpha, NULL);
        th[q] = keep - h;
        double fm = dv__mlp_loss_grad(m, th, X, y, n, p.alpha, NULL);
        th[q] = keep;
        double fd = (fp - fm) / (2 * h), e = fabs(fd - g[q]) / (1e-4 + fabs(fd) + fabs(g[q]));
        worst = e > worst ? e : worst;
    }
    CHECK_MSG(worst < 1e-5, "kind %d: relative gradient error %.3g", kind, worst);
    free(th);
    free(g);
    dv_model_free(m);
    dv_dataset_free(ds);
}

static void test_gradient_binary(void) { gradient_check(0); }
static void test_gradient_softmax(void) { gradient_check(3); }
static void test_gradient_regression(void) { gradient_check(-1); }

static double accuracy(const dv_model *m, const dv_dataset *ds)
{
    double a = NAN;
    CHECK(dv_model_score(m, ds, DV_METRIC_ACCURACY, &a) == DV_OK);
    return a;
}

/* More epochs lower the training loss, and two well separated classes are
 * told apart without error; three classes are learnt too. */
static void test_training(void)
{
    dv_dataset *ds = make_data(400, 2, 0, 1.5, 3);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_MLP);
    p.batch_size = 32;
    double loss[2];
    int epochs[2] = {1, 40};
    dv_model *m = NULL;
    dv_error err = {0};
    for (int k = 0; k < 2; k++) {
        p.epochs = epochs[k];
        CHECK(dv_model_fit(&m, &p, ds, NULL, 0, NULL, &err) == DV_OK);
        double s = NAN;
        CHECK(dv_model_score(m, ds, DV_METRIC_NEG_LOGLOSS, &s) == DV_OK);
        loss[k] = -s;
        if (k == 1)
            CHECK_MSG(accuracy(m, ds) == 1.0, "accuracy %.4f on separable data", accuracy(m, ds));
        CHECK_EQ_INT(dv_model_iterations(m), epochs[k]);
        dv_model_free(m);
    }
    CHECK_MSG(loss[1] < 0.5 * loss[0], "log-loss %.4f after 40 epochs, %.4f after 1", loss[1],
              loss[0]);
    dv_dataset_free(ds);
    dv_dataset *d3 = make_data(600, 3, 3, 0.0, 5);
    p.epochs = 60;
    CHECK(dv_model_fit(&m, &p, d3, NULL, 0, NULL, &err) == DV_OK);
    CHECK_MSG(accuracy(m, d3) > 0.9, "three classes: accuracy %.3f", accuracy(m, d3));
    double prob[3];
    CHECK(dv_model_predict(m, dv_dataset_features(d3), 1, 3, prob) == DV_OK);
    CHECK(fabs(prob[0] + prob[1] + prob[2] - 1) < 1e-12);
    dv_model_free(m);
    dv_dataset_free(d3);
}

/* A smooth nonlinear target is fitted far better than by its mean. */
static void test_regression(void)
{
    dv_dataset *ds = make_data(800, 2, -1, 0.0, 9);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_MLP);
    p.batch_size = 32;
    p.epochs = 80;
    p.lr = 3e-3;
    dv_model *m = NULL;
    dv_error err = {0};
    CHECK(dv_model_fit(&m, &p, ds, NULL, 0, NULL, &err) == DV_OK);
    double r2 = NAN;
    CHECK(dv_model_score(m, ds, DV_METRIC_R2, &r2) == DV_OK);
    CHECK_MSG(r2 > 0.95, "R^2 %.4f", r2);
    dv_model_free(m);
    dv_dataset_free(ds);
}

/* The same seed gives the same bits on 1 and 2 threads, with and without
 * early stopping; another seed gives other weights; subsets of one class
 * or none give the constant models. */
static void test_determinism(void)
{
    dv_dataset *ds = make_data(300, 4, 0, 0.3, 11);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_MLP);
    p.batch_size = 50;
    p.epochs = 8;
    for (int es = 0; es < 2; es++) {
        p.val_fraction = es ? 0.25 : 0.0;
        p.patience = 2;
        dv_model *a = NULL, *b = NULL, *c = NULL;
        dv_error err = {0};
        int nt = omp_get_max_threads();
        omp_set_num_threads(1);
        CHECK(dv_model_fit(&a, &p, ds, NULL, 0, NULL, &err) == DV_OK);
        omp_set_num_threads(2);
        CHECK(dv_model_fit(&b, &p, ds, NULL, 0, NULL, &err) == DV_OK);
        omp_set_num_threads(nt);
        p.seed = 1;
        CHECK(dv_model_fit(&c, &p, ds, NULL, 0, NULL, &err) == DV_OK);
        p.seed = 0;
        CHECK(a && b && a->n_params == b->n_params &&
              memcmp(a->theta, b->theta, a->n_params * sizeof(double)) == 0);
        CHECK(c && memcmp(a->theta, c->theta, a->n_params * sizeof(double)) != 0);
        CHECK(dv_model_iterations(a) >= 1 && dv_model_iterations(a) <= p.epochs);
        dv_model_free(a);
        dv_model_free(b);
        dv_model_free(c);
    }
    int64_t one[3] = {0, 0, 0};
    size_t k = 0;
    for (size_t i = 0; i < 300 && k < 3; i++)
        if (dv_dataset_targets(ds)[i] == 1)
            one[k++] = (int64_t)i;
    dv_model *m = NULL;
    dv_error err = {0};
    double pr[2];
    CHECK(dv_model_fit(&m, &p, ds, one, 3, NULL, &err) == DV_OK);
    CHECK(dv_model_predict(m, dv_dataset_features(ds), 1, 4, pr) == DV_OK && pr[1] == 1.0);
    dv_model_free(m);
    CHECK(dv_model_fit(&m, &p, ds, one, 0, NULL, &err) == DV_OK);
    CHECK(dv_model_predict(m, dv_dataset_features(ds), 1, 4, pr) == DV_OK && pr[0] == 0.5);
    dv_model_free(m);
    dv_dataset_free(ds);
}

static void test_settings(void)
{
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_MLP);
    CHECK(dv_learner_params_check(&p) == NULL);
    CHECK(p.n_hidden == 3 && p.hidden[0] == 32 && p.hidden[2] == 32 && p.epochs == 25 &&
          p.batch_size == 1280);
    dv_learner_kind k;
    CHECK(dv_learner_from_name("mlp", &k) == DV_OK && k == DV_LEARNER_MLP);
    CHECK(strcmp(dv_learner_name(DV_LEARNER_MLP), "mlp") == 0);
    dv_learner_params q = p;
    q.n_hidden = 9;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "hidden"));
    q = p;
    q.hidden[1] = 0;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "hidden"));
    q = p;
    q.lr = 0;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "lr"));
    q = p;
    q.val_fraction = 1;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "val_fraction"));
    q = p;
    q.epochs = 0;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "epochs"));
    q = p;
    q.batch_size = 0;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "batch"));
}

/* scikit-learn's stopping rule on the training loss: with a tolerance no
 * loss can beat, the count starts after the first epoch and training stops
 * when it exceeds n_iter_no_change (n + 2 epochs); the stopped model is the
 * model of that many epochs without the rule (the rule never changes a
 * step); a moderate tolerance stops an easy fit early, still fitted. */
static void test_loss_rule(void)
{
    dv_dataset *ds = make_data(400, 3, 0, 1.0, 5);
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_MLP);
    p.batch_size = 40;
    p.epochs = 60;
    p.loss_tol = 1e9;
    p.n_iter_no_change = 4;
    dv_model *a = NULL, *b = NULL;
    dv_error err = {0};
    CHECK(dv_model_fit(&a, &p, ds, NULL, 0, NULL, &err) == DV_OK);
    CHECK_EQ_INT(dv_model_iterations(a), 6);
    dv_learner_params q = p;
    q.loss_tol = 0;
    q.epochs = 6;
    CHECK(dv_model_fit(&b, &q, ds, NULL, 0, NULL, &err) == DV_OK);
    CHECK(memcmp(a->theta, b->theta, a->n_params * sizeof(double)) == 0);
    dv_model_free(a);
    dv_model_free(b);
    p.loss_tol = 1e-3;
    p.epochs = 400;
    CHECK(dv_model_fit(&a, &p, ds, NULL, 0, NULL, &err) == DV_OK);
    int e = dv_model_iterations(a);
    double acc = 0;
    dv_model_score(a, ds, DV_METRIC_ACCURACY, &acc);
    CHECK_MSG(e > 6 && e < 400 && acc > 0.95, "stopped after %d epochs, accuracy %.3f", e, acc);
    q.epochs = e;
    CHECK(dv_model_fit(&b, &q, ds, NULL, 0, NULL, &err) == DV_OK);
    CHECK(memcmp(a->theta, b->theta, a->n_params * sizeof(double)) == 0);
    dv_model_free(a);
    dv_model_free(b);
    dv_dataset_free(ds);
}

/* The presets hold their documented settings. */
static void test_presets(void)
{
    dv_learner_params p, d;
    memset(&p, 0, sizeof p); /* padding too, for memcmp */
    memset(&d, 0, sizeof d);
    dv_learner_params_default(&d, DV_LEARNER_MLP);
    CHECK(dv_learner_params_preset(&p, "reference") == DV_OK);
    CHECK(memcmp(&p, &d, sizeof p) == 0);
    CHECK(dv_learner_params_preset(&p, "sklearn-1000") == DV_OK);
    CHECK(p.kind == DV_LEARNER_MLP && p.n_hidden == 1 && p.hidden[0] == 1000 && p.hidden[1] == 0 &&
          p.epochs == 200 && p.batch_size == 200 && p.lr == 1e-3 && p.alpha == 1e-4 &&
          p.weight_decay == 0 && p.val_fraction == 0 && p.loss_tol == 1e-4 &&
          p.n_iter_no_change == 10 && dv_learner_params_check(&p) == NULL);
    CHECK(dv_learner_params_preset(&p, "big") == DV_EINVAL);
    CHECK(dv_learner_params_preset(&p, NULL) == DV_EINVAL);
    dv_learner_params q = d;
    q.loss_tol = -1;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "loss_tol"));
    q = d;
    q.n_iter_no_change = 0;
    CHECK(dv_learner_params_check(&q) && strstr(dv_learner_params_check(&q), "n_iter_no_change"));
}

/* Dropout: with the masks held fixed (the mask stream re-seeded before
 * each pass), the backward pass is the gradient of the forward one (central
 * differences); about the given share of the hidden units is dropped; a
 * fit with dropout is the same twice and differs from one without. */
static void test_dropout(void)
{
    size_t widths[4] = {3, 7, 6, 2};
    dv__net net;
    CHECK(dv__net_init(&net, widths, 3, 5) == DV_OK);
    double *theta = malloc(net.n_params * sizeof *theta), *g = malloc(net.n_params * sizeof *g);
    dv__net_init_weights(&net, theta, 11);
    double X[15];
    dv_rng r;
    dv_rng_seed(&r, 5, 5);
    for (int i = 0; i < 15; i++)
        X[i] = dv_rng_normal(&r);
    net.drop = 0.4;
    /* loss = sum of outputs times fixed weights */
    double wts[10] = {0.3, -1.2, 0.7, 0.1, -0.4, 0.9, 1.1, -0.6, 0.2, 0.5};
#define DROP_LOSS(out)                                                                            \
    do {                                                                                          \
        dv_rng_seed(&r, 9, 9);                                                                    \
        net.drop_rng = &r;                                                                        \
        dv__net_forward(&net, theta, X, 5);                                                       \
        out = 0;                                                                                  \
        for (int i_ = 0; i_ < 10; i_++)                                                           \
            out += wts[i_] * net.A[3][i_];                                                        \
    } while (0)
    double L0;
    DROP_LOSS(L0); /* the forward pass the backward one follows */
    memcpy(net.D, wts, sizeof wts);
    dv__net_backward(&net, theta, 5, 0.0, 1.0, g);
    size_t zeros = 0;
    for (size_t i = 0; i < 5 * 7; i++)
        zeros += net.A[1][i] == 0.0;
    CHECK_MSG(zeros >= 5, "hardly any unit dropped (%zu of 35 zero)", zeros);
    double worst = 0;
    for (size_t q = 0; q < net.n_params; q++) {
        double keep = theta[q], up, dn, h = 1e-6;
        theta[q] = keep + h;
        DROP_LOSS(up);
        theta[q] = keep - h;
        DROP_LOSS(dn);
        theta[q] = keep;
        worst = fmax(worst, fabs((up - dn) / (2 * h) - g[q]));
    }
    CHECK_MSG(worst < 1e-6, "dropout gradient off by %g", worst);
#undef DROP_LOSS
    (void)L0;
    free(theta);
    free(g);
    dv__net_free(&net);
    /* fits */
    dv_dataset *ds = NULL;
    double Xd[80], yd[40];
    for (int i = 0; i < 40; i++) {
        Xd[2 * i] = dv_rng_normal(&r);
        Xd[2 * i + 1] = dv_rng_normal(&r);
        yd[i] = Xd[2 * i] + 0.3 * Xd[2 * i + 1] > 0;
    }
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, 40, 2, Xd, yd, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_MLP);
    lp.batch_size = 8;
    lp.epochs = 5;
    double c[3][200];
    for (int k = 0; k < 3; k++) {
        lp.dropout = k == 2 ? 0.0 : 0.3;
        dv_model *m = NULL;
        CHECK(dv_model_fit(&m, &lp, ds, NULL, 40, NULL, &err) == DV_OK);
        dv_model_predict(m, Xd, 40, 2, c[k]);
        dv_model_free(m);
    }
    CHECK(memcmp(c[0], c[1], 80 * sizeof(double)) == 0);
    CHECK(memcmp(c[0], c[2], 80 * sizeof(double)) != 0);
    lp.dropout = 1.0;
    CHECK(dv_learner_params_check(&lp) != NULL);
    dv_dataset_free(ds);
}

int main(void)
{
    RUN(test_dropout);
    RUN(test_loss_rule);
    RUN(test_presets);
    RUN(test_gradient_binary);
    RUN(test_gradient_softmax);
    RUN(test_gradient_regression);
    RUN(test_training);
    RUN(test_regression);
    RUN(test_determinism);
    RUN(test_settings);
    return CHECK_DONE();
}
