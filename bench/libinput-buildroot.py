#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hotkeyd against a libinput path context on the same device, in the build
root (not the VM): start-up and memory (docs/ARCHITECTURE.md, "libevdev,
not libinput").

One umockdev-emulated keyboard (letters and KEY_POWER; udev's database entry
written, as udev would, so that libinput accepts it: libinput refuses a
device udev has not initialised).  Interleaved, N times each, all through
bench/hkb-startup (exec stamped in the child before execv(), READY=1 on a
NOTIFY_SOCKET of its own; the devices open at the helper's READY=1 and at
hotkeyd's STATUS=Watching, which follows its READY=1; Pss and private dirty
300 ms after that):

- hotkeyd --timing on the request tests' testbed (real dbus-daemon, polkitd,
  systemd-factory-reset; the systemd1/login1 stand-ins) with the image's
  data/hotkeyd.conf; it opens the keyboard;
- bench/hkb-libinput on the keyboard's node;
- bench/hkb-libinput with no device (the context alone).

All three run with umockdev's preload (it is how they see the device), so
its library is in every Pss figure alike.  Wakeups while typing are not
measured here: umockdev does not emulate EVIOCSMASK, so hotkeyd would read
every event too; that comparison is the VM's (guest.py flood).

Usage, from the source tree:
    tools/in-buildroot.sh python3 bench/libinput-buildroot.py [--build build] [-n 20]
