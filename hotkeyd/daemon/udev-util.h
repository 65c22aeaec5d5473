/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* _cleanup_ helpers for libudev's objects. */

#include <libudev.h>

#include "macro.h"

DEFINE_POINTER_CLEANUP(struct udev_enumerate, udev_enumerate_unref);
