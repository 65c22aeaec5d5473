/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The verbs of hotkeyctl, one file each, and the options they share.  A verb
 * returns a CtlExitStatus; it has logged why when that is not success. */

#include <stdbool.h>

#include "ctl-exit-status.h"

extern bool arg_json;
extern bool arg_ask_password;
extern const char *arg_config_path;

int verb_status(void);
int verb_devices(void);
int verb_monitor(void);
int verb_request(void);
int verb_cancel(void);
int verb_verify_config(void);
