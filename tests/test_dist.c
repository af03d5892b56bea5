/*
 * test_dist.c -- work items over several processes (dv__job_run) against
 * the same loops on one process: forked processes joined by sockets (a
 * dv_comm written here, independent of MPI) must end with the results,
 * commits, stops and failures one process has, whatever process computes
 * what; a slow process gets fewer items.  (The test process itself never
 * starts OpenMP threads: they would not survive the forks.)
 */
#include "internal.h"
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- A dv_comm over sockets: one stream per pair of processes, framed
 * messages, sends buffered so that no process waits on another. ---- */

#define MAXP 4

typedef struct msg {
    struct msg *next;
    int src, tag;
    size_t len;
    unsigned char *data;
} msg;

typedef struct {
    int32_t tag;
    uint32_t pad;
    uint64_t len;
} frame;

typedef struct {
    int rank, size, fd[MAXP];
    unsigned char *in[MAXP], *out[MAXP];
    size_t in_len[MAXP], in_cap[MAXP], out_len[MAXP], out_cap[MAXP];
    msg *inbox;
} sockets;

static void grow(unsigned char **b, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    *cap = need * 2;
    *b = realloc(*b, *cap);
}

/* Writes what the sockets take and reads what has arrived into the inbox. */
static int progress(sockets *s)
{
    for (int p = 0; p < s->size; p++) {
        if (p == s->rank)
            continue;
        if (s->out_len[p]) {
            ssize_t w = write(s->fd[p], s->out[p], s->out_len[p]);
            if (w < 0 && errno != EAGAIN)
                return -1;
            if (w > 0) {
                memmove(s->out[p], s->out[p] + w, s->out_len[p] - (size_t)w);
                s->out_len[p] -= (size_t)w;
            }
        }
        for (;;) {
            grow(&s->in[p], &s->in_cap[p], s->in_len[p] + 65536);
            ssize_t r = read(s->fd[p], s->in[p] + s->in_len[p], 65536);
            if (r <= 0)
                break;
            s->in_len[p] += (size_t)r;
        }
        while (s->in_len[p] >= sizeof(frame)) {
            frame f;
            memcpy(&f, s->in[p], sizeof f);
            if (s->in_len[p] < sizeof f + f.len)
                break;
            msg *m = calloc(1, sizeof *m);
            m->src = p;
            m->tag = f.tag;
            m->len = f.len;
            m->data = malloc(f.len ? f.len : 1);
            memcpy(m->data, s->in[p] + sizeof f, f.len);
            memmove(s->in[p], s->in[p] + sizeof f + f.len, s->in_len[p] - sizeof f - f.len);
            s->in_len[p] -= sizeof f + f.len;
            msg **pp = &s->inbox;
            while (*pp)
                pp = &(*pp)->next;
            *pp = m;
        }
    }
    return 0;
}

static int s_send(void *user, int dest, int tag, const void *buf, size_t len)
{
    sockets *s = user;
    frame f = {tag, 0, len};
    grow(&s->out[dest], &s->out_cap[dest], s->out_len[dest] + sizeof f + len);
    memcpy(s->out[dest] + s->out_len[dest], &f, sizeof f);
    memcpy(s->out[dest] + s->out_len[dest] + sizeof f, buf, len);
    s->out_len[dest] += sizeof f + len;
    return progress(s);
}

static int s_poll(void *user, int tag, int *src, size_t *len)
{
    sockets *s = user;
    if (progress(s))
        return -1;
    for (msg *m = s->inbox; m; m = m->next)
        if (m->tag == tag) {
            *src = m->src;
            *len = m->len;
            return 1;
        }
    return 0;
}

static int s_recv(void *user, int src, int tag, void *buf, size_t len)
{
    sockets *s = user;
    for (msg **pp = &s->inbox; *pp; pp = &(*pp)->next)
        if ((*pp)->src == src && (*pp)->tag == tag) {
            msg *m = *pp;
            if (m->len != len)
                return -1;
            memcpy(buf, m->data, len);
            *pp = m->next;
            free(m->data);
            free(m);
            return 0;
        }
    return -1;
}

