/*
 * amortized.c -- the amortized estimator of the scaling-law paper (Covert,
 * Ji, Hashimoto & Zou, ICML 2024): one network maps each point's features
 * to its law, trained on the samples of all points at once, so that points
 * share what their few samples say.
 *
 * Outputs per head: u (the logit of c's sign), log |c|, log alpha,
 * log sigma, log beta (capped at 2).  With r_j = delta_j - s |c| k_j^-alpha
 * and v_j = sigma^2 k_j^-beta, a point's loss is
 *     min over s = +-1 of  mean_j [ log(2 pi)/2 + log sigma - beta log(k_j)/2
 *                                   + r_j^2 / (2 v_j) ]
 *     + softplus(u) - [s = +1] u  +  1e-5 (alpha - 1)^2,
 * the deltas divided by their overall standard deviation.  Training: AdamW
 * with a linear warm-up and a cosine decay, the gradient's norm clipped,
 * early stopping on held-out points.  The trained network (a dv_law_model,
 * law_model.c) then predicts the laws of rows it never saw, raw rows
 * matched to its columns and classes by name.
 */
#include "scaling/law_model.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#define N_OUT 5
#define LOG_BETA_MAX 2.0
#define ALPHA_PRIOR 1e-5
#define HALF_LOG_2PI 0.91893853320467274178

void dv_amortized_params_default(dv_amortized_params *p)
{
    memset(p, 0, sizeof *p);
    p->hidden[0] = p->hidden[1] = 128;
    p->n_hidden = 2;
    p->epochs = 100;
    p->batch_size = 128;
    p->lr = 1e-3;
    p->lr_min = 1e-5;
    p->warmup = 5;
    p->weight_decay = 1e-5;
    p->clip = 1.0;
    /* The reference holds out 10 % of the points to choose the epoch.  On
     * real runs (Adult and MAGIC, 500 to 3,000 points, 5 to 100 samples
     * each) the held-out loss of so few noisy samples chose early, poor
     * epochs and made values unstable across seeds, and the held-out points
     * are valued from their features alone; training on every point and
     * keeping the last epoch was better in nearly every case, here and in
     * an independent PyTorch implementation (BENCHMARKS.md). */
    p->val_fraction = 0.0;
    p->patience = 0;
    p->pretrain_epochs = 10;
    p->k_ref = 1.0;
}

const char *dv_amortized_params_check(const dv_amortized_params *p)
{
    if (!p)
        return "amortized parameters are NULL";
    const char *why = dv__net_check_hidden(p->hidden, p->n_hidden);
    if (why)
        return why;
    if (p->epochs < 1 || p->batch_size < 1 || p->patience < 0 || p->warmup < 0)
        return "epochs and batch_size must be >= 1, patience and warmup >= 0";
    if (!(p->lr > 0) || !isfinite(p->lr) || !(p->lr_min >= 0) || !(p->lr_min <= p->lr))
        return "need 0 <= lr_min <= lr, lr finite and > 0";
    if (!(p->weight_decay >= 0) || !(p->lr * p->weight_decay < 1))
        return "weight_decay must be >= 0 with lr * weight_decay < 1";
    if (!(p->clip >= 0) || !isfinite(p->clip))
        return "clip must be a finite number >= 0";
    if (!(p->val_fraction >= 0 && p->val_fraction < 1))
        return "val_fraction must be in [0, 1)";
    if (!(p->k_ref >= 1) || !isfinite(p->k_ref))
        return "k_ref must be a finite size >= 1";
    if (p->pretrain && p->pretrain_epochs < 1)
        return "pretrain_epochs must be >= 1";
    return NULL;
}

/* The samples of the points, standardized. */
typedef struct {
    const double *X;
    const int32_t *head;
    const double *delta;   /* divided by scale */
    const double *logk;    /* log card */
    size_t n, d, m, heads;
} amo_data;

/* The loss of one point from its head's outputs o[0..4]; the derivatives
 * into g[0..4] (scaled by w) when g is not NULL; *sign the better sign. */
