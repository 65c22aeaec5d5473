/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "block-partition.h"
#include "conf-search.h"
#include "erase.h"
#include "log.h"
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
        free(p->part_uuid);
        free(p->fs_uuid);
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

bool erase_clears_tpm(const EraseState *s, bool tpm_present) {
        assert(s);

        return tpm_present && s->tpm_clear_wanted;
}

EraseVerdict erase_verdict(const EraseState *s, bool tpm_present, bool tpm_reading) {
        assert(s);

        if (s->n_partitions > 0 || s->n_plugins > 0 || erase_clears_tpm(s, tpm_present))
                return ERASE_SOMETHING;
        /* A TPM still being read may turn out to be one the target clears. */
        if (!s->read || s->plugins_check || s->tpm_clear_check || tpm_reading)
                return ERASE_UNKNOWN;
        return ERASE_NOTHING;
}

static void erase_changed(EraseState *s, EraseChange changes) {
        if (s->on_changed)
                s->on_changed(s, changes, s->userdata);
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
                log_warning_errno(-errno, "Failed to open %s, mount points are unknown: %m", path);
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
                        log_warning_errno(-errno, "Failed to read %s, mount points are unknown: %m", path);
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

static int add_partition(EraseState *s, const RepartDefinition *d, const char *mountinfo, size_t mountinfo_size) {
        BlockPartition b = {};
        int r;

        ErasedPartition *l = realloc(s->partitions, (s->n_partitions + 1) * sizeof *l);
        if (!l)
                return -ENOMEM;
        s->partitions = l;

        r = block_partition_find(d->type_uuid, d->label, mountinfo, mountinfo_size, &b);
        if (r < 0)
                return r;

        ErasedPartition *p = &s->partitions[s->n_partitions];
        *p = (ErasedPartition) {
                .file = strdup(d->file),
                .type = strdup(d->type),
                .label = d->label ? strdup(d->label) : NULL,
                .device = TAKE_PTR(b.node),
                .size = b.size,
                .mount_point = TAKE_PTR(b.mount_point),
                .part_uuid = TAKE_PTR(b.part_uuid),
                .fs_uuid = TAKE_PTR(b.fs_uuid),
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
        int r;

        r = repart_load(getenv(REPART_DIRS_ENV), collect_problem, s, &defs, &n_defs);
        if (r < 0)
                return r;

        mountinfo = read_virtual_file(MOUNTINFO_PATH, &mountinfo_size);

        for (size_t i = 0; i < n_defs && r >= 0; i++)
                if (defs[i]->factory_reset)
                        r = add_partition(s, defs[i], mountinfo, mountinfo_size);

        repart_definitions_free(defs, n_defs);
        return r;
}

/* The check only runs while there is a TPM (erase_refresh_tpm() ends it
 * otherwise): whether the TPM is cleared is whether the target wants to. */
static void erase_on_tpm_clear(bool wanted, void *userdata) {
        EraseState *s = ASSERT_PTR(userdata);
        bool before = s->tpm_clear_wanted;

        s->tpm_clear_check = tpm_clear_check_free(s->tpm_clear_check);
        s->tpm_clear_wanted = wanted;
        if (wanted != before)
                log_info("A factory reset %s the TPM.", wanted ? "asks the firmware to clear" : "keeps");
        erase_changed(s, wanted != before ? ERASE_CHANGED_CLEARS_TPM : 0);
}

static void erase_on_plugins(ResetPlugin *plugins, size_t n, void *userdata) {
        EraseState *s = ASSERT_PTR(userdata);

        s->plugins_check = reset_plugins_check_free(s->plugins_check);
        erase_state_clear_plugins(s);
        s->plugins = plugins;
        s->n_plugins = n;
        log_info("A factory reset runs %zu reset plug-in(s) from " FACTORY_RESET_NOW_TARGET ".", n);
        for (size_t i = 0; i < n; i++)
                log_info("Reset plug-in: %s (%s).", plugins[i].unit, plugins[i].description);
        erase_changed(s, ERASE_CHANGED_PLUGINS);
}

static EraseChange erase_refresh_plugins(EraseState *s, sd_bus *bus) {
        EraseChange changes = 0;
        int r;

        s->plugins_check = reset_plugins_check_free(s->plugins_check);
        /* Until systemd answers, an old list would be a guess. */
        if (s->n_plugins > 0) {
                erase_state_clear_plugins(s);
                changes |= ERASE_CHANGED_PLUGINS;
        }
        if (!bus)
                return changes;
        r = reset_plugins_check_start(bus, erase_on_plugins, s, &s->plugins_check);
        if (r < 0)
                log_warning_errno(r, "Failed to ask systemd which reset plug-ins " FACTORY_RESET_NOW_TARGET
                                  " pulls in: %m");
        return changes;
}

EraseChange erase_refresh(EraseState *s, sd_bus *bus, bool tpm_present) {
        EraseChange changes = ERASE_CHANGED_PARTITIONS;
        int r;

        assert(s);

        erase_state_clear_lists(s);
        r = erase_read(s);
        if (r < 0)
                log_error_errno(r, "Failed to tell what a factory reset erases: %m");
        /* Definitions that could not be read may mark partitions: not "nothing". */
        s->read = r >= 0;
        log_info("A factory reset erases %zu partition(s); %zu problem(s) in the definitions.", s->n_partitions,
                 s->n_problems);
        changes |= erase_refresh_plugins(s, bus);
        erase_refresh_tpm(s, bus, tpm_present);
        return changes;
}

void erase_refresh_tpm(EraseState *s, sd_bus *bus, bool tpm_present) {
        int r;

        assert(s);

        /* Without a TPM there is nothing to clear, and nothing to ask. */
        s->tpm_clear_check = tpm_clear_check_free(s->tpm_clear_check);
        if (bus && tpm_present) {
                r = tpm_clear_check_start(bus, erase_on_tpm_clear, s, &s->tpm_clear_check);
                if (r < 0)
                        log_warning_errno(r, "Failed to ask systemd whether a factory reset clears the TPM: %m");
        }
}
