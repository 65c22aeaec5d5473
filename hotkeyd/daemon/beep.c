/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <libudev.h>
#include <linux/input.h>

#include "beep.h"
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
        struct udev *udev = NULL;
        struct udev_enumerate *e = NULL;
        struct udev_list_entry *entry;
        int r = 0;

        assert(event);

        udev = udev_new();
        if (udev)
                e = udev_enumerate_new(udev);
        if (!e) {
                r = log_debug_errno(-ENOMEM, "Failed to look for a device that can beep: %m");
                goto finish;
        }
        (void) udev_enumerate_add_match_subsystem(e, "input");
        (void) udev_enumerate_add_match_sysname(e, "event*");
        (void) udev_enumerate_scan_devices(e);

        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                struct udev_device *d = udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
                _cleanup_free_ char *name = NULL;
                const char *devnode = d ? udev_device_get_devnode(d) : NULL;
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
                                r = 1;
                        }
                }
                udev_device_unref(d);
                if (r > 0)
                        break;
        }

finish:
        udev_enumerate_unref(e);
        udev_unref(udev);
        return r;
}
