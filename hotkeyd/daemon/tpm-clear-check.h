/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks org.freedesktop.systemd1 whether factory-reset.target pulls in
 * systemd-tpm2-clear.service (the target's Wants= or Requires=, which
 * include its .wants/ directories) and whether that service is installed
 * (LoadState "loaded").  Asynchronous, like support-check.c. */

#include <systemd/sd-bus.h>

#include "macro.h"

#define TPM2_CLEAR_SERVICE "systemd-tpm2-clear.service"

/* wanted: true when both hold; false also when systemd could not be asked
 * (logged).  Called once, unless the check is freed first. */
typedef void (*tpm_clear_check_fn)(bool wanted, void *userdata);

typedef struct TpmClearCheck TpmClearCheck;

int tpm_clear_check_start(sd_bus *bus, tpm_clear_check_fn fn, void *userdata, TpmClearCheck **ret);
TpmClearCheck *tpm_clear_check_free(TpmClearCheck *c);
DEFINE_POINTER_CLEANUP(TpmClearCheck, tpm_clear_check_free);
