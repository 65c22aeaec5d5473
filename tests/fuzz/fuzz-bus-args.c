/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Any local process may call io.hotkeyd.FactoryReset1's methods with any
 * arguments.  Every method handler takes its arguments from
 * bus_method_args_read() (core/bus-args.c) and acts on nothing else, so
 * this drives that function with arbitrary method calls: it must not
 * crash, and it may only accept a call whose arguments are exactly the
 * method's signature with valid values; everything else is an InvalidArgs
 * error, after which the handlers return before they start, register or
 * confirm anything.
 *
 * The input: byte 0 picks the method; then up to ARGS_MAX arguments, each a
 * type byte (the low 7 bits pick one of the basic types below, the high bit
 * wraps the argument in a variant) and its value: the type's size in bytes
 * for numbers (missing bytes are zero), or a length byte and that many
 * bytes for strings, object paths and signatures.  An argument sd-bus
 * refuses to marshal (a string that is not UTF-8, a malformed path) is
 * left out, as no peer could have sent it.  The call is built with sd-bus
 * on a connection that is never used (it only needs one to exist),
 * sealed, and read as the daemon reads a received call. */

#include <sys/socket.h>

#include "bus-args.h"
#include "bus-names.h"
#include "fuzz.h"
#include "macro.h"

#define ARGS_MAX 8

static const char arg_types[] = "ybnqiuxtdsog";

typedef struct Arg {
        char type;
        bool variant;
        union {
                uint8_t y;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
        } number;
        char string[256];
        bool skip; /* sd-bus refused it */
} Arg;

static size_t basic_size(char type) {
        switch (type) {
        case 'y': return 1;
        case 'n': case 'q': return 2;
        case 'b': case 'i': case 'u': return 4;
        case 'x': case 't': case 'd': return 8;
        default: return 0;
        }
}

static size_t parse_args(const uint8_t *data, size_t size, Arg *args) {
        size_t n = 0, p = 0;

        while (n < ARGS_MAX && p < size) {
                Arg *a = &args[n++];
                uint8_t t = data[p++];

                *a = (Arg) { .type = arg_types[(t & 0x7f) % (sizeof arg_types - 1)], .variant = t & 0x80 };
                if (basic_size(a->type) > 0) {
                        size_t k = MIN(basic_size(a->type), size - p);
                        memcpy(&a->number, data + p, k);
                        p += k;
                        if (a->type == 'b')
                                a->number.i = a->number.i != 0; /* sd-bus takes an int, marshals 0 or 1 */
                } else {
                        size_t len = p < size ? data[p++] : 0;
                        len = MIN(len, size - p);
                        memcpy(a->string, data + p, len);
                        a->string[len] = '\0'; /* a NUL inside simply ends it early */
                        p += len;
                }
        }
        return n;
}

static int append_arg(sd_bus_message *m, const Arg *a) {
        const void *value = basic_size(a->type) > 0 ? (const void *) &a->number : (const void *) a->string;
        char contents[2] = { a->type, 0 };
        int r;

        if (!a->variant)
                return sd_bus_message_append_basic(m, a->type, value);
        r = sd_bus_message_open_container(m, 'v', contents);
        if (r >= 0)
                r = sd_bus_message_append_basic(m, a->type, value);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static sd_bus *connection(void) {
        static sd_bus *bus;
        int fds[2];

        if (bus)
                return bus;
        /* sd-bus makes messages only for a started connection; this one
         * is started and then never processed. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0 || sd_bus_new(&bus) < 0 ||
            sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
                abort();
        return bus;
}

/* The call with every argument sd-bus accepts; a refused one poisons the
 * message, so it is built again without that argument. */
static sd_bus_message *build_call(BusMethod method, Arg *args, size_t n, char *ret_signature) {
        for (;;) {
                sd_bus_message *m = NULL;
                size_t k = 0, failed = n;

                if (sd_bus_message_new_method_call(connection(), &m, HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH,
                                                   HOTKEYD_BUS_INTERFACE, bus_method_to_string(method)) < 0 ||
                    sd_bus_message_set_sender(m, ":1.42") < 0)
                        abort();
                for (size_t i = 0; i < n && failed == n; i++) {
                        if (args[i].skip)
                                continue;
                        if (append_arg(m, &args[i]) < 0)
                                failed = i;
                        else
                                ret_signature[k++] = args[i].variant ? 'v' : args[i].type;
                }
                if (failed == n) {
                        ret_signature[k] = '\0';
                        if (sd_bus_message_seal(m, 1, 0) < 0)
                                abort();
                        return m;
                }
                sd_bus_message_unref(m);
                args[failed].skip = true;
        }
}

static void check(sd_bus_message *m, BusMethod method, const Arg *args, size_t n, const char *signature) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const Arg *first = NULL;
        BusMethodArgs got;
        bool valid;
        int r;

        for (size_t i = 0; i < n && !first; i++)
                if (!args[i].skip)
                        first = &args[i];

        /* The model: exactly the method's one argument, unwrapped, and
         * Request()/Cancel() know no flags yet. */
        valid = streq(signature, bus_method_signature(method));
        if (valid && IN_SET(method, BUS_METHOD_REQUEST, BUS_METHOD_CANCEL))
                valid = first->number.t == 0;

        r = bus_method_args_read(m, method, &got, &error);
        if (valid) {
                if (r != 0 || sd_bus_error_is_set(&error))
                        abort();
                switch (signature[0]) {
                case 't':
                        if (got.flags != first->number.t || got.object_path || got.request_id != 0)
                                abort();
                        break;
                case 'o':
                        if (!got.object_path || !streq(got.object_path, first->string) || got.flags != 0 ||
                            got.request_id != 0)
                                abort();
                        break;
                case 'u':
                        if (got.request_id != first->number.u || got.flags != 0 || got.object_path)
                                abort();
                        break;
                default:
                        abort();
                }
        } else {
                if (r >= 0 || !sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS) || !error.message)
                        abort();
                /* Nothing to act on. */
                if (got.flags != 0 || got.object_path || got.request_id != 0)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Arg args[ARGS_MAX];
        char signature[ARGS_MAX * 2 + 1];
        sd_bus_message *m;
        BusMethod method;
        size_t n;

        if (size < 1)
                return 0;
        method = data[0] % _BUS_METHOD_MAX;
        n = parse_args(data + 1, size - 1, args);

        m = build_call(method, args, n, signature);
        check(m, method, args, n, signature);
        /* A handler may be handed a message that was read before (sd-bus
         * peeks at it): the answer is the same the second time. */
        check(m, method, args, n, signature);
        sd_bus_message_unref(m);
        return 0;
}
