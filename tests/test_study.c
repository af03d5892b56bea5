/*
 * test_study.c -- tests of the 2-D study's building blocks (src/study):
 * meshes, labels, the distance between classifiers, level curves, and the
 * values of candidate points.  Oracles: closed forms (a line's and a
 * circle's length inside a rectangle), the generator's own labels, and
 * recomputation through the public API (the candidate appended to the data
 * by hand, models fitted anew for each epoch count, ensembles refitted).
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_mesh(void)
{
    dv_mesh m = {-10, 20, -5, 5, 31, 11};
    CHECK(dv_mesh_check(&m) == NULL);
    double *xy = malloc(2 * 31 * 11 * sizeof *xy);
    dv_error err = {0};
    CHECK(dv_mesh_points(&m, xy, &err) == DV_OK);
    for (size_t i = 0; i < 11; i++)
        for (size_t j = 0; j < 31; j++) {
            CHECK_NEAR(xy[2 * (i * 31 + j)], -10 + (double)j, 1e-12);
            CHECK_NEAR(xy[2 * (i * 31 + j) + 1], -5 + (double)i, 1e-12);
        }
    free(xy);
    dv_mesh bad[] = {{0, 1, 0, 1, 1, 5}, {0, 0, 0, 1, 5, 5}, {0, 1, NAN, 1, 5, 5},
                     {0, 1, 0, 1, 100000, 100000}};
    for (size_t k = 0; k < 4; k++)
        CHECK_MSG(dv_mesh_check(&bad[k]) != NULL, "bad mesh %zu accepted", k);
    CHECK(dv_mesh_points(&bad[3], NULL, &err) == DV_EINVAL && strstr(err.msg, "10^8"));
}

/* The generator labels each row by its nearest mean: so does the rule. */
static void test_nearest_mean(void)
{
    double means[8] = {0, 1, 10, 12, 10, 7, 0, 12};
    int cls[4] = {0, 0, 1, 1};
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_GAUSS2D);
    sp.n_rows = 400;
    sp.clusters_per_class = 2;
    sp.means = means;
    sp.spread = 4;
    sp.seed = 3;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_synth(&ds, &sp, &err) == DV_OK, "%s", err.msg);
    int *lab = malloc(400 * sizeof *lab), *want = malloc(400 * sizeof *want);
    CHECK(dv_nearest_mean_labels(means, cls, 4, dv_dataset_features(ds), 400, lab, &err) == DV_OK);
    size_t ones = 0;
    for (size_t i = 0; i < 400; i++) {
        want[i] = (int)dv_dataset_targets(ds)[i];
        ones += want[i];
    }
    CHECK(dv_label_disagreement(lab, want, 400) == 0.0);
    CHECK(ones > 100 && ones < 300);
    want[7] ^= 1;
    want[9] ^= 1;
    CHECK(dv_label_disagreement(lab, want, 400) == 2.0 / 400);
    free(lab);
    free(want);
    dv_dataset_free(ds);
}

static double total_length(const double *seg, size_t n)
{
    double L = 0;
    for (size_t s = 0; s < n; s++)
        L += hypot(seg[4 * s + 2] - seg[4 * s], seg[4 * s + 3] - seg[4 * s + 1]);
    return L;
}

