#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The demo: hotkeyd --dry-run with the given configuration, an emulated power
button (umockdev) held for 6 s; the daemon's gesture lines are printed as
they arrive, with the time since the key went down."""

import os
import sys
import time

from hotkeyd_testbed import Testbed

config = open(sys.argv[1]).read()
bed = Testbed()
bed.start(config)
button = bed.add_device('Power Button', ['KEY_POWER'])
bed.plug(button)
print(f'hotkeyd is watching an emulated power button at {button.devnode}; holding KEY_POWER for 6 s ...',
      flush=True)
t0 = button.play([(0.1, 'KEY_POWER', 1), (6.1, 'KEY_POWER', 0)])

shown = 0
while time.monotonic() < t0 + 6.6:
    bed.settle(0.05)
    for t, line in bed.lines[shown:]:
        print(f'[{t - t0 - 0.1:6.3f}s] {line}', flush=True)
    shown = len(bed.lines)
print('released KEY_POWER after 6 s', flush=True)
bed.stop()
ok = any(line.startswith('trigger ') for _, line in bed.lines)
if not ok:
    print('demo failed: no trigger line', file=sys.stderr)
sys.stdout.flush()
# Skips umockdev's finalisers, which join replay threads (see test-input.py).
os._exit(0 if ok else 1)
