/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "log.h"
#include "messages.h"
#include "tests.h"

/* The fields of a log_struct() list, as the journal would get them. */
static char **fields_of(const char *format, ...) _sentinel_;
static char **fields_of(const char *format, ...) {
        char **fields = NULL;
        va_list ap;

        va_start(ap, format);
        ASSERT_EQ(log_struct_fieldsv(format, ap, &fields), 0);
        va_end(ap);
        return fields;
}

static void expect_fields(char **fields, const char *const *expected) {
        size_t i = 0;

        for (; expected[i]; i++) {
                ASSERT_TRUE(fields[i]);
                ASSERT_STREQ(fields[i], expected[i]);
        }
        ASSERT_TRUE(fields[i] == NULL);
        log_struct_fields_free(fields);
}

TEST(each_format_takes_its_own_arguments) {
        uint64_t big = UINT64_C(18446744073709551615);
        size_t n = 3;

        expect_fields(fields_of(LOG_MESSAGE("Trigger %s on %s: %zu press(es), %d%%.", "power-key", "seat0", n, -7),
                                LOG_MESSAGE_ID(MESSAGE_ID_TRIGGER_UNREACHABLE),
                                "HOTKEYD_ID=%" PRIu64, big,
                                "HOTKEYD_CHAR=%c%c", 'o', 'k',
                                "HOTKEYD_LONG=%ld %lld %u", -1L, 2LL, 3u,
                                "HOTKEYD_PLAIN=no arguments",
                                "HOTKEYD_LAST=%s", "end",
                                NULL),
                      (const char *const[]) {
                              "MESSAGE=Trigger power-key on seat0: 3 press(es), -7%.",
                              MESSAGE_ID_TRIGGER_UNREACHABLE,
                              "HOTKEYD_ID=18446744073709551615",
                              "HOTKEYD_CHAR=ok",
                              "HOTKEYD_LONG=-1 2 3",
                              "HOTKEYD_PLAIN=no arguments",
                              "HOTKEYD_LAST=end",
                              NULL,
                      });
}

TEST(long_values_are_not_cut) {
        char value[4000];

        memset(value, 'x', sizeof value - 1);
        value[sizeof value - 1] = '\0';
        char **fields = fields_of("HOTKEYD_REASON=%s", value, "HOTKEYD_AFTER=%s", "kept", NULL);
        ASSERT_EQ(strlen(fields[0]), strlen("HOTKEYD_REASON=") + sizeof value - 1);
        ASSERT_STREQ(fields[1], "HOTKEYD_AFTER=kept");
        log_struct_fields_free(fields);
}

TEST(percent_m_names_errno) {
        errno = ENOENT;
        expect_fields(fields_of(LOG_MESSAGE("Cannot open %s: %m", "/dev/tpmrm0"), "HOTKEYD_X=%s", "y", NULL),
                      (const char *const[]) { "MESSAGE=Cannot open /dev/tpmrm0: No such file or directory",
                                              "HOTKEYD_X=y", NULL });
}

/* A field whose value is not set is left out: it formats to nothing, and
 * takes its argument all the same, so the fields after it keep theirs. */
TEST(unset_optional_field_is_left_out) {
        const char *seat = NULL, *device = "/dev/input/event3";

        expect_fields(fields_of(LOG_MESSAGE("Gesture: %s", "hold"),
                                "%.0s", "",
                                "HOTKEYD_SEAT=%s", "seat0",
                                NULL),
                      (const char *const[]) { "MESSAGE=Gesture: hold", "HOTKEYD_SEAT=seat0", NULL });
        expect_fields(fields_of(LOG_MESSAGE("Gesture: %s", "hold"),
                                LOG_FIELD_IF_SET("HOTKEYD_SEAT", seat),
                                LOG_FIELD_IF_SET("HOTKEYD_DEVICE", device),
                                "HOTKEYD_N=%d", 2,
                                NULL),
                      (const char *const[]) { "MESSAGE=Gesture: hold", "HOTKEYD_DEVICE=/dev/input/event3",
                                              "HOTKEYD_N=2", NULL });
}

TEST_MAIN
