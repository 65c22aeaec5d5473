/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "kiosk.h"
#include "macro.h"
#include "tests.h"

#define SEC(x) ((usec_t) (x) * USEC_PER_SEC)
/* A trigger completed by one physical gesture, number n, on its own. */
#define G(n) (n), (n)

TEST(first_trigger_only_arms) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(1), SEC(100)), KIOSK_ARMED);
        ASSERT_UEQ(kiosk_deadline(&k), SEC(130) + 1);
        ASSERT_EQ(kiosk_advance(&k, SEC(129)), KIOSK_NOTHING);
}

TEST(second_trigger_in_window_confirms_once) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(2), SEC(100)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(3), SEC(110)), KIOSK_CONFIRMED);
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        /* A third gesture starts over: it arms, never confirms. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(4), SEC(111)), KIOSK_ARMED);
}

TEST(confirmation_at_exactly_the_timeout_counts) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", G(5), SEC(100));
        ASSERT_EQ(kiosk_advance(&k, SEC(130)), KIOSK_NOTHING);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(6), SEC(130)), KIOSK_CONFIRMED);
}

TEST(one_microsecond_late_rearms) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", G(7), SEC(100));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(8), SEC(130) + 1), KIOSK_ARMED);
        ASSERT_UEQ(kiosk_deadline(&k), SEC(160) + 2);
}

TEST(timeout_disarms_once) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", G(9), SEC(100));
        ASSERT_EQ(kiosk_advance(&k, kiosk_deadline(&k)), KIOSK_DISARMED);
        ASSERT_EQ(kiosk_advance(&k, SEC(200)), KIOSK_NOTHING);
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(10), SEC(201)), KIOSK_ARMED);
}

TEST(other_seat_does_not_confirm) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", G(11), SEC(100));
        ASSERT_EQ(kiosk_trigger(&k, "seat1", G(12), SEC(101)), KIOSK_ARMED);
        /* The arming moved: seat0 now arms again rather than confirming. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(13), SEC(102)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(14), SEC(103)), KIOSK_CONFIRMED);
}

TEST(null_seat_is_seat0) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, NULL, G(15), SEC(1));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", G(16), SEC(2)), KIOSK_CONFIRMED);
}

TEST(huge_timeout_saturates) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, USEC_INFINITY - 5);
        kiosk_trigger(&k, "seat0", G(17), SEC(10));
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        ASSERT_EQ(kiosk_advance(&k, USEC_INFINITY - 1), KIOSK_NOTHING);
}

/* The review's case: Power+VolDown held completes the Power-only hold
 * trigger and the chord, both in gesture 1. */
TEST(one_gesture_completing_two_triggers_only_arms) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 1, 1, SEC(100)), KIOSK_ARMED);
        usec_t d = kiosk_deadline(&k);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 1, 1, SEC(100) + 50), KIOSK_NOTHING);
        /* Nor does it move the window. */
        ASSERT_UEQ(kiosk_deadline(&k), d);
        /* Gesture 2 begins after gesture 1 was all released: it confirms. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 2, 2, SEC(105)), KIOSK_CONFIRMED);
}

TEST(confirming_gesture_completing_two_triggers_confirms_once) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", 1, 1, SEC(100));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 2, 2, SEC(105)), KIOSK_CONFIRMED);
        /* The chord's second trigger must not arm again right after. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 2, 2, SEC(105) + 50), KIOSK_NOTHING);
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 3, 3, SEC(110)), KIOSK_ARMED);
}

/* Presses= and a hold trigger on one key: two presses, the third held on. */
TEST(presses_then_hold_of_the_last_press_only_arm) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 1, 3, SEC(100)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 3, 3, SEC(101)), KIOSK_NOTHING);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 4, 4, SEC(105)), KIOSK_CONFIRMED);
}

/* The other order: a hold arms, and presses that began with it go on. */
TEST(presses_that_began_with_the_arming_hold_do_not_confirm) {
        _cleanup_(kiosk_done) Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 1, 1, SEC(100)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 1, 3, SEC(102)), KIOSK_NOTHING);
        /* The arming gesture now ends with gesture 3: a hold in it neither. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 3, 3, SEC(103)), KIOSK_NOTHING);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", 4, 6, SEC(104)), KIOSK_CONFIRMED);
}

TEST(long_seat_names_are_kept_whole) {
        _cleanup_(kiosk_done) Kiosk k;
        char a[200], b[200];

        memset(a, 'x', sizeof a - 1);
        a[sizeof a - 1] = 0;
        memcpy(b, a, sizeof b);
        b[150] = 'y'; /* differs past any fixed buffer of 64 or 128 */
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, a, 1, 1, SEC(1)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, b, 1, 1, SEC(2)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, a, 2, 2, SEC(3)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, a, 3, 3, SEC(4)), KIOSK_CONFIRMED);
}

TEST_MAIN
