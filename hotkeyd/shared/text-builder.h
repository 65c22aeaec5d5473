/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Text built up piece by piece; the first allocation failure sticks and
 * is reported once, by text_builder_take().  Not open_memstream(): that
 * runs at every hotplug (what can fire), and ASan's interceptor for it
 * aborts once a FILE address comes back often enough (seen after 6600
 * plugs and unplugs). */
typedef struct TextBuilder {
        char *text; /* NULL until something was added */
        size_t length;
        bool failed;
} TextBuilder;

_printf_(2, 3) void text_builder_add(TextBuilder *b, const char *format, ...);
static inline bool text_builder_is_empty(const TextBuilder *b) {
        return b->length == 0;
}
/* The text ("" when nothing was added), or -ENOMEM; either way the
 * builder is empty again. */
int text_builder_take(TextBuilder *b, char **ret);
void text_builder_done(TextBuilder *b);
