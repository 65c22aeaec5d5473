/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gi18n.h>

#include "bus-names.h"
#include "fr-erase-list.h"
#include "fr-gesture.h"
#include "fr-journal.h"
#include "fr-screenshot.h"
#include "fr-widgets.h"
#include "fr-window.h"
#include "messages.h"

struct _FrWindow {
        GtkApplicationWindow parent_instance;

        FrClient *client;
        GCancellable *cancellable;
        gboolean busy;

        GtkWidget *status_title;
        GtkWidget *status_body;
        GtkWidget *mode_label;
        GtkWidget *erase_list;
        GtkWidget *next_list;
        GtkWidget *gestures_list;
        GtkWidget *message_box;
        GtkWidget *message_icon;
        GtkWidget *message_label;
        GtkWidget *spinner;

        /* Only in the tree while a reset can be requested or cancelled:
         * an unsupported system gets no destructive button at all. */
        GtkWidget *action_slot;
        GtkWidget *confirm_group;
        GtkWidget *name_entry;
        GtkWidget *reset_button;
        GtkWidget *pending_group;
        GtkWidget *cancel_button;
};

G_DEFINE_FINAL_TYPE(FrWindow, fr_window, GTK_TYPE_APPLICATION_WINDOW)

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

static GtkWidget *heading_new(const char *text) {
        GtkWidget *label = gtk_label_new(text);

        gtk_label_set_xalign(GTK_LABEL(label), 0);
        gtk_widget_add_css_class(label, "heading");
        gtk_accessible_update_property(GTK_ACCESSIBLE(label), GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
        return label;
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
        if (self->reset_button)
                gtk_widget_set_sensitive(self->reset_button, !self->busy && name_matches(self));
        if (self->cancel_button)
                gtk_widget_set_sensitive(self->cancel_button, !self->busy);
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
        if (name_matches(self))
                start_call(self, "Request", on_request_done);
}

static void on_cancel_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(FrWindow) self = user_data;
        g_autoptr(GVariant) reply = call_finish(self, result);

        if (reply)
                show_message(self, FALSE, _("The pending factory reset was cancelled. Nothing will be erased."));
}

static void on_cancel_clicked(GtkButton *button, FrWindow *self) {
        start_call(self, "Cancel", on_cancel_done);
}

