#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""logind coordination: hotkeyd on a private system bus (system_testbed.py)
with emulated keys.  org.freedesktop.login1 is python-dbusmock's logind
template; what it lacks for this is added here: Inhibit() returning a real
fd (one end of a pipe, so the test sees when hotkeyd lets go of it),
ListInhibitors() over those, the Handle*Key properties, Halt() and Sleep().
The mock cannot see who calls it, so the test tells it hotkeyd's pid after
the start, and adds another process's inhibitor through a helper.  Each
test_* is its own meson test.

hotkeyd runs as root, for which logind skips block inhibitors unless the
call asks it to check them (SD_LOGIND_ROOT_CHECK_INHIBITORS, flag 1 of the
*WithFlags methods); logind's own key handling honours them unless
*KeyIgnoreInhibited=yes.  The mock checks nothing itself: the tests look at
the flags hotkeyd passed and at whether it called at all."""

import signal
import time

import dbus

from hotkeyd_testbed import run_tests
from system_testbed import System

MANAGER = 'org.freedesktop.login1.Manager'
TEST_IFACE = 'io.hotkeyd.Test'

# Every logind method hotkeyd may call for a short press, the old ones
# (which as root skip every inhibitor) included.
WITH_FLAGS = ('PowerOffWithFlags', 'RebootWithFlags', 'HaltWithFlags', 'SuspendWithFlags', 'HibernateWithFlags',
              'HybridSleepWithFlags', 'SuspendThenHibernateWithFlags')
ACTIONS = ('PowerOff', 'Reboot', 'Halt', 'Suspend', 'Hibernate', 'HybridSleep', 'SuspendThenHibernate', 'Sleep',
           'LockSessions') + WITH_FLAGS
SD_LOGIND_ROOT_CHECK_INHIBITORS = 1

INHIBIT = '''
r, w = os.pipe()
os.set_blocking(r, False)
if not hasattr(self, "hk_inhibitors"):
    self.hk_inhibitors = []
self.hk_inhibitors.append({"what": args[0], "who": args[1], "why": args[2], "mode": args[3], "pid": None, "fd": r})
ret = dbus.types.UnixFd(w)
os.close(w)
'''

# pid None: taken through Inhibit(), i.e. by hotkeyd.
LIST_INHIBITORS = '''
ret = [(i["what"], i["who"], i["why"], i["mode"], dbus.UInt32(0),
        dbus.UInt32(self.hk_pid if i["pid"] is None else i["pid"]))
       for i in getattr(self, "hk_inhibitors", [])]
'''

ADD_INHIBITOR = '''
if not hasattr(self, "hk_inhibitors"):
    self.hk_inhibitors = []
self.hk_inhibitors.append({"what": args[0], "who": args[1], "why": "", "mode": "block", "pid": args[2], "fd": None})
'''

# (what, who, why, mode, pid): another process's lock of any mode.
ADD_LOCK = '''
if not hasattr(self, "hk_inhibitors"):
    self.hk_inhibitors = []
self.hk_inhibitors.append({"what": args[0], "who": args[1], "why": args[2], "mode": args[3], "pid": args[4],
                           "fd": None})
'''

# Whether hotkeyd still holds its inhibitor for args[0]: the write end of
# the pipe is closed once it lets go.
HELD = '''
ret = False
for i in getattr(self, "hk_inhibitors", []):
    if i["fd"] is not None and i["what"] == args[0]:
        try:
            ret = os.read(i["fd"], 1) != b""
        except BlockingIOError:
            ret = True
'''

HOLD_POWER = """
[Daemon]
Mode=desktop

