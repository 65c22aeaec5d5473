/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-args.h"
#include "macro.h"

static const struct {
        const char *name;
        const char *signature;
} bus_method_table[_BUS_METHOD_MAX] = {
        [BUS_METHOD_REQUEST] = { "Request", "t" },
        [BUS_METHOD_CANCEL] = { "Cancel", "t" },
        [BUS_METHOD_REGISTER_AGENT] = { "RegisterAgent", "o" },
        [BUS_METHOD_UNREGISTER_AGENT] = { "UnregisterAgent", "o" },
        [BUS_METHOD_CONFIRM] = { "Confirm", "u" },
        [BUS_METHOD_DECLINE] = { "Decline", "u" },
        [BUS_METHOD_EXTEND_CONFIRMATION] = { "ExtendConfirmation", "u" },
};

const char *bus_method_to_string(BusMethod m) {
        return m >= 0 && m < _BUS_METHOD_MAX ? bus_method_table[m].name : NULL;
}

const char *bus_method_signature(BusMethod m) {
        return m >= 0 && m < _BUS_METHOD_MAX ? bus_method_table[m].signature : NULL;
}

int bus_method_args_read(sd_bus_message *message, BusMethod m, BusMethodArgs *ret, sd_bus_error *error) {
        const char *name = bus_method_to_string(m), *signature = bus_method_signature(m);
        BusMethodArgs args = {};
        int r;

        *ret = (BusMethodArgs) {};
        if (!name)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown method.");

        r = sd_bus_message_rewind(message, true);
        if (r < 0 || !sd_bus_message_has_signature(message, signature))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid arguments '%s' to %s(), expected '%s'.",
                                         strempty(sd_bus_message_get_signature(message, true)), name, signature);

        switch (signature[0]) {
        case 't':
                r = sd_bus_message_read_basic(message, 't', &args.flags);
                break;
        case 'o':
                r = sd_bus_message_read_basic(message, 'o', &args.object_path);
                break;
        case 'u':
                r = sd_bus_message_read_basic(message, 'u', &args.request_id);
                break;
        default:
                r = -EINVAL;
        }
        /* Only a message sd-bus itself considers broken gets here. */
        if (r <= 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Cannot read the arguments of %s().",
                                         name);

        if ((m == BUS_METHOD_REQUEST || m == BUS_METHOD_CANCEL) && (args.flags & ~REQUEST_FLAGS_ALL))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown flags 0x%" PRIx64 ".",
                                         args.flags & ~REQUEST_FLAGS_ALL);

        *ret = args;
        return 0;
}
