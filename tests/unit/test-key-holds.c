/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/input.h>
#include <string.h>

#include "key-holds.h"
#include "macro.h"
#include "tests.h"

#define MS(x) ((usec_t) (x) * USEC_PER_MSEC)

static KeyHolds table(const char *driver, const char *phys, const char *name, unsigned bustype, unsigned code,
                      const char **reason) {
        DeviceFacts f = { .driver = driver, .phys = phys, .name = name, .bustype = bustype };
        return key_holds_from_driver(&f, code, reason);
}

/* --- the driver table ------------------------------------------------------- */

TEST(acpi_power_button_is_press_only) {
        const char *reason;
        /* As drivers/acpi/button.c registers it. */
        ASSERT_EQ(table("button", "LNXPWRBN/button/input0", "Power Button", BUS_HOST, KEY_POWER, &reason),
                  KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "ACPI button: press and release arrive together");
        ASSERT_EQ(table("button", "PNP0C0E/button/input0", "Sleep Button", BUS_HOST, KEY_SLEEP, &reason), KEY_HOLDS_NO);
        /* The driver link unreadable: the phys still tells. */
        ASSERT_EQ(table(NULL, "PNP0C0C/button/input0", "Power Button", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "ACPI button: press and release arrive together");
        /* A name alone proves nothing (any uinput program may choose it). */
        ASSERT_EQ(table(NULL, "", "Power Button", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_UNKNOWN);
        ASSERT_TRUE(reason == NULL);
}

TEST(intel_vbtn_autoreleased_keys_only) {
        const char *reason;
        ASSERT_EQ(table("intel-vbtn", "", "Intel Virtual Buttons", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "Intel virtual button: press and release arrive together");
        ASSERT_EQ(table("intel-vbtn", "", "Intel Virtual Buttons", BUS_HOST, KEY_VOLUMEDOWN, NULL), KEY_HOLDS_NO);
        /* Its keymap has a real release for the Windows key. */
        ASSERT_EQ(table("intel-vbtn", "", "Intel Virtual Buttons", BUS_HOST, KEY_LEFTMETA, &reason),
                  KEY_HOLDS_UNKNOWN);
        ASSERT_TRUE(reason == NULL);
}

TEST(intel_hid_array_but_not_its_events_device) {
        const char *reason;
        ASSERT_EQ(table("intel-hid", "", "Intel HID 5 button array", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "Intel HID button array: press and release arrive together");
        ASSERT_EQ(table("intel-hid", "", "Intel HID 5 button array", BUS_HOST, KEY_VOLUMEUP, NULL), KEY_HOLDS_NO);
        /* "Intel HID events" reports KEY_POWER both ways, by firmware. */
        ASSERT_EQ(table("intel-hid", "", "Intel HID events", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_UNKNOWN);
        ASSERT_TRUE(reason == NULL);
}

TEST(real_holds) {
        const char *reason;
        ASSERT_EQ(table("gpio-keys", "gpio-keys/input0", "gpio-keys", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "gpio-keys button");
        ASSERT_EQ(table("cros-ec-keyb", "", "cros_ec", BUS_HOST, KEY_POWER, &reason), KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "Chromebook keyboard");
        ASSERT_EQ(table("surfacepro3_button", "", "Surface Pro 3/4 Buttons", BUS_HOST, KEY_POWER, &reason),
                  KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "Surface button");
        ASSERT_EQ(table("atkbd", "isa0060/serio0/input0", "AT Translated Set 2 keyboard", BUS_I8042, KEY_POWER,
                        &reason),
                  KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "keyboard");
        /* Without the driver: the bus. */
        ASSERT_EQ(table(NULL, "isa0060/serio0/input0", "AT Translated Set 2 keyboard", BUS_I8042, KEY_POWER,
                        &reason),
                  KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "keyboard");
        ASSERT_EQ(table("hid-generic", "usb-0000:00:14.0-1/input0", "Logitech USB Keyboard", BUS_USB, KEY_POWER,
                        &reason),
                  KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "USB HID device");
}

TEST(unknown_devices) {
        const char *reason = "x";
        ASSERT_EQ(table(NULL, NULL, NULL, BUS_VIRTUAL, KEY_POWER, &reason), KEY_HOLDS_UNKNOWN);
        ASSERT_TRUE(reason == NULL);
        ASSERT_EQ(table("some-driver", "", "Thing", BUS_HOST, KEY_POWER, NULL), KEY_HOLDS_UNKNOWN);
}

/* --- learning ---------------------------------------------------------------- */

TEST(evidence_by_kernel_time) {
        /* Same stamp, and anything under 1 ms: together. */
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(5000), false), KEY_HOLDS_EVIDENCE_TOGETHER);
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(5000) + 999, false), KEY_HOLDS_EVIDENCE_TOGETHER);
        /* 1 ms and more: held, even when read together (a busy daemon). */
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(5001), true), KEY_HOLDS_EVIDENCE_HELD);
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(8000), true), KEY_HOLDS_EVIDENCE_HELD);
        /* Kernel time says together even when reads were apart. */
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(5000), false), KEY_HOLDS_EVIDENCE_TOGETHER);
}

