/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* hotkeyctl's exit statuses: the one table of them.  hotkeyctl(1) documents
 * the same numbers, and scripts (and the GUI, when it runs hotkeyctl) rely on
 * them, so existing values never change meaning. */

typedef enum CtlExitStatus {
        CTL_EXIT_SUCCESS = 0,
        CTL_EXIT_FAILURE = 1,       /* anything not listed below */
        CTL_EXIT_USAGE = 2,         /* bad command line, or verify-config found errors */
        CTL_EXIT_NOT_SUPPORTED = 3, /* a factory reset cannot be requested on this machine now */
        CTL_EXIT_ACCESS_DENIED = 4, /* polkit refused, or authentication was needed but not possible */
        CTL_EXIT_NOT_PENDING = 5,   /* cancel: no factory reset is pending */
        CTL_EXIT_UNREACHABLE = 6,   /* no system bus, hotkeyd not running or not answering */
        _CTL_EXIT_MAX,
} CtlExitStatus;

/* A short description for --help; NULL when out of range. */
const char *ctl_exit_status_to_string(CtlExitStatus s);
