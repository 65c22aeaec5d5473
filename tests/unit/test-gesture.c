/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdarg.h>

#include "gesture.h"
#include "macro.h"

#include "tests.h"

/* Everything runs on a virtual clock: times are plain numbers passed in, and
 * every event the engine reports is recorded (strings copied, since the
 * engine may free them later) and compared against an exact expected
 * sequence. */

#define MS(x) ((usec_t) (x) * USEC_PER_MSEC)
#define SEC(x) ((usec_t) (x) * USEC_PER_SEC)

#define RECORD_MAX 512

typedef struct Recorded {
        GestureEventType type;
        const Trigger *trigger;
        char seat[32];
        char device[64];
        bool has_device;
        usec_t time, elapsed, total;
        unsigned presses;
        GestureCancelReason reason;
        uint64_t gesture_first, gesture_last;
} Recorded;

typedef struct Fixture {
        Trigger triggers[8];
        size_t n_triggers;
        Config config;
        GestureEngine *engine;
        Recorded events[RECORD_MAX];
        size_t n_events;
} Fixture;

static void record(const GestureEvent *ev, void *userdata) {
        Fixture *f = userdata;
        Recorded *r;

        ASSERT_TRUE(ev->trigger);
        ASSERT_TRUE(ev->seat);
        ASSERT_TRUE(f->n_events < RECORD_MAX);

        r = &f->events[f->n_events++];
        *r = (Recorded) {
                .type = ev->type,
                .trigger = ev->trigger,
                .has_device = ev->device,
                .time = ev->time,
                .elapsed = ev->elapsed_usec,
                .total = ev->total_usec,
                .presses = ev->presses,
                .reason = ev->reason,
                .gesture_first = ev->gesture_first,
                .gesture_last = ev->gesture_last,
        };
        snprintf(r->seat, sizeof r->seat, "%s", ev->seat);
        if (ev->device)
                snprintf(r->device, sizeof r->device, "%s", ev->device);
}

static void fixture_done(Fixture *f) {
        gesture_engine_free(f->engine);
}

static Trigger *add_trigger(Fixture *f, const char *name, TriggerKind kind, const unsigned *keys) {
        Trigger *t;

        ASSERT_TRUE(f->n_triggers < ELEMENTSOF(f->triggers));
        t = &f->triggers[f->n_triggers++];
        *t = (Trigger) {
                .name = (char *) name,
                .kind = kind,
        };
        for (; *keys != 0; keys++) {
                ASSERT_TRUE(t->n_keys < TRIGGER_KEYS_MAX);
                t->keys[t->n_keys++] = *keys;
        }
        return t;
}

static Trigger *add_hold(Fixture *f, const char *name, usec_t hold, usec_t progress, const unsigned *keys) {
        Trigger *t = add_trigger(f, name, TRIGGER_HOLD, keys);
        t->hold_usec = hold;
        t->progress_usec = progress;
        return t;
}

static Trigger *add_presses(Fixture *f, const char *name, unsigned n, usec_t within, const unsigned *keys) {
        Trigger *t = add_trigger(f, name, TRIGGER_PRESSES, keys);
        t->presses = n;
        t->within_usec = within;
        return t;
}

#define KEYS(...) ((const unsigned[]) { __VA_ARGS__, 0 })

static void start(Fixture *f) {
        f->config = (Config) {
                .mode = DAEMON_MODE_DESKTOP,
                .armed_timeout_usec = CONFIG_DEFAULT_ARMED_TIMEOUT_USEC,
                .triggers = f->triggers,
                .n_triggers = f->n_triggers,
        };
        ASSERT_EQ(gesture_engine_new(&f->config, record, f, &f->engine), 0);
        ASSERT_UEQ(gesture_engine_next_deadline(f->engine), USEC_INFINITY);
}

/* The strings live on the heap only for the duration of the call, so ASan
 * catches an engine that keeps the caller's pointers. */
static void key_full(Fixture *f, uint64_t dev, const char *seat, unsigned code, int value, KeySource source,
                     usec_t t) {
        char buf[64];
        char *name, *seat_copy;

        snprintf(buf, sizeof buf, "/dev/input/event%" PRIu64, dev);
        name = strdup(buf);
        seat_copy = strdup(seat);
        ASSERT_TRUE(name && seat_copy);
        gesture_engine_key(f->engine, dev, name, seat_copy, code, value, source, t);
        free(name);
        free(seat_copy);
}

static void key_on(Fixture *f, uint64_t dev, const char *seat, unsigned code, int value, usec_t t) {
        key_full(f, dev, seat, code, value, KEY_SOURCE_EVENT, t);
}

static void key(Fixture *f, uint64_t dev, unsigned code, int value, usec_t t) {
        key_on(f, dev, "seat0", code, value, t);
}

static void press(Fixture *f, uint64_t dev, unsigned code, usec_t t) {
        key(f, dev, code, 1, t);
}

static void release(Fixture *f, uint64_t dev, unsigned code, usec_t t) {
        key(f, dev, code, 0, t);
}

static void advance(Fixture *f, usec_t t) {
        gesture_engine_advance(f->engine, t);
}

static usec_t deadline(Fixture *f) {
        return gesture_engine_next_deadline(f->engine);
}

typedef struct Expected {
        GestureEventType type;
        const char *trigger;
        usec_t time;
        usec_t elapsed;
        const char *device; /* NULL: not checked */
        unsigned presses;
        GestureCancelReason reason;
        const char *seat; /* NULL: "seat0" */
} Expected;

#define DEV(n) "/dev/input/event" #n
#define START(name, t, dev) { GESTURE_HOLD_START, name, t, 0, .device = dev }
#define PROGRESS(name, t, el) { GESTURE_HOLD_PROGRESS, name, t, el }
#define CANCEL(name, t, el, r) { GESTURE_HOLD_CANCEL, name, t, el, .reason = GESTURE_CANCEL_##r }
#define TRIGGERED(name, t, el, dev) { GESTURE_TRIGGER, name, t, el, .device = dev }
#define MULTI(name, t, n, dev) { GESTURE_TRIGGER, name, t, 0, .device = dev, .presses = n }

static const Trigger *find_trigger(Fixture *f, const char *name) {
        for (size_t i = 0; i < f->n_triggers; i++)
                if (streq(f->triggers[i].name, name))
                        return &f->triggers[i];
        FAIL("no trigger %s", name);
}

static void dump(Fixture *f) {
        for (size_t i = 0; i < f->n_events; i++) {
                const Recorded *r = &f->events[i];
                fprintf(stderr, "  got %s %s seat=%s device=%s t=%ju elapsed=%ju total=%ju presses=%u reason=%s\n",
                        gesture_event_type_to_string(r->type), r->trigger->name, r->seat,
                        r->has_device ? r->device : "(null)", (uintmax_t) r->time, (uintmax_t) r->elapsed,
                        (uintmax_t) r->total, r->presses, gesture_cancel_reason_to_string(r->reason));
        }
}

