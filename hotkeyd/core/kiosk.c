/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"
#include "macro.h"

void kiosk_init(Kiosk *k, usec_t timeout) {
        *k = (Kiosk) {
                .timeout = timeout,
        };
}

void kiosk_done(Kiosk *k) {
        free(k->seat);
        kiosk_init(k, k->timeout);
}

int kiosk_trigger(Kiosk *k, const char *seat, uint64_t gesture_first, uint64_t gesture_last, usec_t now) {
        bool same_seat;

        seat = seat ?: "seat0";
        same_seat = k->seat && streq(k->seat, seat);

        /* Another trigger of the gesture that counted last (or of a
         * gesture that went on from it, as presses do): it counts no
         * more, neither as a confirmation nor to arm again after one. */
        if (same_seat && gesture_first <= k->counted) {
                k->counted = MAX(k->counted, gesture_last);
                return KIOSK_NOTHING;
        }

        /* The window includes its end: a confirmation at exactly the
         * timeout still counts, as a release at exactly HoldSec does. */
        if (k->armed && same_seat && now <= k->armed_until) {
                k->armed = false;
                k->counted = gesture_last;
                return KIOSK_CONFIRMED;
        }

        /* First gesture, a late one, or one on another seat: (re)arm, so
         * the confirmation must come from the same seat. */
        if (!same_seat) {
                char *copy = strdup(seat);
                if (!copy)
                        return -ENOMEM;
                free(k->seat);
                k->seat = copy;
        }
        k->armed = true;
        k->armed_until = usec_add(now, k->timeout);
        k->counted = gesture_last;
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
