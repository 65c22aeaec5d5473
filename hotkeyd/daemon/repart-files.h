/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Finds and parses systemd-repart's definition files with systemd's rules
 * (conf-search.h): *.conf in /etc/repart.d, /run/repart.d,
 * /usr/local/lib/repart.d and /usr/lib/repart.d, the first directory with a
 * name wins, empty files and /dev/null symlinks mask, lexical order.
 *
 * $HOTKEYD_REPART_DIRS (colon-separated directories, in order of
 * precedence) replaces that list; it exists for the tests. */

#include "repart.h"

#define REPART_DIRS_ENV "HOTKEYD_REPART_DIRS"

/* dirs: colon-separated, NULL for systemd's directories.  Every problem
 * (unreadable file, malformed definition) is reported through error_fn and
 * skips only what it concerns.  *ret holds the definitions that define a
 * partition, in file order.  Returns 0 or -ENOMEM. */
int repart_load(const char *dirs, repart_error_fn error_fn, void *userdata, RepartDefinition ***ret,
                size_t *ret_n);

void repart_definitions_free(RepartDefinition **l, size_t n);
