/*
 * net.c -- the passes of a fully connected ReLU network over a batch of rows
 * (products through BLAS, on the calling thread), its seeded start and the
 * Adam step: what the mlp learner and networks with losses of their own
 * share.
 */
#include "learn/net.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define ADAM_B1 0.9
#define ADAM_B2 0.999
#define ADAM_EPS 1e-8

void dv__net_free(dv__net *net)
{
    for (size_t l = 0; l <= net->L; l++)
        dv__free(net->A[l]);
    dv__free(net->D);
    dv__free(net->D2);
    memset(net, 0, sizeof *net);
}

int dv__net_init(dv__net *net, const size_t *w, size_t L, size_t cap)
{
    memset(net, 0, sizeof *net);
    if (L < 1 || L > DV__NET_MAX_LAYERS)
        return DV_EINVAL;
    net->L = L;
    net->cap = cap ? cap : 1;
    memcpy(net->w, w, (L + 1) * sizeof *w);
    size_t maxw = 0, off = 0;
    for (size_t l = 0; l <= L; l++) {
        maxw = w[l] > maxw ? w[l] : maxw;
        net->A[l] = dv__malloc(net->cap * (w[l] ? w[l] : 1) * sizeof(double));
        if (!net->A[l])
            return DV_ENOMEM;
        if (l > 0) {
            net->off[l] = off;
            off += w[l] * w[l - 1] + w[l];
        }
    }
    net->n_params = off;
    net->D = dv__malloc(net->cap * maxw * sizeof(double));
    net->D2 = dv__malloc(net->cap * maxw * sizeof(double));
    return net->D && net->D2 ? DV_OK : DV_ENOMEM;
}

/* Weights and biases uniform in +-1/sqrt(fan-in), one stream per layer. */
void dv__net_init_weights(const dv__net *ps, double *theta, uint64_t seed)
{
    for (size_t l = 1; l <= ps->L; l++) {
        size_t in = ps->w[l - 1], out = ps->w[l];
        double bound = 1.0 / sqrt((double)(in ? in : 1));
        dv_rng r;
        dv_rng_seed(&r, seed, 0x4d4c5000ULL + l); /* "MLP" */
        double *W = theta + ps->off[l];
        for (size_t q = 0; q < out * in + out; q++)
            W[q] = bound * (2.0 * dv_rng_uniform(&r) - 1.0);
    }
}

/* Activations of rows X (nb x d) under theta; the output layer's are
 * pre-activations (logits or the regression output). */
void dv__net_forward(dv__net *ps, const double *theta, const double *X, size_t nb)
{
    memcpy(ps->A[0], X, nb * ps->w[0] * sizeof(double));
    for (size_t l = 1; l <= ps->L; l++) {
        size_t in = ps->w[l - 1], out = ps->w[l];
        const double *W = theta + ps->off[l], *b = W + out * in;
        double *Z = ps->A[l];
        for (size_t i = 0; i < nb; i++)
            memcpy(Z + i * out, b, out * sizeof(double));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)out, (int)in, 1.0,
                    ps->A[l - 1], (int)in, W, (int)in, 1.0, Z, (int)out);
        if (l < ps->L)
            for (size_t i = 0; i < nb * out; i++)
                Z[i] = Z[i] > 0.0 ? Z[i] : 0.0;
        if (l < ps->L && ps->drop_rng) {
            double keep = 1.0 / (1.0 - ps->drop);
            for (size_t i = 0; i < nb * out; i++)
                Z[i] = dv_rng_uniform(ps->drop_rng) < ps->drop ? 0.0 : Z[i] * keep;
        }
    }
}

/* Gradient of the batch loss into grad (n_params) from the deltas in
 * ps->D, with the penalty's term alpha / scale * W. */
void dv__net_backward(dv__net *ps, const double *theta, size_t nb, double alpha, double scale,
                      double *grad)
{
    double *D = ps->D, *D2 = ps->D2;
    for (size_t l = ps->L; l >= 1; l--) {
        size_t in = ps->w[l - 1], out = ps->w[l];
        const double *W = theta + ps->off[l];
        double *gW = grad + ps->off[l], *gb = gW + out * in;
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out, (int)in, (int)nb, 1.0, D,
                    (int)out, ps->A[l - 1], (int)in, 0.0, gW, (int)in);
        for (size_t q = 0; q < out * in; q++)
            gW[q] += alpha / scale * W[q];
        for (size_t k = 0; k < out; k++)
            gb[k] = 0.0;
        for (size_t i = 0; i < nb; i++)
            for (size_t k = 0; k < out; k++)
                gb[k] += D[i * out + k];
        if (l == 1)
            break;
        /* delta_{l-1} = (delta_l W_l) .* relu'(z_{l-1}) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)in, (int)out, 1.0, D,
                    (int)out, W, (int)in, 0.0, D2, (int)in);
        const double *A = ps->A[l - 1];
        /* a dropped unit's activation is 0, a kept one's was scaled */
        double keep = ps->drop_rng ? 1.0 / (1.0 - ps->drop) : 1.0;
        for (size_t q = 0; q < nb * in; q++)
            D2[q] = A[q] > 0.0 ? D2[q] * keep : 0.0;
        double *t = D;
        D = D2;
        D2 = t;
    }
}

/* The penalty alpha / 2 ||W||^2 over the weights (not the biases). */
double dv__net_penalty(const dv__net *ps, const double *theta, double alpha)
{
    double s = 0.0;
    for (size_t l = 1; l <= ps->L; l++) {
        const double *W = theta + ps->off[l];
        for (size_t q = 0; q < ps->w[l] * ps->w[l - 1]; q++)
            s += W[q] * W[q];
    }
    return 0.5 * alpha * s;
}

void dv__adam_step(double *theta, const double *grad, double *m1, double *m2, size_t np, long t,
                   double lr, double wd)
{
    double c1 = 1.0 - pow(ADAM_B1, (double)t), c2 = 1.0 - pow(ADAM_B2, (double)t);
    double decay = 1.0 - lr * wd;
    for (size_t q = 0; q < np; q++) {
        double g = grad[q];
        m1[q] = ADAM_B1 * m1[q] + (1.0 - ADAM_B1) * g;
        m2[q] = ADAM_B2 * m2[q] + (1.0 - ADAM_B2) * g * g;
        if (wd > 0)
            theta[q] *= decay;
        theta[q] -= lr * (m1[q] / c1) / (sqrt(m2[q] / c2) + ADAM_EPS);
    }
}

void dv__net_shuffle(size_t *order, size_t n, uint64_t seed, uint64_t stream)
{
    dv_rng r;
    dv_rng_seed(&r, seed, stream);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)dv_rng_below(&r, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

const char *dv__net_check_hidden(const size_t *hidden, size_t n_hidden)
{
    if (n_hidden > DV_MLP_MAX_HIDDEN)
        return "at most 8 hidden layers";
    for (size_t l = 0; l < n_hidden; l++)
        if (hidden[l] < 1 || hidden[l] > 1000000)
            return "hidden layer sizes must be in 1..1000000";
    return NULL;
}
