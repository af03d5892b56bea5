/*
 * replay.c -- runs a fuzz harness over files and directories of inputs
 * (the seed corpus and the regression inputs), without libFuzzer: the
 * ordinary build's test of every harness.  Prints how many inputs ran.
 *
 * usage: fuzz_replay_NAME PATH...
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 1 << 16, len = 0, n;
    uint8_t *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            }
            buf = b;
        }
    }
    fclose(f);
    if (!buf)
        return 1;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    size_t done = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            if (errno == ENOENT)
                continue; /* an empty regression directory is not kept by git */
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]);
            done++;
            continue;
        }
        struct dirent **e;
        int n = scandir(argv[i], &e, NULL, by_name);
        if (n < 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        for (int j = 0; j < n; j++) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", argv[i], e[j]->d_name);
            if (e[j]->d_name[0] != '.' && !stat(p, &st) && S_ISREG(st.st_mode)) {
                bad |= run_file(p);
                done++;
            }
            free(e[j]);
        }
        free(e);
    }
    printf("%zu inputs\n", done);
    if (!done) {
        fprintf(stderr, "replay: no inputs\n");
        return 1;
    }
    return bad;
}
