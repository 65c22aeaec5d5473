/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

/* io.hotkeyd.FactoryReset1 on the system bus, the only thing the GUI talks
 * to.  "changed" is emitted when the daemon's properties change or the
 * daemon comes or goes (see fr_client_is_running()); the Hold* signals are
 * passed on as they arrive. */

G_BEGIN_DECLS

#define FR_TYPE_CLIENT (fr_client_get_type())
G_DECLARE_FINAL_TYPE(FrClient, fr_client, FR, CLIENT, GObject)

FrClient *fr_client_new(GError **error);

GDBusConnection *fr_client_get_connection(FrClient *self);
gboolean fr_client_is_running(FrClient *self);
/* The daemon's unique bus name now, NULL when it is not running. */
char *fr_client_dup_name_owner(FrClient *self);

gboolean fr_client_get_supported(FrClient *self);
const char *fr_client_get_unsupported_reason(FrClient *self);
const char *fr_client_get_mode(FrClient *self);

/* A property of the given type from the daemon, or NULL when the daemon
 * does not have it (older daemon) or is not running: the caller says
 * "cannot tell" then.  Free with g_variant_unref(). */
GVariant *fr_client_dup_property(FrClient *self, const char *name, const char *type);

/* A method of the daemon; interactive calls let polkit ask for a password
 * through the session's authentication agent and wait long enough for a
 * person to type it. */
void fr_client_call(FrClient *self, const char *method, GVariant *parameters, gboolean interactive,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GVariant *fr_client_call_finish(GAsyncResult *result, GError **error);

/* A failed call in words for people. */
char *fr_client_error_to_string(const GError *error);

G_END_DECLS