static GtkWidget *confirm_group_new(FrWindow *self) {
        GtkWidget *group = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        GtkWidget *prompt, *buttons;
        g_autofree char *text = NULL, *markup = NULL;

        gtk_box_append(GTK_BOX(group), heading_new(_("Confirm")));
        /* Translators: %s is the name of this computer (its host name). */
        text = g_strdup_printf(_("To confirm, type the name of this computer: %s"), g_get_host_name());
        prompt = fr_label_new(NULL, NULL);
        markup = g_markup_printf_escaped(_("To confirm, type the name of this computer: <b>%s</b>"),
                                         g_get_host_name());
        gtk_label_set_markup(GTK_LABEL(prompt), markup);
        gtk_label_set_selectable(GTK_LABEL(prompt), FALSE);
        gtk_box_append(GTK_BOX(group), prompt);

        self->name_entry = gtk_entry_new();
        gtk_entry_set_input_hints(GTK_ENTRY(self->name_entry), GTK_INPUT_HINT_NO_SPELLCHECK);
        gtk_accessible_update_relation(GTK_ACCESSIBLE(self->name_entry),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY, prompt, NULL, -1);
        gtk_accessible_update_property(GTK_ACCESSIBLE(self->name_entry),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of this computer"),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                       -1);
        g_signal_connect_swapped(self->name_entry, "changed", G_CALLBACK(update_sensitivity), self);
        gtk_box_append(GTK_BOX(group), self->name_entry);

        buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
        gtk_widget_set_halign(buttons, GTK_ALIGN_END);
        self->reset_button = fr_button_new(_("_Reset Computer…"),
                                           _("Erases everything listed above and restarts the computer. "
                                             "Available once the name of this computer is typed above; "
                                             "you may be asked for an administrator password."),
                                           "destructive-action", G_CALLBACK(on_reset_clicked), self);
        gtk_box_append(GTK_BOX(buttons), self->reset_button);
        gtk_box_append(GTK_BOX(group), buttons);
        return group;
}

static GtkWidget *pending_group_new(FrWindow *self) {
        GtkWidget *group = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        GtkWidget *buttons;

        gtk_box_append(GTK_BOX(group),
                       fr_label_new(_("If you changed your mind, cancel the pending reset: nothing is erased then."), NULL));
        buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
        gtk_widget_set_halign(buttons, GTK_ALIGN_END);
        self->cancel_button = fr_button_new(_("_Cancel Pending Reset"),
                                            _("Cancels the factory reset that would happen the next time the "
                                              "computer starts; you may be asked for an administrator password."),
                                            "suggested-action", G_CALLBACK(on_cancel_clicked), self);
        gtk_box_append(GTK_BOX(buttons), self->cancel_button);
        gtk_box_append(GTK_BOX(group), buttons);
        return group;
}

static void set_action_group(FrWindow *self, gboolean want_confirm, gboolean want_pending) {
        if (!want_confirm && self->confirm_group) {
                gtk_box_remove(GTK_BOX(self->action_slot), self->confirm_group);
                self->confirm_group = self->name_entry = self->reset_button = NULL;
        }
        if (!want_pending && self->pending_group) {
                gtk_box_remove(GTK_BOX(self->action_slot), self->pending_group);
                self->pending_group = self->cancel_button = NULL;
        }
        if (want_confirm && !self->confirm_group) {
                self->confirm_group = confirm_group_new(self);
                gtk_box_append(GTK_BOX(self->action_slot), self->confirm_group);
        }
        if (want_pending && !self->pending_group) {
                self->pending_group = pending_group_new(self);
                gtk_box_append(GTK_BOX(self->action_slot), self->pending_group);
        }
        update_sensitivity(self);
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

static void update(FrWindow *self) {
        const char *mode = fr_client_get_mode(self->client);
        gboolean running = fr_client_is_running(self->client);
        gboolean supported = running && fr_client_get_supported(self->client);
        gboolean pending = running && g_str_equal(mode, "pending");
        g_autofree char *mode_text = NULL;

        if (!running) {
                gtk_label_set_text(GTK_LABEL(self->status_title), _("Factory reset is not available"));
                gtk_label_set_text(GTK_LABEL(self->status_body),
                                   _("The factory reset service (hotkeyd) is not running, so nothing can be requested."));
        } else if (pending) {
                gtk_label_set_text(GTK_LABEL(self->status_title), _("A factory reset is pending"));
                gtk_label_set_text(GTK_LABEL(self->status_body),
                                   _("Everything listed below is erased the next time the computer starts."));
        } else if (supported) {
                gtk_label_set_text(GTK_LABEL(self->status_title), _("Reset this computer"));
                gtk_label_set_text(GTK_LABEL(self->status_body),
                                   _("A factory reset erases your files, accounts and settings and returns "
                                     "the computer to the state it was in when it was installed."));
        } else {
                const char *reason = fr_client_get_unsupported_reason(self->client);
                gtk_label_set_text(GTK_LABEL(self->status_title), _("Factory reset is not available"));
                gtk_label_set_text(GTK_LABEL(self->status_body),
                                   *reason ? reason : _("The factory reset service did not say why."));
        }

        /* Translators: %s is the state in words, e.g. "No reset requested". */
        mode_text = g_strdup_printf(_("Current state: %s"), running ? mode_in_words(mode) : _("Unknown"));
        gtk_label_set_text(GTK_LABEL(self->mode_label), mode_text);

        fr_erase_list_update(self->erase_list, self->client);
        update_next_steps(self);
        update_gestures(self);
        set_action_group(self, supported, pending);
}

static void fr_window_dispose(GObject *object) {
        FrWindow *self = FR_WINDOW(object);

        g_cancellable_cancel(self->cancellable);
        g_clear_object(&self->cancellable);
        if (self->client)
                g_signal_handlers_disconnect_by_data(self->client, self);
        g_clear_object(&self->client);
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
        G_OBJECT_CLASS(klass)->dispose = fr_window_dispose;
        GTK_WIDGET_CLASS(klass)->map = fr_window_map;
}

static void fr_window_init(FrWindow *self) {
        GtkWidget *header, *scrolled, *content, *status;

        self->cancellable = g_cancellable_new();
        gtk_window_set_title(GTK_WINDOW(self), _("Factory Reset"));
        /* As tall as the content, up to what fits on small screens (the
         * scrolled window's limit below). */
        gtk_window_set_default_size(GTK_WINDOW(self), 600, -1);

        header = gtk_header_bar_new();
        self->spinner = gtk_spinner_new();
        gtk_accessible_update_property(GTK_ACCESSIBLE(self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       _("Waiting for the factory reset service"), -1);
        gtk_widget_set_visible(self->spinner, FALSE);
        gtk_header_bar_pack_end(GTK_HEADER_BAR(header), self->spinner);
        gtk_window_set_titlebar(GTK_WINDOW(self), header);

        content = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
        fr_set_margins(content, 24, 24);

        status = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
        self->status_title = fr_label_new("", "title-2");
        gtk_accessible_update_property(GTK_ACCESSIBLE(self->status_title), GTK_ACCESSIBLE_PROPERTY_LEVEL, 1, -1);
        gtk_box_append(GTK_BOX(status), self->status_title);
        self->status_body = fr_label_new("", NULL);
        gtk_box_append(GTK_BOX(status), self->status_body);
        self->mode_label = fr_label_new("", "dim-label");
        gtk_box_append(GTK_BOX(status), self->mode_label);
        gtk_box_append(GTK_BOX(content), status);

        self->message_box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
        self->message_icon = gtk_image_new();
        gtk_widget_set_valign(self->message_icon, GTK_ALIGN_START);
        gtk_box_append(GTK_BOX(self->message_box), self->message_icon);
        self->message_label = fr_label_new("", NULL);
        gtk_widget_set_hexpand(self->message_label, TRUE);
        gtk_box_append(GTK_BOX(self->message_box), self->message_label);
        gtk_widget_set_visible(self->message_box, FALSE);
        gtk_box_append(GTK_BOX(content), self->message_box);

        gtk_box_append(GTK_BOX(content), heading_new(_("What will be erased")));
        self->erase_list = fr_erase_list_new();
        gtk_box_append(GTK_BOX(content), self->erase_list);

        gtk_box_append(GTK_BOX(content), heading_new(_("What happens next")));
        self->next_list = fr_boxed_list_new(_("What happens next"), _("The steps of a factory reset, in order"));
        gtk_box_append(GTK_BOX(content), self->next_list);

        gtk_box_append(GTK_BOX(content), heading_new(_("Key gestures that ask for a reset")));
        self->gestures_list = fr_boxed_list_new(_("Key gestures that ask for a reset"),
                                                _("What can ask for a factory reset from the keys of this "
                                                  "computer now; a confirmation is always asked for first"));
        gtk_box_append(GTK_BOX(content), self->gestures_list);

        self->action_slot = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        gtk_box_append(GTK_BOX(content), self->action_slot);

        scrolled = gtk_scrolled_window_new();
        gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
        gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scrolled), TRUE);
        gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scrolled), 900);
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), content);
        gtk_window_set_child(GTK_WINDOW(self), scrolled);
}

FrWindow *fr_window_new(GtkApplication *app, FrClient *client) {
        FrWindow *self = g_object_new(FR_TYPE_WINDOW, "application", app, NULL);

        self->client = g_object_ref(client);
        g_signal_connect_swapped(client, "changed", G_CALLBACK(update), self);
        update(self);
        fr_screenshot_when_shown(GTK_WIDGET(self), "window");
        return self;
}
