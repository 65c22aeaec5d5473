/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <printf.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "log.h"

static int max_level = LOG_INFO;
static int journal_connected = -1; /* -1: not checked yet */

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

/* stderr goes to the journal when systemd connected it there: JOURNAL_STREAM
 * names the device and inode of that stream.  Then structured entries are
 * better than text lines. */
static bool stderr_is_journal(void) {
        if (journal_connected >= 0)
                return journal_connected;

        journal_connected = false;
        const char *e = getenv("JOURNAL_STREAM");
        if (!e)
                return false;

        uintmax_t dev, ino;
        struct stat st;
        if (sscanf(e, "%ju:%ju", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return false;

        journal_connected = st.st_dev == dev && st.st_ino == ino;
        return journal_connected;
}

/* One entry to the journal: PRIORITY=, ERRNO= (with an error),
 * SYSLOG_IDENTIFIER= and the fields, each "FIELD=value"; message goes to
 * stderr if the journal refuses the entry. */
static void journal_send(int level, int error, const char *const *fields, size_t n_fields, const char *message) {
        struct iovec iov[n_fields + 3];
        char prio[32], err[32];
        size_t n = 0;

        snprintf(prio, sizeof prio, "PRIORITY=%i", level);
        iov[n++] = (struct iovec) { prio, strlen(prio) };
        if (error != 0) {
                snprintf(err, sizeof err, "ERRNO=%i", error < 0 ? -error : error);
                iov[n++] = (struct iovec) { err, strlen(err) };
        }
        iov[n++] = (struct iovec) { (char *) "SYSLOG_IDENTIFIER=hotkeyd", strlen("SYSLOG_IDENTIFIER=hotkeyd") };
        for (size_t i = 0; i < n_fields; i++)
                iov[n++] = (struct iovec) { (char *) fields[i], strlen(fields[i]) };

        if (sd_journal_sendv(iov, n) < 0)
                fprintf(stderr, "%s\n", message);
}

int log_fullv(int level, int error, const char *const *fields, const char *format, va_list ap) {
        int ret = error < 0 ? error : -error;

        if (level > max_level)
                return ret;

        /* So that %m in the format names the error. */
        if (error != 0)
                errno = error < 0 ? -error : error;

        char message[LINE_MAX * 2];
        vsnprintf(message, sizeof message, format, ap);

        if (!stderr_is_journal()) {
                fprintf(stderr, "%s\n", message);
                return ret;
        }

        /* MESSAGE= first, then the caller's fields (at most 32). */
        const char *all[33];
        char msg[sizeof message + 16];
        size_t n = 0;

        snprintf(msg, sizeof msg, "MESSAGE=%s", message);
        all[n++] = msg;
        for (const char *const *f = fields; f && *f && n < ELEMENTSOF(all); f++)
                all[n++] = *f;
        journal_send(level, error, all, n, message);

        return ret;
}

int log_full(int level, int error, const char *const *fields, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        int r = log_fullv(level, error, fields, format, ap);
        va_end(ap);
        return r;
}

/* Moves ap past the arguments format consumes: the formats of a
 * log_struct() list follow each other with their arguments in one va_list.
 * glibc's parse_printf_format() says what they are (systemd's
 * sd_journal_send() does the same). */
static int va_skip_format_args(const char *format, va_list *ap) {
        int types[64];
        size_t n = parse_printf_format(format, ELEMENTSOF(types), types);

        if (n > ELEMENTSOF(types))
                return -E2BIG;
        for (size_t i = 0; i < n; i++) {
                if (types[i] & PA_FLAG_PTR) {
                        (void) va_arg(*ap, void *);
                        continue;
                }
                switch (types[i]) {
                case PA_INT:
                case PA_INT | PA_FLAG_SHORT:
                case PA_CHAR:
                        (void) va_arg(*ap, int);
                        break;
                case PA_INT | PA_FLAG_LONG:
                        (void) va_arg(*ap, long);
                        break;
                case PA_INT | PA_FLAG_LONG_LONG:
                        (void) va_arg(*ap, long long);
                        break;
                case PA_STRING:
                case PA_POINTER:
                        (void) va_arg(*ap, void *);
                        break;
                case PA_DOUBLE:
                case PA_FLOAT:
                        (void) va_arg(*ap, double);
                        break;
                default:
                        return -EINVAL;
                }
        }
        return 0;
}

void log_struct_fields_free(char **fields) {
        for (char **f = fields; f && *f; f++)
                free(*f);
        free(fields);
}

int log_struct_fieldsv(const char *format, va_list ap, char ***ret) {
        char **fields = NULL;
        size_t n = 0;
        va_list aq;
        int r = 0;

        /* One va_list walked through: each format is printed from a copy,
         * then the original is moved past its arguments. */
        va_copy(aq, ap);
        for (const char *f = format; f; f = va_arg(aq, const char *)) {
                char **grown = reallocarray(fields, n + 2, sizeof *fields);
                if (!grown) {
                        r = -ENOMEM;
                        break;
                }
                fields = grown;

                va_list one;
                va_copy(one, aq);
                /* The formats are the callers' literals, checked where
                 * log_struct() cannot: by the tests of each entry. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                int k = vasprintf(&fields[n], f, one);
#pragma GCC diagnostic pop
                va_end(one);
                if (k < 0) {
                        r = -ENOMEM;
                        break;
                }
                /* An optional field that is not set (LOG_FIELD_IF_SET()):
                 * the journal takes no empty field. */
                if (k == 0)
                        fields[n] = mfree(fields[n]);
                else
                        n++;
                fields[n] = NULL;

                r = va_skip_format_args(f, &aq);
                if (r < 0)
                        break;
        }
        va_end(aq);

        if (r < 0) {
                if (fields)
                        fields[n] = NULL;
                log_struct_fields_free(fields);
                return r;
        }
        *ret = fields;
        return 0;
}

int log_struct_internal(int level, int error, const char *format, ...) {
        int ret = error < 0 ? error : -error;
        char **fields = NULL;
        const char *message = NULL;
        va_list ap;
        int r;

        if (level > max_level)
                return ret;

        /* So that %m in a format names the error. */
        if (error != 0)
                errno = error < 0 ? -error : error;
        va_start(ap, format);
        r = log_struct_fieldsv(format, ap, &fields);
        va_end(ap);
        if (r < 0) {
                fprintf(stderr, "hotkeyd: cannot format a log entry (%s): %s\n", format, strerror(-r));
                return ret;
        }

        for (char **f = fields; *f; f++)
                if (strncmp(*f, "MESSAGE=", 8) == 0)
                        message = *f + 8;

        if (!stderr_is_journal()) {
                fprintf(stderr, "%s\n", strempty(message));
                log_struct_fields_free(fields);
                return ret;
        }

        size_t n_fields = 0;
        while (fields[n_fields])
                n_fields++;

        journal_send(level, error, (const char *const *) fields, n_fields, strempty(message));
        log_struct_fields_free(fields);
        return ret;
}
