/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "keys.h"
#include "macro.h"

#define HOLD_MAX_USEC (60 * USEC_PER_SEC)
#define WITHIN_MAX_USEC (60 * USEC_PER_SEC)
#define PRESSES_MIN 2
#define PRESSES_MAX 10
#define ARMED_TIMEOUT_MIN_USEC (1 * USEC_PER_SEC)
#define ARMED_TIMEOUT_MAX_USEC (600 * USEC_PER_SEC)
/* Long enough to read the dialog with a screen reader; the agent can ask
 * for more time, so the upper bound only keeps a forgotten dialog finite. */
#define CONFIRM_TIMEOUT_MIN_USEC (10 * USEC_PER_SEC)
#define CONFIRM_TIMEOUT_MAX_USEC (600 * USEC_PER_SEC)
#define LINE_LENGTH_MAX 4096
#define SEAT_NAME_MAX 64

static const char *const daemon_mode_table[_DAEMON_MODE_MAX] = {
        [DAEMON_MODE_DESKTOP] = "desktop",
        [DAEMON_MODE_KIOSK] = "kiosk",
        [DAEMON_MODE_OFF] = "off",
};

DEFINE_STRING_TABLE_LOOKUP(daemon_mode, DaemonMode);

Config *config_new(void) {
        Config *c = calloc(1, sizeof *c);
        if (!c)
                return NULL;
        c->mode = DAEMON_MODE_DESKTOP;
        c->armed_timeout_usec = CONFIG_DEFAULT_ARMED_TIMEOUT_USEC;
        c->confirm_timeout_usec = CONFIG_DEFAULT_CONFIRM_TIMEOUT_USEC;
        return c;
}

static void trigger_done(Trigger *t) {
        free(t->name);
        free(t->seat);
        free(t->file);
        *t = (Trigger) {};
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_triggers; i++)
                trigger_done(&c->triggers[i]);
        free(c->triggers);
        free(c);
        return NULL;
}

const Trigger *config_find_trigger(const Config *c, const char *name) {
        if (!c || !name)
                return NULL;
        for (size_t i = 0; i < c->n_triggers; i++)
                if (streq(c->triggers[i].name, name))
                        return &c->triggers[i];
        return NULL;
}

bool config_uses_key(const Config *c, unsigned code) {
        if (!c)
                return false;
        for (size_t i = 0; i < c->n_triggers; i++)
                for (size_t k = 0; k < c->triggers[i].n_keys; k++)
                        if (c->triggers[i].keys[k] == code)
                                return true;
        return false;
}

static int cmp_unsigned(const void *a, const void *b) {
        unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
        return x < y ? -1 : x > y;
}

size_t config_trigger_keys(const Config *c, unsigned *codes) {
        size_t n = 0;

        if (!c)
                return 0;
        for (size_t i = 0; i < c->n_triggers; i++)
                for (size_t k = 0; k < c->triggers[i].n_keys; k++)
                        codes[n++] = c->triggers[i].keys[k];
        if (n == 0)
                return 0;

        qsort(codes, n, sizeof *codes, cmp_unsigned);
        size_t m = 1;
        for (size_t i = 1; i < n; i++)
                if (codes[i] != codes[m - 1])
                        codes[m++] = codes[i];
        return m;
}

typedef enum Section {
        SECTION_NONE,
        SECTION_DAEMON,
        SECTION_TRIGGER,
        SECTION_UNKNOWN, /* reported once; its lines are skipped */
} Section;

/* Which of the [Trigger] settings that choose its kind the section set to a
 * value: an empty assignment takes one back. */
typedef enum SettingSeen {
        SEEN_HOLD = 1 << 0,
        SEEN_PROGRESS = 1 << 1,
        SEEN_PRESSES = 1 << 2,
        SEEN_WITHIN = 1 << 3,
} SettingSeen;

typedef struct DefinedName {
        char *name;
        unsigned line;
} DefinedName;

typedef struct Parser {
        Config *config;
        ParseReporter r;
        bool oom;

        Section section;
        /* The [Trigger] being read: it only reaches the Config once the
         * whole section was read and found consistent. */
        Trigger trigger;
        unsigned name_line;
        bool name_invalid;
        bool trigger_bad;
        SettingSeen seen;

        /* Every trigger name this file used, valid section or not, so that a
         * second definition is reported even when the first one was broken. */
        DefinedName *names;
        size_t n_names;
} Parser;

#define report(p, line, ...) parse_report(&(p)->r, line, __VA_ARGS__)

