/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>

#include "beep.h"
#include "device-util.h"
#include "log.h"
#include "time-util.h"

#define BEEP_USEC (200 * USEC_PER_MSEC)
#define BEEP_TONE_HZ 880

typedef struct Beeper {
        int fd;
        unsigned code;
        sd_event_source *timer;
} Beeper;

static int beeper_write(int fd, unsigned code, int value) {
        struct input_event ev[2] = {
                { .type = EV_SND, .code = code, .value = value },
                { .type = EV_SYN, .code = SYN_REPORT },
        };
        return write(fd, ev, sizeof ev) == (ssize_t) sizeof ev ? 0 : -errno;
}

static int beeper_on_end(sd_event_source *s, uint64_t usec, void *userdata) {
        Beeper *b = ASSERT_PTR(userdata);

        (void) beeper_write(b->fd, b->code, 0);
        close(b->fd);
        sd_event_source_disable_unref(b->timer);
        free(b);
        return 0;
}

/* Opens the device when it can sound a tone or a bell; -EOPNOTSUPP otherwise.
 * Write only: nothing is read from it, and hotkeyd.service lets the daemon
 * write to the PC speaker alone (writing to an evdev node injects events),
 * so every other node fails here with EPERM. */
static int open_beeper(const char *devnode, unsigned *ret_code, char **ret_name) {
        _cleanup_close_ int fd = -EBADF;
        struct libevdev *dev = NULL;
        int r;

        fd = open(devnode, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        r = libevdev_new_from_fd(fd, &dev);
        if (r < 0)
                return r;

        if (libevdev_has_event_code(dev, EV_SND, SND_TONE))
                *ret_code = SND_TONE;
        else if (libevdev_has_event_code(dev, EV_SND, SND_BELL))
                *ret_code = SND_BELL;
        else {
                libevdev_free(dev);
                return -EOPNOTSUPP;
        }
        *ret_name = strdup(strna(libevdev_get_name(dev)));
        libevdev_free(dev);
        return TAKE_FD(fd);
}

int beep(sd_event *event) {
        _cleanup_(sd_device_enumerator_unrefp) sd_device_enumerator *e = NULL;

        assert(event);

        if (sd_device_enumerator_new(&e) < 0)
                return log_debug_errno(-ENOMEM, "Failed to look for a device that can beep: %m");
        (void) sd_device_enumerator_add_match_subsystem(e, "input", true);
        (void) sd_device_enumerator_add_match_sysname(e, "event*");
        /* Whether udev is done with it does not matter for a beep. */
        (void) sd_device_enumerator_allow_uninitialized(e);

        for (sd_device *d = sd_device_enumerator_get_device_first(e); d; d = sd_device_enumerator_get_device_next(e)) {
                _cleanup_free_ char *name = NULL;
                const char *devnode = device_devname(d);
                unsigned code = 0;
                int fd = devnode ? open_beeper(devnode, &code, &name) : -ENODEV;

                if (IN_SET(fd, -EPERM, -EACCES))
                        log_debug_errno(fd, "Not allowed to write to %s, not a beeper for us: %m", devnode);
                if (fd >= 0) {
                        Beeper *b = calloc(1, sizeof *b);
                        int w = beeper_write(fd, code, code == SND_TONE ? BEEP_TONE_HZ : 1);

                        if (!b || w < 0 ||
                            sd_event_add_time_relative(event, &b->timer, CLOCK_MONOTONIC, BEEP_USEC, 0, beeper_on_end,
                                                       b) < 0) {
                                /* No timer, no end to the tone: stop it now. */
                                (void) beeper_write(fd, code, 0);
                                close(fd);
                                free(b);
                                log_debug("Failed to beep on %s.", devnode);
                        } else {
                                b->fd = fd;
                                b->code = code;
                                log_info("Beeped on %s (%s).", devnode, name);
                                return 1;
                        }
                }
        }
        return 0;
}
