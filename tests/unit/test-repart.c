/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "repart.h"
#include "tests.h"

/* Parses text as "50-x.conf", expects return value r and n_errors reports. */
static RepartDefinition *parse(const char *text, int expected, size_t n_errors, Errors *e) {
        RepartDefinition *d = NULL;
        int r = repart_parse_text("50-x.conf", text, strlen(text), errors_collect, e, &d);

        if (r != expected || e->n != n_errors) {
                errors_dump(e);
                FAIL("repart_parse_text() = %d with %zu reports, expected %d with %zu", r, e->n, expected,
                     n_errors);
        }
        return d;
}

static RepartDefinition *parse_valid(const char *text) {
        Errors e = {};
        RepartDefinition *d = parse(text, 0, 0, &e);
        ASSERT_TRUE(d);
        return d;
}

static void assert_reported(const Errors *e, size_t i, const char *needle) {
        ASSERT_TRUE(i < e->n && i < ERRORS_MAX);
        if (!strstr(e->text[i], needle))
                FAIL("report %zu is \"%s\", expected it to contain \"%s\"", i, e->text[i], needle);
}

#define ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define VAR "4d21b016-b534-45c2-a9fb-5c16e091fd2d"
#define HOME "933ac7e1-2eb4-4f13-b844-0e14e2aef915"

/* ---- the partition type table ------------------------------------------ */

static const char *type(const char *name) {
        static char uuid[GPT_UUID_STRING_MAX];
        if (gpt_partition_type_from_string(name, uuid) < 0)
                return NULL;
        return uuid;
}

TEST(type_names_resolve_to_the_discoverable_partitions_guids) {
        /* The values of the Discoverable Partitions Specification. */
        ASSERT_STREQ(type("root-x86-64"), ROOT_X86_64);
        ASSERT_STREQ(type("root-x86-64-verity"), "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5");
        ASSERT_STREQ(type("root-x86-64-verity-sig"), "41092b05-9fc8-4523-994f-2def0408b176");
        ASSERT_STREQ(type("usr-x86-64"), "8484680c-9521-48c6-9c11-b0720656f69e");
        ASSERT_STREQ(type("root-x86"), "44479540-f297-41b2-9af7-d131d5f0458a");
        ASSERT_STREQ(type("root-arm64"), "b921b045-1df0-41c3-af44-4c6f280d3fae");
        ASSERT_STREQ(type("esp"), "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
        ASSERT_STREQ(type("xbootldr"), "bc13c2ff-59e6-4262-a352-b275fd6f7172");
        ASSERT_STREQ(type("swap"), "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f");
        ASSERT_STREQ(type("home"), HOME);
        ASSERT_STREQ(type("srv"), "3b8f8425-20e0-4f3b-907f-1a25a76f98e8");
        ASSERT_STREQ(type("var"), VAR);
        ASSERT_STREQ(type("tmp"), "7ec6f557-3bc5-4aca-b293-16ef5df639d1");
        ASSERT_STREQ(type("user-home"), "773f91ef-66d4-49b5-bd83-d683bf40ad16");
        ASSERT_STREQ(type("linux-generic"), "0fc63daf-8483-4772-8e79-3d69d8477de4");
}

TEST(type_aliases_match_systemd) {
        ASSERT_STREQ(type("root-x86_64"), ROOT_X86_64);
        ASSERT_STREQ(type("root-amd64"), ROOT_X86_64);
        ASSERT_STREQ(type("root-aarch64"), "b921b045-1df0-41c3-af44-4c6f280d3fae");
        ASSERT_STREQ(type("root-i686"), "44479540-f297-41b2-9af7-d131d5f0458a");
}

TEST(type_native_names_follow_the_build_architecture) {
#if defined(__x86_64__)
        ASSERT_STREQ(type("root"), ROOT_X86_64);
        ASSERT_STREQ(type("usr"), "8484680c-9521-48c6-9c11-b0720656f69e");
        ASSERT_STREQ(type("root-secondary"), "44479540-f297-41b2-9af7-d131d5f0458a");
#elif defined(__aarch64__)
        ASSERT_STREQ(type("root"), "b921b045-1df0-41c3-af44-4c6f280d3fae");
#else
        ASSERT_TRUE(type("root") || !type("root"));
#endif
}

TEST(type_guids_in_any_case_with_or_without_dashes) {
        ASSERT_STREQ(type("4D21B016-B534-45C2-A9FB-5C16E091FD2D"), VAR);
        ASSERT_STREQ(type("4d21b016b53445c2a9fb5c16e091fd2d"), VAR);
        ASSERT_STREQ(type("01234567-89ab-cdef-0123-456789abcdef"), "01234567-89ab-cdef-0123-456789abcdef");
}

TEST(type_unknown_and_malformed_are_refused) {
        ASSERT_TRUE(!type("Root"));        /* names are case-sensitive, as in systemd */
        ASSERT_TRUE(!type("root-x86-65"));
        ASSERT_TRUE(!type(""));
        ASSERT_TRUE(!type("4d21b016-b534-45c2-a9fb-5c16e091fd2"));   /* short */
        ASSERT_TRUE(!type("4d21b016-b534-45c2-a9fb-5c16e091fd2dd"));  /* long */
        ASSERT_TRUE(!type("4d21b016+b534-45c2-a9fb-5c16e091fd2d"));   /* wrong separator */
        ASSERT_TRUE(!type("4d21b016b534-45c2-a9fb-5c16e091fd2d0"));   /* dashes misplaced */
        ASSERT_TRUE(!type("gd21b016-b534-45c2-a9fb-5c16e091fd2d"));
        ASSERT_TRUE(!type(" var"));
}

/* ---- booleans --------------------------------------------------------- */

TEST(booleans_as_systemd_parses_them) {
        const char *yes[] = { "yes", "YES", "Yes", "y", "Y", "true", "TRUE", "t", "on", "ON", "1" };
        const char *no[] = { "no", "NO", "n", "false", "False", "f", "off", "Off", "0" };
        const char *bad[] = { "", "2", "yess", "enable", "-1", "o", "ja" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                ASSERT_EQ(parse_boolean(yes[i]), 1);
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                ASSERT_EQ(parse_boolean(no[i]), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_EQ(parse_boolean(bad[i]), -EINVAL);
}

/* ---- files ------------------------------------------------------------ */

TEST(minimal_definition) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid("[Partition]\nType=var\n");

        ASSERT_STREQ(d->file, "50-x.conf");
        ASSERT_EQ(d->line, 1);
        ASSERT_STREQ(d->type, "var");
        ASSERT_STREQ(d->type_uuid, VAR);
        ASSERT_TRUE(!d->label);
        ASSERT_FALSE(d->factory_reset);
}

TEST(full_definition_with_comments_whitespace_and_other_settings) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "# /usr/lib/repart.d/50-home.conf\n"
                "; another comment style\n"
                "\n"
                "  [Partition]  \n"
                "Type = home\t\n"
                "  Label=  my home  \n"
                "Format=ext4\n"
                "SizeMinBytes=1G\n"
                "CopyBlocks=auto\n"
                "FactoryReset = Yes\n"
                "# FactoryReset=no\n");

        ASSERT_EQ(d->line, 4);
        ASSERT_STREQ(d->type, "home");
        ASSERT_STREQ(d->type_uuid, HOME);
        ASSERT_STREQ(d->label, "my home"); /* inner whitespace kept */
        ASSERT_TRUE(d->factory_reset);
}

