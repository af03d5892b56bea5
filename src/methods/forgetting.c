/*
 * forgetting.c -- forgetting events: how often a training row, once
 * classified correctly, is misclassified again as training goes on
 * (Toneva et al., "An Empirical Study of Example Forgetting during Deep
 * Neural Network Learning", ICLR 2019), with the variants of the 2-D study
 * of data values (docs: dval value --help).
 *
 * Run r (r = 0..R-1, R = p->max_samples) trains p->learner, an mlp, on every
 * training row with the seed p->learner.seed XOR the first dv_rng_next of
 * stream (p->seed, r).  After each epoch t the row's correctness
 * (argmax of the predicted probabilities == its label) is recorded, giving
 * a trace of E epochs (fewer than the learner's epochs when it stops
 * early).  The row's score in run r is dv_forgetting_score of its trace;
 * its value is minus the mean score over the runs (dval's values are
 * "higher = more valuable", and a often-forgotten row is a hard or
 * mislabeled one), its standard error the runs' standard deviation over
 * sqrt(R) (none when R = 1).  The runs are fitted in parallel and added up
 * in the order of r, so the values do not depend on the thread count.
 */
#include "methods.h"

#include <math.h>
#include <omp.h>
#include <string.h>

double dv_forgetting_score(const unsigned char *c, size_t E, int v)
{
    size_t first = E; /* the first epoch (0-based) in which the row is correct */
    for (size_t t = 0; t < E; t++)
        if (c[t]) {
            first = t;
            break;
        }
    size_t s = 0;
    switch (v) {
    case DV_FORGET_EVENTS:
        if (first == E)
            return (double)E;
        for (size_t t = 1; t < E; t++)
            s += c[t - 1] && !c[t];
        return (double)s;
    case DV_FORGET_PRINTED:
        for (size_t t = 0; t < E; t++)
            s += c[t] <= (t ? c[t - 1] : 0);
        return (double)s;
    case DV_FORGET_LAST_LEARNED:
        return (double)(first + 1);
    case DV_FORGET_SIMPLE:
        for (size_t t = 0; t < E; t++)
            s += !c[t];
        return (double)s;
    case DV_FORGET_FREQUENT:
        if (first == E)
            return (double)E;
        for (size_t t = first + 1; t < E; t++)
            s += c[t] <= c[t - 1];
        return (double)s;
    }
    return NAN;
}

static const dv__name VARIANTS[] = {{"events", DV_FORGET_EVENTS},
                                    {"printed", DV_FORGET_PRINTED},
                                    {"last-learned", DV_FORGET_LAST_LEARNED},
                                    {"simple", DV_FORGET_SIMPLE},
                                    {"frequent", DV_FORGET_FREQUENT}};

int dv_forgetting_variant_from_name(const char *name, int *out)
{
    return dv__name_lookup(VARIANTS, DV__COUNT(VARIANTS), name, out) ? DV_EINVAL : DV_OK;
}

const char *dv_forgetting_variant_name(int v)
{
    return dv__name_of(VARIANTS, DV__COUNT(VARIANTS), v);
}

/* One run's trace: trace[(t - 1) * n + i] = row i correct after epoch t. */
typedef struct {
    const dv_dataset *ds;
    unsigned char *trace;
    double *score;
    size_t cap; /* epochs the trace holds */
    int epochs; /* epochs recorded */
    dv_error err;
} tracer;

static int record(tracer *tr, const dv_model *m)
{
    size_t n = tr->ds->n;
    if ((size_t)tr->epochs >= tr->cap)
        return dv__err(&tr->err, DV_EINVAL, "more epochs than the learner's %zu", tr->cap);
    int rc = dv__self_scores(m, tr->ds, NULL, tr->score, &tr->err);
    if (rc)
        return rc;
    unsigned char *row = tr->trace + (size_t)tr->epochs * n;
    for (size_t i = 0; i < n; i++)
        row[i] = tr->score[i] > 0.5;
    tr->epochs++;
    return DV_OK;
}

static int on_epoch(void *user, const dv_model *m, int epoch)
{
    (void)epoch;
    return record(user, m);
}

