/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

#include "time-util.h"

/* A one-shot timer at USEC (on CLOCK): the source in *s is moved there and
 * enabled, or made when there is none yet.  On failure *s is left as it
 * was (possibly disabled): the caller decides what a missed timer means. */
int event_reset_time(sd_event *e, sd_event_source **s, clockid_t clock, usec_t usec, usec_t accuracy,
                     sd_event_time_handler_t callback, void *userdata, int64_t priority);
/* The same, USEC from now. */
int event_reset_time_relative(sd_event *e, sd_event_source **s, clockid_t clock, usec_t usec, usec_t accuracy,
                              sd_event_time_handler_t callback, void *userdata, int64_t priority);
