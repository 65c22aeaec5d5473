/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include <time.h>

#include "device-util.h"
#include "input.h"
#include "keys.h"
#include "log.h"
#include "utf8.h"

/* Kernel timestamps are used only when they are on our clock and close to
 * the time of reading; anything else (no EVIOCSCLOCKID, replayed events,
 * clock jumps) falls back to the time the event was read. */
#define EVENT_TIME_MAX_AGE_USEC (5 * USEC_PER_SEC)
#define EVENT_TIME_MAX_AHEAD_USEC (1 * USEC_PER_MSEC)

/* One trigger key of a device: what the driver table and learning say, and
 * the press that learning waits to see released. */
typedef struct InputDeviceKey {
        unsigned code;
        KeyHolds table;
        const char *table_reason; /* static */
        KeyHolds learned;         /* from the store, then from what is seen */
        bool pressed;
        usec_t press_stamp; /* the kernel's, raw: compared with its release only */
        uint64_t press_read;
} InputDeviceKey;

struct InputDevice {
        Input *input;
        InputDevice *next;
        uint64_t id;
        char *syspath;
        char *devnode;
        char *seat;
        char *name; /* the kernel's, invalid UTF-8 replaced: it goes on the bus */
        int fd;
        struct libevdev *evdev;
        sd_event_source *io;
        bool monotonic_timestamps;
        char *identity; /* key_holds_identity() */
        char *driver;   /* of the input device's parent, for the driver table */
        InputDeviceKey *keys;
        size_t n_keys;
        uint64_t reads; /* counts wakeups: a press and release of one are "the same read" */
};

struct Input {
        sd_event *event;
        sd_device_monitor *monitor; /* NULL: not started */
        unsigned *keys;
        size_t n_keys;
        InputDevice *devices;
        size_t n_devices;
        uint64_t next_id;
        const KeyHoldsStore *holds_store;
        InputCallbacks callbacks;
        void *userdata;
};

uint64_t input_device_id(const InputDevice *d) {
        assert(d);

        return d->id;
}

const char *input_device_node(const InputDevice *d) {
        assert(d);

        return d->devnode;
}

const char *input_device_seat(const InputDevice *d) {
        assert(d);

        return d->seat;
}

const char *input_device_name(const InputDevice *d) {
        assert(d);

        return strna(d->name);
}

InputDevice *input_first_device(Input *input) {
        assert(input);

        return input->devices;
}

InputDevice *input_next_device(InputDevice *d) {
        assert(d);

        return d->next;
}

InputDevice *input_find_device_by_node(Input *input, const char *devnode) {
        if (!input || !devnode)
                return NULL;
        for (InputDevice *d = input->devices; d; d = d->next)
                if (streq_ptr(d->devnode, devnode))
                        return d;
        return NULL;
}

size_t input_n_devices(const Input *input) {
        assert(input);

        return input->n_devices;
}

const char *input_device_identity(const InputDevice *d) {
        assert(d);

        return d->identity;
}

size_t input_device_n_keys(const InputDevice *d) {
        assert(d);

        return d->n_keys;
}

unsigned input_device_key_code(const InputDevice *d, size_t i) {
        assert(d);

        return d->keys[i].code;
}

KeyHolds input_device_key_holds(const InputDevice *d, size_t i, const char **ret_reason) {
        assert(d);

        return key_holds_combine(d->keys[i].table, d->keys[i].table_reason, d->keys[i].learned, ret_reason);
}

static InputDevice *input_device_free(InputDevice *d) {
        if (!d)
                return NULL;
        sd_event_source_disable_unref(d->io);
        libevdev_free(d->evdev);
        if (d->fd >= 0)
                close(d->fd);
        free(d->syspath);
        free(d->devnode);
        free(d->seat);
        free(d->name);
        free(d->identity);
        free(d->driver);
        free(d->keys);
        free(d);
        return NULL;
}
DEFINE_POINTER_CLEANUP(InputDevice, input_device_free);

static void input_device_remove(InputDevice *d, usec_t t) {
        Input *input = d->input;

        for (InputDevice **p = &input->devices; *p; p = &(*p)->next)
                if (*p == d) {
                        *p = d->next;
                        break;
                }
        input->n_devices--;

        log_info("Stopped watching %s (%s).", d->devnode, input_device_name(d));
        if (input->callbacks.device_removed)
                input->callbacks.device_removed(d, t, input->userdata);
        input_device_free(d);
}

static bool input_wants_key(const Input *input, unsigned code) {
        for (size_t i = 0; i < input->n_keys; i++)
                if (input->keys[i] == code)
                        return true;
        return false;
}