TEST(later_assignments_win_and_empty_label_resets) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "[Partition]\nType=home\nType=root-x86-64\nLabel=a\nLabel=\nFactoryReset=yes\nFactoryReset=off\n");

        ASSERT_STREQ(d->type, "root-x86-64");
        ASSERT_STREQ(d->type_uuid, ROOT_X86_64);
        ASSERT_TRUE(!d->label);
        ASSERT_FALSE(d->factory_reset);
}

TEST(repeated_partition_section_continues_it) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "[Partition]\nType=var\n\n[Partition]\nFactoryReset=1\n");

        ASSERT_EQ(d->line, 1);
        ASSERT_STREQ(d->type, "var");
        ASSERT_TRUE(d->factory_reset);
}

TEST(guid_type_is_kept_as_written_and_resolved) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "[Partition]\nType=4D21B016B53445C2A9FB5C16E091FD2D\nFactoryReset=true\n");

        ASSERT_STREQ(d->type, "4D21B016B53445C2A9FB5C16E091FD2D");
        ASSERT_STREQ(d->type_uuid, VAR);
}

TEST(label_specifiers_are_kept) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "[Partition]\nType=root\nLabel=%o-root-%A\n");

        ASSERT_STREQ(d->label, "%o-root-%A");
}

TEST(continuation_lines_are_joined) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "[Partition]\nType=var\nLabel=long\\\n# a comment inside\n name\nFactoryReset=\\\nyes\n");

        ASSERT_STREQ(d->label, "long  name");
        ASSERT_TRUE(d->factory_reset);
}

TEST(crlf_and_byte_order_mark_and_no_final_newline) {
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse_valid(
                "\xef\xbb\xbf[Partition]\r\nType=var\r\nFactoryReset=yes");

        ASSERT_STREQ(d->type_uuid, VAR);
        ASSERT_TRUE(d->factory_reset);
}

/* ---- malformed files -------------------------------------------------- */

TEST(empty_file_has_no_partition) {
        Errors e = {};
        RepartDefinition *d = parse("", -EINVAL, 1, &e);

        ASSERT_TRUE(!d);
        assert_reported(&e, 0, "50-x.conf: No [Partition] section");
}

TEST(no_partition_section) {
        Errors e = {};
        RepartDefinition *d = parse("# only comments\nType=var\nFactoryReset=yes\n", -EINVAL, 3, &e);

        ASSERT_TRUE(!d);
        assert_reported(&e, 0, "50-x.conf:2: Setting Type= outside of any section");
        assert_reported(&e, 1, "50-x.conf:3: Setting FactoryReset= outside");
        assert_reported(&e, 2, "No [Partition] section");
}

