/* TEMPORARY stub of dval report (implemented on another branch); drop at merge. */
#include "cli.h"

int cmd_report(int argc, char **argv)
{
    cli_die("report is not available in this build");
}
