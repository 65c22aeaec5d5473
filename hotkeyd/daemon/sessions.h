/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks org.freedesktop.login1 about sessions and seats, asynchronously:
 * which session a process belongs to (with its seat and whether it is the
 * active one), and which session is active on a seat.
 *
 * login1's D-Bus API rather than sd-login's files under /run/systemd: the
 * answers are the same, the calls never block the event loop, and they work
 * against the login1 stand-in of the tests (logind cannot run there). */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct SessionInfo {
        const char *id;   /* "" when the process is in no session */
        const char *seat; /* "" for sessions without a seat (ssh, ...) */
        bool active;
        bool locked; /* LockedHint: the screen is locked, nobody sees a dialog */
        bool remote;
        uid_t uid;          /* the session's user */
        /* session_lookup_by_caller() only: */
        uid_t caller_uid;   /* the caller's effective uid, from the bus */
        const char *refusal; /* why the caller cannot act for the session it was placed in, or NULL */
} SessionInfo;

/* error < 0: login1 could not answer (bus_error may say why).  error == 0
 * and info->id "": no session.  The strings live for the duration of the
 * call. */
typedef void (*session_info_fn)(int error, const sd_bus_error *bus_error, const SessionInfo *info, void *userdata);

typedef struct SessionLookup SessionLookup;

/* The session of the process that sent a D-Bus call.  login1 answers for
 * a pid, and a pid can be reused: the caller is pinned by the pidfd the
 * bus took when it connected (dbus-daemon >= 1.15.8 hands it out; older
 * ones get one opened now, which narrows the window without closing it),
 * and the answer counts only if that process still runs afterwards and
 * its uid is the session's user (or root).  Otherwise info->refusal says
 * why, with info->id naming the session login1 gave.  A caller whose
 * process is gone before anything is asked gets AccessDenied in error. */
int session_lookup_by_caller(sd_bus_message *call, session_info_fn fn, void *userdata, SessionLookup **ret,
                             sd_bus_error *error);
/* The active session of a seat: info->id ("" when none is) and active;
 * the rest of info is not asked (it would cost a round trip). */
int session_lookup_active_on_seat(sd_bus *bus, const char *seat, session_info_fn fn, void *userdata,
                                  SessionLookup **ret);
/* Stops a lookup in flight; no callback after this. */
SessionLookup *session_lookup_free(SessionLookup *l);
DEFINE_POINTER_CLEANUP(SessionLookup, session_lookup_free);
