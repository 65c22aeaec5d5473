#!/bin/bash
# Run a command inside the build root (made or reused by mkbuildroot.sh).
#
#   tools/in-buildroot.sh [--] COMMAND [ARG...]
#
# The source tree is bind-mounted at the same path it has on the host, and
# the command starts there.  Everything happens in a private mount
# namespace, so every mount (proc, sys, dev, devpts, tmpfs, the source) ends
# with the run; processes left running inside the root (dbus-daemon,
# polkitd, ...) are killed when it ends.
#
# No PID namespace: systemd (>= 258) counts one as a container
# ("container-other") and then never reports an EFI boot, so its real
# io.systemd.FactoryReset service could not be tested.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [--] COMMAND [ARG...]" >&2; exit 2; }

root=$("$here/mkbuildroot.sh")

# Every process of this run carries the run's id in its environment, so that
# concurrent runs (make demo during make check) leave each other alone.
run_id=$$-$(date +%s%N)
kill_leftovers() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
        # A process may end between the two looks: its environ is gone then.
        { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qx "HOTKEYD_BUILDROOT_RUN=$run_id" || continue
        kill -KILL "${p#/proc/}" 2>/dev/null
    done
    return 0
}
trap kill_leftovers EXIT

# The inner part has a private mount table; mounts propagate nowhere.
unshare --mount --fork --propagation private -- \
    /bin/bash -euo pipefail -c '
root=$1 src=$2 run_id=$3; shift 3
# The root is a mount point of its own: mkosi's sandbox remounts "/" and
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
' bash "$root" "$src" "$run_id" "$@"
