#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The request path: hotkeyd on a private system bus with real polkitd, the
real io.systemd.FactoryReset service and mocked systemd1/login1 (see
system_testbed.py).  Each test_* is its own meson test."""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

import dbus

from hotkeyd_testbed import SND_BELL, SND_TONE, run_tests
from system_testbed import BUS_NAME, CANCEL_UNIT, NOBODY, Dirs, System, VarlinkProxy, clean_env, sh

NOT_SUPPORTED = 'org.freedesktop.DBus.Error.NotSupported'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
NOTHING_TO_ERASE = ('No partition is marked to be erased (FactoryReset=yes) and nothing else is configured to '
                    'reset; a reset would only reboot.')


def expect_error(name, func, *args):
    try:
        func(*args)
    except dbus.exceptions.DBusException as e:
        assert e.get_dbus_name() == name, f'{e.get_dbus_name()}: {e.get_dbus_message()}'
        return e.get_dbus_message()
    raise AssertionError(f'expected {name}')


def test_unsupported_not_efi():
    s = System(efi=False)
    s.start_daemon()
    assert s.prop('Supported') == False
    reason = s.prop('UnsupportedReason')
    assert 'UEFI' in reason, reason
    message = expect_error(NOT_SUPPORTED, s.hotkeyd.Request, dbus.UInt64(0))
    assert 'UEFI' in message, message
    assert s.start_unit_calls() == [], s.start_unit_calls()
    s.wait_log('refused: This machine cannot request a factory reset')
    assert s.stop() == 0


def test_unsupported_target_missing():
    s = System(efi=True, target_installed=False)
    s.start_daemon()
    assert s.prop('Supported') == False
    message = expect_error(NOT_SUPPORTED, s.hotkeyd.Request, dbus.UInt64(0))
    assert 'factory-reset.target' in message, message
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_supported_root_request_starts_target_once():
    s = System(efi=True)
    s.start_daemon()
    assert s.prop('Supported') == True
    assert s.prop('UnsupportedReason') == ''
    assert s.prop('Mode') == 'unspecified', s.prop('Mode')
    assert s.hotkeyd.Request(dbus.UInt64(0), timeout=30) == 'started'
    calls = s.start_unit_calls()
    assert len(calls) == 1, calls
    assert [str(a) for a in calls[0][1]] == ['factory-reset.target', 'replace'], calls
    s.wait_log('Started factory-reset.target for uid 0')
    # The system did not go down (SystemState stays "running"): the state
    # after the start is asked for and announced.
    started = next(i for i, line in enumerate(s.log) if 'Started factory-reset.target' in line)
    deadline = time.monotonic() + 10
    while not any(ASKING in line for line in s.log[started:]):
        assert time.monotonic() < deadline, s.log
        s.settle(0.1)
    assert s.stop() == 0


def test_no_support_check_once_the_system_is_going_down():
    """A started factory-reset.target reboots; once shutdown.target is
    queued systemd refuses to start the Varlink service, so hotkeyd does
    not ask it again."""
    s = System(efi=True)
    s.systemd.RebootAfter('factory-reset.target')
    s.start_daemon()
    assert s.prop('Supported') == True
    assert s.hotkeyd.Request(dbus.UInt64(0), timeout=30) == 'started'
    s.wait_log('The system is going down, not checking factory reset support again.')
    pids = s.factory_reset_pids()
    s.settle(0.5)
    started = next(i for i, line in enumerate(s.log) if 'Started factory-reset.target' in line)
    assert not any(ASKING in line for line in s.log[started:]), s.log
    assert s.factory_reset_pids() == pids
    assert s.stop() == 0


def test_invalid_flags_start_nothing():
    s = System(efi=True)
    s.start_daemon()
    expect_error(INVALID_ARGS, s.hotkeyd.Request, dbus.UInt64(1 << 40))
    expect_error(INVALID_ARGS, s.hotkeyd.Cancel, dbus.UInt64(1))
    rc, out, err = s.call_as(0, 'Request', 's', 'yes')
    # Both parts of the check need the failed call: "and" binds tighter than "or".
    assert rc != 0 and ('InvalidArgs' in err or 'argument' in err.lower()), (rc, out, err)
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_unprivileged_user_is_denied():
    s = System(efi=True)
    s.start_daemon()
    rc, out, err = s.call_as(NOBODY, 'Request', 't', '0')
    assert rc != 0, (rc, out, err)
    # busctl prints strerror(EACCES) for AccessDenied; the message itself is
    # in the journal line below.
    assert 'Access denied' in err, err
    assert s.start_unit_calls() == []
    s.wait_log('Factory reset request from uid 65534')
    s.wait_log('refused: You are not allowed to request a factory reset')
    assert s.stop() == 0


def test_kiosk_maintenance_group_is_allowed_by_example_rule():
    s = System(efi=True, kiosk_rule=True)
    s.start_daemon()
    rc, out, err = s.call_as(NOBODY, 'Request', 't', '0', groups=[s.kiosk_gid])
    assert rc == 0, (rc, out, err)
    assert out == 's "started"', out
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


def test_pending_request_is_noop_and_cancel_clears():
    s = System(efi=True)
    s.request_pending()
    s.start_daemon()
    assert s.prop('Mode') == 'pending', s.prop('Mode')
    assert s.prop('Supported') == False
    assert 'pending' in s.prop('UnsupportedReason')
    assert s.hotkeyd.Request(dbus.UInt64(0)) == 'already-pending'
    assert s.start_unit_calls() == []

    s.hotkeyd.Cancel(dbus.UInt64(0), timeout=30)
    # The cancel is a unit of its own (its rights are not hotkeyd's): started
    # once, and its ExecStart= (systemd-factory-reset cancel, run by the
    # systemd1 stand-in) is what removed the EFI variable.
    calls = s.start_unit_calls()
    assert [[str(a) for a in c[1]] for c in calls] == [[CANCEL_UNIT, 'replace']], calls
    assert s.exec_results() == [(CANCEL_UNIT, 0)], s.exec_results()
    assert not s.is_pending()
    deadline = time.monotonic() + 5
    while s.prop('Mode') != 'unspecified':
        assert time.monotonic() < deadline, s.prop('Mode')
        time.sleep(0.05)
    assert s.prop('Supported') == True
    s.wait_log('Pending factory reset cancelled by uid 0')
    assert s.stop() == 0


def test_failed_cancel_unit_is_cancel_failed_and_keeps_request():
    s = System(efi=True)
    s.request_pending()
    # systemd-factory-reset cannot remove the variable from a read-only
    # efivars: the cancel unit's job fails.
    sh('mount', '--bind', '-o', 'ro', '/sys/firmware/efi/efivars', '/sys/firmware/efi/efivars')
    s.start_daemon()
    message = expect_error('io.hotkeyd.FactoryReset1.Error.CancelFailed', s.hotkeyd.Cancel, dbus.UInt64(0))
    assert f"the job for {CANCEL_UNIT} ended with 'failed'" in message, message
    calls = s.start_unit_calls()
    assert [[str(a) for a in c[1]] for c in calls] == [[CANCEL_UNIT, 'replace']], calls
    assert [u for u, code in s.exec_results() if code != 0] == [CANCEL_UNIT], s.exec_results()
    assert s.is_pending()
    assert s.prop('Mode') == 'pending', s.prop('Mode')
    s.wait_log('Cancelling the pending factory reset for uid 0')
    assert s.stop() == 0


def test_cancel_without_pending_reset_is_refused():
    s = System(efi=True)
    s.start_daemon()
    message = expect_error('io.hotkeyd.FactoryReset1.Error.NotPending', s.hotkeyd.Cancel, dbus.UInt64(0))
    assert 'No factory reset is pending' in message, message
    assert s.stop() == 0


def test_unprivileged_cancel_is_denied():
    s = System(efi=True)
    s.request_pending()
    s.start_daemon()
    rc, out, err = s.call_as(NOBODY, 'Cancel', 't', '0')
    assert rc != 0, (rc, out, err)
    assert s.is_pending()
    assert s.stop() == 0


def interface_members(xml_text):
    """{(kind, name): [(arg name, type, direction)]} of io.hotkeyd.FactoryReset1."""
    root = ET.fromstring(xml_text)
    iface = next(i for i in root.iter('interface') if i.get('name') == 'io.hotkeyd.FactoryReset1')
    members = {}
    for m in iface:
        if m.tag == 'property':
            members[('property', m.get('name'))] = [(m.get('type'), m.get('access'))]
        elif m.tag in ('method', 'signal'):
            members[(m.tag, m.get('name'))] = [(a.get('name'), a.get('type'), a.get('direction'))
                                               for a in m.iter('arg')]
    return members


def test_introspection_matches_data_xml():
    s = System(efi=True)
    s.start_daemon()
    live = s.bus.get_object('io.hotkeyd.FactoryReset1', '/io/hotkeyd/FactoryReset1').Introspect(
        dbus_interface='org.freedesktop.DBus.Introspectable')
    src = os.environ['HOTKEYD_SOURCE_ROOT']
    with open(os.path.join(src, 'data', 'io.hotkeyd.FactoryReset1.xml')) as f:
        documented = f.read()
    assert interface_members(live) == interface_members(documented), (interface_members(live),
                                                                       interface_members(documented))
    assert s.stop() == 0


def test_tpm_from_swtpm():
    s = System(efi=True)
    tcti = s.start_swtpm()
    s.start_daemon(tpm_tcti=tcti)
    tpm = s.prop('Tpm')
    assert tpm['Present'] == True and tpm['Error'] == '', tpm
    assert tpm['Manufacturer'] == 'IBM', tpm  # libtpms identifies as IBM
    assert tpm['DisableClear'] == False and tpm['InLockout'] == False, tpm
    assert tpm['FirmwareVersion'] != '', tpm
    # Read by a child process: the daemon itself never maps tpm2-tss or
    # the libcrypto under it (about 2 MiB of RSS when they were linked).
    with open(f'/proc/{s.daemon.pid}/maps') as f:
        maps = f.read()
    assert 'hotkeyd' in maps and 'libtss2' not in maps and 'libcrypto' not in maps, maps
    s.wait_log('TPM: IBM, firmware')
    assert s.stop() == 0


def test_tpm_read_failure_is_an_error_not_absence():
    s = System(efi=True)
    # Nothing listens there: a TPM was named, it cannot be reached.
    s.start_daemon(tpm_tcti='swtpm:host=127.0.0.1,port=9')
    tpm = s.prop('Tpm')
    assert tpm['Present'] == True and 'cannot talk to the TPM' in tpm['Error'], tpm
    assert s.stop() == 0


def test_tpm_read_again_when_a_tpm_appears():
    s = System(efi=True)
    # The daemon starts before its TPM answers (a driver loaded late).
    s.start_daemon(tpm_tcti=s.swtpm_tcti(), input_devices=True)
    assert 'cannot talk to the TPM' in s.prop('Tpm')['Error'], s.prop('Tpm')
    s.start_swtpm()
    pump = s.watch_changes()
    s.add_tpm_device()
    pump(['Tpm'])
    tpm = s.prop('Tpm')
    assert tpm['Present'] == True and tpm['Error'] == '' and tpm['Manufacturer'] == 'IBM', tpm
    s.wait_log('TPM: IBM, firmware')
    assert s.stop() == 0


def test_tpm_disable_clear_is_reported():
    s = System(efi=True)
    tcti = s.start_swtpm()
    subprocess.run(['tpm2_clearcontrol', '-T', tcti, '-C', 'l', 's'], env=s.env, check=True)
    s.start_daemon(tpm_tcti=tcti)
    tpm = s.prop('Tpm')
    assert tpm['Present'] == True and tpm['DisableClear'] == True, tpm
    assert s.stop() == 0


def test_no_tpm_is_present_false():
    s = System(efi=True)
    s.start_daemon()
    tpm = s.prop('Tpm')
    assert tpm['Present'] == False and tpm['Error'] == '', tpm
    assert s.stop() == 0


def test_devices_and_triggers_emit_changes():
    s = System(efi=True)
    s.start_daemon(KIOSK.format(timeout='5s'), input_devices=True)
    pump = s.watch_changes()

    button = s.add_device('Reset Button', ['KEY_RESTART'])
    s.plug(button)
    # Its keys come with it (whether they can be held).
    pump(['DeviceKeys', 'Devices'])
    assert [str(d[0]) for d in s.prop('Devices')] == [button.devnode], s.prop('Devices')

    s.write_config(KIOSK.format(timeout='5s').replace('Name=maintenance', 'Name=renamed'))
    s.daemon.send_signal(signal.SIGHUP)
    pump(['ConfirmTimeoutUSec', 'DaemonMode', 'Triggers'])
    assert [str(t[0]) for t in s.prop('Triggers')] == ['renamed'], s.prop('Triggers')
    assert s.stop() == 0


KIOSK = """
[Daemon]
Mode=kiosk
ArmedTimeoutSec={timeout}

