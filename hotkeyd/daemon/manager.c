/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/random.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "agent.h"
#include "beep.h"
#include "bus-api.h"
#include "config-load.h"
#include "gesture-line.h"
#include "key-holds-file.h"
#include "keys.h"
#include "log.h"
#include "manager.h"
#include "messages.h"
#include "operation.h"
#include "startup-timing.h"

/* Hold deadlines are the point of the daemon.  sd-event arms a timer at
 * the latest moment its accuracy allows unless a coalescing point falls
 * inside it, so any slack is added to every hold in full (1 ms did just
 * that); 0 would mean its default of 250 ms. */
#define TIMER_ACCURACY_USEC 1
/* How long after the last device went away the heap is trimmed: a dock
 * or a KVM switch removes many at once, one trim covers them all. */
#define TRIM_DELAY_USEC (1 * USEC_PER_SEC)
/* How long to wait before connecting to a system bus that went away. */
#define BUS_RECONNECT_USEC (1 * USEC_PER_SEC)

static void manager_update_timer(Manager *m);

static void manager_notify_status(Manager *m) {
        if (m->dry_run)
                return;
        (void) sd_notifyf(false, "STATUS=Watching %zu device(s) for %zu trigger(s), mode %s.",
                          m->input ? input_n_devices(m->input) : 0, m->config->n_triggers,
                          daemon_mode_to_string(m->config->mode));
}

static void log_gesture_event(const GestureEvent *e, const char *line) {
        const char *message_id = NULL, *reason = NULL;
        int level = LOG_INFO;

        assert(e);
        assert(line);

        switch (e->type) {
        case GESTURE_HOLD_START:
                message_id = MESSAGE_ID_HOLD_STARTED;
                break;
        case GESTURE_HOLD_CANCEL:
                reason = gesture_cancel_reason_to_string(e->reason);
                message_id = MESSAGE_ID_HOLD_CANCELLED;
                break;
        case GESTURE_TRIGGER:
                message_id = MESSAGE_ID_TRIGGER_COMPLETED;
                level = LOG_NOTICE;
                break;
        default:
                level = LOG_DEBUG;
        }

        log_struct(level,
                   LOG_MESSAGE("Gesture: %s", line),
                   "HOTKEYD_TRIGGER=%s", e->trigger->name,
                   LOG_FIELD_IF_SET("HOTKEYD_SEAT", e->seat),
                   LOG_FIELD_IF_SET("HOTKEYD_DEVICE", e->device),
                   LOG_FIELD_IF_SET("HOTKEYD_CANCEL_REASON", reason),
                   "%s", strempty(message_id));
}

/* Words for the person at a kiosk: journal and console, as there may be no
 * screen session at all. */
static void manager_kiosk_say(const char *message) {
        _cleanup_close_ int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                log_debug_errno(-errno, "Cannot open /dev/console: %m");
                return;
        }
        (void) dprintf(fd, "\r\nhotkeyd: %s\r\n", message);
}

static int manager_on_kiosk_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        if (kiosk_advance(&m->kiosk, now_usec(CLOCK_MONOTONIC)) == KIOSK_DISARMED) {
                log_struct(LOG_NOTICE,
                           LOG_MESSAGE("Kiosk maintenance gesture not confirmed in time; factory reset disarmed."),
                           LOG_MESSAGE_ID(MESSAGE_ID_KIOSK_DISARMED));
                manager_kiosk_say("Factory reset disarmed: no second gesture in time.");
        }
        m->kiosk_timer = sd_event_source_disable_unref(m->kiosk_timer);
        return 0;
}

static int manager_start_operation(Manager *m, OriginKind origin, const GestureEvent *e) {
        /* People know the device by its name ("Power Button"), not by its
         * node; looked up now, while the device that completed the gesture
         * is still there. */
        InputDevice *d = input_find_device_by_node(m->input, e->device);

        return operation_start_from_gesture(&m->operations, origin, e->trigger->name, e->device,
                                            d ? input_device_name(d) : NULL, e->seat);
}

