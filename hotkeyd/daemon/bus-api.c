/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent.h"
#include "bus-api.h"
#include "bus-args.h"
#include "bus-errors.h"
#include "bus-names.h"
#include "keys.h"
#include "log.h"
#include "manager.h"
#include "operation.h"

/* Supported, UnsupportedReason and Mode say what was last announced (with
 * its change signal, manager_announce_support()): while what a reset
 * erases is found out again (a reload, a TPM read again), they keep the
 * last verdict rather than changing without a signal.  Request() and the
 * gestures do not go by them: each asks systemd again and takes what a
 * reset erases at that moment. */
static int property_get_supported(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "b",
                                     m->support_announced && m->support_announced_state.verdict == SUPPORT_YES);
}

static int property_get_unsupported_reason(sd_bus *bus, const char *path, const char *interface,
                                           const char *property, sd_bus_message *reply, void *userdata,
                                           sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const char *reason = m->support_announced ? support_verdict_reason_to_string(m->support_announced_state.verdict)
                             : m->support_known   ? support_verdict_reason_to_string(SUPPORT_ERASE_UNKNOWN)
                                                  : "The support check has not finished yet.";
        return sd_bus_message_append(reply, "s", strempty(reason));
}

static int property_get_mode(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        /* "unknown" is ours: systemd did not (yet) say. */
        const char *mode = m->support_announced ? factory_reset_mode_to_string(m->support_announced_state.mode)
                           : m->support_known   ? factory_reset_mode_to_string(m->support.mode)
                                                : NULL;
        return sd_bus_message_append(reply, "s", mode ?: "unknown");
}

static int property_get_daemon_mode(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "s", daemon_mode_to_string(m->config->mode));
}

static int property_get_confirm_timeout(sd_bus *bus, const char *path, const char *interface,
                                        const char *property, sd_bus_message *reply, void *userdata,
                                        sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "t", m->config->confirm_timeout_usec);
}

/* One (sasstuts) of the Triggers property. */
static int append_trigger(sd_bus_message *reply, const Trigger *t) {
        int r;

        r = sd_bus_message_open_container(reply, 'r', "sasstuts");
        if (r < 0)
                return r;

        r = sd_bus_message_append(reply, "s", t->name);
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;

        for (size_t k = 0; k < t->n_keys; k++) {
                r = sd_bus_message_append(reply, "s", strna(key_to_name(t->keys[k])));
                if (r < 0)
                        return r;
        }

        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        r = sd_bus_message_append(reply, "stuts", t->kind == TRIGGER_HOLD ? "hold" : "presses",
                                  (uint64_t) (t->kind == TRIGGER_HOLD ? t->hold_usec : 0),
                                  (uint32_t) (t->kind == TRIGGER_PRESSES ? t->presses : 0),
                                  (uint64_t) (t->kind == TRIGGER_PRESSES ? t->within_usec : 0),
                                  strempty(t->seat));
        if (r < 0)
                return r;

        return sd_bus_message_close_container(reply);
}

static int property_get_triggers(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sasstuts)");
        if (r < 0)
                return r;

        for (size_t i = 0; i < m->config->n_triggers; i++) {
                r = append_trigger(reply, &m->config->triggers[i]);
                if (r < 0)
                        return r;
        }

        return sd_bus_message_close_container(reply);
}

static int property_get_devices(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sss)");
        if (r < 0)
                return r;
        for (InputDevice *d = m->input ? input_first_device(m->input) : NULL; d; d = input_next_device(d)) {
                r = sd_bus_message_append(reply, "(sss)", input_device_node(d), input_device_name(d),
                                          input_device_seat(d));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_device_keys(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssss)");
        if (r < 0)
                return r;
        for (InputDevice *d = m->input ? input_first_device(m->input) : NULL; d; d = input_next_device(d))
                for (size_t i = 0; i < input_device_n_keys(d); i++) {
                        const char *reason;
                        KeyHolds holds = input_device_key_holds(d, i, &reason);

                        r = sd_bus_message_append(reply, "(ssss)", input_device_node(d),
                                                  strna(key_to_name(input_device_key_code(d, i))),
                                                  key_holds_to_string(holds), strempty(reason));
                        if (r < 0)
                                return r;
                }
        return sd_bus_message_close_container(reply);
}

