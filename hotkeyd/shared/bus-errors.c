/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>

#include "bus-errors.h"
#include "bus-names.h"

/* Several names may share an errno; the name is what tells them apart. */
const sd_bus_error_map hotkeyd_bus_errors[] = {
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_NOT_PENDING, ENOENT),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_IN_PROGRESS, EBUSY),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_JOB_FAILED, EIO),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_CANCEL_FAILED, EIO),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_AGENT_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_NO_SESSION, ENXIO),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_NO_SUCH_AGENT, ENOENT),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_NO_SUCH_REQUEST, ENOENT),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_SESSION_LOOKUP_FAILED, EREMOTEIO),
        SD_BUS_ERROR_MAP(HOTKEYD_ERROR_ALREADY_CHECKING, EALREADY),
        SD_BUS_ERROR_MAP_END,
};

int bus_errors_register(void) {
        return sd_bus_error_add_map(hotkeyd_bus_errors);
}

const char *bus_error_message_internal(const sd_bus_error *e, int error, char *buf, size_t size) {
        int saved = errno;

        if (e && e->message)
                return e->message;
        /* %m, as everywhere else; errno is left as it was. */
        errno = error < 0 ? -error : error;
        (void) snprintf(buf, size, "%m");
        errno = saved;
        return buf;
}
