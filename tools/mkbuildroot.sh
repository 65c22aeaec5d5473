#!/bin/bash
# Create, or reuse, the Debian testing build root and print its path.
#
# The root is cached outside the source tree, in
# $HOTKEYD_BUILDROOT_CACHE (default /var/cache/hotkeyd/buildroot), under a
# key derived from the package list, the suite and this script's mmdebstrap
# options, so editing tools/buildroot-packages.txt makes the next run build a
# fresh root.  Older roots are deleted once a new one is complete
# (tools/mkroot-lib.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/mkroot-lib.sh
. "$here/mkroot-lib.sh"

opts_version=1
make_root mkbuildroot "$here/buildroot-packages.txt" \
    "${HOTKEYD_BUILDROOT_SUITE:-forky}" \
    "${HOTKEYD_BUILDROOT_MIRROR:-http://deb.debian.org/debian}" \
    "${HOTKEYD_BUILDROOT_CACHE:-/var/cache/hotkeyd/buildroot}" \
    "" \
    --customize-hook='rm -f "$1"/etc/machine-id; echo 0123456789abcdef0123456789abcdef > "$1"/etc/machine-id'
