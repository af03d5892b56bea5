/*
 * law_model.c -- the trained amortized network as an object and a file:
 * what data it was trained on (columns, classes, standardization) and the
 * law-model file.  (amortized.c trains it and predicts with it.)
 *
 * The file (version 1), all integers unsigned 64-bit little-endian unless
 * said, doubles as the little-endian bytes of their IEEE-754 binary64:
 *   "DVLAWMDL"  u32 version  u32 0  u64 body length  body  u32 CRC-32(body)
 * body:
 *   n_features d, n_heads H, layers L, widths[0..L], n_params P,
 *   n_points, n_samples, epochs, seed, k_lo (i64), k_hi (i64), scale (f64),
 *   k_ref (f64),
 *   described (0/1), standardized (0/1), classes (0/1),
 *   label, d column names, H class names when classes (strings: u64 length
 *   and bytes), mean[d] and scale[d] (f64) when standardized, theta[P] (f64).
 */
#include "scaling/law_model.h"

#include <string.h>
#include <zlib.h>

#define MAGIC "DVLAWMDL"
#define VERSION 1u
#define MAX_STR 65536

dv_law_model *dv__law_model_new(const size_t *widths, size_t L, size_t n_heads)
{
    dv_law_model *m = dv__calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->L = L;
    size_t np = 0;
    for (size_t l = 0; l <= L; l++)
        m->widths[l] = widths[l];
    for (size_t l = 1; l <= L; l++)
        np += (widths[l - 1] + 1) * widths[l];
    m->info.n_features = widths[0];
    m->info.n_heads = n_heads;
    m->info.n_hidden = L - 1;
    for (size_t l = 1; l < L; l++)
        m->info.hidden[l - 1] = widths[l];
    m->info.n_params = np;
    m->info.label = "";
    if (!(m->theta = dv__calloc(np ? np : 1, sizeof(double)))) {
        dv__free(m);
        return NULL;
    }
    return m;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        dv__free(names[i]);
    dv__free(names);
}

/* Drops what dv_law_model_describe recorded. */
static void undescribe(dv_law_model *m)
{
    free_names(m->col_names, m->info.n_features);
    free_names(m->class_names, m->info.n_heads);
    dv__free(m->label);
    dv__free(m->mean);
    dv__free(m->sd);
    m->col_names = m->class_names = NULL;
    m->label = NULL;
    m->mean = m->sd = NULL;
    m->info.described = m->info.standardized = 0;
    m->info.label = "";
}

void dv_law_model_free(dv_law_model *m)
{
    if (!m)
        return;
    undescribe(m);
    dv__free(m->theta);
    dv__free(m);
}

const dv_law_model_info *dv_law_model_get_info(const dv_law_model *m) { return &m->info; }

const char *dv_law_model_col_name(const dv_law_model *m, size_t j)
{
    return m->col_names && j < m->info.n_features ? m->col_names[j] : "";
}

const char *dv_law_model_class_name(const dv_law_model *m, size_t c)
{
    return m->class_names && c < m->info.n_heads ? m->class_names[c] : "";
}

