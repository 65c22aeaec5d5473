/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <adwaita.h>

#include "fr-screenshot.h"

/* Long enough for the first frames, the icons and the fonts. */
#define SCREENSHOT_DELAY_MSEC 700
#define MAX_GROW 3

typedef struct {
        GtkWidget *widget; /* weak */
        char *path;
        unsigned grown; /* times */
} Screenshot;

static void screenshot_free(Screenshot *s) {
        g_clear_weak_pointer(&s->widget);
        g_free(s->path);
        g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Screenshot, screenshot_free)

static gboolean take(gpointer user_data);

static void take_later(Screenshot *s) {
        g_timeout_add(SCREENSHOT_DELAY_MSEC, take, s);
}

/* The scrolled window the person sees (the window has others, unmapped). */
static GtkScrolledWindow *find_scrolled(GtkWidget *widget) {
        for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
                GtkScrolledWindow *found;

                if (!gtk_widget_get_mapped(child))
                        continue;
                if (GTK_IS_SCROLLED_WINDOW(child))
                        return GTK_SCROLLED_WINDOW(child);
                found = find_scrolled(child);
                if (found)
                        return found;
        }
        return NULL;
}

/* The whole of the scrollable content, not the first screenful: the
 * window (the dialog's too) is made taller by what its scrolled window
 * hides, before the picture is taken; wrapped text may need a second
 * round.  A minimum size, not a default size, which GTK keeps within the
 * monitor.  Whether a narrow screen cuts anything off sideways stays
 * visible: the width is kept. */
static gboolean grow(GtkWidget *window) {
        GtkScrolledWindow *scrolled = find_scrolled(window);
        GtkAdjustment *adjustment;
        double hidden;

        if (!scrolled)
                return FALSE;
        adjustment = gtk_scrolled_window_get_vadjustment(scrolled);
        hidden = gtk_adjustment_get_upper(adjustment) - gtk_adjustment_get_page_size(adjustment);
        if (hidden < 1)
                return FALSE;
        gtk_widget_set_size_request(window, -1, gtk_widget_get_height(window) + (int) hidden + 1);
        return TRUE;
}

static gboolean take(gpointer user_data) {
        g_autoptr(Screenshot) s = user_data;
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

        if (s->grown < MAX_GROW) {
                s->grown++;
                if (grow(window)) {
                        take_later(g_steal_pointer(&s));
                        return G_SOURCE_REMOVE;
                }
        }

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
        take_later(s);
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
