/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "gesture.h"
#include "macro.h"

/* What the engine keeps:
 *
 *  - pressed: one entry per (device, code) that is down, for trigger keys
 *    only.  A key is held on a seat while any entry of that seat has it, so
 *    two devices of one seat can share a key and chords can span devices.
 *    Few keys are ever down at once, so linear scans beat any index here.
 *  - seats: created on the first trigger-key press seen on a seat, each with
 *    one TriggerState per trigger that applies there (all triggers without
 *    Seat=, plus those naming this seat).  Seat names are interned, so events
 *    can point at them for as long as the engine is not reset.
 *
 * Allocation happens only when a seat is first seen, when the pressed array
 * grows past its high-water mark and when a hold's device name is longer
 * than any before; steady-state key events allocate nothing.
 *
 * The callback must not call back into the engine; the engine's state is
 * final for each event before the callback runs, so the callback may read it
 * (gesture_engine_next_deadline(), gesture_engine_key_held()). */

#define DEFAULT_SEAT "seat0"
#define KEY_BITMAP_BITS 1024U

typedef struct Press {
        usec_t time;
        uint64_t gesture; /* the seat's physical gesture it belongs to */
} Press;

typedef struct TriggerState {
        const Trigger *trigger;

        /* TRIGGER_HOLD */
        bool running;
        bool done;           /* completed: no new hold until one of its keys is released */
        usec_t start;
        uint64_t gesture;    /* the seat's physical gesture it started in */
        usec_t next_elapsed; /* elapsed time of the next progress report, or hold_usec */
        char *device;        /* a copy: the caller's string and even the device may be gone by completion */
        size_t device_size;
        bool has_device;

        /* TRIGGER_PRESSES: a ring of the presses still in the window */
        Press *presses;
        unsigned first_press, n_presses;
} TriggerState;

typedef struct Seat {
        char *name;
        TriggerState *states;
        size_t n_states;
        uint64_t gestures; /* physical gestures begun: the number of the current or last one */
} Seat;

typedef struct PressedKey {
        uint64_t device_id;
        unsigned code;
        Seat *seat;
} PressedKey;

struct GestureEngine {
        const Config *config;
        gesture_event_fn fn;
        void *userdata;

        usec_t now;           /* the latest time seen; time never goes back */
        usec_t next_deadline; /* cached, so that every key event can check it for free */

        uint64_t key_bitmap[KEY_BITMAP_BITS / 64];
        bool has_high_keys; /* some trigger uses a code beyond the bitmap */

        Seat **seats;
        size_t n_seats;

        PressedKey *pressed;
        size_t n_pressed, n_pressed_allocated;
};

static const char *const gesture_event_type_table[_GESTURE_EVENT_TYPE_MAX] = {
        [GESTURE_HOLD_START] = "hold-start",
        [GESTURE_HOLD_PROGRESS] = "hold-progress",
        [GESTURE_HOLD_CANCEL] = "hold-cancel",
        [GESTURE_TRIGGER] = "trigger",
};

DEFINE_STRING_TABLE_TO_STRING(gesture_event_type, GestureEventType);

static const char *const gesture_cancel_reason_table[_GESTURE_CANCEL_REASON_MAX] = {
        [GESTURE_CANCEL_RELEASED] = "released",
        [GESTURE_CANCEL_DEVICE_GONE] = "device-gone",
        [GESTURE_CANCEL_RESYNC] = "resync",
        [GESTURE_CANCEL_RESET] = "reset",
};

DEFINE_STRING_TABLE_TO_STRING(gesture_cancel_reason, GestureCancelReason);

static bool trigger_has_key(const Trigger *t, unsigned code) {
        for (size_t i = 0; i < t->n_keys; i++)
                if (t->keys[i] == code)
                        return true;
        return false;
}

static bool engine_uses_key(const GestureEngine *e, unsigned code) {
        if (code < KEY_BITMAP_BITS)
                return e->key_bitmap[code / 64] & (UINT64_C(1) << (code % 64));

        if (!e->has_high_keys)
                return false;
        for (size_t i = 0; i < e->config->n_triggers; i++)
                if (trigger_has_key(&e->config->triggers[i], code))
                        return true;
        return false;
}

static void trigger_state_done(TriggerState *st) {
        free(st->device);
        free(st->presses);
}

