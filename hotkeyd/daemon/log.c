/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
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

        struct iovec iov[32];
        size_t n = 0;
        char prio[32], err[32], msg[sizeof message + 16];

        snprintf(msg, sizeof msg, "MESSAGE=%s", message);
        iov[n++] = (struct iovec) { msg, strlen(msg) };
        snprintf(prio, sizeof prio, "PRIORITY=%i", level);
        iov[n++] = (struct iovec) { prio, strlen(prio) };
        if (error != 0) {
                snprintf(err, sizeof err, "ERRNO=%i", error < 0 ? -error : error);
                iov[n++] = (struct iovec) { err, strlen(err) };
        }
        iov[n++] = (struct iovec) { (char *) "SYSLOG_IDENTIFIER=hotkeyd", strlen("SYSLOG_IDENTIFIER=hotkeyd") };
        for (const char *const *f = fields; f && *f && n < ELEMENTSOF(iov); f++)
                iov[n++] = (struct iovec) { (char *) *f, strlen(*f) };

        if (sd_journal_sendv(iov, n) < 0)
                fprintf(stderr, "%s\n", message);

        return ret;
}

int log_full(int level, int error, const char *const *fields, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        int r = log_fullv(level, error, fields, format, ap);
        va_end(ap);
        return r;
}
