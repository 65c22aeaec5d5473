/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the benchmark helpers share: clocks, uinput devices made with
 * libevdev, and the /proc figures of a daemon. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libevdev/libevdev.h>
#include <libevdev/libevdev-uinput.h>

#define HKB_ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* CLOCK_MONOTONIC in microseconds. */
uint64_t hkb_now_us(void);
void hkb_sleep_until_us(uint64_t t);
void hkb_sleep_us(uint64_t us);

_Noreturn void hkb_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A keyboard with the given key codes (no EV_REP: no autorepeat). */
struct libevdev_uinput *hkb_keyboard_new(const char *name, const unsigned *keys, size_t n_keys);
/* A relative mouse: REL_X, REL_Y, BTN_LEFT/RIGHT. */
struct libevdev_uinput *hkb_mouse_new(const char *name);
/* One frame (the event and SYN_REPORT) in one write(). */
void hkb_emit(struct libevdev_uinput *u, unsigned type, unsigned code, int value);

/* The device's own event node read with CLOCK_MONOTONIC timestamps, so the
 * kernel's time of an event can be compared with our clock. */
struct libevdev *hkb_reader_new(struct libevdev_uinput *u);
/* Waits (up to timeout_us) for EV_KEY code with value on the reader;
 * returns its kernel timestamp in µs, 0 on timeout. */
uint64_t hkb_reader_wait_key(struct libevdev *r, unsigned code, int value, uint64_t timeout_us);

/* Figures of a process from /proc (negative on errors). */
typedef struct HkbProcStat {
        long long utime_ticks, stime_ticks;   /* /proc/PID/stat, USER_HZ */
        long long runtime_ns;                 /* /proc/PID/schedstat: time on the CPU */
        long long voluntary_ctxt, nonvoluntary_ctxt;  /* /proc/PID/status */
        long long rss_kib;                    /* VmRSS */
        long long fds;                        /* entries of /proc/PID/fd */
} HkbProcStat;

int hkb_proc_stat(pid_t pid, HkbProcStat *ret);
long long hkb_proc_fds(pid_t pid);
/* How many of the process's fds point to path (also once it is deleted). */
int hkb_proc_has_open(pid_t pid, const char *path);
/* Calls fn with what each open fd of pid points to. */
int hkb_proc_foreach_fd(pid_t pid, void (*fn)(const char *target, void *userdata), void *userdata);
