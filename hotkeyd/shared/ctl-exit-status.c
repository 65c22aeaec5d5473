/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-exit-status.h"
#include "macro.h"

static const char *const ctl_exit_status_table[_CTL_EXIT_MAX] = {
        [CTL_EXIT_SUCCESS] = "success",
        [CTL_EXIT_FAILURE] = "failure",
        [CTL_EXIT_USAGE] = "usage error, or invalid configuration (verify-config)",
        [CTL_EXIT_NOT_SUPPORTED] = "a factory reset is not supported here now",
        [CTL_EXIT_ACCESS_DENIED] = "access denied, or authentication needed",
        [CTL_EXIT_NOT_PENDING] = "no factory reset is pending (cancel)",
        [CTL_EXIT_UNREACHABLE] = "hotkeyd or the system bus cannot be reached",
};

DEFINE_STRING_TABLE_TO_STRING(ctl_exit_status, CtlExitStatus);
