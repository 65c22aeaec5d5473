/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/input.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key-holds.h"
#include "keys.h"
#include "parse-util.h"
#include "text-builder.h"

#define KEY_HOLDS_HEADER "# hotkeyd key holds 1"

static const char *const key_holds_table[_KEY_HOLDS_MAX] = {
        [KEY_HOLDS_UNKNOWN] = "unknown",
        [KEY_HOLDS_YES] = "yes",
        [KEY_HOLDS_NO] = "no",
};
DEFINE_STRING_TABLE_LOOKUP(key_holds, KeyHolds);

/* The keys a driver releases itself at the press (sparse-keymap
 * autorelease: the release entry of its keymap is KE_IGNORE).  0 ends. */
static const unsigned intel_vbtn_autorelease[] = { KEY_POWER, KEY_VOLUMEUP, KEY_VOLUMEDOWN, 0 };
static const unsigned intel_hid_array_autorelease[] = { KEY_POWER, KEY_LEFTMETA, KEY_VOLUMEUP, KEY_VOLUMEDOWN, 0 };

typedef struct DriverRule {
        const char *driver;
        const char *name_contains; /* NULL: any name */
        const unsigned *codes;     /* NULL: every key */
        KeyHolds holds;
        const char *reason;
} DriverRule;

/* From the drivers' sources (Linux drivers/acpi/button.c,
 * drivers/platform/x86/intel/{vbtn,hid}.c, drivers/input/keyboard/...). */
static const DriverRule driver_rules[] = {
        /* acpi_button_notify(): KEY_POWER 1, SYN, KEY_POWER 0, SYN at once. */
        { "button", NULL, NULL, KEY_HOLDS_NO, "ACPI button: press and release arrive together" },
        { "intel-vbtn", NULL, intel_vbtn_autorelease, KEY_HOLDS_NO,
          "Intel virtual button: press and release arrive together" },
        /* The array's keys are all autoreleased.  "Intel HID events" reports
         * KEY_POWER both ways (real 0xCE/0xCF without the array,
         * autoreleased HID usage 9): only what is seen can tell. */
        { "intel-hid", "5 button array", intel_hid_array_autorelease, KEY_HOLDS_NO,
          "Intel HID button array: press and release arrive together" },
        { "gpio-keys", NULL, NULL, KEY_HOLDS_YES, "gpio-keys button" },
        { "gpio-keys-polled", NULL, NULL, KEY_HOLDS_YES, "gpio-keys button" },
        { "cros-ec-keyb", NULL, NULL, KEY_HOLDS_YES, "Chromebook keyboard" },
        { "surfacepro3_button", NULL, NULL, KEY_HOLDS_YES, "Surface button" },
        { "atkbd", NULL, NULL, KEY_HOLDS_YES, "keyboard" },
};

/* The ACPI button's phys is its ACPI HID + "/button/input0"; the driver
 * link may be unreadable (sysfs hidden), the phys is EVIOCGPHYS. */
static const char *const acpi_button_phys[] = {
        "LNXPWRBN/button/", "PNP0C0C/button/", "LNXSLPBN/button/", "PNP0C0E/button/",
};

static bool codes_contain(const unsigned *codes, unsigned code) {
        for (; *codes; codes++)
                if (*codes == code)
                        return true;
        return false;
}

KeyHolds key_holds_from_driver(const DeviceFacts *facts, unsigned code, const char **ret_reason) {
        const char *reason = NULL;
        KeyHolds holds = KEY_HOLDS_UNKNOWN;

        if (facts->driver)
                for (size_t i = 0; i < ELEMENTSOF(driver_rules); i++) {
                        const DriverRule *r = &driver_rules[i];

                        if (!streq(r->driver, facts->driver))
                                continue;
                        if (r->name_contains && (!facts->name || !strstr(facts->name, r->name_contains)))
                                continue;
                        if (r->codes && !codes_contain(r->codes, code))
                                continue;
                        holds = r->holds;
                        reason = r->reason;
                        goto done;
                }

        if (facts->phys)
                for (size_t i = 0; i < ELEMENTSOF(acpi_button_phys); i++)
                        if (strncmp(facts->phys, acpi_button_phys[i], strlen(acpi_button_phys[i])) == 0) {
                                holds = KEY_HOLDS_NO;
                                reason = driver_rules[0].reason;
                                goto done;
                        }

        switch (facts->bustype) {
        case BUS_I8042:
                holds = KEY_HOLDS_YES;
                reason = "keyboard";
                break;
        case BUS_USB:
                holds = KEY_HOLDS_YES;
                reason = "USB HID device";
                break;
        case BUS_BLUETOOTH:
                holds = KEY_HOLDS_YES;
                reason = "Bluetooth HID device";
                break;
        default:
                break;
        }

done:
        if (ret_reason)
                *ret_reason = reason;
        return holds;
}

