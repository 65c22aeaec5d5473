/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Finds and reads the configuration files, with systemd's rules:
 *
 *   main file: the first of /etc/hotkeyd/hotkeyd.conf, /run/hotkeyd/hotkeyd.conf,
 *              /usr/lib/hotkeyd/hotkeyd.conf that exists;
 *   drop-ins:  hotkeyd.conf.d/<name>.conf in /etc, /run, /usr/lib; for each file
 *              name the first directory in that order wins, so /etc overrides
 *              /run overrides /usr/lib; a winner that is empty or a symlink to
 *              /dev/null masks the name.  Drop-ins are applied after the main
 *              file, in lexical order of their names.
 *
 * root (NULL or "/" for the real root) prefixes every directory, for tests.
 * explicit_path, when set, replaces the whole search with that one file. */

#include "config.h"

int config_load(const char *root, const char *explicit_path,
                config_error_fn error_fn, void *userdata, Config **ret);

/* An error_fn that logs "FILE:LINE: MESSAGE" through log.h (userdata unused). */
void config_log_error(const char *file, unsigned line, const char *message, void *userdata);
