#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The session-agent protocol: a key gesture in desktop mode asks the agent
of the active session on the gesture's seat, which answers with Confirm()
or Decline().  hotkeyd runs on a private system bus with real polkitd and
the real io.systemd.FactoryReset service; login1 and systemd1 are dbusmock
stand-ins (see system_testbed.py); agents are tests/integration/agent_client.py
processes whose pids the login1 stand-in maps to sessions.  Each test_* is
its own meson test."""

import os
import queue
import signal
import subprocess
import threading
import time

import dbus

from hotkeyd_testbed import run_tests
from system_testbed import DESKTOP, GET_SESSION_BY_PID, NOBODY, SESSION_IFACE, System

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'agent_client.py')



class Pid:
    """A process that is not our child, ended the way Popen ends one."""

    def __init__(self, pid):
        self.pid = pid

    def poll(self):
        try:
            os.kill(self.pid, 0)
            return None
        except ProcessLookupError:
            return 0

    def terminate(self):
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)

    kill = terminate

    def wait(self, timeout=None):
        deadline = time.monotonic() + (timeout or 5)
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)


class AgentProcess:
    """agent_client.py as uid, its stdout lines collected by a thread."""

    def __init__(self, system, uid=0, auto=None, handoff=False):
        cmd = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups', 'python3', CLIENT]
        if auto:
            cmd += ['--auto', auto]
        if handoff:
            cmd += ['--handoff']
        self.proc = system._spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        if handoff:
            # The testbed ends the child like its other processes; the
            # parent is reaped, so its pid is free (a zombie's is not).
            system.procs.append(Pid(int(self.expect('handed-off')[1])))
            self.proc.wait(5)
        self.pid = int(self.expect('ready')[1])

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith(('confirm-error', 'decline-error', 'extend-error')):
                self.lines.put(line.split(maxsplit=3))
            elif line.startswith('request '):
                self.lines.put(line.rstrip('\n').split(maxsplit=5))  # the device's name may have spaces
            else:
                self.lines.put(line.split())

    def send(self, *words):
        self.proc.stdin.write(' '.join(str(w) for w in words) + '\n')
        self.proc.stdin.flush()

    def expect(self, verb, timeout=10):
        """The next line whose first word is verb; other lines are kept in
        self.seen."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                words = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f'agent said no {verb!r} within {timeout}s; it said {self.seen}')
            self.seen.append(words)
            if words[0] == verb:
                return words

    def quiet(self, seconds):
        """Everything it said within seconds."""
        deadline = time.monotonic() + seconds
        said = []
        while time.monotonic() < deadline:
            try:
                said.append(self.lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                pass
        self.seen += said
        return said


class Desktop(System):
    def __init__(self, timeout='60s', efi=True, **kw):
        super().__init__(efi=efi, **kw)
        self.map_sessions_by_leader()
        self.start_daemon(DESKTOP.format(timeout=timeout), input_devices=True)

    def agent(self, session_id='c1', seat='seat0', uid=0, auto=None):
        a = AgentProcess(self, uid, auto)
        a.session_path = self.session(session_id, seat, uid, a.pid)
        a.send('register')
        a.expect('registered')
        self.wait_log(f'Session agent registered for session {session_id} on {seat}')
        return a


def test_confirmed_gesture_starts_target_once():
    s = Desktop()
    agent = s.agent(auto='confirm')
    button, _ = s.start_hold()
    s.wait_log(f'{button.devnode}: KEY_RESTART released')
    _, request_id, trigger, seat, deadline, device = agent.expect('request')
    # The device as people know it, the kernel's name; its node stays in
    # the journal.
    assert (trigger, seat, device) == ('reset-key', 'seat0', f'Reset Button {s.buttons}'), agent.seen
    # The deadline is CLOCK_MONOTONIC, ConfirmTimeoutSec= from now, as the
    # daemon says before any request (agents prepare their countdown).
    remaining = int(deadline) / 1e6 - time.clock_gettime(time.CLOCK_MONOTONIC)
    assert 55 < remaining <= 60, remaining
    assert s.prop('ConfirmTimeoutUSec') == 60 * 1000000, s.prop('ConfirmTimeoutUSec')
    assert agent.expect('confirm-ok') == ['confirm-ok', request_id, 'started']
    assert len(s.start_unit_calls()) == 1, s.start_unit_calls()
    s.wait_log('Asked the session agent of session c1 on seat0')
    s.wait_log('confirmed in session c1 (uid 0)')
    s.wait_log(f'Started factory-reset.target for trigger reset-key on seat0 ({button.devnode})')
    assert s.stop() == 0


def test_support_check_starts_with_the_hold():
    # Asking systemd takes a process start here (socket activation) and
    # longer on a slow machine: the check for the dialog runs while the key
    # is held, so the agent is asked when the hold completes; the reset
    # still waits for a check after the confirmation.
    s = Desktop()
    agent = s.agent(auto='confirm')
    asking = 'Asking systemd whether a factory reset can be requested'
    s.wait_log('Factory reset supported')  # the check at start is over
    before = len(s.log)
    s.hold()
    agent.expect('confirm-ok')
    s.wait_log('Started factory-reset.target for trigger reset-key')
    log = s.log[before:]

    def first(needle):
        found = [i for i, line in enumerate(log) if needle in line]
        assert found, f'no {needle!r} in:\n' + '\n'.join(log)
        return found[0]

    began = first('Hold on seat0 began: checking factory reset support now')
    trigger = first('Gesture: trigger')
    asked = first('Asked the session agent of session c1 on seat0')
    confirmed = first('confirmed in session c1')
    checks = [i for i, line in enumerate(log) if asking in line]
    assert began < trigger < asked < confirmed, log
    assert any(began < i < trigger for i in checks), log
    assert not any(trigger < i < asked for i in checks), log   # no second check before asking
    assert any(confirmed < i for i in checks), log             # one after the confirmation
    assert any('Trigger on seat0: the support check its hold started is' in line for line in log[trigger:asked]), log
    assert s.stop() == 0


def test_released_hold_drops_its_check():
    s = Desktop()
    agent = s.agent()
    button, _ = s.start_hold([(0.1, 'KEY_RESTART', 1), (0.5, 'KEY_RESTART', 0)])
    s.wait_log(f'{button.devnode}: KEY_RESTART released')
    s.wait_log('Hold on seat0 began: checking factory reset support now')
    assert not any(w[0] == 'request' for w in agent.quiet(1.5)), agent.seen
    # The next hold asks as usual.
    s.hold()
    agent.expect('request')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_declined_gesture_starts_nothing():
    s = Desktop()
    agent = s.agent(auto='decline')
    s.hold()
    request_id = agent.expect('request')[1]
    agent.expect('decline-ok')
    s.wait_log('not confirmed: declined in session c1')
    # Declined is over: a late Confirm finds nothing to confirm.
    agent.send('confirm', request_id)
    assert agent.expect('confirm-error')[2] == 'io.hotkeyd.FactoryReset1.Error.NoSuchRequest', agent.seen
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_deadline_declines_and_more_time_moves_it():
    s = Desktop(timeout='10s')
    assert s.prop('ConfirmTimeoutUSec') == 10 * 1000000, s.prop('ConfirmTimeoutUSec')
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    asked = time.monotonic()
    time.sleep(5)
    agent.send('extend', request_id)
    new_deadline = int(agent.expect('extend-ok')[2])
    extended = time.monotonic()
    assert 9 < new_deadline / 1e6 - time.clock_gettime(time.CLOCK_MONOTONIC) <= 10
    # Not at the first deadline (10 s after asking), only at the new one.
    said = agent.quiet(asked + 11 - time.monotonic())
    assert not any(w[0] == 'cancel' for w in said), said
    assert agent.expect('cancel', timeout=6) == ['cancel', request_id, 'timeout']
    assert time.monotonic() - extended >= 9.5
    s.wait_log('not confirmed: no answer within 10s')
    agent.send('confirm', request_id)
    assert agent.expect('confirm-error')[2] == 'io.hotkeyd.FactoryReset1.Error.NoSuchRequest'
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_confirm_from_session_on_other_seat_is_refused():
    s = Desktop()
    asked = s.agent('c1', 'seat0')
    other = s.agent('c2', 'seat1')
    s.hold()
    request_id = asked.expect('request')[1]
    other.send('confirm', request_id)
    words = other.expect('confirm-error')
    assert words[2] == 'org.freedesktop.DBus.Error.AccessDenied', words
    # Not the agent that was asked: refused before its session is looked at
    # (the asked agent's session moving seats is the next test).
    assert 'Only the session agent that was asked may answer' in words[3], words
    # The dialog on seat0 stays open for its own answer.
    asked.send('decline', request_id)
    asked.expect('decline-ok')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def confirm_after_session_change(change, refusal):
    """The session changes while the dialog is up; the agent's Confirm is
    then refused with a reason naming it, and nothing starts."""
    s = Desktop()
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    s.session_mock(agent.session_path).UpdateProperties(SESSION_IFACE, change)
    agent.send('confirm', request_id)
    words = agent.expect('confirm-error')
    assert words[2] == 'org.freedesktop.DBus.Error.AccessDenied', words
    assert refusal in words[3], words
    s.wait_log('Confirmation of the factory reset for trigger reset-key on seat0')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_confirm_from_inactive_session_is_refused():
    # The person switched to another session (VT switch) before answering.
    confirm_after_session_change({'Active': False}, 'session c1 is not the active session on seat0')


def test_confirm_after_session_moved_to_other_seat_is_refused():
    seat1 = dbus.Struct(('seat1', dbus.ObjectPath('/org/freedesktop/login1/seat/seat1')), signature='so')
    confirm_after_session_change({'Seat': seat1}, 'session c1 is on seat1, but the gesture was made on seat0')


def test_confirm_from_locked_session_is_refused():
    # The screen locked while the dialog was up: nobody can have seen it.
    confirm_after_session_change({'LockedHint': True}, 'session c1 is locked')


def test_killed_daemon_forgets_the_open_confirmation():
    """SIGKILL while the dialog is up: no clean-up at all.  The restarted
    daemon starts nothing by itself, and the old request id names nothing
    in it, even after the agent registered again."""
    s = Desktop()
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    s.daemon.send_signal(signal.SIGKILL)
    s.daemon.wait(5)
    s.start_daemon(DESKTOP.format(timeout='60s'), input_devices=True)
    agent.send('register')
    agent.expect('registered')
    agent.send('confirm', request_id)
    assert agent.expect('confirm-error')[2] == 'io.hotkeyd.FactoryReset1.Error.NoSuchRequest', agent.seen
    s.hold()
    assert agent.expect('request')[1] != request_id, agent.seen
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_only_the_asked_agent_may_answer():
    s = Desktop()
    asked = s.agent('c1', 'seat0')
    # A second process of the same, active session, not the agent.
    intruder = AgentProcess(s)
    s.session_mock(asked.session_path).UpdateProperties(SESSION_IFACE, {'Leader': dbus.UInt32(intruder.pid)})
    s.hold()
    request_id = asked.expect('request')[1]
    intruder.send('confirm', request_id)
    assert 'Only the session agent that was asked may answer' in intruder.expect('confirm-error')[3]
    intruder.send('decline', request_id)
    assert intruder.expect('decline-error')[2] == 'org.freedesktop.DBus.Error.AccessDenied'
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_without_agent_nothing_happens():
    s = Desktop()
    s.logind.AddSeat('seat0')  # a seat, but nobody logged in
    s.hold()
    s.wait_log('no session is active on seat0, so nobody there can confirm')
    lonely = AgentProcess(s)
    s.session('c1', 'seat0', 0, lonely.pid)  # a session, but no agent in it
    s.hold()
    s.wait_log('no session agent runs in session c1, the active one on seat0')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_unsupported_system_asks_nobody():
    s = Desktop(efi=False)
    agent = s.agent()
    s.hold()
    s.wait_log('refused: This machine cannot request a factory reset')
    assert not any(w[0] == 'request' for w in agent.quiet(1.0)), agent.seen
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_nothing_to_erase_asks_nobody():
    """A gesture on a system where a reset would only reboot (nothing is
    marked to be erased) is refused like any unsupported one: no dialog."""
    s = Desktop(reset_plugin=False)
    assert s.prop('Supported') == False
    agent = s.agent()
    s.hold()
    s.wait_log('refused: No partition is marked to be erased (FactoryReset=yes)')
    assert not any(w[0] == 'request' for w in agent.quiet(1.0)), agent.seen
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_registration_rules():
    s = Desktop()
    stray = AgentProcess(s)  # in no session at all
    stray.send('register')
    words = stray.expect('register-error')
    assert words[1] == 'io.hotkeyd.FactoryReset1.Error.NoSession', words

    first = s.agent('c1', 'seat0')
    second = AgentProcess(s)
    s.session_mock(first.session_path).UpdateProperties(SESSION_IFACE, {'Leader': dbus.UInt32(second.pid)})
    second.send('register')
    assert second.expect('register-error')[1] == 'io.hotkeyd.FactoryReset1.Error.AgentExists'

    # The agent's connection closes: it is forgotten and the session can
    # have a new one.
    first.send('quit')
    first.proc.wait(5)
    s.wait_log('Session agent of session c1 on seat0 went away.')
    second.send('register')
    second.expect('registered')
    second.send('unregister')
    second.expect('unregistered')
    second.send('unregister')
    assert second.expect('unregister-error')[1] == 'io.hotkeyd.FactoryReset1.Error.NoSuchAgent'
    assert s.stop() == 0


def test_agent_leaving_while_asked_declines():
    s = Desktop()
    agent = s.agent()
    s.hold()
    agent.expect('request')
    agent.proc.kill()
    s.wait_log('not confirmed: the session agent went away before answering')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_unprivileged_confirm_needs_polkit():
    """polkitd sees no logind session here (logind is a stand-in), so the
    confirm-physical action falls back to allow_any=no: an agent of an
    ordinary user is refused, the way a remote or inactive one would be;
    a rule that grants the action lets the same agent confirm."""
    s = Desktop()
    agent = s.agent(uid=NOBODY)
    s.hold()
    request_id = agent.expect('request')[1]
    agent.send('confirm', request_id)
    words = agent.expect('confirm-error')
    assert words[2] == 'org.freedesktop.DBus.Error.AccessDenied', words
    assert 'not allowed to confirm a factory reset' in words[3], words
    assert s.start_unit_calls() == []

    # polkitd reloads its rules when the directory changes.
    with open(os.path.join(s.tmp, 'polkit-rules', '60-test-confirm.rules'), 'w') as f:
        f.write('polkit.addRule(function(action, subject) {\n'
                '    if (action.id == "io.hotkeyd.factory-reset.confirm-physical" && subject.user == "nobody")\n'
                '        return polkit.Result.YES;\n'
                '});\n')
    time.sleep(1.5)
    s.hold()
    request_id = agent.expect('request')[1]
    agent.send('confirm', request_id)
    assert agent.expect('confirm-ok') == ['confirm-ok', request_id, 'started'], agent.seen
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


# --- who may be an agent and answer (issue: identity by pid) -------------

def no_line_names_uid0_for(s, needle):
    """No journal line containing needle names uid 0 (the session's user,
    not the caller's)."""
    wrong = [line for line in s.log if needle in line and 'uid 0' in line]
    assert not wrong, wrong


def test_agent_of_another_user_than_the_session_is_refused():
    """A process of uid 65534 whose pid login1 places in root's session
    (pid reuse would do that) is not root's agent."""
    s = Desktop()
    agent = AgentProcess(s, uid=NOBODY)
    s.session('c1', 'seat0', 0, agent.pid)
    agent.send('register')
    words = agent.expect('register-error')
    assert words[1] == 'org.freedesktop.DBus.Error.AccessDenied', words
    assert 'uid 65534' in ' '.join(words[2:]) and 'session c1' in ' '.join(words[2:]), words
    s.wait_log('Session agent of uid 65534 not registered')
    assert not any('Session agent registered' in line for line in s.log), s.log
    no_line_names_uid0_for(s, 'agent')
    assert s.stop() == 0


def test_confirm_from_another_user_than_the_session_is_refused():
    """The agent registered in its own session; by the time it answers,
    login1 places its pid in a session of root: the answer is refused and
    the journal names the caller's uid, never root's."""
    s = Desktop()
    agent = s.agent(uid=NOBODY)
    s.hold()
    request_id = agent.expect('request')[1]
    user0 = dbus.Struct((dbus.UInt32(0), dbus.ObjectPath('/org/freedesktop/login1/user/_0')), signature='uo')
    s.session_mock(agent.session_path).UpdateProperties(SESSION_IFACE, {'User': user0})
    agent.send('confirm', request_id)
    words = agent.expect('confirm-error')
    assert words[2] == 'org.freedesktop.DBus.Error.AccessDenied', words
    assert 'uid 65534' in words[3] and 'session c1' in words[3], words
    s.wait_log('Confirmation of the factory reset for trigger reset-key on seat0')
    assert not any('confirmed in session' in line for line in s.log), s.log
    no_line_names_uid0_for(s, 'onfirm')
    # The dialog stays open for a real answer.
    agent.send('decline', request_id)
    agent.expect('decline-ok')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_agent_whose_connecting_process_is_gone_is_refused():
    """The process that connected exits and leaves its connection to a
    child: its pid is free for reuse, so what login1 says about that pid
    says nothing about the caller.  hotkeyd pins the caller by the pidfd
    the bus took at connection time."""
    s = Desktop()
    agent = AgentProcess(s, handoff=True)
    s.session('c1', 'seat0', 0, agent.pid)  # the gone pid, "reused" by root's session
    agent.send('register')
    words = agent.expect('register-error')
    assert words[1] == 'org.freedesktop.DBus.Error.AccessDenied', words
    assert 'gone' in ' '.join(words[2:]), words
    assert not any('Session agent registered' in line for line in s.log), s.log
    assert s.stop() == 0


def test_intruders_confirm_changes_nothing():
    """A Confirm() from a process that is not the asked agent is refused
    before anything is looked up, and the agent's own answer still works."""
    s = Desktop()
    asked = s.agent('c1', 'seat0')
    intruder = AgentProcess(s)
    s.hold()
    request_id = asked.expect('request')[1]
    lookups = len(s.logind.GetMethodCalls('GetSessionByPID'))
    intruder.send('confirm', request_id)
    words = intruder.expect('confirm-error')
    assert words[2] == 'org.freedesktop.DBus.Error.AccessDenied', words
    asked.send('confirm', request_id)
    assert asked.expect('confirm-ok') == ['confirm-ok', request_id, 'started'], asked.seen
    calls = s.logind.GetMethodCalls('GetSessionByPID')[lookups:]
    assert [int(c[1][0]) for c in calls] == [asked.pid], calls
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


# --- bounded waits and reload ---------------------------------------------

def test_deadline_runs_while_a_confirmation_is_checked():
    """login1 takes 4 s to place the caller: the deadline (10 s) passes
    meanwhile, and running out of time is a no."""
    s = Desktop(timeout='10s')
    assert s.prop('ConfirmTimeoutUSec') == 10 * 1000000, s.prop('ConfirmTimeoutUSec')
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    time.sleep(7)
    s.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o',
                       'import time\ntime.sleep(4)\n' + GET_SESSION_BY_PID)
    agent.send('confirm', request_id)
    words = agent.expect('confirm-error', timeout=15)
    assert words[2] == 'io.hotkeyd.FactoryReset1.Error.NoSuchRequest', words
    s.wait_log('not confirmed: no answer within 10s')
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_more_time_needs_the_active_session():
    s = Desktop(timeout='10s')
    assert s.prop('ConfirmTimeoutUSec') == 10 * 1000000, s.prop('ConfirmTimeoutUSec')
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    s.session_mock(agent.session_path).UpdateProperties(SESSION_IFACE, {'Active': False})
    agent.send('extend', request_id)
    words = agent.expect('extend-error')
    assert words[2] == 'org.freedesktop.DBus.Error.AccessDenied', words
    assert 'not the active session' in words[3], words
    # The old deadline stands.
    assert agent.expect('cancel', timeout=12) == ['cancel', request_id, 'timeout']
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_reload_to_mode_off_ends_open_confirmations():
    s = Desktop()
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    s.write_config('[Daemon]\nMode=off\n')
    s.daemon.send_signal(signal.SIGHUP)
    assert agent.expect('cancel') == ['cancel', request_id, 'cancelled'], agent.seen
    agent.send('confirm', request_id)
    assert agent.expect('confirm-error')[2] == 'io.hotkeyd.FactoryReset1.Error.NoSuchRequest', agent.seen
    assert s.start_unit_calls() == []
    assert s.stop() == 0


