/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/input-event-codes.h>

#include "gesture.h"
#include "macro.h"
#include "short-press.h"

#include "tests.h"

/* The tracker is driven the way the manager drives it: key events go to the
 * real gesture engine, and the seat-level edges (gesture_engine_key_held()
 * before and after) and completed triggers go to the tracker.  Everything
 * runs on a virtual clock; reported short presses are recorded. */

#define MS(x) ((usec_t) (x) * USEC_PER_MSEC)
#define SEC(x) ((usec_t) (x) * USEC_PER_SEC)

#define REPORTS_MAX 16

typedef struct Report {
        char seat[32];
        unsigned code;
        usec_t time;
} Report;

typedef struct Fixture {
        Config *config;
        GestureEngine *engine;
        ShortPress *tracker;
        unsigned n_triggers; /* completed */
        Report reports[REPORTS_MAX];
        size_t n_reports;
} Fixture;

static void on_short_press(const char *seat, unsigned code, usec_t time, void *userdata) {
        Fixture *f = userdata;

        ASSERT_TRUE(f->n_reports < REPORTS_MAX);
        f->reports[f->n_reports].code = code;
        f->reports[f->n_reports].time = time;
        snprintf(f->reports[f->n_reports].seat, sizeof f->reports[0].seat, "%s", seat);
        f->n_reports++;
}

static void on_gesture(const GestureEvent *e, void *userdata) {
        Fixture *f = userdata;

        if (e->type != GESTURE_TRIGGER)
                return;
        f->n_triggers++;
        short_press_trigger(f->tracker, e->seat, e->trigger, e->time);
}

static void setup(Fixture *f, const char *config_text) {
        *f = (Fixture) {};
        f->config = config_new();
        ASSERT_TRUE(f->config);
        ASSERT_EQ(config_parse_text(f->config, "test.conf", config_text, strlen(config_text), NULL, NULL), 0);
        ASSERT_EQ(gesture_engine_new(f->config, on_gesture, f, &f->engine), 0);
        ASSERT_EQ(short_press_new(f->config, on_short_press, f, &f->tracker), 0);
}

static void teardown(Fixture *f) {
        short_press_free(f->tracker);
        gesture_engine_free(f->engine);
        config_free(f->config);
}

static void advance(Fixture *f, usec_t t) {
        gesture_engine_advance(f->engine, t);
        short_press_advance(f->tracker, t);
}

static void key_full(Fixture *f, uint64_t device, const char *seat, unsigned code, int value, KeySource source,
                     usec_t t) {
        bool was_held = gesture_engine_key_held(f->engine, seat, code);

        gesture_engine_key(f->engine, device, "/dev/input/event0", seat, code, value, source, t);

        bool held = gesture_engine_key_held(f->engine, seat, code);
        if (held && !was_held)
                short_press_key_down(f->tracker, seat, code, t);
        else if (!held && was_held)
                short_press_key_up(f->tracker, seat, code, source == KEY_SOURCE_EVENT, t);
}

static void key(Fixture *f, unsigned code, int value, usec_t t) {
        key_full(f, 1, "seat0", code, value, KEY_SOURCE_EVENT, t);
}

static void press(Fixture *f, unsigned code, usec_t down, usec_t up) {
        key(f, code, 1, down);
        key(f, code, 0, up);
}

static void assert_report(const Fixture *f, size_t i, const char *seat, unsigned code, usec_t time) {
        ASSERT_TRUE(i < f->n_reports);
        ASSERT_STREQ(f->reports[i].seat, seat);
        ASSERT_EQ(f->reports[i].code, code);
        ASSERT_UEQ(f->reports[i].time, time);
}

#define HOLD_POWER "[Trigger]\nName=power\nKeys=KEY_POWER\nHoldSec=3\n"
#define PRESSES_POWER "[Trigger]\nName=presses\nKeys=KEY_POWER\nPresses=3\nWithinSec=2\n"

