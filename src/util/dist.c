/*
 * dist.c -- work items over several processes (dv_comm), with results
 * identical to one process's.
 *
 * Process 0 coordinates: its first thread hands items out to the other
 * processes as they have room (each takes four items per thread), receives
 * their results into the caller's context through the item's spans (where
 * its results live), and commits items, in item order when ordered, while
 * its other threads compute items too.  With `everywhere`, every result
 * and commit is forwarded to every process in the order process 0 commits,
 * so that every process ends in the same state; otherwise results stay on
 * process 0 (a run directory has one writer).
 *
 * Each loop has its own pair of tags (from comm->seq), and ends with a
 * handshake (END, then DONE from each process), so no message of one loop
 * is left for the next.  A process's communication runs on the thread that
 * called the library (MPI_THREAD_FUNNELED); it waits by polling with short
 * sleeps, so it takes almost no processor time from the computing threads.
 */
#include "internal.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    UP_READY = 1,  /* worker -> 0: item = how many items it takes at once */
    UP_RESULT,     /* worker -> 0: item's results (rc: its failure, then the message) */
    UP_DONE,       /* worker -> 0: left the loop */
    DN_WORK,       /* 0 -> worker: compute item */
    DN_RESULT,     /* 0 -> worker: item's results (everywhere); rc: 1 if the commit stopped */
    DN_END,        /* 0 -> worker: the loop is over; rc and message: its status */
    MSG_VALUE      /* the small exchanges (status, broadcast, thread counts) */
};

typedef struct {
    uint32_t kind;
    int32_t rc;
    uint64_t item;
} hdr;

/* Waiting: a sleep that doubles from 20 us to 0.5 ms while nothing
 * happens, and is reset when something does: a waiting thread wakes up
 * about 2,000 times a second (on two cores, shorter sleeps of the
 * communicating threads cost the computing ones more than they gained), a
 * busy one answers within microseconds. */
#define IDLE_MIN_NS 20000L
#define IDLE_MAX_NS 500000L

static void idle_wait(long *ns)
{
    struct timespec ts = {0, *ns};
    nanosleep(&ts, NULL);
    *ns = *ns * 2 < IDLE_MAX_NS ? *ns * 2 : IDLE_MAX_NS;
}

static void idle(void)
{
    long ns = IDLE_MIN_NS;
    idle_wait(&ns);
}

int dv__dist_on(const dv_comm *c)
{
    return c && c->size > 1;
}

/* Two fresh tags per exchange: up (to process 0) and down. */
static int next_tags(dv_comm *c, int *up, int *dn)
{
    unsigned s = c->seq++ % 16000u;
    *up = 100 + 2 * (int)s;
    *dn = *up + 1;
    return *up;
}

static int comm_fail(dv_error *err, const char *what)
{
    return dv__err(err, DV_EIO, "message passing failed (%s)", what);
}

/* A message of len bytes after its header, malloc'd, the header written
 * (NULL: out of memory). */
static unsigned char *msg_new(uint32_t kind, int32_t rc, uint64_t item, size_t len)
{
    unsigned char *buf = dv__malloc(sizeof(hdr) + len);
    if (buf) {
        hdr h = {kind, rc, item};
        memcpy(buf, &h, sizeof h);
    }
    return buf;
}

/* The text after a message's header into out (cap bytes, NUL-terminated). */
static void msg_text(const unsigned char *buf, size_t len, char *out, size_t cap)
{
    size_t m = len - sizeof(hdr) < cap - 1 ? len - sizeof(hdr) : cap - 1;
    memcpy(out, buf + sizeof(hdr), m);
    out[m] = 0;
}

/* Sends a header and an optional payload as one message. */
static int send_msg(dv_comm *c, int dest, int tag, uint32_t kind, int32_t rc, uint64_t item,
                    const void *payload, size_t len)
{
    unsigned char *buf = msg_new(kind, rc, item, len);
    if (!buf)
        return DV_ENOMEM;
    if (len)
        memcpy(buf + sizeof(hdr), payload, len);
    int rc2 = c->send(c->user, dest, tag, buf, sizeof(hdr) + len) ? DV_EIO : DV_OK;
    dv__free(buf);
    return rc2;
}

