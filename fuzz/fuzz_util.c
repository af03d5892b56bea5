/*
 * fuzz_util.c -- the private directory and file helpers of fuzz.h.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>

static char g_dir[4096];

static void remove_dir(void)
{
    DIR *d = opendir(g_dir);
    if (!d)
        return;
    struct dirent *e;
    char p[8192];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(g_dir);
}

const char *fz_dir(void)
{
    if (!g_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(g_dir, sizeof g_dir, "%s/dvfuzz.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(g_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(remove_dir);
    }
    return g_dir;
}

void fz_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", fz_dir(), name);
}

void fz_write(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f)) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

void fz_copy(const char *src, const char *dst)
{
    FILE *f = fopen(src, "rb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot read %s: %s\n", src, strerror(errno));
        abort();
    }
    uint8_t buf[65536];
    size_t n, cap = 0, len = 0;
    uint8_t *all = NULL;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n > cap) {
            cap = 2 * (len + n);
            all = realloc(all, cap);
            if (!all)
                abort();
        }
        memcpy(all + len, buf, n);
        len += n;
    }
    fclose(f);
    fz_write(dst, all, len);
    free(all);
}

void fz_input(char in[4200], char back[4200], const char *in_name, const char *back_name,
              const uint8_t *data, size_t size)
{
    if (!in[0]) {
        fz_path(in, 4200, in_name);
        fz_path(back, 4200, back_name);
    }
    fz_write(in, data, size);
}
