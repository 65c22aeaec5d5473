/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _sentinel_ __attribute__((sentinel))
#define _noreturn_ __attribute__((noreturn))
#define _fallthrough_ __attribute__((fallthrough))

#define UID_FMT "%" PRIu32
#define PID_FMT "%" PRIi32
#define UID_INVALID ((uid_t) -1)

/* assert() that an expression (a callback's userdata) is not NULL, and
 * hand it on: Foo *f = ASSERT_PTR(userdata); */
#define ASSERT_PTR(expr)                \
        ({                              \
                typeof(expr) _p = (expr); \
                assert(_p);             \
                _p;                     \
        })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define MAX(a, b)                               \
        ({                                      \
                typeof(a) _a = (a);             \
                typeof(b) _b = (b);             \
                _a > _b ? _a : _b;              \
        })

#define MIN(a, b)                               \
        ({                                      \
                typeof(a) _a = (a);             \
                typeof(b) _b = (b);             \
                _a < _b ? _a : _b;              \
        })

/* Whether x equals any of the listed values. */
#define IN_SET(x, ...)                                                  \
        ({                                                              \
                typeof(x) _x = (x);                                     \
                const typeof(x) _set[] = { __VA_ARGS__ };               \
                bool _found = false;                                    \
                for (size_t _i = 0; _i < ELEMENTSOF(_set); _i++)        \
                        if (_set[_i] == _x) {                           \
                                _found = true;                          \
                                break;                                  \
                        }                                               \
                _found;                                                 \
        })

/* A NULL-terminated string list for the duration of the full expression. */
#define STRV_MAKE(...) ((char *[]) { __VA_ARGS__, NULL })

#define TAKE_PTR(p)                     \
        ({                              \
                typeof(p) _taken = (p); \
                (p) = NULL;             \
                _taken;                 \
        })

#define TAKE_FD(fd)                  \
        ({                           \
                int _taken = (fd);   \
                (fd) = -EBADF;       \
                _taken;              \
        })

/* Doubly linked lists through "next" and "prev" members. */
#define LIST_UNLINK(head, item)                                 \
        do {                                                    \
                if ((item)->prev)                               \
                        (item)->prev->next = (item)->next;      \
                else                                            \
                        (head) = (item)->next;                  \
                if ((item)->next)                               \
                        (item)->next->prev = (item)->prev;      \
                (item)->next = (item)->prev = NULL;             \
        } while (0)

#define LIST_PREPEND(head, item)                \
        do {                                    \
                (item)->next = (head);          \
                if (head)                       \
                        (head)->prev = (item);  \
                (head) = (item);                \
        } while (0)

/* Defines a cleanup function fooP(Foo **p) for a destructor foo(Foo *) that
 * accepts NULL, for use with _cleanup_. */
#define DEFINE_POINTER_CLEANUP(type, func)              \
        static inline void func##p(type **p) {          \
                if (*p)                                 \
                        func(*p);                       \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Frees and returns NULL, to store back: p = mfree(p). */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

/* Closes fd if it is one; returns -EBADF to store back. */
static inline int safe_close(int fd) {
        if (fd >= 0)
                (void) close(fd);
        return -EBADF;
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

static inline bool isempty(const char *s) {
        return !s || !s[0];
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

/* Maps an enum value to its name; NULL when out of range. */
#define DEFINE_STRING_TABLE_TO_STRING(name, type)                               \
        const char *name##_to_string(type i) {                                  \
                if ((size_t) i >= ELEMENTSOF(name##_table))                     \
                        return NULL;                                            \
                return name##_table[i];                                         \
        }

/* The same, plus name##_from_string(): -EINVAL for unknown names. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                  \
        DEFINE_STRING_TABLE_TO_STRING(name, type)                               \
        type name##_from_string(const char *s) {                                \
                if (!s)                                                         \
                        return (type) -EINVAL;                                  \
                for (size_t i = 0; i < ELEMENTSOF(name##_table); i++)           \
                        if (name##_table[i] && streq(name##_table[i], s))       \
                                return (type) i;                                \
                return (type) -EINVAL;                                          \
        }
