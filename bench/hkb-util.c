/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/input.h>

#include "hkb-util.h"

uint64_t hkb_now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

void hkb_sleep_until_us(uint64_t t) {
        struct timespec ts = { .tv_sec = t / 1000000u, .tv_nsec = (t % 1000000u) * 1000u };

        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

void hkb_sleep_us(uint64_t us) {
        hkb_sleep_until_us(hkb_now_us() + us);
}

void hkb_die(const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s: ", program_invocation_short_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(EXIT_FAILURE);
}

static struct libevdev_uinput *create(struct libevdev *dev) {
        struct libevdev_uinput *u;
        int r;

        r = libevdev_uinput_create_from_device(dev, LIBEVDEV_UINPUT_OPEN_MANAGED, &u);
        if (r < 0)
                hkb_die("cannot create uinput device %s: %s (is the uinput module loaded?)",
                        libevdev_get_name(dev), strerror(-r));
        libevdev_free(dev);
        return u;
}

struct libevdev_uinput *hkb_keyboard_new(const char *name, const unsigned *keys, size_t n_keys) {
        struct libevdev *dev = libevdev_new();

        libevdev_set_name(dev, name);
        libevdev_set_id_bustype(dev, BUS_VIRTUAL);
        libevdev_set_id_vendor(dev, 0x1d6b);
        libevdev_set_id_product(dev, 0x0b0c);
        libevdev_enable_event_type(dev, EV_KEY);
        for (size_t i = 0; i < n_keys; i++)
                libevdev_enable_event_code(dev, EV_KEY, keys[i], NULL);
        return create(dev);
}

struct libevdev_uinput *hkb_mouse_new(const char *name) {
        struct libevdev *dev = libevdev_new();

        libevdev_set_name(dev, name);
        libevdev_set_id_bustype(dev, BUS_VIRTUAL);
        libevdev_set_id_vendor(dev, 0x1d6b);
        libevdev_set_id_product(dev, 0x0b0d);
        libevdev_enable_event_type(dev, EV_REL);
        libevdev_enable_event_code(dev, EV_REL, REL_X, NULL);
        libevdev_enable_event_code(dev, EV_REL, REL_Y, NULL);
        libevdev_enable_event_type(dev, EV_KEY);
        libevdev_enable_event_code(dev, EV_KEY, BTN_LEFT, NULL);
        libevdev_enable_event_code(dev, EV_KEY, BTN_RIGHT, NULL);
        return create(dev);
}

void hkb_emit(struct libevdev_uinput *u, unsigned type, unsigned code, int value) {
        struct input_event ev[2] = {
                { .type = type, .code = code, .value = value },
                { .type = EV_SYN, .code = SYN_REPORT, .value = 0 },
        };
        ssize_t n;

        do
                n = write(libevdev_uinput_get_fd(u), ev, sizeof ev);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) sizeof ev)
                hkb_die("uinput write: %s", n < 0 ? strerror(errno) : "short write");
}

struct libevdev *hkb_reader_new(struct libevdev_uinput *u) {
        const char *node = NULL;
        struct libevdev *r;
        int fd = -1, e;

        /* The node appears (devtmpfs) right after UI_DEV_CREATE; allow a little. */
        for (int i = 0; i < 2000 && fd < 0; i++) {
                node = libevdev_uinput_get_devnode(u);
                if (node)
                        fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0)
                        hkb_sleep_us(1000);
        }
        if (fd < 0)
                hkb_die("cannot open the event node of our uinput device: %s", node ?: "no node");
        e = libevdev_new_from_fd(fd, &r);
        if (e < 0)
                hkb_die("libevdev_new_from_fd(%s): %s", node, strerror(-e));
        e = libevdev_set_clock_id(r, CLOCK_MONOTONIC);
        if (e < 0)
                hkb_die("libevdev_set_clock_id(CLOCK_MONOTONIC): %s", strerror(-e));
        return r;
}