static void manager_kiosk_trigger(Manager *m, const GestureEvent *e) {
        _cleanup_free_ char *message = NULL;
        char timeout[TIMESPAN_MAX];
        int r;

        assert(m);
        assert(e);

        r = kiosk_trigger(&m->kiosk, e->seat, e->gesture_first, e->gesture_last, now_usec(CLOCK_MONOTONIC));
        if (r < 0) {
                log_error_errno(r, "Cannot keep the kiosk state of %s, the gesture arms nothing: %m", e->seat);
                return;
        }

        switch (r) {
        case KIOSK_NOTHING:
                log_info("Trigger %s on %s was completed by the gesture that already counted; it counts once.",
                         e->trigger->name, e->seat);
                break;
        case KIOSK_ARMED:
                m->kiosk_timer = sd_event_source_disable_unref(m->kiosk_timer);
                if (asprintf(&message,
                             "Factory reset ARMED by %s on %s. Release every key, then repeat the gesture within %s "
                             "to erase this machine; do nothing to cancel.",
                             e->trigger->name, e->seat, format_timespan(timeout, m->kiosk.timeout)) < 0) {
                        message = NULL;
                        log_oom();
                } else {
                        log_struct(LOG_WARNING,
                                   LOG_MESSAGE("%s", message),
                                   LOG_MESSAGE_ID(MESSAGE_ID_KIOSK_ARMED),
                                   "HOTKEYD_SEAT=%s", e->seat,
                                   "HOTKEYD_TRIGGER=%s", e->trigger->name);
                        manager_kiosk_say(message);
                }
                (void) beep(m->event);

                r = sd_event_add_time(m->event, &m->kiosk_timer, CLOCK_MONOTONIC, kiosk_deadline(&m->kiosk),
                                      TIMER_ACCURACY_USEC, manager_on_kiosk_timer, m);
                if (r < 0)
                        log_warning_errno(r, "Cannot arm the kiosk timeout, it ends with the next gesture: %m");
                break;
        case KIOSK_CONFIRMED:
                m->kiosk_timer = sd_event_source_disable_unref(m->kiosk_timer);
                manager_kiosk_say("Factory reset confirmed by a second gesture.");
                log_notice("Kiosk maintenance gesture confirmed by %s on %s.", e->trigger->name, e->seat);
                r = manager_start_operation(m, ORIGIN_KIOSK, e);
                if (r < 0)
                        log_error_errno(r, "Cannot request the factory reset: %m");
                break;
        default:
                break;
        }
}

static void manager_on_gesture(const GestureEvent *e, void *userdata) {
        Manager *m = userdata;
        char line[512];

        gesture_event_format_line(e, line, sizeof line);

        if (m->dry_run) {
                fprintf(m->dry_run_output, "%s\n", line);
                fflush(m->dry_run_output);
        }
        log_gesture_event(e, line);
        bus_api_emit_gesture(m, e);
        if (e->type == GESTURE_TRIGGER)
                short_press_trigger(m->short_press, e->seat, e->trigger, e->time);

        if (m->dry_run)
                return;
        if (m->config->mode == DAEMON_MODE_KIOSK) {
                if (e->type == GESTURE_TRIGGER)
                        manager_kiosk_trigger(m, e);
                return;
        }

        /* Desktop: the session agent on the seat asks the person there. */
        if (e->type == GESTURE_HOLD_START)
                hold_check_start(&m->hold_check, m->support_queue, e->seat);
        else if (e->type == GESTURE_HOLD_CANCEL)
                hold_check_end(&m->hold_check, e->seat);
        else if (e->type == GESTURE_TRIGGER) {
                int r = manager_start_operation(m, ORIGIN_GESTURE, e);
                if (r < 0)
                        log_error_errno(r, "Cannot ask for confirmation of the factory reset: %m");
                /* Taken by the operation, or of no use any more. */
                hold_check_end(&m->hold_check, e->seat);
        }
}

static void manager_on_short_press(const char *seat, unsigned code, usec_t t, void *userdata) {
        Manager *m = userdata;
        char line[128];

        short_press_format_line(seat, code, line, sizeof line);
        log_debug("Gesture: %s", line);
        if (m->dry_run) {
                fprintf(m->dry_run_output, "%s\n", line);
                fflush(m->dry_run_output);
        } else
                logind_short_press(m->logind, seat, code);
}

