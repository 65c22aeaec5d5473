/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>

#include "macro.h"
#include "short-press.h"

#define DEFAULT_SEAT "seat0"

static const char *const logind_key_inhibit_what_table[_LOGIND_KEY_MAX] = {
        [LOGIND_KEY_POWER] = "handle-power-key",
        [LOGIND_KEY_REBOOT] = "handle-reboot-key",
        [LOGIND_KEY_SUSPEND] = "handle-suspend-key",
        [LOGIND_KEY_HIBERNATE] = "handle-hibernate-key",
};

DEFINE_STRING_TABLE_TO_STRING(logind_key_inhibit_what, LogindKey);

static const char *const logind_key_setting_table[_LOGIND_KEY_MAX] = {
        [LOGIND_KEY_POWER] = "HandlePowerKey",
        [LOGIND_KEY_REBOOT] = "HandleRebootKey",
        [LOGIND_KEY_SUSPEND] = "HandleSuspendKey",
        [LOGIND_KEY_HIBERNATE] = "HandleHibernateKey",
};

DEFINE_STRING_TABLE_TO_STRING(logind_key_setting, LogindKey);

static const char *const logind_key_ignore_inhibited_table[_LOGIND_KEY_MAX] = {
        [LOGIND_KEY_POWER] = "PowerKeyIgnoreInhibited",
        [LOGIND_KEY_REBOOT] = "RebootKeyIgnoreInhibited",
        [LOGIND_KEY_SUSPEND] = "SuspendKeyIgnoreInhibited",
        [LOGIND_KEY_HIBERNATE] = "HibernateKeyIgnoreInhibited",
};

DEFINE_STRING_TABLE_TO_STRING(logind_key_ignore_inhibited, LogindKey);

LogindKey logind_key_from_code(unsigned code) {
        switch (code) {
        case KEY_POWER:
        case KEY_POWER2:
                return LOGIND_KEY_POWER;
        case KEY_RESTART:
                return LOGIND_KEY_REBOOT;
        case KEY_SLEEP:
                return LOGIND_KEY_SUSPEND;
        case KEY_SUSPEND:
                return LOGIND_KEY_HIBERNATE;
        default:
                return _LOGIND_KEY_INVALID;
        }
}

/* One per (seat, key) seen; few keys on few seats, so a flat array. */
typedef struct KeyState {
        char *seat;
        unsigned code;
        usec_t within;   /* largest WithinSec= of the Presses= triggers with this key on this seat, 0: none */
        bool down;
        bool consumed;   /* a trigger completed during the current press */
        bool waiting;    /* a short press is owed once the run of presses ends */
        usec_t deadline; /* when the wait ends (not while down), or USEC_INFINITY */
} KeyState;

struct ShortPress {
        const Config *config;
        short_press_fn fn;
        void *userdata;
        usec_t now;
        KeyState *keys;
        size_t n_keys;
};

static bool trigger_applies(const Trigger *t, const char *seat, unsigned code) {
        if (t->seat && !streq(t->seat, seat))
                return false;
        for (size_t i = 0; i < t->n_keys; i++)
                if (t->keys[i] == code)
                        return true;
        return false;
}

static usec_t presses_within(const Config *c, const char *seat, unsigned code) {
        usec_t within = 0;

        for (size_t i = 0; i < c->n_triggers; i++) {
                const Trigger *t = &c->triggers[i];

                if (t->kind == TRIGGER_PRESSES && trigger_applies(t, seat, code) && t->within_usec > within)
                        within = t->within_usec;
        }
        return within;
}

static KeyState *find_key(ShortPress *sp, const char *seat, unsigned code) {
        for (size_t i = 0; i < sp->n_keys; i++)
                if (sp->keys[i].code == code && streq(sp->keys[i].seat, seat))
                        return &sp->keys[i];
        return NULL;
}

/* NULL for keys logind ignores, and without memory: then the key is simply
 * not tracked, which leaves its short press undone, never invents one. */
static KeyState *get_key(ShortPress *sp, const char *seat, unsigned code) {
        KeyState *k, *keys;

        if (logind_key_from_code(code) < 0)
                return NULL;

        k = find_key(sp, seat, code);
        if (k)
                return k;

        keys = reallocarray(sp->keys, sp->n_keys + 1, sizeof *keys);
        if (!keys)
                return NULL;
        sp->keys = keys;

        k = &sp->keys[sp->n_keys];
        *k = (KeyState) {
                .seat = strdup(seat),
                .code = code,
                .within = presses_within(sp->config, seat, code),
                .deadline = USEC_INFINITY,
        };
        if (!k->seat)
                return NULL;
        sp->n_keys++;
        return k;
}