Prints a Markdown table on stdout."""

import importlib
import json
import os
import re
import statistics
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYS = ['KEY_ESC', 'KEY_1', 'KEY_A', 'KEY_S', 'KEY_D', 'KEY_F', 'KEY_ENTER', 'KEY_SPACE', 'KEY_POWER']


def start(cmd, env, until_status=()):
    """One start through hkb-startup: its JSON figures and the child's stderr.
    "opened_us" is exec -> the devices open: hotkeyd opens them after READY=1
    and then says STATUS=Watching (until_status); the helper before READY=1."""
    p = subprocess.run([os.path.join(os.environ['HKB_BUILD'], 'bench', 'hkb-startup'), '--runs', '1',
                        *until_status, '--'] + cmd, env=env, capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.startswith('{')]
    assert p.returncode == 0 and lines and lines[0]['ready_us'] > 0, p.stdout + p.stderr
    lines[0]['opened_us'] = lines[0]['status_us'] if until_status else lines[0]['ready_us']
    assert lines[0]['opened_us'] > 0, p.stdout + p.stderr
    return lines[0], p.stderr


def smaps(pid):
    """{file: [pss, private dirty]} in KiB from /proc/PID/smaps ([anon] for
    anonymous mappings, [heap] for the heap)."""
    out, name = {}, None
    with open(f'/proc/{pid}/smaps') as f:
        for line in f:
            m = re.match(r'^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$', line)
            if m:
                name = m.group(1).strip() or '[anon]'
                name = os.path.basename(name) if name.startswith('/') else name
                out.setdefault(name, [0, 0])
                continue
            m = re.match(r'^(Pss|Private_Dirty):\s+(\d+) kB', line)
            if m:
                out[name][0 if m.group(1) == 'Pss' else 1] += int(m.group(2))
    return out


def inner(args):
    sys.path.insert(0, os.path.join(SRC, 'tests', 'integration'))
    from system_testbed import System, clean_env

    s = System(efi=True)
    try:
        kbd = s.add_device('AT Translated Set 2 keyboard', KEYS)
        root = s.testbed.get_root_dir()
        os.makedirs(os.path.join(root, 'run', 'udev', 'data'), exist_ok=True)
        major_minor = kbd.devnode.removeprefix('/dev/input/event')
        with open(os.path.join(root, 'run', 'udev', 'data', f'c13:{64 + int(major_minor)}'), 'w') as f:
            f.write('I:1\nE:ID_INPUT=1\nE:ID_INPUT_KEY=1\nE:ID_INPUT_KEYBOARD=1\nG:seat\n')
        kbd.plug()
        with open(os.path.join(SRC, 'data', 'hotkeyd.conf')) as f:
            config = s.write_config(f.read())
        env = clean_env()
        env['LD_PRELOAD'] = os.environ['LD_PRELOAD']
        env['UMOCKDEV_DIR'] = root
        env['DBUS_SYSTEM_BUS_ADDRESS'] = s.address
        env['HOTKEYD_FACTORY_RESET_SOCKET'] = s.varlink
        env['STATE_DIRECTORY'] = os.path.join(s.tmp, 'state')
        os.makedirs(env['STATE_DIRECTORY'], exist_ok=True)
        helper = os.path.join(os.environ['HKB_BUILD'], 'bench', 'hkb-libinput')
        rows = {'hotkeyd': [], 'libinput': [], 'context': []}
        steps = {'hotkeyd': [], 'libinput': [], 'context': []}
        for _ in range(args.n):
            r, err = start([os.environ['HOTKEYD'], '--config', config, '--timing'], env,
                           ('--until-status', 'Watching'))
            m = re.search(r'^  input +(\d+\.\d{3}) ms', err, re.M)
            assert m and 'watching 1 device(s)' in err, err
            rows['hotkeyd'].append(r)
            steps['hotkeyd'].append({'input': float(m.group(1))})
            for name, devices in (('libinput', [kbd.devnode]), ('context', [])):
                r, err = start([helper] + devices, env)
                rows[name].append(r)
                steps[name].append({k: float(v) for k, v in re.findall(r'^libinput: (\w+) (\d+\.\d+) ms', err, re.M)})
        # What the helper's memory is made of: Pss and private dirty per
        # mapped file, one more start, kept running.
        p = subprocess.Popen([helper, kbd.devnode], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
        assert p.stdout.readline().strip() == 'ready'
        maps = smaps(p.pid)
        p.terminate()
        p.wait()
    finally:
        s.kill()

    load = open('/proc/loadavg').read().split()[:3]
    print(f'{args.n} starts each, interleaved; host load average {" ".join(load)} at the end, '
          f'{os.cpu_count()} CPUs; one emulated keyboard ({len(KEYS)} keys).\n')
    print('| process | exec -> devices open, median ms | min ms | Pss KiB (median) | private dirty KiB | '
          'RSS KiB | opening the device, median ms |')
    print('|---|---|---|---|---|---|---|')
    for name, label in (('hotkeyd', 'hotkeyd (`input` step)'),
                        ('libinput', 'libinput path context, 1 device (`devices` - `context`)'),
                        ('context', 'libinput path context, no device')):
        ready = [r['opened_us'] / 1000 for r in rows[name]]
        med = lambda k: statistics.median(r[k] for r in rows[name])  # noqa: E731
        if name == 'hotkeyd':
            opening = statistics.median(st['input'] for st in steps[name])
        else:
            opening = statistics.median(st['devices'] - st['context'] for st in steps[name])
        print(f'| {label} | {statistics.median(ready):.2f} | {min(ready):.2f} | {med("pss_kib"):.0f} | '
              f'{med("private_dirty_kib"):.0f} | {med("rss_kib"):.0f} | {opening:.2f} |')
    print('\nhkb-libinput with one device, per mapping (Pss, private dirty KiB), largest Pss first: ' + ', '.join(
        f'{k} {v[0]}/{v[1]}' for k, v in sorted(maps.items(), key=lambda kv: -kv[1][0]) if v[0] >= 20))
    print('\nlibinput steps from main(), medians ms: ' + ', '.join(
        f'{k} {statistics.median(st[k] for st in steps["libinput"]):.2f}' for k in ('context', 'devices', 'dispatch')))


if __name__ == '__main__':
    # Its --build/-n command line and the re-run under umockdev.
    importlib.import_module('startup-breakdown').main(__doc__, inner, __file__)
