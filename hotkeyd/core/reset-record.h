/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether a factory reset erased what it said it would.  When the reset is
 * requested, the identity of each partition it erases is recorded (in an
 * EFI variable, which the reset leaves alone): its partition UUID and
 * filesystem UUID.  systemd-repart recreates an erased partition without a
 * machine ID in the initrd, so it gets a new random partition UUID and a
 * filesystem UUID derived from it; on the next boot the same UUIDs mean the
 * partition was not erased, whatever systemd says about the reset.  Pure:
 * the callers read the variable, udev and the state file. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A partition as recorded at the request, or as found now. */
typedef struct ResetRecordPartition {
        char *name;        /* the definition's file name (or its label): how the two are matched */
        char *mount_point; /* NULL: not mounted */
        char *part_uuid;   /* NULL: not known (no such partition at the request) */
        char *fs_uuid;     /* NULL: not known (no filesystem) */
} ResetRecordPartition;

typedef struct ResetRecord {
        char boot_id[33]; /* 32 lower-case hex digits: the boot the request was made in */
        uint64_t requested_usec; /* CLOCK_REALTIME */
        ResetRecordPartition *partitions;
        size_t n_partitions;
} ResetRecord;

void reset_record_partition_done(ResetRecordPartition *p);
void reset_record_done(ResetRecord *r);

/* The text of the EFI variable: small, versioned, one line per field.
 * Every string is escaped (\xHH for blanks, control characters and '\'). */
int reset_record_format(const ResetRecord *r, char **ret);
/* -EINVAL with *ret_error saying what is wrong (the caller frees it);
 * nothing else is filled then.  -ENOMEM. */
int reset_record_parse(const char *text, size_t size, ResetRecord *ret, char **ret_error);

typedef enum ResetPartitionState {
        RESET_PARTITION_RECREATED,  /* its partition UUID or filesystem UUID changed */
        RESET_PARTITION_NOT_ERASED, /* both are what they were */
        RESET_PARTITION_GONE,       /* no such partition now */
        RESET_PARTITION_UNKNOWN,    /* nothing was recorded to compare */
        _RESET_PARTITION_STATE_MAX,
        _RESET_PARTITION_STATE_INVALID = -EINVAL,
} ResetPartitionState;

typedef enum ResetVerdict {
        RESET_VERDICT_COMPLETE,    /* took place; at least one partition recreated, none left */
        RESET_VERDICT_NOT_ERASED,  /* took place, yet a partition is what it was */
        RESET_VERDICT_NOT_DONE,    /* systemd says the requested reset did not take place */
        RESET_VERDICT_UNVERIFIED,  /* took place; nothing recorded could be compared */
        _RESET_VERDICT_MAX,
        _RESET_VERDICT_INVALID = -EINVAL,
} ResetVerdict;

typedef struct ResetOutcomePartition {
        char *name;
        char *mount_point; /* as recorded; NULL: not mounted then */
        ResetPartitionState state;
} ResetOutcomePartition;

typedef struct ResetOutcome {
        uint64_t requested_usec;
        uint64_t checked_usec;
        ResetVerdict verdict;
        ResetOutcomePartition *partitions;
        size_t n_partitions;
} ResetOutcome;

const char *reset_partition_state_to_string(ResetPartitionState s);
ResetPartitionState reset_partition_state_from_string(const char *s);
const char *reset_verdict_to_string(ResetVerdict v);
ResetVerdict reset_verdict_from_string(const char *s);

void reset_outcome_done(ResetOutcome *o);

/* Compares the record with the partitions found now (matched by name).
 * reset_ran: systemd's factory-reset mode is "complete" in this boot. */
int reset_outcome_compare(const ResetRecord *record, const ResetRecordPartition *now, size_t n_now,
                          bool reset_ran, uint64_t checked_usec, ResetOutcome *ret);

/* The state file that hotkeyd reports (/var/lib/hotkeyd/last-reset). */
int reset_outcome_format(const ResetOutcome *o, char **ret);
int reset_outcome_parse(const char *text, size_t size, ResetOutcome *ret, char **ret_error);

/* What a person reads: "complete, /var recreated", "DID NOT ERASE /var
 * (partition UUID unchanged)", "the requested reset did not take place",
 * "complete, not verified".  Untranslated (hotkeyctl, the journal). */
int reset_outcome_summary(const ResetOutcome *o, char **ret);
/* The mount point, else the name. */
const char *reset_outcome_partition_display(const ResetOutcomePartition *p);
