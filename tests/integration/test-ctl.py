#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hotkeyctl against the real daemon on the private system bus of
system_testbed.py (real polkitd and io.systemd.FactoryReset, mocked
systemd1/login1).  Each test_* is its own meson test.  The exit codes
checked here are hotkeyctl(1)'s table (hotkeyd/shared/ctl-exit-status.h)."""

import json
import os
import pty
import re
import select
import signal
import stat
import subprocess
import tempfile
import time

from hotkeyd_testbed import DEVICE_CLASSES, HOLD_AND_PRESSES, run_tests
from system_testbed import CANCEL_UNIT, NOBODY, SRC, System, clean_env

CTL = os.environ.get('HOTKEYCTL', 'hotkeyctl')
COMPLETION = os.path.join(SRC, 'data', 'bash-completion', 'hotkeyctl')

EXIT_SUCCESS, EXIT_FAILURE, EXIT_USAGE, EXIT_NOT_SUPPORTED = 0, 1, 2, 3
EXIT_ACCESS_DENIED, EXIT_NOT_PENDING, EXIT_UNREACHABLE = 4, 5, 6

NOT_RUNNING = 'hotkeyd is not running (io.hotkeyd.FactoryReset1 not on the system bus)'

CONFIG = """
[Daemon]
Mode=desktop

[Trigger]
Name=maintenance
Keys=KEY_RESTART
HoldSec=1
"""


def ctl(s, *args, uid=None, env=None, stdin=subprocess.DEVNULL):
    """Runs hotkeyctl (as uid, without supplementary groups); returns the
    CompletedProcess with text stdout/stderr."""
    cmd = [] if uid is None else ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups']
    cmd += [CTL, *args]
    return subprocess.run(cmd, env=env or (s.env if s else clean_env()), stdin=stdin,
                          capture_output=True, text=True, timeout=60)


def expect(p, code, stdout=None, stderr=None):
    where = f'exit {p.returncode}, stdout {p.stdout!r}, stderr {p.stderr!r}'
    assert p.returncode == code, f'expected exit {code}: {where}'
    if stdout is not None:
        assert stdout in p.stdout, f'expected {stdout!r} on stdout: {where}'
    if stderr is not None:
        assert stderr in p.stderr, f'expected {stderr!r} on stderr: {where}'


def status_json(s):
    p = ctl(s, 'status', '--json')
    expect(p, EXIT_SUCCESS)
    return json.loads(p.stdout)


# --- status ------------------------------------------------------------------

def test_status_supported():
    s = System(efi=True)
    s.start_daemon(CONFIG)
    p = ctl(s, 'status')
    expect(p, EXIT_SUCCESS, 'Supported: yes')
    assert re.search(r'^ +Mode: unspecified$', p.stdout, re.M), p.stdout
    assert re.search(r'^ +Triggers: maintenance: KEY_RESTART held for 1s, any seat$', p.stdout, re.M), p.stdout
    assert re.search(r'^ +TPM: none$', p.stdout, re.M), p.stdout
    assert 'Reason:' not in p.stdout, p.stdout
    # Reading needs no privileges.
    assert ctl(s, 'status', uid=NOBODY).stdout == p.stdout

    j = status_json(s)
    assert j['Supported'] is True and j['Supported'] == s.prop('Supported'), j
    assert j['Mode'] == s.prop('Mode') == 'unspecified', j
    assert j['UnsupportedReason'] == '', j
    assert j['DaemonMode'] == s.prop('DaemonMode') == 'desktop', j
    assert j['Devices'] == 0, j
    assert j['Triggers'] == [{'Name': 'maintenance', 'Keys': ['KEY_RESTART'], 'Kind': 'hold',
                              'HoldUSec': 1000000, 'Presses': 0, 'WithinUSec': 0, 'Seat': ''}], j
    assert j['Tpm']['Present'] is False and j['Tpm']['Error'] == '', j
    assert s.stop() == 0


