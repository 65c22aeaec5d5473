/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent.h"
#include "bus-args.h"
#include "bus-errors.h"
#include "bus-names.h"
#include "hold-check.h"
#include "log.h"
#include "messages.h"
#include "operation.h"
#include "polkit.h"
#include "sessions.h"
#include "support-check.h"
#include "unit-start.h"

/* Runs systemd-factory-reset cancel (units/hotkeyd-cancel.service.in). */
#define FACTORY_RESET_CANCEL_UNIT "hotkeyd-cancel.service"

/* Request()/Cancel() in flight.  Each one holds a call to polkit open, and
 * dbus-daemon lets one connection wait for at most 128 replies (system
 * bus default): past that, every call hotkeyd makes fails, the agent's
 * RequestConfirmation, StartUnit and logind's actions for short presses
 * included.  The caps keep a flood well under that; a gesture's operation
 * (a person at the keys) is never capped.  Counted per connection, not
 * per uid: that needs no round trip to the bus (asking for a caller's
 * credentials is one, and a flood of them starved the loop), and
 * dbus-daemon bounds connections per uid. */
#define BUS_OPERATIONS_PER_CALLER_MAX 4U
#define BUS_OPERATIONS_MAX 32U

static const char *const origin_kind_table[_ORIGIN_KIND_MAX] = {
        [ORIGIN_BUS] = "dbus",
        [ORIGIN_GESTURE] = "key-gesture",
        [ORIGIN_KIOSK] = "kiosk-gesture",
};

void operation_stop(Operation *o) {
        assert(o);

        if (o->origin == ORIGIN_GESTURE)
                confirmation_stop(o);
}

Operation *operation_free(Operation *o) {
        if (!o)
                return NULL;

        if (o->operations)
                LIST_UNLINK(o->operations->list, o);
        session_lookup_free(o->lookup);
        session_lookup_free(o->extend_lookup);
        sd_bus_message_unref(o->extend_call);
        sd_bus_slot_unref(o->agent_call);
        sd_bus_message_unref(o->confirm_call);
        sd_event_source_disable_unref(o->deadline_timer);
        free(o->confirm_session);

        support_waiter_free(o->check);
        sd_bus_slot_unref(o->polkit);
        unit_start_free(o->start);
        sd_bus_message_unref(o->call);
        free(o->session);
        free(o->trigger);
        free(o->device);
        free(o->device_name);
        free(o->seat);
        free(o->source);
        free(o);
        return NULL;
}
DEFINE_POINTER_CLEANUP(Operation, operation_free);

void operation_log(Operation *o, int level, const char *message_id, const char *reason, const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        const char *optional[2][2] = {}; /* format, value: the list ends at the first absent one */
        size_t n = 0;
        va_list ap;
        int r;

        assert(o);
        assert(message_id);
        assert(format);

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0)
                return (void) log_oom();

        if (reason) {
                optional[n][0] = "HOTKEYD_REASON=%s";
                optional[n++][1] = reason;
        }

        if (o->origin == ORIGIN_BUS) {
                if (o->session) {
                        optional[n][0] = "HOTKEYD_CALLER_SESSION=%s";
                        optional[n++][1] = o->session;
                }
                log_struct(level,
                           LOG_MESSAGE("%s", message),
                           LOG_MESSAGE_ID(message_id),
                           "HOTKEYD_SOURCE=%s", origin_kind_table[o->origin],
                           "HOTKEYD_OPERATION=%u", o->id,
                           "HOTKEYD_CALLER_UID=" UID_FMT, o->uid,
                           "HOTKEYD_CALLER_PID=" PID_FMT, o->pid,
                           optional[0][0], optional[0][1],
                           optional[1][0], optional[1][1]);
                return;
        }

        if (o->agent || o->confirm_session) {
                optional[n][0] = "HOTKEYD_AGENT_SESSION=%s";
                optional[n++][1] = o->confirm_session ?: o->agent->session;
        }
        log_struct(level,
                   LOG_MESSAGE("%s", message),
                   LOG_MESSAGE_ID(message_id),
                   "HOTKEYD_SOURCE=%s", origin_kind_table[o->origin],
                   "HOTKEYD_OPERATION=%u", o->id,
                   "HOTKEYD_TRIGGER=%s", strna(o->trigger),
                   "HOTKEYD_DEVICE=%s", strna(o->device),
                   "HOTKEYD_SEAT=%s", strna(o->seat),
                   optional[0][0], optional[0][1],
                   optional[1][0], optional[1][1]);
}

