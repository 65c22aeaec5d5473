/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "device-util.h"
#include "log.h"
#include "tpm-ppi.h"
#include "tpm.h"

#define TPM_DEVICE "/dev/tpmrm0"
#define PPI_DIR "/sys/class/tpm/tpm0/ppi"
#define PPI_FILE_MAX 4096

/* tpm2-tss by dlopen(), as systemd does it: linked, it pulls libcrypto into
 * every process of the daemon, for six calls made once. */
static struct {
        typeof(&Tss2_TctiLdr_Initialize) TctiLdr_Initialize;
        typeof(&Tss2_TctiLdr_Finalize) TctiLdr_Finalize;
        typeof(&Esys_Initialize) Initialize;
        typeof(&Esys_Finalize) Finalize;
        typeof(&Esys_GetCapability) GetCapability;
        typeof(&Esys_Free) Free;
} tss2;

static int tss2_load(char *error, size_t size) {
        static const char *const names[] = { "libtss2-tctildr.so.0", "libtss2-esys.so.0" };
        void *lib[ELEMENTSOF(names)];

        if (tss2.Free)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                lib[i] = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
                if (!lib[i]) {
                        snprintf(error, size, "cannot load %s: %s", names[i], dlerror());
                        return -EOPNOTSUPP;
                }
        }
        tss2.TctiLdr_Initialize = dlsym(lib[0], "Tss2_TctiLdr_Initialize");
        tss2.TctiLdr_Finalize = dlsym(lib[0], "Tss2_TctiLdr_Finalize");
        tss2.Initialize = dlsym(lib[1], "Esys_Initialize");
        tss2.Finalize = dlsym(lib[1], "Esys_Finalize");
        tss2.GetCapability = dlsym(lib[1], "Esys_GetCapability");
        tss2.Free = dlsym(lib[1], "Esys_Free");
        if (!tss2.TctiLdr_Initialize || !tss2.TctiLdr_Finalize || !tss2.Initialize || !tss2.Finalize ||
            !tss2.GetCapability || !tss2.Free) {
                tss2.Free = NULL;
                snprintf(error, size, "tpm2-tss lacks a function: %s", dlerror());
                return -EOPNOTSUPP;
        }
        return 0;
}

static void tpm_read_ppi(TpmInfo *info) {
        char path[512], buf[PPI_FILE_MAX];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        snprintf(path, sizeof path, "%s/tcg_operations", PPI_DIR);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                log_debug_errno(-errno, "No TPM PPI information in %s: %m", path);
                return;
        }
        n = read(fd, buf, sizeof buf);
        if (n > 0)
                info->ppi_clear = tpm_ppi_clear_offered(buf, (size_t) n);
}

static int tpm_get_property(ESYS_CONTEXT *ctx, TPM2_PT property, uint32_t *ret) {
        TPMS_CAPABILITY_DATA *data = NULL;
        TPMI_YES_NO more;
        TSS2_RC rc;
        int r = -ENODATA;

        rc = tss2.GetCapability(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, property, 1,
                                &more, &data);
        if (rc != TSS2_RC_SUCCESS)
                return -EIO;
        if (data->data.tpmProperties.count > 0 && data->data.tpmProperties.tpmProperty[0].property == property) {
                *ret = data->data.tpmProperties.tpmProperty[0].value;
                r = 0;
        }
        tss2.Free(data);
        return r;
}

const char *tpm_firmware_version(const TpmInfo *info, char buf[static TPM_FIRMWARE_VERSION_MAX]) {
        assert(info);
        assert(buf);

        if (!info->present || info->error[0])
                buf[0] = '\0';
        else
                snprintf(buf, TPM_FIRMWARE_VERSION_MAX, "%" PRIu32 ".%" PRIu32, info->firmware_version >> 16,
                         info->firmware_version & 0xffff);
        return buf;
}

