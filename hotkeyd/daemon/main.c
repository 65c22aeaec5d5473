/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "build-config.h"
#include "config-load.h"
#include "log.h"
#include "manager.h"
#include "reset-check.h"
#include "startup-timing.h"

static const char *arg_config_path;
static bool arg_dry_run;
static bool arg_verify_config;
static bool arg_timing;
static enum {
        ACTION_RUN,
        ACTION_RECORD_RESET,
        ACTION_CHECK_RESET,
} arg_action = ACTION_RUN;

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Recognise the factory-reset key gestures configured in hotkeyd.conf(5).\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show package version\n"
               "     --config=PATH       Use only this configuration file instead of\n"
               "                         /etc/hotkeyd/hotkeyd.conf and its drop-ins\n"
               "     --verify-config     Check the configuration and exit (non-zero on errors)\n"
               "     --dry-run           Print gesture events on stdout; never contact\n"
               "                         systemd or the system bus\n"
               "     --log-level=LEVEL   debug, info, notice, warning or err\n"
               "     --timing            After start-up, print where its time went on stderr\n"
               "     --record-reset      Record the partitions a factory reset erases, with\n"
               "                         their UUIDs, in an EFI variable, and exit\n"
               "     --check-reset       At the boot after a recorded request: whether the\n"
               "                         reset erased them; log and save the outcome, and exit\n"
               "\nSee the hotkeyd(8) man page for details.\n",
               program_invocation_short_name);
}

static int parse_log_level(const char *s) {
        static const char *const levels[] = {
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };

        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (levels[i] && streq(levels[i], s))
                        return (int) i;
        return -EINVAL;
}

/* Returns 1 to go on, 0 to exit successfully, negative errno on errors. */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_CONFIG,
                ARG_VERIFY_CONFIG,
                ARG_DRY_RUN,
                ARG_LOG_LEVEL,
                ARG_TIMING,
                ARG_RECORD_RESET,
                ARG_CHECK_RESET,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "verify-config", no_argument, NULL, ARG_VERIFY_CONFIG },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "timing", no_argument, NULL, ARG_TIMING },
                { "record-reset", no_argument, NULL, ARG_RECORD_RESET },
                { "check-reset", no_argument, NULL, ARG_CHECK_RESET },
                {}
        };
        int c, level;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("hotkeyd %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_CONFIG:
                        if (!*optarg)
                                return log_error_errno(-EINVAL, "--config= needs a path.");
                        arg_config_path = optarg;
                        break;
                case ARG_VERIFY_CONFIG:
                        arg_verify_config = true;
                        break;
                case ARG_DRY_RUN:
                        arg_dry_run = true;
                        break;
                case ARG_LOG_LEVEL:
                        level = parse_log_level(optarg);
                        if (level < 0)
                                return log_error_errno(level, "Unknown log level '%s'.", optarg);
                        log_set_max_level(level);
                        break;
                case ARG_TIMING:
                        arg_timing = true;
                        break;
                case ARG_RECORD_RESET:
                        arg_action = ACTION_RECORD_RESET;
                        break;
                case ARG_CHECK_RESET:
                        arg_action = ACTION_CHECK_RESET;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return log_error_errno(-EINVAL, "Unhandled option %c.", c);
                }

        if (optind < argc)
                return log_error_errno(-EINVAL, "%s takes no arguments.", program_invocation_short_name);
        return 1;
}

static int verify_config(void) {
        Config *c = NULL;
        int r;

        r = config_load(NULL, arg_config_path, config_log_error, NULL, &c);
        config_free(c);
        return r;
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        startup_timing_begin();
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        startup_timing_mark("arguments");

        if (arg_verify_config)
                return verify_config() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        /* Each the whole ExecStart= of its oneshot unit: no configuration,
         * no bus. */
        if (arg_action == ACTION_RECORD_RESET)
                return reset_record_request() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (arg_action == ACTION_CHECK_RESET)
                return reset_check_boot() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        /* These two say what went wrong themselves. */
        r = manager_new(arg_config_path, arg_dry_run, &m);
        if (r < 0)
                return EXIT_FAILURE;
        startup_timing_mark("configuration");

        m->print_timing = arg_timing;
        r = manager_start(m);
        if (r < 0)
                return EXIT_FAILURE;
        /* READY=1: manager_start_finish(), once the bus name is ours (from
         * the loop) or at once in a dry run; the --timing report once the
         * input devices are open, right after it. */

        r = manager_run(m);
        if (r < 0) {
                if (!m->exit_logged)
                        log_error_errno(r, "Failed to run the event loop: %m");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