TEST(logind_key_table) {
        ASSERT_EQ(logind_key_from_code(KEY_POWER), LOGIND_KEY_POWER);
        ASSERT_EQ(logind_key_from_code(KEY_POWER2), LOGIND_KEY_POWER);
        ASSERT_EQ(logind_key_from_code(KEY_RESTART), LOGIND_KEY_REBOOT);
        ASSERT_EQ(logind_key_from_code(KEY_SLEEP), LOGIND_KEY_SUSPEND);
        ASSERT_EQ(logind_key_from_code(KEY_SUSPEND), LOGIND_KEY_HIBERNATE);
        ASSERT_EQ(logind_key_from_code(KEY_VOLUMEDOWN), _LOGIND_KEY_INVALID);
        ASSERT_STREQ(logind_key_inhibit_what_to_string(LOGIND_KEY_POWER), "handle-power-key");
        ASSERT_STREQ(logind_key_inhibit_what_to_string(LOGIND_KEY_HIBERNATE), "handle-hibernate-key");
        ASSERT_STREQ(logind_key_setting_to_string(LOGIND_KEY_REBOOT), "HandleRebootKey");
        ASSERT_STREQ(logind_key_setting_to_string(LOGIND_KEY_SUSPEND), "HandleSuspendKey");
        ASSERT_TRUE(logind_key_setting_to_string(_LOGIND_KEY_MAX) == NULL);
        ASSERT_STREQ(logind_key_ignore_inhibited_to_string(LOGIND_KEY_POWER), "PowerKeyIgnoreInhibited");
        ASSERT_STREQ(logind_key_ignore_inhibited_to_string(LOGIND_KEY_REBOOT), "RebootKeyIgnoreInhibited");
        ASSERT_TRUE(logind_key_ignore_inhibited_to_string(_LOGIND_KEY_MAX) == NULL);
}

TEST(release_before_hold_completes_is_short_press_on_release) {
        Fixture f;
        setup(&f, HOLD_POWER);
        press(&f, KEY_POWER, MS(100), MS(400));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(400));
        ASSERT_UEQ(short_press_next_deadline(f.tracker), USEC_INFINITY);
        teardown(&f);
}