/* The seat-level edges of a key for the short-press tracker: several
 * devices of one seat count once, as for the engine. */
static void manager_short_press_edge(Manager *m, const char *seat, unsigned code, bool was_held, KeySource source,
                                     usec_t t) {
        bool held = gesture_engine_key_held(m->engine, seat, code);

        if (held && !was_held)
                short_press_key_down(m->short_press, seat, code, t);
        else if (!held && was_held)
                short_press_key_up(m->short_press, seat, code, source != KEY_SOURCE_RESYNC, t);
}

typedef struct SeatKeys {
        const GestureEngine *engine;
        const char *seat;
} SeatKeys;

static bool seat_key_held(unsigned code, void *userdata) {
        const SeatKeys *k = userdata;
        return gesture_engine_key_held(k->engine, k->seat, code);
}

static int manager_on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        usec_t now = now_usec(CLOCK_MONOTONIC);

        gesture_engine_advance(m->engine, now);
        short_press_advance(m->short_press, now);
        manager_update_timer(m);
        return 0;
}

static void manager_update_timer(Manager *m) {
        usec_t deadline = MIN(gesture_engine_next_deadline(m->engine), short_press_next_deadline(m->short_press));
        int r;

        if (deadline == USEC_INFINITY) {
                if (m->timer)
                        (void) sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
                return;
        }

        if (!m->timer) {
                r = sd_event_add_time(m->event, &m->timer, CLOCK_MONOTONIC, deadline, TIMER_ACCURACY_USEC,
                                      manager_on_timer, m);
                /* As the keys (input.c): before any bus caller. */
                if (r >= 0)
                        r = sd_event_source_set_priority(m->timer, SD_EVENT_PRIORITY_IMPORTANT);
                if (r < 0) {
                        /* Without a timer no hold can ever complete: safe, but
                         * the daemon is useless, so stop loudly. */
                        log_error_errno(r, "Cannot arm the gesture timer: %m");
                        (void) sd_event_exit(m->event, r);
                }
                return;
        }

        r = sd_event_source_set_time(m->timer, deadline);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        if (r < 0) {
                log_error_errno(r, "Cannot arm the gesture timer: %m");
                (void) sd_event_exit(m->event, r);
        }
}

static void manager_on_key(InputDevice *d, unsigned code, int value, KeySource source, usec_t t, void *userdata) {
        Manager *m = userdata;

        log_debug("%s: %s %s%s", input_device_node(d), strna(key_to_name(code)), value ? "pressed" : "released",
                  source == KEY_SOURCE_RESYNC ? " (resync)" : "");
        bool was_held = gesture_engine_key_held(m->engine, input_device_seat(d), code);
        gesture_engine_key(m->engine, input_device_id(d), input_device_node(d), input_device_seat(d), code, value,
                           source, t);
        manager_short_press_edge(m, input_device_seat(d), code, was_held, source, t);
        manager_update_timer(m);
}

/* What can fire here (core/trigger-reach.c), from the devices present and
 * what is known of their keys: the property now, the journal once it
 * settled (reach-report.c). */
