/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-util.h"
#include "reset-record.h"
#include "text-builder.h"

#define RECORD_MAGIC "hotkeyd-reset-record"
#define OUTCOME_MAGIC "hotkeyd-last-reset"
#define FORMAT_VERSION 1
/* A reset erases a few partitions; more is not a record of ours. */
#define PARTITIONS_MAX 64
#define FIELD_MAX 4096

static const char *const reset_partition_state_table[_RESET_PARTITION_STATE_MAX] = {
        [RESET_PARTITION_RECREATED] = "recreated",
        [RESET_PARTITION_NOT_ERASED] = "not-erased",
        [RESET_PARTITION_GONE] = "gone",
        [RESET_PARTITION_UNKNOWN] = "unknown",
};
DEFINE_STRING_TABLE_LOOKUP(reset_partition_state, ResetPartitionState);

static const char *const reset_verdict_table[_RESET_VERDICT_MAX] = {
        [RESET_VERDICT_COMPLETE] = "complete",
        [RESET_VERDICT_NOT_ERASED] = "not-erased",
        [RESET_VERDICT_NOT_DONE] = "not-done",
        [RESET_VERDICT_UNVERIFIED] = "unverified",
};
DEFINE_STRING_TABLE_LOOKUP(reset_verdict, ResetVerdict);

void reset_record_partition_done(ResetRecordPartition *p) {
        free(p->name);
        free(p->mount_point);
        free(p->part_uuid);
        free(p->fs_uuid);
        *p = (ResetRecordPartition) {};
}

void reset_record_done(ResetRecord *r) {
        for (size_t i = 0; i < r->n_partitions; i++)
                reset_record_partition_done(&r->partitions[i]);
        free(r->partitions);
        *r = (ResetRecord) {};
}

void reset_outcome_done(ResetOutcome *o) {
        for (size_t i = 0; i < o->n_partitions; i++) {
                free(o->partitions[i].name);
                free(o->partitions[i].mount_point);
        }
        free(o->partitions);
        *o = (ResetOutcome) {};
}

/* NULL is "-"; a string that is "-" itself is escaped, so that each field
 * stays one word. */
static void add_escaped(TextBuilder *b, const char *s) {
        if (!s) {
                text_builder_add(b, "-");
                return;
        }
        /* The callers refuse "" (valid_field()). */
        if (streq(s, "-")) {
                text_builder_add(b, "\\x2d");
                return;
        }
        for (const char *p = s; *p; p++) {
                unsigned char c = (unsigned char) *p;
                if (c <= ' ' || c == '\\' || c == 0x7f)
                        text_builder_add(b, "\\x%02x", c);
                else
                        text_builder_add(b, "%c", c);
        }
}

static bool valid_field(const char *s, bool may_be_null) {
        return s ? *s && strlen(s) < FIELD_MAX : may_be_null;
}

static bool valid_boot_id(const char *s) {
        if (strlen(s) != 32)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

int reset_record_format(const ResetRecord *r, char **ret) {
        TextBuilder b = {};

        if (!valid_boot_id(r->boot_id) || r->n_partitions > PARTITIONS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < r->n_partitions; i++) {
                const ResetRecordPartition *p = &r->partitions[i];
                if (!valid_field(p->name, false) || !valid_field(p->mount_point, true) ||
                    !valid_field(p->part_uuid, true) || !valid_field(p->fs_uuid, true))
                        return -EINVAL;
        }

        text_builder_add(&b, RECORD_MAGIC " %d\nboot=%s\nrequested=%" PRIu64 "\n", FORMAT_VERSION, r->boot_id,
                         r->requested_usec);
        for (size_t i = 0; i < r->n_partitions; i++) {
                const ResetRecordPartition *p = &r->partitions[i];
                text_builder_add(&b, "partition=");
                add_escaped(&b, p->name);
                text_builder_add(&b, " ");
                add_escaped(&b, p->mount_point);
                text_builder_add(&b, " ");
                add_escaped(&b, p->part_uuid);
                text_builder_add(&b, " ");
                add_escaped(&b, p->fs_uuid);
                text_builder_add(&b, "\n");
        }
        return text_builder_take(&b, ret);
}

typedef struct Parser {
        const char *p, *end;
        unsigned line;
        char **error;
} Parser;

_printf_(2, 3) static int parse_fail(Parser *ps, const char *format, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, format);
        int r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(*ps->error);
        if (ps->line > 0) {
                if (asprintf(ps->error, "line %u: %s", ps->line, msg) < 0) {
                        *ps->error = NULL;
                        return -ENOMEM;
                }
        } else
                *ps->error = TAKE_PTR(msg);
        return -EINVAL;
}

