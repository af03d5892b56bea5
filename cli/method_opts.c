/*
 * method_opts.c -- the options every command that runs a valuation method
 * shares (dval value --method and dval eval): learner, metric, budgets and
 * stopping rules, method settings and groups.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

dv_method cli_method(const char *opt, const char *name)
{
    dv_method m;
    if (name && !dv_method_from_name(name, &m))
        return m;
    const char *names[DV_N_METHODS];
    char list[512] = "";
    for (int k = 0; k < DV_N_METHODS; k++) {
        names[k] = dv_method_name((dv_method)k);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                 names[k]);
    }
    if (!name || !*name)
        cli_die("%s: give a method (%s)", opt, list);
    const char *near = cli_nearest(name, names, DV_N_METHODS);
    if (near)
        cli_die("%s: unknown method '%s'; did you mean '%s'? (methods: %s)", opt, name, near,
                list);
    cli_die("%s: unknown method '%s' (methods: %s)", opt, name, list);
}

/* Dies with a method's error, naming the method unless the message does. */
int cli_mlp_opt(cli_mlp_opts *o, int c, const char *arg)
{
    switch (c) {
    case 1200: {
        size_t n;
        int64_t *h = cli_int_list("--hidden", arg, &n);
        if (n > DV_MLP_MAX_HIDDEN)
            cli_die("--hidden: at most %d layers", DV_MLP_MAX_HIDDEN);
        for (size_t l = 0; l < n; l++) {
            if (h[l] < 1 || h[l] > 1000000)
                cli_die("--hidden: %lld is not a layer size in 1..1000000", (long long)h[l]);
            o->hidden[l] = (size_t)h[l];
        }
        o->n_hidden = n;
        o->has_hidden = 1;
        free(h);
        return 1;
    }
    case 1201: o->epochs = (int)cli_int("--epochs", arg, 1, 1000000); return 1;
    case 1202: o->batch = (size_t)cli_int("--mlp-batch", arg, 1, INT32_MAX); return 1;
    case 1203: o->lr = cli_double("--lr", arg); o->has_lr = 1; return 1;
    case 1204: o->alpha = cli_double("--alpha", arg); o->has_alpha = 1; return 1;
    case 1205: o->weight_decay = cli_double("--weight-decay", arg); o->has_wd = 1; return 1;
    case 1206: o->val_fraction = cli_double("--early-stop", arg); o->has_val = 1; return 1;
    case 1207: o->patience = (int)cli_int("--patience", arg, 1, 1000000); return 1;
    case 1208: {
        dv_learner_params probe;
        if (dv_learner_params_preset(&probe, arg))
            cli_die("--mlp-preset: unknown preset '%s' (reference, sklearn-1000)", arg);
        o->preset = arg;
        return 1;
    }
    case 1209: o->neighbors = (size_t)cli_int("--neighbors", arg, 1, INT32_MAX); return 1;
    case 1210:
        if (strcmp(arg, "uniform") != 0 && strcmp(arg, "distance") != 0)
            cli_die("--knn-weights: '%s' is neither uniform nor distance", arg);
        o->knn_weights = arg;
        return 1;
    case 1211:
        o->loss_tol = cli_double("--loss-tol", arg);
        if (!(o->loss_tol >= 0))
            cli_die("--loss-tol: %s is not a number >= 0", arg);
        o->has_loss_tol = 1;
        return 1;
    case 1212:
        o->n_iter_no_change = (int)cli_int("--n-iter-no-change", arg, 1, 1000000);
        return 1;
    case 1213:
        o->dropout = cli_double("--dropout", arg);
        if (!(o->dropout >= 0 && o->dropout < 1))
            cli_die("--dropout: %s is not in [0, 1)", arg);
        o->has_dropout = 1;
        return 1;
    }
    return 0;
}

void cli_mlp_apply(const cli_mlp_opts *o, dv_learner_params *lp)
{
    if (o->preset && lp->kind == DV_LEARNER_MLP) {
        uint64_t seed = lp->seed;
        dv_learner_params_preset(lp, o->preset);
        lp->seed = seed;
    }
    if (o->has_hidden) {
        lp->n_hidden = o->n_hidden;
        memcpy(lp->hidden, o->hidden, sizeof lp->hidden);
    }
    if (o->epochs)
        lp->epochs = o->epochs;
    if (o->batch)
        lp->batch_size = o->batch;
    if (o->has_lr)
        lp->lr = o->lr;
    if (o->has_alpha)
        lp->alpha = o->alpha;
    if (o->has_wd)
        lp->weight_decay = o->weight_decay;
    if (o->has_val)
        lp->val_fraction = o->val_fraction;
    if (o->patience)
        lp->patience = o->patience;
    if (o->has_loss_tol)
        lp->loss_tol = o->loss_tol;
    if (o->n_iter_no_change)
        lp->n_iter_no_change = o->n_iter_no_change;
    if (o->has_dropout)
        lp->dropout = o->dropout;
    if (o->neighbors)
        lp->neighbors = o->neighbors;
    if (o->knn_weights)
        lp->distance_weights = strcmp(o->knn_weights, "distance") == 0;
}

