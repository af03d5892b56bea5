/*
 * run.c -- the run directory: a resumable sampling job.
 *
 * Layout of RUN_DIR while a run is in progress:
 *   run.json              manifest (settings, fingerprint, progress)
 *   points.csv            point, source_row, label of each point valued
 *   deltas.npy.partial    float64 points x samples, filled in place (mmap)
 *   cards.npy.partial     int32, same shape
 *   progress.bin          one byte per work item, set once the item's
 *                         results are stored
 * When every item is done the partial files are renamed to deltas.npy and
 * cards.npy, points.npy is written, run.json is marked complete and
 * progress.bin is removed.  Results of an item are stored before its
 * progress byte (release ordering), and both live in shared file mappings,
 * so a process killed at any point (kill -9 included) leaves a state from
 * which the same call finishes the run with byte-identical files.
 */
#include "sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <omp.h>

/* FNV-1a over bytes, continued from h. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* A fingerprint of everything that determines the run's numbers: data,
 * points, learner, metric, cardinalities, seed and batch. */
static uint64_t fingerprint(const dv__sctx *cx)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const dv_dataset *sets[2] = {cx->train, cx->val};
    for (int s = 0; s < 2; s++) {
        h = fnv(h, &sets[s]->n, sizeof(size_t));
        h = fnv(h, &sets[s]->d, sizeof(size_t));
        h = fnv(h, sets[s]->X, sets[s]->n * sets[s]->d * sizeof(double));
        h = fnv(h, sets[s]->y, sets[s]->n * sizeof(double));
    }
    h = fnv(h, cx->points, cx->n_points * sizeof(int64_t));
    double lp[3] = {cx->lp.C, cx->lp.lambda, cx->lp.tol};
    int64_t iv[8] = {cx->lp.kind, cx->lp.max_iter, cx->metric, cx->mode,
                     (int64_t)cx->n_samples, cx->min_card, cx->max_card, (int64_t)cx->batch};
    h = fnv(h, lp, sizeof lp);
    h = fnv(h, iv, sizeof iv);
    if (cx->mode == DV_CARD_GRID)
        h = fnv(h, cx->cards, cx->n_cards * sizeof(int64_t));
    /* The settings of the learners that have more (only for them, so the
     * fingerprints of other runs stay as they were). */
    if (cx->lp.kind == DV_LEARNER_TREE) {
        int64_t tv[4] = {cx->lp.max_depth, cx->lp.min_leaf, cx->lp.max_features,
                         (int64_t)cx->lp.seed};
        h = fnv(h, tv, sizeof tv);
    } else if (cx->lp.kind == DV_LEARNER_KNN) {
        int64_t kv[2] = {(int64_t)cx->lp.neighbors, cx->lp.distance_weights};
        h = fnv(h, kv, sizeof kv);
    } else if (cx->lp.kind == DV_LEARNER_MLP) {
        int64_t mv[4] = {(int64_t)cx->lp.n_hidden, cx->lp.epochs, (int64_t)cx->lp.batch_size,
                         cx->lp.patience};
        double md[4] = {cx->lp.lr, cx->lp.alpha, cx->lp.weight_decay, cx->lp.val_fraction};
        h = fnv(h, cx->lp.hidden, cx->lp.n_hidden * sizeof(size_t));
        h = fnv(h, mv, sizeof mv);
        h = fnv(h, md, sizeof md);
        h = fnv(h, &cx->lp.seed, sizeof cx->lp.seed);
        if (cx->lp.loss_tol > 0) { /* (so that runs made before the rule keep theirs) */
            double st[2] = {cx->lp.loss_tol, (double)cx->lp.n_iter_no_change};
            h = fnv(h, st, sizeof st);
        }
    }
    h = fnv(h, &cx->seed, sizeof cx->seed);
    return h;
}

/* Work items of the run, and of this directory (a shard's: it % n_shards ==
 * shard, stored in row it / n_shards). */
static size_t run_items(const dv__sctx *cx)
{
    return cx->n_slots * cx->n_batches;
}

static size_t dir_items(const dv__sctx *cx)
{
    size_t items = run_items(cx);
    if (!cx->n_shards)
        return items;
    return items > cx->shard ? (items - cx->shard + cx->n_shards - 1) / cx->n_shards : 0;
}

