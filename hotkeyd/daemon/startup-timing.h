/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where the time from main() to READY=1 goes, and then to the input
 * devices open: a CLOCK_MONOTONIC stamp at the end of each start-up step.
 * startup_timing_mark(step) ends the step that ran since the previous mark
 * (the first one since main()); the last step before READY=1 is "ready",
 * the one after it "input".  Once the devices are open
 * startup_timing_report() journals one debug entry per step
 * (MESSAGE_ID_STARTUP_STEP) and, for hotkeyd --timing, prints the steps on
 * stderr.  Marks before startup_timing_begin() or after the report (a bus
 * reconnect runs the same code as the start) are ignored. */

#include <stdbool.h>

void startup_timing_begin(void);
void startup_timing_mark(const char *step);
void startup_timing_report(bool print);