void cli_learner(dv_learner_params *lp, const char *name, const char *known, const double *C,
                 const double *lambda, const double *tol)
{
    dv_learner_kind kind;
    if (dv_learner_from_name(name, &kind))
        cli_die("--learner: unknown learner '%s' (%s)", name, known);
    dv_learner_params_default(lp, kind);
    if (C)
        lp->C = *C;
    if (lambda)
        lp->lambda = *lambda;
    if (tol)
        lp->tol = *tol;
    const char *why = dv_learner_params_check(lp);
    if (why)
        cli_die("learner %s: %s", name, why);
}

void cli_die_method(const char *method, const char *msg)
{
    size_t k = strlen(method);
    if (strncmp(msg, method, k) == 0 && msg[k] == ':')
        cli_die("%s", msg);
    cli_die("%s: %s", method, msg);
}

void cli_method_opts_default(cli_method_opts *o)
{
    memset(o, 0, sizeof *o);
    dv_value_params_default(&o->vp, DV_METHOD_TMC);
    o->vp.max_samples = 0; /* each method's own default */
    o->learner = "logreg";
    o->min_leaf = 1;
}

int cli_method_opt(cli_method_opts *o, int c, const char *arg)
{
    dv_value_params *p = &o->vp;
    switch (c) {
    case 2000: o->learner = arg; o->has_learner = 1; return 1;
    case 2001: o->C = cli_double("--C", arg); o->has_C = 1; return 1;
    case 2002: o->lambda = cli_double("--lambda", arg); o->has_lambda = 1; return 1;
    case 2023: o->tol = cli_double("--tol", arg); o->has_tol = 1; return 1;
    case 2003: o->max_depth = (int)cli_int("--max-depth", arg, 0, 1000); return 1;
    case 2004: o->min_leaf = (int)cli_int("--min-leaf", arg, 1, INT32_MAX); return 1;
    case 2005: o->max_features = (int)cli_int("--max-features", arg, 0, INT32_MAX); return 1;
    case 2006:
        if (dv_metric_from_name(arg, &p->metric))
            cli_die("--metric: unknown metric '%s' (neg_logloss, accuracy, neg_mse, r2)", arg);
        return 1;
    case 2007: p->seed = cli_u64("--seed", arg); return 1;
    case 2008: p->n_threads = (int)cli_int("--threads", arg, 1, 4096); return 1;
    case 2009: p->max_samples = (size_t)cli_int("--max-samples", arg, 1, INT64_MAX); return 1;
    case 2010: p->min_samples = (size_t)cli_int("--min-samples", arg, 0, INT64_MAX); return 1;
    case 2011: p->max_seconds = cli_double("--max-seconds", arg); return 1;
    case 2012: p->rhat = cli_double("--rhat", arg); return 1;
    case 2024: p->rel_stderr = cli_double("--rel-stderr", arg); return 1;
    case 2013: p->chains = (size_t)cli_int("--chains", arg, 2, 64); return 1;
    case 2014: p->stderr_tol = cli_double("--stderr", arg); return 1;
    case 2015: p->rank_tol = cli_double("--rank-tol", arg); return 1;
    case 2016: p->check_every = (size_t)cli_int("--check-every", arg, 1, INT64_MAX); return 1;
    case 2017: p->truncation = cli_double("--truncation", arg); return 1;
    case 2018: p->beta_a = cli_double("--beta-a", arg); return 1;
    case 2019: p->beta_b = cli_double("--beta-b", arg); return 1;
    case 2020: p->knn_k = (size_t)cli_int("--k", arg, 1, INT64_MAX); return 1;
    case 2021: o->groups_file = arg; return 1;
    case 2022: p->lava_entreg = cli_double("--entreg", arg); return 1;
    case 2025:
        if (dv_forgetting_variant_from_name(arg, &p->forgetting_variant))
            cli_die("--variant: unknown forgetting variant '%s' (events, printed, last-learned, "
                    "simple, frequent)", arg);
        return 1;
    case 2027:
        if (strcmp(arg, "xyr") == 0)
            p->dvrl_input = DV_DVRL_XYR;
        else if (strcmp(arg, "xp") == 0)
            p->dvrl_input = DV_DVRL_XP;
        else if (strcmp(arg, "x") == 0)
            p->dvrl_input = DV_DVRL_X;
        else
            cli_die("--dvrl-input: unknown input '%s' (xyr, xp, x)", arg);
        return 1;
    case 2028: p->dvrl_batch = (size_t)cli_int("--dvrl-batch", arg, 1, INT32_MAX); return 1;
    case 2029:
        p->gshapley_lr = cli_double("--gshapley-lr", arg);
        if (!(p->gshapley_lr > 0) || !isfinite(p->gshapley_lr))
            cli_die("--gshapley-lr: %s is not a step size > 0", arg);
        return 1;
    case 2030: p->ts_subset = (size_t)cli_int("--ts-subset", arg, 2, INT32_MAX); return 1;
    case 2026:
        p->mem_fraction = cli_double("--mem-fraction", arg);
        if (!(p->mem_fraction > 0 && p->mem_fraction < 1))
            cli_die("--mem-fraction: %s is not in (0, 1)", arg);
        return 1;
    }
    return cli_mlp_opt(&o->mlp, c, arg);
}

