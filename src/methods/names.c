/*
 * names.c -- the methods' and stopping rules' names, and the default
 * parameters of every method.
 */
#include "internal.h"
#include "methods/game.h"

#include <string.h>

static const dv__name METHOD_NAMES[] = {
    {"loo", DV_METHOD_LOO},         {"exact", DV_METHOD_EXACT_SHAPLEY},
    {"exact-banzhaf", DV_METHOD_EXACT_BANZHAF},
    {"tmc", DV_METHOD_TMC},         {"beta", DV_METHOD_BETA},
    {"banzhaf", DV_METHOD_BANZHAF}, {"knn", DV_METHOD_KNN},
    {"oob", DV_METHOD_OOB},         {"ame", DV_METHOD_AME},
    {"influence", DV_METHOD_INFLUENCE}, {"lava", DV_METHOD_LAVA},
    {"cg", DV_METHOD_CG},           {"random", DV_METHOD_RANDOM},
    {"forgetting", DV_METHOD_FORGETTING}, {"memorization", DV_METHOD_MEMORIZATION},
    {"dvrl", DV_METHOD_DVRL}, {"gshapley", DV_METHOD_GSHAPLEY},
    {"ts-shapley", DV_METHOD_TS_SHAPLEY}};

int dv_method_from_name(const char *name, dv_method *out)
{
    int v;
    if (dv__name_lookup(METHOD_NAMES, DV__COUNT(METHOD_NAMES), name, &v))
        return DV_EINVAL;
    if (out)
        *out = (dv_method)v;
    return DV_OK;
}

const char *dv_method_name(dv_method m)
{
    return dv__name_of(METHOD_NAMES, DV__COUNT(METHOD_NAMES), (int)m);
}

static const dv__name STOP_NAMES[] = {{"done", DV_STOP_DONE},     {"max-samples", DV_STOP_SAMPLES},
                                      {"max-seconds", DV_STOP_SECONDS}, {"rhat", DV_STOP_RHAT},
                                      {"stderr", DV_STOP_STDERR}, {"rank", DV_STOP_RANK}};

const char *dv_stop_rule_name(int rule) { return dv__name_of(STOP_NAMES, DV__COUNT(STOP_NAMES), rule); }

/* ame's is OpenDataVal's, 1,000 subsets per inclusion probability: with
 * 250 its Lasso kept no point on most seeds of the noisy-label benchmark
 * (BENCHMARKS.md). */
size_t dv__default_max_samples(dv_method m)
{
    return m == DV_METHOD_AME ? 4000 : m == DV_METHOD_FORGETTING ? 5 : 1000;
}

void dv_value_params_default(dv_value_params *p, dv_method m)
{
    memset(p, 0, sizeof *p);
    p->method = m;
    dv_learner_params_default(&p->learner, DV_LEARNER_LOGREG);
    p->metric = DV_METRIC_DEFAULT;
    p->max_samples = dv__default_max_samples(m);
    p->min_samples = 100;
    p->rhat = 1.05;
    p->rel_stderr = 0.1;
    p->chains = 4;
    p->check_every = 50;
    p->truncation = 0.01;
    p->beta_a = 4.0;
    p->beta_b = 1.0;
    p->knn_k = 10;
    p->oob_fraction = 1.0;
    p->lava_entreg = 0.1;
    p->cg_reps = 1;
    p->cg_unbalance = 1.0;
    p->forgetting_variant = DV_FORGET_EVENTS;
    p->mem_fraction = 0.7;
    p->dvrl_input = DV_DVRL_XYR;
    p->dvrl_batch = 32;
    p->ts_subset = 100;
    /* Learners measured per method on the noisy-label benchmark (Adult,
     * credit default, MAGIC; BENCHMARKS.md): forgetting needs an mlp with
     * several steps per epoch (F1 0.48, 0.61, 0.49 with batches of 128,
     * 0.38, 0.49, 0.41 with the mlp's 1,280); memorization a learner that
     * can memorize, a full tree (0.53, 0.53, 0.55; logistic regression
     * 0.21, 0.15, 0.16, below random). */
    if (m == DV_METHOD_FORGETTING) {
        dv_learner_params_default(&p->learner, DV_LEARNER_MLP);
        p->learner.batch_size = 128;
    } else if (m == DV_METHOD_MEMORIZATION) {
        dv_learner_params_default(&p->learner, DV_LEARNER_TREE);
    }
}