[Trigger]
Name=maintenance
Keys=KEY_RESTART
HoldSec=1
"""


def kiosk_system(timeout):
    s = System(efi=True)
    s.start_daemon(KIOSK.format(timeout=timeout), input_devices=True)
    button = s.add_device('Reset Button', ['KEY_RESTART'])
    s.plug(button)
    speaker = s.add_device('PC Speaker', [], sounds=[SND_BELL, SND_TONE])
    speaker.plug()
    return s, button, speaker


def test_kiosk_two_holds_within_window_start_target():
    s, button, speaker = kiosk_system('5s')
    button.play([(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0),
                 (2.0, 'KEY_RESTART', 1), (3.3, 'KEY_RESTART', 0)])
    s.wait_log('Factory reset ARMED by maintenance on seat0')
    s.wait_log(f'Beeped on {speaker.devnode} (PC Speaker)')
    # Armed is not started: nothing happened before the second gesture.
    assert s.start_unit_calls() == []
    s.wait_log('Kiosk maintenance gesture confirmed')
    s.wait_log('Started factory-reset.target for kiosk trigger maintenance on seat0')
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


def test_kiosk_one_hold_then_timeout_starts_nothing():
    s, button, speaker = kiosk_system('1500ms')
    # The second hold completes at 4.0 s, 2.6 s after the first one: late.
    button.play([(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0),
                 (3.0, 'KEY_RESTART', 1), (4.3, 'KEY_RESTART', 0)])
    s.wait_log('Factory reset ARMED by maintenance')
    s.wait_log('factory reset disarmed', timeout=5)
    s.settle(3.0)
    armed = [line for line in s.log if 'Factory reset ARMED' in line]
    assert len(armed) == 2, s.log  # the late hold only arms again
    assert not any('gesture confirmed by' in line for line in s.log), s.log
    assert s.start_unit_calls() == []
    assert s.stop() == 0



# The shipped triggers with shorter holds: a chord hold of Power+VolDown
# completes both of them, 0.2 s apart.
KIOSK_SHIPPED = """
[Daemon]
Mode=kiosk
ArmedTimeoutSec=10s

