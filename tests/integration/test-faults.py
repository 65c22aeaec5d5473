#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Faults: a daemon killed and restarted, a key state lost in the kernel's
buffer (SYN_DROPPED), polkitd gone and back.  None of them may start a
reset; afterwards hotkeyd works as before.  The system tests run on the
private system bus of system_testbed.py; each test_* is its own meson
test."""

import os
import re
import signal
import socket
import time

import dbus

from hotkeyd_testbed import EV_KEY, EV_SYN, KEY_CODES, Testbed, run_tests
from system_testbed import System

SYN_DROPPED = 3

KIOSK = """
[Daemon]
Mode=kiosk
ArmedTimeoutSec=30s

[Trigger]
Name=maintenance
Keys=KEY_RESTART
HoldSec=1
"""

POWER_1S = """
[Trigger]
Name=power
Keys=KEY_POWER
HoldSec=1
"""


def evemu(events):
    """[(seconds, type, code, value)] -> evemu text; a SYN_REPORT after each
    key event, none after a SYN_DROPPED."""
    out = ['# EVEMU 1.3']
    for t, ev_type, code, value in events:
        stamp = f'{int(t)}.{int(round((t - int(t)) * 1e6)):06d}'
        out.append(f'E: {stamp} {ev_type:04x} {code:04x} {value:04d}')
        if ev_type == EV_KEY:
            out.append(f'E: {stamp} {EV_SYN:04x} 0000 0000')
    return '\n'.join(out) + '\n'


def test_repeated_syn_dropped_cancels_holds_then_recovers():
    """After SYN_DROPPED libevdev asks the kernel for the key state
    (EVIOCGKEY, which the emulated device answers with "all up"): each drop
    in the middle of a hold cancels it with reason resync, never completes
    it; a clean hold afterwards completes as usual."""
    bed = Testbed()
    bed.start(POWER_1S)
    button = bed.add_device('Power Button', ['KEY_POWER'])
    bed.plug(button)
    power = KEY_CODES['KEY_POWER']
    events = []
    for i in range(3):
        t = 0.1 + i * 1.0
        events += [(t, EV_KEY, power, 1), (t + 0.5, EV_SYN, SYN_DROPPED, 0)]
    events += [(3.5, EV_KEY, power, 1), (5.0, EV_KEY, power, 0)]
    path = os.path.join(bed.tmp, 'dropped.evemu')
    with open(path, 'w') as f:
        f.write(evemu(events))
    bed.testbed.load_evemu_events(button.devnode, path)

    _, line = bed.wait_line('trigger ', timeout=10)
    assert line == 'trigger trigger=power seat=seat0 held_ms=1000', line
    texts = bed.texts()
    cancels = [t for t in texts if t.startswith('hold-cancel')]
    assert len(cancels) == 3 and all(t.endswith('reason=resync') for t in cancels), texts
    assert texts.index(cancels[-1]) < texts.index(line), texts
    assert [t for t in texts if t.startswith('trigger ')] == [line], texts
    assert bed.stop() == 0


def fds_and_rss(pid):
    # What each fd is; sockets and pipes by kind, their inode numbers may
    # change (umockdev's preload reconnects its own sockets).
    fds = sorted(re.sub(r':\[\d+\]$', '', os.readlink(f'/proc/{pid}/fd/{fd}'))
                 for fd in os.listdir(f'/proc/{pid}/fd'))
    with open(f'/proc/{pid}/status') as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith('VmRSS:'))
    return fds, rss


HOTPLUG_CYCLES = int(os.environ.get('HOTKEYD_HOTPLUG_CYCLES', '10000'))


def test_hotplug_cycles_leave_fds_and_memory_at_baseline():
    """The same emulated power button appears and disappears again and
    again (udev "add", "remove"); every time the daemon opens and probes it,
    then closes it.  Afterwards its fds are what they were and its memory
    has not grown by more than allocator noise."""
    bed = Testbed()
    bed.start(POWER_1S)
    button = bed.add_device('Power Button', ['KEY_POWER'])
    pid = bed.daemon.pid

    seen = {'lines': 0, 'removed': 0}

    def wait_removed(total):
        deadline = time.monotonic() + 60
        while seen['removed'] < total:
            assert time.monotonic() < deadline, f"{seen['removed']} removals of {total}: {bed.log[-5:]}"
            bed._pump(0.05)
            new = bed.log[seen['lines']:]
            seen['lines'] += len(new)
            seen['removed'] += sum('Stopped watching' in line for line in new)

    def cycle(n):
        # In steps of 4 (8 uevents): umockdev sends uevents as unix
        # datagrams, which queue at most net.unix.max_dgram_qlen (10) deep,
        # and its sender gives up (EAGAIN) when the daemon's queue is full.
        target = seen['removed']
        for i in range(n):
            bed.testbed.uevent(button.syspath, 'add')
            bed.testbed.uevent(button.syspath, 'remove')
            if i % 4 == 3:
                target += 4
                wait_removed(target)
        wait_removed(target + n % 4)

    # A first round warms up what is allocated once (libudev, libevdev, stdio).
    cycle(50)
    # The daemon logs the removal just before it closes the device.
    bed.settle(0.3)
    base_fds, base_rss = fds_and_rss(pid)
    started = time.monotonic()
    done = 0
    while done < HOTPLUG_CYCLES:
        cycle(500)
        done += 500
    seconds = time.monotonic() - started
    bed.settle(0.3)
    fds, rss = fds_and_rss(pid)
    print(f'{done} hotplug cycles in {seconds:.1f}s; fds {len(base_fds)} -> {len(fds)}, RSS {base_rss} -> {rss} KiB',
          flush=True)
    assert fds == base_fds, (base_fds, fds)
    # Under AddressSanitizer freed memory waits in its quarantine (up to
    # 256 MiB), so RSS says nothing there; leaks are LeakSanitizer's job at
    # the daemon's exit, which stop() checks.
    with open(f'/proc/{pid}/maps') as f:
        asan = 'libasan' in f.read()
    if not asan:
        assert rss - base_rss <= 256, (base_rss, rss)
    watching = sum('Watching /dev/input/event10' in line for line in bed.log)
    assert watching == done + 50, watching
    assert bed.stop() == 0


def test_killed_daemon_forgets_an_armed_kiosk_reset():
    """A first gesture armed the reset, then the daemon was killed (SIGKILL:
    no clean-up at all).  The restarted daemon must not take the next
    gesture as the confirming second one."""
    s = System(efi=True)
    s.start_daemon(KIOSK, input_devices=True)
    first = s.add_device('Reset Button', ['KEY_RESTART'])
    s.plug(first)
    first.play([(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0)])
    s.wait_log('Factory reset ARMED by maintenance on seat0')
    s.daemon.send_signal(signal.SIGKILL)
    s.daemon.wait(5)

    s.log.clear()
    s.start_daemon(KIOSK, input_devices=True)
    second = s.add_device('Reset Button 2', ['KEY_RESTART'])
    s.plug(second)
    second.play([(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0)])
    s.wait_log('Factory reset ARMED by maintenance on seat0')  # armed again, not confirmed
    s.settle(0.5)
    assert not any('confirmed' in line for line in s.log), s.log
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_killed_daemon_mid_hold_starts_nothing():
    s = System(efi=True)
    s.start_daemon(KIOSK.replace('HoldSec=1', 'HoldSec=3'), input_devices=True)
    button = s.add_device('Reset Button', ['KEY_RESTART'])
    s.plug(button)
    button.play([(0.1, 'KEY_RESTART', 1), (5.0, 'KEY_RESTART', 0)])
    s.wait_log('Gesture: hold-start trigger=maintenance')
    s.daemon.send_signal(signal.SIGKILL)
    s.daemon.wait(5)
    time.sleep(3.5)  # past the moment the hold would have completed
    assert s.start_unit_calls() == []
    assert s.stop() == -signal.SIGKILL


def polkitd_procs(s):
    return [p for p in s.procs if p.poll() is None and any('polkitd' in str(a) for a in p.args)]


def test_polkitd_gone_refuses_then_recovers():
    s = System(efi=True)
    s.start_daemon()
    for p in polkitd_procs(s):
        p.terminate()
        p.wait(5)
    deadline = time.monotonic() + 5
    while s.bus.name_has_owner('org.freedesktop.PolicyKit1'):
        assert time.monotonic() < deadline, 'polkitd did not go'
        time.sleep(0.05)

    # Without polkit nobody can be authorized, not even root: refused,
    # nothing started.
    rc, out, err = s.call_as(0, 'Request', 't', '0')
    assert rc != 0, (rc, out, err)
    s.wait_log('polkit did not answer')
    assert s.start_unit_calls() == []

    s._start_polkitd()
    assert s.hotkeyd.Request(dbus.UInt64(0), timeout=30) == 'started'
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


def test_system_bus_restart_reconnects():
    """The system bus goes away with everything on it and comes back: the
    daemon keeps running, connects again, takes its name and works."""
    s = System(efi=True)
    s.start_daemon()
    s.restart_bus()
    s.wait_log('Lost the connection to the system bus')
    s.wait_log('Connected to the system bus again.', timeout=15)
    s._wait_name('io.hotkeyd.FactoryReset1')
    s.hotkeyd = dbus.Interface(s.bus.get_object('io.hotkeyd.FactoryReset1', '/io/hotkeyd/FactoryReset1'),
                               'io.hotkeyd.FactoryReset1')
    assert s.hotkeyd.Request(dbus.UInt64(0), timeout=30) == 'started'
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


def children_of(pid):
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    # The name in parentheses may hold spaces: split after it.
                    fields = f.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def process_state(pid):
    """The state letter of /proc/PID/stat, None when the process is gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return None