TEST(completed_hold_is_no_short_press) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key(&f, KEY_POWER, 1, MS(100));
        advance(&f, MS(3100));
        ASSERT_EQ(f.n_triggers, 1U);
        key(&f, KEY_POWER, 0, SEC(5));
        ASSERT_EQ(f.n_reports, 0U);
        /* The next press is a fresh one. */
        press(&f, KEY_POWER, SEC(6), MS(6200));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(release_at_exactly_hold_sec_completes_and_is_no_short_press) {
        Fixture f;
        setup(&f, HOLD_POWER);
        /* No timer ran: the engine fires the due hold before the release. */
        press(&f, KEY_POWER, SEC(1), SEC(4));
        ASSERT_EQ(f.n_triggers, 1U);
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(release_one_microsecond_early_is_short_press) {
        Fixture f;
        setup(&f, HOLD_POWER);
        press(&f, KEY_POWER, SEC(1), SEC(4) - 1);
        ASSERT_EQ(f.n_triggers, 0U);
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(keys_without_logind_meaning_are_never_reported) {
        Fixture f;
        setup(&f, "[Trigger]\nName=t\nKeys=KEY_VOLUMEUP\nHoldSec=3\n");
        press(&f, KEY_VOLUMEUP, MS(100), MS(400));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(every_logind_key_is_tracked) {
        Fixture f;
        setup(&f, "[Trigger]\nName=t\nKeys=KEY_POWER2 KEY_RESTART KEY_SLEEP KEY_SUSPEND\nHoldSec=3\n");
        press(&f, KEY_POWER2, MS(100), MS(200));
        press(&f, KEY_RESTART, MS(300), MS(400));
        press(&f, KEY_SLEEP, MS(500), MS(600));
        press(&f, KEY_SUSPEND, MS(700), MS(800));
        ASSERT_EQ(f.n_reports, 4U);
        assert_report(&f, 0, "seat0", KEY_POWER2, MS(200));
        assert_report(&f, 1, "seat0", KEY_RESTART, MS(400));
        assert_report(&f, 2, "seat0", KEY_SLEEP, MS(600));
        assert_report(&f, 3, "seat0", KEY_SUSPEND, MS(800));
        teardown(&f);
}

#define CHORD "[Trigger]\nName=tablet\nKeys=KEY_POWER KEY_VOLUMEDOWN\nHoldSec=2\n"

TEST(chord_power_released_before_completion_is_short_press_of_power) {
        Fixture f;
        setup(&f, CHORD);
        key(&f, KEY_VOLUMEDOWN, 1, MS(100));
        key(&f, KEY_POWER, 1, MS(300));
        key(&f, KEY_POWER, 0, MS(900));
        key(&f, KEY_VOLUMEDOWN, 0, MS(1000));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(900));
        teardown(&f);
}

TEST(chord_volumedown_released_first_then_power_is_short_press_of_power) {
        Fixture f;
        setup(&f, CHORD);
        key(&f, KEY_POWER, 1, MS(100));
        key(&f, KEY_VOLUMEDOWN, 1, MS(300));
        key(&f, KEY_VOLUMEDOWN, 0, MS(900));
        ASSERT_EQ(f.n_reports, 0U);
        key(&f, KEY_POWER, 0, MS(1000));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(completed_chord_consumes_power) {
        Fixture f;
        setup(&f, CHORD);
        key(&f, KEY_VOLUMEDOWN, 1, MS(100));
        key(&f, KEY_POWER, 1, MS(300));
        advance(&f, MS(2300));
        ASSERT_EQ(f.n_triggers, 1U);
        key(&f, KEY_POWER, 0, SEC(3));
        key(&f, KEY_VOLUMEDOWN, 0, SEC(3));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(trigger_without_the_key_does_not_consume_it) {
        Fixture f;
        setup(&f, HOLD_POWER "[Trigger]\nName=vol\nKeys=KEY_VOLUMEUP\nHoldSec=1\n");
        key(&f, KEY_POWER, 1, MS(100));
        key(&f, KEY_VOLUMEUP, 1, MS(200));
        advance(&f, MS(1200));
        ASSERT_EQ(f.n_triggers, 1U);
        key(&f, KEY_POWER, 0, MS(1500));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(two_devices_of_one_seat_count_once) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(100));
        key_full(&f, 2, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(200));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(300));
        ASSERT_EQ(f.n_reports, 0U); /* still held by device 2 */
        key_full(&f, 2, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(400));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(400));
        teardown(&f);
}

TEST(two_devices_of_one_seat_hold_completes_once_and_consumes) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(100));
        key_full(&f, 2, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(200));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(300));
        advance(&f, MS(3100));
        ASSERT_EQ(f.n_triggers, 1U);
        key_full(&f, 2, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, SEC(4));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(seats_are_independent) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(100));
        key_full(&f, 2, "seat1", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(200));
        advance(&f, MS(3100));
        ASSERT_EQ(f.n_triggers, 1U); /* seat0's hold; seat1's is due at 3.2 s */
        key_full(&f, 2, "seat1", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(3150));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(3300));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat1", KEY_POWER, MS(3150));
        teardown(&f);
}

TEST(seat_restricted_presses_trigger_defers_only_on_its_seat) {
        Fixture f;
        setup(&f, HOLD_POWER PRESSES_POWER "Seat=seat1\n");
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(100));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(200));
        ASSERT_EQ(f.n_reports, 1U);
        key_full(&f, 2, "seat1", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(300));
        key_full(&f, 2, "seat1", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(400));
        ASSERT_EQ(f.n_reports, 1U);
        ASSERT_UEQ(short_press_next_deadline(f.tracker), MS(2400) + 1);
        teardown(&f);
}

TEST(resync_release_is_no_short_press) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key(&f, KEY_POWER, 1, MS(100));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_RESYNC, MS(400));
        ASSERT_EQ(f.n_reports, 0U);
        press(&f, KEY_POWER, MS(500), MS(600));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

