/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* systemd-repart definitions come from the image and the administrator; the
 * parser that says what a reset would erase must survive anything, never
 * read past its input (which is not NUL-terminated) and only ever return a
 * definition systemd-repart would accept. */

#include "fuzz.h"
#include "repart.h"

static void count_problem(const char *file, unsigned line, const char *message, void *userdata) {
        size_t *n = userdata;

        *n += strlen(file) + strlen(message) + line % 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = NULL;
        char uuid[GPT_UUID_STRING_MAX];
        size_t n = 0;

        if (repart_parse_text("fuzz.conf", (const char *) data, size, count_problem, &n, &d) == -ENOMEM)
                return 0;
        if (!d)
                return 0;

        /* What was accepted has a type that resolves to the GUID it carries. */
        if (!d->type || gpt_partition_type_from_string(d->type, uuid) < 0 || !streq(uuid, d->type_uuid))
                abort();
        if (strlen(d->type_uuid) != GPT_UUID_STRING_MAX - 1)
                abort();
        return 0;
}
