/*
 * acquire.c -- active acquisition from a pool (the benchmark of Jia et al.,
 * "Scalability vs. utility", CVPR 2021): a labelled seed set, a pool whose
 * labels are revealed only when bought, and rounds that buy the batch a
 * scorer ranks first and refit the learner.  The scorers: random; the
 * current model's uncertainty (margin, Lewis & Gale 1994; entropy); the
 * k-center distance to the labelled rows (Sener & Savarese, ICLR 2018);
 * the variance of an ensemble (ood); the value a scaling-law model
 * predicts at the current size (Covert et al. 2024), in expectation over
 * the current model's classes; and, as the harness's check, an oracle that
 * sees the hidden labels and buys the rows whose addition most improves
 * the validation utility.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const SCORER_NAMES[] = {"random", "margin",  "entropy", "distance",
                                           "ood",    "law",     "oracle"};
#define N_SCORERS 7

const char *dv_acq_scorer_name(dv_acq_scorer s)
{
    return (unsigned)s < N_SCORERS ? SCORER_NAMES[s] : "unknown";
}

int dv_acq_scorer_from_name(const char *name, dv_acq_scorer *out)
{
    for (int k = 0; k < N_SCORERS; k++)
        if (strcmp(name, SCORER_NAMES[k]) == 0) {
            *out = (dv_acq_scorer)k;
            return DV_OK;
        }
    return DV_EINVAL;
}

void dv_acq_params_default(dv_acq_params *p)
{
    memset(p, 0, sizeof *p);
    dv_learner_params_default(&p->learner, DV_LEARNER_LOGREG);
    /* the ensemble: small mlps, whose seeds make them differ (logistic
     * regressions would agree with each other) */
    dv_learner_params_default(&p->ood_learner, DV_LEARNER_MLP);
    p->ood_learner.n_hidden = 1;
    p->ood_learner.hidden[0] = 32;
    p->ood_learner.epochs = 100;
    p->ood_learner.batch_size = 32;
    p->ood_members = 5;
    p->metric = DV_METRIC_NEG_LOGLOSS;
    p->batch = 10;
    p->rounds = 20;
}

typedef struct {
    const dv_dataset *all, *val;     /* all: the labelled rows, then the pool's */
    const dv_acq_params *p;
    const int64_t *rows;             /* the rows bought so far: cur of them */
    size_t cur;
    const int64_t *cand;             /* the pool rows (in all) still for sale */
    const dv_model *warm;
    double base;                     /* U of the current model */
    double *gain;                    /* one per candidate */
} oracle_ctx;

static void *oracle_state(void *vctx)
{
    oracle_ctx *c = vctx;
    return dv__malloc((c->cur + 1) * sizeof(int64_t));
}

static void oracle_state_free(void *state) { dv__free(state); }

/* Candidate k: the validation utility of the fit with it added, minus the
 * current one. */
static int oracle_item(void *vctx, void *state, size_t k, dv_error *err)
{
    oracle_ctx *c = vctx;
    int64_t *rows = state;
    if (!rows)
        return dv__err(err, DV_ENOMEM, "out of memory");
    memcpy(rows, c->rows, c->cur * sizeof *rows);
    rows[c->cur] = c->cand[k];
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, &c->p->learner, c->all, rows, c->cur + 1, c->warm, NULL);
    if (rc == DV_ENOTCONV)
        rc = DV_OK; /* flagged, still a model */
    double u = 0;
    if (!rc)
        rc = dv_model_score(m, c->val, c->p->metric, &u);
    dv_model_free(m);
    if (rc)
        return dv__err(err, rc, "the oracle's fit with pool row %lld failed",
                       (long long)c->cand[k]);
    c->gain[k] = u - c->base;
    return DV_OK;
}

/* Scores (higher = buy first) of the nc candidates cand (rows of all) from
 * the current model's probabilities prob (nc x K). */
