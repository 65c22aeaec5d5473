/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-devices: K keyboards with KEY_POWER and M mice (no trigger key), for
 * "open fds versus devices that can emit a trigger key".
 *
 *   hkb-devices KEYBOARDS MICE
 *
 * Prints "ready" once all exist and keeps them until stdin ends. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/input.h>

#include "hkb-util.h"

int main(int argc, char *argv[]) {
        static const unsigned keys[] = { KEY_POWER, KEY_A, KEY_B, KEY_ENTER };
        struct libevdev_uinput **u;
        char name[64];

        if (argc != 3)
                hkb_die("usage: hkb-devices KEYBOARDS MICE");
        unsigned k = (unsigned) strtoul(argv[1], NULL, 10), m = (unsigned) strtoul(argv[2], NULL, 10);
        u = calloc(k + m + 1, sizeof *u);
        if (!u)
                hkb_die("out of memory");
        for (unsigned i = 0; i < k; i++) {
                snprintf(name, sizeof name, "hotkeyd-bench-keyboard-%u", i + 1);
                u[i] = hkb_keyboard_new(name, keys, HKB_ELEMENTSOF(keys));
        }
        for (unsigned i = 0; i < m; i++) {
                snprintf(name, sizeof name, "hotkeyd-bench-mouse-%u", i + 1);
                u[k + i] = hkb_mouse_new(name);
        }
        printf("ready\n");
        fflush(stdout);
        char buf[256];
        while (read(STDIN_FILENO, buf, sizeof buf) > 0)
                ;
        for (unsigned i = 0; i < k + m; i++)
                libevdev_uinput_destroy(u[i]);
        free(u);
        return EXIT_SUCCESS;
}