static Seat *seat_free(Seat *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_states; i++)
                trigger_state_done(&s->states[i]);
        free(s->states);
        free(s->name);
        free(s);
        return NULL;
}
DEFINE_POINTER_CLEANUP(Seat, seat_free);

static bool trigger_applies_to_seat(const Trigger *t, const char *seat) {
        return !t->seat || streq(t->seat, seat);
}

static int seat_new(const Config *c, const char *name, Seat **ret) {
        _cleanup_(seat_freep) Seat *s = NULL;
        size_t n = 0;

        s = calloc(1, sizeof(Seat));
        if (!s)
                return -ENOMEM;
        s->name = strdup(name);
        if (!s->name)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_triggers; i++)
                if (trigger_applies_to_seat(&c->triggers[i], name))
                        n++;
        if (n > 0) {
                s->states = calloc(n, sizeof(TriggerState));
                if (!s->states)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < c->n_triggers; i++) {
                const Trigger *t = &c->triggers[i];
                TriggerState *st;

                if (!trigger_applies_to_seat(t, name))
                        continue;

                /* Counted before the allocation may fail, so seat_free()
                 * always sees every state that might own memory. */
                st = &s->states[s->n_states++];
                st->trigger = t;
                if (t->kind == TRIGGER_PRESSES) {
                        st->presses = calloc(t->presses, sizeof(Press));
                        if (!st->presses)
                                return -ENOMEM;
                }
        }

        *ret = TAKE_PTR(s);
        return 0;
}

static Seat *engine_find_seat(const GestureEngine *e, const char *name) {
        for (size_t i = 0; i < e->n_seats; i++)
                if (streq(e->seats[i]->name, name))
                        return e->seats[i];
        return NULL;
}

static Seat *engine_get_seat(GestureEngine *e, const char *name) {
        _cleanup_(seat_freep) Seat *s = NULL;
        Seat *found, **seats;

        found = engine_find_seat(e, name);
        if (found)
                return found;

        if (seat_new(e->config, name, &s) < 0)
                return NULL;

        seats = reallocarray(e->seats, e->n_seats + 1, sizeof(Seat *));
        if (!seats)
                return NULL;
        e->seats = seats;
        e->seats[e->n_seats++] = s;
        return TAKE_PTR(s);
}

static usec_t trigger_state_deadline(const TriggerState *st) {
        if (!st->running)
                return USEC_INFINITY;
        return usec_add(st->start, st->next_elapsed);
}

static void engine_update_deadline(GestureEngine *e) {
        usec_t d = USEC_INFINITY;

        for (size_t i = 0; i < e->n_seats; i++)
                for (size_t j = 0; j < e->seats[i]->n_states; j++) {
                        usec_t x = trigger_state_deadline(&e->seats[i]->states[j]);
                        if (x < d)
                                d = x;
                }

        e->next_deadline = d;
}

static void engine_emit(GestureEngine *e, const GestureEvent *ev) {
        e->fn(ev, e->userdata);
}

static void hold_fire(GestureEngine *e, Seat *s, TriggerState *st) {
        const Trigger *t = st->trigger;
        GestureEvent ev = {
                .trigger = t,
                .seat = s->name,
                .time = trigger_state_deadline(st),
                .elapsed_usec = st->next_elapsed,
                .total_usec = t->hold_usec,
        };

        /* The state moves on before the callback runs, so the callback sees
         * (and the caller's next_deadline() reports) the state after the
         * event. */
        if (st->next_elapsed < t->hold_usec) {
                ev.type = GESTURE_HOLD_PROGRESS;
                st->next_elapsed = usec_add(st->next_elapsed, t->progress_usec);
                if (st->next_elapsed > t->hold_usec)
                        st->next_elapsed = t->hold_usec;
        } else {
                ev.type = GESTURE_TRIGGER;
                ev.device = st->has_device ? st->device : NULL;
                ev.gesture_first = ev.gesture_last = st->gesture;
                st->running = false;
                st->done = true;
        }

        engine_update_deadline(e);
        engine_emit(e, &ev);
}

/* Fires, in time order, every deadline up to now.  Deadlines of different
 * triggers interleave; ties go to the seat seen first, then config order. */