TEST(missing_type) {
        Errors e = {};
        RepartDefinition *d = parse("\n[Partition]\nLabel=x\nFactoryReset=yes\n", -EINVAL, 1, &e);

        ASSERT_TRUE(!d);
        assert_reported(&e, 0, "50-x.conf:2: [Partition] has no valid Type=");
}

TEST(unknown_type_is_reported_and_refuses_the_file) {
        Errors e = {};
        RepartDefinition *d = parse("[Partition]\nType=rooot\nFactoryReset=yes\n", -EINVAL, 2, &e);

        ASSERT_TRUE(!d);
        assert_reported(&e, 0, "50-x.conf:2: Unknown partition type Type=rooot");
        assert_reported(&e, 1, "50-x.conf:1: [Partition] has no valid Type=");
}

TEST(unknown_type_after_a_valid_one_is_ignored) {
        Errors e = {};
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse(
                "[Partition]\nType=var\nType=\nFactoryReset=yes\n", -EINVAL, 1, &e);

        ASSERT_TRUE(d);
        ASSERT_STREQ(d->type, "var");
        ASSERT_TRUE(d->factory_reset);
        assert_reported(&e, 0, "50-x.conf:3: Unknown partition type Type=");
}

TEST(bad_factory_reset_value_is_ignored_and_reported) {
        Errors e = {};
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse(
                "[Partition]\nType=var\nFactoryReset=yes\nFactoryReset=maybe\n", -EINVAL, 1, &e);

        /* Ignored, as systemd-repart ignores it: the earlier yes stands. */
        ASSERT_TRUE(d);
        ASSERT_TRUE(d->factory_reset);
        assert_reported(&e, 0, "50-x.conf:4: Invalid boolean FactoryReset=maybe");

        Errors e2 = {};
        _cleanup_(repart_definition_freep) RepartDefinition *d2 = parse(
                "[Partition]\nType=var\nFactoryReset=\n", -EINVAL, 1, &e2);
        ASSERT_FALSE(d2->factory_reset);
        assert_reported(&e2, 0, "50-x.conf:3: Invalid boolean FactoryReset=");
}

TEST(unknown_section_is_reported_and_skipped) {
        Errors e = {};
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse(
                "[Partition]\nType=var\n[Partiton]\nFactoryReset=yes\n[Partition]\nLabel=v\n", -EINVAL, 1, &e);

        ASSERT_TRUE(d);
        ASSERT_STREQ(d->label, "v");
        ASSERT_FALSE(d->factory_reset); /* set in the misspelt section only */
        assert_reported(&e, 0, "50-x.conf:3: Unknown section [Partiton]");
}

TEST(broken_lines_are_reported) {
        Errors e = {};
        _cleanup_(repart_definition_freep) RepartDefinition *d = parse(
                "[Partition\n[Partition]\nType=var\njust words\n", -EINVAL, 2, &e);

        ASSERT_TRUE(d);
        ASSERT_EQ(d->line, 2);
        assert_reported(&e, 0, "50-x.conf:1: Invalid section header");
        assert_reported(&e, 1, "50-x.conf:4: Line is not a KEY=VALUE assignment");
}

TEST(nul_byte_and_overlong_lines) {
        static const char text[] = "[Partition]\nType=var\nFactory\0Reset=yes\n";
        RepartDefinition *d = NULL;
        Errors e = {};

        ASSERT_EQ(repart_parse_text("f", text, sizeof text - 1, errors_collect, &e, &d), -EINVAL);
        ASSERT_TRUE(d);
        ASSERT_FALSE(d->factory_reset);
        ASSERT_EQ(e.n, 1);
        assert_reported(&e, 0, "f:3: Line contains a NUL byte");
        repart_definition_free(d);

        size_t n = 40 * 1024;
        char *big = malloc(n + 64);
        ASSERT_TRUE(big);
        int k = snprintf(big, 64, "[Partition]\nType=var\nLabel=");
        memset(big + k, 'x', n);
        strcpy(big + k + n, "\nFactoryReset=yes\n");
        Errors e2 = {};
        ASSERT_EQ(repart_parse_text("f", big, strlen(big), errors_collect, &e2, &d), -EINVAL);
        ASSERT_TRUE(d);
        ASSERT_TRUE(!d->label);
        ASSERT_TRUE(d->factory_reset); /* the line after still counts */
        assert_reported(&e2, 0, "f:3: Line is longer than");
        repart_definition_free(d);
        free(big);
}

TEST(no_error_callback_is_fine) {
        RepartDefinition *d = NULL;
        const char *text = "[Other]\n";

        ASSERT_EQ(repart_parse_text(NULL, text, strlen(text), NULL, NULL, &d), -EINVAL);
        ASSERT_TRUE(!d);
        ASSERT_EQ(repart_parse_text("f", NULL, 0, NULL, NULL, &d), -EINVAL); /* empty: no [Partition] */
        ASSERT_EQ(repart_parse_text("f", "x", 1, NULL, NULL, NULL), -EINVAL);
}

TEST_MAIN