/* Sends everything still buffered, then closes. */
static void s_finish(sockets *s)
{
    for (int busy = 1; busy;) {
        busy = 0;
        progress(s);
        for (int p = 0; p < s->size; p++)
            busy |= s->out_len[p] != 0;
        if (busy)
            usleep(100);
    }
    /* wait until the others have read what they need: they close last */
    for (int p = 0; p < s->size; p++)
        if (p != s->rank)
            shutdown(s->fd[p], SHUT_WR);
    for (int p = 0; p < s->size; p++) {
        if (p == s->rank)
            continue;
        int fl = fcntl(s->fd[p], F_GETFL);
        fcntl(s->fd[p], F_SETFL, fl & ~O_NONBLOCK);
        char b[256];
        while (read(s->fd[p], b, sizeof b) > 0) {
        }
        close(s->fd[p]);
        free(s->in[p]);
        free(s->out[p]);
    }
    while (s->inbox) {
        msg *m = s->inbox;
        s->inbox = m->next;
        free(m->data);
        free(m);
    }
}

/* Runs body(comm) on R forked processes joined by sockets; returns whether
 * every process passed its checks. */
static int on_processes(int R, void (*body)(dv_comm *c))
{
    int fds[MAXP][MAXP];
    for (int i = 0; i < R; i++)
        for (int j = i + 1; j < R; j++) {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
                return 0;
            fds[i][j] = sv[0];
            fds[j][i] = sv[1];
        }
    fflush(NULL);
    pid_t pid[MAXP];
    for (int r = 0; r < R; r++) {
        if ((pid[r] = fork()) != 0)
            continue;
        sockets s = {0};
        s.rank = r;
        s.size = R;
        for (int p = 0; p < R; p++) {
            s.fd[p] = -1;
            if (p == r)
                continue;
            s.fd[p] = fds[r][p];
            fcntl(s.fd[p], F_SETFL, fcntl(s.fd[p], F_GETFL) | O_NONBLOCK);
        }
        for (int i = 0; i < R; i++) /* the other processes' ends */
            for (int j = 0; j < R; j++)
                if (i != j && i != r)
                    close(fds[i][j]);
        dv_comm c = {r, R, s_send, s_poll, s_recv, &s, 0};
        body(&c);
        s_finish(&s);
        fflush(NULL);
        _exit(check_failures_ ? 1 : 0);
    }
    for (int i = 0; i < R; i++)
        for (int j = 0; j < R; j++)
            if (i != j)
                close(fds[i][j]);
    int all = 1;
    for (int r = 0; r < R; r++) {
        int st = 0;
        waitpid(pid[r], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "  process %d of %d failed (status %d)\n", r, R, st);
            all = 0;
        }
    }
    return all;
}

/* ---- The work: items with results of several sizes ---- */

#define NITEMS 300
#define WIDTH 9

typedef struct {
    double res[NITEMS * WIDTH];  /* item it: it % WIDTH + 1 numbers */
    size_t own;                  /* items computed by this process */
    int fail_at;                 /* this item fails (-1: none) */
    int slow_rank;               /* this process's items are slow (-1: none) */
    int rank;
    /* ordered: window slots and the commits seen */
    size_t window;
    double slot[16 * WIDTH];
    uint64_t hash;
    size_t commits, stop_at;
    double thread_slot[MAXP * 8][WIDTH];
} work;

static double value(size_t it, size_t k)
{
    return (double)(it * 7919 % 1009) / 7.0 + (double)k * 0.125;
}

static int item_fn(void *ctx, void *state, size_t it, dv_error *err)
{
    (void)state;
    work *w = ctx;
    if ((int)it == w->fail_at)
        return dv__err(err, DV_EINVAL, "item %zu refuses", it);
    if (w->rank == w->slow_rank) {
        struct timespec ts = {0, 3000000};
        nanosleep(&ts, NULL);
    }
#pragma omp atomic
    w->own++;
    double *out = w->window ? w->slot + (it % w->window) * WIDTH : w->res + it * WIDTH;
    for (size_t k = 0; k <= it % WIDTH; k++)
        out[k] = value(it, k);
    return DV_OK;
}

static size_t item_spans(void *ctx, size_t it, dv__span *sp)
{
    work *w = ctx;
    double *out = w->window ? w->slot + (it % w->window) * WIDTH : w->res + it * WIDTH;
    sp[0] = (dv__span){out, it % WIDTH + 1, sizeof(double), sizeof(double)};
    return 1;
}

static int ordered_commit(void *ctx, size_t it)
{
    work *w = ctx;
    const double *v = w->slot + (it % w->window) * WIDTH;
    for (size_t k = 0; k <= it % WIDTH; k++) {
        uint64_t b;
        memcpy(&b, &v[k], sizeof b);
        w->hash = w->hash * 1099511628211ULL ^ b ^ it;
    }
    w->commits++;
    return it + 1 == w->stop_at;
}