[Trigger]
Name=power-key
Keys=KEY_POWER
HoldSec=1

[Trigger]
Name=power-volumedown
Keys=KEY_POWER KEY_VOLUMEDOWN
HoldSec=1
"""

CHORD_HOLD = [(0.1, 'KEY_VOLUMEDOWN', 1), (0.3, 'KEY_POWER', 1),
              (1.8, 'KEY_POWER', 0), (1.9, 'KEY_VOLUMEDOWN', 0)]


def kiosk_tablet(config):
    s = System(efi=True)
    s.start_daemon(config, input_devices=True)
    tablet = s.add_device('Tablet Buttons', ['KEY_POWER', 'KEY_VOLUMEDOWN'])
    s.plug(tablet)
    return s, tablet


def kiosk_entries(s, needle):
    return [line for line in s.log if needle in line]


def wait_entries(s, needle, n, timeout=10):
    """Waits until n journal lines contain needle (wait_log() finds the first)."""
    deadline = time.monotonic() + timeout
    while len(kiosk_entries(s, needle)) < n:
        assert time.monotonic() < deadline, f'fewer than {n} lines with {needle!r}: {s.log}'
        s.settle(0.05)


def test_kiosk_one_chord_completing_two_triggers_only_arms():
    s, tablet = kiosk_tablet(KIOSK_SHIPPED)
    tablet.play(CHORD_HOLD)
    s.wait_log(f'{tablet.devnode}: KEY_VOLUMEDOWN released')
    # Both triggers completed by the one gesture (the journal's Gesture
    # lines), yet it counts once: armed, never confirmed.
    s.wait_log('Gesture: trigger trigger=power-key ')
    s.wait_log('Gesture: trigger trigger=power-volumedown ')
    s.settle(1.0)
    assert len(kiosk_entries(s, 'Factory reset ARMED')) == 1, s.log
    assert not kiosk_entries(s, 'gesture confirmed'), s.log
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_kiosk_two_chord_holds_start_target_once():
    s, tablet = kiosk_tablet(KIOSK_SHIPPED)
    tablet.play(CHORD_HOLD + [(t + 2.5, k, v) for t, k, v in CHORD_HOLD])
    wait_entries(s, f'{tablet.devnode}: KEY_VOLUMEDOWN released', 2)
    s.wait_log('Started factory-reset.target for kiosk trigger')
    s.settle(1.0)
    assert len(kiosk_entries(s, 'Factory reset ARMED')) == 1, s.log
    assert len(kiosk_entries(s, 'gesture confirmed')) == 1, s.log
    assert len(s.start_unit_calls()) == 1, s.start_unit_calls()
    assert s.stop() == 0


# A multi-press trigger and a hold trigger on the same key: two presses and
# a third one held complete both, 1 s apart, in one gesture.
KIOSK_PRESSES_AND_HOLD = """
[Daemon]
Mode=kiosk
ArmedTimeoutSec=10s

