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

#include <systemd/sd-bus.h>

typedef struct EraseState EraseState;

/* Which properties changed, for whoever announces them. */
typedef enum EraseChange {
        ERASE_CHANGED_PARTITIONS = 1 << 0, /* ErasedPartitions and EraseProblems */
        ERASE_CHANGED_PLUGINS = 1 << 1,    /* ResetPlugins */
        ERASE_CHANGED_CLEARS_TPM = 1 << 2, /* ClearsTpm */
} EraseChange;

/* systemd answered (the TPM clear, the plug-ins): changes says which
 * properties changed, and may be 0 when only what was unknown is known
 * now (erase_verdict()). */
typedef void (*erase_changed_fn)(EraseState *s, EraseChange changes, void *userdata);

typedef struct ErasedPartition {
        char *file;        /* the definition */
        char *type;        /* Type= as written */
        char *label;       /* Label=, NULL when not set */
        char *device;      /* NULL: no such partition now */
        uint64_t size;     /* bytes; 0 without a device */
        char *mount_point; /* NULL: not mounted */
        char *part_uuid;   /* NULL: not known */
        char *fs_uuid;     /* NULL: no filesystem */
} ErasedPartition;

struct EraseState {
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
        erase_changed_fn on_changed;
        void *userdata;
};

/* Reads the definitions and block devices again, now, and asks systemd
 * (bus; NULL: not connected) about the plug-ins and, with a TPM, the TPM
 * clear (answered later, on_changed).  Returns what changed now.
 * Problems are logged and end up in EraseProblems; none is fatal. */
EraseChange erase_refresh(EraseState *s, sd_bus *bus, bool tpm_present);
/* Only whether the TPM is cleared: when what is known about the TPM changed. */
void erase_refresh_tpm(EraseState *s, sd_bus *bus, bool tpm_present);

/* ClearsTpm: the target would clear it and there is a TPM to clear. */
bool erase_clears_tpm(const EraseState *s, bool tpm_present);

/* Something to erase as soon as one part says so; unknown while a part
 * that could still say so has not answered (the definitions, the TPM
 * (tpm_reading), the TPM clear, the plug-ins). */
EraseVerdict erase_verdict(const EraseState *s, bool tpm_present, bool tpm_reading);

/* The bus went away: the answers from systemd in flight are dropped, and
 * nothing is known until the definitions are read again. */
void erase_forget_bus(EraseState *s);

void erase_state_done(EraseState *s);
