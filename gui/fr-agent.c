/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <glib/gi18n.h>

#include "bus-names.h"
#include "fr-agent.h"
#include "fr-confirm-dialog.h"
#include "fr-hold-window.h"
#include "fr-widgets.h"

struct FrAgent {
        GtkApplication *app;
        FrClient *client;
        GDBusNodeInfo *node;
        guint registration_id;
        char *registered_with; /* the daemon's unique name we registered with */
        guint retry_id;         /* a registration to try again */
        guint retry_seconds;    /* the next wait, doubling up to REGISTER_RETRY_MAX_SECONDS */
        GCancellable *cancellable;
        FrConfirmDialog *dialog; /* weak */
        FrConfirmDialog *spare; /* the next one, not presented yet */
        guint spare_id;
        gboolean warmed_up;     /* the first spare paid the first frame's costs */
        /* The last request, the likeliest next one: the spare is filled in
         * with it, and with the countdown the daemon gives requests. */
        char *last_trigger, *last_device;
        gint64 timeout_usec;
        FrHoldWindow *hold_window; /* weak */
        char *seat;
};

static void say(const char *line) {
        /* The tests (and the user journal) follow the agent on stdout. */
        printf("%s\n", line);
        fflush(stdout);
}

static void close_dialog(FrAgent *agent, const char *reason) {
        if (agent->dialog)
                fr_confirm_dialog_close_unanswered(agent->dialog, reason);
}

static void close_hold_window(FrAgent *agent) {
        if (agent->hold_window)
                adw_dialog_force_close(ADW_DIALOG(agent->hold_window));
}

/* The next dialog's widget tree, built while nothing else is to do, so
 * that a request only fills it in and presents it (the templates of the
 * dialog and of libadwaita's widgets are parsed per instance).  Prepared
 * again when a hold says which request is coming. */
static gboolean on_prepare_spare(gpointer user_data) {
        FrAgent *agent = user_data;

        agent->spare_id = 0;
        if (!agent->spare)
                agent->spare = fr_confirm_dialog_new(agent->client);
        fr_confirm_dialog_prepare(agent->spare, agent->last_trigger, agent->last_device, agent->timeout_usec);
        /* Without it the first dialog took 2-3 times as long as the later
         * ones to be mapped (bench/RESULTS.md, dialog latency). */
        if (!agent->warmed_up) {
                agent->warmed_up = TRUE;
                fr_confirm_dialog_warm_up(agent->client, agent->last_trigger, agent->last_device,
                                          agent->timeout_usec);
        }
        return G_SOURCE_REMOVE;
}

static void prepare_spare_later(FrAgent *agent) {
        if (agent->spare_id == 0)
                agent->spare_id = g_idle_add_full(G_PRIORITY_LOW, on_prepare_spare, agent, NULL);
}

/* The request the spare is filled in for; whether that changed. */
static gboolean expect_texts(FrAgent *agent, const char *trigger, const char *device) {
        gboolean changed = g_set_str(&agent->last_trigger, trigger);

        return g_set_str(&agent->last_device, device) || changed;
}

/* The name a request gives for the device of that node (HoldStarted says
 * the node), from the daemon's Devices, a(sss): node, name, seat. */
static char *device_name(FrClient *client, const char *node) {
        g_autoptr(GVariant) devices = fr_client_dup_property(client, "Devices", "a(sss)");
        const char *n, *name, *seat;
        GVariantIter iter;

        if (!devices)
                return NULL;
        g_variant_iter_init(&iter, devices);
        while (g_variant_iter_next(&iter, "(&s&s&s)", &n, &name, &seat))
                if (g_str_equal(n, node))
                        return g_strdup(name);
        return NULL;
}

/* A hold names the request that will follow it: its gesture and device
 * go into the spare's text while the key is held.  Without them the first
 * dialog of a process (no request seen yet) shaped its intro anew when
 * presented: in the VM, text shaping was a quarter of its presenting time
 * and almost none of the later ones'. */
static void expect_request(FrAgent *agent, const char *trigger, const char *node) {
        g_autofree char *device = device_name(agent->client, node);

        if (device && expect_texts(agent, trigger, device))
                prepare_spare_later(agent);
}

static void on_hold_started(FrClient *client, const char *trigger, const char *seat, const char *device,
                            FrAgent *agent) {
        if (!g_str_equal(seat, agent->seat) || agent->dialog || !agent->registered_with)
                return;
        close_hold_window(agent);
        agent->hold_window = fr_hold_window_new(client, trigger);
        g_object_add_weak_pointer(G_OBJECT(agent->hold_window), (gpointer *) &agent->hold_window);
        fr_present_alone(ADW_DIALOG(agent->hold_window), agent->app);
        expect_request(agent, trigger, device);
        say("hold-started");
}

static void on_hold_progress(FrClient *client, const char *trigger, const char *seat, guint64 elapsed,
                             guint64 total, FrAgent *agent) {
        if (agent->hold_window && g_str_equal(seat, agent->seat))
                fr_hold_window_set_progress(agent->hold_window, elapsed, total);
}

