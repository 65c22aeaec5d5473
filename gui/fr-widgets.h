/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

/* What the window and the dialog share that their templates cannot say. */

void fr_describe(GtkWidget *widget, const char *description);

/* A boxed list of read-only rows, named for screen readers; it goes into
 * an AdwPreferencesGroup, whose own list has no way to remove all rows. */
GtkWidget *fr_boxed_list_new(const char *name, const char *description);
