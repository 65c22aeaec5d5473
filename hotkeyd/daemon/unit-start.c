/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "unit-start.h"

/* JobRemoved may overtake the StartUnit reply; results of jobs removed while
 * the reply is outstanding are kept until it arrives. */
#define EARLY_JOBS_MAX 8

struct UnitStart {
        sd_bus *bus;
        char *unit;
        unit_start_fn fn;
        void *userdata;
        sd_bus_slot *match;
        sd_bus_slot *call;
        char *job;
        struct {
                char *path;
                char *result;
        } early[EARLY_JOBS_MAX];
        size_t n_early;
};

UnitStart *unit_start_free(UnitStart *u) {
        if (!u)
                return NULL;
        sd_bus_slot_unref(u->match);
        sd_bus_slot_unref(u->call);
        sd_bus_unref(u->bus);
        for (size_t i = 0; i < u->n_early; i++) {
                free(u->early[i].path);
                free(u->early[i].result);
        }
        free(u->job);
        free(u->unit);
        free(u);
        return NULL;
}

static void unit_start_finish(UnitStart *u, int error, const sd_bus_error *bus_error, const char *result) {
        /* Once: whatever follows is not ours. */
        u->match = sd_bus_slot_unref(u->match);
        u->call = sd_bus_slot_unref(u->call);
        u->fn(error, bus_error, result, u->userdata);
}

static int unit_start_on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        UnitStart *u = ASSERT_PTR(userdata);
        const char *path, *unit, *result;
        uint32_t id;
        int r;

        r = sd_bus_message_read(m, "uoss", &id, &path, &unit, &result);
        if (r < 0) {
                log_debug_errno(r, "Ignoring malformed JobRemoved signal: %m");
                return 0;
        }

        if (u->job) {
                if (streq(path, u->job))
                        unit_start_finish(u, 0, NULL, result);
                return 0;
        }

        if (!streq(unit, u->unit) || u->n_early >= EARLY_JOBS_MAX)
                return 0;
        u->early[u->n_early].path = strdup(path);
        u->early[u->n_early].result = strdup(result);
        if (u->early[u->n_early].path && u->early[u->n_early].result)
                u->n_early++;
        else {
                free(u->early[u->n_early].path);
                free(u->early[u->n_early].result);
        }
        return 0;
}

static int unit_start_on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        UnitStart *u = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *path;
        int r;

        if (e) {
                unit_start_finish(u, -sd_bus_error_get_errno(e) ?: -EIO, e, NULL);
                return 0;
        }

        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0) {
                unit_start_finish(u, r, NULL, NULL);
                return 0;
        }

        u->job = strdup(path);
        if (!u->job) {
                unit_start_finish(u, -ENOMEM, NULL, NULL);
                return 0;
        }

        log_debug("Queued job %s for %s.", u->job, u->unit);
        for (size_t i = 0; i < u->n_early; i++)
                if (streq(u->early[i].path, u->job)) {
                        unit_start_finish(u, 0, NULL, u->early[i].result);
                        break;
                }
        return 0;
}

int unit_start(sd_bus *bus, const char *unit, unit_start_fn fn, void *userdata, UnitStart **ret) {
        _cleanup_(unit_start_freep) UnitStart *u = NULL;
        int r;

        assert(bus);
        assert(unit);
        assert(fn);
        assert(ret);

        u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        u->bus = sd_bus_ref(bus);
        u->fn = fn;
        u->userdata = userdata;
        u->unit = strdup(unit);
        if (!u->unit)
                return -ENOMEM;

        /* The match is in place before the call, so no JobRemoved is missed. */
        r = sd_bus_match_signal_async(bus, &u->match, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                      "org.freedesktop.systemd1.Manager", "JobRemoved",
                                      unit_start_on_job_removed, NULL, u);
        if (r < 0)
                return r;

        /* systemd sends job signals only while some client is subscribed.
         * Failure only costs us the signal, which the start reply covers. */
        (void) sd_bus_call_method_async(bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, NULL);

        r = sd_bus_call_method_async(bus, &u->call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "StartUnit", unit_start_on_reply, u,
                                     "ss", unit, "replace");
        if (r < 0)
                return r;

        *ret = TAKE_PTR(u);
        return 0;
}
