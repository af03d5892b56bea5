/*
 * values_file.c -- a method's values on disk: a CSV of one value per point
 * (or group) and, beside it, a JSON of the settings, the budget used and
 * the rule that stopped the method.
 */
#include "internal.h"
#include "methods/game.h"

#include <math.h>
#include <string.h>

/* FILE.json: the method, the data file, the settings that apply to the
 * method (the learner's, the sampling budget and stopping rules, the
 * method's own), the samples and utility calls used, the seconds, the rule
 * that stopped the method and whether the values are resolved. */
static int write_settings(const char *path, const dv_value_params *p, const dv_value_info *info,
                          const char *data_path, const double *total, dv_error *err)
{
    dv_method m = p->method;
    int learner = m != DV_METHOD_KNN && m != DV_METHOD_LAVA && m != DV_METHOD_RANDOM;
    int sampling = m == DV_METHOD_TMC || m == DV_METHOD_BETA || m == DV_METHOD_BANZHAF ||
                   m == DV_METHOD_AME || m == DV_METHOD_OOB || m == DV_METHOD_DVRL ||
                   m == DV_METHOD_GSHAPLEY || m == DV_METHOD_TS_SHAPLEY;
    /* methods that score the training rows themselves: no utility, no
     * stopping rule, a fixed number of models */
    int self = m == DV_METHOD_FORGETTING || m == DV_METHOD_MEMORIZATION;
    int chains = m == DV_METHOD_TMC || m == DV_METHOD_BETA || m == DV_METHOD_GSHAPLEY ||
                 m == DV_METHOD_TS_SHAPLEY;
    char tmp[4400];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "{\n  \"method\": \"%s\",\n  \"data\": ", dv_method_name(m));
    dv__json_string(f, data_path ? data_path : "");
    fprintf(f, ",\n  \"seed\": %llu,\n", (unsigned long long)p->seed);
    if (self) {
        const dv_learner_params *lp = &p->learner;
        fprintf(f, "  \"learner\": \"%s\",\n", dv_learner_name(lp->kind));
        if (lp->kind == DV_LEARNER_MLP) {
            fprintf(f, "  \"hidden\": [");
            for (size_t l = 0; l < lp->n_hidden; l++)
                fprintf(f, "%s%zu", l ? ", " : "", lp->hidden[l]);
            fprintf(f, "],\n  \"epochs\": %d,\n  \"batch_size\": %zu,\n  \"lr\": %.17g,\n"
                       "  \"alpha\": %.17g,\n",
                    lp->epochs, lp->batch_size, lp->lr, lp->alpha);
        }
        fprintf(f, "  \"max_samples\": %zu,\n",
                p->max_samples ? p->max_samples : dv__default_max_samples(m));
    } else if (learner)
        fprintf(f, "  \"learner\": \"%s\",\n  \"metric\": \"%s\",\n  \"C\": %.17g,\n"
                   "  \"lambda\": %.17g,\n  \"tol\": %.17g,\n  \"max_iter\": %d,\n",
                dv_learner_name(p->learner.kind),
                dv_metric_name(p->metric == DV_METRIC_DEFAULT ? (dv_metric)info->metric
                                                              : p->metric),
                p->learner.C,
                p->learner.lambda, p->learner.tol, p->learner.max_iter);
    /* the stopping rules act on tmc, beta and banzhaf; ame, oob and dvrl
     * run their whole budget */
    int stopping = m == DV_METHOD_TMC || m == DV_METHOD_BETA || m == DV_METHOD_BANZHAF ||
                   m == DV_METHOD_GSHAPLEY || m == DV_METHOD_TS_SHAPLEY;
    if (sampling)
        fprintf(f, "  \"max_samples\": %zu,\n",
                p->max_samples ? p->max_samples : dv__default_max_samples(m));
    if (stopping)
        fprintf(f, "  \"min_samples\": %zu,\n  \"max_seconds\": %.17g,\n  \"stderr\": %.17g,\n"
                   "  \"rank_tol\": %.17g,\n  \"check_every\": %zu,\n",
                p->min_samples, p->max_seconds, p->stderr_tol, p->rank_tol, p->check_every);
    if (chains)
        fprintf(f, "  \"rhat\": %.17g,\n  \"rel_stderr\": %.17g,\n  \"chains\": %zu,\n",
                p->rhat, p->rel_stderr, p->chains);
    if (m == DV_METHOD_TMC || m == DV_METHOD_TS_SHAPLEY)
        fprintf(f, "  \"truncation\": %.17g,\n", p->truncation);
    if (m == DV_METHOD_TS_SHAPLEY)
        fprintf(f, "  \"ts_subset\": %zu,\n", p->ts_subset);
    if (m == DV_METHOD_BETA)
        fprintf(f, "  \"beta\": [%.17g, %.17g],\n", p->beta_a, p->beta_b);
    if (m == DV_METHOD_KNN)
        fprintf(f, "  \"knn_k\": %zu,\n", p->knn_k);
    if (m == DV_METHOD_FORGETTING)
        fprintf(f, "  \"variant\": \"%s\",\n",
                dv_forgetting_variant_name(p->forgetting_variant));
    if (m == DV_METHOD_DVRL)
        fprintf(f, "  \"dvrl_input\": \"%s\",\n  \"dvrl_batch\": %zu,\n",
                p->dvrl_input == DV_DVRL_XYR ? "xyr" : p->dvrl_input == DV_DVRL_XP ? "xp" : "x",
                p->dvrl_batch);
    if (m == DV_METHOD_MEMORIZATION)
        fprintf(f, "  \"mem_fraction\": %.17g,\n", p->mem_fraction);
    if (m == DV_METHOD_GSHAPLEY) /* 0: searched */
        fprintf(f, "  \"gshapley_lr\": %.17g,\n", p->gshapley_lr);
    fprintf(f, "  \"groups\": %zu,\n", p->groups ? p->n_groups : (size_t)0);
    if (total)
        fprintf(f, "  \"price\": {\"total\": %.17g, \"rule\": \"%s\"},\n", *total,
                "proportional to the positive values; negative values are paid 0");
    fprintf(f, "  \"samples\": %zu,\n  \"utility_calls\": %zu,\n  \"seconds\": %.6f,\n",
            info->samples, info->utility_calls, info->seconds);
    fprintf(f, "  \"stopped_by\": \"%s\",\n  \"stop_level\": %.17g,\n",
            dv_stop_rule_name(info->stop_rule), isfinite(info->stop_level) ? info->stop_level : 0.0);
    fprintf(f, "  \"converged\": %s,\n  \"value_sd\": %.17g,\n  \"max_stderr\": ",
            info->converged > 0 ? "true" : info->converged == 0 ? "false" : "null",
            info->value_sd);
    if (isfinite(info->max_stderr))
        fprintf(f, "%.17g\n}\n", info->max_stderr);
    else
        fprintf(f, "null\n}\n");
    return dv__out_commit(f, tmp, path, err);
}

