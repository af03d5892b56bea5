/*
 * fuzz_law_model.c -- the law-model reader (dv_law_model_read) on any
 * bytes, and again with the body length and the CRC-32 of the envelope
 * made right (most mutations would otherwise stop at the checksum).  A
 * model that reads must predict a row of zeros in every head (the laws of
 * an arbitrary network may overflow; they are not checked) and write back
 * to the same bytes.
 */
#include "fuzz.h"

#include <zlib.h>

static void read_model(const char *path, const char *back, const uint8_t *data, size_t size)
{
    fz_write(path, data, size);
    dv_law_model *m = NULL;
    dv_error err = {0};
    if (dv_law_model_read(&m, path, &err)) {
        fz_check(m == NULL && err.code != 0 && err.msg[0]);
        return;
    }
    const dv_law_model_info *in = dv_law_model_get_info(m);
    fz_check(in->n_features > 0 && in->n_heads > 0);
    double *x = calloc(in->n_features, sizeof *x);
    fz_check(x != NULL);
    for (size_t h = 0; h < in->n_heads; h++) {
        int32_t head = (int32_t)h;
        dv_law law;
        fz_check(!dv_law_model_predict(m, x, 1, &head, &law, &err));
    }
    free(x);
    fz_check(!dv_law_model_write(m, back, &err));
    FILE *f = fopen(back, "rb");
    fz_check(f != NULL);
    uint8_t *b = malloc(size + 1);
    size_t n = fread(b, 1, size + 1, f);
    fclose(f);
    fz_check(n == size && !memcmp(b, data, size));
    free(b);
    dv_law_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[4200], back[4200];
    if (!path[0]) {
        fz_path(path, sizeof path, "in.bin");
        fz_path(back, sizeof back, "back.bin");
    }
    read_model(path, back, data, size);
    if (size < 28 || memcmp(data, "DVLAWMDL", 8))
        return 0;
    /* "DVLAWMDL" u32 version u32 0 u64 body-length, body, u32 CRC-32(body) */
    uint8_t *fixed = malloc(size);
    fz_check(fixed != NULL);
    memcpy(fixed, data, size);
    uint64_t blen = size - 28;
    for (int i = 0; i < 8; i++)
        fixed[16 + i] = (uint8_t)(blen >> (8 * i));
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), fixed + 24, (uInt)blen);
    for (int i = 0; i < 4; i++)
        fixed[24 + blen + i] = (uint8_t)(crc >> (8 * i));
    read_model(path, back, fixed, size);
    free(fixed);
    return 0;
}