/* The next line without its newline, or NULL at the end.  Every line,
 * the last one included, must end with a newline: a cut-off record is not
 * a short one. */
static int next_line(Parser *ps, char **ret) {
        if (ps->p >= ps->end) {
                *ret = NULL;
                return 0;
        }
        const char *nl = memchr(ps->p, '\n', ps->end - ps->p);
        ps->line++;
        if (!nl)
                return parse_fail(ps, "the last line has no newline (cut off?)");
        if (memchr(ps->p, 0, nl - ps->p))
                return parse_fail(ps, "holds a NUL byte");
        char *l = strndup(ps->p, nl - ps->p);
        if (!l)
                return -ENOMEM;
        ps->p = nl + 1;
        *ret = l;
        return 1;
}

/* One escaped word: "-" is NULL. */
static int unescape(Parser *ps, const char *word, bool may_be_null, char **ret) {
        if (streq(word, "-")) {
                if (!may_be_null)
                        return parse_fail(ps, "a name must be given");
                *ret = NULL;
                return 0;
        }
        size_t n = strlen(word);
        if (n == 0 || n >= FIELD_MAX)
                return parse_fail(ps, "a field is empty or too long");
        _cleanup_free_ char *s = malloc(n + 1);
        char *o = s;
        if (!s)
                return -ENOMEM;
        for (const char *p = word; *p; p++) {
                unsigned char c = (unsigned char) *p;
                if (c == '\\') {
                        if (p[1] != 'x' || unhexchar(p[2]) < 0 || unhexchar(p[3]) < 0 ||
                            (unhexchar(p[2]) == 0 && unhexchar(p[3]) == 0))
                                return parse_fail(ps, "bad escape in \"%s\"", word);
                        *o++ = (char) (unhexchar(p[2]) << 4 | unhexchar(p[3]));
                        p += 3;
                } else if (c < ' ' || c == 0x7f)
                        return parse_fail(ps, "control character in a field");
                else
                        *o++ = (char) c;
        }
        *o = 0;
        *ret = TAKE_PTR(s);
        return 0;
}

/* Splits "a b c" at single spaces into exactly n words. */
static int split_words(Parser *ps, char *value, char **words, size_t n) {
        for (size_t i = 0; i < n; i++) {
                words[i] = value;
                char *sp = strchr(value, ' ');
                if (i + 1 < n) {
                        if (!sp)
                                return parse_fail(ps, "%zu fields expected, found %zu", n, i + 1);
                        *sp = 0;
                        value = sp + 1;
                } else if (sp)
                        return parse_fail(ps, "%zu fields expected, found more", n);
                if (!*words[i])
                        return parse_fail(ps, "an empty field");
        }
        return 0;
}

static int parse_u64(Parser *ps, const char *key, const char *value, uint64_t *ret) {
        char *end;

        if (*value < '0' || *value > '9')
                return parse_fail(ps, "%s= is not a number", key);
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (errno != 0 || *end)
                return parse_fail(ps, "%s= is not a number", key);
        *ret = v;
        return 0;
}

