/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One factory-reset request or cancel, from whoever asked to the end:
 * support check, authorization, starting factory-reset.target or
 * hotkeyd-cancel.service, the journal entries, and the D-Bus reply
 * when a caller waits for one.  Every step is asynchronous.  A gesture's
 * confirmation in the session on its seat is confirmation.c's. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "agent.h"
#include "confirmation.h"
#include "hold-check.h"
#include "macro.h"
#include "sessions.h"
#include "support-check.h"
#include "time-util.h"
#include "unit-start.h"

typedef struct Operation Operation;

typedef enum OperationKind {
        OPERATION_REQUEST,
        OPERATION_CANCEL,
} OperationKind;

typedef enum OriginKind {
        ORIGIN_BUS,     /* a D-Bus caller: authorized with polkit */
        ORIGIN_GESTURE, /* a key gesture confirmed in the session on its seat */
        ORIGIN_KIOSK,   /* two key gestures in kiosk mode */
        _ORIGIN_KIND_MAX,
} OriginKind;

/* The operations in flight, and what they need of the daemon: the
 * manager sets the fields (bus and support_queue only while connected;
 * operations only exist then). */
typedef struct Operations {
        Operation *list;
        unsigned next_id;
        sd_event *event;
        sd_bus *bus;
        SupportQueue *support_queue;
        HoldCheck *hold_check; /* started with a hold, taken by its trigger */
        Agents *agents;
        usec_t confirm_timeout_usec;
        /* The verdict of a support check with what a reset erases now. */
        SupportVerdict (*verdict)(const SupportState *state, void *userdata);
        /* An operation ended: the state after it is worth announcing. */
        void (*on_done)(void *userdata);
        void *userdata;
} Operations;

/* What follows each "yes" for an origin and kind: the support check's
 * (operation_on_support(); for a cancel: a reset is pending) and
 * polkit's (operation_on_authorized()). */
typedef struct OperationSteps {
        void (*supported)(Operation *o);
        void (*authorized)(Operation *o);
        const char *authorizing; /* "request a factory reset": what polkit refused */
} OperationSteps;

struct Operation {
        Operations *operations;
        Operation *next, *prev;
        unsigned id;
        OperationKind kind;
        const OperationSteps *steps;

        OriginKind origin;
        sd_bus_message *call; /* ORIGIN_BUS: answered at the end */
        uid_t uid;
        pid_t pid;
        char *session;
        char *trigger, *device, *seat; /* gestures; device is the node, for the journal */
        char *device_name;             /* the kernel's name of the device, what the agent shows */
        char *source;                  /* operation_source() */

        /* ORIGIN_GESTURE in desktop mode: the confirmation in the session (confirmation.c) */
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

/* Replies to the call when done.  LimitsExceeded (in error) when the
 * caller's uid, or all callers together, have too many in flight. */
int operation_start_from_bus(Operations *ops, OperationKind kind, sd_bus_message *call, sd_bus_error *error);

/* A request that was already confirmed by the gesture's own rules;
 * device_name is the kernel's name of the device, what the agent shows. */
int operation_start_from_gesture(Operations *ops, OriginKind origin, const char *trigger, const char *device,
                                 const char *device_name, const char *seat);

/* As logind's inhibitor_stop() and inhibitor_free(): the end of an
 * operation tells whoever still waits on it (a dialog still up, a
 * Confirm() or ExtendConfirmation() being checked); freeing only frees. */
void operation_stop(Operation *o);
Operation *operation_free(Operation *o);

/* For confirmation.c: the steps every origin shares. */

/* The journal entry for a step: who asked (key gesture: trigger, device,
 * seat; D-Bus caller: uid, pid, session) and, for refusals and failures, why. */
void operation_log(Operation *o, int level, const char *message_id, const char *reason, const char *format, ...)
        _printf_(5, 6);
/* Who asked, in the journal's words: "uid 1000 (pid 42, session 3)" or
 * "trigger power-key on seat0 (/dev/input/event3)"; set when it begins. */
const char *operation_source(Operation *o);
/* Answers the call the operation answers at the end, if there is one. */
void operation_reply_errorf(Operation *o, const char *name, const char *format, ...) _printf_(3, 4);
/* Logs the refusal, answers the call with it, and ends the operation.
 * error_name may be NULL while there is no call to answer (a gesture's
 * operation before its Confirm()). */
void operation_refuse(Operation *o, const char *error_name, const char *reason);
/* The same with the reason formatted; operation_refuse_errno() sets errno
 * to error's for %m and answers with the name sd-bus gives error (ENOMEM:
 * NoMemory), as for a handler that returns it. */
void operation_refusef(Operation *o, const char *error_name, const char *format, ...) _printf_(3, 4);
void operation_refuse_errno(Operation *o, int error, const char *format, ...) _printf_(3, 4);
/* Asks systemd (again); operation_on_support() goes on. */
void operation_check_support(Operation *o);
/* Asks polkit about the caller of o->call; o->steps->authorized goes on. */
void operation_authorize(Operation *o, const char *action);
void operation_start_target(Operation *o);
Operation *operation_find(Operations *ops, uint32_t id);
