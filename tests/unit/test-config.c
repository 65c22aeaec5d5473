/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libevdev/libevdev.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "build-config.h"
#include "config-load.h"
#include "config.h"
#include "keys.h"
#include "tests.h"

/* ---- helpers ---------------------------------------------------------- */

/* Parses text as "test.conf" into c, expects the return value r. */
static void parse_into(Config *c, const char *file, const char *text, int expected, Errors *e) {
        int r = config_parse_text(c, file, text, strlen(text), errors_collect, e);
        if (r != expected) {
                errors_dump(e);
                FAIL("config_parse_text(%s) = %d, expected %d", file, r, expected);
        }
}

static Config *parse(const char *text, int expected, Errors *e) {
        Config *c = config_new();
        ASSERT_TRUE(c);
        parse_into(c, "test.conf", text, expected, e);
        return c;
}

static Config *parse_valid(const char *text) {
        Errors e = {};
        Config *c = parse(text, 0, &e);
        if (e.n != 0) {
                errors_dump(&e);
                FAIL("a valid file reported %zu problems", e.n);
        }
        return c;
}

/* Asserts that exactly n problems were reported. */
static void assert_n_errors(const Errors *e, size_t n) {
        if (e->n != n) {
                errors_dump(e);
                FAIL("%zu problems reported, expected %zu", e->n, n);
        }
}

/* Asserts that problem i starts with "FILE:LINE: " (prefix) and mentions every
 * needle. */
static void assert_error_v(const Errors *e, size_t i, const char *prefix, va_list ap) {
        if (i >= e->n || i >= ERRORS_MAX) {
                errors_dump(e);
                FAIL("no problem #%zu reported", i);
        }
        if (strncmp(e->text[i], prefix, strlen(prefix)) != 0) {
                errors_dump(e);
                FAIL("problem #%zu \"%s\" does not start with \"%s\"", i, e->text[i], prefix);
        }
        for (const char *needle; (needle = va_arg(ap, const char *));)
                if (!strstr(e->text[i], needle)) {
                        errors_dump(e);
                        FAIL("problem #%zu \"%s\" does not mention \"%s\"", i, e->text[i], needle);
                }
}

static void assert_error(const Errors *e, size_t i, const char *prefix, ...) {
        va_list ap;

        va_start(ap, prefix);
        assert_error_v(e, i, prefix, ap);
        va_end(ap);
}
#define ASSERT_ERROR(e, i, prefix, ...) assert_error(e, i, prefix, ##__VA_ARGS__, NULL)

/* Parses text that must fail with exactly one problem, reported at
 * test.conf:LINE and mentioning the needles. */
static Config *parse_one_error(const char *text, unsigned line, ...) {
        Errors e = {};
        char prefix[64];
        va_list ap;

        Config *c = parse(text, -EINVAL, &e);
        assert_n_errors(&e, 1);
        snprintf(prefix, sizeof prefix, "test.conf:%u: ", line);
        va_start(ap, line);
        assert_error_v(&e, 0, prefix, ap);
        va_end(ap);
        return c;
}
#define PARSE_ONE_ERROR(text, line, ...) parse_one_error(text, line, ##__VA_ARGS__, NULL)

static void assert_keys(const Trigger *t, size_t n, ...) {
        va_list ap;

        ASSERT_UEQ(t->n_keys, n);
        va_start(ap, n);
        for (size_t i = 0; i < n; i++)
                ASSERT_UEQ(t->keys[i], va_arg(ap, unsigned));
        va_end(ap);
}

/* ---- valid files -------------------------------------------------------- */

TEST(empty_text_gives_defaults) {
        _cleanup_(config_freep) Config *c = parse_valid("");

        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
        ASSERT_UEQ(c->armed_timeout_usec, CONFIG_DEFAULT_ARMED_TIMEOUT_USEC);
        ASSERT_UEQ(c->n_triggers, 0);
        ASSERT_TRUE(c->triggers == NULL);
}

TEST(null_text_with_zero_size) {
        _cleanup_(config_freep) Config *c = config_new();
        ASSERT_EQ(config_parse_text(c, "x.conf", NULL, 0, NULL, NULL), 0);
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(config_free_null) {
        ASSERT_TRUE(config_free(NULL) == NULL);
}

TEST(comments_and_blank_lines) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "# a comment\n"
                "; another comment\n"
                "\n"
                "   \n"
                "  # indented comment\n"
                "[Daemon]\n"
                "# Mode=kiosk\n"
                "; Mode=off\n"
                "Mode=desktop\n");
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
}

TEST(laptop_long_press) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Daemon]\n"
                "Mode=desktop\n"
                "\n"
                "[Trigger]\n"
                "Name=power-long-press\n"
                "Keys=KEY_POWER\n"
                "HoldSec=3\n");

        ASSERT_UEQ(c->n_triggers, 1);
        const Trigger *t = &c->triggers[0];
        ASSERT_STREQ(t->name, "power-long-press");
        ASSERT_EQ(t->kind, TRIGGER_HOLD);
        assert_keys(t, 1, KEY_POWER);
        ASSERT_UEQ(t->hold_usec, 3 * USEC_PER_SEC);
        ASSERT_UEQ(t->progress_usec, CONFIG_DEFAULT_PROGRESS_USEC);
        ASSERT_TRUE(t->seat == NULL);
        ASSERT_STREQ(t->file, "test.conf");
        ASSERT_UEQ(t->line, 4);
}

TEST(chord_trigger) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\n"
                "Name=tablet\n"
                "Keys=KEY_POWER KEY_VOLUMEDOWN\n"
                "HoldSec=1500ms\n");

        ASSERT_UEQ(c->n_triggers, 1);
        assert_keys(&c->triggers[0], 2, KEY_POWER, KEY_VOLUMEDOWN);
        ASSERT_UEQ(c->triggers[0].hold_usec, 1500 * USEC_PER_MSEC);
}

TEST(chord_of_four_keys) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\n"
                "Name=four\n"
                "Keys=KEY_LEFTCTRL   KEY_LEFTALT\tKEY_LEFTSHIFT KEY_R\n"
                "HoldSec=2\n");

        assert_keys(&c->triggers[0], 4, KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFTSHIFT, KEY_R);
}

TEST(kiosk_mode) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Daemon]\n"
                "Mode=kiosk\n"
                "ArmedTimeoutSec=1min\n"
                "\n"
                "[Trigger]\n"
                "Name=maintenance\n"
                "Keys=KEY_RESTART\n"
                "HoldSec=10s\n"
                "Seat=seat0\n");

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
        ASSERT_UEQ(c->armed_timeout_usec, 60 * USEC_PER_SEC);
        ASSERT_UEQ(c->n_triggers, 1);
        ASSERT_STREQ(c->triggers[0].seat, "seat0");
        ASSERT_UEQ(c->triggers[0].hold_usec, 10 * USEC_PER_SEC);
}

