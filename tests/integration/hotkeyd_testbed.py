# SPDX-License-Identifier: LGPL-2.1-or-later
"""Emulated evdev devices (umockdev) and a running `hotkeyd --dry-run`.

Measured on these machines: the test process itself
must run under umockdev-wrapper; a device must be added, its ioctls loaded,
the program started, the "add" uevent sent, and only then the evemu events
loaded, because umockdev's replay clock starts when the events are loaded.
umockdev matches ioctls by their exact request code, so the ioctl records
below answer exactly what libevdev asks.
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import gi

gi.require_version('UMockdev', '1.0')
from gi.repository import UMockdev  # noqa: E402

# From linux/input-event-codes.h.
EV_SYN, EV_KEY, EV_SND = 0x00, 0x01, 0x12
SND_BELL, SND_TONE = 0x01, 0x02
KEY_CODES = {
    'KEY_ESC': 1, 'KEY_1': 2, 'KEY_A': 30, 'KEY_S': 31, 'KEY_D': 32, 'KEY_F': 33,
    'KEY_ENTER': 28, 'KEY_SPACE': 57,
    'KEY_MUTE': 113, 'KEY_VOLUMEDOWN': 114, 'KEY_VOLUMEUP': 115, 'KEY_POWER': 116,
    'KEY_RESTART': 0x198, 'KEY_LEFTMETA': 125,
}

KEY_BYTES = 96  # KEY_CNT / 8
SMALL_BITS = 8  # one unsigned long


def _bits(codes, size):
    data = bytearray(size)
    for c in codes:
        data[c // 8] |= 1 << (c % 8)
    return bytes(data)


def _str(s, size=255):
    raw = (s if isinstance(s, bytes) else s.encode()) + b'\0'
    return raw + bytes(size - len(raw))


def ioctl_record(devnode, name, keys, bustype=0x19, sounds=(), phys='', ids=(0, 1, 0)):
    """The ioctl file umockdev answers libevdev's probe with.  name: str, or
    bytes for a name that is not UTF-8.  sounds: EV_SND codes (a PC speaker
    has SND_BELL and SND_TONE).  ids: vendor, product, version."""
    codes = [KEY_CODES[k] for k in keys]
    lines = [f'@DEV {devnode} (evdev)']

    def add(req, ret, data):
        lines.append(f'{req} {ret} {data.hex().upper()}')

    add('EVIOCGVERSION', 0, (0x010001).to_bytes(4, 'little'))
    add('EVIOCGID', 0, b''.join(v.to_bytes(2, 'little') for v in (bustype, *ids)))
    add('EVIOCGNAME', len(name) + 1, _str(name))
    add('EVIOCGPHYS', len(phys) + 1, _str(phys))
    add('EVIOCGUNIQ', 1, _str(''))
    add('EVIOCGPROP', 8, bytes(8))
    types = [EV_SYN] + ([EV_KEY] if codes else []) + ([EV_SND] if sounds else [])
    add('EVIOCGBIT(0)', SMALL_BITS, _bits(types, SMALL_BITS))
    add('EVIOCGBIT(1)', KEY_BYTES, _bits(codes, KEY_BYTES))
    for t in (2, 3, 4, 5, 17):
        add(f'EVIOCGBIT({t})', SMALL_BITS, bytes(SMALL_BITS))
    add('EVIOCGBIT(18)', SMALL_BITS, _bits(sounds, SMALL_BITS))
    add('EVIOCGBIT(21)', 16, bytes(16))
    add('EVIOCGKEY', KEY_BYTES, bytes(KEY_BYTES))
    add('EVIOCGLED', SMALL_BITS, bytes(SMALL_BITS))
    add('EVIOCGSW', SMALL_BITS, bytes(SMALL_BITS))
    return '\n'.join(lines) + '\n'


def evemu_events(events):
    """events: [(seconds, key name, value)] -> evemu text, each key event
    followed by its SYN_REPORT."""
    out = ['# EVEMU 1.3']
    for t, key, value in events:
        sec, usec = int(t), int(round((t - int(t)) * 1e6))
        out.append(f'E: {sec}.{usec:06d} {EV_KEY:04x} {KEY_CODES[key]:04x} {value:04d}')
        out.append(f'E: {sec}.{usec:06d} {EV_SYN:04x} 0000 0000')
    return '\n'.join(out) + '\n'


class Parent:
    """The device an input device belongs to, as sysfs shows it: its path
    under /sys, its bus, and the driver bound to it (sysfs's "driver" link,
    which udev reads: its last component is the driver's name)."""

    def __init__(self, path, subsystem, driver=None):
        self.path, self.subsystem, self.driver = path, subsystem, driver

    def record(self):
        lines = [f'P: {self.path}', f'E: SUBSYSTEM={self.subsystem}']
        if self.driver:
            lines += [f'E: DRIVER={self.driver}',
                      f'L: driver=../../../bus/{self.subsystem}/drivers/{self.driver}']
        return lines + ['']


class Device:
    def __init__(self, bed, index, name, keys, seat=None, sounds=(), bustype=0x19, phys='', ids=(0, 1, 0),
                 parent=None, id_path=None):
        """parent: a Parent, or None for a platform device without a driver.
        id_path: udev's ID_PATH of the event node, if any."""
        self.bed = bed
        self.devnode = f'/dev/input/event{index}'
        # A parent is described once, with the first of its input devices.
        self.parent_record = parent.record() if parent and parent.path not in bed.parents else None
        if parent:
            bed.parents.add(parent.path)
        parent = (parent.path if parent else '/devices/platform/hotkeyd-test') + f'/input/input{index}'
        self.syspath = f'/sys{parent}/event{index}'
        # The kernel's name reaches hotkeyd through EVIOCGNAME only; udev's
        # copy is text in umockdev's records.
        text_name = name.decode(errors='replace') if isinstance(name, bytes) else name
        # An "N:" line without contents makes umockdev back the node with a
        # pty, which evemu replay needs; add_device() creates no node.
        record = [f'P: {parent}/event{index}',
                  f'N: input/event{index}',
                  f'E: DEVNAME=/dev/input/event{index}',
                  'E: SUBSYSTEM=input',
                  f'E: MAJOR=13', f'E: MINOR={64 + index}',
                  'E: ID_INPUT=1', 'E: ID_INPUT_KEY=1']
        if seat:
            record.append(f'E: ID_SEAT={seat}')
        if id_path:
            record.append(f'E: ID_PATH={id_path}')
        record += [f'A: dev=13:{64 + index}', '',
                   f'P: {parent}', 'E: SUBSYSTEM=input', f'E: NAME="{text_name}"',
                   f'A: name={text_name}', f'A: phys={phys}', '']
        if self.parent_record:
            record += self.parent_record
        bed.testbed.add_from_string('\n'.join(record) + '\n')
        path = os.path.join(bed.tmp, f'event{index}.ioctl')
        with open(path, 'w') as f:
            f.write(ioctl_record(self.devnode, name, keys, bustype=bustype, sounds=sounds, phys=phys, ids=ids))
        bed.testbed.load_ioctl(self.devnode, path)

    def plug(self):
        self.bed.testbed.uevent(self.syspath, 'add')

    def move_to_seat(self, seat):
        """What `loginctl attach` does: udev's ID_SEAT changes, announced by
        a "change" uevent."""
        self.bed.testbed.set_property(self.syspath, 'ID_SEAT', seat)
        self.bed.testbed.uevent(self.syspath, 'change')

    def unplug(self):
        self.bed.testbed.uevent(self.syspath, 'remove')
        self.bed.testbed.remove_device(self.syspath)

    def play(self, events):
        """Starts replaying; returns the monotonic time that evemu time 0 maps
        to.  umockdev delivers the first event at once and the others at
        their offsets from it."""
        path = os.path.join(self.bed.tmp, f'{os.path.basename(self.devnode)}-{time.monotonic_ns()}.evemu')
        with open(path, 'w') as f:
            f.write(evemu_events(events))
        t0 = time.monotonic()
        self.bed.testbed.load_evemu_events(self.devnode, path)
        return t0 - events[0][0]


class DeviceClass:
    """One kind of device with a power key, as the kernel presents it, and
    its real event pattern: press-only devices report press and release at
    once (one kernel timestamp), the others real holds."""

    def __init__(self, name, keys, parent, press_only, table, bustype=0x19, phys='', ids=(0, 1, 0), id_path=None):
        self.name, self.keys, self.parent, self.press_only = name, keys, parent, press_only
        self.table = table  # what `holds:` says before anything was seen
        self.kw = dict(bustype=bustype, phys=phys, ids=ids, parent=parent, id_path=id_path)

    def add(self, bed, seat=None):
        return bed.add_device(self.name, self.keys, seat=seat, **self.kw)

    def press(self, key='KEY_POWER'):
        """One press as the device reports it: at once, or held 300 ms."""
        if self.press_only:
            return [(0.1, key, 1), (0.1, key, 0)]
        return [(0.1, key, 1), (0.4, key, 0)]


# From the drivers: drivers/acpi/button.c, drivers/platform/x86/intel/vbtn.c
# and hid.c, drivers/input/keyboard/gpio_keys.c (soc_button_array makes the
# gpio-keys devices), cros_ec_keyb.c, atkbd.c, USB HID.
DEVICE_CLASSES = {
    'acpi': DeviceClass(
        'Power Button', ['KEY_POWER'], Parent('/devices/LNXSYSTM:00/LNXPWRBN:00', 'acpi', 'button'), True,
        'no (ACPI button: press and release arrive together)', phys='LNXPWRBN/button/input0',
        id_path='acpi-LNXPWRBN:00'),
    'intel-vbtn': DeviceClass(
        'Intel Virtual Buttons', ['KEY_POWER', 'KEY_VOLUMEUP', 'KEY_VOLUMEDOWN', 'KEY_LEFTMETA'],
        Parent('/devices/platform/INT33D6:00', 'platform', 'intel-vbtn'), True,
        'no (Intel virtual button: press and release arrive together)', id_path='platform-INT33D6:00'),
    'intel-hid-array': DeviceClass(
        'Intel HID 5 button array', ['KEY_POWER', 'KEY_VOLUMEUP', 'KEY_VOLUMEDOWN', 'KEY_LEFTMETA'],
        Parent('/devices/platform/INT33D5:00', 'platform', 'intel-hid'), True,
        'no (Intel HID button array: press and release arrive together)', id_path='platform-INT33D5:00'),
    'gpio-keys': DeviceClass(
        'gpio-keys', ['KEY_POWER'], Parent('/devices/platform/INT33D3:00/gpio-keys.1.auto', 'platform', 'gpio-keys'),
        False, 'yes (gpio-keys button)', phys='gpio-keys/input0', id_path='platform-gpio-keys.1.auto'),
    'cros-ec': DeviceClass(
        'cros_ec', ['KEY_POWER', 'KEY_VOLUMEUP', 'KEY_VOLUMEDOWN'],
        Parent('/devices/platform/GOOG0004:00/GOOG0007:00', 'platform', 'cros-ec-keyb'), False,
        'yes (Chromebook keyboard)', bustype=0x06, phys='GOOG0007:00/input0', id_path='platform-GOOG0007:00'),
    'i8042': DeviceClass(
        'AT Translated Set 2 keyboard', ['KEY_ESC', 'KEY_A', 'KEY_POWER'],
        Parent('/devices/platform/i8042/serio0', 'serio', 'atkbd'), False, 'yes (keyboard)', bustype=0x11,
        phys='isa0060/serio0/input0', ids=(0x0001, 0x0001, 0xab41), id_path='platform-i8042-serio-0'),
    'usb': DeviceClass(
        'Logitech USB Keyboard', ['KEY_ESC', 'KEY_A', 'KEY_POWER'],
        Parent('/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/0003:046D:C31C.0001', 'hid', 'hid-generic'),
        False, 'yes (USB HID device)', bustype=0x03, phys='usb-0000:00:14.0-1/input0', ids=(0x046d, 0xc31c, 0x0110),
        id_path='pci-0000:00:14.0-usb-0:1:1.0'),
}


# A hold and a Presses= trigger on KEY_POWER: what the device classes above
# can and cannot perform.
HOLD_AND_PRESSES = """
[Daemon]
Mode=desktop

[Trigger]
Name=power-key
Keys=KEY_POWER
HoldSec=3

[Trigger]
Name=power-presses
Keys=KEY_POWER
Presses=5
WithinSec=3
"""

# Every testbed of the test, for run_tests(): their daemon logs are shown
# when the test fails, and their processes are killed when it ends either
# way, so that nothing outlives the test (and keeps meson waiting on its
# pipes).
TESTBEDS = []


class Testbed:
    def __init__(self):
        assert 'umockdev' in os.environ.get('LD_PRELOAD', ''), 'run this under umockdev-wrapper'
        self.testbed = UMockdev.Testbed.new()
        self.tmpdir = tempfile.TemporaryDirectory(prefix='hotkeyd-test-')
        self.tmp = self.tmpdir.name
        self.next_index = 10
        self.parents = set()
        self.daemon = None
        self.stopping = False
        self.lines = []   # (monotonic time, stdout line)
        self.log = []     # stderr lines
        self._buf = {}
        TESTBEDS.append(self)

    def add_device(self, name, keys, seat=None, sounds=(), **kw):
        d = Device(self, self.next_index, name, keys, seat, sounds, **kw)
        self.next_index += 1
        return d

    def write_config(self, text):
        path = os.path.join(self.tmp, 'hotkeyd.conf')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def start(self, config_text, extra_args=(), dry_run=True, env=None):
        exe = os.environ.get('HOTKEYD', 'hotkeyd')
        cmd = [exe, '--config', self.write_config(config_text), *extra_args]
        if os.environ.get('HOTKEYD_VALGRIND'):
            # Memory errors and definite leaks make the exit status 99,
            # which every test checks through stop().
            cmd = ['valgrind', '--quiet', '--error-exitcode=99', '--leak-check=full',
                   '--show-leak-kinds=definite', '--errors-for-leak-kinds=definite'] + cmd
        if dry_run:
            cmd.append('--dry-run')
        self.daemon = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for stream in (self.daemon.stdout, self.daemon.stderr):
            os.set_blocking(stream.fileno(), False)
            self._buf[stream.fileno()] = b''
        self.wait_log('Ready,')

    def _pump(self, timeout):
        fds = [self.daemon.stdout.fileno(), self.daemon.stderr.fileno()]
        r, _, _ = select.select(fds, [], [], max(timeout, 0))
        now = time.monotonic()
        for fd in r:
            data = os.read(fd, 65536)
            if not data:
                continue
            self._buf[fd] += data
            *complete, self._buf[fd] = self._buf[fd].split(b'\n')
            for line in complete:
                text = line.decode(errors='replace')
                if fd == self.daemon.stdout.fileno():
                    self.lines.append((now, text))
                else:
                    self.log.append(text)
        if not r and self.daemon.poll() is not None and not self.stopping:
            raise AssertionError(f'hotkeyd exited with {self.daemon.returncode}; log:\n' + '\n'.join(self.log))

    def wait_log(self, needle, timeout=10):
        deadline = time.monotonic() + timeout
        while not any(needle in line for line in self.log):
            if time.monotonic() > deadline:
                raise AssertionError(f'no log line with {needle!r} within {timeout}s; log:\n' + '\n'.join(self.log))
            self._pump(deadline - time.monotonic())

    def wait_line(self, prefix, timeout=10):
        """Returns (time, line) of the first stdout line starting with prefix."""
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.lines:
                if entry[1].startswith(prefix):
                    return entry
            if time.monotonic() > deadline:
                raise AssertionError(f'no line {prefix!r} within {timeout}s; got {self.texts()}; log:\n'
                                     + '\n'.join(self.log))
            self._pump(deadline - time.monotonic())

    def settle(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pump(deadline - time.monotonic())

    def texts(self):
        return [line for _, line in self.lines]

    def plug(self, device):
        device.plug()
        self.wait_log(f'Watching {device.devnode}')

    def restart(self, config_text, **kw):
        """Stops the daemon (SIGTERM) and starts it again on the same
        testbed; devices present must be plugged again (umockdev's devices
        are not udev-initialised, so enumeration skips them)."""
        self.daemon.send_signal(signal.SIGTERM)
        assert self.daemon.wait(10) == 0
        self.lines.clear()
        self.log.clear()
        self.start(config_text, **kw)

    def stop(self):
        self.stopping = True
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(10)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                raise AssertionError('hotkeyd did not exit on SIGTERM')
            self._pump(0.1)
        self.cleanup()
        return self.daemon.returncode if self.daemon else None

    def cleanup(self):
        self.tmpdir.cleanup()

    def kill(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.kill()


def run_tests(namespace):
    """The main of a test script: runs the test_* function named by argv[1]
    (every one without it), then exits without interpreter teardown:
    finalising a umockdev testbed joins its replay threads, and one blocked
    on a pty nobody reads any more (the daemon is gone) would turn a clear
    failure into a timeout.  With --list it prints the names instead
    (tests/check-test-list.py compares them with what meson registered)."""
    name = sys.argv[1] if len(sys.argv) > 1 else None
    tests = {k[5:]: v for k, v in namespace.items() if k.startswith('test_')}
    if name == '--list':
        print(*tests, sep='\n')
        sys.exit(0)
    if name and name not in tests:
        sys.exit(f'no test named {name}')
    status = 0
    for n, func in tests.items():
        if name in (None, n):
            print(f'== {n}', flush=True)
            start = time.monotonic()
            try:
                func()
            except BaseException:
                traceback.print_exc()
                status = 1
                break
            print(f'   ok ({time.monotonic() - start:.1f}s)', flush=True)
    for bed in TESTBEDS:
        if status:
            try:
                bed.settle(0.3)  # what it said last is often the point
            except Exception:
                pass
            print('--- hotkeyd log:', *bed.log, sep='\n', file=sys.stderr)
        try:
            bed.kill()
        except Exception:
            traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
