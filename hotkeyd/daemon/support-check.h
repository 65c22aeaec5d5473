/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asks systemd whether a factory reset can be requested now: the
 * io.systemd.FactoryReset Varlink service (CanRequestFactoryReset,
 * GetFactoryResetMode) and the load state of factory-reset.target on
 * org.freedesktop.systemd1.  Asynchronous; every check asks again, nothing
 * is cached here. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "support.h"

#define FACTORY_RESET_VARLINK_ADDRESS "/run/systemd/io.systemd.FactoryReset"
#define FACTORY_RESET_TARGET "factory-reset.target"

typedef struct SupportState {
        SupportVerdict verdict;
        FactoryResetMode mode; /* _FACTORY_RESET_MODE_INVALID when the service did not say */
} SupportState;

/* Called once, from the event loop, unless the check is freed first. */
typedef void (*support_check_fn)(const SupportState *state, void *userdata);

typedef struct SupportCheck SupportCheck;

/* varlink_address: NULL for FACTORY_RESET_VARLINK_ADDRESS. */
int support_check_start(sd_event *event, sd_bus *bus, const char *varlink_address,
                        support_check_fn fn, void *userdata, SupportCheck **ret);
/* Stops a check in flight; its callback is not called. */
SupportCheck *support_check_free(SupportCheck *c);
DEFINE_POINTER_CLEANUP(SupportCheck, support_check_free);

/* Shared checks.  Every waiter gets the answer of a check that started
 * after it began waiting (never an older one), but everybody who starts
 * waiting while a check runs shares the next one: at most one check runs
 * and one is queued, however many callers ask at once. */
typedef struct SupportQueue SupportQueue;
typedef struct SupportWaiter SupportWaiter;

/* on_changed (may be NULL) is called with each answer that differs from
 * the one before, the first included, before the waiters get it. */
int support_queue_new(sd_event *event, sd_bus *bus, const char *varlink_address, support_check_fn on_changed,
                      void *userdata, SupportQueue **ret);
SupportQueue *support_queue_free(SupportQueue *q);
/* systemd's latest answer; false when none came yet. */
bool support_queue_latest(const SupportQueue *q, SupportState *ret);

/* fn is called once, from the event loop, unless the waiter is freed
 * first.  The caller owns the waiter and frees it (also from fn). */
int support_queue_wait(SupportQueue *q, support_check_fn fn, void *userdata, SupportWaiter **ret);
SupportWaiter *support_waiter_free(SupportWaiter *w);
/* Hands a waiter to a new owner: its answer goes to fn(userdata) instead. */
void support_waiter_redirect(SupportWaiter *w, support_check_fn fn, void *userdata);