KeyHoldsEvidence key_holds_evidence(usec_t press_stamp, usec_t release_stamp, bool same_read) {
        /* A kernel always stamps; zero or a release before its press means
         * a stamp nobody can trust (a clock stepped back between them). */
        if (press_stamp > 0 && release_stamp >= press_stamp)
                return release_stamp - press_stamp < KEY_HOLDS_TOGETHER_USEC ? KEY_HOLDS_EVIDENCE_TOGETHER
                                                                             : KEY_HOLDS_EVIDENCE_HELD;
        return same_read ? KEY_HOLDS_EVIDENCE_TOGETHER : KEY_HOLDS_EVIDENCE_HELD;
}

KeyHolds key_holds_from_evidence(KeyHoldsEvidence e, const char **ret_reason) {
        const char *reason = NULL;
        KeyHolds holds = KEY_HOLDS_UNKNOWN;

        if (e == KEY_HOLDS_EVIDENCE_TOGETHER) {
                holds = KEY_HOLDS_NO;
                reason = "seen: press and release arrived together";
        } else if (e == KEY_HOLDS_EVIDENCE_HELD) {
                holds = KEY_HOLDS_YES;
                reason = "seen held";
        }
        if (ret_reason)
                *ret_reason = reason;
        return holds;
}

KeyHolds key_holds_combine(KeyHolds table, const char *table_reason, KeyHolds learned, const char **ret_reason) {
        const char *reason;

        if (table == KEY_HOLDS_NO && learned == KEY_HOLDS_YES) {
                /* The driver releases the key at the press (its source
                 * says so): a "held" seen here is the clock, not the key.
                 * A loaded VM once stamped an ACPI button's press and
                 * release more than 1 ms apart. */
                reason = table_reason;
                learned = KEY_HOLDS_NO;
        } else if (learned == KEY_HOLDS_NO)
                (void) key_holds_from_evidence(KEY_HOLDS_EVIDENCE_TOGETHER, &reason);
        else if (learned == KEY_HOLDS_YES)
                (void) key_holds_from_evidence(KEY_HOLDS_EVIDENCE_HELD, &reason);
        else {
                /* Unknown says nothing: no reason with it. */
                reason = table == KEY_HOLDS_UNKNOWN ? NULL : table_reason;
                learned = table;
        }
        if (ret_reason)
                *ret_reason = reason;
        return learned;
}

static bool escape_needed(unsigned char c, bool first) {
        return c < '!' || c > '~' || c == '\\' || (first && c == '-');
}

int key_holds_escape(const char *s, char **ret) {
        size_t n = 0;
        char *out, *p;

        if (isempty(s)) {
                out = strdup("-");
                if (!out)
                        return -ENOMEM;
                *ret = out;
                return 0;
        }
        for (size_t i = 0; s[i]; i++)
                n += escape_needed((unsigned char) s[i], i == 0) ? 4 : 1;
        out = p = malloc(n + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; s[i]; i++) {
                unsigned char c = (unsigned char) s[i];

                if (escape_needed(c, i == 0)) {
                        static const char hex[] = "0123456789abcdef";
                        *p++ = '\\';
                        *p++ = 'x';
                        *p++ = hex[c >> 4];
                        *p++ = hex[c & 15];
                } else
                        *p++ = (char) c;
        }
        *p = 0;
        *ret = out;
        return 0;
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -EINVAL;
}

/* A word is valid when it is what key_holds_escape() makes of some string:
 * one spelling per string, so that identities compare as text. */
