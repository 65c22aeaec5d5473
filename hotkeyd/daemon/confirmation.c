/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent.h"
#include "bus-args.h"
#include "bus-errors.h"
#include "bus-names.h"
#include "confirmation.h"
#include "event-util.h"
#include "log.h"
#include "messages.h"
#include "operation.h"
#include "polkit.h"
#include "sessions.h"

/* A reason formatted to its full length; NULL when out of memory. */
static char *confirmation_reasonv(const char *format, va_list ap) _printf_(1, 0);
static char *confirmation_reasonv(const char *format, va_list ap) {
        char *reason;

        return vasprintf(&reason, format, ap) < 0 ? NULL : reason;
}

static void confirmation_decline(Operation *o, const char *end_reason, const char *format, ...) _printf_(3, 4);
static void confirmation_decline(Operation *o, const char *end_reason, const char *format, ...) {
        _cleanup_free_ char *formatted = NULL;
        const char *reason;
        va_list ap;

        assert(o);

        va_start(ap, format);
        formatted = confirmation_reasonv(format, ap);
        va_end(ap);
        reason = formatted ?: "out of memory";

        o->end_reason = end_reason;
        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_DECLINED, reason, "Factory reset for %s not confirmed: %s.",
                      operation_source(o), reason);
        /* A Confirm() that passed its session check and waits for polkit. */
        operation_reply_errorf(o, HOTKEYD_ERROR_NO_SUCH_REQUEST, "Request %u ended before your confirmation was "
                               "accepted: %s.", o->id, reason);
        operation_stop(o);
        operation_free(o);
}

static int confirmation_on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Operation *o = ASSERT_PTR(userdata);
        char timeout[TIMESPAN_MAX];

        /* Running out of time is a "no", never a "yes". */
        confirmation_decline(o, "timeout", "no answer within %s",
                             format_timespan(timeout, o->operations->confirm_timeout_usec));
        return 0;
}

static int confirmation_arm_deadline(Operation *o) {
        assert(o);

        return event_reset_time(o->operations->event, &o->deadline_timer, CLOCK_MONOTONIC, o->deadline,
                                1 * USEC_PER_MSEC, confirmation_on_deadline, o, SD_EVENT_PRIORITY_NORMAL);
}

static int confirmation_on_agent_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Operation *o = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        o->agent_call = sd_bus_slot_unref(o->agent_call);
        if (e) {
                o->end_reason = "failed";
                o->stage = STAGE_WAITING; /* so that the agent is told to drop whatever it showed */
                operation_refusef(o, NULL, "the session agent of session %s could not show the dialog: %s",
                                  o->agent->session, e->message ?: e->name);
                return 0;
        }
        if (o->stage == STAGE_ASKING)
                o->stage = STAGE_WAITING;
        return 0;
}

/* Until the asked agent calls Confirm(), a gesture's operation has no call
 * to answer: its refusals are journaled, and need no error name. */
static void confirmation_on_active_session(int error, const sd_bus_error *bus_error, const SessionInfo *info,
                                           void *userdata) {
        Operation *o = ASSERT_PTR(userdata);
        char timeout[TIMESPAN_MAX];
        Agent *agent;
        int r;

        o->lookup = session_lookup_free(o->lookup);

        if (error < 0)
                return operation_refusef(o, NULL, "cannot ask logind which session is active on %s: %s", o->seat,
                                         bus_error_message(bus_error, error));
        if (isempty(info->id))
                return operation_refusef(o, NULL,
                                         "no session is active on %s, so nobody there can confirm; nothing was done",
                                         o->seat);
        agent = agent_find_by_session(o->operations->agents, info->id);
        if (!agent)
                return operation_refusef(o, NULL,
                                         "no session agent runs in session %s, the active one on %s, so nobody can "
                                         "confirm; nothing was done", info->id, o->seat);

        o->agent = agent;
        o->stage = STAGE_ASKING;
        o->deadline = usec_add(now_usec(CLOCK_MONOTONIC), o->operations->confirm_timeout_usec);
        r = confirmation_arm_deadline(o);
        if (r < 0)
                return operation_refuse_errno(o, r, "cannot set the deadline for the answer of session %s: %m",
                                              agent->session);

        r = agent_ask(agent, o->id, o->trigger, o->seat, o->device_name, o->deadline, confirmation_on_agent_reply,
                      o, &o->agent_call);
        if (r < 0)
                return operation_refuse_errno(o, r, "cannot ask the session agent of session %s: %m",
                                              agent->session);

        operation_log(o, LOG_NOTICE, MESSAGE_ID_CONFIRMATION_ASKED, NULL,
                      "Asked the session agent of session %s on %s to confirm the factory reset (request %u, "
                      "answer within %s).", agent->session, o->seat, o->id,
                      format_timespan(timeout, o->operations->confirm_timeout_usec));
}

