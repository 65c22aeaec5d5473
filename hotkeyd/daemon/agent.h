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

typedef struct Manager Manager;
typedef struct Agent Agent;
typedef struct AgentRegistration AgentRegistration;

struct Agent {
        Manager *manager;
        Agent *next, *prev;
        char *bus_name; /* the agent's unique name */
        char *path;     /* its object */
        char *session;
        char *seat;
        uid_t uid;
        sd_bus_track *track;
};

/* The method handlers of RegisterAgent(o) and UnregisterAgent(o). */
int agent_method_register(sd_bus_message *call, Manager *m, sd_bus_error *error);
int agent_method_unregister(sd_bus_message *call, Manager *m, sd_bus_error *error);

Agent *agent_find_by_session(Manager *m, const char *session);

/* Asks the agent to show its confirmation; the reply only says that it
 * does.  ret_slot owns the call. */
int agent_ask(Agent *a, unsigned request_id, const char *trigger, const char *seat, const char *device,
              usec_t deadline, sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);
/* Tells the agent that a request is over (its dialog should close); fire and forget. */
void agent_cancel(Agent *a, unsigned request_id, const char *reason);

Agent *agent_free(Agent *a);
AgentRegistration *agent_registration_free(AgentRegistration *r);
