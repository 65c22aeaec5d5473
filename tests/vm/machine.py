# SPDX-License-Identifier: LGPL-2.1-or-later
"""The whole-system VM: QEMU (TCG) with OVMF and a persistent copy of its
variable store, swtpm as TPM 2.0 (tpm-tis), the emulated i8042 keyboard, a
QMP socket, the serial console captured to a file and driven as a root
shell (autologin on ttyS0), and a second serial port that receives the
guest journal (journald forwards to /dev/ttyS1), so the journal of a boot
survives the factory reset that erases /var."""

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid

from qmp import QMP

OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'
PROMPT = re.compile(rb'root@hotkeyd-vm:[^\n]*# ')
# Measured up to 310 s for one boot on a loaded 2-core host.
BOOT_TIMEOUT = 900


class Failure(Exception):
    pass


def tail(path, lines=40):
    try:
        with open(path, 'rb') as f:
            data = f.read().decode(errors='replace').replace('\r', '')
    except FileNotFoundError:
        return f'({path} missing)'
    return '\n'.join(data.splitlines()[-lines:])


class Machine:
    # One vCPU: the scenario takes 4.5-5.5 min with it, and runs beside
    # nothing (TCG takes a host core per vCPU).
    def __init__(self, image, workdir, memory_mb=2048, cpus=1):
        self.image = image
        self.dir = workdir
        self.memory_mb = memory_mb
        self.cpus = cpus
        self.serial_log = os.path.join(workdir, 'serial.log')
        self.journal_log = os.path.join(workdir, 'journal.log')
        self.buf = bytearray()
        self.cond = threading.Condition()
        self.procs = []
        self.qmp = None
        self.sock = None

    def fail(self, message):
        raise Failure(f'{message}\n--- serial console (last lines of {self.serial_log}) ---\n'
                      f'{tail(self.serial_log)}\n--- guest journal (last lines of {self.journal_log}) ---\n'
                      f'{tail(self.journal_log, 25)}')

    # --- lifecycle -------------------------------------------------------

    def start(self):
        if os.path.exists('/dev/kvm'):
            print('note: /dev/kvm exists; the VM runs with TCG all the same (-accel tcg)')
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        d = self.dir
        # A copy-on-write overlay: the scenario changes the disk, the image stays.
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', self.image,
                        f'{d}/disk.qcow2'], check=True)
        shutil.copyfile(OVMF_VARS, f'{d}/ovmf-vars.fd')
        os.makedirs(f'{d}/tpm')
        # Without glibc's MALLOC_PERTURB_, which `meson test` sets to a
        # random byte for every test: with it OVMF crashed on its way to the
        # TPM prompt after the reset (tests/vm/README.md).
        env = {k: v for k, v in os.environ.items() if k != 'MALLOC_PERTURB_'}
        self.procs.append(subprocess.Popen(
            ['swtpm', 'socket', '--tpm2', '--tpmstate', f'dir={d}/tpm',
             '--ctrl', f'type=unixio,path={d}/swtpm.sock',
             '--log', f'file={d}/swtpm.log,level=1'],
            stdin=subprocess.DEVNULL, env=env))
        self._wait_path(f'{d}/swtpm.sock', 10, 'swtpm control socket')
        qemu = [
            'qemu-system-x86_64', '-machine', 'q35', '-accel', 'tcg',
            '-smp', str(self.cpus), '-m', str(self.memory_mb),
            '-drive', f'if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}',
            '-drive', f'if=pflash,format=raw,unit=1,file={d}/ovmf-vars.fd',
            '-drive', f'if=virtio,format=qcow2,file={d}/disk.qcow2',
            '-chardev', f'socket,id=chrtpm,path={d}/swtpm.sock',
            '-tpmdev', 'emulator,id=tpm0,chardev=chrtpm',
            '-device', 'tpm-tis,tpmdev=tpm0',
            '-chardev', f'socket,id=ser0,path={d}/serial.sock,server=on,wait=on,logfile={self.serial_log}',
            '-serial', 'chardev:ser0',
            '-chardev', f'file,id=ser1,path={self.journal_log}',
            '-serial', 'chardev:ser1',
            '-qmp', f'unix:{d}/qmp.sock,server=on,wait=off',
            '-device', 'virtio-rng-pci',
            '-vga', 'std', '-display', 'none', '-nic', 'none',
        ]
        with open(f'{d}/qemu.cmdline', 'w') as f:
            f.write(' '.join(qemu) + '\n')
        self.qemu = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, env=env,
                                     stdout=open(f'{d}/qemu.log', 'wb'), stderr=subprocess.STDOUT)
        self.procs.append(self.qemu)
        self.started = time.monotonic()
        # wait=on: QEMU starts the guest only once the console is connected,
        # so nothing of the boot is missed.
        self._wait_path(f'{d}/serial.sock', 30, 'serial socket')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(f'{d}/serial.sock')
        threading.Thread(target=self._reader, daemon=True).start()
        self.qmp = QMP(f'{d}/qmp.sock')

    def _wait_path(self, path, timeout, what):
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                self.fail(f'{what} ({path}) did not appear within {timeout} s')
            time.sleep(0.05)

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b''
            with self.cond:
                if not data:
                    self.closed = True
                    self.cond.notify_all()
                    return
                self.buf += data
                self.cond.notify_all()

    def stop(self):
        if self.qmp:
            self.qmp.quit()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    # --- the serial console ----------------------------------------------

    def mark(self):
        """A position in the console output; waits can start from it."""
        with self.cond:
            return len(self.buf)

    def wait_for(self, pattern, timeout, what, start=0):
        """Wait for a regex (bytes) in the console output after start."""
        if isinstance(pattern, (str, bytes)):
            pattern = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = pattern.search(self.buf, start)
                if m:
                    return m
                if getattr(self, 'closed', False):
                    self.fail(f'{what}: the console closed (QEMU exited: {self.qemu.poll()})')
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail(f'{what}: not seen within {timeout} s')
                self.cond.wait(min(left, 1))

    def write(self, text):
        self.sock.sendall(text.encode())

    def wait_shell(self, timeout, start=0):
        """Wait for the autologin root shell and make it quiet and scriptable."""
        self.wait_for(PROMPT, timeout, 'root shell on the serial console', start)
        # No echo, no prompt, no colours or pagers; kernel messages off the console.
        self.write("stty -echo cols 1000; export PS1= PS2= TERM=dumb SYSTEMD_COLORS=0 "
                   "SYSTEMD_PAGER= PAGER=cat; dmesg -n 1\n")
        self.run('true', timeout=60)

    def run(self, command, timeout=60, check=True):
        """Run a shell command in the guest; returns (status, output)."""
        token = uuid.uuid4().hex[:12]
        start = self.mark()
        self.write(f"printf '@@B%s@@\\n' {token}; {{ {command} ; }} 2>&1; "
                   f"printf '@@E%s@@%d\\n' {token} $?\n")
        # Up to the newline: the status may arrive in two reads ("1", "1\n"
        # of an 11), and a match on the first would take it for 1.
        pattern = re.compile(rb'@@B' + token.encode() + rb'@@\r?\n(.*?)@@E' + token.encode() + rb'@@(\d+)\r?\n',
                             re.S)
        m = self.wait_for(pattern, timeout, f'guest command {command!r}', start)
        out = m.group(1).decode(errors='replace').replace('\r', '')
        status = int(m.group(2))
        if check and status != 0:
            self.fail(f'guest command {command!r} failed with status {status}:\n{out}')
        return status, out

    def poll(self, command, timeout, what, interval=1.0):
        """Run command until it succeeds; returns its output."""
        deadline = time.monotonic() + timeout
        while True:
            status, out = self.run(command, check=False)
            if status == 0:
                return out
            if time.monotonic() > deadline:
                self.fail(f'{what}: not within {timeout} s (last output: {out.strip()!r})')
            time.sleep(interval)