static void uncertainty(dv_acq_scorer s, const double *prob, size_t nc, size_t K, double *score)
{
    for (size_t i = 0; i < nc; i++) {
        const double *q = prob + i * K;
        if (s == DV_ACQ_MARGIN) { /* the gap between the two likeliest classes, negated */
            double a = -INFINITY, b = -INFINITY;
            for (size_t k = 0; k < K; k++) {
                if (q[k] > a) {
                    b = a;
                    a = q[k];
                } else if (q[k] > b) {
                    b = q[k];
                }
            }
            score[i] = -(a - b);
        } else { /* entropy */
            double h = 0;
            for (size_t k = 0; k < K; k++)
                h -= q[k] > 0 ? q[k] * log(q[k]) : 0.0;
            score[i] = h;
        }
    }
}

/* The laws' value of the nc candidates (pool rows j[i]) at size k,
 * averaged over the classes with the current model's probabilities when
 * there is a law per class. */
static void law_scores(const dv_acq_params *p, const int64_t *cand, size_t nl, size_t nc,
                       const double *prob, size_t K, double k, double *score)
{
    size_t H = p->law_heads;
    for (size_t i = 0; i < nc; i++) {
        const dv_law *L = p->laws + (size_t)(cand[i] - (int64_t)nl) * H;
        double s = 0;
        for (size_t h = 0; h < H; h++) {
            double v = L[h].c * pow(k, -L[h].alpha);
            s += H > 1 ? prob[i * K + h] * v : v;
        }
        score[i] = s;
    }
}

static double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += (a[j] - b[j]) * (a[j] - b[j]);
    return s;
}

/* k-center greedy: B times the candidate farthest from every row bought
 * (and every one picked before it); picks get the indices into cand. */
static void k_center(const dv_dataset *all, const int64_t *rows, size_t cur, const int64_t *cand,
                     size_t nc, size_t B, double *mind, size_t *picks)
{
    size_t d = all->d;
    for (size_t i = 0; i < nc; i++) {
        double best = INFINITY;
        const double *x = all->X + (size_t)cand[i] * d;
        for (size_t r = 0; r < cur; r++) {
            double s = sqdist(x, all->X + (size_t)rows[r] * d, d);
            best = s < best ? s : best;
        }
        mind[i] = best;
    }
    for (size_t b = 0; b < B; b++) {
        size_t far = 0;
        for (size_t i = 1; i < nc; i++)
            if (mind[i] > mind[far])
                far = i;
        picks[b] = far;
        const double *xf = all->X + (size_t)cand[far] * d;
        for (size_t i = 0; i < nc; i++) {
            double s = sqdist(all->X + (size_t)cand[i] * d, xf, d);
            mind[i] = s < mind[i] ? s : mind[i];
        }
        mind[far] = -1; /* taken */
    }
}

/* The indices (into the nc candidates) of the B highest scores, ties to the
 * lower index. */
static int top_b(const double *score, size_t nc, size_t B, size_t *picks, dv_error *err)
{
    double *neg = dv__malloc(nc * sizeof *neg);
    size_t *order = dv__malloc(nc * sizeof *order);
    int rc = !neg || !order ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    for (size_t i = 0; i < nc && !rc; i++) {
        if (!isfinite(score[i]))
            rc = dv__err(err, DV_EINVAL, "the score of pool candidate %zu is not finite", i);
        else
            neg[i] = -score[i];
    }
    if (!rc && dv__argsort(neg, nc, order))
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t b = 0; b < B && !rc; b++)
        picks[b] = order[b];
    dv__free(neg);
    dv__free(order);
    return rc;
}

