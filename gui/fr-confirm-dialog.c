/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/resource.h>
#include <glib/gi18n.h>

#include "bus-names.h"
#include "fr-application.h"
#include "fr-confirm-dialog.h"
#include "fr-erase-list.h"
#include "fr-gesture.h"
#include "fr-journal.h"
#include "fr-screenshot.h"
#include "fr-widgets.h"
#include "messages.h"

/* The dialog declines this long before the daemon's deadline, so that the
 * answer is a Decline from the person's side and never a race with the
 * daemon's own time-out. */
#define DECLINE_MARGIN_USEC (1 * G_USEC_PER_SEC)
#define TICK_MSEC 200
/* Below this height (a phone, portrait or landscape) the dialog takes the
 * whole screen and its content scrolls. */
#define SMALL_SCREEN_HEIGHT 800

struct _FrConfirmDialog {
        AdwDialog parent_instance;

        FrClient *client;
        guint32 request_id;
        char *trigger;
        gint64 deadline_usec;
        /* CLOCK_MONOTONIC, for the mapped entry: where the time from a
         * request to the screen goes (bench/RESULTS.md section 5). */
        gint64 asked_usec;
        gint64 presenting_usec;
        /* What presenting cost besides the time (page faults, CPU): where
         * a slow first dialog's time went. */
        struct rusage presenting_usage;
        gint64 announced_at; /* the last announced threshold, in seconds */
        gint64 shown_seconds;
        guint tick;
        gboolean answered;
        gboolean busy;
        gboolean opening_announced;

        /* From the template (fr-confirm-dialog.ui). */
        GtkWidget *title_label;
        GtkWidget *intro_label;
        GtkWidget *erase_box;
        GtkWidget *countdown_label;
        GtkWidget *understand_check;
        GtkWidget *more_time_button;
        GtkWidget *cancel_button;
        GtkWidget *reset_button;
        GtkWidget *message_label;
        GtkWidget *erase_list;
};

G_DEFINE_FINAL_TYPE(FrConfirmDialog, fr_confirm_dialog, ADW_TYPE_DIALOG)

static void log_answer(const char *what, guint32 id, const char *result) {
        /* One line per answer on stdout: the journal of a user service, and
         * what the tests read. */
        printf("%s %u %s\n", what, id, result);
        fflush(stdout);
}

static void on_answer_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        const char *what = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = fr_client_call_finish(result, &error);

        if (!reply) {
                g_autofree char *text = fr_client_error_to_string(error);
                g_printerr("%s failed: %s\n", what, text);
        }
}

static void finish(FrConfirmDialog *self) {
        self->answered = TRUE;
        g_clear_handle_id(&self->tick, g_source_remove);
        /* can-close is off so that every way out is a Decline: closing
         * after the answer needs the force. */
        adw_dialog_force_close(ADW_DIALOG(self));
}

static void decline(FrConfirmDialog *self, const char *why) {
        if (self->answered)
                return;
        log_answer("decline", self->request_id, why);
        fr_client_call(self->client, "Decline", g_variant_new("(u)", self->request_id), FALSE, NULL,
                       on_answer_done, (gpointer) "Decline");
        finish(self);
}

