/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fr-journal.h"

#define FIELDS_MAX 12

static gboolean stderr_is_journal(void) {
        static int connected = -1;

        if (connected < 0)
                connected = g_log_writer_is_journald(fileno(stderr));
        return connected;
}

void fr_journal(const char *message_id, const char *message, ...) {
        GLogField fields[FIELDS_MAX];
        gsize n = 0;
        const char *key;
        va_list ap;

        if (!stderr_is_journal())
                return;
        g_return_if_fail(g_str_has_prefix(message_id, "MESSAGE_ID="));

        fields[n++] = (GLogField) { "MESSAGE", message, -1 };
        fields[n++] = (GLogField) { "MESSAGE_ID", message_id + strlen("MESSAGE_ID="), -1 };
        fields[n++] = (GLogField) { "PRIORITY", "6", -1 }; /* LOG_INFO */
        fields[n++] = (GLogField) { "SYSLOG_IDENTIFIER", "factory-reset", -1 };
        va_start(ap, message);
        while ((key = va_arg(ap, const char *)) && n < FIELDS_MAX)
                fields[n++] = (GLogField) { key, va_arg(ap, const char *), -1 };
        va_end(ap);

        g_log_writer_journald(G_LOG_LEVEL_INFO, fields, n, NULL);
}
