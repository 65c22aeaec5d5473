/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gi18n.h>

#include "bus-names.h"
#include "fr-application.h"
#include "fr-erase-list.h"
#include "fr-gesture.h"
#include "fr-journal.h"
#include "fr-screenshot.h"
#include "fr-widgets.h"
#include "fr-window.h"
#include "messages.h"

/* The window on a desktop; a smaller screen is used whole. */
#define DEFAULT_WIDTH 720
#define DEFAULT_HEIGHT 800

/* How long after the window first becomes active the reason nothing can be
 * done is announced.  A freshly started app registers itself with the
 * accessibility bus asynchronously (an Embed call, then a query for the
 * listening screen readers), and GTK says nothing when that is done: until
 * then its objects do not exist for a screen reader.  Orca got the
 * window's activation and focus events about 30 ms before the app was
 * known, found the window "dead" and said nothing at all; both round trips
 * to the registry are well within this. */
#define OPENING_ANNOUNCEMENT_DELAY_MSEC 1000

struct _FrWindow {
        AdwApplicationWindow parent_instance;

        FrClient *client;
        GCancellable *cancellable;
        gboolean busy;

        /* From the template (fr-window.ui). */
        GtkWidget *spinner;
        GtkWidget *pending_banner;
        GtkWidget *last_reset_banner;
        GtkWidget *message_box;
        GtkWidget *message_icon;
        GtkWidget *message_label;
        GtkWidget *stack;
        GtkWidget *status_page;
        GtkWidget *content;
        GtkWidget *status_title;
        GtkWidget *status_body;
        GtkWidget *state_group;
        GtkWidget *erase_box;
        GtkWidget *next_box;
        GtkWidget *gestures_box;
        GtkWidget *confirm_group;
        GtkWidget *prompt_label;
        GtkWidget *name_entry;
        GtkWidget *reset_button;

        /* Our own reference: the Confirm group is only in the tree while a
         * reset can be requested, so an unsupported system or a pending
         * reset has no destructive button in it at all. */
        GtkWidget *confirm_ref;
        /* AdwBanner's button, for its description and sensitivity. */
        GtkWidget *banner_button;
        GtkWidget *state_list;
        GtkWidget *erase_list;
        GtkWidget *next_list;
        GtkWidget *gestures_list;

        guint opening_id;
        gboolean opening_done;
};

G_DEFINE_FINAL_TYPE(FrWindow, fr_window, ADW_TYPE_APPLICATION_WINDOW)

static const struct {
        const char *mode;
        const char *words;
} mode_table[] = {
        { "unsupported", N_("Not supported on this computer") },
        { "unspecified", N_("No reset requested") },
        { "off", N_("No reset requested") },
        { "on", N_("A reset is running right now") },
        { "complete", N_("The last reset is complete") },
        { "pending", N_("A reset is pending: it happens the next time the computer starts") },
};

static const char *mode_in_words(const char *mode) {
        for (gsize i = 0; i < G_N_ELEMENTS(mode_table); i++)
                if (g_str_equal(mode, mode_table[i].mode))
                        return _(mode_table[i].words);
        return _("Unknown: the factory reset service has not said yet");
}

/* An error or a result, with an icon and a word that say which: not by
 * colour alone. Announced to screen readers. */
static void show_message(FrWindow *self, gboolean error, const char *text) {
        g_autofree char *full = NULL;

        if (!text) {
                gtk_widget_set_visible(self->message_box, FALSE);
                return;
        }
        full = g_strdup_printf(error ? _("Error: %s") : "%s", text);
        gtk_image_set_from_icon_name(GTK_IMAGE(self->message_icon),
                                     error ? "dialog-error-symbolic" : "emblem-ok-symbolic");
        gtk_accessible_update_property(GTK_ACCESSIBLE(self->message_icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       error ? _("Error") : _("Done"), -1);
        gtk_label_set_text(GTK_LABEL(self->message_label), full);
        if (error)
                gtk_widget_add_css_class(self->message_label, "error");
        else
                gtk_widget_remove_css_class(self->message_label, "error");
        gtk_widget_set_visible(self->message_box, TRUE);
        gtk_accessible_announce(GTK_ACCESSIBLE(self), full,
                                error ? GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_HIGH
                                      : GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
}

static gboolean name_matches(FrWindow *self) {
        g_autofree char *typed = g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->name_entry))));
        return g_ascii_strcasecmp(typed, g_get_host_name()) == 0;
}

