/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-hold: "acting on time".
 *
 *   hkb-hold [--seats K] [--holds N] [--hold-ms MS] [--gap-ms MS]
 *            [--logind-holds M] [--logind-hold-ms MS] [--logind-gap-ms MS]
 *            -- HOTKEYD [ARGS...]
 *
 * Creates K uinput keyboards with KEY_POWER, named hotkeyd-bench-hold-1..K
 * (the caller's udev rule puts each on a seat of its own: hotkeyd keeps key
 * state per seat, so holds on one seat would merge), and, with M > 0, one
 * keyboard with KEY_RESTART named hotkeyd-bench-restart (seat0) for logind's
 * long press.  Starts HOTKEYD (hotkeyd --dry-run with the benchmark's
 * configuration) with its stdout on a pipe, waits until it has every
 * KEY_POWER keyboard open, then holds KEY_POWER N times in all, the seats
 * staggered evenly over one period (hold + gap), and KEY_RESTART M times.
 *
 * The time of a key-down is the kernel's timestamp of the event, read from
 * the device's own event node with CLOCK_MONOTONIC (libevdev_set_clock_id);
 * hotkeyd's act is the moment its "trigger ... seat=SEAT" line is read from
 * the pipe, stamped with CLOCK_MONOTONIC.  One JSON object per line:
 *   {"kind":"hotkeyd","seat":"seat-bench1","down_us":...,"act_us":...}
 *     act_us 0: no trigger line before the release
 *   {"kind":"logind","down_us":...,"up_us":...}
 *   {"kind":"line","us":...,"text":"..."}  hotkeyd's other lines (hold-cancel etc.)
 * The caller computes the delays (act - down - HoldSec) and matches logind's
 * journal entries to the logind presses. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/input.h>

#include "hkb-util.h"

#define MAX_SEATS 64

typedef struct Key {
        struct libevdev_uinput *u;
        struct libevdev *reader;
        char seat[32];
        bool down;
        uint64_t next_us;       /* next press or release */
        uint64_t down_us;       /* kernel time of the current press */
        uint64_t act_us;
} Key;

static unsigned arg_seats = 4, arg_holds = 200, arg_hold_ms = 3300, arg_gap_ms = 400;
static unsigned arg_logind_holds = 0, arg_logind_hold_ms = 5600, arg_logind_gap_ms = 600;

static unsigned parse_uint(const char *s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);

        if (!*s || *end || v > 1000000)
                hkb_die("invalid number '%s'", s);
        return (unsigned) v;
}

static void parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "seats", required_argument, NULL, 's' },
                { "holds", required_argument, NULL, 'n' },
                { "hold-ms", required_argument, NULL, 'h' },
                { "gap-ms", required_argument, NULL, 'g' },
                { "logind-holds", required_argument, NULL, 'N' },
                { "logind-hold-ms", required_argument, NULL, 'H' },
                { "logind-gap-ms", required_argument, NULL, 'G' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's': arg_seats = parse_uint(optarg); break;
                case 'n': arg_holds = parse_uint(optarg); break;
                case 'h': arg_hold_ms = parse_uint(optarg); break;
                case 'g': arg_gap_ms = parse_uint(optarg); break;
                case 'N': arg_logind_holds = parse_uint(optarg); break;
                case 'H': arg_logind_hold_ms = parse_uint(optarg); break;
                case 'G': arg_logind_gap_ms = parse_uint(optarg); break;
                default: exit(EXIT_FAILURE);
                }
        if (optind >= argc)
                hkb_die("usage: hkb-hold [OPTIONS] -- HOTKEYD [ARGS...]");
        if (arg_seats < 1 || arg_seats > MAX_SEATS)
                hkb_die("--seats must be 1..%d", MAX_SEATS);
}

static pid_t spawn(char **argv, int *ret_fd) {
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                hkb_die("pipe: %m");
        pid = fork();
        if (pid < 0)
                hkb_die("fork: %m");
        if (pid == 0) {
                dup2(p[1], STDOUT_FILENO);
                execv(argv[0], argv);
                fprintf(stderr, "hkb-hold: cannot run %s: %m\n", argv[0]);
                _exit(127);
        }
        close(p[1]);
        *ret_fd = p[0];
        return pid;
}

static void json_line(const char *kind, const char *text, uint64_t us) {
        printf("{\"kind\":\"%s\",\"us\":%llu,\"text\":\"", kind, (unsigned long long) us);
        for (const char *c = text; *c; c++)
                if (*c == '"' || *c == '\\')
                        printf("\\%c", *c);
                else if ((unsigned char) *c >= 0x20)
                        putchar(*c);
        printf("\"}\n");
}

