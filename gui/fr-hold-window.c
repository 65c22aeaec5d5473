/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gi18n.h>

#include "fr-application.h"
#include "fr-gesture.h"
#include "fr-hold-window.h"

struct _FrHoldWindow {
        AdwDialog parent_instance;

        /* From the template (fr-hold-window.ui). */
        GtkWidget *label;
        GtkWidget *bar;
};

G_DEFINE_FINAL_TYPE(FrHoldWindow, fr_hold_window, ADW_TYPE_DIALOG)

static void fr_hold_window_dispose(GObject *object) {
        gtk_widget_dispose_template(GTK_WIDGET(object), FR_TYPE_HOLD_WINDOW);
        G_OBJECT_CLASS(fr_hold_window_parent_class)->dispose(object);
}

static void fr_hold_window_class_init(FrHoldWindowClass *klass) {
        GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = fr_hold_window_dispose;
        gtk_widget_class_set_template_from_resource(widget_class, FR_RESOURCE_PATH "/fr-hold-window.ui");
        gtk_widget_class_bind_template_child(widget_class, FrHoldWindow, label);
        gtk_widget_class_bind_template_child(widget_class, FrHoldWindow, bar);
}

static void fr_hold_window_init(FrHoldWindow *self) {
        gtk_widget_init_template(GTK_WIDGET(self));
}

FrHoldWindow *fr_hold_window_new(FrClient *client, const char *trigger) {
        FrHoldWindow *self = g_object_new(FR_TYPE_HOLD_WINDOW, NULL);
        g_autofree char *text = NULL, *gesture = fr_gesture_trigger_in_words(client, trigger);

        /* Translators: %s is the gesture in words, e.g. "Hold the power
         * button for 3 seconds"; its name from hotkeyd.conf when the
         * daemon does not list it. */
        text = g_strdup_printf(_("Keep holding to ask for a factory reset (“%s”). "
                                 "Let go to keep using the keys as usual."), gesture ?: trigger);
        gtk_label_set_text(GTK_LABEL(self->label), text);
        return self;
}

void fr_hold_window_set_progress(FrHoldWindow *self, guint64 elapsed_usec, guint64 total_usec) {
        GtkProgressBar *bar = GTK_PROGRESS_BAR(self->bar);
        g_autofree char *text = NULL;
        double fraction = total_usec > 0 ? (double) elapsed_usec / (double) total_usec : 0;

        gtk_progress_bar_set_fraction(bar, CLAMP(fraction, 0.0, 1.0));
        /* Translators: seconds held so far and seconds needed, e.g. "1 of 3 seconds". */
        text = g_strdup_printf(_("%u of %u seconds"), (unsigned) (elapsed_usec / G_USEC_PER_SEC),
                               (unsigned) ((total_usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
        gtk_progress_bar_set_text(bar, text);
}
