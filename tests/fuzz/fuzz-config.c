/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The configuration parser reads files an administrator (or a package)
 * wrote; it must survive anything, never leak and never read past its
 * input, which is not NUL-terminated. */

#include "config.h"
#include "fuzz.h"

/* Formats nothing but touches every byte, so a message built from a dangling
 * or unterminated string shows up under ASan. */
static void count_error(const char *file, unsigned line, const char *message, void *userdata) {
        size_t *n = userdata;

        *n += strlen(file) + strlen(message) + line % 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_free_ unsigned *codes = NULL;
        size_t n_errors = 0;

        c = config_new();
        if (!c)
                return 0;

        /* The same text twice: the second pass is a drop-in on top of the
         * first, which exercises replacing triggers by name. */
        (void) config_parse_text(c, "fuzz.conf", (const char *) data, size, count_error, &n_errors);
        (void) config_parse_text(c, "fuzz.conf.d/50-again.conf", (const char *) data, size, NULL, NULL);

        /* Whatever was accepted must be internally consistent. */
        codes = calloc(c->n_triggers * TRIGGER_KEYS_MAX + 1, sizeof *codes);
        if (!codes)
                return 0;
        size_t n_codes = config_trigger_keys(c, codes);
        for (size_t i = 0; i < n_codes; i++)
                if (!config_uses_key(c, codes[i]) || (i > 0 && codes[i - 1] >= codes[i]))
                        abort();

        if (!daemon_mode_to_string(c->mode))
                abort();

        for (size_t i = 0; i < c->n_triggers; i++) {
                const Trigger *t = &c->triggers[i];

                if (config_find_trigger(c, t->name) != t)
                        abort(); /* names must be unique */
                if (t->n_keys == 0 || t->n_keys > TRIGGER_KEYS_MAX)
                        abort();
                if (t->kind == TRIGGER_HOLD ? (t->hold_usec == 0 || t->progress_usec == 0)
                                            : (t->presses < 2 || t->within_usec == 0))
                        abort();
        }
        return 0;
}
