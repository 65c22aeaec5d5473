/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd's rules for finding and reading configuration files, shared by
 * hotkeyd.conf's drop-ins (config-load.c) and repart.d definitions
 * (repart-files.c):
 *
 *   - the directories are given in order of precedence; for each file name
 *     the first directory that has it wins;
 *   - a winner that is empty or a symlink to /dev/null masks the name;
 *   - the files are used in lexical (strcmp) order of their names. */

#include <stddef.h>

#include "macro.h"
#include "parse-util.h"

/* Problems with a whole file are reported with line 0. */
typedef parse_error_fn conf_error_fn;

/* Reports a problem with a whole file: "WHAT: strerror(error)", or just WHAT
 * when error is 0. */
void conf_report(conf_error_fn error_fn, void *userdata, const char *file, const char *what, int error);

/* root + dir [+ "/" + name]; root NULL or "/" for the real root. */
char *conf_path_join(const char *root, const char *dir, const char *name);

/* systemd's masking rule: a symlink to /dev/null, /dev/null itself, or an
 * empty file. */
bool conf_file_is_masked(const char *path);

/* Reads a whole file of at most max_size bytes.  /dev/null reads as empty.
 * A missing file is -ENOENT without a report; every other problem is
 * reported.  *ret is NUL-terminated. */
int conf_file_read(const char *path, size_t max_size, conf_error_fn error_fn, void *userdata, char **ret,
                   size_t *ret_size);

/* The winning, unmasked files named *suffix in root + dirs[i], in lexical
 * order of their names.  Unreadable directories are reported and skipped;
 * the list is still returned then, with the first error.  Free with
 * strv_free_n(). */
int conf_files_list(const char *root, const char *const *dirs, size_t n_dirs, const char *suffix,
                    conf_error_fn error_fn, void *userdata, char ***ret, size_t *ret_n);

void strv_free_n(char **l, size_t n);