/* Compares and forgets what was recorded so far, so a test can check in steps. */
static void expect_events(Fixture *f, const Expected *exp, size_t n) {
        if (f->n_events != n)
                dump(f);
        ASSERT_UEQ(f->n_events, n);

        for (size_t i = 0; i < n; i++) {
                const Recorded *r = &f->events[i];
                const Trigger *t = find_trigger(f, exp[i].trigger);

                if (r->type != exp[i].type || r->trigger != t || r->time != exp[i].time ||
                    r->elapsed != exp[i].elapsed)
                        dump(f);
                ASSERT_STREQ(gesture_event_type_to_string(r->type), gesture_event_type_to_string(exp[i].type));
                ASSERT_STREQ(r->trigger->name, exp[i].trigger);
                ASSERT_TRUE(r->trigger == t);
                ASSERT_UEQ(r->time, exp[i].time);
                ASSERT_UEQ(r->elapsed, exp[i].elapsed);
                ASSERT_STREQ(r->seat, exp[i].seat ?: "seat0");

                switch (r->type) {
                case GESTURE_HOLD_START:
                        ASSERT_TRUE(r->has_device);
                        break;
                case GESTURE_HOLD_PROGRESS:
                        ASSERT_UEQ(r->total, t->hold_usec);
                        ASSERT_TRUE(r->elapsed < t->hold_usec);
                        ASSERT_FALSE(r->has_device);
                        break;
                case GESTURE_HOLD_CANCEL:
                        ASSERT_STREQ(gesture_cancel_reason_to_string(r->reason),
                                     gesture_cancel_reason_to_string(exp[i].reason));
                        ASSERT_FALSE(r->has_device);
                        break;
                case GESTURE_TRIGGER:
                        ASSERT_TRUE(r->has_device);
                        if (t->kind == TRIGGER_PRESSES)
                                ASSERT_UEQ(r->presses, exp[i].presses);
                        else
                                ASSERT_UEQ(r->elapsed, t->hold_usec);
                        break;
                default:
                        FAIL("bad event type %d", (int) r->type);
                }

                if (exp[i].device)
                        ASSERT_STREQ(r->device, exp[i].device);
        }

        f->n_events = 0;
}

#define EXPECT(f, ...)                                                                  \
        expect_events(f, (const Expected[]) { __VA_ARGS__ },                            \
                      ELEMENTSOF(((const Expected[]) { __VA_ARGS__ })))
#define EXPECT_NONE(f) expect_events(f, NULL, 0)

/* ---- strings and construction ---- */

TEST(event_type_strings) {
        ASSERT_STREQ(gesture_event_type_to_string(GESTURE_HOLD_START), "hold-start");
        ASSERT_STREQ(gesture_event_type_to_string(GESTURE_HOLD_PROGRESS), "hold-progress");
        ASSERT_STREQ(gesture_event_type_to_string(GESTURE_HOLD_CANCEL), "hold-cancel");
        ASSERT_STREQ(gesture_event_type_to_string(GESTURE_TRIGGER), "trigger");
        ASSERT_TRUE(gesture_event_type_to_string(_GESTURE_EVENT_TYPE_MAX) == NULL);
        ASSERT_TRUE(gesture_event_type_to_string((GestureEventType) -1) == NULL);
}

TEST(cancel_reason_strings) {
        ASSERT_STREQ(gesture_cancel_reason_to_string(GESTURE_CANCEL_RELEASED), "released");
        ASSERT_STREQ(gesture_cancel_reason_to_string(GESTURE_CANCEL_DEVICE_GONE), "device-gone");
        ASSERT_STREQ(gesture_cancel_reason_to_string(GESTURE_CANCEL_RESYNC), "resync");
        ASSERT_STREQ(gesture_cancel_reason_to_string(GESTURE_CANCEL_RESET), "reset");
        ASSERT_TRUE(gesture_cancel_reason_to_string(_GESTURE_CANCEL_REASON_MAX) == NULL);
}

TEST(new_rejects_bad_input) {
        Trigger t = { .name = (char *) "x", .kind = TRIGGER_HOLD, .hold_usec = SEC(3) };
        Config c = { .triggers = &t, .n_triggers = 1 };
        GestureEngine *e = NULL;

        /* No keys. */
        ASSERT_EQ(gesture_engine_new(&c, record, NULL, &e), -EINVAL);
        t.keys[0] = KEY_POWER;
        t.n_keys = TRIGGER_KEYS_MAX + 1;
        ASSERT_EQ(gesture_engine_new(&c, record, NULL, &e), -EINVAL);
        t.n_keys = 1;
        ASSERT_EQ(gesture_engine_new(NULL, record, NULL, &e), -EINVAL);
        ASSERT_EQ(gesture_engine_new(&c, NULL, NULL, &e), -EINVAL);

        /* Presses=0 would trigger on nothing. */
        t.kind = TRIGGER_PRESSES;
        t.within_usec = SEC(2);
        ASSERT_EQ(gesture_engine_new(&c, record, NULL, &e), -EINVAL);
        ASSERT_TRUE(e == NULL);

        t.presses = 3;
        ASSERT_EQ(gesture_engine_new(&c, record, NULL, &e), 0);
        ASSERT_TRUE(e != NULL);
        gesture_engine_free(e);

        /* An empty config is fine: the engine then ignores everything. */
        c.n_triggers = 0;
        ASSERT_EQ(gesture_engine_new(&c, record, NULL, &e), 0);
        ASSERT_TRUE(gesture_engine_free(e) == NULL);
        ASSERT_TRUE(gesture_engine_free(NULL) == NULL);
}

/* ---- single key holds ---- */

TEST(hold_single_key_completes) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, SEC(10));
        EXPECT(&f, START("power", SEC(10), DEV(1)));
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        ASSERT_UEQ(deadline(&f), SEC(13));

        advance(&f, SEC(12));
        EXPECT_NONE(&f);
        advance(&f, SEC(20));
        EXPECT(&f, TRIGGERED("power", SEC(13), SEC(3), DEV(1)));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        /* The release after completion is silent. */
        release(&f, 1, KEY_POWER, SEC(21));
        EXPECT_NONE(&f);
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
}

/* A key whose device cannot report a hold (the ACPI power button: press
 * and release arrive together) starts no hold: no "keep holding" feedback
 * and no support check for every press on a laptop.  It still counts as a
 * press, is held for the seat while down, and a HoldSec=0 trigger, which
 * needs no hold, still fires. */
TEST(press_only_key_starts_no_hold_but_counts_presses) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        add_presses(&f, "presses", 2, SEC(3), KEYS(KEY_POWER));
        add_hold(&f, "instant", 0, 0, KEYS(KEY_POWER));
        start(&f);

        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_PRESS_ONLY, SEC(10));
        EXPECT(&f, START("instant", SEC(10), DEV(1)), TRIGGERED("instant", SEC(10), 0, DEV(1)));
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_PRESS_ONLY, SEC(10));
        EXPECT_NONE(&f);
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));

        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_PRESS_ONLY, SEC(11));
        EXPECT(&f, MULTI("presses", SEC(11), 2, DEV(1)), START("instant", SEC(11), DEV(1)),
               TRIGGERED("instant", SEC(11), 0, DEV(1)));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_PRESS_ONLY, SEC(11));
        EXPECT_NONE(&f);

        /* The same key on a keyboard that reports holds: a hold as ever. */
        press(&f, 2, KEY_POWER, SEC(20));
        EXPECT(&f, START("power", SEC(20), DEV(2)), START("instant", SEC(20), DEV(2)),
               TRIGGERED("instant", SEC(20), 0, DEV(2)));
        advance(&f, SEC(23));
        EXPECT(&f, TRIGGERED("power", SEC(23), SEC(3), DEV(2)));
}