TEST(multi_press_accessibility) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\n"
                "Name=power-presses\n"
                "Keys=KEY_POWER\n"
                "Presses=5\n"
                "WithinSec=3s\n");

        const Trigger *t = &c->triggers[0];
        ASSERT_EQ(t->kind, TRIGGER_PRESSES);
        ASSERT_UEQ(t->presses, 5);
        ASSERT_UEQ(t->within_usec, 3 * USEC_PER_SEC);
        ASSERT_UEQ(t->hold_usec, 0);
}

TEST(presses_range_limits) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=a\nKeys=KEY_A\nPresses=2\nWithinSec=60s\n"
                "[Trigger]\nName=b\nKeys=KEY_B\nPresses=10\nWithinSec=1ms\n");

        ASSERT_UEQ(c->triggers[0].presses, 2);
        ASSERT_UEQ(c->triggers[0].within_usec, 60 * USEC_PER_SEC);
        ASSERT_UEQ(c->triggers[1].presses, 10);
        ASSERT_UEQ(c->triggers[1].within_usec, USEC_PER_MSEC);
}

TEST(hold_range_limits) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=a\nKeys=KEY_A\nHoldSec=60s\n"
                "[Trigger]\nName=b\nKeys=KEY_B\nHoldSec=1us\n");

        ASSERT_UEQ(c->triggers[0].hold_usec, 60 * USEC_PER_SEC);
        ASSERT_UEQ(c->triggers[1].hold_usec, 1);
}

TEST(several_triggers_keep_file_order) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=one\nKeys=KEY_POWER\nHoldSec=3\n"
                "[Daemon]\nMode=kiosk\n"
                "[Trigger]\nName=two\nKeys=KEY_RESTART\nHoldSec=5\n"
                "[Trigger]\nName=three\nKeys=KEY_POWER\nPresses=3\nWithinSec=2\n");

        ASSERT_UEQ(c->n_triggers, 3);
        ASSERT_STREQ(c->triggers[0].name, "one");
        ASSERT_STREQ(c->triggers[1].name, "two");
        ASSERT_STREQ(c->triggers[2].name, "three");
        ASSERT_UEQ(c->triggers[0].line, 1);
        ASSERT_UEQ(c->triggers[1].line, 7);
        ASSERT_UEQ(c->triggers[2].line, 11);
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(whitespace_is_trimmed) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "  [Trigger]  \n"
                "  Name   =   spaced  \n"
                "\tKeys\t=\t KEY_POWER  KEY_VOLUMEUP \t\n"
                "HoldSec = 2.5 s \n");

        ASSERT_STREQ(c->triggers[0].name, "spaced");
        assert_keys(&c->triggers[0], 2, KEY_POWER, KEY_VOLUMEUP);
        ASSERT_UEQ(c->triggers[0].hold_usec, 2500 * USEC_PER_MSEC);
}

TEST(later_assignment_overrides) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Daemon]\n"
                "Mode=kiosk\n"
                "Mode=off\n"
                "[Trigger]\n"
                "Name=first\n"
                "Name=second\n"
                "Keys=KEY_A KEY_B\n"
                "Keys=KEY_POWER\n"
                "HoldSec=3\n"
                "HoldSec=4\n");

        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
        ASSERT_STREQ(c->triggers[0].name, "second");
        assert_keys(&c->triggers[0], 1, KEY_POWER);
        ASSERT_UEQ(c->triggers[0].hold_usec, 4 * USEC_PER_SEC);
}

TEST(empty_value_resets_daemon_settings) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Daemon]\n"
                "Mode=kiosk\n"
                "ArmedTimeoutSec=2min\n"
                "Mode=\n"
                "ArmedTimeoutSec=\n");

        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
        ASSERT_UEQ(c->armed_timeout_usec, CONFIG_DEFAULT_ARMED_TIMEOUT_USEC);
}

TEST(empty_value_resets_trigger_settings) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\n"
                "Name=t\n"
                "Keys=KEY_POWER\n"
                "HoldSec=3\n"
                "ProgressSec=250ms\n"
                "ProgressSec=\n"
                "Seat=seat1\n"
                "Seat=\n");

        ASSERT_UEQ(c->triggers[0].progress_usec, CONFIG_DEFAULT_PROGRESS_USEC);
        ASSERT_TRUE(c->triggers[0].seat == NULL);
}

TEST(empty_value_switches_trigger_kind) {
        /* Resetting HoldSec= leaves room for the multi-press kind. */
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\n"
                "Name=t\n"
                "Keys=KEY_POWER\n"
                "HoldSec=3\n"
                "HoldSec=\n"
                "Presses=3\n"
                "WithinSec=2\n");

        ASSERT_EQ(c->triggers[0].kind, TRIGGER_PRESSES);
        ASSERT_UEQ(c->triggers[0].hold_usec, 0);
}

TEST(progress_explicit) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nProgressSec=250ms\n");

        ASSERT_UEQ(c->triggers[0].progress_usec, 250 * USEC_PER_MSEC);
}

TEST(seat_names) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=a\nKeys=KEY_A\nHoldSec=3\nSeat=seat0\n"
                "[Trigger]\nName=b\nKeys=KEY_B\nHoldSec=3\nSeat=seat-kiosk_2\n");

        ASSERT_STREQ(c->triggers[0].seat, "seat0");
        ASSERT_STREQ(c->triggers[1].seat, "seat-kiosk_2");
}

TEST(trigger_name_characters) {
        char text[256];

        /* 64 characters: the longest name allowed. */
        snprintf(text, sizeof text, "[Trigger]\nName=%s\nKeys=KEY_A\nHoldSec=1\n",
                 "a.b-c_D9" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        _cleanup_(config_freep) Config *c = parse_valid(text);

        ASSERT_UEQ(strlen(c->triggers[0].name), TRIGGER_NAME_MAX);
}

TEST(button_keys_accepted) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=mouse\nKeys=BTN_LEFT BTN_RIGHT\nHoldSec=3\n");

        assert_keys(&c->triggers[0], 2, BTN_LEFT, BTN_RIGHT);
}

TEST(crlf_line_endings) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Daemon]\r\nMode=kiosk\r\n[Trigger]\r\nName=t\r\nKeys=KEY_POWER\r\nHoldSec=3\r\n");

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
        ASSERT_STREQ(c->triggers[0].name, "t");
}

