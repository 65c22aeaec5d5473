/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config-load.h"
#include "hotkeyctl.h"
#include "log.h"

/* The daemon's own loader, so that "valid" here means the daemon starts
 * with it.  Problems are logged as FILE:LINE: MESSAGE. */
int verb_verify_config(void) {
        _cleanup_(config_freep) Config *c = NULL;
        int r;

        r = config_load(NULL, arg_config_path, config_log_error, NULL, &c);
        if (r == -ENOMEM) {
                log_oom();
                return CTL_EXIT_FAILURE;
        }
        return r < 0 ? CTL_EXIT_USAGE : CTL_EXIT_SUCCESS;
}
