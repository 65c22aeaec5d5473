#!/bin/bash
# Build the whole-system VM's disk image, inside the build root.
#
#   tools/mkvmimage.sh GUEST_ROOT OUTDIR
#
# GUEST_ROOT is the root made by tools/mkvmroot.sh (read only here);
# tools/mkvm.sh runs this script with it bind-mounted into the build root.
# In OUTDIR: meson/ (hotkeyd built for the guest), staging/ (a copy of the
# guest root with hotkeyd installed and the VM's configuration), and
# disk.raw, a GPT disk laid out offline by systemd-repart (no loop devices):
#
#   esp   vfat, systemd-boot and a UKI (guest kernel + a dracut initrd)
#   root  ext4, the OS
#   var   ext4, FactoryReset=yes: erased by the initrd's systemd-repart
#         on the boot after factory-reset.target ran
#
# The partition definitions in tools/vm/repart-*.conf are installed into the
# image as /usr/lib/repart.d, so the initrd's systemd-repart applies the very
# same ones; what fills the partitions at build time (CopyFiles=) is added by
# drop-ins used only here.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
guest=${1:?usage: mkvmimage.sh GUEST_ROOT OUTDIR}
out=${2:?usage: mkvmimage.sh GUEST_ROOT OUTDIR}

die() { echo "mkvmimage: $*" >&2; exit 1; }
step() { echo "mkvmimage: [$(( SECONDS ))s] $*" >&2; }

[ -e "$guest/.complete" ] || die "$guest is not a complete guest root (tools/mkvmroot.sh)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
staging=$out/staging

# Kernel command line of the UKI.  The root is found by its partition label
# (no gpt-auto: /var is mounted by fstab, by label too, so a partition that
# repart created anew is found the same way).  The serial console is the
# last console=, so it is /dev/console and gets the autologin root shell the
# tests drive.
cmdline="root=PARTLABEL=root rw console=tty1 console=ttyS0,115200 systemd.gpt_auto=0 loglevel=4 systemd.show_status=1"

step "build hotkeyd for the guest (meson, prefix /usr)"
# -Dbench=true: the benchmark helpers (bench/, /usr/lib/hotkeyd-bench in the
# image) for bench/run.py; they need the guest's uinput.
if [ ! -e "$out/meson/build.ninja" ]; then
    meson setup "$out/meson" "$src" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
        -Dtests=false -Dbench=true -Dwerror=true >&2
else
    meson configure "$out/meson" -Dbench=true >&2
fi
meson compile -C "$out/meson" >&2

step "copy the guest root"
rm -rf --one-file-system "$staging"
mkdir -p "$staging"
cp -a "$guest/." "$staging/"
rm -f "$staging/.complete" "$staging/.packages"

step "meson install --destdir"
meson install -C "$out/meson" --no-rebuild --destdir "$staging" >/dev/null

step "configure the guest"
echo hotkeyd-vm > "$staging/etc/hostname"
cat > "$staging/etc/fstab" <<'FSTAB'
PARTLABEL=root  /     ext4  rw,errors=remount-ro  0 1
PARTLABEL=var   /var  ext4  rw                    0 2
FSTAB

# A short press of the power key must keep the machine running (the scenario
# checks that hotkeyd passes it on); logind's default would power off.
mkdir -p "$staging/etc/systemd/logind.conf.d"
cat > "$staging/etc/systemd/logind.conf.d/50-hotkeyd-vm.conf" <<'CONF'
[Login]
HandlePowerKey=lock
CONF

# The guest journal also goes to the second serial port, which the host
# captures: the record of a boot survives the factory reset that erases
# /var (and with it the persistent journal).
mkdir -p "$staging/etc/systemd/journald.conf.d"
cat > "$staging/etc/systemd/journald.conf.d/50-hotkeyd-vm.conf" <<'CONF'
[Journal]
ForwardToConsole=yes
TTYPath=/dev/ttyS1
MaxLevelConsole=info
CONF

# Root (no password) gets an autologin shell on the serial console; the
# user "user" an autologin session on tty1, the active session of seat0,
# where cage runs the GTK session agent (tools/vm/session-agent).
chroot "$staging" passwd -q -d root
chroot "$staging" useradd -m -s /bin/bash -c "VM user" user
chroot "$staging" passwd -q -d user
mkdir -p "$staging/etc/systemd/system/serial-getty@ttyS0.service.d" \
         "$staging/etc/systemd/system/getty@tty1.service.d"
