/*
 * check.h -- the assertion macros of the test programs.  They print both
 * sides and the location, count failures, and never vanish under NDEBUG.
 * Each test program registers its cases with RUN(name) and ends with
 * CHECK_DONE(), which prints "N passed, M failed".
 */
#ifndef DV_CHECK_H
#define DV_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures_ = 0, check_cases_failed_ = 0, check_cases_passed_ = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures_++;                                                   \
        }                                                                        \
    } while (0)

#define CHECK_MSG(cond, ...)                                                     \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
            check_failures_++;                                                   \
        }                                                                        \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                       \
    do {                                                                         \
        long long a_ = (long long)(a), b_ = (long long)(b);                      \
        if (a_ != b_) {                                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s = %lld, %s = %lld\n", \
                    __FILE__, __LINE__, #a, a_, #b, b_);                         \
            check_failures_++;                                                   \
        }                                                                        \
    } while (0)

/* |a - b| <= tol, with NaN failing. */
#define CHECK_NEAR(a, b, tol)                                                    \
    do {                                                                         \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);           \
        if (!(fabs(a_ - b_) <= t_)) {                                            \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.17g, %s = %.17g, |diff| = %.3g > %.3g\n", \
                    __FILE__, __LINE__, #a, a_, #b, b_, fabs(a_ - b_), t_);      \
            check_failures_++;                                                   \
        }                                                                        \
    } while (0)

#define RUN(fn)                                                                  \
    do {                                                                         \
        int before_ = check_failures_;                                           \
        fn();                                                                    \
        if (check_failures_ == before_) {                                        \
            check_cases_passed_++;                                               \
            printf("ok - %s\n", #fn);                                            \
        } else {                                                                 \
            check_cases_failed_++;                                               \
            printf("not ok - %s\n", #fn);                                        \
        }                                                                        \
        fflush(stdout);                                                          \
    } while (0)

#define CHECK_DONE()                                                             \
    (printf("%d passed, %d failed\n", check_cases_passed_, check_cases_failed_), \
     check_cases_failed_ ? 1 : 0)

#endif
