/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "reset-record.h"
#include "tests.h"

#define BOOT "0123456789abcdef0123456789abcdef"
#define PART_A "6e6f7420-6120-7265-616c-20757569642e"
#define PART_B "1b4e28ba-2fa1-11d2-883f-b9a761bde3fb"
#define FS_A "4f2a5a1e-0000-4000-8000-000000000001"
#define FS_B "4f2a5a1e-0000-4000-8000-000000000002"

static ResetRecordPartition part(const char *name, const char *mount, const char *pu, const char *fu) {
        return (ResetRecordPartition) {
                .name = (char *) name, .mount_point = (char *) mount, .part_uuid = (char *) pu, .fs_uuid = (char *) fu,
        };
}

static int parse_record(const char *text, ResetRecord *ret, char **ret_error) {
        return reset_record_parse(text, strlen(text), ret, ret_error);
}

static void assert_record_refused(const char *text, const char *needle) {
        ResetRecord r = {};
        char *error = NULL;

        ASSERT_EQ(parse_record(text, &r, &error), -EINVAL);
        ASSERT_TRUE(error);
        if (!strstr(error, needle))
                FAIL("error \"%s\" does not say \"%s\"", error, needle);
        /* Nothing is filled on failure. */
        ASSERT_EQ(r.n_partitions, 0);
        ASSERT_TRUE(!r.partitions);
        ASSERT_EQ(r.boot_id[0], 0);
        free(error);
}

TEST(record_round_trip) {
        ResetRecordPartition parts[] = {
                part("50-var.conf", "/var", PART_A, FS_A),
                part("60 home.conf", "/home with\\space", NULL, NULL),
                part("-", NULL, PART_B, NULL),
        };
        ResetRecord r = { .boot_id = BOOT, .requested_usec = 1765000000123456, .partitions = parts, .n_partitions = 3 };
        ResetRecord back = {};
        char *text = NULL, *error = NULL;

        ASSERT_EQ(reset_record_format(&r, &text), 0);
        ASSERT_STREQ(text, "hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1765000000123456\n"
                           "partition=50-var.conf /var " PART_A " " FS_A "\n"
                           "partition=60\\x20home.conf /home\\x20with\\x5cspace - -\n"
                           "partition=\\x2d - " PART_B " -\n");
        ASSERT_EQ(parse_record(text, &back, &error), 0);
        ASSERT_TRUE(!error);
        ASSERT_STREQ(back.boot_id, BOOT);
        ASSERT_UEQ(back.requested_usec, 1765000000123456);
        ASSERT_EQ(back.n_partitions, 3);
        ASSERT_STREQ(back.partitions[0].name, "50-var.conf");
        ASSERT_STREQ(back.partitions[0].fs_uuid, FS_A);
        ASSERT_STREQ(back.partitions[1].name, "60 home.conf");
        ASSERT_STREQ(back.partitions[1].mount_point, "/home with\\space");
        ASSERT_TRUE(!back.partitions[1].part_uuid && !back.partitions[1].fs_uuid);
        ASSERT_STREQ(back.partitions[2].name, "-");
        ASSERT_TRUE(!back.partitions[2].mount_point);
        ASSERT_STREQ(back.partitions[2].part_uuid, PART_B);
        reset_record_done(&back);
        free(text);
}

TEST(record_format_refuses_bad_fields) {
        ResetRecordPartition empty[] = { part("", NULL, NULL, NULL) };
        ResetRecord r = { .boot_id = BOOT, .partitions = empty, .n_partitions = 1 };
        ResetRecord bad_boot = { .boot_id = "0123456789ABCDEF0123456789ABCDEF" };
        char *text = NULL;

        ASSERT_EQ(reset_record_format(&r, &text), -EINVAL);
        ASSERT_EQ(reset_record_format(&bad_boot, &text), -EINVAL);
        ASSERT_TRUE(!text);
}

