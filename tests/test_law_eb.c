/*
 * test_law_eb.c -- the empirical-Bayes law against a plain recomputation:
 * each value is the point's mean shrunk toward its class mean (or its
 * nearest same-class neighbours' mean, found here by sorting every
 * distance) with the moment estimate of the prior variance, written here
 * from the formulas; the law's mean over the value's sizes is that value;
 * the shared (alpha, beta) is at least as likely as every point of a fine
 * grid under the profile likelihood, written here again; one-point classes
 * keep their means; the thread count does not change a bit; and on planted
 * values the shrunk means are closer to the truth than the raw means.
 */
#include "check.h"
#include "dval.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum { N = 90, M = 6, D = 2 };

static double X[N * D], delta[N * M], truth[N];
static int32_t card[N * M], head[N];

static void make_data(uint64_t seed)
{
    dv_rng r;
    dv_rng_seed(&r, seed, 3);
    for (size_t i = 0; i < N; i++) {
        X[i * D] = dv_rng_normal(&r);
        X[i * D + 1] = dv_rng_normal(&r);
        head[i] = i % 3 == 0;
        double c = 0.2 + 0.1 * X[i * D] + (head[i] ? 0.1 : 0.0), alpha = 0.7, sum = 0;
        for (int64_t k = 20; k <= 200; k++)
            sum += c * pow((double)k, -alpha);
        truth[i] = sum / 181.0;
        for (size_t j = 0; j < M; j++) {
            int32_t k = 20 + (int32_t)dv_rng_below(&r, 181);
            card[i * M + j] = k;
            delta[i * M + j] = c * pow(k, -alpha) + 0.02 * pow(k, -0.5) * dv_rng_normal(&r);
        }
    }
}

/* The profile negative log-likelihood of one class at (alpha, beta). */
static double profile_nll(int32_t h, double alpha, double beta)
{
    double total = 0;
    for (size_t i = 0; i < N; i++) {
        if (head[i] != h)
            continue;
        double suu = 0, sud = 0, slog = 0;
        for (size_t j = 0; j < M; j++) {
            double k = card[i * M + j], w = pow(k, beta), u = pow(k, -alpha);
            suu += w * u * u;
            sud += w * u * delta[i * M + j];
            slog += log(k);
        }
        double c = sud / suu, ss = 0;
        for (size_t j = 0; j < M; j++) {
            double k = card[i * M + j], r = delta[i * M + j] - c * pow(k, -alpha);
            ss += pow(k, beta) * r * r;
        }
        total += 0.5 * M * log(ss / M) - 0.5 * beta * slog;
    }
    return total;
}

/* The shrunk values written from the formulas (K = 0: class means). */
static void oracle_values(size_t K, double *out)
{
    double mean[N], var[N], mu[N];
    for (size_t i = 0; i < N; i++) {
        double s = 0, ss = 0;
        for (size_t j = 0; j < M; j++)
            s += delta[i * M + j];
        s /= M;
        for (size_t j = 0; j < M; j++)
            ss += (delta[i * M + j] - s) * (delta[i * M + j] - s);
        mean[i] = s;
        var[i] = ss / (M - 1) / M;
    }
    for (int32_t h = 0; h < 2; h++) {
        size_t n = 0;
        double bar = 0;
        for (size_t i = 0; i < N; i++)
            if (head[i] == h) {
                bar += mean[i];
                n++;
            }
        bar /= (double)n;
        for (size_t i = 0; i < N; i++) {
            if (head[i] != h)
                continue;
            mu[i] = bar;
            if (!K)
                continue;
            /* the K nearest by sorting all distances (ties by index) */
            double dist[N];
            size_t idx[N], m = 0;
            for (size_t q = 0; q < N; q++)
                if (head[q] == h && q != i) {
                    dist[m] = pow(X[i * D] - X[q * D], 2) + pow(X[i * D + 1] - X[q * D + 1], 2);
                    idx[m++] = q;
                }
            for (size_t a = 0; a < m; a++)
                for (size_t b = a + 1; b < m; b++)
                    if (dist[b] < dist[a] || (dist[b] == dist[a] && idx[b] < idx[a])) {
                        double t = dist[a];
                        dist[a] = dist[b];
                        dist[b] = t;
                        size_t u = idx[a];
                        idx[a] = idx[b];
                        idx[b] = u;
                    }
            double s = 0;
            for (size_t r = 0; r < K; r++)
                s += mean[idx[r]];
            mu[i] = s / (double)K;
        }
        double spread = 0, noise = 0;
        for (size_t i = 0; i < N; i++)
            if (head[i] == h) {
                spread += pow(mean[i] - mu[i], 2);
                noise += var[i];
            }
        double tau2 = K ? spread / (n * (1.0 + 1.0 / K)) - noise / n
                        : spread / (n - 1) - noise / n;
        tau2 = tau2 > 0 ? tau2 : 0;
        for (size_t i = 0; i < N; i++)
            if (head[i] == h)
                out[i] = mu[i] + tau2 / (tau2 + var[i]) * (mean[i] - mu[i]);
    }
}

