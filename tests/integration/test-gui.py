#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""factory-reset, the GTK front end: the window and the session agent's
dialog on Xvfb, seen and driven through AT-SPI like a screen reader and a
keyboard would, against hotkeyd on the private system bus of
system_testbed.py (real polkitd and io.systemd.FactoryReset; login1 and
systemd1 are dbusmock stand-ins; the agent's session is the login1 session
whose Leader is its pid).  Each test_* is its own meson test.

Keys are typed with AT-SPI's key synthesis, which reaches Xvfb through
XTest, into the window that has the X input focus (GTK gives it to the
window it presents; there is no window manager).  Buttons are pressed by
keyboard (Space) wherever the point is the keyboard path; the window's
pending-reset case uses the AT-SPI action, the way a screen reader's
"activate" does."""

import os
import re
import signal
import socket
import struct
import time

import dbus

import hotkeyd_testbed
from gui_testbed import (Atspi, CONTROL_ROLES, DESKTOP_SIZE, NAMED_ROLES, PHONE, SCREENSHOTS, Catalogue, Node,
                         Screen, key, type_text, wait_for)
from hotkeyd_testbed import run_tests
from system_testbed import (DESKTOP, GET_SESSION_BY_PID, HOLD, HOME_GUID, RESET_PLUGIN, RESET_PLUGIN_DESCRIPTION,
                            SESSION_IFACE, Dirs, System, add_partition,
                            mounted_tmpfs, sh, target_wants_tpm_clear)


# The tests that look at the "keep holding" window hold the key this long
# (HoldSec= and the press): the window exists only while the key is held,
# and the ASan build on two loaded cores once took over 5 s to draw a new
# window.  Inspecting it means asking for its accessible object
# (GetChildAtIndex), which GTK never answers once the window is gone and
# the agent has none (see gui_testbed.App.listed()); with 1 s the window
# could close just after the test first saw it.
LONG_HOLD_SEC = 8

Tab = 0xff09
Space = 0x20
Escape = 0xff1b
Return = 0xff0d

# GTK's own window controls in the header bar: named by GTK, without a
# description of ours.
WINDOW_CONTROLS = ('Minimize', 'Maximize', 'Close')

# linux/input-event-codes.h: the keys of the chord below.
hotkeyd_testbed.KEY_CODES.update({'KEY_LEFTCTRL': 29, 'KEY_LEFTSHIFT': 42, 'KEY_LEFTALT': 56, 'KEY_R': 19})

# The desktop configuration plus a chord and a multi-press trigger, for the
# window's list of the gestures that can fire.
GESTURES = """
[Trigger]
Name=laptop-chord
Keys=KEY_LEFTCTRL KEY_LEFTALT KEY_LEFTSHIFT KEY_R
HoldSec=5

[Trigger]
Name=power-presses
Keys=KEY_POWER
Presses=5
WithinSec=3
"""

# What the window and the dialog say, in English (the msgids).
GESTURES_HEADING = 'Key gestures that ask for a reset'
NO_GESTURE = 'No key gesture works on this computer'
NO_GESTURE_DETAILS = 'Start a reset from this window instead.'
HOLD_WORDS = 'Hold %s for %s second'  # ngettext
PRESS_WORDS = 'Press %s %u time %s'   # ngettext; the last %s: WITHIN_WORDS
WITHIN_WORDS = 'within %s second'      # ngettext
ASKED_WITH_DEVICE = ('A factory reset was requested with the gesture “%s” on “%s”. If that was not you, or not '
                     'on purpose, choose Cancel.')


def c_format(fmt, *args):
    """printf's %s, %u and %N$s, as the app fills a translated format."""
    it = iter(args)
    return re.sub(r'%(?:(\d+)\$)?[su]', lambda m: str(args[int(m.group(1)) - 1] if m.group(1) else next(it)), fmt)


