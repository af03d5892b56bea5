/*
 * rundir.c -- reading a finished run directory (dv_run): run.json through
 * cJSON, the sample arrays, the points' labels; and the files made from it,
 * scaling.csv (the laws) and values.csv (the values).
 */
#include "internal.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dv_run {
    char *dir;
    dv_run_info info;
    char *strings;          /* the info's strings, one block */
    int64_t *cards;         /* grid cardinalities */
    double *deltas;
    int32_t *card;
    int64_t *points;
    char **labels;          /* n_points, from points.csv */
    int64_t *source;        /* n_points source rows, from points.csv (-1: unknown) */
};

void dv_run_free(dv_run *r)
{
    if (!r)
        return;
    if (r->labels)
        for (size_t i = 0; i < r->info.n_points; i++)
            dv__free(r->labels[i]);
    dv__free(r->labels);
    dv__free(r->source);
    dv__free(r->dir);
    dv__free(r->strings);
    dv__free(r->cards);
    dv__free(r->deltas);
    dv__free(r->card);
    dv__free(r->points);
    dv__free(r);
}

const char *dv_run_dir(const dv_run *r) { return r->dir; }
const dv_run_info *dv_run_get_info(const dv_run *r) { return &r->info; }
const double *dv_run_deltas(const dv_run *r) { return r->deltas; }
const int32_t *dv_run_cards(const dv_run *r) { return r->card; }
const int64_t *dv_run_points(const dv_run *r) { return r->points; }
int64_t dv_run_source_row(const dv_run *r, size_t i)
{
    return r->source && i < r->info.n_points ? r->source[i] : -1;
}

const char *dv_run_label(const dv_run *r, size_t i)
{
    return r->labels && i < r->info.n_points && r->labels[i] ? r->labels[i] : "";
}

/* ------------------------------------------------------------------------ */
/* run.json                                                                 */
/* ------------------------------------------------------------------------ */

/* The member at a dotted path ("data.path"), or NULL. */
static const cJSON *member(const cJSON *root, const char *path)
{
    char key[64];
    const cJSON *o = root;
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = 0;
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

/* A required non-negative integer member. */
static int get_count(const cJSON *root, const char *key, uint64_t *out)
{
    const cJSON *o = member(root, key);
    if (!o || !cJSON_IsNumber(o) || !(o->valuedouble >= 0) || o->valuedouble > 9.2e18 ||
        o->valuedouble != floor(o->valuedouble))
        return 0;
    *out = (uint64_t)o->valuedouble;
    return 1;
}

/* Copies the string members named in keys into one block; the info's
 * pointers go to them ("" when absent). */
static int get_strings(dv_run *r, const cJSON *root)
{
    static const char *keys[] = {"task",        "learner.name", "metric",
                                 "command",     "data.path",    "data.sha256",
                                 "data.label",  "dval_version", "split.val_data",
                                 "split.test_data"};
    const char **slot[] = {&r->info.task,      &r->info.learner,   &r->info.metric,
                           &r->info.command,   &r->info.data_path, &r->info.data_sha256,
                           &r->info.label,     &r->info.version,   &r->info.val_data,
                           &r->info.test_data};
    const char *val[DV__COUNT(keys)];
    size_t total = 0;
    for (size_t k = 0; k < DV__COUNT(keys); k++) {
        const cJSON *o = member(root, keys[k]);
        val[k] = cJSON_IsString(o) ? o->valuestring : "";
        total += strlen(val[k]) + 1;
    }
    if (!(r->strings = dv__malloc(total)))
        return DV_ENOMEM;
    char *p = r->strings;
    for (size_t k = 0; k < DV__COUNT(keys); k++) {
        size_t n = strlen(val[k]) + 1;
        memcpy(p, val[k], n);
        *slot[k] = p;
        p += n;
    }
    return DV_OK;
}

/* The cardinalities of a grid run. */
static int get_cards(dv_run *r, const cJSON *root, const char *path, dv_error *err)
{
    const cJSON *a = member(root, "cards");
    if (!cJSON_IsArray(a))
        return dv__err(err, DV_EFORMAT, "%s: no \"cards\" list", path);
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (!(r->cards = dv__malloc((n ? n : 1) * sizeof(int64_t))))
        return dv__err(err, DV_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsNumber(e) || !(e->valuedouble >= 1 && e->valuedouble <= INT32_MAX) ||
            e->valuedouble != floor(e->valuedouble))
            return dv__err(err, DV_EFORMAT, "%s: \"cards\" holds a value that is not a size", path);
        r->cards[i++] = (int64_t)e->valuedouble;
    }
    r->info.n_cards = n;
    r->info.cards = r->cards;
    return DV_OK;
}

