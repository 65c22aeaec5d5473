/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

typedef uint64_t usec_t;

#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define NSEC_PER_USEC ((uint64_t) 1000ULL)

/* A huge time span must saturate, not wrap into the past and fire at once. */
static inline usec_t usec_add(usec_t a, usec_t b) {
        return a > USEC_INFINITY - b ? USEC_INFINITY : a + b;
}

/* Parses a systemd time span ("3", "3s", "1500ms", "1min 30s", "0.5s").  A
 * number without a unit is seconds.  Returns 0 or -EINVAL / -ERANGE; pure. */
int parse_timespan(const char *s, usec_t *ret);

/* Formats "3s", "1.5s", "250ms" into buf (at least TIMESPAN_MAX bytes). */
#define TIMESPAN_MAX 32
const char *format_timespan(char *buf, usec_t usec);

usec_t now_usec(int clock_id);
