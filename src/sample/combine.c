/*
 * combine.c -- a run directory from the shards of a run (dval sample
 * --shard I/N, e.g. the tasks of a scheduler's job array), byte for byte
 * what one process would have written.
 *
 * Shard I of N holds the work items it with it % N == I, item it in its
 * row it / N (batch samples: those of the item's points).  A run's item
 * it = j * n_batches + b is sample j of the points of batch b, so its
 * results go to column j of rows b * batch ... of the run's arrays.
 */
#include "sampler.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *dir;
    char *manifest;         /* run.json's text */
    char fingerprint[32];
    uint64_t index, count, items, n_points, batch, slots;
    int complete;
} shard;

static uint64_t number(const cJSON *root, const char *a, const char *b, int *ok)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, a);
    if (b)
        o = cJSON_GetObjectItemCaseSensitive(o, b);
    if (!cJSON_IsNumber(o) || !(o->valuedouble >= 0) || o->valuedouble > 9e15 ||
        o->valuedouble != floor(o->valuedouble)) {
        *ok = 0;
        return 0;
    }
    return (uint64_t)o->valuedouble;
}

/* Reads a shard's run.json. */
static int read_shard(shard *s, dv_error *err)
{
    char path[4200];
    if (dv__path_in(path, sizeof path, s->dir, "run.json"))
        return dv__err(err, DV_EINVAL, "%s: path too long", s->dir);
    if (!(s->manifest = dv__slurp(path, NULL)))
        return dv__err(err, DV_EIO, "%s: not a shard of a run (cannot read %s: %s)", s->dir,
                       path, strerror(errno));
    cJSON *root = cJSON_Parse(s->manifest);
    if (!root)
        return dv__err(err, DV_EFORMAT, "%s: not valid JSON", path);
    int ok = 1, rc = DV_OK;
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "fingerprint");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(root, "shard");
    const cJSON *cards = cJSON_GetObjectItemCaseSensitive(root, "cards");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(root, "mode");
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "progress"), "complete");
    if (!sh) {
        rc = dv__err(err, DV_ESTATE, "%s: a whole run, not a shard (made without --shard)",
                     s->dir);
        goto done;
    }
    s->index = number(root, "shard", "index", &ok);
    s->count = number(root, "shard", "count", &ok);
    s->items = number(root, "progress", "items_total", &ok);
    s->n_points = number(root, "n_points", NULL, &ok);
    s->batch = number(root, "batch", NULL, &ok);
    s->slots = number(root, "samples", NULL, &ok);
    if (cJSON_IsString(mode) && strcmp(mode->valuestring, "grid") == 0)
        s->slots *= (uint64_t)cJSON_GetArraySize(cards);
    s->complete = cJSON_IsTrue(done);
    if (!ok || !cJSON_IsString(fp) || strlen(fp->valuestring) >= sizeof s->fingerprint ||
        !cJSON_IsArray(cards) || s->count == 0 || s->index >= s->count || s->batch == 0) {
        rc = dv__err(err, DV_EFORMAT, "%s: a malformed shard manifest", path);
        goto done;
    }
    snprintf(s->fingerprint, sizeof s->fingerprint, "%s", fp->valuestring);
done:
    cJSON_Delete(root);
    return rc;
}

/* The shards: one run, each once, all there and finished. */
static int check_shards(shard *s, size_t n, dv_error *err)
{
    uint64_t N = s[0].count;
    const char **by_index = dv__calloc(N, sizeof *by_index);
    if (!by_index)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int rc = DV_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (strcmp(s[i].fingerprint, s[0].fingerprint) != 0)
            rc = dv__err(err, DV_ESTATE,
                         "%s: a shard of another run (fingerprint %s; %s has %s): other data "
                         "or settings",
                         s[i].dir, s[i].fingerprint, s[0].dir, s[0].fingerprint);
        else if (s[i].count != N)
            rc = dv__err(err, DV_ESTATE, "%s is shard %llu of %llu, but %s is of %llu", s[i].dir,
                         (unsigned long long)s[i].index, (unsigned long long)s[i].count,
                         s[0].dir, (unsigned long long)N);
        else if (by_index[s[i].index])
            rc = dv__err(err, DV_ESTATE, "%s and %s are both shard %llu of %llu",
                         by_index[s[i].index], s[i].dir, (unsigned long long)s[i].index,
                         (unsigned long long)N);
        else if (!s[i].complete)
            rc = dv__err(err, DV_ESTATE,
                         "%s: shard %llu of %llu is not finished; finish it with its dval "
                         "sample command and --resume",
                         s[i].dir, (unsigned long long)s[i].index, (unsigned long long)N);
        else
            by_index[s[i].index] = s[i].dir;
    }
    for (uint64_t i = 0; i < N && !rc; i++)
        if (!by_index[i]) {
            char list[256] = "";
            for (uint64_t k = i, m = 0; k < N && m < 8; k++)
                if (!by_index[k]) {
                    size_t l = strlen(list);
                    snprintf(list + l, sizeof list - l, "%s%llu", m++ ? ", " : "",
                             (unsigned long long)k);
                }
            rc = dv__err(err, DV_ESTATE, "shard%s %s of %llu missing: %zu of %llu shards given",
                         strchr(list, ',') ? "s" : "", list, (unsigned long long)N, n,
                         (unsigned long long)N);
        }
    dv__free(by_index);
    return rc;
}

