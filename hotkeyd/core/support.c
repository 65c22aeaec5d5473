/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

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
