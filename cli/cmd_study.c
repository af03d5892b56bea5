/*
 * cmd_study.c -- `dval study boundary`: the 2-D study of what makes a point
 * valuable ("Towards Understanding Data Values: Empirical Results on
 * Synthetic Data"), run end to end from documented defaults: synthetic
 * two-class data whose true decision boundary g is known, an mlp, a mesh
 * over the plane, and one colour map per method of the value of a point
 * added at each mesh node, with the true and the learned boundaries drawn.
 * Writes DIR/<config>/<map>.png with the map's numbers beside it
 * (<map>.csv: x, y, value), DIR/timing.csv and DIR/report.html.
 */
#define _GNU_SOURCE
#include "study.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *USAGE =
    "usage: dval study boundary [-o DIR] [--quick] [--configs LIST] [options]\n"
    "\n"
    "The 2-D study of data values: for each data configuration, two classes of\n"
    "Gaussian clusters labelled by their nearest cluster mean (the true rule g), an\n"
    "mlp trained on 500 points, and the value of a point added at each node of a\n"
    "plotting mesh over [-10, 20]^2, measured as how much it moves the learned\n"
    "decision boundary: the share of a fine measurement mesh whose predicted class\n"
    "changes.  Maps (each a PNG with its numbers in a CSV beside it):\n"
    "  loo_truth        add-one: how much closer to g the model gets, dv(f_X, g) -\n"
    "                   dv(f_X+x, g), the candidate labelled by g\n"
    "  loo_baseline     add-one: how far the boundary moves, dv(f_X+x, f_X)\n"
    "  forgetting_*     the candidate's forgetting while f_X+x trains, per epoch\n"
    "                   (events, printed, last-learned, simple, frequent), / epochs\n"
    "  memorization     P[f_X+x classifies x as g] - P[f_X does], over seeds\n"
    "  ood_ensemble     variance of an ensemble of small mlps at x (no label)\n"
    "  ood_dropout      variance of the mlp's predictions at x under dropout masks\n"
    "  shapley          Data Shapley of the nodes of a coarser mesh added to X\n"
    "                   (truncated Monte Carlo, utility -dv(f, g))\n"
    "  mesh_only        leave-one-out when the data are the plotting mesh alone\n"
    "  loo_training     each training point's leave-one-out value against the\n"
    "                   baseline, dv(f_X-x, f_X), as its marker's size (and a CSV)\n"
    "  dvrl_xyr, dvrl_xp, dvrl_x   DVRL's valuator (trained on X with the plotting\n"
    "                   mesh labelled by g as its validation set) at each node, for\n"
    "                   its three inputs\n"
    "  pairs            pairwise values of the training points nearest g's boundary\n"
    "  stability        boundaries of repeated trainings, small to large mlps\n"
    "  stability_nN     boundaries with one point added to N = 50, 100, 500 training\n"
    "                   points, at a class-1 cluster's centre, labelled right or wrong\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR        output directory (default dval-study)\n"
    "  --quick              a small version (mlp of 100 units, 100 x 100 measurement\n"
    "                       mesh, plotting step 3): about 75 s on 2 cores\n"
    "  --configs LIST       two, four, overlap (default all three)\n"
    "  --hidden N           hidden units of the mlp (default 1000; quick 100)\n"
    "  --mesh N             measurement mesh of N x N points (default 500; quick 100)\n"
    "  --plot-step X        plotting mesh step (default 1; quick 3)\n"
    "  --shapley-step X     Shapley mesh step (default 3; quick 6)\n"
    "  --shapley-perms N    Shapley permutations (default 20; quick 4)\n"
    "  --mem-reps N         memorization seeds (default 3; quick 2)\n"
    "  --ensemble N         ensemble members (default 10; quick 5)\n"
    "  --pairs M            points of the pairwise values (default 12; quick 8)\n"
    "  --pair-samples N     subsets of the pairwise values (default 30; quick 6)\n"
    "  --dvrl-iters N       DVRL iterations (default 300; quick 50; its predictor is\n"
    "                       the mlp with at most 100 hidden units, batches of 100)\n"
    "  --seed S, --threads T, -q/--quiet\n"
    "\n"
    "The configurations (spread 2 around each mean; 500 training points):\n"
    "  two      class 0 at (0, 1), class 1 at (10, 7)\n"
    "  four     class 0 at (0, 1) and (12, 15), class 1 at (10, 7) and (1, 13)\n"
    "  overlap  class 0 at (3, 3), class 1 at (7, 6), spread 3: the clusters overlap\n";

