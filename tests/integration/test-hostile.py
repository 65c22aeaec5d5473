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
from system_testbed import NOBODY, System

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hostile_client.py')

# What each call of hostile_client.py must get from an unprivileged caller.
EXPECTED = {
    'Request': {'org.freedesktop.DBus.Error.AccessDenied', 'org.freedesktop.DBus.Error.InvalidArgs'},
    'Cancel': {'io.hotkeyd.FactoryReset1.Error.NotPending', 'org.freedesktop.DBus.Error.InvalidArgs'},
    'Confirm': {'io.hotkeyd.FactoryReset1.Error.NoSuchRequest', 'org.freedesktop.DBus.Error.InvalidArgs'},
    'Decline': {'io.hotkeyd.FactoryReset1.Error.NoSuchRequest'},
    'ExtendConfirmation': {'io.hotkeyd.FactoryReset1.Error.NoSuchRequest'},
    'RegisterAgent': {'io.hotkeyd.FactoryReset1.Error.NoSession', 'org.freedesktop.DBus.Error.InvalidArgs'},
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


if __name__ == '__main__':
    run_tests(globals())
