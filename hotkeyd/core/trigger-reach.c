/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "text-builder.h"
#include "trigger-reach.h"

void trigger_reach_list_done(TriggerReachList *l) {
        for (size_t i = 0; i < l->n_items; i++) {
                free(l->items[i].seat);
                free(l->items[i].reason);
        }
        free(l->items);
        *l = (TriggerReachList) {};
}

const TriggerReach *trigger_reach_unreachable(const TriggerReachList *l, const char *trigger) {
        for (size_t i = 0; i < l->n_items; i++)
                if (streq(l->items[i].trigger, trigger) && isempty(l->items[i].seat))
                        return &l->items[i];
        return NULL;
}

/* Ends a part of a reason ("; " between parts). */
static void reason_part(TextBuilder *w) {
        if (!text_builder_is_empty(w))
                text_builder_add(w, "; ");
}

static const char *key_name(unsigned code) {
        return strna(key_to_name(code));
}

static bool trigger_on_seat(const Trigger *t, const char *seat) {
        return !t->seat || streq(t->seat, seat);
}

/* Whether t can fire on seat, and why, in words. */
static int reach_on_seat(const Trigger *t, const char *seat, const DeviceKey *keys, size_t n_keys, bool *ret_can,
                         char **ret_reason) {
        const DeviceKey *found[TRIGGER_KEYS_MAX] = {};
        bool missing[TRIGGER_KEYS_MAX] = {}, press_only[TRIGGER_KEYS_MAX] = {};
        bool any_missing = false, any_press_only = false;
        _cleanup_(text_builder_done) TextBuilder w = {};

        for (size_t k = 0; k < t->n_keys; k++) {
                bool yes = false, any = false;

                for (size_t i = 0; i < n_keys; i++) {
                        if (keys[i].code != t->keys[k] || !streq(keys[i].seat, seat))
                                continue;
                        any = true;
                        /* The best device: one seen held over one not seen. */
                        if (keys[i].holds == KEY_HOLDS_YES && !yes) {
                                found[k] = &keys[i];
                                yes = true;
                        } else if (keys[i].holds == KEY_HOLDS_UNKNOWN && !found[k])
                                found[k] = &keys[i];
                }
                missing[k] = !any;
                press_only[k] = any && !found[k] && t->kind == TRIGGER_HOLD;
                any_missing = any_missing || missing[k];
                any_press_only = any_press_only || press_only[k];
        }

        if (any_missing) {
                text_builder_add(&w, "no device on %s has ", seat);
                bool first = true;
                for (size_t k = 0; k < t->n_keys; k++)
                        if (missing[k]) {
                                text_builder_add(&w, "%s%s", first ? "" : " or ", key_name(t->keys[k]));
                                first = false;
                        }
        } else if (any_press_only)
                for (size_t k = 0; k < t->n_keys; k++) {
                        if (!press_only[k])
                                continue;
                        reason_part(&w);
                        text_builder_add(&w, "%s is only on ", key_name(t->keys[k]));
                        bool first = true;
                        for (size_t i = 0; i < n_keys; i++)
                                if (keys[i].code == t->keys[k] && streq(keys[i].seat, seat)) {
                                        text_builder_add(&w, "%s%s (%s)", first ? "" : " and ", keys[i].name, keys[i].node);
                                        first = false;
                                }
                        text_builder_add(&w, ", which cannot report a hold");
                }
        else
                for (size_t k = 0; k < t->n_keys; k++) {
                        const DeviceKey *d = found[k];
                        reason_part(&w);
                        if (t->kind == TRIGGER_PRESSES) {
                                /* Any device with the key will do. */
                                for (size_t i = 0; !d && i < n_keys; i++)
                                        if (keys[i].code == t->keys[k] && streq(keys[i].seat, seat))
                                                d = &keys[i];
                                text_builder_add(&w, "%s is on %s (%s)", key_name(t->keys[k]), d->name, d->node);
                                continue;
                        }
                        if (d->holds == KEY_HOLDS_YES)
                                text_builder_add(&w, "%s can be held on %s (%s)", key_name(t->keys[k]), d->name, d->node);
                        else
                                text_builder_add(&w, "%s on %s (%s) was not seen yet: whether it can be held is unknown",
                                          key_name(t->keys[k]), d->name, d->node);
                        /* The press-only devices with the key too: someone
                         * holding one of them would otherwise wonder why
                         * nothing happens. */
                        bool first = true;
                        for (size_t i = 0; i < n_keys; i++)
                                if (keys[i].code == t->keys[k] && streq(keys[i].seat, seat) &&
                                    keys[i].holds == KEY_HOLDS_NO) {
                                        if (first)
                                                text_builder_add(&w, "; not on %s (%s)", keys[i].name, keys[i].node);
                                        else
                                                text_builder_add(&w, " or %s (%s)", keys[i].name, keys[i].node);
                                        first = false;
                                }
                        if (!first)
                                text_builder_add(&w, ", which cannot report a hold");
                }

        *ret_can = !any_missing && !any_press_only;
        return text_builder_take(&w, ret_reason);
}

