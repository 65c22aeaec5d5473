/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a factory reset will erase, for the ErasedPartitions, ClearsTpm,
 * ResetPlugins and EraseProblems properties: the FactoryReset=yes
 * partitions of the repart.d definitions (repart-files.c) with the block
 * device each one is now (block-partition.c), whether factory-reset.target
 * will ask the firmware to clear the TPM (tpm-clear-check.c + the TPM's
 * presence), and the services factory-reset-now.target runs during the
 * reset (reset-plugins.c).  When none of these exists, a reset would only
 * reboot: erase_verdict() says so, and Supported is false. */

#include <stdbool.h>
#include <stdint.h>

#include "reset-plugins.h"
#include "support.h"
#include "tpm-clear-check.h"

typedef struct Manager Manager;

typedef struct ErasedPartition {
        char *file;        /* the definition */
        char *type;        /* Type= as written */
        char *label;       /* Label=, NULL when not set */
        char *device;      /* NULL: no such partition now */
        uint64_t size;     /* bytes; 0 without a device */
        char *mount_point; /* NULL: not mounted */
} ErasedPartition;

typedef struct EraseState {
        ErasedPartition *partitions;
        size_t n_partitions;
        char **problems; /* "FILE:LINE: sentence" */
        size_t n_problems;
        bool tpm_clear_wanted; /* the target pulls in an installed systemd-tpm2-clear.service */
        TpmClearCheck *tpm_clear_check;
        ResetPlugin *plugins;
        size_t n_plugins;
        ResetPluginsCheck *plugins_check;
        bool read; /* the definitions were read since the bus connection was made */
} EraseState;

/* Reads the definitions and block devices again, now, and asks systemd
 * about the TPM clear (answered later); announces the changes on the bus.
 * Problems are logged and end up in EraseProblems; none is fatal. */
void erase_refresh(Manager *m);
/* Only whether the TPM is cleared: when what is known about the TPM changed. */
void erase_refresh_tpm(Manager *m);

/* ClearsTpm: the target would clear it and there is a TPM to clear. */
bool erase_clears_tpm(const Manager *m);

/* Something to erase as soon as one part says so; unknown while a part
 * that could still say so has not answered (the definitions, the TPM, the
 * TPM clear, the plug-ins). */
EraseVerdict erase_verdict(const Manager *m);

/* The bus went away: the answers from systemd in flight are dropped, and
 * nothing is known until the definitions are read again. */
void erase_forget_bus(EraseState *s);

void erase_state_done(EraseState *s);
