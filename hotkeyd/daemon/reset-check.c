/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-varlink.h>

#include "conf-search.h"
#include "erase.h"
#include "log.h"
#include "messages.h"
#include "reset-check.h"
#include "support-check.h"
#include "time-util.h"

#define VARIABLE_PATH EFIVARFS_DIR "/" RESET_RECORD_VARIABLE
/* EFI_VARIABLE_NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS */
#define EFI_ATTRIBUTES UINT32_C(0x7)
/* Firmware variable stores are small; a record is a few hundred bytes. */
#define VARIABLE_MAX (16 * 1024)
#define LAST_FILE_MAX (64 * 1024)
#define VARLINK_TIMEOUT_USEC (10 * USEC_PER_SEC)

static int boot_id_string(char ret[static 33]) {
        sd_id128_t id;
        int r;

        r = sd_id128_get_boot(&id);
        if (r < 0)
                return log_error_errno(r, "Failed to read this boot's ID: %m");
        sd_id128_to_string(id, ret);
        return 0;
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/* The partitions a reset erases now, from the same definitions and udev
 * look-ups as the daemon's ErasedPartitions. */
static int partitions_now(ResetRecordPartition **ret, size_t *ret_n) {
        EraseState s = {};
        ResetRecordPartition *l = NULL;
        size_t n = 0;
        int r = 0;

        (void) erase_refresh(&s, NULL, false);
        if (!s.read) {
                erase_state_done(&s);
                return log_error_errno(-EIO, "Failed to read the repart.d definitions; no record made.");
        }
        if (s.n_partitions > 0) {
                l = calloc(s.n_partitions, sizeof *l);
                if (!l)
                        r = -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < s.n_partitions; i++) {
                ErasedPartition *e = &s.partitions[i];
                l[n] = (ResetRecordPartition) {
                        .name = strdup(base_name(e->file)),
                        .mount_point = TAKE_PTR(e->mount_point),
                        /* No device now: nothing to compare with, whatever udev said. */
                        .part_uuid = e->device ? TAKE_PTR(e->part_uuid) : NULL,
                        .fs_uuid = e->device ? TAKE_PTR(e->fs_uuid) : NULL,
                };
                if (!l[n++].name)
                        r = -ENOMEM;
        }
        erase_state_done(&s);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        reset_record_partition_done(&l[i]);
                free(l);
                return log_oom();
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

static void partitions_free(ResetRecordPartition *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                reset_record_partition_done(&l[i]);
        free(l);
}

/* The variable's data without efivarfs' 4 attribute bytes; -ENOENT. */
static int variable_read(char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(VARIABLE_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;

        if (fd < 0)
                return -errno;
        buf = malloc(VARIABLE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + size, VARIABLE_MAX + 1 - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > VARIABLE_MAX)
                        return -EFBIG;
        }
        if (size < 4)
                return -EBADMSG;
        memmove(buf, buf + 4, size - 4);
        buf[size - 4] = 0;
        *ret_size = size - 4;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* efivarfs marks variables it does not know immutable: lift that first
 * (CAP_LINUX_IMMUTABLE).  A file system without the flag has nothing to lift. */
static int variable_delete(void) {
        _cleanup_close_ int fd = open(VARIABLE_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        int flags;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
                if (!IN_SET(errno, ENOTTY, EOPNOTSUPP, ENOSYS, EINVAL))
                        return -errno;
        } else if (flags & FS_IMMUTABLE_FL) {
                flags &= ~FS_IMMUTABLE_FL;
                if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
                        return -errno;
        }
        if (unlink(VARIABLE_PATH) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int variable_write(const char *text) {
        size_t n = strlen(text);
        _cleanup_free_ char *buf = malloc(4 + n);
        _cleanup_close_ int fd = -EBADF;
        uint32_t attr = EFI_ATTRIBUTES;

        if (!buf)
                return -ENOMEM;
        if (n > VARIABLE_MAX)
                return -EFBIG;
        memcpy(buf, &attr, 4);
        memcpy(buf + 4, text, n);

        /* Creating a variable needs no capability; replacing one would. */
        fd = open(VARIABLE_PATH, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return -errno;
        /* efivarfs takes a variable in one write. */
        ssize_t k = write(fd, buf, 4 + n);
        if (k < 0) {
                int r = -errno;
                (void) unlink(VARIABLE_PATH);
                return r;
        }
        if ((size_t) k != 4 + n) {
                (void) unlink(VARIABLE_PATH);
                return -EIO;
        }
        return 0;
}

static int record_load(ResetRecord *ret, bool *ret_malformed) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        size_t size = 0;
        int r;

        *ret_malformed = false;
        r = variable_read(&text, &size);
        if (r == -ENOENT)
                return 0;
        if (r == -EBADMSG || r == -EFBIG) {
                *ret_malformed = true;
                return log_struct_errno(LOG_ERR, r,
                                        LOG_MESSAGE("The record of a factory reset request in EFI variable %s "
                                                    "is malformed (%s); nothing can be said about the reset.",
                                                    RESET_RECORD_VARIABLE,
                                                    r == -EFBIG ? "too large" : "shorter than its attributes"),
                                        LOG_MESSAGE_ID(MESSAGE_ID_RESET_UNVERIFIED),
                                        "HOTKEYD_RESET_VERDICT=malformed-record");
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read EFI variable %s: %m", RESET_RECORD_VARIABLE);
        r = reset_record_parse(text, size, ret, &error);
        if (r == -EINVAL) {
                *ret_malformed = true;
                return log_struct_errno(LOG_ERR, r,
                                        LOG_MESSAGE("The record of a factory reset request in EFI variable %s "
                                                    "is malformed (%s); nothing can be said about the reset.",
                                                    RESET_RECORD_VARIABLE, error),
                                        LOG_MESSAGE_ID(MESSAGE_ID_RESET_UNVERIFIED),
                                        "HOTKEYD_RESET_VERDICT=malformed-record");
        }
        if (r < 0)
                return log_oom();
        return 1;
}

int reset_record_request(void) {
        _cleanup_(reset_record_done) ResetRecord record = {};
        _cleanup_free_ char *text = NULL;
        bool malformed;
        int r;

        r = boot_id_string(record.boot_id);
        if (r < 0)
                return r;

        /* A record of this boot's request is this request's: the same
         * partitions.  One of an earlier boot was never checked. */
        ResetRecord old = {};
        r = record_load(&old, &malformed);
        if (r > 0) {
                bool same = streq(old.boot_id, record.boot_id);
                _cleanup_free_ char *old_boot = strdup(old.boot_id);
                reset_record_done(&old);
                if (same) {
                        log_info("The factory reset requested in this boot is recorded already.");
                        return 0;
                }
                return log_error_errno(-EEXIST,
                                       "EFI variable %s holds the record of a request of boot %s, which was "
                                       "never checked; not replaced, this reset will not be verified.",
                                       RESET_RECORD_VARIABLE, strna(old_boot));
        }
        if (r < 0 || malformed)
                return r < 0 ? r : -EBADMSG;

        record.requested_usec = now_usec(CLOCK_REALTIME);
        r = partitions_now(&record.partitions, &record.n_partitions);
        if (r < 0)
                return r;
        r = reset_record_format(&record, &text);
        if (r < 0)
                return log_error_errno(r, "Failed to format the record of the factory reset: %m");
        r = variable_write(text);
        if (r < 0)
                return log_error_errno(r, "Failed to write EFI variable %s: %m", RESET_RECORD_VARIABLE);

        for (size_t i = 0; i < record.n_partitions; i++) {
                const ResetRecordPartition *p = &record.partitions[i];
                log_info("Recorded for the reset: %s%s%s, partition UUID %s, filesystem UUID %s.", p->name,
                         p->mount_point ? " on " : "", strempty(p->mount_point), strna(p->part_uuid),
                         strna(p->fs_uuid));
        }
        log_info("Recorded the %zu partition(s) the factory reset erases in EFI variable %s.", record.n_partitions,
                 RESET_RECORD_VARIABLE);
        return 0;
}

/* Whether systemd says a factory reset completed in this boot; negative
 * errno when it could not be asked. */
static int reset_ran(bool *ret) {
        _cleanup_(sd_varlink_unrefp) sd_varlink *link = NULL;
        const char *address = getenv("HOTKEYD_FACTORY_RESET_SOCKET") ?: FACTORY_RESET_VARLINK_ADDRESS;
        sd_json_variant *reply = NULL;
        const char *error_id = NULL;
        SupportAnswers a;
        int r;

        r = sd_varlink_connect_address(&link, address);
        if (r < 0)
                return r;
        (void) sd_varlink_set_relative_timeout(link, VARLINK_TIMEOUT_USEC);
        r = sd_varlink_callb(link, "io.systemd.FactoryReset.GetFactoryResetMode", &reply, &error_id,
                             SD_JSON_BUILD_EMPTY_OBJECT);
        if (r < 0)
                return r;
        support_answers_init(&a);
        r = support_answers_add_mode(&a, reply, error_id);
        if (r < 0)
                return r;
        if (a.mode < 0)
                return -EBADMSG;
        log_info("systemd's factory-reset mode in this boot: %s.", factory_reset_mode_to_string(a.mode));
        *ret = a.mode == FACTORY_RESET_MODE_COMPLETE;
        return 0;
}

int reset_last_path(char **ret) {
        const char *e = getenv("STATE_DIRECTORY");

        if (!isempty(e)) {
                /* One path per StateDirectory= entry, ':'-separated. */
                if (asprintf(ret, "%.*s/" RESET_LAST_FILE_NAME, (int) strcspn(e, ":"), e) < 0)
                        return -ENOMEM;
                return 0;
        }
        *ret = strdup(RESET_LAST_DEFAULT_DIR "/" RESET_LAST_FILE_NAME);
        return *ret ? 0 : -ENOMEM;
}

static int write_atomic(const char *path, const char *text) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_fclose_ FILE *f = NULL;

        if (asprintf(&tmp, "%s.new", path) < 0)
                return -ENOMEM;
        f = fopen(tmp, "we");
        if (!f)
                return -errno;
        if (fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
                int r = -errno ?: -EIO;
                (void) unlink(tmp);
                return r;
        }
        if (rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

static void log_outcome(const ResetOutcome *o, const char *summary) {
        bool ok = o->verdict == RESET_VERDICT_COMPLETE;
        int level = ok ? LOG_NOTICE : o->verdict == RESET_VERDICT_UNVERIFIED ? LOG_WARNING : LOG_ERR;
        const char *id = ok                                    ? MESSAGE_ID_RESET_VERIFIED :
                         o->verdict == RESET_VERDICT_UNVERIFIED ? MESSAGE_ID_RESET_UNVERIFIED :
                                                                  MESSAGE_ID_RESET_NOT_ERASED;
        char requested[64] = "";
        time_t t = (time_t) (o->requested_usec / USEC_PER_SEC);
        struct tm tm;

        if (localtime_r(&t, &tm))
                (void) strftime(requested, sizeof requested, "%Y-%m-%d %H:%M:%S %Z", &tm);
        log_struct(level,
                   LOG_MESSAGE("Factory reset requested %s: %s.", requested, summary),
                   LOG_MESSAGE_ID(id),
                   "HOTKEYD_RESET_VERDICT=%s", reset_verdict_to_string(o->verdict),
                   "HOTKEYD_RESET_REQUESTED_USEC=%" PRIu64, o->requested_usec);
        for (size_t i = 0; i < o->n_partitions; i++)
                log_full(o->partitions[i].state == RESET_PARTITION_NOT_ERASED ? LOG_ERR : LOG_INFO, 0, NULL,
                         "Factory reset: %s (%s): %s.", reset_outcome_partition_display(&o->partitions[i]),
                         o->partitions[i].name, reset_partition_state_to_string(o->partitions[i].state));
}

int reset_check_boot(void) {
        _cleanup_(reset_record_done) ResetRecord record = {};
        _cleanup_(reset_outcome_done) ResetOutcome outcome = {};
        _cleanup_free_ char *text = NULL, *summary = NULL, *path = NULL;
        ResetRecordPartition *now = NULL;
        size_t n_now = 0;
        char boot_id[33];
        bool malformed, ran = true;
        int r;

        r = record_load(&record, &malformed);
        if (malformed) {
                /* Kept, it would fail every boot and block the next record. */
                int k = variable_delete();
                if (k < 0)
                        log_error_errno(k, "Failed to remove EFI variable %s: %m", RESET_RECORD_VARIABLE);
                return r;
        }
        if (r < 0)
                return r;
        if (r == 0) {
                log_info("No factory reset request was recorded; nothing to check.");
                return 0;
        }

        r = boot_id_string(boot_id);
        if (r < 0)
                return r;
        if (streq(record.boot_id, boot_id)) {
                log_info("The factory reset was requested in this boot; it is checked at the next.");
                return 0;
        }

        r = reset_ran(&ran);
        if (r < 0) {
                /* The UUIDs are the evidence; systemd's word only adds to it. */
                log_warning_errno(r, "Failed to ask systemd whether the factory reset ran, judging by the "
                                     "partitions alone: %m");
                ran = true;
        }

        r = partitions_now(&now, &n_now);
        if (r < 0)
                return r;
        r = reset_outcome_compare(&record, now, n_now, ran, now_usec(CLOCK_REALTIME), &outcome);
        partitions_free(now, n_now);
        if (r < 0)
                return log_oom();

        r = reset_outcome_summary(&outcome, &summary);
        if (r >= 0)
                r = reset_outcome_format(&outcome, &text);
        if (r < 0)
                return log_oom();
        log_outcome(&outcome, summary);

        r = reset_last_path(&path);
        if (r < 0)
                return log_oom();
        r = write_atomic(path, text);
        if (r < 0)
                /* The variable stays: the next boot checks again. */
                return log_error_errno(r, "Failed to write %s: %m", path);

        r = variable_delete();
        if (r < 0)
                return log_error_errno(r, "Failed to remove EFI variable %s: %m", RESET_RECORD_VARIABLE);
        return 0;
}

int reset_last_load(ResetOutcome *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL, *error = NULL;
        size_t size = 0;
        int r;

        r = reset_last_path(&path);
        if (r < 0)
                return log_oom();
        r = conf_file_read(path, LAST_FILE_MAX, NULL, NULL, &text, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_warning_errno(r, "Failed to read %s: %m", path);
        r = reset_outcome_parse(text, size, ret, &error);
        if (r == -EINVAL)
                return log_warning_errno(r, "%s is malformed (%s), ignoring.", path, error);
        if (r < 0)
                return log_oom();
        return 1;
}
