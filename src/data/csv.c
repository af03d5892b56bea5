/*
 * csv.c -- reading and writing datasets as CSV text.
 *
 * The reader takes a plain or gzip-compressed file (zlib's gzread passes
 * plain files through unchanged), loads the whole text into one growing
 * buffer and splits it in place: each field is NUL-terminated where it
 * ends, and quoted fields are unescaped into their own storage, so no line
 * or field has a size limit.  A header row names the columns; one of them
 * is the label.  Features must be finite numbers; class labels may be
 * integers (sorted numerically) or any strings (sorted by bytes), and the
 * original texts become the class names.  Every error names the file, and
 * where it applies the line (1-based, the header being line 1 in a file
 * without leading blank lines) and the column.
 *
 * Numbers are parsed in the C locale whatever the caller's locale is.
 * Short plain decimals (at most 15 significant digits, no exponent) take
 * Clinger's fast path -- an exact integer divided by an exact power of ten,
 * which IEEE division rounds correctly, so the result equals strtod's --
 * and everything else goes through strtod.
 *
 * The writer prints features with %.17g (exact round trip), the label last
 * (class name or %.17g), into PATH.tmp<pid> renamed into place at the end;
 * a PATH ending in ".gz" is written gzip-compressed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* newlocale / uselocale */
#endif
#include "internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

void dv_csv_options_default(dv_csv_options *o)
{
    o->label = NULL;
    o->task = DV_TASK_CLASSIFICATION;
    o->drop_missing = 0;
    o->one_class = 0;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */
/* ------------------------------------------------------------------------ */

/* Switches the calling thread to the C locale for the lifetime of the
 * guard, so that strtod and printf use '.' as the decimal point. */
typedef struct {
    locale_t c, old;
} locale_guard;

static void locale_enter(locale_guard *g)
{
    g->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    g->old = g->c ? uselocale(g->c) : (locale_t)0;
}

static void locale_leave(locale_guard *g)
{
    if (g->c) {
        uselocale(g->old);
        freelocale(g->c);
    }
}

enum { NUM_OK = 0, NUM_BAD = 1, NUM_INF = 2 };

/* Parses s[0..len) (NUL-terminated at s[len]) as a finite double. */
static int parse_number(const char *s, size_t len, double *out)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (len == 0)
        return NUM_BAD;
    const char *p = s, *e = s + len;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    uint64_t m = 0;
    size_t sig = 0, frac = 0, digits = 0;
    for (; p < e && *p >= '0' && *p <= '9'; p++, digits++) {
        if (m || *p != '0')
            sig++;
        m = m * 10 + (uint64_t)(*p - '0');
        if (sig > 15)
            goto slow;
    }
    if (p < e && *p == '.') {
        for (p++; p < e && *p >= '0' && *p <= '9'; p++, digits++, frac++) {
            if (m || *p != '0')
                sig++;
            m = m * 10 + (uint64_t)(*p - '0');
            if (sig > 15)
                goto slow;
        }
    }
    if (p != e || digits == 0 || frac > 22)
        goto slow;
    double v = (double)m; /* exact: m < 10^15 */
    if (frac)
        v /= pow10[frac];
    *out = neg ? -v : v;
    return NUM_OK;
slow:;
    char *end;
    double v2 = strtod(s, &end);
    if (end != e)
        return NUM_BAD;
    if (!isfinite(v2))
        return NUM_INF;
    *out = v2;
    return NUM_OK;
}

/* ------------------------------------------------------------------------ */
/* Reading the file                                                         */
/* ------------------------------------------------------------------------ */

/* Reads the whole (possibly gzip-compressed) file into a NUL-terminated
 * buffer. */