static int operation_make_source(Operation *o) {
        int r;

        assert(o);

        if (o->origin == ORIGIN_BUS)
                r = asprintf(&o->source, "uid " UID_FMT " (pid " PID_FMT ", session %s)", o->uid, o->pid,
                             strna(o->session));
        else
                r = asprintf(&o->source, "%strigger %s on %s (%s)", o->origin == ORIGIN_KIOSK ? "kiosk " : "",
                             strna(o->trigger), strna(o->seat), strna(o->device));
        if (r < 0) {
                o->source = NULL;
                return -ENOMEM;
        }
        return 0;
}

const char *operation_source(Operation *o) {
        assert(o);

        return strna(o->source);
}

void operation_reply_errorf(Operation *o, const char *name, const char *format, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;

        if (!o->call)
                return;
        va_start(ap, format);
        (void) sd_bus_error_setfv(&error, name, format, ap);
        va_end(ap);
        (void) sd_bus_reply_method_error(o->call, &error);
}

void operation_refuse(Operation *o, const char *error_name, const char *reason) {
        assert(o);
        assert(error_name || !o->call);
        assert(reason);

        operation_log(o, LOG_WARNING, MESSAGE_ID_RESET_REFUSED, reason, "%s from %s refused: %s",
                      o->kind == OPERATION_REQUEST ? "Factory reset request" : "Cancel of the factory reset",
                      operation_source(o), reason);
        operation_reply_errorf(o, error_name, "%s", reason);
        operation_stop(o);
        operation_free(o);
}

static void operation_refusev(Operation *o, const char *error_name, int error, const char *format, va_list ap)
        _printf_(4, 0);
static void operation_refusev(Operation *o, const char *error_name, int error, const char *format, va_list ap) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *reason = NULL;

        if (error != 0) {
                (void) sd_bus_error_set_errno(&e, error);
                error_name = e.name;
                errno = error < 0 ? -error : error; /* after sd-bus, which uses errno itself */
        }
        if (vasprintf(&reason, format, ap) < 0) {
                reason = NULL;
                (void) log_oom();
                return operation_refuse(o, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        }
        operation_refuse(o, error_name, reason);
}

void operation_refusef(Operation *o, const char *error_name, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        operation_refusev(o, error_name, 0, format, ap);
        va_end(ap);
}

void operation_refuse_errno(Operation *o, int error, const char *format, ...) {
        va_list ap;

        assert(error != 0);

        va_start(ap, format);
        operation_refusev(o, NULL, error, format, ap);
        va_end(ap);
}

/* Why systemd's job for unit did not start or did not end "done"; NULL
 * when out of memory. */
static char *operation_job_problem(const char *unit, int error, const sd_bus_error *bus_error, const char *result) {
        char *reason;
        int r;

        if (error < 0)
                r = asprintf(&reason, "systemd refused to start %s: %s", unit, bus_error_message(bus_error, error));
        else
                r = asprintf(&reason, "the job for %s ended with '%s'", unit, strna(result));
        return r < 0 ? NULL : reason;
}

/* The state after an operation is worth announcing (Operations.on_done). */
static void operation_done(Operation *o) {
        if (o->operations->on_done)
                o->operations->on_done(o->operations->userdata);
        operation_stop(o);
        operation_free(o);
}