static int parse_header(Parser *ps, const char *magic) {
        _cleanup_free_ char *l = NULL;
        int r = next_line(ps, &l);
        if (r < 0)
                return r;
        if (r == 0)
                return parse_fail(ps, "empty");
        size_t n = strlen(magic);
        if (strncmp(l, magic, n) != 0 || l[n] != ' ')
                return parse_fail(ps, "not a %s (first line \"%.40s\")", magic, l);
        if (!streq(l + n + 1, "1"))
                return parse_fail(ps, "version \"%.20s\" is not understood (only 1)", l + n + 1);
        return 0;
}

/* The next line split at its '=': *ret_line is the key (to free), and
 * *ret_value points into it.  0 at the end. */
static int next_key_value(Parser *ps, char **ret_line, char **ret_value) {
        _cleanup_free_ char *l = NULL;
        int r;

        r = next_line(ps, &l);
        if (r <= 0)
                return r;
        char *eq = strchr(l, '=');
        if (!eq)
                return parse_fail(ps, "\"%.40s\" is not KEY=VALUE", l);
        *eq = 0;
        *ret_value = eq + 1;
        *ret_line = TAKE_PTR(l);
        return 1;
}

int reset_record_parse(const char *text, size_t size, ResetRecord *ret, char **ret_error) {
        _cleanup_(reset_record_done) ResetRecord rec = {};
        Parser ps = { .p = text, .end = text + size, .error = ret_error };
        bool have_boot = false, have_requested = false;
        int r;

        *ret_error = NULL;
        r = parse_header(&ps, RECORD_MAGIC);
        if (r < 0)
                return r;

        for (;;) {
                _cleanup_free_ char *l = NULL;
                char *value;

                r = next_key_value(&ps, &l, &value);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (streq(l, "boot")) {
                        if (have_boot || !valid_boot_id(value))
                                return parse_fail(&ps, "boot= must be given once, as 32 lower-case hex digits");
                        memcpy(rec.boot_id, value, 33);
                        have_boot = true;
                } else if (streq(l, "requested")) {
                        if (have_requested)
                                return parse_fail(&ps, "requested= given twice");
                        r = parse_u64(&ps, l, value, &rec.requested_usec);
                        if (r < 0)
                                return r;
                        have_requested = true;
                } else if (streq(l, "partition")) {
                        char *w[4];
                        ResetRecordPartition p = {};

                        if (rec.n_partitions >= PARTITIONS_MAX)
                                return parse_fail(&ps, "more than %d partitions", PARTITIONS_MAX);
                        r = split_words(&ps, value, w, 4);
                        if (r < 0)
                                return r;
                        if ((r = unescape(&ps, w[0], false, &p.name)) < 0 ||
                            (r = unescape(&ps, w[1], true, &p.mount_point)) < 0 ||
                            (r = unescape(&ps, w[2], true, &p.part_uuid)) < 0 ||
                            (r = unescape(&ps, w[3], true, &p.fs_uuid)) < 0) {
                                reset_record_partition_done(&p);
                                return r;
                        }
                        ResetRecordPartition *a = realloc(rec.partitions, (rec.n_partitions + 1) * sizeof *a);
                        if (!a) {
                                reset_record_partition_done(&p);
                                return -ENOMEM;
                        }
                        rec.partitions = a;
                        rec.partitions[rec.n_partitions++] = p;
                } else
                        return parse_fail(&ps, "unknown key \"%.40s\"", l);
        }
        ps.line = 0;
        if (!have_boot || !have_requested)
                return parse_fail(&ps, "boot= or requested= is missing");

        *ret = rec;
        rec = (ResetRecord) {};
        return 0;
}

static const ResetRecordPartition *find_now(const ResetRecordPartition *now, size_t n_now, const char *name) {
        for (size_t i = 0; i < n_now; i++)
                if (streq_ptr(now[i].name, name))
                        return &now[i];
        return NULL;
}

static ResetPartitionState compare_one(const ResetRecordPartition *was, const ResetRecordPartition *now) {
        if (!was->part_uuid && !was->fs_uuid)
                return RESET_PARTITION_UNKNOWN;
        if (!now)
                return RESET_PARTITION_GONE;
        /* A UUID that was known and is different or gone now: recreated.  A
         * filesystem that appeared where there was none is recreated too. */
        if (was->part_uuid && !streq_ptr(was->part_uuid, now->part_uuid))
                return RESET_PARTITION_RECREATED;
        if (!streq_ptr(was->fs_uuid, now->fs_uuid))
                return RESET_PARTITION_RECREATED;
        return RESET_PARTITION_NOT_ERASED;
}