/* Creates a file of the given size holding an .npy header followed by zeros. */
int dv__npy_partial(const char *path, dv_dtype t, size_t rows, size_t cols, dv_error *err)
{
    char hdr[256];
    size_t hl = dv__npy_header(hdr, sizeof hdr, t, rows, cols);
    size_t total = hl + rows * cols * (t == DV_I32 ? 4 : 8);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return dv__err(err, DV_EIO, "%s: cannot create: %s", path, strerror(errno));
    int ok = write(fd, hdr, hl) == (ssize_t)hl && ftruncate(fd, (off_t)total) == 0;
    ok &= close(fd) == 0;
    if (!ok) {
        remove(path);
        return dv__err(err, DV_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    return DV_OK;
}

static const char *PROGRESS_KEY = "\"progress\": ";

/* The settings of the tree, knn and mlp learners, as more members of the
 * learner's object. */
static void write_learner_extra(FILE *f, const dv_learner_params *lp)
{
    if (lp->kind == DV_LEARNER_TREE)
        fprintf(f, ", \"max_depth\": %d, \"min_leaf\": %d, \"max_features\": %d, \"seed\": %llu",
                lp->max_depth, lp->min_leaf, lp->max_features, (unsigned long long)lp->seed);
    if (lp->kind == DV_LEARNER_KNN)
        fprintf(f, ", \"neighbors\": %zu, \"weights\": \"%s\"", lp->neighbors,
                lp->distance_weights ? "distance" : "uniform");
    if (lp->kind != DV_LEARNER_MLP)
        return;
    fprintf(f, ", \"hidden\": [");
    for (size_t l = 0; l < lp->n_hidden; l++)
        fprintf(f, "%s%zu", l ? ", " : "", lp->hidden[l]);
    fprintf(f, "], \"epochs\": %d, \"batch_size\": %zu, \"lr\": %.17g, \"alpha\": %.17g, "
               "\"weight_decay\": %.17g, \"val_fraction\": %.17g, \"patience\": %d, "
               "\"loss_tol\": %.17g, \"n_iter_no_change\": %d, \"seed\": %llu",
            lp->epochs, lp->batch_size, lp->lr, lp->alpha, lp->weight_decay, lp->val_fraction,
            lp->patience, lp->loss_tol, lp->n_iter_no_change, (unsigned long long)lp->seed);
}

/* Writes run.json for a new run. */
static int write_manifest(const char *run_dir, const dv__sctx *cx, const char *extra,
                          dv_error *err)
{
    char path[4096];
    if (dv__path_in(path, sizeof path, run_dir, "run.json"))
        return dv__err(err, DV_EINVAL, "run directory path too long");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return dv__err(err, DV_ENOMEM, "out of memory");
    fprintf(f, "{\n  \"dval_version\": \"%s\",\n", DV_VERSION_STRING);
    fprintf(f, "  \"fingerprint\": \"%016llx\",\n", (unsigned long long)fingerprint(cx));
    if (cx->n_shards) /* (dv_run_combine drops this line) */
        fprintf(f, "  \"shard\": {\"index\": %zu, \"count\": %zu},\n", cx->shard, cx->n_shards);
    if (extra) {
        /* Members of the caller's object, without its braces. */
        const char *a = strchr(extra, '{'), *b = strrchr(extra, '}');
        if (a && b && b > a) {
            const char *s = a + 1;
            while (s < b && (*s == ' ' || *s == '\n'))
                s++;
            const char *e = b;
            while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == ','))
                e--;
            if (e > s)
                fprintf(f, "  %.*s,\n", (int)(e - s), s);
        }
    }
    fprintf(f, "  \"learner\": {\"name\": \"%s\", \"C\": %.17g, \"lambda\": %.17g, \"tol\": %.17g, "
               "\"max_iter\": %d",
            dv_learner_name(cx->lp.kind), cx->lp.C, cx->lp.lambda, cx->lp.tol, cx->lp.max_iter);
    write_learner_extra(f, &cx->lp);
    fprintf(f, "},\n");
    fprintf(f, "  \"metric\": \"%s\",\n", dv_metric_name(cx->metric));
    fprintf(f, "  \"mode\": \"%s\",\n", cx->mode == DV_CARD_GRID ? "grid" : "uniform");
    fprintf(f, "  \"samples\": %zu,\n  \"min_card\": %lld,\n  \"max_card\": %lld,\n", cx->n_samples,
            (long long)cx->min_card, (long long)cx->max_card);
    fprintf(f, "  \"cards\": [");
    for (size_t i = 0; cx->mode == DV_CARD_GRID && i < cx->n_cards; i++)
        fprintf(f, "%s%lld", i ? ", " : "", (long long)cx->cards[i]);
    fprintf(f, "],\n");
    fprintf(f, "  \"seed\": %llu,\n  \"batch\": %zu,\n", (unsigned long long)cx->seed, cx->batch);
    fprintf(f, "  \"n_points\": %zu,\n  \"n_train\": %zu,\n  \"n_val\": %zu,\n  \"n_features\": %zu,\n",
            cx->n_points, cx->train->n, cx->val->n, cx->train->d);
    fprintf(f, "  \"task\": \"%s\",\n",
            cx->train->task == DV_TASK_CLASSIFICATION ? "classification" : "regression");
    fprintf(f, "  \"classes\": [");
    for (size_t c = 0; c < cx->train->n_classes; c++) {
        fprintf(f, "%s", c ? ", " : "");
        dv__json_string(f, cx->train->class_names[c]);
    }
    fprintf(f, "],\n");
    fprintf(f, "  %s{\"items_total\": %zu, \"complete\": false}\n}\n", PROGRESS_KEY,
            dir_items(cx));
    fclose(f);
    int rc = buf ? dv__write_text(path, buf, err) : dv__err(err, DV_ENOMEM, "out of memory");
    free(buf);
    return rc;
}

