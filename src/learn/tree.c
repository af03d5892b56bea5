/*
 * tree.c -- the CART decision tree learner (DV_LEARNER_TREE): Gini
 * impurity and class-frequency leaves for classification, squared error
 * and mean leaves for regression (Breiman, Friedman, Olshen & Stone,
 * "Classification and Regression Trees", 1984).
 *
 * Growth: a node becomes a leaf when it is pure, at depth max_depth (root
 * = 0; 0 = unlimited), when it has fewer than 2 * min_leaf rows, or when no
 * split improves the impurity.  Otherwise every candidate feature (all of
 * them, or max_features drawn per node from dv_rng stream (seed, node id),
 * node ids counting in creation order) is scanned: the node's rows are
 * sorted by the feature (ties by their position in the row list), and each
 * threshold halfway between distinct consecutive values that leaves at
 * least min_leaf rows on each side is scored.  The best impurity decrease
 * wins; ties go to the lowest feature, then the lowest threshold.  Rows
 * with x[f] <= threshold go left.
 *
 * Exactness: the Gini test "the split improves" is done in integers
 * (class counts), so a split that leaves the class mix unchanged never
 * counts as an improvement.  The regression gain is taken from targets
 * centred at the node mean and must exceed 1e-12 times the node's sum of
 * squares, so rounding cannot create a split on constant targets.
 *
 * Conventions: the row list may repeat rows (a bootstrap sample counts
 * them with multiplicity); features of the training rows must not be NaN
 * (at prediction a NaN feature goes right); an empty row list gives a
 * single leaf predicting 1/K per class, or 0 for regression.  A tree has no
 * coefficients: the model's n_params is 0, so dv_model_coef returns 0.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t feature;  /* split feature, -1 for a leaf */
    double threshold; /* x[feature] <= threshold goes left */
    size_t left, right;
    size_t depth;     /* root = 0 */
} tree_node;

struct dv__tree {
    size_t n_nodes;
    size_t n_out;     /* values per node: K (classification) or 1 */
    tree_node *nodes;
    double *value;    /* n_nodes x n_out: class frequencies or the mean */
};

/* A node waiting to be grown: the rows idx[start .. start + count). */
typedef struct {
    size_t node, start, count;
} tree_task;

/* A row's value on the feature being scanned and its position in the row
 * list (the tie-breaker, which makes the order total and deterministic). */
typedef struct {
    double v;
    size_t pos;
} tree_key;