static usec_t event_time(const InputDevice *d, const struct input_event *ev, usec_t now) {
        if (!d->monotonic_timestamps)
                return now;

        usec_t t = (usec_t) ev->input_event_sec * USEC_PER_SEC + (usec_t) ev->input_event_usec;
        if (t > now + EVENT_TIME_MAX_AHEAD_USEC || t + EVENT_TIME_MAX_AGE_USEC < now)
                return now;
        return t;
}

static InputDeviceKey *input_device_find_key(InputDevice *d, unsigned code) {
        for (size_t i = 0; i < d->n_keys; i++)
                if (d->keys[i].code == code)
                        return &d->keys[i];
        return NULL;
}

/* A press and its release: what they say about the key (core/key-holds.c).
 * The stamps are the kernel's as they are, on whatever clock: only their
 * difference counts. */
static void input_device_learn(InputDevice *d, const struct input_event *ev, KeySource source) {
        InputDeviceKey *k = input_device_find_key(d, ev->code);
        usec_t stamp = (usec_t) ev->input_event_sec * USEC_PER_SEC + (usec_t) ev->input_event_usec;

        if (!k)
                return;
        if (source != KEY_SOURCE_EVENT) {
                /* What resync replays has no time of its own. */
                k->pressed = false;
                return;
        }
        if (ev->value == 1) {
                k->pressed = true;
                k->press_stamp = stamp;
                k->press_read = d->reads;
                return;
        }
        if (!k->pressed)
                return; /* held when opened, or after a resync */
        k->pressed = false;

        KeyHolds learned = key_holds_from_evidence(
                key_holds_evidence(k->press_stamp, stamp, k->press_read == d->reads), NULL);
        if (learned == k->learned)
                return;
        k->learned = learned;
        if (d->input->callbacks.key_holds_changed)
                d->input->callbacks.key_holds_changed(d, k->code, d->input->userdata);
}

static void input_device_dispatch(InputDevice *d, const struct input_event *ev, KeySource source, usec_t now) {
        Input *input = d->input;

        if (ev->type != EV_KEY || ev->value == 2)
                return;
        /* The mask keeps other keys out, but it may be unavailable (umockdev,
         * old kernels) and resync reports every key. */
        if (!input_wants_key(input, ev->code))
                return;

        /* What is known already tells the engine not to start a hold that
         * the release arriving with the press would end at once. */
        KeySource key_source = source;
        InputDeviceKey *k = input_device_find_key(d, ev->code);
        if (source == KEY_SOURCE_EVENT && k &&
            key_holds_combine(k->table, k->table_reason, k->learned, NULL) == KEY_HOLDS_NO)
                key_source = KEY_SOURCE_PRESS_ONLY;

        input->callbacks.key(d, ev->code, ev->value, key_source, event_time(d, ev, now), input->userdata);
        input_device_learn(d, ev, source);
}

static int input_device_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        InputDevice *d = ASSERT_PTR(userdata);
        unsigned flags = LIBEVDEV_READ_FLAG_NORMAL;
        int r;

        d->reads++;
        for (;;) {
                struct input_event ev;

                r = libevdev_next_event(d->evdev, flags, &ev);
                if (r == -EAGAIN) {
                        if (flags & LIBEVDEV_READ_FLAG_SYNC) {
                                /* Resync done, back to normal reading. */
                                flags = LIBEVDEV_READ_FLAG_NORMAL;
                                continue;
                        }
                        break;
                }
                if (r < 0) {
                        log_full(r == -ENODEV ? LOG_INFO : LOG_WARNING, r, NULL,
                                 "Reading %s failed, dropping the device: %m", d->devnode);
                        input_device_remove(d, now_usec(CLOCK_MONOTONIC));
                        return 0;
                }

                usec_t now = now_usec(CLOCK_MONOTONIC);
                if (r == LIBEVDEV_READ_STATUS_SYNC) {
                        if (!(flags & LIBEVDEV_READ_FLAG_SYNC)) {
                                /* This is the SYN_DROPPED itself: the kernel lost
                                 * events, libevdev now replays the difference. */
                                log_warning("Events from %s were dropped, resynchronising key state.", d->devnode);
                                flags = LIBEVDEV_READ_FLAG_SYNC;
                                continue;
                        }
                        input_device_dispatch(d, &ev, KEY_SOURCE_RESYNC, now);
                        continue;
                }

                input_device_dispatch(d, &ev, KEY_SOURCE_EVENT, now);
        }

        if (revents & (EPOLLHUP | EPOLLERR)) {
                log_info("%s hung up, dropping the device.", d->devnode);
                input_device_remove(d, now_usec(CLOCK_MONOTONIC));
        }
        return 0;
}

