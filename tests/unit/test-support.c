/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-varlink.h>

#include "macro.h"
#include "support.h"
#include "tests.h"

/* The answers after both replies, given as the JSON of their parameters
 * (NULL: no parameters) or an error id. */
static SupportAnswers answers(const char *can_request_json, const char *can_request_error, const char *mode_json,
                              const char *mode_error) {
        sd_json_variant *p = NULL, *q = NULL;
        SupportAnswers a;

        support_answers_init(&a);
        if (can_request_json)
                ASSERT_EQ(sd_json_parse(can_request_json, 0, &p, NULL, NULL), 0);
        if (mode_json)
                ASSERT_EQ(sd_json_parse(mode_json, 0, &q, NULL, NULL), 0);
        (void) support_answers_add_can_request(&a, p, can_request_error);
        (void) support_answers_add_mode(&a, q, mode_error);
        a.target_load_state = "loaded";
        sd_json_variant_unref(p);
        sd_json_variant_unref(q);
        return a;
}

static SupportVerdict verdict(const char *can_request_json, const char *mode_json) {
        SupportAnswers a = answers(can_request_json, NULL, mode_json, NULL);
        return support_evaluate(&a);
}

TEST(supported_with_every_mode_that_allows_it) {
        ASSERT_EQ(verdict("{\"supported\":true}", "{\"mode\":\"unspecified\"}"), SUPPORT_YES);
        ASSERT_EQ(verdict("{\"supported\":true}", "{\"mode\":\"off\"}"), SUPPORT_YES);
        ASSERT_EQ(verdict("{\"supported\":true}", "{\"mode\":\"complete\"}"), SUPPORT_YES);
        /* Fields systemd may add later do not matter. */
        ASSERT_EQ(verdict("{\"supported\":true,\"other\":[1]}", "{\"mode\":\"off\",\"x\":null}"), SUPPORT_YES);
}

TEST(unsupported_pending_in_progress) {
        ASSERT_EQ(verdict("{\"supported\":false}", "{\"mode\":\"unspecified\"}"), SUPPORT_NOT_EFI);
        ASSERT_EQ(verdict("{\"supported\":true}", "{\"mode\":\"unsupported\"}"), SUPPORT_NOT_EFI);
        ASSERT_EQ(verdict("{\"supported\":true}", "{\"mode\":\"pending\"}"), SUPPORT_PENDING);
        ASSERT_EQ(verdict("{\"supported\":true}", "{\"mode\":\"on\"}"), SUPPORT_IN_PROGRESS);
}

TEST(malformed_can_request_reply_is_a_failed_service) {
        static const char *const bad[] = {
                "{}", "{\"supported\":1}", "{\"supported\":\"true\"}", "{\"supported\":null}", "[true]", "true",
                "{\"Supported\":true}",
                /* Twice: which one counts must not depend on sd-json's lookup. */
                "{\"supported\":true,\"supported\":false}", "{\"supported\":false,\"supported\":true}",
                "{\"supported\":true,\"supported\":true}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                SupportAnswers a = answers(bad[i], NULL, "{\"mode\":\"off\"}", NULL);
                if (a.varlink_error != -EBADMSG)
                        FAIL("%s: varlink_error %d", bad[i], a.varlink_error);
                ASSERT_EQ(support_evaluate(&a), SUPPORT_SERVICE_FAILED);
        }
        /* No parameters at all. */
        ASSERT_EQ(verdict(NULL, "{\"mode\":\"off\"}"), SUPPORT_SERVICE_FAILED);
}

TEST(malformed_mode_reply_is_never_supported) {
        static const char *const bad[] = {
                "{}", "{\"mode\":1}", "{\"mode\":\"OFF\"}", "{\"mode\":\"sideways\"}", "{\"mode\":null}",
                "{\"mode\":\"off\",\"mode\":\"pending\"}", "[\"off\"]", "\"off\"",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                SupportAnswers a = answers("{\"supported\":true}", NULL, bad[i], NULL);
                ASSERT_EQ(a.varlink_error, 0);
                ASSERT_EQ(a.mode, _FACTORY_RESET_MODE_INVALID);
                ASSERT_EQ(support_evaluate(&a), SUPPORT_SERVICE_FAILED);
        }
        ASSERT_EQ(verdict("{\"supported\":true}", NULL), SUPPORT_SERVICE_FAILED);
        /* "Cannot request" explains it first. */
        ASSERT_EQ(verdict("{\"supported\":false}", "{}"), SUPPORT_NOT_EFI);
}