/* A line's level curve is exact; a circle's is within O(h^2) of it. */
static void test_contour(void)
{
    dv_mesh m = {-10, 20, -10, 20, 61, 41};
    size_t N = 61 * 41;
    double *xy = malloc(2 * N * sizeof *xy), *f = malloc(N * sizeof *f);
    dv_mesh_points(&m, xy, NULL);
    /* x + 2y = 7: from (-10, 8.5) to (20, -6.5), inside the square */
    for (size_t k = 0; k < N; k++)
        f[k] = xy[2 * k] + 2 * xy[2 * k + 1] - 7;
    size_t n = dv_mesh_contour(&m, f, 0, NULL, 0);
    double *seg = malloc(4 * (n ? n : 1) * sizeof *seg);
    CHECK(dv_mesh_contour(&m, f, 0, seg, n) == n && n > 0);
    for (size_t s = 0; s < 2 * n; s++)
        CHECK_NEAR(seg[2 * s] + 2 * seg[2 * s + 1], 7, 1e-9);
    CHECK_NEAR(total_length(seg, n), hypot(30, 15), 1e-9);
    free(seg);
    /* circle of radius 6 about (5, 4): the level 0 of x^2 + y^2 - 36 */
    for (size_t k = 0; k < N; k++)
        f[k] = (xy[2 * k] - 5) * (xy[2 * k] - 5) + (xy[2 * k + 1] - 4) * (xy[2 * k + 1] - 4) - 36;
    n = dv_mesh_contour(&m, f, 0, NULL, 0);
    seg = malloc(4 * n * sizeof *seg);
    dv_mesh_contour(&m, f, 0, seg, n);
    double worst = 0;
    for (size_t s = 0; s < 2 * n; s++)
        worst = fmax(worst, fabs(hypot(seg[2 * s] - 5, seg[2 * s + 1] - 4) - 6));
    CHECK_MSG(worst < 0.05, "circle: endpoint off by %g", worst);
    CHECK_NEAR(total_length(seg, n), 2 * M_PI * 6, 0.1);
    /* chained: one closed polyline through every segment */
    double *cx = malloc(3 * n * sizeof *cx), *cy = malloc(3 * n * sizeof *cy);
    size_t nv = dv_segments_chain(seg, n, cx, cy);
    CHECK_EQ_INT(nv, n + 1);
    CHECK(nv == n + 1 && cx[0] == cx[n] && cy[0] == cy[n]);
    double L = 0;
    for (size_t v = 1; v < nv; v++) {
        CHECK(!isnan(cx[v]));
        L += hypot(cx[v] - cx[v - 1], cy[v] - cy[v - 1]);
    }
    CHECK_NEAR(L, total_length(seg, n), 1e-9);
    free(cx);
    free(cy);
    free(seg);
    /* two separate lines: two open polylines and one NaN between them */
    for (size_t k = 0; k < N; k++)
        f[k] = fabs(xy[2 * k] - 5) - 3; /* x = 2 and x = 8 */
    n = dv_mesh_contour(&m, f, 0, NULL, 0);
    seg = malloc(4 * n * sizeof *seg);
    dv_mesh_contour(&m, f, 0, seg, n);
    cx = malloc(3 * n * sizeof *cx), cy = malloc(3 * n * sizeof *cy);
    nv = dv_segments_chain(seg, n, cx, cy);
    size_t breaks = 0;
    for (size_t v = 0; v < nv; v++)
        breaks += isnan(cx[v]);
    CHECK_EQ_INT(breaks, 1);
    CHECK_EQ_INT(nv, n + 3);
    free(cx);
    free(cy);
    free(seg);
    /* a level above the field: no curve */
    CHECK(dv_mesh_contour(&m, f, 1e9, NULL, 0) == 0);
    free(xy);
    free(f);
}

static dv_dataset *two_blobs(size_t n, uint64_t seed)
{
    double means[4] = {0, 1, 6, 4};
    dv_synth_params sp;
    dv_synth_params_default(&sp, DV_SYNTH_GAUSS2D);
    sp.n_rows = n;
    sp.clusters_per_class = 1;
    sp.means = means;
    sp.spread = 2.5;
    sp.seed = seed;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK_MSG(dv_synth(&ds, &sp, &err) == DV_OK, "%s", err.msg);
    return ds;
}

/* train with row (x, y) appended, as a user would make it. */
static dv_dataset *appended(const dv_dataset *tr, const double *x, double y)
{
    size_t n = dv_dataset_rows(tr), d = dv_dataset_cols(tr);
    double *X = malloc((n + 1) * d * sizeof *X), *Y = malloc((n + 1) * sizeof *Y);
    memcpy(X, dv_dataset_features(tr), n * d * sizeof *X);
    memcpy(Y, dv_dataset_targets(tr), n * sizeof *Y);
    memcpy(X + n * d, x, d * sizeof *X);
    Y[n] = y;
    dv_dataset *ds = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&ds, n + 1, d, X, Y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    free(X);
    free(Y);
    return ds;
}

static int label_of(const dv_model *m, const double *x)
{
    int l = -1;
    dv_model_labels(m, x, 1, 2, &l, NULL);
    return l;
}