/* The seconds the countdown shows when usec are left before the deadline. */
static gint64 seconds_shown(gint64 usec) {
        gint64 left = usec - DECLINE_MARGIN_USEC;

        return left <= 0 ? 0 : (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
}

static gint64 remaining_seconds(FrConfirmDialog *self) {
        return seconds_shown(self->deadline_usec - g_get_monotonic_time());
}

static void announce(FrConfirmDialog *self, const char *text) {
        gtk_accessible_announce(GTK_ACCESSIBLE(self), text, GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_HIGH);
        /* For the tests and the log: what screen readers were told. */
        printf("announce %u %s\n", self->request_id, text);
        fflush(stdout);
}

static gint64 threshold_for(gint64 left) {
        return left > 30 ? G_MAXINT64 : left > 10 ? 30 : 10;
}

static char *countdown_text(gint64 left) {
        return g_strdup_printf(ngettext("Without an answer, this request is declined in %d second.",
                                        "Without an answer, this request is declined in %d seconds.",
                                        (unsigned long) left),
                               (int) left);
}

/* Announced when shown (on_map) and when 30 s and 10 s are left, not every
 * second: the label shows every second for those who look. */
static void update_countdown(FrConfirmDialog *self) {
        gint64 left = remaining_seconds(self);
        g_autofree char *text = NULL;

        if (left == self->shown_seconds)
                return;
        self->shown_seconds = left;
        text = countdown_text(left);
        gtk_label_set_text(GTK_LABEL(self->countdown_label), text);

        if (left <= 0 || threshold_for(left) >= self->announced_at)
                return;
        self->announced_at = threshold_for(left);
        announce(self, text);
}

static void announce_opening(FrConfirmDialog *self) {
        g_autofree char *text = NULL;

        if (self->opening_announced || self->answered)
                return;
        self->opening_announced = TRUE;
        text = g_strdup_printf(_("A factory reset was requested. Confirm or cancel it. %s"),
                               gtk_label_get_text(GTK_LABEL(self->countdown_label)));
        announce(self, text);
}

static void on_root_active(GtkWindow *window, GParamSpec *pspec, FrConfirmDialog *self) {
        if (gtk_window_is_active(window)) {
                g_signal_handlers_disconnect_by_func(window, on_root_active, self);
                announce_opening(self);
        }
}

static gint64 timeval_usec(const struct timeval *tv) {
        return (gint64) tv->tv_sec * G_USEC_PER_SEC + tv->tv_usec;
}

static void on_map(GtkWidget *widget) {
        FrConfirmDialog *self = FR_CONFIRM_DIALOG(widget);
        GtkRoot *root = gtk_widget_get_root(widget);
        g_autofree char *id = NULL, *logged = NULL, *asked = NULL, *presenting = NULL, *mapped = NULL;
        g_autofree char *minor = NULL, *major = NULL, *cpu = NULL;
        struct rusage usage;

        GTK_WIDGET_CLASS(fr_confirm_dialog_parent_class)->map(widget);
        mapped = g_strdup_printf("%" G_GINT64_FORMAT, g_get_monotonic_time());
        (void) getrusage(RUSAGE_THREAD, &usage);
        minor = g_strdup_printf("%ld", usage.ru_minflt - self->presenting_usage.ru_minflt);
        major = g_strdup_printf("%ld", usage.ru_majflt - self->presenting_usage.ru_majflt);
        cpu = g_strdup_printf("%" G_GINT64_FORMAT,
                              timeval_usec(&usage.ru_utime) + timeval_usec(&usage.ru_stime) -
                              timeval_usec(&self->presenting_usage.ru_utime) -
                              timeval_usec(&self->presenting_usage.ru_stime));
        /* For the journal (the VM scenario waits for it, and it dates the
         * dialog): mapped now, on screen with the compositor's next frame. */
        id = g_strdup_printf("%u", self->request_id);
        logged = g_strdup_printf("Showing the factory reset confirmation dialog (request %u, trigger %s).",
                                 self->request_id, self->trigger);
        asked = g_strdup_printf("%" G_GINT64_FORMAT, self->asked_usec);
        presenting = g_strdup_printf("%" G_GINT64_FORMAT, self->presenting_usec);
        fr_journal(MESSAGE_ID_AGENT_DIALOG_SHOWN, logged, "HOTKEYD_OPERATION", id, "HOTKEYD_TRIGGER", self->trigger,
                   "HOTKEYD_ASKED_MONOTONIC_USEC", asked, "HOTKEYD_PRESENTING_MONOTONIC_USEC", presenting,
                   "HOTKEYD_MAPPED_MONOTONIC_USEC", mapped, "HOTKEYD_PRESENTING_MINOR_FAULTS", minor,
                   "HOTKEYD_PRESENTING_MAJOR_FAULTS", major, "HOTKEYD_PRESENTING_CPU_USEC", cpu, NULL);
        /* An announcement made while the new window is not active yet is
         * lost: Orca was seen never to receive one made here (GTK had not
         * exported the dialog to AT-SPI yet), and screen readers present
         * announcements of the active application only.  So it is made when
         * the window becomes active, which is also when the focus (Cancel)
         * is presented. */
        if (GTK_IS_WINDOW(root) && !gtk_window_is_active(GTK_WINDOW(root)))
                g_signal_connect_object(root, "notify::is-active", G_CALLBACK(on_root_active), self, 0);
        else
                announce_opening(self);
}

static gboolean on_tick(gpointer user_data) {
        FrConfirmDialog *self = user_data;

        update_countdown(self);
        if (self->shown_seconds == 0 && !self->busy) {
                self->tick = 0;
                decline(self, "timeout");
                return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
}

static void update_sensitivity(FrConfirmDialog *self) {
        gtk_widget_set_sensitive(self->reset_button,
                                 !self->busy && gtk_check_button_get_active(GTK_CHECK_BUTTON(self->understand_check)));
        gtk_widget_set_sensitive(self->more_time_button, !self->busy);
        gtk_widget_set_sensitive(self->understand_check, !self->busy);
}

static void show_error(FrConfirmDialog *self, const char *text) {
        g_autofree char *full = g_strdup_printf(_("Error: %s"), text);

        gtk_label_set_text(GTK_LABEL(self->message_label), full);
        gtk_widget_set_visible(self->message_label, TRUE);
        gtk_accessible_announce(GTK_ACCESSIBLE(self), full, GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_HIGH);
}

static void on_confirm_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(FrConfirmDialog) self = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = fr_client_call_finish(result, &error);
        const char *answer;

        self->busy = FALSE;
        if (!reply) {
                g_autofree char *text = fr_client_error_to_string(error);
                log_answer("confirm-error", self->request_id, text);
                if (self->answered)
                        return;
                show_error(self, text);
                update_sensitivity(self);
                return;
        }
        g_variant_get(reply, "(&s)", &answer);
        log_answer("confirm", self->request_id, answer);
        if (!self->answered)
                finish(self);
}

static void on_reset_clicked(GtkButton *button, FrConfirmDialog *self) {
        if (self->busy || !gtk_check_button_get_active(GTK_CHECK_BUTTON(self->understand_check)))
                return;
        self->busy = TRUE;
        update_sensitivity(self);
        gtk_label_set_text(GTK_LABEL(self->countdown_label), _("Starting the factory reset…"));
        fr_client_call(self->client, "Confirm", g_variant_new("(u)", self->request_id), TRUE, NULL,
                       on_confirm_done, g_object_ref(self));
}

/* Gives widget the focus if nothing in the dialog has it. */
static void focus_if_lost(FrConfirmDialog *self, GtkWidget *widget) {
        GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
        GtkWidget *focus = root ? gtk_root_get_focus(root) : NULL;

        if (!focus || focus == GTK_WIDGET(self) || !gtk_widget_is_ancestor(focus, GTK_WIDGET(self)))
                gtk_widget_grab_focus(widget);
}

static void on_extend_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(FrConfirmDialog) self = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = fr_client_call_finish(result, &error);
        guint64 deadline;
        g_autofree char *text = NULL;

        if (self->answered)
                return;
        self->busy = FALSE;
        update_sensitivity(self);
        /* More Time was insensitive while the call ran, which took the
         * focus off it, and with the focus nowhere in the dialog its Escape
         * was seen doing nothing: back where the person left it. */
        focus_if_lost(self, self->more_time_button);
        if (!reply) {
                g_autofree char *message = fr_client_error_to_string(error);
                show_error(self, message);
                return;
        }
        g_variant_get(reply, "(t)", &deadline);
        self->deadline_usec = (gint64) deadline;
        log_answer("extend", self->request_id, "ok");
        self->announced_at = threshold_for(remaining_seconds(self));
        update_countdown(self);
        text = g_strdup_printf(_("More time given. %s"), gtk_label_get_text(GTK_LABEL(self->countdown_label)));
        announce(self, text);
}