[Trigger]
Name=power
Keys=KEY_POWER
HoldSec=3
"""


class LogindSystem(System):
    def __init__(self, handle_power_key='poweroff', power_key_ignore_inhibited=False):
        super().__init__(efi=True)
        self.logind.AddProperties(MANAGER, dbus.Dictionary({
            'HandlePowerKey': handle_power_key,
            'HandleRebootKey': 'reboot',
            'HandleSuspendKey': 'suspend',
            'HandleHibernateKey': 'hibernate',
            # logind.conf's defaults.
            'PowerKeyIgnoreInhibited': dbus.Boolean(power_key_ignore_inhibited),
            'RebootKeyIgnoreInhibited': dbus.Boolean(False),
            'SuspendKeyIgnoreInhibited': dbus.Boolean(False),
            'HibernateKeyIgnoreInhibited': dbus.Boolean(False),
        }, signature='sv'))
        self.logind.AddMethod(MANAGER, 'Inhibit', 'ssss', 'h', INHIBIT)
        self.logind.AddMethod(MANAGER, 'ListInhibitors', '', 'a(ssssuu)', LIST_INHIBITORS)
        self.logind.AddMethod(MANAGER, 'Halt', 'b', '', '')
        self.logind.AddMethod(MANAGER, 'Sleep', 't', '', '')
        for method in WITH_FLAGS:
            self.logind.AddMethod(MANAGER, method, 't', '', '')
        self.logind.AddMethod(TEST_IFACE, 'AddInhibitor', 'ssu', '', ADD_INHIBITOR)
        self.logind.AddMethod(TEST_IFACE, 'AddLock', 'ssssu', '', ADD_LOCK)
        self.logind.AddMethod(TEST_IFACE, 'Held', 's', 'b', HELD)
        self.test = dbus.Interface(self.bus.get_object('org.freedesktop.login1', '/org/freedesktop/login1'),
                                   TEST_IFACE)

    def start_with_button(self, config=HOLD_POWER, keys=('KEY_POWER',)):
        self.start_daemon(config, input_devices=True)
        self.logind.AddMethod(MANAGER, 'SetPid', '', '', f'self.hk_pid = {self.daemon.pid}')
        dbus.Interface(self.bus.get_object('org.freedesktop.login1', '/org/freedesktop/login1'),
                       MANAGER).SetPid()
        button = self.add_device('Power Button', list(keys))
        self.plug(button)
        return button

    def press_power_briefly(self):
        """Starts hotkeyd with HOLD_POWER and presses the power key for 0.3 s."""
        button = self.start_with_button()
        self.wait_held('handle-power-key')
        button.play([(0.1, 'KEY_POWER', 1), (0.4, 'KEY_POWER', 0)])

    def wait_held(self, what, timeout=5):
        self._wait_for(lambda: self.test.Held(what), f'the {what} inhibitor', timeout)

    def calls(self, method):
        return [[bool(a) if isinstance(a, dbus.Boolean) else int(a) for a in c[1]]
                for c in self.logind.GetMethodCalls(method)]

    def action_calls(self):
        return {m: self.calls(m) for m in ACTIONS if self.calls(m)}


def test_inhibitors_taken_at_start_and_released_on_reload():
    s = LogindSystem()
    s.start_with_button(HOLD_POWER + """
