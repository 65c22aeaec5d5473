/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Starts a unit on org.freedesktop.systemd1 (StartUnit, mode "replace") and
 * follows its job to the end (JobRemoved). */

#include <systemd/sd-bus.h>

#include "macro.h"

/* error: negative errno when the job could not be queued (the bus error is
 * in bus_error); otherwise 0 and result is systemd's job result ("done",
 * "failed", "canceled", "dependency", ...). */
typedef void (*unit_start_fn)(int error, const sd_bus_error *bus_error, const char *result, void *userdata);

typedef struct UnitStart UnitStart;

int unit_start(sd_bus *bus, const char *unit, unit_start_fn fn, void *userdata, UnitStart **ret);
/* Stops following; the job itself goes on.  No callback after this. */
UnitStart *unit_start_free(UnitStart *u);
DEFINE_POINTER_CLEANUP(UnitStart, unit_start_free);