TEST(byte_order_mark_skipped) {
        _cleanup_(config_freep) Config *c = parse_valid("\xef\xbb\xbf[Daemon]\nMode=off\n");

        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
}

TEST(no_trailing_newline) {
        _cleanup_(config_freep) Config *c = parse_valid("[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3");

        ASSERT_UEQ(c->triggers[0].hold_usec, 3 * USEC_PER_SEC);
}

TEST(text_need_not_be_nul_terminated) {
        static const char text[] = "[Daemon]\nMode=kiosk\nMode=offXXXX";
        _cleanup_(config_freep) Config *c = config_new();

        /* Only "[Daemon]\nMode=kiosk\nMode=off" is given. */
        ASSERT_EQ(config_parse_text(c, "x.conf", text, strlen(text) - 4, NULL, NULL), 0);
        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
}

TEST(utf8_in_comments_is_fine) {
        _cleanup_(config_freep) Config *c = parse_valid("# Zurücksetzen — ok ✓ 😀\n[Daemon]\nMode=kiosk\n");

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(mode_strings) {
        ASSERT_STREQ(daemon_mode_to_string(DAEMON_MODE_DESKTOP), "desktop");
        ASSERT_STREQ(daemon_mode_to_string(DAEMON_MODE_KIOSK), "kiosk");
        ASSERT_STREQ(daemon_mode_to_string(DAEMON_MODE_OFF), "off");
        ASSERT_TRUE(daemon_mode_to_string(_DAEMON_MODE_MAX) == NULL);
        ASSERT_TRUE(daemon_mode_to_string(_DAEMON_MODE_INVALID) == NULL);
        ASSERT_EQ(daemon_mode_from_string("desktop"), DAEMON_MODE_DESKTOP);
        ASSERT_EQ(daemon_mode_from_string("kiosk"), DAEMON_MODE_KIOSK);
        ASSERT_EQ(daemon_mode_from_string("off"), DAEMON_MODE_OFF);
        ASSERT_EQ(daemon_mode_from_string("Kiosk"), _DAEMON_MODE_INVALID);
        ASSERT_EQ(daemon_mode_from_string(""), _DAEMON_MODE_INVALID);
        ASSERT_EQ(daemon_mode_from_string(NULL), _DAEMON_MODE_INVALID);
}

TEST(key_names) {
        ASSERT_EQ(key_from_name("KEY_POWER"), KEY_POWER);
        ASSERT_EQ(key_from_name("KEY_VOLUMEDOWN"), KEY_VOLUMEDOWN);
        ASSERT_EQ(key_from_name("KEY_RESTART"), KEY_RESTART);
        ASSERT_EQ(key_from_name("BTN_LEFT"), BTN_LEFT);
        ASSERT_EQ(key_from_name("key_power"), -EINVAL);
        ASSERT_EQ(key_from_name("Key_Power"), -EINVAL);
        ASSERT_EQ(key_from_name("POWER"), -EINVAL);
        ASSERT_EQ(key_from_name("KEY_"), -EINVAL);
        ASSERT_EQ(key_from_name("KEY_POWERX"), -EINVAL);
        ASSERT_EQ(key_from_name(" KEY_POWER"), -EINVAL);
        ASSERT_EQ(key_from_name("KEY_RESERVED"), -EINVAL);
        ASSERT_EQ(key_from_name("ABS_X"), -EINVAL);
        ASSERT_EQ(key_from_name("REL_X"), -EINVAL);
        ASSERT_EQ(key_from_name("SW_LID"), -EINVAL);
        ASSERT_EQ(key_from_name("116"), -EINVAL);
        ASSERT_EQ(key_from_name(""), -EINVAL);
        ASSERT_EQ(key_from_name(NULL), -EINVAL);
}

TEST(key_names_roundtrip) {
        ASSERT_STREQ(key_to_name(KEY_POWER), "KEY_POWER");
        ASSERT_STREQ(key_to_name(BTN_LEFT), "BTN_LEFT");
        ASSERT_TRUE(key_to_name(KEY_RESERVED) == NULL);
        ASSERT_TRUE(key_to_name(KEY_MAX + 1) == NULL);
        ASSERT_TRUE(key_to_name(100000) == NULL);
        for (unsigned code = 1; code <= KEY_MAX; code++) {
                const char *name = key_to_name(code);
                if (name)
                        ASSERT_EQ(key_from_name(name), (int) code);
        }
}

TEST(uses_key_and_trigger_keys) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=a\nKeys=KEY_VOLUMEDOWN KEY_POWER\nHoldSec=3\n"
                "[Trigger]\nName=b\nKeys=KEY_POWER\nPresses=3\nWithinSec=2\n"
                "[Trigger]\nName=c\nKeys=KEY_RESTART\nHoldSec=5\n");
        unsigned codes[3 * TRIGGER_KEYS_MAX];

        ASSERT_TRUE(config_uses_key(c, KEY_POWER));
        ASSERT_TRUE(config_uses_key(c, KEY_VOLUMEDOWN));
        ASSERT_TRUE(config_uses_key(c, KEY_RESTART));
        ASSERT_FALSE(config_uses_key(c, KEY_VOLUMEUP));
        ASSERT_FALSE(config_uses_key(c, KEY_A));

        size_t n = config_trigger_keys(c, codes);
        ASSERT_UEQ(n, 3);
        /* Sorted and distinct. */
        ASSERT_UEQ(codes[0], KEY_VOLUMEDOWN);
        ASSERT_UEQ(codes[1], KEY_POWER);
        ASSERT_UEQ(codes[2], KEY_RESTART);
}

TEST(trigger_keys_of_empty_config) {
        _cleanup_(config_freep) Config *c = config_new();
        unsigned codes[1];

        ASSERT_UEQ(config_trigger_keys(c, codes), 0);
        ASSERT_FALSE(config_uses_key(c, KEY_POWER));
}

TEST(find_trigger) {
        _cleanup_(config_freep) Config *c = parse_valid(
                "[Trigger]\nName=a\nKeys=KEY_A\nHoldSec=3\n"
                "[Trigger]\nName=b\nKeys=KEY_B\nHoldSec=3\n");

        ASSERT_TRUE(config_find_trigger(c, "a") == &c->triggers[0]);
        ASSERT_TRUE(config_find_trigger(c, "b") == &c->triggers[1]);
        ASSERT_TRUE(config_find_trigger(c, "c") == NULL);
        ASSERT_TRUE(config_find_trigger(c, "A") == NULL);
        ASSERT_TRUE(config_find_trigger(c, NULL) == NULL);
}

/* ---- errors: every problem names file and line -------------------------- */

