/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "conf-search.h"

/* More is a mistake (a directory of something else), not configuration. */
#define CONF_FILES_MAX 1024

void conf_report(conf_error_fn error_fn, void *userdata, const char *file, const char *what, int error) {
        char message[256];

        assert(what);

        if (!error_fn)
                return;
        if (error != 0) {
                errno = error;
                snprintf(message, sizeof message, "%s: %m", what);
        } else
                snprintf(message, sizeof message, "%s", what);
        error_fn(file, 0, message, userdata);
}

static bool is_dev_null(const struct stat *st) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

int conf_file_read(const char *path, size_t max_size, conf_error_fn error_fn, void *userdata, char **ret,
                   size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t size = 0;

        assert(path);
        assert(ret);
        assert(ret_size);

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int e = errno;
                if (e == ENOENT)
                        return -ENOENT;
                conf_report(error_fn, userdata, path, "Cannot open", e);
                return -e;
        }
        if (fstat(fd, &st) < 0) {
                int e = errno;
                conf_report(error_fn, userdata, path, "Cannot stat", e);
                return -e;
        }
        /* /dev/null is the conventional "nothing here", e.g. --config /dev/null. */
        if (is_dev_null(&st))
                st.st_size = 0;
        else if (!S_ISREG(st.st_mode)) {
                conf_report(error_fn, userdata, path, "Not a regular file", 0);
                return -EINVAL;
        }
        if ((uint64_t) st.st_size > max_size) {
                char what[64];
                snprintf(what, sizeof what, "File is larger than %zu %s, refusing to parse it",
                         max_size % (1024 * 1024) == 0 ? max_size / (1024 * 1024) : max_size / 1024,
                         max_size % (1024 * 1024) == 0 ? "MiB" : "KiB");
                conf_report(error_fn, userdata, path, what, 0);
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
                        conf_report(error_fn, userdata, path, "Cannot read", e);
                        return -e;
                }
                if (n == 0) /* shrank under us: parse what is there */
                        break;
                size += (size_t) n;
        }
        buf[size] = 0;

        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

/* The directories come from the build configuration or the environment and
 * are absolute; the separator is added anyway so a relative one cannot glue
 * itself onto the root's last component. */
char *conf_path_join(const char *root, const char *dir, const char *name) {
        char *p;
        bool has_root = root && *root && !streq(root, "/");

        assert(dir);

        if (asprintf(&p, "%s%s%s%s%s",
                     has_root ? root : "",
                     dir[0] == '/' ? "" : "/",
                     dir,
                     name ? "/" : "",
                     strempty(name)) < 0)
                return NULL;
        return p;
}

bool conf_file_is_masked(const char *path) {
        struct stat st;
        char target[16];

        assert(path);

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

void strv_free_n(char **l, size_t n) {
        for (size_t k = 0; k < n; k++)
                free(l[k]);
        free(l);
}

static bool name_valid(const char *name, const char *suffix) {
        size_t l = strlen(name), s = strlen(suffix);

        /* Hidden files are editor leftovers and the like, never config. */
        return name[0] != '.' && l > s && streq(name + l - s, suffix);
}

static int strv_push(char ***l, size_t *n, char *s) {
        char **nl;

        if (!s)
                return -ENOMEM;
        nl = realloc(*l, (*n + 1) * sizeof *nl);
        if (!nl) {
                free(s);
                return -ENOMEM;
        }
        nl[(*n)++] = s;
        *l = nl;
        return 0;
}

/* The distinct names of all directories, sorted. */
static int collect_names(const char *root, const char *const *dirs, size_t n_dirs, const char *suffix,
                         conf_error_fn error_fn, void *userdata, char ***ret, size_t *ret_n) {
        char **names = NULL;
        size_t n = 0;
        int ret_error = 0;

        for (size_t i = 0; i < n_dirs; i++) {
                _cleanup_free_ char *dir = conf_path_join(root, dirs[i], NULL);
                if (!dir)
                        goto oom;
                DIR *d = opendir(dir);
                if (!d) {
                        int e = errno;
                        if (e != ENOENT && e != ENOTDIR) {
                                conf_report(error_fn, userdata, dir, "Cannot read directory", e);
                                ret_error = ret_error ?: -e;
                        }
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (!name_valid(de->d_name, suffix))
                                continue;
                        bool known = false;
                        for (size_t k = 0; k < n && !known; k++)
                                known = streq(names[k], de->d_name);
                        if (known)
                                continue;
                        if (n >= CONF_FILES_MAX) {
                                conf_report(error_fn, userdata, dir, "Too many files", 0);
                                ret_error = ret_error ?: -E2BIG;
                                break;
                        }
                        if (strv_push(&names, &n, strdup(de->d_name)) < 0) {
                                closedir(d);
                                goto oom;
                        }
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

int conf_files_list(const char *root, const char *const *dirs, size_t n_dirs, const char *suffix,
                    conf_error_fn error_fn, void *userdata, char ***ret, size_t *ret_n) {
        char **names = NULL, **paths = NULL;
        size_t n_names = 0, n_paths = 0;
        int r, ret_error;

        assert(ret);
        assert(ret_n);

        ret_error = collect_names(root, dirs, n_dirs, suffix, error_fn, userdata, &names, &n_names);
        if (ret_error == -ENOMEM)
                return ret_error;

        for (size_t k = 0; k < n_names; k++)
                for (size_t i = 0; i < n_dirs; i++) {
                        _cleanup_free_ char *dir = conf_path_join(root, dirs[i], NULL);
                        char *path = dir ? conf_path_join(NULL, dir, names[k]) : NULL;
                        struct stat st;

                        if (!path)
                                goto oom;
                        if (conf_file_is_masked(path)) {
                                free(path);
                                break;
                        }
                        /* Not in this directory (or a dangling symlink, which
                         * systemd treats as absent too): try the next one. */
                        if (stat(path, &st) < 0 && errno == ENOENT) {
                                free(path);
                                continue;
                        }
                        r = strv_push(&paths, &n_paths, path);
                        if (r < 0)
                                goto oom;
                        break;
                }

        strv_free_n(names, n_names);
        *ret = paths;
        *ret_n = n_paths;
        return ret_error;

oom:
        strv_free_n(names, n_names);
        strv_free_n(paths, n_paths);
        return -ENOMEM;
}
