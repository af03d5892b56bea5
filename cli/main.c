/*
 * main.c -- the dval command: dispatches to one subcommand per file.
 */
#include "cli.h"

#include <signal.h>
#include <string.h>

static const char *USAGE =
    "usage: dval COMMAND [options]     (dval help COMMAND, or dval COMMAND --help)\n"
    "\n"
    "dval values training data: how much each point contributes to a model, and\n"
    "how that contribution scales with the data set size (c k^-alpha per point).\n"
    "\n"
    "Commands:\n"
    "  demo     the main job on the bundled data: sample, fit, value, summarize\n"
    "  synth    write a synthetic data set (linear-clf, linear-reg, gauss2d)\n"
    "  sample   sample exact marginal contributions into a run directory\n"
    "  combine  make a run from the shards of its work (dval sample --shard I/N)\n"
    "  fit      fit a scaling law per point (scaling.csv)\n"
    "  value    per-point values from the laws and the samples (values.csv)\n"
    "  curve    the data set's learning curve and its law\n"
    "  eval     evaluation tasks: noisy, removal, addition, estimators\n"
    "  plot     figures of runs and tasks (PNG, SVG, PDF)\n"
    "  report   an HTML page for a run, with its figures\n"
    "  study    the 2-D study of data values on a mesh (dval study boundary)\n"
    "  help     show help for a command\n"
    "  version  print the version\n";

typedef struct {
    const char *name;
    int (*fn)(int, char **);
} command;

static const command COMMANDS[] = {{"demo", cmd_demo},   {"synth", cmd_synth},
                                   {"sample", cmd_sample}, {"combine", cmd_combine},
                                   {"fit", cmd_fit},
                                   {"value", cmd_value}, {"curve", cmd_curve},
                                   {"eval", cmd_eval},     {"plot", cmd_plot},
                                   {"report", cmd_report}, {"study", cmd_study}};

/* The first Ctrl-C (or SIGTERM) asks the library to stop at its next work
 * item, so that the command fails cleanly ("interrupted"), its outputs
 * untouched and a run resumable; a second one ends the process at once. */
static void on_signal(int sig)
{
    dv_interrupt();
    signal(sig, SIG_DFL);
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return &COMMANDS[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("dval %s\n", dv_version_string());
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            fputs(USAGE, stdout);
            return 0;
        }
        const command *c = find(argv[2]);
        if (!c)
            cli_die("help: unknown command '%s'", argv[2]);
        char *args[] = {(char *)c->name, "--help", NULL};
        return c->fn(2, args);
    }
    const command *c = find(cmd);
    if (!c) {
        /* the nearest command, if one is near */
        const char *names[sizeof COMMANDS / sizeof COMMANDS[0]];
        for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
            names[i] = COMMANDS[i].name;
        const char *near = cli_nearest(cmd, names, sizeof COMMANDS / sizeof COMMANDS[0]);
        if (near)
            fprintf(stderr, "dval: unknown command '%s'; did you mean '%s'? (see dval --help)\n",
                    cmd, near);
        else
            fprintf(stderr, "dval: unknown command '%s' (see dval --help)\n", cmd);
        return 2;
    }
    cli_command = c->name;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    cli_dist_start(&argc, &argv, c->name);
    int rc = c->fn(argc - 1, argv + 1);
    cli_dist_end();
    return rc;
}