static void update_sensitivity(FrWindow *self) {
        gtk_widget_set_sensitive(self->reset_button, !self->busy && name_matches(self));
        if (self->banner_button)
                gtk_widget_set_sensitive(self->banner_button, !self->busy);
        gtk_widget_set_visible(self->spinner, self->busy);
        gtk_spinner_set_spinning(GTK_SPINNER(self->spinner), self->busy);
}

static void set_busy(FrWindow *self, gboolean busy) {
        self->busy = busy;
        update_sensitivity(self);
}

/* The end of a Request() or Cancel(): the reply, or NULL when it failed
 * (the error is shown) or the window went away. */
static GVariant *call_finish(FrWindow *self, GAsyncResult *result) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = fr_client_call_finish(result, &error);

        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                return NULL;
        set_busy(self, FALSE);
        if (!reply) {
                g_autofree char *text = fr_client_error_to_string(error);
                show_message(self, TRUE, text);
        }
        return g_steal_pointer(&reply);
}

static void start_call(FrWindow *self, const char *method, GAsyncReadyCallback callback) {
        show_message(self, FALSE, NULL);
        set_busy(self, TRUE);
        fr_client_call(self->client, method, g_variant_new("(t)", (guint64) 0), TRUE,
                       self->cancellable, callback, g_object_ref(self));
}

static void on_request_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(FrWindow) self = user_data;
        g_autoptr(GVariant) reply = call_finish(self, result);
        const char *answer;

        if (!reply)
                return;
        g_variant_get(reply, "(&s)", &answer);
        if (g_str_equal(answer, REQUEST_RESULT_ALREADY_PENDING))
                show_message(self, FALSE, _("A factory reset was pending already. It happens the next time the computer starts."));
        else
                show_message(self, FALSE, _("The factory reset was requested. The computer restarts now to erase everything."));
}

static void on_reset_clicked(GtkButton *button, FrWindow *self) {
        if (!self->busy && name_matches(self) && gtk_widget_get_parent(self->confirm_ref))
                start_call(self, "Request", on_request_done);
}

static void on_cancel_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(FrWindow) self = user_data;
        g_autoptr(GVariant) reply = call_finish(self, result);

        if (reply)
                show_message(self, FALSE, _("The pending factory reset was cancelled. Nothing will be erased."));
}

static void on_cancel_clicked(FrWindow *self) {
        if (!self->busy)
                start_call(self, "Cancel", on_cancel_done);
}

static void set_confirm_group(FrWindow *self, gboolean want) {
        gboolean have = gtk_widget_get_parent(self->confirm_ref) != NULL;

        if (want == have)
                return;
        if (want)
                gtk_box_append(GTK_BOX(self->content), self->confirm_ref);
        else {
                gtk_editable_set_text(GTK_EDITABLE(self->name_entry), "");
                gtk_box_remove(GTK_BOX(self->content), self->confirm_ref);
        }
}

static const struct {
        const char *icon;
        const char *title;
        const char *subtitle;
        gboolean tpm; /* only when the TPM may be cleared (or nobody can tell) */
} next_steps[] = {
        { "system-reboot-symbolic", N_("The computer restarts"),
          N_("Save your work first: open applications are closed."), FALSE },
        { "security-high-symbolic", N_("The firmware may ask to clear the security chip (TPM)"),
          N_("Confirm on the screen before the system starts, with the keyboard."), TRUE },
        { "drive-harddisk-symbolic", N_("The partitions listed above are erased"),
          N_("This happens early during the start, before anyone can log in."), FALSE },
        { "preferences-desktop-locale-symbolic", N_("First-boot setup starts"),
          N_("Choose language, network and a new user as on a new computer."), FALSE },
};

