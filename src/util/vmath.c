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
__m256d _ZGVdN4v_exp(__m256d x);
__m256d _ZGVdN4v_log(__m256d x);
__m256d _ZGVdN4v_log1p(__m256d x);

static int have_avx2(void) { return __builtin_cpu_supports("avx2"); }

#define DV__VEC_FN(name, vfn)                                              \
    __attribute__((target("avx2"))) static size_t name(double *x, size_t n) \
    {                                                                      \
        size_t i = 0;                                                      \
        for (; i + 4 <= n; i += 4)                                         \
            _mm256_storeu_pd(x + i, vfn(_mm256_loadu_pd(x + i)));          \
        return i;                                                          \
    }
DV__VEC_FN(vexp4, _ZGVdN4v_exp)
DV__VEC_FN(vlog4, _ZGVdN4v_log)
DV__VEC_FN(vlog1p4, _ZGVdN4v_log1p)
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
