/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gi18n.h>

#include "bus-names.h"
#include "fr-client.h"

/* Long enough for a person to type a password, and for systemd's job. */
#define INTERACTIVE_CALL_TIMEOUT_MSEC (5 * 60 * 1000)

struct _FrClient {
        GObject parent_instance;
        GDBusProxy *proxy;
};

G_DEFINE_FINAL_TYPE(FrClient, fr_client, G_TYPE_OBJECT)

enum {
        SIGNAL_CHANGED,
        SIGNAL_HOLD_STARTED,
        SIGNAL_HOLD_PROGRESS,
        SIGNAL_HOLD_CANCELLED,
        N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void on_properties_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, FrClient *self) {
        g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void on_name_owner(GObject *proxy, GParamSpec *pspec, FrClient *self) {
        g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void on_signal(GDBusProxy *proxy, const char *sender, const char *name, GVariant *parameters,
                      FrClient *self) {
        const char *trigger, *seat, *device, *reason;
        guint64 elapsed, total;

        if (g_str_equal(name, "HoldStarted") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sss)"))) {
                g_variant_get(parameters, "(&s&s&s)", &trigger, &seat, &device);
                g_signal_emit(self, signals[SIGNAL_HOLD_STARTED], 0, trigger, seat, device);
        } else if (g_str_equal(name, "HoldProgress") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sstt)"))) {
                g_variant_get(parameters, "(&s&stt)", &trigger, &seat, &elapsed, &total);
                g_signal_emit(self, signals[SIGNAL_HOLD_PROGRESS], 0, trigger, seat, elapsed, total);
        } else if ((g_str_equal(name, "HoldCancelled") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssts)")))) {
                g_variant_get(parameters, "(&s&st&s)", &trigger, &seat, &elapsed, &reason);
                g_signal_emit(self, signals[SIGNAL_HOLD_CANCELLED], 0, trigger, seat, reason);
        } else if (g_str_equal(name, "Triggered") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)"))) {
                /* The hold is over; the agent hears the rest through
                 * RequestConfirmation. */
                g_variant_get(parameters, "(&s&s)", &trigger, &seat);
                g_signal_emit(self, signals[SIGNAL_HOLD_CANCELLED], 0, trigger, seat, "triggered");
        }
}

static void fr_client_dispose(GObject *object) {
        FrClient *self = FR_CLIENT(object);

        if (self->proxy)
                g_signal_handlers_disconnect_by_data(self->proxy, self);
        g_clear_object(&self->proxy);
        G_OBJECT_CLASS(fr_client_parent_class)->dispose(object);
}