TEST(record_malformed_is_refused) {
        assert_record_refused("", "empty");
        assert_record_refused("hotkeyd-last-reset 1\n", "not a hotkeyd-reset-record");
        assert_record_refused("hotkeyd-reset-record 2\nboot=" BOOT "\nrequested=1\n", "version \"2\"");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\n", "missing");
        assert_record_refused("hotkeyd-reset-record 1\nrequested=1\n", "missing");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1", "cut off");
        assert_record_refused("hotkeyd-reset-record 1\nboot=xyz\nrequested=1\n", "line 2: boot=");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nboot=" BOOT "\nrequested=1\n", "line 3");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=-1\n", "not a number");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=99999999999999999999\n",
                              "not a number");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=a b c\n",
                              "4 fields expected, found 3");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=a b c d e\n",
                              "found more");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=a  c d\n",
                              "empty field");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=- - - -\n",
                              "name must be given");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=a\\x00 - - -\n",
                              "bad escape");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=a\\q - - -\n",
                              "bad escape");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\npartition=a\t - - -\n",
                              "control character");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\nerase=all\n", "unknown key");
        assert_record_refused("hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\njunk\n", "not KEY=VALUE");

        ResetRecord r = {};
        char *error = NULL;
        static const char nul[] = "hotkeyd-reset-record 1\nboot=" BOOT "\nrequested=1\0\n";
        ASSERT_EQ(reset_record_parse(nul, sizeof nul - 1, &r, &error), -EINVAL);
        ASSERT_TRUE(strstr(error, "NUL"));
        free(error);
}

static ResetOutcome compare(ResetRecordPartition *was, size_t n_was, ResetRecordPartition *now, size_t n_now,
                            bool ran) {
        ResetRecord r = { .boot_id = BOOT, .requested_usec = 10, .partitions = was, .n_partitions = n_was };
        ResetOutcome o = {};

        ASSERT_EQ(reset_outcome_compare(&r, now, n_now, ran, 20, &o), 0);
        ASSERT_UEQ(o.requested_usec, 10);
        ASSERT_UEQ(o.checked_usec, 20);
        ASSERT_EQ(o.n_partitions, n_was);
        return o;
}

static void assert_summary(const ResetOutcome *o, const char *want) {
        char *s = NULL;

        ASSERT_EQ(reset_outcome_summary(o, &s), 0);
        ASSERT_STREQ(s, want);
        free(s);
}

TEST(compare_recreated) {
        ResetRecordPartition was[] = { part("50-var.conf", "/var", PART_A, FS_A) };
        ResetRecordPartition now[] = { part("50-var.conf", "/var", PART_B, FS_B) };
        ResetOutcome o = compare(was, 1, now, 1, true);

        ASSERT_EQ(o.verdict, RESET_VERDICT_COMPLETE);
        ASSERT_EQ(o.partitions[0].state, RESET_PARTITION_RECREATED);
        assert_summary(&o, "complete, /var recreated");
        reset_outcome_done(&o);
}

TEST(compare_only_the_filesystem_recreated) {
        ResetRecordPartition was[] = { part("50-var.conf", NULL, PART_A, FS_A) };
        ResetRecordPartition now[] = { part("50-var.conf", NULL, PART_A, FS_B) };
        ResetOutcome o = compare(was, 1, now, 1, true);

        ASSERT_EQ(o.partitions[0].state, RESET_PARTITION_RECREATED);
        assert_summary(&o, "complete, 50-var.conf recreated");
        reset_outcome_done(&o);
}

TEST(compare_not_erased_although_systemd_says_complete) {
        ResetRecordPartition was[] = { part("50-var.conf", "/var", PART_A, FS_A),
                                       part("60-home.conf", "/home", PART_B, FS_B) };
        ResetRecordPartition now[] = { part("60-home.conf", "/home", PART_A, FS_A),
                                       part("50-var.conf", "/var", PART_A, FS_A) };
        ResetOutcome o = compare(was, 2, now, 2, true);

        /* One recreated does not make up for one left. */
        ASSERT_EQ(o.verdict, RESET_VERDICT_NOT_ERASED);
        ASSERT_EQ(o.partitions[0].state, RESET_PARTITION_NOT_ERASED);
        ASSERT_EQ(o.partitions[1].state, RESET_PARTITION_RECREATED);
        assert_summary(&o, "DID NOT ERASE /var (partition UUID unchanged)");
        reset_outcome_done(&o);
}

TEST(compare_partition_without_filesystem) {
        ResetRecordPartition was[] = { part("50-swap.conf", NULL, PART_A, NULL) };
        ResetRecordPartition same[] = { part("50-swap.conf", NULL, PART_A, NULL) };
        ResetRecordPartition formatted[] = { part("50-swap.conf", NULL, PART_A, FS_A) };
        ResetOutcome o = compare(was, 1, same, 1, true);

        ASSERT_EQ(o.verdict, RESET_VERDICT_NOT_ERASED);
        reset_outcome_done(&o);
        o = compare(was, 1, formatted, 1, true);
        ASSERT_EQ(o.verdict, RESET_VERDICT_COMPLETE);
        reset_outcome_done(&o);
}