/* Locale-independent on purpose: a file must mean the same everywhere. */
static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool valid_chars(const char *s, size_t max, bool allow_dot) {
        size_t n = strlen(s);

        if (n == 0 || n > max)
                return false;
        for (const char *c = s; *c; c++)
                if (!is_alnum(*c) && *c != '_' && *c != '-' && !(allow_dot && *c == '.'))
                        return false;
        return true;
}

static bool valid_trigger_name(const char *s) {
        return valid_chars(s, TRIGGER_NAME_MAX, true);
}

/* logind's rule: seat names start with "seat" ("seat0", "seat-kiosk"). */
static bool valid_seat_name(const char *s) {
        return strncmp(s, "seat", 4) == 0 && valid_chars(s, SEAT_NAME_MAX, false);
}

static bool utf8_valid(const char *s, size_t n) {
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char) s[i];
                size_t len;
                uint32_t cp;

                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        len = 2;
                        cp = c & 0x1f;
                } else if ((c & 0xf0) == 0xe0) {
                        len = 3;
                        cp = c & 0x0f;
                } else if ((c & 0xf8) == 0xf0) {
                        len = 4;
                        cp = c & 0x07;
                } else
                        return false;
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        unsigned char cc = (unsigned char) s[i + k];
                        if ((cc & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (cc & 0x3f);
                }
                /* Overlong forms, surrogates, beyond Unicode. */
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
                i += len;
        }
        return true;
}

static void trigger_reset_pending(Parser *p, unsigned line) {
        trigger_done(&p->trigger);
        p->trigger.line = line;
        p->trigger.progress_usec = CONFIG_DEFAULT_PROGRESS_USEC;
        p->name_line = 0;
        p->name_invalid = false;
        p->trigger_bad = false;
        p->seen = 0;
}

static const DefinedName *file_defined(const Parser *p, const char *name) {
        for (size_t i = 0; i < p->n_names; i++)
                if (streq(p->names[i].name, name))
                        return &p->names[i];
        return NULL;
}

static int remember_name(Parser *p, const char *name, unsigned line) {
        DefinedName *names = realloc(p->names, (p->n_names + 1) * sizeof *names);
        if (!names)
                return -ENOMEM;
        p->names = names;
        p->names[p->n_names].name = strdup(name);
        if (!p->names[p->n_names].name)
                return -ENOMEM;
        p->names[p->n_names++].line = line;
        return 0;
}

/* Whether the pending [Trigger] has a name this file did not use before.
 * The name is remembered even when the section turns out broken, so that a
 * second definition is reported all the same. */
static bool trigger_check_name(Parser *p) {
        const Trigger *t = &p->trigger;

        if (!t->name) {
                /* An invalid Name= was reported already: one message per problem. */
                if (!p->name_invalid)
                        report(p, t->line, "[Trigger] section lacks Name=, ignoring it.");
                return false;
        }

        const DefinedName *first = file_defined(p, t->name);
        if (first) {
                report(p, p->name_line, "Name=%s was already used at line %u of this file, "
                       "ignoring this [Trigger].", t->name, first->line);
                return false;
        }
        if (remember_name(p, t->name, p->name_line) < 0) {
                p->oom = true;
                return false;
        }
        return true;
}

/* Whether the settings describe exactly one kind of trigger, with keys. */
static bool trigger_check_kind(Parser *p) {
        const Trigger *t = &p->trigger;
        bool hold = p->seen & SEEN_HOLD, presses = p->seen & SEEN_PRESSES, within = p->seen & SEEN_WITHIN;

        if (t->n_keys == 0) {
                report(p, t->line, "Trigger %s lacks Keys=, ignoring it.", t->name);
                return false;
        }
        if (hold && (presses || within)) {
                report(p, t->line, "Trigger %s sets both HoldSec= and Presses=/WithinSec=, ignoring it.", t->name);
                return false;
        }
        if (!hold && !presses && !within) {
                report(p, t->line, "Trigger %s needs HoldSec= or Presses= with WithinSec=, ignoring it.", t->name);
                return false;
        }
        if (!hold && presses != within) {
                report(p, t->line, "Trigger %s: Presses= and WithinSec= go together, ignoring it.", t->name);
                return false;
        }
        if ((p->seen & SEEN_PROGRESS) && !hold) {
                report(p, t->line, "Trigger %s: ProgressSec= only applies to HoldSec= triggers, ignoring it.",
                       t->name);
                return false;
        }
        return true;
}

static void trigger_settle_kind(Trigger *t, SettingSeen seen) {
        t->kind = (seen & SEEN_HOLD) ? TRIGGER_HOLD : TRIGGER_PRESSES;
        /* Values of the other kind, set and then reset with an empty
         * assignment, must not linger in the model. */
        if (t->kind == TRIGGER_HOLD) {
                t->presses = 0;
                t->within_usec = 0;
        } else
                t->hold_usec = 0;
}

