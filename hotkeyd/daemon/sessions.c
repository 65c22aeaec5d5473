/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <sys/pidfd.h>

#include "log.h"
#include "sessions.h"

#define LOGIN1_NAME "org.freedesktop.login1"
#define LOGIN1_PATH "/org/freedesktop/login1"
#define LOGIN1_MANAGER "org.freedesktop.login1.Manager"
#define LOGIN1_SEAT "org.freedesktop.login1.Seat"
#define LOGIN1_SESSION "org.freedesktop.login1.Session"

/* A lookup is a short chain of calls; each reply starts the next one:
 *   by caller: GetSessionByPID -> GetAll(Session), then the pidfd and uid checks
 *   by seat: Get(Seat.ActiveSession), on the path logind gives the seat
 *            (sd_bus_path_encode(), as its seat_bus_path() does): this one
 *            stands between a hold's end and the dialog, and each round
 *            trip to logind took 25-45 ms in the VM. */
struct SessionLookup {
        sd_bus *bus;
        session_info_fn fn;
        void *userdata;
        sd_bus_slot *call;

        /* by caller */
        bool by_caller;
        pid_t caller_pid;
        int caller_pidfd;
        uid_t caller_uid;
        char refusal[256];
};

SessionLookup *session_lookup_free(SessionLookup *l) {
        if (!l)
                return NULL;
        safe_close(l->caller_pidfd);
        sd_bus_slot_unref(l->call);
        sd_bus_unref(l->bus);
        free(l);
        return NULL;
}

static bool pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r = poll(&p, 1, 0);

        /* Cannot tell: taken as gone, the safe side. */
        return r != 0;
}

/* Whether the caller may act for the session login1 placed its pid in;
 * sets l->refusal when not. */
static void session_lookup_check_caller(SessionLookup *l, SessionInfo *info) {
        /* Still running, so the pid login1 looked at is still the caller's.
         * Checked after the answer: a reuse before it would show here.  A
         * pidfd polls readable once its process exited; unlike a signal
         * 0 that needs no CAP_KILL (the unit drops it) and valgrind knows
         * it. */
        if (l->caller_pidfd < 0 || pidfd_exited(l->caller_pidfd)) {
                snprintf(l->refusal, sizeof l->refusal,
                         "the process that connected as the caller (pid " PID_FMT ", uid " UID_FMT ") is gone, "
                         "so its pid says nothing about who calls",
                         l->caller_pid, l->caller_uid);
                info->refusal = l->refusal;
        } else if (!isempty(info->id) && l->caller_uid != 0 && l->caller_uid != info->uid) {
                snprintf(l->refusal, sizeof l->refusal, "the caller (uid " UID_FMT ") is not the user of session %s",
                         l->caller_uid, info->id);
                info->refusal = l->refusal;
        }
        if (info->refusal)
                log_warning("Caller pid " PID_FMT " (uid " UID_FMT ") not taken as a process of session %s: %s.",
                            l->caller_pid, l->caller_uid, isempty(info->id) ? "(none)" : info->id, info->refusal);
}

static void session_lookup_finish(SessionLookup *l, int error, const sd_bus_error *bus_error,
                                  const SessionInfo *info) {
        SessionInfo copy = info ? *info : (SessionInfo) { .id = "", .seat = "", .uid = UID_INVALID };
        char refusal[sizeof l->refusal];

        l->call = sd_bus_slot_unref(l->call);
        copy.caller_uid = l->by_caller ? l->caller_uid : UID_INVALID;
        copy.refusal = NULL;
        if (l->by_caller && error >= 0)
                session_lookup_check_caller(l, &copy);
        /* The callback usually frees the lookup first thing. */
        if (copy.refusal)
                copy.refusal = strcpy(refusal, copy.refusal);
        l->fn(error, bus_error, &copy, l->userdata);
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

/* One entry of a session's GetAll: the properties we look at go to info. */
static int read_session_property(sd_bus_message *reply, SessionInfo *info) {
        const char *name, *ignored;
        uint32_t uid;
        int b, r;

        r = sd_bus_message_read(reply, "s", &name);
        if (r < 0)
                return r;

        if (streq(name, "Id"))
                r = sd_bus_message_read(reply, "v", "s", &info->id);
        else if (streq(name, "Seat"))
                r = sd_bus_message_read(reply, "v", "(so)", &info->seat, &ignored);
        else if (streq(name, "User")) {
                r = sd_bus_message_read(reply, "v", "(uo)", &uid, &ignored);
                info->uid = uid;
        } else if (streq(name, "Active")) {
                r = sd_bus_message_read(reply, "v", "b", &b);
                info->active = b;
        } else if (streq(name, "LockedHint")) {
                r = sd_bus_message_read(reply, "v", "b", &b);
                info->locked = b;
        } else if (streq(name, "Remote")) {
                r = sd_bus_message_read(reply, "v", "b", &b);
                info->remote = b;
        } else
                r = sd_bus_message_skip(reply, "v");
        return r;
}

static int read_session_properties(sd_bus_message *reply, SessionInfo *info) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = read_session_property(reply, info);
                if (r < 0)
                        return r;

                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;

        return isempty(info->id) ? -EBADMSG : 0;
}

