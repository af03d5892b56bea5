/*
 * internal.h -- private declarations shared by the modules in src/.
 * Never installed; the CLI must not include it.
 */
#ifndef DV_INTERNAL_H
#define DV_INTERNAL_H

#include "dval.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DV__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DV__PRINTF(a, b)
#endif

/* All allocations go through these (one place to add accounting or fault
 * injection). */
void *dv__malloc(size_t n);
void *dv__calloc(size_t n, size_t size);
void *dv__realloc(void *p, size_t n);
void dv__free(void *p);
char *dv__strdup(const char *s);

/* Fills err (when not NULL) and returns code. */
int dv__err(dv_error *err, int code, const char *fmt, ...) DV__PRINTF(3, 4);

/* The dataset.  Features row-major n x d. */
struct dv_dataset {
    size_t n, d;
    dv_task task;
    size_t n_classes;    /* 0 for regression */
    double *X;           /* n x d */
    double *y;           /* n; class index as double for classification */
    int64_t *src_rows;   /* n; source row of each row */
    char **col_names;    /* d names */
    char *label_name;
    char **class_names;  /* n_classes names */
};

/* Allocates an empty dataset shell with room for n x d (names not set). */
int dv__dataset_alloc(dv_dataset **out, size_t n, size_t d, dv_task task, size_t n_classes);

/* Dense linear algebra helpers (src/util/linalg.c), row-major. */
/* Cholesky factorization of the n x n SPD matrix A in place (lower).  Returns
 * 0 on success, nonzero if not positive definite. */
int dv__chol(double *A, size_t n);
/* Solves (L L^T) X = B in place for nrhs right-hand sides stored as columns
 * of the n x nrhs row-major matrix B. */
void dv__chol_solve(const double *L, size_t n, double *B, size_t nrhs);

/* SHA-256 of a file as 64 hex chars + NUL. */
int dv__sha256_file(const char *path, char hex[65], dv_error *err);

/* Formats a double so that it reads back exactly (%.17g, with "nan"/"inf"
 * spelled as JSON-safe strings by the caller). */
void dv__fmt_double(char *buf, size_t len, double v);

/* Writes a .npy v1.0 header for a C-order array into buf; returns its
 * length (a multiple of 64), or 0 if cap is too small. */
size_t dv__npy_header(char *buf, size_t cap, dv_dtype t, size_t rows, size_t cols);

#endif /* DV_INTERNAL_H */