static int read_manifest(dv_run *r, const char *path, dv_error *err)
{
    char *text = dv__slurp(path, NULL);
    if (!text)
        return dv__err(err, DV_EIO, "%s: cannot read: %s (is %s a run directory?)", path,
                       strerror(errno), r->dir);
    cJSON *root = cJSON_Parse(text);
    dv__free(text);
    if (!root)
        return dv__err(err, DV_EFORMAT, "%s: not valid JSON", path);
    dv_run_info *I = &r->info;
    uint64_t v[10];
    static const char *need[] = {"samples", "min_card", "max_card", "seed", "batch", "n_points",
                                 "n_train", "n_val", "n_features"};
    int rc = DV_OK;
    for (size_t k = 0; k < DV__COUNT(need) && !rc; k++)
        if (!get_count(root, need[k], &v[k]))
            rc = dv__err(err, DV_EFORMAT, "%s: not a sampling run manifest (%s %s)", path,
                         need[k],
                         member(root, need[k]) ? "is not a count >= 0" : "is missing");
    const cJSON *mode = member(root, "mode"), *done = member(root, "progress.complete");
    if (!rc && !(mode && cJSON_IsString(mode) && (strcmp(mode->valuestring, "uniform") == 0 ||
                                          strcmp(mode->valuestring, "grid") == 0)))
        rc = dv__err(err, DV_EFORMAT, "%s: not a sampling run manifest (no mode)", path);
    if (!rc && member(root, "shard"))
        rc = dv__err(err, DV_ESTATE,
                     "%s is one shard of a run (dval sample --shard); make the run with dval "
                     "combine RUN_DIR SHARD_DIR... and use that",
                     r->dir);
    if (!rc && !cJSON_IsTrue(done))
        rc = dv__err(err, DV_ESTATE,
                     "%s: the run is not complete (continue it with dval sample --resume)",
                     r->dir);
    if (!rc) {
        I->samples = (size_t)v[0];
        I->min_card = (int64_t)v[1];
        I->max_card = (int64_t)v[2];
        I->seed = v[3];
        I->batch = (size_t)v[4];
        I->n_points = (size_t)v[5];
        I->n_train = (size_t)v[6];
        I->n_val = (size_t)v[7];
        I->n_features = (size_t)v[8];
        I->mode = strcmp(mode->valuestring, "grid") == 0 ? DV_CARD_GRID : DV_CARD_UNIFORM;
        uint64_t t;
        I->n_test = get_count(root, "split.test", &t) ? (size_t)t : 0;
        I->has_split_seed = get_count(root, "split.seed", &I->split_seed);
        I->standardized = !cJSON_IsFalse(member(root, "data.standardized"));
        const cJSON *cl = member(root, "classes");
        I->n_classes = cJSON_IsArray(cl) ? (size_t)cJSON_GetArraySize(cl) : 0;
        rc = get_strings(r, root) ? dv__err(err, DV_ENOMEM, "out of memory") : DV_OK;
    }
    if (!rc)
        rc = get_cards(r, root, path, err);
    cJSON_Delete(root);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Samples and labels                                                       */
/* ------------------------------------------------------------------------ */

static int read_arrays(dv_run *r, dv_error *err)
{
    char path[4200];
    size_t P, M, P2, M2, P3, M3;
    dv__path_in(path, sizeof path, r->dir, "deltas.npy");
    int rc = dv_npy_read(path, DV_F64, (void **)&r->deltas, &P, &M, err);
    if (!rc) {
        dv__path_in(path, sizeof path, r->dir, "cards.npy");
        rc = dv_npy_read(path, DV_I32, (void **)&r->card, &P2, &M2, err);
    }
    if (!rc && (P != P2 || M != M2))
        rc = dv__err(err, DV_EFORMAT, "%s: deltas.npy is %zu x %zu but cards.npy is %zu x %zu",
                     r->dir, P, M, P2, M2);
    if (!rc) {
        dv__path_in(path, sizeof path, r->dir, "points.npy");
        rc = dv_npy_read(path, DV_I64, (void **)&r->points, &P3, &M3, err);
    }
    if (!rc && (P3 != P || M3 != 0))
        rc = dv__err(err, DV_EFORMAT, "%s: points.npy has %zu rows, deltas.npy %zu", r->dir, P3, P);
    if (!rc && P != r->info.n_points)
        rc = dv__err(err, DV_EFORMAT, "%s: deltas.npy has %zu points, run.json %zu", r->dir, P,
                     r->info.n_points);
    if (!rc && r->info.mode == DV_CARD_GRID && M != r->info.n_cards * r->info.samples)
        rc = dv__err(err, DV_EFORMAT,
                     "%s: deltas.npy has %zu samples per point, not %zu cardinalities x %zu",
                     r->dir, M, r->info.n_cards, r->info.samples);
    r->info.n_samples = M;
    return rc;
}

/* Deltas beyond this cannot come from a utility dval computes (a damaged
 * file); below it their squares and sums stay finite. */
#define DELTA_MAX 1e150

/* What run.json and the arrays say, checked against each other: sizes,
 * samples, point ids, cardinalities and deltas, each error naming the file
 * and the field or entry. */
static int check_run(dv_run *r, dv_error *err)
{
    const dv_run_info *I = &r->info;
    if (I->min_card < 1 || I->max_card < I->min_card)
        return dv__err(err, DV_EFORMAT,
                       "%s/run.json: min_card %lld and max_card %lld are not a range of sizes "
                       "from 1",
                       r->dir, (long long)I->min_card, (long long)I->max_card);
    if (I->n_train < 2 || (size_t)I->max_card >= I->n_train + 1)
        return dv__err(err, DV_EFORMAT,
                       "%s/run.json: max_card %lld does not fit a training split of n_train = "
                       "%zu rows",
                       r->dir, (long long)I->max_card, I->n_train);
    if (I->n_samples == 0 && I->n_points > 0)
        return dv__err(err, DV_EFORMAT,
                       "%s/deltas.npy: no samples per point (run.json: %zu samples)", r->dir,
                       I->samples);
    size_t P = I->n_points, M = I->n_samples;
    unsigned char *seen = dv__calloc(I->n_train, 1);
    if (!seen)
        return dv__err(err, DV_ENOMEM, "out of memory");
    int rc = DV_OK;
    for (size_t i = 0; i < P && !rc; i++) {
        int64_t z = r->points[i];
        if (z < 0 || (size_t)z >= I->n_train)
            rc = dv__err(err, DV_EFORMAT,
                         "%s/points.npy: entry %zu is %lld, not a row of the %zu-row training "
                         "split",
                         r->dir, i, (long long)z, I->n_train);
        else if (seen[z]++)
            rc = dv__err(err, DV_EFORMAT, "%s/points.npy: row %lld is listed twice", r->dir,
                         (long long)z);
    }
    dv__free(seen);
    int grid = I->mode == DV_CARD_GRID && I->samples > 0;
    for (size_t q = 0; q < P * M && !rc; q++) {
        int32_t k = r->card[q];
        double d = r->deltas[q];
        if (k < I->min_card || k > I->max_card)
            rc = dv__err(err, DV_EFORMAT,
                         "%s/cards.npy: point %zu, sample %zu has size %d, outside run.json's "
                         "min_card..max_card = %lld..%lld",
                         r->dir, q / M, q % M, (int)k, (long long)I->min_card,
                         (long long)I->max_card);
        else if (grid && k != I->cards[(q % M) / I->samples])
            rc = dv__err(err, DV_EFORMAT,
                         "%s/cards.npy: point %zu, sample %zu has size %d, but run.json's grid "
                         "puts it at size %lld",
                         r->dir, q / M, q % M, (int)k, (long long)I->cards[(q % M) / I->samples]);
        else if (!(fabs(d) <= DELTA_MAX))
            rc = dv__err(err, DV_EFORMAT,
                         "%s/deltas.npy: point %zu, sample %zu is %g, not a marginal "
                         "contribution (a damaged file?)",
                         r->dir, q / M, q % M, d);
    }
    return rc;
}

/* Labels from points.csv (point, source_row, label), when it is there. */
static int read_labels(dv_run *r)
{
    char path[4200];
    dv__path_in(path, sizeof path, r->dir, "points.csv");
    char *text = dv__slurp(path, NULL);
    if (!text)
        return DV_OK;
    size_t n = r->info.n_points;
    r->labels = dv__calloc(n ? n : 1, sizeof *r->labels);
    r->source = dv__malloc((n ? n : 1) * sizeof *r->source);
    for (size_t i = 0; r->source && i < n; i++)
        r->source[i] = -1;
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    for (size_t i = 0; r->labels && r->source && i < n && (line = strtok_r(NULL, "\n", &save));
         i++) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2)
            continue;
        r->source[i] = strtoll(c1 + 1, NULL, 10);
        char *lab = c2 + 1, *w = lab;
        if (*lab == '"') { /* a quoted label: quotes doubled inside */
            for (char *p = lab + 1; *p; p++) {
                if (*p == '"' && p[1] != '"')
                    break;
                *w++ = *p;
                p += *p == '"';
            }
            *w = 0;
            lab = c2 + 1;
        }
        r->labels[i] = dv__strdup(lab);
    }
    dv__free(text);
    return r->labels && r->source ? DV_OK : DV_ENOMEM;
}

