/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include <systemd/sd-json.h>
#include <systemd/sd-varlink.h>

#include "log.h"
#include "support-check.h"
#include "time-util.h"
#include "unit-properties.h"

/* Both services are local; an answer that takes longer means trouble.  The
 * two Varlink calls share it. */
#define SUPPORT_CHECK_TIMEOUT_USEC (5 * USEC_PER_SEC)

struct SupportCheck {
        sd_event *event;
        sd_bus *bus;
        support_check_fn fn;
        void *userdata;

        /* Both calls on one connection: systemd starts one
         * systemd-factory-reset process per connection.  The second goes out
         * once the first is answered, from a defer source: the service
         * answers one call at a time anyway, and sd-varlink refuses a call
         * from within a reply callback (-EBUSY). */
        sd_varlink *link;
        sd_event_source *second_call;
        usec_t deadline;
        bool can_request_done, mode_done;
        UnitPropertiesQuery *target_query;
        bool manager_done;
        sd_event_source *finish;

        SupportAnswers answers;
        char *target_load_state;
};

SupportCheck *support_check_free(SupportCheck *c) {
        if (!c)
                return NULL;
        sd_varlink_close_unref(c->link);
        sd_event_source_disable_unref(c->second_call);
        unit_properties_query_free(c->target_query);
        sd_event_source_disable_unref(c->finish);
        sd_bus_unref(c->bus);
        sd_event_unref(c->event);
        free(c->target_load_state);
        free(c);
        return NULL;
}

static int support_check_on_finish(sd_event_source *s, void *userdata) {
        SupportCheck *c = userdata;
        SupportState state = {
                .mode = c->answers.mode,
        };

        c->answers.target_load_state = c->target_load_state;
        if (c->answers.varlink_error < 0)
                log_debug_errno(c->answers.varlink_error, "Support check: io.systemd.FactoryReset failed: %m");
        if (c->answers.manager_error < 0)
                log_debug_errno(c->answers.manager_error, "Support check: the system manager failed: %m");
        log_debug("Support check: can request %s, mode %s, %s is %s.",
                  c->answers.can_request ? "yes" : "no", strna(factory_reset_mode_to_string(c->answers.mode)),
                  FACTORY_RESET_TARGET, strna(c->target_load_state));
        state.verdict = support_evaluate(&c->answers);

        c->fn(&state, c->userdata);
        return 0;
}

/* Reports from the loop, never from within support_check_start() or from a
 * callback of a library object the caller might free in its callback. */
static void support_check_maybe_finish(SupportCheck *c) {
        int r;

        if (!c->can_request_done || !c->mode_done || !c->manager_done || c->finish)
                return;

        r = sd_event_add_defer(c->event, &c->finish, support_check_on_finish, c);
        if (r < 0) {
                log_error_errno(r, "Failed to schedule the end of the support check: %m");
                c->answers.manager_error = r;
                /* Without the defer source nobody would ever answer: do it now. */
                support_check_on_finish(NULL, c);
        }
}

/* No (further) answer can come: the connection could not be set up or the
 * call could not be made.  support_check_free() closes the connection. */
static void support_check_varlink_failed(SupportCheck *c, int error) {
        support_answers_varlink_failed(&c->answers, error);
        c->can_request_done = c->mode_done = true;
}

static int support_check_call(SupportCheck *c, const char *method) {
        usec_t now = now_usec(CLOCK_MONOTONIC);
        int r;

        /* What is left of the check's time; sd-varlink counts from the call. */
        r = sd_varlink_set_relative_timeout(c->link, c->deadline > now ? c->deadline - now : 1);
        if (r < 0)
                return log_warning_errno(r, "Failed to set the timeout of %s: %m", method);

        r = sd_varlink_invokeb(c->link, method, SD_JSON_BUILD_EMPTY_OBJECT);
        if (IN_SET(r, -EBUSY, -ENOTCONN))
                /* Only the second call meets these: the service hung up after its first answer, and
                 * sd-varlink has seen that but not reported it yet (-EBUSY) or has closed the
                 * connection (-ENOTCONN).  Neither says what happened. */
                return log_warning_errno(-ECONNRESET, "io.systemd.FactoryReset hung up before %s: %m", method);
        if (r < 0)
                return log_warning_errno(r, "Failed to call %s: %m", method);

        return 0;
}

