#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile and careless callers: hotkeyd on the private system bus (see
system_testbed.py) refuses them with the right errors, starts nothing,
and keeps answering everybody else.  Each test_* is its own meson test."""

import os
import subprocess
import threading
import time

import dbus

from hotkeyd_testbed import run_tests
from system_testbed import DESKTOP, NOBODY, System

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hostile_client.py')

# What each call of hostile_client.py must get from an unprivileged caller.
EXPECTED = {
    'Request': {'org.freedesktop.DBus.Error.AccessDenied', 'org.freedesktop.DBus.Error.InvalidArgs',
                'org.freedesktop.DBus.Error.LimitsExceeded'},
    'Cancel': {'io.hotkeyd.FactoryReset1.Error.NotPending', 'org.freedesktop.DBus.Error.InvalidArgs',
               'org.freedesktop.DBus.Error.LimitsExceeded'},
    'Confirm': {'io.hotkeyd.FactoryReset1.Error.NoSuchRequest', 'org.freedesktop.DBus.Error.InvalidArgs'},
    'Decline': {'io.hotkeyd.FactoryReset1.Error.NoSuchRequest'},
    'ExtendConfirmation': {'io.hotkeyd.FactoryReset1.Error.NoSuchRequest'},
    'RegisterAgent': {'io.hotkeyd.FactoryReset1.Error.NoSession', 'org.freedesktop.DBus.Error.InvalidArgs',
                      'org.freedesktop.DBus.Error.LimitsExceeded'},
    'UnregisterAgent': {'io.hotkeyd.FactoryReset1.Error.NoSuchAgent'},
    'NoSuchMethod': {'org.freedesktop.DBus.Error.UnknownMethod'},
}


def test_flood_of_unprivileged_calls_is_refused_and_daemon_stays_responsive():
    s = System(efi=True)
    s.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o',
                       'raise dbus.exceptions.DBusException("no session", '
                       'name="org.freedesktop.login1.NoSessionForPID")')
    s.start_daemon(extra_args=())
    latencies = []
    stop = threading.Event()

    def probe():
        bus = dbus.bus.BusConnection(s.address)
        props = dbus.Interface(bus.get_object('io.hotkeyd.FactoryReset1', '/io/hotkeyd/FactoryReset1'),
                               'org.freedesktop.DBus.Properties')
        while not stop.is_set():
            start = time.monotonic()
            props.Get('io.hotkeyd.FactoryReset1', 'Supported', timeout=5)
            latencies.append(time.monotonic() - start)
            time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    started = time.monotonic()
    out = subprocess.run(['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups',
                          'python3', CLIENT, '1000'], env=s.env, capture_output=True, text=True, timeout=150)
    flood_seconds = time.monotonic() - started
    stop.set()
    prober.join()
    assert out.returncode == 0, out.stderr

    answered = 0
    for line in out.stdout.splitlines():
        count, method, outcome = line.split()
        answered += int(count)
        assert outcome in EXPECTED[method], line
    assert answered == 1000, out.stdout
    assert s.start_unit_calls() == []
    worst = max(latencies)
    print(f'1000 calls answered in {flood_seconds:.1f}s; status calls: {len(latencies)}, '
          f'worst {worst * 1000:.0f} ms', flush=True)
    assert worst < 0.1, sorted(latencies)[-5:]
    # Still itself afterwards.
    assert s.prop('Supported') == True
    assert s.stop() == 0


def test_bus_policy_keeps_the_name_and_agent_calls_to_root():
    s = System(efi=True)
    s.start_daemon()
    # Another user cannot own the daemon's name ...
    owner = subprocess.run(['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups',
                            'python3', '-c',
                            'import dbus, os, sys\n'
                            'b = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])\n'
                            'try:\n'
                            '    b.request_name("io.hotkeyd.FactoryReset1", dbus.bus.NAME_FLAG_DO_NOT_QUEUE)\n'
                            'except dbus.exceptions.DBusException as e:\n'
                            '    print(e.get_dbus_name()); sys.exit(0)\n'
                            'sys.exit("owned it")\n'],
                           env=s.env, capture_output=True, text=True, timeout=30)
    assert owner.returncode == 0 and 'AccessDenied' in owner.stdout, (owner.stdout, owner.stderr)
    # ... nor call the methods only the daemon may call on session agents
    # (here aimed at the bus driver's own connection name, which answers
    # nothing: the policy refuses before delivery).
    root_agent = s.bus.get_unique_name()
    rc, out, err = s.call_as(NOBODY, 'Request', 't', '0')
    cmd = ['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups',
           'busctl', '--system', 'call', root_agent, '/io/hotkeyd/test/Agent', 'io.hotkeyd.FactoryReset1.Agent',
           'RequestConfirmation', 'ussst', '1', 'x', 'seat0', '', '0']
    p = subprocess.run(cmd, env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and ('Access denied' in p.stderr or 'AccessDenied' in p.stderr), (p.stdout, p.stderr)
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def load(name):
    """A sibling test file as a module (their names have dashes)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name.replace('-', '_'), os.path.join(os.path.dirname(
        os.path.abspath(__file__)), f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flood_of_requests_leaves_gestures_and_short_presses_working():
    """Four connections of an unprivileged user keep 256 Request() calls
    in flight.  Uncapped, each held a polkit check open in hotkeyd, and past
    dbus-daemon's 128 pending replies per connection every call hotkeyd
    made failed: the agent could not be asked, nothing could be started,
    logind not called.  With the caps, a hold + Confirm and a short press
    of the power key work while the flood goes on."""
    logind_tests = load('test-logind')
    agent_tests = load('test-agent')

    class Desk(logind_tests.LogindSystem):
        pass

    s = Desk()
    s.map_sessions_by_leader()
    # Not --log-level=debug: a line for each refused call would be most of
    # what the test reads.
    s.start_daemon(DESKTOP.format(timeout='60s') + """
[Trigger]
Name=power
Keys=KEY_POWER
HoldSec=3
""", input_devices=True, extra_args=())
    s.logind.AddMethod(logind_tests.MANAGER, 'SetPid', '', '', f'self.hk_pid = {s.daemon.pid}')
    dbus.Interface(s.bus.get_object('org.freedesktop.login1', '/org/freedesktop/login1'),
                   logind_tests.MANAGER).SetPid()
    button = s.add_device('Power Button', ['KEY_POWER', 'KEY_RESTART'])
    s.plug(button)
    s.wait_held('handle-power-key')
    agent = agent_tests.AgentProcess(s, auto='confirm')
    s.session('c1', 'seat0', 0, agent.pid)
    agent.send('register')
    agent.expect('registered')

    flooders = [s._spawn(['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups',
                          'python3', CLIENT, '100000', 'Request'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL) for _ in range(4)]
    s.settle(3)  # the flood is on
    assert all(f.poll() is None for f in flooders)
    button.play([(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0),
                 (2.5, 'KEY_POWER', 1), (2.8, 'KEY_POWER', 0)])
    # The daemon's log is read all along: a full pipe would stop it.
    said = []
    deadline = time.monotonic() + 20
    while not any(w[0] == 'confirm-ok' for w in said):
        assert time.monotonic() < deadline, f'no confirm-ok; agent said {said}'
        s.settle(0.05)
        while not agent.lines.empty():
            said.append(agent.lines.get())
    assert [w for w in said if w[0] == 'confirm-ok'][0][2] == 'started', said
    deadline = time.monotonic() + 20
    while not any(m.startswith('PowerOff') for m in s.action_calls()):
        assert time.monotonic() < deadline, 'no short press'
        s.settle(0.05)
    assert all(f.poll() is None for f in flooders), 'the flood ended too early to show anything'
    for f in flooders:
        f.kill()
    assert len(s.start_unit_calls()) == 1, s.start_unit_calls()
    assert s.stop() == 0


if __name__ == '__main__':
    run_tests(globals())
