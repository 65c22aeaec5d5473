/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

/* For the tests and for reviewing the look: when
 * $FACTORY_RESET_SCREENSHOT_DIR is set, the widget is rendered to
 * DIR/NAME.png once it has been shown and drawn, and "screenshot PATH" is
 * printed on stdout.  Without the variable this does nothing. */
void fr_screenshot_when_shown(GtkWidget *widget, const char *name);
