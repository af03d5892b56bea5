/*
 * dist.c -- the command over several processes.  Started by mpirun (or
 * srun) with more than one process, `dval sample` and `dval value` run on
 * all of them: every process reads the data and makes the same library
 * calls with the same dv_comm (libdval_mpi), and process 0 alone prints
 * and writes.  Other commands refuse to run on several processes.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifdef DV_HAVE_MPI
#include "dval_mpi.h"
static dv_comm comm;
#endif
#ifdef DV_HAVE_MPI
static int active; /* MPI initialized by us */
#endif
static int rank, size = 1;

/* Whether a launcher started this process as one of several. */
static int launched_size(void)
{
    const char *v = getenv("OMPI_COMM_WORLD_SIZE");
    if (!v)
        v = getenv("PMI_SIZE");
    if (!v)
        v = getenv("PMIX_SIZE");
    return v ? atoi(v) : 1;
}

void cli_dist_start(int *argc, char ***argv, const char *command)
{
    int launched = launched_size();
#ifdef DV_HAVE_MPI
    if (launched > 1 || getenv("OMPI_COMM_WORLD_RANK")) {
        int provided = 0;
        MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
        active = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        if (provided < MPI_THREAD_FUNNELED)
            cli_die("the MPI library does not support threads (MPI_THREAD_FUNNELED)");
        if (dv_comm_mpi_init(&comm, MPI_COMM_WORLD))
            cli_die("out of memory");
    }
#else
    (void)argc;
    (void)argv;
    if (launched > 1)
        cli_die("this dval was built without MPI, so %d copies started by mpirun would each do "
                "the whole job; rebuild with Open MPI installed (libopenmpi-dev), or run one "
                "process",
                launched);
#endif
    if (size > 1 && command && strcmp(command, "sample") != 0 && strcmp(command, "value") != 0) {
        if (rank == 0)
            fprintf(stderr, "dval: %s runs on one process; only dval sample and dval value run "
                            "on several (started with mpirun -n %d)\n",
                    command, size);
        cli_dist_end();
        exit(2);
    }
}

dv_comm *cli_comm(void)
{
#ifdef DV_HAVE_MPI
    return size > 1 ? &comm : NULL;
#else
    return NULL;
#endif
}

int cli_rank(void)
{
    return rank;
}

void cli_dist_end(void)
{
#ifdef DV_HAVE_MPI
    if (active) {
        dv_comm_mpi_finish(&comm);
        MPI_Finalize();
        active = 0;
    }
#endif
}

void cli_dist_abort(int status)
{
#ifdef DV_HAVE_MPI
    if (active && size > 1) {
        fflush(NULL);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    cli_dist_end();
#endif
    (void)status;
}

void cli_dist_only_one(const char *what)
{
    if (size > 1)
        cli_die("%s runs on one process; start it without mpirun", what);
}