/* Receives the next message with tag, waiting for it: a malloc'd buffer
 * (header first), its source and length; NULL on failure. */
static unsigned char *recv_msg(dv_comm *c, int tag, int wait, int *src, size_t *len, int *rc)
{
    *rc = DV_OK;
    for (;;) {
        int got = c->poll(c->user, tag, src, len);
        if (got < 0) {
            *rc = DV_EIO;
            return NULL;
        }
        if (got > 0)
            break;
        if (!wait)
            return NULL;
        idle();
    }
    unsigned char *buf = dv__malloc(*len > sizeof(hdr) ? *len : sizeof(hdr));
    if (!buf) {
        *rc = DV_ENOMEM;
        return NULL;
    }
    if (c->recv(c->user, *src, tag, buf, *len) || *len < sizeof(hdr)) {
        dv__free(buf);
        *rc = DV_EIO;
        return NULL;
    }
    return buf;
}

static size_t spans_bytes(const dv__span *sp, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++)
        b += sp[i].count * sp[i].size;
    return b;
}

static void pack(const dv__span *sp, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t e = 0; e < sp[i].count; e++, out += sp[i].size)
            memcpy(out, (const char *)sp[i].base + e * sp[i].stride, sp[i].size);
}

/* Writes a result's payload into the item's spans; DV_EIO when its length
 * is not theirs. */
static int unpack(const dv__job *j, uint64_t item, const unsigned char *in, size_t len)
{
    dv__span sp[DV__MAX_SPANS];
    size_t n = j->spans(j->ctx, (size_t)item, sp);
    if (spans_bytes(sp, n) != len)
        return DV_EIO;
    for (size_t i = 0; i < n; i++)
        for (size_t e = 0; e < sp[i].count; e++, in += sp[i].size)
            memcpy((char *)sp[i].base + e * sp[i].stride, in, sp[i].size);
    return DV_OK;
}

/* A result message (header + packed spans) of item, malloc'd. */
static unsigned char *result_msg(const dv__job *j, uint32_t kind, int32_t rc, uint64_t item,
                                 size_t *total)
{
    dv__span sp[DV__MAX_SPANS];
    size_t n = j->spans(j->ctx, (size_t)item, sp), len = spans_bytes(sp, n);
    unsigned char *buf = msg_new(kind, rc, item, len);
    if (!buf)
        return NULL;
    pack(sp, n, buf + sizeof(hdr));
    *total = sizeof(hdr) + len;
    return buf;
}

/* Computes item with state (a fresh one when per item); fills e on failure. */
static int compute_one(const dv__job *j, void *state, uint64_t item, dv_error *e)
{
    void *st = state;
    int rc = dv__check_interrupt(e);
    if (!rc && j->state_new && (j->per_item ? !(st = j->state_new(j->ctx)) : !st))
        rc = dv__err(e, DV_ENOMEM, "out of memory for a worker's scratch space");
    if (!rc)
        rc = j->fn(j->ctx, st, (size_t)item, e);
    if (j->per_item && st && j->state_free)
        j->state_free(st);
    if (rc && !e->msg[0])
        dv__err(e, rc, "step %llu of the computation failed: %s", (unsigned long long)item,
                dv_strerror(rc));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* One process: the plain loops                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    const dv__job *j;
} local_job;

static int local_item(void *vctx, void *state, size_t q, dv_error *err)
{
    const local_job *l = vctx;
    const dv__job *j = l->j;
    size_t item = j->ids ? (size_t)j->ids[q] : q;
    int rc = j->fn(j->ctx, state, item, err);
    if (!rc && j->commit) {
#pragma omp critical(dv_dist_commit)
        j->commit(j->ctx, item);
    }
    return rc;
}

