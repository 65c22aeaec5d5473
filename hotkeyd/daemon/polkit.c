/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "polkit.h"
#include "time-util.h"

#define POLKIT_CHECK_ALLOW_USER_INTERACTION 1U
/* An interactive check waits for a person typing a password, but not for
 * ever: a request nobody finishes must not hold its caller's slot (and a
 * reset) open for good.  The gesture path has its own, shorter bound: the
 * confirmation deadline runs while polkit is asked. */
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (5 * 60 * USEC_PER_SEC)

typedef struct PolkitCall {
        polkit_fn fn;
        void *userdata;
} PolkitCall;

/* CheckAuthorization()'s (bba{ss}): its details are of no use here. */
static int polkit_read_result(sd_bus_message *reply, PolkitResult *ret) {
        int authorized, challenge, r;

        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r < 0)
                return r;

        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0)
                return r;

        *ret = authorized ? POLKIT_AUTHORIZED : challenge ? POLKIT_CHALLENGE : POLKIT_DENIED;
        return 0;
}

static int polkit_on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitCall *p = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        PolkitResult result;
        int r;

        if (e) {
                log_warning("polkit authorization check failed: %s", e->message ?: e->name);
                result = POLKIT_FAILED;
        } else {
                r = polkit_read_result(reply, &result);
                if (r < 0) {
                        log_warning_errno(r, "Failed to read polkit's reply: %m");
                        result = POLKIT_FAILED;
                }
        }

        p->fn(result, p->userdata);
        return 0;
}

static void polkit_call_destroy(void *userdata) {
        free(userdata);
}

int polkit_check(sd_bus_message *call, const char *action_id, polkit_fn fn, void *userdata, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        const char *sender = sd_bus_message_get_sender(call);
        unsigned flags = 0;
        PolkitCall *p;
        int r;

        assert(call);
        assert(action_id);
        assert(fn);
        assert(ret_slot);

        if (!sender)
                return -EBADMSG;
        if (sd_bus_message_get_allow_interactive_authorization(call) > 0)
                flags |= POLKIT_CHECK_ALLOW_USER_INTERACTION;

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;

        r = sd_bus_message_append(m, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action_id,
                                  0, flags, "");
        if (r < 0)
                return r;

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->fn = fn;
        p->userdata = userdata;

        r = sd_bus_call_async(bus, &slot, m, polkit_on_reply, p,
                              flags & POLKIT_CHECK_ALLOW_USER_INTERACTION ? POLKIT_INTERACTIVE_TIMEOUT_USEC : 0);
        if (r < 0) {
                free(p);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, polkit_call_destroy);

        *ret_slot = TAKE_PTR(slot);
        return 0;
}

int polkit_result_to_error(PolkitResult result, const char *what, sd_bus_error *ret_error) {
        assert(what);

        switch (result) {
        case POLKIT_AUTHORIZED:
                return 0;
        case POLKIT_CHALLENGE:
                return sd_bus_error_setf(ret_error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                         "Authentication is required to %s.", what);
        case POLKIT_FAILED:
                return sd_bus_error_setf(ret_error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Could not check whether you may %s (polkit did not answer).", what);
        default:
                return sd_bus_error_setf(ret_error, SD_BUS_ERROR_ACCESS_DENIED, "You are not allowed to %s.", what);
        }
}
