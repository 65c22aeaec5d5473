/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Names the daemon, hotkeyctl, the GUI and the tests agree on: the bus API
 * of io.hotkeyd.FactoryReset1(5). */

#define HOTKEYD_BUS_NAME "io.hotkeyd.FactoryReset1"
#define HOTKEYD_BUS_PATH "/io/hotkeyd/FactoryReset1"
#define HOTKEYD_BUS_INTERFACE "io.hotkeyd.FactoryReset1"

/* The errno each stands for: bus-errors.c. */
#define HOTKEYD_ERROR_NOT_PENDING "io.hotkeyd.FactoryReset1.Error.NotPending"
#define HOTKEYD_ERROR_IN_PROGRESS "io.hotkeyd.FactoryReset1.Error.InProgress"
#define HOTKEYD_ERROR_JOB_FAILED "io.hotkeyd.FactoryReset1.Error.JobFailed"
#define HOTKEYD_ERROR_CANCEL_FAILED "io.hotkeyd.FactoryReset1.Error.CancelFailed"
#define HOTKEYD_ERROR_AGENT_EXISTS "io.hotkeyd.FactoryReset1.Error.AgentExists"
#define HOTKEYD_ERROR_NO_SESSION "io.hotkeyd.FactoryReset1.Error.NoSession"
#define HOTKEYD_ERROR_NO_SUCH_AGENT "io.hotkeyd.FactoryReset1.Error.NoSuchAgent"
#define HOTKEYD_ERROR_NO_SUCH_REQUEST "io.hotkeyd.FactoryReset1.Error.NoSuchRequest"
#define HOTKEYD_ERROR_SESSION_LOOKUP_FAILED "io.hotkeyd.FactoryReset1.Error.SessionLookupFailed"
#define HOTKEYD_ERROR_ALREADY_CHECKING "io.hotkeyd.FactoryReset1.Error.AlreadyChecking"

/* What session agents implement, at the object path they register. */
#define HOTKEYD_AGENT_INTERFACE "io.hotkeyd.FactoryReset1.Agent"

#define POLKIT_ACTION_REQUEST "io.hotkeyd.factory-reset.request"
#define POLKIT_ACTION_CANCEL "io.hotkeyd.factory-reset.cancel"
#define POLKIT_ACTION_CONFIRM_PHYSICAL "io.hotkeyd.factory-reset.confirm-physical"

/* Request() answers. */
#define REQUEST_RESULT_STARTED "started"
#define REQUEST_RESULT_ALREADY_PENDING "already-pending"