static void operation_on_started(int error, const sd_bus_error *bus_error, const char *result, void *userdata) {
        Operation *o = userdata;

        if (error < 0 || !streq_ptr(result, "done")) {
                _cleanup_free_ char *problem = operation_job_problem(FACTORY_RESET_TARGET, error, bus_error, result);
                const char *reason = problem ?: "out of memory";

                operation_log(o, LOG_ERR, MESSAGE_ID_RESET_FAILED, reason, "Factory reset for %s failed: %s",
                              operation_source(o), reason);
                operation_reply_errorf(o, HOTKEYD_ERROR_JOB_FAILED, "Factory reset failed: %s.", reason);
                operation_done(o);
                return;
        }

        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_STARTED, NULL,
                      "Started " FACTORY_RESET_TARGET " for %s.", operation_source(o));
        if (o->call)
                (void) sd_bus_reply_method_return(o->call, "s", REQUEST_RESULT_STARTED);
        operation_done(o);
}

void operation_start_target(Operation *o) {
        int r;

        r = unit_start(o->operations->bus, FACTORY_RESET_TARGET, operation_on_started, o, &o->start);
        if (r < 0) {
                log_error_errno(r, "Failed to start " FACTORY_RESET_TARGET ": %m");
                operation_on_started(r, NULL, NULL, o);
        }
}

static void operation_on_cancelled(int error, const sd_bus_error *bus_error, const char *result, void *userdata) {
        Operation *o = userdata;

        if (error < 0 || !streq_ptr(result, "done")) {
                _cleanup_free_ char *problem = operation_job_problem(FACTORY_RESET_CANCEL_UNIT, error, bus_error,
                                                                     result);
                const char *reason = problem ?: "out of memory";

                operation_log(o, LOG_ERR, MESSAGE_ID_RESET_FAILED, reason,
                              "Cancelling the pending factory reset for %s failed: %s",
                              operation_source(o), reason);
                operation_reply_errorf(o, HOTKEYD_ERROR_CANCEL_FAILED, "Cancelling failed: %s.", reason);
                operation_done(o);
                return;
        }

        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_CANCELLED, NULL, "Pending factory reset cancelled by %s.",
                      operation_source(o));
        if (o->call)
                (void) sd_bus_reply_method_return(o->call, "");
        operation_done(o);
}

/* systemd's own tool removes the request the way systemd wrote it (the EFI
 * variable is immutable until the tool lifts that); doing it by hand would
 * copy systemd's internals.  It runs in a unit of its own: lifting the flag
 * takes CAP_LINUX_IMMUTABLE and writable efivars, which hotkeyd.service
 * should not hold for its whole life for a command run this rarely. */
static void operation_run_cancel_tool(Operation *o) {
        int r;

        r = unit_start(o->operations->bus, FACTORY_RESET_CANCEL_UNIT, operation_on_cancelled, o, &o->start);
        if (r < 0) {
                log_error_errno(r, "Failed to start " FACTORY_RESET_CANCEL_UNIT ": %m");
                operation_on_cancelled(r, NULL, NULL, o);
        }
}

static void operation_on_authorized(PolkitResult result, void *userdata) {
        Operation *o = ASSERT_PTR(userdata);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        o->polkit = sd_bus_slot_unref(o->polkit);

        if (result != POLKIT_AUTHORIZED) {
                (void) polkit_result_to_error(result, o->steps->authorizing, &error);
                operation_refuse(o, error.name, error.message);
                return;
        }
        o->steps->authorized(o);
}

void operation_authorize(Operation *o, const char *action) {
        int r;

        assert(o);
        assert(action);

        r = polkit_check(o->call, action, operation_on_authorized, o, &o->polkit);
        if (r < 0) {
                log_error_errno(r, "Failed to ask polkit: %m");
                operation_on_authorized(POLKIT_FAILED, o);
        }
}

