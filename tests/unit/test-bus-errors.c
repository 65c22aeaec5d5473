/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "bus-errors.h"
#include "bus-names.h"
#include "macro.h"
#include "tests.h"

#define ERROR_PREFIX "io.hotkeyd.FactoryReset1.Error."

static size_t map_size(void) {
        size_t n = 0;

        while (hotkeyd_bus_errors[n].name)
                n++;
        return n;
}

static const sd_bus_error_map *map_find(const char *name) {
        for (const sd_bus_error_map *m = hotkeyd_bus_errors; m->name; m++)
                if (streq(m->name, name))
                        return m;
        return NULL;
}

TEST(names_map_to_their_errno_once_registered) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        /* Unknown to sd-bus until registered. */
        ASSERT_EQ(sd_bus_error_set(NULL, HOTKEYD_ERROR_ALREADY_CHECKING, NULL), -EIO);

        ASSERT_EQ(bus_errors_register(), 1);
        ASSERT_EQ(bus_errors_register(), 0);
        ASSERT_EQ(sd_bus_error_setf(&e, HOTKEYD_ERROR_ALREADY_CHECKING, "checked %u", 7U), -EALREADY);
        ASSERT_STREQ(e.message, "checked 7");
        ASSERT_EQ(sd_bus_error_get_errno(&e), EALREADY);
        ASSERT_EQ(sd_bus_error_set(NULL, HOTKEYD_ERROR_SESSION_LOOKUP_FAILED, NULL), -EREMOTEIO);
        ASSERT_EQ(sd_bus_error_set(NULL, HOTKEYD_ERROR_AGENT_EXISTS, NULL), -EEXIST);
        ASSERT_EQ(sd_bus_error_set(NULL, HOTKEYD_ERROR_IN_PROGRESS, NULL), -EBUSY);

        for (const sd_bus_error_map *m = hotkeyd_bus_errors; m->name; m++) {
                ASSERT_TRUE(m->code > 0);
                ASSERT_EQ(sd_bus_error_set(NULL, m->name, NULL), -m->code);
        }
}

TEST(map_has_each_name_once_and_only_hotkeyd_names) {
        size_t n = map_size();

        ASSERT_TRUE(n > 0);
        for (size_t i = 0; i < n; i++) {
                ASSERT_TRUE(strncmp(hotkeyd_bus_errors[i].name, ERROR_PREFIX, strlen(ERROR_PREFIX)) == 0);
                for (size_t j = i + 1; j < n; j++)
                        if (streq(hotkeyd_bus_errors[i].name, hotkeyd_bus_errors[j].name))
                                FAIL("%s is in the map twice", hotkeyd_bus_errors[i].name);
        }
}

/* Every name bus-names.h defines is in the map: a new name without an
 * errno would reach clients as -EIO. */
TEST(map_covers_every_name_in_bus_names_h) {
        const char *src = getenv("HOTKEYD_SOURCE_ROOT");
        char path[4096], line[1024];
        size_t found = 0;
        FILE *f;

        if (!src || !*src)
                FAIL("HOTKEYD_SOURCE_ROOT is not set; it must point at the source tree");
        snprintf(path, sizeof path, "%s/hotkeyd/shared/bus-names.h", src);
        f = fopen(path, "re");
        if (!f)
                FAIL("cannot open %s: %m", path);
        while (fgets(line, sizeof line, f)) {
                char *start = strstr(line, "\"" ERROR_PREFIX), *end;

                if (!start)
                        continue;
                start++;
                end = strchr(start, '"');
                ASSERT_TRUE(end);
                *end = '\0';
                if (!map_find(start))
                        FAIL("%s (bus-names.h) is not in hotkeyd_bus_errors", start);
                found++;
        }
        fclose(f);
        ASSERT_UEQ(found, map_size());
}

TEST(bus_error_message_is_the_peers_message_else_the_errno) {
        sd_bus_error e = SD_BUS_ERROR_MAKE_CONST(SD_BUS_ERROR_FAILED, "logind is busy");
        sd_bus_error nameless = SD_BUS_ERROR_MAKE_CONST(SD_BUS_ERROR_FAILED, NULL);

        ASSERT_STREQ(bus_error_message(&e, -EIO), "logind is busy");
        ASSERT_STREQ(bus_error_message(&nameless, -ECONNRESET), "Connection reset by peer");
        ASSERT_STREQ(bus_error_message(NULL, -ENOMEM), "Cannot allocate memory");
        ASSERT_STREQ(bus_error_message(NULL, ENOMEM), "Cannot allocate memory");
        /* errno is left as it was, for a %m after it. */
        errno = EBADF;
        (void) bus_error_message(NULL, -ENOMEM);
        ASSERT_EQ(errno, EBADF);
}

TEST_MAIN
