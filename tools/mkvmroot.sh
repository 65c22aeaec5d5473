#!/bin/bash
# Create, or reuse, the guest root of the whole-system VM and print its path.
#
# A Debian testing root made with mmdebstrap from tools/vmroot-packages.txt
# (the same apt options as the build root: no recommends, and the archive's
# Release file may be past its Valid-Until).  It is cached outside the source
# tree in $HOTKEYD_VMROOT_CACHE (default /var/cache/hotkeyd/vmroot), under a
# key derived from the package list, the suite, the mirror and this script's
# options; exactly one root is kept.  Runs on the host, as root.
#
# The root is the guest OS without hotkeyd: tools/mkvmimage.sh copies it,
# installs hotkeyd into the copy and lays out the disk image.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/mkroot-lib.sh
. "$here/mkroot-lib.sh"

# Bump opts_version when the hooks below change.  The machine-id is left
# empty ("uninitialized"): the guest makes its own on first boot.  No initrd
# is built here (the kernel's postinst hook runs dracut in the chroot, which
# is slow and unused); tools/mkvmimage.sh builds the initrd for the image.
opts_version=1
make_root mkvmroot "$here/vmroot-packages.txt" \
    "${HOTKEYD_VMROOT_SUITE:-forky}" \
    "${HOTKEYD_VMROOT_MIRROR:-http://deb.debian.org/debian}" \
    "${HOTKEYD_VMROOT_CACHE:-/var/cache/hotkeyd/vmroot}" \
    vmroot \
    --essential-hook='mkdir -p "$1"/etc/dracut.conf.d "$1"/etc/kernel; echo "do_symlinks = no" > "$1"/etc/kernel-img.conf' \
    --customize-hook='echo uninitialized > "$1"/etc/machine-id; rm -f "$1"/boot/initrd.img-*'