static void operation_on_support(const SupportState *state, void *userdata) {
        Operation *o = ASSERT_PTR(userdata);

        assert(state);

        o->check = support_waiter_free(o->check);

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
                return o->steps->supported(o);
        }

        /* With what a reset erases now: a reset that would only reboot is
         * refused here, for Request() (before and after polkit) and for a
         * gesture (before anyone is asked) alike. */
        SupportVerdict verdict = o->operations->verdict ? o->operations->verdict(state, o->operations->userdata)
                                                        : state->verdict;

        if (verdict == SUPPORT_PENDING) {
                log_info("Factory reset request from %s: one is already pending, nothing to do.",
                         operation_source(o));
                if (o->call)
                        (void) sd_bus_reply_method_return(o->call, "s", REQUEST_RESULT_ALREADY_PENDING);
                operation_stop(o);
                operation_free(o);
                return;
        }
        if (verdict != SUPPORT_YES)
                return operation_refuse(o, SD_BUS_ERROR_NOT_SUPPORTED, support_verdict_reason_to_string(verdict));

        o->steps->supported(o);
}

/* D-Bus Request(): polkit after the first "yes", and after polkit's "yes"
 * systemd is asked once more (an interactive authentication may have
 * taken minutes) before anything starts. */
static void operation_bus_request_supported(Operation *o) {
        assert(o);

        if (!o->authorized)
                operation_authorize(o, POLKIT_ACTION_REQUEST);
        else
                operation_start_target(o);
}

static void operation_bus_request_authorized(Operation *o) {
        assert(o);

        o->authorized = true;
        operation_check_support(o);
}

static void operation_bus_cancel_supported(Operation *o) {
        operation_authorize(o, POLKIT_ACTION_CANCEL);
}

static const OperationSteps bus_request_steps = {
        .supported = operation_bus_request_supported,
        .authorized = operation_bus_request_authorized,
        .authorizing = "request a factory reset",
};

static const OperationSteps bus_cancel_steps = {
        .supported = operation_bus_cancel_supported,
        .authorized = operation_run_cancel_tool,
        .authorizing = "cancel the factory reset",
};

/* Kiosk mode: the two gestures were the confirmation; nobody is asked. */
static const OperationSteps kiosk_steps = {
        .supported = operation_start_target,
};

static int operation_new(Operations *ops, OperationKind kind, OriginKind origin, Operation **ret) {
        Operation *o;

        assert(ops);
        assert(ret);
        /* A gesture only ever requests. */
        assert(origin == ORIGIN_BUS || kind == OPERATION_REQUEST);

        o = calloc(1, sizeof *o);
        if (!o)
                return -ENOMEM;
        o->kind = kind;
        o->origin = origin;
        o->steps = origin == ORIGIN_GESTURE      ? &confirmation_steps
                   : origin == ORIGIN_KIOSK      ? &kiosk_steps
                   : kind == OPERATION_REQUEST   ? &bus_request_steps
                                                 : &bus_cancel_steps;
        /* 0 is never an id, so a zeroed field never names a request. */
        o->id = ++ops->next_id ?: ++ops->next_id;
        *ret = o;
        return 0;
}

Operation *operation_find(Operations *ops, uint32_t id) {
        assert(ops);

        for (Operation *o = ops->list; o; o = o->next)
                if (o->id == id)
                        return o;
        return NULL;
}

/* Never a cached "yes": every operation asks systemd again.  A gesture's
 * first check is the one its hold started, seconds before, answered or
 * not (hold-check.h). */
void operation_check_support(Operation *o) {
        SupportState state;
        int r;

        assert(o);

        if (o->origin == ORIGIN_GESTURE && o->stage == STAGE_CHECKING &&
            hold_check_take(o->operations->hold_check, o->seat, operation_on_support, o, &o->check, &state)) {
                if (!o->check)
                        operation_on_support(&state, o);
                return;
        }

        r = support_queue_wait(o->operations->support_queue, operation_on_support, o, &o->check);
        if (r < 0)
                operation_refuse_errno(o, r, "cannot check factory reset support: %m");
}

/* Links the operation into the list and asks systemd; from here on the
 * operation frees itself when it ends.  Takes o, also on failure. */
