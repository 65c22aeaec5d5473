/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fr-screenshot.h"

/* Long enough for the first frames, the icons and the fonts. */
#define SCREENSHOT_DELAY_MSEC 700

typedef struct {
        GtkWidget *widget; /* weak */
        char *path;
} Screenshot;

static void screenshot_free(Screenshot *s) {
        g_clear_weak_pointer(&s->widget);
        g_free(s->path);
        g_free(s);
}

static gboolean take(gpointer user_data) {
        Screenshot *s = user_data;
        g_autoptr(GdkPaintable) paintable = NULL;
        g_autoptr(GskRenderNode) node = NULL;
        g_autoptr(GdkTexture) texture = NULL;
        GtkSnapshot *snapshot;
        graphene_rect_t bounds;
        GtkWidget *window;

        if (!s->widget || !gtk_widget_get_mapped(s->widget))
                return G_SOURCE_REMOVE;
        /* The window around a dialog too: what is on the screen. */
        window = GTK_WIDGET(gtk_widget_get_root(s->widget));

        paintable = gtk_widget_paintable_new(window);
        snapshot = gtk_snapshot_new();
        gdk_paintable_snapshot(paintable, snapshot, gtk_widget_get_width(window), gtk_widget_get_height(window));
        node = gtk_snapshot_free_to_node(snapshot);
        if (!node)
                return G_SOURCE_REMOVE;
        gsk_render_node_get_bounds(node, &bounds);
        texture = gsk_renderer_render_texture(gtk_native_get_renderer(GTK_NATIVE(window)), node, &bounds);
        if (gdk_texture_save_to_png(texture, s->path))
                printf("screenshot %s\n", s->path);
        else
                printf("screenshot-failed %s\n", s->path);
        fflush(stdout);
        return G_SOURCE_REMOVE;
}

static void on_map(GtkWidget *widget, Screenshot *s) {
        g_signal_handlers_disconnect_by_func(widget, on_map, s);
        g_timeout_add_full(G_PRIORITY_DEFAULT, SCREENSHOT_DELAY_MSEC, take, s, (GDestroyNotify) screenshot_free);
}

void fr_screenshot_when_shown(GtkWidget *widget, const char *name) {
        const char *dir = g_getenv("FACTORY_RESET_SCREENSHOT_DIR");
        g_autofree char *file = NULL;
        Screenshot *s;

        if (!dir || !*dir)
                return;
        g_mkdir_with_parents(dir, 0755);
        file = g_strconcat(name, ".png", NULL);
        s = g_new0(Screenshot, 1);
        g_set_weak_pointer(&s->widget, widget);
        s->path = g_build_filename(dir, file, NULL);
        g_signal_connect(widget, "map", G_CALLBACK(on_map), s);
}