static void manager_update_reach(Manager *m) {
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
                log_error_errno(r, "Cannot work out which triggers can fire, keeping the last answer: %m");
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
                log_error_errno(r, "Cannot remember what %s does: %m", strna(key_to_name(code)));
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

        if (m->trim_timer)
                r = sd_event_source_set_time_relative(m->trim_timer, TRIM_DELAY_USEC);
        else
                r = sd_event_add_time_relative(m->event, &m->trim_timer, CLOCK_MONOTONIC, TRIM_DELAY_USEC,
                                               USEC_PER_SEC, manager_on_trim_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->trim_timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_debug_errno(r, "Cannot schedule giving memory back: %m");
}

static void manager_on_device_removed(InputDevice *d, usec_t t, void *userdata) {
        Manager *m = userdata;

        gesture_engine_device_gone(m->engine, input_device_id(d), t);
        short_press_release_unheld(m->short_press, input_device_seat(d), seat_key_held,
                                   &(SeatKeys) { m->engine, input_device_seat(d) }, t);
        manager_update_timer(m);
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
static int manager_watched_keys(const Config *c, unsigned **ret, size_t *ret_n) {
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

/* What a configuration drives: the gesture engine and the short-press
 * tracker, for manager_new() and manager_reload() alike.  Both or neither;
 * the config must outlive them. */
static int manager_build_trackers(Manager *m, const Config *c, GestureEngine **ret_engine,
                                  ShortPress **ret_short_press) {
        GestureEngine *engine = NULL;
        ShortPress *short_press = NULL;
        int r;

        r = gesture_engine_new(c, manager_on_gesture, m, &engine);
        if (r < 0)
                return log_error_errno(r, "Cannot create the gesture engine: %m");
        r = short_press_new(c, manager_on_short_press, m, &short_press);
        if (r < 0) {
                gesture_engine_free(engine);
                return log_error_errno(r, "Cannot create the short-press tracker: %m");
        }

        *ret_engine = engine;
        *ret_short_press = short_press;
        return 0;
}

static void log_config_loaded(const Config *c) {
        assert(c);

        log_struct(LOG_INFO,
                   LOG_MESSAGE("Configuration loaded: mode %s, %zu trigger(s).",
                               daemon_mode_to_string(c->mode), c->n_triggers),
                   LOG_MESSAGE_ID(MESSAGE_ID_CONFIG_LOADED),
                   "HOTKEYD_MODE=%s", daemon_mode_to_string(c->mode),
                   "HOTKEYD_N_TRIGGERS=%zu", c->n_triggers);
}

int manager_new(const char *config_path, bool dry_run, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        assert(ret);

        m = calloc(1, sizeof *m);
        if (!m)
                return log_oom();
        m->dry_run = dry_run;
        m->dry_run_output = stdout;
        /* Request ids start anywhere, so that an agent's dialog left over
         * from before a restart can never name a request of this run. */
        if (getrandom(&m->operations.next_id, sizeof m->operations.next_id, GRND_NONBLOCK) < 0)
                m->operations.next_id = (unsigned) now_usec(CLOCK_MONOTONIC);

        if (config_path) {
                m->config_path = strdup(config_path);
                if (!m->config_path)
                        return log_oom();
        }

        r = config_load(NULL, m->config_path, config_log_error, NULL, &m->config);
        if (r < 0)
                return log_error_errno(r, "Configuration is invalid, not starting.");
        log_config_loaded(m->config);
        kiosk_init(&m->kiosk, m->config->armed_timeout_usec);

        r = key_holds_file_path(dry_run, &m->holds_path);
        if (r < 0)
                return log_oom();
        if (m->holds_path)
                key_holds_file_load(m->holds_path, &m->holds_store);
        /* Until the first enumeration is done: a trigger is unreachable
         * only once every present device was seen. */
        m->reach_deferred = true;

        r = manager_build_trackers(m, m->config, &m->engine, &m->short_press);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

/* Everything that lives on the bus connection goes with it: callers and
 * agents were on the old bus, and nothing half-asked may be acted on. */
static void manager_drop_bus(Manager *m) {
        while (m->operations.list) {
                operation_stop(m->operations.list);
                operation_free(m->operations.list);
        }
        m->operations.bus = NULL;
        m->operations.support_queue = NULL;
        while (m->agents.registrations)
                agent_registration_free(m->agents.registrations);
        /* Their operations ended above: nobody is left to tell. */
        while (m->agents.list)
                agent_free(m->agents.list);
        m->support_refresh = support_waiter_free(m->support_refresh);
        hold_check_end(&m->hold_check, NULL);
        m->support_queue = support_queue_free(m->support_queue);
        erase_forget_bus(&m->erase);
        m->erase_read = sd_event_source_disable_unref(m->erase_read);
        m->logind = logind_free(m->logind);
        m->bus = sd_bus_flush_close_unref(m->bus);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        manager_drop_bus(m);
        tpm_reader_free(m->tpm_reader);
        tpm_monitor_free(m->tpm_monitor);
        erase_state_done(&m->erase);
        sd_event_source_disable_unref(m->kiosk_timer);
        kiosk_done(&m->kiosk);
        sd_event_source_disable_unref(m->bus_reconnect);
        input_free(m->input);
        gesture_engine_free(m->engine);
        short_press_free(m->short_press);
        sd_event_source_disable_unref(m->timer);
        sd_event_source_disable_unref(m->trim_timer); /* after input_free(): removals schedule it */
        reach_report_free(m->reach_report);
        sd_event_unref(m->event);
        config_free(m->config);
        free(m->config_path);
        key_holds_store_done(&m->holds_store);
        free(m->holds_path);
        trigger_reach_list_done(&m->reach);
        free(m);
        return NULL;
}

static int manager_on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                (void) manager_reload(m);
                return 0;
        }

        log_info("Received %s, exiting.", strsignal((int) si->ssi_signo));
        return sd_event_exit(m->event, 0);
}

static int manager_on_bus_reconnect(sd_event_source *s, uint64_t usec, void *userdata);
static void manager_on_support_changed(const SupportState *state, void *userdata);

/* Emits what changed in what a reset erases, and the verdict that follows. */
static void manager_on_erase_changed(EraseState *s, EraseChange changes, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        if (changes & ERASE_CHANGED_PARTITIONS)
                bus_api_emit_changed(m, STRV_MAKE("ErasedPartitions", "EraseProblems"));
        if (changes & ERASE_CHANGED_PLUGINS)
                bus_api_emit_changed(m, STRV_MAKE("ResetPlugins"));
        if (changes & ERASE_CHANGED_CLEARS_TPM)
                bus_api_emit_changed(m, STRV_MAKE("ClearsTpm"));
        manager_announce_support(m);
}

static void manager_refresh_erase(Manager *m) {
        manager_on_erase_changed(&m->erase, erase_refresh(&m->erase, m->bus, m->tpm.present), m);
}

static SupportVerdict manager_operation_verdict(const SupportState *state, void *userdata) {
        return manager_support_verdict(ASSERT_PTR(userdata), state);
}

/* The state after an operation is worth announcing (Mode, Supported). */
static void manager_on_operation_done(void *userdata) {
        manager_refresh_support(ASSERT_PTR(userdata));
}

static void manager_on_agent_gone(Agent *a, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        confirmation_agent_gone(&m->operations, a);
}

static void manager_schedule_reconnect(Manager *m) {
        int r;

        r = sd_event_source_set_time_relative(m->bus_reconnect, BUS_RECONNECT_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->bus_reconnect, SD_EVENT_ONESHOT);
        if (r < 0) {
                /* Without the bus there is no API: better a restart by the
                 * service manager than a daemon nobody can reach. */
                log_error_errno(r, "Cannot schedule reconnecting to the system bus, exiting: %m");
                (void) sd_event_exit(m->event, r);
        }
}

static int manager_on_bus_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;

        /* Torn down from the loop, not from within the bus's own callback. */
        log_warning("Lost the connection to the system bus; reconnecting.");
        manager_schedule_reconnect(m);
        return 0;
}

static int manager_on_erase_read(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        m->erase_read = sd_event_source_disable_unref(m->erase_read);
        manager_refresh_erase(m);
        return 0;
}

static int manager_connect_bus(Manager *m) {
        _cleanup_free_ unsigned *keys = NULL;
        int r;

        m->agents.on_gone = manager_on_agent_gone;
        m->agents.userdata = m;
        m->erase.on_changed = manager_on_erase_changed;
        m->erase.userdata = m;

        r = bus_api_start(m);
        if (r >= 0)
                r = sd_bus_match_signal(m->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected", manager_on_bus_disconnected,
                                        m);
        if (r >= 0)
                r = support_queue_new(m->event, m->bus, m->varlink_address, manager_on_support_changed, m,
                                      &m->support_queue);
        if (r >= 0) {
                m->operations.event = m->event;
                m->operations.bus = m->bus;
                m->operations.support_queue = m->support_queue;
                m->operations.hold_check = &m->hold_check;
                m->operations.agents = &m->agents;
                m->operations.confirm_timeout_usec = m->config->confirm_timeout_usec;
                m->operations.verdict = manager_operation_verdict;
                m->operations.on_done = manager_on_operation_done;
                m->operations.userdata = m;
                r = logind_new(m->bus, &m->logind);
        }
        if (r < 0) {
                manager_drop_bus(m);
                return log_error_errno(r, "Cannot set up the system bus connection: %m");
        }
        startup_timing_mark("bus-name");

        size_t n_keys;
        r = manager_watched_keys(m->config, &keys, &n_keys);
        if (r < 0) {
                manager_drop_bus(m);
                return log_error_errno(r, "Cannot list the trigger keys: %m");
        }
        logind_set_keys(m->logind, keys, n_keys);
        startup_timing_mark("logind");
        manager_refresh_support(m);
        startup_timing_mark("support-check");

        /* What a reset erases is for the dialog only: it is read from the
         * loop, after READY=1 (repart.d, udev, mountinfo). */
        r = sd_event_add_defer(m->event, &m->erase_read, manager_on_erase_read, m);
        if (r < 0) {
                log_debug_errno(r, "Cannot defer reading what a reset erases, reading it now: %m");
                manager_refresh_erase(m);
        }
        return 0;
}

static int manager_on_bus_reconnect(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        manager_drop_bus(m);
        if (manager_connect_bus(m) < 0) {
                manager_schedule_reconnect(m);
                return 0;
        }
        log_notice("Connected to the system bus again.");
        return 0;
}

static void manager_on_tpm_info(const TpmInfo *info, void *userdata) {
        Manager *m = userdata;

        m->tpm_reader = tpm_reader_free(m->tpm_reader);
        m->tpm = *info;
        tpm_log_info(info);
        bus_api_emit_changed(m, STRV_MAKE("Tpm"));
        erase_refresh_tpm(&m->erase, m->bus, m->tpm.present);
        manager_announce_support(m);
}

/* In parallel with the rest of the start; see tpm.h.  A read still under
 * way is dropped (its child killed): it may have looked too early. */
static void manager_read_tpm(Manager *m) {
        int r;

        m->tpm_reader = tpm_reader_free(m->tpm_reader);
        r = tpm_reader_start(m->event, getenv("HOTKEYD_TPM2_TCTI"), manager_on_tpm_info, m, &m->tpm_reader);
        if (r < 0) {
                m->tpm = (TpmInfo) { .present = true };
                errno = -r;
                snprintf(m->tpm.error, sizeof m->tpm.error, "cannot start reading the TPM: %m");
                tpm_log_info(&m->tpm);
                bus_api_emit_changed(m, STRV_MAKE("Tpm"));
        }
}

static void manager_on_tpm_change(const char *action, const char *sysname, void *userdata) {
        Manager *m = userdata;

        log_info("TPM device %s: %s, reading the TPM again.", sysname, streq(action, "add") ? "added" : "removed");
        manager_read_tpm(m);
}

/* The loop, and the reports of which triggers can fire that run on it. */
static int manager_setup_event(Manager *m) {
        int r;

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Cannot create event loop: %m");

        r = reach_report_new(m->event, &m->reach_report);
        if (r < 0)
                return log_error_errno(r, "Cannot set up reporting which triggers can fire: %m");
        return 0;
}

static int manager_setup_signals(Manager *m) {
        static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                int sig = signals[i];

                r = sd_event_add_signal(m->event, NULL, sig | SD_EVENT_SIGNAL_PROCMASK, manager_on_signal, m);
                if (r < 0)
                        return log_error_errno(r, "Cannot watch signal %s: %m", strsignal(sig));
        }
        return 0;
}