TEST(hold_release_exactly_at_holdsec_completes) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        /* No advance(): the release itself must fire the due completion first. */
        release(&f, 1, KEY_POWER, SEC(3));
        EXPECT(&f, START("power", 0, DEV(1)), TRIGGERED("power", SEC(3), SEC(3), DEV(1)));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
}

TEST(hold_release_1ms_early_cancels) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, MS(500));
        release(&f, 1, KEY_POWER, MS(500) + SEC(3) - MS(1));
        EXPECT(&f, START("power", MS(500), DEV(1)),
               CANCEL("power", MS(500) + SEC(3) - MS(1), SEC(3) - MS(1), RELEASED));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        /* Nothing is left to fire. */
        advance(&f, SEC(100));
        EXPECT_NONE(&f);
}

TEST(hold_progress_events) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, SEC(1));
        EXPECT(&f, START("power", SEC(1), DEV(1)));
        advance(&f, SEC(10));
        /* 1 s and 2 s; none at 3 s, where the trigger is. */
        EXPECT(&f, PROGRESS("power", SEC(2), SEC(1)), PROGRESS("power", SEC(3), SEC(2)),
               TRIGGERED("power", SEC(4), SEC(3), DEV(1)));
}

TEST(hold_progress_step_by_step) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(2), MS(500), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        EXPECT(&f, START("power", 0, DEV(1)));
        ASSERT_UEQ(deadline(&f), MS(500));
        advance(&f, MS(499));
        EXPECT_NONE(&f);
        advance(&f, MS(500));
        EXPECT(&f, PROGRESS("power", MS(500), MS(500)));
        ASSERT_UEQ(deadline(&f), MS(1000));
        advance(&f, MS(1000));
        EXPECT(&f, PROGRESS("power", MS(1000), MS(1000)));
        advance(&f, MS(1700));
        EXPECT(&f, PROGRESS("power", MS(1500), MS(1500)));
        ASSERT_UEQ(deadline(&f), MS(2000));
        advance(&f, MS(2000));
        EXPECT(&f, TRIGGERED("power", MS(2000), MS(2000), DEV(1)));
}

TEST(hold_progress_not_dividing_holdsec) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", MS(2500), SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        advance(&f, SEC(2));
        EXPECT(&f, START("power", 0, DEV(1)), PROGRESS("power", SEC(1), SEC(1)), PROGRESS("power", SEC(2), SEC(2)));
        /* The next report would be at 3 s, past the hold: completion comes first. */
        ASSERT_UEQ(deadline(&f), MS(2500));
        advance(&f, SEC(5));
        EXPECT(&f, TRIGGERED("power", MS(2500), MS(2500), DEV(1)));
}

TEST(hold_progress_not_shorter_than_hold) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "a", SEC(2), SEC(2), KEYS(KEY_POWER));
        add_hold(&f, "b", SEC(2), SEC(5), KEYS(KEY_RESTART));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 1, KEY_RESTART, 0);
        advance(&f, SEC(3));
        EXPECT(&f, START("a", 0, DEV(1)), START("b", 0, DEV(1)), TRIGGERED("a", SEC(2), SEC(2), DEV(1)),
               TRIGGERED("b", SEC(2), SEC(2), DEV(1)));
}

TEST(hold_cancel_mid_progress) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(5), SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        /* The release fires the reports that were due before it. */
        release(&f, 1, KEY_POWER, MS(2300));
        EXPECT(&f, START("power", 0, DEV(1)), PROGRESS("power", SEC(1), SEC(1)), PROGRESS("power", SEC(2), SEC(2)),
               CANCEL("power", MS(2300), MS(2300), RELEASED));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
}

TEST(hold_zero_completes_at_once) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "now", 0, SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, SEC(1));
        EXPECT(&f, START("now", SEC(1), DEV(1)), TRIGGERED("now", SEC(1), 0, DEV(1)));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
}

/* ---- chords ---- */

static void check_chord_order(const unsigned *order, size_t n) {
        _cleanup_(fixture_done) Fixture f = {};
        Trigger *t = add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN, KEY_VOLUMEUP));
        t->n_keys = n; /* the orders of two keys use only the first two */
        start(&f);

        for (size_t i = 0; i < n; i++) {
                /* Each key on its own device: the completing one is reported. */
                press(&f, 10 + order[i], order[i], MS(100) * i);
                if (i + 1 < n) {
                        EXPECT_NONE(&f);
                        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
                }
        }

        char dev[64];
        snprintf(dev, sizeof dev, "/dev/input/event%u", 10 + order[n - 1]);
        usec_t t0 = MS(100) * (n - 1);
        EXPECT(&f, START("chord", t0, dev));
        advance(&f, t0 + SEC(3));
        EXPECT(&f, TRIGGERED("chord", t0 + SEC(3), SEC(3), dev));
}

TEST(chord_two_keys_both_orders) {
        check_chord_order((const unsigned[]) { KEY_POWER, KEY_VOLUMEDOWN }, 2);
        check_chord_order((const unsigned[]) { KEY_VOLUMEDOWN, KEY_POWER }, 2);
}

TEST(chord_three_keys_all_orders) {
        const unsigned k[3] = { KEY_POWER, KEY_VOLUMEDOWN, KEY_VOLUMEUP };
        unsigned n = 0;

        for (unsigned a = 0; a < 3; a++)
                for (unsigned b = 0; b < 3; b++)
                        for (unsigned c = 0; c < 3; c++) {
                                if (a == b || b == c || a == c)
                                        continue;
                                check_chord_order((const unsigned[]) { k[a], k[b], k[c] }, 3);
                                n++;
                        }
        ASSERT_EQ(n, 6);
}

TEST(chord_release_one_key_cancels) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        press(&f, 1, KEY_VOLUMEDOWN, 0);
        press(&f, 1, KEY_POWER, MS(200));
        release(&f, 1, KEY_VOLUMEDOWN, SEC(1));
        EXPECT(&f, START("chord", MS(200), DEV(1)), CANCEL("chord", SEC(1), MS(800), RELEASED));

        /* Still holding KEY_POWER alone is not the chord; releasing it is silent. */
        advance(&f, SEC(10));
        release(&f, 1, KEY_POWER, SEC(11));
        EXPECT_NONE(&f);

        /* Pressing the missing key again starts a new hold. */
        press(&f, 1, KEY_POWER, SEC(12));
        press(&f, 1, KEY_VOLUMEDOWN, SEC(13));
        advance(&f, SEC(16));
        EXPECT(&f, START("chord", SEC(13), DEV(1)), TRIGGERED("chord", SEC(16), SEC(3), DEV(1)));
}