static void on_more_time_clicked(GtkButton *button, FrConfirmDialog *self) {
        self->busy = TRUE;
        update_sensitivity(self);
        fr_client_call(self->client, "ExtendConfirmation", g_variant_new("(u)", self->request_id), FALSE, NULL,
                       on_extend_done, g_object_ref(self));
}

static void on_cancel_clicked(GtkButton *button, FrConfirmDialog *self) {
        decline(self, "cancel");
}


/* In the capture phase, before libadwaita's own Escape shortcut (which
 * would come back as close-attempt): the log says which way the person
 * declined. */
static gboolean on_key_pressed(GtkEventControllerKey *controller, guint keyval, guint keycode,
                               GdkModifierType state, FrConfirmDialog *self) {
        if (keyval != GDK_KEY_Escape)
                return GDK_EVENT_PROPAGATE;
        decline(self, "escape");
        return GDK_EVENT_STOP;
}

/* The close button, or a window manager's close. */
static void on_close_attempt(AdwDialog *dialog, FrConfirmDialog *self) {
        decline(self, "closed");
}

/* What the person sees first, and what Enter or Space does before anything
 * else happens: Cancel, at every size.  libadwaita's own AdwAlertDialog was
 * seen focusing its destructive response at a small size; here the focus
 * is put on Cancel explicitly when the dialog is presented, and again when
 * a breakpoint rearranges the buttons and the focus is not on one of the
 * dialog's controls (nobody has moved it there). */
