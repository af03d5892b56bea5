/*
 * net.h -- private: the passes of a fully connected ReLU network over a
 * batch of rows (net.c), for the mlp learner (mlp.c) and for networks with
 * losses of their own.  Layer l (1..L) maps w[l - 1] inputs to w[l]
 * outputs; its weights (w[l] x w[l - 1], row-major) and then its biases sit
 * at theta + off[l].  Hidden layers apply ReLU; the last layer is linear.
 */
#ifndef DV_LEARN_NET_H
#define DV_LEARN_NET_H

#include "internal.h"

#define DV__NET_MAX_LAYERS (DV_MLP_MAX_HIDDEN + 1)

typedef struct {
    size_t L, cap;                         /* weight layers; rows a pass holds */
    size_t w[DV__NET_MAX_LAYERS + 1];      /* widths w[0..L] */
    size_t off[DV__NET_MAX_LAYERS + 1];    /* layer l's parameters at theta + off[l] */
    size_t n_params;
    double *A[DV__NET_MAX_LAYERS + 1];     /* activations, cap x w[l]; A[L]: the outputs */
    double *D, *D2;                        /* deltas, cap x max width; D: dLoss/d(outputs) */
    /* dropout of the hidden units: with drop_rng set, each forward pass
     * drops each hidden activation with probability drop and scales the
     * others by 1 / (1 - drop), and the backward pass follows the same
     * masks (kept in the zeroed activations); NULL: none */
    dv_rng *drop_rng;
    double drop;
} dv__net;

/* Buffers for passes of the network of widths w[0..L] over up to cap rows. */
int dv__net_init(dv__net *net, const size_t *w, size_t L, size_t cap);
void dv__net_free(dv__net *net);
/* Weights and biases uniform in +-1/sqrt(fan-in), one stream per layer. */
void dv__net_init_weights(const dv__net *net, double *theta, uint64_t seed);
/* net->A[L] := the outputs for rows X (nb x w[0], nb <= cap). */
void dv__net_forward(dv__net *net, const double *theta, const double *X, size_t nb);
/* grad := the gradient of a batch loss whose output deltas the caller put
 * in net->D (after dv__net_forward on the same rows), plus the penalty
 * alpha / scale * W on the weights. */
void dv__net_backward(dv__net *net, const double *theta, size_t nb, double alpha, double scale,
                      double *grad);
/* alpha / 2 ||W||^2 over the weights (not the biases). */
double dv__net_penalty(const dv__net *net, const double *theta, double alpha);
/* One Adam step (Kingma & Ba, ICLR 2015) at step count t >= 1 with step
 * size lr, and AdamW's decoupled decay (Loshchilov & Hutter, ICLR 2019)
 * theta *= 1 - lr * wd when wd > 0. */
void dv__adam_step(double *theta, const double *grad, double *m1, double *m2, size_t np, long t,
                   double lr, double wd);

/* order := a permutation of order by a seeded Fisher-Yates shuffle. */
void dv__net_shuffle(size_t *order, size_t n, uint64_t seed, uint64_t stream);
/* NULL when n_hidden (at most DV_MLP_MAX_HIDDEN) sizes in 1..1000000 are
 * given, else a static message. */
const char *dv__net_check_hidden(const size_t *hidden, size_t n_hidden);

#endif
