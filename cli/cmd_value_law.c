/*
 * cmd_value_law.c -- `dval value --law-model FILE --data NEW.csv`: the laws
 * and values that a trained amortized network predicts for points that
 * were never sampled, without a single refit.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: dval value --law-model FILE --data NEW.csv -o OUT.csv [--at K ...]\n"
    "\n"
    "Predicts the scaling law of every row of NEW.csv with the network that\n"
    "dval fit --estimator amortized saved (RUN_DIR/law_model.bin), and its values:\n"
    "candidate points to acquire or to label, scored without sampling or refitting.\n"
    "NEW.csv needs the training file's feature columns (any order) and its label\n"
    "column (a point's law depends on its class); features are standardized with\n"
    "the run's training statistics.\n"
    "\n"
    "Writes OUT.csv with columns row (0 = the first data row of NEW.csv), label, c,\n"
    "alpha, sigma, beta, psi_K (c K^-alpha) for each --at K, law_value (the mean of\n"
    "c k^-alpha over the run's sizes min-card..max-card).\n"
    "\n"
    "Options:\n"
    "  --law-model FILE   the trained network (required)\n"
    "  --data FILE        CSV or CSV.gz with a header row (required)\n"
    "  --label NAME       label column (default: the one the model was trained with)\n"
    "  --drop-missing     skip rows with a missing or non-numeric feature\n"
    "  --at K             a dataset size for psi_K; repeat or give a list (default:\n"
    "                     the run's min-card and max-card)\n"
    "  -o, --out FILE     output CSV (required)\n"
    "  -q, --quiet        no message\n";

int cmd_value_law(int argc, char **argv)
{
    static const struct option longopts[] = {{"law-model", required_argument, 0, 1},
                                             {"data", required_argument, 0, 2},
                                             {"label", required_argument, 0, 3},
                                             {"drop-missing", no_argument, 0, 4},
                                             {"at", required_argument, 0, 5},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *model = NULL, *data = NULL, *label = NULL, *out = NULL;
    int drop = 0, quiet = 0, c;
    int64_t *at = NULL;
    size_t n_at = 0;
    for (int i = 1; i < argc; i++) /* also `dval value --law-model --help` */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
        switch (c) {
        case 1: model = optarg; break;
        case 2: data = optarg; break;
        case 3: label = optarg; break;
        case 4: drop = 1; break;
        case 5: at = cli_int_list_append("--at", optarg, at, &n_at); break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (!model || !data || !out)
        cli_die("value: --law-model, --data and -o are required (see dval value --law-model "
                "--help)");
    if (optind < argc)
        cli_die("value: unexpected argument '%s'", argv[optind]);
    dv_error err = {0};
    dv_law_model *m;
    if (dv_law_model_read(&m, model, &err))
        cli_die("%s", err.msg);
    const dv_law_model_info *I = dv_law_model_get_info(m);
    if (!I->described)
        cli_die("%s: the law model does not record its data's columns", model);
    dv_csv_options co;
    dv_csv_options_default(&co);
    co.label = label ? label : I->label;
    co.task = *dv_law_model_class_name(m, 0) ? DV_TASK_CLASSIFICATION : DV_TASK_REGRESSION;
    co.drop_missing = drop;
    dv_dataset *ds;
    if (dv_dataset_read_csv(&ds, data, &co, &err))
        cli_die("%s", err.msg);
    size_t n = dv_dataset_rows(ds);
    dv_law *laws = cli_malloc((n ? n : 1) * sizeof *laws);
    int64_t deflt[2] = {I->k_lo, I->k_hi};
    if (!at) {
        at = cli_malloc(sizeof deflt);
        memcpy(at, deflt, sizeof deflt);
        n_at = I->k_lo == I->k_hi ? 1 : 2;
    }
    if (dv_law_model_predict_dataset(m, ds, laws, &err))
        cli_die("%s: %s", data, err.msg);
    if (dv_law_values_write(out, ds, laws, at, n_at, I->k_lo, I->k_hi, &err))
        cli_die("%s", err.msg);
    if (!quiet)
        fprintf(stderr, "dval: predicted the laws of %zu rows of %s; wrote %s\n", n, data, out);
    free(laws);
    free(at);
    dv_dataset_free(ds);
    dv_law_model_free(m);
    return 0;
}
