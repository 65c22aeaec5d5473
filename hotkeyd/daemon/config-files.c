/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "build-config.h"
#include "config-files.h"
#include "log.h"

/* Configuration is a few hundred bytes; anything this big is a mistake (a
 * log or an image copied to the wrong place), not something to parse. */
#define CONFIG_FILE_SIZE_MAX (1024 * 1024)
#define DROPINS_MAX 1024

#define MAIN_NAME "hotkeyd.conf"
#define DROPIN_DIR_NAME "hotkeyd.conf.d"

/* In order of precedence: the first directory that has a name wins. */
static const char *const config_dirs[] = {
        SYSCONF_CONFIG_DIR,
        RUN_CONFIG_DIR,
        LIB_CONFIG_DIR,
};

void config_log_error(const char *file, unsigned line, const char *message, void *userdata) {
        if (line > 0)
                log_full(LOG_ERR, 0, NULL, "%s:%u: %s", file, line, message);
        else
                log_full(LOG_ERR, 0, NULL, "%s: %s", file, message);
}

/* Reports a problem with a whole file: "WHAT: strerror(error)", or just WHAT
 * when error is 0. */
static void report(config_error_fn error_fn, void *userdata, const char *file, const char *what, int error) {
        char message[256];

        if (!error_fn)
                return;
        if (error != 0)
                snprintf(message, sizeof message, "%s: %s", what, strerror(error));
        else
                snprintf(message, sizeof message, "%s", what);
        error_fn(file, 0, message, userdata);
}

static bool is_dev_null(const struct stat *st) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* Reads and parses one file.  A missing file is -ENOENT without a report:
 * whether that is a problem depends on the caller. */
static int config_load_file(Config *c, const char *path, config_error_fn error_fn, void *userdata) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t size = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int e = errno;
                if (e == ENOENT)
                        return -ENOENT;
                report(error_fn, userdata, path, "Cannot open", e);
                return -e;
        }
        if (fstat(fd, &st) < 0) {
                int e = errno;
                report(error_fn, userdata, path, "Cannot stat", e);
                return -e;
        }
        /* /dev/null is the conventional "nothing here", e.g. --config /dev/null. */
        if (is_dev_null(&st))
                return 0;
        if (!S_ISREG(st.st_mode)) {
                report(error_fn, userdata, path, "Not a regular file", 0);
                return -EINVAL;
        }
        if (st.st_size > CONFIG_FILE_SIZE_MAX) {
                report(error_fn, userdata, path, "File is larger than 1 MiB, refusing to parse it", 0);
                return -EFBIG;
        }

        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (size < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + size, (size_t) st.st_size - size);
                if (n < 0) {
                        int e = errno;
                        if (e == EINTR)
                                continue;
                        report(error_fn, userdata, path, "Cannot read", e);
                        return -e;
                }
                if (n == 0) /* shrank under us: parse what is there */
                        break;
                size += (size_t) n;
        }

        return config_parse_text(c, path, buf, size, error_fn, userdata);
}

/* root + dir [+ "/" + name].  The directories come from the build
 * configuration and are absolute; the separator is added anyway so a
 * relative one cannot glue itself onto the root's last component. */
static char *path_join(const char *root, const char *dir, const char *name) {
        char *p;
        bool has_root = root && *root && !streq(root, "/");

        if (asprintf(&p, "%s%s%s%s%s",
                     has_root ? root : "",
                     dir[0] == '/' ? "" : "/",
                     dir,
                     name ? "/" : "",
                     strempty(name)) < 0)
                return NULL;
        return p;
}

/* systemd's masking rule: a symlink to /dev/null or an empty file. */
static bool is_masked(const char *path) {
        struct stat st;
        char target[16];

        if (lstat(path, &st) < 0)
                return false;
        if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlink(path, target, sizeof target - 1);
                if (n > 0) {
                        target[n] = 0;
                        if (streq(target, "/dev/null"))
                                return true;
                }
                if (stat(path, &st) < 0)
                        return false;
        }
        return is_dev_null(&st) || (S_ISREG(st.st_mode) && st.st_size == 0);
}