TEST(error_unknown_section) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Daemon]\n"
                "Mode=kiosk\n"
                "[Triggers]\n"
                "Name=x\n"
                "Keys=KEY_POWER\n"
                "HoldSec=3\n",
                3, "Unknown section", "[Triggers]");

        /* The unknown section's settings are skipped without more noise. */
        ASSERT_UEQ(c->n_triggers, 0);
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(error_section_names_are_case_sensitive) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR("[daemon]\nMode=kiosk\n", 1, "[daemon]");
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
}

TEST(error_bad_section_header) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR("\n[Trigger\nName=x\n", 2, "section header", "[Trigger");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_empty_section_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR("[]\n", 1, "Unknown section");
}

TEST(error_unknown_key_in_daemon) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Daemon]\nMode=kiosk\nColour=blue\n", 3, "Unknown setting", "Colour=", "[Daemon]");
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(error_unknown_key_in_trigger) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nHoldMsec=3000\n",
                5, "Unknown setting", "HoldMsec=", "[Trigger]");
        /* A [Trigger] with errors is not added. */
        ASSERT_UEQ(c->n_triggers, 0);
}

/* One table holds the settings of both sections: each is known in its own
 * section only. */
TEST(error_setting_of_the_other_section) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nMode=kiosk\n",
                5, "Unknown setting", "Mode=", "[Trigger]");
        ASSERT_UEQ(c->n_triggers, 0);
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);

        _cleanup_(config_freep) Config *d = PARSE_ONE_ERROR(
                "[Daemon]\nArmedTimeoutSec=5\nSeat=seat0\n", 3, "Unknown setting", "Seat=", "[Daemon]");
        ASSERT_UEQ(d->armed_timeout_usec, 5 * USEC_PER_SEC);
}

TEST(error_keys_are_case_sensitive) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR("[Daemon]\nmode=kiosk\n", 2, "mode=");
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
}

TEST(error_setting_before_section) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "# header\nMode=kiosk\n[Daemon]\n", 2, "Mode=", "outside of any section");
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
}

TEST(error_line_without_equals) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec 3\n", 4, "not a KEY=VALUE", "HoldSec 3");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_empty_setting_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR("[Daemon]\n=kiosk\n", 2, "Unknown setting");
}

TEST(error_bad_key_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER KEY_VOLUMEDOWNN\nHoldSec=3\n",
                3, "Keys=", "KEY_VOLUMEDOWNN");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_lowercase_key_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=key_power\nHoldSec=3\n", 3, "key_power");
}

TEST(error_non_key_event_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=SW_LID\nHoldSec=3\n", 3, "SW_LID");
}

TEST(error_key_listed_twice) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER KEY_VOLUMEDOWN KEY_POWER\nHoldSec=3\n",
                3, "KEY_POWER", "twice");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_too_many_keys) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_A KEY_B KEY_C KEY_D KEY_E\nHoldSec=3\n", 3, "Keys=", "4");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_bad_duration) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=soon\n", 4, "HoldSec=soon");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_negative_duration) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=-3\n", 4, "HoldSec=-3");
}

TEST(error_overflowing_duration) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=99999999999999999999999\n", 4, "HoldSec=");
}

TEST(error_hold_zero) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=0\n", 4, "HoldSec=0", "out of range");
}

TEST(error_hold_too_long) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=61s\n", 4, "HoldSec=61s", "out of range");
}

TEST(error_within_out_of_range) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nPresses=3\nWithinSec=2min\n", 5, "WithinSec=2min");
        _cleanup_(config_freep) Config *d = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nPresses=3\nWithinSec=0\n", 5, "WithinSec=0");
}

TEST(error_progress_zero) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nProgressSec=0\n", 5, "ProgressSec=0");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_progress_with_presses) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nPresses=3\nWithinSec=2\nProgressSec=1\n",
                1, "ProgressSec=", "HoldSec=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_presses_out_of_range) {
        static const char *const bad[] = { "1", "11", "0", "abc", "-3", "+3", "3x", "3.0", "99999999999999999999" };
        char text[256];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(text, sizeof text, "[Trigger]\nName=t\nKeys=KEY_POWER\nPresses=%s\nWithinSec=2\n", bad[i]);
                char needle[64];
                snprintf(needle, sizeof needle, "Presses=%s", bad[i]);
                _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(text, 4, needle);
                ASSERT_UEQ(c->n_triggers, 0);
        }
}

TEST(error_duplicate_trigger_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\n"
                "Name=power\n"
                "Keys=KEY_POWER\n"
                "HoldSec=3\n"
                "\n"
                "[Trigger]\n"
                "Keys=KEY_RESTART\n"
                "Name=power\n"
                "HoldSec=5\n",
                8, "Name=power", "line 2");

        /* The first definition stays. */
        ASSERT_UEQ(c->n_triggers, 1);
        assert_keys(&c->triggers[0], 1, KEY_POWER);
}

TEST(error_duplicate_name_after_broken_first) {
        Errors e = {};
        _cleanup_(config_freep) Config *c = parse(
                "[Trigger]\nName=power\nKeys=KEY_NOPE\nHoldSec=3\n"
                "[Trigger]\nName=power\nKeys=KEY_POWER\nHoldSec=3\n",
                -EINVAL, &e);

        assert_n_errors(&e, 2);
        ASSERT_ERROR(&e, 0, "test.conf:3: ", "KEY_NOPE");
        ASSERT_ERROR(&e, 1, "test.conf:6: ", "Name=power");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_missing_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Daemon]\nMode=desktop\n[Trigger]\nKeys=KEY_POWER\nHoldSec=3\n", 3, "Name=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_name_reset_to_empty) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nName=\nKeys=KEY_POWER\nHoldSec=3\n", 1, "Name=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_missing_keys) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nHoldSec=3\n", 1, "t", "Keys=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_keys_reset_to_empty) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "\n[Trigger]\nName=t\nKeys=KEY_POWER\nKeys=\nHoldSec=3\n", 2, "Keys=");
}

TEST(error_both_hold_and_presses) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nPresses=3\nWithinSec=2\n",
                1, "HoldSec=", "Presses=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_hold_and_within) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nWithinSec=2\n", 1, "HoldSec=");
}

TEST(error_neither_hold_nor_presses) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\n", 1, "HoldSec=", "Presses=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_presses_without_within) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nPresses=3\n", 1, "WithinSec=");
}

TEST(error_within_without_presses) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nWithinSec=3\n", 1, "Presses=");
}

