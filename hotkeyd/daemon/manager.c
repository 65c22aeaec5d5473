/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager: made from the configuration, started in steps (loop,
 * signals, bus, input, READY=1, then the TPM from the loop), freed in one place.  What it wires
 * lives beside it: manager-gesture.c (the key path), manager-devices.c
 * (input devices), manager-bus.c (everything on the system bus) and
 * manager-reload.c (SIGHUP). */
#include <signal.h>
#include <sys/random.h>
#include <systemd/sd-daemon.h>

#include "bus-api.h"
#include "config-load.h"
#include "key-holds-file.h"
#include "log.h"
#include "manager.h"
#include "messages.h"
#include "startup-timing.h"

void manager_notify_status(Manager *m) {
        if (m->dry_run)
                return;
        if (!m->input) {
                /* READY=1 comes first (manager_on_input_start()). */
                (void) sd_notify(false, "STATUS=Opening the input devices.");
                return;
        }
        (void) sd_notifyf(false, "STATUS=Watching %zu device(s) for %zu trigger(s), mode %s.",
                          input_n_devices(m->input), m->config->n_triggers, daemon_mode_to_string(m->config->mode));
}

void manager_log_config(const Config *c) {
        assert(c);

        log_struct(LOG_INFO,
                   LOG_MESSAGE("Configuration loaded: mode %s, %zu trigger(s).",
                               daemon_mode_to_string(c->mode), c->n_triggers),
                   LOG_MESSAGE_ID(MESSAGE_ID_CONFIG_LOADED),
                   "HOTKEYD_MODE=%s", daemon_mode_to_string(c->mode),
                   "HOTKEYD_N_TRIGGERS=%zu", c->n_triggers);
}

int manager_new(const char *config_path, bool dry_run, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        assert(ret);

        m = calloc(1, sizeof *m);
        if (!m)
                return log_oom();
        m->dry_run = dry_run;
        m->dry_run_output = stdout;
        /* Request ids start anywhere, so that an agent's dialog left over
         * from before a restart can never name a request of this run. */
        if (getrandom(&m->operations.next_id, sizeof m->operations.next_id, GRND_NONBLOCK) < 0)
                m->operations.next_id = (unsigned) now_usec(CLOCK_MONOTONIC);

        if (config_path) {
                m->config_path = strdup(config_path);
                if (!m->config_path)
                        return log_oom();
        }

        r = config_load(NULL, m->config_path, config_log_error, NULL, &m->config);
        if (r < 0)
                return log_error_errno(r, "Configuration is invalid, not starting.");
        manager_log_config(m->config);
        kiosk_init(&m->kiosk, m->config->armed_timeout_usec);

        r = key_holds_file_path(dry_run, &m->holds_path);
        if (r < 0)
                return log_oom();
        if (m->holds_path)
                key_holds_file_load(m->holds_path, &m->holds_store);
        /* Until the first enumeration is done: a trigger is unreachable
         * only once every present device was seen. */
        m->reach_deferred = true;

        r = manager_build_trackers(m, m->config, &m->engine, &m->short_press);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        manager_drop_bus(m);
        sd_event_source_disable_unref(m->tpm_start);
        sd_event_source_disable_unref(m->input_start);
        tpm_reader_free(m->tpm_reader);
        tpm_monitor_free(m->tpm_monitor);
        erase_state_done(&m->erase);
        reset_outcome_done(&m->last_reset);
        sd_event_source_disable_unref(m->kiosk_timer);
        kiosk_done(&m->kiosk);
        sd_event_source_disable_unref(m->bus_reconnect);
        input_free(m->input);
        gesture_engine_free(m->engine);
        short_press_free(m->short_press);
        sd_event_source_disable_unref(m->timer);
        sd_event_source_disable_unref(m->trim_timer); /* after input_free(): removals schedule it */
        reach_report_free(m->reach_report);
        sd_event_unref(m->event);
        config_free(m->config);
        free(m->config_path);
        key_holds_store_done(&m->holds_store);
        free(m->holds_path);
        trigger_reach_list_done(&m->reach);
        free(m);
        return NULL;
}

static int manager_on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                (void) manager_reload(m);
                return 0;
        }

        log_info("Received %s, exiting.", strsignal((int) si->ssi_signo));
        return sd_event_exit(m->event, 0);
}

static void manager_on_tpm_info(const TpmInfo *info, void *userdata) {
        Manager *m = userdata;

        m->tpm_reader = tpm_reader_free(m->tpm_reader);
        m->tpm = *info;
        tpm_log_info(info);
        bus_api_emit_changed(m, STRV_MAKE("Tpm"));
        erase_refresh_tpm(&m->erase, m->bus, m->tpm.present);
        manager_announce_support(m);
}

/* In a child, while the loop runs; see tpm.h.  A read still under way is
 * dropped (its child killed): it may have looked too early. */
static void manager_read_tpm(Manager *m) {
        int r;

        m->tpm_reader = tpm_reader_free(m->tpm_reader);
        log_debug("Reading the TPM in a child process.");
        r = tpm_reader_start(m->event, getenv("HOTKEYD_TPM2_TCTI"), manager_on_tpm_info, m, &m->tpm_reader);
        if (r < 0) {
                m->tpm = (TpmInfo) { .present = true };
                errno = -r;
                snprintf(m->tpm.error, sizeof m->tpm.error, "cannot start reading the TPM: %m");
                tpm_log_info(&m->tpm);
                bus_api_emit_changed(m, STRV_MAKE("Tpm"));
        }
}