static bool engine_holds(unsigned code, void *userdata) {
        Fixture *f = userdata;
        return gesture_engine_key_held(f->engine, "seat0", code);
}

TEST(device_gone_is_no_short_press) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key(&f, KEY_POWER, 1, MS(100));
        gesture_engine_device_gone(f.engine, 1, MS(400));
        short_press_release_unheld(f.tracker, "seat0", engine_holds, &f, MS(400));
        ASSERT_EQ(f.n_reports, 0U);
        /* The key is up for the tracker: a release event that follows
         * (there is none for a gone device) could not report it either. */
        short_press_key_up(f.tracker, "seat0", KEY_POWER, true, MS(500));
        ASSERT_EQ(f.n_reports, 0U);
        press(&f, KEY_POWER, MS(600), MS(700));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(device_gone_while_another_device_holds_keeps_the_press) {
        Fixture f;
        setup(&f, HOLD_POWER);
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(100));
        key_full(&f, 2, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(200));
        gesture_engine_device_gone(f.engine, 1, MS(300));
        short_press_release_unheld(f.tracker, "seat0", engine_holds, &f, MS(300));
        key_full(&f, 2, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(400));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(400));
        teardown(&f);
}

TEST(presses_trigger_defers_single_press_by_within_sec) {
        Fixture f;
        setup(&f, HOLD_POWER PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(400));
        ASSERT_EQ(f.n_reports, 0U);
        ASSERT_UEQ(short_press_next_deadline(f.tracker), MS(2400) + 1);
        advance(&f, MS(2400));
        ASSERT_EQ(f.n_reports, 0U);
        advance(&f, MS(2400) + 1);
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(2400) + 1);
        ASSERT_UEQ(short_press_next_deadline(f.tracker), USEC_INFINITY);
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(presses_trigger_completed_reports_nothing) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        press(&f, KEY_POWER, MS(500), MS(600));
        press(&f, KEY_POWER, MS(900), MS(1000));
        ASSERT_EQ(f.n_triggers, 1U);
        ASSERT_UEQ(short_press_next_deadline(f.tracker), USEC_INFINITY);
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(two_presses_then_silence_report_once) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        press(&f, KEY_POWER, MS(1500), MS(1600));
        /* The second press kept the first one waiting, and restarted the wait. */
        advance(&f, MS(3000));
        ASSERT_EQ(f.n_reports, 0U);
        advance(&f, MS(3600) + 1);
        ASSERT_EQ(f.n_reports, 1U);
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(press_held_during_wait_keeps_waiting) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        key(&f, KEY_POWER, 1, MS(1000));
        ASSERT_UEQ(short_press_next_deadline(f.tracker), USEC_INFINITY);
        advance(&f, SEC(8));
        ASSERT_EQ(f.n_reports, 0U);
        key(&f, KEY_POWER, 0, SEC(9));
        ASSERT_UEQ(short_press_next_deadline(f.tracker), SEC(11) + 1);
        teardown(&f);
}

TEST(press_exactly_within_sec_after_release_still_waits) {
        Fixture f;
        setup(&f, "[Trigger]\nName=twice\nKeys=KEY_POWER\nPresses=2\nWithinSec=2\n");
        /* A press that lasted no time at all: the next press exactly
         * WithinSec later shares the engine's inclusive window with it. */
        press(&f, KEY_POWER, MS(100), MS(100));
        key(&f, KEY_POWER, 1, MS(2100));
        ASSERT_EQ(f.n_triggers, 1U);
        key(&f, KEY_POWER, 0, MS(2200));
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(press_after_the_wait_reports_the_earlier_run_first) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        /* No timer ran; the press comes after the wait ended. */
        key(&f, KEY_POWER, 1, MS(2200) + 1);
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(2200) + 1);
        key(&f, KEY_POWER, 0, MS(2300));
        ASSERT_EQ(f.n_reports, 1U);
        advance(&f, MS(4300) + 1);
        ASSERT_EQ(f.n_reports, 2U);
        teardown(&f);
}

