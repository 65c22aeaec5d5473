/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the line-based parsers of the core (config-parse.c, repart.c) share:
 * reporting problems with file and line, and locale-independent
 * whitespace handling. */

#include <stdbool.h>

#include "macro.h"

/* Called once per problem found; line 0 means the whole file. */
typedef void (*parse_error_fn)(const char *file, unsigned line, const char *message, void *userdata);

typedef struct ParseReporter {
        const char *file;
        parse_error_fn error_fn; /* may be NULL: problems are only counted */
        void *userdata;
        unsigned n_errors;
} ParseReporter;

_printf_(3, 4) void parse_report(ParseReporter *r, unsigned line, const char *format, ...);

/* Locale-independent on purpose: a file must mean the same everywhere. */
bool parse_is_space(char c);
/* Strips leading and trailing whitespace in place. */
char *parse_strip(char *s);

/* The value of one hex digit, either case; -EINVAL for anything else. */
int unhexchar(char c);
