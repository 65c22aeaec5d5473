/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

#include "fr-client.h"

/* The agent's modal dialog for one confirmation request: what will be
 * erased, a countdown after which the request is declined, "More Time",
 * Cancel (focused and the default at every size; also Escape and the
 * close button) and Reset, which stays insensitive until "I understand…"
 * is checked.  It answers the
 * daemon itself (Confirm, Decline, ExtendConfirmation) and destroys itself
 * once the request is over. */

G_BEGIN_DECLS

#define FR_TYPE_CONFIRM_DIALOG (fr_confirm_dialog_get_type())
G_DECLARE_FINAL_TYPE(FrConfirmDialog, fr_confirm_dialog, FR, CONFIRM_DIALOG, AdwDialog)

/* Built ahead (a reference of the caller's): the widget tree costs more
 * than the rest of the way to the screen, so the agent keeps one ready. */
FrConfirmDialog *fr_confirm_dialog_new(FrClient *client);
/* On a dialog not yet asked, while the agent has nothing else to do: what
 * will be erased (as the daemon says now), the texts of the request most
 * likely to come (trigger NULL: none known yet; timeout_usec: the countdown
 * it starts with, 0: not known) and the content's size, worked out ahead;
 * fr_confirm_dialog_ask() changes what differs. */
void fr_confirm_dialog_prepare(FrConfirmDialog *self, const char *trigger, const char *device,
                               gint64 timeout_usec);
/* Once per process, after the first spare is prepared: the first
 * dialog's one-time costs (style, fonts, renderer) paid ahead on a
 * stand-in filled in with these, nothing shown. */
void fr_confirm_dialog_warm_up(FrClient *client, const char *trigger, const char *device, gint64 timeout_usec);
/* Once per dialog: the request it asks about, then present it. */
void fr_confirm_dialog_ask(FrConfirmDialog *self, guint32 request_id, const char *trigger, const char *device,
                           gint64 deadline_usec);
/* In a window of its own (the agent has none), with the focus on Cancel. */
void fr_confirm_dialog_present(FrConfirmDialog *self, GtkApplication *app);
guint32 fr_confirm_dialog_get_request_id(FrConfirmDialog *self);

/* The daemon ended the request (CancelConfirmation) or went away: close
 * without answering. */
void fr_confirm_dialog_close_unanswered(FrConfirmDialog *self, const char *reason);

G_END_DECLS