/* Children (the TPM reader) are reaped by sd-event. */
static void manager_setup_children(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
}

static void manager_start_tpm(Manager *m) {
        int r;

        /* The monitor first: a TPM that appears while the first read runs
         * is read again. */
        r = tpm_monitor_new(m->event, manager_on_tpm_change, m, &m->tpm_monitor);
        if (r < 0)
                log_warning_errno(r, "Cannot watch for TPM devices, a TPM that appears later is not read: %m");
        manager_read_tpm(m);
}

static int manager_start_bus(Manager *m) {
        int r;

        r = sd_event_add_time_relative(m->event, &m->bus_reconnect, CLOCK_MONOTONIC, BUS_RECONNECT_USEC, 0,
                                       manager_on_bus_reconnect, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->bus_reconnect, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "Cannot create the reconnect timer: %m");

        /* Without the bus name at start there is no service: fail, the
         * service manager knows what to do. */
        return manager_connect_bus(m);
}

static int manager_start_input(Manager *m) {
        _cleanup_free_ unsigned *keys = NULL;
        size_t n_keys;
        int r;

        r = manager_watched_keys(m->config, &keys, &n_keys);
        if (r < 0)
                return log_error_errno(r, "Cannot list the trigger keys: %m");
        if (m->config->mode == DAEMON_MODE_OFF)
                log_info("Mode=off: not watching any input device.");
        else if (n_keys == 0)
                log_info("No trigger configured: not watching any input device.");

        r = input_new(m->event, keys, n_keys, &input_callbacks, m, &m->input);
        if (r < 0)
                return log_error_errno(r, "Cannot set up input: %m");
        input_set_holds_store(m->input, &m->holds_store);

        if (n_keys > 0) {
                r = input_start(m->input);
                if (r < 0)
                        return r;
        }
        m->reach_deferred = false;
        manager_update_reach(m);
        return 0;
}