/* The configurations: cluster m belongs to class m / (n_means / 2), the
 * order dv_synth's gauss2d takes means in. */
static const config CONFIGS[] = {
    {"two", 2, {0, 1, 10, 7}, {0, 1}, 2.0},
    {"four", 4, {0, 1, 12, 15, 10, 7, 1, 13}, {0, 0, 1, 1}, 2.0},
    {"overlap", 2, {3, 3, 7, 6}, {0, 1}, 3.0},
};

static void run_config(study_opts *o, study_clock *clk, const config *cf, FILE *timing,
                       FILE *html)
{
    study s = {.o = o, .clk = clk, .cf = cf, .timing = timing, .html = html};
    snprintf(s.dir, sizeof s.dir, "%s/%s", o->out, cf->name);
    if (mkdir(s.dir, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create: %s", s.dir, strerror(errno));
    fprintf(html, "<h2 id=\"%s\">%s</h2>\n<div class=\"maps\">\n", cf->name, cf->name);
    study_setup(&s);
    study_add_one_maps(&s);
    study_memorization_map(&s);
    study_ood_map(&s);
    study_dropout_map(&s);
    study_shapley_map(&s);
    study_mesh_only_map(&s);
    study_training_map(&s);
    study_dvrl_maps(&s);
    study_stability_map(&s);
    fputs("</div>\n", html);
    study_pairs_map(&s);
    dv_dataset_free(s.train);
    dv_model_free(s.fX);
    void *ptrs[] = {s.mxy, s.pxy, s.cxy, s.gM, s.fM, s.gP, s.fP, s.curve_x, s.curve_y};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        free(ptrs[i]);
}

int cmd_study(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "boundary") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            fputs(USAGE, stdout);
            return 0;
        }
        cli_die("study: give the study to run: dval study boundary (see dval study --help)");
    }
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},         {"quick", no_argument, 0, 1},
        {"configs", required_argument, 0, 2},       {"hidden", required_argument, 0, 3},
        {"mesh", required_argument, 0, 4},          {"plot-step", required_argument, 0, 5},
        {"shapley-step", required_argument, 0, 6},  {"shapley-perms", required_argument, 0, 7},
        {"mem-reps", required_argument, 0, 8},      {"ensemble", required_argument, 0, 9},
        {"pairs", required_argument, 0, 10},        {"pair-samples", required_argument, 0, 11},
        {"seed", required_argument, 0, 12},         {"threads", required_argument, 0, 13},
        {"dvrl-iters", required_argument, 0, 14},
        {"quiet", no_argument, 0, 'q'},             {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    study_opts o = {.out = "dval-study"};
    const char *configs = NULL;
    /* given values; 0 = the (quick) default */
    size_t hidden = 0, mesh = 0, perms = 0, reps = 0, ens = 0, pairs = 0, psamp = 0, diters = 0;
    double pstep = 0, sstep = 0;
    int c;
    optind = 1;
    argc--, argv++; /* past "study": getopt sees "boundary" as the program name */
    while ((c = cli_getopt(argc, argv, "o:qh", opts)) != -1) {
        switch (c) {
        case 'o': o.out = optarg; break;
        case 1: o.quick = 1; break;
        case 2: configs = optarg; break;
        case 3: hidden = (size_t)cli_int("--hidden", optarg, 1, 100000); break;
        case 4: mesh = (size_t)cli_int("--mesh", optarg, 2, 5000); break;
        case 5: pstep = cli_double("--plot-step", optarg); break;
        case 6: sstep = cli_double("--shapley-step", optarg); break;
        case 7: perms = (size_t)cli_int("--shapley-perms", optarg, 1, 100000); break;
        case 8: reps = (size_t)cli_int("--mem-reps", optarg, 1, 100000); break;
        case 9: ens = (size_t)cli_int("--ensemble", optarg, 2, 100000); break;
        case 10: pairs = (size_t)cli_int("--pairs", optarg, 2, 500); break;
        case 11: psamp = (size_t)cli_int("--pair-samples", optarg, 2, 1000000); break;
        case 12: o.seed = cli_u64("--seed", optarg); break;
        case 13: o.threads = (int)cli_int("--threads", optarg, 1, 4096); break;
        case 14: diters = (size_t)cli_int("--dvrl-iters", optarg, 1, 10000000); break;
        case 'q': o.quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("study boundary: unexpected argument '%s'", argv[optind]);
    int q = o.quick;
    o.hidden = hidden ? hidden : q ? 100 : 1000;
    o.mesh = mesh ? mesh : q ? 100 : 500;
    o.plot_step = pstep ? pstep : q ? 3 : 1;
    o.shapley_step = sstep ? sstep : q ? 6 : 3;
    o.shapley_perms = perms ? perms : q ? 4 : 20;
    o.mem_reps = reps ? reps : q ? 2 : 3;
    o.ensemble = ens ? ens : q ? 5 : 10;
    o.pairs = pairs ? pairs : q ? 8 : 12;
    o.pair_samples = psamp ? psamp : q ? 6 : 30;
    o.dvrl_iters = diters ? diters : q ? 50 : 300;
    if (!(o.plot_step > 0 && o.plot_step <= 15) || !(o.shapley_step > 0 && o.shapley_step <= 15))
        cli_die("--plot-step and --shapley-step must be in (0, 15]");
    if (30.0 / o.plot_step > 1000 || 30.0 / o.shapley_step > 1000)
        cli_die("--plot-step and --shapley-step must be at least 0.03 (at most 1001 nodes a side)");
    if (configs) {
        char *list = cli_strdup(configs), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            size_t k = 0;
            while (k < 3 && strcmp(t, CONFIGS[k].name) != 0)
                k++;
            if (k == 3)
                cli_die("--configs: unknown configuration '%s' (two, four, overlap)", t);
            o.want[k] = 1;
        }
        free(list);
    } else {
        o.want[0] = o.want[1] = o.want[2] = 1;
    }
    if (mkdir(o.out, 0755) != 0 && errno != EEXIST)
        cli_die("%s: cannot create: %s", o.out, strerror(errno));
    char tpath[4200], ttmp[4300], hpath[4200], htmp[4300];
    snprintf(tpath, sizeof tpath, "%s/timing.csv", o.out);
    snprintf(hpath, sizeof hpath, "%s/report.html", o.out);
    FILE *timing = cli_open_out(tpath, ttmp, sizeof ttmp);
    FILE *html = cli_open_out(hpath, htmp, sizeof htmp);
    fprintf(timing, "config,method,seconds\n");
    fprintf(html,
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>dval: the 2-D study"
            "</title>\n<style>body{font-family:sans-serif;max-width:1240px;margin:1em auto;"
            "padding:0 1em}.maps{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;width:"
            "380px}figure.wide{width:760px;margin-top:1em}img{max-width:100%%;border:1px solid "
            "#eee}figcaption{font-size:85%%}</style></head><body>\n<h1>The 2-D study of data "
            "values</h1>\n<p>An mlp with %zu hidden units (scikit-learn's MLPClassifier "
            "defaults otherwise) on 500 points; measurement mesh %zu &times; %zu over "
            "[&minus;10, 20]&sup2;; plotting mesh step %g; seed %llu.  Each map is the value of "
            "a point added at a mesh node; the solid line is the true boundary g, the dashed "
            "one the mlp's.  dv(f, f') is the share of the measurement mesh where two "
            "classifiers disagree.  Timing per method: <a href=\"timing.csv\">timing.csv</a>."
            "</p>\n",
            o.hidden, o.mesh, o.mesh, o.plot_step, (unsigned long long)o.seed);
    double t0 = dv_clock_seconds();
    study_clock clk = {t0, 0};
    o.n_configs = o.want[0] + o.want[1] + o.want[2];
    for (int k = 0; k < 3; k++)
        if (o.want[k]) {
            o.config_no++;
            run_config(&o, &clk, &CONFIGS[k], timing, html);
            /* the configurations cost about the same: now the time left is theirs */
            clk.done = o.config_no;
            double el = dv_clock_seconds() - t0;
            int left = o.n_configs - o.config_no;
            if (!o.quiet && left > 0)
                fprintf(stderr, "dval: %d of %d configurations done in %.0f s; about %.0f s left\n",
                        o.config_no, o.n_configs, el, el / o.config_no * left);
        }
    fprintf(html, "<p>Total: %.0f s.</p>\n"
                  "</body></html>\n",
            dv_clock_seconds() - t0);
    cli_commit(timing, ttmp, tpath);
    cli_commit(html, htmp, hpath);
    if (!o.quiet)
        fprintf(stderr, "dval: the study took %.0f s; open %s\n", dv_clock_seconds() - t0, hpath);
    return 0;
}
