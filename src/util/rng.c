/*
 * rng.c -- the pseudo-random number generator: xoshiro256** (Blackman and
 * Vigna, "Scrambled linear pseudorandom number generators", 2021), seeded
 * through splitmix64 from a (seed, stream) pair so that every work item can
 * own an independent, reproducible stream.
 */
#include "internal.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void dv_rng_seed(dv_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream id through its own splitmix64 step first, so that
     * neighbouring (seed, stream) pairs land far apart. */
    uint64_t t = stream;
    uint64_t x = seed ^ splitmix64(&t);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* the all-zero state is a fixed point */
}

uint64_t dv_rng_next(dv_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double dv_rng_uniform(dv_rng *r) { return (double)(dv_rng_next(r) >> 11) * 0x1.0p-53; }

/* Lemire, "Fast random integer generation in an interval", 2019. */
uint64_t dv_rng_below(dv_rng *r, uint64_t n)
{
    __uint128_t m = (__uint128_t)dv_rng_next(r) * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            m = (__uint128_t)dv_rng_next(r) * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double dv_rng_normal(dv_rng *r)
{
    /* Marsaglia's polar method; the second variate is discarded so that the
     * state holds no cache and a copied rng behaves identically. */
    for (;;) {
        double u = 2.0 * dv_rng_uniform(r) - 1.0;
        double v = 2.0 * dv_rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

void dv__shuffle_prefix(int64_t *a, size_t n, size_t m, dv_rng *r)
{
    for (size_t t = 0; t < m && t < n; t++) {
        size_t u = t + (size_t)dv_rng_below(r, n - t);
        int64_t tmp = a[t];
        a[t] = a[u];
        a[u] = tmp;
    }
}
