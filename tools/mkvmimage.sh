#!/bin/bash
# Build the whole-system VM's disk image, inside the build root (mkosi).
#
#   tools/mkvmimage.sh OUTDIR
#
# In OUTDIR: debs/ (hotkeyd's Debian packages, which the image installs),
# meson/ and extra-root/ (the benchmark helpers and the scenario's boot
# addon, which are no part of the packages), mkosi-cache/ (packages
# and the cached image of mkosi's Incremental=yes), and disk.raw with
# disk.efi (the UKI), made by mkosi from mkosi/ (see tests/vm/README.md):
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

step "hotkeyd's Debian packages (tests/package/run.py image)"
python3 "$src/tests/package/run.py" "$src" "$out/debs" image >&2

step "the benchmark helpers (meson -Dbench=true, prefix /usr)"
# bench/run.py runs them in the guest (they need its uinput); they are no
# part of the packages.
if [ ! -e "$out/meson/build.ninja" ]; then
    meson setup "$out/meson" "$src" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
        -Dtests=false -Dbench=true -Dwerror=true >&2
fi
meson compile -C "$out/meson" >&2
rm -rf --one-file-system "$out/install" "$out/extra-root" "$out/bench-root"
meson install -C "$out/meson" --no-rebuild --destdir "$out/install" >/dev/null
mkdir -p "$out/extra-root/usr/lib"
mv "$out/install/usr/lib/hotkeyd-bench" "$out/extra-root/usr/lib/"
rm -rf --one-file-system "$out/install"

step "the scenario's initrd without repart (a UKI addon, not active until copied to the ESP)"
# The scenario's second reset shows hotkeyd saying loudly that a reset
# erased nothing.  An addon on the ESP adds its command line to the UKI's
# for as long as it lies there (systemd-stub; unsigned addons are taken
# without Secure Boot): masking systemd-repart.service in the initrd gives
# what an image whose initrd lacks the repart.d definitions gives
# (repart does not run, factory-reset mode still ends "complete").
mkdir -p "$out/extra-root/usr/lib/hotkeyd-vm-test"
ukify build --stub=/usr/lib/systemd/boot/efi/addonx64.efi.stub \
    --cmdline='rd.systemd.mask=systemd-repart.service' \
    --output="$out/extra-root/usr/lib/hotkeyd-vm-test/initrd-without-repart.addon.efi" >&2

step "disk image (mkosi)"
mkdir -p "$out/mkosi-cache"
# mkosi's cached image (Incremental=yes: the image after the packages of
# Packages=, before extra trees, scripts and VolatilePackages=) is not keyed
# by every setting (a new MachineId= was not applied): a change of the
# configuration or of the package sources drops it (-ff); the package
# cache stays.
key=$(cd "$src" && cat mkosi/mkosi.conf mkosi/mkosi.sandbox/etc/apt/sources.list.d/* | sha256sum | cut -c1-16)
force=--force
if [ "$(cat "$out/mkosi-cache/.config-key" 2>/dev/null)" != "$key" ]; then
    force=-ff
fi
# The previous outputs go first: mkosi's own removal of them (--force) runs
# "rm" in a sandbox of its own, which fails inside the build root
# ("No such file or directory: 'oldroot/tmp/tmp…/mkosi/sandbox.py'").
rm -f "$out"/disk "$out"/disk.* "$out"/initrd "$out"/initrd.*
mkosi -C "$src/mkosi" $force \
    --output-directory="$out" --cache-directory="$out/mkosi-cache" \
    --volatile-package-directory="$out/debs/image" \
    --extra-tree="$out/extra-root" \
    build >&2
echo "$key" > "$out/mkosi-cache/.config-key"
step "done: $out/disk.raw"
