/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libudev.h>

#include "block-partition.h"
#include "bus-api.h"
#include "conf-search.h"
#include "erase.h"
#include "log.h"
#include "manager.h"
#include "repart-files.h"

#define MOUNTINFO_PATH "/proc/self/mountinfo"
/* A problem per file at most a few; a directory full of broken files must
 * still not grow the property without bound. */
#define PROBLEMS_MAX 256

static void erased_partition_done(ErasedPartition *p) {
        free(p->file);
        free(p->type);
        free(p->label);
        free(p->device);
        free(p->mount_point);
}

static void erase_state_clear_lists(EraseState *s) {
        for (size_t i = 0; i < s->n_partitions; i++)
                erased_partition_done(&s->partitions[i]);
        free(s->partitions);
        strv_free_n(s->problems, s->n_problems);
        s->partitions = NULL;
        s->problems = NULL;
        s->n_partitions = s->n_problems = 0;
}

static void erase_state_clear_plugins(EraseState *s) {
        reset_plugins_free(s->plugins, s->n_plugins);
        s->plugins = NULL;
        s->n_plugins = 0;
}

void erase_forget_bus(EraseState *s) {
        s->tpm_clear_check = tpm_clear_check_free(s->tpm_clear_check);
        s->plugins_check = reset_plugins_check_free(s->plugins_check);
        s->read = false;
}

void erase_state_done(EraseState *s) {
        erase_state_clear_lists(s);
        erase_state_clear_plugins(s);
        erase_forget_bus(s);
}

bool erase_clears_tpm(const Manager *m) {
        return m->tpm.present && m->erase.tpm_clear_wanted;
}

EraseVerdict erase_verdict(const Manager *m) {
        const EraseState *e = &m->erase;

        if (e->n_partitions > 0 || e->n_plugins > 0 || erase_clears_tpm(m))
                return ERASE_SOMETHING;
        /* A TPM still being read may turn out to be one the target clears. */
        if (!e->read || e->plugins_check || e->tpm_clear_check || m->tpm_reader)
                return ERASE_UNKNOWN;
        return ERASE_NOTHING;
}

static void collect_problem(const char *file, unsigned line, const char *message, void *userdata) {
        EraseState *s = userdata;
        char *text;
        int r;

        if (line > 0)
                r = asprintf(&text, "%s:%u: %s", file, line, message);
        else
                r = asprintf(&text, "%s: %s", file, message);
        if (r < 0)
                return (void) log_oom();
        log_warning("%s", text);

        if (s->n_problems >= PROBLEMS_MAX) {
                free(text);
                return;
        }
        char **l = realloc(s->problems, (s->n_problems + 1) * sizeof *l);
        if (!l) {
                free(text);
                return (void) log_oom();
        }
        s->problems = l;
        s->problems[s->n_problems++] = text;
}

