/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <glib/gi18n.h>

#include "fr-erase-list.h"
#include "fr-widgets.h"

GtkWidget *fr_info_row_new(const char *icon_name, const char *title, const char *subtitle) {
        GtkWidget *row = adw_action_row_new();
        g_autofree char *accessible = NULL;

        /* Partition labels, mount points and plug-in descriptions come from
         * elsewhere: shown as they are, never read as markup. */
        adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
        adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
        if (subtitle && *subtitle)
                adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
        if (icon_name) {
                /* The icon repeats what the text says: screen readers skip it. */
                GtkWidget *icon = g_object_new(GTK_TYPE_IMAGE, "icon-name", icon_name,
                                               "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
                adw_action_row_add_prefix(ADW_ACTION_ROW(row), icon);
        }
        gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
        /* Information, not a control: Tab goes from control to control. */
        gtk_widget_set_focusable(row, FALSE);
        /* Both texts in the row's name, so that a screen reader moving over
         * the list says the details too, not the title alone. */
        accessible = subtitle && *subtitle ? g_strdup_printf("%s. %s", title, subtitle) : g_strdup(title);
        gtk_accessible_reset_relation(GTK_ACCESSIBLE(row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
        gtk_accessible_update_property(GTK_ACCESSIBLE(row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
        /* GTK has no getter for an accessible property: kept for
         * fr_erase_list_describe(). */
        g_object_set_data_full(G_OBJECT(row), "fr-accessible-text", g_steal_pointer(&accessible), g_free);
        return row;
}

GtkWidget *fr_erase_list_new(void) {
        return fr_boxed_list_new(_("What will be erased"), _("The partitions and keys that a factory reset erases"));
}

static char *partition_details(const char *device, guint64 size, const char *mount_point) {
        g_autoptr(GString) s = g_string_new(NULL);

        if (!*device)
                return g_strdup(_("Not created yet: it is made fresh on the next boot."));
        g_string_append(s, device);
        if (size > 0) {
                g_autofree char *sz = g_format_size(size);
                g_string_append_printf(s, ", %s", sz);
        }
        if (*mount_point)
                g_string_append_printf(s, _(", in use at %s"), mount_point);
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static void append_partitions(GtkListBox *list, GVariant *parts, GVariant *problems) {
        const char *file, *type, *label, *device, *mount_point;
        guint64 size;
        GVariantIter iter;

        if (!parts) {
                gtk_list_box_append(list, fr_info_row_new("dialog-question-symbolic",
                                                          _("Cannot tell which partitions will be erased"),
                                                          _("The factory reset service does not say. "
                                                            "Assume that all your files and settings are erased.")));
        } else if (g_variant_n_children(parts) == 0) {
                gtk_list_box_append(list, fr_info_row_new("drive-harddisk-symbolic",
                                                          _("No partition is marked to be erased"),
                                                          _("No partition definition says FactoryReset=yes.")));
        } else {
                g_variant_iter_init(&iter, parts);
                while (g_variant_iter_next(&iter, "(&s&s&s&st&s)", &file, &type, &label, &device, &size, &mount_point)) {
                        g_autofree char *title = NULL;
                        g_autofree char *details = partition_details(device, size, mount_point);

                        /* Translators: a partition to be erased: its label, then its type, e.g. "home (home)". */
                        title = *label ? g_strdup_printf(_("%s (%s)"), label, type) : g_strdup(type);
                        gtk_list_box_append(list, fr_info_row_new("drive-harddisk-symbolic", title, details));
                }
        }

        if (problems) {
                const char *problem;

                g_variant_iter_init(&iter, problems);
                while (g_variant_iter_next(&iter, "&s", &problem))
                        gtk_list_box_append(list, fr_info_row_new("dialog-warning-symbolic",
                                                                  _("Warning: the list may be incomplete"), problem));
        }
}

static void append_tpm(GtkListBox *list, GVariant *clears, GVariant *tpm) {
        gboolean present = FALSE;

        if (tpm)
                g_variant_lookup(tpm, "Present", "b", &present);

        if (!clears)
                gtk_list_box_append(list, fr_info_row_new("dialog-question-symbolic",
                                                          _("Cannot tell whether the security chip (TPM) will be cleared"),
                                                          _("The factory reset service does not say.")));
        else if (g_variant_get_boolean(clears))
                gtk_list_box_append(list, fr_info_row_new("security-high-symbolic",
                                                          _("The security chip (TPM) will be cleared"),
                                                          _("Keys kept in it are lost, such as those of encrypted disks and passkeys.")));
        else if (tpm && !present)
                gtk_list_box_append(list, fr_info_row_new("security-high-symbolic",
                                                          _("This computer has no security chip (TPM)"), NULL));
        else
                gtk_list_box_append(list, fr_info_row_new("security-high-symbolic",
                                                          _("The security chip (TPM) is not cleared"), NULL));
}

/* What a plug-in resets only its description says; a daemon without the
 * property has none to show. */
static void append_plugins(GtkListBox *list, GVariant *plugins) {
        const char *unit, *description;
        GVariantIter iter;

        if (!plugins)
                return;
        g_variant_iter_init(&iter, plugins);
        while (g_variant_iter_next(&iter, "(&s&s)", &unit, &description)) {
                /* Translators: %s is a systemd service, e.g. "acme-wipe-vault.service". */
                g_autofree char *by = g_strdup_printf(_("Reset by the service %s"), unit);
                gtk_list_box_append(list, fr_info_row_new("system-run-symbolic", *description ? description : unit, by));
        }
}

/* Rows are rebuilt only when what they show changed: new rows are styled
 * and their text shaped afresh, which was a good part of what presenting
 * the confirmation dialog cost (the agent fills its next dialog ahead). */
void fr_erase_list_update(GtkWidget *list, FrClient *client) {
        g_autoptr(GVariant) parts = fr_client_dup_property(client, "ErasedPartitions", "a(ssssts)");
        g_autoptr(GVariant) problems = fr_client_dup_property(client, "EraseProblems", "as");
        g_autoptr(GVariant) clears = fr_client_dup_property(client, "ClearsTpm", "b");
        g_autoptr(GVariant) tpm = fr_client_dup_property(client, "Tpm", "a{sv}");
        g_autoptr(GVariant) plugins = fr_client_dup_property(client, "ResetPlugins", "a(ss)");
        GVariant *sources = g_variant_ref_sink(g_variant_new("(mvmvmvmvmv)", parts, problems, clears, tpm, plugins));
        GVariant *shown = g_object_get_data(G_OBJECT(list), "fr-erase-sources");

        if (shown && g_variant_equal(shown, sources)) {
                g_variant_unref(sources);
                return;
        }
        g_object_set_data_full(G_OBJECT(list), "fr-erase-sources", sources, (GDestroyNotify) g_variant_unref);
        gtk_list_box_remove_all(GTK_LIST_BOX(list));
        append_partitions(GTK_LIST_BOX(list), parts, problems);
        append_tpm(GTK_LIST_BOX(list), clears, tpm);
        append_plugins(GTK_LIST_BOX(list), plugins);
}

static void append_sentence(GString *s, const char *text) {
        size_t n = strlen(text);

        if (n == 0)
                return;
        if (s->len > 0)
                g_string_append_c(s, ' ');
        g_string_append(s, text);
        if (!strchr(".?!", text[n - 1]))
                g_string_append_c(s, '.');
}

char *fr_erase_list_describe(GtkWidget *list) {
        g_autoptr(GString) s = g_string_new(NULL);

        append_sentence(s, _("What will be erased"));
        for (GtkWidget *row = gtk_widget_get_first_child(list); row; row = gtk_widget_get_next_sibling(row)) {
                const char *text = g_object_get_data(G_OBJECT(row), "fr-accessible-text");

                if (text)
                        append_sentence(s, text);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}
