/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

#include "fr-client.h"

/* The session agent (factory-reset --agent): io.hotkeyd.FactoryReset1.Agent
 * at FR_AGENT_PATH on the system bus, registered with RegisterAgent()
 * whenever hotkeyd (re)appears on the bus.  RequestConfirmation opens the
 * confirmation dialog, CancelConfirmation closes it. */

#define FR_AGENT_PATH "/io/hotkeyd/FactoryReset/Agent"

typedef struct FrAgent FrAgent;

FrAgent *fr_agent_new(GtkApplication *app, FrClient *client, GError **error);
void fr_agent_free(FrAgent *agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(FrAgent, fr_agent_free)