# --- error names: a client can tell the failures apart ----------------------

# login1 fails GetSessionByPID (busy, restarting), as a real one can.
FAILING_SESSION_BY_PID = """
raise dbus.exceptions.DBusException('logind is busy', name='org.freedesktop.DBus.Error.Failed')
"""


def test_answer_while_login1_fails_gets_session_lookup_failed():
    """login1 cannot place the caller of Confirm() or ExtendConfirmation():
    the answer is refused with SessionLookupFailed, not the catch-all
    Failed, nothing starts, and once login1 answers again the same dialog
    can still be confirmed."""
    s = Desktop()
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    s.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o', FAILING_SESSION_BY_PID)
    agent.send('confirm', request_id)
    words = agent.expect('confirm-error')
    assert words[2] == 'io.hotkeyd.FactoryReset1.Error.SessionLookupFailed', words
    assert 'logind is busy' in words[3], words
    agent.send('extend', request_id)
    words = agent.expect('extend-error')
    assert words[2] == 'io.hotkeyd.FactoryReset1.Error.SessionLookupFailed', words
    assert 'logind is busy' in words[3], words
    assert s.start_unit_calls() == []

    s.map_sessions_by_leader()
    agent.send('confirm', request_id)
    assert agent.expect('confirm-ok') == ['confirm-ok', request_id, 'started'], agent.seen
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


