/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The input edge: finds the evdev devices that can emit a trigger key (libudev
 * enumeration and monitor, libevdev probe), opens them, asks the kernel to
 * deliver only those keys (EVIOCSMASK), and turns what they report into key
 * callbacks with monotonic times.  It decides nothing: gestures are the
 * engine's business. */

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "gesture.h"
#include "time-util.h"

typedef struct Input Input;
typedef struct InputDevice InputDevice;

typedef struct InputCallbacks {
        /* A trigger key changed state.  value: 1 pressed, 0 released. */
        void (*key)(InputDevice *d, unsigned code, int value, KeySource source, usec_t t, void *userdata);
        void (*device_added)(InputDevice *d, void *userdata);
        /* Called before the device is freed. */
        void (*device_removed)(InputDevice *d, usec_t t, void *userdata);
} InputCallbacks;

/* keys: the trigger keys to watch (copied). */
int input_new(sd_event *event, const unsigned *keys, size_t n_keys,
              const InputCallbacks *callbacks, void *userdata, Input **ret);
Input *input_free(Input *input);

/* Enumerates present devices and starts watching for hotplug. */
int input_start(Input *input);

/* Replaces the set of watched keys: every device is closed and probed again. */
int input_set_keys(Input *input, const unsigned *keys, size_t n_keys);

size_t input_n_devices(const Input *input);

/* Iteration over the watched devices, in no particular order. */
InputDevice *input_first_device(Input *input);
InputDevice *input_next_device(InputDevice *d);
/* The watched device whose node is devnode ("/dev/input/event3"), or NULL. */
InputDevice *input_find_device_by_node(Input *input, const char *devnode);

uint64_t input_device_id(const InputDevice *d);
const char *input_device_node(const InputDevice *d);
const char *input_device_seat(const InputDevice *d);
/* The kernel's name of the device, valid UTF-8 (invalid bytes replaced by
 * U+FFFD), so that it can go on the bus. */
const char *input_device_name(const InputDevice *d);
