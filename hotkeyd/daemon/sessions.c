/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "sessions.h"

#define LOGIN1_NAME "org.freedesktop.login1"
#define LOGIN1_PATH "/org/freedesktop/login1"
#define LOGIN1_MANAGER "org.freedesktop.login1.Manager"
#define LOGIN1_SEAT "org.freedesktop.login1.Seat"
#define LOGIN1_SESSION "org.freedesktop.login1.Session"

/* A lookup is a short chain of calls; each reply starts the next one:
 *   by pid:  GetSessionByPID -> GetAll(Session)
 *   by seat: Get(Seat.ActiveSession), on the path logind gives the seat
 *            (sd_bus_path_encode(), as its seat_bus_path() does): this one
 *            stands between a hold's end and the dialog, and each round
 *            trip to logind took 25-45 ms in the VM. */
struct SessionLookup {
        sd_bus *bus;
        session_info_fn fn;
        void *userdata;
        sd_bus_slot *call;
};

SessionLookup *session_lookup_free(SessionLookup *l) {
        if (!l)
                return NULL;
        sd_bus_slot_unref(l->call);
        sd_bus_unref(l->bus);
        free(l);
        return NULL;
}

static void session_lookup_finish(SessionLookup *l, int error, const sd_bus_error *bus_error,
                                  const SessionInfo *info) {
        static const SessionInfo none = { .id = "", .seat = "", .uid = UID_INVALID };

        l->call = sd_bus_slot_unref(l->call);
        l->fn(error, bus_error, info ?: &none, l->userdata);
}

/* Returns 1 when the reply is an error, after finishing the lookup with it. */
static int session_lookup_check_reply(SessionLookup *l, sd_bus_message *reply, const char *no_such_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (!e)
                return 0;
        log_debug("login1 answered %s: %s", e->name, strna(e->message));
        /* "No session for this pid" / "no such seat" are answers, not failures. */
        if (no_such_error && sd_bus_error_has_name(e, no_such_error))
                session_lookup_finish(l, 0, NULL, NULL);
        else
                session_lookup_finish(l, -sd_bus_error_get_errno(e) ?: -EIO, e, NULL);
        return 1;
}

static int session_lookup_on_properties(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SessionLookup *l = userdata;
        SessionInfo info = { .id = "", .seat = "", .uid = UID_INVALID };
        int r;

        if (session_lookup_check_reply(l, reply, SD_BUS_ERROR_UNKNOWN_OBJECT))
                return 0;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name, *ignored;
                int b;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                if (streq(name, "Id"))
                        r = sd_bus_message_read(reply, "v", "s", &info.id);
                else if (streq(name, "Seat"))
                        r = sd_bus_message_read(reply, "v", "(so)", &info.seat, &ignored);
                else if (streq(name, "User")) {
                        uint32_t uid;
                        r = sd_bus_message_read(reply, "v", "(uo)", &uid, &ignored);
                        info.uid = uid;
                } else if (streq(name, "Active")) {
                        r = sd_bus_message_read(reply, "v", "b", &b);
                        info.active = b;
                } else if (streq(name, "LockedHint")) {
                        r = sd_bus_message_read(reply, "v", "b", &b);
                        info.locked = b;
                } else if (streq(name, "Remote")) {
                        r = sd_bus_message_read(reply, "v", "b", &b);
                        info.remote = b;
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0 && isempty(info.id))
                r = -EBADMSG;
        if (r < 0) {
                log_warning_errno(r, "Bad session properties from login1: %m");
                session_lookup_finish(l, r, NULL, NULL);
                return 0;
        }

        session_lookup_finish(l, 0, NULL, &info);
        return 0;
}

static int session_lookup_properties(SessionLookup *l, const char *session_path) {
        l->call = sd_bus_slot_unref(l->call);
        return sd_bus_call_method_async(l->bus, &l->call, LOGIN1_NAME, session_path,
                                        "org.freedesktop.DBus.Properties", "GetAll",
                                        session_lookup_on_properties, l, "s", LOGIN1_SESSION);
}

/* The reply to GetSessionByPID or the ActiveSession property: a session path. */
static void session_lookup_continue(SessionLookup *l, int r, const char *session_path) {
        if (r >= 0 && isempty(session_path))
                return session_lookup_finish(l, 0, NULL, NULL);
        if (r >= 0)
                r = session_lookup_properties(l, session_path);
        if (r < 0)
                session_lookup_finish(l, r, NULL, NULL);
}

static int session_lookup_on_session_by_pid(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SessionLookup *l = userdata;
        const char *path = NULL;
        int r;

        if (session_lookup_check_reply(l, reply, "org.freedesktop.login1.NoSessionForPID"))
                return 0;
        r = sd_bus_message_read(reply, "o", &path);
        session_lookup_continue(l, r, path);
        return 0;
}

static int session_lookup_on_active_session(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SessionLookup *l = userdata;
        const char *id = NULL, *path = NULL;
        int r;

        /* No such seat: no session is active there. */
        if (session_lookup_check_reply(l, reply, SD_BUS_ERROR_UNKNOWN_OBJECT))
                return 0;
        r = sd_bus_message_read(reply, "v", "(so)", &id, &path);
        if (r < 0) {
                log_warning_errno(r, "Bad ActiveSession from login1: %m");
                session_lookup_finish(l, r, NULL, NULL);
                return 0;
        }
        /* logind says ("", "/") when no session is active. */
        session_lookup_finish(l, 0, NULL,
                              &(SessionInfo) { .id = strempty(id), .seat = "", .active = !isempty(id),
                                               .uid = UID_INVALID });
        return 0;
}

static int session_lookup_new(sd_bus *bus, session_info_fn fn, void *userdata, SessionLookup **ret) {
        SessionLookup *l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        l->bus = sd_bus_ref(bus);
        l->fn = fn;
        l->userdata = userdata;
        *ret = l;
        return 0;
}

int session_lookup_by_pid(sd_bus *bus, pid_t pid, session_info_fn fn, void *userdata, SessionLookup **ret) {
        _cleanup_(session_lookup_freep) SessionLookup *l = NULL;
        int r;

        if (pid <= 0)
                return -ESRCH;
        r = session_lookup_new(bus, fn, userdata, &l);
        if (r < 0)
                return r;
        r = sd_bus_call_method_async(bus, &l->call, LOGIN1_NAME, LOGIN1_PATH, LOGIN1_MANAGER, "GetSessionByPID",
                                     session_lookup_on_session_by_pid, l, "u", (uint32_t) pid);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

int session_lookup_active_on_seat(sd_bus *bus, const char *seat, session_info_fn fn, void *userdata,
                                  SessionLookup **ret) {
        _cleanup_(session_lookup_freep) SessionLookup *l = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode(LOGIN1_PATH "/seat", seat, &path);
        if (r < 0)
                return r;
        r = session_lookup_new(bus, fn, userdata, &l);
        if (r < 0)
                return r;
        r = sd_bus_call_method_async(bus, &l->call, LOGIN1_NAME, path, "org.freedesktop.DBus.Properties", "Get",
                                     session_lookup_on_active_session, l, "ss", LOGIN1_SEAT, "ActiveSession");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}
