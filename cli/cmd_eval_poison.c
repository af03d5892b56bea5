/*
 * cmd_eval_poison.c -- `dval eval poison`: poisoned training rows (targeted
 * label flips, a backdoor trigger, a watermark), how well each method's
 * lowest values find them, and whether removing those rows undoes the
 * attack.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: dval eval poison --data FILE --methods LIST [--attacks LIST] [--rho X]\n"
    "                        [--target CLASS] [-o FILE.csv] [options]\n"
    "\n"
    "Poisons a fraction rho of the training rows with each attack, values the\n"
    "poisoned training split with each method, and reports how well the lowest\n"
    "values find the poisoned rows (F1 of the 1-D 2-means split, AUROC, recall\n"
    "among the |poisoned| lowest) and what removing the lowest-valued rows does to\n"
    "the attack (Jia et al. 2021).  The validation split stays clean.  Attacks:\n"
    "  flip       rows of --source (default: of every class but the target) are\n"
    "             relabelled as the target class; it succeeds on a test row of\n"
    "             those classes that the model assigns to the target\n"
    "  backdoor   rows of other classes get the trigger (the --trigger columns set\n"
    "             to their mean + --trigger-z standard deviations) and the target\n"
    "             label; it succeeds on a test row of another class that, with the\n"
    "             trigger, is assigned to the target\n"
    "  watermark  rows of any class get the watermark (every column moved by\n"
    "             +-amp standard deviations, the signs seeded) and the target\n"
    "             label; it succeeds on a watermarked test row of another class\n"
    "             assigned to the target\n"
    "For each attack the success rate and the test accuracy are measured for the\n"
    "learner (--learner) fitted on the clean rows, on the poisoned rows, and, per\n"
    "method, without the --remove lowest-valued rows; the row \"injected\" removes\n"
    "exactly the poisoned rows (the best any valuation can do).  The injection is\n"
    "a function of the data and the options alone; --injected-out writes it.\n"
    "\n"
    "Writes attack, method, f1, auroc, recall, predicted, removed, success_clean,\n"
    "success_poisoned, success_after, accuracy_clean, accuracy_poisoned,\n"
    "accuracy_after, seconds, samples, stopped_by (default poison.csv).\n"
    "\n"
    "  --methods LIST       comma-separated method names (see dval value --help)\n"
    "  --attacks LIST       flip, backdoor, watermark (default: all three)\n"
    "  --rho X              the poisoned fraction of the training rows (default 0.1)\n"
    "  --target CLASS       the class the poisoned rows are labelled (default: the\n"
    "                       first class)\n"
    "  --source CLASS       flip: take the rows of this class only\n"
    "  --trigger LIST       backdoor: the trigger's columns (default: the 3 that say\n"
    "                       least about the label: the smallest correlation with it)\n"
    "  --trigger-z Z        backdoor: the trigger's value, in standard deviations\n"
    "                       above the column's mean (default 3)\n"
    "  --watermark-amp A    watermark: its size per column, in standard deviations\n"
    "                       (default 1)\n"
    "  --poison-seed S      seed of the rows poisoned and of the watermark (default 0)\n"
    "  --remove X           remove this fraction of the rows, the lowest-valued\n"
    "                       (default: rho)\n"
    "  --injected-out FILE  write the poisoned rows: attack, point, source_row,\n"
    "                       label_before, label_after, then their features as the\n"
    "                       learner sees them (standardized unless --no-standardize)\n"
    "\n" CLI_METHOD_HELP "\n" CLI_DATA_HELP;

typedef struct {
    const char *methods, *attacks, *target, *source, *trigger, *injected_out;
    double rho, remove, trigger_z, amp;
    uint64_t seed;
} poison_opts;

static void poison_opt(void *ctx, int c, const char *arg)
{
    poison_opts *o = ctx;
    switch (c) {
    case 1: o->methods = arg; break;
    case 2: o->attacks = arg; break;
    case 3: o->rho = cli_double("--rho", arg); break;
    case 4: o->target = arg; break;
    case 5: o->source = arg; break;
    case 6: o->trigger = arg; break;
    case 7: o->trigger_z = cli_double("--trigger-z", arg); break;
    case 8: o->amp = cli_double("--watermark-amp", arg); break;
    case 9: o->seed = cli_u64("--poison-seed", arg); break;
    case 10: o->remove = cli_double("--remove", arg); break;
    default: o->injected_out = arg; break;
    }
}

/* The comma-separated items of list, each mapped by name_to (dies on an
 * unknown one), into out (at most max); returns their count. */
static size_t parse_list(const char *opt, const char *list, int *out, size_t max,
                         int (*name_to)(const char *opt, const char *name))
{
    char *copy = cli_strdup(list), *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == max)
            cli_die("%s: at most %zu items", opt, max);
        out[n++] = name_to(opt, t);
    }
    free(copy);
    if (!n)
        cli_die("%s: the list is empty", opt);
    return n;
}

static int method_code(const char *opt, const char *name) { return (int)cli_method(opt, name); }