/* Runs in the child of tpm_reader_start(): tpm2-tss stays loaded there. */
static void tpm_read_info(const char *tcti, TpmInfo *info) {
        TSS2_TCTI_CONTEXT *tcti_ctx = NULL;
        ESYS_CONTEXT *ctx = NULL;
        uint32_t manufacturer = 0, permanent = 0;
        TSS2_RC rc;

        *info = (TpmInfo) {};
        /* tss2 logs every failed attempt on stderr; ours are in the journal. */
        (void) setenv("TSS2_LOG", "all+none", false);

        /* Without a TCTI override only the kernel's resource manager counts:
         * the loader's other defaults (tabrmd, simulators) would make "no
         * TPM" a string of errors. */
        if (!tcti) {
                /* stat(), not access(): under DevicePolicy=closed the device
                 * cgroup refuses even access(F_OK) on a device node that is
                 * not allowed, which would turn "cannot use the TPM" into a
                 * false "no TPM" in the dialog. */
                struct stat st;
                if (stat(TPM_DEVICE, &st) < 0) {
                        log_debug_errno(-errno, "No %s: this machine has no TPM 2.0 (%m).", TPM_DEVICE);
                        return;
                }
                tcti = "device:" TPM_DEVICE;

                /* The TCTI says only "I/O error" (0xa000a) when it cannot
                 * open the device; the errno says why (a device policy, the
                 * node's owner and group). */
                info->present = true;
                _cleanup_close_ int fd = open(TPM_DEVICE, O_RDWR | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) {
                        snprintf(info->error, sizeof info->error, "cannot open %s: %m", TPM_DEVICE);
                        return;
                }
        }

        info->present = true;
        if (tss2_load(info->error, sizeof info->error) < 0)
                return;
        rc = tss2.TctiLdr_Initialize(tcti, &tcti_ctx);
        if (rc == TSS2_RC_SUCCESS)
                rc = tss2.Initialize(&ctx, tcti_ctx, NULL);
        if (rc != TSS2_RC_SUCCESS) {
                snprintf(info->error, sizeof info->error, "cannot talk to the TPM (%s): 0x%x", tcti, rc);
                goto finish;
        }

        if (tpm_get_property(ctx, TPM2_PT_MANUFACTURER, &manufacturer) < 0 ||
            tpm_get_property(ctx, TPM2_PT_FIRMWARE_VERSION_1, &info->firmware_version) < 0 ||
            tpm_get_property(ctx, TPM2_PT_PERMANENT, &permanent) < 0) {
                snprintf(info->error, sizeof info->error, "the TPM did not report its properties");
                goto finish;
        }

        /* Four ASCII characters, big-endian, padded with NULs or spaces. */
        for (size_t i = 0; i < 4; i++) {
                char c = (char) ((manufacturer >> (24 - 8 * i)) & 0xff);
                info->manufacturer[i] = c >= 0x20 && c < 0x7f ? c : '\0';
        }
        for (size_t i = 4; i > 0 && (info->manufacturer[i - 1] == ' ' || info->manufacturer[i - 1] == '\0'); i--)
                info->manufacturer[i - 1] = '\0';

        info->disable_clear = permanent & TPMA_PERMANENT_DISABLECLEAR;
        info->in_lockout = permanent & TPMA_PERMANENT_INLOCKOUT;
        tpm_read_ppi(info);

finish:
        tss2.Finalize(&ctx);
        tss2.TctiLdr_Finalize(&tcti_ctx);
}

void tpm_log_info(const TpmInfo *info) {
        char version[TPM_FIRMWARE_VERSION_MAX];

        assert(info);

        if (!info->present)
                log_info("TPM: none, this machine has no TPM 2.0.");
        else if (info->error[0])
                log_warning("TPM: %s", info->error);
        else
                log_info("TPM: %s, firmware %s, clear %s, %slockout, firmware clear via PPI %s.", info->manufacturer,
                         tpm_firmware_version(info, version), info->disable_clear ? "disabled" : "allowed",
                         info->in_lockout ? "" : "no ", info->ppi_clear ? "offered" : "not offered");
}

struct TpmReader {
        sd_event_source *child;
        int fd;                  /* the pipe's read end: the child writes one TpmInfo */
        tpm_info_fn fn;
        void *userdata;
};

TpmReader *tpm_reader_free(TpmReader *t) {
        if (!t)
                return NULL;
        /* The child is the source's own: freeing it kills and reaps it. */
        sd_event_source_unref(t->child);
        safe_close(t->fd);
        free(t);
        return NULL;
}