def test_status_unsupported():
    s = System(efi=False)
    s.start_daemon(CONFIG)
    reason = str(s.prop('UnsupportedReason'))
    assert 'UEFI' in reason, reason
    p = ctl(s, 'status')
    expect(p, EXIT_SUCCESS, 'Supported: no')
    assert re.search(r'^ +Reason: ' + re.escape(reason) + '$', p.stdout, re.M), p.stdout

    j = status_json(s)
    assert j['Supported'] is False and j['Supported'] == s.prop('Supported'), j
    assert j['UnsupportedReason'] == reason, j
    assert j['Mode'] == s.prop('Mode'), j
    assert s.stop() == 0


def test_status_shows_tpm_from_swtpm():
    s = System(efi=True)
    s.start_daemon(CONFIG, tpm_tcti=s.start_swtpm())
    p = ctl(s, 'status')
    expect(p, EXIT_SUCCESS)
    assert re.search(r'^ +TPM: IBM, firmware \S+$', p.stdout, re.M), p.stdout
    assert 'clear disabled: no, in lockout: no' in p.stdout, p.stdout
    j = status_json(s)
    assert j['Tpm']['Present'] is True and j['Tpm']['Manufacturer'] == 'IBM', j
    assert s.stop() == 0


def test_daemon_not_running():
    s = System(efi=True)
    for args in (['status'], ['devices', '--json'], ['request', '--no-ask-password'], ['cancel']):
        expect(ctl(s, *args), EXIT_UNREACHABLE, stderr=NOT_RUNNING)
    env = clean_env()
    env['DBUS_SYSTEM_BUS_ADDRESS'] = f'unix:path={s.tmp}/no-such-socket'
    expect(ctl(None, 'status', env=env), EXIT_UNREACHABLE, stderr='Cannot connect to the system bus')
    s.kill()


# --- devices and monitor -----------------------------------------------------

def test_devices_lists_emulated_device():
    s = System(efi=True)
    s.start_daemon(CONFIG, input_devices=True)
    p = ctl(s, 'devices')
    expect(p, EXIT_SUCCESS, '0 devices watched.')

    button = s.add_device('Reset Button', ['KEY_RESTART'], seat='seat1')
    s.plug(button)
    p = ctl(s, 'devices')
    expect(p, EXIT_SUCCESS, '1 device watched.')
    lines = p.stdout.splitlines()
    assert lines[0].split() == ['NODE', 'NAME', 'SEAT'], lines
    assert re.fullmatch(re.escape(button.devnode) + r' +Reset Button +seat1', lines[1]), lines
    # The columns line up with the header.
    assert lines[0].index('NAME') == lines[1].index('Reset') and lines[0].index('SEAT') == lines[1].index('seat1')

    p = ctl(s, 'devices', '--json')
    expect(p, EXIT_SUCCESS)
    assert json.loads(p.stdout) == [{'Node': button.devnode, 'Name': 'Reset Button', 'Seat': 'seat1',
                                     'Keys': [{'Key': 'KEY_RESTART', 'Holds': 'unknown', 'Reason': ''}]}], p.stdout
    assert status_json(s)['Devices'] == 1
    assert s.stop() == 0


def test_devices_shows_the_seat_a_device_moved_to():
    s = System(efi=True)
    s.start_daemon(CONFIG, input_devices=True)
    button = s.add_device('Reset Button', ['KEY_RESTART'])
    s.plug(button)
    assert [list(map(str, d)) for d in s.prop('Devices')] == [[button.devnode, 'Reset Button', 'seat0']]

    changed = s.watch_changes()
    button.move_to_seat('seat1')
    changed(['DeviceKeys', 'Devices'])
    assert [list(map(str, d)) for d in s.prop('Devices')] == [[button.devnode, 'Reset Button', 'seat1']]
    p = ctl(s, 'devices')
    expect(p, EXIT_SUCCESS, '1 device watched.')
    assert re.fullmatch(re.escape(button.devnode) + r' +Reset Button +seat1', p.stdout.splitlines()[1]), p.stdout
    assert s.stop() == 0


