/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kiosk mode's two-gesture rule, without I/O: a first physical gesture
 * that completes a trigger arms, a second, separate one on the same seat
 * within the armed timeout confirms, and the timeout disarms.
 *
 * Separate means that the confirming gesture began (its first key went
 * down) after every key of the arming one was released.  One physical
 * gesture may complete several triggers (Power+VolDown completes a
 * Power-only hold trigger too; the last of several presses, held on,
 * completes a hold trigger after the Presses= one): it counts once.
 * Gestures are the gesture engine's numbers (GestureEvent.gesture_first
 * and gesture_last), so nothing is ever confirmed by one gesture. */

#include <stdbool.h>
#include <stdint.h>

#include "time-util.h"

typedef enum KioskStep {
        KIOSK_NOTHING,   /* no change (also: a trigger of a gesture that counted already) */
        KIOSK_ARMED,     /* armed now, for this seat (also when it moved from another seat) */
        KIOSK_CONFIRMED, /* second gesture in time: start the reset; disarmed again */
        KIOSK_DISARMED,  /* the timeout passed */
} KioskStep;

typedef struct Kiosk {
        usec_t timeout;
        bool armed;
        usec_t armed_until;
        char *seat;       /* the seat of the gesture that counted last; NULL: none yet */
        uint64_t counted; /* that gesture's number on the seat */
} Kiosk;

/* kiosk_done() forgets everything but the timeout and frees what it held. */
void kiosk_init(Kiosk *k, usec_t timeout);
void kiosk_done(Kiosk *k);

/* A trigger completed on the seat at time now, by the gestures numbered
 * first..last there (see GestureEvent).  Returns a KioskStep, or -ENOMEM
 * when the seat's name cannot be copied (nothing changed then). */
int kiosk_trigger(Kiosk *k, const char *seat, uint64_t gesture_first, uint64_t gesture_last, usec_t now);

/* Time passed; returns KIOSK_DISARMED once when the window closed. */
KioskStep kiosk_advance(Kiosk *k, usec_t now);

/* When kiosk_advance() has work, or USEC_INFINITY. */
usec_t kiosk_deadline(const Kiosk *k);
