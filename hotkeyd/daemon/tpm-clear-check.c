/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "log.h"
#include "support-check.h"
#include "time-util.h"
#include "tpm-clear-check.h"

/* The same bound as the support check: systemd is local. */
#define TPM_CLEAR_CHECK_TIMEOUT_USEC (5 * USEC_PER_SEC)

struct TpmClearCheck {
        sd_bus *bus;
        sd_bus_slot *slot;
        tpm_clear_check_fn fn;
        void *userdata;
};

TpmClearCheck *tpm_clear_check_free(TpmClearCheck *c) {
        if (!c)
                return NULL;
        sd_bus_slot_unref(c->slot);
        sd_bus_unref(c->bus);
        free(c);
        return NULL;
}

/* The callback may free the check; nothing touches it afterwards. */
static void tpm_clear_check_done(TpmClearCheck *c, bool wanted) {
        c->slot = sd_bus_slot_unref(c->slot);
        c->fn(wanted, c->userdata);
}

static bool reply_failed(TpmClearCheck *c, sd_bus_message *reply, const char *what) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (!e)
                return false;
        log_warning("Cannot %s: %s", what, e->message ?: e->name);
        tpm_clear_check_done(c, false);
        return true;
}

static int call_async(TpmClearCheck *c, const char *path, const char *interface, const char *method,
                      sd_bus_message_handler_t handler, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, "org.freedesktop.systemd1", path, interface, method);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        c->slot = sd_bus_slot_unref(c->slot);
        return sd_bus_call_async(c->bus, &c->slot, m, handler, c, TPM_CLEAR_CHECK_TIMEOUT_USEC);
}

static void call_or_fail(TpmClearCheck *c, int r) {
        if (r < 0) {
                log_warning_errno(r, "Cannot ask systemd about " TPM2_CLEAR_SERVICE ": %m");
                tpm_clear_check_done(c, false);
        }
}

static int on_service_load_state(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        TpmClearCheck *c = userdata;
        const char *state;
        int r;

        if (reply_failed(c, reply, "read the load state of " TPM2_CLEAR_SERVICE))
                return 0;
        r = sd_bus_message_read(reply, "v", "s", &state);
        if (r < 0) {
                log_warning_errno(r, "Bad LoadState reply from systemd: %m");
                tpm_clear_check_done(c, false);
                return 0;
        }
        log_debug("%s is %s.", TPM2_CLEAR_SERVICE, state);
        tpm_clear_check_done(c, streq(state, "loaded"));
        return 0;
}

static int on_service_loaded(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        TpmClearCheck *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *path;
        int r;

        /* Pulled in but not installed: nothing will clear the TPM. */
        if (e && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit")) {
                tpm_clear_check_done(c, false);
                return 0;
        }
        if (reply_failed(c, reply, "load " TPM2_CLEAR_SERVICE))
                return 0;
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = call_async(c, path, "org.freedesktop.DBus.Properties", "Get", on_service_load_state, "ss",
                               "org.freedesktop.systemd1.Unit", "LoadState");
        call_or_fail(c, r);
        return 0;
}

/* Whether the array of strings at the read position holds name. */
static int read_strv_contains(sd_bus_message *m, const char *name) {
        const char *s;
        bool found = false;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "s", &s)) > 0)
                found = found || streq(s, name);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : found;
}

/* Wants= and Requires= of the target, from one GetAll. */
static int target_pulls_in(sd_bus_message *reply, const char *name) {
        const char *property;
        bool found = false;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &property);
                if (r < 0)
                        return r;
                if (streq(property, "Wants") || streq(property, "Requires")) {
                        r = sd_bus_message_enter_container(reply, 'v', "as");
                        if (r >= 0)
                                r = read_strv_contains(reply, name);
                        if (r > 0)
                                found = true;
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        return r < 0 ? r : found;
}

static int on_target_properties(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        TpmClearCheck *c = userdata;
        int r;

        if (reply_failed(c, reply, "read the dependencies of " FACTORY_RESET_TARGET))
                return 0;
        r = target_pulls_in(reply, TPM2_CLEAR_SERVICE);
        if (r < 0) {
                log_warning_errno(r, "Bad reply from systemd for " FACTORY_RESET_TARGET ": %m");
                tpm_clear_check_done(c, false);
                return 0;
        }
        log_debug(FACTORY_RESET_TARGET " %s " TPM2_CLEAR_SERVICE ".", r ? "pulls in" : "does not pull in");
        if (r == 0) {
                tpm_clear_check_done(c, false);
                return 0;
        }
        call_or_fail(c, call_async(c, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit",
                                   on_service_loaded, "s", TPM2_CLEAR_SERVICE));
        return 0;
}

static int on_target_loaded(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        TpmClearCheck *c = userdata;
        const char *path;
        int r;

        if (reply_failed(c, reply, "load " FACTORY_RESET_TARGET))
                return 0;
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = call_async(c, path, "org.freedesktop.DBus.Properties", "GetAll", on_target_properties, "s",
                               "org.freedesktop.systemd1.Unit");
        call_or_fail(c, r);
        return 0;
}

int tpm_clear_check_start(sd_bus *bus, tpm_clear_check_fn fn, void *userdata, TpmClearCheck **ret) {
        _cleanup_(tpm_clear_check_freep) TpmClearCheck *c = NULL;
        int r;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->bus = sd_bus_ref(bus);
        c->fn = fn;
        c->userdata = userdata;

        /* LoadUnit, as the target is normally not loaded before a reset. */
        r = call_async(c, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit",
                       on_target_loaded, "s", FACTORY_RESET_TARGET);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}
