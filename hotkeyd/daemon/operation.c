/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent.h"
#include "bus-args.h"
#include "bus-names.h"
#include "log.h"
#include "manager.h"
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

/* Where a gesture's request stands on its way through the session. */
typedef enum ConfirmStage {
        STAGE_CHECKING,   /* the first support check */
        STAGE_FINDING,    /* which session is active on the seat, and its agent */
        STAGE_ASKING,     /* RequestConfirmation() sent to the agent */
        STAGE_WAITING,    /* the dialog is up */
        STAGE_VERIFYING,  /* a Confirm() call: its session, then polkit */
        STAGE_CONFIRMED,  /* the support check again, then the target */
} ConfirmStage;

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
        char *trigger, *device, *seat; /* gestures; device is the node, for the journal */
        char *device_name;             /* the kernel's name of the device, what the agent shows */

        /* ORIGIN_GESTURE in desktop mode: the confirmation in the session */
        ConfirmStage stage;
        SessionLookup *lookup;
        Agent *agent;                 /* the one asked; NULL once it is gone */
        sd_bus_slot *agent_call;
        sd_bus_message *confirm_call; /* a Confirm() being checked */
        SessionLookup *extend_lookup;  /* an ExtendConfirmation() being checked */
        sd_bus_message *extend_call;
        sd_event_source *deadline_timer;
        usec_t deadline;
        char *confirm_session;
        uid_t confirm_uid;
        const char *end_reason;       /* told to the agent when the request ends unanswered */

        SupportWaiter *check;
        bool authorized; /* ORIGIN_BUS: polkit said yes; support is checked once more after that */
        sd_bus_slot *polkit;
        UnitStart *start;
};

Operation *operation_free(Operation *o) {
        if (!o)
                return NULL;

        if (o->manager)
                LIST_UNLINK(o->manager->operations, o);

        /* A dialog that is still up must not wait for an answer nobody reads. */
        if (o->agent && IN_SET(o->stage, STAGE_ASKING, STAGE_WAITING, STAGE_VERIFYING))
                agent_cancel(o->agent, o->id, o->end_reason ?: "cancelled");
        if (o->confirm_call)
                (void) sd_bus_reply_method_errorf(o->confirm_call, HOTKEYD_ERROR_NO_SUCH_REQUEST,
                                                  "Request %u ended while your confirmation was checked.", o->id);
        if (o->extend_call)
                (void) sd_bus_reply_method_errorf(o->extend_call, HOTKEYD_ERROR_NO_SUCH_REQUEST,
                                                  "Request %u ended while your request for more time was checked.",
                                                  o->id);
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
                if (o->agent || o->confirm_session) {
                        snprintf(session, sizeof session, "HOTKEYD_AGENT_SESSION=%s",
                                 o->confirm_session ?: o->agent->session);
                        fields[n++] = session;
                }
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

static void operation_on_cancelled(int error, const sd_bus_error *bus_error, const char *result, void *userdata) {
        Operation *o = userdata;
        char source[256], reason[256];

        if (error < 0 || !streq_ptr(result, "done")) {
                if (error < 0)
                        snprintf(reason, sizeof reason, "systemd refused to start " FACTORY_RESET_CANCEL_UNIT ": %s",
                                 bus_error && bus_error->message ? bus_error->message : strerror(-error));
                else
                        snprintf(reason, sizeof reason, "the job for " FACTORY_RESET_CANCEL_UNIT " ended with '%s'",
                                 result);
                operation_log(o, LOG_ERR, MESSAGE_ID_RESET_FAILED, reason,
                              "Cancelling the pending factory reset for %s failed: %s",
                              operation_source(o, source, sizeof source), reason);
                operation_reply_errorf(o, HOTKEYD_ERROR_CANCEL_FAILED, "Cancelling failed: %s.", reason);
                operation_done(o);
                return;
        }

        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_CANCELLED, NULL, "Pending factory reset cancelled by %s.",
                      operation_source(o, source, sizeof source));
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

        r = unit_start(o->manager->bus, FACTORY_RESET_CANCEL_UNIT, operation_on_cancelled, o, &o->start);
        if (r < 0) {
                log_error_errno(r, "Cannot start " FACTORY_RESET_CANCEL_UNIT ": %m");
                operation_on_cancelled(r, NULL, NULL, o);
        }
}

/* --- Confirmation in the session on the gesture's seat (desktop mode) --- */

static void operation_check_support(Operation *o);
static void operation_authorize(Operation *o, const char *action);

