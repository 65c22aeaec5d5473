/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIGHUP: the configuration again, and everything it drives. */
#include <systemd/sd-daemon.h>

#include "bus-api.h"
#include "config-load.h"
#include "log.h"
#include "manager.h"
#include "operation.h"

/* Puts the new rules in place of the running ones; everything started
 * under the old rules ends with them. */
static void manager_swap_rules(Manager *m, Config *config, GestureEngine *engine, ShortPress *short_press) {
        /* A hold in progress was started under the old triggers: it is
         * cancelled (and reported) rather than carried over. */
        gesture_engine_reset(m->engine, now_usec(CLOCK_MONOTONIC));
        gesture_engine_free(m->engine);
        /* It names the old triggers; the new ones are worked out once the
         * devices were probed for the new keys. */
        reach_report_forget(m->reach_report);
        trigger_reach_list_done(&m->reach);
        m->reach_deferred = true;
        config_free(m->config);
        m->engine = engine;
        /* Short presses waiting under the old rules are dropped with them. */
        short_press_free(m->short_press);
        m->short_press = short_press;
        m->config = config;
        m->operations.confirm_timeout_usec = config->confirm_timeout_usec;
        manager_log_config(config);
        /* Neither does a dialog opened under the old rules: after
         * Mode=off in particular, nothing may be confirmed any more. */
        confirmation_end_all(&m->operations, "the configuration was reloaded");
        /* An armed kiosk reset does not survive a change of rules (nor do
         * the engine's gesture numbers it refers to). */
        kiosk_done(&m->kiosk);
        kiosk_init(&m->kiosk, config->armed_timeout_usec);
        m->kiosk_timer = sd_event_source_disable_unref(m->kiosk_timer);
        bus_api_emit_changed(m, STRV_MAKE("DaemonMode", "ConfirmTimeoutUSec", "Triggers"));
}

/* The devices and logind's inhibitors follow the new keys. */
static int manager_swap_keys(Manager *m, const unsigned *keys, size_t n_keys) {
        int r;

        logind_set_keys(m->logind, keys, n_keys);
        manager_update_timer(m);
        /* Before the devices are opened (right after READY=1) there is
         * nothing to change: they are opened for the new keys. */
        if (!m->input)
                return 0;
        r = input_set_keys(m->input, keys, n_keys);
        m->reach_deferred = false;
        bus_api_emit_changed(m, STRV_MAKE("DeviceKeys"));
        manager_update_reach(m);
        return r;
}

/* Loads the configuration again and builds everything it drives; only
 * when all of that worked does it replace the running rules. */
static int manager_reload_rules(Manager *m) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(short_press_freep) ShortPress *short_press = NULL;
        _cleanup_free_ unsigned *keys = NULL;
        _cleanup_(gesture_engine_freep) GestureEngine *engine = NULL;
        size_t n_keys = 0;
        int r;

        r = config_load(NULL, m->config_path, config_log_error, NULL, &config);
        if (r < 0)
                return log_error_errno(r, "New configuration is invalid, keeping the running one.");

        r = manager_build_trackers(m, config, &engine, &short_press);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the new triggers, keeping the running configuration: %m");
        r = manager_watched_keys(config, &keys, &n_keys);
        if (r < 0)
                return log_error_errno(r, "Failed to list the new trigger keys, keeping the running configuration: %m");

        manager_swap_rules(m, TAKE_PTR(config), TAKE_PTR(engine), TAKE_PTR(short_press));
        return manager_swap_keys(m, keys, n_keys);
}

int manager_reload(Manager *m) {
        int r;

        if (!m->dry_run) {
                (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu",
                                  (unsigned long long) now_usec(CLOCK_MONOTONIC));
                /* Independent of hotkeyd.conf: read again even when that is invalid. */
                manager_refresh_erase(m);
        }

        r = manager_reload_rules(m);
        manager_notify_ready(m);
        return r;
}
