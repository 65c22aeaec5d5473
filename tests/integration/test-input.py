#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hotkeyd --dry-run against umockdev-emulated evdev devices.

Each test_* function is registered as its own meson test
(tests/integration/meson.build); run one by hand with
    umockdev-wrapper tests/integration/test-input.py NAME
with HOTKEYD pointing at the built daemon.
"""

import os
import re
import signal
import sys
import tempfile
import time

from hotkeyd_testbed import DEVICE_CLASSES, HOLD_AND_PRESSES, Testbed, run_tests

POWER_3S = """
[Trigger]
Name=power
Keys=KEY_POWER
HoldSec=3
ProgressSec=1
"""

PRESSES_3 = """
[Trigger]
Name=presses
Keys=KEY_POWER
Presses=3
WithinSec={within}
"""

# How late a completion may be reported, measured from the moment the key
# press is due (replay start + its evemu time) plus HoldSec.
ON_TIME_SLACK = 0.100


def power_button(bed, seat=None):
    return bed.add_device('Power Button', ['KEY_POWER'], seat=seat)


def keyboard(bed, seat=None, with_power=True):
    keys = ['KEY_ESC', 'KEY_1', 'KEY_A', 'KEY_S', 'KEY_D', 'KEY_F', 'KEY_ENTER', 'KEY_SPACE',
            'KEY_MUTE', 'KEY_VOLUMEDOWN', 'KEY_VOLUMEUP']
    if with_power:
        keys.append('KEY_POWER')
    return bed.add_device('AT Translated Set 2 keyboard', keys, seat=seat)


def field(line, name):
    m = re.search(rf'\b{name}=(\S+)', line)
    assert m, f'no {name}= in {line!r}'
    return m.group(1)


def test_hold_6s_triggers_on_time():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed)
    bed.plug(dev)
    t0 = dev.play([(0.1, 'KEY_POWER', 1), (6.1, 'KEY_POWER', 0)])

    t_trigger, line = bed.wait_line('trigger ', timeout=8)
    assert line == 'trigger trigger=power seat=seat0 held_ms=3000', line
    delay = t_trigger - (t0 + 0.1 + 3.0)
    print(f'trigger reported {delay * 1000:.1f} ms after HoldSec')
    assert -0.010 <= delay <= ON_TIME_SLACK, f'trigger {delay * 1000:.1f} ms off HoldSec'

    bed.settle(3.5)
    assert bed.texts() == [
        f'hold-start trigger=power seat=seat0 device={dev.devnode}',
        'hold-progress trigger=power elapsed_ms=1000 total_ms=3000',
        'hold-progress trigger=power elapsed_ms=2000 total_ms=3000',
        'trigger trigger=power seat=seat0 held_ms=3000',
    ], bed.texts()
    assert bed.stop() == 0


def test_release_half_second_early_cancels():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed)
    bed.plug(dev)
    dev.play([(0.1, 'KEY_POWER', 1), (2.6, 'KEY_POWER', 0)])

    _, line = bed.wait_line('hold-cancel', timeout=5)
    elapsed = int(field(line, 'elapsed_ms'))
    assert 2400 <= elapsed <= 2600, line
    bed.settle(1.5)  # past the time the hold would have completed
    assert not any(t.startswith('trigger') for t in bed.texts()), bed.texts()
    assert bed.stop() == 0


def test_device_removed_mid_hold_cancels():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed)
    bed.plug(dev)
    dev.play([(0.1, 'KEY_POWER', 1)])
    bed.wait_line('hold-start', timeout=2)
    bed.settle(1.0)
    dev.unplug()
    bed.wait_log(f'Stopped watching {dev.devnode}')
    _, line = bed.wait_line('hold-cancel', timeout=2)
    assert line.startswith('hold-cancel trigger=power elapsed_ms='), line
    bed.settle(3.0)
    assert not any(t.startswith('trigger') for t in bed.texts()), bed.texts()
    assert bed.stop() == 0


def test_flood_of_other_keys_produces_nothing():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = keyboard(bed)
    bed.plug(dev)
    # 500 key events a second, far beyond any typist.  Denser floods fill
    # the emulated node's pty whenever the daemon is slowed down (an ASan
    # build on a busy machine), and umockdev then splits an event across two
    # writes (a real evdev node never returns part of an event): libevdev
    # rejects the partial read and the daemon rightly drops the device; that
    # would test umockdev, not us.  Seen once at 1000/s: an ASan run
    # dropped the device while other builds and a QEMU guest ran alongside.
    events = []
    t = 0.05
    for i in range(1000):
        key = ['KEY_A', 'KEY_S', 'KEY_D', 'KEY_F', 'KEY_VOLUMEUP'][i % 5]
        events += [(t, key, 1), (t + 0.001, key, 2), (t + 0.002, key, 0)]
        t += 0.006
    dev.play(events)
    bed.settle(t + 1.0)
    assert bed.texts() == [], bed.texts()
    # Still reading the device: the flood must not have cost us the keyboard.
    assert not any('dropping the device' in line or f'Stopped watching {dev.devnode}' in line
                   for line in bed.log), bed.log
    assert bed.daemon.poll() is None
    assert bed.stop() == 0


def test_chord_across_two_devices_triggers():
    bed = Testbed()
    bed.start("""
