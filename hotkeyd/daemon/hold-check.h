/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The support check of the hold in progress.  Asking systemd takes long
 * enough to be seen (the Varlink service is socket-activated: a process
 * start, then a bus call), so a gesture's check starts when its hold does
 * and the dialog can appear when the hold completes.  That answer only
 * decides whether to ask the person; the reset itself waits for a check
 * after the confirmation. */

#include <stdbool.h>

#include "support-check.h"

typedef struct HoldCheck {
        char *seat;            /* NULL: no hold is being checked */
        SupportWaiter *waiter; /* NULL once answered */
        SupportState state;
} HoldCheck;

/* A hold began on the seat: its trigger will want to know whether a reset
 * is supported, so the asking starts now (q NULL: no bus, nothing to ask). */
void hold_check_start(HoldCheck *h, SupportQueue *q, const char *seat);
/* The hold on the seat (NULL: any) was cancelled, or the bus went away. */
void hold_check_end(HoldCheck *h, const char *seat);

/* The trigger of the hold on seat takes its check, answered or not: false
 * when there is none for the seat.  Else, still running, the waiter is
 * now the caller's in *ret_waiter and answers fn(userdata); answered,
 * *ret_waiter is NULL and *ret_state the answer. */
bool hold_check_take(HoldCheck *h, const char *seat, support_check_fn fn, void *userdata,
                     SupportWaiter **ret_waiter, SupportState *ret_state);