static void manager_on_tpm_change(const char *action, const char *sysname, void *userdata) {
        Manager *m = userdata;

        log_info("TPM device %s: %s, reading the TPM again.", sysname, streq(action, "add") ? "added" : "removed");
        manager_read_tpm(m);
}

/* The loop, and the reports of which triggers can fire that run on it. */
static int manager_setup_event(Manager *m) {
        int r;

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to create event loop: %m");

        r = reach_report_new(m->event, &m->reach_report);
        if (r < 0)
                return log_error_errno(r, "Failed to set up reporting which triggers can fire: %m");
        return 0;
}

static int manager_setup_signals(Manager *m) {
        static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                int sig = signals[i];

                r = sd_event_add_signal(m->event, NULL, sig | SD_EVENT_SIGNAL_PROCMASK, manager_on_signal, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch signal %s: %m", strsignal(sig));
        }
        return 0;
}

/* Children (the TPM reader) are reaped by sd-event. */
static void manager_setup_children(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
}

static void manager_start_tpm(Manager *m) {
        int r;

        /* The monitor first: a TPM that appears while the first read runs
         * is read again. */
        r = tpm_monitor_new(m->event, manager_on_tpm_change, m, &m->tpm_monitor);
        if (r < 0)
                log_warning_errno(r, "Failed to watch for TPM devices, a TPM that appears later is not read: %m");
        manager_read_tpm(m);
}

static int manager_on_tpm_start(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        m->tpm_start = sd_event_source_disable_unref(m->tpm_start);
        manager_start_tpm(m);
        return 0;
}

void manager_notify_ready(Manager *m) {
        if (!m->dry_run)
                (void) sd_notify(false, "READY=1");
        manager_notify_status(m);
}

/* The devices are opened from the loop right after READY=1: what the
 * start is waited for (the bus name, the API behind it) does not need
 * them, and under an emulated CPU their enumeration and probes were the
 * largest step (bench/RESULTS.md).  A key pressed meanwhile is no hold
 * anyway: a hold is seen from its key-down on.  Until then the devices
 * are none, and the reach report waits (reach_deferred). */
static int manager_on_input_start(sd_event_source *s, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);
        int r;

        m->input_start = sd_event_source_disable_unref(m->input_start);
        r = manager_start_input(m);
        if (r < 0)
                return manager_exit_logged(m, r);
        startup_timing_mark("input");
        log_info("Ready, watching %zu device(s) for %zu trigger(s).", input_n_devices(m->input),
                 m->config->n_triggers);
        manager_notify_status(m);
        startup_timing_report(m->print_timing);
        return 0;
}

int manager_start(Manager *m) {
        int r;

        r = manager_setup_event(m);
        if (r < 0)
                return r;
        r = manager_setup_signals(m);
        if (r < 0)
                return r;
        startup_timing_mark("event-loop");

        if (!m->dry_run) {
                manager_setup_children();
                m->varlink_address = getenv("HOTKEYD_FACTORY_RESET_SOCKET");
                /* What the TPM holds is for the dialog only, and its reader
                 * is a fork (a udev monitor besides): both after READY=1,
                 * from the loop. */
                r = sd_event_add_defer(m->event, &m->tpm_start, manager_on_tpm_start, m);
                if (r < 0) {
                        log_debug_errno(r, "Failed to defer reading the TPM, reading it now: %m");
                        manager_start_tpm(m);
                } else
                        /* The loop runs before READY=1 (the bus name's
                         * reply): enabled by manager_start_finish(). */
                        (void) sd_event_source_set_enabled(m->tpm_start, SD_EVENT_OFF);
                r = manager_start_bus(m);
                if (r < 0)
                        return r;
                /* Pings the service manager from the loop when WATCHDOG_USEC is set. */
                r = sd_event_set_watchdog(m->event, true);
                if (r < 0)
                        return log_error_errno(r, "Failed to enable the watchdog: %m");
                startup_timing_mark("watchdog");
        }

        r = sd_event_add_defer(m->event, &m->input_start, manager_on_input_start, m);
        if (r < 0)
                return log_error_errno(r, "Failed to defer opening the input devices: %m");
        /* Enabled by manager_start_finish(), after READY=1. */
        (void) sd_event_source_set_enabled(m->input_start, SD_EVENT_OFF);

        m->start_done = true;
        if (m->dry_run || m->bus_name_owned)
                manager_start_finish(m);
        return 0;
}

void manager_start_finish(Manager *m) {
        if (m->started || !m->start_done || (!m->dry_run && !m->bus_name_owned))
                return;
        m->started = true;
        if (!m->dry_run)
                startup_timing_mark("bus-name");
        manager_notify_ready(m);
        startup_timing_mark("ready");
        log_debug("Sent READY=1; opening the input devices next.");
        (void) sd_event_source_set_enabled(m->input_start, SD_EVENT_ONESHOT);
        /* For the dialog only: after READY=1. */
        if (m->tpm_start)
                (void) sd_event_source_set_enabled(m->tpm_start, SD_EVENT_ONESHOT);
        if (m->erase_read)
                (void) sd_event_source_set_enabled(m->erase_read, SD_EVENT_ONESHOT);
}

int manager_exit_logged(Manager *m, int error) {
        assert(m);
        assert(error < 0);

        m->exit_logged = true;
        return sd_event_exit(m->event, error);
}

int manager_run(Manager *m) {
        int r = sd_event_loop(m->event);
        if (!m->dry_run)
                (void) sd_notify(false, "STOPPING=1");
        return r;
}
