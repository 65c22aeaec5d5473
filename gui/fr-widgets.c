/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fr-widgets.h"

void fr_describe(GtkWidget *widget, const char *description) {
        gtk_accessible_update_property(GTK_ACCESSIBLE(widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

GtkWidget *fr_boxed_list_new(const char *name, const char *description) {
        GtkWidget *list = gtk_list_box_new();

        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        gtk_widget_add_css_class(list, "boxed-list");
        gtk_accessible_update_property(GTK_ACCESSIBLE(list),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                       -1);
        return list;
}

void fr_present_alone(AdwDialog *dialog, GtkApplication *app) {
        GtkRoot *root;

        adw_dialog_present(dialog, NULL);
        root = gtk_widget_get_root(GTK_WIDGET(dialog));
        if (GTK_IS_WINDOW(root))
                gtk_window_set_application(GTK_WINDOW(root), app);
}
