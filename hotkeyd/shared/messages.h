/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Journal MESSAGE_IDs; each has an entry in data/hotkeyd.catalog. */

#define MESSAGE_ID_HOLD_STARTED "MESSAGE_ID=21766bea3a5d4e1ca61a6999def1a2ef"
#define MESSAGE_ID_HOLD_CANCELLED "MESSAGE_ID=d65cba8cb03442d09c480183ad8b864d"
#define MESSAGE_ID_TRIGGER_COMPLETED "MESSAGE_ID=575a2b50fd2c40cc93d330a7df25afb0"
#define MESSAGE_ID_CONFIG_LOADED "MESSAGE_ID=990068c2760e419494a34a8ad828c816"