static void on_hold_ended(FrClient *client, const char *trigger, const char *seat, const char *reason,
                          FrAgent *agent) {
        if (g_str_equal(seat, agent->seat))
                close_hold_window(agent);
}

/* The daemon refuses registrations for a while when it is flooded
 * (LimitsExceeded), or cannot ask logind (Failed): both pass, and a
 * session without its agent would be asked nothing, so try again. */
#define REGISTER_RETRY_FIRST_SECONDS 1
#define REGISTER_RETRY_MAX_SECONDS 30

static void on_register_done(GObject *source, GAsyncResult *result, gpointer user_data);

static void register_agent(FrAgent *agent) {
        fr_client_call(agent->client, "RegisterAgent", g_variant_new("(o)", FR_AGENT_PATH), FALSE,
                       agent->cancellable, on_register_done, agent);
}

static gboolean on_register_retry(gpointer user_data) {
        FrAgent *agent = user_data;

        agent->retry_id = 0;
        if (agent->registered_with)
                register_agent(agent);
        return G_SOURCE_REMOVE;
}

static gboolean register_error_passes(const GError *error) {
        g_autofree char *name = g_dbus_error_get_remote_error(error);

        return g_strcmp0(name, "org.freedesktop.DBus.Error.LimitsExceeded") == 0 ||
               g_strcmp0(name, "org.freedesktop.DBus.Error.Failed") == 0 ||
               g_strcmp0(name, "org.freedesktop.DBus.Error.NoReply") == 0 ||
               g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void on_register_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        FrAgent *agent = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = fr_client_call_finish(result, &error);

        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                return;
        if (!reply) {
                g_autofree char *text = fr_client_error_to_string(error);

                if (register_error_passes(error) && agent->registered_with) {
                        g_printerr("Could not register as the factory reset agent of this session, trying again "
                                   "in %u s: %s\n", agent->retry_seconds, text);
                        say("register-retry");
                        g_clear_handle_id(&agent->retry_id, g_source_remove);
                        agent->retry_id = g_timeout_add_seconds(agent->retry_seconds, on_register_retry, agent);
                        agent->retry_seconds = MIN(agent->retry_seconds * 2, REGISTER_RETRY_MAX_SECONDS);
                        return;
                }
                g_printerr("Could not register as the factory reset agent of this session: %s\n", text);
                g_clear_pointer(&agent->registered_with, g_free);
                return;
        }
        agent->retry_seconds = REGISTER_RETRY_FIRST_SECONDS;
        if (!agent->spare)
                prepare_spare_later(agent);
        say("registered");
}

/* The countdown a request comes with, ConfirmTimeoutUSec: without it the
 * first spare was filled in with none, and the first request's countdown
 * (a wrapped sentence) measured the whole dialog again while it was
 * presented, 3.1 of its 26 million instructions (callgrind; the later
 * dialogs 22.9 million). */
static void expect_timeout(FrAgent *agent) {
        g_autoptr(GVariant) timeout = fr_client_dup_property(agent->client, "ConfirmTimeoutUSec", "t");
        gint64 usec = timeout ? (gint64) MIN(g_variant_get_uint64(timeout), (guint64) G_MAXINT64) : 0;

        if (usec != agent->timeout_usec) {
                agent->timeout_usec = usec;
                if (agent->spare)
                        prepare_spare_later(agent);
        }
}

/* hotkeyd came, went or restarted (a new unique name): register again.
 * Or its properties changed. */
static void on_client_changed(FrClient *client, FrAgent *agent) {
        g_autofree char *owner = fr_client_dup_name_owner(client);

        expect_timeout(agent);

        if (!owner) {
                if (agent->registered_with) {
                        say("daemon-gone");
                        close_dialog(agent, "daemon-gone");
                }
                g_clear_pointer(&agent->registered_with, g_free);
                return;
        }
        if (g_strcmp0(owner, agent->registered_with) == 0)
                return;
        close_dialog(agent, "daemon-restarted");
        g_free(agent->registered_with);
        agent->registered_with = g_steal_pointer(&owner);
        g_clear_handle_id(&agent->retry_id, g_source_remove);
        agent->retry_seconds = REGISTER_RETRY_FIRST_SECONDS;
        register_agent(agent);
}

