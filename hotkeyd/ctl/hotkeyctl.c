/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "build-config.h"
#include "bus-errors.h"
#include "hotkeyctl.h"
#include "log.h"

bool arg_json;
bool arg_ask_password = true;
const char *arg_config_path;

/* Which options a verb takes; the others are usage errors there. */
typedef enum VerbFlags {
        VERB_JSON = 1 << 0,
        VERB_CONFIG = 1 << 1,
} VerbFlags;

static const struct {
        const char *name;
        int (*run)(void);
        VerbFlags flags;
} verbs[] = {
        { "status", verb_status, VERB_JSON },
        { "devices", verb_devices, VERB_JSON },
        { "monitor", verb_monitor, 0 },
        { "request", verb_request, 0 },
        { "cancel", verb_cancel, 0 },
        { "verify-config", verb_verify_config, VERB_CONFIG },
};

static void help(void) {
        printf("%s [OPTIONS...] [COMMAND]\n\n"
               "Query and control hotkeyd, the factory-reset key daemon.\n\n"
               "Commands:\n"
               "  status                Show whether a reset is supported, the mode, triggers\n"
               "                        and TPM (the default command)\n"
               "  devices               List the input devices hotkeyd watches\n"
               "  monitor               Print gestures and property changes as they happen\n"
               "  request               Request a factory reset (on the next boot)\n"
               "  cancel                Cancel a pending factory reset\n"
               "  verify-config         Check the configuration as hotkeyd would load it\n\n"
               "Options:\n"
               "  -h --help             Show this help\n"
               "     --version          Show package version\n"
               "     --json             Print status or devices as JSON\n"
               "     --no-ask-password  Do not ask for a password to authenticate\n"
               "     --config=PATH      verify-config: check only this file\n\n"
               "Exit status:\n",
               program_invocation_short_name);
        for (CtlExitStatus s = 0; s < _CTL_EXIT_MAX; s++)
                printf("  %i  %s\n", s, ctl_exit_status_to_string(s));
        printf("\nSee the hotkeyctl(1) man page for details.\n");
}

/* Returns 1 to go on, or a CtlExitStatus to exit with. */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
                ARG_NO_ASK_PASSWORD,
                ARG_CONFIG,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", no_argument, NULL, ARG_JSON },
                { "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
                { "config", required_argument, NULL, ARG_CONFIG },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CTL_EXIT_SUCCESS;
                case ARG_VERSION:
                        printf("hotkeyctl %s\n", PACKAGE_VERSION);
                        return CTL_EXIT_SUCCESS;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        arg_ask_password = false;
                        break;
                case ARG_CONFIG:
                        if (!*optarg) {
                                log_error("--config= needs a path.");
                                return CTL_EXIT_USAGE;
                        }
                        arg_config_path = optarg;
                        break;
                case '?':
                        return CTL_EXIT_USAGE;
                default:
                        log_error("Unhandled option %c.", c);
                        return CTL_EXIT_FAILURE;
                }

        return 1;
}

int main(int argc, char *argv[]) {
        const char *name;
        int r;

        r = parse_argv(argc, argv);
        if (r != 1)
                return r;

        /* So that sd_bus_call() returns the errno each of hotkeyd's errors stands for. */
        r = bus_errors_register();
        if (r < 0)
                log_debug_errno(r, "Failed to register hotkeyd's D-Bus errors, ignoring: %m");

        name = optind < argc ? argv[optind] : "status";
        if (optind + 1 < argc) {
                log_error("'%s' takes no arguments.", name);
                return CTL_EXIT_USAGE;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, name))
                        continue;
                if (arg_json && !(verbs[i].flags & VERB_JSON)) {
                        log_error("'%s' has no JSON output.", name);
                        return CTL_EXIT_USAGE;
                }
                if (arg_config_path && !(verbs[i].flags & VERB_CONFIG)) {
                        log_error("--config= applies to verify-config only.");
                        return CTL_EXIT_USAGE;
                }
                return verbs[i].run();
        }

        log_error("Unknown command '%s'; see %s --help.", name, program_invocation_short_name);
        return CTL_EXIT_USAGE;
}
