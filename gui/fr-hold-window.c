/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gi18n.h>

#include "fr-gesture.h"
#include "fr-hold-window.h"
#include "fr-widgets.h"

GtkWindow *fr_hold_window_new(GtkApplication *app, FrClient *client, const char *trigger) {
        GtkWidget *window, *box, *label, *bar;
        g_autofree char *text = NULL, *gesture = fr_gesture_trigger_in_words(client, trigger);

        window = g_object_new(GTK_TYPE_WINDOW,
                              "application", app,
                              "title", _("Keep Holding to Reset"),
                              "resizable", FALSE,
                              "deletable", FALSE,
                              NULL);
        box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        fr_set_margins(box, 18, 24);

        /* Translators: %s is the gesture in words, e.g. "Hold the power
         * button for 3 seconds"; its name from hotkeyd.conf when the
         * daemon does not list it. */
        text = g_strdup_printf(_("Keep holding to ask for a factory reset (“%s”). "
                                 "Let go to keep using the keys as usual."), gesture ?: trigger);
        label = fr_label_new(text, NULL);
        gtk_label_set_max_width_chars(GTK_LABEL(label), 40);
        gtk_box_append(GTK_BOX(box), label);

        bar = gtk_progress_bar_new();
        gtk_progress_bar_set_show_text(GTK_PROGRESS_BAR(bar), TRUE);
        gtk_progress_bar_set_text(GTK_PROGRESS_BAR(bar), _("Holding…"));
        gtk_accessible_update_property(GTK_ACCESSIBLE(bar),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, _("How long the key was held"),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       _("A confirmation is asked for when the bar is full"),
                                       -1);
        gtk_box_append(GTK_BOX(box), bar);
        g_object_set_data(G_OBJECT(window), "fr-bar", bar);

        gtk_window_set_child(GTK_WINDOW(window), box);
        return GTK_WINDOW(window);
}

void fr_hold_window_set_progress(GtkWindow *window, guint64 elapsed_usec, guint64 total_usec) {
        GtkProgressBar *bar = g_object_get_data(G_OBJECT(window), "fr-bar");
        g_autofree char *text = NULL;
        double fraction = total_usec > 0 ? (double) elapsed_usec / (double) total_usec : 0;

        gtk_progress_bar_set_fraction(bar, CLAMP(fraction, 0.0, 1.0));
        /* Translators: seconds held so far and seconds needed, e.g. "1 of 3 seconds". */
        text = g_strdup_printf(_("%u of %u seconds"), (unsigned) (elapsed_usec / G_USEC_PER_SEC),
                               (unsigned) ((total_usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
        gtk_progress_bar_set_text(bar, text);
}
