/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "tests.h"
#include "utf8.h"

static void escapes_to(const char *in, const char *expected) {
        char *out = utf8_escape_invalid(in);

        ASSERT_TRUE(out);
        ASSERT_STREQ(out, expected);
        ASSERT_TRUE(utf8_is_valid(out));
        free(out);
}

TEST(valid_text_is_copied_unchanged) {
        escapes_to("", "");
        escapes_to("Power Button", "Power Button");
        escapes_to("Tastatur \xc3\xa4\xe2\x82\xac \xf0\x9f\x94\x8c", "Tastatur \xc3\xa4\xe2\x82\xac \xf0\x9f\x94\x8c");
        ASSERT_TRUE(utf8_is_valid("\xef\xbf\xbd \xf4\x8f\xbf\xbf"));
}

TEST(invalid_bytes_become_replacement_characters) {
        ASSERT_FALSE(utf8_is_valid("Reset \xff Button"));
        escapes_to("Reset \xff Button", "Reset \xef\xbf\xbd Button");
        /* A sequence cut short, at the end and before other text. */
        escapes_to("a\xc3", "a\xef\xbf\xbd");
        escapes_to("\xe2\x82" "b", "\xef\xbf\xbd\xef\xbf\xbd" "b");
        /* A lone continuation byte. */
        escapes_to("\x80", "\xef\xbf\xbd");
}

TEST(overlong_surrogates_and_beyond_unicode_are_invalid) {
        ASSERT_FALSE(utf8_is_valid("\xc0\xaf"));         /* '/' in two bytes */
        ASSERT_FALSE(utf8_is_valid("\xe0\x80\xaf"));     /* '/' in three bytes */
        ASSERT_FALSE(utf8_is_valid("\xed\xa0\x80"));     /* U+D800 */
        ASSERT_FALSE(utf8_is_valid("\xf4\x90\x80\x80")); /* U+110000 */
        ASSERT_FALSE(utf8_is_valid("\xf8\x88\x80\x80\x80"));
        escapes_to("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
        escapes_to("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_MAIN