/* A file mapped for reading, checked to begin with the header of an .npy
 * array of rows x cols of type t; returns the data. */
static const void *map_npy(const char *dir, const char *name, dv_dtype t, size_t rows,
                           size_t cols, mapping *m, dv_error *err)
{
    char path[4200], hdr[256];
    dv__path_in(path, sizeof path, dir, name);
    size_t hl = dv__npy_header(hdr, sizeof hdr, t, rows, cols);
    size_t want = hl + rows * cols * (t == DV_I32 ? 4 : 8);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        dv__err(err, DV_EIO, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    m->len = (size_t)st.st_size;
    m->addr = m->len ? mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (m->addr == MAP_FAILED)
        m->addr = NULL;
    if (!m->addr || m->len != want || memcmp(m->addr, hdr, hl) != 0) {
        if (m->addr)
            munmap(m->addr, m->len);
        m->addr = NULL;
        dv__err(err, DV_EFORMAT, "%s: not the shard's array (%zu x %zu)", path, rows, cols);
        return NULL;
    }
    return (const char *)m->addr + hl;
}

static void unmap_ro(mapping *m)
{
    if (m->addr)
        munmap(m->addr, m->len);
    m->addr = NULL;
}

/* Copies a file that every shard holds the same (points.csv, points.npy). */
static int copy_same(const shard *s, size_t n, const char *run_dir, const char *name,
                     dv_error *err)
{
    char path[4200];
    size_t len0 = 0, len = 0;
    dv__path_in(path, sizeof path, s[0].dir, name);
    char *first = dv__slurp(path, &len0);
    if (!first)
        return dv__err(err, DV_EIO, "%s: cannot read: %s", path, strerror(errno));
    int rc = DV_OK;
    for (size_t i = 1; i < n && !rc; i++) {
        dv__path_in(path, sizeof path, s[i].dir, name);
        char *t = dv__slurp(path, &len);
        if (!t || len != len0 || memcmp(t, first, len) != 0)
            rc = dv__err(err, DV_ESTATE, "%s differs from %s's: not shards of one run", path,
                         s[0].dir);
        dv__free(t);
    }
    if (!rc) {
        char tmp[4300];
        dv__path_in(path, sizeof path, run_dir, name);
        FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
        if (!f)
            rc = err ? err->code : DV_EIO;
        else {
            fwrite(first, 1, len0, f);
            rc = dv__out_commit(f, tmp, path, err);
        }
    }
    dv__free(first);
    return rc;
}

/* The run's run.json: the shard's without its shard line, the command
 * without its --shard option, and the progress of the whole run. */
static char *run_manifest(const shard *s, uint64_t items)
{
    size_t len = strlen(s->manifest);
    char *out = dv__malloc(len + 64);
    if (!out)
        return NULL;
    const char *line = strstr(s->manifest, "\n  \"shard\": {");
    const char *end = line ? strchr(line + 1, '\n') : NULL;
    if (line && end) {
        memcpy(out, s->manifest, (size_t)(line - s->manifest));
        strcpy(out + (line - s->manifest), end);
    } else {
        strcpy(out, s->manifest);
    }
    char opt[64];
    const char *forms[2] = {" --shard %llu/%llu", " --shard=%llu/%llu"};
    char *cmd = strstr(out, "\"command\": \"");
    char *cmd_end = cmd ? strchr(cmd + 12, '\n') : NULL;
    for (int f = 0; f < 2 && cmd; f++) {
        snprintf(opt, sizeof opt, forms[f], (unsigned long long)s->index,
                 (unsigned long long)s->count);
        char *at = strstr(cmd, opt);
        if (at && (!cmd_end || at < cmd_end)) {
            memmove(at, at + strlen(opt), strlen(at + strlen(opt)) + 1);
            break;
        }
    }
    char *pr = strstr(out, "\"progress\": ");
    if (pr)
        snprintf(pr, len + 64 - (size_t)(pr - out),
                 "\"progress\": {\"items_total\": %llu, \"complete\": true}\n}\n",
                 (unsigned long long)items);
    return out;
}

/* Fills the run's arrays from the shards. */
static int gather(const shard *s, size_t n, double *D, int32_t *K, uint64_t M, dv_error *err)
{
    uint64_t N = s[0].count, B = s[0].batch, P = s[0].n_points, nb = (P + B - 1) / B;
    int rc = DV_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        mapping md = {0}, mk = {0};
        const double *d = map_npy(s[i].dir, "deltas.npy", DV_F64, s[i].items, B, &md, err);
        const int32_t *k = d ? map_npy(s[i].dir, "cards.npy", DV_I32, s[i].items, B, &mk, err)
                             : NULL;
        if (!d || !k)
            rc = err ? err->code : DV_EFORMAT;
        for (uint64_t r = 0; !rc && r < s[i].items; r++) {
            uint64_t it = s[i].index + r * N, j = it / nb, b = it % nb;
            uint64_t first = b * B, m = P - first < B ? P - first : B;
            for (uint64_t q = 0; q < m; q++) {
                D[(first + q) * M + j] = d[r * B + q];
                K[(first + q) * M + j] = k[r * B + q];
            }
        }
        unmap_ro(&md);
        unmap_ro(&mk);
    }
    return rc;
}

