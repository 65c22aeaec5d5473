/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What can fire here: for each trigger and seat, whether the devices
 * present now can perform it, with the reason in words.  No I/O.
 *
 * A hold (or chord) needs each of its keys on a device of the seat whose
 * key can be held (KeyHolds not NO; UNKNOWN counts, the reason says it was
 * not seen yet); a Presses= trigger needs each key on a device of the seat.
 * One entry per trigger and per seat that has a watched device (a trigger
 * with Seat= only for that seat) when it can fire on one of them; when it
 * can fire on none, one entry with seat "" and can_fire false. */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "key-holds.h"

/* One trigger key of one watched device. */
typedef struct DeviceKey {
        const char *node; /* /dev/input/event3 */
        const char *name; /* the kernel's name */
        const char *seat;
        unsigned code;
        KeyHolds holds;
} DeviceKey;

typedef struct TriggerReach {
        const char *trigger; /* the Config's name, borrowed */
        char *seat;          /* "": on no seat */
        bool can_fire;
        char *reason;
} TriggerReach;

typedef struct TriggerReachList {
        TriggerReach *items;
        size_t n_items;
} TriggerReachList;

void trigger_reach_list_done(TriggerReachList *l);

/* Fills ret (replacing what it held) in the order of the configuration's
 * triggers, seats sorted.  Mode=off: every trigger unreachable ("Mode=off").
 * Returns 0 or -ENOMEM (ret unchanged then). */
int trigger_reach_compute(const Config *config, const DeviceKey *keys, size_t n_keys, TriggerReachList *ret);

/* The entry of trigger on no seat (it cannot fire anywhere), or NULL. */
const TriggerReach *trigger_reach_unreachable(const TriggerReachList *l, const char *trigger);