TEST(error_replies) {
        SupportAnswers a;

        a = answers(NULL, SD_VARLINK_ERROR_DISCONNECTED, "{\"mode\":\"off\"}", NULL);
        ASSERT_EQ(a.varlink_error, -ECONNRESET);
        ASSERT_EQ(support_evaluate(&a), SUPPORT_SERVICE_FAILED);

        /* The first error is kept; an error reply's parameters are ignored. */
        a = answers("{\"supported\":true}", SD_VARLINK_ERROR_TIMEOUT, "{\"mode\":\"off\"}",
                    SD_VARLINK_ERROR_METHOD_NOT_FOUND);
        ASSERT_EQ(a.varlink_error, -ETIMEDOUT);
        ASSERT_FALSE(a.can_request);

        a = answers("{\"supported\":true}", NULL, NULL, SD_VARLINK_ERROR_INTERFACE_NOT_FOUND);
        ASSERT_EQ(a.varlink_error, -EOPNOTSUPP);
        ASSERT_EQ(support_evaluate(&a), SUPPORT_SERVICE_FAILED);

        a = answers("{\"supported\":true}", NULL, "{\"mode\":\"off\"}", "io.systemd.FactoryReset.NoSuchThing");
        ASSERT_EQ(a.varlink_error, -EBADMSG);
        ASSERT_EQ(support_evaluate(&a), SUPPORT_SERVICE_FAILED);
}

TEST(missing_service_and_target) {
        SupportAnswers a;

        support_answers_init(&a);
        support_answers_varlink_failed(&a, -ENOENT);
        support_answers_varlink_failed(&a, -ECONNREFUSED);
        ASSERT_EQ(a.varlink_error, -ENOENT);
        ASSERT_EQ(support_evaluate(&a), SUPPORT_NO_SERVICE);

        a = answers("{\"supported\":true}", NULL, "{\"mode\":\"off\"}", NULL);
        a.target_load_state = "not-found";
        ASSERT_EQ(support_evaluate(&a), SUPPORT_TARGET_MISSING);
        a.target_load_state = NULL;
        ASSERT_EQ(support_evaluate(&a), SUPPORT_TARGET_MISSING);
        a.manager_error = -EIO;
        ASSERT_EQ(support_evaluate(&a), SUPPORT_MANAGER_FAILED);
}

TEST(nothing_to_erase_is_no_reset) {
        ASSERT_EQ(support_verdict_with_erase(SUPPORT_YES, ERASE_SOMETHING), SUPPORT_YES);
        ASSERT_EQ(support_verdict_with_erase(SUPPORT_YES, ERASE_NOTHING), SUPPORT_NOTHING_TO_ERASE);
        ASSERT_EQ(support_verdict_with_erase(SUPPORT_YES, ERASE_UNKNOWN), SUPPORT_ERASE_UNKNOWN);
        /* systemd's reasons hold whatever a reset would erase: a pending
         * reset stays pending (Request() answers already-pending). */
        for (EraseVerdict e = ERASE_UNKNOWN; e <= ERASE_SOMETHING; e++) {
                ASSERT_EQ(support_verdict_with_erase(SUPPORT_PENDING, e), SUPPORT_PENDING);
                ASSERT_EQ(support_verdict_with_erase(SUPPORT_NOT_EFI, e), SUPPORT_NOT_EFI);
                ASSERT_EQ(support_verdict_with_erase(SUPPORT_MANAGER_FAILED, e), SUPPORT_MANAGER_FAILED);
        }
}

TEST(every_verdict_but_yes_has_a_reason) {
        ASSERT_TRUE(!support_verdict_reason_to_string(SUPPORT_YES));
        for (SupportVerdict v = SUPPORT_YES + 1; v < _SUPPORT_VERDICT_MAX; v++)
                ASSERT_TRUE(support_verdict_reason_to_string(v));
}

TEST_MAIN
