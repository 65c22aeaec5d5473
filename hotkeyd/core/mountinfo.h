/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads /proc/self/mountinfo text (proc(5)): where a block device is
 * mounted.  Pure: the caller reads the file. */

#include <stddef.h>

/* The mount point of the first mount of device major:minor (field 3), with
 * the kernel's octal escapes (\040 for a space) decoded.  *ret is NULL when
 * the device is not mounted.  Returns 0 or -ENOMEM. */
int mountinfo_find(const char *text, size_t size, unsigned major, unsigned minor, char **ret);
