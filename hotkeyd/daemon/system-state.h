/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks org.freedesktop.systemd1 whether the system is going down: its
 * Manager's SystemState is "stopping" from the moment a job for
 * shutdown.target is queued.  systemd then refuses to start anything new,
 * socket-activated services too, so a question that would start one is
 * better not asked. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* error: negative errno when systemd could not be asked or gave no readable
 * answer; otherwise 0 and stopping says whether it is going down. */
typedef void (*system_stopping_fn)(int error, bool stopping, void *userdata);

/* Called once, from the loop, unless *ret is unreferenced first. */
int system_stopping_get(sd_bus *bus, system_stopping_fn fn, void *userdata, sd_bus_slot **ret);
