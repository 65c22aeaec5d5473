/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* A structured journal entry, as the daemon's log.c writes them: only when
 * stderr is connected to the journal (a user unit, systemd-cat), because
 * elsewhere the agent's stdout line says the same.  message_id is one of
 * messages.h ("MESSAGE_ID=..."); the varargs are FIELD, value pairs (e.g.
 * "HOTKEYD_TRIGGER", "power-key"), ended by NULL. */
void fr_journal(const char *message_id, const char *message, ...) G_GNUC_NULL_TERMINATED;
