/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <string.h>

#include "keys.h"

int key_from_name(const char *name) {
        /* libevdev already limits an EV_KEY lookup to KEY_* and BTN_*; the
         * explicit check keeps that promise independent of its version.
         * Names are compared exactly, so "key_power" is not a key. */
        if (!name || (strncmp(name, "KEY_", 4) != 0 && strncmp(name, "BTN_", 4) != 0))
                return -EINVAL;

        int code = libevdev_event_code_from_name(EV_KEY, name);
        /* KEY_RESERVED is code 0, which no device ever reports. */
        if (code <= KEY_RESERVED || code > KEY_MAX)
                return -EINVAL;
        return code;
}

const char *key_to_name(unsigned code) {
        if (code == KEY_RESERVED || code > KEY_MAX)
                return NULL;
        return libevdev_event_code_get_name(EV_KEY, code);
}