static int key_cmp(const void *a, const void *b)
{
    const tree_key *x = a, *y = b;
    if (x->v < y->v)
        return -1;
    if (x->v > y->v)
        return 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The work space of one fit. */
typedef struct {
    const dv_learner_params *p;
    const dv_dataset *ds;
    int clf;
    size_t K, d, n;
    size_t *row;      /* n: dataset row of each position in the row list */
    double *y;        /* n: target of each position */
    size_t *idx;      /* n: positions, grouped by node */
    size_t *tmp;      /* n: partition buffer */
    tree_key *keys;   /* n */
    uint64_t *cnt;    /* K: class counts of the node */
    uint64_t *cl;     /* K: class counts left of the scan */
    size_t *feat;     /* d: candidate features */
    struct dv__tree *t;
} tree_fit;

void dv__tree_free(struct dv__tree *t)
{
    if (!t)
        return;
    dv__free(t->nodes);
    dv__free(t->value);
    dv__free(t);
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Fills f->feat with the candidate features of node id, ascending; returns
 * their number. */
static size_t candidates(tree_fit *f, size_t id)
{
    size_t d = f->d, mf = (size_t)f->p->max_features;
    for (size_t j = 0; j < d; j++)
        f->feat[j] = j;
    if (mf == 0 || mf >= d)
        return d;
    /* Partial Fisher-Yates: the first mf entries become a uniform subset. */
    dv_rng r;
    dv_rng_seed(&r, f->p->seed, (uint64_t)id);
    for (size_t j = 0; j < mf; j++) {
        size_t k = j + (size_t)dv_rng_below(&r, (uint64_t)(d - j));
        size_t s = f->feat[j];
        f->feat[j] = f->feat[k];
        f->feat[k] = s;
    }
    qsort(f->feat, mf, sizeof *f->feat, size_cmp);
    return mf;
}

/* Fills the node's value and says whether its targets are all equal. */
static int node_value(tree_fit *f, size_t id, size_t start, size_t count)
{
    double *v = f->t->value + id * f->t->n_out;
    const size_t *ix = f->idx + start;
    if (f->clf) {
        memset(f->cnt, 0, f->K * sizeof *f->cnt);
        for (size_t i = 0; i < count; i++)
            f->cnt[(size_t)f->y[ix[i]]]++;
        int pure = 0;
        for (size_t k = 0; k < f->K; k++) {
            v[k] = (double)f->cnt[k] / (double)count;
            pure |= f->cnt[k] == count;
        }
        return pure;
    }
    double s = 0.0;
    int pure = 1;
    for (size_t i = 0; i < count; i++) {
        s += f->y[ix[i]];
        pure &= f->y[ix[i]] == f->y[ix[0]];
    }
    v[0] = s / (double)count;
    return pure;
}

/* Midpoint of a < b that is < b, so that b goes right. */
static double midpoint(double a, double b)
{
    double m = 0.5 * a + 0.5 * b;
    return m < b && m >= a ? m : a;
}

/* Best split of a node with at least 2 * min_leaf rows; returns 1 and the
 * split if some split improves the impurity. */
static int best_split(tree_fit *f, size_t id, size_t start, size_t count, size_t *bf,
                      double *bthr)
{
    const size_t *ix = f->idx + start;
    size_t d = f->d, K = f->K, min_leaf = (size_t)f->p->min_leaf;
    size_t nf = candidates(f, id);
    double best = -INFINITY;
    int found = 0;

    /* Parent statistics.  Gini: minimizing the weighted child impurity
     * n_l G_l + n_r G_r = n - (A / n_l + B / n_r), with A, B the sums of
     * squared class counts, means maximizing S = A / n_l + B / n_r; the
     * parent has C / n.  Squared error: with targets z centred at the node
     * mean, maximize S = s_l^2 / n_l + s_r^2 / n_r over tot^2 / n. */
    uint64_t C = 0;
    double mean = 0.0, tot = 0.0, sse = 0.0;
    if (f->clf) {
        for (size_t k = 0; k < K; k++)
            C += f->cnt[k] * f->cnt[k];
    } else {
        mean = f->t->value[id];
        for (size_t i = 0; i < count; i++) {
            double z = f->y[ix[i]] - mean;
            tot += z;
            sse += z * z;
        }
    }

    for (size_t c = 0; c < nf; c++) {
        size_t j = f->feat[c];
        for (size_t i = 0; i < count; i++) {
            f->keys[i].v = f->ds->X[f->row[ix[i]] * d + j];
            f->keys[i].pos = ix[i];
        }
        qsort(f->keys, count, sizeof *f->keys, key_cmp);
        uint64_t A = 0, B = C;
        double sl = 0.0;
        if (f->clf)
            memset(f->cl, 0, K * sizeof *f->cl);
        for (size_t i = 0; i + 1 < count; i++) {
            size_t nl = i + 1, nr = count - nl;
            if (f->clf) {
                size_t k = (size_t)f->y[f->keys[i].pos];
                uint64_t cr = f->cnt[k] - f->cl[k];
                A += 2 * f->cl[k] + 1;
                B -= 2 * cr - 1;
                f->cl[k]++;
            } else {
                sl += f->y[f->keys[i].pos] - mean;
            }
            if (!(f->keys[i].v < f->keys[i + 1].v) || nl < min_leaf || nr < min_leaf)
                continue;
            double S;
            if (f->clf) {
                __int128 lhs = (__int128)A * nr * count + (__int128)B * nl * count;
                __int128 rhs = (__int128)C * nl * nr;
                if (lhs <= rhs)
                    continue;
                S = (double)A / (double)nl + (double)B / (double)nr;
            } else {
                double sr = tot - sl;
                S = sl * sl / (double)nl + sr * sr / (double)nr;
                if (!(S - tot * tot / (double)count > 1e-12 * sse))
                    continue;
            }
            if (S > best) {
                best = S;
                *bf = j;
                *bthr = midpoint(f->keys[i].v, f->keys[i + 1].v);
                found = 1;
            }
        }
    }
    return found;
}

static int grow(tree_fit *f)
{
    struct dv__tree *t = f->t;
    size_t n = f->n, min_leaf = (size_t)f->p->min_leaf;
    size_t max_depth = (size_t)f->p->max_depth;
    /* Depth-first; every split makes two non-empty children, so at most
     * n - 1 splits and n tasks waiting at once. */
    tree_task *stack = dv__malloc((n ? n : 1) * sizeof *stack);
    if (!stack)
        return DV_ENOMEM;
    size_t top = 0;
    t->n_nodes = 1;
    t->nodes[0] = (tree_node){.feature = -1, .depth = 0};
    stack[top++] = (tree_task){0, 0, n};
    while (top) {
        tree_task w = stack[--top];
        tree_node *nd = &t->nodes[w.node];
        int pure = node_value(f, w.node, w.start, w.count);
        if (pure || (max_depth > 0 && nd->depth >= max_depth) || w.count < 2 * min_leaf)
            continue;
        size_t j = 0;
        double thr = 0.0;
        if (!best_split(f, w.node, w.start, w.count, &j, &thr))
            continue;
        /* Stable partition of the node's positions. */
        size_t *ix = f->idx + w.start, nl = 0, nr = 0;
        for (size_t i = 0; i < w.count; i++) {
            if (f->ds->X[f->row[ix[i]] * f->d + j] <= thr)
                ix[nl++] = ix[i];
            else
                f->tmp[nr++] = ix[i];
        }
        memcpy(ix + nl, f->tmp, nr * sizeof *ix);
        size_t l = t->n_nodes, r = l + 1;
        t->n_nodes += 2;
        nd->feature = (int64_t)j;
        nd->threshold = thr;
        nd->left = l;
        nd->right = r;
        t->nodes[l] = (tree_node){.feature = -1, .depth = nd->depth + 1};
        t->nodes[r] = (tree_node){.feature = -1, .depth = nd->depth + 1};
        stack[top++] = (tree_task){r, w.start + nl, nr};
        stack[top++] = (tree_task){l, w.start, nl};
    }
    dv__free(stack);
    return DV_OK;
}

int dv__tree_fit(dv_model *m, const dv_learner_params *p, const dv_dataset *ds,
                 const int64_t *rows, size_t n, dv_error *err)
{
    tree_fit f = {0};
    f.p = p;
    f.ds = ds;
    f.clf = ds->task == DV_TASK_CLASSIFICATION;
    f.K = f.clf ? ds->n_classes : 0;
    f.d = ds->d;
    f.n = n;
    m->mode = DV__MODEL_TREE;
    m->n_params = 0;
    m->iterations = 0;
    m->grad_norm = m->grad0_norm = 0.0;
    m->converged = 1;
    if (f.clf && f.K == 0)
        return dv__err(err, DV_EINVAL, "tree: classification dataset without classes");

    int rc = DV_OK;
    size_t cap = n ? 2 * n - 1 : 1, n_out = f.clf ? f.K : 1;
    struct dv__tree *t = dv__calloc(1, sizeof *t);
    if (t) {
        t->n_out = n_out;
        t->nodes = dv__malloc(cap * sizeof *t->nodes);
        t->value = dv__malloc(cap * n_out * sizeof *t->value);
    }
    size_t nn = n ? n : 1, K1 = f.K ? f.K : 1, d1 = f.d ? f.d : 1;
    f.t = t;
    f.row = dv__malloc(nn * sizeof *f.row);
    f.y = dv__malloc(nn * sizeof *f.y);
    f.idx = dv__malloc(nn * sizeof *f.idx);
    f.tmp = dv__malloc(nn * sizeof *f.tmp);
    f.keys = dv__malloc(nn * sizeof *f.keys);
    f.cnt = dv__malloc(K1 * sizeof *f.cnt);
    f.cl = dv__malloc(K1 * sizeof *f.cl);
    f.feat = dv__malloc(d1 * sizeof *f.feat);
    if (!t || !t->nodes || !t->value || !f.row || !f.y || !f.idx || !f.tmp || !f.keys ||
        !f.cnt || !f.cl || !f.feat) {
        rc = dv__err(err, DV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? (size_t)rows[i] : i;
        f.row[i] = r;
        f.y[i] = ds->y[r];
        f.idx[i] = i;
        if (f.clf && !(f.y[i] >= 0 && f.y[i] < (double)f.K && f.y[i] == floor(f.y[i]))) {
            rc = dv__err(err, DV_EINVAL, "label %g is not a class in 0..%zu", f.y[i], f.K - 1);
            goto done;
        }
        for (size_t j = 0; j < f.d; j++)
            if (isnan(ds->X[r * f.d + j])) {
                rc = dv__err(err, DV_EINVAL, "tree: feature %zu of row %zu is NaN", j, r);
                goto done;
            }
    }
    if (n == 0) {
        t->n_nodes = 1;
        t->nodes[0] = (tree_node){.feature = -1, .depth = 0};
        for (size_t k = 0; k < n_out; k++)
            t->value[k] = f.clf ? 1.0 / (double)f.K : 0.0;
    } else if ((rc = grow(&f)) != DV_OK) {
        rc = dv__err(err, rc, "out of memory");
        goto done;
    }
    /* Give back the unused capacity (shrinking cannot lose data). */
    tree_node *nodes = dv__realloc(t->nodes, t->n_nodes * sizeof *nodes);
    if (nodes)
        t->nodes = nodes;
    double *value = dv__realloc(t->value, t->n_nodes * n_out * sizeof *value);
    if (value)
        t->value = value;
    dv__tree_free(m->tree);
    m->tree = t;
    t = NULL;

done:
    dv__tree_free(t);
    dv__free(f.row);
    dv__free(f.y);
    dv__free(f.idx);
    dv__free(f.tmp);
    dv__free(f.keys);
    dv__free(f.cnt);
    dv__free(f.cl);
    dv__free(f.feat);
    return rc;
}

void dv__tree_predict(const dv_model *m, const double *X, size_t n_rows, double *out)
{
    const struct dv__tree *t = m->tree;
    size_t d = m->d, n_out = t->n_out;
    for (size_t i = 0; i < n_rows; i++) {
        const double *x = X + i * d;
        size_t k = 0;
        while (t->nodes[k].feature >= 0) {
            const tree_node *nd = &t->nodes[k];
            k = x[nd->feature] <= nd->threshold ? nd->left : nd->right;
        }
        memcpy(out + i * n_out, t->value + k * n_out, n_out * sizeof *out);
    }
}

void dv__tree_shape(const dv_model *m, size_t *n_leaves, size_t *depth)
{
    size_t leaves = 0, dep = 0;
    const struct dv__tree *t = m ? m->tree : NULL;
    for (size_t k = 0; t && k < t->n_nodes; k++) {
        if (t->nodes[k].feature < 0)
            leaves++;
        if (t->nodes[k].depth > dep)
            dep = t->nodes[k].depth;
    }
    if (n_leaves)
        *n_leaves = leaves;
    if (depth)
        *depth = dep;
}
