/*
 * mlp.c -- the multilayer perceptron learner: fully connected layers with
 * ReLU, a sigmoid (two classes), softmax (more classes) or linear
 * (regression) output, trained by Adam (Kingma & Ba, ICLR 2015) or AdamW
 * (Loshchilov & Hutter, ICLR 2019) on seeded minibatches, with optional
 * early stopping on a held-out fraction of the rows.
 *
 * The loss of a minibatch of b rows is scikit-learn's: the mean
 * cross-entropy (or half the mean squared error) plus alpha / 2 ||W||^2 / b
 * over the weights (not the biases).  Weights and biases start uniform in
 * +-1/sqrt(fan-in), the default of the common frameworks.  Every random
 * choice (initial weights, the order of the rows in each epoch, the
 * held-out rows) comes from streams keyed by the seed, and the products run
 * on the calling thread, so a fit is the same bit for bit for any number of
 * threads.  A fit always starts from its own seeded weights (warm starts
 * are not used: they would make a subset's model depend on earlier fits).
 */
#include "learn/net.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define PREDICT_CHUNK 1024

/* The layer widths of an mlp for d features: d, the hidden sizes, and one
 * output (two classes, regression) or K (more classes). */
static size_t set_widths(dv_model *m, const dv_learner_params *p)
{
    size_t K = m->n_classes, L = p->n_hidden + 1, np = 0;
    m->mlp_width[0] = m->d;
    for (size_t l = 1; l < L; l++)
        m->mlp_width[l] = p->hidden[l - 1];
    m->mlp_width[L] = m->task == DV_TASK_CLASSIFICATION && K > 2 ? K : 1;
    m->mlp_layers = L;
    for (size_t l = 1; l <= L; l++)
        np += m->mlp_width[l] * m->mlp_width[l - 1] + m->mlp_width[l];
    return np;
}

/* log(1 + e^t) without overflow or cancellation. */
/* The summed loss of the nb rows from the output layer, and the output
 * deltas dLoss/dz divided by `scale` into ps->D. */
static double output_loss(const dv_model *m, dv__net *ps, const double *y, size_t nb,
                          double scale)
{
    size_t o = ps->w[ps->L];
    const double *Z = ps->A[ps->L];
    double *D = ps->D, loss = 0.0;
    for (size_t i = 0; i < nb; i++) {
        const double *z = Z + i * o;
        double *dz = D + i * o;
        if (m->task == DV_TASK_REGRESSION) {
            double r = z[0] - y[i];
            loss += 0.5 * r * r;
            dz[0] = r / scale;
        } else if (o == 1) {
            int pos = y[i] > 0.5;
            loss += dv__softplus(pos ? -z[0] : z[0]);
            dz[0] = (dv__sigmoid(z[0]) - (pos ? 1.0 : 0.0)) / scale;
        } else {
            size_t c = (size_t)y[i];
            loss += dv__softmax(z, o, dz) - z[c];
            for (size_t k = 0; k < o; k++)
                dz[k] = (dz[k] - (k == c ? 1.0 : 0.0)) / scale;
        }
    }
    return loss;
}

double dv__mlp_loss_grad(const dv_model *m, const double *theta, const double *X,
                         const double *y, size_t n, double alpha, double *grad)
{
    dv__net ps;
    double loss = NAN;
    if (n > 0 && dv__net_init(&ps, m->mlp_width, m->mlp_layers, n) == DV_OK) {
        dv__net_forward(&ps, theta, X, n);
        loss = (output_loss(m, &ps, y, n, (double)n) + dv__net_penalty(&ps, theta, alpha)) / (double)n;
        if (grad)
            dv__net_backward(&ps, theta, n, alpha, (double)n, grad);
    }
    if (n > 0)
        dv__net_free(&ps);
    return loss;
}

/* ------------------------------------------------------------------------ */
/* Training                                                                 */
/* ------------------------------------------------------------------------ */

/* What a fit works on: the rows, the parameters and Adam's moments. */
typedef struct {
    const dv_model *m;
    const dv_learner_params *p;
    dv__net ps;
    size_t n, d, n_train, n_held; /* rows: the first n_train of order train, the rest are held out */
    double *X, *y;                /* n x d gathered rows, n targets */
    size_t *order;
    double *theta, *grad, *mom1, *mom2, *best, *Xb, *yb;
    size_t np;
    long step;
    dv__epoch_fn on_epoch; /* may be NULL */
    void *on_epoch_user;
} trainer;

static void trainer_free(trainer *t)
{
    dv__net_free(&t->ps);
    void *ptrs[] = {t->X, t->y, t->order, t->theta, t->grad, t->mom1, t->mom2, t->best, t->Xb,
                    t->yb};
    for (size_t i = 0; i < DV__COUNT(ptrs); i++)
        dv__free(ptrs[i]);
}