/* points.csv: each point's training row, source row and label. */
static int write_points_csv(const char *run_dir, const dv__sctx *cx, dv_error *err)
{
    char path[4096], tmp[4200];
    dv__path_in(path, sizeof path, run_dir, "points.csv");
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    const dv_dataset *tr = cx->train;
    fprintf(f, "point,source_row,label\n");
    for (size_t i = 0; i < cx->n_points; i++) {
        int64_t z = cx->points[i];
        fprintf(f, "%lld,%lld,", (long long)z, (long long)tr->src_rows[z]);
        if (tr->task == DV_TASK_CLASSIFICATION)
            dv__csv_field(f, tr->class_names[(size_t)tr->y[z]]);
        else
            fprintf(f, "%.17g", tr->y[z]);
        fputc('\n', f);
    }
    return dv__out_commit(f, tmp, path, err);
}

/* Checks run.json against this run's fingerprint.  *complete is set from
 * the manifest. */
static int check_manifest(const char *run_dir, const dv__sctx *cx, int *complete, dv_error *err)
{
    char path[4096];
    dv__path_in(path, sizeof path, run_dir, "run.json");
    char *text = dv__slurp(path, NULL);
    if (!text)
        return dv__err(err, DV_EIO, "%s: cannot read", path);
    char want[64];
    snprintf(want, sizeof want, "\"fingerprint\": \"%016llx\"", (unsigned long long)fingerprint(cx));
    int same = strstr(text, want) != NULL;
    char shard[96];
    snprintf(shard, sizeof shard, "\"shard\": {\"index\": %zu, \"count\": %zu}", cx->shard,
             cx->n_shards);
    int is_shard = strstr(text, "\"shard\": {") != NULL;
    if (same && (cx->n_shards ? !strstr(text, shard) : is_shard)) {
        dv__free(text);
        return dv__err(err, DV_ESTATE,
                       cx->n_shards ? "%s: this directory holds %s, not shard %zu of %zu"
                                    : "%s: this directory holds %s; combine the shards with dval "
                                      "combine",
                       path, is_shard ? "another shard of the run" : "the whole run",
                       cx->shard, cx->n_shards);
    }
    const char *pr = strstr(text, PROGRESS_KEY);
    *complete = pr && strstr(pr, "\"complete\": true") != NULL;
    dv__free(text);
    if (!same)
        return dv__err(err, DV_ESTATE,
                       "%s: this run was started with other data or settings; use a new run "
                       "directory (or the original command)",
                       path);
    return DV_OK;
}

