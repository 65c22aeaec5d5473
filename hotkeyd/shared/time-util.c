/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "time-util.h"

static const struct {
        const char *suffix;
        usec_t usec;
} units[] = {
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", 60 * USEC_PER_SEC },
        { "minute", 60 * USEC_PER_SEC },
        { "min", 60 * USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC },
        { "hours", 3600 * USEC_PER_SEC },
        { "hour", 3600 * USEC_PER_SEC },
        { "hr", 3600 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "msec", USEC_PER_MSEC },
        { "ms", USEC_PER_MSEC },
        { "usec", 1 },
        { "us", 1 },
};

/* Our own classifiers: the <ctype.h> ones depend on the locale, and a
 * configuration file must mean the same thing in every locale. */
static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The unit whose full name starts *s; 0 when there is none.  A unit must
 * not run on into more letters: "3sx" is garbage, not 3 seconds. */
static usec_t parse_unit(const char **s) {
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                size_t l = strlen(units[i].suffix);
                if (strncmp(*s, units[i].suffix, l) == 0 && !is_alpha((*s)[l])) {
                        *s += l;
                        return units[i].usec;
                }
        }
        return 0;
}

int parse_timespan(const char *s, usec_t *ret) {
        usec_t total = 0;
        bool any = false;

        if (!s || !ret)
                return -EINVAL;

        for (;;) {
                while (is_blank(*s))
                        s++;
                if (!*s)
                        break;
                if (!is_digit(*s))
                        return -EINVAL;

                /* Parsed by hand: strtod()/strtoull() would accept signs,
                 * "inf", hex and exponents, and depend on the locale. */
                usec_t whole = 0;
                while (is_digit(*s)) {
                        usec_t d = (usec_t) (*s++ - '0');
                        if (whole > (USEC_INFINITY - d) / 10)
                                return -ERANGE;
                        whole = whole * 10 + d;
                }

                /* Digits beyond nanoseconds cannot matter for any unit we
                 * know, so they are read but dropped. */
                usec_t frac = 0, frac_div = 1;
                if (*s == '.') {
                        s++;
                        if (!is_digit(*s))
                                return -EINVAL;
                        for (; is_digit(*s); s++)
                                if (frac_div < 1000000000ULL) {
                                        frac = frac * 10 + (usec_t) (*s - '0');
                                        frac_div *= 10;
                                }
                }

                while (*s == ' ' || *s == '\t')
                        s++;

                usec_t unit = USEC_PER_SEC;
                if (is_alpha(*s)) {
                        unit = parse_unit(&s);
                        if (unit == 0)
                                return -EINVAL;
                }

                if (whole > USEC_INFINITY / unit)
                        return -ERANGE;
                usec_t v = whole * unit;
                /* frac < 10^9 and unit <= 3.6 * 10^9: the product fits. */
                usec_t f = frac * unit / frac_div;
                if (f > USEC_INFINITY - v)
                        return -ERANGE;
                v += f;
                /* USEC_INFINITY itself means "never"; no finite sum may reach it. */
                if (v >= USEC_INFINITY - total)
                        return -ERANGE;
                total += v;
                any = true;
        }

        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

const char *format_timespan(char *buf, usec_t usec) {
        if (usec == USEC_INFINITY)
                snprintf(buf, TIMESPAN_MAX, "infinity");
        else if (usec % USEC_PER_SEC == 0)
                snprintf(buf, TIMESPAN_MAX, "%llus", (unsigned long long) (usec / USEC_PER_SEC));
        else if (usec >= USEC_PER_SEC && usec % (USEC_PER_SEC / 10) == 0)
                snprintf(buf, TIMESPAN_MAX, "%llu.%llus", (unsigned long long) (usec / USEC_PER_SEC),
                         (unsigned long long) (usec % USEC_PER_SEC / (USEC_PER_SEC / 10)));
        else if (usec % USEC_PER_MSEC == 0)
                snprintf(buf, TIMESPAN_MAX, "%llums", (unsigned long long) (usec / USEC_PER_MSEC));
        else
                snprintf(buf, TIMESPAN_MAX, "%lluus", (unsigned long long) usec);
        return buf;
}

usec_t now_usec(int clock_id) {
        struct timespec ts;

        /* Only fails for a clock id the kernel does not know: a programming
         * error, not something a caller could handle. */
        if (clock_gettime(clock_id, &ts) < 0)
                abort();
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
}