static void update_next_steps(FrWindow *self) {
        g_autoptr(GVariant) clears = fr_client_dup_property(self->client, "ClearsTpm", "b");
        gboolean tpm = !clears || g_variant_get_boolean(clears);
        unsigned n = 0;

        gtk_list_box_remove_all(GTK_LIST_BOX(self->next_list));
        for (gsize i = 0; i < G_N_ELEMENTS(next_steps); i++) {
                g_autofree char *title = NULL;

                if (next_steps[i].tpm && !tpm)
                        continue;
                /* Translators: a numbered step, e.g. "1. The computer restarts". */
                title = g_strdup_printf(_("%u. %s"), ++n, _(next_steps[i].title));
                gtk_list_box_append(GTK_LIST_BOX(self->next_list),
                                    fr_info_row_new(next_steps[i].icon, title, _(next_steps[i].subtitle)));
        }
}

/* Whether the daemon's TriggerAvailability, a(ssbs), says that trigger can
 * fire on seat (NULL: on any seat). */
static gboolean can_fire(GVariant *availability, const char *trigger, const char *seat) {
        const char *name, *on, *reason;
        gboolean can;
        GVariantIter iter;

        g_variant_iter_init(&iter, availability);
        while (g_variant_iter_next(&iter, "(&s&sb&s)", &name, &on, &can, &reason))
                if (can && g_str_equal(name, trigger) && (!seat || g_str_equal(on, seat)))
                        return TRUE;
        return FALSE;
}

/* The gestures that can ask for a reset from the keys of this seat now, in
 * the order of the configuration; the daemon's reasons for the others are
 * English and for administrators (hotkeyctl status), so not shown here. */
static void update_gestures(FrWindow *self) {
        g_autoptr(GVariant) triggers = fr_client_dup_property(self->client, "Triggers", "a(sasstuts)");
        g_autoptr(GVariant) availability = fr_client_dup_property(self->client, "TriggerAvailability", "a(ssbs)");
        /* The seat of this session as pam_systemd exported it; without it,
         * what works on any seat. */
        const char *seat = g_getenv("XDG_SEAT");
        GtkListBox *list = GTK_LIST_BOX(self->gestures_list);
        g_autofree const char **keys = NULL;
        const char *name, *kind, *trigger_seat;
        guint64 hold_usec, within_usec;
        guint32 presses;
        GVariantIter iter;
        unsigned n = 0;

        if (seat && !*seat)
                seat = NULL;
        gtk_list_box_remove_all(list);
        if (!triggers || !availability) {
                gtk_list_box_append(list, fr_info_row_new("dialog-question-symbolic",
                                                          _("Cannot tell which key gestures work on this computer"),
                                                          _("The factory reset service does not say.")));
                return;
        }

        g_variant_iter_init(&iter, triggers);
        while (g_variant_iter_next(&iter, "(&s^a&s&stut&s)", &name, &keys, &kind, &hold_usec, &presses,
                                   &within_usec, &trigger_seat)) {
                g_autofree char *words = NULL;

                if (can_fire(availability, name, seat))
                        words = fr_gesture_in_words(keys, kind, hold_usec, presses, within_usec);
                g_clear_pointer(&keys, g_free);
                if (!words)
                        continue;
                gtk_list_box_append(list, fr_info_row_new("input-keyboard-symbolic", words, NULL));
                n++;
        }
        if (n == 0)
                gtk_list_box_append(list, fr_info_row_new("input-keyboard-symbolic",
                                                          _("No key gesture works on this computer"),
                                                          _("Start a reset from this window instead.")));
}

/* The mount points (else definition names) of LastReset's partitions in
 * state, ", "-separated. */
static char *last_reset_partitions(GVariant *partitions, const char *state) {
        g_autoptr(GString) s = g_string_new(NULL);
        const char *name, *mount, *st;
        GVariantIter iter;

        g_variant_iter_init(&iter, partitions);
        while (g_variant_iter_next(&iter, "(&s&s&s)", &name, &mount, &st))
                if (g_str_equal(st, state))
                        g_string_append_printf(s, "%s%s", s->len > 0 ? ", " : "", *mount ? mount : name);
        return g_string_free(g_steal_pointer(&s), FALSE);
}

/* LastReset: a row in the state group, and for a reset that erased
 * nothing a banner above everything, which nobody can miss. */
