/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which trigger keys of which device can be held, without I/O.
 *
 * Many power keys never report a hold: the ACPI power button, intel-vbtn
 * and the intel-hid 5-button array report press and release at the moment
 * of the press (the kernel releases the key itself).  A hold trigger on
 * such a key can never fire.  Three sources say what a key does:
 *
 * - the kernel driver of the input device's parent, its phys and bus type
 *   (key_holds_from_driver(): what the driver's source code guarantees);
 * - what was seen at run time (key_holds_evidence(): a release with the
 *   press's kernel timestamp, or without usable timestamps one delivered in
 *   the same read as its press, is press-only; a release >= 1 ms later is a
 *   real one);
 * - what was seen before, kept in a file of text lines (KeyHoldsStore),
 *   keyed by a stable identity of the device (key_holds_identity()).
 *
 * What was seen wins over the driver table, and the latest evidence wins
 * over older evidence: the table is knowledge about kernels, the evidence
 * is about this machine. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "time-util.h"

typedef enum KeyHolds {
        KEY_HOLDS_UNKNOWN,
        KEY_HOLDS_YES,
        KEY_HOLDS_NO,
        _KEY_HOLDS_MAX,
        _KEY_HOLDS_INVALID = -EINVAL,
} KeyHolds;

/* "unknown", "yes", "no": the words of the DeviceKeys property. */
const char *key_holds_to_string(KeyHolds h);
KeyHolds key_holds_from_string(const char *s);

/* What is known about an input device, from udev and evdev. */
typedef struct DeviceFacts {
        const char *driver; /* kernel driver of the input device's parent (udev), NULL: none or unknown */
        const char *phys;   /* EVIOCGPHYS, NULL: none */
        const char *name;   /* EVIOCGNAME, NULL: none */
        unsigned bustype;   /* EVIOCGID */
} DeviceFacts;

/* From what the kernel driver is known to do with key code.  Returns the
 * verdict and, unless it is unknown, a reason in words without the yes or
 * no ("ACPI button: press and release arrive together", "keyboard"); NULL
 * for unknown. */
KeyHolds key_holds_from_driver(const DeviceFacts *facts, unsigned code, const char **ret_reason);

/* What one release says about its key.  press_stamp/release_stamp: the
 * kernel's timestamps of the two events (any clock, the same for both);
 * same_read: both were taken from the device in one read (one wakeup). */
typedef enum KeyHoldsEvidence {
        KEY_HOLDS_EVIDENCE_NONE,
        KEY_HOLDS_EVIDENCE_TOGETHER, /* press-only */
        KEY_HOLDS_EVIDENCE_HELD,     /* reports real releases */
} KeyHoldsEvidence;

/* A release less than this after its press (by kernel time) came with it. */
#define KEY_HOLDS_TOGETHER_USEC (1 * USEC_PER_MSEC)

KeyHoldsEvidence key_holds_evidence(usec_t press_stamp, usec_t release_stamp, bool same_read);

/* The evidence as a verdict and its reason ("seen: press and release arrived
 * together", "seen held"); NONE gives UNKNOWN and NULL. */
KeyHolds key_holds_from_evidence(KeyHoldsEvidence e, const char **ret_reason);

/* The verdict of a key: what was seen (learned: YES or NO) wins over the
 * driver table, except that a driver known to release its key at the press
 * stays press-only (a "held" seen there is a late timestamp); without
 * anything seen, the table's. */
KeyHolds key_holds_combine(KeyHolds table, const char *table_reason, KeyHolds learned, const char **ret_reason);

/* A stable identity of a device, the same after a reboot or a replug into
 * the same port: "BBBB:VVVV:PPPP:RRRR PATH NAME" (bus type, vendor, product,
 * version in hex; udev's ID_PATH; the kernel's name), PATH and NAME escaped
 * by key_holds_escape() ("-" when empty).  Returns 0 or -ENOMEM. */
int key_holds_identity(unsigned bustype, unsigned vendor, unsigned product, unsigned version, const char *id_path,
                       const char *name, char **ret);

/* Any bytes as one word of printable ASCII: bytes outside '!'..'~', '\\'
 * and a leading '-' become \xNN; "" becomes "-". */
int key_holds_escape(const char *s, char **ret);

/* What was learned, in the order it was learned (oldest first). */
typedef struct KeyHoldsEntry {
        char *identity;
        unsigned code;
        KeyHolds holds; /* YES or NO */
} KeyHoldsEntry;

/* Bounds the file: a machine sees few devices with trigger keys, but
 * docks and KVM switches bring new identities; the oldest go first. */
#define KEY_HOLDS_STORE_MAX 256

typedef struct KeyHoldsStore {
        KeyHoldsEntry *entries;
        size_t n_entries;
} KeyHoldsStore;

void key_holds_store_done(KeyHoldsStore *s);

/* UNKNOWN when nothing was learned. */
KeyHolds key_holds_store_get(const KeyHoldsStore *s, const char *identity, unsigned code);

/* Records (moves to the end as the latest).  Returns 1 when the stored
 * value changed, 0 when it was already so, -ENOMEM, -EINVAL for holds other
 * than YES or NO or an identity that is not one word. */
int key_holds_store_set(KeyHoldsStore *s, const char *identity, unsigned code, KeyHolds holds);

/* The file's text:
 *
 *     # hotkeyd key holds 1
 *     BBBB:VVVV:PPPP:RRRR PATH NAME KEY_NAME yes|no
 *
 * Comments (#) and empty lines are allowed.  Anything else (an unknown
 * first line, a wrong number of fields, an unknown key, a bad value, a bad
 * escape, more than KEY_HOLDS_STORE_MAX entries, a NUL byte) makes the whole
 * text invalid: returns -EBADMSG with ret_error set to the line number and
 * the problem ("line 3: unknown key name \"KEY_FOO\""), and *ret untouched.
 * A key given twice keeps its last value. */
int key_holds_store_parse(const char *text, size_t size, KeyHoldsStore *ret, char **ret_error);

int key_holds_store_format(const KeyHoldsStore *s, char **ret);