int dv_run_open(dv_run **out, const char *run_dir, dv_error *err)
{
    *out = NULL;
    if (!run_dir)
        return dv__err(err, DV_EINVAL, "a run directory is required");
    dv_run *r = dv__calloc(1, sizeof *r);
    if (!r || !(r->dir = dv__strdup(run_dir))) {
        dv__free(r);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    char path[4200];
    if (dv__path_in(path, sizeof path, run_dir, "run.json")) {
        dv_run_free(r);
        return dv__err(err, DV_EINVAL, "%s: path too long", run_dir);
    }
    int rc = read_manifest(r, path, err);
    if (!rc)
        rc = read_arrays(r, err);
    if (!rc)
        rc = check_run(r, err);
    if (!rc && read_labels(r))
        rc = dv__err(err, DV_ENOMEM, "out of memory");
    if (rc) {
        dv_run_free(r);
        return rc;
    }
    *out = r;
    return DV_OK;
}

/* ------------------------------------------------------------------------ */
/* Laws and values                                                          */
/* ------------------------------------------------------------------------ */

int dv_run_fit(const dv_run *r, int n_threads, const char *path, dv_law *laws, dv_error *err)
{
    size_t n = r->info.n_points;
    char def[4200];
    if (!path) {
        dv__path_in(def, sizeof def, r->dir, "scaling.csv");
        path = def;
    }
    int rc = dv_law_fit_many(r->deltas, r->card, n, r->info.n_samples, laws, n_threads);
    if (rc)
        return dv__err(err, rc, "%s: fitting the laws failed", r->dir);
    const char **labels = dv__malloc((n ? n : 1) * sizeof *labels);
    if (!labels)
        return dv__err(err, DV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        labels[i] = r->labels ? r->labels[i] : NULL;
    rc = dv_scaling_write(path, n, r->points, labels, laws, err);
    dv__free(labels);
    return rc;
}

int dv_run_laws(const dv_run *r, int n_threads, dv_law *laws, dv_error *err)
{
    char path[4200];
    dv__path_in(path, sizeof path, r->dir, "scaling.csv");
    if (!dv__file_exists(path))
        return dv_run_fit(r, n_threads, NULL, laws, err);
    return dv_scaling_read(path, r->info.n_points, r->points, laws, err);
}

void dv_run_values(const dv_run *r, const dv_law *laws, double *law_value, double *mc_mean,
                   double *mc_stderr)
{
    size_t M = r->info.n_samples;
    for (size_t i = 0; i < r->info.n_points; i++) {
        const double *row = r->deltas + i * M;
        double s = 0, s2 = 0;
        for (size_t j = 0; j < M; j++)
            s += row[j];
        double mean = M ? s / (double)M : 0;
        for (size_t j = 0; j < M; j++)
            s2 += (row[j] - mean) * (row[j] - mean);
        if (mc_mean)
            mc_mean[i] = mean;
        if (mc_stderr)
            mc_stderr[i] = M > 1 ? sqrt(s2 / (double)(M - 1) / (double)M) : 0;
        if (law_value)
            law_value[i] = dv_law_mean_value(laws[i].c, laws[i].alpha, r->info.min_card,
                                             r->info.max_card);
    }
}

int dv_run_write_values(const dv_run *r, const dv_law *laws, const int64_t *at, size_t n_at,
                        const char *path, dv_error *err)
{
    char def[4200], tmp[4300];
    if (!path) {
        dv__path_in(def, sizeof def, r->dir, "values.csv");
        path = def;
    }
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    size_t n = r->info.n_points;
    double *v = dv__malloc(3 * (n ? n : 1) * sizeof *v);
    if (!v) {
        fclose(f);
        remove(tmp);
        return dv__err(err, DV_ENOMEM, "out of memory");
    }
    dv_run_values(r, laws, v, v + n, v + 2 * n);
    fprintf(f, "point,label");
    for (size_t a = 0; a < n_at; a++)
        fprintf(f, ",psi_%lld", (long long)at[a]);
    fprintf(f, ",law_value,law_stderr,mc_mean,mc_stderr,n_samples,status\n");
    size_t M = r->info.n_samples;
    for (size_t i = 0; i < n; i++) {
        const dv_law *L = &laws[i];
        fprintf(f, "%lld,", (long long)r->points[i]);
        dv__csv_field(f, dv_run_label(r, i));
        for (size_t a = 0; a < n_at; a++)
            fprintf(f, ",%.17g", L->c * pow((double)at[a], -L->alpha));
        /* 0 where the error cannot be computed (a failed fit), as for the
         * other fields that do not apply. */
        double se = dv_law_value_stderr(r->deltas + i * M, r->card + i * M, M, L,
                                        r->info.min_card, r->info.max_card);
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%zu,%s\n", v[i], isfinite(se) ? se : 0.0, v[n + i],
                v[2 * n + i], M, dv_law_status_name(L->status));
    }
    dv__free(v);
    return dv__out_commit(f, tmp, path, err);
}

/* ------------------------------------------------------------------------ */
/* The run's data                                                           */
/* ------------------------------------------------------------------------ */

int dv_run_check_split(const dv_run *r, const dv_dataset *train, dv_error *err)
{
    const dv_run_info *I = &r->info;
    if (train->n != I->n_train)
        return dv__err(err, DV_ESTATE,
                       "the training split has %zu rows, the run had %zu; use the run's data "
                       "options",
                       train->n, I->n_train);
    for (size_t i = 0; i < I->n_points; i++) {
        int64_t z = r->points[i];
        if (z < 0 || (size_t)z >= train->n)
            return dv__err(err, DV_ESTATE,
                           "point %zu is training row %lld, but the training split has %zu "
                           "rows; use the run's data options",
                           i, (long long)z, train->n);
        if (r->source && r->source[i] >= 0 && r->source[i] != train->src_rows[z])
            return dv__err(err, DV_ESTATE,
                           "point %zu is data row %lld in the run but data row %lld in this "
                           "split; use the run's data options",
                           i, (long long)r->source[i], (long long)train->src_rows[z]);
    }
    return DV_OK;
}

int dv_run_check_data(const dv_run *r, const char *path, dv_error *err)
{
    char sha[65];
    const char *want = r->info.data_sha256;
    if (!*want)
        return DV_OK;
    int rc = dv_sha256_file(path, sha, err);
    if (!rc && strcmp(sha, want) != 0)
        rc = dv__err(err, DV_ESTATE,
                     "%s is not the data %s was made on: its SHA-256 differs from run.json's "
                     "data.sha256",
                     path, r->dir);
    return rc;
}

int dv_run_load_data(const dv_run *r, const char *data_path, dv_dataset **train,
                     dv_dataset **val, dv_dataset **test, dv_error *err)
{
    const dv_run_info *I = &r->info;
    dv_load_options o;
    dv_load_options_default(&o);
    o.path = data_path ? data_path : I->data_path;
    o.csv.label = *I->label ? I->label : NULL;
    o.csv.task = strcmp(I->task, "regression") == 0 ? DV_TASK_REGRESSION
                                                   : DV_TASK_CLASSIFICATION;
    if (*I->val_data) {
        o.val_path = I->val_data;
        o.test_path = I->test_data;
    } else {
        o.split.n_val = (double)I->n_val;
        o.split.n_test = (double)I->n_test;
        o.split.seed = I->split_seed;
    }
    o.standardize = I->standardized;
    int rc = dv_run_check_data(r, o.path, err);
    if (rc)
        return rc;
    rc = dv_data_load(&o, train, val, test, NULL, err);
    if (!rc && (rc = dv_run_check_split(r, *train, err))) {
        dv_dataset_free(*train);
        dv_dataset_free(*val);
        dv_dataset_free(*test);
        *train = *val = *test = NULL;
    }
    return rc;
}