static int cmp_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void strv_free_n(char **names, size_t n) {
        for (size_t k = 0; k < n; k++)
                free(names[k]);
        free(names);
}

static bool dropin_name_valid(const char *name) {
        size_t l = strlen(name);

        /* Hidden files are editor leftovers and the like, never config. */
        return name[0] != '.' && l > strlen(".conf") && streq(name + l - strlen(".conf"), ".conf");
}

/* Collects the distinct drop-in names (*.conf) of all directories, sorted. */
static int collect_dropin_names(const char *root, config_error_fn error_fn, void *userdata,
                                char ***ret, size_t *ret_n) {
        char **names = NULL;
        size_t n = 0;
        int ret_error = 0;

        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                _cleanup_free_ char *dir = path_join(root, config_dirs[i], DROPIN_DIR_NAME);
                if (!dir)
                        goto oom;
                DIR *d = opendir(dir);
                if (!d) {
                        int e = errno;
                        if (e != ENOENT && e != ENOTDIR) {
                                report(error_fn, userdata, dir, "Cannot read directory", e);
                                ret_error = -e;
                        }
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (!dropin_name_valid(de->d_name))
                                continue;
                        bool known = false;
                        for (size_t k = 0; k < n && !known; k++)
                                known = streq(names[k], de->d_name);
                        if (known)
                                continue;
                        if (n >= DROPINS_MAX) {
                                report(error_fn, userdata, dir, "Too many drop-in files", 0);
                                ret_error = -E2BIG;
                                break;
                        }
                        char **nn = realloc(names, (n + 1) * sizeof *nn);
                        if (!nn) {
                                closedir(d);
                                goto oom;
                        }
                        names = nn;
                        if (!(names[n] = strdup(de->d_name))) {
                                closedir(d);
                                goto oom;
                        }
                        n++;
                }
                closedir(d);
        }

        /* strcmp, not strcoll: the order must not depend on the locale. */
        if (n > 0)
                qsort(names, n, sizeof *names, cmp_strings);
        *ret = names;
        *ret_n = n;
        return ret_error;

oom:
        strv_free_n(names, n);
        return -ENOMEM;
}

static int load_search_path(Config *c, const char *root, config_error_fn error_fn, void *userdata) {
        char **names = NULL;
        size_t n_names = 0;
        int r, ret = 0;

        /* The main file: the first one that exists replaces the others
         * entirely; a masked one means "no main file". */
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                _cleanup_free_ char *path = path_join(root, config_dirs[i], MAIN_NAME);
                if (!path)
                        return -ENOMEM;
                if (is_masked(path))
                        break;
                r = config_load_file(c, path, error_fn, userdata);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        ret = r;
                break;
        }

        /* Keep going after errors, so one run reports every problem. */
        r = collect_dropin_names(root, error_fn, userdata, &names, &n_names);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && ret >= 0)
                ret = r;

        for (size_t k = 0; k < n_names; k++)
                for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                        _cleanup_free_ char *dir = path_join(root, config_dirs[i], DROPIN_DIR_NAME);
                        _cleanup_free_ char *path = dir ? path_join(NULL, dir, names[k]) : NULL;

                        if (!path) {
                                strv_free_n(names, n_names);
                                return -ENOMEM;
                        }
                        if (is_masked(path))
                                break;
                        r = config_load_file(c, path, error_fn, userdata);
                        /* Not in this directory (or a dangling symlink, which
                         * systemd treats as absent too): try the next one. */
                        if (r == -ENOENT)
                                continue;
                        if (r < 0 && ret >= 0)
                                ret = r;
                        if (r == -ENOMEM) {
                                strv_free_n(names, n_names);
                                return r;
                        }
                        break;
                }

        strv_free_n(names, n_names);
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
                        report(error_fn, userdata, explicit_path, "Cannot open", ENOENT);
        } else
                r = load_search_path(c, root, error_fn, userdata);

        if (r < 0) {
                config_free(c);
                return r;
        }
        *ret = c;
        return 0;
}
