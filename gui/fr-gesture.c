/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <glib/gi18n.h>

#include "fr-gesture.h"

/* The keys triggers are made of, as people call them.  Letters, digits
 * and function keys need no entry: the kernel's name without "KEY_" is
 * what is printed on them ("KEY_R" → "R", "KEY_F1" → "F1"). */
static const struct {
        const char *key;
        const char *words;
} key_table[] = {
        /* Translators: key names complete sentences such as "Hold the
         * power button for 3 seconds"; choose a form that fits after
         * "Hold" and "Press" in your language. */
        { "KEY_POWER", NC_("key", "the power button") },
        { "KEY_RESTART", NC_("key", "the restart key") },
        { "KEY_SLEEP", NC_("key", "the sleep key") },
        { "KEY_WAKEUP", NC_("key", "the wake-up key") },
        { "KEY_VOLUMEDOWN", NC_("key", "Volume Down") },
        { "KEY_VOLUMEUP", NC_("key", "Volume Up") },
        { "KEY_MUTE", NC_("key", "Mute") },
        { "KEY_LEFTCTRL", NC_("key", "Ctrl") },
        { "KEY_RIGHTCTRL", NC_("key", "Right Ctrl") },
        { "KEY_LEFTALT", NC_("key", "Alt") },
        { "KEY_RIGHTALT", NC_("key", "Right Alt") },
        { "KEY_LEFTSHIFT", NC_("key", "Shift") },
        { "KEY_RIGHTSHIFT", NC_("key", "Right Shift") },
        { "KEY_LEFTMETA", NC_("key", "Super") },
        { "KEY_RIGHTMETA", NC_("key", "Right Super") },
        { "KEY_ESC", NC_("key", "Esc") },
        { "KEY_ENTER", NC_("key", "Enter") },
        { "KEY_SPACE", NC_("key", "Space") },
        { "KEY_BACKSPACE", NC_("key", "Backspace") },
        { "KEY_TAB", NC_("key", "Tab") },
        { "KEY_DELETE", NC_("key", "Delete") },
        { "KEY_HOME", NC_("key", "Home") },
        { "KEY_SYSRQ", NC_("key", "SysRq") },
};

const char *fr_gesture_key_in_words(const char *key) {
        for (gsize i = 0; i < G_N_ELEMENTS(key_table); i++)
                if (g_str_equal(key, key_table[i].key))
                        return g_dpgettext2(NULL, "key", key_table[i].words);
        return g_str_has_prefix(key, "KEY_") ? key + strlen("KEY_") : key;
}

/* A number of seconds and the count that picks its plural form: whole
 * seconds as they are, others with one decimal (in the locale's way), in
 * the form of the next whole number ("1.5 seconds"). */
static char *seconds_in_words(guint64 usec, gulong *ret_n) {
        if (usec % G_USEC_PER_SEC == 0) {
                *ret_n = (gulong) (usec / G_USEC_PER_SEC);
                return g_strdup_printf("%lu", *ret_n);
        }
        *ret_n = (gulong) ((usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
        return g_strdup_printf("%.1f", (double) usec / G_USEC_PER_SEC);
}

char *fr_gesture_in_words(const char *const *keys, const char *kind, guint64 hold_usec, guint32 presses,
                          guint64 within_usec) {
        g_autoptr(GString) names = g_string_new(NULL);
        g_autofree char *seconds = NULL;
        gulong n;

        for (gsize i = 0; keys && keys[i]; i++) {
                if (i > 0)
                        /* Translators: between the keys of a chord, "Ctrl + Alt + R". */
                        g_string_append(names, C_("keys", " + "));
                g_string_append(names, fr_gesture_key_in_words(keys[i]));
        }
        if (names->len == 0)
                return NULL;

        if (g_str_equal(kind, "hold")) {
                seconds = seconds_in_words(hold_usec, &n);
                /* Translators: the first %s is the keys ("the power button",
                 * "Ctrl + Alt + R"), the second a number of seconds. */
                return g_strdup_printf(ngettext("Hold %s for %s second", "Hold %s for %s seconds", n), names->str,
                                       seconds);
        }
        if (g_str_equal(kind, "presses")) {
                g_autofree char *within = NULL;

                seconds = seconds_in_words(within_usec, &n);
                /* Translators: %s is a number of seconds; completes "Press
                 * the power button 5 times within 3 seconds". */
                within = g_strdup_printf(ngettext("within %s second", "within %s seconds", n), seconds);
                /* Translators: the first %s is the keys ("the power button"),
                 * %u how often, the last %s "within 3 seconds". */
                return g_strdup_printf(ngettext("Press %s %u time %s", "Press %s %u times %s", presses), names->str,
                                       presses, within);
        }
        return NULL;
}

char *fr_gesture_trigger_in_words(FrClient *client, const char *name) {
        g_autoptr(GVariant) triggers = fr_client_dup_property(client, "Triggers", "a(sasstuts)");
        g_autofree const char **keys = NULL;
        const char *trigger, *kind, *seat;
        guint64 hold_usec, within_usec;
        guint32 presses;
        GVariantIter iter;

        if (!triggers)
                return NULL;
        g_variant_iter_init(&iter, triggers);
        while (g_variant_iter_next(&iter, "(&s^a&s&stut&s)", &trigger, &keys, &kind, &hold_usec, &presses,
                                   &within_usec, &seat)) {
                if (g_str_equal(trigger, name))
                        return fr_gesture_in_words(keys, kind, hold_usec, presses, within_usec);
                g_clear_pointer(&keys, g_free);
        }
        return NULL;
}