static void update_last_reset(FrWindow *self) {
        g_autoptr(GVariant) last = fr_client_dup_property(self->client, "LastReset", "(ttsa(sss))");
        g_autoptr(GVariant) partitions = NULL;
        g_autoptr(GDateTime) when = NULL;
        g_autofree char *date = NULL, *title = NULL, *banner = NULL, *recreated = NULL, *left = NULL,
                        *erased = NULL;
        const char *verdict, *icon = "emblem-ok-symbolic", *subtitle = NULL;
        guint64 requested, checked;

        /* Hidden, AdwBanner stays in the accessible tree with its title:
         * a screen reader must not read out a failure that is not there. */
        adw_banner_set_revealed(ADW_BANNER(self->last_reset_banner), FALSE);
        adw_banner_set_title(ADW_BANNER(self->last_reset_banner), "");
        if (!last)
                return;
        g_variant_get(last, "(tt&s@a(sss))", &requested, &checked, &verdict, &partitions);
        if (!*verdict)
                return;

        when = g_date_time_new_from_unix_local((gint64) (requested / G_USEC_PER_SEC));
        date = when ? g_date_time_format(when, "%x %X") : g_strdup("?");
        recreated = last_reset_partitions(partitions, "recreated");
        left = last_reset_partitions(partitions, "not-erased");
        if (g_str_equal(verdict, "complete")) {
                /* Translators: %s is a date and time. */
                title = g_strdup_printf(_("The last reset (%s) is complete"), date);
                if (*recreated)
                        /* Translators: %s lists partitions, e.g. "/var, /home". */
                        subtitle = erased = g_strdup_printf(_("Erased and created anew: %s"), recreated);
        } else if (g_str_equal(verdict, "not-erased")) {
                icon = "dialog-error-symbolic";
                /* Translators: the first %s is a date and time, the second lists partitions, e.g. "/var". */
                title = g_strdup_printf(_("The last reset (%s) did NOT erase %s"), date, left);
                subtitle = _("Its data is still there: the partition is unchanged. The reset was not carried "
                             "out as it should have been; ask for help before you rely on it.");
                /* Translators: %s lists partitions, e.g. "/var". */
                banner = g_strdup_printf(_("The last factory reset did not erase %s: its data is still there."),
                                         left);
        } else if (g_str_equal(verdict, "not-done")) {
                icon = "dialog-error-symbolic";
                /* Translators: %s is a date and time. */
                title = g_strdup_printf(_("The last reset (%s) did NOT take place"), date);
                subtitle = _("The computer restarted without erasing anything.");
                banner = g_strdup(_("The last factory reset did not take place: nothing was erased."));
        } else {
                icon = "dialog-warning-symbolic";
                /* Translators: %s is a date and time. */
                title = g_strdup_printf(_("The last reset (%s) could not be checked"), date);
                subtitle = _("Whether it erased anything is not known.");
        }
        gtk_list_box_append(GTK_LIST_BOX(self->state_list), fr_info_row_new(icon, title, subtitle));
        if (banner) {
                adw_banner_set_title(ADW_BANNER(self->last_reset_banner), banner);
                adw_banner_set_revealed(ADW_BANNER(self->last_reset_banner), TRUE);
        }
}

static void set_status(FrWindow *self, const char *title, const char *body) {
        g_autofree char *markup = g_markup_escape_text(body, -1);

        gtk_label_set_text(GTK_LABEL(self->status_title), title);
        gtk_label_set_text(GTK_LABEL(self->status_body), body);
        /* Also the status page's, which shows when nothing can be done. */
        adw_status_page_set_title(ADW_STATUS_PAGE(self->status_page), title);
        adw_status_page_set_description(ADW_STATUS_PAGE(self->status_page), markup);
}