static int attack_code(const char *opt, const char *name)
{
    dv_poison_kind k;
    if (dv_poison_kind_from_name(name, &k))
        cli_die("%s: unknown attack '%s' (flip, backdoor, watermark)", opt, name);
    return (int)k;
}

/* One row of the table and the CSV. */
typedef struct {
    const char *method;
    dv_detection det;
    size_t removed;
    double success, accuracy, seconds;
    size_t samples;
    const char *stopped_by;
} result_row;

/* Prints and writes one row. */
static void write_row(FILE *f, const char *attack, const result_row *r, const double clean[2],
                      const double poisoned[2])
{
    printf("%-14s %7.3f %7.3f %7.3f %8zu %9.3f %9.3f %9.2f\n", r->method, r->det.f1, r->det.auroc,
           r->det.recall, r->removed, r->success, r->accuracy, r->seconds);
    fprintf(f, "%s,%s,%.17g,%.17g,%.17g,%zu,%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.6f,%zu,%s\n",
            attack, r->method, r->det.f1, r->det.auroc, r->det.recall, r->det.n_predicted,
            r->removed, clean[0], poisoned[0], r->success, clean[1], poisoned[1], r->accuracy,
            r->seconds, r->samples, r->stopped_by);
    fflush(stdout);
}

int eval_poison(int argc, char **argv)
{
    static const struct option opts[] = {{"methods", required_argument, 0, 1},
                                         {"attacks", required_argument, 0, 2},
                                         {"rho", required_argument, 0, 3},
                                         {"target", required_argument, 0, 4},
                                         {"source", required_argument, 0, 5},
                                         {"trigger", required_argument, 0, 6},
                                         {"trigger-z", required_argument, 0, 7},
                                         {"watermark-amp", required_argument, 0, 8},
                                         {"poison-seed", required_argument, 0, 9},
                                         {"remove", required_argument, 0, 10},
                                         {"injected-out", required_argument, 0, 11},
                                         {0, 0, 0, 0}};
    cli_data_opts dop;
    cli_data_opts_default(&dop);
    cli_method_opts mo;
    cli_method_opts_default(&mo);
    const char *out = "poison.csv";
    poison_opts po = {0};
    po.attacks = "flip,backdoor,watermark";
    po.rho = 0.1;
    po.remove = -1;
    po.trigger_z = 3;
    po.amp = 1;
    cli_eval_parse(argc, argv, USAGE, opts, &dop, &mo, &out, poison_opt, &po);
    if (!po.methods)
        cli_die("eval poison: --methods LIST is required");
    if (!(po.rho > 0 && po.rho < 1))
        cli_die("--rho: %g is not in (0, 1)", po.rho);
    if (po.remove != -1 && !(po.remove > 0 && po.remove < 1))
        cli_die("--remove: %g is not in (0, 1)", po.remove);
    if (mo.groups_file)
        cli_die("eval poison values single points; --groups does not apply");
    /* The lists first, so that a typo fails before any work. */
    int ms[32], ks[3];
    size_t nm = parse_list("--methods", po.methods, ms, 32, method_code);
    size_t na = parse_list("--attacks", po.attacks, ks, 3, attack_code);
    cli_method_opts_finish(&mo);
    dv_dataset *train, *val, *test;
    cli_load_data(&dop, &train, &val, &test, NULL);
    if (dv_dataset_task(train) != DV_TASK_CLASSIFICATION)
        cli_die("eval poison needs a classification data set");
    if (dv_dataset_rows(test) == 0)
        cli_die("eval poison measures the attacks on the test split, which is empty");
    size_t n = dv_dataset_rows(train), d = dv_dataset_cols(train);
    dv_poison_params p;
    dv_poison_params_default(&p);
    p.fraction = po.rho;
    p.seed = po.seed;
    p.trigger_z = po.trigger_z;
    p.watermark_amp = po.amp;
    if (po.target)
        p.target = cli_class(train, "--target", po.target);
    if (po.source)
        p.source = (int64_t)cli_class(train, "--source", po.source);
    if (p.source >= 0 && (size_t)p.source == p.target)
        cli_die("--source: '%s' is the target class", po.source);
    size_t *trig = NULL, nt = 0;
    if (po.trigger) {
        char *copy = cli_strdup(po.trigger), *save = NULL;
        trig = cli_malloc((d ? d : 1) * sizeof *trig);
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (nt == d)
                cli_die("--trigger: more columns than the data has");
            trig[nt++] = cli_column(train, "--trigger", t, NULL);
        }
        free(copy);
        p.features = trig;
        p.n_features = nt;
    }
    size_t n_remove = (size_t)((po.remove == -1 ? po.rho : po.remove) * (double)n + 0.5);
    char tmp[4300];
    FILE *f = cli_open_out(out, tmp, sizeof tmp);
    fprintf(f, "attack,method,f1,auroc,recall,predicted,removed,success_clean,success_poisoned,"
               "success_after,accuracy_clean,accuracy_poisoned,accuracy_after,seconds,samples,"
               "stopped_by\n");
    dv_learner_params lp = mo.vp.learner;
    double *v = cli_malloc(n * sizeof *v), *se = cli_malloc(n * sizeof *se);
    unsigned char *is_p = cli_malloc(n);
    dv_error err = {0};
    size_t failed = 0;
    for (size_t a = 0; a < na; a++) {
        p.kind = (dv_poison_kind)ks[a];
        const char *attack = dv_poison_kind_name(p.kind);
        dv_dataset *pz, *probes;
        if (dv_poison_inject(train, &p, &pz, is_p, &err) ||
            dv_poison_probes(train, test, &p, &probes, &err))
            cli_die("%s: %s", attack, err.msg);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            m += is_p[i];
        double clean[2], poisoned[2];
        if (dv_poison_score(train, &lp, NULL, 0, test, probes, p.target, &clean[0], &clean[1],
                            &err) ||
            dv_poison_score(pz, &lp, NULL, 0, test, probes, p.target, &poisoned[0], &poisoned[1],
                            &err))
            cli_die("%s: %s", attack, err.msg);
        printf("%s%s: %zu of %zu training rows poisoned (labelled %s); on %zu probes the attack "
               "succeeds %.1f %% of the time with the clean rows, %.1f %% with the poisoned; "
               "test accuracy %.3f and %.3f\n",
               a ? "\n" : "", attack, m, n, dv_dataset_class_name(train, p.target),
               dv_dataset_rows(probes), 100 * clean[0], 100 * poisoned[0], clean[1], poisoned[1]);
        if (p.kind == DV_POISON_BACKDOOR) { /* say which columns carry the trigger */
            double *tv = cli_malloc(d * sizeof *tv);
            unsigned char *ts = cli_malloc(d);
            if (dv_poison_trigger(train, &p, tv, ts, &err))
                cli_die("%s: %s", attack, err.msg);
            printf("the trigger:");
            for (size_t j = 0, k = 0; j < d; j++)
                if (ts[j])
                    printf("%s %s = %.4g", k++ ? "," : "", dv_dataset_col_name(train, j), tv[j]);
            printf(" (mean + %g sd)\n", p.trigger_z);
            free(tv);
            free(ts);
        }
        printf("%-14s %7s %7s %7s %8s %9s %9s %9s\n", "method", "F1", "AUROC", "recall", "removed",
               "success", "accuracy", "seconds");
        /* the injected rows themselves: every poisoned row valued below every clean one */
        for (size_t i = 0; i < n; i++)
            v[i] = is_p[i] ? -1.0 : 0.0;
        result_row r;
        memset(&r, 0, sizeof r);
        r.method = "injected";
        r.removed = m;
        r.stopped_by = "none";
        if (dv_detection_eval(v, is_p, n, &r.det, &err) ||
            dv_poison_score(pz, &lp, v, m, test, probes, p.target, &r.success, &r.accuracy, &err))
            cli_die("%s: %s", attack, err.msg);
        write_row(f, attack, &r, clean, poisoned);
        for (size_t k = 0; k < nm; k++) {
            dv_value_params vp = cli_method_params(&mo, (dv_method)ms[k]);
            const char *name = dv_method_name((dv_method)ms[k]);
            dv_value_info info;
            memset(&r, 0, sizeof r);
            r.method = name;
            if (dv_value_compute(pz, val, &vp, v, se, &info, &err)) {
                printf("%-14s %s\n", name, err.msg);
                fprintf(f, "%s,%s,,,,,,,,,,,,,,error\n", attack, name);
                failed++;
                continue;
            }
            r.removed = n_remove;
            r.seconds = info.seconds;
            r.samples = info.samples;
            r.stopped_by = dv_stop_rule_name(info.stop_rule);
            if (dv_detection_eval(v, is_p, n, &r.det, &err) ||
                dv_poison_score(pz, &lp, v, n_remove, test, probes, p.target, &r.success,
                                &r.accuracy, &err))
                cli_die_method(name, err.msg);
            write_row(f, attack, &r, clean, poisoned);
        }
        dv_dataset_free(pz);
        dv_dataset_free(probes);
    }
    /* The injected rows (a function of the data and the options) are put
     * in place just before the table, so that a failure leaves neither. */
    dv_poison_kind kinds[3];
    for (size_t a = 0; a < na; a++)
        kinds[a] = (dv_poison_kind)ks[a];
    if (po.injected_out && dv_poison_write(po.injected_out, train, &p, kinds, na, &err)) {
        fclose(f);
        remove(tmp);
        cli_die("%s", err.msg);
    }
    cli_commit(f, tmp, out);
    if (po.injected_out)
        fprintf(stderr, "dval: wrote %s\n", po.injected_out);
    fprintf(stderr, "dval: wrote %s\n", out);
    if (failed)
        fprintf(stderr, "dval: eval poison: %zu of %zu method runs failed (their rows say "
                        "\"error\")\n",
                failed, nm * na);
    free(v);
    free(se);
    free(is_p);
    free(trig);
    dv_dataset_free(train);
    dv_dataset_free(val);
    dv_dataset_free(test);
    return failed ? 1 : 0;
}