static void focus_cancel(FrConfirmDialog *self, gboolean force) {
        if (force)
                gtk_widget_grab_focus(self->cancel_button);
        else
                focus_if_lost(self, self->cancel_button);
}

static void on_breakpoint_changed(FrConfirmDialog *self) {
        if (!self->answered)
                focus_cancel(self, FALSE);
}

static void fr_confirm_dialog_dispose(GObject *object) {
        FrConfirmDialog *self = FR_CONFIRM_DIALOG(object);

        g_clear_handle_id(&self->tick, g_source_remove);
        g_clear_object(&self->client);
        g_clear_pointer(&self->trigger, g_free);
        gtk_widget_dispose_template(GTK_WIDGET(self), FR_TYPE_CONFIRM_DIALOG);
        G_OBJECT_CLASS(fr_confirm_dialog_parent_class)->dispose(object);
}

static void fr_confirm_dialog_class_init(FrConfirmDialogClass *klass) {
        GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = fr_confirm_dialog_dispose;
        widget_class->map = on_map;
        gtk_widget_class_set_accessible_role(widget_class, GTK_ACCESSIBLE_ROLE_ALERT_DIALOG);
        gtk_widget_class_set_template_from_resource(widget_class, FR_RESOURCE_PATH "/fr-confirm-dialog.ui");
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, title_label);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, intro_label);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, erase_box);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, countdown_label);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, understand_check);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, more_time_button);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, cancel_button);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, reset_button);
        gtk_widget_class_bind_template_child(widget_class, FrConfirmDialog, message_label);
        gtk_widget_class_bind_template_callback(widget_class, update_sensitivity);
        gtk_widget_class_bind_template_callback(widget_class, on_more_time_clicked);
        gtk_widget_class_bind_template_callback(widget_class, on_cancel_clicked);
        gtk_widget_class_bind_template_callback(widget_class, on_reset_clicked);
        gtk_widget_class_bind_template_callback(widget_class, on_close_attempt);
}

static void fr_confirm_dialog_init(FrConfirmDialog *self) {
        GtkEventController *keys;

        self->shown_seconds = -1;
        gtk_widget_init_template(GTK_WIDGET(self));

        keys = gtk_event_controller_key_new();
        gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
        g_signal_connect(keys, "key-pressed", G_CALLBACK(on_key_pressed), self);
        gtk_widget_add_controller(GTK_WIDGET(self), keys);
        g_signal_connect_swapped(self, "notify::current-breakpoint", G_CALLBACK(on_breakpoint_changed), self);

        adw_dialog_set_default_widget(ADW_DIALOG(self), self->cancel_button);
        adw_dialog_set_focus(ADW_DIALOG(self), self->cancel_button);
}

