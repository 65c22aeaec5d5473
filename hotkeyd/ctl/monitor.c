/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <time.h>
#include <systemd/sd-event.h>

#include "bus-names.h"
#include "bus-util.h"
#include "hotkeyctl.h"
#include "log.h"
#include "time-util.h"

/* One line per signal, in the words of the dry-run lines (gesture-line.h).
 * The arguments are printed name=value in order; durations travel in µs
 * and are shown in ms, as the names say. */
static const struct {
        const char *member;
        const char *word;
        const char *const *args;
} signal_table[] = {
#define ARGS(...) (const char *const[]) { __VA_ARGS__, NULL }
        { "HoldStarted", "hold-start", ARGS("trigger", "seat", "device") },
        { "HoldProgress", "hold-progress", ARGS("trigger", "seat", "elapsed_ms", "total_ms") },
        { "HoldCancelled", "hold-cancel", ARGS("trigger", "seat", "elapsed_ms", "reason") },
        { "Triggered", "trigger", ARGS("trigger", "seat") },
#undef ARGS
};

/* Wall-clock time with milliseconds, so lines can be matched against the
 * journal. */
static void print_timestamp(void) {
        usec_t now = now_usec(CLOCK_REALTIME);
        time_t sec = (time_t) (now / USEC_PER_SEC);
        struct tm tm;
        char buf[16];

        if (!localtime_r(&sec, &tm) || strftime(buf, sizeof buf, "%H:%M:%S", &tm) == 0)
                strcpy(buf, "??:??:??");
        printf("[%s.%03u] ", buf, (unsigned) (now % USEC_PER_SEC / USEC_PER_MSEC));
}

static void print_end(void) {
        putchar('\n');
        /* Whoever reads a pipe wants each line as it happens. */
        fflush(stdout);
}

/* " NAME=value" for the next argument of a signal: times in ms. */
static int print_argument(sd_bus_message *m, const char *name) {
        const char *s;
        uint64_t t;
        char type = 0;
        int r;

        (void) sd_bus_message_peek_type(m, &type, NULL);
        if (type == SD_BUS_TYPE_UINT64) {
                r = sd_bus_message_read_basic(m, 't', &t);
                if (r < 0)
                        return r;
                printf(" %s=%" PRIu64, name, t / USEC_PER_MSEC);
                return 0;
        }

        r = sd_bus_message_read_basic(m, 's', &s);
        if (r < 0)
                return r;
        printf(" %s=%s", name, s);
        return 0;
}

static int on_gesture_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        size_t i = (size_t) (uintptr_t) userdata;
        int r;

        print_timestamp();
        fputs(signal_table[i].word, stdout);
        for (const char *const *a = signal_table[i].args; *a; a++) {
                r = print_argument(m, *a);
                if (r < 0) {
                        errno = -r;
                        printf(" (unexpected arguments: %m)");
                        break;
                }
        }
        print_end();
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *changed = NULL, *invalidated = NULL;
        const char *interface;
        int r;

        r = sd_bus_message_read_basic(m, 's', &interface);
        if (r < 0 || !streq(interface, HOTKEYD_BUS_INTERFACE))
                return 0;
        r = bus_message_read_json(m, &changed);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the changed properties of a PropertiesChanged signal, "
                                  "ignoring: %m");
                return 0;
        }

        r = bus_message_read_json(m, &invalidated);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the invalidated properties of a PropertiesChanged signal, "
                                  "ignoring: %m");
                return 0;
        }

        print_timestamp();
        fputs("properties-changed", stdout);
        /* An object's elements are its keys and values, alternating. */
        for (size_t i = 0; i + 1 < sd_json_variant_elements(changed); i += 2) {
                _cleanup_free_ char *value = NULL;

                r = sd_json_variant_format(sd_json_variant_by_index(changed, i + 1), 0, &value);
                printf(" %s=%s", sd_json_variant_string(sd_json_variant_by_index(changed, i)),
                       r < 0 ? "?" : value);
        }
        for (size_t i = 0; i < sd_json_variant_elements(invalidated); i++)
                printf(" %s (invalidated)", sd_json_variant_string(sd_json_variant_by_index(invalidated, i)));
        print_end();
        return 0;
}

static int subscribe(sd_bus *bus) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++) {
                r = sd_bus_match_signal(bus, NULL, HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE,
                                        signal_table[i].member, on_gesture_signal, (void *) (uintptr_t) i);
                if (r < 0)
                        return r;
        }
        return sd_bus_match_signal(bus, NULL, HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH, "org.freedesktop.DBus.Properties",
                                   "PropertiesChanged", on_properties_changed, NULL);
}

static void warn_if_not_running(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int has_owner = 0;

        if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", NULL, &reply, "s", HOTKEYD_BUS_NAME) >= 0 &&
            sd_bus_message_read(reply, "b", &has_owner) >= 0 && !has_owner)
                log_warning("hotkeyd is not running yet; its signals are shown once it is.");
}

int verb_monitor(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        int r;

        r = ctl_bus_open(&bus);
        if (r != 0)
                return r;

        r = sd_event_default(&event);
        if (r < 0) {
                log_error_errno(r, "Failed to create the event loop: %m");
                return CTL_EXIT_FAILURE;
        }

        /* No handler: the signal ends the loop with exit code 0. */
        r = sd_event_add_signal(event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, NULL, NULL);
        if (r < 0) {
                log_error_errno(r, "Failed to watch SIGINT: %m");
                return CTL_EXIT_FAILURE;
        }

        r = sd_event_add_signal(event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, NULL, NULL);
        if (r < 0) {
                log_error_errno(r, "Failed to watch SIGTERM: %m");
                return CTL_EXIT_FAILURE;
        }

        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                log_error_errno(r, "Failed to attach the bus to the event loop: %m");
                return CTL_EXIT_FAILURE;
        }

        /* Losing the bus ends the loop (with a non-zero code) instead of
         * waiting forever on nothing. */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0) {
                log_error_errno(r, "Failed to make the loop end with the bus: %m");
                return CTL_EXIT_FAILURE;
        }

        r = subscribe(bus);
        if (r < 0) {
                log_error_errno(r, "Cannot subscribe to hotkeyd's signals: %m");
                return CTL_EXIT_UNREACHABLE;
        }
        warn_if_not_running(bus);
        /* After the matches are in place: from here on nothing is missed. */
        log_info("Monitoring hotkeyd's gestures and properties; press Ctrl+C to stop.");

        r = sd_event_loop(event);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return CTL_EXIT_FAILURE;
        }
        if (r > 0) {
                log_error("Lost the connection to the system bus.");
                return CTL_EXIT_UNREACHABLE;
        }
        return CTL_EXIT_SUCCESS;
}