static int operation_begin(Operations *ops, Operation *o) {
        int r;

        r = operation_make_source(o);
        if (r < 0) {
                operation_free(o);
                return r;
        }

        o->operations = ops;
        LIST_PREPEND(ops->list, o);

        if (o->kind == OPERATION_REQUEST)
                operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_REQUESTED, NULL, "Factory reset requested by %s.",
                              operation_source(o));
        else
                log_info("Cancel of the pending factory reset requested by %s.",
                         operation_source(o));

        operation_check_support(o);
        return 0;
}

/* Whether one more bus operation of the caller fits; sets error when not. */
static bool operation_bus_slot_free(Operations *ops, const char *sender, sd_bus_error *error) {
        size_t all = 0, mine = 0;

        for (Operation *o = ops->list; o; o = o->next) {
                if (o->origin != ORIGIN_BUS || !o->call)
                        continue;
                all++;
                if (streq_ptr(sd_bus_message_get_sender(o->call), sender))
                        mine++;
        }
        if (mine >= BUS_OPERATIONS_PER_CALLER_MAX)
                (void) sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many requests of %s in flight; try again later.", strna(sender));
        else if (all >= BUS_OPERATIONS_MAX)
                (void) sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                        "Too many requests in flight; try again later.");
        else
                return true;
        log_debug("Refused a request of %s: %s", strna(sender), error->message);
        return false;
}

/* For the journal only: authorization goes by bus name. */
static int operation_read_caller(Operation *o, sd_bus_message *call) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *session;
        int r;

        o->uid = UID_INVALID;
        r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID | SD_BUS_CREDS_SESSION |
                                                    SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0) {
                log_debug_errno(r, "Failed to query the credentials of %s, ignoring: %m",
                                strna(sd_bus_message_get_sender(call)));
                return 0;
        }
        if (sd_bus_creds_get_euid(creds, &o->uid) < 0)
                o->uid = UID_INVALID;
        if (sd_bus_creds_get_pid(creds, &o->pid) < 0)
                o->pid = 0;
        if (sd_bus_creds_get_session(creds, &session) < 0)
                return 0;
        o->session = strdup(session);
        return o->session ? 0 : -ENOMEM;
}

int operation_start_from_bus(Operations *ops, OperationKind kind, sd_bus_message *call, sd_bus_error *error) {
        _cleanup_(operation_freep) Operation *o = NULL;
        int r;

        /* Before anything costs a round trip. */
        assert(ops);
        assert(call);

        if (!operation_bus_slot_free(ops, sd_bus_message_get_sender(call), error))
                return -EBUSY;

        r = operation_new(ops, kind, ORIGIN_BUS, &o);
        if (r < 0)
                return r;

        o->call = sd_bus_message_ref(call);

        r = operation_read_caller(o, call);
        if (r < 0)
                return r;

        return operation_begin(ops, TAKE_PTR(o));
}

int operation_start_from_gesture(Operations *ops, OriginKind origin, const char *trigger, const char *device,
                                 const char *device_name, const char *seat) {
        _cleanup_(operation_freep) Operation *o = NULL;
        int r;

        assert(ops);

        /* Between losing the system bus and getting it back nobody can be
         * asked and nothing started: the gesture is journaled, no more. */
        if (!ops->bus) {
                log_warning("Trigger %s on %s: not connected to the system bus, nothing was done.", strna(trigger),
                            strna(seat));
                return 0;
        }

        /* One dialog per seat: a second gesture while one is open changes nothing. */
        if (origin == ORIGIN_GESTURE && confirmation_open(ops, seat)) {
                log_info("Trigger %s on %s: a confirmation is already open there, nothing more to do.",
                         strna(trigger), strna(seat));
                return 0;
        }

        r = operation_new(ops, OPERATION_REQUEST, origin, &o);
        if (r < 0)
                return r;

        o->trigger = strdup(strempty(trigger));
        o->device = strdup(strempty(device));
        o->device_name = strdup(strempty(device_name));
        o->seat = strdup(strempty(seat));
        if (!o->trigger || !o->device || !o->device_name || !o->seat)
                return -ENOMEM;

        return operation_begin(ops, TAKE_PTR(o));
}
