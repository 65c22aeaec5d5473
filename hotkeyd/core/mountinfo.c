/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "mountinfo.h"

/* The kernel escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s, size_t len) {
        char *out = malloc(len + 1);
        size_t n = 0;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len &&
                    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                    s[i + 3] >= '0' && s[i + 3] <= '7') {
                        out[n++] = (char) ((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
                        i += 3;
                } else
                        out[n++] = s[i];
        }
        out[n] = 0;
        return out;
}

/* The idx-th space-separated field of the line [s, e): its start and length. */
static const char *field(const char *s, const char *e, unsigned idx, size_t *ret_len) {
        for (unsigned k = 0;; k++) {
                while (s < e && *s == ' ')
                        s++;
                if (s >= e)
                        return NULL;
                const char *end = memchr(s, ' ', (size_t) (e - s)) ?: e;
                if (k == idx) {
                        *ret_len = (size_t) (end - s);
                        return s;
                }
                s = end;
        }
}

int mountinfo_find(const char *text, size_t size, unsigned major, unsigned minor, char **ret) {
        char want[32];
        int want_len = snprintf(want, sizeof want, "%u:%u", major, minor);

        *ret = NULL;
        for (size_t pos = 0; pos < size;) {
                const char *s = text + pos, *nl = memchr(s, '\n', size - pos);
                const char *e = nl ?: text + size;
                size_t len;

                pos = (size_t) (e - text) + 1;

                /* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
                const char *dev = field(s, e, 2, &len);
                if (!dev || len != (size_t) want_len || memcmp(dev, want, len) != 0)
                        continue;
                const char *where = field(s, e, 4, &len);
                if (!where)
                        continue;
                *ret = unescape(where, len);
                return *ret ? 0 : -ENOMEM;
        }
        return 0;
}