/* Run r: its scores into out[0..n-1]. */
static int forgetting_run(const dv_dataset *train, const dv_value_params *p, size_t r,
                          double *out, dv_error *err)
{
    size_t n = train->n, E = (size_t)p->learner.epochs;
    tracer tr = {.ds = train, .cap = E ? E : 1};
    tr.trace = dv__malloc(tr.cap * n);
    tr.score = dv__malloc(n * sizeof(double));
    unsigned char *c = dv__malloc(tr.cap);
    int rc = DV_OK;
    if (!tr.trace || !tr.score || !c) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    dv_rng g;
    dv_rng_seed(&g, p->seed, (uint64_t)r);
    dv_learner_params lp = p->learner;
    lp.seed = p->learner.seed ^ dv_rng_next(&g);
    dv_model *model = NULL;
    rc = dv__model_fit_traced(&model, &lp, train, NULL, n, on_epoch, &tr, err);
    if (rc == DV_ENOTCONV)
        rc = DV_OK; /* the model is still usable, as for the other methods */
    if (rc && tr.err.code) /* the tracer's own failure says more */
        rc = dv__err(err, tr.err.code, "%s", tr.err.msg);
    /* A fit without epochs (one class present): its constant model, once. */
    if (!rc && tr.epochs == 0 && (rc = record(&tr, model)))
        rc = dv__err(err, rc, "%s", tr.err.msg);
    dv_model_free(model);
    for (size_t i = 0; !rc && i < n; i++) {
        for (int t = 0; t < tr.epochs; t++)
            c[t] = tr.trace[(size_t)t * n + i];
        out[i] = dv_forgetting_score(c, (size_t)tr.epochs, p->forgetting_variant);
    }
done:
    dv__free(tr.trace);
    dv__free(tr.score);
    dv__free(c);
    return rc;
}

/* Over several processes: training run r is work item r, its n scores
 * sent to every process. */
typedef struct {
    const dv_dataset *train;
    const dv_value_params *p;
    double *s;
} runs_job;

static int run_item(void *ctx, void *state, size_t r, dv_error *err)
{
    (void)state;
    runs_job *x = ctx;
    dv_error e = {0};
    int rc = forgetting_run(x->train, x->p, r, x->s + r * x->train->n, &e);
    return rc ? dv__err(err, rc, "forgetting: run %zu: %s", r, e.msg) : DV_OK;
}

static size_t run_spans(void *ctx, size_t r, dv__span *sp)
{
    runs_job *x = ctx;
    size_t n = x->train->n;
    sp[0] = (dv__span){x->s + r * n, n, sizeof(double), sizeof(double)};
    return 1;
}

int dv__forgetting(const dv_dataset *train, const dv_value_params *p, double *values,
                   double *stderrs, dv_value_info *info, dv_error *err)
{
    if (p->learner.kind != DV_LEARNER_MLP)
        return dv__err(err, DV_EINVAL,
                       "forgetting needs a learner trained epoch by epoch (--learner mlp); "
                       "%s is fitted in one solve",
                       dv_learner_name(p->learner.kind));
    if (train->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "forgetting needs a classification task (it counts "
                                       "misclassifications)");
    if (isnan(dv_forgetting_score(NULL, 0, p->forgetting_variant)))
        return dv__err(err, DV_EINVAL, "forgetting: unknown variant %d", p->forgetting_variant);
    size_t R = p->max_samples, n = train->n;
    if (R == 0)
        return dv__err(err, DV_EINVAL, "forgetting: max_samples (training runs) must be >= 1");
    int nth = p->n_threads > 0 ? p->n_threads : omp_get_max_threads();
    double *s = dv__malloc(R * n * sizeof *s);
    int *rcs = dv__malloc(R * sizeof *rcs);
    dv_error *errs = dv__calloc(R, sizeof *errs);
    int rc = DV_OK;
    if (!s || !rcs || !errs) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    if (dv__dist_on(p->comm)) {
        runs_job x = {train, p, s};
        dv__job j = {p->comm, 0, R, NULL, 0, 1, p->n_threads, run_item, run_spans, NULL, &x,
                     NULL, NULL, 0};
        if ((rc = dv__job_run(&j, err)))
            goto done;
        memset(rcs, 0, R * sizeof *rcs);
    } else {
        size_t done_runs = 0;
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
        for (size_t r = 0; r < R; r++) {
            rcs[r] = dv__check_interrupt(&errs[r]);
            if (!rcs[r])
                rcs[r] = forgetting_run(train, p, r, s + r * n, &errs[r]);
#pragma omp critical(dv_forgetting_progress)
            if (p->progress)
                p->progress(p->progress_user, ++done_runs, R);
        }
    }
    for (size_t r = 0; r < R; r++)
        if (rcs[r]) {
            rc = dv__err(err, rcs[r], "forgetting: run %zu: %s", r, errs[r].msg);
            goto done;
        }
    for (size_t i = 0; i < n; i++) {
        double mean = 0, ss = 0;
        for (size_t r = 0; r < R; r++)
            mean += s[r * n + i];
        mean /= (double)R;
        for (size_t r = 0; r < R; r++)
            ss += (s[r * n + i] - mean) * (s[r * n + i] - mean);
        values[i] = mean == 0 ? 0.0 : -mean;
        if (stderrs)
            stderrs[i] = R > 1 ? sqrt(ss / (double)(R - 1) / (double)R) : NAN;
    }
    if (info) {
        info->samples = R;
        info->utility_calls = R;
        info->stop_rule = DV_STOP_SAMPLES;
        info->stop_level = (double)R;
    }
done:
    dv__free(s);
    dv__free(rcs);
    dv__free(errs);
    return rc;
}
