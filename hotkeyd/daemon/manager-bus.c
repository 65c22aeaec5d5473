/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The system bus connection and what lives on it: the API, the support
 * queue and its announcements, operations and agents, logind, and what a
 * reset erases (read through the bus).  All of it goes when the bus goes. */
#include "bus-api.h"
#include "bus-names.h"
#include "event-util.h"
#include "log.h"
#include "manager.h"
#include "operation.h"
#include "reset-check.h"
#include "startup-timing.h"
#include "system-state.h"

/* How long to wait before connecting to a system bus that went away. */
#define BUS_RECONNECT_USEC (1 * USEC_PER_SEC)

/* Everything that lives on the bus connection goes with it: callers and
 * agents were on the old bus, and nothing half-asked may be acted on. */
void manager_drop_bus(Manager *m) {
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
        m->system_state_call = sd_bus_slot_unref(m->system_state_call);
        hold_check_end(&m->hold_check, NULL);
        m->support_queue = support_queue_free(m->support_queue);
        erase_forget_bus(&m->erase);
        m->erase_read = sd_event_source_disable_unref(m->erase_read);
        m->logind = logind_free(m->logind);
        m->bus_name_request = sd_bus_slot_unref(m->bus_name_request);
        m->bus_name_owned = false;
        m->bus = sd_bus_flush_close_unref(m->bus);
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

/* The outcome hotkeyd-reset-check.service wrote, read with what a reset
 * erases (at start and on reload). */
static void manager_refresh_last_reset(Manager *m) {
        _cleanup_free_ char *before = NULL, *after = NULL;
        ResetOutcome o = {};
        int r;

        r = reset_last_load(&o);
        if (m->has_last_reset)
                (void) reset_outcome_format(&m->last_reset, &before);
        if (r > 0)
                (void) reset_outcome_format(&o, &after);
        reset_outcome_done(&m->last_reset);
        m->last_reset = o;
        m->has_last_reset = r > 0;
        if (r > 0)
                log_info("Last factory reset: %s.", reset_verdict_to_string(o.verdict));
        if (!streq_ptr(before, after))
                bus_api_emit_changed(m, STRV_MAKE("LastReset"));
}

void manager_refresh_erase(Manager *m) {
        manager_on_erase_changed(&m->erase, erase_refresh(&m->erase, m->bus, m->tpm.present), m);
        manager_refresh_last_reset(m);
}

static SupportVerdict manager_operation_verdict(const SupportState *state, void *userdata) {
        return manager_support_verdict(ASSERT_PTR(userdata), state);
}

static void manager_on_system_stopping(int error, bool stopping, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        m->system_state_call = sd_bus_slot_unref(m->system_state_call);
        if (error < 0)
                log_debug_errno(error, "Failed to ask systemd whether the system is going down, assuming not: %m");
        else if (stopping) {
                log_debug("The system is going down, not checking factory reset support again.");
                return;
        }
        manager_refresh_support(m);
}

/* The state after an operation is worth announcing (Mode, Supported), unless
 * the system is going down: a started factory-reset.target reboots, and
 * systemd refuses to start the Varlink service once shutdown.target is
 * queued (its socket then fails with 'resources').  The reboot is queued
 * in the same pass of systemd's job queue that ends the target's job, so
 * by the time that JobRemoved is here, SystemState says so. */
static void manager_on_operation_done(void *userdata) {
        Manager *m = ASSERT_PTR(userdata);
        int r;

        m->system_state_call = sd_bus_slot_unref(m->system_state_call);
        r = system_stopping_get(m->bus, manager_on_system_stopping, m, &m->system_state_call);
        if (r < 0)
                manager_on_system_stopping(r, false, m);
}

static void manager_on_agent_gone(Agent *a, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        confirmation_agent_gone(&m->operations, a);
}

static void manager_schedule_reconnect(Manager *m) {
        int r;

        r = event_reset_time_relative(m->event, &m->bus_reconnect, CLOCK_MONOTONIC, BUS_RECONNECT_USEC, 0,
                                      manager_on_bus_reconnect, m, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                /* Without the bus there is no API: better a restart by the
                 * service manager than a daemon nobody can reach. */
                log_error_errno(r, "Failed to schedule reconnecting to the system bus, exiting: %m");
                (void) manager_exit_logged(m, r);
        }
}

static int manager_on_bus_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;

        /* Torn down from the loop, not from within the bus's own callback. */
        log_warning("Lost the connection to the system bus; reconnecting.");
        manager_schedule_reconnect(m);
        return 0;
}

