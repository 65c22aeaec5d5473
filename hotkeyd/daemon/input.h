/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The input edge: finds the evdev devices that can emit a trigger key (sd-device
 * enumeration and monitor, libevdev probe), opens them, asks the kernel to
 * deliver only those keys (EVIOCSMASK), and turns what they report into key
 * callbacks with monotonic times.  It decides nothing: gestures are the
 * engine's business. */

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "gesture.h"
#include "key-holds.h"
#include "time-util.h"

typedef struct Input Input;
typedef struct InputDevice InputDevice;

typedef struct InputCallbacks {
        /* A trigger key changed state.  value: 1 pressed, 0 released. */
        void (*key)(InputDevice *d, unsigned code, int value, KeySource source, usec_t t, void *userdata);
        void (*device_added)(InputDevice *d, void *userdata);
        /* Called before the device is freed. */
        void (*device_removed)(InputDevice *d, usec_t t, void *userdata);
        /* What a press and its release showed about code differs from what
         * was known (input_device_key_holds() says the new verdict). */
        void (*key_holds_changed)(InputDevice *d, unsigned code, void *userdata);
} InputCallbacks;

/* keys: the trigger keys to watch (copied). */
int input_new(sd_event *event, const unsigned *keys, size_t n_keys,
              const InputCallbacks *callbacks, void *userdata, Input **ret);
Input *input_free(Input *input);

/* What was learned before (borrowed; the owner records what is learned,
 * see key_holds_changed): read when a device is added. */
void input_set_holds_store(Input *input, const KeyHoldsStore *store);

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

/* key_holds_identity() of the device: the same after a reboot or replug. */
const char *input_device_identity(const InputDevice *d);

/* The device's trigger keys (those of the watched keys it has), each with
 * whether it can be held and the reason in words (NULL when unknown). */
size_t input_device_n_keys(const InputDevice *d);
unsigned input_device_key_code(const InputDevice *d, size_t i);
KeyHolds input_device_key_holds(const InputDevice *d, size_t i, const char **ret_reason);
