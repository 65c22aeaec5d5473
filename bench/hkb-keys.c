/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-keys: a keyboard with only KEY_POWER and KEY_ESC, driven line by line
 * ("dialog latency", where the system's hotkeyd asks the GTK agent).
 *
 *   hkb-keys NAME
 *
 * Creates the uinput keyboard NAME (no seat of its own: seat0, where the
 * VM's user session and its agent are) and prints "ready NODE".  Then reads
 * commands on stdin, one per line:
 *   down power|esc   press the key; prints "down KEY US"
 *   up power|esc     release it;    prints "up KEY US"
 *   quit
 * US is the kernel's timestamp of the event, read from the device's own
 * event node with CLOCK_MONOTONIC (as hkb-hold does), so it can be compared
 * with the guest's journal.  The device has no other keys at all: it cannot
 * type Tab, Space or Enter, the keys that reach the dialog's Reset button,
 * so nothing sent through it can confirm a factory reset. */
#include <stdio.h>
#include <string.h>
#include <linux/input.h>

#include "hkb-util.h"

static unsigned key_code(const char *name) {
        if (strcmp(name, "power") == 0)
                return KEY_POWER;
        if (strcmp(name, "esc") == 0)
                return KEY_ESC;
        hkb_die("unknown key '%s' (power or esc)", name);
}

int main(int argc, char *argv[]) {
        static const unsigned keys[] = { KEY_POWER, KEY_ESC };
        struct libevdev_uinput *u;
        struct libevdev *reader;
        char line[128], verb[16], key[16];

        if (argc != 2)
                hkb_die("usage: hkb-keys NAME");
        u = hkb_keyboard_new(argv[1], keys, HKB_ELEMENTSOF(keys));
        reader = hkb_reader_new(u);
        printf("ready %s\n", libevdev_uinput_get_devnode(u));
        fflush(stdout);

        while (fgets(line, sizeof line, stdin)) {
                int value;
                unsigned code;
                uint64_t t;

                if (strncmp(line, "quit", 4) == 0)
                        break;
                if (sscanf(line, "%15s %15s", verb, key) != 2)
                        hkb_die("bad command: %s", line);
                if (strcmp(verb, "down") == 0)
                        value = 1;
                else if (strcmp(verb, "up") == 0)
                        value = 0;
                else
                        hkb_die("bad command: %s", line);
                code = key_code(key);
                hkb_emit(u, EV_KEY, code, value);
                t = hkb_reader_wait_key(reader, code, value, 5 * 1000000u);
                if (!t)
                        hkb_die("our own %s %s did not come back from the kernel within 5 s", verb, key);
                printf("%s %s %llu\n", verb, key, (unsigned long long) t);
                fflush(stdout);
        }
        libevdev_free(reader);
        libevdev_uinput_destroy(u);
        return 0;
}