/* RequestName's reply (sd_bus_request_name()'s reading of it: in the
 * queue counts as done, as it always has). */
static int manager_on_bus_name(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Manager *m = ASSERT_PTR(userdata);
        const sd_bus_error *e;
        uint32_t answer = 0;
        int r;

        m->bus_name_request = sd_bus_slot_unref(m->bus_name_request);
        e = sd_bus_message_get_error(reply);
        if (e)
                r = -sd_bus_error_get_errno(e);
        else {
                r = sd_bus_message_read(reply, "u", &answer);
                if (r >= 0 && answer == 3 /* DBUS_REQUEST_NAME_REPLY_EXISTS */)
                        r = -EEXIST;
                else if (r >= 0 && answer == 4 /* DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER */)
                        r = -EALREADY;
        }
        if (r < 0) {
                if (!m->started) {
                        /* Without the name at start there is no service: fail,
                         * the service manager knows what to do. */
                        log_error_errno(r, "Failed to own " HOTKEYD_BUS_NAME ": %m");
                        return manager_exit_logged(m, r);
                }
                log_warning_errno(r, "Failed to own " HOTKEYD_BUS_NAME " again, reconnecting: %m");
                manager_schedule_reconnect(m);
                return 0;
        }

        m->bus_name_owned = true;
        manager_start_finish(m);
        return 0;
}

static int manager_on_erase_read(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        m->erase_read = sd_event_source_disable_unref(m->erase_read);
        manager_refresh_erase(m);
        return 0;
}

/* Everything that lives on the bus, each step logging its own failure;
 * the caller drops what was made when one fails. */
static int manager_attach_bus(Manager *m) {
        _cleanup_free_ unsigned *keys = NULL;
        size_t n_keys;
        int r;

        m->agents.on_gone = manager_on_agent_gone;
        m->agents.userdata = m;
        m->erase.on_changed = manager_on_erase_changed;
        m->erase.userdata = m;

        r = bus_api_start(m);
        if (r < 0)
                return r;
        /* Asynchronous: connecting, the authentication, Hello and
         * RequestName are round trips that overlap the rest of the start;
         * READY=1 waits for the reply (a client started by bus activation
         * must find the name). */
        r = sd_bus_request_name_async(m->bus, &m->bus_name_request, HOTKEYD_BUS_NAME, 0, manager_on_bus_name, m);
        if (r < 0)
                return log_error_errno(r, "Failed to request " HOTKEYD_BUS_NAME ": %m");
        startup_timing_mark("bus-connect");

        r = sd_bus_match_signal(m->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", manager_on_bus_disconnected, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for the loss of the system bus: %m");

        r = support_queue_new(m->event, m->bus, m->varlink_address, manager_on_support_changed, m,
                              &m->support_queue);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the factory reset support check: %m");

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
        if (r < 0)
                return log_error_errno(r, "Failed to set up the logind client: %m");

        r = manager_watched_keys(m->config, &keys, &n_keys);
        if (r < 0)
                return log_error_errno(r, "Failed to list the trigger keys: %m");
        logind_set_keys(m->logind, keys, n_keys);
        startup_timing_mark("logind");
        return 0;
}

static int manager_connect_bus(Manager *m) {
        int r;

        r = manager_attach_bus(m);
        if (r < 0) {
                manager_drop_bus(m);
                return r;
        }
        manager_refresh_support(m);
        startup_timing_mark("support-check");

        /* What a reset erases is for the dialog only: it is read from the
         * loop, after READY=1 (repart.d, udev, mountinfo). */
        r = sd_event_add_defer(m->event, &m->erase_read, manager_on_erase_read, m);
        if (r < 0) {
                log_debug_errno(r, "Failed to defer reading what a reset erases, reading it now: %m");
                manager_refresh_erase(m);
        } else if (!m->started)
                /* The loop runs before READY=1 now (the bus name's reply):
                 * enabled by manager_start_finish(). */
                (void) sd_event_source_set_enabled(m->erase_read, SD_EVENT_OFF);
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

int manager_start_bus(Manager *m) {
        /* Without the bus at start there is no service: fail, the service
         * manager knows what to do (the name's reply: manager_on_bus_name()). */
        return manager_connect_bus(m);
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
                log_warning_errno(r, "Failed to check factory reset support, ignoring: %m");
}
