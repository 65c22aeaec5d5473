/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "bus-names.h"
#include "log.h"
#include "manager.h"
#include "messages.h"
#include "operation.h"
#include "polkit.h"
#include "support-check.h"
#include "unit-start.h"

#define FACTORY_RESET_TOOL "/usr/lib/systemd/systemd-factory-reset"

static const char *const origin_kind_table[_ORIGIN_KIND_MAX] = {
        [ORIGIN_BUS] = "dbus",
        [ORIGIN_GESTURE] = "key-gesture",
        [ORIGIN_KIOSK] = "kiosk-gesture",
};

struct Operation {
        Manager *manager;
        Operation *next, *prev;
        unsigned id;
        OperationKind kind;

        OriginKind origin;
        sd_bus_message *call; /* ORIGIN_BUS: answered at the end */
        uid_t uid;
        pid_t pid;
        char *session;
        char *trigger, *device, *seat; /* gestures */

        SupportCheck *check;
        sd_bus_slot *polkit;
        UnitStart *start;
        sd_event_source *child;
};

Operation *operation_free(Operation *o) {
        if (!o)
                return NULL;

        if (o->manager) {
                if (o->prev)
                        o->prev->next = o->next;
                else
                        o->manager->operations = o->next;
                if (o->next)
                        o->next->prev = o->prev;
        }

        support_check_free(o->check);
        sd_bus_slot_unref(o->polkit);
        unit_start_free(o->start);
        sd_event_source_disable_unref(o->child);
        sd_bus_message_unref(o->call);
        free(o->session);
        free(o->trigger);
        free(o->device);
        free(o->seat);
        free(o);
        return NULL;
}
DEFINE_POINTER_CLEANUP(Operation, operation_free);

/* The journal entry for a step: who asked (key gesture: trigger, device,
 * seat; D-Bus caller: uid, pid, session) and, for refusals and failures, why. */
_printf_(5, 6) static void operation_log(Operation *o, int level, const char *message_id, const char *reason,
                                         const char *format, ...) {
        char source[64], id[64], f_reason[512], trigger[128], device[256], seat[128], uid[64], pid[64],
                session[128];
        const char *fields[12] = {};
        size_t n = 0;
        va_list ap;

        fields[n++] = message_id;
        snprintf(source, sizeof source, "HOTKEYD_SOURCE=%s", origin_kind_table[o->origin]);
        fields[n++] = source;
        snprintf(id, sizeof id, "HOTKEYD_OPERATION=%u", o->id);
        fields[n++] = id;
        if (reason) {
                snprintf(f_reason, sizeof f_reason, "HOTKEYD_REASON=%s", reason);
                fields[n++] = f_reason;
        }
        if (o->origin == ORIGIN_BUS) {
                snprintf(uid, sizeof uid, "HOTKEYD_CALLER_UID=" UID_FMT, o->uid);
                fields[n++] = uid;
                snprintf(pid, sizeof pid, "HOTKEYD_CALLER_PID=" PID_FMT, o->pid);
                fields[n++] = pid;
                if (o->session) {
                        snprintf(session, sizeof session, "HOTKEYD_CALLER_SESSION=%s", o->session);
                        fields[n++] = session;
                }
        } else {
                snprintf(trigger, sizeof trigger, "HOTKEYD_TRIGGER=%s", strna(o->trigger));
                fields[n++] = trigger;
                snprintf(device, sizeof device, "HOTKEYD_DEVICE=%s", strna(o->device));
                fields[n++] = device;
                snprintf(seat, sizeof seat, "HOTKEYD_SEAT=%s", strna(o->seat));
                fields[n++] = seat;
        }

        va_start(ap, format);
        char message[512];
        vsnprintf(message, sizeof message, format, ap);
        va_end(ap);

        log_full(level, 0, fields, "%s", message);
}

/* "uid 1000 (pid 42, session 3)" or "trigger power-key on seat0 (/dev/input/event3)". */
static const char *operation_source(Operation *o, char *buf, size_t size) {
        if (o->origin == ORIGIN_BUS)
                snprintf(buf, size, "uid " UID_FMT " (pid " PID_FMT ", session %s)", o->uid, o->pid,
                         strna(o->session));
        else
                snprintf(buf, size, "%strigger %s on %s (%s)", o->origin == ORIGIN_KIOSK ? "kiosk " : "",
                         strna(o->trigger), strna(o->seat), strna(o->device));
        return buf;
}

static void operation_reply_errorf(Operation *o, const char *name, const char *format, ...) _printf_(3, 4);
static void operation_reply_errorf(Operation *o, const char *name, const char *format, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;

        if (!o->call)
                return;
        va_start(ap, format);
        (void) sd_bus_error_setfv(&error, name, format, ap);
        va_end(ap);
        (void) sd_bus_reply_method_error(o->call, &error);
}

