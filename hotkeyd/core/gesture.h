/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The gesture engine: a state machine fed with key events and a clock.  No
 * I/O: the caller passes every event's time, asks for the next deadline, and
 * calls gesture_engine_advance() when it is reached.  Events are reported
 * synchronously through the callback. */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "time-util.h"

typedef enum GestureEventType {
        GESTURE_HOLD_START,
        GESTURE_HOLD_PROGRESS,
        GESTURE_HOLD_CANCEL,
        GESTURE_TRIGGER,
        _GESTURE_EVENT_TYPE_MAX,
} GestureEventType;

typedef enum GestureCancelReason {
        GESTURE_CANCEL_RELEASED,    /* a key of the trigger was released */
        GESTURE_CANCEL_DEVICE_GONE, /* the device holding a key went away */
        GESTURE_CANCEL_RESYNC,      /* after SYN_DROPPED the key is up */
        GESTURE_CANCEL_RESET,       /* the caller reset the engine (reload) */
        _GESTURE_CANCEL_REASON_MAX,
} GestureCancelReason;

/* Where a key state came from. */
typedef enum KeySource {
        KEY_SOURCE_EVENT,      /* an event read from the device */
        KEY_SOURCE_RESYNC,     /* state recovered after SYN_DROPPED */
        KEY_SOURCE_PRESS_ONLY, /* an event of a key whose device releases it at the press
                                * (core/key-holds.h): its press starts no hold */
} KeySource;

typedef struct GestureEvent {
        GestureEventType type;
        const Trigger *trigger;
        const char *seat;
        const char *device;        /* HOLD_START, TRIGGER: the device whose press completed the keys */
        usec_t time;               /* when it happened (engine clock) */
        usec_t elapsed_usec;       /* PROGRESS, CANCEL, TRIGGER of a hold: time held */
        usec_t total_usec;         /* PROGRESS: the trigger's HoldSec */
        unsigned presses;          /* TRIGGER of a Presses= trigger */
        GestureCancelReason reason; /* CANCEL */
        /* HOLD_START, TRIGGER: the physical gestures on the seat this one
         * spans.  A physical gesture lasts from a trigger key going down
         * while none was held on the seat until every one is up again; they
         * are numbered from 1 per seat.  first is the one in which the
         * trigger's first key (or first counted press) went down, last the
         * one going on now.  Triggers completed by one physical gesture
         * (a chord that completes its one-key part too, the last of several
         * presses held on) share a number, so that a rule wanting separate
         * gestures (kiosk mode) can tell them apart from repeated ones. */
        uint64_t gesture_first, gesture_last;
} GestureEvent;

/* The event and its strings are valid only during the call.  The engine's
 * state already reflects the event when the callback runs; the callback must
 * not feed the engine (key, device_gone, advance, reset) itself. */
typedef void (*gesture_event_fn)(const GestureEvent *event, void *userdata);

typedef struct GestureEngine GestureEngine;

const char *gesture_event_type_to_string(GestureEventType t);
const char *gesture_cancel_reason_to_string(GestureCancelReason r);

/* The config must outlive the engine.  -EINVAL for a trigger without keys
 * or with Presses=0. */
int gesture_engine_new(const Config *config, gesture_event_fn fn, void *userdata, GestureEngine **ret);
GestureEngine *gesture_engine_free(GestureEngine *e);
DEFINE_POINTER_CLEANUP(GestureEngine, gesture_engine_free);

/* A key changed state on a device.  value: 1 press, 0 release, 2 autorepeat
 * (ignored).  device_id identifies the device across calls; device_name
 * (its devnode) and seat are copied; a NULL seat means seat0.  Deadlines up
 * to t fire first, so a release at exactly HoldSec completes the hold.  t
 * earlier than an earlier call's time is taken as that time. */
void gesture_engine_key(GestureEngine *e, uint64_t device_id, const char *device_name, const char *seat,
                        unsigned code, int value, KeySource source, usec_t t);

/* Every key the device held is released (reason DEVICE_GONE). */
void gesture_engine_device_gone(GestureEngine *e, uint64_t device_id, usec_t t);

/* Fires every deadline up to now. */
void gesture_engine_advance(GestureEngine *e, usec_t now);

/* The next time gesture_engine_advance() has work, or USEC_INFINITY. */
usec_t gesture_engine_next_deadline(const GestureEngine *e);

/* Cancels every running hold (reason RESET) and forgets all key state. */
void gesture_engine_reset(GestureEngine *e, usec_t t);

/* Whether any key of the seat is held (for tests and status). */
bool gesture_engine_key_held(const GestureEngine *e, const char *seat, unsigned code);
