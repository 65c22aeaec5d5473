/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

/* The few widget recipes the window, the dialog and the lists share. */

/* A left-aligned, wrapping label; css_class may be NULL. */
GtkWidget *fr_label_new(const char *text, const char *css_class);

/* A button with a mnemonic label and an accessible description (what it
 * does and when it is available); css_class may be NULL. */
GtkWidget *fr_button_new(const char *mnemonic, const char *description, const char *css_class,
                         GCallback clicked, gpointer user_data);

void fr_describe(GtkWidget *widget, const char *description);
void fr_set_margins(GtkWidget *widget, int vertical, int horizontal);

/* A framed list of read-only rows, named for screen readers. */
GtkWidget *fr_boxed_list_new(const char *name, const char *description);
