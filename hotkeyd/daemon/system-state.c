/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "macro.h"
#include "system-state.h"

typedef struct SystemStoppingQuery {
        system_stopping_fn fn;
        void *userdata;
} SystemStoppingQuery;

static int system_stopping_on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SystemStoppingQuery *q = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *state = NULL;
        int r;

        if (e)
                r = -sd_bus_error_get_errno(e);
        else {
                r = sd_bus_message_read(reply, "v", "s", &state);
                if (r > 0)
                        r = 0;
                else if (r == 0)
                        r = -EBADMSG;
        }
        q->fn(r, r >= 0 && streq(state, "stopping"), q->userdata);
        return 0;
}

int system_stopping_get(sd_bus *bus, system_stopping_fn fn, void *userdata, sd_bus_slot **ret) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        SystemStoppingQuery *q;
        int r;

        assert(bus);
        assert(fn);
        assert(ret);

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->fn = fn;
        q->userdata = userdata;

        r = sd_bus_call_method_async(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.DBus.Properties", "Get", system_stopping_on_reply, q, "ss",
                                     "org.freedesktop.systemd1.Manager", "SystemState");
        if (r < 0) {
                free(q);
                return r;
        }
        /* The query lives as long as the slot: freed with it, answered or not. */
        (void) sd_bus_slot_set_destroy_callback(slot, free);
        *ret = TAKE_PTR(slot);
        return 0;
}