int dv_run_create(const char *run_dir, const dv_dataset *train, const dv_dataset *val,
                  const int64_t *points, size_t n_points, const dv_sample_params *p,
                  const char *manifest_extra, dv_error *err)
{
    dv__sctx cx;
    int rc = dv__sctx_init(&cx, train, val, points, n_points, p, 0, err);
    if (rc)
        return rc;
    char path[4096];
    if (strlen(run_dir) > 3000) {
        dv__sctx_free(&cx);
        return dv__err(err, DV_EINVAL, "run directory path too long");
    }
    if (mkdir(run_dir, 0755) != 0 && errno != EEXIST) {
        dv__sctx_free(&cx);
        return dv__err(err, DV_EIO, "%s: cannot create directory: %s", run_dir, strerror(errno));
    }
    dv__path_in(path, sizeof path, run_dir, "run.json");
    if (dv__file_exists(path)) {
        int complete;
        rc = check_manifest(run_dir, &cx, &complete, err);
        dv__sctx_free(&cx);
        return rc;
    }
    /* A run: points x samples; a shard: its items x batch. */
    size_t items = dir_items(&cx);
    size_t R = cx.n_shards ? items : cx.n_points, C = cx.n_shards ? cx.batch : cx.n_slots;
    dv__path_in(path, sizeof path, run_dir, "deltas.npy.partial");
    rc = dv__npy_partial(path, DV_F64, R, C, err);
    if (!rc) {
        dv__path_in(path, sizeof path, run_dir, "cards.npy.partial");
        rc = dv__npy_partial(path, DV_I32, R, C, err);
    }
    if (!rc) {
        dv__path_in(path, sizeof path, run_dir, "progress.bin");
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t)items) != 0)
            rc = dv__err(err, DV_EIO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (!rc)
        rc = write_points_csv(run_dir, &cx, err);
    if (!rc)
        rc = write_manifest(run_dir, &cx, manifest_extra, err);
    dv__sctx_free(&cx);
    return rc;
}

int dv__map_file(const char *path, mapping *m, dv_error *err)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        return dv__err(err, DV_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        close(fd);
        return dv__err(err, DV_EIO, "%s: empty or unreadable", path);
    }
    m->len = (size_t)st.st_size;
    /* The files are made sparse (ftruncate); a page stored into a mapping
     * on a full file system would end the process with SIGBUS.  Reserving
     * the blocks first turns that into ENOSPC here. */
    int e = posix_fallocate(fd, 0, st.st_size);
    if (e != 0 && e != EOPNOTSUPP && e != EINVAL) {
        close(fd);
        return dv__err(err, DV_EIO, "%s: cannot reserve %lld bytes: %s", path,
                       (long long)st.st_size, strerror(e));
    }
    m->addr = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m->addr == MAP_FAILED || m->addr == NULL) {
        m->addr = NULL;
        return dv__err(err, DV_EIO, "%s: cannot map: %s", path, strerror(errno));
    }
    return DV_OK;
}

void dv__unmap(mapping *m)
{
    if (m->addr) {
        msync(m->addr, m->len, MS_SYNC);
        munmap(m->addr, m->len);
    }
    m->addr = NULL;
}

/* Renames the partial files, writes points.npy and marks run.json
 * complete.  Each step is idempotent so an interrupted finish can be
 * repeated. */