static void *local_state_new(void *vctx)
{
    const local_job *l = vctx;
    return l->j->state_new(l->j->ctx);
}

static int run_local(const dv__job *j, dv_error *err)
{
    if (j->window)
        return dv__for_items_ordered(j->lo, j->hi, j->window, j->n_threads, j->fn, j->commit,
                                     j->ctx, j->state_new, j->state_free, err);
    if (!j->ids && !j->commit)
        return dv__for_items(j->lo, j->hi, j->n_threads, j->fn, j->ctx, j->state_new,
                             j->state_free, j->per_item, err);
    local_job l = {j};
    return dv__for_items(j->lo, j->hi, j->n_threads, local_item, &l,
                         j->state_new ? local_state_new : NULL, j->state_free, j->per_item, err);
}

/* ------------------------------------------------------------------------ */
/* Process 0                                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
    const dv__job *j;
    dv_comm *c;
    int up, dn;
    size_t *out, *cap;        /* per process: items handed out, room */
    /* Under critical(dv_dist): */
    size_t next, committed;   /* positions in [lo, hi) */
    unsigned char *slot;      /* ordered: 0 free, 1 running, 2 done, per window slot */
    size_t *doneq, n_doneq;   /* unordered: local positions done, not committed */
    size_t n_committed;
    int running, stop, failed, ended;
    dv_error first;
} root;

static uint64_t item_of(const dv__job *j, size_t q)
{
    return j->ids ? j->ids[q] : (uint64_t)q;
}

static void fail(root *r, int code, const char *msg)
{
#pragma omp critical(dv_dist)
    if (!r->failed) {
        r->failed = 1;
        r->first.code = code;
        snprintf(r->first.msg, sizeof r->first.msg, "%s", msg);
    }
}

/* Takes the next position that may run now, to compute here (local) or
 * to hand out: 1 and *q, else 0. */
static int take(root *r, size_t *q, int local)
{
    const dv__job *j = r->j;
    int have = 0;
#pragma omp critical(dv_dist)
    if (!r->stop && !r->failed && !r->ended && r->next < j->hi &&
        (!j->window || r->next - r->committed < j->window)) {
        *q = r->next++;
        if (j->window)
            r->slot[*q % j->window] = 1;
        r->running += local; /* computed here: the loop ends only after it */
        have = 1;
    }
    return have;
}

/* A computing thread of process 0. */
static void root_compute(root *r, void *state)
{
    const dv__job *j = r->j;
    long wait = IDLE_MIN_NS;
    for (;;) {
        int quit;
#pragma omp critical(dv_dist)
        quit = r->stop || r->failed || r->ended;
        if (quit)
            break;
        size_t q;
        if (!take(r, &q, 1)) {
            idle_wait(&wait);
            continue;
        }
        wait = IDLE_MIN_NS;
        dv_error e = {0};
        int rc = compute_one(j, state, item_of(j, q), &e);
        if (rc)
            fail(r, rc, e.msg);
#pragma omp critical(dv_dist)
        {
            r->running--;
            if (!rc && j->window)
                r->slot[q % j->window] = 2;
            else if (!rc)
                r->doneq[r->n_doneq++] = q;
        }
    }
}

/* Forwards item's results to every other process (everywhere). */
static int forward(root *r, uint64_t item, int32_t stop, int skip)
{
    size_t total;
    unsigned char *buf = result_msg(r->j, DN_RESULT, stop, item, &total);
    if (!buf)
        return DV_ENOMEM;
    int rc = DV_OK;
    for (int w = 1; w < r->c->size && !rc; w++)
        if (w != skip && r->c->send(r->c->user, w, r->dn, buf, total))
            rc = DV_EIO;
    dv__free(buf);
    return rc;
}

/* Commits (and forwards) one finished item; returns 1 if it stops the run. */
static int commit_one(root *r, uint64_t item, int skip)
{
    const dv__job *j = r->j;
    int s = j->commit ? j->commit(j->ctx, (size_t)item) != 0 : 0;
    if (j->everywhere) {
        int rc = forward(r, item, s, skip);
        if (rc)
            fail(r, rc, rc == DV_ENOMEM ? "out of memory" : "message passing failed (forward)");
    }
    return s;
}

