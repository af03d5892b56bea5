/*
 * npy.c -- reading and writing NumPy .npy files (format version 1.0,
 * little-endian, C order), and the file hash recorded in run manifests.
 */
#include "internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *descr_of(dv_dtype t)
{
    switch (t) {
    case DV_F64: return "<f8";
    case DV_I32: return "<i4";
    case DV_I64: return "<i8";
    }
    return NULL;
}

static size_t size_of(dv_dtype t) { return t == DV_I32 ? 4 : 8; }

/* Builds the header (magic, version, length, dict padded to 64 bytes). */
size_t dv__npy_header(char *buf, size_t cap, dv_dtype t, size_t rows, size_t cols)
{
    char dict[256];
    int n;
    if (cols == 0)
        n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
                     descr_of(t), rows);
    else
        n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     descr_of(t), rows, cols);
    size_t total = 10 + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64;
    total += pad;
    if (total > cap)
        return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    size_t hl = total - 10;
    buf[8] = (char)(hl & 0xff);
    buf[9] = (char)(hl >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', pad);
    buf[total - 1] = '\n';
    return total;
}

int dv_npy_write(const char *path, dv_dtype t, const void *data, size_t rows, size_t cols,
                 dv_error *err)
{
    char hdr[512], tmp[4096];
    size_t hl = dv__npy_header(hdr, sizeof hdr, t, rows, cols);
    size_t count = rows * (cols ? cols : 1);
    if (!hl || !descr_of(t))
        return dv__err(err, DV_EINVAL, "%s: cannot build .npy header", path);
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return dv__err(err, DV_EINVAL, "%s: path too long", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return dv__err(err, DV_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    int ok = fwrite(hdr, 1, hl, f) == hl;
    if (ok && count)
        ok = fwrite(data, size_of(t), count, f) == count;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok) {
        remove(tmp);
        return dv__err(err, DV_EIO, "%s: write failed: %s", path, strerror(errno));
    }
    if (dv_file_replace(tmp, path) != 0) {
        remove(tmp);
        return dv__err(err, DV_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
    }
    return DV_OK;
}

/* Parses the header dict.  Returns 0 on success. */
static int parse_dict(const char *d, char *descr, size_t dlen, int *fortran, size_t *shape,
                      int *ndim)
{
    const char *p = strstr(d, "'descr'");
    if (!p)
        return -1;
    p = strchr(p + 7, '\'');
    if (!p)
        return -1;
    const char *q = strchr(p + 1, '\'');
    if (!q || (size_t)(q - p - 1) >= dlen)
        return -1;
    memcpy(descr, p + 1, (size_t)(q - p - 1));
    descr[q - p - 1] = 0;
    p = strstr(d, "'fortran_order'");
    if (!p)
        return -1;
    p += 15;
    while (*p == ' ' || *p == ':')
        p++;
    *fortran = strncmp(p, "True", 4) == 0;
    p = strstr(d, "'shape'");
    if (!p)
        return -1;
    p = strchr(p, '(');
    if (!p)
        return -1;
    p++;
    *ndim = 0;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        errno = 0;
        if (*p < '0' || *p > '9') /* strtoull would take "-1" */
            return -1;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || *ndim >= 2 || v > SIZE_MAX / 16)
            return -1;
        shape[(*ndim)++] = (size_t)v;
        p = end;
    }
    return 0;
}

int dv_npy_read(const char *path, dv_dtype t, void **data, size_t *rows, size_t *cols,
                dv_error *err)
{
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dv__err(err, DV_EIO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char pre[10];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: not a .npy file", path);
    }
    size_t hl;
    if (pre[6] == 1) {
        hl = (size_t)pre[8] | ((size_t)pre[9] << 8);
    } else if (pre[6] == 2 || pre[6] == 3) {
        unsigned char b[2];
        if (fread(b, 1, 2, f) != 2) {
            fclose(f);
            return dv__err(err, DV_EFORMAT, "%s: truncated header", path);
        }
        hl = (size_t)pre[8] | ((size_t)pre[9] << 8) | ((size_t)b[0] << 16) | ((size_t)b[1] << 24);
    } else {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: unsupported .npy version %d", path, pre[6]);
    }
    if (hl > 1 << 20) {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: header too long", path);
    }
    char *dict = dv__malloc(hl + 1);
    if (!dict) {
        fclose(f);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    if (fread(dict, 1, hl, f) != hl) {
        dv__free(dict);
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: truncated header", path);
    }
    dict[hl] = 0;
    char descr[32];
    int fortran, ndim;
    size_t shape[2] = {0, 0};
    int bad = parse_dict(dict, descr, sizeof descr, &fortran, shape, &ndim);
    dv__free(dict);
    if (bad || ndim < 1) {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: cannot parse header (need a 1-D or 2-D array)", path);
    }
    if (strcmp(descr, descr_of(t)) != 0) {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: dtype is '%s', expected '%s'", path, descr, descr_of(t));
    }
    if (fortran && ndim == 2 && shape[0] > 1 && shape[1] > 1) {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: Fortran-order arrays are not supported", path);
    }
    /* A 2-D array without columns would read back as a 1-D array (cols is
     * 0 for 1-D arrays). */
    if (ndim == 2 && shape[1] == 0 && shape[0] > 0) {
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: the array has shape (%zu, 0): no columns", path,
                       shape[0]);
    }
    size_t count = shape[0] * (ndim == 2 ? shape[1] : 1);
    /* The shape must fit the bytes the file holds (and size_t). */
    long at = ftell(f);
    struct stat st;
    if (shape[0] > SIZE_MAX / 16 || (ndim == 2 && shape[1] && shape[0] > SIZE_MAX / 16 / shape[1]) ||
        at < 0 ||
        fstat(fileno(f), &st) != 0 || (uint64_t)count * size_of(t) > (uint64_t)st.st_size - at) {
        fclose(f);
        return dv__err(err, DV_EFORMAT,
                       "%s: the header's shape (%zu%s%.0zu) needs more data than the file's %lld "
                       "bytes (a damaged or cut file)",
                       path, shape[0], ndim == 2 ? ", " : "", ndim == 2 ? shape[1] : 0,
                       (long long)st.st_size);
    }
    void *buf = dv__malloc(count ? count * size_of(t) : 1);
    if (!buf) {
        fclose(f);
        return dv__err(err, DV_ENOMEM, "%s: out of memory for %zu values", path, count);
    }
    if (fread(buf, size_of(t), count, f) != count) {
        dv__free(buf);
        fclose(f);
        return dv__err(err, DV_EFORMAT, "%s: truncated data (expected %zu values)", path, count);
    }
    fclose(f);
    *data = buf;
    *rows = shape[0];
    *cols = ndim == 2 ? shape[1] : 0;
    return DV_OK;
}

int dv_sha256_file(const char *path, char hex[65], dv_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dv__err(err, DV_EIO, "%s: cannot open: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        fclose(f);
        return dv__err(err, DV_ENOMEM, "cannot initialize SHA-256");
    }
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, got);
    int rerr = ferror(f);
    fclose(f);
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (rerr)
        return dv__err(err, DV_EIO, "%s: read error", path);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return DV_OK;
}