/* Moves *t into the Config (and resets *t), replacing an earlier file's
 * definition of the same name. */
static int config_put_trigger(Config *c, Trigger *t, const char *file) {
        t->file = strdup(file);
        if (!t->file)
                return -ENOMEM;

        /* Grow first, so that running out of memory cannot lose the
         * definition this one would replace. */
        Trigger *triggers = realloc(c->triggers, (c->n_triggers + 1) * sizeof *triggers);
        if (!triggers)
                return -ENOMEM;
        c->triggers = triggers;

        /* A drop-in redefining a trigger of an earlier file replaces it
         * wholesale: no setting of the old definition survives. */
        for (size_t i = 0; i < c->n_triggers; i++)
                if (streq(c->triggers[i].name, t->name)) {
                        trigger_done(&c->triggers[i]);
                        memmove(&c->triggers[i], &c->triggers[i + 1], (c->n_triggers - i - 1) * sizeof *c->triggers);
                        c->n_triggers--;
                        break;
                }

        c->triggers[c->n_triggers++] = *t;
        *t = (Trigger) {};
        return 0;
}

/* The pending [Trigger] reaches the Config only once the whole section was
 * read and found consistent. */
static void finish_trigger(Parser *p) {
        if (trigger_check_name(p) && !p->trigger_bad && trigger_check_kind(p)) {
                trigger_settle_kind(&p->trigger, p->seen);
                if (config_put_trigger(p->config, &p->trigger, p->r.file) < 0)
                        p->oom = true;
        }
        trigger_done(&p->trigger);
}

static int parse_duration(Parser *p, unsigned line, const char *key, const char *value, usec_t min, usec_t max,
                          usec_t *ret) {
        usec_t v;
        char a[TIMESPAN_MAX], b[TIMESPAN_MAX];

        if (parse_timespan(value, &v) < 0) {
                report(p, line, "Invalid duration %s=%s (use e.g. 3, 3s, 1500ms).", key, value);
                return -EINVAL;
        }
        if (v < min || v > max) {
                if (min <= 1)
                        report(p, line, "%s=%s is out of range (more than 0, at most %s).", key, value,
                               format_timespan(b, max));
                else
                        report(p, line, "%s=%s is out of range (%s to %s).", key, value,
                               format_timespan(a, min), format_timespan(b, max));
                return -ERANGE;
        }
        *ret = v;
        return 0;
}

/* The settings, as logind's gperf table: name -> parser and the field it
 * fills.  A parser gets the field (the Config's for [Daemon], the pending
 * Trigger's for [Trigger]); an empty value resets the field.  It reports
 * what is wrong and returns a negative errno then. */
typedef struct ConfigSetting ConfigSetting;
typedef int (*config_setting_parser)(Parser *p, unsigned line, const ConfigSetting *s, const char *value,
                                     void *data);

struct ConfigSetting {
        Section section;
        const char *name;
        config_setting_parser parse;
        size_t offset;
        SettingSeen seen;     /* [Trigger]: what a non-empty value sets and an empty one clears */
        usec_t def, min, max; /* durations: what an empty value restores, the range */
};

static int parse_setting_mode(Parser *p, unsigned line, const ConfigSetting *s, const char *value, void *data) {
        DaemonMode *mode = data;

        if (!*value) {
                *mode = DAEMON_MODE_DESKTOP;
                return 0;
        }
        DaemonMode m = daemon_mode_from_string(value);
        if (m < 0) {
                report(p, line, "Invalid Mode=%s (desktop, kiosk or off).", value);
                return -EINVAL;
        }
        *mode = m;
        return 0;
}

static int parse_setting_duration(Parser *p, unsigned line, const ConfigSetting *s, const char *value,
                                  void *data) {
        usec_t *v = data;

        if (!*value) {
                *v = s->def;
                return 0;
        }
        return parse_duration(p, line, s->name, value, s->min, s->max, v);
}

static int parse_setting_name(Parser *p, unsigned line, const ConfigSetting *s, const char *value, void *data) {
        char **name = data;

        free(*name);
        *name = NULL;
        p->name_line = line;
        p->name_invalid = false;
        if (!*value)
                return 0;
        if (!valid_trigger_name(value)) {
                p->name_invalid = true;
                report(p, line, "Invalid Name=%s (1-%d characters of A-Z a-z 0-9 _ . -).", value, TRIGGER_NAME_MAX);
                return -EINVAL;
        }
        *name = strdup(value);
        if (!*name) {
                p->oom = true;
                return -ENOMEM;
        }
        return 0;
}