def silent_tpm():
    """Two listening sockets on consecutive ports (swtpm's command and
    control ports) that never answer: a TPM that hangs."""
    for _ in range(50):
        socks = [socket.socket(), socket.socket()]
        try:
            socks[0].bind(('127.0.0.1', 0))
            port = socks[0].getsockname()[1]
            socks[1].bind(('127.0.0.1', port + 1))
        except OSError:
            for sock in socks:
                sock.close()
            continue
        for sock in socks:
            sock.listen(8)
        return socks, f'swtpm:host=127.0.0.1,port={port}'
    raise AssertionError('no two free consecutive ports')


def test_tpm_reader_dies_with_the_daemon():
    """The TPM is read by a child process.  One that hangs (a TPM that never
    answers) must not outlive a daemon that was killed (its parent-death
    signal), and it runs with the default signal mask and dispositions,
    not the daemon's (which blocks SIGTERM, SIGINT, SIGHUP, SIGCHLD for
    sd-event)."""
    s = System(efi=True)
    socks, tcti = silent_tpm()
    s.start_daemon(tpm_tcti=tcti, wait_tpm=False)
    child = None
    try:
        deadline = time.monotonic() + 5
        while not children_of(s.daemon.pid):
            assert time.monotonic() < deadline, 'no TPM reader process'
            time.sleep(0.05)
        [child] = children_of(s.daemon.pid)
        # Signals 32 and 33 are glibc's own: sigaction() cannot change
        # them, so an ignored one inherited from whatever started the
        # suite stays ignored (seen in a CI run: 0000000080000000).
        glibc_own = (1 << 31) | (1 << 32)

        def signal_masks():
            with open(f'/proc/{child}/status') as f:
                status = dict(line.split(':\t', 1) for line in f.read().splitlines() if ':\t' in line)
            return int(status['SigBlk'], 16) & ~glibc_own, int(status['SigIgn'], 16) & ~glibc_own

        # The child resets what it inherited right after the fork; a test
        # that looks at once can see the daemon's mask for that moment
        # (seen under ASan: 0000000000014003).
        deadline = time.monotonic() + 2
        while signal_masks() != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        blocked, ignored = signal_masks()
        assert blocked == 0, hex(blocked)
        assert ignored == 0, hex(ignored)
        # Still waiting for the TPM, and so is the daemon's Tpm property.
        # (A loaded host was seen to catch it in D, paging in, for a moment.)
        deadline = time.monotonic() + 2
        while process_state(child) == 'D' and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_state(child) in ('S', 'R'), process_state(child)

        s.daemon.kill()
        s.daemon.wait(5)
        deadline = time.monotonic() + 5
        while process_state(child) not in (None, 'Z'):
            assert time.monotonic() < deadline, f'the TPM reader {child} outlived the daemon'
            time.sleep(0.05)
    finally:
        if child and process_state(child) not in (None, 'Z'):
            os.kill(child, signal.SIGKILL)
        for sock in socks:
            sock.close()
        s.kill()


if __name__ == '__main__':
    run_tests(globals())