static void request_confirmation(FrAgent *agent, GVariant *parameters) {
        g_autoptr(FrConfirmDialog) dialog = NULL; /* the window holds it once presented */
        const char *trigger, *seat, *device;
        guint32 id;
        guint64 deadline;
        char line[64];

        g_variant_get(parameters, "(u&s&s&st)", &id, &trigger, &seat, &device, &deadline);
        /* One confirmation per seat, and an agent has one seat: a new
         * request replaces whatever is left of an old one. */
        close_dialog(agent, "replaced");
        dialog = g_steal_pointer(&agent->spare) ?: fr_confirm_dialog_new(agent->client);
        agent->dialog = dialog;
        g_object_add_weak_pointer(G_OBJECT(agent->dialog), (gpointer *) &agent->dialog);
        fr_confirm_dialog_ask(dialog, id, trigger, device, (gint64) deadline);
        expect_texts(agent, trigger, device);
        fr_confirm_dialog_present(dialog, agent->app);
        /* Closed once the dialog is up, not before: the dialog replaces it
         * on the screen with no empty frame between, and the person waits
         * for the dialog, not for a window to be taken down. */
        close_hold_window(agent);
        prepare_spare_later(agent);
        g_snprintf(line, sizeof line, "request %u", id);
        say(line);
}

static void method_call(GDBusConnection *connection, const char *sender, const char *object_path,
                        const char *interface_name, const char *method_name, GVariant *parameters,
                        GDBusMethodInvocation *invocation, gpointer user_data) {
        FrAgent *agent = user_data;

        /* The bus policy lets only root call agents; only hotkeyd's answer
         * counts here. */
        if (g_strcmp0(sender, agent->registered_with) != 0) {
                g_dbus_method_invocation_return_dbus_error(invocation, "org.freedesktop.DBus.Error.AccessDenied",
                                                           "Only hotkeyd may ask this agent.");
                return;
        }

        if (g_str_equal(method_name, "RequestConfirmation")) {
                /* Reply first: the dialog is on screen within one frame, and
                 * the daemon never waits for a person. */
                g_dbus_method_invocation_return_value(invocation, NULL);
                request_confirmation(agent, parameters);
        } else if (g_str_equal(method_name, "CancelConfirmation")) {
                guint32 id;
                const char *reason;

                g_variant_get(parameters, "(u&s)", &id, &reason);
                if (agent->dialog && fr_confirm_dialog_get_request_id(agent->dialog) == id)
                        close_dialog(agent, reason);
                g_dbus_method_invocation_return_value(invocation, NULL);
        } else
                g_dbus_method_invocation_return_dbus_error(invocation, "org.freedesktop.DBus.Error.UnknownMethod",
                                                           "Unknown method.");
}

static const GDBusInterfaceVTable vtable = {
        .method_call = method_call,
};

FrAgent *fr_agent_new(GtkApplication *app, FrClient *client, GError **error) {
        g_autoptr(FrAgent) agent = g_new0(FrAgent, 1);
        g_autoptr(GBytes) xml = NULL;
        GDBusInterfaceInfo *iface;

        agent->app = app;
        agent->client = g_object_ref(client);
        agent->cancellable = g_cancellable_new();
        /* The seat of this session, as pam_systemd exported it. */
        agent->seat = g_strdup(g_getenv("XDG_SEAT") ?: "seat0");

        xml = g_resources_lookup_data("/io/hotkeyd/FactoryReset/io.hotkeyd.FactoryReset1.Agent.xml",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, error);
        if (!xml)
                return NULL;
        agent->node = g_dbus_node_info_new_for_xml(g_bytes_get_data(xml, NULL), error);
        if (!agent->node)
                return NULL;
        iface = g_dbus_node_info_lookup_interface(agent->node, HOTKEYD_AGENT_INTERFACE);
        g_assert(iface);

        agent->registration_id = g_dbus_connection_register_object(fr_client_get_connection(client), FR_AGENT_PATH,
                                                                   iface, &vtable, agent, NULL, error);
        if (agent->registration_id == 0)
                return NULL;

        g_signal_connect(client, "changed", G_CALLBACK(on_client_changed), agent);
        g_signal_connect(client, "hold-started", G_CALLBACK(on_hold_started), agent);
        g_signal_connect(client, "hold-progress", G_CALLBACK(on_hold_progress), agent);
        g_signal_connect(client, "hold-cancelled", G_CALLBACK(on_hold_ended), agent);
        on_client_changed(client, agent);
        return g_steal_pointer(&agent);
}

void fr_agent_free(FrAgent *agent) {
        if (!agent)
                return;
        if (agent->cancellable)
                g_cancellable_cancel(agent->cancellable);
        g_clear_object(&agent->cancellable);
        g_clear_handle_id(&agent->retry_id, g_source_remove);
        g_clear_handle_id(&agent->spare_id, g_source_remove);
        g_clear_object(&agent->spare);
        if (agent->dialog)
                adw_dialog_force_close(ADW_DIALOG(agent->dialog));
        close_hold_window(agent);
        if (agent->registration_id)
                g_dbus_connection_unregister_object(fr_client_get_connection(agent->client), agent->registration_id);
        if (agent->client)
                g_signal_handlers_disconnect_by_data(agent->client, agent);
        g_clear_object(&agent->client);
        g_clear_pointer(&agent->node, g_dbus_node_info_unref);
        g_free(agent->registered_with);
        g_free(agent->seat);
        g_free(agent->last_trigger);
        g_free(agent->last_device);
        g_free(agent);
}
