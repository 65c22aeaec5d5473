/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks org.freedesktop.systemd1 for one unit's org.freedesktop.systemd1.Unit
 * properties, asynchronously: LoadUnit (the units asked about are normally
 * not loaded until something pulls them in), then GetAll on the unit's
 * object. */

#include <systemd/sd-bus.h>

#include "macro.h"
#include "time-util.h"

/* What the checks allow each call: systemd is local. */
#define UNIT_PROPERTIES_TIMEOUT_USEC (5 * USEC_PER_SEC)

typedef struct UnitProperties {
        char *load_state;  /* NULL when systemd did not say */
        char *description; /* NULL when systemd did not say */
        char **pulls_in;   /* the names in Wants= then in Requires=, as systemd lists them */
        size_t n_pulls_in;
} UnitProperties;

/* Which part failed, for the caller's message. */
typedef enum UnitPropertiesStep {
        UNIT_PROPERTIES_ASK,  /* a call could not be made, or LoadUnit's reply was not an object path */
        UNIT_PROPERTIES_LOAD, /* LoadUnit answered with bus_error */
        UNIT_PROPERTIES_GET,  /* GetAll answered with bus_error */
        UNIT_PROPERTIES_READ, /* GetAll's reply could not be read */
} UnitPropertiesStep;

/* error is 0 and props is set, or error is a negative errno, step says
 * where, and bus_error is systemd's answer for the LOAD and GET steps.
 * props lives until the callback returns.  Called once, unless the query is
 * freed first; the callback may free the query. */
typedef void (*unit_properties_fn)(int error, UnitPropertiesStep step, const sd_bus_error *bus_error,
                                   const UnitProperties *props, void *userdata);

/* systemd knows no unit by that name: it is not installed. */
static inline bool unit_properties_no_such_unit(const sd_bus_error *e) {
        return sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit");
}

/* Logs a failure as a warning: "Failed to load UNIT", "Failed to read WHAT UNIT"
 * (what: e.g. "the dependencies of"), "Bad reply from systemd for UNIT",
 * "Failed to ask systemd about UNIT". */
void unit_properties_log_failure(const char *unit, const char *what, int error, UnitPropertiesStep step,
                                 const sd_bus_error *bus_error);

typedef struct UnitPropertiesQuery UnitPropertiesQuery;

/* timeout bounds each call; 0 is sd-bus's default. */
int unit_properties_get(sd_bus *bus, const char *unit, usec_t timeout, unit_properties_fn fn, void *userdata,
                        UnitPropertiesQuery **ret);
/* Asks about another unit, on the same bus, with the same timeout and
 * userdata; from the callback too.  A question still open is dropped. */
int unit_properties_query_next(UnitPropertiesQuery *q, const char *unit, unit_properties_fn fn);
UnitPropertiesQuery *unit_properties_query_free(UnitPropertiesQuery *q);
DEFINE_POINTER_CLEANUP(UnitPropertiesQuery, unit_properties_query_free);
