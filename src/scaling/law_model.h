/*
 * law_model.h -- private: the trained amortized network (amortized.c trains
 * and runs it; law_model.c describes, writes and reads it).
 */
#ifndef DV_SCALING_LAW_MODEL_H
#define DV_SCALING_LAW_MODEL_H

#include "learn/net.h"

struct dv_law_model {
    dv_law_model_info info;
    size_t L;                           /* weight layers */
    size_t widths[DV__NET_MAX_LAYERS + 1];
    double *theta;                      /* info.n_params */
    double scale;                       /* the deltas were divided by it */
    double k_ref;                       /* the size the outputs' c and sigma refer to */
    /* From dv_law_model_describe (NULL before): */
    char **col_names;                   /* n_features */
    char **class_names;                 /* n_heads, or NULL for regression */
    char *label;
    double *mean, *sd;                  /* n_features each, or NULL */
};

/* An empty model of the given widths (theta zeroed), or NULL. */
dv_law_model *dv__law_model_new(const size_t *widths, size_t L, size_t n_heads);

#endif
