/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <time.h>

#include "tests.h"
#include "time-util.h"

static usec_t parse_ok(const char *s) {
        usec_t v = 12345;
        int r = parse_timespan(s, &v);
        if (r != 0)
                FAIL("parse_timespan(\"%s\") = %d, expected success", s, r);
        return v;
}

static void parse_fails(const char *s, int expected) {
        usec_t v = 12345;
        int r = parse_timespan(s, &v);
        if (r != expected)
                FAIL("parse_timespan(\"%s\") = %d, expected %d", s, r, expected);
        /* A failed parse must leave the output alone. */
        ASSERT_UEQ(v, 12345);
}

TEST(timespan_plain_number_is_seconds) {
        ASSERT_UEQ(parse_ok("3"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("0"), 0);
        ASSERT_UEQ(parse_ok("60"), 60 * USEC_PER_SEC);
}

TEST(timespan_seconds_units) {
        ASSERT_UEQ(parse_ok("3s"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("3sec"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("3second"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("3seconds"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1 second"), 1 * USEC_PER_SEC);
}

TEST(timespan_milliseconds) {
        ASSERT_UEQ(parse_ok("1500ms"), 1500 * USEC_PER_MSEC);
        ASSERT_UEQ(parse_ok("250msec"), 250 * USEC_PER_MSEC);
        ASSERT_UEQ(parse_ok("1ms"), USEC_PER_MSEC);
}

TEST(timespan_microseconds) {
        ASSERT_UEQ(parse_ok("10us"), 10);
        ASSERT_UEQ(parse_ok("10usec"), 10);
}

TEST(timespan_minutes_and_hours) {
        ASSERT_UEQ(parse_ok("2m"), 120 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("2min"), 120 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1minute"), 60 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("2minutes"), 120 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1h"), 3600 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1hour"), 3600 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("2hours"), 7200 * USEC_PER_SEC);
}

TEST(timespan_compound) {
        ASSERT_UEQ(parse_ok("1min 30s"), 90 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1min30s"), 90 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1s 500ms"), 1500 * USEC_PER_MSEC);
        ASSERT_UEQ(parse_ok("1h 1min 1s 1ms 1us"), 3661 * USEC_PER_SEC + USEC_PER_MSEC + 1);
}

TEST(timespan_fractions) {
        ASSERT_UEQ(parse_ok("0.5s"), 500 * USEC_PER_MSEC);
        ASSERT_UEQ(parse_ok("2.5 s"), 2500 * USEC_PER_MSEC);
        ASSERT_UEQ(parse_ok("1.5"), 1500 * USEC_PER_MSEC);
        ASSERT_UEQ(parse_ok("0.25min"), 15 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1.5ms"), 1500);
        /* Digits beyond the precision we keep are ignored, not an error. */
        ASSERT_UEQ(parse_ok("0.0000000001s"), 0);
        ASSERT_UEQ(parse_ok("1.123456789123s"), 1123456);
}

TEST(timespan_whitespace) {
        ASSERT_UEQ(parse_ok("  3s  "), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("\t3\ts"), 3 * USEC_PER_SEC);
        ASSERT_UEQ(parse_ok("1min   30s"), 90 * USEC_PER_SEC);
}

TEST(timespan_rejects_empty) {
        parse_fails("", -EINVAL);
        parse_fails("   ", -EINVAL);
        parse_fails(NULL, -EINVAL);
}

TEST(timespan_rejects_negative_and_signs) {
        parse_fails("-1", -EINVAL);
        parse_fails("-1s", -EINVAL);
        parse_fails("+1s", -EINVAL);
        parse_fails("1s -1s", -EINVAL);
}

TEST(timespan_rejects_garbage) {
        parse_fails("abc", -EINVAL);
        parse_fails("3x", -EINVAL);
        parse_fails("3sx", -EINVAL);
        parse_fails("3 seconds please", -EINVAL);
        parse_fails("3S", -EINVAL);
        parse_fails("1.", -EINVAL);
        parse_fails(".5s", -EINVAL);
        parse_fails("1..5s", -EINVAL);
        parse_fails("s", -EINVAL);
        parse_fails("0x10", -EINVAL);
        parse_fails("1e3", -EINVAL);
        parse_fails("inf", -EINVAL);
        parse_fails("infinity", -EINVAL);
        parse_fails("3,5s", -EINVAL);
}

TEST(timespan_rejects_overflow) {
        parse_fails("18446744073709551616", -ERANGE);
        parse_fails("99999999999999999999999999", -ERANGE);
        parse_fails("18446744073709551615us", -ERANGE);
        parse_fails("18446744073709551614us 1us", -ERANGE);
        parse_fails("18446744073710s", -ERANGE);
        parse_fails("5124095577h", -ERANGE);
        parse_fails("5124095576h 1h", -ERANGE);
}

TEST(timespan_largest_finite) {
        ASSERT_UEQ(parse_ok("18446744073709551614us"), USEC_INFINITY - 1);
        ASSERT_UEQ(parse_ok("18446744073709s"), 18446744073709ULL * USEC_PER_SEC);
}

TEST(timespan_overflow_through_fraction) {
        /* The whole part fits, its fraction pushes it over. */
        parse_fails("18446744073709.9s", -ERANGE);
}

TEST(format_timespan_values) {
        char buf[TIMESPAN_MAX];

        ASSERT_STREQ(format_timespan(buf, 0), "0s");
        ASSERT_STREQ(format_timespan(buf, 3 * USEC_PER_SEC), "3s");
        ASSERT_STREQ(format_timespan(buf, 1500 * USEC_PER_MSEC), "1.5s");
        ASSERT_STREQ(format_timespan(buf, 250 * USEC_PER_MSEC), "250ms");
        ASSERT_STREQ(format_timespan(buf, 1250 * USEC_PER_MSEC), "1250ms");
        ASSERT_STREQ(format_timespan(buf, 7), "7us");
        ASSERT_STREQ(format_timespan(buf, USEC_INFINITY), "infinity");
        ASSERT_STREQ(format_timespan(buf, USEC_INFINITY - 1), "18446744073709551614us");
}

TEST(format_parse_roundtrip) {
        static const usec_t values[] = {
                0, 1, 999, USEC_PER_MSEC, 1500 * USEC_PER_MSEC, 3 * USEC_PER_SEC, 60 * USEC_PER_SEC,
                123456789, USEC_INFINITY - 1,
        };
        char buf[TIMESPAN_MAX];

        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
                ASSERT_UEQ(parse_ok(format_timespan(buf, values[i])), values[i]);
}

TEST(now_usec_monotonic) {
        usec_t a = now_usec(CLOCK_MONOTONIC);
        usec_t b = now_usec(CLOCK_MONOTONIC);

        ASSERT_TRUE(a > 0);
        ASSERT_TRUE(b >= a);
}

TEST(now_usec_matches_clock_gettime) {
        struct timespec ts;

        ASSERT_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
        usec_t before = (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
        usec_t now = now_usec(CLOCK_REALTIME);
        ASSERT_TRUE(now >= before);
        ASSERT_TRUE(now - before < 10 * USEC_PER_SEC);
}

TEST_MAIN