static void small_mlp(dv_learner_params *lp, int epochs)
{
    dv_learner_params_default(lp, DV_LEARNER_MLP);
    lp->n_hidden = 1;
    lp->hidden[0] = 16;
    lp->epochs = epochs;
    lp->batch_size = 16;
    lp->lr = 0.01;
    lp->seed = 4;
}

/* Add-one distances and traces equal a recomputation with the candidate
 * appended by hand; and they do not depend on the thread count. */
static void test_add_one(void)
{
    dv_dataset *tr = two_blobs(60, 1);
    dv_mesh mesh = {-10, 20, -10, 20, 25, 25};
    size_t N = 625, C = 5, E = 7;
    double *xy = malloc(2 * N * sizeof *xy);
    dv_mesh_points(&mesh, xy, NULL);
    double means[4] = {0, 1, 6, 4}, cx[10] = {3, 2.5, 0, 0, 6, 4, 2, 5, -5, 15};
    double cy[5] = {1, 0, 1, 0, 0}; /* some agree with g, some do not */
    int cls[2] = {0, 1}, *ref = malloc(2 * N * sizeof *ref);
    dv_nearest_mean_labels(means, cls, 2, xy, N, ref, NULL);
    dv_learner_params lp;
    small_mlp(&lp, (int)E);
    dv_model *base = NULL;
    dv_error err = {0};
    CHECK(dv_model_fit(&base, &lp, tr, NULL, 60, NULL, &err) == DV_OK);
    dv_model_labels(base, xy, N, 2, ref + N, &err);
    double dist[10], dist2[10];
    unsigned char trace[35], trace2[35];
    CHECK_MSG(dv_add_one(tr, &lp, cx, cy, C, xy, N, ref, 2, dist, trace, 1, NULL, NULL, &err) ==
                  DV_OK, "%s", err.msg);
    CHECK(dv_add_one(tr, &lp, cx, cy, C, xy, N, ref, 2, dist2, trace2, 2, NULL, NULL, &err) == DV_OK);
    CHECK(memcmp(dist, dist2, sizeof dist) == 0 && memcmp(trace, trace2, sizeof trace) == 0);
    int *lab = malloc(N * sizeof *lab);
    int moved = 0;
    for (size_t c = 0; c < C; c++) {
        dv_dataset *ds = appended(tr, cx + 2 * c, cy[c]);
        for (size_t e = 1; e <= E; e++) {
            dv_learner_params le = lp;
            le.epochs = (int)e;
            dv_model *m = NULL;
            CHECK(dv_model_fit(&m, &le, ds, NULL, 61, NULL, &err) == DV_OK);
            CHECK_MSG(trace[c * E + e - 1] == (label_of(m, cx + 2 * c) == (int)cy[c]),
                      "candidate %zu epoch %zu", c, e);
            if (e == E) {
                dv_model_labels(m, xy, N, 2, lab, &err);
                CHECK(dist[2 * c] == dv_label_disagreement(lab, ref, N));
                CHECK(dist[2 * c + 1] == dv_label_disagreement(lab, ref + N, N));
                moved += dist[2 * c + 1] > 0;
            }
            dv_model_free(m);
        }
        dv_dataset_free(ds);
    }
    CHECK_MSG(moved > 0, "no candidate moved the boundary");
    /* bad input */
    double bad_y[1] = {2};
    CHECK(dv_add_one(tr, &lp, cx, bad_y, 1, xy, N, ref, 1, dist, NULL, 1, NULL, NULL, &err) ==
              DV_EINVAL && strstr(err.msg, "label 2"));
    dv_learner_params lr;
    dv_learner_params_default(&lr, DV_LEARNER_LOGREG);
    CHECK(dv_add_one(tr, &lr, cx, cy, 1, xy, N, ref, 1, dist, trace, 1, NULL, NULL, &err) ==
              DV_EINVAL && strstr(err.msg, "epoch by epoch"));
    free(lab);
    free(xy);
    free(ref);
    dv_model_free(base);
    dv_dataset_free(tr);
}

/* Memorization of candidates recounted; with 1-NN, a far candidate of
 * another class than its neighbours is memorized (1), a copy of a training
 * row is not (0). */