static void confirmation_find_agent(Operation *o) {
        int r;

        assert(o);

        o->stage = STAGE_FINDING;
        r = session_lookup_active_on_seat(o->operations->bus, o->seat, confirmation_on_active_session, o, &o->lookup);
        if (r < 0)
                operation_refuse_errno(o, r, "cannot ask logind which session is active on %s: %m", o->seat);
}

/* polkit agreed to a Confirm() from the right session: ask systemd once
 * more, as time has passed since the first check. */
static void confirmation_confirmed(Operation *o) {
        assert(o);

        o->stage = STAGE_CONFIRMED;
        o->deadline_timer = sd_event_source_disable_unref(o->deadline_timer);
        operation_log(o, LOG_NOTICE, MESSAGE_ID_RESET_CONFIRMED, NULL,
                      "Factory reset for %s confirmed in session %s (uid " UID_FMT ").",
                      operation_source(o), o->confirm_session, o->confirm_uid);
        operation_check_support(o);
}

/* A Confirm() that does not come from the asked agent in the active session
 * on the gesture's seat is answered with an error; the dialog stays open
 * for the real answer until the deadline. */
static void confirmation_reject_confirm(Operation *o, const char *error_name, const char *format, ...)
        _printf_(3, 4);
static void confirmation_reject_confirm(Operation *o, const char *error_name, const char *format, ...) {
        _cleanup_free_ char *formatted = NULL;
        const char *reason;
        va_list ap;

        assert(o);

        va_start(ap, format);
        formatted = confirmation_reasonv(format, ap);
        va_end(ap);
        reason = formatted ?: "out of memory";

        operation_log(o, LOG_WARNING, MESSAGE_ID_RESET_REFUSED, reason,
                      "Confirmation of the factory reset for %s refused: %s",
                      operation_source(o), reason);
        (void) sd_bus_reply_method_errorf(o->confirm_call, error_name, "%s", reason);
        o->confirm_call = sd_bus_message_unref(o->confirm_call);
        free(o->confirm_session);
        o->confirm_session = NULL;
        o->stage = STAGE_WAITING;
}

/* Why the caller that login1 placed in info cannot answer the request now
 * (Confirm(), ExtendConfirmation()): 1 and the reason in ret, or 0: it must
 * be the asked agent's own session, on the gesture's seat, active there and
 * not locked. */
static int confirmation_answerer_problem(Operation *o, const SessionInfo *info, char **ret) {
        char *problem = NULL;
        int r = 0;

        assert(ret);

        if (info->refusal)
                problem = strdup(info->refusal);
        else if (isempty(info->id))
                problem = strdup("the caller is in no login session");
        else if (!o->agent || !streq(info->id, o->agent->session))
                r = asprintf(&problem, "the caller is in session %s, not in the session of the agent that was asked",
                             info->id);
        else if (!streq(info->seat, o->seat))
                r = asprintf(&problem, "session %s is on %s, but the gesture was made on %s", info->id,
                             isempty(info->seat) ? "no seat" : info->seat, o->seat);
        else if (!info->active)
                r = asprintf(&problem, "session %s is not the active session on %s", info->id, o->seat);
        /* A locked screen hides the dialog: a "yes" (or "more time") from
         * there came from software, not from the person at the keys. */
        else if (info->locked)
                r = asprintf(&problem, "session %s is locked", info->id);
        else {
                *ret = NULL;
                return 0;
        }
        if (r < 0 || !problem)
                return -ENOMEM;
        *ret = problem;
        return 1;
}

