/*
 * comm_mpi.c -- dv_comm over MPI point-to-point messages.
 *
 * A send does not wait for the receiver: the message is copied and sent
 * with MPI_Isend, and the copy freed once MPI reports it sent (checked at
 * every call, and at the end by dv_comm_mpi_finish).  Two processes that
 * both send large messages to each other at once therefore never wait on
 * each other, whatever MPI's protocol for large messages.
 */
#include "dval_mpi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct pending {
    struct pending *next;
    MPI_Request req;
    unsigned char data[];
} pending;

typedef struct {
    MPI_Comm comm;
    pending *sends;
} mpi_state;

/* Frees the copies of the messages MPI has sent. */
static void reap(mpi_state *s)
{
    for (pending **pp = &s->sends; *pp;) {
        int done = 0;
        MPI_Test(&(*pp)->req, &done, MPI_STATUS_IGNORE);
        if (done) {
            pending *p = *pp;
            *pp = p->next;
            free(p);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static int mpi_send(void *user, int dest, int tag, const void *buf, size_t len)
{
    mpi_state *s = user;
    if (len > INT_MAX)
        return -1;
    pending *p = malloc(sizeof *p + (len ? len : 1));
    if (!p)
        return -1;
    memcpy(p->data, buf, len);
    if (MPI_Isend(p->data, (int)len, MPI_BYTE, dest, tag, s->comm, &p->req) != MPI_SUCCESS) {
        free(p);
        return -1;
    }
    p->next = s->sends;
    s->sends = p;
    reap(s);
    return 0;
}

static int mpi_poll(void *user, int tag, int *src, size_t *len)
{
    mpi_state *s = user;
    reap(s);
    int flag = 0, count = 0;
    MPI_Status st;
    if (MPI_Iprobe(MPI_ANY_SOURCE, tag, s->comm, &flag, &st) != MPI_SUCCESS)
        return -1;
    if (!flag)
        return 0;
    if (MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS || count < 0)
        return -1;
    *src = st.MPI_SOURCE;
    *len = (size_t)count;
    return 1;
}

static int mpi_recv(void *user, int src, int tag, void *buf, size_t len)
{
    mpi_state *s = user;
    if (len > INT_MAX)
        return -1;
    return MPI_Recv(buf, (int)len, MPI_BYTE, src, tag, s->comm, MPI_STATUS_IGNORE) == MPI_SUCCESS
               ? 0
               : -1;
}

int dv_comm_mpi_init(dv_comm *c, MPI_Comm comm)
{
    memset(c, 0, sizeof *c);
    mpi_state *s = calloc(1, sizeof *s);
    if (!s)
        return DV_ENOMEM;
    s->comm = comm;
    MPI_Comm_rank(comm, &c->rank);
    MPI_Comm_size(comm, &c->size);
    c->send = mpi_send;
    c->poll = mpi_poll;
    c->recv = mpi_recv;
    c->user = s;
    return DV_OK;
}

void dv_comm_mpi_finish(dv_comm *c)
{
    mpi_state *s = c->user;
    if (!s)
        return;
    while (s->sends) {
        MPI_Wait(&s->sends->req, MPI_STATUS_IGNORE);
        pending *p = s->sends;
        s->sends = p->next;
        free(p);
    }
    free(s);
    c->user = NULL;
}
