/*
 * dval_mpi.h -- a dv_comm over MPI (libdval_mpi, built when Open MPI is
 * found).  MPI must be initialized, with at least MPI_THREAD_FUNNELED, and
 * the library called from the thread that initialized it.
 *
 *     MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
 *     dv_comm comm;
 *     dv_comm_mpi_init(&comm, MPI_COMM_WORLD);
 *     params.comm = &comm;            // dv_sample_params or dv_value_params
 *     ... the same calls on every rank ...
 *     dv_comm_mpi_finish(&comm);
 *     MPI_Finalize();
 */
#ifndef DVAL_MPI_H
#define DVAL_MPI_H

#include <mpi.h>

#include "dval.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills c for the ranks of comm (which must outlive c); DV_OK, or DV_ENOMEM. */
DV_API int dv_comm_mpi_init(dv_comm *c, MPI_Comm comm);
/* Waits until every message c sent has been delivered, then frees c's
 * state.  Call before MPI_Finalize. */
DV_API void dv_comm_mpi_finish(dv_comm *c);

#ifdef __cplusplus
}
#endif

#endif
