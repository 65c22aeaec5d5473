/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <systemd/sd-varlink.h>

#include "macro.h"
#include "support.h"

static const char *const factory_reset_mode_table[_FACTORY_RESET_MODE_MAX] = {
        [FACTORY_RESET_MODE_UNSUPPORTED] = "unsupported",
        [FACTORY_RESET_MODE_UNSPECIFIED] = "unspecified",
        [FACTORY_RESET_MODE_OFF] = "off",
        [FACTORY_RESET_MODE_ON] = "on",
        [FACTORY_RESET_MODE_COMPLETE] = "complete",
        [FACTORY_RESET_MODE_PENDING] = "pending",
};

DEFINE_STRING_TABLE_LOOKUP(factory_reset_mode, FactoryResetMode);

static const char *const support_verdict_reason_table[_SUPPORT_VERDICT_MAX] = {
        [SUPPORT_NO_SERVICE] = "systemd on this machine is too old: it has no io.systemd.FactoryReset "
                               "service (factory reset needs systemd 258 or newer).",
        [SUPPORT_SERVICE_FAILED] = "systemd's factory-reset service did not answer; see the journal.",
        [SUPPORT_NOT_EFI] = "This machine cannot request a factory reset: it was not booted through UEFI, "
                            "which keeps the request for the next boot.",
        [SUPPORT_PENDING] = "A factory reset is already pending: it runs on the next boot. "
                            "It can be cancelled until then.",
        [SUPPORT_IN_PROGRESS] = "A factory reset is being carried out right now.",
        [SUPPORT_TARGET_MISSING] = "factory-reset.target is not installed on this system.",
        [SUPPORT_MANAGER_FAILED] = "The system manager did not answer; see the journal.",
        [SUPPORT_ERASE_UNKNOWN] = "What a factory reset would erase has not been found out yet.",
        [SUPPORT_NOTHING_TO_ERASE] = "No partition is marked to be erased (FactoryReset=yes) and nothing else is "
                                     "configured to reset; a reset would only reboot.",
};

DEFINE_STRING_TABLE_TO_STRING(support_verdict_reason, SupportVerdict);

/* Errors that mean "nobody listens there": the socket unit does not exist,
 * which is what a systemd older than 258 looks like. */
static bool is_missing_service(int error) {
        return IN_SET(-error, ENOENT, ECONNREFUSED, ENOTDIR);
}

SupportVerdict support_evaluate(const SupportAnswers *a) {
        if (a->varlink_error < 0)
                return is_missing_service(a->varlink_error) ? SUPPORT_NO_SERVICE : SUPPORT_SERVICE_FAILED;
        if (!a->can_request || a->mode == FACTORY_RESET_MODE_UNSUPPORTED)
                return SUPPORT_NOT_EFI;
        if (a->mode == FACTORY_RESET_MODE_PENDING)
                return SUPPORT_PENDING;
        if (a->mode == FACTORY_RESET_MODE_ON)
                return SUPPORT_IN_PROGRESS;
        if (a->mode < 0)
                return SUPPORT_SERVICE_FAILED;
        if (a->manager_error < 0)
                return SUPPORT_MANAGER_FAILED;
        if (!a->target_load_state || !streq(a->target_load_state, "loaded"))
                return SUPPORT_TARGET_MISSING;
        return SUPPORT_YES;
}

SupportVerdict support_verdict_with_erase(SupportVerdict v, EraseVerdict e) {
        if (v != SUPPORT_YES)
                return v;
        switch (e) {
        case ERASE_SOMETHING:
                return SUPPORT_YES;
        case ERASE_NOTHING:
                return SUPPORT_NOTHING_TO_ERASE;
        default:
                return SUPPORT_ERASE_UNKNOWN;
        }
}

void support_answers_init(SupportAnswers *a) {
        *a = (SupportAnswers) {
                .mode = _FACTORY_RESET_MODE_INVALID,
        };
}

void support_answers_varlink_failed(SupportAnswers *a, int error) {
        if (a->varlink_error >= 0)
                a->varlink_error = error < 0 ? error : -EBADMSG;
}

int support_varlink_error_to_errno(const char *error_id) {
        if (!error_id)
                return -EBADMSG;
        if (streq(error_id, SD_VARLINK_ERROR_DISCONNECTED))
                return -ECONNRESET;
        if (streq(error_id, SD_VARLINK_ERROR_TIMEOUT))
                return -ETIMEDOUT;
        if (streq(error_id, SD_VARLINK_ERROR_METHOD_NOT_FOUND) || streq(error_id, SD_VARLINK_ERROR_INTERFACE_NOT_FOUND))
                return -EOPNOTSUPP;
        return -EBADMSG;
}

/* The one member called key of an object; NULL when it is absent, when
 * there is more than one (sd-json keeps duplicates, and which one counts
 * must not depend on a lookup order), or when v is no object. */
static sd_json_variant *object_field(sd_json_variant *v, const char *key) {
        sd_json_variant *found = NULL;
        size_t n;

        if (!v || !sd_json_variant_is_object(v))
                return NULL;
        n = sd_json_variant_elements(v);
        for (size_t i = 0; i + 1 < n; i += 2) {
                const char *k = sd_json_variant_string(sd_json_variant_by_index(v, i));

                if (!k || !streq(k, key))
                        continue;
                if (found)
                        return NULL;
                found = sd_json_variant_by_index(v, i + 1);
        }
        return found;
}

int support_answers_add_can_request(SupportAnswers *a, sd_json_variant *parameters, const char *error_id) {
        sd_json_variant *supported;

        if (error_id) {
                int r = support_varlink_error_to_errno(error_id);
                support_answers_varlink_failed(a, r);
                return r;
        }

        supported = object_field(parameters, "supported");
        if (!supported || !sd_json_variant_is_boolean(supported)) {
                support_answers_varlink_failed(a, -EBADMSG);
                return -EBADMSG;
        }
        a->can_request = sd_json_variant_boolean(supported);
        return 0;
}

int support_answers_add_mode(SupportAnswers *a, sd_json_variant *parameters, const char *error_id) {
        sd_json_variant *mode;

        if (error_id) {
                int r = support_varlink_error_to_errno(error_id);
                support_answers_varlink_failed(a, r);
                return r;
        }

        mode = object_field(parameters, "mode");
        a->mode = mode && sd_json_variant_is_string(mode) ? factory_reset_mode_from_string(sd_json_variant_string(mode))
                                                          : _FACTORY_RESET_MODE_INVALID;
        return 0;
}
