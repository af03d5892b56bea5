/*
 * cmd_eval_sensitivity.c -- `dval eval sensitivity`: whether a coefficient's
 * (or a prediction's) sign, significance or size survives dropping a few
 * training rows (AMIP, dv_amip), checked by refitting.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: dval eval sensitivity --data FILE (--coef NAME | --predict ROW) [--goal GOAL]\n"
    "                             [--learner ols|logreg] [-o FILE.csv] [options]\n"
    "\n"
    "Finds the fewest training rows whose removal changes a conclusion drawn from\n"
    "a linear fit: the sign of a coefficient, its significance, or its size, by the\n"
    "approximate maximum influence perturbation (Broderick, Giordano & Meager\n"
    "2020): each row's removal moves the coefficient by about its influence, the\n"
    "rows that move it most toward the goal are dropped until their summed moves\n"
    "reach it, and the model is refitted without them to check.  The first order\n"
    "underrates rows that mask each other (two far points that each hide the\n"
    "other's pull), so the ranking's prefixes are also refitted, shortest first\n"
    "(up to 200 of them), for the fewest rows whose refit changes the conclusion.\n"
    "\n"
    "Writes FILE.csv (default sensitivity.csv: rank, point, source_row, move,\n"
    "first_order, refit_scan; the ranked rows) and FILE.csv.json (the result).\n"
    "The coefficients are those of the features as the learner sees them:\n"
    "standardized unless --no-standardize (sign and significance do not depend\n"
    "on it; a --change does).\n"
    "\n"
    "  --coef NAME          a feature column's coefficient, or intercept\n"
    "  --predict ROW        instead: the prediction (its linear part: for logreg the\n"
    "                       log-odds) at row ROW of the test split\n"
    "  --goal GOAL          sign (default: the quantity reaches 0), significance\n"
    "                       (ols: |coefficient| / its standard error falls to --z or\n"
    "                       below), or change (it moves by --change or more)\n"
    "  --change X           the move sought, signed (--goal change)\n"
    "  --z X                the significance threshold (default 1.96)\n"
    "  --learner NAME       ols (default; --task regression) or logreg (binary)\n"
    "  --C X, --tol X       logreg's inverse L2 strength and the solvers' tolerance\n"
    "  --max-fraction F     drop at most this fraction of the rows (default 0.1)\n"
    "  -o, --out FILE       the ranking (CSV) and FILE.json\n"
    "  -q, --quiet          no summary\n"
    "\n" CLI_DATA_HELP;

static const char *goal_phrase(const dv_amip_params *p)
{
    switch (p->goal) {
    case DV_AMIP_SIGN: return "reaches 0 or changes sign";
    case DV_AMIP_SIGNIFICANCE: return "is no longer significant";
    default: return "moves by the change sought";
    }
}

int eval_sensitivity(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_DATA_LONGOPTS,
                                             {"coef", required_argument, 0, 1},
                                             {"predict", required_argument, 0, 2},
                                             {"goal", required_argument, 0, 3},
                                             {"change", required_argument, 0, 4},
                                             {"z", required_argument, 0, 5},
                                             {"learner", required_argument, 0, 6},
                                             {"C", required_argument, 0, 7},
                                             {"tol", required_argument, 0, 8},
                                             {"max-fraction", required_argument, 0, 9},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    dv_amip_params p;
    dv_amip_params_default(&p);
    const char *coef = NULL, *out = "sensitivity.csv", *learner = "ols";
    int64_t predict = -1;
    int quiet = 0, has_change = 0, c;
    double C = 0, tol = 0;
    int has_C = 0, has_tol = 0;
    optind = 2; /* argv: eval sensitivity ... */
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        if (cli_data_opt(&dop, c, optarg))
            continue;
        switch (c) {
        case 1: coef = optarg; break;
        case 2: predict = cli_int("--predict", optarg, 0, INT64_MAX); break;
        case 3:
            if (strcmp(optarg, "sign") == 0)
                p.goal = DV_AMIP_SIGN;
            else if (strcmp(optarg, "significance") == 0)
                p.goal = DV_AMIP_SIGNIFICANCE;
            else if (strcmp(optarg, "change") == 0)
                p.goal = DV_AMIP_CHANGE;
            else
                cli_die("--goal: unknown goal '%s' (sign, significance, change)", optarg);
            break;
        case 4: p.change = cli_double("--change", optarg); has_change = 1; break;
        case 5: p.z = cli_double("--z", optarg); break;
        case 6: learner = optarg; break;
        case 7: C = cli_double("--C", optarg); has_C = 1; break;
        case 8: tol = cli_double("--tol", optarg); has_tol = 1; break;
        case 9: p.max_fraction = cli_double("--max-fraction", optarg); break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind < argc)
        cli_die("eval sensitivity: unexpected argument '%s'", argv[optind]);
    if (!coef == (predict < 0))
        cli_die("eval sensitivity: give --coef NAME or --predict ROW (one of them)");
    if (has_change != (p.goal == DV_AMIP_CHANGE))
        cli_die(has_change ? "--change goes with --goal change" : "--goal change needs --change X");
    if (!(p.max_fraction > 0 && p.max_fraction <= 1))
        cli_die("--max-fraction: %g is not in (0, 1]", p.max_fraction);
    if (!(p.z > 0) || !isfinite(p.z))
        cli_die("--z: %g is not a positive number", p.z);
    cli_learner(&p.learner, learner, "ols, logreg", has_C ? &C : NULL, NULL, has_tol ? &tol : NULL);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    size_t n = dv_dataset_rows(train), d = dv_dataset_cols(train);
    char what[512];
    if (coef) {
        p.coef = strcmp(coef, "intercept") == 0
                     ? (int64_t)d
                     : (int64_t)cli_column(train, "--coef", coef, "intercept");
        snprintf(what, sizeof what, "coefficient %s", coef);
    } else {
        if ((size_t)predict >= dv_dataset_rows(test))
            cli_die("--predict: row %lld is not a row of the test split (0..%zu)",
                    (long long)predict, dv_dataset_rows(test) ? dv_dataset_rows(test) - 1 : 0);
        p.coef = -1;
        p.x = dv_dataset_features(test) + (size_t)predict * d;
        snprintf(what, sizeof what, "prediction at test row %lld", (long long)predict);
    }
    int64_t *rows = cli_malloc(n * sizeof *rows);
    double *moves = cli_malloc(n * sizeof *moves);
    dv_amip_result res;
    dv_error err = {0};
    if (dv_amip(train, &p, rows, moves, &res, &err))
        cli_die("%s%s", err.msg,
                strstr(err.msg, "needs a regression dataset") ? " (--task regression)" : "");
    if (dv_amip_write(out, train, &p, rows, moves, &res, what, &err))
        cli_die("%s", err.msg);
    if (!quiet) {
        printf("sensitivity of the %s (%s, %zu training rows)\n", what, learner, n);
        printf("on all rows:          %.6g (standard error %.3g, ratio %.3g)\n", res.before,
               res.se_before, res.before / res.se_before);
        printf("goal: the %s %s\n", coef ? "coefficient" : "prediction", goal_phrase(&p));
        if (res.already) {
            printf("it already does, on all rows: nothing to drop\n");
        } else {
            if (res.found)
                printf("first order:          %zu rows (%.2f %%) move it to %.6g\n",
                       res.n_removed, 100 * res.fraction, res.predicted);
            else
                printf("first order:          out of reach within %.3g of the rows (%zu rows "
                       "move it to %.6g)\n",
                       p.max_fraction, res.n_removed, res.predicted);
            if (res.n_removed)
                printf("refit without them:   %.6g (standard error %.3g): the conclusion %s\n",
                       res.after, res.se_after, res.confirmed ? "changes" : "holds");
            if (res.n_scan)
                printf("refits of the ranking: %zu rows (%.2f %%) are enough: %.6g (standard "
                       "error %.3g)\n",
                       res.n_scan, 100.0 * (double)res.n_scan / (double)n, res.after_scan,
                       res.se_after_scan);
            else
                printf("refits of the ranking: no prefix of up to %zu rows changes the "
                       "conclusion\n",
                       res.n_ranked < DV_AMIP_MAX_REFITS ? res.n_ranked : (size_t)DV_AMIP_MAX_REFITS);
        }
        fprintf(stderr, "dval: wrote %s and %s.json\n", out, out);
    }
    free(rows);
    free(moves);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return 0;
}
