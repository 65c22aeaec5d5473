/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-util.h"
#include "hotkeyctl.h"

int verb_cancel(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = ctl_bus_open(&bus);
        if (r == 0)
                r = ctl_call_operation(bus, "Cancel", "cancel the pending factory reset", NULL);
        if (r != 0)
                return r;

        puts("cancelled");
        return CTL_EXIT_SUCCESS;
}