static void engine_fire_due(GestureEngine *e, usec_t now) {
        while (e->next_deadline != USEC_INFINITY && e->next_deadline <= now) {
                Seat *best_seat = NULL;
                TriggerState *best = NULL;
                usec_t best_deadline = USEC_INFINITY;

                for (size_t i = 0; i < e->n_seats; i++)
                        for (size_t j = 0; j < e->seats[i]->n_states; j++) {
                                TriggerState *st = &e->seats[i]->states[j];
                                usec_t d = trigger_state_deadline(st);

                                if (d < best_deadline) {
                                        best_deadline = d;
                                        best = st;
                                        best_seat = e->seats[i];
                                }
                        }

                if (!best) {
                        /* Cannot happen while the cache is right; do not spin if it is not. */
                        engine_update_deadline(e);
                        break;
                }

                hold_fire(e, best_seat, best);
        }
}

/* Applies the clock rule: time never goes back, and whatever was due by now
 * has happened before the event at now is looked at. */
static usec_t engine_tick(GestureEngine *e, usec_t t) {
        if (t < e->now)
                t = e->now;
        else
                e->now = t;

        engine_fire_due(e, t);
        return t;
}

static ssize_t pressed_find(const GestureEngine *e, uint64_t device_id, unsigned code) {
        for (size_t i = 0; i < e->n_pressed; i++)
                if (e->pressed[i].device_id == device_id && e->pressed[i].code == code)
                        return (ssize_t) i;
        return -1;
}

static int pressed_add(GestureEngine *e, uint64_t device_id, unsigned code, Seat *s) {
        if (e->n_pressed >= e->n_pressed_allocated) {
                size_t n = e->n_pressed_allocated > 0 ? e->n_pressed_allocated * 2 : 16;
                PressedKey *p;

                p = reallocarray(e->pressed, n, sizeof(PressedKey));
                if (!p)
                        return -ENOMEM;
                e->pressed = p;
                e->n_pressed_allocated = n;
        }

        e->pressed[e->n_pressed++] = (PressedKey) {
                .device_id = device_id,
                .code = code,
                .seat = s,
        };
        return 0;
}

static void pressed_remove(GestureEngine *e, size_t i) {
        /* Order does not matter, so the last entry fills the hole. */
        e->pressed[i] = e->pressed[--e->n_pressed];
}

static bool seat_key_held(const GestureEngine *e, const Seat *s, unsigned code) {
        for (size_t i = 0; i < e->n_pressed; i++)
                if (e->pressed[i].seat == s && e->pressed[i].code == code)
                        return true;
        return false;
}

static bool seat_any_key_held(const GestureEngine *e, const Seat *s) {
        for (size_t i = 0; i < e->n_pressed; i++)
                if (e->pressed[i].seat == s)
                        return true;
        return false;
}

static bool seat_trigger_held(const GestureEngine *e, const Seat *s, const Trigger *t) {
        for (size_t i = 0; i < t->n_keys; i++)
                if (!seat_key_held(e, s, t->keys[i]))
                        return false;
        return true;
}

static void trigger_state_set_device(TriggerState *st, const char *name) {
        size_t l;

        st->has_device = false;
        if (!name)
                return;

        l = strlen(name) + 1;
        if (l > st->device_size) {
                char *p;

                p = realloc(st->device, l);
                if (!p)
                        return; /* the events just lack the device name */
                st->device = p;
                st->device_size = l;
        }
        memcpy(st->device, name, l);
        st->has_device = true;
}

static void hold_start(GestureEngine *e, Seat *s, TriggerState *st, const char *device_name, usec_t t) {
        const Trigger *tr = st->trigger;

        if (st->running || st->done)
                return;

        st->running = true;
        st->start = t;
        st->gesture = s->gestures;
        st->next_elapsed = tr->progress_usec > 0 && tr->progress_usec < tr->hold_usec ? tr->progress_usec
                                                                                      : tr->hold_usec;
        trigger_state_set_device(st, device_name);
        engine_update_deadline(e);

        engine_emit(e, &(GestureEvent) {
                .type = GESTURE_HOLD_START,
                .trigger = tr,
                .seat = s->name,
                .device = st->has_device ? st->device : NULL,
                .time = t,
                .gesture_first = st->gesture,
                .gesture_last = st->gesture,
        });
}