/* Commits what is ready: in order (ordered), or the local items done
 * (unordered); returns whether anything was. */
static int commit_ready(root *r)
{
    const dv__job *j = r->j;
    int any = 0;
    for (;;) {
        size_t q = 0;
        int have = 0;
#pragma omp critical(dv_dist)
        if (!r->stop && !r->failed) {
            if (j->window && r->committed < r->next && r->slot[r->committed % j->window] == 2) {
                q = r->committed;
                have = 1;
            } else if (!j->window && r->n_doneq) {
                q = r->doneq[--r->n_doneq];
                have = 1;
            }
        }
        if (!have)
            return any;
        any = 1;
        int s = commit_one(r, item_of(j, q), 0);
#pragma omp critical(dv_dist)
        {
            if (j->window) {
                r->slot[q % j->window] = 0;
                r->committed++;
            }
            r->n_committed++;
            if (s)
                r->stop = 1;
        }
    }
}

/* A message from a worker. */
static void root_message(root *r, int src, const unsigned char *buf, size_t len)
{
    const dv__job *j = r->j;
    hdr h;
    memcpy(&h, buf, sizeof h);
    if (h.kind == UP_READY) {
        r->cap[src] = (size_t)h.item;
        return;
    }
    if (h.kind != UP_RESULT)
        return;
    r->out[src]--;
    int gone;
#pragma omp critical(dv_dist)
    gone = r->stop || r->failed;
    if (gone)
        return;
    if (h.rc) {
        char msg[sizeof r->first.msg];
        msg_text(buf, len, msg, sizeof msg);
        fail(r, h.rc, msg);
        return;
    }
    if (unpack(j, h.item, buf + sizeof h, len - sizeof h)) {
        fail(r, DV_EIO, "message passing failed (a result of the wrong size)");
        return;
    }
    if (j->window) {
#pragma omp critical(dv_dist)
        r->slot[h.item % j->window] = 2;
        return;
    }
    int s = commit_one(r, h.item, src);
#pragma omp critical(dv_dist)
    {
        r->n_committed++;
        if (s)
            r->stop = 1;
    }
}

/* Hands items to the workers with room; returns whether it did. */
static int hand_out(root *r)
{
    int any = 0;
    for (int more = 1; more;) {
        more = 0;
        for (int w = 1; w < r->c->size; w++) {
            size_t q;
            if (r->out[w] >= r->cap[w] || !take(r, &q, 0))
                continue;
            if (send_msg(r->c, w, r->dn, DN_WORK, 0, item_of(r->j, q), NULL, 0)) {
                fail(r, DV_EIO, "message passing failed (work)");
                return 1;
            }
            r->out[w]++;
            any = more = 1;
        }
    }
    return any;
}

static void root_comm(root *r)
{
    const dv__job *j = r->j;
    size_t total = j->hi - j->lo;
    long wait = IDLE_MIN_NS;
    for (;;) {
        int busy = 0;
        for (;;) {
            int src, rc;
            size_t len;
            unsigned char *buf = recv_msg(r->c, r->up, 0, &src, &len, &rc);
            if (rc)
                fail(r, rc, "message passing failed (receive)");
            if (!buf)
                break;
            busy = 1;
            if (src > 0 && src < r->c->size)
                root_message(r, src, buf, len);
            dv__free(buf);
        }
        busy |= commit_ready(r);
        busy |= hand_out(r);
        if (!r->failed && dv_interrupted())
            fail(r, DV_EINTR, "interrupted");
        int fin;
#pragma omp critical(dv_dist)
        {
            fin = (r->failed || r->stop || r->n_committed == total) && r->running == 0;
            if (fin)
                r->ended = 1;
        }
        if (fin)
            break;
        if (busy)
            wait = IDLE_MIN_NS;
        else
            idle_wait(&wait);
    }
}

