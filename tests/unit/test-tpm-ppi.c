/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tests.h"
#include "tpm-ppi.h"

static bool offered(const char *text) {
        return tpm_ppi_clear_offered(text, strlen(text));
}

TEST(clear_allowed_without_presence) {
        ASSERT_TRUE(offered("0 1: BIOS only\n5 4: User not required\n14 3: User required\n"));
}

TEST(clear_allowed_with_presence) {
        ASSERT_TRUE(offered("5 3: User required\n"));
}

TEST(clear_blocked_or_missing) {
        ASSERT_FALSE(offered("5 2: Blocked for OS by BIOS\n"));
        ASSERT_FALSE(offered("5 0: Not implemented\n"));
        ASSERT_FALSE(offered("5 1: BIOS only\n"));
        ASSERT_FALSE(offered("14 4: User not required\n"));
        ASSERT_FALSE(offered(""));
}

TEST(operation_55_is_not_5) {
        ASSERT_FALSE(offered("55 4: vendor\n"));
        ASSERT_FALSE(offered("15 4: vendor\n"));
}

TEST(garbage_is_no) {
        ASSERT_FALSE(offered("5:4\n"));
        ASSERT_FALSE(offered("x 4: y\n"));
        ASSERT_FALSE(offered("5 4"));
        ASSERT_FALSE(offered("99999999999999 4: overflow\n5 2: blocked\n"));
}

TEST(last_line_without_newline) {
        ASSERT_TRUE(offered("0 1: x\n5 4: y"));
}

TEST_MAIN
