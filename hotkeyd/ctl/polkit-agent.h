/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A text polkit agent for the duration of one call, as systemctl does it:
 * pkttyagent registered as the fallback agent, so that an authentication
 * polkit asks for can be answered on this terminal. */

#include <sys/types.h>

/* Starts the agent when stdin is a terminal and returns once it is
 * registered (it closes the notify fd then); *ret_pid is 0 when none was
 * started.  Failing to start one is not an error: the call then goes ahead
 * and polkit answers without asking. */
void polkit_agent_open(pid_t *ret_pid);

/* Terminates and reaps it; nothing when pid is 0. */
void polkit_agent_close(pid_t pid);