static void test_candidate_memorization(void)
{
    dv_dataset *tr = two_blobs(50, 2);
    dv_learner_params lp;
    small_mlp(&lp, 5);
    double cx[6] = {3, 2.5, 0, 1, 5, 3}, cy[3] = {0, 1, 1}, mem[3], mem2[3];
    size_t R = 3;
    dv_error err = {0};
    CHECK_MSG(dv_candidate_memorization(tr, &lp, cx, cy, 3, R, 9, mem, 1, NULL, NULL, &err) ==
                  DV_OK, "%s", err.msg);
    CHECK(dv_candidate_memorization(tr, &lp, cx, cy, 3, R, 9, mem2, 2, NULL, NULL, &err) == DV_OK);
    CHECK(memcmp(mem, mem2, sizeof mem) == 0);
    for (size_t c = 0; c < 3; c++) {
        dv_dataset *ds = appended(tr, cx + 2 * c, cy[c]);
        int s = 0;
        for (size_t r = 0; r < R; r++) {
            dv_rng g;
            dv_rng_seed(&g, 9, r);
            dv_learner_params l = lp;
            l.seed ^= dv_rng_next(&g);
            dv_model *a = NULL, *b = NULL;
            dv_model_fit(&a, &l, ds, NULL, 51, NULL, &err);
            dv_model_fit(&b, &l, tr, NULL, 50, NULL, &err);
            s += (label_of(a, cx + 2 * c) == (int)cy[c]) - (label_of(b, cx + 2 * c) == (int)cy[c]);
            dv_model_free(a);
            dv_model_free(b);
        }
        CHECK_MSG(mem[c] == (double)s / (double)R, "candidate %zu: %g, want %g", c, mem[c],
                  (double)s / (double)R);
        dv_dataset_free(ds);
    }
    dv_learner_params nn;
    dv_learner_params_default(&nn, DV_LEARNER_KNN);
    nn.neighbors = 1;
    const double *X = dv_dataset_features(tr);
    double far[4] = {60, 60, X[0], X[1]};
    int near_class = 0; /* of the nearest row to (60, 60): find it */
    double best = INFINITY;
    for (size_t i = 0; i < 50; i++) {
        double d2 = hypot(X[2 * i] - 60, X[2 * i + 1] - 60);
        if (d2 < best) {
            best = d2;
            near_class = (int)dv_dataset_targets(tr)[i];
        }
    }
    double fy[2] = {1 - near_class, dv_dataset_targets(tr)[0]};
    CHECK(dv_candidate_memorization(tr, &nn, far, fy, 2, 2, 1, mem, 1, NULL, NULL, &err) == DV_OK);
    CHECK_MSG(mem[0] == 1 && mem[1] == 0, "1-NN memorization %g %g", mem[0], mem[1]);
    dv_dataset_free(tr);
}

/* The ensemble's variance recomputed from refitted members. */
static void test_ood_ensemble(void)
{
    dv_dataset *tr = two_blobs(50, 3);
    dv_learner_params lp;
    small_mlp(&lp, 4);
    double X[8] = {3, 2.5, 30, -20, 0, 1, 6, 4}, var[4], p[2];
    size_t M = 4;
    dv_error err = {0};
    CHECK_MSG(dv_ood_ensemble(tr, &lp, X, 4, M, 5, var, 2, &err) == DV_OK, "%s", err.msg);
    for (size_t i = 0; i < 4; i++) {
        double s = 0, s2 = 0;
        for (size_t r = 0; r < M; r++) {
            dv_rng g;
            dv_rng_seed(&g, 5, r);
            dv_learner_params l = lp;
            l.seed ^= dv_rng_next(&g);
            dv_model *m = NULL;
            dv_model_fit(&m, &l, tr, NULL, 50, NULL, &err);
            dv_model_predict(m, X + 2 * i, 1, 2, p);
            s += p[1];
            s2 += p[1] * p[1];
            dv_model_free(m);
        }
        double v1 = (s2 - s * s / (double)M) / (double)(M - 1);
        CHECK_NEAR(var[i], 2 * v1, 1e-12 + 1e-9 * var[i]);
    }
    CHECK(var[1] > 0);
    CHECK(dv_ood_ensemble(tr, &lp, X, 4, 1, 5, var, 2, &err) == DV_EINVAL);
    /* MC dropout: seeded (the same twice), a spread at the far point, and
     * refused without a dropout rate */
    double v1[4], v2[4];
    lp.dropout = 0.3;
    CHECK_MSG(dv_ood_dropout(tr, &lp, X, 4, 12, 3, v1, &err) == DV_OK, "%s", err.msg);
    CHECK(dv_ood_dropout(tr, &lp, X, 4, 12, 3, v2, &err) == DV_OK);
    CHECK(memcmp(v1, v2, sizeof v1) == 0);
    CHECK(v1[1] > 0 && v1[0] >= 0 && v1[2] >= 0 && v1[3] >= 0);
    CHECK(dv_ood_dropout(tr, &lp, X, 4, 12, 4, v2, &err) == DV_OK && memcmp(v1, v2, sizeof v1) != 0);
    lp.dropout = 0;
    CHECK(dv_ood_dropout(tr, &lp, X, 4, 12, 3, v1, &err) == DV_EINVAL && strstr(err.msg, "dropout"));
    dv_dataset_free(tr);
}