static int support_check_on_second_call(sd_event_source *s, void *userdata) {
        SupportCheck *c = userdata;
        int r;

        c->second_call = sd_event_source_disable_unref(c->second_call);
        /* The connection failed meanwhile (its local error was counted as the answer). */
        if (c->mode_done)
                return 0;

        r = support_check_call(c, "io.systemd.FactoryReset.GetFactoryResetMode");
        if (r < 0) {
                support_check_varlink_failed(c, r);
                support_check_maybe_finish(c);
        }
        return 0;
}

/* The replies are interpreted by core/support.c alone (fuzz/varlink-reply
 * feeds it arbitrary ones); this only logs and counts them in. */
static void support_check_on_mode(SupportCheck *c, sd_json_variant *parameters, const char *error_id) {
        if (support_answers_add_mode(&c->answers, parameters, error_id) < 0)
                log_warning("io.systemd.FactoryReset.GetFactoryResetMode failed: %s", error_id);
        else if (c->answers.mode < 0)
                log_warning("io.systemd.FactoryReset reported no known mode.");

        c->mode_done = true;
}

static void support_check_on_can_request(SupportCheck *c, sd_json_variant *parameters, const char *error_id,
                                         sd_varlink_reply_flags_t flags) {
        int r;

        if (support_answers_add_can_request(&c->answers, parameters, error_id) < 0) {
                if (error_id)
                        log_warning("io.systemd.FactoryReset.CanRequestFactoryReset failed: %s", error_id);
                else
                        log_warning("io.systemd.FactoryReset.CanRequestFactoryReset gave no 'supported' answer.");
        }
        c->can_request_done = true;

        /* A local error (disconnect, timeout, protocol error) closed the
         * connection: there is nobody left to ask. */
        if (flags & SD_VARLINK_REPLY_LOCAL) {
                c->mode_done = true;
                return;
        }

        r = sd_event_add_defer(c->event, &c->second_call, support_check_on_second_call, c);
        if (r < 0) {
                log_error_errno(r, "Failed to schedule the second support question: %m");
                support_check_varlink_failed(c, r);
        }
}

static int support_check_on_reply(sd_varlink *v, sd_json_variant *parameters, const char *error_id,
                                  sd_varlink_reply_flags_t flags, void *userdata) {
        SupportCheck *c = userdata;

        /* Replies come in the order of the calls. */
        if (!c->can_request_done)
                support_check_on_can_request(c, parameters, error_id, flags);
        else
                support_check_on_mode(c, parameters, error_id);

        support_check_maybe_finish(c);
        return 0;
}

