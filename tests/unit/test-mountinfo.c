/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "mountinfo.h"
#include "tests.h"

static const char MOUNTINFO[] =
        "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
        "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
        "40 22 259:3 / /var rw,relatime shared:20 - ext4 /dev/nvme0n1p3 rw\n"
        "41 40 259:3 /lib/x /srv/bind rw shared:20 - ext4 /dev/nvme0n1p3 rw\n"
        "42 22 8:17 / /media/my\\040disk\\134x rw - vfat /dev/sdb1 rw\n"
        "43 22 259:30 / /other rw - ext4 /dev/nvme0n1p30 rw";

static char *find(unsigned major, unsigned minor) {
        char *p = NULL;
        ASSERT_EQ(mountinfo_find(MOUNTINFO, sizeof MOUNTINFO - 1, major, minor, &p), 0);
        return p;
}

TEST(finds_the_first_mount_of_a_device) {
        _cleanup_free_ char *var = find(259, 3), *root = find(259, 2), *last = find(259, 30);

        ASSERT_STREQ(var, "/var");
        ASSERT_STREQ(root, "/");
        ASSERT_STREQ(last, "/other"); /* no newline at the end */
}

TEST(decodes_octal_escapes) {
        _cleanup_free_ char *p = find(8, 17);
        ASSERT_STREQ(p, "/media/my disk\\x");
}

TEST(absent_device_is_null_not_a_prefix_match) {
        ASSERT_TRUE(!find(259, 0));
        ASSERT_TRUE(!find(25, 3));   /* "259:3" must not match "25:3"-ish prefixes */
        ASSERT_TRUE(!find(8, 1));    /* nor "8:17" match 8:1 */

        char *p = (char *) 1;
        ASSERT_EQ(mountinfo_find("", 0, 8, 1, &p), 0);
        ASSERT_TRUE(!p);
        ASSERT_EQ(mountinfo_find("garbage\n\n1 2\n", 13, 8, 1, &p), 0);
        ASSERT_TRUE(!p);
}

TEST_MAIN