int main(int argc, char *argv[]) {
        static const unsigned power[] = { KEY_POWER }, restart[] = { KEY_RESTART };
        Key keys[MAX_SEATS] = {}, logind = {};
        char name[64], buf[8192];
        size_t buffered = 0;
        unsigned started = 0, finished = 0, logind_started = 0, logind_done = 0;
        int out;

        parse_argv(argc, argv);
        signal(SIGPIPE, SIG_IGN);

        for (unsigned i = 0; i < arg_seats; i++) {
                snprintf(name, sizeof name, "hotkeyd-bench-hold-%u", i + 1);
                snprintf(keys[i].seat, sizeof keys[i].seat, "seat-bench%u", i + 1);
                keys[i].u = hkb_keyboard_new(name, power, 1);
                keys[i].reader = hkb_reader_new(keys[i].u);
        }
        if (arg_logind_holds > 0) {
                logind.u = hkb_keyboard_new("hotkeyd-bench-restart", restart, 1);
                logind.reader = hkb_reader_new(logind.u);
        }
        if (system("udevadm settle --timeout=60") != 0)
                hkb_die("udevadm settle failed");

        pid_t pid = spawn(argv + optind, &out);
        uint64_t deadline = hkb_now_us() + 60 * 1000000u;
        for (unsigned i = 0; i < arg_seats; i++)
                while (hkb_proc_has_open(pid, libevdev_uinput_get_devnode(keys[i].u)) <= 0) {
                        if (hkb_now_us() > deadline || waitpid(pid, NULL, WNOHANG) != 0)
                                hkb_die("hotkeyd did not open %s within 60 s", libevdev_uinput_get_devnode(keys[i].u));
                        hkb_sleep_us(10000);
                }

        uint64_t t0 = hkb_now_us() + 500000, period = (arg_hold_ms + arg_gap_ms) * 1000ull;
        for (unsigned i = 0; i < arg_seats; i++)
                keys[i].next_us = t0 + i * period / arg_seats;
        logind.next_us = t0 + period / (2 * arg_seats);

        while (finished < arg_holds || logind_done < arg_logind_holds) {
                uint64_t next = UINT64_MAX, now;

                for (unsigned i = 0; i < arg_seats; i++)
                        if (keys[i].down || started < arg_holds)
                                next = keys[i].next_us < next ? keys[i].next_us : next;
                if (logind.down || logind_started < arg_logind_holds)
                        next = logind.next_us < next ? logind.next_us : next;

                now = hkb_now_us();
                if (next > now) {
                        struct pollfd p = { .fd = out, .events = POLLIN };
                        uint64_t wait = next - now;
                        struct timespec ts = { .tv_sec = wait / 1000000u, .tv_nsec = (wait % 1000000u) * 1000u };
                        int r = ppoll(&p, 1, &ts, NULL);

                        if (r < 0 && errno != EINTR)
                                hkb_die("ppoll: %m");
                        if (r > 0) {
                                uint64_t stamp = hkb_now_us();
                                ssize_t n = read(out, buf + buffered, sizeof buf - 1 - buffered);
                                if (n <= 0)
                                        hkb_die("hotkeyd ended (its stdout closed)");
                                buffered += (size_t) n;
                                buf[buffered] = 0;
                                char *line = buf, *nl;
                                while ((nl = strchr(line, '\n'))) {
                                        *nl = 0;
                                        const char *s = strstr(line, " seat=");
                                        bool handled = false;
                                        if (strncmp(line, "trigger ", 8) == 0 && s)
                                                for (unsigned i = 0; i < arg_seats; i++) {
                                                        size_t l = strlen(keys[i].seat);
                                                        if (strncmp(s + 6, keys[i].seat, l) == 0 && (s[6 + l] == ' ' || !s[6 + l])) {
                                                                if (keys[i].down && !keys[i].act_us)
                                                                        keys[i].act_us = stamp;
                                                                handled = true;
                                                        }
                                                }
                                        if (!handled && strncmp(line, "hold-start ", 11) != 0 &&
                                            strncmp(line, "hold-progress ", 14) != 0)
                                                json_line("line", line, stamp);
                                        line = nl + 1;
                                }
                                buffered = strlen(line);
                                memmove(buf, line, buffered + 1);
                                if (buffered >= sizeof buf - 1)
                                        buffered = 0;
                        }
                        continue;
                }

                for (unsigned i = 0; i < arg_seats; i++) {
                        Key *k = &keys[i];
                        if (k->next_us > now)
                                continue;
                        if (!k->down && started < arg_holds) {
                                hkb_emit(k->u, EV_KEY, KEY_POWER, 1);
                                k->down_us = hkb_reader_wait_key(k->reader, KEY_POWER, 1, 1000000);
                                if (!k->down_us)
                                        hkb_die("our own key-down did not arrive");
                                k->act_us = 0;
                                k->down = true;
                                k->next_us += arg_hold_ms * 1000ull;
                                started++;
                        } else if (k->down) {
                                hkb_emit(k->u, EV_KEY, KEY_POWER, 0);
                                (void) hkb_reader_wait_key(k->reader, KEY_POWER, 0, 1000000);
                                k->down = false;
                                k->next_us += arg_gap_ms * 1000ull;
                                printf("{\"kind\":\"hotkeyd\",\"seat\":\"%s\",\"down_us\":%llu,\"act_us\":%llu}\n",
                                       k->seat, (unsigned long long) k->down_us, (unsigned long long) k->act_us);
                                fflush(stdout);
                                finished++;
                        }
                }
                if (logind.u && logind.next_us <= now) {
                        if (!logind.down && logind_started < arg_logind_holds) {
                                hkb_emit(logind.u, EV_KEY, KEY_RESTART, 1);
                                logind.down_us = hkb_reader_wait_key(logind.reader, KEY_RESTART, 1, 1000000);
                                logind.down = true;
                                logind.next_us += arg_logind_hold_ms * 1000ull;
                                logind_started++;
                        } else if (logind.down) {
                                hkb_emit(logind.u, EV_KEY, KEY_RESTART, 0);
                                uint64_t up = hkb_reader_wait_key(logind.reader, KEY_RESTART, 0, 1000000);
                                logind.down = false;
                                logind.next_us += arg_logind_gap_ms * 1000ull;
                                printf("{\"kind\":\"logind\",\"down_us\":%llu,\"up_us\":%llu}\n",
                                       (unsigned long long) logind.down_us, (unsigned long long) up);
                                fflush(stdout);
                                logind_done++;
                        }
                }
        }

        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        for (unsigned i = 0; i < arg_seats; i++) {
                libevdev_free(keys[i].reader);
                libevdev_uinput_destroy(keys[i].u);
        }
        if (logind.u) {
                libevdev_free(logind.reader);
                libevdev_uinput_destroy(logind.u);
        }
        return EXIT_SUCCESS;
}