static double point_loss(const amo_data *A, size_t i, const double *o, double w, double *g,
                         int *sign)
{
    const double *dl = A->delta + i * A->m, *lk = A->logk + i * A->m;
    double u = o[0], lc = o[1], la = o[2], ls = o[3];
    int capped = o[4] > LOG_BETA_MAX;
    double lb = capped ? LOG_BETA_MAX : o[4];
    double a = exp(lc), alpha = exp(la), beta = exp(lb), inv_s2 = exp(-2.0 * ls);
    double nll[2] = {0, 0};
    for (int si = 0; si < 2; si++) {
        double s = si ? -1.0 : 1.0;
        for (size_t j = 0; j < A->m; j++) {
            double r = dl[j] - s * a * exp(-alpha * lk[j]);
            nll[si] += ls - 0.5 * beta * lk[j] + 0.5 * r * r * inv_s2 * exp(beta * lk[j]);
        }
        nll[si] = nll[si] / (double)A->m + HALF_LOG_2PI;
    }
    int si = nll[1] < nll[0];
    double s = si ? -1.0 : 1.0, t = si ? 0.0 : 1.0;
    double loss = nll[si] + (dv__softplus(u) - t * u) +
                  ALPHA_PRIOR * (alpha - 1.0) * (alpha - 1.0);
    if (sign)
        *sign = si ? -1 : 1;
    if (!g)
        return loss;
    double glc = 0, gla = 0, gls = 0, glb = 0;
    for (size_t j = 0; j < A->m; j++) {
        double e = exp(-alpha * lk[j]), kb = exp(beta * lk[j]);
        double r = dl[j] - s * a * e, q = r * inv_s2 * kb; /* r / v */
        glc += -q * s * a * e;
        gla += q * s * a * e * alpha * lk[j];
        gls += 1.0 - r * q;
        glb += 0.5 * beta * lk[j] * (r * q - 1.0);
    }
    double im = w / (double)A->m;
    g[0] = w * (dv__sigmoid(u) - t);
    g[1] = glc * im;
    g[2] = gla * im + w * 2.0 * ALPHA_PRIOR * (alpha - 1.0) * alpha;
    g[3] = gls * im;
    g[4] = capped ? 0.0 : glb * im;
    return loss;
}

/* Forward pass over points idx[0..nb-1]: the rows gathered into Xb; returns
 * the summed loss and, with grad, the gradient of the mean loss. */
static double batch(const amo_data *A, dv__net *net, const double *theta, const size_t *idx,
                    size_t nb, double *Xb, double *grad)
{
    size_t d = A->d, o = net->w[net->L];
    for (size_t b = 0; b < nb; b++)
        memcpy(Xb + b * d, A->X + idx[b] * d, d * sizeof(double));
    dv__net_forward(net, theta, Xb, nb);
    double loss = 0.0;
    for (size_t b = 0; b < nb; b++) {
        size_t h = A->head ? (size_t)A->head[idx[b]] : 0;
        const double *out = net->A[net->L] + b * o + h * N_OUT;
        double *D = net->D + b * o;
        if (grad)
            memset(D, 0, o * sizeof(double));
        loss += point_loss(A, idx[b], out, 1.0 / (double)nb, grad ? D + h * N_OUT : NULL, NULL);
    }
    if (grad)
        dv__net_backward(net, theta, nb, 0.0, 1.0, grad);
    return loss;
}

/* Step size at step t of T, warm-up W steps: linear up, then cosine down. */
static double step_size(const dv_amortized_params *p, long t, long T, long W)
{
    if (t < W)
        return p->lr * (double)(t + 1) / (double)W;
    double f = T > W ? (double)(t - W) / (double)(T - W) : 1.0;
    return p->lr_min + 0.5 * (p->lr - p->lr_min) * (1.0 + cos(3.14159265358979323846 * f));
}

/* The trainer's arrays. */
typedef struct {
    dv__net net;
    double *theta, *grad, *m1, *m2, *best, *Xb, *sd, *lk;
    size_t *order;
} amo_work;

static void work_free(amo_work *w)
{
    dv__net_free(&w->net);
    void *ptrs[] = {w->theta, w->grad, w->m1, w->m2, w->best, w->Xb, w->sd, w->lk, w->order};
    for (size_t i = 0; i < DV__COUNT(ptrs); i++)
        dv__free(ptrs[i]);
}

