#!/bin/bash
# Make the whole-system VM's disk image (run on the host, as root):
#   1. the guest root (tools/mkvmroot.sh, cached),
#   2. tools/mkvmimage.sh in the build root, with the guest root
#      bind-mounted read-only at /mnt of the build root, for this run only.
# The image and its parts go to $HOTKEYD_VM_DIR (default build-vm/ in the
# source tree, ignored by git).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=${HOTKEYD_VM_DIR:-$src/build-vm}

guest=$("$here/mkvmroot.sh")
buildroot=$("$here/mkbuildroot.sh")
mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$out" in
    "$src"/*) ;;
    *) echo "mkvm: $out must lie inside the source tree (the build root sees only that)" >&2; exit 2 ;;
esac

# The bind mount lives in a private mount namespace that in-buildroot.sh's
# own namespace inherits; nothing is left mounted on the host.
exec unshare --mount --propagation private -- /bin/bash -euo pipefail -c '
mount --bind "$1" "$2/mnt"
mount -o remount,bind,ro "$2/mnt"
exec "$3/in-buildroot.sh" "$3/mkvmimage.sh" /mnt "$4"
' bash "$guest" "$buildroot" "$here" "$out"