[Trigger]
Name=tablet
Keys=KEY_POWER KEY_VOLUMEDOWN
HoldSec=2
""")
    button = power_button(bed)
    kbd = keyboard(bed, with_power=False)
    bed.plug(button)
    bed.plug(kbd)
    # umockdev delivers the first event of a replay at once, so two replays
    # started back to back race each other (seen under ASan: the keyboard's
    # key arrived last).  The power key goes down 0.2 s after the other.
    kbd.play([(0.0, 'KEY_VOLUMEDOWN', 1), (3.4, 'KEY_VOLUMEDOWN', 0)])
    time.sleep(0.2)
    t_power = button.play([(0.0, 'KEY_POWER', 1), (3.2, 'KEY_POWER', 0)])

    _, start = bed.wait_line('hold-start', timeout=3)
    assert start == f'hold-start trigger=tablet seat=seat0 device={button.devnode}', start
    t_trigger, line = bed.wait_line('trigger ', timeout=4)
    assert line == 'trigger trigger=tablet seat=seat0 held_ms=2000', line
    delay = t_trigger - (t_power + 2.0)
    assert delay <= ON_TIME_SLACK + 0.05, f'{delay * 1000:.1f} ms late'
    assert bed.stop() == 0


def test_chord_across_two_seats_does_not_trigger():
    bed = Testbed()
    bed.start("""
[Trigger]
Name=tablet
Keys=KEY_POWER KEY_VOLUMEDOWN
HoldSec=1
""")
    button = power_button(bed, seat='seat0')
    kbd = keyboard(bed, seat='seat1', with_power=False)
    bed.plug(button)
    bed.plug(kbd)
    kbd.play([(0.1, 'KEY_VOLUMEDOWN', 1), (2.5, 'KEY_VOLUMEDOWN', 0)])
    button.play([(0.1, 'KEY_POWER', 1), (2.5, 'KEY_POWER', 0)])
    bed.settle(3.0)
    # No gesture; the power key's press was an ordinary one.
    assert bed.texts() == ['short-press key=KEY_POWER seat=seat0'], bed.texts()
    assert bed.stop() == 0


def test_multi_press_triggers():
    bed = Testbed()
    bed.start(PRESSES_3.format(within=2))
    dev = power_button(bed)
    bed.plug(dev)
    dev.play([(0.1, 'KEY_POWER', 1), (0.2, 'KEY_POWER', 0),
              (0.5, 'KEY_POWER', 1), (0.6, 'KEY_POWER', 0),
              (0.9, 'KEY_POWER', 1), (1.0, 'KEY_POWER', 0)])
    _, line = bed.wait_line('trigger ', timeout=3)
    assert line == 'trigger trigger=presses seat=seat0 presses=3', line
    bed.settle(0.5)
    assert bed.texts() == [line], bed.texts()
    assert bed.stop() == 0


def test_autorepeat_neither_restarts_nor_completes():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = keyboard(bed)
    bed.plug(dev)
    events = [(0.1, 'KEY_POWER', 1)]
    events += [(0.6 + i * 0.1, 'KEY_POWER', 2) for i in range(15)]
    events += [(2.0, 'KEY_POWER', 0)]
    dev.play(events)
    bed.wait_line('hold-cancel', timeout=4)
    bed.settle(1.5)
    texts = bed.texts()
    assert texts[0] == f'hold-start trigger=power seat=seat0 device={dev.devnode}', texts
    assert texts[1] == 'hold-progress trigger=power elapsed_ms=1000 total_ms=3000', texts
    assert texts[2].startswith('hold-cancel trigger=power elapsed_ms=19'), texts
    assert texts[3] == 'short-press key=KEY_POWER seat=seat0', texts
    assert len(texts) == 4, texts
    assert bed.stop() == 0


def test_device_without_trigger_key_is_not_watched():
    bed = Testbed()
    bed.start(POWER_3S, ['--log-level=debug'])
    dev = keyboard(bed, with_power=False)
    dev.plug()
    bed.wait_log(f'{dev.devnode} (AT Translated Set 2 keyboard) has no trigger key')
    assert not any(f'Watching {dev.devnode}' in line for line in bed.log), bed.log
    assert bed.stop() == 0


def test_reload_during_hold_cancels_and_applies():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed)
    bed.plug(dev)
    dev.play([(0.1, 'KEY_POWER', 1), (2.0, 'KEY_POWER', 0),
              (2.5, 'KEY_POWER', 1), (5.0, 'KEY_POWER', 0)])
    bed.wait_line('hold-start', timeout=2)
    bed.write_config(POWER_3S.replace('HoldSec=3', 'HoldSec=1').replace('Name=power', 'Name=short'))
    bed.daemon.send_signal(signal.SIGHUP)
    _, line = bed.wait_line('hold-cancel', timeout=2)
    assert line.startswith('hold-cancel trigger=power'), line
    _, line = bed.wait_line('trigger ', timeout=5)
    assert line == 'trigger trigger=short seat=seat0 held_ms=1000', line
    assert bed.stop() == 0


def test_short_press_lines():
    bed = Testbed()
    bed.start(POWER_3S + """