/* Only trigger keys and SYN reach us: typing on a keyboard that also has a
 * power key then causes no wakeup at all. */
static void input_device_apply_mask(InputDevice *d) {
        static const unsigned masked_types[] = { EV_KEY, EV_REL, EV_ABS, EV_MSC, EV_SW, EV_LED, EV_SND, EV_FF };
        unsigned long key_bits[KEY_CNT / (8 * sizeof(unsigned long)) + 1] = {};

        for (size_t i = 0; i < d->input->n_keys; i++) {
                unsigned code = d->input->keys[i];
                key_bits[code / (8 * sizeof(unsigned long))] |= 1UL << (code % (8 * sizeof(unsigned long)));
        }

        for (size_t i = 0; i < ELEMENTSOF(masked_types); i++) {
                struct input_mask mask = {
                        .type = masked_types[i],
                        .codes_size = masked_types[i] == EV_KEY ? sizeof key_bits : 0,
                        .codes_ptr = (uint64_t) (uintptr_t) key_bits,
                };

                if (ioctl(d->fd, EVIOCSMASK, &mask) < 0) {
                        /* Not fatal: we filter in user space as well. */
                        log_debug_errno(-errno, "EVIOCSMASK not available on %s, filtering in user space: %m",
                                        d->devnode);
                        return;
                }
        }
}

static bool input_device_has_trigger_key(const InputDevice *d) {
        for (size_t i = 0; i < d->input->n_keys; i++)
                if (libevdev_has_event_code(d->evdev, EV_KEY, d->input->keys[i]))
                        return true;
        return false;
}

/* The trigger keys the device has, classified: driver table, then what
 * the store remembers.  A key that stays keeps what was seen of it. */
static int input_device_classify(InputDevice *d) {
        const char *name = libevdev_get_name(d->evdev);
        DeviceFacts facts = {
                .driver = d->driver,
                .phys = libevdev_get_phys(d->evdev),
                .name = name,
                .bustype = (unsigned) libevdev_get_id_bustype(d->evdev),
        };
        InputDeviceKey *keys;
        size_t n = 0;

        keys = calloc(d->input->n_keys, sizeof *keys);
        if (!keys && d->input->n_keys > 0)
                return -ENOMEM;

        for (size_t i = 0; i < d->input->n_keys; i++) {
                unsigned code = d->input->keys[i];
                const InputDeviceKey *old = input_device_find_key(d, code);
                InputDeviceKey *k = &keys[n];

                if (!libevdev_has_event_code(d->evdev, EV_KEY, code))
                        continue;
                if (old)
                        *k = *old;
                else {
                        k->code = code;
                        k->table = key_holds_from_driver(&facts, code, &k->table_reason);
                        if (d->input->holds_store)
                                k->learned = key_holds_store_get(d->input->holds_store, d->identity, code);
                }
                n++;
        }
        free(d->keys);
        d->keys = keys;
        d->n_keys = n;
        return 0;
}

/* What the driver table needs from udev: the driver of the device the
 * input device belongs to (event3 -> input7 -> LNXPWRBN:00, "button"). */
static int input_device_read_udev(InputDevice *d, sd_device *dev) {
        sd_device *input_dev, *parent;
        const char *driver = NULL;
        int r;

        if (sd_device_get_parent_with_subsystem_devtype(dev, "input", NULL, &input_dev) >= 0 &&
            sd_device_get_parent(input_dev, &parent) >= 0)
                (void) sd_device_get_driver(parent, &driver);
        if (driver) {
                d->driver = strdup(driver);
                if (!d->driver)
                        return -ENOMEM;
        }
        r = key_holds_identity((unsigned) libevdev_get_id_bustype(d->evdev),
                               (unsigned) libevdev_get_id_vendor(d->evdev),
                               (unsigned) libevdev_get_id_product(d->evdev),
                               (unsigned) libevdev_get_id_version(d->evdev),
                               device_property(dev, "ID_PATH"), libevdev_get_name(d->evdev),
                               &d->identity);
        if (r < 0)
                return r;
        return input_device_classify(d);
}

static InputDevice *input_find_device(Input *input, const char *syspath) {
        for (InputDevice *d = input->devices; d; d = d->next)
                if (streq(d->syspath, syspath))
                        return d;
        return NULL;
}

static const char *device_seat(sd_device *dev) {
        return device_property(dev, "ID_SEAT") ?: "seat0";
}