int reset_outcome_compare(const ResetRecord *record, const ResetRecordPartition *now, size_t n_now,
                          bool reset_ran, uint64_t checked_usec, ResetOutcome *ret) {
        _cleanup_(reset_outcome_done) ResetOutcome o = {
                .requested_usec = record->requested_usec,
                .checked_usec = checked_usec,
        };
        bool recreated = false, not_erased = false;

        if (record->n_partitions > 0) {
                o.partitions = calloc(record->n_partitions, sizeof *o.partitions);
                if (!o.partitions)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < record->n_partitions; i++) {
                const ResetRecordPartition *was = &record->partitions[i];
                ResetOutcomePartition *p = &o.partitions[o.n_partitions++];

                p->name = strdup(was->name);
                p->mount_point = was->mount_point ? strdup(was->mount_point) : NULL;
                if (!p->name || (was->mount_point && !p->mount_point))
                        return -ENOMEM;
                p->state = compare_one(was, find_now(now, n_now, was->name));
                recreated = recreated || IN_SET(p->state, RESET_PARTITION_RECREATED, RESET_PARTITION_GONE);
                not_erased = not_erased || p->state == RESET_PARTITION_NOT_ERASED;
        }

        /* systemd's word that it ran is not enough (that is why this
         * exists); a partition left as it was is a failure in any case. */
        o.verdict = !reset_ran ? RESET_VERDICT_NOT_DONE :
                    not_erased ? RESET_VERDICT_NOT_ERASED :
                    recreated  ? RESET_VERDICT_COMPLETE :
                                 RESET_VERDICT_UNVERIFIED;
        *ret = o;
        o = (ResetOutcome) {};
        return 0;
}

int reset_outcome_format(const ResetOutcome *o, char **ret) {
        TextBuilder b = {};

        if (!reset_verdict_to_string(o->verdict) || o->n_partitions > PARTITIONS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < o->n_partitions; i++)
                if (!reset_partition_state_to_string(o->partitions[i].state) ||
                    !valid_field(o->partitions[i].name, false) || !valid_field(o->partitions[i].mount_point, true))
                        return -EINVAL;

        text_builder_add(&b, OUTCOME_MAGIC " %d\nrequested=%" PRIu64 "\nchecked=%" PRIu64 "\nverdict=%s\n",
                         FORMAT_VERSION, o->requested_usec, o->checked_usec, reset_verdict_to_string(o->verdict));
        for (size_t i = 0; i < o->n_partitions; i++) {
                text_builder_add(&b, "partition=%s ", reset_partition_state_to_string(o->partitions[i].state));
                add_escaped(&b, o->partitions[i].name);
                text_builder_add(&b, " ");
                add_escaped(&b, o->partitions[i].mount_point);
                text_builder_add(&b, "\n");
        }
        return text_builder_take(&b, ret);
}

