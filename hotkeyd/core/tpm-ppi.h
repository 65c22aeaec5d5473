/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads the kernel's /sys/class/tpm/tpmN/ppi/tcg_operations text: one line
 * "OPERATION STATUS: description" per TPM Physical Presence Interface
 * operation the firmware knows.  Pure: the caller reads the file. */

#include <stdbool.h>
#include <stddef.h>

/* Whether the firmware would carry out a TPM clear (PPI operation 5) that
 * the OS asks for: status 3 (needs a person to confirm at boot) or 4 (does
 * not).  0, 1 and 2 (not implemented, BIOS only, blocked) mean no. */
bool tpm_ppi_clear_offered(const char *text, size_t size);