static void operation_refuse(Operation *o, const char *error_name, const char *reason) {
        char source[256];

        operation_log(o, LOG_WARNING, MESSAGE_ID_RESET_REFUSED, reason, "%s from %s refused: %s",
                      o->kind == OPERATION_REQUEST ? "Factory reset request" : "Cancel of the factory reset",
                      operation_source(o, source, sizeof source), reason);
        operation_reply_errorf(o, error_name, "%s", reason);
        operation_free(o);
}

/* The state after an operation is worth announcing (Mode, Supported). */
static void operation_done(Operation *o) {
        manager_refresh_support(o->manager);
        operation_free(o);
}

static void operation_on_started(int error, const sd_bus_error *bus_error, const char *result, void *userdata) {
        Operation *o = userdata;
        char source[256], reason[256];

        if (error < 0 || !streq_ptr(result, "done")) {
                if (error < 0)
                        snprintf(reason, sizeof reason, "systemd refused to start " FACTORY_RESET_TARGET ": %s",
                                 bus_error && bus_error->message ? bus_error->message : strerror(-error));
                else
                        snprintf(reason, sizeof reason, "the job for " FACTORY_RESET_TARGET " ended with '%s'",
                                 result);
                operation_log(o, LOG_ERR, MESSAGE_ID_RESET_FAILED, reason, "Factory reset for %s failed: %s",
                              operation_source(o, source, sizeof source), reason);
                operation_reply_errorf(o, HOTKEYD_ERROR_JOB_FAILED, "Factory reset failed: %s.", reason);
                operation_done(o);
                return;
        }

        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_STARTED, NULL,
                      "Started " FACTORY_RESET_TARGET " for %s.", operation_source(o, source, sizeof source));
        if (o->call)
                (void) sd_bus_reply_method_return(o->call, "s", REQUEST_RESULT_STARTED);
        operation_done(o);
}

static void operation_start_target(Operation *o) {
        int r;

        r = unit_start(o->manager->bus, FACTORY_RESET_TARGET, operation_on_started, o, &o->start);
        if (r < 0) {
                log_error_errno(r, "Cannot start " FACTORY_RESET_TARGET ": %m");
                operation_on_started(r, NULL, NULL, o);
        }
}

static int operation_on_cancel_tool_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Operation *o = userdata;
        char source[256], reason[256];

        o->child = sd_event_source_disable_unref(o->child);

        if (si->si_code != CLD_EXITED || si->si_status != 0) {
                snprintf(reason, sizeof reason, FACTORY_RESET_TOOL " cancel %s %d",
                         si->si_code == CLD_EXITED ? "exited with status" : "was killed by signal", si->si_status);
                operation_log(o, LOG_ERR, MESSAGE_ID_RESET_FAILED, reason,
                              "Cancelling the pending factory reset for %s failed: %s",
                              operation_source(o, source, sizeof source), reason);
                operation_reply_errorf(o, HOTKEYD_ERROR_CANCEL_FAILED, "Cancelling failed: %s.", reason);
                operation_done(o);
                return 0;
        }

        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_CANCELLED, NULL, "Pending factory reset cancelled by %s.",
                      operation_source(o, source, sizeof source));
        if (o->call)
                (void) sd_bus_reply_method_return(o->call, "");
        operation_done(o);
        return 0;
}

/* systemd's own tool removes the request the way systemd wrote it (the EFI
 * variable is immutable until the tool lifts that); doing it by hand would
 * copy systemd's internals. */
static void operation_run_cancel_tool(Operation *o) {
        char *argv[] = { (char *) FACTORY_RESET_TOOL, (char *) "cancel", NULL };
        posix_spawnattr_t attr;
        sigset_t none;
        pid_t pid;
        int r;

        sigemptyset(&none);
        r = -posix_spawnattr_init(&attr);
        if (r == 0)
                r = -posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = -posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
        if (r == 0)
                r = -posix_spawn(&pid, FACTORY_RESET_TOOL, NULL, &attr, argv, environ);
        posix_spawnattr_destroy(&attr);
        if (r == 0)
                r = sd_event_add_child(o->manager->event, &o->child, pid, WEXITED, operation_on_cancel_tool_exit, o);
        if (r < 0) {
                char reason[256];

                snprintf(reason, sizeof reason, "cannot run " FACTORY_RESET_TOOL ": %s", strerror(-r));
                log_error("%s", reason);
                operation_reply_errorf(o, HOTKEYD_ERROR_CANCEL_FAILED, "Cancelling failed: %s.", reason);
                operation_done(o);
        }
}

static void operation_on_authorized(PolkitResult result, void *userdata) {
        Operation *o = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        o->polkit = sd_bus_slot_unref(o->polkit);

        if (result != POLKIT_AUTHORIZED) {
                (void) polkit_result_to_error(result,
                                              o->kind == OPERATION_REQUEST ? "request a factory reset"
                                                                           : "cancel the factory reset",
                                              &error);
                operation_refuse(o, error.name, error.message);
                return;
        }

        if (o->kind == OPERATION_REQUEST)
                operation_start_target(o);
        else
                operation_run_cancel_tool(o);
}