static int finalize(const char *run_dir, const dv__sctx *cx, dv_error *err)
{
    char a[4200], b[4096];
    dv__path_in(a, sizeof a, run_dir, "points.npy");
    int rc = dv_npy_write(a, DV_I64, cx->points, cx->n_points, 0, err);
    if (rc)
        return rc;
    const char *names[2] = {"deltas.npy", "cards.npy"};
    for (int i = 0; i < 2; i++) {
        dv__path_in(b, sizeof b, run_dir, names[i]);
        snprintf(a, sizeof a, "%s.partial", b);
        if (dv__file_exists(a) && rename(a, b) != 0)
            return dv__err(err, DV_EIO, "%s: cannot rename: %s", a, strerror(errno));
        if (!dv__file_exists(b))
            return dv__err(err, DV_ESTATE, "%s: missing", b);
    }
    dv__path_in(a, sizeof a, run_dir, "run.json");
    char *text = dv__slurp(a, NULL);
    if (!text)
        return dv__err(err, DV_EIO, "%s: cannot read", a);
    char *pr = strstr(text, PROGRESS_KEY);
    if (!pr) {
        dv__free(text);
        return dv__err(err, DV_EFORMAT, "%s: no progress member", a);
    }
    *pr = 0;
    size_t items = dir_items(cx);
    size_t need = strlen(text) + 200;
    char *out = dv__malloc(need);
    if (!out) {
        dv__free(text);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    snprintf(out, need, "%s%s{\"items_total\": %zu, \"complete\": true}\n}\n", text, PROGRESS_KEY,
             items);
    dv__free(text);
    rc = dv__write_text(a, out, err);
    dv__free(out);
    if (rc)
        return rc;
    dv__path_in(a, sizeof a, run_dir, "progress.bin");
    remove(a);
    return DV_OK;
}

/* What the workers share while a run executes. */
typedef struct {
    const uint64_t *pending; /* item ids still to do */
    double *D;               /* mapped deltas */
    int32_t *K;              /* mapped cardinalities */
    volatile unsigned char *done;
    size_t M;                /* samples per point */
    const dv_sample_params *p;
    uint64_t n_done, items;  /* progress (updated under a critical section) */
} run_state;

/* Points in batch b. */
static size_t batch_points(const dv__sctx *cx, size_t b)
{
    size_t first = b * cx->batch;
    return cx->n_points - first < cx->batch ? cx->n_points - first : cx->batch;
}

/* Where item it's results go: the first delta and card and their stride
 * (a run: column j of the batch's rows; a shard: the item's own row). */
static size_t item_place(const dv__sctx *cx, const run_state *st, size_t it, size_t *stride)
{
    if (cx->n_shards) {
        *stride = 1;
        return it / cx->n_shards * cx->batch;
    }
    *stride = st->M;
    return it % cx->n_batches * cx->batch * st->M + it / cx->n_batches;
}

/* Item it's results into the mapped outputs. */
static void store(const dv__sctx *cx, run_state *st, size_t it, const double *delta,
                  const int32_t *card)
{
    size_t stride, at = item_place(cx, st, it, &stride);
    for (size_t i = 0; i < batch_points(cx, it % cx->n_batches); i++) {
        st->D[at + i * stride] = delta[i];
        st->K[at + i * stride] = card[i];
    }
}

/* Marks item it done, its results stored. */
static void mark_done(const dv__sctx *cx, run_state *st, size_t it)
{
    /* The results reach the shared mapping before the progress mark. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    st->done[cx->n_shards ? it / cx->n_shards : it] = 1;
    if (st->p->progress) {
#pragma omp critical(dv_run_progress)
        st->p->progress(st->p->progress_user, ++st->n_done, st->items);
    }
}

/* One pending item: compute, store the results, then mark it done. */
static int run_one(const dv__sctx *cx, dv__ws *w, size_t q, void *user, dv_error *err)
{
    run_state *st = user;
    double delta[DV__MAX_BATCH];
    int32_t card[DV__MAX_BATCH];
    size_t it = st->pending[q];
    int rc = dv__run_item(cx, w, it / cx->n_batches, it % cx->n_batches, delta, card, err);
    if (rc)
        return rc;
    store(cx, st, it, delta, card);
    mark_done(cx, st, it);
    return DV_OK;
}

/* ---- Over several processes: process 0 holds the files; the others
 * compute items into their threads' slots, from where dv__job_run sends
 * them to process 0. ---- */

typedef struct {
    const dv__sctx *cx;
    run_state *st;      /* process 0 */
    int rank;
    double *slot_d;     /* the others: per thread, one batch */
    int32_t *slot_k;
} dist_run;

static void *dist_ws_new(void *ctx)
{
    return dv__ws_new(((dist_run *)ctx)->cx);
}

static int dist_item(void *ctx, void *state, size_t it, dv_error *err)
{
    dist_run *d = ctx;
    const dv__sctx *cx = d->cx;
    double delta[DV__MAX_BATCH];
    int32_t card[DV__MAX_BATCH];
    int rc = dv__run_item(cx, state, it / cx->n_batches, it % cx->n_batches, delta, card, err);
    if (rc)
        return rc;
    if (d->rank != 0 && (!d->slot_d || !d->slot_k))
        return dv__err(err, DV_ENOMEM, "out of memory");
    if (d->rank == 0) {
        store(cx, d->st, it, delta, card); /* marked done by dist_commit */
    } else {
        size_t t = (size_t)omp_get_thread_num() * cx->batch;
        memcpy(d->slot_d + t, delta, cx->batch * sizeof *delta);
        memcpy(d->slot_k + t, card, cx->batch * sizeof *card);
    }
    return DV_OK;
}

static size_t dist_spans(void *ctx, size_t it, dv__span *sp)
{
    dist_run *d = ctx;
    const dv__sctx *cx = d->cx;
    size_t b = it % cx->n_batches, nb = batch_points(cx, b);
    if (d->rank == 0) {
        size_t stride, at = item_place(cx, d->st, it, &stride);
        sp[0] = (dv__span){d->st->D + at, nb, sizeof(double), stride * sizeof(double)};
        sp[1] = (dv__span){d->st->K + at, nb, sizeof(int32_t), stride * sizeof(int32_t)};
    } else {
        size_t t = (size_t)omp_get_thread_num() * cx->batch;
        sp[0] = (dv__span){d->slot_d + t, nb, sizeof(double), sizeof(double)};
        sp[1] = (dv__span){d->slot_k + t, nb, sizeof(int32_t), sizeof(int32_t)};
    }
    return 2;
}

static int dist_commit(void *ctx, size_t it)
{
    dist_run *d = ctx;
    mark_done(d->cx, d->st, it);
    return 0;
}

/* Every process: process 0's pending items computed over all of them. */
static int dist_items(const dv__sctx *cx, run_state *st, const dv_sample_params *p, size_t n_pending,
                      dv_error *err)
{
    dv_comm *c = p->comm;
    int nth = p->n_threads > 0 ? p->n_threads : omp_get_max_threads();
    dist_run d = {cx, st, c->rank, NULL, NULL};
    if (c->rank != 0) { /* (without them, its items fail: out of memory) */
        d.slot_d = dv__malloc(((size_t)nth + 1) * cx->batch * sizeof *d.slot_d);
        d.slot_k = dv__malloc(((size_t)nth + 1) * cx->batch * sizeof *d.slot_k);
    }
    dv__job j = {c, 0, n_pending, NULL, 0, 0, nth, dist_item, dist_spans, NULL, &d, dist_ws_new,
                 dv__ws_delete, 0};
    if (c->rank == 0) {
        j.ids = st->pending;
        j.commit = dist_commit;
    }
    int rc = dv__job_run(&j, err);
    dv__free(d.slot_d);
    dv__free(d.slot_k);
    return rc;
}

/* Process 0's side of a run: the mapped outputs and the pending items. */
typedef struct {
    mapping md, mc, mp;
    uint64_t *pending;
    size_t n_pending;
    int finished;   /* nothing to compute: complete, or only the finish was left */
} run_files;

static void close_files(run_files *f)
{
    dv__free(f->pending);
    f->pending = NULL;
    dv__unmap(&f->md);
    dv__unmap(&f->mc);
    dv__unmap(&f->mp);
}

/* Checks the run directory and maps its partial outputs; f->finished when
 * there is nothing to compute (the run complete, or finished here). */
static int open_files(const char *run_dir, const dv__sctx *cx, run_state *st, run_files *f,
                      dv_error *err)
{
    int complete = 0, rc;
    if ((rc = check_manifest(run_dir, cx, &complete, err)) || complete) {
        f->finished = 1;
        return rc;
    }
    char path[4096], fin[4096];
    dv__path_in(fin, sizeof fin, run_dir, "deltas.npy");
    dv__path_in(path, sizeof path, run_dir, "deltas.npy.partial");
    if (!dv__file_exists(path) && dv__file_exists(fin)) { /* killed while finishing */
        f->finished = 1;
        return finalize(run_dir, cx, err);
    }
    size_t M = cx->n_slots, items = dir_items(cx);
    size_t P = cx->n_shards ? items : cx->n_points, C = cx->n_shards ? cx->batch : M;
    char hdr[256];
    size_t hl_d = dv__npy_header(hdr, sizeof hdr, DV_F64, P, C);
    size_t hl_c = dv__npy_header(hdr, sizeof hdr, DV_I32, P, C);
    rc = dv__map_file(path, &f->md, err);
    if (!rc) {
        dv__path_in(path, sizeof path, run_dir, "cards.npy.partial");
        rc = dv__map_file(path, &f->mc, err);
    }
    if (!rc) {
        dv__path_in(path, sizeof path, run_dir, "progress.bin");
        rc = dv__map_file(path, &f->mp, err);
    }
    if (!rc && (f->md.len != hl_d + P * C * 8 || f->mc.len != hl_c + P * C * 4 ||
                f->mp.len != items))
        rc = dv__err(err, DV_ESTATE, "%s: partial files do not match the run's shape", run_dir);
    /* Pending items, sample-major so that a partial run has a few samples
     * of every point. */
    if (!rc && !(f->pending = dv__malloc((items ? items : 1) * sizeof *f->pending)))
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    if (rc)
        return rc;
    volatile unsigned char *done = f->mp.addr;
    for (size_t r = 0; r < items; r++) /* (row r of a shard is item shard + r n_shards) */
        if (!done[r])
            f->pending[f->n_pending++] = cx->n_shards ? cx->shard + r * cx->n_shards : r;
    *st = (run_state){f->pending, (double *)((char *)f->md.addr + hl_d),
                      (int32_t *)((char *)f->mc.addr + hl_c), done, M, NULL, items - f->n_pending,
                      items};
    return DV_OK;
}

static int execute(const char *run_dir, const dv_dataset *train, const dv_dataset *val,
                   const int64_t *points, size_t n_points, const dv_sample_params *p,
                   dv_error *err)
{
    dv__sctx cx;
    int rc = dv__sctx_init(&cx, train, val, points, n_points, p, 1, err);
    if (rc)
        return rc;
    dv_comm *c = p->comm;
    int dist = dv__dist_on(c), writer = !dist || c->rank == 0;
    run_files f = {0};
    run_state st = {0};
    if (writer)
        rc = open_files(run_dir, &cx, &st, &f, err);
    st.p = p;
    /* Every process learns process 0's status and whether there is work. */
    uint64_t work[2] = {(uint64_t)rc, f.finished};
    if (dist && !(rc = dv__dist_bcast(c, work, sizeof work, err)))
        rc = dv__dist_status(c, (int)work[0], err);
    if (!rc && !work[1]) {
        if (writer && p->progress && st.items)
            p->progress(p->progress_user, st.n_done, st.items);
        if (dist)
            rc = dist_items(&cx, &st, p, f.n_pending, err);
        else
            rc = dv__parallel(&cx, p->n_threads, f.n_pending, run_one, &st, err);
        close_files(&f); /* synced and unmapped before finalize renames them */
        if (!rc && writer)
            rc = finalize(run_dir, &cx, err);
    }
    close_files(&f);
    dv__sctx_free(&cx);
    return rc;
}

/* One process samples a run directory at a time: an advisory lock on
 * RUN_DIR/.lock (holding the owner's pid), released when the process ends,
 * however it ends. */
static int lock_run(const char *run_dir, int *fd, dv_error *err)
{
    char path[4096];
    if (dv__path_in(path, sizeof path, run_dir, ".lock"))
        return dv__err(err, DV_EINVAL, "%s: path too long", run_dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return dv__err(err, DV_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = read(*fd, pid, sizeof pid - 1);
        pid[n > 0 ? n : 0] = 0;
        pid[strcspn(pid, "\n")] = 0;
        close(*fd);
        *fd = -1;
        return dv__err(err, DV_ESTATE,
                       "%s is being sampled by another process (pid %s holds %s); wait for it "
                       "or stop it, then --resume",
                       run_dir, *pid ? pid : "?", path);
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(*fd, 0) != 0 || write(*fd, pid, (size_t)len) != len) {
        /* the pid is a courtesy to the next reader; the lock holds without it */
    }
    return DV_OK;
}

int dv_run_execute(const char *run_dir, const dv_dataset *train, const dv_dataset *val,
                   const int64_t *points, size_t n_points, const dv_sample_params *p,
                   dv_error *err)
{
    struct stat st;
    if (!run_dir || stat(run_dir, &st) != 0) /* execute names what is missing */
        return execute(run_dir, train, val, points, n_points, p, err);
    if (p && dv__dist_on(p->comm) && p->comm->rank != 0) /* process 0 writes */
        return execute(run_dir, train, val, points, n_points, p, err);
    int fd = -1;
    int rc = lock_run(run_dir, &fd, err);
    if (rc)
        return rc;
    rc = execute(run_dir, train, val, points, n_points, p, err);
    close(fd);
    return rc;
}
