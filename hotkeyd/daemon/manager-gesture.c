/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key path: gesture engine and short-press tracker fed by the keys,
 * their deadlines as one sd-event timer, and what a completed gesture
 * leads to (a confirmation on the seat, or the kiosk's two gestures). */
#include <fcntl.h>

#include "beep.h"
#include "bus-api.h"
#include "event-util.h"
#include "gesture-line.h"
#include "keys.h"
#include "log.h"
#include "manager.h"
#include "messages.h"
#include "operation.h"

/* Hold deadlines are the point of the daemon.  sd-event arms a timer at
 * the latest moment its accuracy allows unless a coalescing point falls
 * inside it, so any slack is added to every hold in full (1 ms did just
 * that); 0 would mean its default of 250 ms. */
#define TIMER_ACCURACY_USEC 1

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
                log_debug_errno(-errno, "Failed to open /dev/console: %m");
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
                log_error_errno(r, "Failed to keep the kiosk state of %s, the gesture arms nothing: %m", e->seat);
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
                        log_warning_errno(r, "Failed to arm the kiosk timeout, it ends with the next gesture: %m");
                break;
        case KIOSK_CONFIRMED:
                m->kiosk_timer = sd_event_source_disable_unref(m->kiosk_timer);
                manager_kiosk_say("Factory reset confirmed by a second gesture.");
                log_notice("Kiosk maintenance gesture confirmed by %s on %s.", e->trigger->name, e->seat);
                r = manager_start_operation(m, ORIGIN_KIOSK, e);
                if (r < 0)
                        log_error_errno(r, "Failed to request the factory reset: %m");
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
                        log_error_errno(r, "Failed to ask for confirmation of the factory reset: %m");
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

void manager_update_timer(Manager *m) {
        usec_t deadline = MIN(gesture_engine_next_deadline(m->engine), short_press_next_deadline(m->short_press));
        int r;

        if (deadline == USEC_INFINITY) {
                if (m->timer)
                        (void) sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
                return;
        }

        /* Important as the keys (input.c): before any bus caller. */
        r = event_reset_time(m->event, &m->timer, CLOCK_MONOTONIC, deadline, TIMER_ACCURACY_USEC, manager_on_timer,
                             m, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0) {
                /* Without a timer no hold can ever complete: safe, but the
                 * daemon is useless, so stop loudly. */
                log_error_errno(r, "Failed to arm the gesture timer, exiting: %m");
                (void) manager_exit_logged(m, r);
        }
}

void manager_on_key(InputDevice *d, unsigned code, int value, KeySource source, usec_t t, void *userdata) {
        Manager *m = userdata;

        log_debug("%s: %s %s%s", input_device_node(d), strna(key_to_name(code)), value ? "pressed" : "released",
                  source == KEY_SOURCE_RESYNC ? " (resync)" : "");
        bool was_held = gesture_engine_key_held(m->engine, input_device_seat(d), code);
        gesture_engine_key(m->engine, input_device_id(d), input_device_node(d), input_device_seat(d), code, value,
                           source, t);
        manager_short_press_edge(m, input_device_seat(d), code, was_held, source, t);
        manager_update_timer(m);
}

void manager_gesture_device_gone(Manager *m, InputDevice *d, usec_t t) {
        assert(m);
        assert(d);

        gesture_engine_device_gone(m->engine, input_device_id(d), t);
        short_press_release_unheld(m->short_press, input_device_seat(d), seat_key_held,
                                   &(SeatKeys) { m->engine, input_device_seat(d) }, t);
        manager_update_timer(m);
}

/* What a configuration drives: the gesture engine and the short-press
 * tracker, for manager_new() and manager_reload() alike.  Both or neither;
 * the config must outlive them. */
int manager_build_trackers(Manager *m, const Config *c, GestureEngine **ret_engine,
                                  ShortPress **ret_short_press) {
        _cleanup_(gesture_engine_freep) GestureEngine *engine = NULL;
        _cleanup_(short_press_freep) ShortPress *short_press = NULL;
        int r;

        r = gesture_engine_new(c, manager_on_gesture, m, &engine);
        if (r < 0)
                return log_error_errno(r, "Failed to create the gesture engine: %m");
        r = short_press_new(c, manager_on_short_press, m, &short_press);
        if (r < 0)
                return log_error_errno(r, "Failed to create the short-press tracker: %m");

        *ret_engine = TAKE_PTR(engine);
        *ret_short_press = TAKE_PTR(short_press);
        return 0;
}
