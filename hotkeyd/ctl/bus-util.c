/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-names.h"
#include "bus-util.h"
#include "hotkeyctl.h"
#include "log.h"
#include "polkit-agent.h"
#include "time-util.h"

#define NOT_RUNNING_MESSAGE "hotkeyd is not running (" HOTKEYD_BUS_NAME " not on the system bus)."

/* A person typing a password takes longer than sd-bus's default 25 s. */
#define INTERACTIVE_CALL_TIMEOUT_USEC (5 * 60 * USEC_PER_SEC)

/* The errors hotkeyd (and the bus) answer with, in words.  The daemon's own
 * message sits between prefix and suffix: it names the reason. */
static const struct {
        const char *name;
        CtlExitStatus status;
        const char *prefix;
        const char *suffix;
} bus_error_table[] = {
        { SD_BUS_ERROR_NOT_SUPPORTED, CTL_EXIT_NOT_SUPPORTED, "A factory reset cannot be requested: ", "" },
        { SD_BUS_ERROR_ACCESS_DENIED, CTL_EXIT_ACCESS_DENIED, "Access denied: ", "" },
        { SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, CTL_EXIT_ACCESS_DENIED, "",
          " Run hotkeyctl on a terminal without --no-ask-password to authenticate." },
        { HOTKEYD_ERROR_NOT_PENDING, CTL_EXIT_NOT_PENDING, "Nothing to cancel: ", "" },
        { HOTKEYD_ERROR_IN_PROGRESS, CTL_EXIT_FAILURE, "", "" },
        { HOTKEYD_ERROR_JOB_FAILED, CTL_EXIT_FAILURE, "", "" },
        { HOTKEYD_ERROR_CANCEL_FAILED, CTL_EXIT_FAILURE, "", "" },
        { SD_BUS_ERROR_NO_REPLY, CTL_EXIT_UNREACHABLE, "hotkeyd did not answer in time: ", "" },
        { SD_BUS_ERROR_TIMEOUT, CTL_EXIT_UNREACHABLE, "hotkeyd did not answer in time: ", "" },
};

int ctl_log_bus_error(const sd_bus_error *error, int r, const char *what) {
        const char *message;

        assert(what);

        if (!sd_bus_error_is_set(error)) {
                log_error_errno(r, "Failed to %s: %m", what);
                return CTL_EXIT_FAILURE;
        }
        message = error->message ?: error->name;

        /* With D-Bus activation the bus tries to start the service first;
         * its Spawn.* errors mean the same to the person asking. */
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
            strncmp(error->name, "org.freedesktop.DBus.Error.Spawn.", strlen("org.freedesktop.DBus.Error.Spawn.")) == 0) {
                log_error(NOT_RUNNING_MESSAGE);
                return CTL_EXIT_UNREACHABLE;
        }

        for (size_t i = 0; i < ELEMENTSOF(bus_error_table); i++)
                if (sd_bus_error_has_name(error, bus_error_table[i].name)) {
                        log_error("%s%s%s", bus_error_table[i].prefix, message, bus_error_table[i].suffix);
                        return bus_error_table[i].status;
                }

        log_error("Failed to %s: %s (%s)", what, message, error->name);
        return CTL_EXIT_FAILURE;
}

int ctl_bus_open(sd_bus **ret) {
        int r;

        assert(ret);

        r = sd_bus_open_system(ret);
        if (r < 0) {
                log_error_errno(r, "Cannot connect to the system bus: %m");
                return CTL_EXIT_UNREACHABLE;
        }
        return 0;
}

static int json_from_basic(sd_bus_message *m, char type, sd_json_variant **ret) {
        union {
                uint8_t u8;
                uint16_t u16;
                uint32_t u32;
                uint64_t u64;
                int16_t s16;
                int32_t s32;
                int64_t s64;
                int b;
                double d;
                const char *s;
        } v;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;

        switch (type) {
        case SD_BUS_TYPE_BOOLEAN:
                return sd_json_variant_new_boolean(ret, v.b);
        case SD_BUS_TYPE_STRING:
        case SD_BUS_TYPE_OBJECT_PATH:
        case SD_BUS_TYPE_SIGNATURE:
                return sd_json_variant_new_string(ret, v.s);
        case SD_BUS_TYPE_BYTE:
                return sd_json_variant_new_unsigned(ret, v.u8);
        case SD_BUS_TYPE_UINT16:
                return sd_json_variant_new_unsigned(ret, v.u16);
        case SD_BUS_TYPE_UINT32:
                return sd_json_variant_new_unsigned(ret, v.u32);
        case SD_BUS_TYPE_UINT64:
                return sd_json_variant_new_unsigned(ret, v.u64);
        case SD_BUS_TYPE_INT16:
                return sd_json_variant_new_integer(ret, v.s16);
        case SD_BUS_TYPE_INT32:
                return sd_json_variant_new_integer(ret, v.s32);
        case SD_BUS_TYPE_INT64:
                return sd_json_variant_new_integer(ret, v.s64);
        case SD_BUS_TYPE_DOUBLE:
                return sd_json_variant_new_real(ret, v.d);
        default:
                return -EOPNOTSUPP; /* file descriptors: none in hotkeyd's API */
        }
}

