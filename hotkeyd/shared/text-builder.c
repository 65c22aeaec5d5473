/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text-builder.h"

void text_builder_add(TextBuilder *b, const char *format, ...) {
        _cleanup_free_ char *piece = NULL;
        va_list ap;
        int n;

        assert(b);
        assert(format);

        if (b->failed)
                return;
        va_start(ap, format);
        n = vasprintf(&piece, format, ap);
        va_end(ap);
        char *grown = n < 0 ? NULL : realloc(b->text, b->length + (size_t) n + 1);
        if (!grown) {
                b->failed = true;
                return;
        }
        memcpy(grown + b->length, piece, (size_t) n + 1);
        b->text = grown;
        b->length += (size_t) n;
}

int text_builder_take(TextBuilder *b, char **ret) {
        assert(b);
        assert(ret);

        if (b->failed) {
                text_builder_done(b);
                return -ENOMEM;
        }
        if (!b->text) {
                b->text = strdup("");
                if (!b->text)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(b->text);
        *b = (TextBuilder) {};
        return 0;
}

void text_builder_done(TextBuilder *b) {
        assert(b);

        free(b->text);
        *b = (TextBuilder) {};
}
