/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fr-client.h"

/* Key gestures in words for people ("Hold the power button for 3 seconds"),
 * from the daemon's Triggers property, a(sasstuts): name, kernel key names,
 * kind ("hold" or "presses"), HoldSec in µs, Presses, WithinSec in µs,
 * seat. */

G_BEGIN_DECLS

/* One kernel key name in words: "KEY_POWER" → "the power button". */
const char *fr_gesture_key_in_words(const char *key);

/* NULL for a kind this GUI does not know. */
char *fr_gesture_in_words(const char *const *keys, const char *kind, guint64 hold_usec, guint32 presses,
                          guint64 within_usec);

/* The trigger named name in words; NULL when the daemon does not list it
 * (not running, an older daemon, reloaded meanwhile). */
char *fr_gesture_trigger_in_words(FrClient *client, const char *name);

G_END_DECLS
