/*
 * A minimal assertion kit shared by every test program: each CHECK counts, a failure
 * prints where and why and the run goes on; test_report() prints the closing line
 * "N passed, N failed" and returns the exit status.
 */
#ifndef CAMPAIGN_TEST_CHECK_H
#define CAMPAIGN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_passed, check_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *a_ = (actual), *e_ = (expected);                                               \
        CHECK(a_ &&strcmp(a_, e_) == 0, "\n  expected: %s\n  actual:   %s", e_,                    \
              a_ ? a_ : "(null)");                                                                 \
    } while (0)

#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                            \
        CHECK(a_ == e_, "expected %lld, got %lld", e_, a_);                                        \
    } while (0)

/* Prints "N passed, N failed" and returns 0 when nothing failed (and something ran). */
static inline int test_report(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 && check_passed > 0 ? 0 : 1;
}

#define CHECK_DEFINE_COUNTERS int check_passed, check_failed

#endif