static void update(FrWindow *self) {
        const char *mode = fr_client_get_mode(self->client);
        gboolean running = fr_client_is_running(self->client);
        gboolean supported = running && fr_client_get_supported(self->client);
        gboolean pending = running && g_str_equal(mode, "pending");
        g_autofree char *mode_text = NULL;

        if (!running)
                set_status(self, _("Factory reset is not available"),
                           _("The factory reset service (hotkeyd) is not running, so nothing can be requested."));
        else if (pending)
                set_status(self, _("A factory reset is pending"),
                           _("Everything listed below is erased the next time the computer starts."));
        else if (supported)
                set_status(self, _("Reset this computer"),
                           _("A factory reset erases your files, accounts and settings and returns "
                             "the computer to the state it was in when it was installed."));
        else {
                const char *reason = fr_client_get_unsupported_reason(self->client);
                set_status(self, _("Factory reset is not available"),
                           *reason ? reason : _("The factory reset service did not say why."));
        }
        /* The reason, and nothing to press, when nothing can be done. */
        gtk_stack_set_visible_child_name(GTK_STACK(self->stack), supported || pending ? "main" : "unavailable");
        adw_banner_set_revealed(ADW_BANNER(self->pending_banner), pending);

        /* Translators: %s is the state in words, e.g. "No reset requested". */
        mode_text = g_strdup_printf(_("Current state: %s"), running ? mode_in_words(mode) : _("Unknown"));
        gtk_list_box_remove_all(GTK_LIST_BOX(self->state_list));
        gtk_list_box_append(GTK_LIST_BOX(self->state_list),
                            fr_info_row_new("dialog-information-symbolic", mode_text, NULL));
        update_last_reset(self);

        fr_erase_list_update(self->erase_list, self->client);
        update_next_steps(self);
        update_gestures(self);
        set_confirm_group(self, supported && !pending);
        update_sensitivity(self);
}

/* What the window is for (its heading and the sentence under it), or why
 * nothing can be done, announced once when it opens: the window's own
 * activation and focus events reach a screen reader before the app is
 * known to it (OPENING_ANNOUNCEMENT_DELAY_MSEC), and Orca was heard saying
 * nothing at all, with controls on the page or without. */
static gboolean on_opening_announcement(gpointer user_data) {
        FrWindow *self = user_data;
        gboolean unavailable = g_str_equal(gtk_stack_get_visible_child_name(GTK_STACK(self->stack)), "unavailable");
        g_autofree char *text = NULL;

        self->opening_id = 0;
        if (!gtk_window_is_active(GTK_WINDOW(self)))
                return G_SOURCE_REMOVE;
        /* Translators: spoken by screen readers when the window opens: the
         * heading (e.g. "Reset this computer", "Factory reset is not
         * available"), then the sentence under it (what a reset does, or why
         * none can be requested). */
        text = g_strdup_printf(_("%1$s. %2$s"), gtk_label_get_text(GTK_LABEL(self->status_title)),
                               gtk_label_get_text(GTK_LABEL(self->status_body)));
        /* Made by the page on screen, not the window: Orca remembers the
         * window as dead from its too early activation and ignored an
         * announcement of the window's; it has not seen the page before. */
        gtk_accessible_announce(GTK_ACCESSIBLE(unavailable ? self->status_page : self->content), text,
                                GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
        return G_SOURCE_REMOVE;
}

static void on_active(GObject *object, G_GNUC_UNUSED GParamSpec *pspec, G_GNUC_UNUSED gpointer user_data) {
        FrWindow *self = FR_WINDOW(object);

        if (self->opening_done || !gtk_window_is_active(GTK_WINDOW(self)))
                return;
        self->opening_done = TRUE;
        self->opening_id = g_timeout_add(OPENING_ANNOUNCEMENT_DELAY_MSEC, on_opening_announcement, self);
}

static void fr_window_dispose(GObject *object) {
        FrWindow *self = FR_WINDOW(object);

        g_clear_handle_id(&self->opening_id, g_source_remove);
        g_cancellable_cancel(self->cancellable);
        g_clear_object(&self->cancellable);
        if (self->client)
                g_signal_handlers_disconnect_by_data(self->client, self);
        g_clear_object(&self->client);
        gtk_widget_dispose_template(GTK_WIDGET(self), FR_TYPE_WINDOW);
        g_clear_object(&self->confirm_ref);
        G_OBJECT_CLASS(fr_window_parent_class)->dispose(object);
}

/* For the journal, as the agent's dialog does (fr-confirm-dialog.c): the
 * window is mapped now, on screen with the compositor's next frame; the
 * benchmarks date the window's cold start by this entry. */
static void fr_window_map(GtkWidget *widget) {
        GTK_WIDGET_CLASS(fr_window_parent_class)->map(widget);
        fr_journal(MESSAGE_ID_WINDOW_SHOWN, "Showing the factory reset window.", NULL);
}

static void fr_window_class_init(FrWindowClass *klass) {
        GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = fr_window_dispose;
        widget_class->map = fr_window_map;
        gtk_widget_class_set_template_from_resource(widget_class, FR_RESOURCE_PATH "/fr-window.ui");
        gtk_widget_class_bind_template_child(widget_class, FrWindow, spinner);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, pending_banner);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, last_reset_banner);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, message_box);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, message_icon);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, message_label);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, stack);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, status_page);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, content);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, status_title);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, status_body);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, state_group);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, erase_box);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, next_box);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, gestures_box);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, confirm_group);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, prompt_label);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, name_entry);
        gtk_widget_class_bind_template_child(widget_class, FrWindow, reset_button);
        gtk_widget_class_bind_template_callback(widget_class, update_sensitivity);
        gtk_widget_class_bind_template_callback(widget_class, on_reset_clicked);
        gtk_widget_class_bind_template_callback(widget_class, on_cancel_clicked);
}