static int check(const dv_dataset *labelled, const dv_dataset *pool, const dv_dataset *val,
                 const dv_dataset *test, dv_acq_scorer s, const dv_acq_params *p, dv_error *err)
{
    if (labelled->task != DV_TASK_CLASSIFICATION || labelled->n_classes < 2)
        return dv__err(err, DV_EINVAL, "acquisition needs a classification data set with 2+ "
                                       "classes");
    if ((unsigned)s >= N_SCORERS)
        return dv__err(err, DV_EINVAL, "unknown scorer %d", (int)s);
    const dv_dataset *parts[3] = {pool, val, test};
    const char *names[3] = {"pool", "validation split", "test split"};
    for (int k = 0; k < 3; k++) {
        if (!parts[k])
            continue;
        if (parts[k]->d != labelled->d || parts[k]->task != labelled->task ||
            parts[k]->n_classes != labelled->n_classes)
            return dv__err(err, DV_EINVAL, "the %s does not match the labelled rows (%zu columns, "
                                           "%zu classes)", names[k], labelled->d,
                           labelled->n_classes);
    }
    if (p->batch == 0 || p->rounds == 0)
        return dv__err(err, DV_EINVAL, "the batch and the rounds must be at least 1");
    if (p->batch > pool->n)
        return dv__err(err, DV_EINVAL, "a batch of %zu is larger than the pool of %zu rows",
                       p->batch, pool->n);
    if (p->batch * p->rounds > pool->n)
        return dv__err(err, DV_EINVAL, "%zu rounds of %zu buy %zu labels but the pool has %zu "
                                       "rows", p->rounds, p->batch, p->rounds * p->batch,
                       pool->n);
    if (!test || test->n == 0)
        return dv__err(err, DV_EINVAL, "the accuracy is measured on a test split, which is empty");
    if (s == DV_ACQ_ORACLE && (!val || val->n == 0))
        return dv__err(err, DV_EINVAL, "the oracle scores on a validation split, which is empty");
    if (s == DV_ACQ_LAW && (!p->laws || (p->law_heads != 1 && p->law_heads != labelled->n_classes)))
        return dv__err(err, DV_EINVAL, "the law scorer needs one law per pool row, or one per "
                                       "row and class (%zu)", labelled->n_classes);
    if (s == DV_ACQ_OOD && p->ood_members < 2)
        return dv__err(err, DV_EINVAL, "the ensemble needs at least 2 members");
    if (p->metric != DV_METRIC_NEG_LOGLOSS && p->metric != DV_METRIC_ACCURACY)
        return dv__err(err, DV_EINVAL, "the oracle's utility must be neg_logloss or accuracy");
    const char *why = dv_learner_params_check(&p->learner);
    if (why)
        return dv__err(err, DV_EINVAL, "learner: %s", why);
    return DV_OK;
}

