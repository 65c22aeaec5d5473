# shellcheck shell=bash
# Sourced by tools/mkbuildroot.sh: the one way this
# project makes a Debian root with mmdebstrap and caches it.
#
#   make_root NAME PKGLIST SUITE MIRROR CACHE KEY_TAG [MMDEBSTRAP_ARGS...]
#
# Prints the root's path.  The root lives in CACHE/<key>; the key is derived
# from KEY_TAG (may be empty), opts_version, the suite, the mirror and the
# package list, so a changed list makes a new root.  Exactly one root is kept
# per CACHE.  MMDEBSTRAP_ARGS are the caller's hooks; callers bump
# opts_version when they change them.

make_root() {
    local name=$1 pkglist=$2 suite=$3 mirror=$4 cache=$5 key_tag=$6
    shift 6
    local packages key root old

    die() { echo "$name: $*" >&2; exit 1; }

    [ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap --mode=root and mounts need it)"

    packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkglist" | tr -s ' \n' ',' | sed 's/,$//')
    [ -n "$packages" ] || die "empty package list $pkglist"

    # Everything that changes the root's content goes into the key.
    key=$( { [ -z "$key_tag" ] || printf '%s\n' "$key_tag"; printf '%s\n' "$opts_version" "$suite" "$mirror" "$packages"; } \
          | sha256sum | cut -c1-16)
    root="$cache/$key"

    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9

    if [ -e "$root/.complete" ]; then
        echo "$root"
        return 0
    fi

    if ! command -v mmdebstrap >/dev/null; then
        echo "$name: installing mmdebstrap from Debian" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
    fi

    echo "$name: building $suite root $key (first run takes a few minutes)" >&2
    rm -rf --one-file-system "$root.tmp"
    # The archive's Release file can be past its Valid-Until date on the
    # mirror we can reach (measured), hence the option.
    mmdebstrap \
        --variant=apt \
        --mode=root \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --aptopt='APT::Install-Recommends "false"' \
        --include="$packages" \
        "$@" \
        "$suite" "$root.tmp" "$mirror" >&2 \
        || { rm -rf --one-file-system "$root.tmp"; die "mmdebstrap failed"; }

    printf '%s\n' "$packages" | tr ',' '\n' > "$root.tmp/.packages"
    touch "$root.tmp/.complete"
    mv "$root.tmp" "$root"

    # Only one root is kept: the others were keyed by older package lists.
    for old in "$cache"/*; do
        [ "$old" = "$root" ] && continue
        [ -d "$old" ] && rm -rf --one-file-system "$old"
    done

    echo "$root"
}