TEST(chord_across_two_devices_of_one_seat) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        /* The ACPI power button and a keyboard's volume key. */
        key_on(&f, 1, "seat0", KEY_POWER, 1, 0);
        key_on(&f, 2, "seat0", KEY_VOLUMEDOWN, 1, MS(50));
        advance(&f, SEC(4));
        EXPECT(&f, START("chord", MS(50), DEV(2)), TRIGGERED("chord", MS(3050), SEC(3), DEV(2)));
}

TEST(chord_across_two_seats_does_not_trigger) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        key_on(&f, 1, "seat0", KEY_POWER, 1, 0);
        key_on(&f, 2, "seat1", KEY_VOLUMEDOWN, 1, MS(50));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        advance(&f, SEC(10));
        EXPECT_NONE(&f);
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_VOLUMEDOWN));
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat1", KEY_VOLUMEDOWN));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat1", KEY_POWER));
}

TEST(chord_on_one_device_device_gone_cancels_once) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 1, KEY_VOLUMEDOWN, 0);
        gesture_engine_device_gone(f.engine, 1, SEC(1));
        EXPECT(&f, START("chord", 0, DEV(1)), CANCEL("chord", SEC(1), SEC(1), DEVICE_GONE));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_VOLUMEDOWN));
}

/* ---- devices and seats ---- */

TEST(same_key_two_devices_one_seat) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 2, KEY_POWER, MS(100));
        /* The second device does not restart the hold. */
        EXPECT(&f, START("power", 0, DEV(1)));

        release(&f, 1, KEY_POWER, SEC(1));
        EXPECT_NONE(&f);
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));

        /* The device that started the hold is the one reported, though it let go. */
        advance(&f, SEC(3));
        EXPECT(&f, TRIGGERED("power", SEC(3), SEC(3), DEV(1)));

        release(&f, 2, KEY_POWER, SEC(4));
        EXPECT_NONE(&f);
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
}

TEST(same_key_two_devices_last_release_cancels) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 2, KEY_POWER, MS(100));
        release(&f, 2, KEY_POWER, SEC(1));
        release(&f, 1, KEY_POWER, SEC(2));
        EXPECT(&f, START("power", 0, DEV(1)), CANCEL("power", SEC(2), SEC(2), RELEASED));
}

TEST(two_seats_independent_holds) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        key_on(&f, 1, "seat0", KEY_POWER, 1, 0);
        key_on(&f, 2, "seat1", KEY_POWER, 1, SEC(1));
        EXPECT(&f, START("power", 0, DEV(1)), { GESTURE_HOLD_START, "power", SEC(1), 0, DEV(2), .seat = "seat1" });

        /* Cancelling on seat0 leaves seat1's hold running. */
        key_on(&f, 1, "seat0", KEY_POWER, 0, SEC(2));
        advance(&f, SEC(5));
        EXPECT(&f, CANCEL("power", SEC(2), SEC(2), RELEASED),
               { GESTURE_TRIGGER, "power", SEC(4), SEC(3), DEV(2), .seat = "seat1" });
}

TEST(two_seats_both_complete) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(2), KEYS(KEY_POWER));
        add_presses(&f, "vol", 5, SEC(1), KEYS(KEY_VOLUMEDOWN)); /* makes seat1 known, silently */
        start(&f);

        /* seat1 is seen first but its hold starts later: time order wins. */
        key_on(&f, 1, "seat1", KEY_VOLUMEDOWN, 1, 0);
        key_on(&f, 2, "seat0", KEY_POWER, 1, 0);
        key_on(&f, 1, "seat1", KEY_POWER, 1, MS(500));
        advance(&f, SEC(4));
        EXPECT(&f, START("power", 0, DEV(2)),
               { GESTURE_HOLD_START, "power", MS(500), 0, DEV(1), .seat = "seat1" },
               PROGRESS("power", SEC(2), SEC(2)),
               { GESTURE_HOLD_PROGRESS, "power", MS(2500), SEC(2), .seat = "seat1" },
               TRIGGERED("power", SEC(3), SEC(3), DEV(2)),
               { GESTURE_TRIGGER, "power", MS(3500), SEC(3), DEV(1), .seat = "seat1" });
}

TEST(seat_restriction) {
        _cleanup_(fixture_done) Fixture f = {};
        Trigger *t = add_hold(&f, "kiosk", SEC(3), 0, KEYS(KEY_POWER));
        t->seat = (char *) "seat1";
        start(&f);

        key_on(&f, 1, "seat0", KEY_POWER, 1, 0);
        advance(&f, SEC(5));
        EXPECT_NONE(&f);
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        key_on(&f, 2, "seat1", KEY_POWER, 1, SEC(6));
        advance(&f, SEC(10));
        EXPECT(&f, { GESTURE_HOLD_START, "kiosk", SEC(6), 0, DEV(2), .seat = "seat1" },
               { GESTURE_TRIGGER, "kiosk", SEC(9), SEC(3), DEV(2), .seat = "seat1" });
}

TEST(null_seat_is_seat0) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        gesture_engine_key(f.engine, 1, "/dev/input/event1", NULL, KEY_POWER, 1, KEY_SOURCE_EVENT, 0);
        EXPECT(&f, START("power", 0, DEV(1)));
        ASSERT_TRUE(gesture_engine_key_held(f.engine, NULL, KEY_POWER));
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
}

/* ---- event filtering ---- */

TEST(autorepeat_ignored) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        for (usec_t t = MS(250); t < SEC(3); t += MS(33))
                key(&f, 1, KEY_POWER, 2, t);
        advance(&f, SEC(3));
        EXPECT(&f, START("power", 0, DEV(1)), PROGRESS("power", SEC(1), SEC(1)), PROGRESS("power", SEC(2), SEC(2)),
               TRIGGERED("power", SEC(3), SEC(3), DEV(1)));

        /* Autorepeat after completion does not re-trigger either. */
        key(&f, 1, KEY_POWER, 2, SEC(4));
        advance(&f, SEC(10));
        EXPECT_NONE(&f);

        /* Autorepeat of a released key is no press. */
        release(&f, 1, KEY_POWER, SEC(11));
        key(&f, 1, KEY_POWER, 2, SEC(12));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        advance(&f, SEC(20));
        EXPECT_NONE(&f);
}

TEST(duplicate_press_ignored) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 1, KEY_POWER, SEC(1));
        EXPECT(&f, START("power", 0, DEV(1)));
        ASSERT_UEQ(deadline(&f), SEC(3));

        /* One release undoes it: the press was not counted twice. */
        release(&f, 1, KEY_POWER, SEC(2));
        EXPECT(&f, CANCEL("power", SEC(2), SEC(2), RELEASED));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
}

TEST(release_without_press_ignored) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        release(&f, 1, KEY_POWER, 0);
        EXPECT_NONE(&f);

        press(&f, 1, KEY_POWER, SEC(1));
        /* Another device's release of the same key is not this one's. */
        release(&f, 2, KEY_POWER, SEC(2));
        advance(&f, SEC(4));
        EXPECT(&f, START("power", SEC(1), DEV(1)), TRIGGERED("power", SEC(4), SEC(3), DEV(1)));
}

