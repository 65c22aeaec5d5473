/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether a factory reset erased what it said it would (core/reset-record.c
 * compares).  hotkeyd-reset-record.service, pulled in by
 * factory-reset.target, records the partitions the reset erases with their
 * partition and filesystem UUIDs in an EFI variable of hotkeyd's own
 * (reset_record_request()); the variable store survives the reset.  At the
 * next boot hotkeyd-reset-check.service compares and writes the outcome to
 * the state directory's last-reset (reset_check_boot()), which hotkeyd
 * reports as LastReset (reset_last_load()). */

#include "reset-record.h"

#define RESET_RECORD_VENDOR_GUID "730fc7ba-0f3a-4ba8-91cd-4dd416f23440"
#define RESET_RECORD_VARIABLE "HotkeydResetRecord-" RESET_RECORD_VENDOR_GUID
#define EFIVARFS_DIR "/sys/firmware/efi/efivars"
#define RESET_LAST_FILE_NAME "last-reset"
#define RESET_LAST_DEFAULT_DIR "/var/lib/hotkeyd"

/* hotkeyd --record-reset: 0 when recorded (or already recorded in this
 * boot), negative errno (logged) otherwise. */
int reset_record_request(void);
/* hotkeyd --check-reset: 0 when there was nothing to check, the record was
 * made in this boot, or the outcome was written and logged (whatever it
 * says); negative errno (logged) when the check could not be made. */
int reset_check_boot(void);

/* $STATE_DIRECTORY/last-reset, else /var/lib/hotkeyd/last-reset. */
int reset_last_path(char **ret);
/* The outcome last written: 1 and *ret filled, 0 when there is none,
 * negative errno (logged) when it cannot be read or is malformed. */
int reset_last_load(ResetOutcome *ret);
