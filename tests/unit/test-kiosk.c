/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "kiosk.h"
#include "tests.h"

#define SEC(x) ((usec_t) (x) * USEC_PER_SEC)

TEST(first_trigger_only_arms) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(100)), KIOSK_ARMED);
        ASSERT_UEQ(kiosk_deadline(&k), SEC(130) + 1);
        ASSERT_EQ(kiosk_advance(&k, SEC(129)), KIOSK_NOTHING);
}

TEST(second_trigger_in_window_confirms_once) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(100)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(110)), KIOSK_CONFIRMED);
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        /* A third gesture starts over: it arms, never confirms. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(111)), KIOSK_ARMED);
}

TEST(confirmation_at_exactly_the_timeout_counts) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", SEC(100));
        ASSERT_EQ(kiosk_advance(&k, SEC(130)), KIOSK_NOTHING);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(130)), KIOSK_CONFIRMED);
}

TEST(one_microsecond_late_rearms) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", SEC(100));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(130) + 1), KIOSK_ARMED);
        ASSERT_UEQ(kiosk_deadline(&k), SEC(160) + 2);
}

TEST(timeout_disarms_once) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", SEC(100));
        ASSERT_EQ(kiosk_advance(&k, kiosk_deadline(&k)), KIOSK_DISARMED);
        ASSERT_EQ(kiosk_advance(&k, SEC(200)), KIOSK_NOTHING);
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(201)), KIOSK_ARMED);
}

TEST(other_seat_does_not_confirm) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, "seat0", SEC(100));
        ASSERT_EQ(kiosk_trigger(&k, "seat1", SEC(101)), KIOSK_ARMED);
        /* The arming moved: seat0 now arms again rather than confirming. */
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(102)), KIOSK_ARMED);
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(103)), KIOSK_CONFIRMED);
}

TEST(null_seat_is_seat0) {
        Kiosk k;
        kiosk_init(&k, SEC(30));
        kiosk_trigger(&k, NULL, SEC(1));
        ASSERT_EQ(kiosk_trigger(&k, "seat0", SEC(2)), KIOSK_CONFIRMED);
}

TEST(huge_timeout_saturates) {
        Kiosk k;
        kiosk_init(&k, USEC_INFINITY - 5);
        kiosk_trigger(&k, "seat0", SEC(10));
        ASSERT_UEQ(kiosk_deadline(&k), USEC_INFINITY);
        ASSERT_EQ(kiosk_advance(&k, USEC_INFINITY - 1), KIOSK_NOTHING);
}

TEST_MAIN