static int input_add_device(Input *input, sd_device *dev) {
        _cleanup_(input_device_freep) InputDevice *d = NULL;
        const char *sysname = device_sysname(dev);
        const char *devnode = device_devname(dev);
        const char *syspath = device_syspath(dev);
        int r;

        if (!sysname || strncmp(sysname, "event", 5) != 0 || !devnode || !syspath)
                return 0;
        if (input_find_device(input, syspath))
                return 0;

        d = calloc(1, sizeof *d);
        if (!d)
                return log_oom();
        d->input = input;
        d->fd = -EBADF;
        d->syspath = strdup(syspath);
        d->devnode = strdup(devnode);
        d->seat = strdup(device_seat(dev));
        if (!d->syspath || !d->devnode || !d->seat)
                return log_oom();

        d->fd = open(devnode, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (d->fd < 0)
                return log_warning_errno(-errno, "Failed to open %s, ignoring it: %m", devnode);

        r = libevdev_new_from_fd(d->fd, &d->evdev);
        if (r < 0)
                return log_warning_errno(r, "Failed to probe %s, ignoring it: %m", devnode);
        /* Any bytes at all, from the device's firmware or a uinput program:
         * one name that is not UTF-8 would make every GetAll() fail. */
        if (libevdev_get_name(d->evdev)) {
                d->name = utf8_escape_invalid(libevdev_get_name(d->evdev));
                if (!d->name)
                        return log_oom();
        }

        if (!input_device_has_trigger_key(d)) {
                log_debug("%s (%s) has no trigger key, not watching it.", devnode, input_device_name(d));
                return 0;
        }
        r = input_device_read_udev(d, dev);
        if (r < 0)
                return log_oom();

        /* Without it the kernel stamps events with CLOCK_REALTIME. */
        d->monotonic_timestamps = libevdev_set_clock_id(d->evdev, CLOCK_MONOTONIC) == 0;
        input_device_apply_mask(d);

        r = sd_event_add_io(input->event, &d->io, d->fd, EPOLLIN, input_device_on_io, d);
        if (r < 0)
                return log_error_errno(r, "Failed to watch %s: %m", devnode);
        /* Keys before bus callers: a flood of calls must not delay a
         * press or a release (each one would shorten or lengthen a hold). */
        r = sd_event_source_set_priority(d->io, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0)
                return log_error_errno(r, "Failed to set the priority of %s: %m", devnode);

        d->id = ++input->next_id;
        d->next = input->devices;
        input->devices = d;
        input->n_devices++;

        log_info("Watching %s (%s) on %s.", d->devnode, input_device_name(d), d->seat);
        for (size_t i = 0; i < d->n_keys; i++) {
                const char *reason;
                KeyHolds h = input_device_key_holds(d, i, &reason);
                log_info("%s: %s holds: %s%s%s%s", d->devnode, strna(key_to_name(d->keys[i].code)),
                         h == KEY_HOLDS_UNKNOWN ? "not seen yet" : key_holds_to_string(h), reason ? " (" : "",
                         strempty(reason), reason ? ")" : "");
        }
        log_debug("%s: identity %s, parent driver %s.", d->devnode, d->identity, strna(d->driver));
        InputDevice *added = TAKE_PTR(d);
        if (input->callbacks.device_added)
                input->callbacks.device_added(added, input->userdata);
        return 1;
}

/* "change": udev's properties may differ now.  ID_SEAT does when the
 * device was moved to another seat (loginctl attach).  Whatever of them we
 * use changed, the device is dropped and taken again, as if unplugged and
 * plugged: its keys are released on the old seat (device-gone), a key held
 * across the move is ignored on the new one (held when opened), and the
 * probe decides again whether it is wanted.  A change of nothing we use
 * (udevadm trigger sends one to every device) leaves it alone, holds
 * included. */
static void input_change_device(Input *input, sd_device *dev) {
        const char *syspath = device_syspath(dev);
        const char *devnode = device_devname(dev);
        InputDevice *d = syspath ? input_find_device(input, syspath) : NULL;

        if (d) {
                const char *seat = device_seat(dev);

                if (streq(seat, d->seat) && devnode && streq(devnode, d->devnode))
                        return;
                if (!streq(seat, d->seat))
                        log_info("%s (%s) moved from %s to %s.", d->devnode, input_device_name(d), d->seat, seat);
                else
                        log_info("%s (%s) is now %s.", d->devnode, input_device_name(d), strna(devnode));
                input_device_remove(d, now_usec(CLOCK_MONOTONIC));
        }
        /* Also a device we do not watch: it may have become what we want. */
        (void) input_add_device(input, dev);
}

static int input_on_uevent(sd_device_monitor *monitor, sd_device *dev, void *userdata) {
        Input *input = ASSERT_PTR(userdata);
        sd_device_action_t action;

        if (sd_device_get_action(dev, &action) < 0)
                return 0;
        switch (action) {
        case SD_DEVICE_REMOVE: {
                const char *syspath = device_syspath(dev);
                InputDevice *d = syspath ? input_find_device(input, syspath) : NULL;
                if (d)
                        input_device_remove(d, now_usec(CLOCK_MONOTONIC));
                break;
        }
        case SD_DEVICE_ADD:
                (void) input_add_device(input, dev);
                break;
        case SD_DEVICE_CHANGE:
                input_change_device(input, dev);
                break;
        default:
                break;
        }
        return 0;
}

static int input_enumerate(Input *input) {
        _cleanup_(sd_device_enumerator_unrefp) sd_device_enumerator *e = NULL;
        int r;

        r = sd_device_enumerator_new(&e);
        if (r < 0)
                return log_oom();

        r = sd_device_enumerator_add_match_subsystem(e, "input", true);
        if (r < 0)
                return log_error_errno(r, "Failed to match input devices: %m");

        r = sd_device_enumerator_add_match_sysname(e, "event*");
        if (r < 0)
                return log_error_errno(r, "Failed to match event devices: %m");

        /* A device udev has not finished with yet is announced by an "add"
         * uevent later; its properties (ID_SEAT) are not final.  The
         * enumerator's default leaves out only those that have a node. */
        for (sd_device *dev = sd_device_enumerator_get_device_first(e); dev;
             dev = sd_device_enumerator_get_device_next(e))
                if (sd_device_get_is_initialized(dev) > 0)
                        (void) input_add_device(input, dev);

        return 0;
}

static int input_copy_keys(Input *input, const unsigned *keys, size_t n_keys) {
        unsigned *copy = NULL;

        if (n_keys > 0) {
                copy = calloc(n_keys, sizeof *copy);
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, keys, n_keys * sizeof *copy);
        }
        free(input->keys);
        input->keys = copy;
        input->n_keys = n_keys;
        return 0;
}