static void fresh(work *w, int rank)
{
    memset(w, 0, sizeof *w);
    w->fail_at = w->slow_rank = -1;
    w->rank = rank;
}

/* ---- Cases ---- */

/* Items [lo, hi) of w, unordered, results on every process. */
static dv__job items_job(dv_comm *c, work *w, size_t lo, size_t hi, int threads)
{
    return (dv__job){c, lo, hi, NULL, 0, 1, threads, item_fn, item_spans, NULL, w, NULL, NULL, 0};
}

/* Every process ends with every item's results (unordered, everywhere). */
static void body_everywhere(dv_comm *c)
{
    static work w;
    fresh(&w, c->rank);
    dv__job j = items_job(c, &w, 0, NITEMS, 2);
    dv_error err = {0};
    CHECK_MSG(dv__job_run(&j, &err) == DV_OK, "%s", err.msg);
    for (size_t it = 0; it < NITEMS; it++)
        for (size_t k = 0; k <= it % WIDTH; k++)
            CHECK(w.res[it * WIDTH + k] == value(it, k));
    /* a second loop right after: its messages are its own */
    fresh(&w, c->rank);
    j.lo = 50;
    j.hi = 120;
    CHECK_MSG(dv__job_run(&j, &err) == DV_OK, "%s", err.msg);
    for (size_t it = 0; it < NITEMS; it++)
        CHECK(w.res[it * WIDTH] == (it >= 50 && it < 120 ? value(it, 0) : 0.0));
}

static void test_everywhere(void)
{
    for (int R = 2; R <= 3; R++)
        CHECK(on_processes(R, body_everywhere));
}

/* The ordered commits, and the stop process 0's commit decides, are those
 * of one process on every process. */
static size_t stop_at;

static void ordered_run(dv_comm *c, work *w, int rank)
{
    fresh(w, rank);
    w->window = 16;
    w->stop_at = stop_at;
    dv__job j = {c, 0, NITEMS, NULL, w->window, 1, 2, item_fn, item_spans, ordered_commit, w,
                 NULL, NULL, 1};
    dv_error err = {0};
    CHECK_MSG(dv__job_run(&j, &err) == DV_OK, "%s", err.msg);
}

/* One process's run, made in a child too (OpenMP's threads do not survive
 * a fork), into memory the processes share. */
static work *one_process;

static void body_one(dv_comm *c)
{
    (void)c;
    ordered_run(NULL, one_process, 0);
}

static void body_ordered(dv_comm *c)
{
    static work w;
    ordered_run(c, &w, c->rank);
    CHECK_EQ_INT(w.commits, one_process->commits);
    CHECK(w.hash == one_process->hash);
}

static void test_ordered(void)
{
    one_process = mmap(NULL, sizeof *one_process, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(one_process != MAP_FAILED);
    if (one_process == MAP_FAILED)
        return;
    size_t stops[2] = {NITEMS + 1, 97}; /* no stop; a stop at item 96 */
    for (int s = 0; s < 2; s++) {
        stop_at = stops[s];
        CHECK(on_processes(1, body_one));
        CHECK_EQ_INT(one_process->commits, s ? 97 : NITEMS);
        for (int R = 2; R <= 3; R++)
            CHECK(on_processes(R, body_ordered));
    }
    munmap(one_process, sizeof *one_process);
}

/* A failing item fails the loop on every process with its message. */
static void body_failure(dv_comm *c)
{
    static work w;
    fresh(&w, c->rank);
    w.fail_at = 123;
    dv__job j = items_job(c, &w, 0, NITEMS, 2);
    dv_error err = {0};
    CHECK_EQ_INT(dv__job_run(&j, &err), DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "item 123 refuses") != NULL, "%s", err.msg);
    /* and the processes go on together */
    fresh(&w, c->rank);
    j.hi = 40;
    CHECK_MSG(dv__job_run(&j, &err) == DV_OK, "%s", err.msg);
    CHECK(w.res[39 * WIDTH] == value(39, 0));
}

static void test_failure(void)
{
    CHECK(on_processes(3, body_failure));
}

/* Results and commits on process 0 only, items from a list (a run
 * directory's pending items); the others' results live in their threads'
 * slots. */
static uint64_t ids[NITEMS / 2];