static int reach_add(TriggerReachList *l, const char *trigger, const char *seat, bool can_fire, char *reason) {
        TriggerReach *n = reallocarray(l->items, l->n_items + 1, sizeof *n);
        char *s;

        if (!n) {
                free(reason);
                return -ENOMEM;
        }
        l->items = n;
        s = strdup(seat);
        if (!s) {
                free(reason);
                return -ENOMEM;
        }
        l->items[l->n_items++] = (TriggerReach) { .trigger = trigger, .seat = s, .can_fire = can_fire, .reason = reason };
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The reason a trigger cannot fire on any seat. */
static int reason_nowhere(const Trigger *t, char **seat_reasons, const char **seats, size_t n_seats, char **ret) {
        _cleanup_(text_builder_done) TextBuilder w = {};

        if (n_seats == 0) {
                if (t->seat)
                        text_builder_add(&w, "no device on %s has ", t->seat);
                else
                        text_builder_add(&w, "no device has ");
                for (size_t k = 0; k < t->n_keys; k++)
                        text_builder_add(&w, "%s%s", k > 0 ? " or " : "", key_name(t->keys[k]));
        } else if (n_seats == 1)
                text_builder_add(&w, "%s", seat_reasons[0]);
        else
                for (size_t s = 0; s < n_seats; s++) {
                        reason_part(&w);
                        text_builder_add(&w, "%s: %s", seats[s], seat_reasons[s]);
                }
        return text_builder_take(&w, ret);
}

int trigger_reach_compute(const Config *config, const DeviceKey *keys, size_t n_keys, TriggerReachList *ret) {
        _cleanup_(trigger_reach_list_done) TriggerReachList l = {};
        _cleanup_free_ const char **seats = NULL;
        size_t n_seats = 0;
        int r;

        /* The seats that have a watched device, each once, sorted. */
        seats = calloc(n_keys + 1, sizeof *seats);
        if (!seats)
                return -ENOMEM;
        for (size_t i = 0; i < n_keys; i++) {
                bool seen = false;
                for (size_t s = 0; s < n_seats && !seen; s++)
                        seen = streq(seats[s], keys[i].seat);
                if (!seen)
                        seats[n_seats++] = keys[i].seat;
        }
        if (n_seats > 1)
                qsort(seats, n_seats, sizeof *seats, cmp_str);

        for (size_t i = 0; i < config->n_triggers; i++) {
                const Trigger *t = &config->triggers[i];
                char *reasons[n_seats + 1];
                bool can[n_seats + 1], any = false;
                const char *on[n_seats + 1];
                size_t n_on = 0;

                if (config->mode == DAEMON_MODE_OFF) {
                        char *reason = strdup("Mode=off: hotkeyd watches no key");
                        if (!reason)
                                return -ENOMEM;
                        r = reach_add(&l, t->name, "", false, reason);
                        if (r < 0)
                                return r;
                        continue;
                }

                for (size_t s = 0; s < n_seats; s++) {
                        if (!trigger_on_seat(t, seats[s]))
                                continue;
                        r = reach_on_seat(t, seats[s], keys, n_keys, &can[n_on], &reasons[n_on]);
                        if (r < 0) {
                                for (size_t j = 0; j < n_on; j++)
                                        free(reasons[j]);
                                return r;
                        }
                        any = any || can[n_on];
                        on[n_on++] = seats[s];
                }

                if (any) {
                        r = 0;
                        for (size_t s = 0; s < n_on; s++) {
                                if (r >= 0)
                                        r = reach_add(&l, t->name, on[s], can[s], reasons[s]);
                                else
                                        free(reasons[s]);
                        }
                        if (r < 0)
                                return r;
                        continue;
                }

                char *reason = NULL;
                r = reason_nowhere(t, reasons, on, n_on, &reason);
                for (size_t s = 0; s < n_on; s++)
                        free(reasons[s]);
                if (r < 0)
                        return r;
                r = reach_add(&l, t->name, "", false, reason);
                if (r < 0)
                        return r;
        }

        trigger_reach_list_done(ret);
        *ret = l;
        l = (TriggerReachList) {};
        return 0;
}
