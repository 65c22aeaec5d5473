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

# The inner part (buildroot-enter.sh, a file of its own: an apostrophe in
# an inline `bash -c '...'` script once ended the quoting and ran every
# mount in the host's namespace) has a private mount table; mounts
# propagate nowhere.
unshare --mount --fork --propagation private -- \
    /bin/bash "$here/buildroot-enter.sh" "$(readlink /proc/self/ns/mnt)" "$root" "$src" "$run_id" "$@"
