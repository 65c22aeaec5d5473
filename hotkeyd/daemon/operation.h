/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One factory-reset request or cancel, from whoever asked to the end:
 * support check, authorization, starting factory-reset.target or
 * hotkeyd-cancel.service, the journal entries, and the D-Bus reply
 * when a caller waits for one.  Every step is asynchronous. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Manager Manager;
typedef struct Operation Operation;
typedef struct Agent Agent;

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

/* Replies to the call when done.  LimitsExceeded (in error) when the
 * caller's uid, or all callers together, have too many in flight. */
int operation_start_from_bus(Manager *m, OperationKind kind, sd_bus_message *call, sd_bus_error *error);

/* A request that was already confirmed by the gesture's own rules. */
int operation_start_from_gesture(Manager *m, OriginKind origin, const char *trigger, const char *device,
                                 const char *seat);

Operation *operation_free(Operation *o);

/* A hold began on the seat: its trigger will want to know whether a reset
 * is supported, so the asking starts now.  Ended (seat NULL: any) when the
 * hold is cancelled or the bus goes away. */
void operation_hold_started(Manager *m, const char *seat);
void operation_hold_ended(Manager *m, const char *seat);

/* Confirm(u), Decline(u) and ExtendConfirmation(u) from a session agent. */
int operation_method_confirm(sd_bus_message *call, Manager *m, sd_bus_error *error);
int operation_method_decline(sd_bus_message *call, Manager *m, sd_bus_error *error);
int operation_method_extend(sd_bus_message *call, Manager *m, sd_bus_error *error);

/* The agent is going away: requests it was showing end unanswered. */
void operation_agent_gone(Manager *m, Agent *a);
/* Every gesture's confirmation not yet confirmed ends as declined, its
 * dialog told "cancelled" (a reload: the rules it was made under are gone). */
void operation_end_confirmations(Manager *m, const char *reason);
/* Whether a gesture's confirmation is open (or being acted on) on the seat. */
bool operation_confirmation_open(Manager *m, const char *seat);