cat > "$staging/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'CONF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty -o '-f -- \\u' --noreset --noclear --autologin root --keep-baud 115200,57600,38400,9600 - ${TERM}
CONF
cat > "$staging/etc/systemd/system/getty@tty1.service.d/autologin.conf" <<'CONF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty -o '-f -- \\u' --noreset --noclear --autologin user - ${TERM}
CONF
install -D -m 0644 "$here/vm/user-bash_profile" "$staging/home/user/.bash_profile"
chroot "$staging" chown user:user /home/user/.bash_profile
# The session: cage with the GTK session agent (factory-reset --agent).
install -D -m 0755 "$here/vm/session-agent" "$staging/usr/local/lib/hotkeyd-vm/session-agent"

# Units: hotkeyd (also D-Bus activatable), the TPM clear request of
# factory-reset.target (Debian installs it disabled), quiet timers off.
systemctl --root="$staging" enable hotkeyd.service systemd-tpm2-clear.service >&2
# The benchmarks' peers only run when bench/guest.py starts them: acpid's
# stock powerbtn event would shut the machine down on the scenario's holds.
systemctl --root="$staging" disable acpid.service acpid.socket acpid.path \
    triggerhappy.service triggerhappy.socket >&2
systemctl --root="$staging" mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-boot-update.service >&2

# The partition definitions the initrd applies on a factory reset.
mkdir -p "$staging/usr/lib/repart.d"
for f in "$here"/vm/repart-*.conf; do
    install -m 0644 "$f" "$staging/usr/lib/repart.d/$(basename "${f#*/repart-}")"
done

step "initrd (dracut with systemd and systemd-repart, in the guest root)"
install -D -m 0644 "$here/vm/initrd-systemd-repart.conf" "$staging/usr/lib/hotkeyd-vm/initrd-systemd-repart.conf"
kver=$(basename "$(ls -d "$staging"/usr/lib/modules/*)")
for d in proc sys dev; do mount --bind "/$d" "$staging/$d"; done
trap 'for d in proc sys dev; do umount -l "$staging/$d" 2>/dev/null || true; done' EXIT
chroot "$staging" dracut --quiet --force --no-hostonly --no-hostonly-cmdline --no-early-microcode \
    --compress gzip \
    --add "systemd-repart tpm2-tss" \
    --omit "plymouth bluetooth lvm mdraid multipath crypt dmsquash-live nfs iscsi btrfs" \
    --install "/usr/lib/systemd/systemd-factory-reset /usr/lib/systemd/system-generators/systemd-factory-reset-generator /usr/lib/systemd/system/factory-reset-now.target /usr/lib/systemd/system/systemd-factory-reset-complete.service" \
    --include /usr/lib/hotkeyd-vm/initrd-systemd-repart.conf /usr/lib/systemd/system/systemd-repart.service.d/50-hotkeyd-vm.conf \
    --kver "$kver" /boot/initrd.img >&2
for d in proc sys dev; do umount "$staging/$d"; done
trap - EXIT

step "UKI and ESP"
mkdir -p "$staging/efi/EFI/BOOT" "$staging/efi/EFI/Linux" "$staging/efi/loader"
ukify build \
    --linux="$staging/boot/vmlinuz-$kver" \
    --initrd="$staging/boot/initrd.img" \
    --cmdline="$cmdline" \
    --os-release="@$staging/usr/lib/os-release" \
    --stub="$staging/usr/lib/systemd/boot/efi/linuxx64.efi.stub" \
    --uname="$kver" \
    --output="$staging/efi/EFI/Linux/hotkeyd-vm.efi" >&2
cp "$staging/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$staging/efi/EFI/BOOT/BOOTX64.EFI"
printf 'timeout 0\nconsole-mode keep\n' > "$staging/efi/loader/loader.conf"

step "disk image (systemd-repart --offline=yes)"
defs=$out/repart.d
rm -rf "$defs"
cp -r "$staging/usr/lib/repart.d" "$defs"
mkdir -p "$defs/10-esp.conf.d" "$defs/20-root.conf.d" "$defs/30-var.conf.d"
printf '[Partition]\nCopyFiles=/efi:/\n' > "$defs/10-esp.conf.d/copy.conf"
printf '[Partition]\nCopyFiles=/\nExcludeFiles=/efi/\nExcludeFiles=/var/\nExcludeFiles=/boot/initrd.img\n' > "$defs/20-root.conf.d/copy.conf"
printf '[Partition]\nCopyFiles=/var:/\n' > "$defs/30-var.conf.d/copy.conf"
rm -f "$out/disk.raw"
systemd-repart --offline=yes --empty=create --size=auto --dry-run=no --no-pager \
    --definitions="$defs" --copy-source="$staging" "$out/disk.raw" >&2

step "done: $out/disk.raw"