/* The values (and with pay the payments) as CSV, and the settings beside. */
static int write_values(const char *path, size_t n, const double *values, const double *stderrs,
                        const double *pay, const double *pay_se, const double *total,
                        const dv_value_params *p, const dv_value_info *info,
                        const char *data_path, dv_error *err)
{
    if (!path || !values || !p || !info)
        return dv__err(err, DV_EINVAL, "values: a path, the values, parameters and info are required");
    char tmp[4400], jpath[4400];
    if (snprintf(jpath, sizeof jpath, "%s.json", path) >= (int)sizeof jpath)
        return dv__err(err, DV_EINVAL, "%s: path too long", path);
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "%s,value,stderr,samples%s\n", p->groups ? "group" : "point",
            pay ? ",payment,payment_stderr" : "");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%zu,%.17g,", i, values[i]);
        if (stderrs && isfinite(stderrs[i]))
            fprintf(f, "%.17g", stderrs[i]);
        fprintf(f, ",%zu", info->samples);
        if (pay) {
            fprintf(f, ",%.17g,", pay[i]);
            if (isfinite(pay_se[i]))
                fprintf(f, "%.17g", pay_se[i]);
        }
        fputc('\n', f);
    }
    int rc = dv__out_commit(f, tmp, path, err);
    return rc ? rc : write_settings(jpath, p, info, data_path, total, err);
}

int dv_values_write(const char *path, size_t n, const double *values, const double *stderrs,
                    const dv_value_params *p, const dv_value_info *info, const char *data_path,
                    dv_error *err)
{
    return write_values(path, n, values, stderrs, NULL, NULL, NULL, p, info, data_path, err);
}

int dv_prices(const double *values, const double *stderrs, size_t n, double total,
              double *pay, double *pay_se, dv_error *err)
{
    if (!(total >= 0) || !isfinite(total))
        return dv__err(err, DV_EINVAL, "price: the total %g is not a finite amount >= 0", total);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return dv__err(err, DV_EINVAL, "price: value %zu is not finite", i);
        if (values[i] > 0)
            sum += values[i];
    }
    if (!(sum > 0))
        return dv__err(err, DV_EINVAL, "price: no value is positive, so none earns a share of "
                       "the total");
    for (size_t i = 0; i < n; i++) {
        int paid = values[i] > 0;
        pay[i] = paid ? total * (values[i] / sum) : 0.0;
        double se = stderrs ? stderrs[i] : NAN;
        pay_se[i] = !paid ? 0.0 : isfinite(se) ? total * (se / sum) : NAN;
    }
    return DV_OK;
}

int dv_values_write_priced(const char *path, size_t n, const double *values,
                           const double *stderrs, const double *pay, const double *pay_se,
                           double total, const dv_value_params *p, const dv_value_info *info,
                           const char *data_path, dv_error *err)
{
    if (!pay || !pay_se)
        return dv__err(err, DV_EINVAL, "values: the payments are required");
    return write_values(path, n, values, stderrs, pay, pay_se, &total, p, info, data_path, err);
}