int dv_acquire(const dv_dataset *labelled, const dv_dataset *pool, const dv_dataset *val,
               const dv_dataset *test, dv_acq_scorer scorer, const dv_acq_params *p,
               double *accuracy, int64_t *chosen, dv_error *err)
{
    int rc = check(labelled, pool, val, test, scorer, p, err);
    if (rc)
        return rc;
    size_t nl = labelled->n, np = pool->n, d = labelled->d, K = labelled->n_classes;
    size_t B = p->batch, budget = p->rounds * B;
    /* all: the labelled rows, then the pool's (the pool's labels are read
     * by the fits of rows bought, and by the oracle alone) */
    dv_dataset *all = NULL;
    if (dv__dataset_alloc(&all, nl + np, d, labelled->task, K))
        return dv__err(err, DV_ENOMEM, "out of memory");
    if (dv__dataset_copy_names(all, labelled)) {
        dv_dataset_free(all);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    memcpy(all->X, labelled->X, nl * d * sizeof(double));
    memcpy(all->X + nl * d, pool->X, np * d * sizeof(double));
    memcpy(all->y, labelled->y, nl * sizeof(double));
    memcpy(all->y + nl, pool->y, np * sizeof(double));
    for (size_t i = 0; i < nl + np; i++)
        all->src_rows[i] = (int64_t)i;
    int64_t *rows = dv__malloc((nl + budget) * sizeof *rows);
    int64_t *cand = dv__malloc(np * sizeof *cand);
    unsigned char *taken = dv__calloc(np, 1);
    double *score = dv__malloc(np * sizeof *score);
    double *prob = dv__malloc(np * K * sizeof *prob);
    double *Xc = dv__malloc(np * d * sizeof *Xc);
    size_t *picks = dv__malloc(B * sizeof *picks);
    int64_t *idx = dv__malloc(np * sizeof *idx);
    if (!rows || !cand || !taken || !score || !prob || !Xc || !picks || !idx)
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < nl && !rc; i++)
        rows[i] = (int64_t)i;
    size_t cur = nl;
    for (size_t r = 0; r <= p->rounds && !rc; r++) {
        if ((rc = dv__check_interrupt(err)))
            break;
        dv_model *m = NULL;
        rc = dv_model_fit(&m, &p->learner, all, rows, cur, NULL, err);
        if (rc == DV_ENOTCONV)
            rc = DV_OK;
        if (!rc && (rc = dv_model_score(m, test, DV_METRIC_ACCURACY, &accuracy[r])))
            rc = dv__err(err, rc, "scoring on the test split failed");
        if (rc || r == p->rounds) {
            dv_model_free(m);
            break;
        }
        size_t nc = 0;
        for (size_t j = 0; j < np; j++)
            if (!taken[j])
                cand[nc++] = (int64_t)(nl + j);
        for (size_t i = 0; i < nc; i++)
            memcpy(Xc + i * d, all->X + (size_t)cand[i] * d, d * sizeof(double));
        if (scorer == DV_ACQ_MARGIN || scorer == DV_ACQ_ENTROPY || scorer == DV_ACQ_LAW)
            rc = dv_model_predict(m, Xc, nc, d, prob);
        switch (scorer) {
        case DV_ACQ_RANDOM: { /* the first B of a seeded shuffle, by round */
            dv_rng g;
            dv_rng_seed(&g, p->seed, 0x41435152ULL + ((uint64_t)r << 32)); /* "ACQR" */
            for (size_t i = 0; i < nc; i++)
                idx[i] = (int64_t)i;
            dv__shuffle_prefix(idx, nc, B, &g);
            for (size_t b = 0; b < B; b++)
                picks[b] = (size_t)idx[b];
            break;
        }
        case DV_ACQ_MARGIN:
        case DV_ACQ_ENTROPY:
            if (!rc) {
                uncertainty(scorer, prob, nc, K, score);
                rc = top_b(score, nc, B, picks, err);
            }
            break;
        case DV_ACQ_DISTANCE:
            k_center(all, rows, cur, cand, nc, B, score, picks);
            break;
        case DV_ACQ_OOD: {
            dv_dataset *sub = NULL;
            dv_learner_params lp = p->ood_learner;
            lp.seed ^= (uint64_t)r;
            rc = dv_dataset_subset(&sub, all, rows, cur, err);
            if (!rc)
                rc = dv_ood_ensemble(sub, &lp, Xc, nc, p->ood_members, p->seed + r, score,
                                     p->n_threads, err);
            if (!rc)
                rc = top_b(score, nc, B, picks, err);
            dv_dataset_free(sub);
            break;
        }
        case DV_ACQ_LAW:
            if (!rc) {
                law_scores(p, cand, nl, nc, prob, K, (double)cur, score);
                rc = top_b(score, nc, B, picks, err);
            }
            break;
        default: { /* the oracle */
            oracle_ctx c = {all, val, p, rows, cur, cand, m, 0, score};
            rc = dv_model_score(m, val, p->metric, &c.base);
            if (!rc)
                rc = dv__for_items(0, nc, p->n_threads, oracle_item, &c, oracle_state,
                                   oracle_state_free, 0, err);
            if (!rc)
                rc = top_b(score, nc, B, picks, err);
            break;
        }
        }
        dv_model_free(m);
        for (size_t b = 0; b < B && !rc; b++) {
            int64_t row = cand[picks[b]];
            taken[row - (int64_t)nl] = 1;
            chosen[r * B + b] = row - (int64_t)nl;
            rows[cur++] = row;
        }
    }
    dv_dataset_free(all);
    dv__free(rows);
    dv__free(cand);
    dv__free(taken);
    dv__free(score);
    dv__free(prob);
    dv__free(Xc);
    dv__free(picks);
    dv__free(idx);
    return rc;
}

