/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A minimal test harness.  TEST(name) { ... } defines a case; each test
 * program ends with TEST_MAIN.  tests/meson.build finds the cases by their
 * "\nTEST(" lines and registers each one as its own meson test, which runs
 * the program with the case name as argument; at build time it checks that
 * list against the program's own ("--list", tests/check-test-list.py), so a
 * case written differently fails the build instead of never running. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct TestCase {
        const char *name;
        void (*func)(void);
        struct TestCase *next;
} TestCase;

/* Cases register themselves from constructors into one list; unlike a linker
 * section this needs no help from the toolchain and is left alone by ASan. */
static TestCase *test_cases, **test_cases_tail = &test_cases;

static inline void test_register(TestCase *t) {
        *test_cases_tail = t;
        test_cases_tail = &t->next;
}

#define TEST(n)                                                 \
        static void test_##n(void);                             \
        static TestCase test_case_##n = { #n, test_##n, NULL }; \
        __attribute__((constructor)) static void test_register_##n(void) { \
                test_register(&test_case_##n);                  \
        }                                                       \
        static void test_##n(void)

#define FAIL(fmt, ...)                                                                            \
        do {                                                                                      \
                fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__, __func__, ##__VA_ARGS__); \
                abort();                                                                          \
        } while (0)

#define ASSERT_TRUE(expr)                                        \
        do {                                                     \
                if (!(expr))                                     \
                        FAIL("assertion failed: %s", #expr);     \
        } while (0)

#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))

#define ASSERT_EQ(a, b)                                                                          \
        do {                                                                                     \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);                               \
                if (_a != _b)                                                                    \
                        FAIL("%s == %s: %jd != %jd", #a, #b, _a, _b);                            \
        } while (0)

#define ASSERT_UEQ(a, b)                                                                         \
        do {                                                                                     \
                uintmax_t _a = (uintmax_t) (a), _b = (uintmax_t) (b);                            \
                if (_a != _b)                                                                    \
                        FAIL("%s == %s: %ju != %ju", #a, #b, _a, _b);                            \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                       \
        do {                                                                                     \
                const char *_a = (a), *_b = (b);                                                 \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                           \
                        FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, _a ?: "(null)", _b ?: "(null)"); \
        } while (0)

static inline int test_main(int argc, char *argv[]) {
        if (argc > 1 && strcmp(argv[1], "--list") == 0) {
                for (const TestCase *t = test_cases; t; t = t->next)
                        printf("%s\n", t->name);
                return 0;
        }

        unsigned ran = 0;
        for (const TestCase *t = test_cases; t; t = t->next) {
                if (argc > 1 && strcmp(argv[1], t->name) != 0)
                        continue;
                fprintf(stderr, "== %s\n", t->name);
                t->func();
                ran++;
        }
        if (ran == 0) {
                fprintf(stderr, "no test case named %s\n", argc > 1 ? argv[1] : "(any)");
                return 1;
        }
        return 0;
}

/* Problems the line parsers report (parse_error_fn in core/parse-util.h),
 * kept as "FILE:LINE: MESSAGE", or "FILE: MESSAGE" for a problem of the
 * whole file (line 0), for assertions; counted beyond ERRORS_MAX. */
#define ERRORS_MAX 32

typedef struct Errors {
        size_t n;
        char text[ERRORS_MAX][1024];
} Errors;

static inline void errors_collect(const char *file, unsigned line, const char *message, void *userdata) {
        Errors *e = userdata;

        if (e->n < ERRORS_MAX) {
                if (line > 0)
                        snprintf(e->text[e->n], sizeof e->text[e->n], "%s:%u: %s", file, line, message);
                else
                        snprintf(e->text[e->n], sizeof e->text[e->n], "%s: %s", file, message);
        }
        e->n++;
}

static inline void errors_dump(const Errors *e) {
        for (size_t i = 0; i < e->n && i < ERRORS_MAX; i++)
                fprintf(stderr, "  reported: %s\n", e->text[i]);
}

#define TEST_MAIN                                       \
        int main(int argc, char *argv[]) {              \
                return test_main(argc, argv);           \
        }
