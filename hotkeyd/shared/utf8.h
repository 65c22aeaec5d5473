/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Text from the kernel or udev (a device's name) is bytes; D-Bus strings
 * must be valid UTF-8, and sd-bus refuses a whole message otherwise. */

#include <stdbool.h>

bool utf8_is_valid(const char *s);

/* A copy of s with every byte that does not start a valid UTF-8 sequence
 * (overlong forms, surrogates and code points above U+10FFFF included)
 * replaced by U+FFFD.  NULL when out of memory. */
char *utf8_escape_invalid(const char *s);
