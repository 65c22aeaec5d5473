/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kernel key names ("KEY_POWER") <-> codes, from libevdev's tables.  Only
 * EV_KEY codes are accepted. */

/* Returns the code (>= 0) or -EINVAL when the name is not a key. */
int key_from_name(const char *name);

/* Returns the name, or NULL for an unknown code. */
const char *key_to_name(unsigned code);