/* The epochs; returns the parameters with the best held-out loss (or the
 * last ones without held-out points) in w->theta. */
static void train(const amo_data *A, const dv_amortized_params *p, amo_work *w, size_t n_train,
                  size_t n_held)
{
    size_t np = w->net.n_params, B = p->batch_size;
    long steps_per = (long)((n_train + B - 1) / B), T = steps_per * p->epochs;
    long W = steps_per * p->warmup, t = 0;
    double best = INFINITY;
    int since = 0;
    for (int e = 0; e < p->epochs; e++) {
        dv__net_shuffle(w->order, n_train, p->seed, 0x414d4f00ULL + (uint64_t)e); /* "AMO" */
        for (size_t from = 0; from < n_train; from += B) {
            size_t nb = n_train - from < B ? n_train - from : B;
            batch(A, &w->net, w->theta, w->order + from, nb, w->Xb, w->grad);
            double gn = 0.0;
            for (size_t q = 0; q < np; q++)
                gn += w->grad[q] * w->grad[q];
            gn = sqrt(gn);
            if (p->clip > 0 && gn > p->clip)
                for (size_t q = 0; q < np; q++)
                    w->grad[q] *= p->clip / gn;
            double lr = step_size(p, t, T, W);
            dv__adam_step(w->theta, w->grad, w->m1, w->m2, np, ++t, lr, p->weight_decay);
        }
        if (!n_held)
            continue;
        double v = 0.0;
        for (size_t from = 0; from < n_held; from += B) {
            size_t nb = n_held - from < B ? n_held - from : B;
            v += batch(A, &w->net, w->theta, w->order + n_train + from, nb, w->Xb, NULL);
        }
        if (v < best) {
            best = v;
            since = 0;
            memcpy(w->best, w->theta, np * sizeof(double));
        } else if (p->patience > 0 && ++since >= p->patience) {
            break;
        }
    }
    if (n_held && isfinite(best))
        memcpy(w->theta, w->best, np * sizeof(double));
}

/* The hidden layers of theta from an mlp classifier of the same hidden
 * sizes trained on p->pretrain (the reference's pretraining); the layouts
 * of the hidden layers agree. */
static int pretrain(const dv_amortized_params *p, const dv__net *net, size_t d, double *theta,
                    dv_error *err)
{
    const dv_dataset *ds = p->pretrain;
    if (dv_dataset_task(ds) != DV_TASK_CLASSIFICATION || dv_dataset_cols(ds) != d)
        return dv__err(err, DV_EINVAL,
                       "amortized: the pretraining data must be a classification data set with "
                       "the points' %zu features", d);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_MLP);
    lp.n_hidden = p->n_hidden;
    memcpy(lp.hidden, p->hidden, sizeof lp.hidden);
    lp.epochs = p->pretrain_epochs;
    lp.batch_size = p->batch_size;
    lp.seed = p->seed;
    dv_model *m = NULL;
    int rc = dv_model_fit(&m, &lp, ds, NULL, 0, NULL, err);
    if (!rc && m->mlp_layers == net->L)
        memcpy(theta, m->theta, net->off[net->L] * sizeof(double));
    dv_model_free(m);
    return rc;
}

/* The law of point i from the trained network's outputs o. */
static void point_law(const double *o, double scale, double k_ref, dv_law *L)
{
    int s = o[0] >= 0 ? 1 : -1; /* the sign the network predicts */
    double lb = o[4] > LOG_BETA_MAX ? LOG_BETA_MAX : o[4];
    L->alpha = exp(o[2]);
    L->beta = exp(lb);
    /* c (k / k_ref)^-alpha = (c k_ref^alpha) k^-alpha, likewise sigma */
    L->c = s * exp(o[1] + L->alpha * log(k_ref)) * scale;
    L->sigma = exp(o[3] + 0.5 * L->beta * log(k_ref)) * scale;
    L->status = DV_LAW_OK;
}

