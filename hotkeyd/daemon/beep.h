/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An audible signal on the first input device that can make a sound (EV_SND:
 * the PC speaker, some keyboards), for kiosk mode where there is no screen
 * to look at.  Machines without one simply stay silent. */

#include <systemd/sd-event.h>

/* Returns 1 when a device beeped, 0 when there is none, negative on errors. */
int beep(sd_event *event);