[Trigger]
Name=restart
Keys=KEY_RESTART KEY_VOLUMEDOWN
HoldSec=5
""")
    s.wait_held('handle-power-key')
    s.wait_held('handle-reboot-key')
    inhibits = sorted([str(a) for a in c[1]] for c in s.logind.GetMethodCalls('Inhibit'))
    assert [c[0] for c in inhibits] == ['handle-power-key', 'handle-reboot-key'], inhibits
    for what, who, why, mode in inhibits:
        assert who == 'hotkeyd' and mode == 'block' and why, inhibits

    s.write_config(HOLD_POWER)
    s.daemon.send_signal(signal.SIGHUP)
    s.wait_log("Released logind's handle-reboot-key inhibitor")
    s._wait_for(lambda: not s.test.Held('handle-reboot-key'), 'the release of handle-reboot-key')
    assert s.test.Held('handle-power-key')
    assert len(s.logind.GetMethodCalls('Inhibit')) == 2  # power was kept, not taken again
    assert s.stop() == 0


def test_short_press_powers_off_once():
    s = LogindSystem()
    s.press_power_briefly()
    s.wait_log("Short press of KEY_POWER on seat0: HandlePowerKey=poweroff, calling logind's PowerOffWithFlags()")
    s.settle(1.0)
    assert s.action_calls() == {'PowerOffWithFlags': [[SD_LOGIND_ROOT_CHECK_INHIBITORS]]}, s.action_calls()
    assert s.stop() == 0


def test_completed_hold_calls_nothing():
    s = LogindSystem()
    button = s.start_with_button()
    s.wait_held('handle-power-key')
    button.play([(0.1, 'KEY_POWER', 1), (3.6, 'KEY_POWER', 0)])
    s.wait_log('Gesture: trigger trigger=power', timeout=6)
    s.settle(1.0)
    assert s.action_calls() == {}, s.action_calls()
    assert s.logind.GetMethodCalls('ListInhibitors') == []
    assert not any('Short press' in line for line in s.log), s.log
    assert s.stop() == 0


def test_handle_power_key_ignore_calls_nothing():
    s = LogindSystem(handle_power_key='ignore')
    s.press_power_briefly()
    s.wait_log('Short press of KEY_POWER on seat0: HandlePowerKey=ignore, nothing to do.')
    s.settle(0.5)
    assert s.action_calls() == {}, s.action_calls()
    assert s.stop() == 0


def test_handle_power_key_suspend_suspends():
    s = LogindSystem(handle_power_key='suspend')
    s.press_power_briefly()
    s.wait_log("calling logind's SuspendWithFlags()")
    s.settle(0.5)
    assert s.action_calls() == {'SuspendWithFlags': [[SD_LOGIND_ROOT_CHECK_INHIBITORS]]}, s.action_calls()
    assert s.stop() == 0


def test_handle_power_key_factory_reset_is_never_done():
    s = LogindSystem(handle_power_key='factory-reset')
    s.press_power_briefly()
    s.wait_log("hotkeyd does not perform HandlePowerKey=factory-reset on logind's behalf")
    s.settle(0.5)
    assert s.action_calls() == {}, s.action_calls()
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_short_press_left_to_other_inhibitor_holder():
    s = LogindSystem()
    s.test.AddInhibitor('handle-power-key:handle-suspend-key', 'GNOME Shell', dbus.UInt32(4242))
    s.press_power_briefly()
    s.wait_log('Short press of KEY_POWER on seat0: left to GNOME Shell (pid 4242), '
               "which holds logind's handle-power-key inhibitor.")
    s.settle(0.5)
    assert s.action_calls() == {}, s.action_calls()
    assert len(s.logind.GetMethodCalls('ListInhibitors')) == 1
    # The setting does not matter then (the mock does not record Get()).
    assert not any('HandlePowerKey=' in line for line in s.log), s.log
    assert s.stop() == 0


def test_restart_key_reboots():
    s = LogindSystem()
    button = s.start_with_button(HOLD_POWER.replace('KEY_POWER', 'KEY_RESTART'), keys=('KEY_RESTART',))
    s.wait_held('handle-reboot-key')
    assert not s.test.Held('handle-power-key')
    button.play([(0.1, 'KEY_RESTART', 1), (0.3, 'KEY_RESTART', 0)])
    s.wait_log("HandleRebootKey=reboot, calling logind's RebootWithFlags()")
    s.settle(0.5)
    assert s.action_calls() == {'RebootWithFlags': [[SD_LOGIND_ROOT_CHECK_INHIBITORS]]}, s.action_calls()
    assert s.stop() == 0


# --- the action's own lock: "shutdown" or "sleep" ---------------------------

def test_shutdown_block_inhibitor_stops_power_off():
    s = LogindSystem()
    s.test.AddLock('shutdown', 'fwupd', 'Updating the firmware', 'block', dbus.UInt32(4343))
    s.press_power_briefly()
    s.wait_log('Short press of KEY_POWER on seat0')
    s.settle(1.0)
    assert s.action_calls() == {}, s.action_calls()
    s.wait_log("Short press of KEY_POWER on seat0: HandlePowerKey=poweroff not done: logind's shutdown lock is "
               "held by fwupd (pid 4343, uid 0): Updating the firmware.")
    assert s.stop() == 0


def test_sleep_block_inhibitor_stops_suspend():
    s = LogindSystem(handle_power_key='suspend')
    s.test.AddLock('sleep', 'Backup', 'Copying files', 'block', dbus.UInt32(4444))
    s.press_power_briefly()
    s.wait_log('Short press of KEY_POWER on seat0')
    s.settle(1.0)
    assert s.action_calls() == {}, s.action_calls()
    s.wait_log("HandlePowerKey=suspend not done: logind's sleep lock is held by Backup (pid 4444, uid 0): "
               "Copying files.")
    assert s.stop() == 0


def test_sleep_block_inhibitor_does_not_stop_power_off():
    s = LogindSystem()
    s.test.AddLock('sleep:idle', 'Backup', 'Copying files', 'block', dbus.UInt32(4444))
    s.press_power_briefly()
    s.wait_log("calling logind's PowerOffWithFlags()")
    s.settle(0.5)
    assert s.action_calls() == {'PowerOffWithFlags': [[SD_LOGIND_ROOT_CHECK_INHIBITORS]]}, s.action_calls()
    assert s.stop() == 0


def test_delay_inhibitor_does_not_stop_power_off():
    s = LogindSystem()
    s.test.AddLock('shutdown:sleep', 'NetworkManager', 'Cleaning up', 'delay', dbus.UInt32(4545))
    s.press_power_briefly()
    s.wait_log("calling logind's PowerOffWithFlags()")
    s.settle(0.5)
    assert s.action_calls() == {'PowerOffWithFlags': [[SD_LOGIND_ROOT_CHECK_INHIBITORS]]}, s.action_calls()
    assert s.stop() == 0


def test_power_key_ignore_inhibited_powers_off_despite_lock():
    s = LogindSystem(power_key_ignore_inhibited=True)
    s.test.AddLock('shutdown', 'fwupd', 'Updating the firmware', 'block', dbus.UInt32(4343))
    s.press_power_briefly()
    s.wait_log("HandlePowerKey=poweroff, calling logind's PowerOffWithFlags()")
    s.settle(0.5)
    # As logind's own key handling with PowerKeyIgnoreInhibited=yes: the
    # lock is not looked at, and not checked for root either.
    assert s.action_calls() == {'PowerOffWithFlags': [[0]]}, s.action_calls()
    assert s.stop() == 0


PRESSES = HOLD_POWER + """
[Trigger]
Name=presses
Keys=KEY_POWER
Presses=3
WithinSec=2
"""


def test_presses_trigger_defers_short_press_by_within_sec():
    s = LogindSystem()
    button = s.start_with_button(PRESSES)
    s.wait_held('handle-power-key')
    t0 = button.play([(0.1, 'KEY_POWER', 1), (0.4, 'KEY_POWER', 0)])
    # Released at t0 + 0.4: nothing before WithinSec has passed.
    s.settle(t0 + 0.4 + 1.8 - time.monotonic())
    assert s.action_calls() == {}, s.action_calls()
    s.wait_log("calling logind's PowerOffWithFlags()", timeout=2)
    late = time.monotonic() - (t0 + 0.4 + 2.0)
    assert late < 0.5, f'{late:.3f}s late'
    s.settle(0.5)
    assert s.action_calls() == {'PowerOffWithFlags': [[SD_LOGIND_ROOT_CHECK_INHIBITORS]]}, s.action_calls()
    assert s.stop() == 0


def test_three_quick_presses_call_nothing():
    s = LogindSystem()
    button = s.start_with_button(PRESSES)
    s.wait_held('handle-power-key')
    button.play([(0.1, 'KEY_POWER', 1), (0.2, 'KEY_POWER', 0),
                 (0.5, 'KEY_POWER', 1), (0.6, 'KEY_POWER', 0),
                 (0.9, 'KEY_POWER', 1), (1.0, 'KEY_POWER', 0)])
    s.wait_log('Gesture: trigger trigger=presses')
    s.settle(3.0)  # well past WithinSec after the last release
    assert s.action_calls() == {}, s.action_calls()
    assert not any('Short press' in line for line in s.log), s.log
    assert s.stop() == 0


if __name__ == '__main__':
    run_tests(globals())