int input_new(sd_event *event, const unsigned *keys, size_t n_keys,
              const InputCallbacks *callbacks, void *userdata, Input **ret) {
        Input *input;

        assert(event);
        assert(callbacks);
        assert(ret);

        input = calloc(1, sizeof *input);
        if (!input)
                return -ENOMEM;

        input->event = sd_event_ref(event);
        input->callbacks = *callbacks;
        input->userdata = userdata;
        if (input_copy_keys(input, keys, n_keys) < 0) {
                input_free(input);
                return -ENOMEM;
        }
        *ret = input;
        return 0;
}

Input *input_free(Input *input) {
        if (!input)
                return NULL;

        /* No callbacks while tearing down: the owner is going away too. */
        input->callbacks.device_removed = NULL;
        while (input->devices)
                input_device_remove(input->devices, 0);
        sd_device_monitor_unref(input->monitor);
        sd_event_unref(input->event);
        free(input->keys);
        free(input);
        return NULL;
}

void input_set_holds_store(Input *input, const KeyHoldsStore *store) {
        assert(input);

        input->holds_store = store;
}

int input_start(Input *input) {
        int r;

        assert(input);

        /* Monitor first, then enumerate, so no device slips through between. */
        r = device_monitor_start(input->event, "input", input_on_uevent, input, &input->monitor);
        if (r < 0)
                return log_error_errno(r, "Failed to listen for input hotplug: %m");

        return input_enumerate(input);
}

int input_set_keys(Input *input, const unsigned *keys, size_t n_keys) {
        usec_t now = now_usec(CLOCK_MONOTONIC);
        InputDevice *next;
        int r;

        assert(input);

        r = input_copy_keys(input, keys, n_keys);
        if (r < 0)
                return log_oom();

        /* Devices we watch are probed again in place: they may have been
         * announced by a uevent only, and enumeration would skip them. */
        for (InputDevice *d = input->devices; d; d = next) {
                next = d->next;
                if (input_device_has_trigger_key(d)) {
                        input_device_apply_mask(d);
                        if (input_device_classify(d) < 0)
                                return log_oom();
                } else
                        input_device_remove(d, now);
        }

        if (!input->monitor)
                return n_keys > 0 ? input_start(input) : 0;
        return input_enumerate(input);
}