TEST(error_invalid_mode) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Daemon]\nMode=kiosk\nMode=tablet\n", 3, "Mode=tablet");
        /* The bad assignment changes nothing. */
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(error_armed_timeout) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Daemon]\nArmedTimeoutSec=forever\n", 2, "ArmedTimeoutSec=forever");
        _cleanup_(config_freep) Config *d = PARSE_ONE_ERROR(
                "[Daemon]\nArmedTimeoutSec=1h\n", 2, "ArmedTimeoutSec=1h", "out of range");
        ASSERT_UEQ(d->armed_timeout_usec, CONFIG_DEFAULT_ARMED_TIMEOUT_USEC);
}

TEST(error_invalid_trigger_name) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=power key\nKeys=KEY_POWER\nHoldSec=3\n", 2, "Name=power key");
        ASSERT_UEQ(c->n_triggers, 0);
        _cleanup_(config_freep) Config *d = PARSE_ONE_ERROR(
                "[Trigger]\nName=pöwer\nKeys=KEY_POWER\nHoldSec=3\n", 2, "Name=pöwer");
}

TEST(error_trigger_name_too_long) {
        char text[256];

        snprintf(text, sizeof text, "[Trigger]\nName=%s\nKeys=KEY_A\nHoldSec=1\n",
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 65 */
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(text, 2, "Name=");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_invalid_seat) {
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nSeat=seat 0\n", 5, "Seat=seat 0");
        ASSERT_UEQ(c->n_triggers, 0);
        _cleanup_(config_freep) Config *d = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nSeat=kiosk\n", 5, "Seat=kiosk");
        _cleanup_(config_freep) Config *e = PARSE_ONE_ERROR(
                "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nSeat=seat.0\n", 5, "Seat=seat.0");
}

TEST(error_nul_byte) {
        static const char text[] = "[Daemon]\nMode=ki\0sk\n[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\n";
        Errors e = {};
        _cleanup_(config_freep) Config *c = config_new();

        ASSERT_EQ(config_parse_text(c, "test.conf", text, sizeof text - 1, errors_collect, &e), -EINVAL);
        assert_n_errors(&e, 1);
        ASSERT_ERROR(&e, 0, "test.conf:2: ", "NUL");
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
        /* Lines after it are still read. */
        ASSERT_UEQ(c->n_triggers, 1);
}

TEST(error_nul_byte_in_trigger_drops_it) {
        static const char text[] = "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\nSeat=seat0\0\n";
        Errors e = {};
        _cleanup_(config_freep) Config *c = config_new();

        ASSERT_EQ(config_parse_text(c, "test.conf", text, sizeof text - 1, errors_collect, &e), -EINVAL);
        assert_n_errors(&e, 1);
        ASSERT_ERROR(&e, 0, "test.conf:5: ", "NUL");
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(error_invalid_utf8) {
        static const char *const bad[] = {
                "\xff",                 /* never valid */
                "\xc3",                 /* truncated */
                "\xc0\xaf",             /* overlong '/' */
                "\xed\xa0\x80",         /* surrogate */
                "\xf4\x90\x80\x80",     /* beyond U+10FFFF */
                "\xe2\x82",             /* truncated at the end of the line */
        };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(text, sizeof text, "[Daemon]\n# comment %s\nMode=kiosk\n", bad[i]);
                _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(text, 2, "UTF-8");
                ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
        }
}

TEST(error_line_too_long) {
        size_t n = 5000;
        _cleanup_free_ char *text = malloc(n + 32);

        ASSERT_TRUE(text);
        strcpy(text, "[Daemon]\n# ");
        memset(text + strlen(text), 'x', n);
        strcpy(text + 11 + n, "\nMode=off\n");
        _cleanup_(config_freep) Config *c = PARSE_ONE_ERROR(text, 2, "longer");
        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
}

TEST(errors_all_reported_and_good_triggers_kept) {
        Errors e = {};
        _cleanup_(config_freep) Config *c = parse(
                "[Daemon]\n"                           /* 1 */
                "Mode=sometimes\n"                     /* 2 */
                "[Trigger]\n"                          /* 3 */
                "Name=good\n"                          /* 4 */
                "Keys=KEY_POWER\n"                     /* 5 */
                "HoldSec=3\n"                          /* 6 */
                "[Trigger]\n"                          /* 7 */
                "Name=bad\n"                           /* 8 */
                "Keys=KEY_PWR\n"                       /* 9 */
                "HoldSec=3 parsecs\n"                  /* 10 */
                "[Network]\n"                          /* 11 */
                "[Trigger]\n"                          /* 12 */
                "Keys=KEY_RESTART\n"                   /* 13 */
                "HoldSec=5\n",                         /* 14 */
                -EINVAL, &e);

        assert_n_errors(&e, 5);
        ASSERT_ERROR(&e, 0, "test.conf:2: ", "Mode=sometimes");
        ASSERT_ERROR(&e, 1, "test.conf:9: ", "KEY_PWR");
        ASSERT_ERROR(&e, 2, "test.conf:10: ", "HoldSec=3 parsecs");
        ASSERT_ERROR(&e, 3, "test.conf:11: ", "[Network]");
        ASSERT_ERROR(&e, 4, "test.conf:12: ", "Name=");
        ASSERT_UEQ(c->n_triggers, 1);
        ASSERT_STREQ(c->triggers[0].name, "good");
}

TEST(error_without_callback_still_fails) {
        _cleanup_(config_freep) Config *c = config_new();
        static const char text[] = "[Nope]\n";

        ASSERT_EQ(config_parse_text(c, "x.conf", text, strlen(text), NULL, NULL), -EINVAL);
}

/* ---- several files parsed on top of each other ---------------------------- */

TEST(dropin_replaces_trigger_wholesale) {
        Errors e = {};
        _cleanup_(config_freep) Config *c = config_new();

        parse_into(c, "main.conf",
                   "[Trigger]\nName=power\nKeys=KEY_POWER\nHoldSec=3\nProgressSec=250ms\nSeat=seat1\n"
                   "[Trigger]\nName=restart\nKeys=KEY_RESTART\nHoldSec=5\n",
                   0, &e);
        parse_into(c, "50-presses.conf",
                   "[Trigger]\nName=power\nKeys=KEY_POWER\nPresses=4\nWithinSec=3\n", 0, &e);
        assert_n_errors(&e, 0);

        ASSERT_UEQ(c->n_triggers, 2);
        const Trigger *t = config_find_trigger(c, "power");
        ASSERT_TRUE(t);
        ASSERT_EQ(t->kind, TRIGGER_PRESSES);
        ASSERT_UEQ(t->presses, 4);
        ASSERT_UEQ(t->hold_usec, 0);
        /* Nothing of the old definition survives. */
        ASSERT_TRUE(t->seat == NULL);
        ASSERT_STREQ(t->file, "50-presses.conf");
        ASSERT_UEQ(t->line, 1);
        ASSERT_TRUE(config_find_trigger(c, "restart"));
}

TEST(dropin_daemon_settings_override) {
        Errors e = {};
        _cleanup_(config_freep) Config *c = config_new();

        parse_into(c, "main.conf", "[Daemon]\nMode=kiosk\nArmedTimeoutSec=2min\n", 0, &e);
        parse_into(c, "10-off.conf", "[Daemon]\nMode=off\n", 0, &e);
        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
        ASSERT_UEQ(c->armed_timeout_usec, 120 * USEC_PER_SEC);
        parse_into(c, "20-reset.conf", "[Daemon]\nArmedTimeoutSec=\n", 0, &e);
        ASSERT_UEQ(c->armed_timeout_usec, CONFIG_DEFAULT_ARMED_TIMEOUT_USEC);
}

TEST(dropin_broken_redefinition_keeps_earlier) {
        Errors e = {};
        _cleanup_(config_freep) Config *c = config_new();

        parse_into(c, "main.conf", "[Trigger]\nName=power\nKeys=KEY_POWER\nHoldSec=3\n", 0, &e);
        parse_into(c, "50-bad.conf", "[Trigger]\nName=power\nKeys=KEY_POWER\nHoldSec=1h\n", -EINVAL, &e);
        assert_n_errors(&e, 1);
        ASSERT_ERROR(&e, 0, "50-bad.conf:4: ", "HoldSec=1h");
        ASSERT_UEQ(c->n_triggers, 1);
        ASSERT_UEQ(c->triggers[0].hold_usec, 3 * USEC_PER_SEC);
}

/* ---- loading from a directory tree ---------------------------------------- */

typedef struct Root {
        char path[64];
} Root;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void root_done(Root *r) {
        if (r->path[0])
                (void) nftw(r->path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void root_init(Root *r) {
        snprintf(r->path, sizeof r->path, "/tmp/test-config-XXXXXX");
        ASSERT_TRUE(mkdtemp(r->path));
}

static void mkdir_p(const char *path) {
        char buf[512];

        snprintf(buf, sizeof buf, "%s", path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                                FAIL("mkdir %s: %m", buf);
                        *p = '/';
                }
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                FAIL("mkdir %s: %m", buf);
}

/* root + dir (a build-config.h directory) + optional name; the loader joins
 * the same way. */
static void root_path(const Root *r, char *buf, size_t size, const char *dir, const char *name) {
        snprintf(buf, size, "%s%s%s%s%s", r->path, dir[0] == '/' ? "" : "/", dir, name ? "/" : "", name ?: "");
}

static void write_file(const Root *r, const char *dir, const char *name, const char *text) {
        char d[512], p[512];

        root_path(r, d, sizeof d, dir, NULL);
        mkdir_p(d);
        root_path(r, p, sizeof p, dir, name);
        FILE *f = fopen(p, "we");
        if (!f)
                FAIL("fopen %s: %m", p);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

static void symlink_file(const Root *r, const char *dir, const char *name, const char *target) {
        char d[512], p[512];

        root_path(r, d, sizeof d, dir, NULL);
        mkdir_p(d);
        root_path(r, p, sizeof p, dir, name);
        if (symlink(target, p) < 0)
                FAIL("symlink %s: %m", p);
}

#define ETC_D SYSCONF_CONFIG_DIR "/hotkeyd.conf.d"
#define RUN_D RUN_CONFIG_DIR "/hotkeyd.conf.d"
#define LIB_D LIB_CONFIG_DIR "/hotkeyd.conf.d"

static const char lib_main[] =
        "[Daemon]\n"
        "Mode=desktop\n"
        "[Trigger]\n"
        "Name=power\n"
        "Keys=KEY_POWER\n"
        "HoldSec=3\n"
        "[Trigger]\n"
        "Name=restart\n"
        "Keys=KEY_RESTART\n"
        "HoldSec=5\n";

static Config *load_ok(const Root *r) {
        Errors e = {};
        Config *c = NULL;
        int k = config_load(r->path, NULL, errors_collect, &e, &c);

        if (k != 0) {
                errors_dump(&e);
                FAIL("config_load() = %d", k);
        }
        assert_n_errors(&e, 0);
        ASSERT_TRUE(c);
        return c;
}

static void load_fails(const Root *r, int expected, Errors *e) {
        Config *c = NULL;
        int k = config_load(r->path, NULL, errors_collect, e, &c);

        if (k != expected) {
                errors_dump(e);
                FAIL("config_load() = %d, expected %d", k, expected);
        }
        ASSERT_TRUE(c == NULL);
}

TEST(load_nothing_installed) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        _cleanup_(config_freep) Config *c = load_ok(&r);

        /* No file at all is fine: no triggers, defaults, the D-Bus API alone. */
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(load_main_from_usr_lib) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_UEQ(c->n_triggers, 2);
        char p[512];
        root_path(&r, p, sizeof p, LIB_CONFIG_DIR, "hotkeyd.conf");
        ASSERT_STREQ(c->triggers[0].file, p);
}

TEST(load_etc_main_replaces_usr_lib_main) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, RUN_CONFIG_DIR, "hotkeyd.conf", "[Daemon]\nMode=off\n");
        write_file(&r, SYSCONF_CONFIG_DIR, "hotkeyd.conf", "[Daemon]\nMode=kiosk\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        /* Only the first main file counts: the others are not merged. */
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(load_run_main_replaces_usr_lib_main) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, RUN_CONFIG_DIR, "hotkeyd.conf", "[Daemon]\nMode=off\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(load_main_masked_by_dev_null) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        symlink_file(&r, SYSCONF_CONFIG_DIR, "hotkeyd.conf", "/dev/null");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(load_main_masked_by_empty_file) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, SYSCONF_CONFIG_DIR, "hotkeyd.conf", "");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(load_dropin_replaces_trigger) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, ETC_D, "50-power.conf",
                   "[Trigger]\nName=power\nKeys=KEY_POWER KEY_VOLUMEDOWN\nHoldSec=2\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_UEQ(c->n_triggers, 2);
        const Trigger *t = config_find_trigger(c, "power");
        assert_keys(t, 2, KEY_POWER, KEY_VOLUMEDOWN);
        ASSERT_UEQ(t->hold_usec, 2 * USEC_PER_SEC);
        ASSERT_TRUE(config_find_trigger(c, "restart"));
}

TEST(load_dropin_adds_trigger_without_main) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, RUN_D, "kiosk.conf",
                   "[Daemon]\nMode=kiosk\n[Trigger]\nName=k\nKeys=KEY_RESTART\nHoldSec=10\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
        ASSERT_UEQ(c->n_triggers, 1);
}

TEST(load_dropin_precedence_etc_run_lib) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_D, "50-x.conf", "[Daemon]\nMode=off\n");
        write_file(&r, RUN_D, "50-x.conf", "[Daemon]\nMode=kiosk\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);
        /* /run overrides /usr/lib for the same name. */
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);

        write_file(&r, ETC_D, "50-x.conf", "[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\n");
        _cleanup_(config_freep) Config *d = load_ok(&r);
        /* /etc overrides both: neither Mode= is read any more. */
        ASSERT_EQ(d->mode, DAEMON_MODE_DESKTOP);
        ASSERT_UEQ(d->n_triggers, 1);
}

