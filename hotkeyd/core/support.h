/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether a factory reset can be requested now, from what systemd answered.
 * Pure: the edge (daemon/support-check.c) collects the answers, this file
 * decides and words the reason. */

#include <stdbool.h>

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
        _SUPPORT_VERDICT_MAX,
} SupportVerdict;

/* The raw answers.  Negative errno where a call failed. */
typedef struct SupportAnswers {
        int varlink_error;        /* connecting or calling io.systemd.FactoryReset */
        bool can_request;         /* CanRequestFactoryReset().supported */
        FactoryResetMode mode;    /* GetFactoryResetMode().mode */
        int manager_error;        /* LoadUnit/LoadState on org.freedesktop.systemd1 */
        const char *target_load_state; /* "loaded", "not-found", "masked", ... */
} SupportAnswers;

/* The verdict; the first reason that applies wins, in the order of the
 * enum (a missing service explains everything after it). */
SupportVerdict support_evaluate(const SupportAnswers *a);

/* A sentence for people, without a trailing newline, for the verdict; NULL
 * for SUPPORT_YES. */
const char *support_verdict_reason_to_string(SupportVerdict v);