/* A phone's screen (or any small one) is used whole; elsewhere the dialog
 * is as tall as its content. */
static void fit_to_monitor(FrConfirmDialog *self) {
        GListModel *monitors = gdk_display_get_monitors(gdk_display_get_default());
        g_autoptr(GdkMonitor) monitor = g_list_model_get_n_items(monitors) > 0 ? g_list_model_get_item(monitors, 0) : NULL;
        GdkRectangle area;

        if (!monitor)
                return;
        gdk_monitor_get_geometry(monitor, &area);
        if (area.width < adw_dialog_get_content_width(ADW_DIALOG(self)))
                adw_dialog_set_content_width(ADW_DIALOG(self), area.width);
        if (area.height < SMALL_SCREEN_HEIGHT)
                adw_dialog_set_content_height(ADW_DIALOG(self), area.height);
}

FrConfirmDialog *fr_confirm_dialog_new(FrClient *client) {
        FrConfirmDialog *self = g_object_ref_sink(g_object_new(FR_TYPE_CONFIRM_DIALOG, NULL));

        self->client = g_object_ref(client);
        self->erase_list = fr_erase_list_new();
        gtk_box_append(GTK_BOX(self->erase_box), self->erase_list);
        return self;
}

/* Who asked with what and where. */
static void set_intro(FrConfirmDialog *self, const char *trigger, const char *device) {
        g_autofree char *intro = NULL, *gesture = NULL;

        /* The gesture as the person made it; its configuration name only
         * when the daemon no longer lists it (reloaded meanwhile). */
        gesture = fr_gesture_trigger_in_words(self->client, trigger);
        if (device && *device)
                /* Translators: the first %s is the gesture in words ("Hold the power
                 * button for 3 seconds"), the second the device's name ("Power Button",
                 * a keyboard's name); write %2$s and %1$s to swap them. */
                intro = g_strdup_printf(_("A factory reset was requested with the gesture “%s” on “%s”. "
                                          "If that was not you, or not on purpose, choose Cancel."),
                                        gesture ?: trigger, device);
        else
                /* Translators: %s is the gesture in words ("Hold the power button for 3 seconds"). */
                intro = g_strdup_printf(_("A factory reset was requested with the gesture “%s”. "
                                          "If that was not you, or not on purpose, choose Cancel."),
                                        gesture ?: trigger);
        gtk_label_set_text(GTK_LABEL(self->intro_label), intro);
}

/* Presenting measures the content at the dialog's width (AdwDialog's root
 * handler: natural width, then the height for it), and every wrapped text
 * is shaped again for each measure that is not cached: that was most of
 * what a request cost on the way to the screen.  Measured here the same
 * way, with the texts of the request most likely to come (the last one), a
 * request only re-measures what it changes. */
