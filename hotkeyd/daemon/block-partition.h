/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where a partition of a repart definition is now: the block device whose
 * GPT entry has the type (and, when given, the label), its size and mount
 * point.  udev's ID_PART_ENTRY_TYPE/ID_PART_ENTRY_NAME (blkid) identify it,
 * sysfs gives the size, /proc/self/mountinfo the mount point; the partition
 * and filesystem UUIDs tell a recreated partition from the old one
 * (reset-check.c).  No such
 * partition is a normal answer. */

#include <stddef.h>
#include <stdint.h>

typedef struct BlockPartition {
        char *node;        /* "/dev/nvme0n1p3" */
        uint64_t size;     /* bytes */
        char *mount_point; /* NULL: not mounted */
        char *part_uuid;   /* the GPT entry's UUID (ID_PART_ENTRY_UUID); NULL: not known */
        char *fs_uuid;     /* the filesystem's (ID_FS_UUID); NULL: none */
} BlockPartition;

void block_partition_done(BlockPartition *p);

/* type_uuid: lower-case GUID; label: NULL to match any.  mountinfo: the text
 * of /proc/self/mountinfo (NULL: not known).  The first match in udev's
 * order wins.  Returns 1 and fills *ret when found, 0 when not, -ENOMEM. */
int block_partition_find(const char *type_uuid, const char *label, const char *mountinfo, size_t mountinfo_size,
                         BlockPartition *ret);
