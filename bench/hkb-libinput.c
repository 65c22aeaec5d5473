/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hkb-libinput: what a libinput path context on hotkeyd's devices costs.
 *
 *   hkb-libinput [--mask-keys KEY,...] [DEVICE...]
 *
 * The comparison for docs/ARCHITECTURE.md's "libevdev, not libinput": a
 * libinput path context (libinput_path_create_context(), no seat, no udev
 * enumeration) with libinput_path_add_device() on the given event nodes
 * (the ones hotkeyd has open; none: the context alone), dispatched from a poll loop as a daemon
 * would.  Each event libinput hands out is fetched and destroyed, nothing
 * else.
 *
 * Once every device is added and the first libinput_dispatch() is done it
 * sends READY=1 to $NOTIFY_SOCKET when set (so hkb-startup times exec ->
 * ready exactly as it times hotkeyd: stamped in the child before execv()),
 * otherwise it prints "ready" on stdout.  On stderr, like hotkeyd --timing,
 * the steps from main() on CLOCK_MONOTONIC:
 *   libinput: context 1.234 ms
 *   libinput: devices 2.345 ms
 *   libinput: dispatch 2.400 ms
 * (each the time since main()).  Then it stays running (smaps_rollup and
 * context switches are read from outside) until SIGTERM/SIGINT, and prints
 * "libinput: events N" on stderr.
 *
 * --mask-keys: open_restricted() applies hotkeyd's EVIOCSMASK (only these
 * EV_KEY codes and SYN reach the fd): what libinput would cost if hotkeyd
 * opened the fds for it, as it would have to for the mask. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/input.h>

#include <libinput.h>

#include "hkb-util.h"

static unsigned long mask_bits[KEY_CNT / (8 * sizeof(unsigned long)) + 1];
static bool mask;

/* hotkeyd's mask (hotkeyd/daemon/input.c): every type but SYN filtered,
 * EV_KEY but for the given codes. */
static void apply_mask(int fd, const char *path) {
        static const unsigned types[] = { EV_KEY, EV_REL, EV_ABS, EV_MSC, EV_SW, EV_LED, EV_SND, EV_FF };

        for (size_t i = 0; i < HKB_ELEMENTSOF(types); i++) {
                struct input_mask m = {
                        .type = types[i],
                        .codes_size = types[i] == EV_KEY ? sizeof mask_bits : 0,
                        .codes_ptr = (uint64_t) (uintptr_t) mask_bits,
                };
                if (ioctl(fd, EVIOCSMASK, &m) < 0)
                        hkb_die("EVIOCSMASK on %s: %m", path);
        }
}

static int open_restricted(const char *path, int flags, void *userdata) {
        int fd = open(path, flags | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (mask)
                apply_mask(fd, path);
        return fd;
}

static void close_restricted(int fd, void *userdata) {
        close(fd);
}

static const struct libinput_interface interface = {
        .open_restricted = open_restricted,
        .close_restricted = close_restricted,
};

static void notify_ready(void) {
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (!path) {
                printf("ready\n");
                fflush(stdout);
                return;
        }
        size_t n = strlen(path);
        if (n >= sizeof sa.sun_path)
                hkb_die("NOTIFY_SOCKET too long");
        memcpy(sa.sun_path, path, n);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                hkb_die("socket: %m");
        if (sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *) &sa,
                   (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n)) < 0)
                hkb_die("sendto %s: %m", path);
        close(fd);
}

static unsigned long long drain(struct libinput *li) {
        struct libinput_event *ev;
        unsigned long long n = 0;

        while ((ev = libinput_get_event(li))) {
                libinput_event_destroy(ev);
                n++;
        }
        return n;
}

static void step(const char *name, uint64_t since) {
        uint64_t us = hkb_now_us() - since;
        fprintf(stderr, "libinput: %s %llu.%03llu ms\n", name,
                (unsigned long long) (us / 1000), (unsigned long long) (us % 1000));
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "mask-keys", required_argument, NULL, 'm' },
                {}
        };
        uint64_t t_main = hkb_now_us();
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'm':
                        mask = true;
                        for (char *s = strtok(optarg, ","); s; s = strtok(NULL, ",")) {
                                int code = libevdev_event_code_from_name(EV_KEY, s);
                                if (code < 0)
                                        hkb_die("unknown key: %s", s);
                                mask_bits[code / (8 * sizeof(unsigned long))] |= 1UL << (code % (8 * sizeof(unsigned long)));
                        }
                        break;
                default:
                        return EXIT_FAILURE;
                }
        /* SIGTERM through the loop, so the count is printed. */
        sigset_t ss;
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigprocmask(SIG_BLOCK, &ss, NULL);
        int sfd = signalfd(-1, &ss, SFD_CLOEXEC);
        if (sfd < 0)
                hkb_die("signalfd: %m");

        struct libinput *li = libinput_path_create_context(&interface, NULL);
        if (!li)
                hkb_die("libinput_path_create_context failed");
        step("context", t_main);
        for (int i = optind; i < argc; i++)
                if (!libinput_path_add_device(li, argv[i]))
                        hkb_die("libinput_path_add_device %s failed", argv[i]);
        step("devices", t_main);
        if (libinput_dispatch(li) < 0)
                hkb_die("libinput_dispatch: %m");
        unsigned long long events = drain(li);
        step("dispatch", t_main);
        notify_ready();

        struct pollfd p[2] = {
                { .fd = libinput_get_fd(li), .events = POLLIN },
                { .fd = sfd, .events = POLLIN },
        };
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        hkb_die("poll: %m");
                }
                if (p[1].revents)
                        break;
                if (libinput_dispatch(li) < 0)
                        hkb_die("libinput_dispatch: %m");
                events += drain(li);
        }
        fprintf(stderr, "libinput: events %llu\n", events);
        libinput_unref(li);
        return EXIT_SUCCESS;
}