void fr_confirm_dialog_prepare(FrConfirmDialog *self, const char *trigger, const char *device,
                               gint64 timeout_usec) {
        GtkWidget *content = adw_dialog_get_child(ADW_DIALOG(self));
        int natural = 0;

        g_return_if_fail(!self->trigger);
        if (trigger)
                set_intro(self, trigger, device);
        if (timeout_usec > 0) {
                g_autofree char *countdown = countdown_text(seconds_shown(timeout_usec));

                gtk_label_set_text(GTK_LABEL(self->countdown_label), countdown);
        }
        fr_erase_list_update(self->erase_list, self->client);
        fit_to_monitor(self);
        gtk_widget_measure(content, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
        gtk_widget_measure(content, GTK_ORIENTATION_VERTICAL,
                           MAX(adw_dialog_get_content_width(ADW_DIALOG(self)), natural), NULL, NULL, NULL, NULL);
}

/* GTK looks a window's icons up when it shows the window (validating its
 * style) and loads each one that its icon theme has not cached in a
 * worker thread: the first dialog loaded four SVG files and started three
 * threads while it was presented (strace), waiting for them, the later
 * dialogs none.  The same lookups as GtkImage's (by GIcon, the image's
 * size, scale and direction, preloaded) fill that cache now. */
static void preload_icons(GtkWidget *widget, GtkIconTheme *theme) {
        g_autoptr(GIcon) gicon = NULL;
        g_autoptr(GtkIconPaintable) icon = NULL;
        gboolean fallbacks = FALSE;
        int size;

        for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child))
                preload_icons(child, theme);
        if (!GTK_IS_IMAGE(widget) || gtk_image_get_storage_type(GTK_IMAGE(widget)) != GTK_IMAGE_ICON_NAME)
                return;

        g_object_get(widget, "use-fallback", &fallbacks, NULL);
        gicon = fallbacks ? g_themed_icon_new_with_default_fallbacks(gtk_image_get_icon_name(GTK_IMAGE(widget)))
                          : g_themed_icon_new(gtk_image_get_icon_name(GTK_IMAGE(widget)));
        size = gtk_image_get_pixel_size(GTK_IMAGE(widget));
        if (size < 0)
                size = gtk_image_get_icon_size(GTK_IMAGE(widget)) == GTK_ICON_SIZE_LARGE ? 32 : 16;
        icon = gtk_icon_theme_lookup_by_gicon(theme, gicon, size, gtk_widget_get_scale_factor(widget),
                                              gtk_widget_get_direction(widget), GTK_ICON_LOOKUP_PRELOAD);
}

/* What the first dialog of a process costs once, paid ahead without
 * showing anything.  Presenting runs the same instructions for the first
 * dialog as for the later ones (callgrind: 33.7 and 33.3 million) and
 * still took twice the CPU time, natively and in the VM: code and data a
 * process touches for the first time cost more (the VM translates the
 * code).  Most of that time goes before the dialog's window is realized,
 * in rooting the dialog: its style in a window and its text measured in
 * its fonts.  So the content of a stand-in, filled in as the spare is, is
 * rooted in a window of the dialog's kind and measured there; the window
 * is realized (its surface and renderer; the renderer's device, shaders
 * and glyph cache are per display and outlive it) and renders one offscreen
 * frame of the dialog's words and of an icon drawn from SVG.  Never mapped:
 * nothing reaches the screen and the focus stays where it is. */