class Desktop(System):
    def __init__(self, timeout='60s', efi=True, pending=False, input_devices=True, hold_sec=1, triggers='',
                 screen_size=DESKTOP_SIZE, **kw):
        super().__init__(efi=efi, **kw)
        self.hold_sec = hold_sec
        self.map_sessions_by_leader()
        if pending:
            # Before the daemon starts: it asks systemd at start-up and
            # after its own Request()/Cancel(), not when others act.
            self.request_pending()
        self.config = DESKTOP.format(timeout=timeout).replace('HoldSec=1\n', f'HoldSec={hold_sec}\n') + triggers
        self.start_daemon(self.config, input_devices=input_devices)
        self.screen = Screen(self, size=screen_size)
        self.session_path = None

    def agent(self, **kw):
        """factory-reset --agent, registered for session c1 on seat0."""
        app = self.screen.app('--agent', gated=True, **kw)
        if self.session_path is None:
            self.session_path = self.session('c1', 'seat0', 0, app.pid)
        else:
            self.session_mock(self.session_path).UpdateProperties(SESSION_IFACE, {'Leader': dbus.UInt32(app.pid)})
        app.open_gate()
        app.expect('registered')
        self.wait_log('Session agent registered for session c1 on seat0')
        return app

    def window(self, **kw):
        app = self.screen.app(**kw)
        wait_for(lambda: app.windows(), 'the window')
        return app

    def dialog(self, agent, hold_window=None, po=str):
        """A hold on a new device; returns (the dialog's accessible window,
        the request id, seconds from the completed hold to the dialog seen
        through AT-SPI).  hold_window: a callback for the "keep holding"
        window, called while the key is held.  po: the Catalogue of the
        agent's language (the window titles)."""
        press, release = HOLD
        _, t0 = self.start_hold([press, (press[0] + self.hold_sec + 0.3, *release[1:])])
        if hold_window:
            assert self.hold_sec >= LONG_HOLD_SEC, 'a hold window test needs Desktop(hold_sec=LONG_HOLD_SEC)'
            hold_window(wait_for(lambda: agent.window(po('Keep Holding to Reset')), 'the hold window',
                                 timeout=self.hold_sec - 1, step=0.01))
        # Only test_dialog_appears_within_1s_* holds it to 1 s: an ASan
        # build on a loaded machine once took over 5 s to draw the first
        # large-text window.
        try:
            window = wait_for(lambda: agent.window(po('Factory Reset')), 'the confirmation dialog', timeout=20,
                              step=0.01)
        except AssertionError:
            raise AssertionError(f'no dialog within 20s; windows: {agent.listed()}; the agent said {agent.said}, '
                                 f'then {agent.drain()}')
        seen = time.monotonic() - (t0 + press[0] + self.hold_sec)
        request_id = int(agent.expect('request ').split()[1])
        return window, request_id, seen

    def plug_gesture_keys(self):
        """A keyboard with the chord's keys and a power button (GESTURES),
        as devices the daemon watches."""
        keyboard = self.add_device('Test Keyboard', ['KEY_LEFTCTRL', 'KEY_LEFTALT', 'KEY_LEFTSHIFT', 'KEY_R'])
        power = self.add_device('Power Button', ['KEY_POWER'])
        self.plug(keyboard)
        self.plug(power)
        return keyboard, power


def gesture_rows(app, window, name=GESTURES_HEADING):
    """The rows of the window's list of key gestures, found by the list's
    accessible name (name: in the app's language)."""
    lists = [n for n in app.tree(window) if n.role == Atspi.Role.LIST]
    hits = [n for n in lists if n.name == name]
    assert len(hits) == 1, lists
    acc = hits[0].acc
    return [Node(acc.get_child_at_index(i)).name for i in range(acc.get_child_count())]


def only(nodes, role, name):
    """The one object of that role and name among nodes (App.find() on a
    tree already read)."""
    hits = [n for n in nodes if n.role == role and n.name == name]
    assert len(hits) == 1, f'{len(hits)} {Atspi.role_get_name(role)} named {name!r} in {nodes}'
    return hits[0]


def check_named(nodes):
    """Every button, entry, check box and label has a role and a name;
    our controls have a description too."""
    named = [n for n in nodes if n.role in NAMED_ROLES]
    assert named, nodes
    for n in named:
        assert n.name.strip(), f'{n} has no accessible name'
        if n.role in CONTROL_ROLES and n.name not in WINDOW_CONTROLS:
            assert n.description.strip(), f'{n} has no accessible description'


def tab_cycle(app, window, count=12):
    """The names of the controls Tab reaches, in order, starting after the
    focused one."""
    seen = []
    for _ in range(count):
        key(Tab)
        node = wait_for(lambda: app.focused(window), 'a focused object')
        seen.append(node.name)
    return seen


def press_with_keyboard(app, window, name, most=12):
    """Tabs to the control named name, then presses Space on it."""
    for _ in range(most):
        focused = app.focused(window)
        if focused is not None and focused.name == name:
            key(Space)
            return
        key(Tab)
    raise AssertionError(f'Tab never reached {name!r}')


def asked(**kw):
    """A desktop with the agent running and its dialog open after a hold:
    (testbed, agent, dialog window, request id)."""
    s = Desktop(**kw)
    agent = s.agent()
    window, request_id, _ = s.dialog(agent)
    return s, agent, window, request_id


def done(s, app):
    assert app.stop() == 0, app.errors[-30:]
    assert s.stop() == 0


def declined(s, agent, request_id, why):
    assert agent.expect(f'decline {request_id}') == f'decline {request_id} {why}'
    s.wait_log('not confirmed: declined in session c1')
    wait_for(lambda: not agent.listed(), 'the dialog to close')
    assert s.start_unit_calls() == []


# --- the window ----------------------------------------------------------

