/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf-search.h"
#include "key-holds-file.h"
#include "log.h"

#define KEY_HOLDS_FILE_NAME "key-holds"
#define KEY_HOLDS_DEFAULT_DIR "/var/lib/hotkeyd"
/* KEY_HOLDS_STORE_MAX lines of at most a few hundred bytes. */
#define KEY_HOLDS_FILE_MAX (1024 * 1024)

int key_holds_file_path(bool dry_run, char **ret) {
        const char *e = getenv("STATE_DIRECTORY");
        _cleanup_free_ char *dir = NULL;

        assert(ret);

        if (!isempty(e))
                /* systemd passes one path per StateDirectory= entry, ':'-separated. */
                dir = strndup(e, strcspn(e, ":"));
        else if (!dry_run)
                dir = strdup(KEY_HOLDS_DEFAULT_DIR);
        else {
                *ret = NULL;
                return 0;
        }
        if (!dir)
                return -ENOMEM;
        if (asprintf(ret, "%s/" KEY_HOLDS_FILE_NAME, dir) < 0)
                return -ENOMEM;
        return 0;
}

static void report(const char *file, unsigned line, const char *message, void *userdata) {
        log_warning("%s: %s, ignoring what it says.", file, message);
}

void key_holds_file_load(const char *path, KeyHoldsStore *store) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        size_t size;
        int r;

        assert(path);
        assert(store);

        r = conf_file_read(path, KEY_HOLDS_FILE_MAX, report, NULL, &text, &size);
        if (r == -ENOENT) {
                log_debug("%s does not exist yet: nothing learned about keys so far.", path);
                return;
        }
        if (r < 0)
                return;

        r = key_holds_store_parse(text, size, store, &error);
        if (r == -ENOMEM) {
                log_oom();
                return;
        }
        if (r < 0) {
                log_warning("%s: %s; ignoring the file, what it held is learned again.", path, strna(error));
                return;
        }
        log_info("Read what was learned about %zu key(s) from %s.", store->n_entries, path);
}

int key_holds_file_save(const char *path, const KeyHoldsStore *store) {
        _cleanup_free_ char *text = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        assert(path);
        assert(store);

        r = key_holds_store_format(store, &text);
        if (r < 0)
                return log_oom();
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return log_oom();

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return log_warning_errno(-errno, "Failed to write what was learned about keys to %s: %m", path);

        size_t size = strlen(text);
        for (size_t done = 0; done < size;) {
                ssize_t n = write(fd, text + done, size - done);
                if (n < 0) {
                        r = -errno;
                        goto fail;
                }
                done += (size_t) n;
        }
        if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        log_debug("Wrote what was learned about %zu key(s) to %s.", store->n_entries, path);
        return 0;

fail:
        (void) unlink(tmp);
        return log_warning_errno(r, "Failed to write what was learned about keys to %s: %m", path);
}
