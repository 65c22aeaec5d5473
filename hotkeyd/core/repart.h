/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd-repart definition files (repart.d(5)), as far as a factory reset
 * cares: each file describes one partition in its [Partition] section; the
 * ones with FactoryReset=yes are erased by `systemd-repart --factory-reset`
 * on the next boot.  Pure: the parser gets a file's contents as text;
 * finding and reading files is repart-files.c's job.
 *
 * Parsed as systemd does: '#' and ';' start comment lines, keys and values
 * are stripped of surrounding whitespace, a line ending in a backslash
 * continues on the next one, booleans are yes/no/y/n/true/false/t/f/on/off/1/0
 * in any case, settings other than Type=, Label= and FactoryReset= are
 * ignored. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "parse-util.h"

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL. */
#define GPT_UUID_STRING_MAX 37

typedef struct RepartDefinition {
        char *file;          /* path of the definition file */
        unsigned line;       /* of its first [Partition] header */
        char *type;          /* Type= as written: a name ("root", "var") or a GUID */
        char type_uuid[GPT_UUID_STRING_MAX]; /* Type= resolved for this architecture, lower case */
        char *label;         /* Label= as written; NULL when not set */
        bool factory_reset;  /* FactoryReset= */
} RepartDefinition;

/* Called once per problem; line 0 means the whole file. */
typedef parse_error_fn repart_error_fn;

/* Parses one definition file.  Problems are reported through error_fn and
 * never stop the parse: a bad value is ignored as systemd-repart ignores it.
 * *ret is the partition, or NULL when the file defines none that
 * systemd-repart would accept (no [Partition] section, no valid Type=).
 * Returns 0, -EINVAL when something was reported, -ENOMEM.  The text need
 * not be NUL-terminated. */
int repart_parse_text(const char *file, const char *text, size_t size, repart_error_fn error_fn, void *userdata,
                      RepartDefinition **ret);

RepartDefinition *repart_definition_free(RepartDefinition *d);
DEFINE_POINTER_CLEANUP(RepartDefinition, repart_definition_free);

/* systemd's partition type names (src/shared/gpt.c: "root", "root-x86-64",
 * "usr-arm64-verity", "esp", "var", "linux-generic", ...) or a GUID with or
 * without dashes, in any case, to the canonical lower-case GUID.  "root",
 * "usr" and their -verity/-verity-sig forms mean the architecture hotkeyd
 * was built for.  -EINVAL for anything else. */
int gpt_partition_type_from_string(const char *s, char ret[static GPT_UUID_STRING_MAX]);

/* systemd's parse_boolean(): 1 (true), 0 (false) or -EINVAL. */
int parse_boolean(const char *s);