/* One Adam (or AdamW) step on the batch of rows order[from..from + nb);
 * returns the batch's summed loss plus the penalty alpha / 2 ||W||^2 before
 * the step (scikit-learn's accumulated loss) when the stopping rule needs
 * it, else 0. */
static double adam_step(trainer *t, size_t from, size_t nb)
{
    const dv_learner_params *p = t->p;
    size_t d = t->d;
    for (size_t i = 0; i < nb; i++) {
        size_t r = t->order[from + i];
        memcpy(t->Xb + i * d, t->X + r * d, d * sizeof(double));
        t->yb[i] = t->y[r];
    }
    dv__net_forward(&t->ps, t->theta, t->Xb, nb);
    double loss = output_loss(t->m, &t->ps, t->yb, nb, (double)nb);
    if (p->loss_tol > 0)
        loss += dv__net_penalty(&t->ps, t->theta, p->alpha);
    dv__net_backward(&t->ps, t->theta, nb, p->alpha, (double)nb, t->grad);
    t->step++;
    dv__adam_step(t->theta, t->grad, t->mom1, t->mom2, t->np, t->step, p->lr, p->weight_decay);
    return p->loss_tol > 0 ? loss : 0.0;
}

/* The mean loss (no penalty) of the held-out rows. */
static double held_out_loss(trainer *t)
{
    size_t d = t->d, done = 0;
    double loss = 0.0;
    dv_rng *drop = t->ps.drop_rng; /* the held-out loss uses every unit */
    t->ps.drop_rng = NULL;
    while (done < t->n_held) {
        size_t nb = t->n_held - done < t->ps.cap ? t->n_held - done : t->ps.cap;
        for (size_t i = 0; i < nb; i++) {
            size_t r = t->order[t->n_train + done + i];
            memcpy(t->Xb + i * d, t->X + r * d, d * sizeof(double));
            t->yb[i] = t->y[r];
        }
        dv__net_forward(&t->ps, t->theta, t->Xb, nb);
        loss += output_loss(t->m, &t->ps, t->yb, nb, 1.0);
        done += nb;
    }
    t->ps.drop_rng = drop;
    return loss / (double)t->n_held;
}

/* The epochs: seeded batches of the training rows; with a held-out part,
 * stop after patience epochs without a lower held-out loss and keep the
 * best parameters; without one and with loss_tol > 0, scikit-learn's rule
 * on the training loss (MLPClassifier's tol and n_iter_no_change).
 * Returns the epochs run, or -status when on_epoch stopped the fit. */
static int train(trainer *t)
{
    const dv_learner_params *p = t->p;
    double best = INFINITY, best_train = INFINITY;
    int since = 0, stale = 0, e;
    for (e = 0; e < p->epochs; e++) {
        dv__net_shuffle(t->order, t->n_train, p->seed, 0x45504f43ULL + (uint64_t)e); /* "EPOC" */
        double sum = 0.0;
        for (size_t from = 0; from < t->n_train; from += p->batch_size) {
            size_t nb = t->n_train - from < p->batch_size ? t->n_train - from : p->batch_size;
            sum += adam_step(t, from, nb);
        }
        if (t->on_epoch) {
            int rc = t->on_epoch(t->on_epoch_user, t->m, e + 1);
            if (rc)
                return rc > 0 ? -rc : rc;
        }
        if (!t->n_held && p->loss_tol > 0) {
            double loss = sum / (double)t->n_train;
            stale = loss > best_train - p->loss_tol ? stale + 1 : 0;
            best_train = loss < best_train ? loss : best_train;
            if (stale > p->n_iter_no_change) {
                e++;
                break;
            }
        }
        if (!t->n_held)
            continue;
        double v = held_out_loss(t);
        if (v < best) {
            best = v;
            since = 0;
            memcpy(t->best, t->theta, t->np * sizeof(double));
        } else if (++since >= p->patience) {
            e++;
            break;
        }
    }
    if (t->n_held && isfinite(best))
        memcpy(t->theta, t->best, t->np * sizeof(double));
    return e;
}

/* The training rows and targets; *n_present and *last count the classes. */
static int gather(trainer *t, const dv_dataset *ds, const int64_t *rows, size_t n, size_t K,
                  size_t *n_present, size_t *last, dv_error *err)
{
    size_t d = ds->d;
    t->X = dv__malloc((n ? n : 1) * d * sizeof(double) + 1);
    t->y = dv__malloc((n ? n : 1) * sizeof(double));
    t->order = dv__malloc((n ? n : 1) * sizeof(size_t));
    if (!t->X || !t->y || !t->order)
        return dv__err(err, DV_ENOMEM, "out of memory");
    unsigned char seen[256] = {0};
    *n_present = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? (size_t)rows[i] : i;
        memcpy(t->X + i * d, ds->X + r * d, d * sizeof(double));
        t->y[i] = ds->y[r];
        t->order[i] = i;
        if (K > 0 && K <= 256 && !seen[(size_t)ds->y[r]]) {
            seen[(size_t)ds->y[r]] = 1;
            ++*n_present;
            *last = (size_t)ds->y[r];
        }
    }
    return DV_OK;
}

