#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Orca screen reader SPEAKS of factory-reset: the session agent's
confirmation dialog after a hold, and the window when it opens.

The testbed is test-gui.py's (imported, not copied): hotkeyd on the
private system bus of system_testbed.py with real polkitd and
io.systemd.FactoryReset, dbusmock systemd1/login1, a umockdev key for the
hold, Xvfb and a session bus with AT-SPI (gui_testbed.Screen).  On that
screen runs the real Orca 51 with speech-dispatcher (orca_testbed.py);
each test asserts on the utterances Orca logged through its test hook
(SpeechPresenter.SetLogFileForTesting), which are what it handed to the
speech server, in order.

Keys: single keys as test-gui.py types them, AT-SPI's key synthesis
(XTest into Xvfb, so Orca's key watcher sees them as a person's keys);
Shift+Tab with xdotool in the same display (AT-SPI's synthesis has no
chord of a modifier and a key).  Orca watches the keyboard too: a key
reaches GTK through the X server whatever Orca does with it.

meson runs each test in a mount and network namespace of its own
(meson.build): Xvfb's, the session bus's and speech-dispatcher's abstract
or named sockets cannot meet another test's.  Not a PID namespace: in one
systemd-factory-reset sees a container and reports no EFI boot.  The
testbed ends every process it started (speech-dispatcher runs in single
mode, as its child)."""

import importlib
import subprocess
import time

from gui_testbed import Atspi, DESKTOP_SIZE, PHONE, key, wait_for
from hotkeyd_testbed import run_tests
from orca_testbed import Orca
from system_testbed import RESET_PLUGIN_DESCRIPTION

gui = importlib.import_module('test-gui')
Tab, Space, Escape, Return = gui.Tab, gui.Space, gui.Escape, gui.Return

TITLE = 'Factory Reset'
QUESTION = 'Erase everything on this computer?'
INTRO = ('A factory reset was requested with the gesture “Hold the restart key for 1 second” on “Reset Button %d”. '
         'If that was not you, or not on purpose, choose Cancel.')
ERASED_HEADING = 'What will be erased'
# What the testbed's daemon says a reset erases (no repart.d definitions,
# no TPM, the testbed's reset plug-in).
ERASED = ('No partition is marked to be erased', RESET_PLUGIN_DESCRIPTION)
CHECK = 'I understand that everything listed above will be erased'
RESET_DOES = 'Erases everything listed above and restarts the computer'
SUPPORTED_HEADING = 'Reset this computer'
SUPPORTED_BODY = ('A factory reset erases your files, accounts and settings and returns the computer to the state it '
                  'was in when it was installed.')


def is_control(utterance):
    """An utterance that presents a focused control: its name and role."""
    return utterance.endswith(' button') or ' check box' in utterance


def shift_tab(screen):
    subprocess.run(['xdotool', 'key', 'shift+Tab'], env=screen.env, check=True)
    time.sleep(0.1)


def opened(size=DESKTOP_SIZE, timeout='60s'):
    """Orca running, then a hold and the dialog.  Returns (testbed, Orca,
    agent, window, request id, what Orca spoke up to and including the
    first control it presented)."""
    s = gui.Desktop(screen_size=size, timeout=timeout)
    orca = Orca(s.screen)
    agent = s.agent()
    window, request_id, _ = s.dialog(agent)
    said = orca.speech.wait(lambda said: any(is_control(u) for u in said), 'a control of the dialog')
    first = next(i for i, u in enumerate(said) if is_control(u))
    return s, orca, agent, window, request_id, said[:first + 1]


def spoken_on_opening(size):
    """Nobody touches a key: Orca says the dialog's title, the question,
    who asked and what will be erased, and the first control it presents
    is Cancel, which has the focus."""
    s, orca, agent, window, _, said = opened(size)
    print('   spoken:', said)
    text = ' '.join(said)
    assert any(u.endswith(TITLE) for u in said), said
    for words in (QUESTION, INTRO % s.buttons, ERASED_HEADING, *ERASED):
        assert words in text, f'{words!r} not spoken before the first control: {said}'
    assert said[-1] == 'Cancel button', said
    focused = agent.focused(window)
    assert (focused.role, focused.name) == (Atspi.Role.PUSH_BUTTON, 'Cancel'), focused
    assert s.start_unit_calls() == []
    gui.done(s, agent)


def test_spoken_on_opening_on_a_phone():
    spoken_on_opening(gui.PHONE)


def test_spoken_on_opening_on_a_desktop():
    spoken_on_opening(DESKTOP_SIZE)


def enter_declines(size):
    """Enter, the first key after the dialog is spoken, presses Cancel:
    a Decline, nothing starts."""
    s, orca, agent, window, request_id, said = opened(size)
    assert said[-1] == 'Cancel button', said
    key(Return)
    gui.declined(s, agent, request_id, 'cancel')
    assert not [line for line in agent.said if line.startswith('confirm')], agent.said
    time.sleep(0.5)
    assert s.start_unit_calls() == []
    gui.done(s, agent)


def test_enter_declines_on_a_phone():
    enter_declines(PHONE)


def test_enter_declines_on_a_desktop():
    enter_declines(DESKTOP_SIZE)


def next_control(orca, press):
    """Presses a key; returns what Orca said of the control it moved to."""
    mark = orca.speech.mark()
    press()
    orca.speech.wait(lambda said: any(is_control(u) for u in said), 'the next control', timeout=10, mark=mark)
    # What follows the name and role (the description) comes with the same
    # focus event: all of it once Orca has nothing left to do.
    orca.wait_idle()
    said = orca.speech.since(mark)
    return said[[i for i, u in enumerate(said) if is_control(u)][0]:]


def test_tab_and_shift_tab_speak_every_control():
    """Tab and Shift+Tab go round the dialog's controls, each spoken with
    its name and role; once "I understand" is checked, Reset is reached too
    and Orca says what it does."""
    s, orca, agent, window, request_id, said = opened()
    assert said[-1] == 'Cancel button', said
    forward = [next_control(orca, lambda: key(Tab))]
    while forward[-1][0] != 'Cancel button':  # round again
        assert len(forward) < 6, forward
        forward.append(next_control(orca, lambda: key(Tab)))
    print('   Tab:', forward)
    names = [f[0] for f in forward]
    assert f'{CHECK} check box not checked' in names, forward
    assert 'More Time button' in names, forward
    assert 'Reset button' not in names, forward  # not before "I understand"
    # Every control with its description after it.
    for f in forward:
        assert len(f) > 1 and f[-1] and not is_control(f[-1]), forward
    backward = [next_control(orca, lambda: shift_tab(s.screen)) for _ in forward]
    print('   Shift+Tab:', backward)
    assert [b[0] for b in backward] == list(reversed(names[:-1])) + ['Cancel button'], (forward, backward)

    # To "I understand", check it: Orca says so; then Reset is reached.
    while agent.focused(window).name != CHECK:
        key(Tab)
    mark = orca.speech.mark()
    key(Space)
    orca.speech.wait(lambda said: any(u.strip() == 'checked' or u.endswith(' checked') and 'not checked' not in u
                                      for u in said), '"checked"', mark=mark)
    round_trip = [next_control(orca, lambda: key(Tab)) for _ in range(5)]
    print('   Tab, checked:', round_trip)
    reset = [r for r in round_trip if r[0] == 'Reset button']
    assert len(reset) == 1, round_trip
    assert any(RESET_DOES in u for u in reset[0]), reset
    assert s.start_unit_calls() == []
    key(Escape)
    gui.declined(s, agent, request_id, 'escape')
    gui.done(s, agent)


def test_countdown_and_more_time_are_spoken():
    """The opening announcement and the one at 10 s left are spoken when
    they are due; More Time is spoken with its effect."""
    s, orca, agent, window, request_id, said = opened(timeout='15s')
    # The dialog counts down to 1 s before the daemon's deadline: 14 s.
    opening = orca.speech.wait_for_text('A factory reset was requested. Confirm or cancel it.', timeout=5, mark=0)
    print('   opening:', [u for u in opening if 'Confirm or cancel' in u])
    line = agent.expect(f'announce {request_id} Without an answer', timeout=10)
    due = time.monotonic()
    assert line.endswith('declined in 10 seconds.'), line
    orca.speech.wait_for_text('this request is declined in 10 seconds.', timeout=3, mark=0)
    print(f'   "10 seconds" spoken {time.monotonic() - due:.2f}s after it was announced')
    gui.press_with_keyboard(agent, window, 'More Time')
    mark = orca.speech.mark()
    assert agent.expect(f'extend {request_id}') == f'extend {request_id} ok'
    more = orca.speech.wait_for_text('More time given.', timeout=5, mark=max(mark - 3, 0))
    extended = [u for u in more if u.startswith('More time given.')]
    print('   More Time:', extended)
    assert 'this request is declined in 14 seconds' in extended[0], extended
    # The keyboard is where it was: on More Time (Escape below needs the
    # focus in the dialog).
    focused = wait_for(lambda: agent.focused(window), 'a focused control after More Time', timeout=5)
    assert focused.name == 'More Time', focused
    assert s.start_unit_calls() == []
    key(Escape)
    gui.declined(s, agent, request_id, 'escape')
    gui.done(s, agent)


def test_escape_declines():
    s, orca, agent, window, request_id, said = opened()
    key(Escape)
    gui.declined(s, agent, request_id, 'escape')
    s.wait_log('declined in session c1')
    time.sleep(0.5)
    assert s.start_unit_calls() == []
    gui.done(s, agent)


def test_keyboard_only_reset_starts_once():
    """Tab to "I understand", Space, Tab to Reset, Space: each step spoken,
    and the target is started exactly once."""
    s, orca, agent, window, request_id, said = opened()
    spoken = [next_control(orca, lambda: key(Tab))[0]]
    while spoken[-1] != f'{CHECK} check box not checked':
        assert len(spoken) < 5, spoken
        spoken.append(next_control(orca, lambda: key(Tab))[0])
    mark = orca.speech.mark()
    key(Space)
    orca.speech.wait(lambda said: any(u.endswith('checked') and 'not checked' not in u for u in said),
                     '"checked"', mark=mark)
    while spoken[-1] != 'Reset button':
        assert len(spoken) < 10, spoken
        spoken.append(next_control(orca, lambda: key(Tab))[0])
    print('   spoken:', spoken)
    assert s.start_unit_calls() == []
    key(Space)
    assert agent.expect(f'confirm {request_id}') == f'confirm {request_id} started'
    s.wait_log('confirmed in session c1 (uid 0)')
    wait_for(lambda: not agent.listed(), 'the dialog to close')
    time.sleep(0.5)
    assert len(s.start_unit_calls()) == 1, s.start_unit_calls()
    gui.done(s, agent)


UNAVAILABLE = 'Factory reset is not available'


def window_speaks(s, first, then):
    """Orca runs; the window is started: without a key pressed, Orca says
    first and then (in one utterance or more), and both are words the
    window shows.  Nothing here asks the window for its accessible tree
    before they are spoken: Orca alone must find them."""
    orca = Orca(s.screen)
    app = s.screen.app()
    said = orca.speech.wait_for_text(first, timeout=10, mark=0)
    print('   spoken:', said)
    assert any(then in u for u in said), said
    window = wait_for(lambda: app.windows(), 'the window')[0]
    names = [n.name for n in app.tree(window)]
    assert first in names and then in names, names
    assert s.start_unit_calls() == []
    gui.done(s, app)


def test_unsupported_window_speaks_the_reason():
    """On a system hotkeyd cannot reset (no EFI), Orca says why, in the
    words the window shows (hotkeyd's UnsupportedReason).  The window has
    no reset control: what is spoken must come from the window opening
    alone."""
    s = gui.Desktop(efi=False)
    reason = str(s.prop('UnsupportedReason'))
    assert reason and s.prop('Supported') == False
    window_speaks(s, reason, UNAVAILABLE)


def test_supported_window_speaks_its_heading():
    """Where a reset can be requested, Orca says what the window is for
    (its heading and the sentence under it), not silence."""
    s = gui.Desktop()
    assert s.prop('Supported') == True
    window_speaks(s, SUPPORTED_HEADING, SUPPORTED_BODY)


if __name__ == '__main__':
    run_tests(globals())