static void operation_decline(Operation *o, const char *reason, const char *end_reason) {
        char source[256];

        o->end_reason = end_reason;
        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_DECLINED, reason, "Factory reset for %s not confirmed: %s.",
                      operation_source(o, source, sizeof source), reason);
        /* A Confirm() that passed its session check and waits for polkit. */
        operation_reply_errorf(o, HOTKEYD_ERROR_NO_SUCH_REQUEST, "Request %u ended before your confirmation was "
                               "accepted: %s.", o->id, reason);
        operation_free(o);
}

static int operation_on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Operation *o = userdata;
        char timeout[TIMESPAN_MAX], reason[128];

        /* Running out of time is a "no", never a "yes". */
        snprintf(reason, sizeof reason, "no answer within %s",
                 format_timespan(timeout, o->manager->config->confirm_timeout_usec));
        operation_decline(o, reason, "timeout");
        return 0;
}

static int operation_arm_deadline(Operation *o) {
        int r;

        if (o->deadline_timer) {
                r = sd_event_source_set_time(o->deadline_timer, o->deadline);
                if (r >= 0)
                        r = sd_event_source_set_enabled(o->deadline_timer, SD_EVENT_ONESHOT);
                return r;
        }
        return sd_event_add_time(o->manager->event, &o->deadline_timer, CLOCK_MONOTONIC, o->deadline,
                                 1 * USEC_PER_MSEC, operation_on_deadline, o);
}

static int operation_on_agent_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Operation *o = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        char reason[512];

        o->agent_call = sd_bus_slot_unref(o->agent_call);
        if (e) {
                snprintf(reason, sizeof reason, "the session agent of session %s could not show the dialog: %s",
                         o->agent->session, e->message ?: e->name);
                o->end_reason = "failed";
                o->stage = STAGE_WAITING; /* so that the agent is told to drop whatever it showed */
                operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
                return 0;
        }
        if (o->stage == STAGE_ASKING)
                o->stage = STAGE_WAITING;
        return 0;
}

static void operation_on_active_session(int error, const sd_bus_error *bus_error, const SessionInfo *info,
                                        void *userdata) {
        Operation *o = userdata;
        char reason[512], timeout[TIMESPAN_MAX];
        Agent *agent;
        int r;

        o->lookup = session_lookup_free(o->lookup);

        if (error < 0) {
                snprintf(reason, sizeof reason, "cannot ask logind which session is active on %s: %s", o->seat,
                         bus_error && bus_error->message ? bus_error->message : strerror(-error));
                return operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
        }
        if (isempty(info->id)) {
                snprintf(reason, sizeof reason,
                         "no session is active on %s, so nobody there can confirm; nothing was done", o->seat);
                return operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
        }
        agent = agent_find_by_session(o->manager, info->id);
        if (!agent) {
                snprintf(reason, sizeof reason,
                         "no session agent runs in session %s, the active one on %s, so nobody can confirm; "
                         "nothing was done", info->id, o->seat);
                return operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
        }

        o->agent = agent;
        o->stage = STAGE_ASKING;
        o->deadline = usec_add(now_usec(CLOCK_MONOTONIC), o->manager->config->confirm_timeout_usec);
        r = operation_arm_deadline(o);
        if (r >= 0)
                r = agent_ask(agent, o->id, o->trigger, o->seat, o->device_name, o->deadline,
                              operation_on_agent_reply, o, &o->agent_call);
        if (r < 0) {
                snprintf(reason, sizeof reason, "cannot ask the session agent of session %s: %s", agent->session,
                         strerror(-r));
                return operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
        }

        operation_log(o, LOG_NOTICE, MESSAGE_ID_CONFIRMATION_ASKED, NULL,
                      "Asked the session agent of session %s on %s to confirm the factory reset (request %u, "
                      "answer within %s).", agent->session, o->seat, o->id,
                      format_timespan(timeout, o->manager->config->confirm_timeout_usec));
}

static void operation_find_agent(Operation *o) {
        int r;

        o->stage = STAGE_FINDING;
        r = session_lookup_active_on_seat(o->manager->bus, o->seat, operation_on_active_session, o, &o->lookup);
        if (r < 0) {
                char reason[256];

                snprintf(reason, sizeof reason, "cannot ask logind which session is active on %s: %s", o->seat,
                         strerror(-r));
                operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
        }
}

/* polkit agreed to a Confirm() from the right session: ask systemd once
 * more, as time has passed since the first check. */
