#!/bin/bash
# Create, or reuse, the Debian testing build root and print its path.
#
# The root is cached outside the source tree, in
# $HOTKEYD_BUILDROOT_CACHE (default /var/cache/hotkeyd/buildroot), under a key
# derived from the package list, the suite and this script's mmdebstrap
# options, so editing tools/buildroot-packages.txt makes the next run build a
# fresh root.  Older roots are deleted once a new one is complete.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pkglist="$here/buildroot-packages.txt"
suite=${HOTKEYD_BUILDROOT_SUITE:-forky}
mirror=${HOTKEYD_BUILDROOT_MIRROR:-http://deb.debian.org/debian}
cache=${HOTKEYD_BUILDROOT_CACHE:-/var/cache/hotkeyd/buildroot}

die() { echo "mkbuildroot: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap and mounts need it)"

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkglist" | tr -s ' \n' ',' | sed 's/,$//')
[ -n "$packages" ] || die "empty package list $pkglist"

# Everything that changes the root's content goes into the key.
opts_version=1
key=$(printf '%s\n' "$opts_version" "$suite" "$mirror" "$packages" | sha256sum | cut -c1-16)
root="$cache/$key"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ -e "$root/.complete" ]; then
    echo "$root"
    exit 0
fi

if ! command -v mmdebstrap >/dev/null; then
    echo "mkbuildroot: installing mmdebstrap from Debian" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
fi

echo "mkbuildroot: building $suite root $key (first run takes a few minutes)" >&2
rm -rf "$root.tmp"
# The archive's Release file can be past its Valid-Until date on the mirror
# we can reach (measured, see shared DESIGN.md), hence the apt option.
mmdebstrap \
    --variant=apt \
    --mode=root \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='APT::Install-Recommends "false"' \
    --include="$packages" \
    --customize-hook='rm -f "$1"/etc/machine-id; echo 0123456789abcdef0123456789abcdef > "$1"/etc/machine-id' \
    "$suite" "$root.tmp" "$mirror" >&2 \
    || { rm -rf "$root.tmp"; die "mmdebstrap failed"; }

printf '%s\n' "$packages" | tr ',' '\n' > "$root.tmp/.packages"
touch "$root.tmp/.complete"
mv "$root.tmp" "$root"

# Only one root is kept: the others were keyed by older package lists.
for old in "$cache"/*; do
    [ "$old" = "$root" ] && continue
    [ -d "$old" ] && rm -rf --one-file-system "$old"
done

echo "$root"
