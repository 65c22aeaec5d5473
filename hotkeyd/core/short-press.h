/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which presses of a key that logind acts on are short presses: presses no
 * trigger used, whose normal action hotkeyd performs on logind's behalf while
 * it holds logind's inhibitor for that key.  No I/O and no clock: the caller
 * feeds seat-level key edges, completed triggers and the time.
 *
 * Rules:
 *  - a press that ends with a genuine release (not a resync, not a device
 *    that went away) and during which no trigger containing the key
 *    completed is a short press;
 *  - if the key belongs to a Presses= trigger that applies on the seat, the
 *    short press waits until WithinSec (the largest such) after the last
 *    release, and is reported once for the whole run of presses: a later
 *    press more than WithinSec after the last release cannot share a window
 *    with them, so none of them can still become part of a trigger; a
 *    further press meanwhile keeps it waiting, a completed trigger drops it. */

#include <stdbool.h>

#include "config.h"
#include "time-util.h"

/* The keys logind handles (systemd's src/login/logind-button.c). */
typedef enum LogindKey {
        LOGIND_KEY_POWER,     /* KEY_POWER, KEY_POWER2 */
        LOGIND_KEY_REBOOT,    /* KEY_RESTART */
        LOGIND_KEY_SUSPEND,   /* KEY_SLEEP */
        LOGIND_KEY_HIBERNATE, /* KEY_SUSPEND */
        _LOGIND_KEY_MAX,
        _LOGIND_KEY_INVALID = -22, /* -EINVAL */
} LogindKey;

/* -EINVAL for keys logind does not act on. */
LogindKey logind_key_from_code(unsigned code);
/* The inhibitor lock ("handle-power-key") and logind's setting ("HandlePowerKey"). */
const char *logind_key_inhibit_what_to_string(LogindKey k);
const char *logind_key_setting_to_string(LogindKey k);
/* logind's property saying whether the key's action ignores the "shutdown"
 * and "sleep" block inhibitors ("PowerKeyIgnoreInhibited"). */
const char *logind_key_ignore_inhibited_to_string(LogindKey k);

/* The seat string is valid only during the call; time is when the press
 * became a short press (the release, or the end of the wait). */
typedef void (*short_press_fn)(const char *seat, unsigned code, usec_t time, void *userdata);

typedef struct ShortPress ShortPress;

/* The config must outlive the tracker.  A new configuration needs a new
 * tracker: presses under the old rules are forgotten, not reported. */
int short_press_new(const Config *config, short_press_fn fn, void *userdata, ShortPress **ret);
ShortPress *short_press_free(ShortPress *sp);
DEFINE_POINTER_CLEANUP(ShortPress, short_press_free);

/* The key went down on the seat (no device of the seat held it before).
 * Keys logind does not act on are ignored.  Like every call below, due
 * waits end first, and a time earlier than an earlier call's is taken as
 * that time.  NULL seat means seat0. */
void short_press_key_down(ShortPress *sp, const char *seat, unsigned code, usec_t t);

/* The key is no longer held by any device of the seat; genuine: by a
 * release event (not a resync or a device that went away). */
void short_press_key_up(ShortPress *sp, const char *seat, unsigned code, bool genuine, usec_t t);

/* Releases (not genuine) every key the tracker has down on the seat for
 * which held() now says no: for a device that went away, whose keys the
 * caller does not know. */
void short_press_release_unheld(ShortPress *sp, const char *seat, bool (*held)(unsigned code, void *userdata),
                                void *userdata, usec_t t);

/* A trigger completed on the seat: the current presses of its keys are no
 * short presses, and a waiting run of presses of them is dropped.  A
 * trigger completes only while all its keys are held, but a Presses=
 * trigger completes on the press itself, before the caller has passed the
 * key's down edge on; its keys are therefore marked whether down yet or
 * not, and the mark is spent by the next release. */
void short_press_trigger(ShortPress *sp, const char *seat, const Trigger *trigger, usec_t t);

/* Ends every wait due by now. */
void short_press_advance(ShortPress *sp, usec_t now);

/* When short_press_advance() has work, or USEC_INFINITY. */
usec_t short_press_next_deadline(const ShortPress *sp);
