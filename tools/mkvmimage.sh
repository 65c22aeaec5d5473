#!/bin/bash
# Build the whole-system VM's disk image, inside the build root (mkosi).
#
#   tools/mkvmimage.sh OUTDIR
#
# In OUTDIR: meson/ (hotkeyd built for the guest), hotkeyd-root/ (its
# meson install), mkosi-cache/ (packages and the cached image of mkosi's
# Incremental=yes), and disk.raw with disk.efi (the UKI), made by mkosi from
# mkosi/ (see that directory and tests/vm/README.md):
#
#   esp   vfat, systemd-boot and the UKI (with its reset boot-menu profiles)
#   root  ext4, the OS
#   var   ext4, FactoryReset=yes: erased by the initrd's systemd-repart
#         on the boot after factory-reset.target ran
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=${1:?usage: mkvmimage.sh OUTDIR}

step() { echo "mkvmimage: [$(( SECONDS ))s] $*" >&2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)

step "build hotkeyd for the guest (meson, prefix /usr)"
# -Dbench=true: the benchmark helpers (bench/, /usr/lib/hotkeyd-bench in the
# image) for bench/run.py; they need the guest's uinput.
if [ ! -e "$out/meson/build.ninja" ]; then
    meson setup "$out/meson" "$src" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
        -Dtests=false -Dbench=true -Dwerror=true >&2
fi
meson compile -C "$out/meson" >&2
rm -rf --one-file-system "$out/hotkeyd-root"
meson install -C "$out/meson" --no-rebuild --destdir "$out/hotkeyd-root" >/dev/null

step "disk image (mkosi)"
mkdir -p "$out/mkosi-cache"
# mkosi's cached image (Incremental=yes) is not keyed by every setting (a
# new MachineId= was not applied): a change anywhere in mkosi/ drops it
# (-ff), the package cache stays.
key=$(cd "$src" && find mkosi -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
force=--force
if [ "$(cat "$out/mkosi-cache/.config-key" 2>/dev/null)" != "$key" ]; then
    force=-ff
fi
mkosi -C "$src/mkosi" $force \
    --output-directory="$out" --cache-directory="$out/mkosi-cache" \
    --extra-tree="$out/hotkeyd-root" \
    build >&2
echo "$key" > "$out/mkosi-cache/.config-key"
step "done: $out/disk.raw"