static void manager_notify_ready(Manager *m) {
        if (!m->dry_run)
                (void) sd_notify(false, "READY=1");
        manager_notify_status(m);
}

int manager_start(Manager *m) {
        int r;

        r = manager_setup_event(m);
        if (r < 0)
                return r;
        r = manager_setup_signals(m);
        if (r < 0)
                return r;
        startup_timing_mark("event-loop");

        if (!m->dry_run) {
                manager_setup_children();
                m->varlink_address = getenv("HOTKEYD_FACTORY_RESET_SOCKET");
                manager_start_tpm(m);
                startup_timing_mark("tpm-child");
                r = manager_start_bus(m);
                if (r < 0)
                        return r;
                /* Pings the service manager from the loop when WATCHDOG_USEC is set. */
                r = sd_event_set_watchdog(m->event, true);
                if (r < 0)
                        return log_error_errno(r, "Cannot enable the watchdog: %m");
                startup_timing_mark("watchdog");
        }

        r = manager_start_input(m);
        if (r < 0)
                return r;
        startup_timing_mark("input");

        log_info("Ready, watching %zu device(s) for %zu trigger(s).", input_n_devices(m->input),
                 m->config->n_triggers);
        manager_notify_ready(m);
        return 0;
}

SupportVerdict manager_support_verdict(const Manager *m, const SupportState *state) {
        return support_verdict_with_erase(state->verdict, erase_verdict(&m->erase, m->tpm.present, m->tpm_reader));
}