def test_window_tree_and_keyboard_request():
    s = Desktop()
    app = s.window()
    window = app.windows()[0]
    nodes = app.tree(window)
    check_named(nodes)
    # Looked up in the tree just read: each app.find() reads it again.
    assert only(nodes, Atspi.Role.LABEL, 'Reset this computer')
    assert only(nodes, Atspi.Role.LABEL, 'Current state: No reset requested')
    # The testbed has no repart.d definitions: the daemon's ErasedPartitions
    # is empty, and the window says so in words.  What makes the reset
    # supported is the testbed's reset plug-in, listed by its description.
    assert only(nodes, Atspi.Role.LABEL, 'No partition is marked to be erased')
    assert only(nodes, Atspi.Role.LABEL, RESET_PLUGIN_DESCRIPTION)
    assert only(nodes, Atspi.Role.LABEL, f'Reset by the service {RESET_PLUGIN}')

    reset = only(nodes, Atspi.Role.PUSH_BUTTON, 'Reset Computer…')
    assert not reset.sensitive
    name = socket.gethostname()
    entry = [n for n in nodes if n.role == Atspi.Role.TEXT]
    assert len(entry) == 1 and name in entry[0].name, nodes

    # Tab reaches the entry and the window's controls; the Reset button
    # is insensitive, so it is not reached yet.
    order = tab_cycle(app, window)
    assert entry[0].name in order, order
    assert 'Reset Computer…' not in order, order

    press_with_keyboard(app, window, entry[0].name)  # (Space into the entry is undone below)
    key(0xff08)  # BackSpace
    type_text(name + 'x')  # a wrong name does not do
    time.sleep(0.3)
    assert not app.find(Atspi.Role.PUSH_BUTTON, 'Reset Computer…', window).sensitive
    key(0xff08)
    wait_for(lambda: app.find(Atspi.Role.PUSH_BUTTON, 'Reset Computer…', window).sensitive,
             'Reset to become sensitive once the name is typed')
    assert s.start_unit_calls() == []
    press_with_keyboard(app, window, 'Reset Computer…')
    wait_for(lambda: any(n.name.startswith('The factory reset was requested') for n in app.tree(window)),
             'the result in the window')
    assert len(s.start_unit_calls()) == 1, s.start_unit_calls()
    done(s, app)


def test_window_lists_the_gestures_that_can_fire():
    """The window's section of key gestures lists in words those that can
    fire on this session's seat now (the daemon's TriggerAvailability),
    says so when none can, and follows hotplug and seat changes
    (PropertiesChanged)."""
    s = Desktop(triggers=GESTURES)
    app = s.window(env={'XDG_SEAT': 'seat0'})
    window = app.windows()[0]
    assert app.find(Atspi.Role.LABEL, GESTURES_HEADING, window)
    # No device has any trigger's keys yet.
    rows = gesture_rows(app, window)
    assert rows == [f'{NO_GESTURE}. {NO_GESTURE_DETAILS}'], rows
    check_named(app.tree(window))

    keyboard, _ = s.plug_gesture_keys()
    chord = 'Hold Ctrl + Alt + Shift + R for 5 seconds'
    presses = 'Press the power button 5 times within 3 seconds'
    wait_for(lambda: gesture_rows(app, window) == [chord, presses], 'the chord and the presses in the window')
    can_fire = sorted(str(t) for t, seat, can, _ in s.prop('TriggerAvailability') if can and seat == 'seat0')
    assert can_fire == ['laptop-chord', 'power-presses'], s.prop('TriggerAvailability')

    # A restart key on another seat is no gesture of this one, until it
    # is attached to this seat.
    restart = s.add_device('Restart Key', ['KEY_RESTART'], seat='seat1')
    s.plug(restart)
    wait_for(lambda: any(str(t) == 'reset-key' and seat == 'seat1' and can
                         for t, seat, can, _ in s.prop('TriggerAvailability')), 'reset-key on seat1')
    time.sleep(1)
    rows = gesture_rows(app, window)
    assert rows == [chord, presses], rows
    restart.move_to_seat('seat0')
    wait_for(lambda: gesture_rows(app, window) == ['Hold the restart key for 1 second', chord, presses],
             'the restart key in the window')
    keyboard.unplug()
    s.wait_log(f'Stopped watching {keyboard.devnode}')
    wait_for(lambda: gesture_rows(app, window) == ['Hold the restart key for 1 second', presses],
             'the chord gone from the window')
    nodes = app.tree(window)
    check_named(nodes)
    lists = [n for n in nodes if n.role == Atspi.Role.LIST and n.name == GESTURES_HEADING]
    assert lists[0].description, lists
    assert s.start_unit_calls() == []
    done(s, app)


def test_window_unsupported_explains_and_offers_nothing():
    s = Desktop(efi=False)
    app = s.window()
    window = app.windows()[0]
    reason = str(s.prop('UnsupportedReason'))
    assert reason
    nodes = app.tree(window)
    check_named(nodes)
    names = [n.name for n in nodes]
    assert 'Factory reset is not available' in names, names
    assert reason in names, names
    controls = [n for n in nodes if n.role in CONTROL_ROLES and n.name not in WINDOW_CONTROLS]
    assert controls == [], controls
    done(s, app)