[Trigger]
Name=power-presses
Keys=KEY_POWER
Presses=3
WithinSec=3s

[Trigger]
Name=power-key
Keys=KEY_POWER
HoldSec=1
"""


def test_kiosk_presses_ending_in_a_hold_only_arm():
    s, tablet = kiosk_tablet(KIOSK_PRESSES_AND_HOLD)
    tablet.play([(0.1, 'KEY_POWER', 1), (0.2, 'KEY_POWER', 0),
                 (0.4, 'KEY_POWER', 1), (0.5, 'KEY_POWER', 0),
                 (0.7, 'KEY_POWER', 1), (2.0, 'KEY_POWER', 0)])
    s.wait_log('Gesture: trigger trigger=power-presses ')
    s.wait_log('Gesture: trigger trigger=power-key ')
    s.wait_log(f'{tablet.devnode}: KEY_POWER released')
    s.settle(1.0)
    assert len(kiosk_entries(s, 'Factory reset ARMED')) == 1, s.log
    assert not kiosk_entries(s, 'gesture confirmed'), s.log
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_request_checks_support_again_after_authorization():
    """Authentication can take as long as a person needs (here a polkit rule
    that takes 3 s); a reset that became pending meanwhile is not requested
    a second time: support is asked again after polkit said yes."""
    s = System(efi=True)
    s.start_daemon()
    with open(os.path.join(s.tmp, 'polkit-rules', '60-test-slow.rules'), 'w') as f:
        f.write('polkit.addRule(function(action, subject) {\n'
                '    if (action.id == "io.hotkeyd.factory-reset.request" && subject.user == "nobody") {\n'
                '        polkit.spawn(["sleep", "3"]);\n'
                '        return polkit.Result.YES;\n'
                '    }\n'
                '});\n')
    time.sleep(1.5)  # polkitd reloads its rules when the directory changes
    result = {}
    caller = threading.Thread(target=lambda: result.update(r=s.call_as(NOBODY, 'Request', 't', '0')))
    caller.start()
    s.wait_log('Factory reset requested by uid 65534')
    time.sleep(1.0)  # the first check is answered; polkit is still busy
    s.request_pending()
    caller.join(30)
    rc, out, err = result['r']
    assert (rc, out) == (0, 's "already-pending"'), (rc, out, err)
    assert s.start_unit_calls() == []
    assert s.stop() == 0



def test_nothing_to_erase_request_refused():
    """No FactoryReset=yes partition, no TPM clear, no reset plug-in: a
    reset would only reboot, so it is not started."""
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    s.start_daemon(extra_env=d.env())
    assert s.prop('Supported') == False
    message = expect_error(NOT_SUPPORTED, s.hotkeyd.Request, dbus.UInt64(0))
    assert message == NOTHING_TO_ERASE, message
    rc, out, err = s.call_as(NOBODY, 'Request', 't', '0')
    assert rc != 0 and 'only reboot' in err, (rc, out, err)
    assert s.start_unit_calls() == []
    s.wait_log('Factory reset request from uid 0 (pid')
    s.wait_log('refused: ' + NOTHING_TO_ERASE)
    assert s.stop() == 0


def test_request_after_authorization_refused_when_nothing_is_left_to_erase():
    """What a reset erases is part of the check after polkit: definitions
    read again (reload) while polkit was busy that leave nothing to erase
    refuse the request."""
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    d.write('usr', '50-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')
    s.start_daemon(extra_env=d.env())
    assert s.prop('Supported') == True, s.prop('UnsupportedReason')
    with open(os.path.join(s.tmp, 'polkit-rules', '60-test-slow.rules'), 'w') as f:
        f.write('polkit.addRule(function(action, subject) {\n'
                '    if (action.id == "io.hotkeyd.factory-reset.request" && subject.user == "nobody") {\n'
                '        polkit.spawn(["sleep", "3"]);\n'
                '        return polkit.Result.YES;\n'
                '    }\n'
                '});\n')
    time.sleep(1.5)  # polkitd reloads its rules when the directory changes
    result = {}
    caller = threading.Thread(target=lambda: result.update(r=s.call_as(NOBODY, 'Request', 't', '0')))
    caller.start()
    s.wait_log('Factory reset requested by uid 65534')
    time.sleep(1.0)  # the first check is answered; polkit is still busy
    d.write('etc', '50-var.conf', '[Partition]\nType=var\nFactoryReset=no\n')
    s.daemon.send_signal(signal.SIGHUP)
    s.wait_log('A factory reset erases 0 partition(s)')
    caller.join(30)
    rc, out, err = result['r']
    assert rc != 0 and 'only reboot' in err, (rc, out, err)
    assert s.start_unit_calls() == []
    s.wait_log('refused: ' + NOTHING_TO_ERASE)
    assert s.stop() == 0



ASKING = 'Asking systemd whether a factory reset can be requested.'


def test_support_check_is_one_connection():
    """Both questions of a check (CanRequestFactoryReset,
    GetFactoryResetMode) go over one Varlink connection: systemd starts one
    systemd-factory-reset process per connection."""
    s = System(efi=True)
    s.start_daemon()
    for _ in range(2):
        # A support check, then polkit says no (no agent for nobody).
        rc, out, err = s.call_as(NOBODY, 'Request', 't', '0')
        assert rc != 0 and 'Access denied' in err, (rc, out, err)
    s.settle(0.5)
    checks = sum(ASKING in line for line in s.log)
    pids = s.factory_reset_pids()
    assert checks >= 3, s.log
    assert len(pids) == checks, f'{len(pids)} systemd-factory-reset processes for {checks} support checks'
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_service_dying_between_the_two_calls_is_no():
    """systemd-factory-reset killed after its first answer: the check is a
    clear "no" (the service did not answer), never the "yes" of before."""
    s = System(efi=True)
    relay = VarlinkProxy(s)
    s.start_daemon(extra_env={'HOTKEYD_FACTORY_RESET_SOCKET': relay.path})
    assert s.prop('Supported') == True, s.prop('UnsupportedReason')
    relay.mode = 'die'
    message = expect_error(NOT_SUPPORTED, s.hotkeyd.Request, dbus.UInt64(0))
    assert message == "systemd's factory-reset service did not answer; see the journal.", message
    assert relay.killed, 'the relay never killed a service process'
    s.wait_log('Support check: io.systemd.FactoryReset failed: Connection reset by peer')
    assert s.start_unit_calls() == []
    assert s.prop('Supported') == False
    assert not s.is_pending()
    assert s.stop() == 0


def test_service_hanging_after_the_first_answer_is_no_within_the_timeout():
    """systemd-factory-reset answers the first question and never the second:
    "no" within the check's 5 s, nothing started."""
    s = System(efi=True)
    relay = VarlinkProxy(s)
    s.start_daemon(extra_env={'HOTKEYD_FACTORY_RESET_SOCKET': relay.path})
    assert s.prop('Supported') == True, s.prop('UnsupportedReason')
    relay.mode = 'hang'
    start = time.monotonic()
    message = expect_error(NOT_SUPPORTED, s.hotkeyd.Request, dbus.UInt64(0))
    elapsed = time.monotonic() - start
    assert message == "systemd's factory-reset service did not answer; see the journal.", message
    assert 4.5 < elapsed < 6.5, elapsed
    s.wait_log('Support check: io.systemd.FactoryReset failed: Connection timed out')
    assert s.start_unit_calls() == []
    assert s.prop('Supported') == False
    assert s.stop() == 0