double dv_acq_labels_to(const double *accuracy, size_t rounds, size_t batch, double target)
{
    if (accuracy[0] >= target)
        return 0;
    for (size_t r = 1; r <= rounds; r++)
        if (accuracy[r] >= target) /* linear between the rounds r - 1 and r */
            return (double)batch * ((double)(r - 1) + (target - accuracy[r - 1]) /
                                                          (accuracy[r] - accuracy[r - 1]));
    return NAN;
}

double dv_t95(size_t df)
{
    /* two-sided 95 % quantiles of Student's t to 30 degrees of freedom, then
     * 1.96 + 2.4 / df (within 0.003 of the quantile) */
    static const double T[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    return df == 0 ? NAN : df <= 30 ? T[df - 1] : 1.96 + 2.4 / (double)df;
}

/* Mean and 95 % half-width of the finite x[0..n-1] (stride apart); *k of them. */
static void mean_ci(const double *x, size_t n, size_t stride, double *mean, double *half,
                    size_t *k)
{
    double s = 0, s2 = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i * stride])) {
            s += x[i * stride];
            m++;
        }
    *k = m;
    *mean = m ? s / (double)m : NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i * stride]))
            s2 += (x[i * stride] - *mean) * (x[i * stride] - *mean);
    *half = m > 1 ? dv_t95(m - 1) * sqrt(s2 / (double)(m - 1) / (double)m) : NAN;
}

