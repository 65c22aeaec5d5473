/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the TPM says about itself, for the person about to confirm a reset
 * (factory-reset.target may ask the firmware to clear it).  No TPM is a
 * normal answer (present = false), not an error. */

#include <stdbool.h>
#include <stdint.h>

typedef struct TpmInfo {
        bool present;
        char manufacturer[5];      /* TPM2_PT_MANUFACTURER as ASCII, e.g. "IBM", "MSFT" */
        uint32_t firmware_version; /* TPM2_PT_FIRMWARE_VERSION_1: major << 16 | minor */
        bool disable_clear;        /* TPM2_Clear is disabled (TPMA_PERMANENT.disableClear) */
        bool in_lockout;           /* dictionary-attack lockout (TPMA_PERMANENT.inLockout) */
        bool ppi_clear;            /* the firmware offers a TPM clear through PPI */
        char error[128];           /* why a present TPM could not be read; "" otherwise */
} TpmInfo;

/* tcti: a TCTI configuration string ("swtpm:port=2321", "device:/dev/tpmrm0");
 * NULL to use the kernel's resource manager when it exists.  ppi_dir: the
 * sysfs ppi directory, NULL for /sys/class/tpm/tpm0/ppi. */
void tpm_read_info(const char *tcti, const char *ppi_dir, TpmInfo *ret);

/* "MAJOR.MINOR" into buf; "" when the TPM was not read. */
#define TPM_FIRMWARE_VERSION_MAX 16
const char *tpm_firmware_version(const TpmInfo *info, char buf[static TPM_FIRMWARE_VERSION_MAX]);
