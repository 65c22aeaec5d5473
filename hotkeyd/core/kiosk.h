/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kiosk mode's two-gesture rule, without I/O: the first completed trigger
 * arms, a second one on the same seat within the armed timeout confirms,
 * and the timeout disarms.  Nothing is ever confirmed by one gesture. */

#include <stdbool.h>

#include "time-util.h"

#define KIOSK_SEAT_MAX 64

typedef enum KioskStep {
        KIOSK_NOTHING,   /* no change */
        KIOSK_ARMED,     /* armed now, for this seat (also when it moved from another seat) */
        KIOSK_CONFIRMED, /* second gesture in time: start the reset; disarmed again */
        KIOSK_DISARMED,  /* the timeout passed */
} KioskStep;

typedef struct Kiosk {
        usec_t timeout;
        bool armed;
        usec_t armed_until;
        char seat[KIOSK_SEAT_MAX];
} Kiosk;

void kiosk_init(Kiosk *k, usec_t timeout);

/* A trigger completed on the seat at time now. */
KioskStep kiosk_trigger(Kiosk *k, const char *seat, usec_t now);

/* Time passed; returns KIOSK_DISARMED once when the window closed. */
KioskStep kiosk_advance(Kiosk *k, usec_t now);

/* When kiosk_advance() has work, or USEC_INFINITY. */
usec_t kiosk_deadline(const Kiosk *k);
