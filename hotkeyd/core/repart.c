/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-gpt.h>

#include "parse-util.h"
#include "repart.h"

/* systemd's config parser reads lines of up to this many bytes. */
#define LINE_LENGTH_MAX (32U * 1024U)

/* ---- partition type names -------------------------------------------- */

typedef struct GptTypeName {
        const char *name;
        sd_id128_t uuid;
} GptTypeName;

/* The six names of one architecture, as systemd's gpt.c spells them. */
#define ARCH_TYPES(arch, name)                                                  \
        { "root-" name, SD_GPT_ROOT_##arch },                                  \
        { "root-" name "-verity", SD_GPT_ROOT_##arch##_VERITY },               \
        { "root-" name "-verity-sig", SD_GPT_ROOT_##arch##_VERITY_SIG },       \
        { "usr-" name, SD_GPT_USR_##arch },                                    \
        { "usr-" name "-verity", SD_GPT_USR_##arch##_VERITY },                 \
        { "usr-" name "-verity-sig", SD_GPT_USR_##arch##_VERITY_SIG }

/* The GUIDs come from systemd's own sd-gpt.h, the names and aliases from
 * the table in systemd's src/shared/gpt.c (systemd 262), so that a name
 * means here what systemd-repart makes of it. */
static const GptTypeName gpt_type_names[] = {
        ARCH_TYPES(ALPHA, "alpha"),
        ARCH_TYPES(ARC, "arc"),
        ARCH_TYPES(ARM, "arm"),
        ARCH_TYPES(ARM, "armv7l"),
        ARCH_TYPES(ARM64, "arm64"),
        ARCH_TYPES(ARM64, "aarch64"),
        ARCH_TYPES(IA64, "ia64"),
        ARCH_TYPES(LOONGARCH64, "loongarch64"),
        ARCH_TYPES(LOONGARCH64, "loong64"),
        ARCH_TYPES(MIPS, "mips"),
        ARCH_TYPES(MIPS64, "mips64"),
        ARCH_TYPES(MIPS_LE, "mips-le"),
        ARCH_TYPES(MIPS_LE, "mipsel"),
        ARCH_TYPES(MIPS64_LE, "mips64-le"),
        ARCH_TYPES(MIPS64_LE, "mips64el"),
        ARCH_TYPES(PARISC, "parisc"),
        ARCH_TYPES(PARISC, "hppa"),
        ARCH_TYPES(PPC, "ppc"),
        ARCH_TYPES(PPC64, "ppc64"),
        ARCH_TYPES(PPC64_LE, "ppc64-le"),
        ARCH_TYPES(PPC64_LE, "ppc64le"),
        ARCH_TYPES(PPC64_LE, "ppc64el"),
        ARCH_TYPES(RISCV32, "riscv32"),
        ARCH_TYPES(RISCV64, "riscv64"),
        ARCH_TYPES(S390, "s390"),
        ARCH_TYPES(S390X, "s390x"),
        ARCH_TYPES(TILEGX, "tilegx"),
        ARCH_TYPES(X86, "x86"),
        ARCH_TYPES(X86, "i386"),
        ARCH_TYPES(X86, "i486"),
        ARCH_TYPES(X86, "i586"),
        ARCH_TYPES(X86, "i686"),
        ARCH_TYPES(X86_64, "x86-64"),
        ARCH_TYPES(X86_64, "x86_64"),
        ARCH_TYPES(X86_64, "amd64"),
#ifdef SD_GPT_ROOT_NATIVE
        { "root", SD_GPT_ROOT_NATIVE },
        { "root-verity", SD_GPT_ROOT_NATIVE_VERITY },
        { "root-verity-sig", SD_GPT_ROOT_NATIVE_VERITY_SIG },
        { "usr", SD_GPT_USR_NATIVE },
        { "usr-verity", SD_GPT_USR_NATIVE_VERITY },
        { "usr-verity-sig", SD_GPT_USR_NATIVE_VERITY_SIG },
#endif
#ifdef SD_GPT_ROOT_SECONDARY
        ARCH_TYPES(SECONDARY, "secondary"),
#endif
        { "esp", SD_GPT_ESP },
        { "xbootldr", SD_GPT_XBOOTLDR },
        { "swap", SD_GPT_SWAP },
        { "home", SD_GPT_HOME },
        { "srv", SD_GPT_SRV },
        { "var", SD_GPT_VAR },
        { "tmp", SD_GPT_TMP },
        { "user-home", SD_GPT_USER_HOME },
        { "linux-generic", SD_GPT_LINUX_GENERIC },
};

static void uuid_format(const uint8_t bytes[static 16], char ret[static GPT_UUID_STRING_MAX]) {
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;

        for (size_t i = 0; i < 16; i++) {
                if (IN_SET(i, 4u, 6u, 8u, 10u))
                        ret[o++] = '-';
                ret[o++] = hex[bytes[i] >> 4];
                ret[o++] = hex[bytes[i] & 15];
        }
        ret[o] = 0;
}

/* sd_id128_from_string()'s two forms: 32 hex digits, or 8-4-4-4-12. */
static int uuid_parse(const char *s, uint8_t ret[static 16]) {
        size_t l = strlen(s), n = 0;
        bool dashes = l == 36;

        if (l != 32 && l != 36)
                return -EINVAL;
        for (size_t i = 0; i < l;) {
                if (dashes && IN_SET(i, 8u, 13u, 18u, 23u)) {
                        if (s[i] != '-')
                                return -EINVAL;
                        i++;
                        continue;
                }
                int hi = unhexchar(s[i]), lo = unhexchar(s[i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                ret[n++] = (uint8_t) (hi << 4 | lo);
                i += 2;
        }
        return n == 16 ? 0 : -EINVAL;
}

int gpt_partition_type_from_string(const char *s, char ret[static GPT_UUID_STRING_MAX]) {
        uint8_t bytes[16];

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(gpt_type_names); i++)
                if (streq(s, gpt_type_names[i].name)) {
                        uuid_format(gpt_type_names[i].uuid.bytes, ret);
                        return 0;
                }
        if (uuid_parse(s, bytes) < 0)
                return -EINVAL;
        uuid_format(bytes, ret);
        return 0;
}

/* ---- booleans --------------------------------------------------------- */

int parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

/* ---- the parser ------------------------------------------------------- */

typedef enum Section {
        SECTION_NONE,
        SECTION_PARTITION,
        SECTION_OTHER, /* reported at its header; its settings are skipped */
} Section;

typedef struct Parser {
        ParseReporter r;

        Section section;
        RepartDefinition *d;
} Parser;

#define report(p, line, ...) parse_report(&(p)->r, line, __VA_ARGS__)

RepartDefinition *repart_definition_free(RepartDefinition *d) {
        if (!d)
                return NULL;
        free(d->file);
        free(d->type);
        free(d->label);
        free(d);
        return NULL;
}

/* Replaces *field with a copy of value; NULL for "". */
static int set_string(char **field, const char *value) {
        char *copy = NULL;

        if (*value && !(copy = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

static int parse_partition_setting(Parser *p, unsigned line, const char *key, const char *value) {
        RepartDefinition *d = p->d;
        int r;

        if (streq(key, "Type")) {
                char uuid[GPT_UUID_STRING_MAX];

                if (gpt_partition_type_from_string(value, uuid) < 0) {
                        /* systemd-repart ignores the assignment (an
                         * earlier valid Type= stays), and refuses a file
                         * left without a type. */
                        report(p, line, "Unknown partition type Type=%s, ignoring it.", value);
                        return 0;
                }
                memcpy(d->type_uuid, uuid, sizeof uuid);
                return set_string(&d->type, value);
        }
        if (streq(key, "Label"))
                /* Specifiers (%m, %a, ...) are kept as written: they can
                 * only be expanded by systemd-repart itself. */
                return set_string(&d->label, value);
        if (streq(key, "FactoryReset")) {
                r = parse_boolean(value);
                if (r < 0) {
                        report(p, line, "Invalid boolean FactoryReset=%s, ignoring it as systemd-repart does.",
                               value);
                        return 0;
                }
                d->factory_reset = r;
                return 0;
        }
        /* Everything else describes how to create or grow the partition,
         * which does not change whether it is erased. */
        return 0;
}

static int parse_line(Parser *p, unsigned line, char *text) {
        char *l = parse_strip(text);

        if (!*l || *l == '#' || *l == ';')
                return 0;

        if (*l == '[') {
                size_t n = strlen(l);
                if (l[n - 1] != ']') {
                        report(p, line, "Invalid section header '%s'.", l);
                        p->section = SECTION_OTHER;
                        return 0;
                }
                l[n - 1] = 0;
                l++;
                if (!streq(l, "Partition")) {
                        report(p, line, "Unknown section [%s], ignoring it (repart.d files have [Partition]).", l);
                        p->section = SECTION_OTHER;
                        return 0;
                }
                p->section = SECTION_PARTITION;
                /* A repeated [Partition] continues the same partition, as in
                 * systemd's parser. */
                if (p->d->line == 0)
                        p->d->line = line;
                return 0;
        }

        char *eq = strchr(l, '=');
        if (!eq) {
                report(p, line, "Line is not a KEY=VALUE assignment: '%s'.", l);
                return 0;
        }
        *eq = 0;
        char *key = parse_strip(l), *value = parse_strip(eq + 1);

        switch (p->section) {
        case SECTION_NONE:
                report(p, line, "Setting %s= outside of any section, ignoring it.", key);
                return 0;
        case SECTION_PARTITION:
                return parse_partition_setting(p, line, key, value);
        default:
                return 0;
        }
}

/* The next logical line from text at *pos into buf: physical lines ending
 * in a backslash are joined (the backslash becomes a space, as systemd's
 * parser does), comment lines inside a continuation are dropped.  Returns
 * the number of the line it started on, 0 at the end; *too_long when the
 * line did not fit, *nul when it held a NUL byte. */
static unsigned next_line(const char *text, size_t size, size_t *pos, unsigned *line, char *buf, size_t buf_size,
                          bool *too_long, bool *nul) {
        size_t n = 0;
        unsigned first = 0;

        *too_long = *nul = false;
        while (*pos < size) {
                const char *nl = memchr(text + *pos, '\n', size - *pos);
                size_t len = (nl ? (size_t) (nl - text) : size) - *pos;
                const char *s = text + *pos;

                (*line)++;
                if (first == 0)
                        first = *line;
                *pos += len + (nl ? 1 : 0);

                if (memchr(s, 0, len))
                        *nul = true;
                /* Within a continuation, comment lines are skipped. */
                if (n > 0) {
                        size_t k = 0;
                        while (k < len && parse_is_space(s[k]))
                                k++;
                        if (k < len && (s[k] == '#' || s[k] == ';'))
                                continue;
                }
                bool cont = len > 0 && s[len - 1] == '\\';
                if (cont)
                        len--;
                if (n + len + 1 >= buf_size)
                        *too_long = true;
                else {
                        memcpy(buf + n, s, len);
                        n += len;
                        if (cont)
                                buf[n++] = ' ';
                }
                if (!cont)
                        break;
        }
        buf[MIN(n, buf_size - 1)] = 0;
        return first;
}

int repart_parse_text(const char *file, const char *text, size_t size, repart_error_fn error_fn, void *userdata,
                      RepartDefinition **ret) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = NULL;
        _cleanup_free_ char *buf = NULL;
        Parser p = {
                .r = {
                        .file = file ?: "(repart.d)",
                        .error_fn = error_fn,
                        .userdata = userdata,
                },
        };
        unsigned line = 0, start;
        size_t pos = 0;
        int r;

        if (!ret || (!text && size > 0))
                return -EINVAL;

        d = calloc(1, sizeof *d);
        buf = malloc(LINE_LENGTH_MAX);
        if (!d || !buf)
                return -ENOMEM;
        d->file = strdup(p.r.file);
        if (!d->file)
                return -ENOMEM;
        p.d = d;

        if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                pos = 3;

        bool too_long, nul;
        while ((start = next_line(text, size, &pos, &line, buf, LINE_LENGTH_MAX, &too_long, &nul)) > 0) {
                if (nul)
                        report(&p, start, "Line contains a NUL byte, ignoring it.");
                else if (too_long)
                        report(&p, start, "Line is longer than %u bytes, ignoring it.", LINE_LENGTH_MAX - 1);
                else {
                        r = parse_line(&p, start, buf);
                        if (r < 0)
                                return r;
                }
        }

        if (d->line == 0) {
                report(&p, 0, "No [Partition] section; this file defines no partition.");
                *ret = NULL;
        } else if (!d->type) {
                report(&p, d->line, "[Partition] has no valid Type=; systemd-repart will refuse this file.");
                *ret = NULL;
        } else
                *ret = TAKE_PTR(d);

        return p.r.n_errors > 0 ? -EINVAL : 0;
}
