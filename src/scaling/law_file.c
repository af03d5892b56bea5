/*
 * law_file.c -- scaling.csv, the table of one law per point: written with
 * every double in %.17g (so it reads back exactly) and read back with
 * each row checked against the points it should hold.
 *
 * Columns: point, label, c, alpha, sigma, beta, nll, log_r2, n_samples,
 * status, log_c, log_alpha.  A label holding a comma, a quote or a line
 * break is quoted, with quotes doubled.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *HEADER =
    "point,label,c,alpha,sigma,beta,nll,log_r2,n_samples,status,log_c,log_alpha";
#define N_FIELDS 12

int dv_scaling_write(const char *path, size_t n, const int64_t *points,
                     const char *const *labels, const dv_law *laws, dv_error *err)
{
    if (!path || (n && !laws))
        return dv__err(err, DV_EINVAL, "scaling.csv: a path and the laws are required");
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "%s\n", HEADER);
    for (size_t i = 0; i < n; i++) {
        const dv_law *L = &laws[i];
        fprintf(f, "%lld,", (long long)(points ? points[i] : (int64_t)i));
        dv__csv_field(f, labels ? labels[i] : NULL);
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%zu,%s,%.17g,%.17g\n", L->c, L->alpha,
                L->sigma, L->beta, L->nll, L->log_r2, L->n_samples,
                dv_law_status_name(L->status), L->log_c, L->log_alpha);
    }
    return dv__out_commit(f, tmp, path, err);
}

/* Splits line (modified in place) into at most N_FIELDS fields; a quoted
 * field loses its quotes.  Returns the number of fields, or -1 for an
 * unterminated quote. */
static int split_fields(char *line, char **field)
{
    int nf = 0;
    char *p = line;
    for (;;) {
        if (nf == N_FIELDS)
            return nf + 1; /* too many */
        if (*p == '"') {
            char *w = ++p;
            field[nf++] = w;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = 0;
        } else {
            field[nf++] = p;
            p += strcspn(p, ",");
        }
        if (*p != ',') {
            if (*p)
                *p = 0; /* text after a closing quote: ignored like a field end */
            return nf;
        }
        *p++ = 0;
    }
}

static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == 0;
}

/* Fills L from the fields of one row. */
static int parse_row(char **fld, dv_law *L, int64_t *point)
{
    char *end;
    *point = strtoll(fld[0], &end, 10);
    if (end == fld[0] || *end)
        return 0;
    double *num[] = {&L->c, &L->alpha, &L->sigma, &L->beta, &L->nll, &L->log_r2};
    for (int k = 0; k < 6; k++)
        if (!parse_number(fld[2 + k], num[k]))
            return 0;
    unsigned long long ns = strtoull(fld[8], &end, 10);
    if (end == fld[8] || *end)
        return 0;
    L->n_samples = (size_t)ns;
    L->status = -1;
    for (int s = DV_LAW_OK; s <= DV_LAW_BOUND; s++)
        if (strcmp(fld[9], dv_law_status_name(s)) == 0)
            L->status = s;
    return L->status >= 0 && parse_number(fld[10], &L->log_c) &&
           parse_number(fld[11], &L->log_alpha);
}

int dv_scaling_read(const char *path, size_t n, const int64_t *points, dv_law *laws,
                    dv_error *err)
{
    size_t len = 0;
    char *text = dv__slurp(path, &len);
    if (!text)
        return dv__err(err, DV_EIO, "%s: cannot read: %s", path, strerror(errno));
    int rc = DV_OK;
    size_t row = 0;
    long lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = 0;
        if (lineno == 1) {
            if (strcmp(line, HEADER) != 0) {
                rc = dv__err(err, DV_EFORMAT, "%s: not a scaling.csv written by dval fit", path);
                break;
            }
            continue;
        }
        char *fld[N_FIELDS + 1];
        int nf = split_fields(line, fld);
        int64_t pt;
        if (row == n) {
            rc = dv__err(err, DV_EFORMAT, "%s:%ld: more than the %zu points of the run", path,
                         lineno, n);
            break;
        }
        if (nf != N_FIELDS || !parse_row(fld, &laws[row], &pt)) {
            rc = dv__err(err, DV_EFORMAT, "%s:%ld: expected %d fields (%s)", path, lineno,
                         N_FIELDS, HEADER);
            break;
        }
        const dv_law *L = &laws[row];
        const char *what = !isfinite(L->c) ? "c" : !(L->alpha >= 0 && isfinite(L->alpha)) ? "alpha"
                         : !(L->sigma >= 0 && isfinite(L->sigma)) ? "sigma"
                         : !(L->beta >= 0 && isfinite(L->beta)) ? "beta"
                         : !isfinite(L->nll) ? "nll" : NULL;
        if (what) {
            rc = dv__err(err, DV_EFORMAT,
                         "%s:%ld: %s is not a law's (c, nll finite; alpha, sigma, beta finite "
                         "and >= 0); rerun dval fit",
                         path, lineno, what);
            break;
        }
        int64_t want = points ? points[row] : (int64_t)row;
        if (pt != want) {
            rc = dv__err(err, DV_ESTATE, "%s:%ld: point %lld where the run has %lld; rerun dval fit",
                         path, lineno, (long long)pt, (long long)want);
            break;
        }
        row++;
    }
    if (!rc && lineno == 0)
        rc = dv__err(err, DV_EFORMAT, "%s: not a scaling.csv written by dval fit", path);
    if (!rc && row != n)
        rc = dv__err(err, DV_ESTATE, "%s: has %zu points but the run %zu; rerun dval fit", path,
                     row, n);
    dv__free(text);
    return rc;
}

int dv_law_values_write(const char *path, const dv_dataset *ds, const dv_law *laws,
                        const int64_t *at, size_t n_at, int64_t k_lo, int64_t k_hi,
                        dv_error *err)
{
    if (k_lo < 1 || k_hi < k_lo)
        return dv__err(err, DV_EINVAL, "sizes %lld..%lld are not a range from 1",
                       (long long)k_lo, (long long)k_hi);
    char tmp[4200];
    FILE *f = dv__out_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : DV_EIO;
    fprintf(f, "row,label,c,alpha,sigma,beta");
    for (size_t a = 0; a < n_at; a++)
        fprintf(f, ",psi_%lld", (long long)at[a]);
    fprintf(f, ",law_value\n");
    const double *y = dv_dataset_targets(ds);
    for (size_t i = 0; i < dv_dataset_rows(ds); i++) {
        const dv_law *L = &laws[i];
        fprintf(f, "%lld,", (long long)dv_dataset_source_rows(ds)[i]);
        if (dv_dataset_task(ds) == DV_TASK_CLASSIFICATION)
            dv__csv_field(f, dv_dataset_class_name(ds, (size_t)y[i]));
        else
            fprintf(f, "%.17g", y[i]);
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g", L->c, L->alpha, L->sigma, L->beta);
        for (size_t a = 0; a < n_at; a++)
            fprintf(f, ",%.17g", L->c * pow((double)at[a], -L->alpha));
        fprintf(f, ",%.17g\n", dv_law_mean_value(L->c, L->alpha, k_lo, k_hi));
    }
    return dv__out_commit(f, tmp, path, err);
}
