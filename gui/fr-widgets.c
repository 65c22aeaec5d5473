/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fr-widgets.h"

GtkWidget *fr_label_new(const char *text, const char *css_class) {
        GtkWidget *label = gtk_label_new(text);

        gtk_label_set_xalign(GTK_LABEL(label), 0);
        gtk_label_set_wrap(GTK_LABEL(label), TRUE);
        if (css_class)
                gtk_widget_add_css_class(label, css_class);
        return label;
}

void fr_describe(GtkWidget *widget, const char *description) {
        gtk_accessible_update_property(GTK_ACCESSIBLE(widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

GtkWidget *fr_button_new(const char *mnemonic, const char *description, const char *css_class,
                         GCallback clicked, gpointer user_data) {
        GtkWidget *button = gtk_button_new_with_mnemonic(mnemonic);

        if (css_class)
                gtk_widget_add_css_class(button, css_class);
        fr_describe(button, description);
        g_signal_connect(button, "clicked", clicked, user_data);
        return button;
}

void fr_set_margins(GtkWidget *widget, int vertical, int horizontal) {
        gtk_widget_set_margin_top(widget, vertical);
        gtk_widget_set_margin_bottom(widget, vertical);
        gtk_widget_set_margin_start(widget, horizontal);
        gtk_widget_set_margin_end(widget, horizontal);
}

GtkWidget *fr_boxed_list_new(const char *name, const char *description) {
        GtkWidget *list = gtk_list_box_new();

        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        /* boxed-list where the theme has it (libadwaita's), a frame in
         * GTK's own theme. */
        gtk_widget_add_css_class(list, "boxed-list");
        gtk_widget_add_css_class(list, "rich-list");
        gtk_widget_add_css_class(list, "frame");
        gtk_accessible_update_property(GTK_ACCESSIBLE(list),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                       -1);
        return list;
}