/* The candidate game's utility: minus the distance of the model fitted on
 * train + S (or S alone) to the reference. */
static void test_add_game(void)
{
    dv_dataset *tr = two_blobs(40, 4);
    dv_mesh mesh = {-10, 20, -10, 20, 15, 15};
    size_t N = 225;
    double *xy = malloc(2 * N * sizeof *xy);
    dv_mesh_points(&mesh, xy, NULL);
    double means[4] = {0, 1, 6, 4}, cx[8] = {3, 2.5, 0, 0, 6, 4, 8, 8}, cy[4] = {1, 0, 1, 1};
    int cls[2] = {0, 1}, *ref = malloc(N * sizeof *ref), *lab = malloc(N * sizeof *lab);
    dv_nearest_mean_labels(means, cls, 2, xy, N, ref, NULL);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    dv_error err = {0};
    for (int with_train = 0; with_train < 2; with_train++) {
        dv_game g;
        CHECK(dv_add_game(&g, with_train ? tr : NULL, 2, &lp, cx, cy, 4, 2, xy, N, ref, &err) ==
              DV_OK);
        int64_t S[3] = {3, 0, 2};
        double u;
        CHECK(g.utility(g.user, NULL, S, 3, &u) == DV_OK);
        /* by hand: the rows of train, then candidates 3, 0, 2 */
        size_t n0 = with_train ? 40 : 0;
        double X[86], Y[43];
        if (n0) {
            memcpy(X, dv_dataset_features(tr), 80 * sizeof *X);
            memcpy(Y, dv_dataset_targets(tr), 40 * sizeof *Y);
        }
        for (int k = 0; k < 3; k++) {
            X[2 * (n0 + (size_t)k)] = cx[2 * S[k]];
            X[2 * (n0 + (size_t)k) + 1] = cx[2 * S[k] + 1];
            Y[n0 + (size_t)k] = cy[S[k]];
        }
        dv_dataset *ds = NULL;
        dv_dataset_from_arrays(&ds, n0 + 3, 2, X, Y, DV_TASK_CLASSIFICATION, 2, NULL, &err);
        dv_model *m = NULL;
        dv_model_fit(&m, &lp, ds, NULL, n0 + 3, NULL, &err);
        dv_model_labels(m, xy, N, 2, lab, &err);
        CHECK_MSG(u == -dv_label_disagreement(lab, ref, N), "with_train %d: %g", with_train, u);
        dv_model_free(m);
        dv_dataset_free(ds);
        dv_add_game_free(&g);
    }
    free(xy);
    free(ref);
    free(lab);
    dv_dataset_free(tr);
}

/* Pairwise values: exact enumeration against a brute-force count over
 * all 64 subsets of 6 rows; symmetry; the sampled estimate within its
 * standard errors of the exact one; thread-count invariance. */