def test_window_cancels_pending_reset():
    # Without umockdev's preload in the daemon: its child
    # systemd-factory-reset would inherit it and look for the EFI variable
    # in umockdev's /sys.
    s = Desktop(pending=True, input_devices=False)
    app = s.window()
    window = app.windows()[0]
    check_named(app.tree(window))
    assert app.find(Atspi.Role.LABEL, 'A factory reset is pending', window)
    assert not [n for n in app.tree(window) if n.name.startswith('Reset Computer')]
    app.find(Atspi.Role.PUSH_BUTTON, 'Cancel Pending Reset', window).press()
    wait_for(lambda: any(n.name.startswith('The pending factory reset was cancelled') for n in app.tree(window)),
             'the result in the window')
    assert not s.is_pending()
    done(s, app)


def test_window_lists_what_will_be_erased_and_shows_errors():
    """What the daemon publishes about a reset (ErasedPartitions,
    ClearsTpm, EraseProblems) from repart.d definitions in temporary
    directories, a umockdev-emulated partition mounted in this test's
    namespace, a malformed definition, and factory-reset.target pulling in
    the TPM clear (systemd1 stand-in) with swtpm as the TPM: the window
    lists it.  Then the firmware stops offering a reset (no EFI any more),
    and Request() is refused for real: the daemon's support check at
    request time says no, and the window shows why in words.  Also a
    screenshot (light/window-erase-list.png) of a filled list for review."""
    s = System(efi=True)
    d = Dirs(s)
    d.write('usr', '50-home.conf', '[Partition]\nType=home\nLabel=home\nFactoryReset=yes\n')
    d.write('usr', '60-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')
    bad = d.write('etc', '70-bad.conf', '[Partition]\nType=foo\nFactoryReset=yes\n')
    where, dev = mounted_tmpfs(s, 'home')
    node = add_partition(s, 1, 'vdz1p3', HOME_GUID, 'home', 20 * 10**9 // 512, dev=dev)
    target_wants_tpm_clear(s)
    s.start_daemon(DESKTOP.format(timeout='60s'), input_devices=True, extra_env=d.env(), tpm_tcti=s.start_swtpm())
    s.wait_log('A factory reset asks the firmware to clear the TPM.')
    problems = [str(p) for p in s.prop('EraseProblems')]
    assert problems and all(p.startswith(f'{bad}:') for p in problems), problems

    screen = Screen(s)
    app = screen.app(screenshot_dir=os.path.join(SCREENSHOTS, 'light'))
    window = wait_for(lambda: next(iter(app.windows()), None), 'the window')
    nodes = app.tree(window)
    check_named(nodes)
    rows = [n.name for n in nodes if n.role == Atspi.Role.LIST_ITEM]
    assert f'home (home). {node}, 20.0\xa0GB, in use at {where}' in rows, rows  # g_format_size: no-break space
    assert 'var. Not created yet: it is made fresh on the next boot.' in rows, rows
    for p in problems:
        assert f'Warning: the list may be incomplete. {p}' in rows, rows
    assert any(r.startswith('The security chip (TPM) will be cleared') for r in rows), rows
    assert any(r.startswith('2. The firmware may ask to clear the security chip') for r in rows), rows
    assert not any(r.startswith('Cannot tell') for r in rows), rows
    assert app.expect('screenshot') == f'screenshot {SCREENSHOTS}/light/window.png'
    os.replace(os.path.join(SCREENSHOTS, 'light', 'window.png'), os.path.join(SCREENSHOTS, 'light', 'window-erase-list.png'))

    press_with_keyboard(app, window, next(n.name for n in nodes if n.role == Atspi.Role.TEXT))
    key(0xff08)  # BackSpace: the Space that "pressed" the entry
    type_text(socket.gethostname())
    wait_for(lambda: app.find(Atspi.Role.PUSH_BUTTON, 'Reset Computer…', window).sensitive, 'Reset to become sensitive')
    # systemd-factory-reset (a new process per connection) now finds no EFI.
    sh('rm', '-r', '/sys/firmware/efi')
    press_with_keyboard(app, window, 'Reset Computer…')
    wait_for(lambda: any(n.name.startswith('Error: ') for n in app.tree(window)), 'the error in the window')
    reason = str(s.prop('UnsupportedReason'))
    assert reason and s.prop('Supported') == False
    error = f'Error: A factory reset cannot be requested: {reason}'
    # Not by colour alone: an icon named "Error" and the word.
    assert app.find(Atspi.Role.LABEL, error, window)
    assert app.find(Atspi.Role.IMAGE, 'Error', window)
    assert s.start_unit_calls() == []
    done(s, app)


def write_last_reset(s, verdict, partitions):
    """What hotkeyd-reset-check.service writes; hotkeyd reads it on reload."""
    with open(os.path.join(s.tmp, 'state', 'last-reset'), 'w') as f:
        f.write(f'hotkeyd-last-reset 1\nrequested=1765000000000000\nchecked=1765000100000000\nverdict={verdict}\n')
        f.write(''.join(f'partition={state} {name} {mount}\n' for state, name, mount in partitions))
    s.daemon.send_signal(signal.SIGHUP)


def test_window_shows_a_reset_that_erased_nothing():
    """LastReset: a reset that did not erase /var is a banner above
    everything (and a row); a verified one only a row."""
    s = Desktop(input_devices=False)
    app = s.window()
    window = app.windows()[0]
    banner = 'The last factory reset did not erase /var: its data is still there.'
    assert not [n.name for n in app.tree(window) if 'last' in n.name.lower()]

    write_last_reset(s, 'not-erased', [('not-erased', '50-var.conf', '/var'), ('recreated', '60-home.conf', '/home')])
    wait_for(lambda: app.find(Atspi.Role.LABEL, banner, window), 'the banner')
    nodes = app.tree(window)
    check_named(nodes)
    rows = [n.name for n in nodes if n.role == Atspi.Role.LIST_ITEM]
    assert any(r.startswith('The last reset (') and ') did NOT erase /var. Its data is still there' in r
               for r in rows), rows

    write_last_reset(s, 'complete', [('recreated', '50-var.conf', '/var'), ('recreated', '60-home.conf', '/home')])
    wait_for(lambda: any(n.name.endswith(') is complete. Erased and created anew: /var, /home')
                         for n in app.tree(window) if n.role == Atspi.Role.LIST_ITEM), 'the row')
    assert not [n.name for n in app.tree(window) if n.name == banner]
    done(s, app)


# --- the agent's dialog ----------------------------------------------------

def test_hold_window_is_accessible_and_closes():
    s = Desktop(hold_sec=LONG_HOLD_SEC)
    agent = s.agent()
    held = []

    def hold_window(window):
        nodes = agent.tree(window)
        check_named(nodes)
        bars = [n for n in nodes if n.role == Atspi.Role.PROGRESS_BAR]
        assert len(bars) == 1 and bars[0].name == 'How long the key was held', nodes
        # The gesture in words, as in the dialog, not the trigger's name.
        words = f'Hold the restart key for {LONG_HOLD_SEC} seconds'
        assert [n for n in nodes if n.role == Atspi.Role.LABEL and f'(“{words}”)' in n.name], nodes
        held.append(window)

    window, request_id, _ = s.dialog(agent, hold_window)
    assert held
    assert agent.window('Keep Holding to Reset') is None
    press_with_keyboard(agent, window, 'Cancel')
    declined(s, agent, request_id, 'cancel')
    done(s, agent)


def test_dialog_appears_within_1s_with_accessible_tree():
    s = Desktop()
    agent = s.agent()
    # Nothing but the wait for the dialog talks to AT-SPI while the key is
    # held, so that the time measured is the agent's: once, in a full run,
    # walking the hold window's tree here stalled the test for 14 s, which
    # a repeat of the same test alone (30 ms) did not show.
    window, request_id, seen = s.dialog(agent)
    assert seen < 1.0, f'the dialog was seen {seen:.3f}s after the hold completed'
    print(f'   dialog seen through AT-SPI {seen * 1000:.0f} ms after the hold completed')
    nodes = agent.tree(window)
    check_named(nodes)
    assert Node_names(nodes, 'Erase everything on this computer?')
    # Cancel has the focus; Reset waits for "I understand…".
    assert wait_for(lambda: agent.focused(window), 'focus').name == 'Cancel'
    reset = agent.find(Atspi.Role.PUSH_BUTTON, 'Reset', window)
    assert not reset.sensitive
    check = [n for n in nodes if n.role == Atspi.Role.CHECK_BOX]
    assert len(check) == 1 and not check[0].checked, nodes
    order = tab_cycle(agent, window)
    for name in ('More Time', 'Cancel', check[0].name):
        assert name in order, order
    assert 'Reset' not in order, order
    # The countdown was announced when the dialog opened (when its window
    # became active, which may come after the request line), once.
    agent.expect(f'announce {request_id} ')
    announced = [line for line in agent.said + agent.drain() if line.startswith(f'announce {request_id} ')]
    assert len(announced) == 1 and 'declined in' in announced[0], agent.said

    # More Time moves the deadline (ExtendConfirmation).
    press_with_keyboard(agent, window, 'More Time')
    assert agent.expect(f'extend {request_id}') == f'extend {request_id} ok'
    assert agent.expect(f'announce {request_id}').startswith(f'announce {request_id} More time given.')
    assert s.start_unit_calls() == []
    done(s, agent)


def test_dialog_names_the_device_and_the_gesture():
    """The dialog says which device (its kernel name, not its node) and
    which gesture (in words, not the trigger's Name=) asked."""
    s = Desktop()
    agent = s.agent()
    window, request_id, _ = s.dialog(agent)
    names = [n.name for n in agent.tree(window)]
    said = ASKED_WITH_DEVICE % ('Hold the restart key for 1 second', f'Reset Button {s.buttons}')
    assert said in names, names
    # Said by screen readers as the dialog opens, with its name.
    assert window.get_description() == said, window.get_description()
    assert not [n for n in names if '/dev/input' in n or 'reset-key' in n], names
    key(Escape)
    declined(s, agent, request_id, 'escape')
    done(s, agent)


def Node_names(nodes, name):
    return [n for n in nodes if n.name == name]


def test_dialog_keyboard_confirmation_starts_once():
    s, agent, window, request_id = asked()
    check_name = next(n.name for n in agent.tree(window) if n.role == Atspi.Role.CHECK_BOX)
    press_with_keyboard(agent, window, check_name)
    wait_for(lambda: agent.find(Atspi.Role.PUSH_BUTTON, 'Reset', window).sensitive,
             'Reset to become sensitive once "I understand" is checked')
    assert s.start_unit_calls() == []
    press_with_keyboard(agent, window, 'Reset')
    assert agent.expect(f'confirm {request_id}') == f'confirm {request_id} started'
    s.wait_log('confirmed in session c1 (uid 0)')
    wait_for(lambda: not agent.listed(), 'the dialog to close')
    time.sleep(0.5)
    assert len(s.start_unit_calls()) == 1, s.start_unit_calls()
    done(s, agent)


def test_dialog_cancel_declines():
    s, agent, window, request_id = asked()
    # Cancel has the focus: Space presses it.
    assert wait_for(lambda: agent.focused(window), 'focus').name == 'Cancel'
    key(Space)
    declined(s, agent, request_id, 'cancel')
    done(s, agent)


def extents(node):
    """(x, y, width, height) of an accessible object, relative to its
    window."""
    e = node.get_component_iface().get_extents(Atspi.CoordType.WINDOW)
    return e.x, e.y, e.width, e.height


def first_focus_is_cancel(size):
    """On a screen of that size, the dialog fits the screen with its
    buttons and the countdown in sight, its first focus is Cancel, and
    Enter alone declines: nothing starts."""
    s = Desktop(screen_size=size)
    agent = s.agent()
    window, request_id, _ = s.dialog(agent)
    width, height = s.screen.size
    _, _, w, h = extents(window)
    assert w <= width and h <= height, f'the dialog ({w}x{h}) is larger than the {width}x{height} screen'
    for name in ('More Time', 'Cancel', 'Reset'):
        x, _, bw, _ = extents(agent.find(Atspi.Role.PUSH_BUTTON, name, window).acc)
        assert 0 <= x and x + bw <= w, f'{name} ({x}+{bw}) is cut off in a dialog {w} wide'
    # The countdown is in sight without scrolling.
    countdown = [n for n in agent.tree(window) if n.role == Atspi.Role.LABEL and 'declined in' in n.name]
    assert len(countdown) == 1, agent.tree(window)
    _, y, _, ch = extents(countdown[0].acc)
    assert 0 <= y and y + ch <= h, f'the countdown ({y}+{ch}) is out of sight in a dialog {h} high'
    focused = wait_for(lambda: agent.focused(window), 'focus')
    assert (focused.role, focused.name) == (Atspi.Role.PUSH_BUTTON, 'Cancel'), focused
    key(Return)
    declined(s, agent, request_id, 'cancel')
    assert not [line for line in agent.said if line.startswith('confirm')], agent.said
    done(s, agent)


def test_dialog_first_focus_is_cancel_on_a_phone():
    first_focus_is_cancel(PHONE)


def test_dialog_first_focus_is_cancel_on_a_desktop():
    first_focus_is_cancel(DESKTOP_SIZE)


def test_dialog_escape_declines():
    s, agent, window, request_id = asked()
    # Checking "I understand" does not change what Escape means.
    check_name = next(n.name for n in agent.tree(window) if n.role == Atspi.Role.CHECK_BOX)
    press_with_keyboard(agent, window, check_name)
    key(Escape)
    declined(s, agent, request_id, 'escape')
    done(s, agent)


def test_dialog_countdown_declines_and_is_announced_sparingly():
    # 12 s: the dialog counts down to 1 s before the daemon's deadline, so
    # it announces at the start and at 10 s left, and declines at 0.  What
    # counts here is what the agent says and does, so the test does not wait
    # for AT-SPI to list the dialog: in two full runs AT-SPI listed it only
    # after more than 11 s (once 14 s), when this dialog is already gone.
    s = Desktop(timeout='12s')
    agent = s.agent()
    s.start_hold()
    request_id = int(agent.expect('request ', timeout=20).split()[1])
    assert agent.expect(f'decline {request_id}', timeout=15) == f'decline {request_id} timeout'
    s.wait_log('not confirmed: declined in session c1')
    wait_for(lambda: not agent.listed(), 'the dialog to close')
    announced = [line for line in agent.said if line.startswith(f'announce {request_id} ')]
    assert len(announced) == 2, announced
    assert 'in 10 seconds' in announced[1], announced
    assert s.start_unit_calls() == []
    done(s, agent)


def test_agent_registers_again_when_daemon_restarts():
    s = Desktop()
    agent = s.agent()
    s.daemon.terminate()
    s.daemon.wait(10)
    assert agent.expect('daemon-gone')
    s.log.clear()
    s.start_daemon(DESKTOP.format(timeout='60s'), input_devices=True)
    agent.expect('registered')
    s.wait_log('Session agent registered for session c1 on seat0')
    _, request_id, _ = s.dialog(agent)
    key(Escape)
    assert agent.expect(f'decline {request_id}') == f'decline {request_id} escape'
    done(s, agent)



# login1 fails the first GetSessionByPID (busy, restarting): hotkeyd answers
# RegisterAgent with Failed, a refusal that passes.
FLAKY_SESSION_BY_PID = """
self.hk_session_calls = getattr(self, "hk_session_calls", 0) + 1
if self.hk_session_calls == 1:
    raise dbus.exceptions.DBusException("logind is busy", name="org.freedesktop.DBus.Error.Failed")
""" + GET_SESSION_BY_PID


def test_agent_registers_again_after_a_passing_refusal():
    s = Desktop()
    s.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o', FLAKY_SESSION_BY_PID)
    agent = s.screen.app('--agent', gated=True)
    s.session_path = s.session('c1', 'seat0', 0, agent.pid)
    agent.open_gate()
    agent.expect('register-retry')
    agent.expect('registered', timeout=5)
    s.wait_log('Session agent registered for session c1 on seat0')
    _, request_id, _ = s.dialog(agent)
    key(Escape)
    assert agent.expect(f'decline {request_id}') == f'decline {request_id} escape'
    done(s, agent)

# --- in other languages ------------------------------------------------------

def seen_in(lang):
    """With LANGUAGE=lang, the window and the agent's dialog show the
    translations of po/LANG.po (the msgstr values, read from the file)."""
    po = Catalogue(lang)
    assert po('Reset this computer') != 'Reset this computer'
    s = Desktop(timeout='25s', hold_sec=LONG_HOLD_SEC)
    hold_titles = []

    app = s.window(language=lang)
    window = app.windows()[0]
    assert window.get_name() == po('Factory Reset')
    nodes = app.tree(window)
    assert only(nodes, Atspi.Role.LABEL, po('Reset this computer'))
    assert only(nodes, Atspi.Role.LABEL, po('Current state: %s') % po('No reset requested'))
    assert only(nodes, Atspi.Role.LABEL, po('A factory reset erases your files, accounts and settings and returns '
                                            'the computer to the state it was in when it was installed.'))
    for heading in ('What will be erased', 'What happens next', 'Confirm', GESTURES_HEADING):
        assert only(nodes, Atspi.Role.LABEL, po(heading))
    # No device has the trigger's key yet; then one comes.
    rows = gesture_rows(app, window, po(GESTURES_HEADING))
    assert rows == [f'{po(NO_GESTURE)}. {po(NO_GESTURE_DETAILS)}'], rows
    s.plug(s.add_device('Restart Key', ['KEY_RESTART']))
    hold = c_format(po.ngettext(HOLD_WORDS, LONG_HOLD_SEC), po('the restart key', 'key'), LONG_HOLD_SEC)
    wait_for(lambda: gesture_rows(app, window, po(GESTURES_HEADING)) == [hold], 'the gesture in the window')
    nodes = app.tree(window)
    rows = [n.name for n in nodes if n.role == Atspi.Role.LIST_ITEM]
    assert f"{po('No partition is marked to be erased')}. {po('No partition definition says FactoryReset=yes.')}" \
        in rows, rows
    first_step = po('%u. %s') % (1, po('The computer restarts'))
    assert f"{first_step}. {po('Save your work first: open applications are closed.')}" in rows, rows
    reset = only(nodes, Atspi.Role.PUSH_BUTTON, po.label('_Reset Computer…'))
    assert reset.description == po('Erases everything listed above and restarts the computer. Available once the '
                                   'name of this computer is typed above; you may be asked for an administrator '
                                   'password.')
    entry = [n for n in nodes if n.role == Atspi.Role.TEXT]
    assert len(entry) == 1, nodes
    assert entry[0].description == po('To confirm, type the name of this computer: %s') % socket.gethostname()
    assert app.stop() == 0, app.errors[-30:]

    agent = s.agent(language=lang)
    window, request_id, _ = s.dialog(agent, lambda w: hold_titles.append(w.get_name()), po)
    assert hold_titles == [po('Keep Holding to Reset')]
    nodes = agent.tree(window)
    names = [n.name for n in nodes]
    assert po('Erase everything on this computer?') in names, names
    assert c_format(po(ASKED_WITH_DEVICE), hold, f'Reset Button {s.buttons}') in names, names
    for label, description in (
            ('_More Time', 'Restarts the countdown, as often as you need'),
            ('_Cancel', 'Declines the factory reset; nothing is erased. Escape does the same.'),
            ('_Reset', 'Erases everything listed above and restarts the computer. Available once “I understand” '
                       'is checked.')):
        assert only(nodes, Atspi.Role.PUSH_BUTTON, po.label(label)).description == po(description)
    assert only(nodes, Atspi.Role.CHECK_BOX, po.label('I _understand that everything listed above will be erased'))
    assert wait_for(lambda: agent.focused(window), 'focus').name == po.label('_Cancel')
    # The countdown in the plural form of its number: any form of the
    # message, with the number that the language's Plural-Forms picks it for.
    countdown = 'Without an answer, this request is declined in %d second.'
    forms = [re.compile(re.escape(f).replace('%d', r'(\d+)') + '$') for f in po.plural_forms(countdown)]
    shown = [(n, int(m.group(1))) for n in names for f in forms for m in [f.match(n)] if m]
    assert len(shown) == 1, names
    assert shown[0][0] == po.ngettext(countdown, shown[0][1]) % shown[0][1], shown
    # What a screen reader announced when the dialog opened.
    announced = next((line for line in agent.said if line.startswith(f'announce {request_id} ')), None) or \
        agent.expect(f'announce {request_id} ')
    opening = po('A factory reset was requested. Confirm or cancel it. %s').split('%s')[0]
    assert announced.startswith(f'announce {request_id} {opening}'), announced
    key(Escape)
    declined(s, agent, request_id, 'escape')
    done(s, agent)


def test_window_and_dialog_in_german():
    seen_in('de')


def test_window_and_dialog_in_polish():
    seen_in('pl')


def test_window_and_dialog_in_french():
    seen_in('fr')


def test_window_and_dialog_in_spanish():
    seen_in('es')


# --- how it looks ------------------------------------------------------------

def png_size(path):
    """(width, height) from a PNG's header."""
    with open(path, 'rb') as png:
        head = png.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', f'{path} is no PNG'
    return struct.unpack('>II', head[16:24])


def check_fits(app, window, path, last, screen_width):
    """The picture shows the whole content: every showing label, control
    and row of the window lies inside it (nothing cut off at a side or at
    the bottom), the last control (last) included, and the window is no
    wider than the screen."""
    width, height = png_size(path)
    assert width <= screen_width, f'{path} is {width} px wide, the screen {screen_width}'
    # GTK's own window controls are left out: they reach into the frame.
    nodes = [n for n in app.tree(window)
             if n.role in NAMED_ROLES + (Atspi.Role.LIST_ITEM,) and n.name not in WINDOW_CONTROLS]
    assert [n for n in nodes if n.name == last], f'no {last!r} in {nodes}'
    for n in nodes:
        x, y, w, h = extents(n.acc)
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, \
            f'{n} at {x},{y} {w}x{h} is not inside {path} ({width}x{height}; the window: {extents(window)})'


def screenshots(look, size, where):
    """window.png and dialog.png in one look, under where/LOOK/ (the
    build directory's screenshots/ for review), each of the whole content.
    One look per test: an ASan build on two loaded cores needs about 25 s
    for each."""
    s = Desktop(triggers=GESTURES, screen_size=size)
    screen_width, _ = s.screen.size
    s.plug_gesture_keys()
    s.plug(s.add_device('Restart Key', ['KEY_RESTART']))
    out = os.path.join(where, look)
    for f in ('window.png', 'dialog.png'):
        if os.path.exists(os.path.join(out, f)):
            os.unlink(os.path.join(out, f))
    window = s.window(look=look, screenshot_dir=out)
    # Up to three rounds of growing, each a frame and 0.7 s, before the
    # picture: an ASan build on loaded cores needed over 10 s.
    assert window.expect('screenshot', timeout=30) == f'screenshot {out}/window.png'
    check_fits(window, window.windows()[0], os.path.join(out, 'window.png'), 'Reset Computer…', screen_width)
    assert window.stop() == 0, window.errors[-30:]
    agent = s.agent(look=look, screenshot_dir=out)
    dialog, request_id, _ = s.dialog(agent)
    assert agent.expect('screenshot', timeout=30) == f'screenshot {out}/dialog.png'
    check_fits(agent, dialog, os.path.join(out, 'dialog.png'), 'Reset', screen_width)
    key(Escape)
    agent.expect(f'decline {request_id}')
    assert agent.stop() == 0, agent.errors[-30:]
    assert s.start_unit_calls() == []
    assert s.stop() == 0


def test_screenshots_light():
    screenshots('light', DESKTOP_SIZE, SCREENSHOTS)


def test_screenshots_light_on_a_phone():
    screenshots('light', PHONE, os.path.join(SCREENSHOTS, 'phone'))


def test_screenshots_dark():
    screenshots('dark', DESKTOP_SIZE, SCREENSHOTS)


def test_screenshots_dark_on_a_phone():
    screenshots('dark', PHONE, os.path.join(SCREENSHOTS, 'phone'))


def test_screenshots_large_text():
    screenshots('large-text', DESKTOP_SIZE, SCREENSHOTS)


def test_screenshots_large_text_on_a_phone():
    screenshots('large-text', PHONE, os.path.join(SCREENSHOTS, 'phone'))


def test_screenshots_high_contrast():
    screenshots('high-contrast', DESKTOP_SIZE, SCREENSHOTS)


def test_screenshots_high_contrast_on_a_phone():
    screenshots('high-contrast', PHONE, os.path.join(SCREENSHOTS, 'phone'))


if __name__ == '__main__':
    run_tests(globals())