/* data is the whole Trigger: Keys= fills keys and n_keys. */
static int parse_setting_keys(Parser *p, unsigned line, const ConfigSetting *s, const char *value, void *data) {
        Trigger *t = data;
        char buf[LINE_LENGTH_MAX];
        size_t n = 0;
        unsigned keys[TRIGGER_KEYS_MAX];

        snprintf(buf, sizeof buf, "%s", value);
        for (char *save = NULL, *word = strtok_r(buf, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
                int code = key_from_name(word);
                if (code < 0) {
                        report(p, line, "Unknown key name '%s' in Keys= (use kernel names such as KEY_POWER).", word);
                        return -EINVAL;
                }
                for (size_t i = 0; i < n; i++)
                        if (keys[i] == (unsigned) code) {
                                report(p, line, "Key %s is listed twice in Keys=.", word);
                                return -EINVAL;
                        }
                if (n == TRIGGER_KEYS_MAX) {
                        report(p, line, "Keys= lists more than %d keys.", TRIGGER_KEYS_MAX);
                        return -E2BIG;
                }
                keys[n++] = (unsigned) code;
        }

        memcpy(t->keys, keys, n * sizeof *keys);
        t->n_keys = n;
        return 0;
}

static int parse_setting_presses(Parser *p, unsigned line, const ConfigSetting *s, const char *value, void *data) {
        unsigned *presses = data, v = 0;
        const char *d = value;

        if (!*value) {
                *presses = 0;
                return 0;
        }
        /* Digits only: strtoul() would take signs and spaces. */
        for (; *d >= '0' && *d <= '9' && v <= PRESSES_MAX; d++)
                v = v * 10 + (unsigned) (*d - '0');
        if (d == value || *d || v < PRESSES_MIN || v > PRESSES_MAX) {
                report(p, line, "Invalid Presses=%s (a number from %d to %d).", value, PRESSES_MIN, PRESSES_MAX);
                return -EINVAL;
        }
        *presses = v;
        return 0;
}

static int parse_setting_seat(Parser *p, unsigned line, const ConfigSetting *s, const char *value, void *data) {
        char **seat = data;

        if (*value && !valid_seat_name(value)) {
                report(p, line, "Invalid Seat=%s (a logind seat name such as seat0).", value);
                return -EINVAL;
        }
        free(*seat);
        *seat = NULL;
        if (*value && !(*seat = strdup(value))) {
                p->oom = true;
                return -ENOMEM;
        }
        return 0;
}

static const ConfigSetting config_settings[] = {
        { SECTION_DAEMON, "Mode", parse_setting_mode, offsetof(Config, mode) },
        { SECTION_DAEMON, "ArmedTimeoutSec", parse_setting_duration, offsetof(Config, armed_timeout_usec),
          .def = CONFIG_DEFAULT_ARMED_TIMEOUT_USEC, .min = ARMED_TIMEOUT_MIN_USEC, .max = ARMED_TIMEOUT_MAX_USEC },
        { SECTION_DAEMON, "ConfirmTimeoutSec", parse_setting_duration, offsetof(Config, confirm_timeout_usec),
          .def = CONFIG_DEFAULT_CONFIRM_TIMEOUT_USEC, .min = CONFIRM_TIMEOUT_MIN_USEC, .max = CONFIRM_TIMEOUT_MAX_USEC },

        { SECTION_TRIGGER, "Name", parse_setting_name, offsetof(Trigger, name) },
        { SECTION_TRIGGER, "Keys", parse_setting_keys, 0 },
        { SECTION_TRIGGER, "HoldSec", parse_setting_duration, offsetof(Trigger, hold_usec), SEEN_HOLD,
          .min = 1, .max = HOLD_MAX_USEC },
        { SECTION_TRIGGER, "ProgressSec", parse_setting_duration, offsetof(Trigger, progress_usec), SEEN_PROGRESS,
          .def = CONFIG_DEFAULT_PROGRESS_USEC, .min = USEC_PER_MSEC, .max = HOLD_MAX_USEC },
        { SECTION_TRIGGER, "Presses", parse_setting_presses, offsetof(Trigger, presses), SEEN_PRESSES },
        { SECTION_TRIGGER, "WithinSec", parse_setting_duration, offsetof(Trigger, within_usec), SEEN_WITHIN,
          .min = 1, .max = WITHIN_MAX_USEC },
        { SECTION_TRIGGER, "Seat", parse_setting_seat, offsetof(Trigger, seat) },
};

static const char *section_name(Section section) {
        return section == SECTION_DAEMON ? "Daemon" : "Trigger";
}

/* One KEY=VALUE line of [Daemon] or [Trigger]. */
static int parse_setting(Parser *p, unsigned line, const char *key, const char *value) {
        const ConfigSetting *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(config_settings); i++)
                if (config_settings[i].section == p->section && streq(config_settings[i].name, key)) {
                        s = &config_settings[i];
                        break;
                }
        if (!s) {
                report(p, line, "Unknown setting %s= in [%s].", key, section_name(p->section));
                return -EINVAL;
        }

        if (*value)
                p->seen |= s->seen;
        else
                p->seen &= ~s->seen;

        uint8_t *base = p->section == SECTION_TRIGGER ? (uint8_t *) &p->trigger : (uint8_t *) p->config;
        return s->parse(p, line, s, value, base + s->offset);
}

