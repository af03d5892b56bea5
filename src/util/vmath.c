/*
 * vmath.c -- exp, log and log1p over arrays, four doubles at a time with
 * glibc's vector math library (libmvec, accurate to about one ulp) where
 * the processor has AVX2, one at a time otherwise.  The hot loops of the
 * sampler spend much of their time here.
 */
#include "internal.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DV_HAVE_MVEC 1
#define DV__AVX2 __attribute__((target("avx2")))
DV__AVX2 __m256d _ZGVdN4v_exp(__m256d x);
DV__AVX2 __m256d _ZGVdN4v_log(__m256d x);
DV__AVX2 __m256d _ZGVdN4v_log1p(__m256d x);

static int have_avx2(void) { return __builtin_cpu_supports("avx2"); }

#define DV__VEC_FN(name, vfn)                                              \
    DV__AVX2 static size_t name(double *x, size_t n)                        \
    {                                                                      \
        size_t i = 0;                                                      \
        for (; i + 4 <= n; i += 4)                                         \
            _mm256_storeu_pd(x + i, vfn(_mm256_loadu_pd(x + i)));          \
        return i;                                                          \
    }
DV__VEC_FN(vexp4, _ZGVdN4v_exp)
DV__VEC_FN(vlog4, _ZGVdN4v_log)
DV__VEC_FN(vlog1p4, _ZGVdN4v_log1p)

/* 1 / (1 + e^x), optionally clipped to [lo, hi] and logged; the same
 * operations as the scalar tail (division and min/max are exact), so the
 * results do not depend on the path. */
DV__AVX2 static size_t vsig4(double *x, size_t n, int clip_log, double lo, double hi)
{
    const __m256d one = _mm256_set1_pd(1.0), vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d q = _mm256_div_pd(one, _mm256_add_pd(one, _ZGVdN4v_exp(_mm256_loadu_pd(x + i))));
        if (clip_log)
            q = _ZGVdN4v_log(_mm256_min_pd(_mm256_max_pd(q, vlo), vhi));
        _mm256_storeu_pd(x + i, q);
    }
    return i;
}
#endif

void dv__vexp(double *x, size_t n)
{
    size_t i = 0;
#ifdef DV_HAVE_MVEC
    if (have_avx2())
        i = vexp4(x, n);
#endif
    for (; i < n; i++)
        x[i] = exp(x[i]);
}

void dv__vlog(double *x, size_t n)
{
    size_t i = 0;
#ifdef DV_HAVE_MVEC
    if (have_avx2())
        i = vlog4(x, n);
#endif
    for (; i < n; i++)
        x[i] = log(x[i]);
}

void dv__vlog1p(double *x, size_t n)
{
    size_t i = 0;
#ifdef DV_HAVE_MVEC
    if (have_avx2())
        i = vlog1p4(x, n);
#endif
    for (; i < n; i++)
        x[i] = log1p(x[i]);
}

static void vsig(double *x, size_t n, int clip_log, double lo, double hi)
{
    size_t i = 0;
#ifdef DV_HAVE_MVEC
    if (have_avx2())
        i = vsig4(x, n, clip_log, lo, hi);
#endif
    for (; i < n; i++) {
        double q = 1.0 / (1.0 + exp(x[i]));
        if (clip_log)
            x[i] = log(q < lo ? lo : q > hi ? hi : q);
        else
            x[i] = q;
    }
}

void dv__vsigmoid_neg(double *x, size_t n) { vsig(x, n, 0, 0.0, 0.0); }

void dv__vlog_sigmoid_neg(double *x, size_t n, double lo, double hi) { vsig(x, n, 1, lo, hi); }
