/*
 * fuzz_npy.c -- the .npy reader (dv_npy_read) on any bytes, for each of
 * the three element types.  A successful read must agree with the file:
 * the header's shape times the element size is the file's length after
 * the header, and writing the array back and reading it again gives the
 * same values.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[4200], back[4200];
    fz_input(path, back, "in.npy", "back.npy", data, size);
    static const size_t elem[3] = {8, 4, 8};
    for (int t = DV_F64; t <= DV_I64; t++) {
        void *a = NULL, *b = NULL;
        size_t rows = 0, cols = 0, r2, c2;
        dv_error err = {0};
        if (dv_npy_read(path, (dv_dtype)t, &a, &rows, &cols, &err)) {
            fz_check(a == NULL && err.code != 0 && err.msg[0]);
            continue;
        }
        size_t n = rows * (cols ? cols : 1);
        fz_check(n * elem[t] <= size);
        fz_check(!dv_npy_write(back, (dv_dtype)t, a, rows, cols, &err));
        fz_check(!dv_npy_read(back, (dv_dtype)t, &b, &r2, &c2, &err));
        fz_check(r2 == rows && c2 == cols);
        fz_check(n == 0 || !memcmp(a, b, n * elem[t]));
        dv_free(a);
        dv_free(b);
    }
    return 0;
}
