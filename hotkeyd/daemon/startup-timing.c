/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "messages.h"
#include "startup-timing.h"
#include "time-util.h"

/* More steps than the start has; a mark beyond them is dropped. */
#define STARTUP_STEPS_MAX 16

static struct {
        bool running;
        usec_t begin;
        size_t n_steps;
        struct {
                const char *name; /* a string literal */
                usec_t end;
        } steps[STARTUP_STEPS_MAX];
} timing;

void startup_timing_begin(void) {
        timing.running = true;
        timing.begin = now_usec(CLOCK_MONOTONIC);
}

void startup_timing_mark(const char *step) {
        if (!timing.running || timing.n_steps >= STARTUP_STEPS_MAX)
                return;
        timing.steps[timing.n_steps].name = step;
        timing.steps[timing.n_steps].end = now_usec(CLOCK_MONOTONIC);
        timing.n_steps++;
}

void startup_timing_report(bool print) {
        usec_t previous = timing.begin;

        if (!timing.running)
                return;
        timing.running = false;

        if (print)
                fprintf(stderr, "Start-up, CLOCK_MONOTONIC from main() (step, its time, time since main()):\n");
        for (size_t i = 0; i < timing.n_steps; i++) {
                usec_t took = timing.steps[i].end - previous, at = timing.steps[i].end - timing.begin;

                previous = timing.steps[i].end;
                log_struct(LOG_DEBUG,
                           LOG_MESSAGE("Start-up step %s took %" PRIu64 " us (%" PRIu64 " us after main()).",
                                       timing.steps[i].name, took, at),
                           LOG_MESSAGE_ID(MESSAGE_ID_STARTUP_STEP),
                           "HOTKEYD_STARTUP_STEP=%s", timing.steps[i].name,
                           "HOTKEYD_STARTUP_STEP_USEC=%" PRIu64, took,
                           "HOTKEYD_STARTUP_SINCE_MAIN_USEC=%" PRIu64, at);
                if (print)
                        fprintf(stderr, "  %-14s %6" PRIu64 ".%03" PRIu64 " ms %6" PRIu64 ".%03" PRIu64 " ms\n",
                                timing.steps[i].name, took / USEC_PER_MSEC, took % USEC_PER_MSEC,
                                at / USEC_PER_MSEC, at % USEC_PER_MSEC);
        }
}