static void operation_confirmed(Operation *o) {
        char source[256];

        o->stage = STAGE_CONFIRMED;
        o->deadline_timer = sd_event_source_disable_unref(o->deadline_timer);
        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_CONFIRMED, NULL,
                      "Factory reset for %s confirmed in session %s (uid " UID_FMT ").",
                      operation_source(o, source, sizeof source), o->confirm_session, o->confirm_uid);
        operation_check_support(o);
}

/* A Confirm() that does not come from the asked agent in the active session
 * on the gesture's seat is answered with an error; the dialog stays open
 * for the real answer until the deadline. */
static void operation_reject_confirm(Operation *o, const char *error_name, const char *reason) {
        char source[256];

        operation_log(o, LOG_WARNING, MESSAGE_ID_RESET_REFUSED, reason,
                      "Confirmation of the factory reset for %s refused: %s",
                      operation_source(o, source, sizeof source), reason);
        (void) sd_bus_reply_method_errorf(o->confirm_call, error_name, "%s", reason);
        o->confirm_call = sd_bus_message_unref(o->confirm_call);
        free(o->confirm_session);
        o->confirm_session = NULL;
        o->stage = STAGE_WAITING;
}

/* Why the caller that login1 placed in info cannot answer the request now
 * (Confirm(), ExtendConfirmation()), or NULL: it must be the asked agent's
 * own session, on the gesture's seat, active there and not locked. */
static const char *operation_answerer_problem(Operation *o, const SessionInfo *info, char *buf, size_t size) {
        if (info->refusal)
                return info->refusal;
        if (isempty(info->id))
                return "the caller is in no login session";
        if (!o->agent || !streq(info->id, o->agent->session))
                snprintf(buf, size, "the caller is in session %s, not in the session of the agent that was asked",
                         info->id);
        else if (!streq(info->seat, o->seat))
                snprintf(buf, size, "session %s is on %s, but the gesture was made on %s", info->id,
                         isempty(info->seat) ? "no seat" : info->seat, o->seat);
        else if (!info->active)
                snprintf(buf, size, "session %s is not the active session on %s", info->id, o->seat);
        /* A locked screen hides the dialog: a "yes" (or "more time") from
         * there came from software, not from the person at the keys. */
        else if (info->locked)
                snprintf(buf, size, "session %s is locked", info->id);
        else
                return NULL;
        return buf;
}

static void operation_on_confirmer_session(int error, const sd_bus_error *bus_error, const SessionInfo *info,
                                           void *userdata) {
        Operation *o = userdata;
        const char *problem;
        char reason[512];

        o->lookup = session_lookup_free(o->lookup);

        if (error < 0) {
                snprintf(reason, sizeof reason, "cannot ask logind for the session of the caller: %s",
                         bus_error && bus_error->message ? bus_error->message : strerror(-error));
                return operation_reject_confirm(o, SD_BUS_ERROR_FAILED, reason);
        }
        /* Named in the journal entries from here on, refusals included. */
        if (!info->refusal && !isempty(info->id)) {
                o->confirm_session = strdup(info->id);
                if (!o->confirm_session)
                        return operation_reject_confirm(o, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                o->confirm_uid = info->caller_uid;
        }
        problem = operation_answerer_problem(o, info, reason, sizeof reason);
        if (problem)
                return operation_reject_confirm(o, SD_BUS_ERROR_ACCESS_DENIED, problem);

        /* The caller was checked against the asked agent when it called;
         * from here on its Confirm() is the call answered at the end. */
        o->call = TAKE_PTR(o->confirm_call);
        operation_authorize(o, POLKIT_ACTION_CONFIRM_PHYSICAL);
}

static Operation *operation_find(Manager *m, uint32_t id) {
        for (Operation *o = m->operations; o; o = o->next)
                if (o->id == id)
                        return o;
        return NULL;
}

/* The open request a Confirm()/Decline()/ExtendConfirmation() names; NULL
 * after setting the error. */
static Operation *operation_find_open(Manager *m, sd_bus_message *call, BusMethod method, sd_bus_error *error) {
        BusMethodArgs args;
        Operation *o;

        if (bus_method_args_read(call, method, &args, error) < 0)
                return NULL;
        o = operation_find(m, args.request_id);
        if (!o || o->origin != ORIGIN_GESTURE || !IN_SET(o->stage, STAGE_ASKING, STAGE_WAITING, STAGE_VERIFYING)) {
                (void) sd_bus_error_setf(error, HOTKEYD_ERROR_NO_SUCH_REQUEST, "No confirmation request %" PRIu32
                                         " is open.", args.request_id);
                return NULL;
        }
        return o;
}

static bool operation_called_by_agent(Operation *o, sd_bus_message *call, sd_bus_error *error) {
        if (o->agent && streq(sd_bus_message_get_sender(call), o->agent->bus_name))
                return true;
        (void) sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "Only the session agent that was asked may answer request %u.", o->id);
        return false;
}