/* libadwaita makes the banner's button; it says what it does, as our
 * other controls do. */
static GtkWidget *find_button(GtkWidget *widget) {
        for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
                GtkWidget *found = GTK_IS_BUTTON(child) ? child : find_button(child);
                if (found)
                        return found;
        }
        return NULL;
}

/* A phone's screen is used whole; on a desktop the window is a column of
 * readable width. */
static void fit_to_monitor(FrWindow *self) {
        GListModel *monitors = gdk_display_get_monitors(gtk_widget_get_display(GTK_WIDGET(self)));
        g_autoptr(GdkMonitor) monitor = g_list_model_get_n_items(monitors) > 0 ? g_list_model_get_item(monitors, 0) : NULL;
        GdkRectangle area = { .width = DEFAULT_WIDTH, .height = DEFAULT_HEIGHT };

        if (monitor)
                gdk_monitor_get_geometry(monitor, &area);
        gtk_window_set_default_size(GTK_WINDOW(self), MIN(area.width, DEFAULT_WIDTH), MIN(area.height, DEFAULT_HEIGHT));
}

static void fr_window_init(FrWindow *self) {
        g_autofree char *text = NULL, *markup = NULL;

        gtk_widget_init_template(GTK_WIDGET(self));
        self->cancellable = g_cancellable_new();
        self->confirm_ref = g_object_ref(self->confirm_group);

        self->banner_button = find_button(self->pending_banner);
        if (self->banner_button)
                fr_describe(self->banner_button,
                            _("Cancels the factory reset that would happen the next time the "
                              "computer starts; you may be asked for an administrator password."));

        self->state_list = fr_boxed_list_new(_("Current state"), _("Whether a factory reset is requested"));
        adw_preferences_group_add(ADW_PREFERENCES_GROUP(self->state_group), self->state_list);
        self->erase_list = fr_erase_list_new();
        gtk_box_append(GTK_BOX(self->erase_box), self->erase_list);
        self->next_list = fr_boxed_list_new(_("What happens next"), _("The steps of a factory reset, in order"));
        gtk_box_append(GTK_BOX(self->next_box), self->next_list);
        self->gestures_list = fr_boxed_list_new(_("Key gestures that ask for a reset"),
                                                _("What can ask for a factory reset from the keys of this "
                                                  "computer now; a confirmation is always asked for first"));
        gtk_box_append(GTK_BOX(self->gestures_box), self->gestures_list);

        /* Translators: %s is the name of this computer (its host name). */
        text = g_strdup_printf(_("To confirm, type the name of this computer: %s"), g_get_host_name());
        markup = g_markup_printf_escaped(_("To confirm, type the name of this computer: <b>%s</b>"),
                                         g_get_host_name());
        gtk_label_set_markup(GTK_LABEL(self->prompt_label), markup);
        fr_describe(self->name_entry, text);
        fit_to_monitor(self);
        g_signal_connect(self, "notify::is-active", G_CALLBACK(on_active), NULL);
}

FrWindow *fr_window_new(GtkApplication *app, FrClient *client) {
        FrWindow *self = g_object_new(FR_TYPE_WINDOW, "application", app, NULL);

        self->client = g_object_ref(client);
        g_signal_connect_swapped(client, "changed", G_CALLBACK(update), self);
        update(self);
        fr_screenshot_when_shown(GTK_WIDGET(self), "window");
        return self;
}