static void parse_line(Parser *p, unsigned line, char *text) {
        char *l = parse_strip(text);

        if (!*l || *l == '#' || *l == ';')
                return;

        if (*l == '[') {
                if (p->section == SECTION_TRIGGER)
                        finish_trigger(p);

                size_t n = strlen(l);
                if (l[n - 1] != ']') {
                        report(p, line, "Invalid section header '%s'.", l);
                        p->section = SECTION_UNKNOWN;
                        return;
                }
                l[n - 1] = 0;
                l++;
                if (streq(l, "Daemon"))
                        p->section = SECTION_DAEMON;
                else if (streq(l, "Trigger")) {
                        p->section = SECTION_TRIGGER;
                        trigger_reset_pending(p, line);
                } else {
                        report(p, line, "Unknown section [%s].", l);
                        p->section = SECTION_UNKNOWN;
                }
                return;
        }

        char *eq = strchr(l, '=');
        if (!eq) {
                report(p, line, "Line is not a KEY=VALUE assignment: '%s'.", l);
                if (p->section == SECTION_TRIGGER)
                        p->trigger_bad = true;
                return;
        }
        *eq = 0;
        char *key = parse_strip(l), *value = parse_strip(eq + 1);

        switch (p->section) {
        case SECTION_NONE:
                report(p, line, "Setting %s= outside of any section.", key);
                break;
        case SECTION_DAEMON:
                /* A bad [Daemon] setting keeps the value it had. */
                (void) parse_setting(p, line, key, value);
                break;
        case SECTION_TRIGGER:
                if (parse_setting(p, line, key, value) < 0)
                        p->trigger_bad = true;
                break;
        case SECTION_UNKNOWN:
                break;
        }
}

int config_parse_text(Config *c, const char *file, const char *text, size_t size,
                      config_error_fn error_fn, void *userdata) {
        Parser p = {
                .config = c,
                .r = {
                        .file = file ?: "(config)",
                        .error_fn = error_fn,
                        .userdata = userdata,
                },
        };
        unsigned line = 0;
        size_t pos = 0;

        if (!c || (!text && size > 0))
                return -EINVAL;

        /* Editors on some systems start UTF-8 files with a byte order mark;
         * it is not part of the first line's text. */
        if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                pos = 3;

        while (pos < size && !p.oom) {
                const char *nl = memchr(text + pos, '\n', size - pos);
                size_t len = (nl ? (size_t) (nl - text) : size) - pos;
                line++;

                if (memchr(text + pos, 0, len))
                        report(&p, line, "Line contains a NUL byte.");
                else if (!utf8_valid(text + pos, len))
                        report(&p, line, "Line is not valid UTF-8.");
                else if (len >= LINE_LENGTH_MAX)
                        report(&p, line, "Line is longer than %d bytes.", LINE_LENGTH_MAX - 1);
                else {
                        char buf[LINE_LENGTH_MAX];
                        memcpy(buf, text + pos, len);
                        buf[len] = 0;
                        parse_line(&p, line, buf);
                        pos += len + 1;
                        continue;
                }
                /* We cannot know what the broken line meant to set, so the
                 * [Trigger] it belongs to cannot be trusted. */
                if (p.section == SECTION_TRIGGER)
                        p.trigger_bad = true;
                pos += len + 1;
        }

        if (p.section == SECTION_TRIGGER && !p.oom)
                finish_trigger(&p);

        for (size_t i = 0; i < p.n_names; i++)
                free(p.names[i].name);
        free(p.names);
        trigger_done(&p.trigger);

        if (p.oom)
                return -ENOMEM;
        return p.r.n_errors > 0 ? -EINVAL : 0;
}