int operation_method_confirm(sd_bus_message *call, Manager *m, sd_bus_error *error) {
        Operation *o;
        int r;

        o = operation_find_open(m, call, BUS_METHOD_CONFIRM, error);
        if (!o)
                return -EINVAL;
        /* Before anything changes: a refused caller leaves no trace. */
        if (!operation_called_by_agent(o, call, error))
                return -EACCES;
        if (o->stage == STAGE_VERIFYING)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                         "A confirmation of request %u is being checked already.", o->id);

        r = session_lookup_by_caller(call, operation_on_confirmer_session, o, &o->lookup, error);
        if (r < 0)
                return r;
        /* The deadline keeps running while the answer is checked (login1,
         * then polkit, which may wait for a password): running out of
         * time ends the request, and the Confirm() gets NoSuchRequest. */
        o->confirm_call = sd_bus_message_ref(call);
        o->stage = STAGE_VERIFYING;
        return 1;
}

int operation_method_decline(sd_bus_message *call, Manager *m, sd_bus_error *error) {
        Operation *o;
        char reason[256];

        o = operation_find_open(m, call, BUS_METHOD_DECLINE, error);
        if (!o)
                return -EINVAL;
        if (!operation_called_by_agent(o, call, error))
                return -EACCES;
        if (o->stage == STAGE_VERIFYING)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                         "A confirmation of request %u is being checked already.", o->id);

        snprintf(reason, sizeof reason, "declined in session %s", o->agent->session);
        o->agent = NULL; /* it knows */
        operation_decline(o, reason, NULL);
        return sd_bus_reply_method_return(call, "");
}

static void operation_on_extender_session(int error, const sd_bus_error *bus_error, const SessionInfo *info,
                                          void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        Operation *o = userdata;
        char timeout[TIMESPAN_MAX], reason[512];
        int r;

        o->extend_lookup = session_lookup_free(o->extend_lookup);
        call = TAKE_PTR(o->extend_call);

        if (error < 0)
                r = sd_bus_error_setf(&e, SD_BUS_ERROR_FAILED, "Cannot ask logind for the session of the caller: %s",
                                      bus_error && bus_error->message ? bus_error->message : strerror(-error));
        else {
                /* More time only for a dialog somebody can see. */
                const char *problem = operation_answerer_problem(o, info, reason, sizeof reason);
                r = problem ? sd_bus_error_setf(&e, SD_BUS_ERROR_ACCESS_DENIED, "No more time: %s.", problem) : 0;
        }
        if (r < 0) {
                log_info("Request for more time to answer request %u refused: %s", o->id, e.message);
                (void) sd_bus_reply_method_error(call, &e);
                return;
        }

        /* Unlimited on purpose: more time never leads to the destructive
         * choice, and WCAG 2.2.1 wants the limit extensible. */
        o->deadline = usec_add(now_usec(CLOCK_MONOTONIC), o->manager->config->confirm_timeout_usec);
        r = operation_arm_deadline(o);
        if (r < 0) {
                (void) sd_bus_reply_method_errno(call, r, NULL);
                return operation_decline(o, "the deadline could not be set again", "failed");
        }
        log_info("Session %s asked for more time to answer request %u: %s more.", o->agent->session, o->id,
                 format_timespan(timeout, o->manager->config->confirm_timeout_usec));
        (void) sd_bus_reply_method_return(call, "t", (uint64_t) o->deadline);
}

int operation_method_extend(sd_bus_message *call, Manager *m, sd_bus_error *error) {
        Operation *o;
        int r;

        o = operation_find_open(m, call, BUS_METHOD_EXTEND_CONFIRMATION, error);
        if (!o)
                return -EINVAL;
        if (!operation_called_by_agent(o, call, error))
                return -EACCES;
        if (o->stage == STAGE_VERIFYING)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                         "A confirmation of request %u is being checked already.", o->id);
        if (o->extend_call)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                         "A request for more time for request %u is being checked already.", o->id);

        r = session_lookup_by_caller(call, operation_on_extender_session, o, &o->extend_lookup, error);
        if (r < 0)
                return r;
        o->extend_call = sd_bus_message_ref(call);
        return 1;
}