uint64_t hkb_reader_wait_key(struct libevdev *r, unsigned code, int value, uint64_t timeout_us) {
        uint64_t deadline = hkb_now_us() + timeout_us;

        for (;;) {
                struct input_event ev;
                int rc = libevdev_next_event(r, LIBEVDEV_READ_FLAG_NORMAL, &ev);

                if (rc == LIBEVDEV_READ_STATUS_SYNC) {
                        while (rc == LIBEVDEV_READ_STATUS_SYNC)
                                rc = libevdev_next_event(r, LIBEVDEV_READ_FLAG_SYNC, &ev);
                        continue;
                }
                if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
                        if (ev.type == EV_KEY && ev.code == code && ev.value == value)
                                return (uint64_t) ev.input_event_sec * 1000000u + (uint64_t) ev.input_event_usec;
                        continue;
                }
                if (rc != -EAGAIN)
                        hkb_die("reading our own event node: %s", strerror(-rc));
                uint64_t now = hkb_now_us();
                if (now >= deadline)
                        return 0;
                struct pollfd p = { .fd = libevdev_get_fd(r), .events = POLLIN };
                (void) poll(&p, 1, (int) ((deadline - now + 999) / 1000));
        }
}

static int read_file(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return 0;
}

static long long status_field(const char *status, const char *field) {
        const char *p = strstr(status, field);

        return p ? strtoll(p + strlen(field), NULL, 10) : -1;
}

long long hkb_proc_fds(pid_t pid) {
        char path[64];
        struct dirent *de;
        long long n = 0;
        DIR *d;

        snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

int hkb_proc_foreach_fd(pid_t pid, void (*fn)(const char *target, void *userdata), void *userdata) {
        char path[64], link[320], dest[300];
        struct dirent *de;
        DIR *d;

        snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                snprintf(link, sizeof link, "%s/%s", path, de->d_name);
                ssize_t l = readlink(link, dest, sizeof dest - 1);
                if (l < 0)
                        continue;
                dest[l] = 0;
                fn(dest, userdata);
        }
        closedir(d);
        return 0;
}

struct has_open {
        const char *target;
        int n;
};

static void count_if_open(const char *dest, void *userdata) {
        struct has_open *h = userdata;
        size_t tl = strlen(h->target);

        /* A node removed while open reads "PATH (deleted)": still open. */
        if (strncmp(dest, h->target, tl) == 0 && (!dest[tl] || strcmp(dest + tl, " (deleted)") == 0))
                h->n++;
}

int hkb_proc_has_open(pid_t pid, const char *target) {
        struct has_open h = { .target = target };
        int r = hkb_proc_foreach_fd(pid, count_if_open, &h);

        return r < 0 ? r : h.n;
}

int hkb_proc_stat(pid_t pid, HkbProcStat *ret) {
        char path[64], buf[8192];
        int r;

        *ret = (HkbProcStat) {};

        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        r = read_file(path, buf, sizeof buf);
        if (r < 0)
                return r;
        /* After the ")" of comm: field 3 is state; utime and stime are 14 and 15. */
        char *p = strrchr(buf, ')');
        if (!p)
                return -EBADMSG;
        p += 2;
        for (int field = 3; field < 14; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EBADMSG;
                p++;
        }
        ret->utime_ticks = strtoll(p, &p, 10);
        ret->stime_ticks = strtoll(p, &p, 10);

        snprintf(path, sizeof path, "/proc/%d/schedstat", (int) pid);
        r = read_file(path, buf, sizeof buf);
        ret->runtime_ns = r < 0 ? -1 : strtoll(buf, NULL, 10);

        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        r = read_file(path, buf, sizeof buf);
        if (r < 0)
                return r;
        ret->voluntary_ctxt = status_field(buf, "\nvoluntary_ctxt_switches:");
        ret->nonvoluntary_ctxt = status_field(buf, "\nnonvoluntary_ctxt_switches:");
        ret->rss_kib = status_field(buf, "\nVmRSS:");
        ret->fds = hkb_proc_fds(pid);
        return 0;
}