int dv__mlp_fit(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                const int64_t *rows, size_t n, dv_error *err)
{
    return dv__mlp_fit_traced(m, p, ds, rows, n, NULL, NULL, err);
}

int dv__mlp_fit_traced(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                       const int64_t *rows, size_t n, dv__epoch_fn fn, void *user,
                       dv_error *err)
{
    size_t K = m->n_classes;
    if (m->task == DV_TASK_CLASSIFICATION && K > 256)
        return dv__err(err, DV_EINVAL, "mlp: at most 256 classes");
    size_t np = set_widths(m, p);
    dv__free(m->theta);
    m->theta = dv__calloc(np, sizeof(double));
    m->n_params = np;
    m->mode = DV__MODEL_MLP;
    if (!m->theta)
        return dv__err(err, DV_ENOMEM, "out of memory");
    trainer t = {.m = m, .p = p, .n = n, .d = ds->d, .n_train = n, .np = np,
                 .on_epoch = fn, .on_epoch_user = user};
    size_t n_present = 0, last = 0;
    int rc = gather(&t, ds, rows, n, K, &n_present, &last, err);
    if (!rc && m->task == DV_TASK_CLASSIFICATION && n_present < 2) {
        /* no rows: the uniform prior; one class: that class */
        m->mode = n_present == 0 ? DV__MODEL_UNIFORM : DV__MODEL_ONE_CLASS;
        m->const_class = last;
        trainer_free(&t);
        return DV_OK;
    }
    if (!rc && n == 0) { /* regression without rows: all-zero parameters predict 0 */
        trainer_free(&t);
        return DV_OK;
    }
    /* Held-out rows for early stopping: the last of a seeded permutation. */
    size_t held = (size_t)llround(p->val_fraction * (double)n);
    if (!rc && p->val_fraction > 0 && held >= 1 && held < n) {
        dv__net_shuffle(t.order, n, p->seed, 0x484f4c44ULL); /* "HOLD" */
        t.n_held = held;
        t.n_train = n - held;
    }
    size_t cap = p->batch_size < n ? p->batch_size : n;
    if (!rc && dv__net_init(&t.ps, m->mlp_width, m->mlp_layers, cap))
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    if (!rc) {
        t.theta = m->theta;
        t.grad = dv__malloc(np * sizeof(double));
        t.mom1 = dv__calloc(np, sizeof(double));
        t.mom2 = dv__calloc(np, sizeof(double));
        t.best = dv__malloc(np * sizeof(double));
        t.Xb = dv__malloc(cap * ds->d * sizeof(double) + 1);
        t.yb = dv__malloc(cap * sizeof(double));
        if (!t.grad || !t.mom1 || !t.mom2 || !t.best || !t.Xb || !t.yb)
            rc = dv__err(err, DV_ENOMEM, "out of memory");
    }
    dv_rng drop;
    if (!rc && p->dropout > 0) { /* masks of the training steps only */
        dv_rng_seed(&drop, p->seed, 0x44524f50ULL); /* "DROP" */
        t.ps.drop_rng = &drop;
        t.ps.drop = p->dropout;
    }
    if (!rc) {
        dv__net_init_weights(&t.ps, m->theta, p->seed);
        int e = train(&t);
        if (e < 0)
            rc = dv__err(err, -e, "stopped after an epoch by the caller");
        else
            m->iterations = e;
    }
    t.theta = NULL; /* m's */
    trainer_free(&t);
    return rc;
}

int dv__mlp_predict(const dv_model *m, const double *X, size_t n_rows, double *out)
{
    size_t o = m->mlp_width[m->mlp_layers], K = m->n_classes, d = m->d;
    size_t cap = n_rows < PREDICT_CHUNK ? n_rows : PREDICT_CHUNK;
    dv__net ps;
    if (dv__net_init(&ps, m->mlp_width, m->mlp_layers, cap)) {
        dv__net_free(&ps);
        return DV_ENOMEM;
    }
    for (size_t done = 0; done < n_rows; done += cap) {
        size_t nb = n_rows - done < cap ? n_rows - done : cap;
        dv__net_forward(&ps, m->theta, X + done * d, nb);
        const double *Z = ps.A[ps.L];
        for (size_t i = 0; i < nb; i++) {
            const double *z = Z + i * o;
            double *y = out + (done + i) * (m->task == DV_TASK_REGRESSION ? 1 : K);
            if (m->task == DV_TASK_REGRESSION) {
                y[0] = z[0];
            } else if (o == 1) {
                y[0] = dv__sigmoid(-z[0]);
                y[1] = dv__sigmoid(z[0]);
            } else {
                dv__softmax(z, o, y);
            }
        }
    }
    dv__net_free(&ps);
    return DV_OK;
}
