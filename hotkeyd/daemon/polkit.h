/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks polkitd whether the sender of a method call may perform an action.
 * The subject is the caller's unique bus name, never a pid (pids are
 * recycled); interaction is allowed only when the call's header allows it. */

#include <systemd/sd-bus.h>

typedef enum PolkitResult {
        POLKIT_AUTHORIZED,
        POLKIT_CHALLENGE, /* would be allowed after authentication the caller did not allow */
        POLKIT_DENIED,
        POLKIT_FAILED,    /* polkitd did not answer */
} PolkitResult;

typedef void (*polkit_fn)(PolkitResult result, void *userdata);

/* ret_slot: owns the pending call; unref it to cancel (no callback then). */
int polkit_check(sd_bus_message *call, const char *action_id, polkit_fn fn, void *userdata, sd_bus_slot **ret_slot);

/* Fills ret_error for a result other than POLKIT_AUTHORIZED; returns a
 * negative errno for sd-bus. */
int polkit_result_to_error(PolkitResult result, const char *what, sd_bus_error *ret_error);
