/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* io.hotkeyd.FactoryReset1 on the system bus: properties, methods and the
 * gesture signals.  docs/DBUS.md and data/io.hotkeyd.FactoryReset1.xml
 * describe it; keep the three in step. */

#include "gesture.h"

typedef struct Manager Manager;

/* Connects to the system bus, publishes the object and takes the name. */
int bus_api_start(Manager *m);

void bus_api_emit_gesture(Manager *m, const GestureEvent *e);
/* PropertiesChanged for the named properties (NULL-terminated list). */
void bus_api_emit_changed(Manager *m, char **properties);