void fr_confirm_dialog_warm_up(FrClient *client, const char *trigger, const char *device, gint64 timeout_usec) {
        g_autoptr(FrConfirmDialog) stand_in = fr_confirm_dialog_new(client);
        g_autoptr(GtkWidget) content = NULL;
        GtkWidget *window = gtk_window_new();
        g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new();
        g_autoptr(GskRenderNode) node = NULL;
        g_autoptr(GdkTexture) texture = NULL;
        g_autoptr(GtkIconPaintable) icon = NULL;
        GskRenderer *renderer;
        int natural = 0;

        fr_confirm_dialog_prepare(stand_in, trigger, device, timeout_usec);
        content = g_object_ref(adw_dialog_get_child(ADW_DIALOG(stand_in)));
        adw_dialog_set_child(ADW_DIALOG(stand_in), NULL);
        gtk_widget_add_css_class(window, "dialog-window");
        gtk_window_set_resizable(GTK_WINDOW(window), FALSE);
        gtk_window_set_child(GTK_WINDOW(window), content);
        gtk_widget_realize(window);
        gtk_widget_measure(window, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
        gtk_widget_measure(window, GTK_ORIENTATION_VERTICAL, MAX(natural, 1), NULL, NULL, NULL, NULL);

        /* The icon theme is read at its first lookup (its index files): 28
         * of the first dialog's 90 million instructions in callgrind; the
         * first symbolic icon is parsed and drawn from SVG. */
        icon = gtk_icon_theme_lookup_icon(gtk_icon_theme_get_for_display(gtk_widget_get_display(window)),
                                          "window-close-symbolic", NULL, 16, 1, GTK_TEXT_DIR_NONE, 0);
        preload_icons(window, gtk_icon_theme_get_for_display(gtk_widget_get_display(window)));
        renderer = gtk_native_get_renderer(GTK_NATIVE(window));
        if (renderer) {
                GskRoundedRect outline;
                GdkRGBA fg = { 0, 0, 0, 1 }, bg = { 1, 1, 1, 1 };
                g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout(
                        stand_in->intro_label, gtk_label_get_text(GTK_LABEL(stand_in->intro_label)));

                gsk_rounded_rect_init_from_rect(&outline, &GRAPHENE_RECT_INIT(0, 0, 200, 100), 12);
                gtk_snapshot_append_outset_shadow(snapshot, &outline, &fg, 0, 2, 0, 8);
                gtk_snapshot_push_rounded_clip(snapshot, &outline);
                gtk_snapshot_append_color(snapshot, &bg, &GRAPHENE_RECT_INIT(0, 0, 200, 100));
                gtk_snapshot_append_layout(snapshot, layout, &fg);
                if (icon)
                        gdk_paintable_snapshot(GDK_PAINTABLE(icon), snapshot, 16, 16);
                gtk_snapshot_pop(snapshot);
                node = gtk_snapshot_free_to_node(g_steal_pointer(&snapshot));
                if (node)
                        texture = gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, 200, 100));
        }
        gtk_window_destroy(GTK_WINDOW(window));
}

void fr_confirm_dialog_ask(FrConfirmDialog *self, guint32 request_id, const char *trigger, const char *device,
                           gint64 deadline_usec) {
        g_autofree char *erased = NULL, *spoken = NULL;

        g_return_if_fail(!self->trigger);
        self->asked_usec = g_get_monotonic_time();
        self->request_id = request_id;
        self->trigger = g_strdup(trigger);
        self->deadline_usec = deadline_usec;

        set_intro(self, trigger, device);

        fr_erase_list_update(self->erase_list, self->client);
        /* Screen readers say an alert's description with its name when it
         * opens, and then nothing else of its text: the question, who asked
         * with what and where, and what will be erased (Orca was heard
         * saying the intro alone when it was the description). */
        erased = fr_erase_list_describe(self->erase_list);
        spoken = g_strjoin(" ", gtk_label_get_text(GTK_LABEL(self->title_label)),
                           gtk_label_get_text(GTK_LABEL(self->intro_label)), erased, NULL);
        gtk_accessible_update_property(GTK_ACCESSIBLE(self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, spoken, -1);

        update_sensitivity(self);
        self->announced_at = threshold_for(remaining_seconds(self));
        update_countdown(self);
        self->tick = g_timeout_add(TICK_MSEC, on_tick, self);
        fit_to_monitor(self);
        fr_screenshot_when_shown(GTK_WIDGET(self), "dialog");
}

void fr_confirm_dialog_present(FrConfirmDialog *self, GtkApplication *app) {
        GtkRoot *root;

        self->presenting_usec = g_get_monotonic_time();
        (void) getrusage(RUSAGE_THREAD, &self->presenting_usage);
        fr_present_alone(ADW_DIALOG(self), app);
        root = gtk_widget_get_root(GTK_WIDGET(self));
        /* What screen readers say with that window's name (the dialog's
         * title) when it appears. */
        if (root)
                gtk_accessible_update_property(GTK_ACCESSIBLE(root), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               gtk_label_get_text(GTK_LABEL(self->intro_label)), -1);
        focus_cancel(self, TRUE);
}

guint32 fr_confirm_dialog_get_request_id(FrConfirmDialog *self) {
        return self->request_id;
}

void fr_confirm_dialog_close_unanswered(FrConfirmDialog *self, const char *reason) {
        if (self->answered)
                return;
        log_answer("closed", self->request_id, reason);
        finish(self);
}
