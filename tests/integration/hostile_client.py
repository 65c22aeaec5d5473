#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Floods hotkeyd with calls an unprivileged user may send, valid and
malformed, 64 in flight at a time (dbus-daemon refuses more than 128
pending calls per connection with LimitsExceeded before hotkeyd sees
them), and prints one line per distinct answer: "COUNT METHOD ERROR-NAME"
(or "COUNT METHOD ok").

hostile_client.py N [METHOD]: N calls; with METHOD only the well-formed
calls of that method (Request: Request(t 0), each holding a polkit check
in hotkeyd while it lasts)."""

import collections
import os
import sys

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

BUS_NAME = 'io.hotkeyd.FactoryReset1'
BUS_PATH = '/io/hotkeyd/FactoryReset1'
IN_FLIGHT = 64

# (method, signature, arguments): what a careless or hostile client sends.
CALLS = [
    ('Request', 't', [dbus.UInt64(0)]),
    ('Request', 't', [dbus.UInt64(1 << 63)]),
    ('Request', 's', ['now']),
    ('Request', '', []),
    ('Cancel', 't', [dbus.UInt64(0)]),
    ('Cancel', 'tt', [dbus.UInt64(0), dbus.UInt64(0)]),
    ('Confirm', 'u', [dbus.UInt32(1)]),
    ('Confirm', 'u', [dbus.UInt32(0xffffffff)]),
    ('Confirm', 's', ['1']),
    ('Decline', 'u', [dbus.UInt32(7)]),
    ('ExtendConfirmation', 'u', [dbus.UInt32(3)]),
    ('RegisterAgent', 'o', [dbus.ObjectPath('/x')]),
    ('RegisterAgent', 's', ['x' * 4096]),
    ('UnregisterAgent', 'o', [dbus.ObjectPath('/x')]),
    ('NoSuchMethod', '', []),
]


def main():
    total = int(sys.argv[1])
    calls = [c for c in CALLS if len(sys.argv) < 3 or (c[0] == sys.argv[2] and c[1] == 't')]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])
    answers = collections.Counter()
    state = {'sent': 0, 'answered': 0}
    loop = GLib.MainLoop()

    def send():
        i = state['sent']
        state['sent'] += 1
        method, signature, args = calls[i % len(calls)]
        bus.call_async(BUS_NAME, BUS_PATH, BUS_NAME, method, signature, args,
                       lambda *r: done(method, 'ok'),
                       lambda e: done(method, e.get_dbus_name()),
                       timeout=120)

    def done(method, outcome):
        answers[(method, outcome)] += 1
        state['answered'] += 1
        if state['sent'] < total:
            send()
        elif state['answered'] == total:
            loop.quit()

    for _ in range(min(IN_FLIGHT, total)):
        send()
    loop.run()
    for (method, outcome), count in sorted(answers.items()):
        print(count, method, outcome, flush=True)


if __name__ == '__main__':
    main()