static void fire_due(ShortPress *sp, usec_t now) {
        for (size_t i = 0; i < sp->n_keys; i++) {
                KeyState *k = &sp->keys[i];

                if (k->deadline > now)
                        continue;
                k->waiting = false;
                k->deadline = USEC_INFINITY;
                sp->fn(k->seat, k->code, now, sp->userdata);
        }
}

static usec_t tick(ShortPress *sp, usec_t t) {
        if (t < sp->now)
                t = sp->now;
        sp->now = t;
        fire_due(sp, t);
        return t;
}

void short_press_key_down(ShortPress *sp, const char *seat, unsigned code, usec_t t) {
        KeyState *k;

        if (!sp)
                return;
        t = tick(sp, t);

        k = get_key(sp, seat ?: DEFAULT_SEAT, code);
        if (!k)
                return;
        /* A waiting run of presses goes on; consumed stays as a trigger
         * completing on this very press may have set it already. */
        k->down = true;
        k->deadline = USEC_INFINITY;
}

static void key_up(ShortPress *sp, KeyState *k, bool genuine, usec_t t) {
        bool short_press = genuine && !k->consumed;

        k->down = false;
        k->consumed = false;

        if (k->within == 0) {
                if (short_press)
                        sp->fn(k->seat, k->code, t, sp->userdata);
                return;
        }

        /* The wait ends just after the inclusive window: a press exactly
         * WithinSec after this release could still complete a trigger
         * together with this one. */
        k->waiting = k->waiting || short_press;
        if (k->waiting)
                k->deadline = usec_add(usec_add(t, k->within), 1);
}

void short_press_key_up(ShortPress *sp, const char *seat, unsigned code, bool genuine, usec_t t) {
        KeyState *k;

        if (!sp)
                return;
        t = tick(sp, t);

        k = find_key(sp, seat ?: DEFAULT_SEAT, code);
        if (k && k->down)
                key_up(sp, k, genuine, t);
}

void short_press_release_unheld(ShortPress *sp, const char *seat, bool (*held)(unsigned code, void *userdata),
                                void *userdata, usec_t t) {
        if (!sp)
                return;
        t = tick(sp, t);
        seat = seat ?: DEFAULT_SEAT;

        for (size_t i = 0; i < sp->n_keys; i++) {
                KeyState *k = &sp->keys[i];

                if (k->down && streq(k->seat, seat) && !held(k->code, userdata))
                        key_up(sp, k, /* genuine= */ false, t);
        }
}

void short_press_trigger(ShortPress *sp, const char *seat, const Trigger *trigger, usec_t t) {
        if (!sp || !trigger)
                return;
        t = tick(sp, t);
        seat = seat ?: DEFAULT_SEAT;

        for (size_t i = 0; i < trigger->n_keys; i++) {
                KeyState *k = get_key(sp, seat, trigger->keys[i]);

                if (!k)
                        continue;
                k->consumed = true;
                k->waiting = false;
                k->deadline = USEC_INFINITY;
        }
}

void short_press_advance(ShortPress *sp, usec_t now) {
        if (sp)
                (void) tick(sp, now);
}

usec_t short_press_next_deadline(const ShortPress *sp) {
        usec_t deadline = USEC_INFINITY;

        if (!sp)
                return deadline;
        for (size_t i = 0; i < sp->n_keys; i++)
                if (sp->keys[i].deadline < deadline)
                        deadline = sp->keys[i].deadline;
        return deadline;
}

int short_press_new(const Config *config, short_press_fn fn, void *userdata, ShortPress **ret) {
        ShortPress *sp;

        if (!config || !fn || !ret)
                return -EINVAL;

        sp = calloc(1, sizeof *sp);
        if (!sp)
                return -ENOMEM;
        sp->config = config;
        sp->fn = fn;
        sp->userdata = userdata;

        *ret = sp;
        return 0;
}

ShortPress *short_press_free(ShortPress *sp) {
        if (!sp)
                return NULL;
        for (size_t i = 0; i < sp->n_keys; i++)
                free(sp->keys[i].seat);
        free(sp->keys);
        free(sp);
        return NULL;
}
