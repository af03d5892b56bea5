/*
 * cmd_report.c -- `dval report RUN_DIR`: one self-contained HTML page for a
 * sampling run (dv_report_write), after fitting its laws and values when
 * scaling.csv or values.csv is missing.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval report RUN_DIR [-o DIR] [--data FILE] [--amortized]\n"
    "\n"
    "Writes DIR/report.html (default DIR: RUN_DIR/report), a self-contained page\n"
    "for a sampling run: the command and settings, the data, the timing, the most\n"
    "and least valuable points with their labels and values, and every figure that\n"
    "applies (law, hist, convergence of the estimates with the samples per point;\n"
    "validation for a grid-mode run; distance for binary logistic regression when\n"
    "the run's data file can be read).  The figures are\n"
    "also written to DIR as PNG and SVG.  Fits laws and values first when\n"
    "scaling.csv or values.csv is missing.\n"
    "\n"
    "  -o, --out DIR   output directory\n"
    "  --data FILE     the run's data file, when it has moved since the run\n"
    "  --top N         points in each of the top and bottom tables (default 10)\n"
    "  --amortized     the convergence figure also shows the amortized law (one\n"
    "                  network per budget: slower; needs the run's data)\n"
    "  -q, --quiet     do not print the report's path\n";

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"data", required_argument, 0, 1},
                                         {"top", required_argument, 0, 2},
                                         {"amortized", no_argument, 0, 3},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL, *data = NULL;
    size_t top = 10;
    int quiet = 0, amortized = 0;
    optind = 1;
    int c;
    while ((c = cli_getopt(argc, argv, "o:qh", opts)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 1: data = optarg; break;
        case 2: top = (size_t)cli_int("--top", optarg, 1, 1000); break;
        case 3: amortized = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind >= argc)
        cli_die("report: RUN_DIR is required");
    const char *run = argv[optind++];
    if (optind < argc)
        cli_die("report: unexpected argument '%s'", argv[optind]);
    char path[4300], dir[4300];
    dv_run *r = cli_run_open(run);
    snprintf(dir, sizeof dir, "%s", out ? out : "");
    if (!out)
        snprintf(dir, sizeof dir, "%s/report", run);
    dv_law *laws = cli_run_laws(r, 0, NULL, 0);
    snprintf(path, sizeof path, "%s/values.csv", run);
    struct stat st;
    if (stat(path, &st) != 0)
        cli_value_run(r, laws, NULL, 0, 0, 0, NULL);
    dv_report_opts o;
    dv_report_opts_default(&o);
    o.top = top;
    o.data_path = data;
    o.amortized = amortized;
    o.wrote = cli_wrote;
    dv_error err = {0};
    if (dv_report_write(r, laws, dir, &o, &err))
        cli_die("%s", err.msg);
    if (!quiet)
        printf("%s/report.html\n", dir);
    free(laws);
    dv_run_free(r);
    return 0;
}
