/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hold-check.h"
#include "log.h"

static void hold_check_on_answer(const SupportState *state, void *userdata) {
        HoldCheck *h = ASSERT_PTR(userdata);

        h->waiter = support_waiter_free(h->waiter);
        h->state = *state;
}

void hold_check_start(HoldCheck *h, SupportQueue *q, const char *seat) {
        int r;

        assert(h);

        hold_check_end(h, NULL);
        if (!q)
                return;

        h->seat = strdup(strempty(seat));
        if (!h->seat)
                return (void) log_oom();
        log_debug("Hold on %s began: checking factory reset support now, for the dialog.", h->seat);
        r = support_queue_wait(q, hold_check_on_answer, h, &h->waiter);
        if (r < 0) {
                /* The trigger asks then, as without this. */
                log_debug_errno(r, "Failed to start the support check for the hold on %s: %m", seat);
                hold_check_end(h, NULL);
        }
}

void hold_check_end(HoldCheck *h, const char *seat) {
        assert(h);

        if (seat && !streq_ptr(h->seat, seat))
                return;
        h->waiter = support_waiter_free(h->waiter);
        free(h->seat);
        h->seat = NULL;
        h->state = (SupportState) {};
}

bool hold_check_take(HoldCheck *h, const char *seat, support_check_fn fn, void *userdata,
                     SupportWaiter **ret_waiter, SupportState *ret_state) {
        assert(h);
        assert(fn);
        assert(ret_waiter);
        assert(ret_state);

        if (!h->seat || !streq_ptr(h->seat, seat))
                return false;

        log_debug("Trigger on %s: the support check its hold started is %s.", h->seat,
                  h->waiter ? "still running" : "answered");
        *ret_state = h->state;
        *ret_waiter = TAKE_PTR(h->waiter);
        if (*ret_waiter)
                support_waiter_redirect(*ret_waiter, fn, userdata);
        hold_check_end(h, NULL);
        return true;
}
