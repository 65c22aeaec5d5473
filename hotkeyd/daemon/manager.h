/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manager wires the edges to the core: input events feed the gesture
 * engine, the engine's deadlines become one sd-event timer, gesture events
 * are reported (journal; stdout lines in dry-run mode). */

#include <stdbool.h>
#include <stdio.h>
#include <systemd/sd-event.h>

#include <systemd/sd-bus.h>

#include "agent.h"
#include "config.h"
#include "erase.h"
#include "reset-record.h"
#include "gesture.h"
#include "hold-check.h"
#include "input.h"
#include "key-holds.h"
#include "kiosk.h"
#include "logind-client.h"
#include "operation.h"
#include "short-press.h"
#include "support-check.h"
#include "tpm.h"
#include "reach-report.h"
#include "trigger-reach.h"

typedef struct Operation Operation;
typedef struct Agent Agent;
typedef struct AgentRegistration AgentRegistration;

typedef struct Manager {
        sd_event *event;
        sd_event_source *timer;
        sd_event_source *trim_timer; /* gives freed memory back after devices went away */
        char *config_path; /* --config, or NULL for the search path */
        Config *config;
        GestureEngine *engine;
        ShortPress *short_press; /* fed beside the engine; shares its timer */
        Input *input;
        KeyHoldsStore holds_store;   /* what was learned about keys, also of devices not present */
        char *holds_path;            /* where it is kept; NULL: in memory only (dry run) */
        TriggerReachList reach;      /* TriggerAvailability */
        ReachReport *reach_report;   /* journals it once settled */
        bool reach_deferred;         /* devices are being (re)enumerated: compute once at the end */
        bool dry_run;
        FILE *dry_run_output;
        bool print_timing;           /* --timing: the start-up steps on stderr once the devices are open */
        bool exit_logged;            /* the loop was stopped by an error that was logged then */
        bool start_done;             /* manager_start() finished its steps */
        bool started;                /* READY=1 sent once: the start is over */

        /* Everything below stays unused in dry-run mode. */
        sd_bus *bus;
        sd_event_source *bus_reconnect; /* armed when the system bus went away */
        sd_bus_slot *bus_name_request;  /* RequestName, until its reply */
        bool bus_name_owned;            /* on this connection */
        const char *varlink_address; /* $HOTKEYD_FACTORY_RESET_SOCKET, for tests; NULL: systemd's */
        SupportState support;        /* systemd's latest answer; manager_support_verdict() adds the erase part */
        bool support_known;
        bool support_announced;      /* logged and emitted, as: */
        SupportState support_announced_state;
        SupportQueue *support_queue;   /* shared by every operation and the property refresh */
        SupportWaiter *support_refresh;
        sd_bus_slot *system_state_call; /* after an operation: is the system going down? */
        HoldCheck hold_check;          /* started with a hold, taken by its trigger (operation.c) */
        Operations operations;
        Agents agents;
        TpmInfo tpm;                 /* zero (no TPM) until tpm_reader answers */
        TpmReader *tpm_reader;
        TpmMonitor *tpm_monitor;     /* reads again when a TPM comes or goes */
        sd_event_source *tpm_start;  /* the monitor and the first read, once the loop runs */
        sd_event_source *input_start; /* the devices opened, right after READY=1 */
        EraseState erase;            /* what a reset erases: ErasedPartitions, ClearsTpm, EraseProblems */
        sd_event_source *erase_read; /* reads it once the loop runs */
        ResetOutcome last_reset;     /* LastReset: what hotkeyd-reset-check.service found */
        bool has_last_reset;
        Kiosk kiosk;
        sd_event_source *kiosk_timer;
        Logind *logind;
} Manager;

/* Loads the configuration; fails (after logging every problem) when it is
 * invalid. */
int manager_new(const char *config_path, bool dry_run, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_POINTER_CLEANUP(Manager, manager_free);

int manager_start(Manager *m);
int manager_run(Manager *m);
/* Stops the loop with error (negative errno), which the caller has logged:
 * main() says nothing more about it.  Returns what sd_event_exit() does (0
 * when the loop will stop), so that the event source or bus callback that
 * calls it is not reported failed as well. */
int manager_exit_logged(Manager *m, int error);

/* The verdict of a support check with what a reset erases now: a reset
 * that would erase nothing is not supported. */
SupportVerdict manager_support_verdict(const Manager *m, const SupportState *state);
/* Logs and emits Supported, UnsupportedReason and Mode when they changed
 * (after a check, or when what a reset erases became known or changed).
 * Quiet until what a reset erases is known: the first entry is the
 * verdict, not "not found out yet". */
void manager_announce_support(Manager *m);
/* Asks systemd again, for the properties (after operations, at start). */
void manager_refresh_support(Manager *m);

/* Loads the configuration again; on any error the running one stays. */
int manager_reload(Manager *m);

/* Between the manager's own files, nobody else. */

/* manager.c */
void manager_log_config(const Config *c);
void manager_notify_status(Manager *m);
void manager_notify_ready(Manager *m);
/* READY=1 at start-up, once manager_start() is done and the bus name is
 * ours (either may come last); then what waited for it. */
void manager_start_finish(Manager *m);

/* manager-gesture.c: the engine and the short-press tracker of a
 * configuration (both or neither; the config must outlive them), the one
 * timer for their deadlines, and the keys that feed them. */
int manager_build_trackers(Manager *m, const Config *c, GestureEngine **ret_engine, ShortPress **ret_short_press);
void manager_update_timer(Manager *m);
void manager_on_key(InputDevice *d, unsigned code, int value, KeySource source, usec_t t, void *userdata);
void manager_gesture_device_gone(Manager *m, InputDevice *d, usec_t t);

/* manager-devices.c */
int manager_watched_keys(const Config *c, unsigned **ret, size_t *ret_n);
void manager_update_reach(Manager *m);
int manager_start_input(Manager *m);

/* manager-bus.c: connects (a failure at start is fatal; later ones are
 * retried every second), and drops everything that lived on the bus. */
int manager_start_bus(Manager *m);
void manager_drop_bus(Manager *m);
void manager_refresh_erase(Manager *m);
