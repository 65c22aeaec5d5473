/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "text-builder.h"

TEST(pieces_are_joined_in_order) {
        _cleanup_(text_builder_done) TextBuilder b = {};
        char *text = NULL;

        ASSERT_TRUE(text_builder_is_empty(&b));
        text_builder_add(&b, "%s can be held", "KEY_POWER");
        ASSERT_FALSE(text_builder_is_empty(&b));
        text_builder_add(&b, " on %s (%s)", "Power Button", "/dev/input/event3");
        text_builder_add(&b, "; %d more", 2);
        ASSERT_EQ(text_builder_take(&b, &text), 0);
        ASSERT_STREQ(text, "KEY_POWER can be held on Power Button (/dev/input/event3); 2 more");
        free(text);
        /* Taking leaves it empty, ready for the next text. */
        ASSERT_TRUE(text_builder_is_empty(&b));
}

TEST(nothing_added_is_the_empty_text) {
        TextBuilder b = {};
        char *text = NULL;

        ASSERT_EQ(text_builder_take(&b, &text), 0);
        ASSERT_STREQ(text, "");
        free(text);
}

TEST(long_pieces_are_not_cut) {
        _cleanup_(text_builder_done) TextBuilder b = {};
        char piece[5000], *text = NULL;

        memset(piece, 'x', sizeof piece - 1);
        piece[sizeof piece - 1] = 0;
        for (int i = 0; i < 20; i++)
                text_builder_add(&b, "%s", piece);
        ASSERT_EQ(text_builder_take(&b, &text), 0);
        ASSERT_EQ(strlen(text), 20 * (sizeof piece - 1));
        free(text);
}

TEST(a_failure_sticks_and_is_reported_once) {
        TextBuilder b = {};
        char *text = NULL;

        text_builder_add(&b, "before");
        /* What an allocation failure leaves behind. */
        b.failed = true;
        text_builder_add(&b, "after");
        ASSERT_EQ(text_builder_take(&b, &text), -ENOMEM);
        ASSERT_TRUE(!text);
        ASSERT_TRUE(text_builder_is_empty(&b));
        ASSERT_FALSE(b.failed);
}

TEST_MAIN