TEST(unknown_values_ignored) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        key(&f, 1, KEY_POWER, 3, 0);
        key(&f, 1, KEY_POWER, -1, 0);
        EXPECT_NONE(&f);
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
}

TEST(no_retrigger_while_held_rearms_after_release) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        advance(&f, SEC(3));
        EXPECT(&f, START("power", 0, DEV(1)), PROGRESS("power", SEC(1), SEC(1)), PROGRESS("power", SEC(2), SEC(2)),
               TRIGGERED("power", SEC(3), SEC(3), DEV(1)));

        /* Held on, and even pressed on a second device: nothing more. */
        press(&f, 2, KEY_POWER, SEC(5));
        release(&f, 1, KEY_POWER, SEC(6));
        advance(&f, SEC(30));
        EXPECT_NONE(&f);
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        /* Releasing the last holder re-arms silently; the next press starts over. */
        release(&f, 2, KEY_POWER, SEC(31));
        EXPECT_NONE(&f);
        press(&f, 1, KEY_POWER, SEC(32));
        release(&f, 1, KEY_POWER, SEC(33));
        EXPECT(&f, START("power", SEC(32), DEV(1)), PROGRESS("power", SEC(33), SEC(1)),
               CANCEL("power", SEC(33), SEC(1), RELEASED));
}

TEST(chord_done_rearms_when_any_key_released) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 1, KEY_VOLUMEDOWN, 0);
        advance(&f, SEC(3));
        EXPECT(&f, START("chord", 0, DEV(1)), TRIGGERED("chord", SEC(3), SEC(3), DEV(1)));

        release(&f, 1, KEY_VOLUMEDOWN, SEC(4));
        EXPECT_NONE(&f);
        press(&f, 1, KEY_VOLUMEDOWN, SEC(5));
        advance(&f, SEC(8));
        EXPECT(&f, START("chord", SEC(5), DEV(1)), TRIGGERED("chord", SEC(8), SEC(3), DEV(1)));
}

/* ---- device removal and resync ---- */

TEST(device_gone_mid_hold_cancels) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        gesture_engine_device_gone(f.engine, 1, MS(1500));
        EXPECT(&f, START("power", 0, DEV(1)), PROGRESS("power", SEC(1), SEC(1)),
               CANCEL("power", MS(1500), MS(1500), DEVICE_GONE));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        /* A late release from the removed device is unknown and ignored. */
        release(&f, 1, KEY_POWER, SEC(2));
        EXPECT_NONE(&f);
}

TEST(device_gone_other_device_does_not_cancel) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 2, KEY_VOLUMEDOWN, 0); /* not a trigger key: never tracked */
        press(&f, 1, KEY_POWER, 0);
        gesture_engine_device_gone(f.engine, 2, SEC(1));
        gesture_engine_device_gone(f.engine, 3, SEC(1));
        advance(&f, SEC(3));
        EXPECT(&f, START("power", 0, DEV(1)), TRIGGERED("power", SEC(3), SEC(3), DEV(1)));
}

TEST(device_gone_while_other_device_holds_key) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 2, KEY_POWER, 0);
        gesture_engine_device_gone(f.engine, 1, SEC(1));
        advance(&f, SEC(3));
        EXPECT(&f, START("power", 0, DEV(1)), TRIGGERED("power", SEC(3), SEC(3), DEV(1)));
}

TEST(device_gone_fires_due_deadlines_first) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        gesture_engine_device_gone(f.engine, 1, SEC(3));
        EXPECT(&f, START("power", 0, DEV(1)), TRIGGERED("power", SEC(3), SEC(3), DEV(1)));
}

TEST(resync_release_cancels_with_resync) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_RESYNC, SEC(2));
        EXPECT(&f, START("power", 0, DEV(1)), CANCEL("power", SEC(2), SEC(2), RESYNC));
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
}

TEST(resync_press_starts_hold) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_RESYNC, SEC(1));
        EXPECT(&f, START("power", SEC(1), DEV(1)));
        /* A resync that finds the key still down changes nothing. */
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_RESYNC, SEC(2));
        advance(&f, SEC(4));
        EXPECT(&f, TRIGGERED("power", SEC(4), SEC(3), DEV(1)));
}

/* ---- multi-press ---- */

TEST(presses_exactly_n_within_window) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 5, SEC(3), KEYS(KEY_POWER));
        start(&f);

        for (unsigned i = 0; i < 5; i++) {
                press(&f, 1, KEY_POWER, SEC(10) + MS(400) * i);
                if (i < 4)
                        EXPECT_NONE(&f);
                release(&f, 1, KEY_POWER, SEC(10) + MS(400) * i + MS(100));
                ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        }
        EXPECT(&f, MULTI("a11y", SEC(10) + MS(1600), 5, DEV(1)));

        /* The window was cleared: a sixth press starts counting again. */
        press(&f, 1, KEY_POWER, SEC(12));
        release(&f, 1, KEY_POWER, SEC(12) + MS(100));
        EXPECT_NONE(&f);
}

TEST(presses_last_at_exactly_within_triggers) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 3, SEC(2), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, SEC(1));
        release(&f, 1, KEY_POWER, SEC(1) + MS(50));
        press(&f, 1, KEY_POWER, SEC(2));
        release(&f, 1, KEY_POWER, SEC(2) + MS(50));
        press(&f, 1, KEY_POWER, SEC(3));
        EXPECT(&f, MULTI("a11y", SEC(3), 3, DEV(1)));
}

TEST(presses_last_1us_late_does_not_trigger) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 3, SEC(2), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, SEC(1));
        release(&f, 1, KEY_POWER, SEC(1) + MS(50));
        press(&f, 1, KEY_POWER, SEC(2));
        release(&f, 1, KEY_POWER, SEC(2) + MS(50));
        press(&f, 1, KEY_POWER, SEC(3) + 1);
        EXPECT_NONE(&f);
        release(&f, 1, KEY_POWER, SEC(3) + MS(50));

        /* The window now starts at the press at 2 s: one more in time completes it. */
        press(&f, 1, KEY_POWER, SEC(4));
        EXPECT(&f, MULTI("a11y", SEC(4), 3, DEV(1)));
}

TEST(presses_sliding_window) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 3, SEC(2), KEYS(KEY_POWER));
        start(&f);

        /* Presses at 0, 1.5, 2.5 (too late for 0), 3.0 (in time for 1.5). */
        const usec_t times[] = { 0, MS(1500), MS(2500), MS(3000) };
        for (size_t i = 0; i < ELEMENTSOF(times); i++) {
                press(&f, 1, KEY_POWER, times[i]);
                if (i < 3)
                        EXPECT_NONE(&f);
                release(&f, 1, KEY_POWER, times[i] + MS(10));
        }
        EXPECT(&f, MULTI("a11y", MS(3000), 3, DEV(1)));
}

TEST(presses_slow_presses_never_trigger) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 3, SEC(2), KEYS(KEY_POWER));
        start(&f);

        for (unsigned i = 0; i < 20; i++) {
                press(&f, 1, KEY_POWER, MS(1001) * i);
                release(&f, 1, KEY_POWER, MS(1001) * i + MS(10));
        }
        EXPECT_NONE(&f);
}

