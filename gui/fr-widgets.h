/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

/* What the window and the dialog share that their templates cannot say. */

void fr_describe(GtkWidget *widget, const char *description);

/* A boxed list of read-only rows, named for screen readers; it goes into
 * an AdwPreferencesGroup, whose own list has no way to remove all rows. */
GtkWidget *fr_boxed_list_new(const char *name, const char *description);

/* A dialog of the agent, which has no window of its own to put it in:
 * libadwaita gives it one, which the application keeps while it is shown. */
void fr_present_alone(AdwDialog *dialog, GtkApplication *app);
