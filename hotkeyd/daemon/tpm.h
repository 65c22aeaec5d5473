/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the TPM says about itself, for the person about to confirm a reset
 * (factory-reset.target may ask the firmware to clear it).  No TPM is a
 * normal answer (present = false), not an error. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct TpmInfo {
        bool present;
        char manufacturer[5];      /* TPM2_PT_MANUFACTURER as ASCII, e.g. "IBM", "MSFT" */
        uint32_t firmware_version; /* TPM2_PT_FIRMWARE_VERSION_1: major << 16 | minor */
        bool disable_clear;        /* TPM2_Clear is disabled (TPMA_PERMANENT.disableClear) */
        bool in_lockout;           /* dictionary-attack lockout (TPMA_PERMANENT.inLockout) */
        bool ppi_clear;            /* the firmware offers a TPM clear through PPI */
        char error[128];           /* why a present TPM could not be read; "" otherwise */
} TpmInfo;

/* Reads the TPM (tcti: a TCTI configuration string such as
 * "swtpm:port=2321"; NULL for the kernel's resource manager when it
 * exists) with tpm2-tss, dlopen()ed, in a child process: the daemon
 * never maps tpm2-tss and libcrypto (about 2 MiB of its RSS when linked)
 * and is ready before the TPM has answered.  fn is called once, from the
 * event loop, unless the reader is freed first.  Needs SIGCHLD blocked. */
typedef void (*tpm_info_fn)(const TpmInfo *info, void *userdata);
typedef struct TpmReader TpmReader;
int tpm_reader_start(sd_event *event, const char *tcti, tpm_info_fn fn, void *userdata, TpmReader **ret);
TpmReader *tpm_reader_free(TpmReader *r);
DEFINE_POINTER_CLEANUP(TpmReader, tpm_reader_free);

/* Calls fn, from the event loop, whenever udev adds or removes a TPM
 * resource manager (subsystem tpmrm): the TPM to read has changed, e.g. its
 * driver was loaded after hotkeyd started.  action is "add" or "remove". */
typedef void (*tpm_change_fn)(const char *action, const char *sysname, void *userdata);
typedef struct TpmMonitor TpmMonitor;
int tpm_monitor_new(sd_event *event, tpm_change_fn fn, void *userdata, TpmMonitor **ret);
TpmMonitor *tpm_monitor_free(TpmMonitor *m);
DEFINE_POINTER_CLEANUP(TpmMonitor, tpm_monitor_free);

/* One line for the journal: what the TPM said, or why it could not. */
void tpm_log_info(const TpmInfo *info);

/* "MAJOR.MINOR" into buf; "" when the TPM was not read. */
#define TPM_FIRMWARE_VERSION_MAX 16
const char *tpm_firmware_version(const TpmInfo *info, char buf[static TPM_FIRMWARE_VERSION_MAX]);
