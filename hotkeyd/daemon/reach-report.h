/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Journals what can fire (core/trigger-reach.c) once it has settled.  At
 * boot the devices come one by one while udev works through its queue, and
 * a dock brings many at once: a trigger reported unreachable in between
 * would be a false alarm on every start.  So a report is written only when
 * nothing changed for a moment and udev's queue is empty, and only what
 * differs from the last report: a trigger that cannot fire (again, or for
 * another reason now), or one that can fire again. */

#include <systemd/sd-event.h>

#include "config.h"
#include "trigger-reach.h"

typedef struct ReachReport ReachReport;

int reach_report_new(sd_event *event, ReachReport **ret);
ReachReport *reach_report_free(ReachReport *r);

/* What can fire changed.  config and list are borrowed: they must stay
 * valid until the next call of this or reach_report_forget(). */
void reach_report_changed(ReachReport *r, const Config *config, const TriggerReachList *list);

/* The configuration is replaced: nothing was reported about the new one,
 * and nothing of the old one may be looked at any more. */
void reach_report_forget(ReachReport *r);