/* /proc files report size 0: read until the end. */
static char *read_virtual_file(const char *path, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        if (fd < 0) {
                log_warning_errno(-errno, "Cannot open %s, mount points are unknown: %m", path);
                return NULL;
        }
        for (;;) {
                if (allocated - size < 4096) {
                        char *b = realloc(buf, allocated + 16384);
                        if (!b)
                                return NULL;
                        buf = b;
                        allocated += 16384;
                }
                ssize_t n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        log_warning_errno(-errno, "Cannot read %s, mount points are unknown: %m", path);
                        return NULL;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = 0;
        *ret_size = size;
        return TAKE_PTR(buf);
}

static int add_partition(EraseState *s, const RepartDefinition *d, struct udev *udev, const char *mountinfo,
                         size_t mountinfo_size) {
        BlockPartition b = {};
        int r;

        ErasedPartition *l = realloc(s->partitions, (s->n_partitions + 1) * sizeof *l);
        if (!l)
                return -ENOMEM;
        s->partitions = l;

        if (udev) {
                r = block_partition_find(udev, d->type_uuid, d->label, mountinfo, mountinfo_size, &b);
                if (r < 0)
                        return r;
        }

        ErasedPartition *p = &s->partitions[s->n_partitions];
        *p = (ErasedPartition) {
                .file = strdup(d->file),
                .type = strdup(d->type),
                .label = d->label ? strdup(d->label) : NULL,
                .device = TAKE_PTR(b.node),
                .size = b.size,
                .mount_point = TAKE_PTR(b.mount_point),
        };
        s->n_partitions++;
        if (!p->file || !p->type || (d->label && !p->label))
                return -ENOMEM;

        log_debug("%s: %s%s%s is erased by a factory reset; now %s%s%s.", d->file, d->type,
                  d->label ? " labelled " : "", strempty(d->label), p->device ?: "absent",
                  p->mount_point ? " on " : "", strempty(p->mount_point));
        return 0;
}

static int erase_read(EraseState *s) {
        _cleanup_free_ char *mountinfo = NULL;
        RepartDefinition **defs = NULL;
        size_t n_defs = 0, mountinfo_size = 0;
        struct udev *udev;
        int r;

        r = repart_load(getenv(REPART_DIRS_ENV), collect_problem, s, &defs, &n_defs);
        if (r < 0)
                return r;

        udev = udev_new();
        if (!udev)
                log_warning_errno(-errno ?: -ENOMEM, "Cannot create udev context, block devices are unknown: %m");
        mountinfo = read_virtual_file(MOUNTINFO_PATH, &mountinfo_size);

        for (size_t i = 0; i < n_defs && r >= 0; i++)
                if (defs[i]->factory_reset)
                        r = add_partition(s, defs[i], udev, mountinfo, mountinfo_size);

        udev_unref(udev);
        repart_definitions_free(defs, n_defs);
        return r;
}

static void erase_on_tpm_clear(bool wanted, void *userdata) {
        Manager *m = userdata;
        bool before = erase_clears_tpm(m);

        m->erase.tpm_clear_check = tpm_clear_check_free(m->erase.tpm_clear_check);
        m->erase.tpm_clear_wanted = wanted;
        if (erase_clears_tpm(m) != before) {
                log_info("A factory reset %s the TPM.", erase_clears_tpm(m) ? "asks the firmware to clear" : "keeps");
                bus_api_emit_changed(m, STRV_MAKE("ClearsTpm"));
        }
        manager_announce_support(m);
}

static void erase_on_plugins(ResetPlugin *plugins, size_t n, void *userdata) {
        Manager *m = userdata;

        m->erase.plugins_check = reset_plugins_check_free(m->erase.plugins_check);
        erase_state_clear_plugins(&m->erase);
        m->erase.plugins = plugins;
        m->erase.n_plugins = n;
        log_info("A factory reset runs %zu reset plug-in(s) from " FACTORY_RESET_NOW_TARGET ".", n);
        for (size_t i = 0; i < n; i++)
                log_info("Reset plug-in: %s (%s).", plugins[i].unit, plugins[i].description);
        bus_api_emit_changed(m, STRV_MAKE("ResetPlugins"));
        manager_announce_support(m);
}

static void erase_refresh_plugins(Manager *m) {
        int r;

        m->erase.plugins_check = reset_plugins_check_free(m->erase.plugins_check);
        /* Until systemd answers, an old list would be a guess. */
        if (m->erase.n_plugins > 0) {
                erase_state_clear_plugins(&m->erase);
                bus_api_emit_changed(m, STRV_MAKE("ResetPlugins"));
        }
        if (!m->bus)
                return;
        r = reset_plugins_check_start(m->bus, erase_on_plugins, m, &m->erase.plugins_check);
        if (r < 0)
                log_warning_errno(r, "Cannot ask systemd which reset plug-ins " FACTORY_RESET_NOW_TARGET
                                  " pulls in: %m");
}

void erase_refresh(Manager *m) {
        int r;

        erase_state_clear_lists(&m->erase);
        r = erase_read(&m->erase);
        if (r < 0)
                log_error_errno(r, "Cannot tell what a factory reset erases: %m");
        /* Definitions that could not be read may mark partitions: not "nothing". */
        m->erase.read = r >= 0;
        log_info("A factory reset erases %zu partition(s); %zu problem(s) in the definitions.",
                 m->erase.n_partitions, m->erase.n_problems);
        bus_api_emit_changed(m, STRV_MAKE("ErasedPartitions", "EraseProblems"));
        erase_refresh_plugins(m);
        erase_refresh_tpm(m);
}

void erase_refresh_tpm(Manager *m) {
        int r;

        /* Without a TPM there is nothing to clear, and nothing to ask. */
        m->erase.tpm_clear_check = tpm_clear_check_free(m->erase.tpm_clear_check);
        if (m->bus && m->tpm.present) {
                r = tpm_clear_check_start(m->bus, erase_on_tpm_clear, m, &m->erase.tpm_clear_check);
                if (r < 0)
                        log_warning_errno(r, "Cannot ask systemd whether a factory reset clears the TPM: %m");
        }
        manager_announce_support(m);
}