int dv_run_combine(const char *run_dir, const char *const *shard_dirs, size_t n,
                   dv_error *err)
{
    if (!run_dir || !shard_dirs || n == 0)
        return dv__err(err, DV_EINVAL, "combine: a run directory and its shard directories are "
                                       "required");
    char path[4300], fin[4200];
    if (dv__path_in(path, sizeof path, run_dir, "run.json"))
        return dv__err(err, DV_EINVAL, "%s: path too long", run_dir);
    if (dv__file_exists(path))
        return dv__err(err, DV_ESTATE, "%s already holds a run; combine into a new directory",
                       run_dir);
    shard *s = dv__calloc(n, sizeof *s);
    if (!s)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int rc = DV_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        s[i].dir = shard_dirs[i];
        rc = read_shard(&s[i], err);
    }
    if (!rc)
        rc = check_shards(s, n, err);
    uint64_t P = s[0].n_points, M = s[0].slots;
    uint64_t nb = P && s[0].batch ? (P - 1) / s[0].batch + 1 : 0;
    uint64_t items = M * nb;
    for (size_t i = 0; i < n && !rc; i++) {
        uint64_t want = items > s[i].index ? (items - s[i].index + s[i].count - 1) / s[i].count : 0;
        if (s[i].items != want)
            rc = dv__err(err, DV_EFORMAT, "%s: %llu items, where shard %llu of %llu has %llu",
                         s[i].dir, (unsigned long long)s[i].items,
                         (unsigned long long)s[i].index, (unsigned long long)s[i].count,
                         (unsigned long long)want);
    }
    if (!rc && mkdir(run_dir, 0755) != 0 && errno != EEXIST)
        rc = dv__err(err, DV_EIO, "%s: cannot create directory: %s", run_dir, strerror(errno));
    mapping md = {0}, mk = {0};
    char hdr[256];
    const char *names[2] = {"deltas.npy", "cards.npy"};
    for (int a = 0; a < 2 && !rc; a++) {
        dv__path_in(fin, sizeof fin, run_dir, names[a]);
        snprintf(path, sizeof path, "%s.partial", fin);
        if (!(rc = dv__npy_partial(path, a ? DV_I32 : DV_F64, P, M, err)))
            rc = dv__map_file(path, a ? &mk : &md, err);
    }
    if (!rc)
        rc = gather(s, n, (double *)((char *)md.addr + dv__npy_header(hdr, sizeof hdr, DV_F64, P, M)),
                    (int32_t *)((char *)mk.addr + dv__npy_header(hdr, sizeof hdr, DV_I32, P, M)),
                    M, err);
    dv__unmap(&md);
    dv__unmap(&mk);
    for (int a = 0; a < 2; a++) { /* into place, or away after a failure */
        dv__path_in(fin, sizeof fin, run_dir, names[a]);
        snprintf(path, sizeof path, "%s.partial", fin);
        if (rc)
            remove(path);
        else if (rename(path, fin) != 0)
            rc = dv__err(err, DV_EIO, "%s: cannot rename: %s", path, strerror(errno));
    }
    if (!rc)
        rc = copy_same(s, n, run_dir, "points.npy", err);
    if (!rc)
        rc = copy_same(s, n, run_dir, "points.csv", err);
    if (!rc) { /* last: run.json makes the directory a finished run */
        char *text = run_manifest(&s[0], items);
        dv__path_in(path, sizeof path, run_dir, "run.json");
        rc = text ? dv__write_text(path, text, err) : dv__err(err, DV_ENOMEM, "out of memory");
        dv__free(text);
    }
    for (size_t i = 0; i < n; i++)
        dv__free(s[i].manifest);
    dv__free(s);
    return rc;
}