static int slurp(const char *path, char **out, size_t *out_len, dv_error *err)
{
    *out = NULL;
    *out_len = 0;
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return dv__err(err, DV_EIO, "%s: cannot open: %s", path,
                       errno ? strerror(errno) : "out of memory");
    gzbuffer(gz, 1 << 18);
    size_t cap = 1 << 16, len = 0;
    char *buf = dv__malloc(cap);
    if (!buf) {
        gzclose_r(gz);
        return dv__err(err, DV_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        if (cap - len < (1 << 15) + 1) {
            size_t ncap = cap * 2;
            char *nb = ncap > cap ? dv__realloc(buf, ncap) : NULL;
            if (!nb) {
                dv__free(buf);
                gzclose_r(gz);
                return dv__err(err, DV_ENOMEM, "%s: out of memory reading the file", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - len - 1;
        if (want > (1u << 30))
            want = 1u << 30;
        int got = gzread(gz, buf + len, (unsigned)want);
        if (got <= 0) /* 0: end of file; < 0: error, see gzerror below */
            break;
        len += (size_t)got;
    }
    int errnum = Z_OK;
    const char *zmsg = gzerror(gz, &errnum);
    size_t plen = strlen(path); /* zlib prefixes its message with the path */
    if (zmsg && !strncmp(zmsg, path, plen) && zmsg[plen] == ':')
        zmsg += plen + (zmsg[plen + 1] == ' ' ? 2 : 1);
    int rc = DV_OK;
    if (errnum != Z_OK) {
        if (errnum == Z_ERRNO)
            rc = dv__err(err, DV_EIO, "%s: read error: %s", path, strerror(errno));
        else
            rc = dv__err(err, DV_EFORMAT, "%s: corrupt gzip data: %s", path,
                         zmsg && *zmsg ? zmsg : "unknown zlib error");
    }
    int crc = gzclose_r(gz);
    if (!rc && crc != Z_OK)
        rc = dv__err(err, crc == Z_ERRNO ? DV_EIO : DV_EFORMAT,
                     "%s: error closing the file (corrupt or truncated gzip data?)", path);
    if (rc) {
        dv__free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return DV_OK;
}

/* ------------------------------------------------------------------------ */
/* Splitting records                                                        */
/* ------------------------------------------------------------------------ */

typedef struct {
    char *s;    /* NUL-terminated in place */
    size_t len;
} field;

typedef struct {
    const char *path;
    char *p, *end;    /* cursor in the text; *end == '\0' */
    size_t line;      /* physical line of the cursor, 1-based */
    size_t rec_line;  /* line where the last record started */
    field *f;         /* fields of the last record */
    size_t nf, cap;
} reader;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static int push_field(reader *r, char *s, size_t len)
{
    if (r->nf == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 64;
        field *nf = dv__realloc(r->f, ncap * sizeof *nf);
        if (!nf)
            return DV_ENOMEM;
        r->f = nf;
        r->cap = ncap;
    }
    r->f[r->nf].s = s;
    r->f[r->nf].len = len;
    r->nf++;
    return DV_OK;
}

/* Splits the next non-blank record into r->f.  Returns 1 for a record, 0 at
 * the end of the text, or minus a dv_status on error.  Unquoted fields are
 * trimmed of spaces and tabs; quoted fields keep everything between the
 * quotes, with "" standing for one quote, and may span lines. */
static int next_record(reader *r, dv_error *err)
{
    char *p = r->p, *end = r->end;
    for (;;) { /* skip blank lines */
        char *q = p;
        while (q < end && is_blank(*q))
            q++;
        if (q == end) {
            r->p = end;
            return 0;
        }
        if (*q != '\n' && *q != '\r')
            break;
        if (*q == '\r' && q + 1 < end && q[1] == '\n')
            q++;
        p = q + 1;
        r->line++;
    }
    r->rec_line = r->line;
    r->nf = 0;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        char *start, *w;
        if (p < end && *p == '"') {
            size_t qline = r->line;
            start = w = ++p;
            for (;;) {
                if (p == end)
                    return -dv__err(err, DV_EFORMAT,
                                    "%s:%zu: quoted field %zu is not closed (no matching '\"')",
                                    r->path, qline, r->nf + 1);
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n')
                    r->line++;
                *w++ = *p++;
            }
            while (p < end && is_blank(*p))
                p++;
            if (p < end && *p != ',' && *p != '\n' && *p != '\r')
                return -dv__err(err, DV_EFORMAT,
                                "%s:%zu: unexpected text after the closing quote of field %zu",
                                r->path, r->line, r->nf + 1);
        } else {
            start = p;
            while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                p++;
            w = p;
            while (w > start && is_blank(w[-1]))
                w--;
        }
        char c = p < end ? *p : '\0';
        *w = '\0'; /* w <= p, and *end is the buffer's terminator */
        if (push_field(r, start, (size_t)(w - start)))
            return -dv__err(err, DV_ENOMEM, "%s: out of memory", r->path);
        if (c == ',') {
            p++;
            continue;
        }
        if (c == '\r' && p + 1 < end && p[1] == '\n')
            p++;
        if (p < end) {
            p++;
            r->line++;
        }
        break;
    }
    r->p = p;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Header checks                                                            */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    size_t idx;
} named;

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Fails on a duplicate column name. */
static int check_duplicates(const char *path, size_t line, char **names, size_t n,
                            dv_error *err)
{
    named *v = dv__malloc(n * sizeof *v);
    if (!v)
        return dv__err(err, DV_ENOMEM, "%s: out of memory", path);
    for (size_t j = 0; j < n; j++) {
        v[j].name = names[j];
        v[j].idx = j;
    }
    qsort(v, n, sizeof *v, cmp_named);
    int rc = DV_OK;
    for (size_t j = 1; j < n; j++)
        if (!strcmp(v[j - 1].name, v[j].name)) {
            rc = dv__err(err, DV_EFORMAT, "%s:%zu: duplicate column name '%.100s' (columns %zu and %zu)",
                         path, line, v[j].name, v[j - 1].idx + 1, v[j].idx + 1);
            break;
        }
    dv__free(v);
    return rc;
}

/* Error for an unknown label column, listing (the start of) the columns. */
static int label_not_found(const char *path, const char *label, char **names, size_t n,
                           dv_error *err)
{
    char list[300];
    size_t len = 0;
    list[0] = '\0';
    for (size_t j = 0; j < n; j++) {
        size_t need = strlen(names[j]) + 2;
        if (len + need + 4 >= sizeof list) {
            snprintf(list + len, sizeof list - len, "%s...", j ? ", " : "");
            break;
        }
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", names[j]);
    }
    return dv__err(err, DV_EINVAL, "%s: label column '%.100s' not found (columns: %s)", path,
                   label, list);
}

/* ------------------------------------------------------------------------ */
/* Classes                                                                  */
/* ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Maps the n label texts to classes 0..C-1 (integers numerically, else by
 * strcmp), writing y and the class names. */
static int map_classes(const char *path, const char *label_name, char **labels, size_t n,
                       int one_class, double *y, char ***names_out, size_t *n_classes,
                       dv_error *err)
{
    size_t min_classes = one_class ? 1 : 2;
    *names_out = NULL;
    *n_classes = 0;
    int all_int = 1;
    for (size_t i = 0; i < n && all_int; i++) {
        double v;
        if (parse_number(labels[i], strlen(labels[i]), &v) != NUM_OK || v != floor(v) ||
            fabs(v) > 9007199254740992.0)
            all_int = 0;
        else
            y[i] = v;
    }
    size_t C = 0;
    char **names = NULL;
    int rc = DV_OK;
    if (all_int) {
        double *u = dv__malloc(n * sizeof *u);
        if (!u)
            return dv__err(err, DV_ENOMEM, "%s: out of memory", path);
        memcpy(u, y, n * sizeof *u);
        qsort(u, n, sizeof *u, cmp_double);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || u[i] != u[C - 1])
                u[C++] = u[i];
        if (C >= min_classes) {
            for (size_t i = 0; i < n; i++) {
                const double *hit = bsearch(&y[i], u, C, sizeof *u, cmp_double);
                y[i] = (double)(hit - u);
            }
            names = dv__calloc(C, sizeof *names);
            for (size_t c = 0; names && c < C; c++) {
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", (long long)u[c]);
                if (!(names[c] = dv__strdup(buf)))
                    rc = DV_ENOMEM;
            }
            if (!names)
                rc = DV_ENOMEM;
        } else {
            rc = dv__err(err, DV_EINVAL, "%s: only one class ('%lld') in label column '%.100s'",
                         path, (long long)u[0], label_name);
        }
        dv__free(u);
    } else {
        char **u = dv__malloc(n * sizeof *u);
        if (!u)
            return dv__err(err, DV_ENOMEM, "%s: out of memory", path);
        memcpy(u, labels, n * sizeof *u);
        qsort(u, n, sizeof *u, cmp_str);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || strcmp(u[i], u[C - 1]))
                u[C++] = u[i];
        if (C >= min_classes) {
            for (size_t i = 0; i < n; i++) {
                char *const *hit = bsearch(&labels[i], u, C, sizeof *u, cmp_str);
                y[i] = (double)(hit - u);
            }
            names = dv__calloc(C, sizeof *names);
            for (size_t c = 0; names && c < C; c++)
                if (!(names[c] = dv__strdup(u[c])))
                    rc = DV_ENOMEM;
            if (!names)
                rc = DV_ENOMEM;
        } else {
            rc = dv__err(err, DV_EINVAL, "%s: only one class ('%.100s') in label column '%.100s'",
                         path, u[0], label_name);
        }
        dv__free(u);
    }
    if (rc == DV_ENOMEM)
        dv__err(err, DV_ENOMEM, "%s: out of memory", path);
    if (rc) {
        if (names)
            for (size_t c = 0; c < C; c++)
                dv__free(names[c]);
        dv__free(names);
        return rc;
    }
    *names_out = names;
    *n_classes = C;
    return DV_OK;
}

/* ------------------------------------------------------------------------ */
/* dv_dataset_read_csv                                                      */
/* ------------------------------------------------------------------------ */

/* Describes a bad value of column `col` for an error message. */
static int bad_value(dv_error *err, const reader *r, const char *col, const field *f, int why)
{
    if (f->len == 0)
        return dv__err(err, DV_EFORMAT, "%s:%zu: column '%.100s': missing value", r->path,
                       r->rec_line, col);
    return dv__err(err, DV_EFORMAT, "%s:%zu: column '%.100s': '%.40s%s' is not a %snumber",
                   r->path, r->rec_line, col, f->s, f->len > 40 ? "..." : "",
                   why == NUM_INF ? "finite " : "");
}

/* What read_csv builds while it reads. */
typedef struct {
    reader r;
    char **hdr;          /* ncols column names (pointing into the text) */
    size_t ncols, d, lab;/* columns, features, the label's column */
    char **labels;       /* classification: each row's label text */
    double *X, *y;
    int64_t *src;        /* each row's data row */
    size_t cap, n;       /* rows allotted and kept */
    size_t data_row;     /* data rows read (kept or dropped) */
} csv_parse;

/* The header: column names, none empty or repeated, and the label's column. */
static int read_header(csv_parse *c, const dv_csv_options *o, dv_error *err)
{
    const char *path = c->r.path;
    int got = next_record(&c->r, err);
    if (got < 0)
        return -got;
    if (got == 0)
        return dv__err(err, DV_EFORMAT, "%s: empty file (no header)", path);
    size_t hdr_line = c->r.rec_line, ncols = c->ncols = c->r.nf;
    if (ncols < 2)
        return dv__err(err, DV_EFORMAT,
                       "%s:%zu: the header has %zu column; need at least one feature and a label",
                       path, hdr_line, ncols);
    if (!(c->hdr = dv__malloc(ncols * sizeof *c->hdr)))
        return dv__err(err, DV_ENOMEM, "%s: out of memory", path);
    for (size_t j = 0; j < ncols; j++) {
        c->hdr[j] = c->r.f[j].s;
        if (c->r.f[j].len == 0)
            return dv__err(err, DV_EFORMAT, "%s:%zu: column %zu has an empty name", path,
                           hdr_line, j + 1);
    }
    int rc = check_duplicates(path, hdr_line, c->hdr, ncols, err);
    if (rc)
        return rc;
    c->lab = ncols - 1;
    if (o->label) {
        for (c->lab = 0; c->lab < ncols && strcmp(c->hdr[c->lab], o->label); c->lab++)
            ;
        if (c->lab == ncols)
            return label_not_found(path, o->label, c->hdr, ncols, err);
    }
    c->d = ncols - 1;
    return DV_OK;
}

/* Room for the records left: at most one per remaining line (ended by \n,
 * \r\n or a lone \r), plus one for a last line without an end. */
static int allot_rows(csv_parse *c, const dv_csv_options *o, dv_error *err)
{
    const reader *r = &c->r;
    size_t cap = 1;
    for (const char *q = r->p; (q = memchr(q, '\n', (size_t)(r->end - q))); q++)
        cap++;
    for (const char *q = r->p; (q = memchr(q, '\r', (size_t)(r->end - q))); q++)
        cap += q[1] != '\n'; /* q[1] is at worst the terminating NUL */
    if (cap > SIZE_MAX / sizeof(double) / c->ncols)
        return dv__err(err, DV_ENOMEM, "%s: file too large", r->path);
    c->cap = cap;
    c->X = dv__malloc(cap * c->d * sizeof *c->X);
    c->y = dv__malloc(cap * sizeof *c->y);
    c->src = dv__malloc(cap * sizeof *c->src);
    if (o->task == DV_TASK_CLASSIFICATION)
        c->labels = dv__malloc(cap * sizeof *c->labels);
    if (!c->X || !c->y || !c->src || (o->task == DV_TASK_CLASSIFICATION && !c->labels))
        return dv__err(err, DV_ENOMEM, "%s: out of memory", r->path);
    return DV_OK;
}

/* The current record's label into row n; *drop when it is missing and
 * rows with missing values are dropped. */
static int read_label(csv_parse *c, const dv_csv_options *o, int *drop, dv_error *err)
{
    const field *lf = &c->r.f[c->lab];
    if (o->task == DV_TASK_REGRESSION) {
        int why = parse_number(lf->s, lf->len, &c->y[c->n]);
        if (why == NUM_OK)
            return DV_OK;
        if (o->drop_missing) {
            *drop = 1;
            return DV_OK;
        }
        return bad_value(err, &c->r, c->hdr[c->lab], lf, why);
    }
    if (lf->len == 0) {
        if (o->drop_missing) {
            *drop = 1;
            return DV_OK;
        }
        return bad_value(err, &c->r, c->hdr[c->lab], lf, NUM_BAD);
    }
    c->labels[c->n] = lf->s;
    return DV_OK;
}

/* Every data record: features and label, or dropped. */
static int read_rows(csv_parse *c, const dv_csv_options *o, dv_error *err)
{
    const char *path = c->r.path;
    int got;
    while ((got = next_record(&c->r, err)) > 0) {
        if (c->r.nf != c->ncols)
            return dv__err(err, DV_EFORMAT, "%s:%zu: expected %zu fields, found %zu", path,
                           c->r.rec_line, c->ncols, c->r.nf);
        if (c->n == c->cap) /* cannot happen: cap bounds the records */
            return dv__err(err, DV_EFORMAT, "%s:%zu: internal error: too many records", path,
                           c->r.rec_line);
        int drop = 0, rc;
        double *row = c->X + c->n * c->d;
        for (size_t j = 0, k = 0; j < c->ncols && !drop; j++) {
            if (j == c->lab)
                continue;
            int why = parse_number(c->r.f[j].s, c->r.f[j].len, &row[k++]);
            if (why != NUM_OK && o->drop_missing)
                drop = 1;
            else if (why != NUM_OK)
                return bad_value(err, &c->r, c->hdr[j], &c->r.f[j], why);
        }
        if (!drop && (rc = read_label(c, o, &drop, err)))
            return rc;
        if (!drop)
            c->src[c->n++] = (int64_t)c->data_row;
        c->data_row++;
    }
    if (got < 0)
        return -got;
    if (c->data_row == 0)
        return dv__err(err, DV_EFORMAT, "%s: no data rows after the header", path);
    if (c->n == 0)
        return dv__err(err, DV_EFORMAT,
                       "%s: all %zu data rows have a missing or non-numeric value and were dropped",
                       path, c->data_row);
    return DV_OK;
}

/* The dataset of the n rows read; the arrays move into it (shrunk to n). */
static int make_dataset(csv_parse *c, const dv_csv_options *o, char ***class_names,
                        size_t n_classes, dv_dataset **out, dv_error *err)
{
    dv_dataset *ds = dv__calloc(1, sizeof *ds);
    if (!ds)
        return dv__err(err, DV_ENOMEM, "%s: out of memory", c->r.path);
    size_t n = c->n, d = c->d;
    ds->n = n;
    ds->d = d;
    ds->task = o->task;
    ds->n_classes = n_classes;
    double *t;
    ds->X = (t = dv__realloc(c->X, n * d * sizeof *c->X)) ? t : c->X;
    ds->y = (t = dv__realloc(c->y, n * sizeof *c->y)) ? t : c->y;
    int64_t *s2 = dv__realloc(c->src, n * sizeof *c->src);
    ds->src_rows = s2 ? s2 : c->src;
    c->X = c->y = NULL;
    c->src = NULL;
    ds->class_names = *class_names;
    *class_names = NULL;
    ds->col_names = dv__calloc(d, sizeof(char *));
    int bad = !ds->col_names || !(ds->label_name = dv__strdup(c->hdr[c->lab]));
    for (size_t j = 0, k = 0; j < c->ncols && !bad; j++)
        if (j != c->lab)
            bad = !(ds->col_names[k++] = dv__strdup(c->hdr[j]));
    if (bad) {
        dv_dataset_free(ds);
        return dv__err(err, DV_ENOMEM, "%s: out of memory", c->r.path);
    }
    *out = ds;
    return DV_OK;
}

static int read_csv(dv_dataset **out, const char *path, const dv_csv_options *o, char *text,
                    size_t len, dv_error *err)
{
    csv_parse c = {.r = {.path = path, .p = text, .end = text + len, .line = 1}};
    char **class_names = NULL;
    size_t n_classes = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) /* UTF-8 byte order mark */
        c.r.p += 3;
    int rc = read_header(&c, o, err);
    if (!rc)
        rc = allot_rows(&c, o, err);
    if (!rc)
        rc = read_rows(&c, o, err);
    if (!rc && o->task == DV_TASK_CLASSIFICATION)
        rc = map_classes(path, c.hdr[c.lab], c.labels, c.n, o->one_class, c.y, &class_names,
                         &n_classes, err);
    if (!rc)
        rc = make_dataset(&c, o, &class_names, n_classes, out, err);
    if (class_names)
        for (size_t k = 0; k < n_classes; k++)
            dv__free(class_names[k]);
    dv__free(class_names);
    dv__free(c.labels);
    dv__free(c.hdr);
    dv__free(c.X);
    dv__free(c.y);
    dv__free(c.src);
    dv__free(c.r.f);
    return rc;
}

int dv_dataset_read_csv(dv_dataset **out, const char *path, const dv_csv_options *o,
                        dv_error *err)
{
    *out = NULL;
    if (!path)
        return dv__err(err, DV_EINVAL, "read_csv: no path given");
    dv_csv_options dflt;
    if (!o) {
        dv_csv_options_default(&dflt);
        o = &dflt;
    }
    if (o->task != DV_TASK_CLASSIFICATION && o->task != DV_TASK_REGRESSION)
        return dv__err(err, DV_EINVAL, "%s: unknown task %d", path, (int)o->task);
    char *text;
    size_t len;
    int rc = slurp(path, &text, &len, err);
    if (rc)
        return rc;
    locale_guard g;
    locale_enter(&g);
    rc = read_csv(out, path, o, text, len, err);
    locale_leave(&g);
    dv__free(text);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* dv_dataset_write_csv                                                     */
/* ------------------------------------------------------------------------ */

/* Buffered output to a plain or a gzip file. */
typedef struct {
    FILE *f;
    gzFile gz;
    size_t n;
    int failed;   /* a write failed */
    int err_no;   /* errno of the failure, 0 if unknown */
    char buf[1 << 16];
} sink;

static void sink_flush(sink *s)
{
    if (s->failed || !s->n)
        return;
    errno = 0;
    if (s->gz) {
        s->failed = gzwrite(s->gz, s->buf, (unsigned)s->n) != (int)s->n;
        int zerr = Z_OK;
        if (s->failed)
            gzerror(s->gz, &zerr);
        s->err_no = zerr == Z_ERRNO ? errno : 0;
    } else {
        s->failed = fwrite(s->buf, 1, s->n, s->f) != s->n;
        s->err_no = errno;
    }
    s->n = 0;
}

static void sink_put(sink *s, const char *p, size_t len)
{
    while (len) {
        if (s->n == sizeof s->buf)
            sink_flush(s);
        if (s->failed)
            return;
        size_t k = sizeof s->buf - s->n;
        if (k > len)
            k = len;
        memcpy(s->buf + s->n, p, k);
        s->n += k;
        p += k;
        len -= k;
    }
}

static void sink_double(sink *s, double v)
{
    char tmp[40];
    int k = snprintf(tmp, sizeof tmp, "%.17g", v);
    sink_put(s, tmp, (size_t)k);
}

/* Writes a name, quoted when the reader would otherwise split or trim it. */
static void sink_name(sink *s, const char *name)
{
    size_t len = strlen(name);
    int quote = len == 0 || is_blank(name[0]) || is_blank(name[len - 1]) || name[0] == '"' ||
                strpbrk(name, ",\"\r\n") != NULL;
    if (!quote) {
        sink_put(s, name, len);
        return;
    }
    sink_put(s, "\"", 1);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sink_put(s, "\"", 1); /* a quote inside quotes is doubled */
        sink_put(s, p, 1);
    }
    sink_put(s, "\"", 1);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int dv_dataset_write_csv(const dv_dataset *ds, const char *path, dv_error *err)
{
    if (!ds || !path)
        return dv__err(err, DV_EINVAL, "write_csv: no dataset or no path given");
    size_t plen = strlen(path) + 40;
    char *tmp = dv__malloc(plen);
    sink *s = dv__calloc(1, sizeof *s);
    if (!tmp || !s) {
        dv__free(tmp);
        dv__free(s);
        return dv__err(err, DV_ENOMEM, "%s: out of memory", path);
    }
    snprintf(tmp, plen, "%s.tmp%ld", path, (long)getpid());
    int gz = ends_with(path, ".gz");
    errno = 0;
    if (gz)
        s->gz = gzopen(tmp, "wb");
    else
        s->f = fopen(tmp, "w");
    if (!s->gz && !s->f) {
        int e = errno;
        dv__free(s);
        dv__free(tmp);
        return dv__err(err, DV_EIO, "%s: cannot create: %s", path,
                       e ? strerror(e) : "out of memory");
    }

    locale_guard g;
    locale_enter(&g);
    for (size_t j = 0; j < ds->d; j++) {
        sink_name(s, ds->col_names[j]);
        sink_put(s, ",", 1);
    }
    sink_name(s, ds->label_name ? ds->label_name : "label");
    sink_put(s, "\n", 1);
    for (size_t i = 0; i < ds->n && !s->failed; i++) {
        const double *row = ds->X + i * ds->d;
        for (size_t j = 0; j < ds->d; j++) {
            sink_double(s, row[j]);
            sink_put(s, ",", 1);
        }
        if (ds->task == DV_TASK_CLASSIFICATION) {
            double c = ds->y[i];
            if (c >= 0 && c < (double)ds->n_classes && ds->class_names[(size_t)c])
                sink_name(s, ds->class_names[(size_t)c]);
            else
                sink_double(s, c);
        } else {
            sink_double(s, ds->y[i]);
        }
        sink_put(s, "\n", 1);
    }
    sink_flush(s);
    locale_leave(&g);

    int failed = s->failed, e = s->err_no;
    errno = 0;
    if (s->gz) {
        if (gzclose_w(s->gz) != Z_OK && !failed) {
            failed = 1;
            e = errno;
        }
    } else {
        if (ferror(s->f) && !failed)
            failed = 1;
        if (fclose(s->f) && !failed) {
            failed = 1;
            e = errno;
        }
    }
    dv__free(s);
    if (failed) {
        remove(tmp);
        dv__free(tmp);
        return dv__err(err, DV_EIO, "%s: write failed: %s", path, strerror(e ? e : EIO));
    }
    if (dv_file_replace(tmp, path)) {
        e = errno;
        remove(tmp);
        dv__free(tmp);
        return dv__err(err, DV_EIO, "%s: cannot rename the temporary file into place: %s", path,
                       strerror(e));
    }
    dv__free(tmp);
    return DV_OK;
}