def test_service_that_did_not_answer_is_asked_again():
    """systemd-factory-reset slower than a check waits (seen at a loaded
    boot): hotkeyd asks again 10 s later with nobody waiting, and Supported
    comes true without a request; an answer ends the retries."""
    s = System(efi=True)
    relay = VarlinkProxy(s, mode='hang')
    s.start_daemon(extra_env={'HOTKEYD_FACTORY_RESET_SOCKET': relay.path})
    s.wait_log('Support check: io.systemd.FactoryReset failed: Connection timed out', timeout=10)
    assert s.prop('Supported') == False
    s.wait_log('asking again in 10s (1 of 3)')
    relay.mode = 'pass'
    deadline = time.monotonic() + 15
    while s.prop('Supported') != True:
        assert time.monotonic() < deadline, s.log
        time.sleep(0.2)
    assert s.start_unit_calls() == []
    time.sleep(11)
    assert not any('(2 of 3)' in line for line in s.log), s.log
    assert s.stop() == 0


def test_second_daemon_fails_on_the_taken_bus_name():
    """A second hotkeyd on the same bus cannot own the name: it says so once
    and exits with failure (the first one keeps working); no second,
    misleading "Failed to run the event loop"."""
    s = System(efi=True)
    s.start_daemon()
    env = clean_env()
    env['DBUS_SYSTEM_BUS_ADDRESS'] = s.address
    env['HOTKEYD_FACTORY_RESET_SOCKET'] = s.varlink
    env['STATE_DIRECTORY'] = os.path.join(s.tmp, 'state')
    second = subprocess.run([os.environ.get('HOTKEYD', 'hotkeyd'), '--config', s.write_config('[Daemon]\nMode=desktop\n')],
                            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert second.returncode == 1, second
    assert 'Failed to own io.hotkeyd.FactoryReset1: File exists' in second.stderr, second.stderr
    assert 'event loop' not in second.stderr, second.stderr
    assert s.prop('Supported') == True
    assert s.stop() == 0


# bus-connect: connecting and sending RequestName; bus-name: waiting in the
# loop for its reply, after the rest of the start (the round trips overlap it).
# The input devices are opened from the loop after READY=1: the step after
# "ready".
STARTUP_STEPS = ['arguments', 'configuration', 'event-loop', 'bus-connect', 'logind', 'support-check',
                 'watchdog', 'bus-name', 'ready', 'input']


def test_timing_breaks_the_start_up_down():
    """hotkeyd --timing prints each start-up step on stderr once the input
    devices are open; at debug level each is a log entry too.  The steps up
    to "ready" add up to the time from main() to READY=1, all of them to
    the devices open."""
    s = System(efi=True)
    # When READY=1 arrives the bus name is already ours: a client started by
    # bus activation (BusName=, Type=notify-reload) must never miss it.
    notify_path = os.path.join(s.tmp, 'notify')
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(20)
    owner_at_ready = []
    statuses = []

    def watch_ready():
        try:
            bus = dbus.bus.BusConnection(s.address)
            while True:
                fields = notify.recv(4096).decode().split('\n')
                if 'READY=1' in fields:
                    owner_at_ready.append(bus.name_has_owner(BUS_NAME))
                statuses.extend(f for f in fields if f.startswith('STATUS='))
                if any(f.startswith('STATUS=Watching') for f in fields):
                    return
        except Exception as e:  # shown by the assertion below
            owner_at_ready.append(repr(e))

    watcher = threading.Thread(target=watch_ready, daemon=True)
    watcher.start()
    s.start_daemon(extra_args=('--log-level=debug', '--timing'), extra_env={'NOTIFY_SOCKET': notify_path})
    watcher.join(20)
    assert owner_at_ready == [True], owner_at_ready
    # systemctl status says what it is doing until the devices are open.
    assert statuses == ['STATUS=Opening the input devices.',
                        'STATUS=Watching 0 device(s) for 0 trigger(s), mode desktop.'], statuses
    s.wait_log('Start-up, CLOCK_MONOTONIC from main()')
    s.settle(0.3)
    printed = {}
    for line in s.log:
        m = re.fullmatch(r'  (\S+) +(\d+\.\d{3}) ms +(\d+\.\d{3}) ms', line)
        if m:
            printed[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    assert list(printed) == STARTUP_STEPS, s.log
    assert abs(sum(took for step, (took, _) in printed.items() if step != 'input') - printed['ready'][1]) < 0.02, \
        printed
    assert abs(sum(took for took, _ in printed.values()) - printed['input'][1]) < 0.02, printed
    logged = [re.fullmatch(r'Start-up step (\S+) took (\d+) us \((\d+) us after main\(\)\)\.', line)
              for line in s.log]
    logged = [(m.group(1), int(m.group(3))) for m in logged if m]
    assert [step for step, _ in logged] == STARTUP_STEPS, s.log
    assert logged[-1][1] == round(printed['input'][1] * 1000), (logged, printed)
    # READY=1 went out (the bus name owned) before the input devices were
    # opened, and the breakdown was printed once they were.
    ready = next(i for i, line in enumerate(s.log) if line.startswith('Sent READY=1'))
    watching = next(i for i, line in enumerate(s.log) if line.startswith('Ready, watching'))
    header = next(i for i, line in enumerate(s.log) if line.startswith('Start-up, CLOCK_MONOTONIC'))
    assert ready < watching < header, s.log
    # The TPM (a udev monitor and a forked reader, for the dialog only) is
    # read from the loop, after READY=1.
    s.wait_log('Reading the TPM in a child process')
    tpm = next(i for i, line in enumerate(s.log) if line.startswith('Reading the TPM in a child process'))
    assert ready < tpm, s.log
    assert s.stop() == 0

if __name__ == '__main__':
    run_tests(globals())