static int support_check_connect(SupportCheck *c, const char *address) {
        int r;

        r = sd_varlink_connect_address(&c->link, address);
        if (r < 0)
                return log_debug_errno(r, "Failed to connect to %s: %m", address);

        (void) sd_varlink_set_description(c->link, "io.systemd.FactoryReset");
        sd_varlink_set_userdata(c->link, c);

        r = sd_varlink_attach_event(c->link, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_warning_errno(r, "Failed to attach the connection to %s to the event loop: %m", address);

        r = sd_varlink_bind_reply(c->link, support_check_on_reply);
        if (r < 0)
                return log_warning_errno(r, "Failed to bind the reply callback of %s: %m", address);

        return support_check_call(c, "io.systemd.FactoryReset.CanRequestFactoryReset");
}

static void support_check_manager_failed(SupportCheck *c, int error) {
        c->answers.manager_error = error;
        c->manager_done = true;
        support_check_maybe_finish(c);
}

static void support_check_on_target(int error, UnitPropertiesStep step, const sd_bus_error *e,
                                    const UnitProperties *props, void *userdata) {
        SupportCheck *c = userdata;

        c->target_query = unit_properties_query_free(c->target_query);
        if (error < 0) {
                unit_properties_log_failure(FACTORY_RESET_TARGET, "the load state of", error, step, e);
                /* systemd answers NoSuchUnit for a unit that cannot exist: no load state. */
                if (unit_properties_no_such_unit(e)) {
                        c->manager_done = true;
                        support_check_maybe_finish(c);
                } else
                        support_check_manager_failed(c, error);
                return;
        }

        if (props->load_state) {
                c->target_load_state = strdup(props->load_state);
                if (!c->target_load_state)
                        return support_check_manager_failed(c, log_oom());
        }
        c->manager_done = true;
        support_check_maybe_finish(c);
}

int support_check_start(sd_event *event, sd_bus *bus, const char *varlink_address,
                        support_check_fn fn, void *userdata, SupportCheck **ret) {
        _cleanup_(support_check_freep) SupportCheck *c = NULL;
        int r;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->bus = sd_bus_ref(bus);
        c->fn = fn;
        c->userdata = userdata;
        support_answers_init(&c->answers);

        c->deadline = usec_add(now_usec(CLOCK_MONOTONIC), SUPPORT_CHECK_TIMEOUT_USEC);
        r = support_check_connect(c, varlink_address ?: FACTORY_RESET_VARLINK_ADDRESS);
        if (r < 0)
                support_check_varlink_failed(c, r);

        /* 0: sd-bus's default timeout (25 s), not SUPPORT_CHECK_TIMEOUT_USEC. */
        r = unit_properties_get(bus, FACTORY_RESET_TARGET, 0, support_check_on_target, c, &c->target_query);
        if (r < 0) {
                log_warning_errno(r, "Failed to ask systemd about " FACTORY_RESET_TARGET ": %m");
                c->answers.manager_error = r;
                c->manager_done = true;
        }

        support_check_maybe_finish(c);
        *ret = TAKE_PTR(c);
        return 0;
}

struct SupportWaiter {
        SupportWaiter *next, *prev;
        SupportWaiter **list; /* the list it is on, if any */
        support_check_fn fn;
        void *userdata;
};

/* A check that systemd did not answer is made again a few times, with
 * nobody waiting: at boot, socket-activated systemd-factory-reset was seen
 * to take 9 s on a loaded (emulated) machine, longer than a check waits,
 * and Supported would have stayed false until somebody asked again. */
#define SUPPORT_RETRY_USEC (10 * USEC_PER_SEC)
#define SUPPORT_RETRIES_MAX 3

struct SupportQueue {
        sd_event *event;
        sd_bus *bus;
        const char *varlink_address;
        SupportCheck *check;     /* the one running */
        SupportWaiter *asking;   /* waiting for it */
        SupportWaiter *next_round;
        sd_event_source *retry;  /* a check again, for nobody */
        unsigned n_retries;      /* in a row, since the last answer */
        bool retry_due;
        bool draining;
        SupportState latest;
        bool known; /* latest holds an answer */
        support_check_fn on_changed;
        void *userdata;
};

static void support_queue_on_answer(const SupportState *state, void *userdata);

static void support_waiter_unlink(SupportWaiter *w) {
        if (!w->list)
                return;
        LIST_UNLINK(*w->list, w);
        w->list = NULL;
}

static void support_waiter_link(SupportWaiter **list, SupportWaiter *w) {
        support_waiter_unlink(w);
        LIST_PREPEND(*list, w);
        w->list = list;
}

SupportWaiter *support_waiter_free(SupportWaiter *w) {
        if (!w)
                return NULL;
        support_waiter_unlink(w);
        free(w);
        return NULL;
}

void support_waiter_redirect(SupportWaiter *w, support_check_fn fn, void *userdata) {
        w->fn = fn;
        w->userdata = userdata;
}

/* Answers everybody the finished check asked for.  Callbacks may start
 * waiting again: they join the next round, which starts after the drain. */
static void support_queue_drain(SupportQueue *q, const SupportState *state) {
        SupportWaiter *w;
        bool changed;

        changed = !q->known || q->latest.verdict != state->verdict || q->latest.mode != state->mode;
        q->latest = *state;
        q->known = true;
        if (changed && q->on_changed)
                q->on_changed(state, q->userdata);

        q->draining = true;
        while ((w = q->asking)) {
                support_waiter_unlink(w);
                w->fn(state, w->userdata);
        }
        q->draining = false;
}

static void support_queue_next(SupportQueue *q) {
        int r;

        /* Loops only when a check cannot even start. */
        while (!q->check && !q->draining && (q->next_round || q->retry_due)) {
                q->retry_due = false;
                while (q->next_round)
                        support_waiter_link(&q->asking, q->next_round);

                log_debug("Asking systemd whether a factory reset can be requested.");
                r = support_check_start(q->event, q->bus, q->varlink_address, support_queue_on_answer, q,
                                        &q->check);
                if (r < 0) {
                        SupportAnswers failed = { .varlink_error = r, .mode = _FACTORY_RESET_MODE_INVALID };
                        SupportState state = { .verdict = support_evaluate(&failed), .mode = failed.mode };

                        log_error_errno(r, "Failed to check factory reset support: %m");
                        support_queue_drain(q, &state);
                }
        }
}

static int support_queue_on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        SupportQueue *q = userdata;

        q->retry = sd_event_source_disable_unref(q->retry);
        q->retry_due = true;
        support_queue_next(q);
        return 0;
}

