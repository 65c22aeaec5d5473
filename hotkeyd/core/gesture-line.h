/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one-line text form of a gesture event, printed by `hotkeyd --dry-run`.
 * The format is an interface (hotkeyd/README.md, tests, the demo):
 *
 *   hold-start trigger=NAME seat=SEAT device=DEVNODE
 *   hold-progress trigger=NAME elapsed_ms=N total_ms=N
 *   hold-cancel trigger=NAME elapsed_ms=N
 *   trigger trigger=NAME seat=SEAT held_ms=N      (hold triggers)
 *   trigger trigger=NAME seat=SEAT presses=N      (Presses= triggers)
 *   short-press key=KEY seat=SEAT                 (core/short-press.h)
 */

#include <stddef.h>

#include "gesture.h"

/* Writes the line, without newline, into buf; returns buf.  Output longer than
 * size is truncated. */
char *gesture_event_format_line(const GestureEvent *event, char *buf, size_t size);

/* The same for a short press of a key logind acts on. */
char *short_press_format_line(const char *seat, unsigned code, char *buf, size_t size);
