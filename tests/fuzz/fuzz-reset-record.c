/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The record of a reset request comes from an EFI variable, which anything
 * with access to the firmware's variable store can write, and the state
 * file from /var; neither parser may crash or read past its input (which is
 * not NUL-terminated).  What one accepts must format back to text it
 * accepts again with the same meaning; what it refuses comes with a reason
 * and leaves nothing behind. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "macro.h"
#include "reset-record.h"

static void record_round_trip(const uint8_t *data, size_t size) {
        _cleanup_(reset_record_done) ResetRecord r = {}, again = {};
        _cleanup_free_ char *error = NULL, *text = NULL, *text2 = NULL;
        int k;

        k = reset_record_parse((const char *) data, size, &r, &error);
        if (k == -ENOMEM)
                return;
        if (k < 0) {
                if (k != -EINVAL || !error || r.partitions || r.n_partitions || r.boot_id[0])
                        abort();
                return;
        }
        if (error)
                abort();
        if (reset_record_format(&r, &text) < 0)
                abort();
        free(error);
        error = NULL;
        if (reset_record_parse(text, strlen(text), &again, &error) < 0)
                abort();
        if (reset_record_format(&again, &text2) < 0 || !streq(text, text2))
                abort();
}

static void outcome_round_trip(const uint8_t *data, size_t size) {
        _cleanup_(reset_outcome_done) ResetOutcome o = {}, again = {};
        _cleanup_free_ char *error = NULL, *text = NULL, *text2 = NULL, *summary = NULL;
        int k;

        k = reset_outcome_parse((const char *) data, size, &o, &error);
        if (k == -ENOMEM)
                return;
        if (k < 0) {
                if (k != -EINVAL || !error || o.partitions || o.n_partitions)
                        abort();
                return;
        }
        if (reset_outcome_summary(&o, &summary) < 0 || reset_outcome_format(&o, &text) < 0)
                abort();
        free(error);
        error = NULL;
        if (reset_outcome_parse(text, strlen(text), &again, &error) < 0)
                abort();
        if (reset_outcome_format(&again, &text2) < 0 || !streq(text, text2))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        record_round_trip(data, size);
        outcome_round_trip(data, size);
        return 0;
}
