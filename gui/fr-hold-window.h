/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

#include "fr-client.h"

/* While a reset key is held on the agent's seat (HoldStarted, HoldProgress):
 * a small window that tells people to keep holding and how far along the
 * hold is.  It never answers anything; the confirmation dialog follows. */

GtkWindow *fr_hold_window_new(GtkApplication *app, FrClient *client, const char *trigger);
void fr_hold_window_set_progress(GtkWindow *window, guint64 elapsed_usec, guint64 total_usec);