static int property_get_trigger_availability(sd_bus *bus, const char *path, const char *interface,
                                             const char *property, sd_bus_message *reply, void *userdata,
                                             sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const TriggerReachList *l = &m->reach;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssbs)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < l->n_items; i++) {
                r = sd_bus_message_append(reply, "(ssbs)", l->items[i].trigger, l->items[i].seat,
                                          l->items[i].can_fire, l->items[i].reason);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_tpm(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const TpmInfo *t = &m->tpm;
        char version[TPM_FIRMWARE_VERSION_MAX];

        return sd_bus_message_append(reply, "a{sv}", 7,
                                     "Present", "b", t->present,
                                     "Manufacturer", "s", t->manufacturer,
                                     "FirmwareVersion", "s", tpm_firmware_version(t, version),
                                     "DisableClear", "b", t->disable_clear,
                                     "InLockout", "b", t->in_lockout,
                                     "FirmwareOffersClear", "b", t->ppi_clear,
                                     "Error", "s", t->error);
}

static int property_get_erased_partitions(sd_bus *bus, const char *path, const char *interface,
                                          const char *property, sd_bus_message *reply, void *userdata,
                                          sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const EraseState *e = &m->erase;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssssts)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < e->n_partitions; i++) {
                const ErasedPartition *p = &e->partitions[i];

                r = sd_bus_message_append(reply, "(ssssts)", p->file, p->type, strempty(p->label),
                                          strempty(p->device), p->size, strempty(p->mount_point));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_clears_tpm(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);

        return sd_bus_message_append(reply, "b", erase_clears_tpm(&m->erase, m->tpm.present));
}

static int property_get_reset_plugins(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const EraseState *e = &m->erase;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < e->n_plugins; i++) {
                r = sd_bus_message_append(reply, "(ss)", e->plugins[i].unit, e->plugins[i].description);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_erase_problems(sd_bus *bus, const char *path, const char *interface,
                                       const char *property, sd_bus_message *reply, void *userdata,
                                       sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const EraseState *e = &m->erase;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        for (size_t i = 0; i < e->n_problems; i++) {
                r = sd_bus_message_append(reply, "s", e->problems[i]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* (requested, checked, verdict, [(name, mount point, state)]); verdict ""
 * and all else empty when no reset was checked. */
static int property_get_last_reset(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);
        const ResetOutcome *o = &m->last_reset;
        bool has = m->has_last_reset;
        int r;

        r = sd_bus_message_open_container(reply, 'r', "ttsa(sss)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "tts", has ? o->requested_usec : 0, has ? o->checked_usec : 0,
                                  has ? reset_verdict_to_string(o->verdict) : "");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sss)");
        if (r < 0)
                return r;
        for (size_t i = 0; has && i < o->n_partitions; i++) {
                r = sd_bus_message_append(reply, "(sss)", o->partitions[i].name,
                                          strempty(o->partitions[i].mount_point),
                                          reset_partition_state_to_string(o->partitions[i].state));
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* Request() and Cancel(): validated here, answered when the operation ends. */
static int method_operation(sd_bus_message *message, OperationKind kind, void *userdata, sd_bus_error *error) {
        BusMethodArgs args;
        int r;

        r = bus_method_args_read(message, kind == OPERATION_REQUEST ? BUS_METHOD_REQUEST : BUS_METHOD_CANCEL, &args,
                                 error);
        if (r < 0)
                return r;

        Manager *m = ASSERT_PTR(userdata);

        r = operation_start_from_bus(&m->operations, kind, message, error);
        if (r < 0)
                return r;
        return 1;
}

static int method_request(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return method_operation(message, OPERATION_REQUEST, userdata, error);
}

static int method_cancel(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return method_operation(message, OPERATION_CANCEL, userdata, error);
}

static int method_register_agent(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);

        return agent_method_register(message, &m->agents, error);
}

static int method_unregister_agent(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);

        return agent_method_unregister(message, &m->agents, error);
}

static int method_confirm(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);

        return confirmation_method_confirm(message, &m->operations, error);
}

static int method_decline(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);

        return confirmation_method_decline(message, &m->operations, error);
}

