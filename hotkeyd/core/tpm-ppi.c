/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "tpm-ppi.h"

#define PPI_OPERATION_CLEAR 5
#define PPI_STATUS_ALLOWED_WITH_PRESENCE 3
#define PPI_STATUS_ALLOWED 4

/* Parses a decimal number at *p (no sign, no locale), moving past it. */
static bool parse_uint(const char **p, const char *end, unsigned *ret) {
        unsigned v = 0;
        const char *s = *p;

        if (s >= end || *s < '0' || *s > '9')
                return false;
        for (; s < end && *s >= '0' && *s <= '9'; s++) {
                if (v > 1000000)
                        return false;
                v = v * 10 + (unsigned) (*s - '0');
        }
        *p = s;
        *ret = v;
        return true;
}

bool tpm_ppi_clear_offered(const char *text, size_t size) {
        const char *p = text, *end = text + size;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                const char *line_end = eol ?: end;
                unsigned op, status;

                if (parse_uint(&p, line_end, &op) && p < line_end && *p == ' ' && (p++, true) &&
                    parse_uint(&p, line_end, &status) && p < line_end && *p == ':' &&
                    op == PPI_OPERATION_CLEAR)
                        return status == PPI_STATUS_ALLOWED_WITH_PRESENCE || status == PPI_STATUS_ALLOWED;

                p = eol ? eol + 1 : end;
        }
        return false;
}