TEST(load_dropin_overridden_file_is_not_parsed) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        /* A broken file that is overridden is never read, so it cannot fail the load. */
        write_file(&r, LIB_D, "50-x.conf", "this is not ini\n");
        write_file(&r, ETC_D, "50-x.conf", "[Daemon]\nMode=kiosk\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(load_dropin_masked_by_empty_file) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, LIB_D, "50-presses.conf",
                   "[Trigger]\nName=power\nKeys=KEY_POWER\nPresses=3\nWithinSec=2\n");
        write_file(&r, ETC_D, "50-presses.conf", "");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(config_find_trigger(c, "power")->kind, TRIGGER_HOLD);
}

TEST(load_dropin_masked_by_dev_null_symlink) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, LIB_D, "50-presses.conf",
                   "[Trigger]\nName=power\nKeys=KEY_POWER\nPresses=3\nWithinSec=2\n");
        symlink_file(&r, RUN_D, "50-presses.conf", "/dev/null");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(config_find_trigger(c, "power")->kind, TRIGGER_HOLD);
}

TEST(load_dropins_lexical_order) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        /* Lexical order of the names across all directories, not directory
         * order: /usr/lib's 90- comes after /etc's 10-. */
        write_file(&r, ETC_D, "10-first.conf", "[Daemon]\nMode=kiosk\n[Trigger]\nName=t\nKeys=KEY_A\nHoldSec=1\n");
        write_file(&r, LIB_D, "90-last.conf", "[Daemon]\nMode=off\n[Trigger]\nName=t\nKeys=KEY_B\nHoldSec=1\n");
        write_file(&r, RUN_D, "50-middle.conf", "[Daemon]\nMode=desktop\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_OFF);
        ASSERT_UEQ(c->n_triggers, 1);
        assert_keys(&c->triggers[0], 1, KEY_B);
}

