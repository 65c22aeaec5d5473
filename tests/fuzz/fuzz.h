/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Every fuzz target defines this libFuzzer entry point.  It is linked either
 * with libFuzzer (option fuzzers) or with fuzz-main.c, which replays files,
 * so the same target also runs in every ordinary build. */

#include <stddef.h>
#include <stdint.h>

__attribute__((visibility("default"))) int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