static void check_values(size_t K)
{
    dv_law laws[N];
    dv_error err = {0};
    double want[N];
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, X, D, K, 20, 200, 2, laws, &err) == DV_OK);
    oracle_values(K, want);
    double worst = 0;
    for (size_t i = 0; i < N; i++) {
        double v = dv_law_mean_value(laws[i].c, laws[i].alpha, 20, 200);
        double e = fabs(v - want[i]) / fabs(want[i]);
        worst = e > worst ? e : worst;
    }
    CHECK_MSG(worst < 1e-10, "K = %zu: relative difference %.3g", K, worst);
}

static void test_values(void)
{
    make_data(1);
    check_values(0);
    check_values(5);
}

static void test_shape(void)
{
    make_data(2);
    dv_law laws[N];
    dv_error err = {0};
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, NULL, 0, 0, 20, 200, 1, laws, &err) == DV_OK);
    for (int32_t h = 0; h < 2; h++) {
        size_t i = h ? 0 : 1; /* a point of class h */
        double best = profile_nll(h, laws[i].alpha, laws[i].beta), lowest = INFINITY;
        for (double a = 0.01; a <= 3.0; a += 0.01)
            for (double b = 0.0; b <= 3.0; b += 0.05) {
                double f = profile_nll(h, a, b);
                lowest = f < lowest ? f : lowest;
            }
        CHECK_MSG(best <= lowest + 1e-6 * fabs(lowest), "class %d: %.10g above the grid's %.10g",
                  h, best, lowest);
        for (size_t q = 0; q < N; q++)
            if (head[q] == h)
                CHECK(laws[q].alpha == laws[i].alpha && laws[q].beta == laws[i].beta);
    }
    /* Shrinking helps: the values are closer to the planted ones than the
     * raw means. */
    double e_eb = 0, e_mean = 0;
    for (size_t i = 0; i < N; i++) {
        double s = 0;
        for (size_t j = 0; j < M; j++)
            s += delta[i * M + j];
        e_mean += pow(s / M - truth[i], 2);
        e_eb += pow(dv_law_mean_value(laws[i].c, laws[i].alpha, 20, 200) - truth[i], 2);
    }
    CHECK_MSG(e_eb < e_mean, "squared error %.3g (law_eb) vs %.3g (means)", e_eb, e_mean);
}

static void test_threads_and_edges(void)
{
    make_data(3);
    dv_law a[N], b[N];
    dv_error err = {0};
    int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, X, D, 4, 20, 200, 0, a, &err) == DV_OK);
    omp_set_num_threads(2);
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, X, D, 4, 20, 200, 0, b, &err) == DV_OK);
    omp_set_num_threads(nt);
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* A class of one point keeps its mean. */
    int32_t h1[N];
    for (size_t i = 0; i < N; i++)
        h1[i] = i == 7;
    CHECK(dv_law_fit_eb(delta, card, N, M, h1, 2, NULL, 0, 0, 20, 200, 1, a, &err) == DV_OK);
    double s = 0;
    for (size_t j = 0; j < M; j++)
        s += delta[7 * M + j];
    CHECK_NEAR(dv_law_mean_value(a[7].c, a[7].alpha, 20, 200), s / M, 1e-12 * fabs(s));
    /* Bad input is named. */
    CHECK(dv_law_fit_eb(delta, card, N, 1, head, 2, NULL, 0, 0, 20, 200, 1, a, &err) ==
          DV_EINVAL);
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, NULL, 0, 3, 20, 200, 1, a, &err) ==
          DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "features") != NULL, "%s", err.msg);
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, NULL, 0, 0, 200, 20, 1, a, &err) ==
          DV_EINVAL);
    delta[5] = NAN;
    CHECK(dv_law_fit_eb(delta, card, N, M, head, 2, NULL, 0, 0, 20, 200, 1, a, &err) ==
          DV_EINVAL);
    CHECK_MSG(strstr(err.msg, "sample 5 of point 0") != NULL, "%s", err.msg);
}

int main(void)
{
    RUN(test_values);
    RUN(test_shape);
    RUN(test_threads_and_edges);
    return CHECK_DONE();
}