TEST(evidence_by_read_without_usable_stamps) {
        /* No stamp, or a release stamped before its press. */
        ASSERT_EQ(key_holds_evidence(0, 0, true), KEY_HOLDS_EVIDENCE_TOGETHER);
        ASSERT_EQ(key_holds_evidence(0, 0, false), KEY_HOLDS_EVIDENCE_HELD);
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(4000), true), KEY_HOLDS_EVIDENCE_TOGETHER);
        ASSERT_EQ(key_holds_evidence(MS(5000), MS(4000), false), KEY_HOLDS_EVIDENCE_HELD);
}

TEST(learned_wins_over_table_latest_wins) {
        const char *reason;
        ASSERT_EQ(key_holds_combine(KEY_HOLDS_YES, "keyboard", KEY_HOLDS_UNKNOWN, &reason), KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "keyboard");
        ASSERT_EQ(key_holds_combine(KEY_HOLDS_YES, "keyboard", KEY_HOLDS_NO, &reason), KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "seen: press and release arrived together");
        ASSERT_EQ(key_holds_combine(KEY_HOLDS_UNKNOWN, NULL, KEY_HOLDS_YES, &reason), KEY_HOLDS_YES);
        ASSERT_STREQ(reason, "seen held");
        ASSERT_EQ(key_holds_combine(KEY_HOLDS_UNKNOWN, "ignored", KEY_HOLDS_UNKNOWN, &reason), KEY_HOLDS_UNKNOWN);
        ASSERT_TRUE(reason == NULL);
        ASSERT_EQ(key_holds_from_evidence(KEY_HOLDS_EVIDENCE_NONE, &reason), KEY_HOLDS_UNKNOWN);
        ASSERT_TRUE(reason == NULL);
}

/* A driver that releases its key at the press cannot report a hold, whatever
 * the clock said: under a loaded VM (TCG) the ACPI button's press and
 * release were once stamped more than 1 ms apart and "seen held" turned a
 * press-only button into one that could fire a hold trigger. */
TEST(press_only_driver_wins_over_seen_held) {
        const char *reason;
        ASSERT_EQ(key_holds_combine(KEY_HOLDS_NO, "ACPI button: press and release arrive together", KEY_HOLDS_YES,
                                    &reason),
                  KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "ACPI button: press and release arrive together");
        /* What was seen agrees: the observation is the reason. */
        ASSERT_EQ(key_holds_combine(KEY_HOLDS_NO, "ACPI button: press and release arrive together", KEY_HOLDS_NO,
                                    &reason),
                  KEY_HOLDS_NO);
        ASSERT_STREQ(reason, "seen: press and release arrived together");
}

/* --- identity and the file ---------------------------------------------------- */

TEST(identity_escapes_any_bytes) {
        _cleanup_free_ char *id = NULL, *e = NULL;

        ASSERT_EQ(key_holds_identity(0x19, 0, 1, 0, "acpi-LNXPWRBN:00", "Power Button", &id), 0);
        ASSERT_STREQ(id, "0019:0000:0001:0000 acpi-LNXPWRBN:00 Power\\x20Button");
        free(id);
        ASSERT_EQ(key_holds_identity(0x10003, 0x46d, 0xc31c, 0x110, NULL, "Bad \xff\\ \n-", &id), 0);
        ASSERT_STREQ(id, "0003:046d:c31c:0110 - Bad\\x20\\xff\\x5c\\x20\\x0a-");
        ASSERT_EQ(key_holds_escape("-", &e), 0);
        ASSERT_STREQ(e, "\\x2d");
}

