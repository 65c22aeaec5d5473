/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

#include "fr-client.h"

/* While a reset key is held on the agent's seat (HoldStarted, HoldProgress):
 * a small window that tells people to keep holding and how far along the
 * hold is.  It never answers anything; the confirmation dialog follows.
 * Both are AdwDialogs in a window of their own (fr_present_alone()): the
 * code that presents the confirmation has run once by the time it comes,
 * which the first confirmation of a boot paid for alone in the VM. */

G_BEGIN_DECLS

#define FR_TYPE_HOLD_WINDOW (fr_hold_window_get_type())
G_DECLARE_FINAL_TYPE(FrHoldWindow, fr_hold_window, FR, HOLD_WINDOW, AdwDialog)

FrHoldWindow *fr_hold_window_new(FrClient *client, const char *trigger);
void fr_hold_window_set_progress(FrHoldWindow *self, guint64 elapsed_usec, guint64 total_usec);

G_END_DECLS
