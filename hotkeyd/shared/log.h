/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging: to the journal as structured entries when stderr is connected to
 * it (JOURNAL_STREAM), else "hotkeyd: message" lines on stderr.  Errors are
 * negative errno values; log_*_errno() return them so call sites can
 * "return log_error_errno(r, ...)". */

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);

/* Extra journal fields: NULL-terminated list of "FIELD=value" strings. */
int log_fullv(int level, int error, const char *const *fields, const char *format, va_list ap) _printf_(4, 0);
int log_full(int level, int error, const char *const *fields, const char *format, ...) _printf_(4, 5);

#define log_debug(...) log_full(LOG_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, 0, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, 0, NULL, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full(LOG_DEBUG, (e), NULL, __VA_ARGS__)
#define log_info_errno(e, ...) log_full(LOG_INFO, (e), NULL, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full(LOG_WARNING, (e), NULL, __VA_ARGS__)
#define log_error_errno(e, ...) log_full(LOG_ERR, (e), NULL, __VA_ARGS__)

#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")

/* A structured journal entry, as systemd's log_struct(): a NULL-ended list
 * of printf formats, each "FIELD=..." followed by its arguments, one of
 * them the message (LOG_MESSAGE()); on stderr only the message is printed.
 *
 *     log_struct(LOG_NOTICE,
 *                LOG_MESSAGE("Trigger %s cannot fire: %s.", name, reason),
 *                LOG_MESSAGE_ID(MESSAGE_ID_TRIGGER_UNREACHABLE),
 *                "HOTKEYD_TRIGGER=%s", name);
 *
 * Each field is formatted to its full length: nothing is cut; one that
 * formats to nothing is left out. */
int log_struct_internal(int level, int error, const char *format, ...) _sentinel_;
#define log_struct(level, ...) log_struct_internal((level), 0, __VA_ARGS__, NULL)
#define log_struct_errno(level, error, ...) log_struct_internal((level), (error), __VA_ARGS__, NULL)
#define LOG_MESSAGE(fmt, ...) "MESSAGE=" fmt, ##__VA_ARGS__
/* The MESSAGE_ID_* constants (messages.h) are whole "MESSAGE_ID=..." fields. */
#define LOG_MESSAGE_ID(id) "%s", (id)
/* "FIELD=value" when value is set, else nothing (an empty field is left
 * out; its argument is taken all the same). */
#define LOG_FIELD_IF_SET(field, value) (value) ? field "=%s" : "%.0s", strempty(value)

/* The fields of such a list, formatted (a NULL-ended array, each entry and
 * the array to be freed); for log_struct_internal() and its tests. */
int log_struct_fieldsv(const char *format, va_list ap, char ***ret);
void log_struct_fields_free(char **fields);
