/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "block-partition.h"
#include "device-util.h"
#include "log.h"
#include "macro.h"
#include "mountinfo.h"
#include "parse-util.h"

void block_partition_done(BlockPartition *p) {
        assert(p);

        free(p->node);
        free(p->mount_point);
        free(p->part_uuid);
        free(p->fs_uuid);
        *p = (BlockPartition) {};
}

/* udev stores blkid's strings encoded: unsafe bytes (a space, say) as
 * "\x20".  Whether the encoded value equals the plain label. */
static bool encoded_equal(const char *encoded, const char *plain) {
        for (;;) {
                char c = *encoded;
                if (c == '\\' && encoded[1] == 'x' && unhexchar(encoded[2]) >= 0 && unhexchar(encoded[3]) >= 0) {
                        c = (char) (unhexchar(encoded[2]) << 4 | unhexchar(encoded[3]));
                        encoded += 4;
                } else if (c)
                        encoded++;
                if (c != *plain)
                        return false;
                if (!c)
                        return true;
                plain++;
        }
}

static int fill(sd_device *dev, const char *mountinfo, size_t mountinfo_size, BlockPartition *ret) {
        BlockPartition p = {};
        const char *size = device_sysattr(dev, "size");
        /* sysfs "dev" ("259:3"), the numbers mountinfo uses too. */
        const char *devnum = device_sysattr(dev, "dev");
        unsigned maj, min;
        int r;

        const char *part_uuid = device_property(dev, "ID_PART_ENTRY_UUID");
        const char *fs_uuid = device_property(dev, "ID_FS_UUID");

        p.node = strdup(device_devname(dev) ?: device_sysname(dev) ?: "");
        p.part_uuid = isempty(part_uuid) ? NULL : strdup(part_uuid);
        p.fs_uuid = isempty(fs_uuid) ? NULL : strdup(fs_uuid);
        if (!p.node || (!isempty(part_uuid) && !p.part_uuid) || (!isempty(fs_uuid) && !p.fs_uuid)) {
                block_partition_done(&p);
                return -ENOMEM;
        }
        /* The kernel counts 512-byte sectors here whatever the device's
         * logical block size. */
        if (size) {
                char *end;
                errno = 0;
                unsigned long long sectors = strtoull(size, &end, 10);
                if (errno == 0 && end != size && (*end == 0 || *end == '\n') && sectors <= UINT64_MAX / 512)
                        p.size = (uint64_t) sectors * 512;
        }
        if (mountinfo && devnum && sscanf(devnum, "%u:%u", &maj, &min) == 2) {
                r = mountinfo_find(mountinfo, mountinfo_size, maj, min, &p.mount_point);
                if (r < 0) {
                        block_partition_done(&p);
                        return r;
                }
        }
        *ret = p;
        return 1;
}

int block_partition_find(const char *type_uuid, const char *label, const char *mountinfo, size_t mountinfo_size,
                         BlockPartition *ret) {
        _cleanup_(sd_device_enumerator_unrefp) sd_device_enumerator *e = NULL;
        int r;

        assert(type_uuid);
        assert(ret);

        r = sd_device_enumerator_new(&e);
        if (r < 0)
                return r;

        /* Not found is the answer when the partitions cannot be listed. */
        r = sd_device_enumerator_add_match_subsystem(e, "block", true);
        if (r < 0)
                return log_warning_errno(r, "Failed to match block devices, ignoring: %m"), 0;

        r = sd_device_enumerator_add_match_property(e, "DEVTYPE", "partition");
        if (r < 0)
                return log_warning_errno(r, "Failed to match partitions, ignoring: %m"), 0;

        /* A partition udev has not got to (yet) is still one: its size and
         * mount point count (libudev listed those too). */
        r = sd_device_enumerator_allow_uninitialized(e);
        if (r < 0)
                return log_warning_errno(r, "Failed to list block devices, ignoring: %m"), 0;

        for (sd_device *dev = sd_device_enumerator_get_device_first(e); dev;
             dev = sd_device_enumerator_get_device_next(e)) {
                const char *t = device_property(dev, "ID_PART_ENTRY_TYPE");
                const char *name = device_property(dev, "ID_PART_ENTRY_NAME");

                if (t && strcasecmp(t, type_uuid) == 0 && (!label || (name && encoded_equal(name, label))))
                        return fill(dev, mountinfo, mountinfo_size, ret);
        }
        return 0;
}
