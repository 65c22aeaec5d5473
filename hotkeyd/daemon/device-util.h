/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sd-device's getters for the callers that only ask "what is it, if
 * anything": NULL where sd-device returns an error (-ENOENT mostly). */

#include <systemd/sd-device.h>
#include <systemd/sd-event.h>

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

/* udev's events (not the kernel's: the node has its owner by then) of one
 * subsystem, to handler from the loop.  Negative errno; on failure *ret is
 * untouched. */
static inline int device_monitor_start(sd_event *event, const char *subsystem, sd_device_monitor_handler_t handler,
                                       void *userdata, sd_device_monitor **ret) {
        sd_device_monitor *m = NULL;
        int r;

        r = sd_device_monitor_new(&m);
        if (r >= 0)
                r = sd_device_monitor_filter_add_match_subsystem_devtype(m, subsystem, NULL);
        if (r >= 0)
                r = sd_device_monitor_attach_event(m, event);
        if (r >= 0)
                r = sd_device_monitor_start(m, handler, userdata);
        if (r < 0) {
                sd_device_monitor_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}