void manager_announce_support(Manager *m) {
        SupportState now;
        bool changed;

        if (!m->support_known)
                return;
        now = (SupportState) {
                .verdict = manager_support_verdict(m, &m->support),
                .mode = m->support.mode,
        };
        /* Not found out yet is a moment of the start (or of a reload),
         * not news; the properties say it meanwhile. */
        if (now.verdict == SUPPORT_ERASE_UNKNOWN)
                return;
        changed = !m->support_announced || m->support_announced_state.verdict != now.verdict ||
                  m->support_announced_state.mode != now.mode;
        m->support_announced = true;
        m->support_announced_state = now;
        if (changed) {
                log_info("Factory reset %s, mode %s%s%s", now.verdict == SUPPORT_YES ? "supported" : "not possible now",
                         strna(factory_reset_mode_to_string(now.mode)), now.verdict == SUPPORT_YES ? "." : ": ",
                         strempty(support_verdict_reason_to_string(now.verdict)));
                bus_api_emit_changed(m, STRV_MAKE("Supported", "UnsupportedReason", "Mode"));
        }
}

/* The support queue's latest answer changed (whoever asked): recorded and announced. */
static void manager_on_support_changed(const SupportState *state, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        m->support = *state;
        m->support_known = true;
        manager_announce_support(m);
}