void operation_agent_gone(Manager *m, Agent *a) {
        Operation *next;

        for (Operation *o = m->operations; o; o = next) {
                next = o->next;
                if (o->agent != a)
                        continue;
                o->agent = NULL;
                if (IN_SET(o->stage, STAGE_ASKING, STAGE_WAITING, STAGE_VERIFYING))
                        operation_decline(o, "the session agent went away before answering", NULL);
        }
}

void operation_end_confirmations(Manager *m, const char *reason) {
        Operation *next;

        for (Operation *o = m->operations; o; o = next) {
                next = o->next;
                if (o->origin == ORIGIN_GESTURE && o->stage != STAGE_CONFIRMED)
                        operation_decline(o, reason, "cancelled");
        }
}

bool operation_confirmation_open(Manager *m, const char *seat) {
        for (Operation *o = m->operations; o; o = o->next)
                if (o->origin == ORIGIN_GESTURE && o->stage != STAGE_CONFIRMED && streq_ptr(o->seat, seat))
                        return true;
        return false;
}

static void operation_on_authorized(PolkitResult result, void *userdata) {
        Operation *o = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        o->polkit = sd_bus_slot_unref(o->polkit);

        if (result != POLKIT_AUTHORIZED) {
                (void) polkit_result_to_error(result,
                                              o->origin == ORIGIN_GESTURE ? "confirm a factory reset"
                                              : o->kind == OPERATION_REQUEST ? "request a factory reset"
                                                                             : "cancel the factory reset",
                                              &error);
                operation_refuse(o, error.name, error.message);
                return;
        }

        if (o->origin == ORIGIN_GESTURE)
                operation_confirmed(o);
        else if (o->kind == OPERATION_REQUEST) {
                /* An interactive authentication may have taken minutes:
                 * ask systemd again before anything starts. */
                o->authorized = true;
                operation_check_support(o);
        } else
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

        o->check = support_waiter_free(o->check);
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

        /* With what a reset erases now: a reset that would only reboot is
         * refused here, for Request() (before and after polkit) and for a
         * gesture (before anyone is asked) alike. */
        SupportVerdict verdict = manager_support_verdict(o->manager, state);

        if (verdict == SUPPORT_PENDING) {
                char source[256];

                log_info("Factory reset request from %s: one is already pending, nothing to do.",
                         operation_source(o, source, sizeof source));
                if (o->call)
                        (void) sd_bus_reply_method_return(o->call, "s", REQUEST_RESULT_ALREADY_PENDING);
                return (void) operation_free(o);
        }
        if (verdict != SUPPORT_YES)
                return operation_refuse(o, SD_BUS_ERROR_NOT_SUPPORTED, support_verdict_reason_to_string(verdict));

        if (o->origin == ORIGIN_BUS && !o->authorized)
                operation_authorize(o, POLKIT_ACTION_REQUEST);
        else if (o->origin == ORIGIN_GESTURE && o->stage == STAGE_CHECKING)
                operation_find_agent(o);
        else
                operation_start_target(o);
}

static void operation_on_hold_check(const SupportState *state, void *userdata) {
        Manager *m = userdata;

        m->hold_check.waiter = support_waiter_free(m->hold_check.waiter);
        m->hold_check.state = *state;
        manager_set_support(m, state);
}

/* Asking systemd takes long enough to be seen (the Varlink service is
 * socket-activated: a process start, then a bus call), so a gesture's
 * check starts when its hold does and the dialog can appear when the hold
 * completes.  That answer only decides whether to ask the person; the
 * reset itself waits for a check after the confirmation. */
void operation_hold_started(Manager *m, const char *seat) {
        int r;

        operation_hold_ended(m, NULL);
        if (!m->support_queue)
                return;

        m->hold_check.seat = strdup(strempty(seat));
        if (!m->hold_check.seat)
                return (void) log_oom();
        log_debug("Hold on %s began: checking factory reset support now, for the dialog.", m->hold_check.seat);
        r = support_queue_wait(m->support_queue, operation_on_hold_check, m, &m->hold_check.waiter);
        if (r < 0) {
                /* The trigger asks then, as without this. */
                log_debug_errno(r, "Cannot start the support check for the hold on %s: %m", seat);
                operation_hold_ended(m, NULL);
        }
}