static void confirmation_on_confirmer_session(int error, const sd_bus_error *bus_error, const SessionInfo *info,
                                              void *userdata) {
        Operation *o = ASSERT_PTR(userdata);
        _cleanup_free_ char *problem = NULL;
        int r;

        o->lookup = session_lookup_free(o->lookup);

        if (error < 0)
                return confirmation_reject_confirm(o, HOTKEYD_ERROR_SESSION_LOOKUP_FAILED,
                                                   "cannot ask logind for the session of the caller: %s",
                                                   bus_error_message(bus_error, error));
        /* Named in the journal entries from here on, refusals included. */
        if (!info->refusal && !isempty(info->id)) {
                o->confirm_session = strdup(info->id);
                if (!o->confirm_session)
                        return confirmation_reject_confirm(o, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                o->confirm_uid = info->caller_uid;
        }
        r = confirmation_answerer_problem(o, info, &problem);
        if (r < 0)
                return confirmation_reject_confirm(o, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        if (r > 0)
                return confirmation_reject_confirm(o, SD_BUS_ERROR_ACCESS_DENIED, "%s", problem);

        /* The caller was checked against the asked agent when it called;
         * from here on its Confirm() is the call answered at the end. */
        o->call = TAKE_PTR(o->confirm_call);
        operation_authorize(o, POLKIT_ACTION_CONFIRM_PHYSICAL);
}

/* The open request a Confirm()/Decline()/ExtendConfirmation() names; NULL
 * after setting the error. */
static Operation *confirmation_find_open(Operations *ops, sd_bus_message *call, BusMethod method, sd_bus_error *error) {
        BusMethodArgs args;
        Operation *o;

        if (bus_method_args_read(call, method, &args, error) < 0)
                return NULL;
        o = operation_find(ops, args.request_id);
        if (!o || o->origin != ORIGIN_GESTURE || !IN_SET(o->stage, STAGE_ASKING, STAGE_WAITING, STAGE_VERIFYING)) {
                (void) sd_bus_error_setf(error, HOTKEYD_ERROR_NO_SUCH_REQUEST, "No confirmation request %" PRIu32
                                         " is open.", args.request_id);
                return NULL;
        }
        return o;
}

static bool confirmation_called_by_agent(Operation *o, sd_bus_message *call, sd_bus_error *error) {
        assert(o);

        if (o->agent && streq(sd_bus_message_get_sender(call), o->agent->bus_name))
                return true;
        (void) sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "Only the session agent that was asked may answer request %u.", o->id);
        return false;
}

/* The open confirmation the call answers, if its caller is the agent that
 * was asked and no earlier answer is being checked.  Before anything
 * changes: a refused caller leaves no trace. */
static int confirmation_for_answer(Operations *ops, sd_bus_message *call, BusMethod method, sd_bus_error *error,
                                   Operation **ret) {
        Operation *o;

        assert(ret);

        o = confirmation_find_open(ops, call, method, error);
        if (!o)
                return -EINVAL;
        if (!confirmation_called_by_agent(o, call, error))
                return -EACCES;
        if (o->stage == STAGE_VERIFYING)
                return sd_bus_error_setf(error, HOTKEYD_ERROR_ALREADY_CHECKING,
                                         "A confirmation of request %u is being checked already.", o->id);
        *ret = o;
        return 0;
}

int confirmation_method_confirm(sd_bus_message *call, Operations *ops, sd_bus_error *error) {
        Operation *o;
        int r;

        assert(call);
        assert(ops);

        r = confirmation_for_answer(ops, call, BUS_METHOD_CONFIRM, error, &o);
        if (r < 0)
                return r;

        r = session_lookup_by_caller(call, confirmation_on_confirmer_session, o, &o->lookup, error);
        if (r < 0)
                return r;
        /* The deadline keeps running while the answer is checked (login1,
         * then polkit, which may wait for a password): running out of
         * time ends the request, and the Confirm() gets NoSuchRequest. */
        o->confirm_call = sd_bus_message_ref(call);
        o->stage = STAGE_VERIFYING;
        return 1;
}

int confirmation_method_decline(sd_bus_message *call, Operations *ops, sd_bus_error *error) {
        Operation *o;
        Agent *agent;
        int r;

        assert(call);
        assert(ops);

        r = confirmation_for_answer(ops, call, BUS_METHOD_DECLINE, error, &o);
        if (r < 0)
                return r;

        agent = TAKE_PTR(o->agent); /* it knows */
        confirmation_decline(o, NULL, "declined in session %s", agent->session);
        return sd_bus_reply_method_return(call, "");
}

static void confirmation_on_extender_session(int error, const sd_bus_error *bus_error, const SessionInfo *info,
                                             void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *problem = NULL;
        Operation *o = ASSERT_PTR(userdata);
        char timeout[TIMESPAN_MAX];
        int r;

        o->extend_lookup = session_lookup_free(o->extend_lookup);
        call = TAKE_PTR(o->extend_call);

        if (error < 0)
                (void) sd_bus_error_setf(&e, HOTKEYD_ERROR_SESSION_LOOKUP_FAILED,
                                         "Cannot ask logind for the session of the caller: %s",
                                         bus_error_message(bus_error, error));
        else {
                /* More time only for a dialog somebody can see. */
                r = confirmation_answerer_problem(o, info, &problem);
                if (r < 0)
                        (void) sd_bus_error_set_errno(&e, r);
                else if (r > 0)
                        (void) sd_bus_error_setf(&e, SD_BUS_ERROR_ACCESS_DENIED, "No more time: %s.", problem);
        }
        if (sd_bus_error_is_set(&e)) {
                log_info("Request for more time to answer request %u refused: %s", o->id, e.message);
                (void) sd_bus_reply_method_error(call, &e);
                return;
        }

        /* Unlimited on purpose: more time never leads to the destructive
         * choice, and WCAG 2.2.1 wants the limit extensible. */
        o->deadline = usec_add(now_usec(CLOCK_MONOTONIC), o->operations->confirm_timeout_usec);
        r = confirmation_arm_deadline(o);
        if (r < 0) {
                (void) sd_bus_reply_method_errno(call, r, NULL);
                return confirmation_decline(o, "failed", "the deadline could not be set again");
        }
        log_info("Session %s asked for more time to answer request %u: %s more.", o->agent->session, o->id,
                 format_timespan(timeout, o->operations->confirm_timeout_usec));
        (void) sd_bus_reply_method_return(call, "t", (uint64_t) o->deadline);
}

int confirmation_method_extend(sd_bus_message *call, Operations *ops, sd_bus_error *error) {
        Operation *o;
        int r;

        assert(call);
        assert(ops);

        r = confirmation_for_answer(ops, call, BUS_METHOD_EXTEND_CONFIRMATION, error, &o);
        if (r < 0)
                return r;
        if (o->extend_call)
                return sd_bus_error_setf(error, HOTKEYD_ERROR_ALREADY_CHECKING,
                                         "A request for more time for request %u is being checked already.", o->id);

        r = session_lookup_by_caller(call, confirmation_on_extender_session, o, &o->extend_lookup, error);
        if (r < 0)
                return r;
        o->extend_call = sd_bus_message_ref(call);
        return 1;
}

void confirmation_agent_gone(Operations *ops, Agent *a) {
        Operation *next;

        assert(ops);

        for (Operation *o = ops->list; o; o = next) {
                next = o->next;
                if (o->agent != a)
                        continue;
                o->agent = NULL;
                if (IN_SET(o->stage, STAGE_ASKING, STAGE_WAITING, STAGE_VERIFYING))
                        confirmation_decline(o, NULL, "the session agent went away before answering");
        }
}

void confirmation_end_all(Operations *ops, const char *reason) {
        Operation *next;

        assert(ops);

        for (Operation *o = ops->list; o; o = next) {
                next = o->next;
                if (o->origin == ORIGIN_GESTURE && o->stage != STAGE_CONFIRMED)
                        confirmation_decline(o, "cancelled", "%s", reason);
        }
}

bool confirmation_open(Operations *ops, const char *seat) {
        assert(ops);

        for (Operation *o = ops->list; o; o = o->next)
                if (o->origin == ORIGIN_GESTURE && o->stage != STAGE_CONFIRMED && streq_ptr(o->seat, seat))
                        return true;
        return false;
}

/* The support check said yes: the first time, the person is asked; once
 * confirmed, the reset starts. */
static void confirmation_on_supported(Operation *o) {
        assert(o);

        if (o->stage == STAGE_CHECKING)
                confirmation_find_agent(o);
        else
                operation_start_target(o);
}

const OperationSteps confirmation_steps = {
        .supported = confirmation_on_supported,
        .authorized = confirmation_confirmed,
        .authorizing = "confirm a factory reset",
};

void confirmation_stop(Operation *o) {
        assert(o);

        /* A dialog that is still up must not wait for an answer nobody reads. */
        if (o->agent && IN_SET(o->stage, STAGE_ASKING, STAGE_WAITING, STAGE_VERIFYING))
                agent_cancel(o->agent, o->id, o->end_reason ?: "cancelled");
        o->agent = NULL;
        if (o->confirm_call) {
                (void) sd_bus_reply_method_errorf(o->confirm_call, HOTKEYD_ERROR_NO_SUCH_REQUEST,
                                                  "Request %u ended while your confirmation was checked.", o->id);
                o->confirm_call = sd_bus_message_unref(o->confirm_call);
        }
        if (o->extend_call) {
                (void) sd_bus_reply_method_errorf(o->extend_call, HOTKEYD_ERROR_NO_SUCH_REQUEST,
                                                  "Request %u ended while your request for more time was checked.",
                                                  o->id);
                o->extend_call = sd_bus_message_unref(o->extend_call);
        }
}