/* The members of the container just entered, up to its end. */
static int json_from_members(sd_bus_message *m, bool dict, sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *v = NULL;
        int r;

        r = dict ? sd_json_variant_new_object(&v, NULL, 0) : sd_json_variant_new_array(&v, NULL, 0);
        if (r < 0)
                return r;

        while ((r = sd_bus_message_at_end(m, false)) == 0) {
                _cleanup_(sd_json_variant_unrefp) sd_json_variant *e = NULL;
                const char *key = NULL;

                if (dict) {
                        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, NULL);
                        if (r < 0)
                                return r;

                        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &key);
                        if (r < 0)
                                return r;
                }

                r = bus_message_read_json(m, &e);
                if (r < 0)
                        return r;

                if (!dict) {
                        r = sd_json_variant_append_array(&v, e);
                        if (r < 0)
                                return r;
                        continue;
                }

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;

                r = sd_json_variant_set_field(&v, key, e);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        *ret = TAKE_PTR(v);
        return 0;
}

int bus_message_read_json(sd_bus_message *m, sd_json_variant **ret) {
        const char *contents;
        char type;
        int r;

        assert(m);
        assert(ret);

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (r == 0)
                return -EBADMSG;

        if (!IN_SET(type, SD_BUS_TYPE_ARRAY, SD_BUS_TYPE_STRUCT, SD_BUS_TYPE_VARIANT))
                return json_from_basic(m, type, ret);

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == SD_BUS_TYPE_VARIANT)
                r = bus_message_read_json(m, ret);
        else
                /* Only string keys make JSON object keys. */
                r = json_from_members(m, type == SD_BUS_TYPE_ARRAY && contents[0] == '{' && contents[1] == 's', ret);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int ctl_read_properties(sd_json_variant **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        assert(ret);

        r = ctl_bus_open(&bus);
        if (r != 0)
                return r;

        r = sd_bus_call_method(bus, HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                               &error, &reply, "s", HOTKEYD_BUS_INTERFACE);
        if (r < 0)
                return ctl_log_bus_error(&error, r, "read hotkeyd's properties");

        r = bus_message_read_json(reply, ret);
        if (r < 0) {
                log_error_errno(r, "Cannot parse hotkeyd's properties: %m");
                return CTL_EXIT_FAILURE;
        }
        return 0;
}

int ctl_call_operation(sd_bus *bus, const char *method, const char *what, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        pid_t agent = 0;
        int r;

        assert(bus);
        assert(method);
        assert(what);

        r = sd_bus_message_new_method_call(bus, &call, HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE,
                                           method);
        if (r < 0) {
                log_error_errno(r, "Failed to create the %s() call: %m", method);
                return CTL_EXIT_FAILURE;
        }

        r = sd_bus_message_append(call, "t", UINT64_C(0));
        if (r < 0) {
                log_error_errno(r, "Failed to append the flags of %s(): %m", method);
                return CTL_EXIT_FAILURE;
        }

        r = sd_bus_message_set_allow_interactive_authorization(call, arg_ask_password);
        if (r < 0) {
                log_error_errno(r, "Failed to allow interactive authorization for %s(): %m", method);
                return CTL_EXIT_FAILURE;
        }

        if (arg_ask_password)
                polkit_agent_open(&agent);
        r = sd_bus_call(bus, call, arg_ask_password ? INTERACTIVE_CALL_TIMEOUT_USEC : 0, &error, ret_reply);
        polkit_agent_close(agent);
        if (r < 0)
                return ctl_log_bus_error(&error, r, what);
        return 0;
}

static int json_object_from_struct(sd_json_variant *array, const char *const *names, size_t n_names,
                            sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *v = NULL;
        size_t n = sd_json_variant_elements(array);
        int r;

        if (!sd_json_variant_is_array(array))
                return -EBADMSG;

        r = sd_json_variant_new_object(&v, NULL, 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && i < n_names; i++) {
                r = sd_json_variant_set_field(&v, names[i], sd_json_variant_by_index(array, i));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(v);
        return 0;
}

int json_structs_to_objects(sd_json_variant *structs, const char *const *names, size_t n_names,
                            sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *v = NULL;
        int r;

        assert(names);

        r = sd_json_variant_new_array(&v, NULL, 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sd_json_variant_elements(structs); i++) {
                _cleanup_(sd_json_variant_unrefp) sd_json_variant *o = NULL;

                r = json_object_from_struct(sd_json_variant_by_index(structs, i), names, n_names, &o);
                if (r < 0)
                        return r;

                r = sd_json_variant_append_array(&v, o);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(v);
        return 0;
}
