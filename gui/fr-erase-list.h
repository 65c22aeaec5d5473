/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

#include "fr-client.h"

/* "What will be erased", from the daemon's ErasedPartitions, ClearsTpm,
 * EraseProblems, Tpm and ResetPlugins properties: a boxed list that the window and the
 * confirmation dialog both show.  A property the daemon does not have gives
 * a "cannot tell" row, never a guess. */

GtkWidget *fr_erase_list_new(void);
void fr_erase_list_update(GtkWidget *list, FrClient *client);
/* The list as one text, heading first: what a screen reader says of it
 * where it cannot move over the rows (a dialog's description). */
char *fr_erase_list_describe(GtkWidget *list);

/* A read-only AdwActionRow with a title, an optional subtitle and an icon;
 * its accessible label is both texts.  Also used for "what happens next". */
GtkWidget *fr_info_row_new(const char *icon_name, const char *title, const char *subtitle);
