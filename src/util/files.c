/*
 * files.c -- small file helpers of the library: paths inside a folder,
 * whole-file reads, and writes that go to a temporary name and are renamed
 * into place only when complete, so a failure never leaves a half file.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dv__path_in(char *buf, size_t len, const char *dir, const char *name)
{
    return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

int dv__file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *dv__slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *s = dv__malloc(cap);
    while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *t = dv__realloc(s, cap *= 2);
            if (!t)
                dv__free(s);
            s = t;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (s && bad) {
        dv__free(s);
        errno = EIO;
        return NULL;
    }
    if (s)
        s[n] = 0;
    else
        errno = ENOMEM;
    if (len)
        *len = n;
    return s;
}

FILE *dv__out_open(const char *path, char *tmp, size_t tmplen, dv_error *err)
{
    if (snprintf(tmp, tmplen, "%s.tmp%ld", path, (long)getpid()) >= (int)tmplen) {
        dv__err(err, DV_EINVAL, "%s: path too long", path);
        return NULL;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f)
        dv__err(err, DV_EIO, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

int dv_file_replace(const char *tmp, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return rename(tmp, path);
    FILE *in = fopen(tmp, "rb"), *out = in ? fopen(path, "wb") : NULL;
    char buf[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    if (!ok) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return remove(tmp);
}

int dv__out_commit(FILE *f, const char *tmp, const char *path, dv_error *err)
{
    int ok = !ferror(f);
    ok &= fclose(f) == 0;
    if (!ok || dv_file_replace(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return dv__err(err, DV_EIO, "%s: write failed: %s", path, strerror(e));
    }
    return DV_OK;
}

int dv__write_text(const char *path, const char *text, dv_error *err)
{
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fputs(text, f);
    return dv__out_commit(f, tmp, path, err);
}

void dv__csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