TEST(presses_chord) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "chord3", 3, SEC(3), KEYS(KEY_POWER, KEY_VOLUMEUP));
        start(&f);

        /* Volume-up stays down; each power press completes the chord once. */
        press(&f, 2, KEY_VOLUMEUP, 0);
        for (unsigned i = 0; i < 3; i++) {
                press(&f, 1, KEY_POWER, MS(100) + MS(500) * i);
                release(&f, 1, KEY_POWER, MS(300) + MS(500) * i);
        }
        EXPECT(&f, MULTI("chord3", MS(1100), 3, DEV(1)));

        /* Power alone is no press of the chord. */
        release(&f, 2, KEY_VOLUMEUP, SEC(2));
        for (unsigned i = 0; i < 3; i++) {
                press(&f, 1, KEY_POWER, SEC(3) + MS(100) * i);
                release(&f, 1, KEY_POWER, SEC(3) + MS(100) * i + MS(50));
        }
        EXPECT_NONE(&f);

        /* The press completing the chord may come from either key. */
        press(&f, 1, KEY_POWER, SEC(10));
        press(&f, 2, KEY_VOLUMEUP, SEC(10) + MS(10));
        release(&f, 2, KEY_VOLUMEUP, SEC(10) + MS(100));
        press(&f, 2, KEY_VOLUMEUP, SEC(10) + MS(200));
        release(&f, 1, KEY_POWER, SEC(10) + MS(300));
        press(&f, 1, KEY_POWER, SEC(10) + MS(400));
        EXPECT(&f, MULTI("chord3", SEC(10) + MS(400), 3, DEV(1)));
}

TEST(presses_ignore_autorepeat) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 3, SEC(2), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        for (usec_t t = MS(250); t < SEC(1); t += MS(33))
                key(&f, 1, KEY_POWER, 2, t);
        release(&f, 1, KEY_POWER, SEC(1));
        press(&f, 1, KEY_POWER, MS(1200));
        key(&f, 1, KEY_POWER, 2, MS(1450));
        key(&f, 1, KEY_POWER, 2, MS(1480));
        EXPECT_NONE(&f);
        release(&f, 1, KEY_POWER, MS(1500));
        press(&f, 1, KEY_POWER, MS(1600));
        EXPECT(&f, MULTI("a11y", MS(1600), 3, DEV(1)));
}

TEST(presses_report_no_hold_events_and_no_deadline) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 2, SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        advance(&f, SEC(60));
        release(&f, 1, KEY_POWER, SEC(61));
        gesture_engine_device_gone(f.engine, 1, SEC(62));
        EXPECT_NONE(&f);
}

TEST(presses_last_device_reported) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 2, SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        release(&f, 1, KEY_POWER, MS(100));
        press(&f, 7, KEY_POWER, MS(200));
        EXPECT(&f, MULTI("a11y", MS(200), 2, DEV(7)));
}

TEST(presses_two_seats_count_separately) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "a11y", 2, SEC(1), KEYS(KEY_POWER));
        start(&f);

        key_on(&f, 1, "seat0", KEY_POWER, 1, 0);
        key_on(&f, 1, "seat0", KEY_POWER, 0, MS(10));
        key_on(&f, 2, "seat1", KEY_POWER, 1, MS(100));
        EXPECT_NONE(&f);
        key_on(&f, 2, "seat1", KEY_POWER, 0, MS(110));
        key_on(&f, 2, "seat1", KEY_POWER, 1, MS(200));
        EXPECT(&f, { GESTURE_TRIGGER, "a11y", MS(200), 0, DEV(2), 2, .seat = "seat1" });
}

/* ---- several triggers ---- */

TEST(overlapping_triggers_share_key) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "short", SEC(3), 0, KEYS(KEY_POWER));
        add_hold(&f, "long", SEC(10), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        EXPECT(&f, START("short", 0, DEV(1)), START("long", 0, DEV(1)));
        ASSERT_UEQ(deadline(&f), SEC(3));
        advance(&f, SEC(3));
        EXPECT(&f, TRIGGERED("short", SEC(3), SEC(3), DEV(1)));
        ASSERT_UEQ(deadline(&f), SEC(10));
        advance(&f, SEC(11));
        EXPECT(&f, TRIGGERED("long", SEC(10), SEC(10), DEV(1)));
        release(&f, 1, KEY_POWER, SEC(12));
        EXPECT_NONE(&f);
}

TEST(overlapping_triggers_release_between) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "long", SEC(10), 0, KEYS(KEY_POWER));
        add_hold(&f, "short", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        release(&f, 1, KEY_POWER, SEC(5));
        EXPECT(&f, START("long", 0, DEV(1)), START("short", 0, DEV(1)), TRIGGERED("short", SEC(3), SEC(3), DEV(1)),
               CANCEL("long", SEC(5), SEC(5), RELEASED));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
}

TEST(single_key_and_chord_containing_it) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(4), 0, KEYS(KEY_POWER));
        add_hold(&f, "chord", SEC(2), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 2, KEY_VOLUMEDOWN, SEC(1));
        advance(&f, SEC(10));
        EXPECT(&f, START("power", 0, DEV(1)), START("chord", SEC(1), DEV(2)),
               TRIGGERED("chord", SEC(3), SEC(2), DEV(2)),
               TRIGGERED("power", SEC(4), SEC(4), DEV(1)));

        /* Releasing volume-down re-arms the chord only; power stays done. */
        release(&f, 2, KEY_VOLUMEDOWN, SEC(11));
        press(&f, 2, KEY_VOLUMEDOWN, SEC(12));
        release(&f, 1, KEY_POWER, SEC(13));
        EXPECT(&f, START("chord", SEC(12), DEV(2)), CANCEL("chord", SEC(13), SEC(1), RELEASED));
}

TEST(hold_and_presses_share_key) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "hold", SEC(3), 0, KEYS(KEY_POWER));
        add_presses(&f, "multi", 2, SEC(1), KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        release(&f, 1, KEY_POWER, MS(100));
        press(&f, 1, KEY_POWER, MS(200));
        EXPECT(&f, START("hold", 0, DEV(1)), CANCEL("hold", MS(100), MS(100), RELEASED), START("hold", MS(200), DEV(1)),
               MULTI("multi", MS(200), 2, DEV(1)));
}

/* ---- physical gestures (kiosk mode's "separate gesture" rule) ---- */

/* The i-th recorded event is a trigger of that name spanning those gestures. */
static void expect_gestures(Fixture *f, size_t i, const char *trigger, uint64_t first, uint64_t last) {
        ASSERT_TRUE(i < f->n_events);
        if (!streq(f->events[i].trigger->name, trigger) || f->events[i].gesture_first != first ||
            f->events[i].gesture_last != last)
                fprintf(stderr, "  event %zu: %s gestures %" PRIu64 "..%" PRIu64 "\n", i, f->events[i].trigger->name,
                        f->events[i].gesture_first, f->events[i].gesture_last);
        ASSERT_STREQ(f->events[i].trigger->name, trigger);
        ASSERT_UEQ(f->events[i].gesture_first, first);
        ASSERT_UEQ(f->events[i].gesture_last, last);
}

