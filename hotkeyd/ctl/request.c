/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-names.h"
#include "bus-util.h"
#include "hotkeyctl.h"
#include "log.h"

int verb_request(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *result;
        int r;

        r = ctl_bus_open(&bus);
        if (r == 0)
                r = ctl_call_operation(bus, "Request", "request a factory reset", &reply);
        if (r != 0)
                return r;

        r = sd_bus_message_read(reply, "s", &result);
        if (r < 0) {
                log_error_errno(r, "Cannot parse hotkeyd's answer: %m");
                return CTL_EXIT_FAILURE;
        }

        /* Both answers are a success: a reset will happen on the next boot. */
        puts(streq(result, REQUEST_RESULT_ALREADY_PENDING) ? "already pending" : result);
        return CTL_EXIT_SUCCESS;
}
