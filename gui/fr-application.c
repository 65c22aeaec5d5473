/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "build-config.h"
#include "fr-agent.h"
#include "fr-application.h"
#include "fr-client.h"
#include "fr-window.h"

struct _FrApplication {
        AdwApplication parent_instance;
        gboolean agent_mode;
        FrClient *client;
        FrAgent *agent;
};

G_DEFINE_FINAL_TYPE(FrApplication, fr_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
        { "agent", 0, 0, G_OPTION_ARG_NONE, NULL,
          N_("Run as the session agent that confirms key gestures"), NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
        { NULL },
};

static int fr_application_handle_local_options(GApplication *app, GVariantDict *dict) {
        FrApplication *self = FR_APPLICATION(app);

        if (g_variant_dict_contains(dict, "version")) {
                g_print("factory-reset %s\n", PACKAGE_VERSION);
                return 0;
        }
        if (g_variant_dict_contains(dict, "agent")) {
                /* One agent per session (the daemon enforces it); the agent
                 * must not swallow the window's activation either. */
                self->agent_mode = TRUE;
                g_application_set_flags(app, g_application_get_flags(app) | G_APPLICATION_NON_UNIQUE);
        }
        return -1;
}

/* systemd stops the user unit with SIGTERM: leave through the main loop, so
 * that windows go and the bus connection closes in order (the daemon then
 * forgets the agent; an open request is declined as "went away"). */
static gboolean on_sigterm(gpointer user_data) {
        g_application_quit(G_APPLICATION(user_data));
        return G_SOURCE_CONTINUE;
}

static void fr_application_startup(GApplication *app) {
        FrApplication *self = FR_APPLICATION(app);
        g_autoptr(GError) error = NULL;

        G_APPLICATION_CLASS(fr_application_parent_class)->startup(app);
        g_unix_signal_add(SIGTERM, on_sigterm, app);

        self->client = fr_client_new(&error);
        if (!self->client) {
                g_printerr(_("Cannot connect to the system bus: %s\n"), error->message);
                return;
        }
        if (self->agent_mode) {
                self->agent = fr_agent_new(GTK_APPLICATION(app), self->client, &error);
                if (!self->agent) {
                        g_printerr(_("Cannot start the session agent: %s\n"), error->message);
                        return;
                }
                /* The agent lives as long as the session. */
                g_application_hold(app);
        }
}

static void fr_application_activate(GApplication *app) {
        FrApplication *self = FR_APPLICATION(app);
        GtkWindow *window;

        if (self->agent_mode || !self->client)
                return;
        window = gtk_application_get_active_window(GTK_APPLICATION(app));
        if (!window)
                window = GTK_WINDOW(fr_window_new(GTK_APPLICATION(app), self->client));
        gtk_window_present(window);
}

static void fr_application_shutdown(GApplication *app) {
        FrApplication *self = FR_APPLICATION(app);

        g_clear_pointer(&self->agent, fr_agent_free);
        G_APPLICATION_CLASS(fr_application_parent_class)->shutdown(app);
}

static void fr_application_dispose(GObject *object) {
        FrApplication *self = FR_APPLICATION(object);

        g_clear_pointer(&self->agent, fr_agent_free);
        g_clear_object(&self->client);
        G_OBJECT_CLASS(fr_application_parent_class)->dispose(object);
}

static void fr_application_class_init(FrApplicationClass *klass) {
        GApplicationClass *app_class = G_APPLICATION_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = fr_application_dispose;
        app_class->handle_local_options = fr_application_handle_local_options;
        app_class->startup = fr_application_startup;
        app_class->activate = fr_application_activate;
        app_class->shutdown = fr_application_shutdown;
}

static void fr_application_init(FrApplication *self) {
        g_application_add_main_option_entries(G_APPLICATION(self), options);
}

FrApplication *fr_application_new(void) {
        return g_object_new(FR_TYPE_APPLICATION,
                            "application-id", FR_APP_ID,
                            "flags", G_APPLICATION_DEFAULT_FLAGS,
                            NULL);
}
