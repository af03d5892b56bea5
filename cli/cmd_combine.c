/*
 * cmd_combine.c -- `dval combine RUN_DIR SHARD_DIR...`: the run of the
 * shards of one run (dval sample --shard I/N), as one process writes it.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char *USAGE =
    "usage: dval combine RUN_DIR SHARD_DIR... [-q]\n"
    "\n"
    "Makes the run directory RUN_DIR from the directories of the N shards of one\n"
    "run, each made by dval sample ... --shard I/N -o SHARD_DIR (I = 0 .. N-1, e.g.\n"
    "the tasks of a job array; docs/CLUSTER.md), in any order.  RUN_DIR gets the\n"
    "files one process would have written, byte for byte (deltas.npy, cards.npy,\n"
    "points.npy, points.csv, run.json, whose command is the first shard's without\n"
    "--shard).  A shard that is missing, given twice, unfinished or of another run\n"
    "(other data or settings) is named, and nothing is written.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet    no summary line\n"
    "  -h, --help     this help\n";

int cmd_combine(int argc, char **argv)
{
    static const struct option longopts[] = {{"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int quiet = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (argc - optind < 2)
        cli_die("combine: give the run directory to make and the shard directories (see dval "
                "combine --help)");
    const char *run_dir = argv[optind];
    const char *const *shards = (const char *const *)argv + optind + 1;
    size_t n = (size_t)(argc - optind - 1);
    for (size_t i = 0; i < n; i++)
        if (strcmp(shards[i], run_dir) == 0)
            cli_die("combine: %s is both the run to make and a shard", run_dir);
    dv_error err = {0};
    double t0 = dv_clock_seconds();
    if (dv_run_combine(run_dir, shards, n, &err))
        cli_die("%s", err.msg);
    if (!quiet)
        fprintf(stderr, "dval: combined %zu shards into %s/ in %.2f s\n", n, run_dir,
                dv_clock_seconds() - t0);
    return 0;
}