/* Completes the learner settings; dies on invalid ones. */
void cli_method_opts_finish(cli_method_opts *o)
{
    cli_learner(&o->vp.learner, o->learner, "logreg, ridge, ols, tree, mlp, knn", o->has_C ? &o->C : NULL,
                o->has_lambda ? &o->lambda : NULL, o->has_tol ? &o->tol : NULL);
    o->vp.learner.max_depth = o->max_depth;
    o->vp.learner.min_leaf = o->min_leaf;
    o->vp.learner.max_features = o->max_features;
    o->vp.learner.seed = o->vp.seed;
    cli_mlp_apply(&o->mlp, &o->vp.learner);
    const char *why = dv_learner_params_check(&o->vp.learner);
    if (why)
        cli_die("learner %s: %s", o->learner, why);
    dv_learner_params_default(&o->mlp_learner, DV_LEARNER_MLP);
    o->mlp_learner.seed = o->vp.seed;
    /* Batches of 128 rather than the mlp's 1,280: forgetting needs several
     * steps per epoch to have something to forget.  Noisy-label F1 on Adult,
     * credit default and MAGIC: 0.48, 0.61, 0.49 against 0.38, 0.49, 0.41
     * (BENCHMARKS.md). */
    o->mlp_learner.batch_size = 128;
    cli_mlp_apply(&o->mlp, &o->mlp_learner);
    if ((why = dv_learner_params_check(&o->mlp_learner)))
        cli_die("learner mlp: %s", why);
    if (!o->has_learner)
        o->vp.learner = cli_method_params(o, o->vp.method).learner;
    if (o->vp.max_seconds < 0 || o->vp.rhat < 0 || o->vp.rel_stderr < 0 ||
        o->vp.stderr_tol < 0 || o->vp.rank_tol < 0 || o->vp.truncation < 0)
        cli_die("stopping tolerances and budgets must not be negative");
}

dv_value_params cli_method_params(const cli_method_opts *o, dv_method m)
{
    dv_value_params p = o->vp;
    p.method = m;
    if (!o->has_learner && (m == DV_METHOD_FORGETTING || m == DV_METHOD_MEMORIZATION)) {
        /* the method's own learner (dv_value_params_default), with the
         * learner options given */
        dv_value_params d;
        dv_value_params_default(&d, m);
        p.learner = d.learner;
        p.learner.seed = o->vp.seed;
        if (m == DV_METHOD_MEMORIZATION) {
            p.learner.max_depth = o->max_depth;
            p.learner.min_leaf = o->min_leaf;
            p.learner.max_features = o->max_features;
        } else {
            cli_mlp_apply(&o->mlp, &p.learner);
        }
    }
    return p;
}

/* Reads one integer group per training row (by source row order of the
 * training split: the file lists groups for the rows of the data file). */
int64_t *cli_read_groups(const char *path, const dv_dataset *train, size_t *n_groups)
{
    char *text = cli_slurp(path);
    if (!text)
        cli_die("%s: cannot read groups file", path);
    size_t cap = 1024, n = 0;
    int64_t *all = cli_malloc(cap * sizeof *all);
    long line = 1;
    for (char *p = text; *p;) {
        if (*p == '\n') {
            line++;
            p++;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',') {
            p++;
            continue;
        }
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0)
            cli_die("%s:%ld: expected a non-negative group number, found '%.20s'", path, line, p);
        if (n == cap)
            all = cli_realloc(all, (cap *= 2) * sizeof *all);
        all[n++] = v;
        p = end;
    }
    free(text);
    /* Map the file's rows to the training split, renumber groups densely. */
    size_t nt = dv_dataset_rows(train);
    const int64_t *src = dv_dataset_source_rows(train);
    int64_t *g = cli_malloc(nt * sizeof *g);
    int64_t maxg = -1;
    for (size_t i = 0; i < nt; i++) {
        if ((size_t)src[i] >= n)
            cli_die("%s: has %zu groups but the data file has row %lld", path, n,
                    (long long)src[i] + 1);
        g[i] = all[src[i]];
        if (g[i] > maxg)
            maxg = g[i];
    }
    int64_t *map = cli_malloc((size_t)(maxg + 1) * sizeof *map);
    for (int64_t k = 0; k <= maxg; k++)
        map[k] = -1;
    size_t ng = 0;
    for (size_t i = 0; i < nt; i++)
        if (map[g[i]] < 0)
            map[g[i]] = (int64_t)ng++;
    for (size_t i = 0; i < nt; i++)
        g[i] = map[g[i]];
    free(map);
    free(all);
    *n_groups = ng;
    return g;
}
