/*
 * test_dvrl.c -- tests of DVRL (src/methods/dvrl.c): the valuator's
 * REINFORCE loss gradient against central finite differences (inside and
 * outside the band where the mean-probability penalty acts); the values
 * are probabilities, the same bits on every run and thread count; the
 * valuator evaluated at extra rows equals its values at the same training
 * rows; on an easy problem (a linear rule, 20 % of labels flipped) it
 * gives the flipped rows low values; and the argument checks.
 */
#include "check.h"
#include "dval.h"
#include "internal.h"
#include "methods/methods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_gradient(void)
{
    size_t widths[4] = {4, 6, 5, 1};
    dv__net net;
    CHECK(dv__net_init(&net, widths, 3, 8) == DV_OK);
    double *theta = malloc(net.n_params * sizeof *theta), *g = malloc(net.n_params * sizeof *g);
    dv__net_init_weights(&net, theta, 7);
    double F[24], s[6] = {1, 0, 1, 1, 0, 0};
    dv_rng r;
    dv_rng_seed(&r, 3, 3);
    for (int i = 0; i < 24; i++)
        F[i] = dv_rng_normal(&r);
    size_t bias = net.off[3] + widths[2]; /* the output unit's bias */
    for (int regime = 0; regime < 3; regime++) {
        /* mean p inside (0.1, 0.9), above 0.9, below 0.1 */
        theta[bias] = regime == 0 ? 0.0 : regime == 1 ? 6.0 : -6.0;
        double reward = regime == 2 ? -0.3 : 0.7;
        dv__dvrl_loss_grad(&net, theta, F, s, 6, reward, g);
        double worst = 0, scale = 0;
        for (size_t q = 0; q < net.n_params; q++) {
            double keep = theta[q], h = 1e-6;
            theta[q] = keep + h;
            double up = dv__dvrl_loss_grad(&net, theta, F, s, 6, reward, NULL);
            theta[q] = keep - h;
            double dn = dv__dvrl_loss_grad(&net, theta, F, s, 6, reward, NULL);
            theta[q] = keep;
            worst = fmax(worst, fabs((up - dn) / (2 * h) - g[q]));
            scale = fmax(scale, fabs(g[q]));
        }
        CHECK_MSG(scale > 0 && worst <= 1e-6 * fmax(1, scale), "regime %d: gradient off by %g (scale %g)",
                  regime, worst, scale);
    }
    free(theta);
    free(g);
    dv__net_free(&net);
}

/* A linear rule in 5 features, 20 % of the training labels flipped. */
static void easy(dv_dataset **tr, dv_dataset **va, unsigned char **noisy, size_t *n_noisy)
{
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    sp.n_rows = 700;
    sp.n_features = 5;
    sp.seed = 1;
    dv_dataset *all, *te;
    dv_error err = {0};
    CHECK(dv_synth(&all, &sp, &err) == DV_OK);
    dv_split_options so;
    dv_split_options_default(&so);
    so.n_val = 200;
    so.n_test = 100;
    CHECK(dv_dataset_split(all, &so, tr, va, &te, &err) == DV_OK);
    size_t n = dv_dataset_rows(*tr);
    int64_t *fl = malloc(n * sizeof *fl);
    CHECK(dv_flip_labels(*tr, 0.2, 0, fl, n_noisy, &err) == DV_OK);
    *noisy = calloc(n, 1);
    for (size_t k = 0; k < *n_noisy; k++)
        (*noisy)[fl[k]] = 1;
    free(fl);
    dv_dataset_free(all);
    dv_dataset_free(te);
}

static void test_values(void)
{
    dv_dataset *tr, *va;
    unsigned char *noisy;
    size_t nf;
    easy(&tr, &va, &noisy, &nf);
    size_t n = dv_dataset_rows(tr);
    dv_value_params p;
    dv_value_params_default(&p, DV_METHOD_DVRL);
    p.max_samples = 500;
    p.dvrl_batch = 100;
    p.seed = 4;
    double *v1 = malloc(n * sizeof *v1), *v2 = malloc(n * sizeof *v2), ex[5];
    dv_error err = {0};
    p.n_threads = 1;
    CHECK_MSG(dv_value_compute(tr, va, &p, v1, NULL, NULL, &err) == DV_OK, "%s", err.msg);
    p.n_threads = 2;
    CHECK(dv_value_compute(tr, va, &p, v2, NULL, NULL, &err) == DV_OK);
    CHECK(memcmp(v1, v2, n * sizeof *v1) == 0);
    for (size_t i = 0; i < n; i++)
        CHECK(v1[i] > 0 && v1[i] < 1);
    dv_detection d;
    CHECK(dv_detection_eval(v1, noisy, n, &d, &err) == DV_OK);
    CHECK_MSG(d.auroc > 0.85, "flipped labels not found: AUROC %.3f", d.auroc);
    /* the valuator at the first rows, given as extra rows */
    CHECK(dv_dvrl(tr, va, &p, dv_dataset_features(tr), dv_dataset_targets(tr), 5, v2, ex, &err) ==
          DV_OK);
    for (int i = 0; i < 5; i++)
        CHECK_MSG(fabs(ex[i] - v1[i]) <= 1e-12, "extra row %d: %.17g, value %.17g", i, ex[i],
                  v1[i]); /* other batch sizes round the products otherwise */
    /* the other inputs run too, and give other values */
    for (int input = DV_DVRL_XP; input <= DV_DVRL_X; input++) {
        p.dvrl_input = input;
        p.max_samples = 50;
        CHECK(dv_value_compute(tr, va, &p, v2, NULL, NULL, &err) == DV_OK);
        CHECK(memcmp(v1, v2, n * sizeof *v1) != 0);
    }
    p.dvrl_input = 7;
    CHECK(dv_value_compute(tr, va, &p, v2, NULL, NULL, &err) == DV_EINVAL &&
          strstr(err.msg, "variant"));
    p.dvrl_input = DV_DVRL_XYR;
    CHECK(dv_dvrl(tr, va, &p, dv_dataset_features(tr), NULL, 5, v2, ex, &err) == DV_EINVAL &&
          strstr(err.msg, "labels"));
    free(v1);
    free(v2);
    free(noisy);
    dv_dataset_free(tr);
    dv_dataset_free(va);
}

int main(void)
{
    RUN(test_gradient);
    RUN(test_values);
    return CHECK_DONE();
}
