/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "conf-files.h"
#include "log.h"
#include "reset-plugins.h"
#include "time-util.h"
#include "tpm-clear-check.h"

/* The same bound as the other checks: systemd is local. */
#define RESET_PLUGINS_CHECK_TIMEOUT_USEC (5 * USEC_PER_SEC)
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
        sd_bus *bus;
        sd_bus_slot *slot;
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
        sd_bus_slot_unref(c->slot);
        sd_bus_unref(c->bus);
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
        c->slot = sd_bus_slot_unref(c->slot);
        c->fn(plugins, n, c->userdata);
}

static int call_async(ResetPluginsCheck *c, const char *path, const char *interface, const char *method,
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
        return sd_bus_call_async(c->bus, &c->slot, m, handler, c, RESET_PLUGINS_CHECK_TIMEOUT_USEC);
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

/* One GetAll of org.freedesktop.systemd1.Unit: the names in Wants= and
 * Requires= become candidates (dependencies != NULL), or LoadState and
 * Description are read. */
static int read_unit_properties(sd_bus_message *reply, ResetPluginsCheck *dependencies, const char **ret_load_state,
                                const char **ret_description) {
        const char *property, *s;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &property);
                if (r < 0)
                        return r;
                if (dependencies && (streq(property, "Wants") || streq(property, "Requires"))) {
                        r = sd_bus_message_enter_container(reply, 'v', "as");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, 'a', "s");
                        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &s)) > 0)
                                r = add_candidate(dependencies, s);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                } else if (!dependencies && streq(property, "LoadState"))
                        r = sd_bus_message_read(reply, "v", "s", ret_load_state);
                else if (!dependencies && streq(property, "Description"))
                        r = sd_bus_message_read(reply, "v", "s", ret_description);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

static void check_next(ResetPluginsCheck *c);

static void candidate_failed(ResetPluginsCheck *c, const char *what, const char *error) {
        log_warning("Cannot %s %s, it is not counted as a reset plug-in: %s", what, c->candidates[c->next], error);
        c->next++;
        check_next(c);
}

static int on_candidate_properties(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ResetPluginsCheck *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *unit = c->candidates[c->next], *load_state = NULL, *description = NULL;
        int r;

        c->slot = sd_bus_slot_unref(c->slot);
        if (e)
                return candidate_failed(c, "read the properties of", e->message ?: e->name), 0;
        r = read_unit_properties(reply, NULL, &load_state, &description);
        if (r < 0)
                return candidate_failed(c, "read the properties of", strerror(-r)), 0;

        log_debug(FACTORY_RESET_NOW_TARGET " pulls in %s, %s.", unit, strna(load_state));
        /* Pulled in but not installed: it does nothing. */
        if (streq_ptr(load_state, "loaded")) {
                ResetPlugin *l = realloc(c->plugins, (c->n_plugins + 1) * sizeof *l);
                if (!l) {
                        log_oom();
                        return check_done(c), 0;
                }
                c->plugins = l;
                l[c->n_plugins] = (ResetPlugin) {
                        .unit = strdup(unit),
                        .description = strdup(isempty(description) ? unit : description),
                };
                c->n_plugins++;
                if (!l[c->n_plugins - 1].unit || !l[c->n_plugins - 1].description) {
                        log_oom();
                        return check_done(c), 0;
                }
        }
        c->next++;
        check_next(c);
        return 0;
}

static int on_candidate_loaded(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ResetPluginsCheck *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *path;
        int r;

        c->slot = sd_bus_slot_unref(c->slot);
        if (e && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit")) {
                log_debug(FACTORY_RESET_NOW_TARGET " pulls in %s, which does not exist.", c->candidates[c->next]);
                c->next++;
                check_next(c);
                return 0;
        }
        if (e)
                return candidate_failed(c, "load", e->message ?: e->name), 0;
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = call_async(c, path, "org.freedesktop.DBus.Properties", "GetAll", on_candidate_properties, "s",
                               "org.freedesktop.systemd1.Unit");
        if (r < 0)
                candidate_failed(c, "ask systemd about", strerror(-r));
        return 0;
}

/* One unit after the other: there are few, and a reset is rare. */
static void check_next(ResetPluginsCheck *c) {
        int r;

        if (c->next >= c->n_candidates) {
                check_done(c);
                return;
        }
        /* LoadUnit: nothing loads these units before a reset. */
        r = call_async(c, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit",
                       on_candidate_loaded, "s", c->candidates[c->next]);
        if (r < 0)
                candidate_failed(c, "ask systemd about", strerror(-r));
}

static int on_target_properties(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ResetPluginsCheck *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int r;

        c->slot = sd_bus_slot_unref(c->slot);
        if (e) {
                log_warning("Cannot read the dependencies of " FACTORY_RESET_NOW_TARGET ": %s", e->message ?: e->name);
                return check_done(c), 0;
        }
        r = read_unit_properties(reply, c, NULL, NULL);
        if (r < 0) {
                log_warning_errno(r, "Bad reply from systemd for " FACTORY_RESET_NOW_TARGET ": %m");
                return check_done(c), 0;
        }
        log_debug(FACTORY_RESET_NOW_TARGET " pulls in %zu unit(s) besides systemd's own.", c->n_candidates);
        check_next(c);
        return 0;
}

static int on_target_loaded(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ResetPluginsCheck *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *path;
        int r;

        c->slot = sd_bus_slot_unref(c->slot);
        /* systemd older than 258 has no such target: no plug-ins. */
        if (e && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit")) {
                log_debug(FACTORY_RESET_NOW_TARGET " does not exist.");
                return check_done(c), 0;
        }
        if (e) {
                log_warning("Cannot load " FACTORY_RESET_NOW_TARGET ": %s", e->message ?: e->name);
                return check_done(c), 0;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = call_async(c, path, "org.freedesktop.DBus.Properties", "GetAll", on_target_properties, "s",
                               "org.freedesktop.systemd1.Unit");
        if (r < 0) {
                log_warning_errno(r, "Cannot ask systemd about " FACTORY_RESET_NOW_TARGET ": %m");
                check_done(c);
        }
        return 0;
}

int reset_plugins_check_start(sd_bus *bus, reset_plugins_check_fn fn, void *userdata, ResetPluginsCheck **ret) {
        _cleanup_(reset_plugins_check_freep) ResetPluginsCheck *c = NULL;
        int r;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->bus = sd_bus_ref(bus);
        c->fn = fn;
        c->userdata = userdata;

        r = call_async(c, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit",
                       on_target_loaded, "s", FACTORY_RESET_NOW_TARGET);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}
