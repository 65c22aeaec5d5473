/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "build-config.h"
#include "conf-search.h"
#include "config-load.h"
#include "log.h"

/* Configuration is a few hundred bytes; anything this big is a mistake (a
 * log or an image copied to the wrong place), not something to parse. */
#define CONFIG_FILE_SIZE_MAX (1024 * 1024)

#define MAIN_NAME "hotkeyd.conf"
#define DROPIN_DIR_NAME "hotkeyd.conf.d"

/* In order of precedence: the first directory that has a name wins. */
static const char *const config_dirs[] = {
        SYSCONF_CONFIG_DIR,
        RUN_CONFIG_DIR,
        LIB_CONFIG_DIR,
};

static const char *const dropin_dirs[] = {
        SYSCONF_CONFIG_DIR "/" DROPIN_DIR_NAME,
        RUN_CONFIG_DIR "/" DROPIN_DIR_NAME,
        LIB_CONFIG_DIR "/" DROPIN_DIR_NAME,
};

void config_log_error(const char *file, unsigned line, const char *message, void *userdata) {
        assert(file);
        assert(message);

        if (line > 0)
                log_full(LOG_ERR, 0, NULL, "%s:%u: %s", file, line, message);
        else
                log_full(LOG_ERR, 0, NULL, "%s: %s", file, message);
}

/* Reads and parses one file.  A missing file is -ENOENT without a report:
 * whether that is a problem depends on the caller. */
static int config_load_file(Config *c, const char *path, config_error_fn error_fn, void *userdata) {
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = conf_file_read(path, CONFIG_FILE_SIZE_MAX, error_fn, userdata, &buf, &size);
        if (r < 0)
                return r;
        return config_parse_text(c, path, buf, size, error_fn, userdata);
}

static int load_search_path(Config *c, const char *root, config_error_fn error_fn, void *userdata) {
        char **paths = NULL;
        size_t n_paths = 0;
        int r, ret = 0;

        /* The main file: the first one that exists replaces the others
         * entirely; a masked one means "no main file". */
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                _cleanup_free_ char *path = conf_path_join(root, config_dirs[i], MAIN_NAME);
                if (!path)
                        return -ENOMEM;
                if (conf_file_is_masked(path))
                        break;
                r = config_load_file(c, path, error_fn, userdata);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        ret = r;
                break;
        }

        /* Keep going after errors, so one run reports every problem. */
        r = conf_files_list(root, dropin_dirs, ELEMENTSOF(dropin_dirs), ".conf", error_fn, userdata, &paths,
                            &n_paths);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && ret >= 0)
                ret = r;

        for (size_t k = 0; k < n_paths; k++) {
                r = config_load_file(c, paths[k], error_fn, userdata);
                /* Gone since it was listed: as if it had never been there. */
                if (r == -ENOENT)
                        continue;
                if (r == -ENOMEM) {
                        strv_free_n(paths, n_paths);
                        return r;
                }
                if (r < 0 && ret >= 0)
                        ret = r;
        }

        strv_free_n(paths, n_paths);
        return ret;
}

int config_load(const char *root, const char *explicit_path,
                config_error_fn error_fn, void *userdata, Config **ret) {
        Config *c;
        int r;

        if (!ret)
                return -EINVAL;

        c = config_new();
        if (!c)
                return -ENOMEM;

        if (explicit_path) {
                r = config_load_file(c, explicit_path, error_fn, userdata);
                if (r == -ENOENT)
                        conf_report(error_fn, userdata, explicit_path, "Cannot open", ENOENT);
        } else
                r = load_search_path(c, root, error_fn, userdata);

        if (r < 0) {
                config_free(c);
                return r;
        }
        *ret = c;
        return 0;
}