TEST(store_set_get_latest_last) {
        _cleanup_(key_holds_store_done) KeyHoldsStore s = {};
        const char *a = "0019:0000:0001:0000 acpi-LNXPWRBN:00 Power\\x20Button";
        const char *b = "0011:0001:0001:ab41 platform-i8042-serio-0 AT\\x20Translated\\x20Set\\x202\\x20keyboard";

        ASSERT_EQ(key_holds_store_get(&s, a, KEY_POWER), KEY_HOLDS_UNKNOWN);
        ASSERT_EQ(key_holds_store_set(&s, a, KEY_POWER, KEY_HOLDS_NO), 1);
        ASSERT_EQ(key_holds_store_set(&s, b, KEY_POWER, KEY_HOLDS_YES), 1);
        ASSERT_EQ(key_holds_store_set(&s, a, KEY_POWER, KEY_HOLDS_NO), 0);
        ASSERT_EQ(key_holds_store_get(&s, a, KEY_POWER), KEY_HOLDS_NO);
        ASSERT_EQ(key_holds_store_get(&s, a, KEY_SLEEP), KEY_HOLDS_UNKNOWN);
        /* A change moves the entry to the end. */
        ASSERT_EQ(key_holds_store_set(&s, a, KEY_POWER, KEY_HOLDS_YES), 1);
        ASSERT_EQ(s.n_entries, 2);
        ASSERT_STREQ(s.entries[1].identity, a);
        ASSERT_EQ(key_holds_store_get(&s, a, KEY_POWER), KEY_HOLDS_YES);
        /* Only yes and no are kept; identities must be one escaped word each. */
        ASSERT_EQ(key_holds_store_set(&s, a, KEY_POWER, KEY_HOLDS_UNKNOWN), -EINVAL);
        ASSERT_EQ(key_holds_store_set(&s, "0019:0000:0001:0000 a b c", KEY_POWER, KEY_HOLDS_NO), -EINVAL);
        ASSERT_EQ(key_holds_store_set(&s, "19:0:1:0 a b", KEY_POWER, KEY_HOLDS_NO), -EINVAL);
}

TEST(store_bounded_oldest_go) {
        _cleanup_(key_holds_store_done) KeyHoldsStore s = {};
        char id[64];

        for (unsigned i = 0; i < KEY_HOLDS_STORE_MAX + 10; i++) {
                snprintf(id, sizeof id, "0003:0000:%04x:0000 - Keyboard", i);
                ASSERT_EQ(key_holds_store_set(&s, id, KEY_POWER, KEY_HOLDS_YES), 1);
        }
        ASSERT_EQ(s.n_entries, KEY_HOLDS_STORE_MAX);
        ASSERT_EQ(key_holds_store_get(&s, "0003:0000:0009:0000 - Keyboard", KEY_POWER), KEY_HOLDS_UNKNOWN);
        ASSERT_EQ(key_holds_store_get(&s, "0003:0000:000a:0000 - Keyboard", KEY_POWER), KEY_HOLDS_YES);
}

TEST(store_round_trip) {
        _cleanup_(key_holds_store_done) KeyHoldsStore s = {}, t = {};
        _cleanup_free_ char *text = NULL, *again = NULL, *id = NULL, *error = NULL;

        ASSERT_EQ(key_holds_identity(0x19, 0, 1, 0, "acpi-LNXPWRBN:00", "Power \xff Button", &id), 0);
        ASSERT_EQ(key_holds_store_set(&s, id, KEY_POWER, KEY_HOLDS_NO), 1);
        ASSERT_EQ(key_holds_store_set(&s, "0003:046d:c31c:0110 pci-0000:00:14.0-usb-0:1:1.0 USB\\x20Keyboard",
                                      KEY_RESTART, KEY_HOLDS_YES),
                  1);
        ASSERT_EQ(key_holds_store_format(&s, &text), 0);
        ASSERT_STREQ(text,
                     "# hotkeyd key holds 1\n"
                     "# What hotkeyd saw keys do: \"no\" when press and release arrived together.\n"
                     "0019:0000:0001:0000 acpi-LNXPWRBN:00 Power\\x20\\xff\\x20Button KEY_POWER no\n"
                     "0003:046d:c31c:0110 pci-0000:00:14.0-usb-0:1:1.0 USB\\x20Keyboard KEY_RESTART yes\n");
        ASSERT_EQ(key_holds_store_parse(text, strlen(text), &t, &error), 0);
        ASSERT_TRUE(error == NULL);
        ASSERT_EQ(t.n_entries, 2);
        ASSERT_EQ(key_holds_store_get(&t, id, KEY_POWER), KEY_HOLDS_NO);
        ASSERT_EQ(key_holds_store_format(&t, &again), 0);
        ASSERT_STREQ(again, text);
}

