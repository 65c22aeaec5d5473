/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The devices: what input.c reports feeds the key path
 * (manager-gesture.c), the Devices/DeviceKeys/TriggerAvailability
 * properties, what was learned about keys, and the start of input. */
#include <malloc.h>

#include "bus-api.h"
#include "event-util.h"
#include "key-holds-file.h"
#include "keys.h"
#include "log.h"
#include "manager.h"

/* How long after the last device went away the heap is trimmed: a dock
 * or a KVM switch removes many at once, one trim covers them all. */
#define TRIM_DELAY_USEC (1 * USEC_PER_SEC)

/* What can fire here (core/trigger-reach.c), from the devices present and
 * what is known of their keys: the property now, the journal once it
 * settled (reach-report.c). */
void manager_update_reach(Manager *m) {
        _cleanup_(trigger_reach_list_done) TriggerReachList reach = {};
        _cleanup_free_ DeviceKey *keys = NULL;
        size_t n = 0, max = 0;
        int r;

        if (m->reach_deferred)
                return;

        for (InputDevice *d = m->input ? input_first_device(m->input) : NULL; d; d = input_next_device(d))
                max += input_device_n_keys(d);
        keys = calloc(max + 1, sizeof *keys);
        if (!keys) {
                log_oom();
                return;
        }
        for (InputDevice *d = m->input ? input_first_device(m->input) : NULL; d; d = input_next_device(d))
                for (size_t i = 0; i < input_device_n_keys(d); i++)
                        keys[n++] = (DeviceKey) {
                                .node = input_device_node(d),
                                .name = input_device_name(d),
                                .seat = input_device_seat(d),
                                .code = input_device_key_code(d, i),
                                .holds = input_device_key_holds(d, i, NULL),
                        };

        r = trigger_reach_compute(m->config, keys, n, &reach);
        if (r < 0) {
                log_error_errno(r, "Failed to work out which triggers can fire, keeping the last answer: %m");
                return;
        }

        trigger_reach_list_done(&m->reach);
        m->reach = reach;
        reach = (TriggerReachList) {};
        reach_report_changed(m->reach_report, m->config, &m->reach);
        bus_api_emit_changed(m, STRV_MAKE("TriggerAvailability"));
}

static void manager_on_device_added(InputDevice *d, void *userdata) {
        Manager *m = userdata;

        bus_api_emit_changed(m, STRV_MAKE("Devices", "DeviceKeys"));
        manager_notify_status(m);
        manager_update_reach(m);
}

/* A press and its release showed what a key does: remembered (in the
 * state directory, for the next start), and what can fire may change. */
static void manager_on_key_holds_changed(InputDevice *d, unsigned code, void *userdata) {
        Manager *m = userdata;
        const char *reason;
        KeyHolds holds = KEY_HOLDS_UNKNOWN;
        int r;

        for (size_t i = 0; i < input_device_n_keys(d); i++)
                if (input_device_key_code(d, i) == code)
                        holds = input_device_key_holds(d, i, &reason);
        if (holds == KEY_HOLDS_UNKNOWN)
                return;

        log_info("%s (%s): %s %s (%s).", input_device_node(d), input_device_name(d), strna(key_to_name(code)),
                 holds == KEY_HOLDS_YES ? "can be held" : "cannot be held", reason);

        r = key_holds_store_set(&m->holds_store, input_device_identity(d), code, holds);
        if (r < 0)
                log_error_errno(r, "Failed to remember what %s does: %m", strna(key_to_name(code)));
        else if (r > 0 && m->holds_path)
                (void) key_holds_file_save(m->holds_path, &m->holds_store);

        bus_api_emit_changed(m, STRV_MAKE("DeviceKeys"));
        manager_update_reach(m);
}

static int manager_on_trim_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        /* A device's state (libevdev's, udev's) is a few KiB in many small
         * blocks; after a burst of removals the freed ones are scattered
         * over the heap, which malloc alone would keep resident for good
         * (measured: 1.6 MiB after 200 keyboards came and went). */
        (void) malloc_trim(0);
        return 0;
}

static void manager_schedule_trim(Manager *m) {
        int r;

        r = event_reset_time_relative(m->event, &m->trim_timer, CLOCK_MONOTONIC, TRIM_DELAY_USEC, USEC_PER_SEC,
                                      manager_on_trim_timer, m, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                log_debug_errno(r, "Failed to schedule giving memory back, ignoring: %m");
}

static void manager_on_device_removed(InputDevice *d, usec_t t, void *userdata) {
        Manager *m = userdata;

        manager_gesture_device_gone(m, d, t);
        bus_api_emit_changed(m, STRV_MAKE("Devices", "DeviceKeys"));
        manager_notify_status(m);
        manager_schedule_trim(m);
        /* input.c unlinked the device already: it no longer counts. */
        manager_update_reach(m);
}

static const InputCallbacks input_callbacks = {
        .key = manager_on_key,
        .device_added = manager_on_device_added,
        .device_removed = manager_on_device_removed,
        .key_holds_changed = manager_on_key_holds_changed,
};

/* The keys of the triggers, for the input edge and logind's inhibitors;
 * none for Mode=off or no trigger.  Out of memory is an error and never
 * "no keys": taken for none, a reload would close every device and
 * release every inhibitor. */
int manager_watched_keys(const Config *c, unsigned **ret, size_t *ret_n) {
        *ret = NULL;
        *ret_n = 0;
        /* Mode=off watches nothing: no device is opened at all. */
        if (c->mode == DAEMON_MODE_OFF || c->n_triggers == 0)
                return 0;

        unsigned *keys = calloc(c->n_triggers * TRIGGER_KEYS_MAX, sizeof *keys);
        if (!keys)
                return -ENOMEM;
        *ret_n = config_trigger_keys(c, keys);
        *ret = keys;
        return 0;
}

int manager_start_input(Manager *m) {
        _cleanup_free_ unsigned *keys = NULL;
        size_t n_keys;
        int r;

        r = manager_watched_keys(m->config, &keys, &n_keys);
        if (r < 0)
                return log_error_errno(r, "Failed to list the trigger keys: %m");
        if (m->config->mode == DAEMON_MODE_OFF)
                log_info("Mode=off: not watching any input device.");
        else if (n_keys == 0)
                log_info("No trigger configured: not watching any input device.");

        r = input_new(m->event, keys, n_keys, &input_callbacks, m, &m->input);
        if (r < 0)
                return log_error_errno(r, "Failed to set up input: %m");
        input_set_holds_store(m->input, &m->holds_store);

        if (n_keys > 0) {
                r = input_start(m->input);
                if (r < 0)
                        return r;
        }
        m->reach_deferred = false;
        manager_update_reach(m);
        /* The start freed much of what it allocated (the configuration's
         * parse, the enumeration of every input device, the probes of those
         * without a trigger key): as after removals. */
        manager_schedule_trim(m);
        return 0;
}
