/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A key gesture's request in desktop mode, confirmed in the session on
 * its seat: the session agent of the active session there is asked
 * (RequestConfirmation), the person answers with Confirm(), Decline() or
 * ExtendConfirmation(), the answer is checked (its session with login1,
 * then polkit) and only then does the operation go on to start the
 * target.  Running out of time is a "no". */

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Operations Operations;
typedef struct Operation Operation;
typedef struct Agent Agent;
typedef struct OperationSteps OperationSteps;

/* Where a gesture's request stands on its way through the session. */
typedef enum ConfirmStage {
        STAGE_CHECKING,   /* the first support check */
        STAGE_FINDING,    /* which session is active on the seat, and its agent */
        STAGE_ASKING,     /* RequestConfirmation() sent to the agent */
        STAGE_WAITING,    /* the dialog is up */
        STAGE_VERIFYING,  /* a Confirm() call: its session, then polkit */
        STAGE_CONFIRMED,  /* the support check again, then the target */
} ConfirmStage;

/* The steps of an ORIGIN_GESTURE operation (operation.h). */
extern const OperationSteps confirmation_steps;

/* The operation ends (operation_stop()): the agent's dialog is told to
 * close, a Confirm() or ExtendConfirmation() being checked gets
 * NoSuchRequest. */
void confirmation_stop(Operation *o);

/* Confirm(u), Decline(u) and ExtendConfirmation(u) from a session agent. */
int confirmation_method_confirm(sd_bus_message *call, Operations *ops, sd_bus_error *error);
int confirmation_method_decline(sd_bus_message *call, Operations *ops, sd_bus_error *error);
int confirmation_method_extend(sd_bus_message *call, Operations *ops, sd_bus_error *error);

/* The agent is going away: requests it was showing end unanswered. */
void confirmation_agent_gone(Operations *ops, Agent *a);
/* Every gesture's confirmation not yet confirmed ends as declined, its
 * dialog told "cancelled" (a reload: the rules it was made under are gone). */
void confirmation_end_all(Operations *ops, const char *reason);
/* Whether a gesture's confirmation is open (or being acted on) on the seat. */
bool confirmation_open(Operations *ops, const char *seat);
