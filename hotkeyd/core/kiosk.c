/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "kiosk.h"
#include "macro.h"

void kiosk_init(Kiosk *k, usec_t timeout) {
        *k = (Kiosk) {
                .timeout = timeout,
        };
}

KioskStep kiosk_trigger(Kiosk *k, const char *seat, usec_t now) {
        seat = seat ?: "seat0";

        /* The window includes its end: a confirmation at exactly the
         * timeout still counts, as a release at exactly HoldSec does. */
        if (k->armed && now <= k->armed_until && streq(k->seat, seat)) {
                k->armed = false;
                return KIOSK_CONFIRMED;
        }

        /* First gesture, a late one, or one on another seat: (re)arm, so
         * the confirmation must come from the same seat. */
        k->armed = true;
        k->armed_until = usec_add(now, k->timeout);
        snprintf(k->seat, sizeof k->seat, "%s", seat);
        return KIOSK_ARMED;
}

KioskStep kiosk_advance(Kiosk *k, usec_t now) {
        if (!k->armed || now <= k->armed_until)
                return KIOSK_NOTHING;
        k->armed = false;
        return KIOSK_DISARMED;
}

usec_t kiosk_deadline(const Kiosk *k) {
        /* Disarming is due just after the inclusive window. */
        return k->armed ? usec_add(k->armed_until, 1) : USEC_INFINITY;
}
