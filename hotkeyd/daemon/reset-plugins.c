/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf-search.h"
#include "log.h"
#include "reset-plugins.h"
#include "tpm-clear-check.h"
#include "unit-properties.h"

/* A target pulling in more than this is broken; the list stays bounded. */
#define CANDIDATES_MAX 64

/* systemd's own units: the first marks the reset complete, the others'
 * effect is found by erase.c (FactoryReset=yes partitions, ClearsTpm). */
static const char *const systemd_own_units[] = {
        "systemd-factory-reset-complete.service",
        "systemd-repart.service",
        TPM2_CLEAR_SERVICE,
};

struct ResetPluginsCheck {
        UnitPropertiesQuery *query; /* the target, then each candidate */
        reset_plugins_check_fn fn;
        void *userdata;

        char **candidates; /* the target's Wants= and Requires=, systemd's own left out */
        size_t n_candidates, next;
        ResetPlugin *plugins;
        size_t n_plugins;
};

void reset_plugins_free(ResetPlugin *plugins, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(plugins[i].unit);
                free(plugins[i].description);
        }
        free(plugins);
}

ResetPluginsCheck *reset_plugins_check_free(ResetPluginsCheck *c) {
        if (!c)
                return NULL;
        unit_properties_query_free(c->query);
        strv_free_n(c->candidates, c->n_candidates);
        reset_plugins_free(c->plugins, c->n_plugins);
        free(c);
        return NULL;
}

/* The callback may free the check; nothing touches it afterwards. */
static void check_done(ResetPluginsCheck *c) {
        ResetPlugin *plugins = TAKE_PTR(c->plugins);
        size_t n = c->n_plugins;

        c->n_plugins = 0;
        c->query = unit_properties_query_free(c->query);
        c->fn(plugins, n, c->userdata);
}

static bool is_systemd_own(const char *unit) {
        for (size_t i = 0; i < ELEMENTSOF(systemd_own_units); i++)
                if (streq(unit, systemd_own_units[i]))
                        return true;
        return false;
}

static int add_candidate(ResetPluginsCheck *c, const char *unit) {
        if (is_systemd_own(unit))
                return 0;
        for (size_t i = 0; i < c->n_candidates; i++)
                if (streq(c->candidates[i], unit))
                        return 0;
        if (c->n_candidates >= CANDIDATES_MAX) {
                log_warning(FACTORY_RESET_NOW_TARGET " pulls in more than %d units; %s and later ones are not "
                            "looked at.", CANDIDATES_MAX, unit);
                return 0;
        }
        char **l = realloc(c->candidates, (c->n_candidates + 1) * sizeof *l);
        if (!l)
                return -ENOMEM;
        c->candidates = l;
        c->candidates[c->n_candidates] = strdup(unit);
        if (!c->candidates[c->n_candidates])
                return -ENOMEM;
        c->n_candidates++;
        return 0;
}

static int add_plugin(ResetPluginsCheck *c, const char *unit, const char *description) {
        ResetPlugin *l = realloc(c->plugins, (c->n_plugins + 1) * sizeof *l);
        if (!l)
                return -ENOMEM;
        c->plugins = l;
        l[c->n_plugins] = (ResetPlugin) {
                .unit = strdup(unit),
                .description = strdup(isempty(description) ? unit : description),
        };
        /* Only whole entries are handed over. */
        if (!l[c->n_plugins].unit || !l[c->n_plugins].description) {
                free(l[c->n_plugins].unit);
                free(l[c->n_plugins].description);
                return -ENOMEM;
        }
        c->n_plugins++;
        return 0;
}

static void check_next(ResetPluginsCheck *c);

static void on_candidate(int error, UnitPropertiesStep step, const sd_bus_error *e, const UnitProperties *props,
                         void *userdata) {
        ResetPluginsCheck *c = ASSERT_PTR(userdata);
        const char *unit = c->candidates[c->next];
        const char *verb = step == UNIT_PROPERTIES_LOAD ? "load" :
                           step == UNIT_PROPERTIES_ASK ? "ask systemd about" : "read the properties of";

        if (unit_properties_no_such_unit(e))
                log_debug(FACTORY_RESET_NOW_TARGET " pulls in %s, which does not exist.", unit);
        else if (error < 0 && e)
                log_warning("Failed to %s %s, it is not counted as a reset plug-in: %s", verb, unit,
                            e->message ?: e->name);
        else if (error < 0)
                log_warning_errno(error, "Failed to %s %s, it is not counted as a reset plug-in: %m", verb, unit);
        else {
                log_debug(FACTORY_RESET_NOW_TARGET " pulls in %s, %s.", unit, strna(props->load_state));
                /* Pulled in but not installed: it does nothing. */
                if (streq_ptr(props->load_state, "loaded") && add_plugin(c, unit, props->description) < 0) {
                        log_oom();
                        return check_done(c);
                }
        }
        c->next++;
        check_next(c);
}

/* One unit after the other: there are few, and a reset is rare. */
static void check_next(ResetPluginsCheck *c) {
        int r;

        /* A loop, not recursion: a call that cannot even be made moves on at once. */
        for (; c->next < c->n_candidates; c->next++) {
                r = unit_properties_query_next(c->query, c->candidates[c->next], on_candidate);
                if (r >= 0)
                        return;
                log_warning_errno(r, "Failed to ask systemd about %s, it is not counted as a reset plug-in: %m",
                                  c->candidates[c->next]);
        }
        check_done(c);
}

static void on_target(int error, UnitPropertiesStep step, const sd_bus_error *e, const UnitProperties *props,
                      void *userdata) {
        ResetPluginsCheck *c = ASSERT_PTR(userdata);

        /* systemd older than 258 has no such target: no plug-ins. */
        if (unit_properties_no_such_unit(e)) {
                log_debug(FACTORY_RESET_NOW_TARGET " does not exist.");
                return check_done(c);
        }
        if (error < 0) {
                unit_properties_log_failure(FACTORY_RESET_NOW_TARGET, "the dependencies of", error, step, e);
                return check_done(c);
        }
        for (size_t i = 0; i < props->n_pulls_in; i++)
                if (add_candidate(c, props->pulls_in[i]) < 0) {
                        log_oom();
                        return check_done(c);
                }
        log_debug(FACTORY_RESET_NOW_TARGET " pulls in %zu unit(s) besides systemd's own.", c->n_candidates);
        check_next(c);
}

int reset_plugins_check_start(sd_bus *bus, reset_plugins_check_fn fn, void *userdata, ResetPluginsCheck **ret) {
        _cleanup_(reset_plugins_check_freep) ResetPluginsCheck *c = NULL;
        int r;

        assert(bus);
        assert(fn);
        assert(ret);

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->fn = fn;
        c->userdata = userdata;

        r = unit_properties_get(bus, FACTORY_RESET_NOW_TARGET, UNIT_PROPERTIES_TIMEOUT_USEC, on_target, c, &c->query);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}
