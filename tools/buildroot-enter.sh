#!/bin/bash
# The inside of tools/in-buildroot.sh, run by it in a new mount namespace:
# mounts what the build root needs and chroots into it.
#
#   buildroot-enter.sh HOST_MNT_NS ROOT SRC RUN_ID COMMAND [ARG...]
set -euo pipefail
host_ns=$1; shift
# Every mount below must end with the run: refuse to make one in the
# namespace of the caller.
if [ "$(readlink /proc/self/ns/mnt)" = "$host_ns" ]; then
    echo "buildroot-enter: not in a mount namespace of its own; nothing mounted" >&2
    exit 1
fi
root=$1 src=$2 run_id=$3; shift 3
# The root is a mount point of its own: the sandbox of mkosi remounts "/" and
# fails on a plain directory ("Invalid argument: /").
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
# A private /dev: the device nodes a build and the tests need, and a devpts
# instance with a usable ptmx (umockdev emulates devices on ptys; the hosts
# devpts has ptmxmode=000).
mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
for n in null zero full random urandom tty; do
    touch "$root/dev/$n"
    mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o mode=1777 tmp "$root/tmp"
mount -t tmpfs -o mode=0755 run "$root/run"
mkdir -p "$root$src"
mount --bind "$src" "$root$src"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cd "$root$src"
exec chroot "$root" /usr/bin/env -C "$src" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
    HOTKEYD_IN_BUILDROOT=1 HOTKEYD_BUILDROOT_RUN="$run_id" "$@"