TEST(load_dropins_bytewise_order) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        /* "B" (0x42) sorts before "a" (0x61) whatever the locale says. */
        write_file(&r, ETC_D, "a.conf", "[Daemon]\nMode=kiosk\n");
        write_file(&r, ETC_D, "B.conf", "[Daemon]\nMode=off\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(load_dropins_after_main) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, SYSCONF_CONFIG_DIR, "hotkeyd.conf", "[Daemon]\nMode=off\n");
        write_file(&r, LIB_D, "00-early.conf", "[Daemon]\nMode=kiosk\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(load_ignores_other_files) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        write_file(&r, ETC_D, "README", "not config\n");
        write_file(&r, ETC_D, "50-x.conf.bak", "not config\n");
        write_file(&r, ETC_D, ".hidden.conf", "not config\n");
        write_file(&r, ETC_D, ".conf", "not config\n");
        write_file(&r, ETC_D, "50-x.conf~", "not config\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_UEQ(c->n_triggers, 0);
}

TEST(load_dangling_symlink_is_absent) {
        _cleanup_(root_done) Root r = {};
        root_init(&r);
        symlink_file(&r, ETC_D, "50-x.conf", "/nonexistent/file.conf");
        write_file(&r, LIB_D, "50-x.conf", "[Daemon]\nMode=kiosk\n");
        _cleanup_(config_freep) Config *c = load_ok(&r);

        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
}

TEST(load_error_names_dropin_file_and_line) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        char prefix[600], p[512];

        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, ETC_D, "50-bad.conf", "[Trigger]\nName=x\nKeys=KEY_POWER\nHoldSec=3 days\n");
        load_fails(&r, -EINVAL, &e);

        assert_n_errors(&e, 1);
        root_path(&r, p, sizeof p, ETC_D, "50-bad.conf");
        snprintf(prefix, sizeof prefix, "%s:4: ", p);
        ASSERT_ERROR(&e, 0, prefix, "HoldSec=3 days");
}

TEST(load_errors_in_every_file_reported) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        char prefix[600], p[512];

        root_init(&r);
        write_file(&r, SYSCONF_CONFIG_DIR, "hotkeyd.conf", "[Daemon]\nMode=loud\n");
        write_file(&r, RUN_D, "10-a.conf", "\n\n[Bogus]\n");
        write_file(&r, LIB_D, "20-b.conf", "[Trigger]\nName=b\nKeys=KEY_FOO\nHoldSec=1\n");
        load_fails(&r, -EINVAL, &e);

        assert_n_errors(&e, 3);
        root_path(&r, p, sizeof p, SYSCONF_CONFIG_DIR, "hotkeyd.conf");
        snprintf(prefix, sizeof prefix, "%s:2: ", p);
        ASSERT_ERROR(&e, 0, prefix, "Mode=loud");
        root_path(&r, p, sizeof p, RUN_D, "10-a.conf");
        snprintf(prefix, sizeof prefix, "%s:3: ", p);
        ASSERT_ERROR(&e, 1, prefix, "[Bogus]");
        root_path(&r, p, sizeof p, LIB_D, "20-b.conf");
        snprintf(prefix, sizeof prefix, "%s:3: ", p);
        ASSERT_ERROR(&e, 2, prefix, "KEY_FOO");
}

TEST(load_main_not_a_regular_file) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        char p[512], prefix[600];

        root_init(&r);
        root_path(&r, p, sizeof p, SYSCONF_CONFIG_DIR, "hotkeyd.conf");
        mkdir_p(p);
        load_fails(&r, -EINVAL, &e);

        assert_n_errors(&e, 1);
        snprintf(prefix, sizeof prefix, "%s: ", p);
        ASSERT_ERROR(&e, 0, prefix, "regular file");
}