/* Ends the loop on every worker and waits until each has left it. */
static void end_workers(root *r)
{
    int32_t code = r->failed ? r->first.code : 0;
    size_t mlen = r->failed ? strlen(r->first.msg) : 0;
    for (int w = 1; w < r->c->size; w++)
        if (send_msg(r->c, w, r->dn, DN_END, code, 0, r->first.msg, mlen))
            fail(r, DV_EIO, "message passing failed (end)");
    for (int left = r->c->size - 1; left > 0;) {
        int src, rc;
        size_t len;
        unsigned char *buf = recv_msg(r->c, r->up, 1, &src, &len, &rc);
        if (!buf) {
            fail(r, rc ? rc : DV_EIO, "message passing failed (end)");
            return;
        }
        hdr h;
        memcpy(&h, buf, sizeof h);
        left -= h.kind == UP_DONE;
        dv__free(buf);
    }
}

static int run_root(const dv__job *j, int nth, dv_error *err)
{
    dv_comm *c = j->comm;
    root r = {0};
    r.j = j;
    r.c = c;
    next_tags(c, &r.up, &r.dn);
    r.next = r.committed = j->lo;
    r.out = dv__calloc((size_t)c->size, sizeof *r.out);
    r.cap = dv__calloc((size_t)c->size, sizeof *r.cap);
    r.slot = j->window ? dv__calloc(j->window, 1) : NULL;
    r.doneq = j->window ? NULL : dv__malloc((j->hi - j->lo + 1) * sizeof *r.doneq);
    if (!r.out || !r.cap || (j->window && !r.slot) || (!j->window && !r.doneq)) {
        r.failed = 1;
        r.first.code = DV_ENOMEM;
        snprintf(r.first.msg, sizeof r.first.msg, "out of memory");
        r.ended = 1;
    }
#pragma omp parallel num_threads(nth + 1)
    {
        if (omp_get_thread_num() == 0) {
            if (!r.ended)
                root_comm(&r);
        } else {
            void *state = NULL;
            if (j->state_new && !j->per_item && !(state = j->state_new(j->ctx)))
                fail(&r, DV_ENOMEM, "out of memory for a worker's scratch space");
            root_compute(&r, state);
            if (state && j->state_free)
                j->state_free(state);
        }
    }
    end_workers(&r);
    dv__free(r.out);
    dv__free(r.cap);
    dv__free(r.slot);
    dv__free(r.doneq);
    if (r.failed) {
        if (err)
            *err = r.first;
        return r.first.code ? r.first.code : DV_EIO;
    }
    return DV_OK;
}

/* ------------------------------------------------------------------------ */
/* The other processes                                                      */
/* ------------------------------------------------------------------------ */

typedef struct outmsg {
    struct outmsg *next;
    size_t len;
    unsigned char *data; /* header and payload */
} outmsg;

typedef struct {
    const dv__job *j;
    dv_comm *c;
    int up, dn;
    /* Under critical(dv_dist_w): */
    uint64_t *queue;
    size_t qcap, qhead, qlen;
    outmsg *outbox, **outtail;
    int running, ended;
    dv_error status;
} worker;

