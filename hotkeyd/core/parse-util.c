/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>

#include "parse-util.h"

void parse_report(ParseReporter *r, unsigned line, const char *format, ...) {
        char message[512];
        va_list ap;

        va_start(ap, format);
        vsnprintf(message, sizeof message, format, ap);
        va_end(ap);

        r->n_errors++;
        if (r->error_fn)
                r->error_fn(r->file, line, message, r->userdata);
}

bool parse_is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char *parse_strip(char *s) {
        while (parse_is_space(*s))
                s++;
        char *e = s + strlen(s);
        while (e > s && parse_is_space(e[-1]))
                *--e = 0;
        return s;
}

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}