static int session_lookup_on_properties(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SessionLookup *l = ASSERT_PTR(userdata);
        SessionInfo info = { .id = "", .seat = "", .uid = UID_INVALID };
        int r;

        if (session_lookup_check_reply(l, reply, SD_BUS_ERROR_UNKNOWN_OBJECT))
                return 0;

        r = read_session_properties(reply, &info);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the session properties from login1: %m");
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
        if (r < 0)
                return session_lookup_finish(l, r, NULL, NULL);
        if (isempty(session_path))
                return session_lookup_finish(l, 0, NULL, NULL);

        r = session_lookup_properties(l, session_path);
        if (r < 0)
                session_lookup_finish(l, r, NULL, NULL);
}

static int session_lookup_on_session_by_pid(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SessionLookup *l = ASSERT_PTR(userdata);
        const char *path = NULL;
        int r;

        if (session_lookup_check_reply(l, reply, "org.freedesktop.login1.NoSessionForPID"))
                return 0;
        r = sd_bus_message_read(reply, "o", &path);
        session_lookup_continue(l, r, path);
        return 0;
}

static int session_lookup_on_active_session(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SessionLookup *l = ASSERT_PTR(userdata);
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
        l->caller_pidfd = -EBADF;
        *ret = l;
        return 0;
}

int session_lookup_by_caller(sd_bus_message *call, session_info_fn fn, void *userdata, SessionLookup **ret,
                             sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_(session_lookup_freep) SessionLookup *l = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        int r;

        assert(call);
        assert(fn);
        assert(ret);

        r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_PID | SD_BUS_CREDS_EUID | SD_BUS_CREDS_PIDFD, &creds);
        /* sd-bus checks the bus's pidfd against the pid: the process that
         * connected has exited, its pid may be anybody's now. */
        if (r == -ESRCH) {
                log_warning("Caller %s: the process that connected is gone; not asking login1 about its pid.",
                            strna(sd_bus_message_get_sender(call)));
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
                                        "The process that connected as the caller is gone, so its pid says nothing "
                                        "about who calls.");
        }
        if (r < 0)
                return r;
        r = session_lookup_new(bus, fn, userdata, &l);
        if (r < 0)
                return r;
        l->by_caller = true;
        r = sd_bus_creds_get_pid(creds, &l->caller_pid);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &l->caller_uid);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_pidfd_dup(creds, &l->caller_pidfd);
        if (r < 0) {
                log_debug_errno(r, "The bus gave no pidfd of pid " PID_FMT ", opening one: %m", l->caller_pid);
                l->caller_pidfd = pidfd_open(l->caller_pid, 0);
                if (l->caller_pidfd < 0 && errno != ESRCH)
                        return -errno;
                /* ESRCH: gone already; login1 is asked all the same, so
                 * that the refusal can name the session it would give. */
        }

        r = sd_bus_call_method_async(bus, &l->call, LOGIN1_NAME, LOGIN1_PATH, LOGIN1_MANAGER, "GetSessionByPID",
                                     session_lookup_on_session_by_pid, l, "u", (uint32_t) l->caller_pid);
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

        assert(bus);
        assert(seat);
        assert(fn);
        assert(ret);

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
