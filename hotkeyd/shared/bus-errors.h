/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* hotkeyd's own D-Bus errors (bus-names.h) and the errno each stands for,
 * as systemd's bus-common-errors.c.  Once registered, sd_bus_error_set*()
 * with one of these names returns its errno (the daemon's handlers return
 * that), and so do sd_bus_call() and sd_bus_error_get_errno() in a client;
 * a name the map does not know would be -EIO. */

#include <systemd/sd-bus.h>

extern const sd_bus_error_map hotkeyd_bus_errors[];

/* sd_bus_error_add_map(hotkeyd_bus_errors); again is a no-op. */
int bus_errors_register(void);

/* For "...: %s" in a reason: the message of the error a peer answered
 * with, else the text of the errno (%m), as systemd's bus_error_message(). */
#define BUS_ERROR_MESSAGE_MAX 128
const char *bus_error_message_internal(const sd_bus_error *e, int error, char *buf, size_t size);
#define bus_error_message(e, error) \
        bus_error_message_internal((e), (error), (char[BUS_ERROR_MESSAGE_MAX]) {}, BUS_ERROR_MESSAGE_MAX)
