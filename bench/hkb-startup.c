/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-startup: time from exec to READY=1, and the footprint right after.
 *
 *   hkb-startup [--runs N] [--pause-ms MS] [--until-status TEXT] [--settle-ms MS] -- HOTKEYD [ARGS...]
 *
 * Each run waits --pause-ms first (so that what the run before set off,
 * the bus's and journald's work, a socket-activated service's exit, is
 * over and not counted in this one's start), binds its own NOTIFY_SOCKET, forks, stamps CLOCK_MONOTONIC in
 * the child immediately before execv() (into shared memory), and stamps
 * again when the datagram with READY=1 arrives.  With --until-status it
 * also waits for a STATUS= that starts with TEXT (hotkeyd says "Watching"
 * once its input devices are open, after READY=1) and stamps it.  After
 * --settle-ms more it reads the daemon's VmRSS, its Pss and private dirty
 * memory (smaps_rollup) and its open fds, sends SIGTERM and reaps it.  The
 * daemon's stderr is ours (hotkeyd --timing prints its steps there, one
 * block per run, in order).  One JSON object per run (status_us -1 without
 * --until-status):
 *   {"run":1,"ready_us":...,"status_us":...,"rss_kib":...,"pss_kib":...,"private_dirty_kib":...,"fds":...,
 *    "exit":0} */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hkb-util.h"

/* A field of /proc/PID/smaps_rollup in KiB, -1 when missing. */
static long long smaps_rollup(pid_t pid, const char *field) {
        char path[64], line[256];
        long long v = -1;
        size_t n = strlen(field);

        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, field, n) == 0 && line[n] == ':') {
                        v = strtoll(line + n + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return v;
}

/* A notification datagram (newline-separated assignments) with a STATUS=
 * that starts with prefix. */
static bool has_status(const char *msg, const char *prefix) {
        for (const char *line = msg; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (strncmp(line, "STATUS=", 7) == 0 && strncmp(line + 7, prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "runs", required_argument, NULL, 'r' },
                { "settle-ms", required_argument, NULL, 's' },
                { "until-status", required_argument, NULL, 'u' },
                { "pause-ms", required_argument, NULL, 'p' },
                {}
        };
        unsigned runs = 20, settle_ms = 300, pause_ms = 0;
        const char *until_status = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r': runs = (unsigned) strtoul(optarg, NULL, 10); break;
                case 's': settle_ms = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'u': until_status = optarg; break;
                case 'p': pause_ms = (unsigned) strtoul(optarg, NULL, 10); break;
                default: return EXIT_FAILURE;
                }
        if (optind >= argc)
                hkb_die("usage: hkb-startup [--runs N] [--pause-ms MS] [--until-status TEXT] [--settle-ms MS] -- "
                        "HOTKEYD [ARGS...]");

        uint64_t *exec_us = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (exec_us == MAP_FAILED)
                hkb_die("mmap: %m");

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "/run/hkb-startup-%d.sock", (int) getpid());

        for (unsigned run = 1; run <= runs; run++) {
                hkb_sleep_us(pause_ms * 1000ull);
                int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        hkb_die("socket: %m");
                unlink(sa.sun_path);
                if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                        hkb_die("bind %s: %m", sa.sun_path);
                *exec_us = 0;

                pid_t pid = fork();
                if (pid < 0)
                        hkb_die("fork: %m");
                if (pid == 0) {
                        setenv("NOTIFY_SOCKET", sa.sun_path, 1);
                        *exec_us = hkb_now_us();
                        execv(argv[optind], argv + optind);
                        _exit(127);
                }

                uint64_t ready = 0, status_seen = 0, deadline = hkb_now_us() + 30 * 1000000u;
                while (!ready || (until_status && !status_seen)) {
                        uint64_t now = hkb_now_us();
                        if (now > deadline)
                                break;
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        if (poll(&p, 1, (int) ((deadline - now) / 1000 + 1)) <= 0)
                                continue;
                        char msg[4096];
                        ssize_t n = recv(fd, msg, sizeof msg - 1, 0);
                        uint64_t stamp = hkb_now_us();
                        if (n < 0)
                                continue;
                        msg[n] = 0;
                        if (strncmp(msg, "READY=1", 7) == 0 || strstr(msg, "\nREADY=1"))
                                ready = stamp;
                        if (ready && until_status && !status_seen && has_status(msg, until_status))
                                status_seen = stamp;
                }

                hkb_sleep_us(settle_ms * 1000ull);
                HkbProcStat st;
                if (hkb_proc_stat(pid, &st) < 0)
                        st = (HkbProcStat) { .rss_kib = -1, .fds = -1 };
                long long pss = smaps_rollup(pid, "Pss"), dirty = smaps_rollup(pid, "Private_Dirty");
                kill(pid, SIGTERM);
                int status = 0;
                waitpid(pid, &status, 0);
                close(fd);
                unlink(sa.sun_path);

                printf("{\"run\":%u,\"ready_us\":%lld,\"status_us\":%lld,\"rss_kib\":%lld,\"pss_kib\":%lld,\"private_dirty_kib\":%lld,"
                       "\"fds\":%lld,\"exit\":%d}\n", run,
                       ready ? (long long) (ready - *exec_us) : -1LL,
                       status_seen ? (long long) (status_seen - *exec_us) : -1LL, st.rss_kib, pss, dirty, st.fds,
                       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                fflush(stdout);
        }
        return EXIT_SUCCESS;
}