static int method_extend_confirmation(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = ASSERT_PTR(userdata);

        return confirmation_method_extend(message, &m->operations, error);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Supported", "b", property_get_supported, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UnsupportedReason", "s", property_get_unsupported_reason, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Mode", "s", property_get_mode, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DaemonMode", "s", property_get_daemon_mode, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ConfirmTimeoutUSec", "t", property_get_confirm_timeout, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Triggers", "a(sasstuts)", property_get_triggers, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Devices", "a(sss)", property_get_devices, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DeviceKeys", "a(ssss)", property_get_device_keys, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("TriggerAvailability", "a(ssbs)", property_get_trigger_availability, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Tpm", "a{sv}", property_get_tpm, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ErasedPartitions", "a(ssssts)", property_get_erased_partitions, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ClearsTpm", "b", property_get_clears_tpm, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("EraseProblems", "as", property_get_erase_problems, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ResetPlugins", "a(ss)", property_get_reset_plugins, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastReset", "(ttsa(sss))", property_get_last_reset, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

        SD_BUS_METHOD_WITH_ARGS("Request", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("s", result), method_request,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Cancel", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_cancel,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RegisterAgent", SD_BUS_ARGS("o", object_path), SD_BUS_NO_RESULT,
                                method_register_agent, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UnregisterAgent", SD_BUS_ARGS("o", object_path), SD_BUS_NO_RESULT,
                                method_unregister_agent, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Confirm", SD_BUS_ARGS("u", request_id), SD_BUS_RESULT("s", result), method_confirm,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Decline", SD_BUS_ARGS("u", request_id), SD_BUS_NO_RESULT, method_decline,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ExtendConfirmation", SD_BUS_ARGS("u", request_id), SD_BUS_RESULT("t", deadline_usec),
                                method_extend_confirmation, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_ARGS("HoldStarted", SD_BUS_ARGS("s", trigger, "s", seat, "s", device), 0),
        SD_BUS_SIGNAL_WITH_ARGS("HoldProgress",
                                SD_BUS_ARGS("s", trigger, "s", seat, "t", elapsed_usec, "t", total_usec), 0),
        SD_BUS_SIGNAL_WITH_ARGS("HoldCancelled",
                                SD_BUS_ARGS("s", trigger, "s", seat, "t", elapsed_usec, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("Triggered", SD_BUS_ARGS("s", trigger, "s", seat), 0),
        SD_BUS_VTABLE_END,
};

void bus_api_emit_gesture(Manager *m, const GestureEvent *e) {
        int r;

        assert(m);
        assert(e);

        if (!m->bus)
                return;

        switch (e->type) {
        case GESTURE_HOLD_START:
                r = sd_bus_emit_signal(m->bus, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE, "HoldStarted", "sss",
                                       e->trigger->name, e->seat, strempty(e->device));
                break;
        case GESTURE_HOLD_PROGRESS:
                r = sd_bus_emit_signal(m->bus, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE, "HoldProgress", "sstt",
                                       e->trigger->name, e->seat, (uint64_t) e->elapsed_usec,
                                       (uint64_t) e->total_usec);
                break;
        case GESTURE_HOLD_CANCEL:
                r = sd_bus_emit_signal(m->bus, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE, "HoldCancelled", "ssts",
                                       e->trigger->name, e->seat, (uint64_t) e->elapsed_usec,
                                       gesture_cancel_reason_to_string(e->reason));
                break;
        case GESTURE_TRIGGER:
                r = sd_bus_emit_signal(m->bus, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE, "Triggered", "ss",
                                       e->trigger->name, e->seat);
                break;
        default:
                return;
        }
        if (r < 0)
                log_debug_errno(r, "Failed to emit gesture signal: %m");
}

void bus_api_emit_changed(Manager *m, char **properties) {
        int r;

        assert(m);
        assert(properties);

        if (!m->bus)
                return;
        r = sd_bus_emit_properties_changed_strv(m->bus, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE, properties);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged: %m");
}

int bus_api_start(Manager *m) {
        int r;

        assert(m);

        /* So that a handler that sets one of hotkeyd's errors returns its errno. */
        r = bus_errors_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register hotkeyd's D-Bus errors: %m");

        r = sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = sd_bus_add_object_vtable(m->bus, NULL, HOTKEYD_BUS_PATH, HOTKEYD_BUS_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to publish " HOTKEYD_BUS_PATH ": %m");

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        /* The name is requested by the caller, asynchronously
         * (manager-bus.c): READY=1 waits for it. */
        return 0;
}