TEST(gesture_chord_completing_two_triggers_is_one_gesture) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        press(&f, 1, KEY_VOLUMEDOWN, 0);
        press(&f, 1, KEY_POWER, MS(200));
        advance(&f, SEC(4));
        expect_gestures(&f, 2, "power", 1, 1);
        expect_gestures(&f, 3, "chord", 1, 1);
        EXPECT(&f, START("power", MS(200), DEV(1)), START("chord", MS(200), DEV(1)),
               TRIGGERED("power", MS(3200), SEC(3), DEV(1)), TRIGGERED("chord", MS(3200), SEC(3), DEV(1)));

        /* Power released and pressed again while volume-down stays down:
         * still the same gesture. */
        f.n_events = 0;
        release(&f, 1, KEY_POWER, SEC(5));
        press(&f, 1, KEY_POWER, SEC(6));
        advance(&f, SEC(10));
        ASSERT_UEQ(f.n_events, 4); /* start, start, trigger, trigger */
        expect_gestures(&f, 2, "power", 1, 1);
        expect_gestures(&f, 3, "chord", 1, 1);
        release(&f, 1, KEY_POWER, SEC(11));
        release(&f, 1, KEY_VOLUMEDOWN, SEC(11));

        /* Everything was up: the next press begins gesture 2. */
        f.n_events = 0;
        press(&f, 1, KEY_POWER, SEC(12));
        advance(&f, SEC(16));
        ASSERT_UEQ(f.n_events, 2);
        expect_gestures(&f, 0, "power", 2, 2);
        expect_gestures(&f, 1, "power", 2, 2);
}

TEST(gesture_second_part_of_chord_pressed_again_stays_in_gesture) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "chord", SEC(1), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        start(&f);

        press(&f, 1, KEY_VOLUMEDOWN, 0);
        press(&f, 1, KEY_POWER, MS(100));
        release(&f, 1, KEY_POWER, MS(200));
        press(&f, 1, KEY_POWER, MS(300));
        advance(&f, SEC(2));
        ASSERT_UEQ(f.n_events, 4); /* start, cancel, start, trigger */
        expect_gestures(&f, 3, "chord", 1, 1);
}

TEST(gesture_presses_span_their_gestures) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "multi", 3, SEC(3), KEYS(KEY_POWER));
        add_hold(&f, "hold", SEC(1), 0, KEYS(KEY_POWER));
        start(&f);

        for (unsigned i = 0; i < 2; i++) {
                press(&f, 1, KEY_POWER, MS(200 * i));
                release(&f, 1, KEY_POWER, MS(200 * i + 100));
        }
        /* The third press is held on: the presses and then the hold. */
        press(&f, 1, KEY_POWER, MS(400));
        advance(&f, SEC(2));
        /* start, cancel, start, cancel, multi, start, trigger */
        ASSERT_UEQ(f.n_events, 7);
        expect_gestures(&f, 4, "multi", 1, 3);
        expect_gestures(&f, 6, "hold", 3, 3);
}

TEST(gesture_presses_window_slides_its_first_gesture) {
        _cleanup_(fixture_done) Fixture f = {};
        add_presses(&f, "multi", 2, SEC(1), KEYS(KEY_POWER));
        start(&f);

        /* Gesture 1 falls out of the window; 2 and 3 complete the trigger. */
        press(&f, 1, KEY_POWER, 0);
        release(&f, 1, KEY_POWER, MS(100));
        press(&f, 1, KEY_POWER, SEC(5));
        release(&f, 1, KEY_POWER, SEC(5) + MS(100));
        press(&f, 1, KEY_POWER, SEC(5) + MS(500));
        ASSERT_UEQ(f.n_events, 1);
        expect_gestures(&f, 0, "multi", 2, 3);
}

TEST(gesture_numbers_are_per_seat) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(1), 0, KEYS(KEY_POWER));
        start(&f);

        key_on(&f, 1, "seat0", KEY_POWER, 1, 0);
        key_on(&f, 1, "seat0", KEY_POWER, 0, MS(100));
        key_on(&f, 2, "seat1", KEY_POWER, 1, MS(200));
        key_on(&f, 1, "seat0", KEY_POWER, 1, MS(300));
        advance(&f, SEC(2));
        /* start, cancel, start(seat1), start(seat0), trigger(seat1), trigger(seat0) */
        ASSERT_UEQ(f.n_events, 6);
        ASSERT_STREQ(f.events[4].seat, "seat1");
        expect_gestures(&f, 4, "power", 1, 1);
        ASSERT_STREQ(f.events[5].seat, "seat0");
        expect_gestures(&f, 5, "power", 2, 2);
}

TEST(gesture_keys_on_two_devices_of_a_seat_are_one_gesture) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(1), 0, KEYS(KEY_POWER));
        start(&f);

        /* The power key of a keyboard held while the button's goes up and
         * down: the seat never had every key up. */
        press(&f, 1, KEY_POWER, 0);
        press(&f, 2, KEY_POWER, MS(100));
        release(&f, 1, KEY_POWER, MS(200));
        advance(&f, SEC(2));
        ASSERT_UEQ(f.n_events, 2);
        expect_gestures(&f, 1, "power", 1, 1);

        /* A device going away releases its keys: a new press is a new gesture. */
        gesture_engine_device_gone(f.engine, 2, SEC(3));
        f.n_events = 0;
        press(&f, 1, KEY_POWER, SEC(4));
        advance(&f, SEC(6));
        ASSERT_UEQ(f.n_events, 2);
        expect_gestures(&f, 1, "power", 2, 2);
}

/* ---- clock ---- */

TEST(next_deadline_values) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        add_hold(&f, "quiet", SEC(2), 0, KEYS(KEY_RESTART));
        start(&f);

        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        press(&f, 1, KEY_POWER, MS(100));
        ASSERT_UEQ(deadline(&f), MS(1100)); /* first progress */
        advance(&f, MS(1100));
        ASSERT_UEQ(deadline(&f), MS(2100));
        advance(&f, MS(2100));
        ASSERT_UEQ(deadline(&f), MS(3100)); /* completion */
        advance(&f, MS(3100));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        /* Without ProgressSec= the completion is the only deadline. */
        press(&f, 1, KEY_RESTART, SEC(4));
        ASSERT_UEQ(deadline(&f), SEC(6));
        release(&f, 1, KEY_RESTART, SEC(5));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        f.n_events = 0;
}

TEST(advance_interleaves_deadlines) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "a", SEC(3), SEC(1), KEYS(KEY_POWER));
        add_hold(&f, "b", MS(2500), MS(700), KEYS(KEY_RESTART));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 2, KEY_RESTART, MS(200));
        EXPECT(&f, START("a", 0, DEV(1)), START("b", MS(200), DEV(2)));
        ASSERT_UEQ(deadline(&f), MS(900));

        /* One late wake-up: everything in time order, each at its own deadline. */
        advance(&f, SEC(10));
        EXPECT(&f, PROGRESS("b", MS(900), MS(700)), PROGRESS("a", SEC(1), SEC(1)), PROGRESS("b", MS(1600), MS(1400)),
               PROGRESS("a", SEC(2), SEC(2)), PROGRESS("b", MS(2300), MS(2100)),
               TRIGGERED("b", MS(2700), MS(2500), DEV(2)),
               TRIGGERED("a", SEC(3), SEC(3), DEV(1)));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
}

