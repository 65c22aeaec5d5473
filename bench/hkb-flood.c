/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-flood: the "cost while typing" load.
 *
 * Creates two uinput devices: a keyboard that also has KEY_POWER (so every
 * daemon watching for the power key opens it) and a relative mouse.  Prints
 * "ready KEYBOARD_NODE MOUSE_NODE", then waits for a line
 * "go N_KEY_EVENTS N_MOTION_EVENTS" on stdin, writes that many non-trigger
 * key events (letters, press and release alternately) and relative motion
 * events, each as its own frame (event + SYN_REPORT in one write), the two
 * devices interleaved, as fast as it can, and prints "done ELAPSED_US".
 * "quit" or end of input destroys the devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/input.h>

#include "hkb-util.h"

static const unsigned letters[] = {
        KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
        KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
};

int main(int argc, char *argv[]) {
        unsigned keys[HKB_ELEMENTSOF(letters) + 1];
        struct libevdev_uinput *kbd, *mouse;
        char line[256];

        memcpy(keys, letters, sizeof letters);
        keys[HKB_ELEMENTSOF(letters)] = KEY_POWER;
        kbd = hkb_keyboard_new("hotkeyd-bench flood keyboard", keys, HKB_ELEMENTSOF(keys));
        mouse = hkb_mouse_new("hotkeyd-bench flood mouse");
        printf("ready %s %s\n", libevdev_uinput_get_devnode(kbd) ?: "-", libevdev_uinput_get_devnode(mouse) ?: "-");
        fflush(stdout);

        while (fgets(line, sizeof line, stdin)) {
                unsigned long long nk, nm;

                if (strncmp(line, "quit", 4) == 0)
                        break;
                if (sscanf(line, "go %llu %llu", &nk, &nm) != 2) {
                        fprintf(stderr, "hkb-flood: unknown command: %s", line);
                        continue;
                }
                uint64_t t0 = hkb_now_us();
                for (unsigned long long i = 0; i < nk || i < nm; i++) {
                        if (i < nk)
                                hkb_emit(kbd, EV_KEY, letters[(i / 2) % HKB_ELEMENTSOF(letters)], i % 2 == 0);
                        if (i < nm)
                                hkb_emit(mouse, EV_REL, REL_X, i % 2 == 0 ? 1 : -1);
                }
                printf("done %llu\n", (unsigned long long) (hkb_now_us() - t0));
                fflush(stdout);
        }

        libevdev_uinput_destroy(kbd);
        libevdev_uinput_destroy(mouse);
        return EXIT_SUCCESS;
}
