/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The arguments of io.hotkeyd.FactoryReset1's methods, read and checked in
 * one place.  Every method handler (daemon/bus-api.c, agent.c,
 * operation.c) starts with bus_method_args_read() and acts only on what it
 * returned; fuzz/bus-args feeds it arbitrary messages.  Pure: it reads an
 * sd_bus_message that is already in memory and never touches a bus. */

#include <stdint.h>
#include <systemd/sd-bus.h>

/* Request() and Cancel() take flags for future use; none is defined. */
#define REQUEST_FLAGS_ALL UINT64_C(0)

typedef enum BusMethod {
        BUS_METHOD_REQUEST,
        BUS_METHOD_CANCEL,
        BUS_METHOD_REGISTER_AGENT,
        BUS_METHOD_UNREGISTER_AGENT,
        BUS_METHOD_CONFIRM,
        BUS_METHOD_DECLINE,
        BUS_METHOD_EXTEND_CONFIRMATION,
        _BUS_METHOD_MAX,
} BusMethod;

typedef struct BusMethodArgs {
        uint64_t flags;          /* Request, Cancel: only known flags */
        const char *object_path; /* RegisterAgent, UnregisterAgent: valid while the message lives */
        uint32_t request_id;     /* Confirm, Decline, ExtendConfirmation */
} BusMethodArgs;

/* The method's D-Bus name ("Request") and its input signature ("t"). */
const char *bus_method_to_string(BusMethod m);
const char *bus_method_signature(BusMethod m);

/* Reads the whole body of a call of method m from the start.  Returns 0
 * and fills ret; or a negative errno with error set to
 * org.freedesktop.DBus.Error.InvalidArgs (a body that is not exactly the
 * method's signature, unknown flags) and ret zeroed.  sd-bus checks the
 * signature against the vtable before a handler runs, too; this does it
 * again so that the function is correct for any message on its own. */
int bus_method_args_read(sd_bus_message *message, BusMethod m, BusMethodArgs *ret, sd_bus_error *error);
