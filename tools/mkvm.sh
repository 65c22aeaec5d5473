#!/bin/bash
# Make the whole-system VM's disk image: tools/mkvmimage.sh (mkosi) in the
# build root.  The image and its parts go to $HOTKEYD_VM_DIR (default
# build-vm/ in the source tree, ignored by git).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=${HOTKEYD_VM_DIR:-$src/build-vm}

mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$out" in
    "$src"/*) ;;
    *) echo "mkvm: $out must lie inside the source tree (the build root sees only that)" >&2; exit 2 ;;
esac
exec "$here/in-buildroot.sh" "$here/mkvmimage.sh" "$out"