static int tpm_reader_on_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        TpmReader *t = ASSERT_PTR(userdata);
        TpmInfo info = {};
        ssize_t n;

        t->child = sd_event_source_disable_unref(t->child);
        /* Less than PIPE_BUF, written in one write(): all or nothing. */
        n = read(t->fd, &info, sizeof info);
        if (n != (ssize_t) sizeof info || si->si_code != CLD_EXITED || si->si_status != 0) {
                info = (TpmInfo) { .present = true };
                snprintf(info.error, sizeof info.error, "the process reading the TPM %s %d",
                         si->si_code == CLD_EXITED ? "exited with status" : "was killed by signal", si->si_status);
        }
        info.manufacturer[sizeof info.manufacturer - 1] = '\0';
        info.error[sizeof info.error - 1] = '\0';
        t->fn(&info, t->userdata);
        return 0;
}

/* The child starts with the daemon's signal state: SIGTERM, SIGINT, SIGHUP
 * and SIGCHLD blocked for sd-event's signalfds.  Blocked, SIGTERM from the
 * service manager would not end it. */
static void reset_signals(void) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t mask;

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &sa, NULL); /* EINVAL for the ones libc keeps */
        sigemptyset(&mask);
        (void) sigprocmask(SIG_SETMASK, &mask, NULL);
}

int tpm_reader_start(sd_event *event, const char *tcti, tpm_info_fn fn, void *userdata, TpmReader **ret) {
        _cleanup_(tpm_reader_freep) TpmReader *t = NULL;
        _cleanup_close_ int read_fd = -EBADF;
        int fds[2], r;
        pid_t pid, parent;

        assert(event);
        assert(fn);
        assert(ret);

        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        read_fd = fds[0];

        /* Forked before anything is allocated for it: the child leaves
         * with _exit() and must not hold memory nobody points to (valgrind
         * counts it as lost). */
        parent = getpid();
        pid = fork();
        if (pid < 0) {
                r = -errno;
                safe_close(fds[1]);
                return r;
        }
        if (pid == 0) {
                TpmInfo info;

                /* A TPM that never answers must not keep a child of a dead
                 * daemon around; a daemon that died before the prctl() took
                 * effect is seen in getppid(). */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(EXIT_FAILURE);
                /* Nothing of the parent's (bus, event loop) is touched here. */
                reset_signals();
                tpm_read_info(tcti, &info);
                _exit(write(fds[1], &info, sizeof info) == (ssize_t) sizeof info ? EXIT_SUCCESS : EXIT_FAILURE);
        }
        safe_close(fds[1]);

        t = calloc(1, sizeof *t);
        if (t) {
                t->fd = TAKE_FD(read_fd);
                t->fn = fn;
                t->userdata = userdata;
                r = sd_event_add_child(event, &t->child, pid, WEXITED, tpm_reader_on_exit, t);
        } else
                r = -ENOMEM;
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        /* Only fails for sources that are not child sources. */
        (void) sd_event_source_set_child_process_own(t->child, true);
        *ret = TAKE_PTR(t);
        return 0;
}

struct TpmMonitor {
        sd_device_monitor *monitor;
        tpm_change_fn fn;
        void *userdata;
};

TpmMonitor *tpm_monitor_free(TpmMonitor *m) {
        if (!m)
                return NULL;
        sd_device_monitor_unref(m->monitor);
        free(m);
        return NULL;
}

static int tpm_monitor_on_uevent(sd_device_monitor *monitor, sd_device *dev, void *userdata) {
        TpmMonitor *m = ASSERT_PTR(userdata);
        sd_device_action_t action;
        const char *sysname = NULL;

        if (sd_device_get_action(dev, &action) < 0 || !IN_SET(action, SD_DEVICE_ADD, SD_DEVICE_REMOVE))
                return 0;
        (void) sd_device_get_sysname(dev, &sysname);
        /* One read per event: a TPM comes and goes rarely. */
        m->fn(action == SD_DEVICE_ADD ? "add" : "remove", strna(sysname), m->userdata);
        return 0;
}

int tpm_monitor_new(sd_event *event, tpm_change_fn fn, void *userdata, TpmMonitor **ret) {
        _cleanup_(tpm_monitor_freep) TpmMonitor *m = NULL;
        int r;

        assert(event);
        assert(fn);
        assert(ret);

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->fn = fn;
        m->userdata = userdata;

        r = device_monitor_start(event, "tpmrm", tpm_monitor_on_uevent, m, &m->monitor);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}
