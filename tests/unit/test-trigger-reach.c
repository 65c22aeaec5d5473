/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/input.h>
#include <string.h>

#include "macro.h"
#include "tests.h"
#include "trigger-reach.h"

static Trigger hold(const char *name, unsigned k1, unsigned k2, const char *seat) {
        Trigger t = { .name = (char *) name, .kind = TRIGGER_HOLD, .hold_usec = 3 * USEC_PER_SEC,
                      .seat = (char *) seat };
        t.keys[t.n_keys++] = k1;
        if (k2)
                t.keys[t.n_keys++] = k2;
        return t;
}

static Trigger presses(const char *name, unsigned k, const char *seat) {
        Trigger t = { .name = (char *) name, .kind = TRIGGER_PRESSES, .presses = 5, .within_usec = 3 * USEC_PER_SEC,
                      .seat = (char *) seat };
        t.keys[t.n_keys++] = k;
        return t;
}

#define ACPI(seat) { "/dev/input/event2", "Power Button", seat, KEY_POWER, KEY_HOLDS_NO }
#define ATKBD(seat, code, holds) { "/dev/input/event3", "AT Translated Set 2 keyboard", seat, code, holds }

static void check(const TriggerReachList *l, size_t i, const char *trigger, const char *seat, bool can,
                  const char *reason) {
        ASSERT_TRUE(i < l->n_items);
        ASSERT_STREQ(l->items[i].trigger, trigger);
        ASSERT_STREQ(l->items[i].seat, seat);
        ASSERT_EQ(l->items[i].can_fire, can);
        ASSERT_STREQ(l->items[i].reason, reason);
}

TEST(press_only_button_cannot_hold_but_can_press) {
        Trigger t[] = { hold("power-key", KEY_POWER, 0, NULL), presses("power-presses", KEY_POWER, NULL) };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 2 };
        DeviceKey k[] = { ACPI("seat0") };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, ELEMENTSOF(k), &l), 0);
        ASSERT_EQ(l.n_items, 2);
        check(&l, 0, "power-key", "", false,
              "KEY_POWER is only on Power Button (/dev/input/event2), which cannot report a hold");
        check(&l, 1, "power-presses", "seat0", true, "KEY_POWER is on Power Button (/dev/input/event2)");
        ASSERT_TRUE(trigger_reach_unreachable(&l, "power-key") == &l.items[0]);
        ASSERT_TRUE(trigger_reach_unreachable(&l, "power-presses") == NULL);
}

TEST(a_keyboard_with_the_key_makes_the_hold_possible) {
        Trigger t[] = { hold("power-key", KEY_POWER, 0, NULL) };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 1 };
        DeviceKey k[] = { ACPI("seat0"), ATKBD("seat0", KEY_POWER, KEY_HOLDS_YES) };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, ELEMENTSOF(k), &l), 0);
        ASSERT_EQ(l.n_items, 1);
        /* The press-only one is named too: a person pressing it would
         * otherwise wonder why holding it does nothing. */
        check(&l, 0, "power-key", "seat0", true,
              "KEY_POWER can be held on AT Translated Set 2 keyboard (/dev/input/event3); "
              "not on Power Button (/dev/input/event2), which cannot report a hold");
}

TEST(unknown_counts_as_can_fire) {
        Trigger t[] = { hold("power-key", KEY_POWER, 0, NULL) };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 1 };
        DeviceKey k[] = { { "/dev/input/event5", "Intel HID events", "seat0", KEY_POWER, KEY_HOLDS_UNKNOWN } };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, ELEMENTSOF(k), &l), 0);
        check(&l, 0, "power-key", "seat0", true,
              "KEY_POWER on Intel HID events (/dev/input/event5) was not seen yet: whether it can be held is unknown");
}

