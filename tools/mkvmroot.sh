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
pkglist="$here/vmroot-packages.txt"
suite=${HOTKEYD_VMROOT_SUITE:-forky}
mirror=${HOTKEYD_VMROOT_MIRROR:-http://deb.debian.org/debian}
cache=${HOTKEYD_VMROOT_CACHE:-/var/cache/hotkeyd/vmroot}

die() { echo "mkvmroot: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap --mode=root)"

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkglist" | tr -s ' \n' ',' | sed 's/,$//')
[ -n "$packages" ] || die "empty package list $pkglist"

# Everything that changes the root's content goes into the key; bump
# opts_version when the mmdebstrap options or hooks below change.
opts_version=1
key=$(printf '%s\n' vmroot "$opts_version" "$suite" "$mirror" "$packages" | sha256sum | cut -c1-16)
root="$cache/$key"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ -e "$root/.complete" ]; then
    echo "$root"
    exit 0
fi

if ! command -v mmdebstrap >/dev/null; then
    echo "mkvmroot: installing mmdebstrap from Debian" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
fi

echo "mkvmroot: building $suite guest root $key (first run takes a few minutes)" >&2
rm -rf --one-file-system "$root.tmp"
# The machine-id is left empty ("uninitialized"): the guest makes its own
# on first boot.  No initrd is built here (the kernel's postinst hook runs
# dracut in the chroot, which is slow and unused); tools/mkvmimage.sh builds
# the initrd for the image it makes.
mmdebstrap \
    --variant=apt \
    --mode=root \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='APT::Install-Recommends "false"' \
    --include="$packages" \
    --essential-hook='mkdir -p "$1"/etc/dracut.conf.d "$1"/etc/kernel; echo "do_symlinks = no" > "$1"/etc/kernel-img.conf' \
    --customize-hook='echo uninitialized > "$1"/etc/machine-id; rm -f "$1"/boot/initrd.img-*' \
    "$suite" "$root.tmp" "$mirror" >&2 \
    || { rm -rf --one-file-system "$root.tmp"; die "mmdebstrap failed"; }

printf '%s\n' "$packages" | tr ',' '\n' > "$root.tmp/.packages"
touch "$root.tmp/.complete"
mv "$root.tmp" "$root"

# Exactly one root is kept: the others were keyed by older lists.
for old in "$cache"/*; do
    [ "$old" = "$root" ] && continue
    [ -d "$old" ] && rm -rf --one-file-system "$old"
done

echo "$root"