def test_registration_while_login1_fails_gets_failed_then_succeeds():
    """RegisterAgent() when login1 cannot place the caller: Failed, the
    name agents retry on (the GTK agent does), and a later try works."""
    s = Desktop()
    agent = AgentProcess(s)
    s.session('c1', 'seat0', 0, agent.pid)
    s.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o', FAILING_SESSION_BY_PID)
    agent.send('register')
    words = agent.expect('register-error')
    assert words[1] == 'org.freedesktop.DBus.Error.Failed', words
    assert 'logind did not answer (logind is busy)' in ' '.join(words[2:]), words
    s.map_sessions_by_leader()
    agent.send('register')
    agent.expect('registered')
    assert s.stop() == 0


def test_second_answer_while_one_is_checked_gets_already_checking():
    """login1 takes 2 s to place the caller: a Confirm(), Decline() or
    ExtendConfirmation() that comes while an earlier one of the same kind
    is checked is refused with AlreadyChecking and changes nothing; the
    first one's answer stands."""
    s = Desktop()
    agent = s.agent()
    s.hold()
    request_id = agent.expect('request')[1]
    s.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o',
                       'import time\ntime.sleep(2)\n' + GET_SESSION_BY_PID)
    agent.send('extend', request_id)
    agent.send('extend', request_id)
    words = agent.expect('extend-error')
    assert words[2] == 'io.hotkeyd.FactoryReset1.Error.AlreadyChecking', words
    assert 'more time' in words[3], words
    agent.expect('extend-ok', timeout=15)

    agent.send('confirm', request_id)
    agent.send('confirm', request_id)
    words = agent.expect('confirm-error')
    assert words[2] == 'io.hotkeyd.FactoryReset1.Error.AlreadyChecking', words
    agent.send('decline', request_id)
    words = agent.expect('decline-error')
    assert words[2] == 'io.hotkeyd.FactoryReset1.Error.AlreadyChecking', words
    assert agent.expect('confirm-ok', timeout=15) == ['confirm-ok', request_id, 'started'], agent.seen
    assert len(s.start_unit_calls()) == 1
    assert s.stop() == 0


if __name__ == '__main__':
    run_tests(globals())