[Trigger]
Name=restart
Keys=KEY_RESTART KEY_VOLUMEDOWN
HoldSec=1
""")
    dev = power_button(bed)
    kbd = bed.add_device('Buttons', ['KEY_RESTART', 'KEY_VOLUMEDOWN'])
    bed.plug(dev)
    bed.plug(kbd)
    dev.play([(0.1, 'KEY_POWER', 1), (0.4, 'KEY_POWER', 0),
              (0.6, 'KEY_POWER', 1), (4.0, 'KEY_POWER', 0)])
    # KEY_VOLUMEDOWN has no meaning for logind: never a short press.
    kbd.play([(0.1, 'KEY_VOLUMEDOWN', 1), (0.2, 'KEY_VOLUMEDOWN', 0),
              (0.3, 'KEY_RESTART', 1), (0.5, 'KEY_RESTART', 0)])
    bed.wait_line('trigger trigger=power', timeout=6)
    bed.settle(0.8)
    short = [t for t in bed.texts() if t.startswith('short-press')]
    assert sorted(short) == ['short-press key=KEY_POWER seat=seat0', 'short-press key=KEY_RESTART seat=seat0'], \
        bed.texts()
    assert bed.stop() == 0


def test_short_press_waits_for_presses_window():
    bed = Testbed()
    bed.start(PRESSES_3.format(within=1))
    dev = power_button(bed)
    bed.plug(dev)
    t0 = dev.play([(0.1, 'KEY_POWER', 1), (0.2, 'KEY_POWER', 0),
                   (0.5, 'KEY_POWER', 1), (0.6, 'KEY_POWER', 0)])
    t_line, line = bed.wait_line('short-press', timeout=3)
    assert line == 'short-press key=KEY_POWER seat=seat0', line
    delay = t_line - (t0 + 0.6 + 1.0)
    assert 0 <= delay <= ON_TIME_SLACK, f'{delay * 1000:.1f} ms off WithinSec after the last release'
    bed.settle(1.0)
    assert bed.texts() == [line], bed.texts()
    assert bed.stop() == 0


# --- udev "change": a device moved to another seat (loginctl attach) --------

def test_device_moved_to_other_seat_reports_new_seat():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed)
    bed.plug(dev)
    bed.wait_log(f'Watching {dev.devnode} (Power Button) on seat0.')
    dev.move_to_seat('seat1')
    # uevents arrive in order: once the next device is watched, the change
    # has been seen.
    bed.plug(bed.add_device('Second Button', ['KEY_POWER']))
    dev.play([(0.1, 'KEY_POWER', 1), (3.4, 'KEY_POWER', 0)])
    _, line = bed.wait_line('hold-start', timeout=3)
    assert line == f'hold-start trigger=power seat=seat1 device={dev.devnode}', line
    _, line = bed.wait_line('trigger ', timeout=5)
    assert line == 'trigger trigger=power seat=seat1 held_ms=3000', line
    assert bed.stop() == 0


def test_seat_change_mid_hold_cancels_on_old_seat():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed)
    bed.plug(dev)
    # One script: umockdev replays one at a time per device.  The key is
    # held across the move and released at 4.5 s, then pressed briefly.
    t0 = dev.play([(0.1, 'KEY_POWER', 1), (4.5, 'KEY_POWER', 0),
                   (5.5, 'KEY_POWER', 1), (5.8, 'KEY_POWER', 0)])
    bed.wait_line('hold-start', timeout=2)
    bed.settle(t0 + 1.5 - time.monotonic())
    dev.move_to_seat('seat1')
    _, cancel = bed.wait_line('hold-cancel', timeout=2)
    assert re.fullmatch(r'hold-cancel trigger=power elapsed_ms=\d+ reason=device-gone', cancel), cancel
    # The key held across the move neither completes the hold on seat0 nor
    # starts one, or a short press, on seat1; the next press counts there.
    bed.wait_line('short-press', timeout=t0 + 7 - time.monotonic())
    bed.settle(0.3)
    texts = bed.texts()
    assert texts[:3] == [
        f'hold-start trigger=power seat=seat0 device={dev.devnode}',
        'hold-progress trigger=power elapsed_ms=1000 total_ms=3000',
        cancel,
    ], texts
    assert texts[3] == f'hold-start trigger=power seat=seat1 device={dev.devnode}', texts
    assert re.fullmatch(r'hold-cancel trigger=power elapsed_ms=\d+ reason=released', texts[4]), texts
    assert texts[5:] == ['short-press key=KEY_POWER seat=seat1'], texts
    assert bed.stop() == 0


def test_change_without_seat_change_keeps_the_hold():
    bed = Testbed()
    bed.start(POWER_3S)
    dev = power_button(bed, seat='seat1')
    bed.plug(dev)
    dev.play([(0.1, 'KEY_POWER', 1), (3.6, 'KEY_POWER', 0)])
    bed.wait_line('hold-start', timeout=2)
    # `udevadm trigger` sends "change" to every device: nothing we use changed.
    dev.move_to_seat('seat1')
    _, line = bed.wait_line('trigger ', timeout=5)
    assert line == 'trigger trigger=power seat=seat1 held_ms=3000', line
    assert not any(t.startswith('hold-cancel') for t in bed.texts()), bed.texts()
    assert bed.stop() == 0


# --- which keys can be held, per device class -----------------------------------


def key_holds_lines(state):
    with open(os.path.join(state, 'key-holds')) as f:
        return f.read().splitlines()


def wait_hold_verdict(bed, cls, where):
    """The journal's word on the hold trigger with the class's device."""
    if cls.press_only:
        bed.wait_log('Trigger power-key cannot fire with the devices present: '
                     f'KEY_POWER is only on {where}, which cannot report a hold.')
    else:
        bed.wait_log(f'Trigger power-key can fire now (seat0: KEY_POWER can be held on {where}).')


def check_device_class(cls_name):
    """The class's classification before anything was seen, what one press
    in its real pattern teaches, that a restart (same state directory)
    remembers it, and what can fire with it: a hold trigger only on a device
    that reports holds, a Presses= trigger on both."""
    cls = DEVICE_CLASSES[cls_name]
    state = tempfile.mkdtemp(prefix='hotkeyd-state-')
    os.environ['STATE_DIRECTORY'] = state
    bed = Testbed()
    bed.start(HOLD_AND_PRESSES)
    # Nothing present: neither can fire.
    bed.wait_log('Trigger power-key cannot fire with the devices present: no device has KEY_POWER.')
    bed.wait_log('Trigger power-presses cannot fire with the devices present: no device has KEY_POWER.')

    dev = cls.add(bed)
    bed.plug(dev)
    where = f'{cls.name} ({dev.devnode})'
    bed.wait_log(f'{dev.devnode}: KEY_POWER holds: {cls.table}')
    bed.wait_log(f'Trigger power-presses can fire now (seat0: KEY_POWER is on {where}).')
    wait_hold_verdict(bed, cls, where)

    dev.play(cls.press())
    seen = 'cannot be held (seen: press and release arrived together)' if cls.press_only \
        else 'can be held (seen held)'
    bed.wait_log(f'{dev.devnode} ({cls.name}): KEY_POWER {seen}.')
    bed.wait_line('short-press key=KEY_POWER')  # the press went to the engine as well
    # A key known to release itself at the press starts no hold (no "keep
    # holding" feedback, no support check); one that can be held does.
    holds = [line for line in bed.texts() if line.startswith('hold-start trigger=power-key')]
    assert (holds == []) if cls.press_only else (len(holds) == 1), bed.texts()
    entries = [line for line in key_holds_lines(state) if not line.startswith('#')]
    assert len(entries) == 1 and entries[0].endswith(' KEY_POWER ' + ('no' if cls.press_only else 'yes')), entries
    assert cls.name.replace(' ', '\\x20') in entries[0], entries

    # A restart remembers: the verdict is the learned one before any press.
    bed.restart(HOLD_AND_PRESSES)
    bed.plug(dev)
    learned = 'no (seen: press and release arrived together)' if cls.press_only else 'yes (seen held)'
    bed.wait_log(f'{dev.devnode}: KEY_POWER holds: {learned}')
    wait_hold_verdict(bed, cls, where)
    assert bed.stop() == 0


def test_devices_arriving_after_start_are_no_false_alarm():
    """At boot the devices come after hotkeyd started (udev works through
    its queue): a trigger is journaled as unable to fire only once what can
    fire has settled, so a device that comes within that moment causes no
    entry at all.  A device that goes away for good does."""
    os.environ['STATE_DIRECTORY'] = tempfile.mkdtemp(prefix='hotkeyd-state-')
    bed = Testbed()
    bed.start(HOLD_AND_PRESSES)
    dev = DEVICE_CLASSES['i8042'].add(bed)
    bed.plug(dev)
    where = f'AT Translated Set 2 keyboard ({dev.devnode})'
    bed.wait_log(f'Trigger power-key can fire now (seat0: KEY_POWER can be held on {where}).')
    bed.wait_log(f'Trigger power-presses can fire now (seat0: KEY_POWER is on {where}).')
    assert not [line for line in bed.log if 'cannot fire' in line], bed.log

    dev.unplug()
    bed.wait_log('Trigger power-key cannot fire with the devices present: no device has KEY_POWER.')
    bed.wait_log('Trigger power-presses cannot fire with the devices present: no device has KEY_POWER.')
    assert bed.stop() == 0


def test_device_class_acpi():
    check_device_class('acpi')


def test_device_class_intel_vbtn():
    check_device_class('intel-vbtn')


def test_device_class_intel_hid_array():
    check_device_class('intel-hid-array')


def test_device_class_gpio_keys():
    check_device_class('gpio-keys')


def test_device_class_cros_ec():
    check_device_class('cros-ec')


def test_device_class_i8042():
    check_device_class('i8042')


def test_device_class_usb():
    check_device_class('usb')


def test_key_holds_file_garbage_is_ignored():
    """A state file that is not ours (or broken) is reported and ignored;
    what is learned then replaces it."""
    cls = DEVICE_CLASSES['acpi']
    state = tempfile.mkdtemp(prefix='hotkeyd-state-')
    os.environ['STATE_DIRECTORY'] = state
    with open(os.path.join(state, 'key-holds'), 'wb') as f:
        f.write(b'# hotkeyd key holds 1\n0019:0000:0001:0000 acpi-LNXPWRBN:00 Power\\x20Button KEY_POWER maybe\n')
    bed = Testbed()
    bed.start(HOLD_AND_PRESSES)
    bed.wait_log(f'{state}/key-holds: line 2: "maybe" is neither yes nor no; ignoring the file, '
                 'what it held is learned again.')
    dev = cls.add(bed)
    bed.plug(dev)
    bed.wait_log(f'{dev.devnode}: KEY_POWER holds: {cls.table}')
    dev.play(cls.press())
    bed.wait_log(f'{dev.devnode} ({cls.name}): KEY_POWER cannot be held')
    bed.settle(0.2)
    assert key_holds_lines(state)[-1] == '0019:0000:0001:0000 acpi-LNXPWRBN:00 Power\\x20Button KEY_POWER no', \
        key_holds_lines(state)
    assert bed.stop() == 0


if __name__ == '__main__':
    run_tests(globals())
