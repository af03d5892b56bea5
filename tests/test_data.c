/*
 * test_data.c -- tests of the data module: CSV reading and writing (plain
 * and gzip, quoting, line endings, label mapping, every error message), the
 * train/validation/test split, standardization and the synthetic
 * generators.  Input files go to a fresh directory under /tmp, removed at
 * the end.
 */
#include "check.h"
#include "oracle.h"
#include "dval.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* The scratch directory, set once by main. */
static char tmp_dir[64];

static const char *path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmp_dir, name);
    return buf;
}

static void write_bytes(const char *name, const char *data, size_t len)
{
    char p[256];
    FILE *f = fopen(path_of(p, sizeof p, name), "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

static void write_text(const char *name, const char *text) { write_bytes(name, text, strlen(text)); }

/* Reads back a whole file; *len gets its size.  Caller frees. */
static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Writes text to NAME and reads it as a dataset. */
static int read_text(dv_dataset **ds, const char *name, const char *text,
                     const dv_csv_options *o, dv_error *err)
{
    char p[256];
    write_text(name, text);
    memset(err, 0, sizeof *err);
    return dv_dataset_read_csv(ds, path_of(p, sizeof p, name), o, err);
}

/* Reads TEXT as file NAME and expects a failure whose message contains the
 * file name and each of the NULL-terminated substrings. */
static void expect_fail_(int line, const char *name, const char *text, const dv_csv_options *o,
                         const char *const *subs)
{
    dv_dataset *ds = (dv_dataset *)1;
    dv_error err;
    int rc = read_text(&ds, name, text, o, &err);
    CHECK_MSG(rc != 0, "line %d: reading %s succeeded", line, name);
    CHECK_MSG(ds == NULL, "line %d: *out not NULL on failure", line);
    CHECK_MSG(err.code == rc, "line %d: err.code %d != rc %d", line, err.code, rc);
    CHECK_MSG(strstr(err.msg, name) != NULL, "line %d: message lacks file name: %s", line,
              err.msg);
    for (; *subs; subs++)
        CHECK_MSG(strstr(err.msg, *subs) != NULL, "line %d: message lacks \"%s\": %s", line,
                  *subs, err.msg);
    if (rc == 0)
        dv_dataset_free(ds);
}

#define EXPECT_FAIL(name, text, opts, ...)                                      \
    do {                                                                         \
        const char *const subs_[] = {__VA_ARGS__, NULL};                         \
        expect_fail_(__LINE__, name, text, opts, subs_);                         \
    } while (0)

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Removes the scratch directory and everything in it. */
static void remove_tmp_dir(void)
{
    DIR *d = opendir(tmp_dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", tmp_dir, e->d_name);
            remove(p);
        }
    closedir(d);
    rmdir(tmp_dir);
}

/* Number of entries of the scratch directory whose name contains s. */
static int count_files_with(const char *s)
{
    DIR *d = opendir(tmp_dir);
    int k = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        k += strstr(e->d_name, s) != NULL;
    if (d)
        closedir(d);
    return k;
}

/* Checks that a and b hold the same data, bit for bit, and the same names. */
static void check_same_dataset(const dv_dataset *a, const dv_dataset *b)
{
    size_t n = dv_dataset_rows(a), d = dv_dataset_cols(a);
    CHECK_EQ_INT(dv_dataset_rows(b), n);
    CHECK_EQ_INT(dv_dataset_cols(b), d);
    CHECK_EQ_INT(dv_dataset_task(b), dv_dataset_task(a));
    CHECK_EQ_INT(dv_dataset_classes(b), dv_dataset_classes(a));
    if (dv_dataset_rows(b) != n || dv_dataset_cols(b) != d)
        return;
    CHECK(memcmp(dv_dataset_features(a), dv_dataset_features(b), n * d * sizeof(double)) == 0);
    CHECK(memcmp(dv_dataset_targets(a), dv_dataset_targets(b), n * sizeof(double)) == 0);
    for (size_t j = 0; j < d; j++)
        CHECK_MSG(!strcmp(dv_dataset_col_name(a, j), dv_dataset_col_name(b, j)),
                  "column %zu: '%s' vs '%s'", j, dv_dataset_col_name(a, j),
                  dv_dataset_col_name(b, j));
    CHECK(!strcmp(dv_dataset_label_name(a), dv_dataset_label_name(b)));
    for (size_t c = 0; c < dv_dataset_classes(a) && c < dv_dataset_classes(b); c++)
        CHECK(!strcmp(dv_dataset_class_name(a, c), dv_dataset_class_name(b, c)));
}

/* ------------------------------------------------------------------------ */
/* CSV round trips                                                          */
/* ------------------------------------------------------------------------ */

/* Awkward doubles: tiny, huge, subnormal, negative zero, many digits. */
static void fill_awkward(double *X, size_t count, uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 1);
    static const double special[] = {0.1, -0.0, 1e-300, 4.9406564584124654e-324, 1.7976931348623157e308,
                                     -2.5, 123456789012345678.0, 1.0 / 3.0, 0.0, 1e22, 1e23};
    size_t ns = sizeof special / sizeof special[0];
    for (size_t i = 0; i < count; i++)
        X[i] = i < ns ? special[i]
                      : dv_rng_normal(&r) * pow(10.0, (double)dv_rng_below(&r, 41) - 20.0);
}

static void test_roundtrip_classification(void)
{
    enum { N = 60, D = 4 };
    double X[N * D], y[N];
    fill_awkward(X, N * D, 7);
    for (size_t i = 0; i < N; i++)
        y[i] = (double)(i % 3);
    const char *names[D] = {"plain", "with,comma", "with \"quote\"", " padded "};
    dv_error err = {0};
    dv_dataset *a = NULL, *b = NULL, *g = NULL;
    CHECK(dv_dataset_from_arrays(&a, N, D, X, y, DV_TASK_CLASSIFICATION, 3, names, &err) == 0);
    char p[256], pgz[256];
    path_of(p, sizeof p, "rt.csv");
    CHECK_MSG(dv_dataset_write_csv(a, p, &err) == 0, "%s", err.msg);
    CHECK_EQ_INT(count_files_with(".tmp"), 0);
    dv_csv_options o;
    dv_csv_options_default(&o);
    CHECK_EQ_INT(o.task, DV_TASK_CLASSIFICATION);
    CHECK(o.label == NULL && o.drop_missing == 0);
    CHECK_MSG(dv_dataset_read_csv(&b, p, &o, &err) == 0, "%s", err.msg);
    if (b) {
        check_same_dataset(a, b);
        for (size_t i = 0; i < N; i++)
            CHECK_EQ_INT(dv_dataset_source_rows(b)[i], i);
    }

    /* The same text gzip-compressed by zlib reads back to the same data. */
    size_t len = 0;
    char *text = read_bytes(p, &len);
    CHECK(text != NULL);
    gzFile gz = gzopen(path_of(pgz, sizeof pgz, "rt_zlib.csv.gz"), "wb");
    CHECK(gz != NULL);
    if (gz && text) {
        CHECK(gzwrite(gz, text, (unsigned)len) == (int)len);
        CHECK(gzclose(gz) == Z_OK);
        CHECK_MSG(dv_dataset_read_csv(&g, pgz, &o, &err) == 0, "%s", err.msg);
        if (g && b)
            check_same_dataset(b, g);
        dv_dataset_free(g);
        g = NULL;
    }
    free(text);

    /* write_csv to a .gz name compresses, and reads back the same. */
    path_of(pgz, sizeof pgz, "rt_lib.csv.gz");
    CHECK_MSG(dv_dataset_write_csv(a, pgz, &err) == 0, "%s", err.msg);
    text = read_bytes(pgz, &len);
    CHECK(text && len > 2 && (unsigned char)text[0] == 0x1f && (unsigned char)text[1] == 0x8b);
    free(text);
    CHECK_MSG(dv_dataset_read_csv(&g, pgz, &o, &err) == 0, "%s", err.msg);
    if (g)
        check_same_dataset(a, g);
    dv_dataset_free(g);
    dv_dataset_free(a);
    dv_dataset_free(b);
}

/* Arrays coded from named labels: the names set, written and read back
 * as a file with those labels; bad names refused, the old kept. */
static void test_set_names(void)
{
    enum { N = 30, D = 2 };
    double X[N * D], y[N];
    fill_awkward(X, N * D, 3);
    for (size_t i = 0; i < N; i++)
        y[i] = (double)((i * 7) % 3);
    dv_error err = {0};
    dv_dataset *a = NULL, *b = NULL;
    CHECK(dv_dataset_from_arrays(&a, N, D, X, y, DV_TASK_CLASSIFICATION, 3, NULL, &err) == 0);
    const char *dup[3] = {"ant", "bee", "ant"}, *none[3] = {"ant", "", "cat"};
    CHECK(dv_dataset_set_names(a, NULL, dup, &err) == DV_EINVAL);
    CHECK(strstr(err.msg, "classes 0 and 2 are both named 'ant'") != NULL);
    CHECK(dv_dataset_set_names(a, NULL, none, &err) == DV_EINVAL);
    CHECK(dv_dataset_set_names(a, "", NULL, &err) == DV_EINVAL);
    CHECK(strcmp(dv_dataset_class_name(a, 2), "2") == 0);
    CHECK(strcmp(dv_dataset_label_name(a), "label") == 0);
    const char *names[3] = {"ant", "bee", "cat"}; /* byte order: the reader's coding */
    CHECK_MSG(dv_dataset_set_names(a, "kind", names, &err) == 0, "%s", err.msg);
    CHECK(strcmp(dv_dataset_class_name(a, 1), "bee") == 0);
    CHECK(strcmp(dv_dataset_label_name(a), "kind") == 0);
    CHECK(dv_dataset_set_names(a, NULL, NULL, &err) == 0); /* keeps both */
    CHECK(strcmp(dv_dataset_label_name(a), "kind") == 0);
    char p[256];
    path_of(p, sizeof p, "named.csv");
    CHECK_MSG(dv_dataset_write_csv(a, p, &err) == 0, "%s", err.msg);
    dv_csv_options o;
    dv_csv_options_default(&o);
    o.label = "kind";
    CHECK_MSG(dv_dataset_read_csv(&b, p, &o, &err) == 0, "%s", err.msg);
    if (b)
        check_same_dataset(a, b);
    dv_dataset_free(a);
    dv_dataset_free(b);
}

/* A dataset that borrows its features: the caller's array itself, never
 * written; standardized, it is the copied dataset's bits and the caller's
 * array is untouched. */
static void test_wrap(void)
{
    enum { N = 40, D = 3 };
    double X[N * D], keep[N * D], y[N];
    fill_awkward(X, N * D, 5);
    for (size_t i = 0; i < N; i++)
        y[i] = (double)(i % 2);
    memcpy(keep, X, sizeof X);
    dv_error err = {0};
    dv_dataset *w = NULL, *c = NULL, *w2 = NULL, *c2 = NULL;
    CHECK(dv_dataset_wrap(&w, N, D, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&c, N, D, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    CHECK(dv_dataset_wrap(&w2, N / 2, D, X + (N / 2) * D, y, DV_TASK_CLASSIFICATION, 2, NULL,
                          &err) == 0);
    CHECK(dv_dataset_from_arrays(&c2, N / 2, D, X + (N / 2) * D, y, DV_TASK_CLASSIFICATION, 2,
                                 NULL, &err) == 0);
    dv_dataset *bad = NULL;
    CHECK(dv_dataset_wrap(&bad, N, D, X, y, DV_TASK_CLASSIFICATION, 1, NULL, &err) == DV_EINVAL);
    CHECK(bad == NULL);
    if (!w || !c || !w2 || !c2)
        goto out;
    CHECK(dv_dataset_features(w) == X); /* no copy */
    CHECK(dv_dataset_targets(w) != y);  /* labels are copied (label noise writes them) */
    check_same_dataset(w, c);
    CHECK(dv_dataset_standardize(w, w2, NULL) == 0);
    CHECK(dv_dataset_standardize(c, c2, NULL) == 0);
    CHECK(dv_dataset_features(w) != X);
    CHECK(memcmp(X, keep, sizeof X) == 0); /* the caller's array as it was */
    CHECK(memcmp(dv_dataset_features(w), dv_dataset_features(c), sizeof X) == 0);
    CHECK(memcmp(dv_dataset_features(w2), dv_dataset_features(c2), sizeof X / 2) == 0);
    CHECK(memcmp(dv_dataset_std_mean(w), dv_dataset_std_mean(c), D * sizeof(double)) == 0);
out:
    dv_dataset_free(w);
    dv_dataset_free(c);
    dv_dataset_free(w2);
    dv_dataset_free(c2);
}

static void test_roundtrip_regression(void)
{
    enum { N = 40, D = 3 };
    double X[N * D], y[N];
    fill_awkward(X, N * D, 11);
    fill_awkward(y, N, 12);
    dv_error err = {0};
    dv_dataset *a = NULL, *b = NULL;
    CHECK(dv_dataset_from_arrays(&a, N, D, X, y, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    char p[256];
    CHECK_MSG(dv_dataset_write_csv(a, path_of(p, sizeof p, "reg.csv"), &err) == 0, "%s",
              err.msg);
    dv_csv_options o;
    dv_csv_options_default(&o);
    o.task = DV_TASK_REGRESSION;
    CHECK_MSG(dv_dataset_read_csv(&b, p, &o, &err) == 0, "%s", err.msg);
    if (b) {
        check_same_dataset(a, b);
        for (size_t i = 0; i < N; i++)
            CHECK_MSG(same_bits(dv_dataset_targets(b)[i], y[i]), "row %zu", i);
        CHECK(same_bits(dv_dataset_features(b)[1], -0.0)); /* sign of zero kept */
    }
    dv_dataset_free(a);
    dv_dataset_free(b);
}

static void test_write_failure(void)
{
    double X[2] = {1, 2}, y[2] = {0, 1};
    dv_error err = {0};
    dv_dataset *a = NULL;
    CHECK(dv_dataset_from_arrays(&a, 2, 1, X, y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == 0);
    char p[256];
    path_of(p, sizeof p, "no_such_dir/out.csv");
    int rc = dv_dataset_write_csv(a, p, &err);
    CHECK_EQ_INT(rc, DV_EIO);
    CHECK_MSG(strstr(err.msg, "no_such_dir/out.csv") != NULL, "%s", err.msg);
    CHECK(!file_exists(p));
    /* Overwriting an existing file replaces it whole. */
    path_of(p, sizeof p, "over.csv");
    write_text("over.csv", "old contents that are longer than the new ones, surely,,,,\n");
    CHECK(dv_dataset_write_csv(a, p, &err) == 0);
    size_t len;
    char *t = read_bytes(p, &len);
    CHECK(t && !strcmp(t, "x0,label\n1,0\n2,1\n"));
    free(t);
    CHECK_EQ_INT(count_files_with(".tmp"), 0);
    dv_dataset_free(a);
}

/* Short decimals take a fast path in the reader: it must agree with strtod
 * bit for bit, as must the slow path for long and exponent forms. */
static void test_number_parsing(void)
{
    enum { N = 3000 };
    /* Edge cases first: many fractional digits, leading zeros, signs. */
    static const char *fixed[] = {"0.000000000000000000000000123", "1.00000000000000000000000000",
                                  "-0", "+.5", "5.", "0000000000000000000000012.5",
                                  "123456789012345", "1234567890123456", "0.1234567890123456789",
                                  "9007199254740993", "1e-320", "-1.5E+3", "0x1p-3"};
    const size_t nfixed = sizeof fixed / sizeof fixed[0];
    dv_rng r;
    dv_rng_seed(&r, 42, 0);
    size_t cap = (size_t)N * 64 + 64, len = 0;
    char *text = malloc(cap), (*vals)[48] = malloc(N * sizeof *vals);
    len += (size_t)snprintf(text + len, cap - len, "v,label\n");
    for (size_t i = 0; i < N; i++) {
        char *v = vals[i];
        if (i < nfixed) {
            snprintf(v, sizeof vals[i], "%s", fixed[i]);
            len += (size_t)snprintf(text + len, cap - len, "%s,%zu\n", v, i % 2);
            continue;
        }
        size_t k = 0;
        if (dv_rng_below(&r, 3) == 0)
            v[k++] = '-';
        size_t ndig = 1 + (size_t)dv_rng_below(&r, 22), dot = (size_t)dv_rng_below(&r, ndig + 2);
        for (size_t j = 0; j < ndig; j++) {
            if (j == dot)
                v[k++] = '.';
            v[k++] = (char)('0' + dv_rng_below(&r, 10));
        }
        if (dv_rng_below(&r, 10) == 0)
            k += (size_t)snprintf(v + k, 8, "e%d", (int)dv_rng_below(&r, 40) - 20);
        v[k] = '\0';
        len += (size_t)snprintf(text + len, cap - len, "%s,%zu\n", v, i % 2);
    }
    dv_dataset *ds = NULL;
    dv_error err;
    CHECK_MSG(read_text(&ds, "numbers.csv", text, NULL, &err) == 0, "%s", err.msg);
    if (ds) {
        for (size_t i = 0; i < N; i++) {
            double want = strtod(vals[i], NULL), got = dv_dataset_features(ds)[i];
            CHECK_MSG(same_bits(got, want), "'%s': got %.17g want %.17g", vals[i], got, want);
        }
    }
    dv_dataset_free(ds);
    free(text);
    free(vals);
}

/* ------------------------------------------------------------------------ */
/* Labels                                                                   */
/* ------------------------------------------------------------------------ */

static void test_string_labels(void)
{
    dv_dataset *ds = NULL;
    dv_error err;
    CHECK_MSG(read_text(&ds, "str.csv", "a,b,label\n1,2,cat\n3,4,ant\n5,6,bee\n7,8,cat\n", NULL,
                        &err) == 0,
              "%s", err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_classes(ds), 3);
    CHECK(!strcmp(dv_dataset_class_name(ds, 0), "ant"));
    CHECK(!strcmp(dv_dataset_class_name(ds, 1), "bee"));
    CHECK(!strcmp(dv_dataset_class_name(ds, 2), "cat"));
    CHECK(dv_dataset_class_name(ds, 3) == NULL);
    const double want[4] = {2, 0, 1, 2};
    for (int i = 0; i < 4; i++)
        CHECK_EQ_INT(dv_dataset_targets(ds)[i], want[i]);
    CHECK(!strcmp(dv_dataset_label_name(ds), "label"));
    CHECK_EQ_INT(dv_dataset_cols(ds), 2);
    CHECK_EQ_INT(dv_dataset_features(ds)[6], 7);
    dv_dataset_free(ds);

    /* One non-integer label makes every label a string: byte order. */
    CHECK(read_text(&ds, "mixed.csv", "a,label\n1,10\n2,9\n3,x\n", NULL, &err) == 0);
    if (ds) {
        CHECK_EQ_INT(dv_dataset_classes(ds), 3);
        CHECK(!strcmp(dv_dataset_class_name(ds, 0), "10"));
        CHECK(!strcmp(dv_dataset_class_name(ds, 1), "9"));
        CHECK(!strcmp(dv_dataset_class_name(ds, 2), "x"));
        CHECK_EQ_INT(dv_dataset_targets(ds)[0], 0);
        CHECK_EQ_INT(dv_dataset_targets(ds)[1], 1);
    }
    dv_dataset_free(ds);
}

static void test_integer_labels(void)
{
    dv_dataset *ds = NULL;
    dv_error err;
    /* 10, 9, 2 sort numerically (2 < 9 < 10), not as text; "09" and "+9"
     * are the integer 9, named canonically. */
    CHECK_MSG(read_text(&ds, "int.csv", "a,label\n1,10\n2,9\n3,2\n4,09\n5,+9\n6,-1\n", NULL,
                        &err) == 0,
              "%s", err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_classes(ds), 4);
    const char *names[4] = {"-1", "2", "9", "10"};
    for (size_t c = 0; c < 4; c++)
        CHECK_MSG(!strcmp(dv_dataset_class_name(ds, c), names[c]), "class %zu: %s", c,
                  dv_dataset_class_name(ds, c));
    const double want[6] = {3, 2, 1, 2, 2, 0};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(dv_dataset_targets(ds)[i], want[i]);
    dv_dataset_free(ds);
}

static void test_label_by_name(void)
{
    dv_dataset *ds = NULL;
    dv_error err;
    dv_csv_options o;
    dv_csv_options_default(&o);
    o.label = "target";
    CHECK_MSG(read_text(&ds, "mid.csv", "f1,target,f2,f3\n1,b,2,3\n4,a,5,6\n7,b,8,9\n", &o,
                        &err) == 0,
              "%s", err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_cols(ds), 3);
    CHECK(!strcmp(dv_dataset_col_name(ds, 0), "f1"));
    CHECK(!strcmp(dv_dataset_col_name(ds, 1), "f2"));
    CHECK(!strcmp(dv_dataset_col_name(ds, 2), "f3"));
    CHECK(!strcmp(dv_dataset_label_name(ds), "target"));
    const double X[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, y[3] = {1, 0, 1};
    CHECK(memcmp(dv_dataset_features(ds), X, sizeof X) == 0);
    CHECK(memcmp(dv_dataset_targets(ds), y, sizeof y) == 0);
    dv_dataset_free(ds);

    /* The label may also be the first column. */
    o.label = "f1";
    CHECK(read_text(&ds, "first.csv", "f1,f2\n1,2\n0,5\n", &o, &err) == 0);
    if (ds) {
        CHECK_EQ_INT(dv_dataset_cols(ds), 1);
        CHECK(!strcmp(dv_dataset_col_name(ds, 0), "f2"));
        CHECK_EQ_INT(dv_dataset_targets(ds)[0], 1);
        CHECK_EQ_INT(dv_dataset_features(ds)[1], 5);
    }
    dv_dataset_free(ds);
}

static void test_regression_task(void)
{
    dv_dataset *ds = NULL;
    dv_error err;
    dv_csv_options o;
    dv_csv_options_default(&o);
    o.task = DV_TASK_REGRESSION;
    CHECK_MSG(read_text(&ds, "r.csv", "x,y\n1,2.5\n2,-3e-2\n3,7\n", &o, &err) == 0, "%s",
              err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_task(ds), DV_TASK_REGRESSION);
    CHECK_EQ_INT(dv_dataset_classes(ds), 0);
    CHECK(dv_dataset_class_name(ds, 0) == NULL);
    CHECK(dv_dataset_targets(ds)[0] == 2.5);
    CHECK(dv_dataset_targets(ds)[1] == -3e-2);
    CHECK(dv_dataset_targets(ds)[2] == 7);
    CHECK(!strcmp(dv_dataset_label_name(ds), "y"));
    dv_dataset_free(ds);
}

/* ------------------------------------------------------------------------ */
/* Syntax: quotes, line endings, blank lines, long lines                    */
/* ------------------------------------------------------------------------ */

static void test_quotes_and_crlf(void)
{
    dv_dataset *ds = NULL;
    dv_error err;
    const char *text = "\"x,1\",\"he said \"\"hi\"\"\",label\r\n"
                       "1,\"2\",\"a,b\"\r\n"
                       " 3 , 4 ,\"c\"\"d\"\r\n"
                       "5,6,\"two\nlines\"\r\n"
                       "\r\n\r\n";
    CHECK_MSG(read_text(&ds, "quoted.csv", text, NULL, &err) == 0, "%s", err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_rows(ds), 3);
    CHECK(!strcmp(dv_dataset_col_name(ds, 0), "x,1"));
    CHECK(!strcmp(dv_dataset_col_name(ds, 1), "he said \"hi\""));
    CHECK_EQ_INT(dv_dataset_classes(ds), 3);
    CHECK(!strcmp(dv_dataset_class_name(ds, 0), "a,b"));
    CHECK(!strcmp(dv_dataset_class_name(ds, 1), "c\"d"));
    CHECK(!strcmp(dv_dataset_class_name(ds, 2), "two\nlines"));
    const double X[6] = {1, 2, 3, 4, 5, 6}, y[3] = {0, 1, 2};
    CHECK(memcmp(dv_dataset_features(ds), X, sizeof X) == 0);
    CHECK(memcmp(dv_dataset_targets(ds), y, sizeof y) == 0);
    dv_dataset_free(ds);

    /* No trailing newline; a UTF-8 byte order mark; blank lines in between. */
    CHECK_MSG(read_text(&ds, "nonl.csv", "\xEF\xBB\xBF" "a,label\n1,0\n\n2,1", NULL, &err) == 0,
              "%s", err.msg);
    if (ds) {
        CHECK_EQ_INT(dv_dataset_rows(ds), 2);
        CHECK(!strcmp(dv_dataset_col_name(ds, 0), "a"));
        CHECK_EQ_INT(dv_dataset_features(ds)[1], 2);
        CHECK_EQ_INT(dv_dataset_source_rows(ds)[1], 1);
    }
    dv_dataset_free(ds);

    /* Old Mac line ends (a lone \r). */
    CHECK_MSG(read_text(&ds, "cr.csv", "a,label\r1,0\r2,1\r3,1\r", NULL, &err) == 0, "%s",
              err.msg);
    if (ds) {
        CHECK_EQ_INT(dv_dataset_rows(ds), 3);
        CHECK_EQ_INT(dv_dataset_features(ds)[2], 3);
    }
    dv_dataset_free(ds);
    EXPECT_FAIL("crline.csv", "a,label\r1,0\r2,1\rz,1\r", NULL, "crline.csv:4:", "'a'");

    /* Lines after a quoted newline are still numbered right in errors. */
    EXPECT_FAIL("qline.csv", "a,label\n1,\"x\ny\"\n2,z\nbad,z\n", NULL, "qline.csv:5:", "'a'",
                "'bad'");
    EXPECT_FAIL("crlfline.csv", "a,b,label\r\n1,2,0\r\n1,2,1\r\n1,x,0\r\n", NULL,
                "crlfline.csv:4:", "'b'", "'x'");
    EXPECT_FAIL("unclosed.csv", "a,label\n1,\"open\n2,1\n", NULL, "unclosed.csv:2:",
                "not closed");
    EXPECT_FAIL("afterquote.csv", "a,label\n1,\"x\"y\n", NULL, "afterquote.csv:2:",
                "closing quote");
}

static void test_long_lines(void)
{
    /* 3000 columns with 100-character names: a 300 kB header line. */
    enum { D = 3000, NAME = 100, N = 3 };
    size_t cap = (size_t)D * (NAME + 1) + (size_t)N * D * 8 + 256, len = 0;
    char *text = malloc(cap);
    for (size_t j = 0; j < D; j++) {
        len += (size_t)snprintf(text + len, cap - len, "c%05zu", j);
        memset(text + len, 'n', NAME - 6);
        len += NAME - 6;
        text[len++] = ',';
    }
    len += (size_t)snprintf(text + len, cap - len, "label\n");
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            len += (size_t)snprintf(text + len, cap - len, "%zu,", i * D + j);
        len += (size_t)snprintf(text + len, cap - len, "%zu\n", i % 2);
    }
    dv_dataset *ds = NULL;
    dv_error err;
    CHECK_MSG(read_text(&ds, "wide.csv", text, NULL, &err) == 0, "%s", err.msg);
    if (ds) {
        CHECK_EQ_INT(dv_dataset_rows(ds), N);
        CHECK_EQ_INT(dv_dataset_cols(ds), D);
        CHECK_EQ_INT(strlen(dv_dataset_col_name(ds, D - 1)), NAME);
        int ok = 1;
        for (size_t i = 0; i < (size_t)N * D; i++)
            ok &= dv_dataset_features(ds)[i] == (double)i;
        CHECK(ok);
    }
    dv_dataset_free(ds);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Bad inputs                                                               */
/* ------------------------------------------------------------------------ */

static void test_bad_inputs(void)
{
    dv_csv_options reg;
    dv_csv_options_default(&reg);
    reg.task = DV_TASK_REGRESSION;
    dv_csv_options unk;
    dv_csv_options_default(&unk);
    unk.label = "nope";

    EXPECT_FAIL("ragged.csv", "a,b,c,d,e,f,label\n1,2,3,4,5,6,0\n1,2,3,4,5,6,1\n1,2,3,4,5,0\n",
                NULL, "ragged.csv:4: expected 7 fields, found 6");
    EXPECT_FAIL("long_row.csv", "a,label\n1,0\n1,2,3\n", NULL, "long_row.csv:3:",
                "expected 2 fields, found 3");
    EXPECT_FAIL("text.csv", "id,age,label\n1,30,0\n2,40,1\n3,abc,0\n", NULL,
                "text.csv:4: column 'age': 'abc' is not a number");
    EXPECT_FAIL("empty.csv", "", NULL, "empty.csv: empty file (no header)");
    EXPECT_FAIL("blank.csv", "\n  \r\n\n", NULL, "empty file");
    EXPECT_FAIL("header_only.csv", "a,b,label\n", NULL, "no data rows");
    EXPECT_FAIL("one_col.csv", "label\n1\n2\n", NULL, "one_col.csv:1:", "at least one feature");
    EXPECT_FAIL("single.csv", "a,y\n1,x\n2,x\n3,x\n", NULL, "only one class ('x')",
                "label column 'y'");
    EXPECT_FAIL("single_int.csv", "a,label\n1,1\n2,1\n", NULL, "only one class ('1')");
    EXPECT_FAIL("nan.csv", "a,b,label\n1,2,0\n1,nan,1\n", NULL, "nan.csv:3:", "column 'b'",
                "'nan'");
    EXPECT_FAIL("inf.csv", "a,b,label\n1,2,0\n-Infinity,2,1\n", NULL, "inf.csv:3:",
                "column 'a'", "finite");
    EXPECT_FAIL("huge.csv", "a,b,label\n1,2,0\n1,1e999,1\n", NULL, "huge.csv:3:", "column 'b'");
    EXPECT_FAIL("missing.csv", "a,b,label\n1,2,0\n3,,1\n5,6,1\n", NULL, "missing.csv:3:",
                "column 'b'", "missing");
    EXPECT_FAIL("missing_label.csv", "a,b,label\n1,2,0\n3,4,\n5,6,1\n", NULL,
                "missing_label.csv:3:", "column 'label'", "missing");
    EXPECT_FAIL("unknown_label.csv", "a,b,label\n1,2,0\n3,4,1\n", &unk, "'nope'", "not found",
                "label");
    EXPECT_FAIL("reg_text.csv", "x,y\n1,2\n2,abc\n", &reg, "reg_text.csv:3:", "column 'y'",
                "'abc'");
    EXPECT_FAIL("reg_nan.csv", "x,y\n1,2\n2,NaN\n", &reg, "reg_nan.csv:3:", "column 'y'");
    EXPECT_FAIL("reg_missing.csv", "x,y\n1,2\n2,\n", &reg, "reg_missing.csv:3:", "column 'y'");
    EXPECT_FAIL("dup.csv", "a,b,a,label\n1,2,3,0\n", NULL, "dup.csv:1:", "duplicate", "'a'");
    EXPECT_FAIL("noname.csv", "a,,label\n1,2,0\n", NULL, "noname.csv:1:", "empty name");

    /* A file that does not exist. */
    char p[256];
    dv_dataset *ds = (dv_dataset *)1;
    dv_error err = {0};
    int rc = dv_dataset_read_csv(&ds, path_of(p, sizeof p, "nonexistent.csv"), NULL, &err);
    CHECK_EQ_INT(rc, DV_EIO);
    CHECK(ds == NULL);
    CHECK_MSG(strstr(err.msg, "nonexistent.csv") != NULL, "%s", err.msg);
}

static void test_drop_missing(void)
{
    dv_csv_options o;
    dv_csv_options_default(&o);
    o.drop_missing = 1;
    dv_dataset *ds = NULL;
    dv_error err;
    CHECK_MSG(read_text(&ds, "drop.csv",
                        "a,b,label\n1,2,0\n3,,1\n5,6,1\nx,8,0\n9,10,\n11,inf,1\n13,14,0\n", &o,
                        &err) == 0,
              "%s", err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_rows(ds), 3);
    const int64_t want_src[3] = {0, 2, 6};
    const double X[6] = {1, 2, 5, 6, 13, 14}, y[3] = {0, 1, 0};
    if (dv_dataset_rows(ds) == 3) {
        CHECK(memcmp(dv_dataset_source_rows(ds), want_src, sizeof want_src) == 0);
        CHECK(memcmp(dv_dataset_features(ds), X, sizeof X) == 0);
        CHECK(memcmp(dv_dataset_targets(ds), y, sizeof y) == 0);
    }
    dv_dataset_free(ds);
    /* A ragged row is still an error, and so is dropping every row. */
    EXPECT_FAIL("drop_ragged.csv", "a,b,label\n1,2,0\n3,1\n", &o, "drop_ragged.csv:3:");
    EXPECT_FAIL("drop_all.csv", "a,b,label\n1,,0\n,2,1\n", &o, "dropped");
}

static void test_corrupt_gzip(void)
{
    /* A valid gzip file, then a truncated and a damaged copy. */
    enum { N = 2000 };
    char *text = malloc(N * 32 + 32);
    size_t len = (size_t)sprintf(text, "a,b,label\n");
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(text + len, "%d,%d.%d,%d\n", i, i * 7 % 13, i % 10, i % 2);
    char p[256];
    gzFile gz = gzopen(path_of(p, sizeof p, "good.csv.gz"), "wb");
    CHECK(gz != NULL);
    if (!gz) {
        free(text);
        return;
    }
    gzwrite(gz, text, (unsigned)len);
    gzclose(gz);
    free(text);
    size_t zlen;
    char *z = read_bytes(p, &zlen);
    CHECK(z && zlen > 100);
    if (!z)
        return;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_dataset_read_csv(&ds, p, NULL, &err) == 0, "%s", err.msg);
    if (ds)
        CHECK_EQ_INT(dv_dataset_rows(ds), N);
    dv_dataset_free(ds);

    write_bytes("truncated.csv.gz", z, zlen / 2);
    ds = (dv_dataset *)1;
    int rc = dv_dataset_read_csv(&ds, path_of(p, sizeof p, "truncated.csv.gz"), NULL, &err);
    CHECK(rc != 0 && ds == NULL);
    CHECK_MSG(strstr(err.msg, "truncated.csv.gz") != NULL, "%s", err.msg);
    CHECK_MSG(strstr(err.msg, "gzip") != NULL, "%s", err.msg);

    for (size_t i = zlen / 3; i < zlen / 3 + 8; i++)
        z[i] ^= 0x5a;
    write_bytes("damaged.csv.gz", z, zlen);
    ds = (dv_dataset *)1;
    rc = dv_dataset_read_csv(&ds, path_of(p, sizeof p, "damaged.csv.gz"), NULL, &err);
    CHECK(rc != 0 && ds == NULL);
    CHECK_MSG(strstr(err.msg, "damaged.csv.gz") != NULL, "%s", err.msg);
    CHECK_MSG(strstr(err.msg, "gzip") != NULL, "%s", err.msg);
    free(z);
}

/* The Adult data, when present: shape, classes, and speed. */
static void test_adult(void)
{
    const char *p = getenv("DV_ADULT_CSV");
    if (!p)
        p = DV_TEST_ADULT_CSV;
    if (!file_exists(p)) {
        printf("# skipped: %s not found\n", p);
        return;
    }
    struct timespec t0, t1;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = dv_dataset_read_csv(&ds, p, NULL, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (!ds)
        return;
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("# read %s in %.3f s\n", p, s);
    if (!getenv("DV_SANITIZED"))
        CHECK_MSG(s < 1.0, "reading Adult took %.3f s", s);
    CHECK_EQ_INT(dv_dataset_rows(ds), 48842);
    CHECK_EQ_INT(dv_dataset_cols(ds), 108);
    CHECK_EQ_INT(dv_dataset_classes(ds), 2);
    CHECK(!strcmp(dv_dataset_col_name(ds, 0), "age"));
    CHECK_EQ_INT(dv_dataset_features(ds)[0], 39); /* first row: age 39 */
    size_t ones = 0;
    for (size_t i = 0; i < dv_dataset_rows(ds); i++)
        ones += dv_dataset_targets(ds)[i] == 1;
    CHECK_EQ_INT(ones, 11687);
    dv_dataset_free(ds);
}

/* ------------------------------------------------------------------------ */
/* Split and standardize                                                    */
/* ------------------------------------------------------------------------ */

static dv_dataset *make_linear(dv_synth_kind kind, size_t n, size_t d, double noise,
                               uint64_t seed)
{
    dv_synth_params sp;
    dv_synth_params_default(&sp, kind);
    sp.n_rows = n;
    sp.n_features = d;
    sp.noise = noise;
    sp.seed = seed;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_synth(&ds, &sp, &err) == 0, "%s", err.msg);
    return ds;
}

/* Splits all and checks part sizes, disjointness, coverage and contents. */
static void check_split(const dv_dataset *all, double nv, double nt, uint64_t seed, size_t want_v,
                        size_t want_t)
{
    dv_split_options so;
    dv_split_options_default(&so);
    so.n_val = nv;
    so.n_test = nt;
    so.seed = seed;
    dv_dataset *tr = NULL, *va = NULL, *te = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_dataset_split(all, &so, &tr, &va, &te, &err) == 0, "%s", err.msg);
    if (!tr || !va || !te)
        return;
    size_t n = dv_dataset_rows(all), d = dv_dataset_cols(all);
    CHECK_EQ_INT(dv_dataset_rows(va), want_v);
    CHECK_EQ_INT(dv_dataset_rows(te), want_t);
    CHECK_EQ_INT(dv_dataset_rows(tr), n - want_v - want_t);
    int *seen = calloc(n, sizeof *seen);
    const dv_dataset *parts[3] = {tr, va, te};
    int ok = 1;
    for (int k = 0; k < 3; k++) {
        const dv_dataset *pt = parts[k];
        const int64_t *src = dv_dataset_source_rows(pt);
        for (size_t i = 0; i < dv_dataset_rows(pt); i++) {
            int64_t s = src[i];
            if (s < 0 || (size_t)s >= n) {
                ok = 0;
                continue;
            }
            seen[s]++;
            ok &= !memcmp(dv_dataset_features(pt) + i * d, dv_dataset_features(all) + s * d,
                          d * sizeof(double));
            ok &= dv_dataset_targets(pt)[i] == dv_dataset_targets(all)[s];
        }
    }
    CHECK_MSG(ok, "split rows do not match their source rows");
    int cover = 1;
    for (size_t i = 0; i < n; i++)
        cover &= seen[i] == 1;
    CHECK_MSG(cover, "parts are not disjoint or do not cover all rows");
    free(seen);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
}

/* The source rows of the training part of a split. */
static int64_t *split_train_rows(const dv_dataset *all, uint64_t seed, size_t *n)
{
    dv_split_options so;
    dv_split_options_default(&so);
    so.seed = seed;
    dv_dataset *tr = NULL, *va = NULL, *te = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_split(all, &so, &tr, &va, &te, &err) == 0);
    int64_t *r = NULL;
    *n = 0;
    if (tr) {
        *n = dv_dataset_rows(tr);
        r = malloc(*n * sizeof *r);
        memcpy(r, dv_dataset_source_rows(tr), *n * sizeof *r);
    }
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    return r;
}

static void test_split(void)
{
    dv_split_options so;
    dv_split_options_default(&so);
    CHECK(so.n_val < 0 && so.n_test < 0 && so.seed == 0);

    dv_dataset *big = make_linear(DV_SYNTH_LINEAR_CLF, 5000, 3, 0.1, 1);
    dv_dataset *small = make_linear(DV_SYNTH_LINEAR_CLF, 1000, 3, 0.1, 2);
    if (!big || !small) {
        dv_dataset_free(big);
        dv_dataset_free(small);
        return;
    }
    check_split(big, -1, -1, 0, 1000, 1000);     /* defaults, n >= 4000 */
    dv_dataset *at = make_linear(DV_SYNTH_LINEAR_CLF, 4000, 1, 0.1, 1);
    dv_dataset *below = make_linear(DV_SYNTH_LINEAR_CLF, 3999, 1, 0.1, 1);
    if (at && below) {
        check_split(at, -1, -1, 0, 1000, 1000);     /* the boundary: n = 4000 */
        check_split(below, -1, -1, 0, 800, 800);    /* 20 % of 3999, rounded */
    }
    dv_dataset_free(at);
    dv_dataset_free(below);
    check_split(small, -1, -1, 0, 200, 200);     /* defaults, 20 % */
    check_split(small, 100, 50, 3, 100, 50);     /* counts */
    check_split(small, 0.1, 0.25, 4, 100, 250);  /* fractions */
    check_split(small, 0, 0, 5, 0, 0);           /* empty parts */
    check_split(small, 499, 500, 6, 499, 500);   /* one training row */

    size_t n1, n2, n3;
    int64_t *a = split_train_rows(small, 9, &n1), *b = split_train_rows(small, 9, &n2),
            *c = split_train_rows(small, 10, &n3);
    CHECK(a && b && c && n1 == n2 && n1 == n3);
    if (a && b && c && n1 == n2 && n1 == n3) {
        CHECK_MSG(!memcmp(a, b, n1 * sizeof *a), "same seed, different split");
        CHECK_MSG(memcmp(a, c, n1 * sizeof *a) != 0, "different seeds, same split");
    }
    free(a);
    free(b);
    free(c);

    /* Impossible sizes fail, naming the problem, with NULL outputs. */
    const double bad[][2] = {{600, 400}, {1000, 0}, {0.5, 0.5}, {2000, 1}, {1.5, 1}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        so.n_val = bad[k][0];
        so.n_test = bad[k][1];
        dv_dataset *tr = (dv_dataset *)1, *va = (dv_dataset *)1, *te = (dv_dataset *)1;
        dv_error err = {0};
        int rc = dv_dataset_split(small, &so, &tr, &va, &te, &err);
        CHECK_MSG(rc != 0, "split %g/%g of 1000 rows succeeded", bad[k][0], bad[k][1]);
        CHECK(tr == NULL && va == NULL && te == NULL);
        CHECK_MSG(strlen(err.msg) > 10, "no message for %g/%g", bad[k][0], bad[k][1]);
    }
    dv_dataset_free(big);
    dv_dataset_free(small);
}

static void test_standardize(void)
{
    enum { NT = 50, NV = 20, NE = 10, D = 3 };
    double Xt[NT * D], Xv[NV * D], Xe[NE * D], yt[NT] = {0}, yv[NV] = {0}, ye[NE] = {0};
    dv_rng r;
    dv_rng_seed(&r, 5, 5);
    double *arrs[3] = {Xt, Xv, Xe};
    size_t ns[3] = {NT, NV, NE};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < ns[k]; i++) {
            arrs[k][i * D + 0] = 1000 + 50 * dv_rng_normal(&r);
            arrs[k][i * D + 1] = -30 + 0.1 * dv_rng_normal(&r);
            arrs[k][i * D + 2] = k == 0 ? 7.5 : 7.5 + dv_rng_normal(&r); /* constant in train */
        }
    dv_dataset *t = NULL, *v = NULL, *e = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&t, NT, D, Xt, yt, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&v, NV, D, Xv, yv, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    CHECK(dv_dataset_from_arrays(&e, NE, D, Xe, ye, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    if (!t || !v || !e)
        return;
    /* Train statistics, computed independently in long double. */
    long double mean[D] = {0}, sd[D] = {0};
    for (size_t i = 0; i < NT; i++)
        for (size_t j = 0; j < D; j++)
            mean[j] += Xt[i * D + j];
    for (size_t j = 0; j < D; j++)
        mean[j] /= NT;
    for (size_t i = 0; i < NT; i++)
        for (size_t j = 0; j < D; j++)
            sd[j] += (Xt[i * D + j] - mean[j]) * (Xt[i * D + j] - mean[j]);
    for (size_t j = 0; j < D; j++)
        sd[j] = sqrtl(sd[j] / NT);

    dv_dataset_standardize(t, v, e);

    const double *Zt = dv_dataset_features(t);
    for (size_t j = 0; j < D; j++) {
        double m = 0, s = 0;
        for (size_t i = 0; i < NT; i++)
            m += Zt[i * D + j];
        m /= NT;
        for (size_t i = 0; i < NT; i++)
            s += (Zt[i * D + j] - m) * (Zt[i * D + j] - m);
        s = sqrt(s / NT);
        CHECK_NEAR(m, 0, 1e-12);
        if (j < 2)
            CHECK_NEAR(s, 1, 1e-12);
        else
            CHECK_NEAR(s, 0, 1e-12); /* constant column: centred, not scaled */
    }
    const dv_dataset *parts[2] = {v, e};
    const double *orig[2] = {Xv, Xe};
    size_t pn[2] = {NV, NE};
    for (int k = 0; k < 2; k++) {
        const double *Z = dv_dataset_features(parts[k]);
        for (size_t i = 0; i < pn[k]; i++)
            for (size_t j = 0; j < D; j++) {
                double want = j < 2 ? (double)((orig[k][i * D + j] - mean[j]) / sd[j])
                                    : orig[k][i * D + j] - 7.5;
                CHECK_NEAR(Z[i * D + j], want, 1e-10 * (1 + fabs(want)));
            }
    }
    dv_dataset_free(v);
    dv_dataset_free(e);

    /* val and test may be NULL. */
    dv_dataset *t2 = NULL;
    CHECK(dv_dataset_from_arrays(&t2, NT, D, Xt, yt, DV_TASK_REGRESSION, 0, NULL, &err) == 0);
    if (t2) {
        dv_dataset_standardize(t2, NULL, NULL);
        CHECK(!memcmp(dv_dataset_features(t2), Zt, sizeof Xt));
    }
    dv_dataset_free(t2);
    dv_dataset_free(t);
}

/* ------------------------------------------------------------------------ */
/* Synthetic data                                                           */
/* ------------------------------------------------------------------------ */

static void test_synth_defaults(void)
{
    dv_synth_params p;
    dv_synth_params_default(&p, DV_SYNTH_LINEAR_REG);
    CHECK_EQ_INT(p.kind, DV_SYNTH_LINEAR_REG);
    CHECK_EQ_INT(p.n_rows, 12000);
    CHECK_EQ_INT(p.n_features, 50);
    CHECK(p.noise == 0.1);
    CHECK_EQ_INT(p.seed, 0);
    dv_synth_params_default(&p, DV_SYNTH_GAUSS2D);
    CHECK_EQ_INT(p.kind, DV_SYNTH_GAUSS2D);
    CHECK_EQ_INT(p.n_classes, 2);
    CHECK_EQ_INT(p.clusters_per_class, 2);
    CHECK(p.spread == 1.0 && p.separation == 3.0 && p.means == NULL);

    dv_synth_params_default(&p, DV_SYNTH_LINEAR_CLF);
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_synth(&ds, &p, &err) == 0, "%s", err.msg);
    if (ds) {
        CHECK_EQ_INT(dv_dataset_rows(ds), 12000);
        CHECK_EQ_INT(dv_dataset_cols(ds), 50);
    }
    dv_dataset_free(ds);
}

static void test_synth_linear_clf(void)
{
    enum { N = 4000, D = 5 };
    dv_dataset *a = make_linear(DV_SYNTH_LINEAR_CLF, N, D, 0.1, 3);
    dv_dataset *b = make_linear(DV_SYNTH_LINEAR_CLF, N, D, 0.1, 3);
    dv_dataset *c = make_linear(DV_SYNTH_LINEAR_CLF, N, D, 0.1, 4);
    dv_dataset *pre = make_linear(DV_SYNTH_LINEAR_CLF, 100, D, 0.1, 3);
    if (a && b && c && pre) {
        CHECK_EQ_INT(dv_dataset_rows(a), N);
        CHECK_EQ_INT(dv_dataset_cols(a), D);
        CHECK_EQ_INT(dv_dataset_task(a), DV_TASK_CLASSIFICATION);
        CHECK_EQ_INT(dv_dataset_classes(a), 2);
        CHECK(!strcmp(dv_dataset_class_name(a, 0), "0"));
        CHECK(!strcmp(dv_dataset_class_name(a, 1), "1"));
        CHECK(!strcmp(dv_dataset_col_name(a, 0), "x0"));
        size_t ones = 0;
        int in01 = 1;
        for (size_t i = 0; i < N; i++) {
            double y = dv_dataset_targets(a)[i];
            in01 &= y == 0 || y == 1;
            ones += y == 1;
        }
        CHECK(in01);
        CHECK_MSG(ones > N / 10 && ones < N - N / 10, "%zu ones of %d", ones, N);
        /* Deterministic in the seed; the seed matters. */
        CHECK(!memcmp(dv_dataset_features(a), dv_dataset_features(b), N * D * sizeof(double)));
        CHECK(!memcmp(dv_dataset_targets(a), dv_dataset_targets(b), N * sizeof(double)));
        CHECK(memcmp(dv_dataset_features(a), dv_dataset_features(c), N * D * sizeof(double)));
        /* Prefix property. */
        CHECK(!memcmp(dv_dataset_features(a), dv_dataset_features(pre), 100 * D * sizeof(double)));
        CHECK(!memcmp(dv_dataset_targets(a), dv_dataset_targets(pre), 100 * sizeof(double)));
        /* Features ~ N(0, 1): per-column mean and variance within sampling
         * tolerance (about 5 standard errors). */
        const double *X = dv_dataset_features(a);
        for (size_t j = 0; j < D; j++) {
            double m = 0, v = 0;
            for (size_t i = 0; i < N; i++)
                m += X[i * D + j];
            m /= N;
            for (size_t i = 0; i < N; i++)
                v += (X[i * D + j] - m) * (X[i * D + j] - m);
            v /= N;
            CHECK_NEAR(m, 0, 5 / sqrt(N));
            CHECK_NEAR(v, 1, 5 * sqrt(2.0 / N));
        }
    }
    dv_dataset_free(a);
    dv_dataset_free(b);
    dv_dataset_free(c);
    dv_dataset_free(pre);
}

static void test_synth_linear_reg(void)
{
    enum { N = 200, D = 6 };
    dv_dataset *reg = make_linear(DV_SYNTH_LINEAR_REG, N, D, 0.0, 8);
    dv_dataset *noisy = make_linear(DV_SYNTH_LINEAR_REG, N, D, 0.1, 8);
    dv_dataset *clf = make_linear(DV_SYNTH_LINEAR_CLF, N, D, 0.0, 8);
    dv_dataset *pre = make_linear(DV_SYNTH_LINEAR_REG, 100, D, 0.0, 8);
    if (!reg || !noisy || !clf || !pre)
        goto out;
    CHECK_EQ_INT(dv_dataset_task(reg), DV_TASK_REGRESSION);
    CHECK_EQ_INT(dv_dataset_classes(reg), 0);
    const double *X = dv_dataset_features(reg), *y = dv_dataset_targets(reg);
    /* Least squares through the normal equations: with noise 0 the fit is
     * exact, so y is a linear function of x (without intercept). */
    double A[D * D] = {0}, w[D] = {0};
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++) {
            w[j] += X[i * D + j] * y[i];
            for (size_t k = 0; k < D; k++)
                A[j * D + k] += X[i * D + j] * X[i * D + k];
        }
    CHECK(oracle_solve(A, w, D));
    double worst = 0, scale = 0;
    for (size_t i = 0; i < N; i++) {
        double f = 0;
        for (size_t j = 0; j < D; j++)
            f += X[i * D + j] * w[j];
        worst = fmax(worst, fabs(f - y[i]));
        scale = fmax(scale, fabs(y[i]));
    }
    CHECK_MSG(worst < 1e-8, "residual %g", worst);
    CHECK(scale > 0.1);
    /* Noise 0.1 changes y but not x. */
    CHECK(!memcmp(X, dv_dataset_features(noisy), N * D * sizeof(double)));
    double dmax = 0;
    for (size_t i = 0; i < N; i++)
        dmax = fmax(dmax, fabs(y[i] - dv_dataset_targets(noisy)[i]));
    CHECK(dmax > 1e-3 && dmax < 1);
    /* The classifier with the same seed and noise 0 labels the sign of the
     * same x.coef. */
    CHECK(!memcmp(X, dv_dataset_features(clf), N * D * sizeof(double)));
    int agree = 1;
    for (size_t i = 0; i < N; i++)
        agree &= dv_dataset_targets(clf)[i] == (y[i] > 0 ? 1.0 : 0.0);
    CHECK(agree);
    CHECK(!memcmp(y, dv_dataset_targets(pre), 100 * sizeof(double)));
out:
    dv_dataset_free(reg);
    dv_dataset_free(noisy);
    dv_dataset_free(clf);
    dv_dataset_free(pre);
}

static void test_synth_gauss2d(void)
{
    enum { N = 600, K = 3, PER = 2, M = K * PER };
    const double means[M * 2] = {0, 0, 4, 4, -4, 3, 3, -4, 0, 6, -5, -2};
    dv_synth_params p;
    dv_synth_params_default(&p, DV_SYNTH_GAUSS2D);
    p.n_rows = N;
    p.n_classes = K;
    p.clusters_per_class = PER;
    p.means = means;
    p.spread = 1.5;
    p.seed = 21;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_synth(&ds, &p, &err) == 0, "%s", err.msg);
    if (!ds)
        return;
    CHECK_EQ_INT(dv_dataset_rows(ds), N);
    CHECK_EQ_INT(dv_dataset_cols(ds), 2);
    CHECK_EQ_INT(dv_dataset_classes(ds), K);
    CHECK(!strcmp(dv_dataset_col_name(ds, 0), "x0"));
    CHECK(!strcmp(dv_dataset_col_name(ds, 1), "x1"));
    const double *X = dv_dataset_features(ds), *y = dv_dataset_targets(ds);
    size_t count[K] = {0};
    int ok = 1;
    for (size_t i = 0; i < N; i++) {
        size_t best = 0;
        double bd = INFINITY;
        for (size_t m = 0; m < M; m++) {
            double a = X[2 * i] - means[2 * m], b = X[2 * i + 1] - means[2 * m + 1];
            if (a * a + b * b < bd) {
                bd = a * a + b * b;
                best = m;
            }
        }
        ok &= y[i] == (double)(best / PER);
        if (y[i] >= 0 && y[i] < K)
            count[(size_t)y[i]]++;
    }
    CHECK_MSG(ok, "a label is not the class of the nearest mean");
    for (size_t c = 0; c < K; c++)
        CHECK_MSG(count[c] > N / 10, "class %zu has %zu rows", c, count[c]);
    dv_dataset_free(ds);

    /* Spread 0: every point is one of the means. */
    p.spread = 0;
    CHECK(dv_synth(&ds, &p, &err) == 0);
    if (ds) {
        int at_mean = 1;
        for (size_t i = 0; i < N; i++) {
            int hit = 0;
            for (size_t m = 0; m < M; m++)
                hit |= dv_dataset_features(ds)[2 * i] == means[2 * m] &&
                       dv_dataset_features(ds)[2 * i + 1] == means[2 * m + 1];
            at_mean &= hit;
        }
        CHECK(at_mean);
    }
    dv_dataset_free(ds);

    /* Drawn means: deterministic, with the prefix property. */
    dv_synth_params_default(&p, DV_SYNTH_GAUSS2D);
    p.n_rows = 300;
    p.seed = 5;
    dv_dataset *a = NULL, *b = NULL;
    CHECK(dv_synth(&a, &p, &err) == 0);
    p.n_rows = 150;
    CHECK(dv_synth(&b, &p, &err) == 0);
    if (a && b) {
        CHECK_EQ_INT(dv_dataset_classes(a), 2);
        CHECK(!memcmp(dv_dataset_features(a), dv_dataset_features(b), 300 * sizeof(double)));
        CHECK(!memcmp(dv_dataset_targets(a), dv_dataset_targets(b), 150 * sizeof(double)));
        size_t ones = 0;
        for (size_t i = 0; i < 300; i++)
            ones += dv_dataset_targets(a)[i] == 1;
        CHECK(ones > 0 && ones < 300);
    }
    dv_dataset_free(a);
    dv_dataset_free(b);

    /* A mesh: its nodes, in dv_mesh_points' order, labelled by the drawn
     * means (read off a spread-0 draw, whose rows are the means). */
    dv_synth_params_default(&p, DV_SYNTH_GAUSS2D);
    p.seed = 9;
    p.spread = 0;
    p.n_rows = 400;
    dv_dataset *at = NULL, *mesh = NULL;
    CHECK(dv_synth(&at, &p, &err) == 0);
    dv_mesh m = {-6, 7, -5, 8, 23, 17};
    p.mesh = &m;
    p.spread = 1; /* the mesh does not depend on the spread or n_rows */
    CHECK_MSG(dv_synth(&mesh, &p, &err) == 0, "%s", err.msg);
    if (at && mesh) {
        CHECK_EQ_INT(dv_dataset_rows(mesh), 23 * 17);
        double xy[2 * 23 * 17];
        CHECK(dv_mesh_points(&m, xy, &err) == 0);
        CHECK(!memcmp(dv_dataset_features(mesh), xy, sizeof xy));
        const double *A = dv_dataset_features(at), *ay = dv_dataset_targets(at);
        int all = 1, seen[2] = {0, 0};
        for (size_t k = 0; k < 23 * 17; k++) {
            double bd = INFINITY, lab = -1;
            for (size_t i = 0; i < 400; i++) { /* the nearest of the means drawn */
                double u = xy[2 * k] - A[2 * i], w = xy[2 * k + 1] - A[2 * i + 1];
                if (u * u + w * w < bd)
                    bd = u * u + w * w, lab = ay[i];
            }
            all &= dv_dataset_targets(mesh)[k] == lab;
            seen[(int)lab] = 1;
        }
        CHECK_MSG(all, "a mesh node's label is not the class of its nearest drawn mean");
        CHECK(seen[0] && seen[1]);
    }
    dv_dataset_free(at);
    dv_dataset_free(mesh);
    m.nx = 1;
    CHECK(dv_synth(&mesh, &p, &err) == DV_EINVAL && strstr(err.msg, "mesh"));
    m.nx = 23;
    p.kind = DV_SYNTH_LINEAR_CLF;
    CHECK(dv_synth(&mesh, &p, &err) == DV_EINVAL && strstr(err.msg, "gauss2d"));
}

static void test_synth_invalid(void)
{
    struct {
        dv_synth_kind kind;
        int field;
        const char *word;
    } cases[] = {
        {DV_SYNTH_LINEAR_CLF, 0, "n_rows"},  {DV_SYNTH_LINEAR_REG, 1, "n_features"},
        {DV_SYNTH_LINEAR_CLF, 2, "noise"},   {DV_SYNTH_GAUSS2D, 3, "n_classes"},
        {DV_SYNTH_GAUSS2D, 4, "clusters_per_class"}, {DV_SYNTH_GAUSS2D, 5, "spread"},
        {DV_SYNTH_GAUSS2D, 6, "separation"}, {(dv_synth_kind)99, 7, "kind"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dv_synth_params p;
        dv_synth_params_default(&p, cases[k].kind);
        p.n_rows = 10;
        switch (cases[k].field) {
        case 0: p.n_rows = 0; break;
        case 1: p.n_features = 0; break;
        case 2: p.noise = -1; break;
        case 3: p.n_classes = 1; break;
        case 4: p.clusters_per_class = 0; break;
        case 5: p.spread = NAN; break;
        case 6: p.separation = 0; break;
        default: break;
        }
        dv_dataset *ds = (dv_dataset *)1;
        dv_error err = {0};
        int rc = dv_synth(&ds, &p, &err);
        CHECK_MSG(rc == DV_EINVAL, "case %s: rc %d", cases[k].word, rc);
        CHECK(ds == NULL);
        CHECK_MSG(strstr(err.msg, cases[k].word) != NULL, "case %s: %s", cases[k].word,
                  err.msg);
        if (rc == 0)
            dv_dataset_free(ds);
    }
}

/* dv_data_load against its steps done by hand (read, split, standardize),
 * the manifest against the file's hash and the split's sizes, and the
 * explicit-files form against a file whose columns differ. */
static void test_load(void)
{
    char path[256], vpath[256], bpath[256];
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_LINEAR_CLF);
    sp.n_rows = 300;
    sp.n_features = 3;
    sp.seed = 4;
    dv_dataset *syn = NULL;
    dv_error err = {0};
    CHECK(dv_synth(&syn, &sp, &err) == DV_OK);
    CHECK(dv_dataset_write_csv(syn, path_of(path, sizeof path, "load.csv"), &err) == DV_OK);
    dv_dataset_free(syn);

    dv_load_options lo;
    dv_load_options_default(&lo);
    lo.path = path;
    lo.split.n_val = 50;
    lo.split.n_test = 40;
    lo.split.seed = 9;
    lo.command = "dval \"x\"";
    dv_dataset *tr, *va, *te;
    char *man = NULL;
    CHECK(dv_data_load(&lo, &tr, &va, &te, &man, &err) == DV_OK);

    dv_dataset *all, *tr2, *va2, *te2;
    CHECK(dv_dataset_read_csv(&all, path, &lo.csv, &err) == DV_OK);
    CHECK(dv_dataset_split(all, &lo.split, &tr2, &va2, &te2, &err) == DV_OK);
    dv_dataset_standardize(tr2, va2, te2);
    const dv_dataset *a[3] = {tr, va, te}, *b[3] = {tr2, va2, te2};
    for (int k = 0; k < 3; k++) {
        size_t n = dv_dataset_rows(a[k]), d = dv_dataset_cols(a[k]);
        CHECK_EQ_INT(n, dv_dataset_rows(b[k]));
        CHECK(memcmp(dv_dataset_features(a[k]), dv_dataset_features(b[k]), n * d * sizeof(double)) == 0);
        CHECK(memcmp(dv_dataset_targets(a[k]), dv_dataset_targets(b[k]), n * sizeof(double)) == 0);
    }
    char hex[65], want[512];
    CHECK(dv_sha256_file(path, hex, &err) == DV_OK);
    CHECK_MSG(man && strstr(man, hex), "manifest %s", man ? man : "(null)");
    CHECK_MSG(man && strncmp(man, "{\"command\": \"dval \\\"x\\\"\",", 25) == 0, "%s", man);
    snprintf(want, sizeof want, "\"split\": {\"train\": %zu, \"val\": 50, \"test\": 40, \"seed\": 9}}",
             dv_dataset_rows(tr));
    CHECK_MSG(man && strstr(man, want), "%s lacks %s", man, want);
    dv_free(man);
    dv_dataset *ds[] = {tr, va, te, all, tr2, va2, te2};
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++)
        dv_dataset_free(ds[k]);

    /* Explicit files: the same file as validation data works; a file with
     * another column name is named in the error and nothing is returned. */
    write_text("load_v.csv", "x0,x1,x2,label\n0.1,0.2,0.3,0\n1,2,3,1\n");
    write_text("load_bad.csv", "x0,zz,x2,label\n0.1,0.2,0.3,0\n1,2,3,1\n");
    path_of(vpath, sizeof vpath, "load_v.csv");
    path_of(bpath, sizeof bpath, "load_bad.csv");
    dv_load_options_default(&lo);
    lo.path = path;
    lo.val_path = vpath;
    lo.test_path = vpath;
    CHECK(dv_data_load(&lo, &tr, &va, &te, NULL, &err) == DV_OK);
    CHECK_EQ_INT(dv_dataset_rows(tr), 300);
    CHECK_EQ_INT(dv_dataset_rows(va), 2);
    dv_dataset_free(tr);
    dv_dataset_free(va);
    dv_dataset_free(te);
    lo.test_path = bpath;
    memset(&err, 0, sizeof err);
    CHECK(dv_data_load(&lo, &tr, &va, &te, &man, &err) == DV_EFORMAT);
    CHECK(tr == NULL && va == NULL && te == NULL && man == NULL);
    CHECK_MSG(strstr(err.msg, "load_bad.csv: column 2 is 'zz'") != NULL, "%s", err.msg);
    lo.test_path = NULL;
    CHECK(dv_data_load(&lo, &tr, &va, &te, NULL, &err) == DV_EINVAL);
    lo.val_path = NULL;
    lo.split.n_val = 500;
    lo.split.n_test = 0.5;
    CHECK(dv_data_load(&lo, &tr, &va, &te, NULL, &err) != DV_OK);
    CHECK(tr == NULL && strstr(err.msg, "load.csv") != NULL);
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/dval_test_data.XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_roundtrip_classification);
    RUN(test_set_names);
    RUN(test_wrap);
    RUN(test_roundtrip_regression);
    RUN(test_write_failure);
    RUN(test_number_parsing);
    RUN(test_string_labels);
    RUN(test_integer_labels);
    RUN(test_label_by_name);
    RUN(test_regression_task);
    RUN(test_quotes_and_crlf);
    RUN(test_long_lines);
    RUN(test_bad_inputs);
    RUN(test_drop_missing);
    RUN(test_corrupt_gzip);
    RUN(test_adult);
    RUN(test_split);
    RUN(test_standardize);
    RUN(test_load);
    RUN(test_synth_defaults);
    RUN(test_synth_linear_clf);
    RUN(test_synth_linear_reg);
    RUN(test_synth_gauss2d);
    RUN(test_synth_invalid);
    remove_tmp_dir();
    return CHECK_DONE();
}
