/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The configuration model and its parser.  Pure: the parser gets file
 * contents as text; finding and reading files is config-load.c's job. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "parse-util.h"
#include "time-util.h"

#define TRIGGER_KEYS_MAX 4
#define TRIGGER_NAME_MAX 64

typedef enum DaemonMode {
        DAEMON_MODE_DESKTOP,
        DAEMON_MODE_KIOSK,
        DAEMON_MODE_OFF,
        _DAEMON_MODE_MAX,
        _DAEMON_MODE_INVALID = -22, /* -EINVAL */
} DaemonMode;

const char *daemon_mode_to_string(DaemonMode m);
DaemonMode daemon_mode_from_string(const char *s);

typedef enum TriggerKind {
        TRIGGER_HOLD,    /* all keys held together for hold_usec */
        TRIGGER_PRESSES, /* presses presses within within_usec */
} TriggerKind;

typedef struct Trigger {
        char *name;
        unsigned keys[TRIGGER_KEYS_MAX]; /* distinct EV_KEY codes */
        size_t n_keys;
        TriggerKind kind;
        usec_t hold_usec;     /* TRIGGER_HOLD */
        usec_t progress_usec; /* TRIGGER_HOLD: interval of hold-progress reports */
        unsigned presses;     /* TRIGGER_PRESSES */
        usec_t within_usec;   /* TRIGGER_PRESSES */
        char *seat;           /* NULL: any seat */
        char *file;           /* where the [Trigger] section starts, for messages */
        unsigned line;
} Trigger;

typedef struct Config {
        DaemonMode mode;
        usec_t armed_timeout_usec;   /* kiosk: window for the confirming second gesture */
        usec_t confirm_timeout_usec; /* desktop: how long the session's dialog waits for an answer */
        Trigger *triggers;
        size_t n_triggers;
} Config;

#define CONFIG_DEFAULT_PROGRESS_USEC (1 * USEC_PER_SEC)
#define CONFIG_DEFAULT_ARMED_TIMEOUT_USEC (30 * USEC_PER_SEC)
#define CONFIG_DEFAULT_CONFIRM_TIMEOUT_USEC (60 * USEC_PER_SEC)

/* Called once per problem found; line 0 means the whole file. */
typedef parse_error_fn config_error_fn;

Config *config_new(void);
Config *config_free(Config *c);
DEFINE_POINTER_CLEANUP(Config, config_free);

/* Parses one file on top of what earlier files set: [Daemon] settings
 * override, a [Trigger] whose Name= an earlier file defined replaces that
 * definition, a Name= repeated within one file is an error.  Every problem is
 * reported through error_fn (file and line); returns 0, or -EINVAL when there
 * was at least one error.  The text need not be NUL-terminated. */
int config_parse_text(Config *c, const char *file, const char *text, size_t size,
                      config_error_fn error_fn, void *userdata);

/* Whether any trigger uses the key. */
bool config_uses_key(const Config *c, unsigned code);

/* Fills codes (sorted, distinct) with every key any trigger uses; returns the
 * count.  codes must hold n_triggers * TRIGGER_KEYS_MAX entries. */
size_t config_trigger_keys(const Config *c, unsigned *codes);

const Trigger *config_find_trigger(const Config *c, const char *name);