int dv_law_model_describe(dv_law_model *m, const dv_dataset *train, int64_t k_lo, int64_t k_hi,
                          dv_error *err)
{
    size_t d = m->info.n_features, H = m->info.n_heads, K = dv_dataset_classes(train);
    if (dv_dataset_cols(train) != d)
        return dv__err(err, DV_EINVAL, "law model: %zu features, but the data has %zu columns",
                       d, dv_dataset_cols(train));
    if (K ? K != H : H != 1)
        return dv__err(err, DV_EINVAL, "law model: %zu heads, but the data has %zu classes", H,
                       K);
    if (k_lo < 1 || k_hi < k_lo)
        return dv__err(err, DV_EINVAL, "law model: sizes %lld..%lld are not a range from 1",
                       (long long)k_lo, (long long)k_hi);
    undescribe(m);
    const double *mean = dv_dataset_std_mean(train), *sd = dv_dataset_std_scale(train);
    int bad = !(m->col_names = dv__calloc(d, sizeof(char *))) ||
              !(m->label = dv__strdup(dv_dataset_label_name(train)));
    for (size_t j = 0; j < d && !bad; j++)
        bad = !(m->col_names[j] = dv__strdup(dv_dataset_col_name(train, j)));
    if (!bad && K) {
        bad = !(m->class_names = dv__calloc(K, sizeof(char *)));
        for (size_t c = 0; c < K && !bad; c++)
            bad = !(m->class_names[c] = dv__strdup(dv_dataset_class_name(train, c)));
    }
    if (!bad && mean) {
        bad = !(m->mean = dv__malloc(d * sizeof(double))) ||
              !(m->sd = dv__malloc(d * sizeof(double)));
        if (!bad) {
            memcpy(m->mean, mean, d * sizeof(double));
            memcpy(m->sd, sd, d * sizeof(double));
        }
    }
    if (bad) {
        undescribe(m);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    m->info.described = 1;
    m->info.standardized = mean != NULL;
    m->info.label = m->label;
    m->info.k_lo = k_lo;
    m->info.k_hi = k_hi;
    return DV_OK;
}

/* ---- the file ---------------------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = dv__realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u64(wbuf *b, uint64_t v)
{
    unsigned char c[8];
    for (int i = 0; i < 8; i++)
        c[i] = (unsigned char)(v >> (8 * i));
    put(b, c, 8);
}

static void put_f64(wbuf *b, double x)
{
    uint64_t v;
    memcpy(&v, &x, 8);
    put_u64(b, v);
}

static void put_str(wbuf *b, const char *s)
{
    size_t n = strlen(s);
    put_u64(b, n);
    put(b, s, n);
}

static void put_u32(wbuf *b, uint32_t v)
{
    unsigned char c[4];
    for (int i = 0; i < 4; i++)
        c[i] = (unsigned char)(v >> (8 * i));
    put(b, c, 4);
}

int dv_law_model_write(const dv_law_model *m, const char *path, dv_error *err)
{
    const dv_law_model_info *I = &m->info;
    wbuf b = {0};
    put_u64(&b, I->n_features);
    put_u64(&b, I->n_heads);
    put_u64(&b, m->L);
    for (size_t l = 0; l <= m->L; l++)
        put_u64(&b, m->widths[l]);
    put_u64(&b, I->n_params);
    put_u64(&b, I->n_points);
    put_u64(&b, I->n_samples);
    put_u64(&b, (uint64_t)I->epochs);
    put_u64(&b, I->seed);
    put_u64(&b, (uint64_t)I->k_lo);
    put_u64(&b, (uint64_t)I->k_hi);
    put_f64(&b, m->scale);
    put_f64(&b, m->k_ref);
    put_u64(&b, (uint64_t)I->described);
    put_u64(&b, (uint64_t)I->standardized);
    put_u64(&b, m->class_names != NULL);
    if (I->described) {
        put_str(&b, m->label);
        for (size_t j = 0; j < I->n_features; j++)
            put_str(&b, m->col_names[j]);
        for (size_t h = 0; m->class_names && h < I->n_heads; h++)
            put_str(&b, m->class_names[h]);
        for (size_t j = 0; I->standardized && j < I->n_features; j++)
            put_f64(&b, m->mean[j]);
        for (size_t j = 0; I->standardized && j < I->n_features; j++)
            put_f64(&b, m->sd[j]);
    }
    for (size_t q = 0; q < I->n_params; q++)
        put_f64(&b, m->theta[q]);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b.p, (uInt)b.len);
    wbuf h = {0};
    put(&h, MAGIC, 8);
    put_u32(&h, VERSION);
    put_u32(&h, 0);
    put_u64(&h, b.len);
    if (b.oom || h.oom) {
        dv__free(b.p);
        dv__free(h.p);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    int rc = f ? DV_OK : DV_EIO;
    if (f) {
        unsigned char c[4];
        for (int i = 0; i < 4; i++)
            c[i] = (unsigned char)(crc >> (8 * i));
        fwrite(h.p, 1, h.len, f);
        fwrite(b.p, 1, b.len, f);
        fwrite(c, 1, 4, f);
        rc = dv__out_commit(f, tmp, path, err);
    }
    dv__free(b.p);
    dv__free(h.p);
    return rc;
}

typedef struct {
    const unsigned char *p;
    size_t len, at;
    int short_read;
} rbuf;

static uint64_t get_u64(rbuf *b)
{
    if (b->at + 8 > b->len) {
        b->short_read = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b->p[b->at + i] << (8 * i);
    b->at += 8;
    return v;
}

static double get_f64(rbuf *b)
{
    uint64_t v = get_u64(b);
    double x;
    memcpy(&x, &v, 8);
    return x;
}

static char *get_str(rbuf *b)
{
    uint64_t n = get_u64(b);
    if (b->short_read || n > MAX_STR || b->at + n > b->len) {
        b->short_read = 1;
        return NULL;
    }
    char *s = dv__malloc(n + 1);
    if (s) {
        memcpy(s, b->p + b->at, n);
        s[n] = '\0';
    }
    b->at += n;
    return s;
}

static uint32_t le32(const unsigned char *c)
{
    return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

/* The model in body b (checked), or NULL with err filled. */
static dv_law_model *parse(rbuf *b, const char *path, dv_error *err)
{
    size_t d = get_u64(b), H = get_u64(b), L = get_u64(b), widths[DV__NET_MAX_LAYERS + 1];
    if (b->short_read || L < 1 || L > DV__NET_MAX_LAYERS || H < 1 || H > 1000000) {
        dv__err(err, DV_EINVAL, "%s: the network's shape is not valid", path);
        return NULL;
    }
    for (size_t l = 0; l <= L; l++)
        if ((widths[l] = get_u64(b)) < 1 || widths[l] > 1000000 || b->short_read) {
            dv__err(err, DV_EINVAL, "%s: layer %zu's width is not valid", path, l);
            return NULL;
        }
    if (widths[0] != d || widths[L] != 5 * H) {
        dv__err(err, DV_EINVAL, "%s: the widths do not match %zu features and %zu heads", path,
                d, H);
        return NULL;
    }
    dv_law_model *m = dv__law_model_new(widths, L, H);
    if (!m) {
        dv__err(err, DV_ENOMEM, "out of memory");
        return NULL;
    }
    dv_law_model_info *I = &m->info;
    int bad = get_u64(b) != I->n_params;
    I->n_points = get_u64(b);
    I->n_samples = get_u64(b);
    uint64_t epochs = get_u64(b);
    I->epochs = (int)(epochs <= INT32_MAX ? epochs : 0);
    I->seed = get_u64(b);
    int64_t k_lo = (int64_t)get_u64(b), k_hi = (int64_t)get_u64(b);
    m->scale = get_f64(b);
    m->k_ref = get_f64(b);
    /* Flags are 0 or 1 in all 64 bits (a cast to int would let 2^32 + 1
     * pass as 1). */
    uint64_t flag[3] = {get_u64(b), get_u64(b), get_u64(b)};
    int described = flag[0] == 1, standardized = flag[1] == 1, classes = flag[2] == 1;
    bad = bad || epochs > INT32_MAX || !(m->scale > 0) || !isfinite(m->scale) ||
          !(m->k_ref >= 1) || !isfinite(m->k_ref) || flag[0] > 1 || flag[1] > 1 || flag[2] > 1 ||
          (!described && (standardized || classes));
    if (!bad && described) {
        m->col_names = dv__calloc(d, sizeof(char *));
        m->class_names = classes ? dv__calloc(H, sizeof(char *)) : NULL;
        bad = !m->col_names || (classes && !m->class_names) || !(m->label = get_str(b));
        for (size_t j = 0; j < d && !bad; j++)
            bad = !(m->col_names[j] = get_str(b));
        for (size_t h = 0; classes && h < H && !bad; h++)
            bad = !(m->class_names[h] = get_str(b));
        if (!bad && standardized) {
            bad = !(m->mean = dv__malloc(d * sizeof(double))) ||
                  !(m->sd = dv__malloc(d * sizeof(double)));
            for (size_t j = 0; j < d && !bad; j++)
                m->mean[j] = get_f64(b);
            for (size_t j = 0; j < d && !bad; j++)
                bad = !((m->sd[j] = get_f64(b)) > 0);
        }
        I->described = !bad;
        I->standardized = standardized;
        I->label = m->label ? m->label : "";
        I->k_lo = k_lo;
        I->k_hi = k_hi;
        bad = bad || k_lo < 1 || k_hi < k_lo;
    }
    for (size_t q = 0; q < I->n_params && !bad; q++)
        bad = !isfinite(m->theta[q] = get_f64(b));
    if (bad || b->short_read || b->at != b->len) {
        dv_law_model_free(m);
        dv__err(err, DV_EINVAL, "%s: the body does not describe a law model", path);
        return NULL;
    }
    return m;
}

int dv_law_model_read(dv_law_model **out, const char *path, dv_error *err)
{
    *out = NULL;
    size_t len;
    unsigned char *p = (unsigned char *)dv__slurp(path, &len);
    if (!p)
        return dv__err(err, DV_EIO, "%s: cannot read the law model", path);
    int rc = DV_EINVAL;
    rbuf h = {p, len, 16, 0};
    uint64_t blen = get_u64(&h); /* 0 (short_read) for a file under 24 bytes */
    if (len < 24 || memcmp(p, MAGIC, 8) != 0)
        dv__err(err, rc, "%s: not a dval law model (no DVLAWMDL header)", path);
    else if (le32(p + 8) != VERSION)
        dv__err(err, rc, "%s: law-model format version %u; this dval reads version %u", path,
                le32(p + 8), VERSION);
    else if (le32(p + 12) != 0)
        dv__err(err, rc, "%s: the header's reserved field is %u, not 0 (a damaged file, or a "
                "newer format)", path, le32(p + 12));
    else if (len < 28 || blen != len - 28)
        dv__err(err, rc, "%s: %zu bytes, but the header announces a body of %llu (a cut or "
                "damaged file)", path, len, (unsigned long long)blen);
    else if ((uint32_t)crc32(crc32(0L, Z_NULL, 0), p + 24, (uInt)blen) != le32(p + 24 + blen))
        dv__err(err, rc, "%s: the checksum does not match (a damaged file)", path);
    else {
        rbuf b = {p + 24, (size_t)blen, 0, 0};
        if ((*out = parse(&b, path, err)))
            rc = DV_OK;
    }
    dv__free(p);
    return rc;
}
