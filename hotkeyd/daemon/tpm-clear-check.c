/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "support-check.h"
#include "tpm-clear-check.h"
#include "unit-properties.h"

struct TpmClearCheck {
        UnitPropertiesQuery *query; /* the target, then the service */
        tpm_clear_check_fn fn;
        void *userdata;
};

TpmClearCheck *tpm_clear_check_free(TpmClearCheck *c) {
        if (!c)
                return NULL;
        unit_properties_query_free(c->query);
        free(c);
        return NULL;
}

/* The callback may free the check; nothing touches it afterwards. */
static void tpm_clear_check_done(TpmClearCheck *c, bool wanted) {
        c->query = unit_properties_query_free(c->query);
        c->fn(wanted, c->userdata);
}

static void on_service(int error, UnitPropertiesStep step, const sd_bus_error *e, const UnitProperties *props,
                       void *userdata) {
        TpmClearCheck *c = ASSERT_PTR(userdata);

        /* Pulled in but not installed: nothing will clear the TPM. */
        if (unit_properties_no_such_unit(e))
                return tpm_clear_check_done(c, false);
        if (error < 0) {
                unit_properties_log_failure(TPM2_CLEAR_SERVICE, "the load state of", error, step, e);
                return tpm_clear_check_done(c, false);
        }
        log_debug("%s is %s.", TPM2_CLEAR_SERVICE, strna(props->load_state));
        tpm_clear_check_done(c, streq_ptr(props->load_state, "loaded"));
}

static void on_target(int error, UnitPropertiesStep step, const sd_bus_error *e, const UnitProperties *props,
                      void *userdata) {
        TpmClearCheck *c = ASSERT_PTR(userdata);
        bool found = false;
        int r;

        if (error < 0) {
                unit_properties_log_failure(FACTORY_RESET_TARGET, "the dependencies of", error, step, e);
                return tpm_clear_check_done(c, false);
        }
        for (size_t i = 0; i < props->n_pulls_in && !found; i++)
                found = streq(props->pulls_in[i], TPM2_CLEAR_SERVICE);
        log_debug(FACTORY_RESET_TARGET " %s " TPM2_CLEAR_SERVICE ".", found ? "pulls in" : "does not pull in");
        if (!found)
                return tpm_clear_check_done(c, false);

        r = unit_properties_query_next(c->query, TPM2_CLEAR_SERVICE, on_service);
        if (r < 0) {
                log_warning_errno(r, "Failed to ask systemd about " TPM2_CLEAR_SERVICE ": %m");
                tpm_clear_check_done(c, false);
        }
}

int tpm_clear_check_start(sd_bus *bus, tpm_clear_check_fn fn, void *userdata, TpmClearCheck **ret) {
        _cleanup_(tpm_clear_check_freep) TpmClearCheck *c = NULL;
        int r;

        assert(bus);
        assert(fn);
        assert(ret);

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->fn = fn;
        c->userdata = userdata;

        r = unit_properties_get(bus, FACTORY_RESET_TARGET, UNIT_PROPERTIES_TIMEOUT_USEC, on_target, c, &c->query);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}
