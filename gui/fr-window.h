/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

#include "fr-client.h"

/* The window a settings-panel button opens: whether a reset is supported
 * (and why not), the current mode, what will be erased, what happens next,
 * and the Reset button behind a deliberate confirmation step. */

G_BEGIN_DECLS

#define FR_TYPE_WINDOW (fr_window_get_type())
G_DECLARE_FINAL_TYPE(FrWindow, fr_window, FR, WINDOW, AdwApplicationWindow)

FrWindow *fr_window_new(GtkApplication *app, FrClient *client);

G_END_DECLS