TEST(hold_completing_during_wait_drops_it) {
        Fixture f;
        setup(&f, HOLD_POWER PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        key(&f, KEY_POWER, 1, MS(1000));
        advance(&f, SEC(4));
        ASSERT_EQ(f.n_triggers, 1U);
        key(&f, KEY_POWER, 0, SEC(5));
        ASSERT_UEQ(short_press_next_deadline(f.tracker), USEC_INFINITY);
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(largest_within_sec_of_the_key_applies) {
        Fixture f;
        setup(&f, PRESSES_POWER "[Trigger]\nName=slow\nKeys=KEY_POWER\nPresses=5\nWithinSec=4\n"
                  "[Trigger]\nName=other\nKeys=KEY_RESTART\nPresses=2\nWithinSec=9\n");
        press(&f, KEY_POWER, MS(100), MS(200));
        ASSERT_UEQ(short_press_next_deadline(f.tracker), MS(4200) + 1);
        teardown(&f);
}

TEST(resync_release_during_wait_keeps_the_earlier_press) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        key(&f, KEY_POWER, 1, MS(500));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_RESYNC, MS(700));
        /* That press counted for the engine, so the wait restarts. */
        ASSERT_UEQ(short_press_next_deadline(f.tracker), MS(2700) + 1);
        advance(&f, MS(2700) + 1);
        ASSERT_EQ(f.n_reports, 1U);
        teardown(&f);
}

TEST(resync_release_alone_never_waits) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        key(&f, KEY_POWER, 1, MS(100));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_RESYNC, MS(200));
        ASSERT_UEQ(short_press_next_deadline(f.tracker), USEC_INFINITY);
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(waits_on_two_seats_are_independent) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        key_full(&f, 1, "seat0", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(100));
        key_full(&f, 1, "seat0", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(200));
        key_full(&f, 2, "seat1", KEY_POWER, 1, KEY_SOURCE_EVENT, MS(1000));
        key_full(&f, 2, "seat1", KEY_POWER, 0, KEY_SOURCE_EVENT, MS(1100));
        advance(&f, MS(2200) + 1);
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(2200) + 1);
        advance(&f, MS(3100) + 1);
        ASSERT_EQ(f.n_reports, 2U);
        assert_report(&f, 1, "seat1", KEY_POWER, MS(3100) + 1);
        teardown(&f);
}

TEST(new_tracker_forgets_waiting_presses) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, MS(100), MS(200));
        /* What a reload does: the old tracker goes, unreported. */
        short_press_free(f.tracker);
        ASSERT_EQ(short_press_new(f.config, on_short_press, &f, &f.tracker), 0);
        advance(&f, SEC(10));
        ASSERT_EQ(f.n_reports, 0U);
        teardown(&f);
}

TEST(time_never_goes_back) {
        Fixture f;
        setup(&f, PRESSES_POWER);
        press(&f, KEY_POWER, SEC(5), SEC(6));
        advance(&f, SEC(1));
        ASSERT_EQ(f.n_reports, 0U);
        short_press_key_down(f.tracker, "seat0", KEY_RESTART, SEC(2));
        short_press_key_up(f.tracker, "seat0", KEY_RESTART, true, SEC(3));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_RESTART, SEC(6));
        teardown(&f);
}

TEST(null_seat_is_seat0) {
        Fixture f;
        setup(&f, HOLD_POWER);
        short_press_key_down(f.tracker, NULL, KEY_POWER, MS(100));
        short_press_key_up(f.tracker, "seat0", KEY_POWER, true, MS(200));
        ASSERT_EQ(f.n_reports, 1U);
        assert_report(&f, 0, "seat0", KEY_POWER, MS(200));
        teardown(&f);
}

TEST(release_without_press_is_ignored) {
        Fixture f;
        setup(&f, HOLD_POWER);
        short_press_key_up(f.tracker, "seat0", KEY_POWER, true, MS(200));
        ASSERT_EQ(f.n_reports, 0U);
        ASSERT_EQ(short_press_new(NULL, on_short_press, NULL, &(ShortPress *) { NULL }), -EINVAL);
        teardown(&f);
}

TEST_MAIN