static int root_item(void *ctx, void *state, size_t it, dv_error *err)
{
    (void)state;
    (void)err;
    work *w = ctx;
    double *out = w->rank == 0 ? w->res + it * WIDTH : w->thread_slot[omp_get_thread_num()];
    for (size_t k = 0; k <= it % WIDTH; k++)
        out[k] = value(it, k);
    return DV_OK;
}

static size_t root_spans(void *ctx, size_t it, dv__span *sp)
{
    work *w = ctx;
    double *out = w->rank == 0 ? w->res + it * WIDTH : w->thread_slot[omp_get_thread_num()];
    sp[0] = (dv__span){out, it % WIDTH + 1, sizeof(double), sizeof(double)};
    return 1;
}

static int root_commit(void *ctx, size_t it)
{
    work *w = ctx;
    w->commits++;
    w->hash += it;
    return 0;
}

static void body_root(dv_comm *c)
{
    static work w;
    fresh(&w, c->rank);
    dv__job j = {c, 0, NITEMS / 2, c->rank == 0 ? ids : NULL, 0, 0, 2, root_item, root_spans,
                 c->rank == 0 ? root_commit : NULL, &w, NULL, NULL, 0};
    dv_error err = {0};
    CHECK_MSG(dv__job_run(&j, &err) == DV_OK, "%s", err.msg);
    if (c->rank != 0)
        return;
    uint64_t want = 0;
    for (size_t q = 0; q < NITEMS / 2; q++)
        want += ids[q];
    CHECK_EQ_INT(w.commits, NITEMS / 2);
    CHECK(w.hash == want);
    for (size_t q = 0; q < NITEMS / 2; q++)
        for (size_t k = 0; k <= ids[q] % WIDTH; k++)
            CHECK(w.res[ids[q] * WIDTH + k] == value(ids[q], k));
}

static void test_root_only(void)
{
    for (size_t q = 0; q < NITEMS / 2; q++) /* every other item, backwards */
        ids[q] = NITEMS - 1 - 2 * q;
    CHECK(on_processes(3, body_root));
}

/* A slow process gets fewer items (dynamic hand-out). */
static void body_slow(dv_comm *c)
{
    static work w;
    fresh(&w, c->rank);
    w.slow_rank = 1;
    dv__job j = items_job(c, &w, 0, NITEMS, 1);
    dv_error err = {0};
    CHECK_MSG(dv__job_run(&j, &err) == DV_OK, "%s", err.msg);
    for (size_t it = 0; it < NITEMS; it++)
        CHECK(w.res[it * WIDTH] == value(it, 0));
    /* process 0's count to every process (in a status message), for
     * process 1 to compare */
    uint64_t own = w.own;
    dv_error e = {0};
    snprintf(e.msg, sizeof e.msg, "%llu", (unsigned long long)own);
    int rc0 = dv__dist_status(c, c->rank == 0 ? 7 : 0, &e);
    CHECK_EQ_INT(rc0, 7);
    unsigned long long own0 = strtoull(e.msg, NULL, 10);
    if (c->rank == 1)
        CHECK_MSG(own * 4 < own0, "the slow process computed %llu items, process 0 %llu",
                  (unsigned long long)own, own0);
}

static void test_slow_process(void)
{
    CHECK(on_processes(2, body_slow));
}

/* The small exchanges, and an empty loop. */
static void body_small(dv_comm *c)
{
    CHECK_EQ_INT(dv__dist_threads(c, c->rank + 1), 6); /* 1 + 2 + 3 */
    double x[3] = {c->rank + 0.5, -1, 2};
    CHECK(dv__dist_bcast(c, x, sizeof x, NULL) == DV_OK);
    CHECK(x[0] == 0.5);
    dv_error e = {0};
    if (c->rank == 0)
        snprintf(e.msg, sizeof e.msg, "from process 0");
    CHECK_EQ_INT(dv__dist_status(c, c->rank == 0 ? DV_ESTATE : DV_OK, &e), DV_ESTATE);
    CHECK(strcmp(e.msg, "from process 0") == 0);
    static work w;
    fresh(&w, c->rank);
    dv__job j = items_job(c, &w, 5, 5, 2);
    CHECK(dv__job_run(&j, NULL) == DV_OK);
    CHECK_EQ_INT(w.own, 0);
}

static void test_small_exchanges(void)
{
    CHECK(on_processes(3, body_small));
}

int main(void)
{
    RUN(test_everywhere);
    RUN(test_ordered);
    RUN(test_failure);
    RUN(test_root_only);
    RUN(test_slow_process);
    RUN(test_small_exchanges);
    return CHECK_DONE();
}