TEST(advance_ties_in_config_order) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "a", SEC(2), SEC(1), KEYS(KEY_POWER));
        add_hold(&f, "b", SEC(1), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        advance(&f, SEC(5));
        EXPECT(&f, START("a", 0, DEV(1)), START("b", 0, DEV(1)), PROGRESS("a", SEC(1), SEC(1)),
               TRIGGERED("b", SEC(1), SEC(1), DEV(1)), TRIGGERED("a", SEC(2), SEC(2), DEV(1)));
}

TEST(time_going_backwards_is_clamped) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        press(&f, 1, KEY_POWER, SEC(10));
        /* An earlier timestamp counts as 10 s: the hold lasted 0 s. */
        release(&f, 1, KEY_POWER, SEC(9));
        EXPECT(&f, START("power", SEC(10), DEV(1)), CANCEL("power", SEC(10), 0, RELEASED));

        /* A press stamped in the past starts at the latest time seen. */
        advance(&f, SEC(20));
        press(&f, 1, KEY_POWER, SEC(5));
        EXPECT(&f, START("power", SEC(20), DEV(1)));
        ASSERT_UEQ(deadline(&f), SEC(23));
        advance(&f, SEC(22));
        EXPECT_NONE(&f);
        advance(&f, SEC(23));
        EXPECT(&f, TRIGGERED("power", SEC(23), SEC(3), DEV(1)));
}

TEST(reset_cancels_and_forgets) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        add_hold(&f, "chord", SEC(5), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        add_presses(&f, "a11y", 2, SEC(5), KEYS(KEY_RESTART));
        start(&f);

        press(&f, 1, KEY_POWER, 0);
        press(&f, 1, KEY_VOLUMEDOWN, 0);
        press(&f, 1, KEY_RESTART, 0);
        release(&f, 1, KEY_RESTART, MS(10));
        EXPECT(&f, START("power", 0, DEV(1)), START("chord", 0, DEV(1)));

        gesture_engine_reset(f.engine, SEC(1));
        EXPECT(&f, CANCEL("power", SEC(1), SEC(1), RESET), CANCEL("chord", SEC(1), SEC(1), RESET));
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);
        ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));

        /* The releases of keys pressed before the reset mean nothing now. */
        release(&f, 1, KEY_POWER, SEC(2));
        release(&f, 1, KEY_VOLUMEDOWN, SEC(2));
        /* The press window was forgotten too: this is a first press. */
        press(&f, 1, KEY_RESTART, SEC(3));
        advance(&f, SEC(20));
        EXPECT_NONE(&f);

        /* And it works as before. */
        press(&f, 1, KEY_POWER, SEC(21));
        advance(&f, SEC(24));
        EXPECT(&f, START("power", SEC(21), DEV(1)), TRIGGERED("power", SEC(24), SEC(3), DEV(1)));
}

TEST(reset_idle_and_after_completion) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        gesture_engine_reset(f.engine, 0);
        EXPECT_NONE(&f);

        press(&f, 1, KEY_POWER, 0);
        /* What was due by the reset time happens first. */
        gesture_engine_reset(f.engine, SEC(4));
        EXPECT(&f, START("power", 0, DEV(1)), TRIGGERED("power", SEC(3), SEC(3), DEV(1)));

        /* The still-held key was forgotten, so a press after the reset is new. */
        press(&f, 1, KEY_POWER, SEC(5));
        EXPECT(&f, START("power", SEC(5), DEV(1)));
}

/* ---- non-trigger keys ---- */

TEST(non_trigger_keys_produce_nothing) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        add_presses(&f, "a11y", 2, SEC(1), KEYS(KEY_RESTART));
        start(&f);

        const unsigned others[] = { KEY_A, KEY_ENTER, KEY_VOLUMEDOWN, KEY_SLEEP, BTN_LEFT, KEY_MAX, 1023, 1024, 5000 };
        for (size_t i = 0; i < ELEMENTSOF(others); i++) {
                press(&f, 1, others[i], MS(10) * i);
                ASSERT_UEQ(deadline(&f), USEC_INFINITY);
                ASSERT_FALSE(gesture_engine_key_held(f.engine, "seat0", others[i]));
                release(&f, 1, others[i], MS(10) * i + MS(5));
                press(&f, 1, others[i], MS(10) * i + MS(6));
        }
        advance(&f, SEC(10));
        EXPECT_NONE(&f);
}

TEST(trigger_key_beyond_bitmap) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "odd", SEC(1), 0, KEYS(2000));
        start(&f);

        press(&f, 1, 2001, 0);
        press(&f, 1, 2000, 0);
        advance(&f, SEC(1));
        EXPECT(&f, START("odd", 0, DEV(1)), TRIGGERED("odd", SEC(1), SEC(1), DEV(1)));
}

TEST(flood_of_non_trigger_keys) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), SEC(1), KEYS(KEY_POWER));
        add_hold(&f, "chord", SEC(3), 0, KEYS(KEY_POWER, KEY_VOLUMEDOWN));
        add_presses(&f, "a11y", 3, SEC(2), KEYS(KEY_RESTART));
        start(&f);

        /* Straight to the engine, as the daemon would, with no per-event allocation in the test. */
        for (unsigned i = 0; i < 100000; i++) {
                unsigned code = KEY_A + i % 40;
                int value = i % 3 == 2 ? 2 : (int) (i & 1);

                gesture_engine_key(f.engine, 1 + i % 3, "/dev/input/event1", "seat0", code, value, KEY_SOURCE_EVENT,
                                   (usec_t) i * 100);
        }
        EXPECT_NONE(&f);
        ASSERT_UEQ(deadline(&f), USEC_INFINITY);

        /* The engine is still in working order. */
        press(&f, 1, KEY_POWER, SEC(20));
        advance(&f, SEC(23));
        EXPECT(&f, START("power", SEC(20), DEV(1)), PROGRESS("power", SEC(21), SEC(1)),
               PROGRESS("power", SEC(22), SEC(2)),
               TRIGGERED("power", SEC(23), SEC(3), DEV(1)));
}

TEST(many_devices_hold_the_key) {
        _cleanup_(fixture_done) Fixture f = {};
        add_hold(&f, "power", SEC(3), 0, KEYS(KEY_POWER));
        start(&f);

        /* More holders than the pressed array's first allocation. */
        for (uint64_t d = 1; d <= 40; d++)
                press(&f, d, KEY_POWER, MS(d));
        EXPECT(&f, START("power", MS(1), DEV(1)));
        for (uint64_t d = 1; d < 40; d++)
                gesture_engine_device_gone(f.engine, d, MS(100));
        EXPECT_NONE(&f);
        ASSERT_TRUE(gesture_engine_key_held(f.engine, "seat0", KEY_POWER));
        release(&f, 40, KEY_POWER, SEC(1));
        EXPECT(&f, CANCEL("power", SEC(1), SEC(1) - MS(1), RELEASED));
}

TEST_MAIN