static bool escaped_word_valid(const char *w) {
        _cleanup_free_ char *decoded = NULL, *again = NULL;
        size_t n = strlen(w), k = 0;

        if (streq(w, "-"))
                return true;
        decoded = malloc(n + 1);
        if (!decoded)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (w[i] != '\\') {
                        decoded[k++] = w[i];
                        continue;
                }
                if (i + 3 >= n)
                        return false;
                if (w[i + 1] != 'x' || hex_digit(w[i + 2]) < 0 || hex_digit(w[i + 3]) < 0)
                        return false;
                decoded[k++] = (char) (hex_digit(w[i + 2]) << 4 | hex_digit(w[i + 3]));
                i += 3;
        }
        decoded[k] = 0;
        /* A NUL byte ends the string early: the spelling differs then. */
        if (key_holds_escape(decoded, &again) < 0)
                return false;
        return streq(again, w);
}

static bool bus_id_valid(const char *w) {
        /* BBBB:VVVV:PPPP:RRRR, lower-case hex. */
        if (strlen(w) != 19)
                return false;
        for (size_t i = 0; i < 19; i++)
                if (i % 5 == 4 ? w[i] != ':' : hex_digit(w[i]) < 0)
                        return false;
        return true;
}

int key_holds_identity(unsigned bustype, unsigned vendor, unsigned product, unsigned version, const char *id_path,
                       const char *name, char **ret) {
        _cleanup_free_ char *path = NULL, *escaped_name = NULL;
        char *s;

        if (key_holds_escape(id_path, &path) < 0 || key_holds_escape(name, &escaped_name) < 0)
                return -ENOMEM;
        if (asprintf(&s, "%04x:%04x:%04x:%04x %s %s", bustype & 0xffff, vendor & 0xffff, product & 0xffff,
                     version & 0xffff, path, escaped_name) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* An identity as key_holds_identity() makes it: three words. */
static bool identity_valid(const char *identity) {
        _cleanup_free_ char *copy = strdup(identity);
        char *words[3], *p = copy;

        if (!copy)
                return false;
        for (size_t i = 0; i < 3; i++) {
                words[i] = p;
                p = strchr(p, ' ');
                if ((i < 2) != !!p)
                        return false;
                if (p)
                        *p++ = 0;
        }
        return bus_id_valid(words[0]) && escaped_word_valid(words[1]) && escaped_word_valid(words[2]);
}

void key_holds_store_done(KeyHoldsStore *s) {
        for (size_t i = 0; i < s->n_entries; i++)
                free(s->entries[i].identity);
        free(s->entries);
        *s = (KeyHoldsStore) {};
}

static KeyHoldsEntry *store_find(const KeyHoldsStore *s, const char *identity, unsigned code) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (s->entries[i].code == code && streq(s->entries[i].identity, identity))
                        return &s->entries[i];
        return NULL;
}

KeyHolds key_holds_store_get(const KeyHoldsStore *s, const char *identity, unsigned code) {
        const KeyHoldsEntry *e = store_find(s, identity, code);
        return e ? e->holds : KEY_HOLDS_UNKNOWN;
}

static void store_remove(KeyHoldsStore *s, size_t i) {
        free(s->entries[i].identity);
        memmove(&s->entries[i], &s->entries[i + 1], (s->n_entries - i - 1) * sizeof *s->entries);
        s->n_entries--;
}

int key_holds_store_set(KeyHoldsStore *s, const char *identity, unsigned code, KeyHolds holds) {
        KeyHoldsEntry *e;
        char *copy;

        if (!IN_SET(holds, KEY_HOLDS_YES, KEY_HOLDS_NO) || !identity_valid(identity))
                return -EINVAL;

        e = store_find(s, identity, code);
        if (e && e->holds == holds)
                return 0;

        copy = strdup(identity);
        if (!copy)
                return -ENOMEM;
        if (e)
                store_remove(s, (size_t) (e - s->entries));
        else if (s->n_entries >= KEY_HOLDS_STORE_MAX)
                store_remove(s, 0);
        else {
                KeyHoldsEntry *n = reallocarray(s->entries, s->n_entries + 1, sizeof *n);
                if (!n) {
                        free(copy);
                        return -ENOMEM;
                }
                s->entries = n;
        }
        s->entries[s->n_entries++] = (KeyHoldsEntry) { .identity = copy, .code = code, .holds = holds };
        return 1;
}

_printf_(3, 4) static int parse_fail(char **ret_error, unsigned line, const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;

        va_start(ap, format);
        int r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (ret_error && asprintf(ret_error, "line %u: %s", line, message) < 0)
                return -ENOMEM;
        return -EBADMSG;
}

static int parse_line(KeyHoldsStore *s, char *line, unsigned n, char **ret_error) {
        _cleanup_free_ char *identity = NULL;
        char *fields[5];
        size_t k = 0;
        int code, r;

        for (char *p = line; *p;) {
                while (*p && parse_is_space(*p))
                        p++;
                if (!*p)
                        break;
                if (k == ELEMENTSOF(fields))
                        return parse_fail(ret_error, n, "more than 5 fields");
                fields[k++] = p;
                while (*p && !parse_is_space(*p))
                        p++;
                if (*p)
                        *p++ = 0;
        }
        if (k != ELEMENTSOF(fields))
                return parse_fail(ret_error, n, "%zu fields, expected 5 (device id, path, name, key, yes|no)", k);

        if (!bus_id_valid(fields[0]))
                return parse_fail(ret_error, n, "bad device id \"%s\"", fields[0]);
        if (!escaped_word_valid(fields[1]) || !escaped_word_valid(fields[2]))
                return parse_fail(ret_error, n, "bad escaping in the device path or name");
        code = key_from_name(fields[3]);
        if (code < 0)
                return parse_fail(ret_error, n, "unknown key name \"%s\"", fields[3]);
        KeyHolds holds = key_holds_from_string(fields[4]);
        if (!IN_SET(holds, KEY_HOLDS_YES, KEY_HOLDS_NO))
                return parse_fail(ret_error, n, "\"%s\" is neither yes nor no", fields[4]);

        if (asprintf(&identity, "%s %s %s", fields[0], fields[1], fields[2]) < 0)
                return -ENOMEM;
        if (!store_find(s, identity, (unsigned) code) && s->n_entries >= KEY_HOLDS_STORE_MAX)
                return parse_fail(ret_error, n, "more than %d entries", KEY_HOLDS_STORE_MAX);
        r = key_holds_store_set(s, identity, (unsigned) code, holds);
        return r < 0 ? r : 0;
}

int key_holds_store_parse(const char *text, size_t size, KeyHoldsStore *ret, char **ret_error) {
        _cleanup_(key_holds_store_done) KeyHoldsStore s = {};
        _cleanup_free_ char *copy = NULL;
        unsigned n = 0;
        int r;

        if (memchr(text, 0, size))
                return parse_fail(ret_error, 0, "contains a NUL byte");
        copy = strndup(text, size);
        if (!copy)
                return -ENOMEM;

        for (char *line = copy, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (!next && !*line)
                        break; /* after the last newline */
                n++;

                if (n == 1) {
                        if (!streq(line, KEY_HOLDS_HEADER))
                                return parse_fail(ret_error, n, "not a hotkeyd key holds file (expected \"%s\")",
                                                  KEY_HOLDS_HEADER);
                        continue;
                }
                char *stripped = parse_strip(line);
                if (!*stripped || *stripped == '#')
                        continue;
                r = parse_line(&s, stripped, n, ret_error);
                if (r < 0)
                        return r;
        }
        if (n == 0)
                return parse_fail(ret_error, 1, "empty, expected \"%s\"", KEY_HOLDS_HEADER);

        key_holds_store_done(ret);
        *ret = s;
        s = (KeyHoldsStore) {};
        return 0;
}

int key_holds_store_format(const KeyHoldsStore *s, char **ret) {
        _cleanup_(text_builder_done) TextBuilder text = {};

        assert(s);
        assert(ret);

        text_builder_add(&text, "%s\n", KEY_HOLDS_HEADER "\n"
                         "# What hotkeyd saw keys do: \"no\" when press and release arrived together.");
        for (size_t i = 0; i < s->n_entries; i++)
                text_builder_add(&text, "%s %s %s\n", s->entries[i].identity, strna(key_to_name(s->entries[i].code)),
                                 key_holds_to_string(s->entries[i].holds));
        return text_builder_take(&text, ret);
}