static void presses_add(GestureEngine *e, Seat *s, TriggerState *st, const char *device_name, usec_t t) {
        const Trigger *tr = st->trigger;
        uint64_t first;
        unsigned n;

        /* Presses that are too old for the window slide out here rather
         * than on a timer: nobody can observe them before the next press. */
        while (st->n_presses > 0 && t - st->presses[st->first_press].time > tr->within_usec) {
                st->first_press = (st->first_press + 1) % tr->presses;
                st->n_presses--;
        }

        st->presses[(st->first_press + st->n_presses) % tr->presses] = (Press) {
                .time = t,
                .gesture = s->gestures,
        };
        st->n_presses++;
        if (st->n_presses < tr->presses)
                return;

        n = st->n_presses;
        first = st->presses[st->first_press].gesture;
        st->first_press = st->n_presses = 0;

        engine_emit(e, &(GestureEvent) {
                .type = GESTURE_TRIGGER,
                .trigger = tr,
                .seat = s->name,
                .device = device_name,
                .time = t,
                .presses = n,
                .gesture_first = first,
                .gesture_last = s->gestures,
        });
}

/* The key just became held on the seat: every trigger it completes starts a
 * hold or counts a press. */
static void seat_key_down(GestureEngine *e, Seat *s, unsigned code, const char *device_name, bool can_hold,
                          usec_t t) {
        for (size_t i = 0; i < s->n_states; i++) {
                TriggerState *st = &s->states[i];

                if (!trigger_has_key(st->trigger, code) || !seat_trigger_held(e, s, st->trigger))
                        continue;

                if (st->trigger->kind == TRIGGER_HOLD) {
                        /* Its release is on the way already: a hold would
                         * only flash its feedback (HoldSec=0 needs none). */
                        if (can_hold || st->trigger->hold_usec == 0)
                                hold_start(e, s, st, device_name, t);
                } else
                        presses_add(e, s, st, device_name, t);
        }

        /* HoldSec=0 completes at once. */
        engine_fire_due(e, t);
}

/* The key is no longer held anywhere on the seat. */
static void seat_key_up(GestureEngine *e, Seat *s, unsigned code, GestureCancelReason reason, usec_t t) {
        for (size_t i = 0; i < s->n_states; i++) {
                TriggerState *st = &s->states[i];

                if (st->trigger->kind != TRIGGER_HOLD || !trigger_has_key(st->trigger, code))
                        continue;

                /* The release that ends a completed hold re-arms it, silently. */
                st->done = false;
                if (!st->running)
                        continue;

                st->running = false;
                engine_update_deadline(e);

                engine_emit(e, &(GestureEvent) {
                        .type = GESTURE_HOLD_CANCEL,
                        .trigger = st->trigger,
                        .seat = s->name,
                        .time = t,
                        .elapsed_usec = t - st->start,
                        .reason = reason,
                });
        }
}

static void engine_release(GestureEngine *e, size_t i, GestureCancelReason reason, usec_t t) {
        Seat *s = e->pressed[i].seat;
        unsigned code = e->pressed[i].code;

        pressed_remove(e, i);
        if (!seat_key_held(e, s, code))
                seat_key_up(e, s, code, reason, t);
}

void gesture_engine_key(GestureEngine *e, uint64_t device_id, const char *device_name, const char *seat,
                        unsigned code, int value, KeySource source, usec_t t) {
        ssize_t i;
        Seat *s;
        bool was_held;

        if (!e)
                return;

        t = engine_tick(e, t);

        /* The hot path: most events are autorepeat or keys no trigger uses. */
        if ((value != 0 && value != 1) || !engine_uses_key(e, code))
                return;

        i = pressed_find(e, device_id, code);

        if (value == 0) {
                if (i < 0)
                        return;
                engine_release(e, (size_t) i,
                               source == KEY_SOURCE_RESYNC ? GESTURE_CANCEL_RESYNC : GESTURE_CANCEL_RELEASED, t);
                return;
        }

        if (i >= 0)
                return;

        /* Without memory the press is dropped: that can only prevent a
         * gesture, never cause one. */
        s = engine_get_seat(e, seat ?: DEFAULT_SEAT);
        if (!s)
                return;

        was_held = seat_key_held(e, s, code);
        if (!seat_any_key_held(e, s))
                s->gestures++;
        if (pressed_add(e, device_id, code, s) < 0)
                return;
        if (!was_held)
                seat_key_down(e, s, code, device_name, source != KEY_SOURCE_PRESS_ONLY, t);
}

