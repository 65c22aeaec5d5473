/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <sys/socket.h>

#include "bus-args.h"
#include "bus-names.h"
#include "macro.h"
#include "tests.h"

/* sd-bus makes messages only for a started connection; this one is never
 * processed. */
static sd_bus *connection(void) {
        static sd_bus *bus;
        int fds[2];

        if (!bus) {
                ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds), 0);
                ASSERT_EQ(sd_bus_new(&bus), 0);
                ASSERT_EQ(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
                ASSERT_TRUE(sd_bus_start(bus) >= 0);
        }
        return bus;
}

/* A sealed call of method with the arguments (sd_bus_message_append() types). */
static sd_bus_message *call(BusMethod method, const char *types, ...) {
        sd_bus_message *m = NULL;
        va_list ap;

        ASSERT_EQ(sd_bus_message_new_method_call(connection(), &m, HOTKEYD_BUS_NAME, HOTKEYD_BUS_PATH,
                                                 HOTKEYD_BUS_INTERFACE, bus_method_to_string(method)),
                  0);
        va_start(ap, types);
        ASSERT_TRUE(sd_bus_message_appendv(m, types, ap) >= 0);
        va_end(ap);
        ASSERT_EQ(sd_bus_message_seal(m, 1, 0), 0);
        return m;
}

/* Reads m as method and expects an InvalidArgs error mentioning needle. */
static void assert_invalid(sd_bus_message *m, BusMethod method, const char *needle) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        BusMethodArgs args;

        ASSERT_EQ(bus_method_args_read(m, method, &args, &error), -EINVAL);
        ASSERT_STREQ(error.name, SD_BUS_ERROR_INVALID_ARGS);
        if (!strstr(error.message, needle))
                FAIL("\"%s\" does not mention \"%s\"", error.message, needle);
        ASSERT_UEQ(args.flags, 0);
        ASSERT_TRUE(!args.object_path);
        ASSERT_UEQ(args.request_id, 0);
        sd_bus_error_free(&error);
        sd_bus_message_unref(m);
}

TEST(valid_arguments) {
        sd_bus_message *m;
        BusMethodArgs args;

        m = call(BUS_METHOD_REQUEST, "t", UINT64_C(0));
        ASSERT_EQ(bus_method_args_read(m, BUS_METHOD_REQUEST, &args, NULL), 0);
        ASSERT_UEQ(args.flags, 0);
        sd_bus_message_unref(m);

        m = call(BUS_METHOD_REGISTER_AGENT, "o", "/io/hotkeyd/FactoryReset/Agent");
        ASSERT_EQ(bus_method_args_read(m, BUS_METHOD_REGISTER_AGENT, &args, NULL), 0);
        ASSERT_STREQ(args.object_path, "/io/hotkeyd/FactoryReset/Agent");
        /* Read again from the start: the same answer. */
        ASSERT_EQ(bus_method_args_read(m, BUS_METHOD_UNREGISTER_AGENT, &args, NULL), 0);
        ASSERT_STREQ(args.object_path, "/io/hotkeyd/FactoryReset/Agent");
        sd_bus_message_unref(m);

        m = call(BUS_METHOD_EXTEND_CONFIRMATION, "u", UINT32_C(4000000000));
        ASSERT_EQ(bus_method_args_read(m, BUS_METHOD_EXTEND_CONFIRMATION, &args, NULL), 0);
        ASSERT_UEQ(args.request_id, UINT32_C(4000000000));
        sd_bus_message_unref(m);
}

TEST(unknown_flags_are_invalid) {
        assert_invalid(call(BUS_METHOD_REQUEST, "t", UINT64_C(1)), BUS_METHOD_REQUEST, "Unknown flags 0x1.");
        assert_invalid(call(BUS_METHOD_CANCEL, "t", UINT64_MAX), BUS_METHOD_CANCEL, "0xffffffffffffffff");
}

TEST(wrong_signatures_are_invalid) {
        assert_invalid(call(BUS_METHOD_REQUEST, ""), BUS_METHOD_REQUEST, "'' to Request(), expected 't'");
        assert_invalid(call(BUS_METHOD_REQUEST, "u", UINT32_C(0)), BUS_METHOD_REQUEST, "'u'");
        assert_invalid(call(BUS_METHOD_CANCEL, "tt", UINT64_C(0), UINT64_C(0)), BUS_METHOD_CANCEL, "'tt'");
        assert_invalid(call(BUS_METHOD_REQUEST, "v", "t", UINT64_C(0)), BUS_METHOD_REQUEST, "'v'");
        assert_invalid(call(BUS_METHOD_REGISTER_AGENT, "s", "/a"), BUS_METHOD_REGISTER_AGENT,
                       "to RegisterAgent(), expected 'o'");
        assert_invalid(call(BUS_METHOD_CONFIRM, "i", INT32_C(-1)), BUS_METHOD_CONFIRM, "'i' to Confirm()");
        assert_invalid(call(BUS_METHOD_DECLINE, "us", UINT32_C(1), "x"), BUS_METHOD_DECLINE, "'us'");
        assert_invalid(call(BUS_METHOD_CONFIRM, "u", UINT32_C(1)), _BUS_METHOD_MAX, "Unknown method");
}

TEST_MAIN
