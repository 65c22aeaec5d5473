/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf-search.h"
#include "log.h"
#include "unit-properties.h"

struct UnitPropertiesQuery {
        sd_bus *bus;
        sd_bus_slot *slot;
        usec_t timeout;
        unit_properties_fn fn;
        void *userdata;
};

UnitPropertiesQuery *unit_properties_query_free(UnitPropertiesQuery *q) {
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_unref(q->bus);
        free(q);
        return NULL;
}

static void unit_properties_done(UnitProperties *p) {
        free(p->load_state);
        free(p->description);
        strv_free_n(p->pulls_in, p->n_pulls_in);
}

void unit_properties_log_failure(const char *unit, const char *what, int error, UnitPropertiesStep step,
                                 const sd_bus_error *e) {
        assert(unit);

        switch (step) {
        case UNIT_PROPERTIES_LOAD:
                log_warning("Failed to load %s: %s", unit, e->message ?: e->name);
                break;
        case UNIT_PROPERTIES_GET:
                log_warning("Failed to read %s %s: %s", what, unit, e->message ?: e->name);
                break;
        case UNIT_PROPERTIES_READ:
                log_warning_errno(error, "Bad reply from systemd for %s: %m", unit);
                break;
        default:
                log_warning_errno(error, "Failed to ask systemd about %s: %m", unit);
        }
}

/* The callback may free the query; nothing touches it afterwards. */
static void query_failed(UnitPropertiesQuery *q, int error, UnitPropertiesStep step, const sd_bus_error *e) {
        q->slot = sd_bus_slot_unref(q->slot);
        q->fn(error, step, e, NULL, q->userdata);
}

static void query_bus_error(UnitPropertiesQuery *q, UnitPropertiesStep step, const sd_bus_error *e) {
        query_failed(q, -sd_bus_error_get_errno(e) ?: -EIO, step, e);
}

static int read_string(sd_bus_message *m, char **ret) {
        const char *s;
        int r;

        r = sd_bus_message_read(m, "v", "s", &s);
        if (r < 0)
                return r;
        free(*ret);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int read_names(sd_bus_message *m, UnitProperties *p) {
        const char *s;
        int r;

        r = sd_bus_message_enter_container(m, 'v', "as");
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_read(m, "s", &s)) > 0) {
                char **l = realloc(p->pulls_in, (p->n_pulls_in + 1) * sizeof *l);
                if (!l)
                        return -ENOMEM;
                p->pulls_in = l;
                l[p->n_pulls_in] = strdup(s);
                if (!l[p->n_pulls_in])
                        return -ENOMEM;
                p->n_pulls_in++;
        }
        if (r < 0)
                return r;

        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        return sd_bus_message_exit_container(m);
}

/* The a{sv} of one GetAll. */
static int read_properties(sd_bus_message *m, UnitProperties *p) {
        const char *property;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &property);
                if (r < 0)
                        return r;
                if (streq(property, "Wants") || streq(property, "Requires"))
                        r = read_names(m, p);
                else if (streq(property, "LoadState"))
                        r = read_string(m, &p->load_state);
                else if (streq(property, "Description"))
                        r = read_string(m, &p->description);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int on_properties(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        UnitPropertiesQuery *q = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        UnitProperties p = {};
        int r;

        if (e)
                return query_bus_error(q, UNIT_PROPERTIES_GET, e), 0;
        r = read_properties(reply, &p);
        if (r < 0) {
                unit_properties_done(&p);
                return query_failed(q, r, UNIT_PROPERTIES_READ, NULL), 0;
        }
        q->slot = sd_bus_slot_unref(q->slot);
        /* p is ours, not the query's: freed after the callback, which may free q. */
        q->fn(0, UNIT_PROPERTIES_GET, NULL, &p, q->userdata);
        unit_properties_done(&p);
        return 0;
}

/* Both calls take one string. */
static int call_async(UnitPropertiesQuery *q, const char *path, const char *interface, const char *method,
                      sd_bus_message_handler_t handler, const char *arg) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(q->bus, &m, "org.freedesktop.systemd1", path, interface, method);
        if (r < 0)
                return r;

        r = sd_bus_message_append(m, "s", arg);
        if (r < 0)
                return r;

        return sd_bus_call_async(q->bus, &q->slot, m, handler, q, q->timeout);
}

static int on_loaded(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        UnitPropertiesQuery *q = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *path;
        int r;

        if (e)
                return query_bus_error(q, UNIT_PROPERTIES_LOAD, e), 0;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return query_failed(q, r, UNIT_PROPERTIES_ASK, NULL), 0;

        q->slot = sd_bus_slot_unref(q->slot);
        r = call_async(q, path, "org.freedesktop.DBus.Properties", "GetAll", on_properties,
                       "org.freedesktop.systemd1.Unit");
        if (r < 0)
                query_failed(q, r, UNIT_PROPERTIES_ASK, NULL);
        return 0;
}

int unit_properties_query_next(UnitPropertiesQuery *q, const char *unit, unit_properties_fn fn) {
        assert(q);
        assert(unit);
        assert(fn);

        q->slot = sd_bus_slot_unref(q->slot);
        q->fn = fn;
        return call_async(q, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "LoadUnit", on_loaded,
                          unit);
}

int unit_properties_get(sd_bus *bus, const char *unit, usec_t timeout, unit_properties_fn fn, void *userdata,
                        UnitPropertiesQuery **ret) {
        _cleanup_(unit_properties_query_freep) UnitPropertiesQuery *q = NULL;
        int r;

        assert(bus);
        assert(unit);
        assert(fn);
        assert(ret);

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->bus = sd_bus_ref(bus);
        q->timeout = timeout;
        q->userdata = userdata;

        r = unit_properties_query_next(q, unit, fn);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(q);
        return 0;
}