void gesture_engine_device_gone(GestureEngine *e, uint64_t device_id, usec_t t) {
        if (!e)
                return;

        t = engine_tick(e, t);

        /* Rescanned from the start after every release: the callbacks in
         * between must not leave us holding a stale index. */
        for (;;) {
                size_t i;

                for (i = 0; i < e->n_pressed; i++)
                        if (e->pressed[i].device_id == device_id)
                                break;
                if (i >= e->n_pressed)
                        break;

                engine_release(e, i, GESTURE_CANCEL_DEVICE_GONE, t);
        }
}

void gesture_engine_advance(GestureEngine *e, usec_t now) {
        if (!e)
                return;

        (void) engine_tick(e, now);
}

usec_t gesture_engine_next_deadline(const GestureEngine *e) {
        if (!e)
                return USEC_INFINITY;

        return e->next_deadline;
}

static void engine_forget(GestureEngine *e) {
        for (size_t i = 0; i < e->n_seats; i++)
                seat_free(e->seats[i]);
        free(e->seats);
        e->seats = NULL;
        e->n_seats = 0;

        free(e->pressed);
        e->pressed = NULL;
        e->n_pressed = e->n_pressed_allocated = 0;

        e->next_deadline = USEC_INFINITY;
}

void gesture_engine_reset(GestureEngine *e, usec_t t) {
        if (!e)
                return;

        t = engine_tick(e, t);

        for (size_t i = 0; i < e->n_seats; i++)
                for (size_t j = 0; j < e->seats[i]->n_states; j++) {
                        Seat *s = e->seats[i];
                        TriggerState *st = &s->states[j];

                        if (!st->running)
                                continue;

                        st->running = false;
                        engine_update_deadline(e);

                        engine_emit(e, &(GestureEvent) {
                                .type = GESTURE_HOLD_CANCEL,
                                .trigger = st->trigger,
                                .seat = s->name,
                                .time = t,
                                .elapsed_usec = t - st->start,
                                .reason = GESTURE_CANCEL_RESET,
                        });
                }

        engine_forget(e);
}

bool gesture_engine_key_held(const GestureEngine *e, const char *seat, unsigned code) {
        const Seat *s;

        if (!e)
                return false;

        s = engine_find_seat(e, seat ?: DEFAULT_SEAT);
        if (!s)
                return false;

        return seat_key_held(e, s, code);
}

static int config_check(const Config *c) {
        if (c->n_triggers > 0 && !c->triggers)
                return -EINVAL;

        for (size_t i = 0; i < c->n_triggers; i++) {
                const Trigger *t = &c->triggers[i];

                /* A trigger without keys would be "held" without anybody
                 * pressing anything; refuse rather than guess. */
                if (t->n_keys == 0 || t->n_keys > TRIGGER_KEYS_MAX)
                        return -EINVAL;
                switch (t->kind) {
                case TRIGGER_HOLD:
                        break;
                case TRIGGER_PRESSES:
                        if (t->presses == 0)
                                return -EINVAL;
                        break;
                default:
                        return -EINVAL;
                }
        }

        return 0;
}

int gesture_engine_new(const Config *config, gesture_event_fn fn, void *userdata, GestureEngine **ret) {
        GestureEngine *e;
        int r;

        if (!config || !fn || !ret)
                return -EINVAL;

        r = config_check(config);
        if (r < 0)
                return r;

        e = calloc(1, sizeof(GestureEngine));
        if (!e)
                return -ENOMEM;

        e->config = config;
        e->fn = fn;
        e->userdata = userdata;
        e->next_deadline = USEC_INFINITY;

        for (size_t i = 0; i < config->n_triggers; i++)
                for (size_t j = 0; j < config->triggers[i].n_keys; j++) {
                        unsigned code = config->triggers[i].keys[j];

                        if (code < KEY_BITMAP_BITS)
                                e->key_bitmap[code / 64] |= UINT64_C(1) << (code % 64);
                        else
                                e->has_high_keys = true;
                }

        *ret = e;
        return 0;
}

GestureEngine *gesture_engine_free(GestureEngine *e) {
        if (!e)
                return NULL;

        engine_forget(e);
        free(e);
        return NULL;
}