static void support_queue_plan_retry(SupportQueue *q, const SupportState *state) {
        char delay[TIMESPAN_MAX];
        int r;

        if (!IN_SET(state->verdict, SUPPORT_SERVICE_FAILED, SUPPORT_MANAGER_FAILED)) {
                q->n_retries = 0;
                q->retry = sd_event_source_disable_unref(q->retry);
                return;
        }
        if (q->retry || q->n_retries >= SUPPORT_RETRIES_MAX)
                return;
        q->n_retries++;
        r = sd_event_add_time_relative(q->event, &q->retry, CLOCK_MONOTONIC, SUPPORT_RETRY_USEC, 0,
                                       support_queue_on_retry, q);
        if (r < 0) {
                log_warning_errno(r, "Failed to plan asking systemd again: %m");
                return;
        }
        log_notice("systemd did not answer whether a factory reset can be requested; asking again in %s "
                   "(%u of %u).", format_timespan(delay, SUPPORT_RETRY_USEC), q->n_retries,
                   SUPPORT_RETRIES_MAX);
}

static void support_queue_on_answer(const SupportState *state, void *userdata) {
        SupportQueue *q = userdata;

        q->check = support_check_free(q->check);
        support_queue_plan_retry(q, state);
        support_queue_drain(q, state);
        support_queue_next(q);
}

int support_queue_wait(SupportQueue *q, support_check_fn fn, void *userdata, SupportWaiter **ret) {
        SupportWaiter *w;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->fn = fn;
        w->userdata = userdata;
        support_waiter_link(&q->next_round, w);
        *ret = w;

        /* A running check may have asked systemd before this caller came:
         * it waits for the next one. */
        support_queue_next(q);
        return 0;
}

int support_queue_new(sd_event *event, sd_bus *bus, const char *varlink_address, support_check_fn on_changed,
                      void *userdata, SupportQueue **ret) {
        SupportQueue *q;

        assert(event);
        assert(bus);
        assert(ret);

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->event = sd_event_ref(event);
        q->bus = sd_bus_ref(bus);
        q->varlink_address = varlink_address;
        q->on_changed = on_changed;
        q->userdata = userdata;
        *ret = q;
        return 0;
}

SupportQueue *support_queue_free(SupportQueue *q) {
        if (!q)
                return NULL;
        /* The waiters belong to their owners; they just stop being linked. */
        while (q->asking)
                support_waiter_unlink(q->asking);
        while (q->next_round)
                support_waiter_unlink(q->next_round);
        support_check_free(q->check);
        sd_event_source_disable_unref(q->retry);
        sd_bus_unref(q->bus);
        sd_event_unref(q->event);
        free(q);
        return NULL;
}

bool support_queue_latest(const SupportQueue *q, SupportState *ret) {
        assert(q);
        assert(ret);

        if (!q->known)
                return false;
        *ret = q->latest;
        return true;
}
