/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-hotplug: hotplug scale.
 *
 *   hkb-hotplug PID [COUNT [ROUNDS [PEER_PID]]]
 *
 * For each round: creates COUNT uinput keyboards with KEY_POWER one after
 * the other, each time waiting until process PID (hotkeyd) has the new
 * event node open (polled every 1 ms: the time from UI_DEV_CREATE to that
 * includes udev's processing of the "add"), then destroys them one after
 * the other, waiting until PID closed each.  The daemon's CPU time
 * (/proc/PID/schedstat) over each phase, and its fds and RSS after each
 * round (once the fd count is back, at most 30 s, plus 2 s: hotkeyd gives
 * freed memory back 1 s after the last removal), against the baseline
 * before the first,
 * and what the fds point to.
 * With PEER_PID (systemd-logind, which opens every keyboard udev tags
 * "power-switch", as 70-power-switch.rules does for ID_INPUT_KEY devices),
 * each add also waits for the peer to have the node open, timed from the
 * same moment: the return of UI_DEV_CREATE, inside which the kernel sends
 * the "add" uevent (device_add()), so both times include udev's processing
 * and neither daemon's is favoured.  The peer gets 2 s per device; after 3
 * devices it did not open, it is no longer waited for.
 * JSON lines:
 *   {"kind":"baseline","fds":...,"rss_kib":...}
 *   {"kind":"round","round":1,"add_us":[...],"remove_us":[...],
 *    "add_cpu_ns":...,"remove_cpu_ns":...,"fds":...,"rss_kib":...,"timeouts":0} */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>

#include "hkb-util.h"

#define TIMEOUT_US (20 * 1000000ull)
#define PEER_TIMEOUT_US (2 * 1000000ull)
#define PEER_MISSES_MAX 3

/* Until both have node open: each one's time from t0 (0 if not waited for). */
static void wait_both(pid_t pid, pid_t peer, const char *node, uint64_t t0, uint64_t *ret, uint64_t *ret_peer,
                      unsigned *timeouts, unsigned *peer_misses) {
        bool done = false, peer_done = peer <= 0 || *peer_misses >= PEER_MISSES_MAX;

        *ret = *ret_peer = 0;
        for (;;) {
                uint64_t now;

                if (!done) {
                        int n = hkb_proc_has_open(pid, node);
                        if (n < 0)
                                hkb_die("process %d is gone", (int) pid);
                        now = hkb_now_us();
                        if (n > 0 || now - t0 > TIMEOUT_US) {
                                done = true;
                                *ret = now - t0;
                                if (n <= 0)
                                        (*timeouts)++;
                        }
                }
                if (!peer_done) {
                        int n = hkb_proc_has_open(peer, node);
                        now = hkb_now_us();
                        if (n > 0) {
                                peer_done = true;
                                *ret_peer = now - t0;
                        } else if (n < 0 || now - t0 > PEER_TIMEOUT_US) {
                                peer_done = true;
                                (*peer_misses)++;
                        }
                }
                if (done && peer_done)
                        return;
                hkb_sleep_us(1000);
        }
}

static uint64_t wait_open(pid_t pid, const char *node, bool open_wanted, uint64_t t0, unsigned *timeouts) {
        for (;;) {
                int n = hkb_proc_has_open(pid, node);
                if (n < 0)
                        hkb_die("process %d is gone", (int) pid);
                uint64_t now = hkb_now_us();
                if ((n > 0) == open_wanted)
                        return now - t0;
                if (now - t0 > TIMEOUT_US) {
                        (*timeouts)++;
                        return now - t0;
                }
                hkb_sleep_us(1000);
        }
}

static void print_list(const char *name, const uint64_t *v, unsigned n) {
        printf("\"%s\":[", name);
        for (unsigned i = 0; i < n; i++)
                printf("%s%llu", i ? "," : "", (unsigned long long) v[i]);
        printf("],");
}

static void print_fd_target(const char *target, void *userdata) {
        bool *first = userdata;

        printf("%s\"%s\"", *first ? "" : ",", target);
        *first = false;
}

/* What the fds point to: tells a leak from something in flight. */
static void print_fds(pid_t pid) {
        bool first = true;

        printf("\"fd_targets\":[");
        (void) hkb_proc_foreach_fd(pid, print_fd_target, &first);
        printf("]");
}

int main(int argc, char *argv[]) {
        static const unsigned keys[] = { KEY_POWER, KEY_A, KEY_B, KEY_ENTER };
        HkbProcStat st, a, b;

        if (argc < 2)
                hkb_die("usage: hkb-hotplug PID [COUNT [ROUNDS]]");
        pid_t pid = (pid_t) atoi(argv[1]);
        unsigned count = argc > 2 ? (unsigned) atoi(argv[2]) : 200, rounds = argc > 3 ? (unsigned) atoi(argv[3]) : 5;
        pid_t peer = argc > 4 ? (pid_t) atoi(argv[4]) : 0;
        unsigned peer_misses = 0;
        struct libevdev_uinput **u = calloc(count, sizeof *u);
        char (*nodes)[64] = calloc(count, sizeof *nodes);
        uint64_t *add = calloc(count, sizeof *add), *rem = calloc(count, sizeof *rem),
                 *peer_add = calloc(count, sizeof *peer_add);
        if (!u || !nodes || !add || !rem || !peer_add)
                hkb_die("out of memory");

        if (hkb_proc_stat(pid, &st) < 0)
                hkb_die("no process %d", (int) pid);
        long long base_fds = st.fds;
        printf("{\"kind\":\"baseline\",\"fds\":%lld,\"rss_kib\":%lld,", st.fds, st.rss_kib);
        print_fds(pid);
        printf("}\n");
        fflush(stdout);

        for (unsigned r = 1; r <= rounds; r++) {
                unsigned timeouts = 0;
                char name[64];

                hkb_proc_stat(pid, &a);
                for (unsigned i = 0; i < count; i++) {
                        snprintf(name, sizeof name, "hotkeyd-bench-hotplug-%u", i + 1);
                        uint64_t t0 = hkb_now_us();
                        u[i] = hkb_keyboard_new(name, keys, HKB_ELEMENTSOF(keys));
                        const char *node = libevdev_uinput_get_devnode(u[i]);
                        snprintf(nodes[i], sizeof nodes[i], "%s", node ?: "?");
                        wait_both(pid, peer, nodes[i], t0, &add[i], &peer_add[i], &timeouts, &peer_misses);
                }
                hkb_proc_stat(pid, &b);
                long long add_cpu = b.runtime_ns - a.runtime_ns;

                a = b;
                for (unsigned i = 0; i < count; i++) {
                        uint64_t t0 = hkb_now_us();
                        libevdev_uinput_destroy(u[i]);
                        rem[i] = wait_open(pid, nodes[i], false, t0, &timeouts);
                }
                hkb_proc_stat(pid, &b);
                long long rem_cpu = b.runtime_ns - a.runtime_ns;

                /* Until the fd count is back at the baseline (at most 30 s). */
                uint64_t t_settle = hkb_now_us();
                while (hkb_proc_fds(pid) > base_fds && hkb_now_us() - t_settle < 30 * 1000000ull)
                        hkb_sleep_us(10000);
                uint64_t settle_us = hkb_now_us() - t_settle;
                hkb_sleep_us(2000000);
                hkb_proc_stat(pid, &st);
                printf("{\"kind\":\"round\",\"round\":%u,", r);
                print_list("add_us", add, count);
                print_list("remove_us", rem, count);
                if (peer > 0) {
                        /* 0: not opened within PEER_TIMEOUT_US, or no longer waited for. */
                        print_list("peer_add_us", peer_add, count);
                        printf("\"peer_misses\":%u,", peer_misses);
                }
                printf("\"add_cpu_ns\":%lld,\"remove_cpu_ns\":%lld,\"fds\":%lld,\"rss_kib\":%lld,\"timeouts\":%u,\"settle_us\":%llu,",
                       add_cpu, rem_cpu, st.fds, st.rss_kib, timeouts, (unsigned long long) settle_us);
                print_fds(pid);
                printf("}\n");
                fflush(stdout);
        }
        return EXIT_SUCCESS;
}
