/*
 * bench_mlp.c -- seconds per epoch of the mlp learner on synthetic data
 * (linear-clf), one thread: the training that bench/mlp_torch.py times in
 * PyTorch with the same sizes (bench/mlp_vs_torch.sh runs both).
 *
 * usage: bench_mlp ROWS FEATURES HIDDEN(e.g. 32,32,32) EPOCHS BATCH
 */
#include "dval.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_mlp ROWS FEATURES HIDDEN EPOCHS BATCH\n");
        return 2;
    }
    omp_set_num_threads(1);
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    sp.n_rows = (size_t)atol(argv[1]);
    sp.n_features = (size_t)atol(argv[2]);
    dv_dataset *ds;
    dv_error err = {0};
    if (dv_synth(&ds, &sp, &err)) {
        fprintf(stderr, "bench_mlp: %s\n", err.msg);
        return 1;
    }
    dv_learner_params p;
    dv_learner_params_default(&p, DV_LEARNER_MLP);
    p.n_hidden = 0;
    char *list = strdup(argv[3]), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t && p.n_hidden < DV_MLP_MAX_HIDDEN;
         t = strtok_r(NULL, ",", &save))
        p.hidden[p.n_hidden++] = (size_t)atol(t);
    free(list);
    p.epochs = atoi(argv[4]);
    p.batch_size = (size_t)atol(argv[5]);
    dv_model *m = NULL;
    double t0 = dv_clock_seconds();
    if (dv_model_fit(&m, &p, ds, NULL, 0, NULL, &err)) {
        fprintf(stderr, "bench_mlp: %s\n", err.msg);
        return 1;
    }
    double t = dv_clock_seconds() - t0, acc = 0;
    dv_model_score(m, ds, DV_METRIC_ACCURACY, &acc);
    printf("dval %.6f s/epoch (%d epochs, training accuracy %.3f)\n", t / p.epochs, p.epochs, acc);
    dv_model_free(m);
    dv_dataset_free(ds);
    return 0;
}
