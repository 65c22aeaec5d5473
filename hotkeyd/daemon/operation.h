/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One factory-reset request or cancel, from whoever asked to the end:
 * support check, authorization, starting factory-reset.target or running
 * `systemd-factory-reset cancel`, the journal entries, and the D-Bus reply
 * when a caller waits for one.  Every step is asynchronous. */

#include <systemd/sd-bus.h>

typedef struct Manager Manager;
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

/* Replies to the call when done. */
int operation_start_from_bus(Manager *m, OperationKind kind, sd_bus_message *call);

/* A request that was already confirmed by the gesture's own rules. */
int operation_start_from_gesture(Manager *m, OriginKind origin, const char *trigger, const char *device,
                                 const char *seat);

Operation *operation_free(Operation *o);
