/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the verbs share: the bus connection, hotkeyd's properties as JSON,
 * the Request/Cancel call with polkit's interactive authentication, and the
 * plain-sentence explanation of a failed call. */

#include <systemd/sd-bus.h>
#include <systemd/sd-json.h>

#include "macro.h"

/* Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured by
 * sd-bus).  Logs; returns 0 or a CtlExitStatus. */
int ctl_bus_open(sd_bus **ret);

/* Converts the complete type at the read position (basic types, arrays,
 * structs, variants; a{s*} become objects, structs arrays) into JSON. */
int bus_message_read_json(sd_bus_message *m, sd_json_variant **ret);

/* Connects and reads all properties of io.hotkeyd.FactoryReset1 as one JSON
 * object.  Returns 0 or a CtlExitStatus (logged). */
int ctl_read_properties(sd_json_variant **ret);

/* Calls Request or Cancel with flags 0; interactive authentication unless
 * --no-ask-password.  what completes "Failed to ..." for errors.  Returns 0
 * or a CtlExitStatus (logged). */
int ctl_call_operation(sd_bus *bus, const char *method, const char *what, sd_bus_message **ret_reply);

/* Says in a sentence why a call failed and returns the matching
 * CtlExitStatus.  what completes "Failed to ...". */
int ctl_log_bus_error(const sd_bus_error *error, int r, const char *what);

/* Turns an array of structs read by bus_message_read_json (each a JSON
 * array) into an array of objects with the given member names, in order;
 * surplus members are dropped, missing ones left out. */
int json_structs_to_objects(sd_json_variant *structs, const char *const *names, size_t n_names,
                            sd_json_variant **ret);
