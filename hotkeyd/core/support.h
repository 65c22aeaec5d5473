/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether a factory reset can be requested now, from what systemd answered.
 * Pure: the edge (daemon/support-check.c) collects the answers, this file
 * decides and words the reason. */

#include <stdbool.h>
#include <systemd/sd-json.h>

/* io.systemd.FactoryReset.GetFactoryResetMode's answer. */
typedef enum FactoryResetMode {
        FACTORY_RESET_MODE_UNSUPPORTED,
        FACTORY_RESET_MODE_UNSPECIFIED,
        FACTORY_RESET_MODE_OFF,
        FACTORY_RESET_MODE_ON,       /* this boot is the reset: it is executing */
        FACTORY_RESET_MODE_COMPLETE,
        FACTORY_RESET_MODE_PENDING,  /* requested, runs on the next boot */
        _FACTORY_RESET_MODE_MAX,
        _FACTORY_RESET_MODE_INVALID = -22, /* -EINVAL */
} FactoryResetMode;

const char *factory_reset_mode_to_string(FactoryResetMode m);
FactoryResetMode factory_reset_mode_from_string(const char *s);

typedef enum SupportVerdict {
        SUPPORT_YES,
        SUPPORT_NO_SERVICE,       /* no io.systemd.FactoryReset: systemd too old */
        SUPPORT_SERVICE_FAILED,   /* it exists but did not answer properly */
        SUPPORT_NOT_EFI,          /* CanRequestFactoryReset said no */
        SUPPORT_PENDING,          /* already requested */
        SUPPORT_IN_PROGRESS,      /* this boot is executing a reset */
        SUPPORT_TARGET_MISSING,   /* factory-reset.target does not load */
        SUPPORT_MANAGER_FAILED,   /* systemd's manager did not answer */
        SUPPORT_ERASE_UNKNOWN,    /* what a reset erases is not known yet */
        SUPPORT_NOTHING_TO_ERASE, /* a reset would only reboot */
        _SUPPORT_VERDICT_MAX,
} SupportVerdict;

/* Whether a reset would change anything: a partition marked FactoryReset=yes,
 * a TPM clear or a reset plug-in (daemon/erase.c finds them). */
typedef enum EraseVerdict {
        ERASE_UNKNOWN,   /* still being found out, and nothing found so far */
        ERASE_NOTHING,
        ERASE_SOMETHING,
} EraseVerdict;

/* The raw answers.  Negative errno where a call failed. */
typedef struct SupportAnswers {
        int varlink_error;        /* connecting or calling io.systemd.FactoryReset */
        bool can_request;         /* CanRequestFactoryReset().supported */
        FactoryResetMode mode;    /* GetFactoryResetMode().mode */
        int manager_error;        /* LoadUnit/LoadState on org.freedesktop.systemd1 */
        const char *target_load_state; /* "loaded", "not-found", "masked", ... */
} SupportAnswers;

/* Nothing known yet: no error, no "supported", mode invalid. */
void support_answers_init(SupportAnswers *a);

/* Records a failure of either Varlink call; the first one is kept. */
void support_answers_varlink_failed(SupportAnswers *a, int error);

/* io.systemd.FactoryReset's replies, as sd-varlink hands them to a reply
 * callback (parameters may be NULL; error_id is set for an error reply or a
 * local error such as a disconnect).  These are the only interpretation of
 * what the service said.  Returns 0 when the reply was a well-formed answer,
 * or the negative errno now recorded as varlink_error (-EBADMSG for a reply
 * that is not the documented answer):
 *   CanRequestFactoryReset: {"supported": BOOL}; "supported" missing, not a
 *     boolean or given twice is malformed.
 *   GetFactoryResetMode: {"mode": STRING}; a missing, repeated or unknown
 *     mode is recorded as _FACTORY_RESET_MODE_INVALID (and returns 0): the
 *     verdict then says the service did not answer properly, or that the
 *     machine cannot request a reset, whichever comes first. */
int support_answers_add_can_request(SupportAnswers *a, sd_json_variant *parameters, const char *error_id);
int support_answers_add_mode(SupportAnswers *a, sd_json_variant *parameters, const char *error_id);

/* A Varlink error id as a negative errno (disconnect, timeout, no such
 * method; anything else -EBADMSG). */
int support_varlink_error_to_errno(const char *error_id);

/* The verdict; the first reason that applies wins, in the order of the
 * enum (a missing service explains everything after it). */
SupportVerdict support_evaluate(const SupportAnswers *a);

/* systemd's verdict, then what a reset erases: a reset that would erase
 * nothing is no reset, and one whose effect is not known yet is not offered
 * either.  systemd's reasons come first (they hold whatever is erased). */
SupportVerdict support_verdict_with_erase(SupportVerdict v, EraseVerdict e);

/* A sentence for people, without a trailing newline, for the verdict; NULL
 * for SUPPORT_YES. */
const char *support_verdict_reason_to_string(SupportVerdict v);