void operation_hold_ended(Manager *m, const char *seat) {
        HoldCheck *h = &m->hold_check;

        if (seat && !streq_ptr(h->seat, seat))
                return;
        h->waiter = support_waiter_free(h->waiter);
        free(h->seat);
        h->seat = NULL;
        h->state = (SupportState) {};
}

static int operation_new(Manager *m, OperationKind kind, OriginKind origin, Operation **ret) {
        Operation *o = calloc(1, sizeof *o);
        if (!o)
                return -ENOMEM;
        o->kind = kind;
        o->origin = origin;
        /* 0 is never an id, so a zeroed field never names a request. */
        o->id = ++m->next_operation_id ?: ++m->next_operation_id;
        *ret = o;
        return 0;
}

/* A gesture's first check is the one its hold started, answered or not;
 * see operation_hold_started(). */
static bool operation_take_hold_check(Operation *o) {
        HoldCheck *h = &o->manager->hold_check;

        if (o->origin != ORIGIN_GESTURE || o->stage != STAGE_CHECKING || !h->seat || !streq_ptr(h->seat, o->seat))
                return false;

        log_debug("Trigger on %s: the support check its hold started is %s.", h->seat,
                  h->waiter ? "still running" : "answered");
        if (h->waiter) {
                o->check = TAKE_PTR(h->waiter);
                support_waiter_redirect(o->check, operation_on_support, o);
                operation_hold_ended(o->manager, NULL);
        } else {
                SupportState state = h->state;

                operation_hold_ended(o->manager, NULL);
                operation_on_support(&state, o);
        }
        return true;
}

/* Never a cached "yes": every operation asks systemd again (a gesture's
 * first check may have started with its hold, seconds before). */
static void operation_check_support(Operation *o) {
        int r;

        if (operation_take_hold_check(o))
                return;

        r = support_queue_wait(o->manager->support_queue, operation_on_support, o, &o->check);
        if (r < 0) {
                char reason[256];

                snprintf(reason, sizeof reason, "cannot check factory reset support: %s", strerror(-r));
                operation_refuse(o, SD_BUS_ERROR_FAILED, reason);
        }
}

/* Links the operation into the manager and asks systemd; from here on the
 * operation frees itself when it ends. */
static int operation_begin(Manager *m, Operation *o) {
        char source[256];

        o->manager = m;
        LIST_PREPEND(m->operations, o);

        if (o->kind == OPERATION_REQUEST)
                operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_REQUESTED, NULL, "Factory reset requested by %s.",
                              operation_source(o, source, sizeof source));
        else
                log_info("Cancel of the pending factory reset requested by %s.",
                         operation_source(o, source, sizeof source));

        operation_check_support(o);
        return 0;
}

/* Whether one more bus operation of the caller fits; sets error when not. */
static bool operation_bus_slot_free(Manager *m, const char *sender, sd_bus_error *error) {
        size_t all = 0, mine = 0;

        for (Operation *o = m->operations; o; o = o->next) {
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

int operation_start_from_bus(Manager *m, OperationKind kind, sd_bus_message *call, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_(operation_freep) Operation *o = NULL;
        const char *session = NULL;
        int r;

        /* Before anything costs a round trip. */
        if (!operation_bus_slot_free(m, sd_bus_message_get_sender(call), error))
                return -EBUSY;

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

        /* Between losing the system bus and getting it back nobody can be
         * asked and nothing started: the gesture is journaled, no more. */
        if (!m->bus) {
                log_warning("Trigger %s on %s: not connected to the system bus, nothing was done.", strna(trigger),
                            strna(seat));
                return 0;
        }

        /* One dialog per seat: a second gesture while one is open changes nothing. */
        if (origin == ORIGIN_GESTURE && operation_confirmation_open(m, seat)) {
                log_info("Trigger %s on %s: a confirmation is already open there, nothing more to do.",
                         strna(trigger), strna(seat));
                return 0;
        }

        r = operation_new(m, OPERATION_REQUEST, origin, &o);
        if (r < 0)
                return r;

        /* People know the device by its name ("Power Button"), not by its
         * node; looked up now, while the device that completed the gesture
         * is still there. */
        InputDevice *d = input_find_device_by_node(m->input, device);

        o->trigger = strdup(strempty(trigger));
        o->device = strdup(strempty(device));
        o->device_name = strdup(d ? input_device_name(d) : "");
        o->seat = strdup(strempty(seat));
        if (!o->trigger || !o->device || !o->device_name || !o->seat)
                return -ENOMEM;

        return operation_begin(m, TAKE_PTR(o));
}
