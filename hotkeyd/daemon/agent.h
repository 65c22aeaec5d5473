/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Session agents: one process per login session (the `factory-reset
 * --agent` of the GUI) that registers with RegisterAgent() and is asked to
 * confirm a gesture made on its seat.  The daemon calls the agent's
 * io.hotkeyd.FactoryReset1.Agent interface; the agent answers with
 * Confirm()/Decline() on the daemon's.  An agent goes away with its bus
 * name. */

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "time-util.h"

typedef struct Agent Agent;
typedef struct AgentRegistration AgentRegistration;

/* An agent ends (unregistered, or its bus name went away); whatever it
 * was showing can never be answered now. */
typedef void (*agent_gone_fn)(Agent *a, void *userdata);

/* The agents of one bus connection, and the registrations waiting for
 * logind. */
typedef struct Agents {
        Agent *list;
        size_t n;
        AgentRegistration *registrations;
        size_t n_registrations;
        agent_gone_fn on_gone; /* agent_stop() */
        void *userdata;
} Agents;

struct Agent {
        Agents *agents;
        Agent *next, *prev;
        char *bus_name; /* the agent's unique name */
        char *path;     /* its object */
        char *session;
        char *seat;
        uid_t uid;
        sd_bus_track *track;
};

/* The method handlers of RegisterAgent(o) and UnregisterAgent(o). */
int agent_method_register(sd_bus_message *call, Agents *agents, sd_bus_error *error);
int agent_method_unregister(sd_bus_message *call, Agents *agents, sd_bus_error *error);

Agent *agent_find_by_session(Agents *agents, const char *session);

/* Asks the agent to show its confirmation; the reply only says that it
 * does.  ret_slot owns the call. */
int agent_ask(Agent *a, unsigned request_id, const char *trigger, const char *seat, const char *device,
              usec_t deadline, sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);
/* Tells the agent that a request is over (its dialog should close); fire and forget. */
void agent_cancel(Agent *a, unsigned request_id, const char *reason);

/* As logind's inhibitor_stop() and inhibitor_free(): the end of an agent
 * tells its operations (Agents.on_gone); freeing only frees. */
void agent_stop(Agent *a);
Agent *agent_free(Agent *a);
AgentRegistration *agent_registration_free(AgentRegistration *r);
