#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A minimal session agent for the tests: the io.hotkeyd.FactoryReset1.Agent
side of the protocol, driven line by line.

stdin:  register | unregister | confirm ID | decline ID | extend ID | quit
stdout: ready PID | registered | request ID TRIGGER SEAT DEADLINE DEVICE |
        cancel ID REASON | <verb>-ok ID [RESULT] | <verb>-error ID NAME MESSAGE |
        register-error NAME MESSAGE

--auto confirm|decline answers every request as soon as it arrives, the
way a person pressing a button would, only faster.

--handoff connects to the bus, then forks: the first process exits and its
child goes on with the connection, as a caller would that hands its socket
on so that its pid can be reused.  "ready PID" names the pid the bus knows
(the one gone); "handed-off PID" the child's."""

import argparse
import os
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

BUS_NAME = 'io.hotkeyd.FactoryReset1'
BUS_PATH = '/io/hotkeyd/FactoryReset1'
AGENT_IFACE = 'io.hotkeyd.FactoryReset1.Agent'
AGENT_PATH = '/io/hotkeyd/test/Agent'


def say(*words):
    print(*words, flush=True)


class Agent(dbus.service.Object):
    def __init__(self, bus, auto):
        super().__init__(bus, AGENT_PATH)
        self.auto = auto
        # Follows the name, so that it talks to a restarted daemon too.
        self.daemon = dbus.Interface(bus.get_object(BUS_NAME, BUS_PATH, follow_name_owner_changes=True), BUS_NAME)

    @dbus.service.method(AGENT_IFACE, in_signature='ussst', out_signature='')
    def RequestConfirmation(self, request_id, trigger, seat, device, deadline):
        # The device last: it is the kernel's name of a device, with spaces.
        say('request', int(request_id), trigger, seat, int(deadline), device or '-')
        if self.auto:
            GLib.idle_add(lambda: self.answer(self.auto, int(request_id)) and False)

    @dbus.service.method(AGENT_IFACE, in_signature='us', out_signature='')
    def CancelConfirmation(self, request_id, reason):
        say('cancel', int(request_id), reason)

    def answer(self, verb, request_id):
        method = {'confirm': 'Confirm', 'decline': 'Decline', 'extend': 'ExtendConfirmation'}[verb]

        def ok(*result):
            say(f'{verb}-ok', request_id, *[str(r) for r in result])

        def error(e):
            say(f'{verb}-error', request_id, e.get_dbus_name(), e.get_dbus_message())

        getattr(self.daemon, method)(dbus.UInt32(request_id), reply_handler=ok, error_handler=error,
                                     timeout=60)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--auto', choices=('confirm', 'decline'))
    parser.add_argument('--handoff', action='store_true')
    args = parser.parse_args()

    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])
    bus_pid = os.getpid()
    if args.handoff:
        if os.fork() != 0:
            os._exit(0)
        # Wait until the process the bus knows is gone.
        while os.getppid() == bus_pid:
            time.sleep(0.01)
        say('handed-off', os.getpid())
    agent = Agent(bus, args.auto)
    loop = GLib.MainLoop()

    def on_line(channel, condition):
        line = channel.readline()
        if not line or line.strip() == 'quit':
            loop.quit()
            return False
        verb, *rest = line.split()
        if verb in ('register', 'unregister'):
            method = 'RegisterAgent' if verb == 'register' else 'UnregisterAgent'
            getattr(agent.daemon, method)(
                dbus.ObjectPath(AGENT_PATH),
                reply_handler=lambda: say(f'{verb}ed'),
                error_handler=lambda e: say(f'{verb}-error', e.get_dbus_name(), e.get_dbus_message()))
        else:
            agent.answer(verb, int(rest[0]))
        return True

    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.IO_IN | GLib.IO_HUP, on_line)
    say('ready', bus_pid)
    loop.run()


if __name__ == '__main__':
    main()
