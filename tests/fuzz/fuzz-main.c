/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A stand-in for libFuzzer's main(): feeds every file named on the command
 * line (or every regular file in a named directory) to the target once.
 * That replays a corpus in builds without libFuzzer, e.g. with gcc, and
 * reproduces a crash file without it. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "macro.h"

/* Inputs are small by design; this only guards against a wrong argument. */
#define INPUT_SIZE_MAX (16 * 1024 * 1024)

static int read_all(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        struct stat st;
        size_t size = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > INPUT_SIZE_MAX)
                return -EFBIG;

        /* Exactly st_size bytes (no terminating NUL), so ASan catches a
         * target reading one byte past its input. */
        buf = malloc(st.st_size > 0 ? (size_t) st.st_size : 1);
        if (!buf)
                return -ENOMEM;
        while (size < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + size, (size_t) st.st_size - size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                size += (size_t) n;
        }

        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int run_file(const char *path) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t size = 0;
        int r;

        r = read_all(path, &data, &size);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }
        printf("%s (%zu bytes)\n", path, size);
        fflush(stdout);
        (void) LLVMFuzzerTestOneInput(data, size);
        return 0;
}

static int cmp_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorted, so that a failing run is reproducible in the same order. */
static int run_dir(const char *path, unsigned *n_files) {
        DIR *d = opendir(path);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;
        int r = 0;

        if (!d) {
                r = -errno;
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char **nn = realloc(names, (n + 1) * sizeof *nn);
                if (!nn) {
                        r = -ENOMEM;
                        break;
                }
                names = nn;
                if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);

        if (r == 0 && n > 0)
                qsort(names, n, sizeof *names, cmp_strings);
        for (size_t i = 0; i < n; i++) {
                if (r == 0) {
                        r = run_file(names[i]);
                        (*n_files)++;
                }
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned n_files = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIRECTORY...\n", argv[0]);
                return 2;
        }

        for (int i = 1; i < argc; i++) {
                struct stat st;
                int r;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %m\n", argv[i]);
                        return 1;
                }
                if (S_ISDIR(st.st_mode))
                        r = run_dir(argv[i], &n_files);
                else {
                        r = run_file(argv[i]);
                        n_files++;
                }
                if (r < 0)
                        return 1;
        }

        /* An empty corpus would make the test pass while checking nothing. */
        if (n_files == 0) {
                fprintf(stderr, "no input files\n");
                return 1;
        }
        printf("%u inputs, no crash\n", n_files);
        return 0;
}
