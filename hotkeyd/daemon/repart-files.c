/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf-search.h"
#include "repart-files.h"

/* A definition is a dozen lines; the same bound as hotkeyd.conf. */
#define REPART_FILE_SIZE_MAX (1024 * 1024)
#define REPART_DIRS_MAX 16

/* systemd-repart's search path, in order of precedence. */
static const char *const repart_default_dirs[] = {
        "/etc/repart.d",
        "/run/repart.d",
        "/usr/local/lib/repart.d",
        "/usr/lib/repart.d",
};

void repart_definitions_free(RepartDefinition **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                repart_definition_free(l[i]);
        free(l);
}

int repart_load(const char *dirs, repart_error_fn error_fn, void *userdata, RepartDefinition ***ret,
                size_t *ret_n) {
        _cleanup_free_ char *dirs_copy = NULL;
        const char *dir_list[REPART_DIRS_MAX];
        const char *const *search = repart_default_dirs;
        size_t n_search = ELEMENTSOF(repart_default_dirs);
        RepartDefinition **defs = NULL;
        size_t n_defs = 0, n_paths = 0;
        char **paths = NULL;
        int r;

        assert(ret);
        assert(ret_n);

        if (dirs) {
                dirs_copy = strdup(dirs);
                if (!dirs_copy)
                        return -ENOMEM;
                n_search = 0;
                for (char *save = NULL, *d = strtok_r(dirs_copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
                        if (n_search < ELEMENTSOF(dir_list))
                                dir_list[n_search++] = d;
                search = dir_list;
        }

        /* An unreadable directory was reported; the others still count. */
        r = conf_files_list(NULL, search, n_search, ".conf", error_fn, userdata, &paths, &n_paths);
        if (r == -ENOMEM)
                return r;

        for (size_t k = 0; k < n_paths; k++) {
                _cleanup_free_ char *text = NULL;
                RepartDefinition *d = NULL;
                size_t size;

                r = conf_file_read(paths[k], REPART_FILE_SIZE_MAX, error_fn, userdata, &text, &size);
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0)
                        continue;
                r = repart_parse_text(paths[k], text, size, error_fn, userdata, &d);
                if (r == -ENOMEM)
                        goto fail;
                if (!d)
                        continue;

                RepartDefinition **nd = realloc(defs, (n_defs + 1) * sizeof *nd);
                if (!nd) {
                        repart_definition_free(d);
                        r = -ENOMEM;
                        goto fail;
                }
                defs = nd;
                defs[n_defs++] = d;
        }

        strv_free_n(paths, n_paths);
        *ret = defs;
        *ret_n = n_defs;
        return 0;

fail:
        strv_free_n(paths, n_paths);
        repart_definitions_free(defs, n_defs);
        return r;
}
