/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The logind edge.  For each key hotkeyd owns that logind acts on, hotkeyd
 * holds logind's block inhibitor (handle-power-key, ...), so that a press
 * does not power off before a hold can complete; for a short press it then
 * does what logind would have done (HandlePowerKey=, ...), unless another
 * process (a desktop shell) holds the same inhibitor and acts on the key
 * itself.  Everything is asynchronous on the given bus. */

#include <stddef.h>
#include <systemd/sd-bus.h>

typedef struct Logind Logind;

int logind_new(sd_bus *bus, Logind **ret);
Logind *logind_free(Logind *l);

/* Holds the inhibitors for the keys among codes that logind acts on and
 * releases those no longer needed.  A failure is logged, not returned: the
 * key then keeps logind's own behaviour. */
void logind_set_keys(Logind *l, const unsigned *codes, size_t n_codes);

/* A short press of the key on the seat (see core/short-press.h). */
void logind_short_press(Logind *l, const char *seat, unsigned code);
