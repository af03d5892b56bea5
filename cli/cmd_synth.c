/*
 * cmd_synth.c -- `dval synth`: synthetic data sets as CSV.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: dval synth KIND -o FILE.csv [--rows N] [--seed S] [options]\n"
    "\n"
    "Kinds:\n"
    "  linear-clf   x ~ N(0, I_d), coef ~ N(0, I), y = 1[x.coef + noise*eps > 0]\n"
    "  linear-reg   same with y = x.coef + noise*eps\n"
    "  gauss2d      2-D mixture of Gaussian clusters, every point labelled by\n"
    "               the class of its nearest cluster mean\n"
    "\n"
    "Options:\n"
    "  -o, --out FILE       output CSV (required; label column 'label' last)\n"
    "  --rows N             rows (default 12000)\n"
    "  --seed S             seed (default 0)\n"
    "  --features D         linear kinds: features (default 50)\n"
    "  --noise X            linear kinds: noise scale (default 0.1)\n"
    "  --classes C          gauss2d: classes (default 2)\n"
    "  --clusters K         gauss2d: clusters per class (default 2)\n"
    "  --spread X           gauss2d: standard deviation of each cluster (default 1)\n"
    "  --separation X       gauss2d: scale of the random cluster means (default 3)\n"
    "  --means LIST         gauss2d: explicit means x0,y0,x1,y1,... (classes*clusters\n"
    "                       pairs; cluster m belongs to class m / clusters)\n"
    "  --mesh N             gauss2d: instead of --rows draws, the N x N nodes of a\n"
    "                       mesh over --box, labelled by the same rule (same --seed\n"
    "                       and cluster options as the data: the rule g on a mesh,\n"
    "                       an evaluation set for value --utility accuracy)\n"
    "  --box X0,X1,Y0,Y1    gauss2d: the mesh's rectangle (default -10,20,-10,20,\n"
    "                       the plane of dval study boundary)\n";

int cmd_synth(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},   {"rows", required_argument, 0, 1},
        {"seed", required_argument, 0, 2},    {"features", required_argument, 0, 3},
        {"noise", required_argument, 0, 4},   {"classes", required_argument, 0, 5},
        {"clusters", required_argument, 0, 6}, {"spread", required_argument, 0, 7},
        {"separation", required_argument, 0, 8}, {"means", required_argument, 0, 9},
        {"mesh", required_argument, 0, 10},      {"box", required_argument, 0, 11},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-')
        cli_die("synth: give a KIND (linear-clf, linear-reg, gauss2d); see dval synth --help");
    const char *kind = argv[1];
    dv_synth_params sp;
    if (strcmp(kind, "linear-clf") == 0)
        dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    else if (strcmp(kind, "linear-reg") == 0)
        dv_synth_params_default(&sp, DV_SYNTH_LINEAR_REG);
    else if (strcmp(kind, "gauss2d") == 0)
        dv_synth_params_default(&sp, DV_SYNTH_GAUSS2D);
    else
        cli_die("synth: unknown kind '%s' (linear-clf, linear-reg, gauss2d)", kind);
    const char *out = NULL, *means = NULL, *box = NULL;
    size_t mesh_n = 0;
    int c;
    optind = 2;
    while ((c = cli_getopt(argc, argv, "o:h", longopts)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 1: sp.n_rows = (size_t)cli_int("--rows", optarg, 1, 100000000); break;
        case 2: sp.seed = cli_u64("--seed", optarg); break;
        case 3: sp.n_features = (size_t)cli_int("--features", optarg, 1, 100000); break;
        case 4: sp.noise = cli_double("--noise", optarg); break;
        case 5: sp.n_classes = (size_t)cli_int("--classes", optarg, 2, 256); break;
        case 6: sp.clusters_per_class = (size_t)cli_int("--clusters", optarg, 1, 1000); break;
        case 7: sp.spread = cli_double("--spread", optarg); break;
        case 8: sp.separation = cli_double("--separation", optarg); break;
        case 9: means = optarg; break;
        case 10: mesh_n = (size_t)cli_int("--mesh", optarg, 2, 10000); break;
        case 11: box = optarg; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("synth: unexpected argument '%s'", argv[optind]);
    if (!out)
        cli_die("synth: -o FILE is required");
    double *mv = NULL;
    if (means) {
        if (sp.kind != DV_SYNTH_GAUSS2D)
            cli_die("--means applies to gauss2d only");
        size_t need = 2 * sp.n_classes * sp.clusters_per_class, n = 0;
        mv = cli_malloc(need * sizeof *mv);
        char *copy = cli_strdup(means), *save = NULL;
        for (char *t = strtok_r(copy, ",;", &save); t; t = strtok_r(NULL, ",;", &save)) {
            if (n == need)
                cli_die("--means: more than the %zu numbers needed", need);
            mv[n++] = cli_double("--means", t);
        }
        free(copy);
        if (n != need)
            cli_die("--means: %zu numbers given, %zu needed (classes x clusters x 2)", n, need);
        sp.means = mv;
    }
    dv_mesh mesh = {-10, 20, -10, 20, mesh_n, mesh_n};
    if ((mesh_n || box) && sp.kind != DV_SYNTH_GAUSS2D)
        cli_die("--mesh and --box apply to gauss2d only");
    if (box && !mesh_n)
        cli_die("--box needs --mesh N");
    if (box) {
        double b[4];
        size_t n = 0;
        char *copy = cli_strdup(box), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (n == 4)
                cli_die("--box: more than 4 numbers (X0,X1,Y0,Y1)");
            b[n++] = cli_double("--box", t);
        }
        free(copy);
        if (n != 4)
            cli_die("--box: %zu numbers given, 4 needed (X0,X1,Y0,Y1)", n);
        mesh = (dv_mesh){b[0], b[1], b[2], b[3], mesh_n, mesh_n};
    }
    if (mesh_n)
        sp.mesh = &mesh;
    dv_dataset *ds;
    dv_error err = {0};
    if (dv_synth(&ds, &sp, &err))
        cli_die("%s", err.msg); /* the library's message names synth */
    if (dv_dataset_write_csv(ds, out, &err))
        cli_die("%s", err.msg);
    fprintf(stderr, "dval: wrote %zu rows x %zu features to %s\n", dv_dataset_rows(ds),
            dv_dataset_cols(ds), out);
    dv_dataset_free(ds);
    free(mv);
    return 0;
}