static void manager_on_support_refreshed(const SupportState *state, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        m->support_refresh = support_waiter_free(m->support_refresh);
}

void manager_refresh_support(Manager *m) {
        int r;

        if (!m->bus)
                return;
        /* A refresh still waiting may get an answer from before now: wait anew. */
        m->support_refresh = support_waiter_free(m->support_refresh);
        r = support_queue_wait(m->support_queue, manager_on_support_refreshed, m, &m->support_refresh);
        if (r < 0)
                log_warning_errno(r, "Cannot check factory reset support: %m");
}

int manager_run(Manager *m) {
        int r = sd_event_loop(m->event);
        if (!m->dry_run)
                (void) sd_notify(false, "STOPPING=1");
        return r;
}

/* Puts the new rules in place of the running ones; everything started
 * under the old rules ends with them. */
static void manager_swap_rules(Manager *m, Config *config, GestureEngine *engine, ShortPress *short_press) {
        /* A hold in progress was started under the old triggers: it is
         * cancelled (and reported) rather than carried over. */
        gesture_engine_reset(m->engine, now_usec(CLOCK_MONOTONIC));
        gesture_engine_free(m->engine);
        /* It names the old triggers; the new ones are worked out once the
         * devices were probed for the new keys. */
        reach_report_forget(m->reach_report);
        trigger_reach_list_done(&m->reach);
        m->reach_deferred = true;
        config_free(m->config);
        m->engine = engine;
        /* Short presses waiting under the old rules are dropped with them. */
        short_press_free(m->short_press);
        m->short_press = short_press;
        m->config = config;
        m->operations.confirm_timeout_usec = config->confirm_timeout_usec;
        log_config_loaded(config);
        /* Neither does a dialog opened under the old rules: after
         * Mode=off in particular, nothing may be confirmed any more. */
        confirmation_end_all(&m->operations, "the configuration was reloaded");
        /* An armed kiosk reset does not survive a change of rules (nor do
         * the engine's gesture numbers it refers to). */
        kiosk_done(&m->kiosk);
        kiosk_init(&m->kiosk, config->armed_timeout_usec);
        m->kiosk_timer = sd_event_source_disable_unref(m->kiosk_timer);
        bus_api_emit_changed(m, STRV_MAKE("DaemonMode", "Triggers"));
}

/* The devices and logind's inhibitors follow the new keys. */
static int manager_swap_keys(Manager *m, const unsigned *keys, size_t n_keys) {
        int r;

        r = input_set_keys(m->input, keys, n_keys);
        logind_set_keys(m->logind, keys, n_keys);
        manager_update_timer(m);
        m->reach_deferred = false;
        bus_api_emit_changed(m, STRV_MAKE("DeviceKeys"));
        manager_update_reach(m);
        return r;
}

/* Loads the configuration again and builds everything it drives; only
 * when all of that worked does it replace the running rules. */
static int manager_reload_rules(Manager *m) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(short_press_freep) ShortPress *short_press = NULL;
        _cleanup_free_ unsigned *keys = NULL;
        GestureEngine *engine = NULL;
        size_t n_keys = 0;
        int r;

        r = config_load(NULL, m->config_path, config_log_error, NULL, &config);
        if (r < 0)
                return log_error_errno(r, "New configuration is invalid, keeping the running one.");

        r = manager_build_trackers(m, config, &engine, &short_press);
        if (r >= 0) {
                r = manager_watched_keys(config, &keys, &n_keys);
                if (r < 0)
                        gesture_engine_free(engine);
        }
        if (r < 0)
                return log_error_errno(r, "Cannot set up the new triggers, keeping the running configuration: %m");

        manager_swap_rules(m, TAKE_PTR(config), engine, TAKE_PTR(short_press));
        return manager_swap_keys(m, keys, n_keys);
}

int manager_reload(Manager *m) {
        int r;

        if (!m->dry_run) {
                (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu",
                                  (unsigned long long) now_usec(CLOCK_MONOTONIC));
                /* Independent of hotkeyd.conf: read again even when that is invalid. */
                manager_refresh_erase(m);
        }

        r = manager_reload_rules(m);
        manager_notify_ready(m);
        return r;
}
