/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <unistd.h>

#include "event-util.h"
#include "log.h"
#include "messages.h"
#include "reach-report.h"

/* How long what can fire must stay the same before it is journaled. */
#define REACH_REPORT_DELAY_USEC (2 * USEC_PER_SEC)
/* systemd-udevd keeps this file while its event queue is not empty
 * (libudev's udev_queue_get_queue_is_empty() looks at it too). */
#define UDEV_QUEUE_FILE "/run/udev/queue"

/* The last report about one trigger. */
typedef struct Reported {
        char *trigger;
        bool can_fire;
        char *reason; /* when it cannot */
} Reported;

struct ReachReport {
        sd_event *event;
        sd_event_source *timer; /* made at the first change */
        const Config *config;
        const TriggerReachList *list;
        Reported *reported;
        size_t n_reported;
};

static void reported_done(ReachReport *r) {
        for (size_t i = 0; i < r->n_reported; i++) {
                free(r->reported[i].trigger);
                free(r->reported[i].reason);
        }
        r->reported = mfree(r->reported);
        r->n_reported = 0;
}

static Reported *reported_get(ReachReport *r, const char *trigger) {
        for (size_t i = 0; i < r->n_reported; i++)
                if (streq(r->reported[i].trigger, trigger))
                        return &r->reported[i];

        Reported *n = reallocarray(r->reported, r->n_reported + 1, sizeof *n);
        if (!n)
                return NULL;
        r->reported = n;
        n = &r->reported[r->n_reported];
        *n = (Reported) { .trigger = strdup(trigger) };
        if (!n->trigger)
                return NULL;
        r->n_reported++;
        return n;
}

static bool reach_any_can_fire(const TriggerReachList *l) {
        for (size_t i = 0; i < l->n_items; i++)
                if (l->items[i].can_fire)
                        return true;
        return false;
}

static void reach_report_write(ReachReport *r) {
        /* A trigger no device can perform is worth a warning only when no
         * other one can either: a laptop without a restart key is normal. */
        int level = reach_any_can_fire(r->list) ? LOG_NOTICE : LOG_WARNING;

        if (r->config->mode == DAEMON_MODE_OFF)
                return;

        for (size_t i = 0; i < r->config->n_triggers; i++) {
                const char *name = r->config->triggers[i].name;
                const TriggerReach *cannot = trigger_reach_unreachable(r->list, name);
                Reported *was = reported_get(r, name);

                if (!was) {
                        log_oom();
                        return;
                }

                if (!cannot) {
                        if (was->can_fire)
                                continue;
                        for (size_t j = 0; j < r->list->n_items; j++)
                                if (streq(r->list->items[j].trigger, name) && r->list->items[j].can_fire) {
                                        log_info("Trigger %s can fire now (%s: %s).", name, r->list->items[j].seat,
                                                 r->list->items[j].reason);
                                        break;
                                }
                        was->can_fire = true;
                        was->reason = mfree(was->reason);
                        continue;
                }

                /* Again when why changed (another device with the key came
                 * or went, a key was found press-only): the entry always
                 * says the current why. */
                if (!was->can_fire && was->reason && streq(was->reason, cannot->reason))
                        continue;
                char *reason = strdup(cannot->reason);
                if (!reason) {
                        log_oom();
                        return;
                }
                free(was->reason);
                was->reason = reason;
                was->can_fire = false;

                log_struct(level,
                           LOG_MESSAGE("Trigger %s cannot fire with the devices present: %s.", name, reason),
                           LOG_MESSAGE_ID(MESSAGE_ID_TRIGGER_UNREACHABLE),
                           "HOTKEYD_TRIGGER=%s", name,
                           "HOTKEYD_REASON=%s", reason);
        }
}

static int reach_report_on_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* Starts the wait before the report again. */
static int reach_report_restart_wait(ReachReport *r) {
        return event_reset_time_relative(r->event, &r->timer, CLOCK_MONOTONIC, REACH_REPORT_DELAY_USEC,
                                         USEC_PER_SEC / 10, reach_report_on_timer, r, SD_EVENT_PRIORITY_NORMAL);
}

static int reach_report_on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        ReachReport *r = ASSERT_PTR(userdata);
        int k;

        if (!r->config)
                return 0;
        if (access(UDEV_QUEUE_FILE, F_OK) >= 0) {
                /* udev is still announcing devices: look again later. */
                k = reach_report_restart_wait(r);
                if (k >= 0)
                        return 0;
                log_debug_errno(k, "Failed to wait for udev to settle, reporting what can fire now: %m");
        }
        reach_report_write(r);
        return 0;
}

void reach_report_changed(ReachReport *r, const Config *config, const TriggerReachList *list) {
        int k;

        assert(r);
        assert(config);
        assert(list);

        r->config = config;
        r->list = list;
        /* Every change starts the wait again. */
        k = reach_report_restart_wait(r);
        if (k < 0) {
                log_debug_errno(k, "Failed to delay the report of what can fire, reporting it now: %m");
                reach_report_write(r);
        }
}

void reach_report_forget(ReachReport *r) {
        assert(r);

        (void) sd_event_source_set_enabled(r->timer, SD_EVENT_OFF);
        r->config = NULL;
        r->list = NULL;
        reported_done(r);
}

int reach_report_new(sd_event *event, ReachReport **ret) {
        ReachReport *r;

        assert(event);
        assert(ret);

        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->event = sd_event_ref(event);
        *ret = r;
        return 0;
}

ReachReport *reach_report_free(ReachReport *r) {
        if (!r)
                return NULL;
        sd_event_source_disable_unref(r->timer);
        sd_event_unref(r->event);
        reported_done(r);
        free(r);
        return NULL;
}