TEST(load_file_too_large) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        char p[512], prefix[600];

        root_init(&r);
        write_file(&r, ETC_D, "big.conf", "");
        root_path(&r, p, sizeof p, ETC_D, "big.conf");
        ASSERT_EQ(truncate(p, 2 * 1024 * 1024), 0);
        load_fails(&r, -EFBIG, &e);

        assert_n_errors(&e, 1);
        snprintf(prefix, sizeof prefix, "%s: ", p);
        ASSERT_ERROR(&e, 0, prefix, "1 MiB");
}

TEST(load_explicit_path) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        Config *c = NULL;
        char p[512];

        root_init(&r);
        write_file(&r, "/custom", "test.conf", "[Daemon]\nMode=kiosk\n[Trigger]\nName=t\nKeys=KEY_POWER\nHoldSec=3\n");
        root_path(&r, p, sizeof p, "/custom", "test.conf");

        ASSERT_EQ(config_load(NULL, p, errors_collect, &e, &c), 0);
        assert_n_errors(&e, 0);
        ASSERT_EQ(c->mode, DAEMON_MODE_KIOSK);
        ASSERT_UEQ(c->n_triggers, 1);
        config_free(c);
}

TEST(load_explicit_path_replaces_search_path) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        Config *c = NULL;
        char p[512];

        root_init(&r);
        write_file(&r, LIB_CONFIG_DIR, "hotkeyd.conf", lib_main);
        write_file(&r, ETC_D, "50-x.conf", "[Daemon]\nMode=off\n");
        write_file(&r, "/custom", "only.conf", "[Trigger]\nName=only\nKeys=KEY_A\nHoldSec=1\n");
        root_path(&r, p, sizeof p, "/custom", "only.conf");

        ASSERT_EQ(config_load(r.path, p, errors_collect, &e, &c), 0);
        assert_n_errors(&e, 0);
        /* Neither the main file nor the drop-in was read. */
        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
        ASSERT_UEQ(c->n_triggers, 1);
        ASSERT_STREQ(c->triggers[0].name, "only");
        config_free(c);
}

TEST(load_explicit_path_missing) {
        Errors e = {};
        Config *c = NULL;

        ASSERT_EQ(config_load(NULL, "/nonexistent/hotkeyd.conf", errors_collect, &e, &c), -ENOENT);
        ASSERT_TRUE(c == NULL);
        assert_n_errors(&e, 1);
        ASSERT_ERROR(&e, 0, "/nonexistent/hotkeyd.conf: ", "No such file");
}

TEST(load_explicit_path_error_names_line) {
        _cleanup_(root_done) Root r = {};
        Errors e = {};
        Config *c = NULL;
        char p[512], prefix[600];

        root_init(&r);
        write_file(&r, "/custom", "bad.conf", "[Daemon]\n\n\nMode=kiosk mode\n");
        root_path(&r, p, sizeof p, "/custom", "bad.conf");

        ASSERT_EQ(config_load(NULL, p, errors_collect, &e, &c), -EINVAL);
        ASSERT_TRUE(c == NULL);
        assert_n_errors(&e, 1);
        snprintf(prefix, sizeof prefix, "%s:4: ", p);
        ASSERT_ERROR(&e, 0, prefix, "Mode=kiosk mode");
}

TEST(load_explicit_dev_null) {
        Errors e = {};
        Config *c = NULL;

        ASSERT_EQ(config_load(NULL, "/dev/null", errors_collect, &e, &c), 0);
        assert_n_errors(&e, 0);
        ASSERT_UEQ(c->n_triggers, 0);
        config_free(c);
}

TEST(log_error_callback) {
        /* Only must not crash; the output goes to stderr. */
        config_log_error("/etc/hotkeyd/hotkeyd.conf", 3, "Unknown section [Foo].", NULL);
        config_log_error("/etc/hotkeyd/hotkeyd.conf", 0, "Cannot open: Permission denied", NULL);
}

/* ---- the file we ship ------------------------------------------------------ */

TEST(shipped_default) {
        const char *src = getenv("HOTKEYD_SOURCE_ROOT");
        char p[4096];
        Errors e = {};
        Config *c = NULL;

        if (!src || !*src)
                FAIL("HOTKEYD_SOURCE_ROOT is not set; it must point at the source tree");
        snprintf(p, sizeof p, "%s/data/hotkeyd.conf", src);

        int r = config_load(NULL, p, errors_collect, &e, &c);
        if (r != 0) {
                errors_dump(&e);
                FAIL("%s does not load: %d", p, r);
        }
        assert_n_errors(&e, 0);

        ASSERT_EQ(c->mode, DAEMON_MODE_DESKTOP);
        ASSERT_UEQ(c->n_triggers, 4);
        for (size_t i = 0; i < c->n_triggers; i++) {
                const Trigger *t = &c->triggers[i];
                ASSERT_EQ(t->kind, TRIGGER_HOLD);
                /* Every power-key hold must end before the firmware's ~4 s
                 * forced power-off. */
                for (size_t k = 0; k < t->n_keys; k++)
                        if (t->keys[k] == KEY_POWER)
                                ASSERT_TRUE(t->hold_usec < 4 * USEC_PER_SEC);
        }
        ASSERT_TRUE(config_uses_key(c, KEY_POWER));
        ASSERT_TRUE(config_uses_key(c, KEY_RESTART));
        ASSERT_TRUE(config_uses_key(c, KEY_VOLUMEDOWN));

        /* The hardware-key triggers stay as they were. */
        ASSERT_TRUE(config_find_trigger(c, "restart-key"));
        ASSERT_UEQ(config_find_trigger(c, "restart-key")->hold_usec, 5 * USEC_PER_SEC);
        ASSERT_TRUE(config_find_trigger(c, "power-key"));
        ASSERT_UEQ(config_find_trigger(c, "power-key")->hold_usec, 3 * USEC_PER_SEC);
        ASSERT_TRUE(config_find_trigger(c, "power-volumedown"));
        ASSERT_UEQ(config_find_trigger(c, "power-volumedown")->n_keys, 2);

        /* The gesture of laptops whose power button cannot report a hold:
         * left Ctrl, left Alt and both Shift keys, held 5 s. */
        const Trigger *k = config_find_trigger(c, "keyboard-chord");
        ASSERT_TRUE(k);
        ASSERT_UEQ(k->n_keys, 4);
        ASSERT_UEQ(k->keys[0], KEY_LEFTCTRL);
        ASSERT_UEQ(k->keys[1], KEY_LEFTALT);
        ASSERT_UEQ(k->keys[2], KEY_LEFTSHIFT);
        ASSERT_UEQ(k->keys[3], KEY_RIGHTSHIFT);
        ASSERT_UEQ(k->hold_usec, 5 * USEC_PER_SEC);
        ASSERT_FALSE(k->seat);
        config_free(c);
}

TEST_MAIN