int dv_law_model_fit(dv_law_model **out, const double *X, size_t n_points, size_t d,
                     const int32_t *head, size_t n_heads, const double *delta,
                     const int32_t *card, size_t n_samples, const dv_amortized_params *p,
                     dv_law *laws, dv_error *err)
{
    *out = NULL;
    const char *why = dv_amortized_params_check(p);
    if (why)
        return dv__err(err, DV_EINVAL, "amortized: %s", why);
    if (!X || !delta || !card || n_points < 2 || n_samples < 1 || d < 1)
        return dv__err(err, DV_EINVAL, "amortized: needs at least 2 points with features and samples");
    size_t heads = head ? n_heads : 1, m = n_samples, N = n_points * m;
    for (size_t i = 0; head && i < n_points; i++)
        if (head[i] < 0 || (size_t)head[i] >= heads)
            return dv__err(err, DV_EINVAL, "amortized: point %zu has head %d, not in 0..%zu", i,
                           (int)head[i], heads - 1);
    amo_work w = {0};
    w.sd = dv__malloc(N * sizeof(double));
    w.lk = dv__malloc(N * sizeof(double));
    w.order = dv__malloc(n_points * sizeof(size_t));
    if (!w.sd || !w.lk || !w.order) {
        work_free(&w);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    /* Deltas over their standard deviation (about zero), log sizes. */
    double ss = 0.0;
    for (size_t q = 0; q < N; q++) {
        if (!isfinite(delta[q]) || card[q] < 1) {
            work_free(&w);
            return dv__err(err, DV_EINVAL, "amortized: sample %zu of point %zu is %g at k = %d",
                           q % m, q / m, delta[q], (int)card[q]);
        }
        ss += delta[q] * delta[q];
    }
    double scale = sqrt(ss / (double)N);
    if (!(scale > 0))
        scale = 1.0;
    for (size_t q = 0; q < N; q++) {
        w.sd[q] = delta[q] / scale;
        w.lk[q] = log((double)card[q] / p->k_ref);
    }
    amo_data A = {X, head, w.sd, w.lk, n_points, d, m, heads};
    size_t widths[DV__NET_MAX_LAYERS + 1], L = p->n_hidden + 1;
    widths[0] = d;
    for (size_t l = 1; l < L; l++)
        widths[l] = p->hidden[l - 1];
    widths[L] = N_OUT * heads;
    size_t B = p->batch_size < n_points ? p->batch_size : n_points;
    int rc = dv__net_init(&w.net, widths, L, B);
    size_t np = w.net.n_params;
    if (!rc) {
        w.theta = dv__calloc(np, sizeof(double));
        w.grad = dv__malloc(np * sizeof(double));
        w.m1 = dv__calloc(np, sizeof(double));
        w.m2 = dv__calloc(np, sizeof(double));
        w.best = dv__malloc(np * sizeof(double));
        w.Xb = dv__malloc(B * d * sizeof(double));
        if (!w.theta || !w.grad || !w.m1 || !w.m2 || !w.best || !w.Xb)
            rc = DV_ENOMEM;
    }
    if (rc) {
        work_free(&w);
        return dv__err(err, rc, rc == DV_ENOMEM ? "out of memory" : "amortized: too many layers");
    }
    dv__net_init_weights(&w.net, w.theta, p->seed);
    if (p->pretrain && (rc = pretrain(p, &w.net, d, w.theta, err))) {
        work_free(&w);
        return rc;
    }
    memset(w.theta + w.net.off[L], 0, (np - w.net.off[L]) * sizeof(double)); /* last layer at 0 */
    for (size_t i = 0; i < n_points; i++)
        w.order[i] = i;
    size_t held = (size_t)llround(p->val_fraction * (double)n_points);
    if (held >= n_points)
        held = 0;
    if (held)
        dv__net_shuffle(w.order, n_points, p->seed, 0x484f4c44ULL); /* "HOLD" */
    /* The products run on this thread, so the result is the same for any
     * number of threads. */
    int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    train(&A, p, &w, n_points - held, held);
    /* Every point's law from the trained network. */
    for (size_t from = 0; laws && from < n_points; from += B) {
        size_t nb = n_points - from < B ? n_points - from : B;
        for (size_t b = 0; b < nb; b++)
            w.order[b] = from + b;
        batch(&A, &w.net, w.theta, w.order, nb, w.Xb, NULL);
        for (size_t b = 0; b < nb; b++) {
            size_t i = from + b, h = head ? (size_t)head[i] : 0;
            const double *o = w.net.A[L] + b * N_OUT * heads + h * N_OUT;
            dv_law_fit_log(delta + i * m, card + i * m, m, &laws[i]);
            point_law(o, scale, p->k_ref, &laws[i]);
            laws[i].nll = point_loss(&A, i, o, 1.0, NULL, NULL) + log(scale);
            laws[i].n_samples = m;
        }
    }
    omp_set_num_threads(nt);
    dv_law_model *M = dv__law_model_new(widths, L, heads);
    if (M) {
        memcpy(M->theta, w.theta, np * sizeof(double));
        M->scale = scale;
        M->k_ref = p->k_ref;
        M->info.n_points = n_points;
        M->info.n_samples = m;
        M->info.epochs = p->epochs;
        M->info.seed = p->seed;
    }
    work_free(&w);
    if (!M)
        return dv__err(err, DV_ENOMEM, "out of memory");
    *out = M;
    return DV_OK;
}

int dv_law_fit_amortized(const double *X, size_t n_points, size_t d, const int32_t *head,
                         size_t n_heads, const double *delta, const int32_t *card,
                         size_t n_samples, const dv_amortized_params *p, dv_law *laws,
                         dv_error *err)
{
    if (!laws)
        return dv__err(err, DV_EINVAL, "amortized: laws is NULL");
    dv_law_model *M;
    int rc = dv_law_model_fit(&M, X, n_points, d, head, n_heads, delta, card, n_samples, p, laws,
                              err);
    dv_law_model_free(M);
    return rc;
}

int dv_law_model_predict(const dv_law_model *m, const double *X, size_t n, const int32_t *head,
                         dv_law *laws, dv_error *err)
{
    size_t heads = m->info.n_heads, d = m->info.n_features, B = 256;
    if (!head && heads > 1)
        return dv__err(err, DV_EINVAL, "law model: heads are needed for a model with %zu heads",
                       heads);
    for (size_t i = 0; i < n; i++) {
        if (head && (head[i] < 0 || (size_t)head[i] >= heads))
            return dv__err(err, DV_EINVAL, "law model: row %zu has head %d, not in 0..%zu", i,
                           (int)head[i], heads - 1);
        for (size_t j = 0; j < d; j++)
            if (!isfinite(X[i * d + j]))
                return dv__err(err, DV_EINVAL, "law model: feature %zu of row %zu is not finite",
                               j, i);
    }
    dv__net net;
    memset(&net, 0, sizeof net);
    if (dv__net_init(&net, m->widths, m->L, B))
        return dv__err(err, DV_ENOMEM, "out of memory");
    int nt = omp_get_max_threads(); /* one thread: the same bits as in training */
    omp_set_num_threads(1);
    for (size_t from = 0; from < n; from += B) {
        size_t nb = n - from < B ? n - from : B;
        dv__net_forward(&net, m->theta, X + from * d, nb);
        for (size_t b = 0; b < nb; b++) {
            size_t i = from + b, h = head ? (size_t)head[i] : 0;
            memset(&laws[i], 0, sizeof laws[i]);
            point_law(net.A[m->L] + b * N_OUT * heads + h * N_OUT, m->scale, m->k_ref, &laws[i]);
        }
    }
    omp_set_num_threads(nt);
    dv__net_free(&net);
    return DV_OK;
}



int dv_law_model_predict_dataset(const dv_law_model *m, const dv_dataset *ds, dv_law *laws,
                                 dv_error *err)
{
    if (!m->info.described)
        return dv__err(err, DV_EINVAL, "law model: it does not record its data's columns "
                                       "(dv_law_model_describe)");
    size_t d = m->info.n_features, n = dv_dataset_rows(ds), e = dv_dataset_cols(ds);
    if (m->class_names && dv_dataset_task(ds) != DV_TASK_CLASSIFICATION)
        return dv__err(err, DV_EINVAL, "law model: made for classification, the data is not");
    /* col[j]: the data's column holding the model's column j. */
    size_t *col = dv__malloc((d + e) * sizeof(size_t));
    int32_t *head = dv__malloc((n ? n : 1) * sizeof(int32_t));
    double *X = dv__malloc((n ? n : 1) * d * sizeof(double));
    int32_t *cls = dv__malloc((dv_dataset_classes(ds) + 1) * sizeof(int32_t));
    int rc = !col || !head || !X || !cls ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    for (size_t j = 0; j < d && !rc; j++) {
        col[j] = e;
        for (size_t q = 0; q < e && col[j] == e; q++)
            if (strcmp(dv_dataset_col_name(ds, q), m->col_names[j]) == 0)
                col[j] = q;
        if (col[j] == e)
            rc = dv__err(err, DV_EINVAL, "the data has no column '%s' (the law model's column "
                         "%zu)", m->col_names[j], j + 1);
    }
    if (!rc && e != d)
        for (size_t q = 0; q < e && !rc; q++) {
            size_t j = 0;
            while (j < d && strcmp(dv_dataset_col_name(ds, q), m->col_names[j]) != 0)
                j++;
            if (j == d)
                rc = dv__err(err, DV_EINVAL, "the data's column '%s' is not one the law model "
                             "was trained on", dv_dataset_col_name(ds, q));
        }
    /* cls[c]: the head of the data's class c, -1 when the model has none. */
    for (size_t c = 0; c < dv_dataset_classes(ds) && !rc; c++) {
        cls[c] = -1;
        for (size_t h = 0; m->class_names && h < m->info.n_heads; h++)
            if (strcmp(dv_dataset_class_name(ds, c), m->class_names[h]) == 0)
                cls[c] = (int32_t)h;
    }
    const double *F = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    for (size_t i = 0; i < n && !rc; i++) {
        for (size_t j = 0; j < d; j++) {
            double v = F[i * e + col[j]];
            X[i * d + j] = m->mean ? (v - m->mean[j]) / m->sd[j] : v;
        }
        head[i] = m->class_names ? cls[(size_t)y[i]] : 0;
        if (head[i] < 0)
            rc = dv__err(err, DV_EINVAL, "row %lld has the class '%s', which the law model has "
                         "no head for", (long long)dv_dataset_source_rows(ds)[i] + 1,
                         dv_dataset_class_name(ds, (size_t)y[i]));
    }
    if (!rc)
        rc = dv_law_model_predict(m, X, n, head, laws, err);
    dv__free(col);
    dv__free(head);
    dv__free(X);
    dv__free(cls);
    return rc;
}

double dv__amortized_loss_grad(const double *X, size_t n_points, size_t d, const int32_t *head,
                               size_t n_heads, const double *delta, const int32_t *card,
                               size_t m, const size_t *hidden, size_t n_hidden,
                               const double *theta, double *grad)
{
    size_t N = n_points * m, heads = head ? n_heads : 1;
    double *lk = dv__malloc(N * sizeof(double));
    size_t *idx = dv__malloc(n_points * sizeof(size_t));
    double *Xb = dv__malloc(n_points * d * sizeof(double));
    size_t widths[DV__NET_MAX_LAYERS + 1], L = n_hidden + 1;
    widths[0] = d;
    for (size_t l = 1; l < L; l++)
        widths[l] = hidden[l - 1];
    widths[L] = N_OUT * heads;
    dv__net net;
    memset(&net, 0, sizeof net);
    double loss = NAN;
    if (lk && idx && Xb && dv__net_init(&net, widths, L, n_points) == DV_OK) {
        for (size_t q = 0; q < N; q++)
            lk[q] = log((double)card[q]);
        for (size_t i = 0; i < n_points; i++)
            idx[i] = i;
        amo_data A = {X, head, delta, lk, n_points, d, m, heads};
        loss = batch(&A, &net, theta, idx, n_points, Xb, grad) / (double)n_points;
    }
    dv__net_free(&net);
    dv__free(lk);
    dv__free(idx);
    dv__free(Xb);
    return loss;
}