TEST(compare_gone_and_unknown) {
        ResetRecordPartition was[] = { part("50-var.conf", "/var", PART_A, FS_A),
                                       part("70-absent.conf", NULL, NULL, NULL) };
        ResetOutcome o = compare(was, 2, NULL, 0, true);

        ASSERT_EQ(o.partitions[0].state, RESET_PARTITION_GONE);
        ASSERT_EQ(o.partitions[1].state, RESET_PARTITION_UNKNOWN);
        ASSERT_EQ(o.verdict, RESET_VERDICT_COMPLETE);
        assert_summary(&o, "complete, /var erased, not recreated");
        reset_outcome_done(&o);
}

TEST(compare_nothing_to_compare_is_not_success) {
        ResetRecordPartition was[] = { part("70-absent.conf", NULL, NULL, NULL) };
        ResetRecordPartition now[] = { part("70-absent.conf", NULL, PART_A, FS_A) };
        ResetOutcome o = compare(was, 1, now, 1, true);

        ASSERT_EQ(o.verdict, RESET_VERDICT_UNVERIFIED);
        reset_outcome_done(&o);
        o = compare(NULL, 0, NULL, 0, true);
        ASSERT_EQ(o.verdict, RESET_VERDICT_UNVERIFIED);
        assert_summary(&o, "complete, not verified (nothing recorded to compare)");
        reset_outcome_done(&o);
}

TEST(compare_reset_that_did_not_run) {
        ResetRecordPartition was[] = { part("50-var.conf", "/var", PART_A, FS_A) };
        ResetRecordPartition now[] = { part("50-var.conf", "/var", PART_B, FS_B) };
        ResetOutcome o = compare(was, 1, now, 1, false);

        ASSERT_EQ(o.verdict, RESET_VERDICT_NOT_DONE);
        assert_summary(&o, "the requested reset DID NOT TAKE PLACE");
        reset_outcome_done(&o);
}

TEST(outcome_round_trip) {
        ResetRecordPartition was[] = { part("50-var.conf", "/var", PART_A, FS_A),
                                       part("60 home.conf", NULL, PART_B, FS_B) };
        ResetRecordPartition now[] = { part("50-var.conf", "/var", PART_A, FS_A) };
        ResetOutcome o = compare(was, 2, now, 1, true), back = {};
        char *text = NULL, *error = NULL;

        ASSERT_EQ(reset_outcome_format(&o, &text), 0);
        ASSERT_STREQ(text, "hotkeyd-last-reset 1\nrequested=10\nchecked=20\nverdict=not-erased\n"
                           "partition=not-erased 50-var.conf /var\n"
                           "partition=gone 60\\x20home.conf -\n");
        ASSERT_EQ(reset_outcome_parse(text, strlen(text), &back, &error), 0);
        ASSERT_EQ(back.verdict, RESET_VERDICT_NOT_ERASED);
        ASSERT_EQ(back.n_partitions, 2);
        ASSERT_STREQ(back.partitions[1].name, "60 home.conf");
        ASSERT_EQ(back.partitions[1].state, RESET_PARTITION_GONE);
        ASSERT_TRUE(!back.partitions[1].mount_point);
        ASSERT_UEQ(back.checked_usec, 20);
        reset_outcome_done(&back);
        reset_outcome_done(&o);
        free(text);
}

TEST(outcome_malformed_is_refused) {
        static const char *const bad[] = {
                "hotkeyd-last-reset 1\nrequested=1\nchecked=2\n",
                "hotkeyd-last-reset 1\nrequested=1\nchecked=2\nverdict=fine\n",
                "hotkeyd-last-reset 1\nrequested=1\nchecked=2\nverdict=complete\nverdict=complete\n",
                "hotkeyd-last-reset 1\nrequested=1\nchecked=2\nverdict=complete\npartition=wiped /var -\n",
                "hotkeyd-last-reset 1\nrequested=1\nchecked=2\nverdict=complete\npartition=recreated /var\n",
                "hotkeyd-last-reset 1\nchecked=2\nverdict=complete\n",
                "hotkeyd-reset-record 1\nrequested=1\nchecked=2\nverdict=complete\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ResetOutcome o = {};
                char *error = NULL;
                if (reset_outcome_parse(bad[i], strlen(bad[i]), &o, &error) != -EINVAL)
                        FAIL("accepted: %s", bad[i]);
                ASSERT_TRUE(error);
                ASSERT_EQ(o.n_partitions, 0);
                free(error);
        }
}

TEST_MAIN
