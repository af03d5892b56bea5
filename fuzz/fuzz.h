/*
 * fuzz.h -- what the fuzz harnesses share: each harness is a libFuzzer
 * entry point (LLVMFuzzerTestOneInput) that writes the input where a
 * reader of dval expects a file and runs the reader.  Any outcome is fine
 * except a crash, a sanitizer report, a leak, a hang or an allocation
 * beyond libFuzzer's limit; a reader that succeeds must also give a result
 * that passes the harness's own checks (fz_check).
 *
 * The same harnesses are linked with replay.c by the ordinary build, which
 * runs them over the seed corpus and the regression inputs as tests.
 */
#ifndef DV_FUZZ_H
#define DV_FUZZ_H

#include <dval.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory for the harness's files, made on first use and
 * removed (with the files the harness named) at exit. */
const char *fz_dir(void);
/* fz_dir()/name, in a static buffer per call site (the caller copies). */
void fz_path(char *buf, size_t cap, const char *name);
/* On the first call, the paths of the input file and of a copy written
 * back (both in fz_dir()); then writes the input. */
void fz_input(char in[4200], char back[4200], const char *in_name, const char *back_name,
              const uint8_t *data, size_t size);
/* Writes n bytes to path (replacing it); aborts when it cannot. */
void fz_write(const char *path, const uint8_t *data, size_t n);
/* Copies the file src to dst; aborts when it cannot. */
void fz_copy(const char *src, const char *dst);

/* A failed property of a successful read: report and abort, so that the
 * fuzzer keeps the input. */
#define fz_check(cond)                                                                 \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                   \
        }                                                                              \
    } while (0)

#endif