def test_device_name_not_utf8_is_shown_with_replacement():
    s = System(efi=True)
    s.start_daemon(CONFIG, input_devices=True)
    button = s.add_device(b'Reset \xff Button \xc3', ['KEY_RESTART'])
    s.plug(button)
    # D-Bus strings must be UTF-8: one bad name must not break GetAll.
    props = s.props.GetAll('io.hotkeyd.FactoryReset1')
    assert [list(map(str, d)) for d in props['Devices']] == [[button.devnode, 'Reset \ufffd Button \ufffd', 'seat0']], \
        props['Devices']
    p = ctl(s, 'devices', '--json')
    expect(p, EXIT_SUCCESS)
    assert json.loads(p.stdout) == [{'Node': button.devnode, 'Name': 'Reset \ufffd Button \ufffd', 'Seat': 'seat0',
                                     'Keys': [{'Key': 'KEY_RESTART', 'Holds': 'unknown', 'Reason': ''}]}], p.stdout
    expect(ctl(s, 'status'), EXIT_SUCCESS, 'Supported: yes')
    assert s.stop() == 0



def availability(s):
    return [(str(t), str(seat), bool(can), str(why)) for t, seat, can, why in s.prop('TriggerAvailability')]


def device_keys(s):
    return [tuple(map(str, k)) for k in s.prop('DeviceKeys')]


def test_device_keys_and_what_can_fire():
    """DeviceKeys and TriggerAvailability on the bus, with their change
    signals on hotplug and learning, and as `hotkeyctl devices` and
    `status` show them: the ACPI power button cannot report a hold, the
    i8042 keyboard's power key can."""
    state = tempfile.mkdtemp(prefix='hotkeyd-state-')
    s = System(efi=True)
    s.start_daemon(HOLD_AND_PRESSES, input_devices=True, extra_env={'STATE_DIRECTORY': state})
    assert device_keys(s) == []
    assert availability(s) == [('power-key', '', False, 'no device has KEY_POWER'),
                               ('power-presses', '', False, 'no device has KEY_POWER')], availability(s)

    changed = s.watch_changes()
    acpi = DEVICE_CLASSES['acpi'].add(s)
    s.plug(acpi)
    changed(['DeviceKeys', 'Devices'])
    changed(['TriggerAvailability'])
    assert device_keys(s) == [(acpi.devnode, 'KEY_POWER', 'no', 'ACPI button: press and release arrive together')]
    only = f'KEY_POWER is only on Power Button ({acpi.devnode}), which cannot report a hold'
    assert availability(s) == [('power-key', '', False, only),
                               ('power-presses', 'seat0', True, f'KEY_POWER is on Power Button ({acpi.devnode})')], \
        availability(s)
    s.wait_log(f'Trigger power-key cannot fire with the devices present: {only}.')

    p = ctl(s, 'devices')
    expect(p, EXIT_SUCCESS, '1 device watched.')
    assert re.search(r'^ +KEY_POWER holds: no \(ACPI button: press and release arrive together\)$', p.stdout, re.M), \
        p.stdout
    p = ctl(s, 'status')
    expect(p, EXIT_SUCCESS)
    assert re.search(r'^ +cannot fire anywhere: ' + re.escape(only) + '$', p.stdout, re.M), p.stdout
    assert re.search(r'^ +seat0: can fire: KEY_POWER is on Power Button', p.stdout, re.M), p.stdout
    assert status_json(s)['TriggerAvailability'][0] == {'Trigger': 'power-key', 'Seat': '', 'CanFire': False,
                                                        'Reason': only}

    kbd = DEVICE_CLASSES['i8042'].add(s)
    s.plug(kbd)
    changed(['DeviceKeys', 'Devices'])
    # The ACPI button is named as the one that cannot hold.
    held = (f'KEY_POWER can be held on AT Translated Set 2 keyboard ({kbd.devnode}); '
            f'not on Power Button ({acpi.devnode}), which cannot report a hold')
    s.wait_log(f'Trigger power-key can fire now (seat0: {held}).')
    assert ('power-key', 'seat0', True, held) in availability(s), availability(s)
    p = ctl(s, 'devices')
    assert re.search(r'^ +KEY_POWER holds: yes \(keyboard\)$', p.stdout, re.M), p.stdout

    # Learning: the keyboard's key seen held.
    kbd.play(DEVICE_CLASSES['i8042'].press())
    s.wait_log(f'{kbd.devnode} (AT Translated Set 2 keyboard): KEY_POWER can be held (seen held).')
    changed(['DeviceKeys'])
    assert (kbd.devnode, 'KEY_POWER', 'yes', 'seen held') in device_keys(s), device_keys(s)
    j = json.loads(ctl(s, 'devices', '--json').stdout)
    assert {'Key': 'KEY_POWER', 'Holds': 'yes', 'Reason': 'seen held'} in \
        [k for d in j if d['Node'] == kbd.devnode for k in d['Keys']], j

    # The keyboard gone: the hold cannot fire any more, and the journal says why.
    kbd.unplug()
    changed(['DeviceKeys', 'Devices'])
    changed(['TriggerAvailability'])
    assert availability(s)[0] == ('power-key', '', False, only), availability(s)
    s.log.clear()
    assert s.stop() == 0