static void fr_client_class_init(FrClientClass *klass) {
        G_OBJECT_CLASS(klass)->dispose = fr_client_dispose;

        signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                               0, NULL, NULL, NULL, G_TYPE_NONE, 0);
        signals[SIGNAL_HOLD_STARTED] = g_signal_new("hold-started", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                                    0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                                    G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
        signals[SIGNAL_HOLD_PROGRESS] = g_signal_new("hold-progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                                     0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                                     G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT64);
        signals[SIGNAL_HOLD_CANCELLED] = g_signal_new("hold-cancelled", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                                      0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                                      G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void fr_client_init(FrClient *self) {
}

FrClient *fr_client_new(GError **error) {
        g_autoptr(FrClient) self = g_object_new(FR_TYPE_CLIENT, NULL);

        /* Synchronous on purpose: the properties are read once (a few ms)
         * before the first frame, so nothing is drawn half-filled. */
        self->proxy = g_dbus_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE, NULL,
                                                    HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE,
                                                    NULL, error);
        if (!self->proxy)
                return NULL;
        g_dbus_proxy_set_default_timeout(self->proxy, INTERACTIVE_CALL_TIMEOUT_MSEC);
        g_signal_connect(self->proxy, "g-properties-changed", G_CALLBACK(on_properties_changed), self);
        g_signal_connect(self->proxy, "notify::g-name-owner", G_CALLBACK(on_name_owner), self);
        g_signal_connect(self->proxy, "g-signal", G_CALLBACK(on_signal), self);
        return g_steal_pointer(&self);
}

GDBusConnection *fr_client_get_connection(FrClient *self) {
        return g_dbus_proxy_get_connection(self->proxy);
}

char *fr_client_dup_name_owner(FrClient *self) {
        return g_dbus_proxy_get_name_owner(self->proxy);
}

gboolean fr_client_is_running(FrClient *self) {
        g_autofree char *owner = fr_client_dup_name_owner(self);
        return owner != NULL;
}

GVariant *fr_client_dup_property(FrClient *self, const char *name, const char *type) {
        g_autoptr(GVariant) v = NULL;

        if (!fr_client_is_running(self))
                return NULL;
        v = g_dbus_proxy_get_cached_property(self->proxy, name);
        if (!v || !g_variant_is_of_type(v, G_VARIANT_TYPE(type)))
                return NULL;
        return g_steal_pointer(&v);
}

gboolean fr_client_get_supported(FrClient *self) {
        g_autoptr(GVariant) v = fr_client_dup_property(self, "Supported", "b");
        return v && g_variant_get_boolean(v);
}

/* Interned: the daemon's modes and reasons are a handful of sentences. */
static const char *cached_string(FrClient *self, const char *name, const char *fallback) {
        g_autoptr(GVariant) v = fr_client_dup_property(self, name, "s");

        return v ? g_intern_string(g_variant_get_string(v, NULL)) : fallback;
}

const char *fr_client_get_unsupported_reason(FrClient *self) {
        return cached_string(self, "UnsupportedReason", "");
}

const char *fr_client_get_mode(FrClient *self) {
        return cached_string(self, "Mode", "unknown");
}

void fr_client_call(FrClient *self, const char *method, GVariant *parameters, gboolean interactive,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        g_dbus_proxy_call(self->proxy, method, parameters,
                          interactive ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION : G_DBUS_CALL_FLAGS_NONE,
                          -1, cancellable, callback, user_data);
}

GVariant *fr_client_call_finish(GAsyncResult *result, GError **error) {
        /* The source of the result is the proxy, not the client. */
        g_autoptr(GObject) proxy = g_async_result_get_source_object(result);

        return g_dbus_proxy_call_finish(G_DBUS_PROXY(proxy), result, error);
}

/* The daemon's errors in words; its own message names the reason. */
static const struct {
        const char *name;
        const char *what; /* followed by the daemon's message */
} error_table[] = {
        { "org.freedesktop.DBus.Error.NotSupported", N_("A factory reset cannot be requested:") },
        { "org.freedesktop.DBus.Error.AccessDenied", N_("You are not allowed to do this:") },
        { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
          N_("Authentication is required, but no authentication agent could ask for it:") },
        { HOTKEYD_ERROR_NOT_PENDING, N_("No reset is pending, so there is nothing to cancel:") },
        { HOTKEYD_ERROR_IN_PROGRESS, N_("A reset is running right now:") },
        { HOTKEYD_ERROR_JOB_FAILED, N_("The reset could not be started:") },
        { HOTKEYD_ERROR_CANCEL_FAILED, N_("The pending reset could not be cancelled:") },
        { HOTKEYD_ERROR_NO_SUCH_REQUEST, N_("This request is over already:") },
        { "org.freedesktop.DBus.Error.NoReply", N_("The factory reset service did not answer in time:") },
        { "org.freedesktop.DBus.Error.Timeout", N_("The factory reset service did not answer in time:") },
};

char *fr_client_error_to_string(const GError *error) {
        g_autoptr(GError) stripped = NULL;
        g_autofree char *name = NULL;
        const char *message;

        if (!g_dbus_error_is_remote_error(error))
                return g_strdup_printf(_("The factory reset service could not be reached: %s"), error->message);

        name = g_dbus_error_get_remote_error(error);
        stripped = g_error_copy(error);
        g_dbus_error_strip_remote_error(stripped);
        message = stripped->message;

        if (g_str_equal(name, "org.freedesktop.DBus.Error.ServiceUnknown") ||
            g_str_equal(name, "org.freedesktop.DBus.Error.NameHasNoOwner") ||
            g_str_has_prefix(name, "org.freedesktop.DBus.Error.Spawn."))
                return g_strdup(_("The factory reset service (hotkeyd) is not running."));

        for (gsize i = 0; i < G_N_ELEMENTS(error_table); i++)
                if (g_str_equal(name, error_table[i].name))
                        /* Translators: a sentence ending with a colon, then the service's message. */
                        return g_strdup_printf(C_("error", "%s %s"), _(error_table[i].what), message);

        return g_strdup_printf(_("Something went wrong: %s (%s)"), message, name);
}