static void worker_compute(worker *w, void *state)
{
    const dv__job *j = w->j;
    long wait = IDLE_MIN_NS;
    for (;;) {
        uint64_t item = 0;
        int quit = 0, have = 0;
#pragma omp critical(dv_dist_w)
        {
            if (w->ended)
                quit = 1;
            else if (w->qlen) {
                item = w->queue[w->qhead];
                w->qhead = (w->qhead + 1) % w->qcap;
                w->qlen--;
                w->running++;
                have = 1;
            }
        }
        if (quit)
            break;
        if (!have) {
            idle_wait(&wait);
            continue;
        }
        wait = IDLE_MIN_NS;
        dv_error e = {0};
        int rc = compute_one(j, state, item, &e);
        /* The results are packed here, on the thread that computed them:
         * a thread's own scratch may hold them until its next item. */
        outmsg *m = dv__malloc(sizeof *m);
        if (m && !rc && !(m->data = result_msg(j, UP_RESULT, 0, item, &m->len)))
            rc = dv__err(&e, DV_ENOMEM, "out of memory");
        if (m && rc && (m->data = msg_new(UP_RESULT, rc, item, strlen(e.msg)))) {
            memcpy(m->data + sizeof(hdr), e.msg, strlen(e.msg));
            m->len = sizeof(hdr) + strlen(e.msg);
        }
        if (m && !m->data) {
            dv__free(m);
            m = NULL;
        }
#pragma omp critical(dv_dist_w)
        {
            w->running--;
            if (m) {
                m->next = NULL;
                *w->outtail = m;
                w->outtail = &m->next;
            }
        }
    }
}

/* A message from process 0; returns 1 when it ends the loop. */
static int worker_message(worker *w, const unsigned char *buf, size_t len)
{
    const dv__job *j = w->j;
    hdr h;
    memcpy(&h, buf, sizeof h);
    if (h.kind == DN_WORK) {
        int over = 0;
#pragma omp critical(dv_dist_w)
        {
            if (w->qlen < w->qcap) {
                w->queue[(w->qhead + w->qlen) % w->qcap] = h.item;
                w->qlen++;
            } else {
                over = 1;
            }
        }
        if (over && !w->status.code)
            dv__err(&w->status, DV_EIO, "message passing failed (more work than room)");
        return 0;
    }
    if (h.kind == DN_RESULT) {
        if (unpack(j, h.item, buf + sizeof h, len - sizeof h)) {
            if (!w->status.code)
                dv__err(&w->status, DV_EIO, "message passing failed (a result of the wrong "
                                            "size)");
        } else if (j->commit) {
            j->commit(j->ctx, (size_t)h.item); /* process 0 decides the stop */
        }
        return 0;
    }
    if (h.kind == DN_END) {
        if (h.rc) {
            w->status.code = h.rc;
            msg_text(buf, len, w->status.msg, sizeof w->status.msg);
        }
        return 1;
    }
    return 0;
}

static void worker_comm(worker *w)
{
    long wait = IDLE_MIN_NS;
    for (int ended = 0;;) {
        int busy = 0;
        outmsg *list;
#pragma omp critical(dv_dist_w)
        {
            list = w->outbox;
            w->outbox = NULL;
            w->outtail = &w->outbox;
        }
        for (outmsg *m = list, *nx; m; m = nx) {
            nx = m->next;
            if (!ended && w->c->send(w->c->user, 0, w->up, m->data, m->len) &&
                !w->status.code)
                dv__err(&w->status, DV_EIO, "message passing failed (result)");
            dv__free(m->data);
            dv__free(m);
            busy = 1;
        }
        if (ended) {
            int running;
#pragma omp critical(dv_dist_w)
            running = w->running;
            if (!running && !w->outbox)
                break;
            idle();
            continue;
        }
        int src, rc;
        size_t len;
        unsigned char *buf = recv_msg(w->c, w->dn, 0, &src, &len, &rc);
        if (rc && !w->status.code)
            dv__err(&w->status, rc, "message passing failed (receive)");
        if (buf) {
            busy = 1;
            ended = worker_message(w, buf, len);
            dv__free(buf);
        }
        if (rc)
            ended = 1;
        if (ended) {
#pragma omp critical(dv_dist_w)
            w->ended = 1;
        }
        if (busy)
            wait = IDLE_MIN_NS;
        else
            idle_wait(&wait);
    }
}