static void operation_authorize(Operation *o, const char *action) {
        int r;

        r = polkit_check(o->call, action, operation_on_authorized, o, &o->polkit);
        if (r < 0) {
                log_error_errno(r, "Cannot ask polkit: %m");
                operation_on_authorized(POLKIT_FAILED, o);
        }
}

static void operation_on_support(const SupportState *state, void *userdata) {
        Operation *o = userdata;

        o->check = support_check_free(o->check);
        manager_set_support(o->manager, state);

        if (o->kind == OPERATION_CANCEL) {
                if (state->mode == FACTORY_RESET_MODE_ON)
                        return operation_refuse(o, HOTKEYD_ERROR_IN_PROGRESS,
                                                "A factory reset is being carried out right now; it cannot be "
                                                "cancelled any more.");
                if (state->mode != FACTORY_RESET_MODE_PENDING)
                        return operation_refuse(o, HOTKEYD_ERROR_NOT_PENDING,
                                                state->verdict == SUPPORT_YES || state->verdict == SUPPORT_NOT_EFI
                                                        ? "No factory reset is pending."
                                                        : support_verdict_reason_to_string(state->verdict));
                return operation_authorize(o, POLKIT_ACTION_CANCEL);
        }

        if (state->verdict == SUPPORT_PENDING) {
                char source[256];

                log_info("Factory reset request from %s: one is already pending, nothing to do.",
                         operation_source(o, source, sizeof source));
                if (o->call)
                        (void) sd_bus_reply_method_return(o->call, "s", REQUEST_RESULT_ALREADY_PENDING);
                return (void) operation_free(o);
        }
        if (state->verdict != SUPPORT_YES)
                return operation_refuse(o, SD_BUS_ERROR_NOT_SUPPORTED, support_verdict_reason_to_string(state->verdict));

        if (o->origin == ORIGIN_BUS)
                operation_authorize(o, POLKIT_ACTION_REQUEST);
        else
                operation_start_target(o);
}

static int operation_new(Manager *m, OperationKind kind, OriginKind origin, Operation **ret) {
        Operation *o = calloc(1, sizeof *o);
        if (!o)
                return -ENOMEM;
        o->kind = kind;
        o->origin = origin;
        o->id = ++m->next_operation_id;
        *ret = o;
        return 0;
}

/* Links the operation into the manager and asks systemd; from here on the
 * operation frees itself when it ends. */
static int operation_begin(Manager *m, Operation *o) {
        char source[256];
        int r;

        o->manager = m;
        o->next = m->operations;
        if (m->operations)
                m->operations->prev = o;
        m->operations = o;

        if (o->kind == OPERATION_REQUEST)
                operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_REQUESTED, NULL, "Factory reset requested by %s.",
                              operation_source(o, source, sizeof source));
        else
                log_info("Cancel of the pending factory reset requested by %s.",
                         operation_source(o, source, sizeof source));

        /* Never a cached "yes": every operation asks systemd again. */
        r = support_check_start(m->event, m->bus, m->varlink_address, operation_on_support, o, &o->check);
        if (r < 0) {
                operation_free(o);
                return log_error_errno(r, "Cannot check factory reset support: %m");
        }
        return 0;
}

int operation_start_from_bus(Manager *m, OperationKind kind, sd_bus_message *call) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_(operation_freep) Operation *o = NULL;
        const char *session = NULL;
        int r;

        r = operation_new(m, kind, ORIGIN_BUS, &o);
        if (r < 0)
                return r;

        o->call = sd_bus_message_ref(call);

        /* For the journal only: authorization goes by bus name. */
        r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID | SD_BUS_CREDS_SESSION |
                                                    SD_BUS_CREDS_AUGMENT, &creds);
        if (r >= 0) {
                if (sd_bus_creds_get_euid(creds, &o->uid) < 0)
                        o->uid = UID_INVALID;
                if (sd_bus_creds_get_pid(creds, &o->pid) < 0)
                        o->pid = 0;
                if (sd_bus_creds_get_session(creds, &session) >= 0) {
                        o->session = strdup(session);
                        if (!o->session)
                                return -ENOMEM;
                }
        } else {
                o->uid = UID_INVALID;
                log_debug_errno(r, "Cannot query the credentials of %s: %m", strna(sd_bus_message_get_sender(call)));
        }

        return operation_begin(m, TAKE_PTR(o));
}

int operation_start_from_gesture(Manager *m, OriginKind origin, const char *trigger, const char *device,
                                 const char *seat) {
        _cleanup_(operation_freep) Operation *o = NULL;
        int r;

        r = operation_new(m, OPERATION_REQUEST, origin, &o);
        if (r < 0)
                return r;

        o->trigger = strdup(strempty(trigger));
        o->device = strdup(strempty(device));
        o->seat = strdup(strempty(seat));
        if (!o->trigger || !o->device || !o->seat)
                return -ENOMEM;

        return operation_begin(m, TAKE_PTR(o));
}