TEST(no_device_at_all) {
        Trigger t[] = { hold("chord", KEY_POWER, KEY_VOLUMEDOWN, NULL), hold("seat1-only", KEY_RESTART, 0, "seat1") };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 2 };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, NULL, 0, &l), 0);
        ASSERT_EQ(l.n_items, 2);
        check(&l, 0, "chord", "", false, "no device has KEY_POWER or KEY_VOLUMEDOWN");
        check(&l, 1, "seat1-only", "", false, "no device on seat1 has KEY_RESTART");
}

TEST(chord_per_seat) {
        Trigger t[] = { hold("chord", KEY_POWER, KEY_VOLUMEDOWN, NULL) };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 1 };
        DeviceKey k[] = {
                ATKBD("seat1", KEY_POWER, KEY_HOLDS_YES),
                ATKBD("seat1", KEY_VOLUMEDOWN, KEY_HOLDS_UNKNOWN),
                ACPI("seat0"),
        };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, ELEMENTSOF(k), &l), 0);
        ASSERT_EQ(l.n_items, 2);
        /* Seats sorted; one that cannot still gets its entry and reason. */
        check(&l, 0, "chord", "seat0", false, "no device on seat0 has KEY_VOLUMEDOWN");
        check(&l, 1, "chord", "seat1", true,
              "KEY_POWER can be held on AT Translated Set 2 keyboard (/dev/input/event3); "
              "KEY_VOLUMEDOWN on AT Translated Set 2 keyboard (/dev/input/event3) was not seen yet: "
              "whether it can be held is unknown");
}

TEST(nowhere_on_several_seats_names_each) {
        Trigger t[] = { hold("power-key", KEY_POWER, 0, NULL) };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 1 };
        DeviceKey k[] = {
                ACPI("seat0"),
                { "/dev/input/event7", "Intel HID 5 button array", "seat0", KEY_POWER, KEY_HOLDS_NO },
                ATKBD("seat1", KEY_VOLUMEUP, KEY_HOLDS_YES),
        };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, ELEMENTSOF(k), &l), 0);
        ASSERT_EQ(l.n_items, 1);
        check(&l, 0, "power-key", "", false,
              "seat0: KEY_POWER is only on Power Button (/dev/input/event2) and Intel HID 5 button array "
              "(/dev/input/event7), which cannot report a hold; seat1: no device on seat1 has KEY_POWER");
}

TEST(seat_setting_limits_the_seats) {
        Trigger t[] = { presses("presses", KEY_POWER, "seat1") };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 1 };
        DeviceKey k[] = { ACPI("seat0"), ATKBD("seat1", KEY_POWER, KEY_HOLDS_NO) };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, ELEMENTSOF(k), &l), 0);
        ASSERT_EQ(l.n_items, 1);
        check(&l, 0, "presses", "seat1", true, "KEY_POWER is on AT Translated Set 2 keyboard (/dev/input/event3)");
}

TEST(mode_off) {
        Trigger t[] = { hold("power-key", KEY_POWER, 0, NULL) };
        Config c = { .mode = DAEMON_MODE_OFF, .triggers = t, .n_triggers = 1 };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, NULL, 0, &l), 0);
        check(&l, 0, "power-key", "", false, "Mode=off: hotkeyd watches no key");
}

TEST(recompute_replaces) {
        Trigger t[] = { hold("power-key", KEY_POWER, 0, NULL) };
        Config c = { .mode = DAEMON_MODE_DESKTOP, .triggers = t, .n_triggers = 1 };
        DeviceKey k[] = { ACPI("seat0") };
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};

        ASSERT_EQ(trigger_reach_compute(&c, k, 1, &l), 0);
        ASSERT_EQ(l.items[0].can_fire, false);
        k[0].holds = KEY_HOLDS_YES;
        ASSERT_EQ(trigger_reach_compute(&c, k, 1, &l), 0);
        ASSERT_EQ(l.n_items, 1);
        check(&l, 0, "power-key", "seat0", true, "KEY_POWER can be held on Power Button (/dev/input/event2)");
}

TEST_MAIN