static void assert_parse_fails(const char *text, size_t size, const char *want) {
        _cleanup_(key_holds_store_done) KeyHoldsStore s = {};
        _cleanup_free_ char *error = NULL;

        /* What the store held before stays. */
        ASSERT_EQ(key_holds_store_set(&s, "0019:0000:0001:0000 - Power\\x20Button", KEY_POWER, KEY_HOLDS_NO), 1);
        ASSERT_EQ(key_holds_store_parse(text, size, &s, &error), -EBADMSG);
        ASSERT_STREQ(error, want);
        ASSERT_EQ(s.n_entries, 1);
        ASSERT_EQ(key_holds_store_get(&s, "0019:0000:0001:0000 - Power\\x20Button", KEY_POWER), KEY_HOLDS_NO);
}

#define PARSE_FAILS(text, want) assert_parse_fails(text, strlen(text), want)
#define HEADER "# hotkeyd key holds 1\n"

TEST(parse_rejects_garbage) {
        PARSE_FAILS("", "line 1: empty, expected \"# hotkeyd key holds 1\"");
        PARSE_FAILS("\x7f" "ELF\x02\x01\x01", "line 1: not a hotkeyd key holds file (expected \"# hotkeyd key holds 1\")");
        PARSE_FAILS("# hotkeyd key holds 2\n", "line 1: not a hotkeyd key holds file (expected \"# hotkeyd key holds 1\")");
        PARSE_FAILS(HEADER "\n# fine\n0019:0000:0001:0000 - x KEY_POWER\n",
                    "line 4: 4 fields, expected 5 (device id, path, name, key, yes|no)");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - x KEY_POWER no extra\n", "line 2: more than 5 fields");
        PARSE_FAILS(HEADER "0019:0000:0001 - x KEY_POWER no\n", "line 2: bad device id \"0019:0000:0001\"");
        PARSE_FAILS(HEADER "0019:0000:0001:000G - x KEY_POWER no\n", "line 2: bad device id \"0019:0000:0001:000G\"");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - Power\\x2 KEY_POWER no\n",
                    "line 2: bad escaping in the device path or name");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - Power\\x00 KEY_POWER no\n",
                    "line 2: bad escaping in the device path or name");
        /* One spelling only: \x41 is "A". */
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - \\x41 KEY_POWER no\n", "line 2: bad escaping in the device path or name");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - -x KEY_POWER no\n", "line 2: bad escaping in the device path or name");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - x KEY_FOO no\n", "line 2: unknown key name \"KEY_FOO\"");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - x BTN_LEFT maybe\n", "line 2: \"maybe\" is neither yes nor no");
        PARSE_FAILS(HEADER "0019:0000:0001:0000 - x KEY_POWER unknown\n", "line 2: \"unknown\" is neither yes nor no");
        assert_parse_fails(HEADER "0019:0000:0001:0000 - x KEY_POWER no\n\0", strlen(HEADER) + 38,
                           "line 0: contains a NUL byte");
}

TEST(parse_accepts_comments_repeats_and_no_final_newline) {
        _cleanup_(key_holds_store_done) KeyHoldsStore s = {};
        _cleanup_free_ char *error = NULL;
        const char *text = HEADER "  # a comment\n\n0019:0000:0001:0000 - x KEY_POWER no\n"
                                  "0019:0000:0001:0000\t-  x KEY_POWER yes";

        ASSERT_EQ(key_holds_store_parse(text, strlen(text), &s, &error), 0);
        ASSERT_EQ(s.n_entries, 1);
        ASSERT_EQ(key_holds_store_get(&s, "0019:0000:0001:0000 - x", KEY_POWER), KEY_HOLDS_YES);
}

TEST(parse_rejects_too_many_entries) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        fputs(HEADER, f);
        for (unsigned i = 0; i <= KEY_HOLDS_STORE_MAX; i++)
                fprintf(f, "0003:0000:%04x:0000 - k KEY_POWER yes\n", i);
        ASSERT_EQ(fclose(f), 0);
        char want[64];
        snprintf(want, sizeof want, "line %d: more than %d entries", KEY_HOLDS_STORE_MAX + 2, KEY_HOLDS_STORE_MAX);
        assert_parse_fails(text, size, want);
}

TEST_MAIN
