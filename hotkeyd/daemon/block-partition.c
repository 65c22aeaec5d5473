/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "block-partition.h"
#include "log.h"
#include "macro.h"
#include "mountinfo.h"
#include "parse-util.h"
#include "udev-util.h"

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

static int fill(struct udev_device *dev, const char *mountinfo, size_t mountinfo_size, BlockPartition *ret) {
        BlockPartition p = {};
        const char *size = udev_device_get_sysattr_value(dev, "size");
        /* sysfs "dev" ("259:3"), the numbers mountinfo uses too. */
        const char *devnum = udev_device_get_sysattr_value(dev, "dev");
        unsigned maj, min;
        int r;

        const char *part_uuid = udev_device_get_property_value(dev, "ID_PART_ENTRY_UUID");
        const char *fs_uuid = udev_device_get_property_value(dev, "ID_FS_UUID");

        p.node = strdup(udev_device_get_devnode(dev) ?: udev_device_get_sysname(dev));
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

int block_partition_find(struct udev *udev, const char *type_uuid, const char *label, const char *mountinfo,
                         size_t mountinfo_size, BlockPartition *ret) {
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        struct udev_list_entry *entry;
        int r;

        assert(udev);
        assert(type_uuid);
        assert(ret);

        e = udev_enumerate_new(udev);
        if (!e)
                return -ENOMEM;

        /* Not found is the answer when the partitions cannot be listed. */
        r = udev_enumerate_add_match_subsystem(e, "block");
        if (r < 0)
                return log_warning_errno(r, "Failed to match block devices, ignoring: %m"), 0;

        r = udev_enumerate_add_match_property(e, "DEVTYPE", "partition");
        if (r < 0)
                return log_warning_errno(r, "Failed to match partitions, ignoring: %m"), 0;

        r = udev_enumerate_scan_devices(e);
        if (r < 0)
                return log_warning_errno(r, "Failed to enumerate block devices, ignoring: %m"), 0;

        r = 0;
        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                struct udev_device *dev = udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
                if (!dev)
                        continue;
                const char *t = udev_device_get_property_value(dev, "ID_PART_ENTRY_TYPE");
                const char *name = udev_device_get_property_value(dev, "ID_PART_ENTRY_NAME");
                if (t && strcasecmp(t, type_uuid) == 0 && (!label || (name && encoded_equal(name, label))))
                        r = fill(dev, mountinfo, mountinfo_size, ret);
                udev_device_unref(dev);
                if (r != 0)
                        break;
        }
        return r;
}