static void test_pairwise(void)
{
    double X[12] = {0, 0, 1, 0.5, 2, 2, 3, 1, 4, 3.5, 1.5, 3}, Y[6] = {0, 0, 1, 0, 1, 1};
    dv_dataset *tr = NULL;
    dv_error err = {0};
    CHECK(dv_dataset_from_arrays(&tr, 6, 2, X, Y, DV_TASK_CLASSIFICATION, 2, NULL, &err) == DV_OK);
    dv_learner_params lp;
    dv_learner_params_default(&lp, DV_LEARNER_LOGREG);
    lp.C = 10;
    int64_t pts[4] = {1, 2, 3, 5};
    size_t m = 4;
    double pv[16], se[16], want[16] = {0};
    CHECK_MSG(dv_pairwise_values(tr, &lp, pts, m, 0, 0, pv, se, 1, NULL, NULL, &err) == DV_OK,
              "%s", err.msg);
    for (unsigned T = 0; T < 64; T++) {
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++) {
                int64_t full[6], part[6];
                size_t nf = 0, np = 0;
                for (int i = 0; i < 6; i++)
                    if (T >> i & 1) {
                        full[nf++] = i;
                        if (i != pts[a] && i != pts[b])
                            part[np++] = i;
                    }
                dv_model *f = NULL, *g = NULL;
                dv_model_fit(&f, &lp, tr, full, nf, NULL, &err);
                dv_model_fit(&g, &lp, tr, part, np, NULL, &err);
                for (size_t k = 0; k < nf; k++)
                    want[a * m + b] += label_of(f, X + 2 * full[k]) != label_of(g, X + 2 * full[k]);
                dv_model_free(f);
                dv_model_free(g);
            }
    }
    int nonzero = 0;
    for (size_t ab = 0; ab < m * m; ab++) {
        CHECK_NEAR(pv[ab], want[ab] / 64, 1e-12);
        CHECK(pv[ab] == pv[(ab % m) * m + ab / m] && se[ab] == 0);
        nonzero += pv[ab] > 0;
    }
    CHECK(nonzero > 4);
    double sp[16], ss[16], sp2[16], ss2[16];
    CHECK(dv_pairwise_values(tr, &lp, pts, m, 600, 3, sp, ss, 1, NULL, NULL, &err) == DV_OK);
    CHECK(dv_pairwise_values(tr, &lp, pts, m, 600, 3, sp2, ss2, 2, NULL, NULL, &err) == DV_OK);
    CHECK(memcmp(sp, sp2, sizeof sp) == 0 && memcmp(ss, ss2, sizeof ss) == 0);
    for (size_t ab = 0; ab < m * m; ab++)
        CHECK_MSG(fabs(sp[ab] - pv[ab]) <= 4.5 * ss[ab] + 1e-12, "pair %zu: %g +- %g, exact %g", ab,
                  sp[ab], ss[ab], pv[ab]);
    int64_t dup[2] = {1, 1};
    CHECK(dv_pairwise_values(tr, &lp, dup, 2, 10, 3, sp, ss, 1, NULL, NULL, &err) == DV_EINVAL &&
          strstr(err.msg, "twice"));
    dv_dataset_free(tr);
    dv_dataset *big = two_blobs(30, 1);
    CHECK(dv_pairwise_values(big, &lp, pts, 2, 0, 3, sp, ss, 1, NULL, NULL, &err) == DV_EINVAL &&
          strstr(err.msg, "2^30"));
    dv_dataset_free(big);
}

/* Two blocks of mutually strong pairs, interleaved: the order keeps each
 * block together. */
static void test_pairwise_order(void)
{
    enum { M = 7 };
    int block[M] = {0, 1, 0, 1, 1, 0, 1};
    double pv[M * M];
    for (size_t a = 0; a < M; a++)
        for (size_t b = 0; b < M; b++)
            pv[a * M + b] = block[a] == block[b] ? 5 + (double)((a + b) % 3) : (double)((a * b) % 2);
    size_t order[M];
    dv_error err = {0};
    CHECK(dv_pairwise_order(pv, M, order, &err) == DV_OK);
    int seen[M] = {0}, changes = 0;
    for (size_t i = 0; i < M; i++) {
        CHECK(order[i] < M && !seen[order[i]]);
        seen[order[i] < M ? order[i] : 0] = 1;
        if (i)
            changes += block[order[i]] != block[order[i - 1]];
    }
    CHECK_EQ_INT(changes, 1);
    pv[3] = NAN;
    CHECK(dv_pairwise_order(pv, M, order, &err) == DV_EINVAL);
}

int main(void)
{
    RUN(test_pairwise_order);
    RUN(test_pairwise);
    RUN(test_mesh);
    RUN(test_nearest_mean);
    RUN(test_contour);
    RUN(test_add_one);
    RUN(test_candidate_memorization);
    RUN(test_ood_ensemble);
    RUN(test_add_game);
    return CHECK_DONE();
}