int reset_outcome_parse(const char *text, size_t size, ResetOutcome *ret, char **ret_error) {
        _cleanup_(reset_outcome_done) ResetOutcome o = { .verdict = _RESET_VERDICT_INVALID };
        Parser ps = { .p = text, .end = text + size, .error = ret_error };
        bool have_requested = false, have_checked = false;
        int r;

        *ret_error = NULL;
        r = parse_header(&ps, OUTCOME_MAGIC);
        if (r < 0)
                return r;

        for (;;) {
                _cleanup_free_ char *l = NULL;
                char *value;

                r = next_key_value(&ps, &l, &value);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (streq(l, "requested") || streq(l, "checked")) {
                        bool *have = streq(l, "requested") ? &have_requested : &have_checked;
                        if (*have)
                                return parse_fail(&ps, "%s= given twice", l);
                        r = parse_u64(&ps, l, value, streq(l, "requested") ? &o.requested_usec : &o.checked_usec);
                        if (r < 0)
                                return r;
                        *have = true;
                } else if (streq(l, "verdict")) {
                        if (o.verdict >= 0)
                                return parse_fail(&ps, "verdict= given twice");
                        o.verdict = reset_verdict_from_string(value);
                        if (o.verdict < 0)
                                return parse_fail(&ps, "unknown verdict \"%.40s\"", value);
                } else if (streq(l, "partition")) {
                        char *w[3];
                        ResetOutcomePartition p = {};

                        if (o.n_partitions >= PARTITIONS_MAX)
                                return parse_fail(&ps, "more than %d partitions", PARTITIONS_MAX);
                        r = split_words(&ps, value, w, 3);
                        if (r < 0)
                                return r;
                        p.state = reset_partition_state_from_string(w[0]);
                        if (p.state < 0)
                                return parse_fail(&ps, "unknown partition state \"%.40s\"", w[0]);
                        if ((r = unescape(&ps, w[1], false, &p.name)) < 0 ||
                            (r = unescape(&ps, w[2], true, &p.mount_point)) < 0) {
                                free(p.name);
                                return r;
                        }
                        ResetOutcomePartition *a = realloc(o.partitions, (o.n_partitions + 1) * sizeof *a);
                        if (!a) {
                                free(p.name);
                                free(p.mount_point);
                                return -ENOMEM;
                        }
                        o.partitions = a;
                        o.partitions[o.n_partitions++] = p;
                } else
                        return parse_fail(&ps, "unknown key \"%.40s\"", l);
        }
        ps.line = 0;
        if (!have_requested || !have_checked || o.verdict < 0)
                return parse_fail(&ps, "requested=, checked= or verdict= is missing");

        *ret = o;
        o = (ResetOutcome) {};
        return 0;
}

const char *reset_outcome_partition_display(const ResetOutcomePartition *p) {
        return p->mount_point ?: p->name;
}

static void add_list(TextBuilder *b, const ResetOutcome *o, ResetPartitionState state) {
        bool first = true;

        for (size_t i = 0; i < o->n_partitions; i++)
                if (o->partitions[i].state == state) {
                        text_builder_add(b, "%s%s", first ? "" : ", ",
                                         reset_outcome_partition_display(&o->partitions[i]));
                        first = false;
                }
}

static bool any(const ResetOutcome *o, ResetPartitionState state) {
        for (size_t i = 0; i < o->n_partitions; i++)
                if (o->partitions[i].state == state)
                        return true;
        return false;
}

int reset_outcome_summary(const ResetOutcome *o, char **ret) {
        TextBuilder b = {};

        switch (o->verdict) {
        case RESET_VERDICT_COMPLETE:
                text_builder_add(&b, "complete, ");
                if (any(o, RESET_PARTITION_RECREATED)) {
                        add_list(&b, o, RESET_PARTITION_RECREATED);
                        text_builder_add(&b, " recreated");
                }
                if (any(o, RESET_PARTITION_GONE)) {
                        text_builder_add(&b, "%s", any(o, RESET_PARTITION_RECREATED) ? "; " : "");
                        add_list(&b, o, RESET_PARTITION_GONE);
                        text_builder_add(&b, " erased, not recreated");
                }
                break;
        case RESET_VERDICT_NOT_ERASED:
                text_builder_add(&b, "DID NOT ERASE ");
                add_list(&b, o, RESET_PARTITION_NOT_ERASED);
                text_builder_add(&b, " (partition UUID unchanged)");
                break;
        case RESET_VERDICT_NOT_DONE:
                text_builder_add(&b, "the requested reset DID NOT TAKE PLACE");
                break;
        case RESET_VERDICT_UNVERIFIED:
                text_builder_add(&b, "complete, not verified (nothing recorded to compare)");
                break;
        default:
                return -EINVAL;
        }
        return text_builder_take(&b, ret);
}