static int run_worker(const dv__job *j, int nth, dv_error *err)
{
    worker w = {0};
    w.j = j;
    w.c = j->comm;
    next_tags(w.c, &w.up, &w.dn);
    w.qcap = 4 * (size_t)nth;
    w.queue = dv__malloc(w.qcap * sizeof *w.queue);
    w.outtail = &w.outbox;
    if (!w.queue)
        return dv__err(err, DV_ENOMEM, "out of memory");
    /* Room for four items per thread: one running, three waiting, which
     * hides the round trips to process 0 behind short items. */
    if (send_msg(w.c, 0, w.up, UP_READY, 0, w.qcap, NULL, 0)) {
        dv__free(w.queue);
        return comm_fail(err, "ready");
    }
#pragma omp parallel num_threads(nth + 1)
    {
        if (omp_get_thread_num() == 0) {
            worker_comm(&w);
        } else {
            void *state = NULL;
            if (j->state_new && !j->per_item)
                state = j->state_new(j->ctx); /* NULL: its items fail with ENOMEM */
            worker_compute(&w, state);
            if (state && j->state_free)
                j->state_free(state);
        }
    }
    dv__free(w.queue);
    if (send_msg(w.c, 0, w.up, UP_DONE, 0, 0, NULL, 0) && !w.status.code)
        dv__err(&w.status, DV_EIO, "message passing failed (done)");
    if (w.status.code) {
        if (err)
            *err = w.status;
        return w.status.code;
    }
    return DV_OK;
}

/* ------------------------------------------------------------------------ */

int dv__job_run(const dv__job *j, dv_error *err)
{
    if (!dv__dist_on(j->comm))
        return run_local(j, err);
    int nth = j->n_threads > 0 ? j->n_threads : omp_get_max_threads();
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    int rc = j->comm->rank == 0 ? run_root(j, nth, err) : run_worker(j, nth, err);
    openblas_set_num_threads(blas_threads);
    return rc;
}

/* The small exchanges: every process sends process 0 a value (gather), or
 * process 0 sends every process one (broadcast). */

int dv__dist_bcast(dv_comm *c, void *buf, size_t len, dv_error *err)
{
    if (!dv__dist_on(c))
        return DV_OK;
    int up, dn;
    next_tags(c, &up, &dn);
    if (c->rank == 0) {
        for (int w = 1; w < c->size; w++)
            if (send_msg(c, w, dn, MSG_VALUE, 0, 0, buf, len))
                return comm_fail(err, "broadcast");
        return DV_OK;
    }
    int src, rc;
    size_t got;
    unsigned char *m = recv_msg(c, dn, 1, &src, &got, &rc);
    if (!m)
        return comm_fail(err, "broadcast");
    rc = got == sizeof(hdr) + len ? DV_OK : comm_fail(err, "a broadcast of the wrong size");
    if (!rc)
        memcpy(buf, m + sizeof(hdr), len);
    dv__free(m);
    return rc;
}

int dv__dist_status(dv_comm *c, int rc, dv_error *err)
{
    if (!dv__dist_on(c))
        return rc;
    dv_error e = {0};
    if (c->rank == 0) {
        e.code = rc;
        if (rc && err)
            memcpy(e.msg, err->msg, sizeof e.msg);
    }
    if (dv__dist_bcast(c, &e, sizeof e, err))
        return DV_EIO;
    if (c->rank != 0 && e.code && err)
        *err = e;
    return e.code;
}

size_t dv__dist_threads(dv_comm *c, int n_threads)
{
    size_t mine = (size_t)(n_threads > 0 ? n_threads : omp_get_max_threads());
    if (!dv__dist_on(c))
        return mine;
    int up, dn;
    next_tags(c, &up, &dn);
    uint64_t total = mine;
    if (c->rank == 0) {
        for (int left = c->size - 1; left > 0; left--) {
            int src, rc;
            size_t len;
            unsigned char *m = recv_msg(c, up, 1, &src, &len, &rc);
            if (!m)
                break;
            hdr h;
            memcpy(&h, m, sizeof h);
            total += h.item;
            dv__free(m);
        }
    } else {
        send_msg(c, 0, up, MSG_VALUE, 0, mine, NULL, 0);
    }
    /* (a failed exchange shows in the loops that follow) */
    dv__dist_bcast(c, &total, sizeof total, NULL);
    return (size_t)total;
}
