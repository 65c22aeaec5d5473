/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks org.freedesktop.systemd1 which services factory-reset-now.target
 * pulls in (its Wants= and Requires=, which include its .wants/ and
 * .requires/ directories): systemd >= 258 runs that target during the
 * reset, on the boot after the request, so whatever an OS plugs in there
 * is part of what a reset does.  systemd's own units are left out: the
 * one that marks the reset complete does nothing to the data, and the
 * partitions and the TPM clear are found by erase.c.  A unit counts when
 * it is installed (LoadState "loaded").  Asynchronous, like
 * tpm-clear-check.c. */

#include <systemd/sd-bus.h>

#include "macro.h"

#define FACTORY_RESET_NOW_TARGET "factory-reset-now.target"

typedef struct ResetPlugin {
        char *unit;
        char *description; /* the unit's Description=, else its name */
} ResetPlugin;

void reset_plugins_free(ResetPlugin *plugins, size_t n);

/* Hands over the plug-ins found (NULL, 0 for none); when systemd could not
 * be asked, the ones found so far (logged).  Called once, unless the check
 * is freed first. */
typedef void (*reset_plugins_check_fn)(ResetPlugin *plugins, size_t n, void *userdata);

typedef struct ResetPluginsCheck ResetPluginsCheck;

int reset_plugins_check_start(sd_bus *bus, reset_plugins_check_fn fn, void *userdata, ResetPluginsCheck **ret);
ResetPluginsCheck *reset_plugins_check_free(ResetPluginsCheck *c);
DEFINE_POINTER_CLEANUP(ResetPluginsCheck, reset_plugins_check_free);
