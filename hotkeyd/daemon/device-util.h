/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sd-device's getters for the callers that only ask "what is it, if
 * anything": NULL where sd-device returns an error (-ENOENT mostly). */

#include <systemd/sd-device.h>

static inline const char *device_property(sd_device *device, const char *key) {
        const char *value;

        return sd_device_get_property_value(device, key, &value) >= 0 ? value : NULL;
}

static inline const char *device_sysattr(sd_device *device, const char *attr) {
        const char *value;

        return sd_device_get_sysattr_value(device, attr, &value) >= 0 ? value : NULL;
}

static inline const char *device_devname(sd_device *device) {
        const char *value;

        return sd_device_get_devname(device, &value) >= 0 ? value : NULL;
}

static inline const char *device_sysname(sd_device *device) {
        const char *value;

        return sd_device_get_sysname(device, &value) >= 0 ? value : NULL;
}

static inline const char *device_syspath(sd_device *device) {
        const char *value;

        return sd_device_get_syspath(device, &value) >= 0 ? value : NULL;
}
