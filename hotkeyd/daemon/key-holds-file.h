/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What was learned about keys (core/key-holds.c), kept in the state
 * directory: $STATE_DIRECTORY (systemd's StateDirectory=hotkeyd) or
 * /var/lib/hotkeyd, file "key-holds".  Written whole, to a temporary file
 * renamed over the old one, so a crash leaves the old or the new text. */

#include "key-holds.h"

/* The file's path: in $STATE_DIRECTORY (its first entry), else in
 * /var/lib/hotkeyd unless dry_run (a dry run keeps what it learns in
 * memory only then: it is no service and may run as anybody).  *ret NULL:
 * nowhere.  Returns 0 or -ENOMEM. */
int key_holds_file_path(bool dry_run, char **ret);

/* Reads the file into store.  A missing file is no problem; an unreadable
 * or invalid one is logged and ignored (store stays empty): what it held is
 * learned again. */
void key_holds_file_load(const char *path, KeyHoldsStore *store);

/* Writes store; failures are logged (what was learned stays in memory). */
int key_holds_file_save(const char *path, const KeyHoldsStore *store);