int dv_acq_summarize(const dv_acq_scorer *scorers, size_t n_scorers, size_t reps,
                     size_t rounds, size_t batch, const double *accuracy, double *target,
                     dv_acq_summary *out, double *labels, dv_error *err)
{
    size_t T1 = rounds + 1, rs = n_scorers;
    for (size_t s = 0; s < n_scorers; s++)
        if (scorers[s] == DV_ACQ_RANDOM && rs == n_scorers)
            rs = s;
    if (!reps || !n_scorers || !batch)
        return dv__err(err, DV_EINVAL, "no curves to summarize");
    if (!isfinite(*target)) { /* random's final accuracy, averaged */
        if (rs == n_scorers)
            return dv__err(err, DV_EINVAL, "the default target is random's final accuracy, "
                                           "and random is not among the scorers");
        double t = 0;
        for (size_t r = 0; r < reps; r++)
            t += accuracy[(rs * reps + r) * T1 + rounds];
        *target = t / (double)reps;
    }
    double *need = dv__malloc(n_scorers * reps * sizeof *need);
    double *saved = dv__malloc(reps * sizeof *saved);
    if (!need || !saved) {
        dv__free(need);
        dv__free(saved);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    for (size_t s = 0; s < n_scorers; s++)
        for (size_t r = 0; r < reps; r++)
            need[s * reps + r] =
                dv_acq_labels_to(accuracy + (s * reps + r) * T1, rounds, batch, *target);
    for (size_t s = 0; s < n_scorers; s++) {
        dv_acq_summary *o = &out[s];
        mean_ci(accuracy + s * reps * T1 + rounds, reps, T1, &o->final_mean, &o->final_ci,
                &o->n_final);
        mean_ci(need + s * reps, reps, 1, &o->labels_mean, &o->labels_ci, &o->reached);
        o->saved_mean = o->saved_ci = NAN;
        o->pairs = 0;
        if (rs < n_scorers) {
            for (size_t r = 0; r < reps; r++) /* NaN unless both reach the target */
                saved[r] = need[rs * reps + r] - need[s * reps + r];
            mean_ci(saved, reps, 1, &o->saved_mean, &o->saved_ci, &o->pairs);
        }
    }
    if (labels)
        memcpy(labels, need, n_scorers * reps * sizeof *labels);
    dv__free(need);
    dv__free(saved);
    return DV_OK;
}

static void json_num(FILE *f, double x)
{
    char b[32];
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    dv__fmt_double(b, sizeof b, x);
    fputs(b, f);
}

int dv_acquire_write(const char *path, const dv_acq_scorer *scorers, size_t n_scorers,
                     size_t reps, size_t rounds, size_t batch, size_t pool,
                     const double *accuracy, double target, dv_error *err)
{
    int given = isfinite(target);
    dv_acq_summary *S = dv__malloc((n_scorers ? n_scorers : 1) * sizeof *S);
    double *need = dv__malloc((n_scorers * reps + 1) * sizeof *need);
    int rc = !S || !need ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    if (!rc)
        rc = dv_acq_summarize(scorers, n_scorers, reps, rounds, batch, accuracy, &target, S, need,
                              err);
    char tmp[4400], jpath[4400], jtmp[4500];
    FILE *f = NULL, *g = NULL;
    if (!rc && snprintf(jpath, sizeof jpath, "%s.json", path) >= (int)sizeof jpath)
        rc = dv__err(err, DV_EINVAL, "%s: the path is too long", path);
    if (!rc && !(f = dv__out_open(path, tmp, sizeof tmp, err)))
        rc = err ? err->code : DV_EIO;
    if (!rc && !(g = dv__out_open(jpath, jtmp, sizeof jtmp, err)))
        rc = err ? err->code : DV_EIO;
    if (rc) {
        if (f) {
            fclose(f);
            remove(tmp);
        }
        dv__free(S);
        dv__free(need);
        return rc;
    }
    char b[32];
    fputs("scorer,rep,round,labels,accuracy\n", f);
    for (size_t s = 0; s < n_scorers; s++)
        for (size_t r = 0; r < reps; r++)
            for (size_t k = 0; k <= rounds; k++) {
                dv__fmt_double(b, sizeof b, accuracy[(s * reps + r) * (rounds + 1) + k]);
                fprintf(f, "%s,%zu,%zu,%zu,%s\n", dv_acq_scorer_name(scorers[s]), r, k, k * batch,
                        b);
            }
    fputs("{\n  \"target_accuracy\": ", g);
    json_num(g, target);
    fprintf(g, ",\n  \"target_is\": \"%s\",\n  \"batch\": %zu,\n  \"rounds\": %zu,\n"
               "  \"reps\": %zu,\n  \"pool\": %zu,\n  \"scorers\": {",
            given ? "given" : "random's final accuracy", batch, rounds, reps, pool);
    for (size_t s = 0; s < n_scorers; s++) {
        const dv_acq_summary *o = &S[s];
        fprintf(g, "%s\n    \"%s\": {\"final_accuracy\": ", s ? "," : "",
                dv_acq_scorer_name(scorers[s]));
        json_num(g, o->final_mean);
        fputs(", \"final_ci95\": ", g);
        json_num(g, o->final_ci);
        fprintf(g, ", \"reached\": %zu, \"labels_to_target\": [", o->reached);
        for (size_t r = 0; r < reps; r++) {
            fputs(r ? ", " : "", g);
            json_num(g, need[s * reps + r]);
        }
        fputs("], \"labels_mean\": ", g);
        json_num(g, o->labels_mean);
        fputs(", \"saved_vs_random\": ", g);
        if (isfinite(o->saved_mean)) {
            fputs("{\"mean\": ", g);
            json_num(g, o->saved_mean);
            fputs(", \"ci95\": [", g);
            json_num(g, isfinite(o->saved_ci) ? o->saved_mean - o->saved_ci : o->saved_mean);
            fputs(", ", g);
            json_num(g, isfinite(o->saved_ci) ? o->saved_mean + o->saved_ci : o->saved_mean);
            fprintf(g, "], \"pairs\": %zu}", o->pairs);
        } else {
            fputs("null", g);
        }
        fputc('}', g);
    }
    fputs("\n  }\n}\n", g);
    dv__free(S);
    dv__free(need);
    /* the summary, then the curves (a failure to write the summary leaves
     * both as they were) */
    if ((rc = dv__out_commit(g, jtmp, jpath, err))) {
        fclose(f);
        remove(tmp);
        return rc;
    }
    return dv__out_commit(f, tmp, path, err);
}

int dv_acquire_split(const dv_dataset *train, size_t initial, uint64_t seed,
                     dv_dataset **labelled, dv_dataset **pool, dv_error *err)
{
    *labelled = *pool = NULL;
    size_t n = train->n;
    if (initial == 0 || initial >= n)
        return dv__err(err, DV_EINVAL, "%zu labelled rows of a training split of %zu leave no "
                                       "pool (or label nothing)", initial, n);
    int64_t *perm = dv__malloc(n * sizeof *perm);
    if (!perm)
        return dv__err(err, DV_ENOMEM, "out of memory");
    /* the first `initial` of a seeded shuffle */
    dv_rng g;
    dv_rng_seed(&g, seed, 0x494e4954ULL); /* "INIT" */
    for (size_t i = 0; i < n; i++)
        perm[i] = (int64_t)i;
    dv__shuffle_prefix(perm, n, initial, &g);
    int rc = dv_dataset_subset(labelled, train, perm, initial, err);
    if (!rc && (rc = dv_dataset_subset(pool, train, perm + initial, n - initial, err))) {
        dv_dataset_free(*labelled);
        *labelled = NULL;
    }
    dv__free(perm);
    return rc;
}

int dv_acquire_laws(const dv_law_model *m, const dv_dataset *pool, dv_law *laws, size_t *heads,
                    dv_error *err)
{
    const dv_law_model_info *I = dv_law_model_get_info(m);
    size_t n = pool->n, d = pool->d, K = pool->n_classes;
    if (pool->task != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "the pool is not a classification data set");
    if (I->n_heads != 1 && I->n_heads != K)
        return dv__err(err, DV_EINVAL, "the law model has %zu heads; the data has %zu classes",
                       I->n_heads, K);
    *heads = I->n_heads;
    /* back to the file's units: the law model standardizes with its own */
    double *X = dv__malloc((n ? n : 1) * d * sizeof *X), *y = dv__malloc((n ? n : 1) * sizeof *y);
    dv_law *one = dv__malloc((n ? n : 1) * sizeof *one);
    if (!X || !y || !one) {
        dv__free(X);
        dv__free(y);
        dv__free(one);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    memcpy(X, pool->X, n * d * sizeof *X);
    for (size_t i = 0; pool->std_mean && i < n; i++)
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = X[i * d + j] * pool->std_scale[j] + pool->std_mean[j];
    int rc = DV_OK;
    for (size_t h = 0; h < *heads && !rc; h++) { /* every row as if of class h */
        for (size_t i = 0; i < n; i++)
            y[i] = (double)h;
        dv_dataset *ds = NULL;
        rc = dv_dataset_from_arrays(&ds, n, d, X, y, DV_TASK_CLASSIFICATION, K,
                                    (const char *const *)pool->col_names, err);
        if (!rc)
            rc = dv_dataset_set_names(ds, pool->label_name, (const char *const *)pool->class_names,
                                      err);
        if (!rc)
            rc = dv_law_model_predict_dataset(m, ds, one, err);
        for (size_t i = 0; i < n && !rc; i++)
            laws[i * *heads + h] = one[i];
        dv_dataset_free(ds);
    }
    dv__free(X);
    dv__free(y);
    dv__free(one);
    return rc;
}

void dv_acq_curve_means(const double *accuracy, size_t n_scorers, size_t reps, size_t rounds,
                        double *mean, double *half)
{
    size_t T1 = rounds + 1;
    for (size_t s = 0; s < n_scorers; s++)
        for (size_t q = 0; q < T1; q++) {
            double s1 = 0, s2 = 0;
            for (size_t r = 0; r < reps; r++) {
                double x = accuracy[(s * reps + r) * T1 + q];
                s1 += x;
                s2 += x * x;
            }
            double m = s1 / (double)reps;
            mean[s * T1 + q] = m;
            half[s * T1 + q] =
                reps > 1 ? dv_t95(reps - 1) *
                               sqrt(fmax((s2 - (double)reps * m * m) / (double)(reps - 1), 0) /
                                    (double)reps)
                         : NAN;
        }
}