class Monitor:
    """`hotkeyctl monitor` running; lines are collected while the daemon's
    own output is pumped (its pipes must not fill up)."""

    def __init__(self, s):
        self.s = s
        self.proc = subprocess.Popen([CTL, 'monitor'], env=s.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        self.lines = []
        self.wait_stderr('Monitoring')

    def wait_stderr(self, needle):
        deadline = time.monotonic() + 10
        err = ''
        while needle not in err:
            assert time.monotonic() < deadline and self.proc.poll() is None, f'monitor said {err!r}'
            r, _, _ = select.select([self.proc.stderr], [], [], 0.1)
            if r:
                err += self.proc.stderr.readline()

    def wait_line(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if re.search(pattern, line):
                    return line
            assert time.monotonic() < deadline, f'no monitor line matching {pattern!r}: {self.lines}'
            self.s.settle(0.02)
            r, _, _ = select.select([self.proc.stdout], [], [], 0.05)
            if r:
                line = self.proc.stdout.readline()
                assert line, f'monitor exited with {self.proc.poll()}: {self.lines}'
                self.lines.append(line.rstrip('\n'))

    def stop(self, sig):
        self.proc.send_signal(sig)
        return self.proc.wait(10)


STAMP = r'^\[\d\d:\d\d:\d\d\.\d{3}\] '


def test_monitor_prints_hold_and_trigger():
    s = System(efi=True)
    s.start_daemon(CONFIG, input_devices=True)
    m = Monitor(s)

    button = s.add_device('Reset Button', ['KEY_RESTART'])
    s.plug(button)
    line = m.wait_line(STAMP + 'properties-changed Devices=')
    assert button.devnode in line, line

    # A completed hold, then one released early (one script per device:
    # umockdev replays a single one).  HoldSec=1 with the default 1 s
    # ProgressSec sends no progress.
    button.play([(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0),
                 (2.0, 'KEY_RESTART', 1), (2.3, 'KEY_RESTART', 0)])
    start = m.wait_line(STAMP + 'hold-start ')
    assert start.endswith(f'hold-start trigger=maintenance seat=seat0 device={button.devnode}'), start
    trigger = m.wait_line(STAMP + r'trigger trigger=maintenance seat=seat0$')
    cancel = m.wait_line(STAMP + r'hold-cancel trigger=maintenance seat=seat0 elapsed_ms=\d+ reason=released$')
    assert m.lines.index(start) < m.lines.index(trigger) < m.lines.index(cancel), m.lines
    assert m.stop(signal.SIGINT) == 0
    assert s.stop() == 0


def test_monitor_exits_0_on_sigterm():
    s = System(efi=True)
    s.start_daemon(CONFIG)
    m = Monitor(s)
    assert m.stop(signal.SIGTERM) == 0
    assert s.stop() == 0


# --- request and cancel ------------------------------------------------------

def test_request_as_root_starts_target_once():
    s = System(efi=True)
    s.start_daemon(CONFIG)
    p = ctl(s, 'request')
    expect(p, EXIT_SUCCESS)
    assert p.stdout == 'started\n', p.stdout
    calls = s.start_unit_calls()
    assert len(calls) == 1, calls
    assert [str(a) for a in calls[0][1]] == ['factory-reset.target', 'replace'], calls
    assert s.stop() == 0


def test_request_as_nobody_is_denied():
    s = System(efi=True)
    s.start_daemon(CONFIG)
    p = ctl(s, 'request', '--no-ask-password', uid=NOBODY)
    expect(p, EXIT_ACCESS_DENIED, stderr='Access denied: You are not allowed to request a factory reset.')
    assert p.stdout == '', p.stdout
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_request_unsupported_gives_reason():
    s = System(efi=False)
    s.start_daemon(CONFIG)
    p = ctl(s, 'request', '--no-ask-password')
    expect(p, EXIT_NOT_SUPPORTED, stderr='A factory reset cannot be requested: ')
    assert str(s.prop('UnsupportedReason')) in p.stderr, p.stderr
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_request_when_pending_says_so():
    s = System(efi=True)
    s.request_pending()
    s.start_daemon(CONFIG)
    p = ctl(s, 'request')
    expect(p, EXIT_SUCCESS)
    assert p.stdout == 'already pending\n', p.stdout
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_cancel_nothing_pending():
    s = System(efi=True)
    s.start_daemon(CONFIG)
    expect(ctl(s, 'cancel'), EXIT_NOT_PENDING, stderr='Nothing to cancel: No factory reset is pending.')
    assert s.stop() == 0


def test_cancel_pending_clears_it():
    s = System(efi=True)
    s.request_pending()
    s.start_daemon(CONFIG)
    p = ctl(s, 'cancel')
    expect(p, EXIT_SUCCESS)
    assert p.stdout == 'cancelled\n', p.stdout
    # Through the cancel unit, whose ExecStart= the systemd1 stand-in ran.
    assert s.exec_results() == [(CANCEL_UNIT, 0)], s.exec_results()
    assert not s.is_pending()
    expect(ctl(s, 'cancel'), EXIT_NOT_PENDING)
    assert s.stop() == 0


def test_cancel_as_nobody_needs_authentication():
    s = System(efi=True)
    s.request_pending()
    s.start_daemon(CONFIG)
    p = ctl(s, 'cancel', '--no-ask-password', uid=NOBODY)
    # cancel is auth_admin_keep: polkit would ask, the call did not allow it.
    expect(p, EXIT_ACCESS_DENIED, stderr='Authentication is required to cancel')
    assert 'on a terminal without --no-ask-password' in p.stderr, p.stderr
    assert s.is_pending()
    assert s.stop() == 0


FAKE_AGENT = """#!/bin/bash
# Stands in for pkttyagent: records how it was started, reports itself
# registered by closing the notify fd, and records its termination with
# the state of hotkeyctl then (S: alive, waiting to reap it; the death
# signal would find it a zombie or gone).
echo "$@" > {log}
[ "$1" = --notify-fd ] && eval "exec $2>&-"
on_term() {{
    local state=gone
    read -r _ _ state _ < /proc/$PPID/stat
    echo "terminated parent=$state" >> {log}
    exit 0
}}
trap on_term TERM
while :; do sleep 0.05; done
"""


def run_on_tty(s, *args, env):
    """hotkeyctl with a terminal as stdin (the agent is only started then)."""
    master, slave = pty.openpty()
    try:
        return ctl(s, *args, env=env, stdin=slave)
    finally:
        os.close(slave)
        os.close(master)


def test_polkit_agent_on_a_terminal():
    s = System(efi=True)
    s.start_daemon(CONFIG)
    log = os.path.join(s.tmp, 'agent.log')
    agent = os.path.join(s.tmp, 'fake-pkttyagent')
    with open(agent, 'w') as f:
        f.write(FAKE_AGENT.format(log=log))
    os.chmod(agent, stat.S_IRWXU)
    env = dict(s.env, HOTKEYCTL_POLKIT_AGENT=agent)

    p = run_on_tty(s, 'request', env=env)
    expect(p, EXIT_SUCCESS, 'started')
    with open(log) as f:
        lines = f.read().splitlines()
    assert re.fullmatch(r'--notify-fd \d+ --fallback', lines[0]), lines
    # hotkeyctl terminated and reaped the agent itself.
    assert lines[1:] == ['terminated parent=S'], lines

    # Not on a terminal, and on one with --no-ask-password: no agent.
    os.unlink(log)
    s.request_pending()
    expect(ctl(s, 'cancel', env=env), EXIT_SUCCESS)
    s.request_pending()
    expect(run_on_tty(s, 'cancel', '--no-ask-password', env=env), EXIT_SUCCESS)
    assert not os.path.exists(log)
    assert s.stop() == 0


# --- without the daemon ------------------------------------------------------

def test_verify_config_good():
    path = os.path.join(os.environ.get('TMPDIR', '/tmp'), f'hotkeyctl-good-{os.getpid()}.conf')
    with open(path, 'w') as f:
        f.write(CONFIG)
    try:
        p = ctl(None, 'verify-config', '--config', path)
        expect(p, EXIT_SUCCESS)
        assert p.stderr == '', p.stderr
    finally:
        os.unlink(path)
    expect(ctl(None, 'verify-config', f'--config={os.path.join(SRC, "data", "hotkeyd.conf")}'), EXIT_SUCCESS)


def test_verify_config_bad():
    path = os.path.join(os.environ.get('TMPDIR', '/tmp'), f'hotkeyctl-bad-{os.getpid()}.conf')
    with open(path, 'w') as f:
        f.write('[Daemon]\nMode=desktop\nArmedTimeoutSec=soon\n')
    try:
        p = ctl(None, 'verify-config', '--config', path)
        expect(p, EXIT_USAGE, stderr=f'{path}:3: ')
    finally:
        os.unlink(path)
    expect(ctl(None, 'verify-config', '--config', path), EXIT_USAGE, stderr=f'{path}: Cannot open')


def test_help_and_version():
    p = ctl(None, '--help')
    expect(p, EXIT_SUCCESS, 'verify-config')
    for code in range(7):
        assert re.search(rf'^  {code}  \S', p.stdout, re.M), p.stdout
    expect(ctl(None, '--version'), EXIT_SUCCESS, 'hotkeyctl ')


def test_usage_errors():
    expect(ctl(None, 'frobnicate'), EXIT_USAGE, stderr="Unknown command 'frobnicate'")
    expect(ctl(None, 'status', 'extra'), EXIT_USAGE, stderr="'status' takes no arguments")
    expect(ctl(None, 'request', '--json'), EXIT_USAGE, stderr="'request' has no JSON output")
    expect(ctl(None, 'status', '--config=/dev/null'), EXIT_USAGE, stderr='verify-config only')
    expect(ctl(None, '--no-such-option'), EXIT_USAGE)


def test_bash_completion():
    subprocess.run(['bash', '-n', COMPLETION], check=True)

    def complete(*words):
        script = (f'source {COMPLETION}\n'
                  f'COMP_WORDS=(hotkeyctl {" ".join(words)}); COMP_CWORD={len(words)}\n'
                  'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n'
                  '_hotkeyctl; printf "%s\\n" "${COMPREPLY[@]}"\n')
        p = subprocess.run(['bash', '-c', script], capture_output=True, text=True, env=clean_env())
        assert p.returncode == 0, p.stderr
        return sorted(p.stdout.split())

    assert complete('') == sorted(['status', 'devices', 'monitor', 'request', 'cancel', 'verify-config',
                                   '-h', '--help', '--version', '--no-ask-password']), complete('')
    assert complete('re') == ['request'], complete('re')
    assert complete('status', '--') == ['--help', '--json', '--no-ask-password', '--version'], complete('status', '--')
    assert '--config=' in complete('verify-config', '--c'), complete('verify-config', '--c')


if __name__ == '__main__':
    run_tests(globals())
