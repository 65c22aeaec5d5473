/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent.h"
#include "bus-args.h"
#include "bus-errors.h"
#include "bus-names.h"
#include "log.h"
#include "messages.h"
#include "sessions.h"

/* Agents are one per session on a seat, and logind bounds sessions; this
 * bounds what the daemon keeps.  Registrations still waiting for logind
 * are counted apart, in all and per connection: callers without a seat
 * (ssh) are never registered, and their flood must not keep the real
 * agent out.  Per connection, as for Request() (operation.c): counting
 * needs no round trip to the bus. */
#define AGENTS_MAX 256U
#define REGISTRATIONS_MAX 64U
#define REGISTRATIONS_PER_CALLER_MAX 4U

/* A RegisterAgent() call waiting for logind's answer about its session. */
struct AgentRegistration {
        Agents *agents;
        AgentRegistration *next, *prev;
        sd_bus_message *call;
        char *path;
        uid_t uid;
        SessionLookup *lookup;
};

#define agent_log(a, level, message_id, fmt, ...)                               \
        log_struct((level),                                                     \
                   LOG_MESSAGE(fmt, ##__VA_ARGS__),                             \
                   LOG_MESSAGE_ID(message_id),                                  \
                   "HOTKEYD_AGENT_SESSION=%s", (a)->session,                    \
                   "HOTKEYD_SEAT=%s", (a)->seat,                                \
                   "HOTKEYD_AGENT_UID=" UID_FMT, (a)->uid)

void agent_stop(Agent *a) {
        assert(a);

        if (a->agents && a->agents->on_gone)
                a->agents->on_gone(a, a->agents->userdata);
}

Agent *agent_free(Agent *a) {
        if (!a)
                return NULL;
        if (a->agents) {
                LIST_UNLINK(a->agents->list, a);
                a->agents->n--;
        }
        sd_bus_track_unref(a->track);
        free(a->bus_name);
        free(a->path);
        free(a->session);
        free(a->seat);
        free(a);
        return NULL;
}
DEFINE_POINTER_CLEANUP(Agent, agent_free);

AgentRegistration *agent_registration_free(AgentRegistration *r) {
        if (!r)
                return NULL;
        if (r->agents) {
                LIST_UNLINK(r->agents->registrations, r);
                r->agents->n_registrations--;
        }
        session_lookup_free(r->lookup);
        sd_bus_message_unref(r->call);
        free(r->path);
        free(r);
        return NULL;
}
DEFINE_POINTER_CLEANUP(AgentRegistration, agent_registration_free);

Agent *agent_find_by_session(Agents *agents, const char *session) {
        assert(agents);

        for (Agent *a = agents->list; a; a = a->next)
                if (streq(a->session, session))
                        return a;
        return NULL;
}

static Agent *agent_find_by_owner(Agents *agents, const char *bus_name, const char *path) {
        for (Agent *a = agents->list; a; a = a->next)
                if (streq(a->bus_name, bus_name) && (!path || streq(a->path, path)))
                        return a;
        return NULL;
}

static int agent_on_name_gone(sd_bus_track *track, void *userdata) {
        Agent *a = ASSERT_PTR(userdata);

        agent_log(a, LOG_INFO, MESSAGE_ID_AGENT_UNREGISTERED, "Session agent of session %s on %s went away.",
                  a->session, a->seat);
        agent_stop(a);
        agent_free(a);
        return 0;
}

static int agent_new(Agents *agents, sd_bus *bus, const char *bus_name, const char *path, const SessionInfo *info,
                     Agent **ret) {
        _cleanup_(agent_freep) Agent *a = NULL;
        int r;

        assert(agents);
        assert(bus);
        assert(bus_name);
        assert(path);
        assert(info);
        assert(ret);

        a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->uid = info->caller_uid;
        a->bus_name = strdup(bus_name);
        a->path = strdup(path);
        a->session = strdup(info->id);
        a->seat = strdup(info->seat);
        if (!a->bus_name || !a->path || !a->session || !a->seat)
                return -ENOMEM;

        r = sd_bus_track_new(bus, &a->track, agent_on_name_gone, a);
        if (r < 0)
                return r;

        r = sd_bus_track_add_name(a->track, bus_name);
        if (r < 0)
                return r;

        a->agents = agents;
        LIST_PREPEND(agents->list, a);
        agents->n++;
        *ret = TAKE_PTR(a);
        return 0;
}

static void agent_registration_reply_error(AgentRegistration *reg, const char *name, const char *format, ...)
        _printf_(3, 4);
static void agent_registration_reply_error(AgentRegistration *reg, const char *name, const char *format, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;

        va_start(ap, format);
        (void) sd_bus_error_setfv(&error, name, format, ap);
        va_end(ap);
        log_info("Session agent of uid " UID_FMT " not registered: %s", reg->uid, error.message);
        (void) sd_bus_reply_method_error(reg->call, &error);
}

static void agent_on_session(int error, const sd_bus_error *bus_error, const SessionInfo *info, void *userdata) {
        _cleanup_(agent_registration_freep) AgentRegistration *reg = ASSERT_PTR(userdata);
        Agents *agents = reg->agents;
        Agent *a;
        int r;

        reg->lookup = session_lookup_free(reg->lookup);
        reg->uid = info->caller_uid;

        if (error < 0)
                return agent_registration_reply_error(
                        reg, SD_BUS_ERROR_FAILED, "Cannot find your login session: logind did not answer (%s).",
                        bus_error_message(bus_error, error));
        if (info->refusal)
                return agent_registration_reply_error(reg, SD_BUS_ERROR_ACCESS_DENIED,
                                                      "Not a session agent of session %s: %s.",
                                                      isempty(info->id) ? "(none)" : info->id, info->refusal);
        if (isempty(info->id))
                return agent_registration_reply_error(reg, HOTKEYD_ERROR_NO_SESSION,
                                                      "Only a process in a login session can be a session agent.");
        if (isempty(info->seat))
                return agent_registration_reply_error(
                        reg, HOTKEYD_ERROR_NO_SESSION,
                        "Session %s is not on a seat, so no key gesture can ever ask it to confirm.", info->id);
        if (agent_find_by_session(agents, info->id))
                return agent_registration_reply_error(reg, HOTKEYD_ERROR_AGENT_EXISTS,
                                                      "Session %s already has a session agent.", info->id);

        r = agent_new(agents, sd_bus_message_get_bus(reg->call), sd_bus_message_get_sender(reg->call), reg->path,
                      info, &a);
        if (r < 0) {
                log_error_errno(r, "Failed to register session agent: %m");
                (void) sd_bus_reply_method_errno(reg->call, r, NULL);
                return;
        }

        agent_log(a, LOG_INFO, MESSAGE_ID_AGENT_REGISTERED,
                  "Session agent registered for session %s on %s (uid " UID_FMT ", %s).", a->session, a->seat,
                  a->uid, a->bus_name);
        (void) sd_bus_reply_method_return(reg->call, "");
}

static size_t agent_registrations_of(Agents *agents, const char *sender) {
        size_t n = 0;

        for (AgentRegistration *r = agents->registrations; r; r = r->next)
                if (streq_ptr(sd_bus_message_get_sender(r->call), sender))
                        n++;
        return n;
}

int agent_method_register(sd_bus_message *call, Agents *agents, sd_bus_error *error) {
        _cleanup_(agent_registration_freep) AgentRegistration *reg = NULL;
        const char *sender;
        BusMethodArgs args;
        int r;

        assert(call);
        assert(agents);

        sender = sd_bus_message_get_sender(call);

        r = bus_method_args_read(call, BUS_METHOD_REGISTER_AGENT, &args, error);
        if (r < 0)
                return r;
        if (!sender)
                return -EBADMSG;
        if (agent_find_by_owner(agents, sender, NULL))
                return sd_bus_error_set(error, HOTKEYD_ERROR_AGENT_EXISTS,
                                        "This connection already registered a session agent.");
        if (agents->n >= AGENTS_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED, "Too many session agents.");
        if (agents->n_registrations >= REGISTRATIONS_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                        "Too many session agent registrations in flight; try again later.");
        if (agent_registrations_of(agents, sender) >= REGISTRATIONS_PER_CALLER_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                        "Too many session agent registrations of this connection in flight; try "
                                        "again later.");

        reg = calloc(1, sizeof *reg);
        if (!reg)
                return -ENOMEM;
        reg->call = sd_bus_message_ref(call);
        reg->uid = UID_INVALID;
        reg->path = strdup(args.object_path);
        if (!reg->path)
                return -ENOMEM;

        log_debug("Session agent registration from %s.", sender);
        r = session_lookup_by_caller(call, agent_on_session, reg, &reg->lookup, error);
        if (r < 0)
                return r;

        reg->agents = agents;
        LIST_PREPEND(agents->registrations, reg);
        agents->n_registrations++;
        TAKE_PTR(reg);
        return 1;
}

int agent_method_unregister(sd_bus_message *call, Agents *agents, sd_bus_error *error) {
        BusMethodArgs args;
        Agent *a;
        int r;

        assert(call);
        assert(agents);

        r = bus_method_args_read(call, BUS_METHOD_UNREGISTER_AGENT, &args, error);
        if (r < 0)
                return r;

        a = agent_find_by_owner(agents, sd_bus_message_get_sender(call), args.object_path);
        if (!a)
                return sd_bus_error_setf(error, HOTKEYD_ERROR_NO_SUCH_AGENT,
                                         "No session agent at %s is registered by this connection.",
                                         args.object_path);

        agent_log(a, LOG_INFO, MESSAGE_ID_AGENT_UNREGISTERED, "Session agent of session %s on %s unregistered.",
                  a->session, a->seat);
        agent_stop(a);
        agent_free(a);
        return sd_bus_reply_method_return(call, "");
}

int agent_ask(Agent *a, unsigned request_id, const char *trigger, const char *seat, const char *device,
              usec_t deadline, sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot) {
        assert(a);

        return sd_bus_call_method_async(sd_bus_track_get_bus(a->track), ret_slot, a->bus_name, a->path, HOTKEYD_AGENT_INTERFACE,
                                        "RequestConfirmation", callback, userdata, "ussst", (uint32_t) request_id,
                                        trigger, seat, strempty(device), (uint64_t) deadline);
}

void agent_cancel(Agent *a, unsigned request_id, const char *reason) {
        int r;

        assert(a);

        /* No slot: the call floats, and nobody waits for the agent. */
        r = sd_bus_call_method_async(sd_bus_track_get_bus(a->track), NULL, a->bus_name, a->path, HOTKEYD_AGENT_INTERFACE,
                                     "CancelConfirmation", NULL, NULL, "us", (uint32_t) request_id, reason);
        if (r < 0)
                log_debug_errno(r, "Failed to tell the session agent of %s that request %u is over: %m", a->session,
                                request_id);
}
