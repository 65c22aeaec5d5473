#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The whole-system scenario: a QEMU VM factory-reset by a held power key.

Run inside the build root, after tools/mkvm.sh made the image:
    tools/in-buildroot.sh python3 tests/vm/run.py [--vm-dir build-vm]

Every step has a timeout; a failure says what was not seen and shows the
tail of the serial console and of the guest journal.  Logs, screenshots and
the measured times go to VM_DIR/run/."""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from machine import BOOT_TIMEOUT, Failure, Machine  # noqa: E402



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--vm-dir', default=os.path.join(os.path.dirname(__file__), '..', '..', 'build-vm'))
    parser.add_argument('--work-dir', help='logs, screenshots, VM state (default VM_DIR/run)')
    parser.add_argument('--boot-only', action='store_true', help='boot, check the shell, power off')
    args = parser.parse_args()
    vm_dir = os.path.abspath(args.vm_dir)
    image = os.path.join(vm_dir, 'disk.raw')
    if not os.path.exists(image):
        # A failure, not a skip: make check and make demo make the image
        # first, so a missing one means that step failed.
        print(f'{image} missing: run tools/mkvm.sh on the host first (make check does)', file=sys.stderr)
        return 1
    workdir = os.path.abspath(args.work_dir or os.path.join(vm_dir, 'run'))
    times = {}
    m = Machine(image, workdir)
    t0 = time.monotonic()
    try:
        m.start()
        m.wait_shell(BOOT_TIMEOUT)
        times['boot_s'] = round(time.monotonic() - t0, 1)
        print(f'[{times["boot_s"]:6.1f}s] booted: root shell on the serial console', flush=True)
        if args.boot_only:
            print(m.run(os.environ.get('HOTKEYD_VM_DEBUG_CMD', 'systemctl is-system-running --wait; systemctl --failed; findmnt -no SOURCE,TARGET /var'), timeout=300, check=False)[1])
            # What the VM's screen shows then (the session: cage and the agent).
            m.qmp.screendump(os.path.join(workdir, 'screen-boot.png'))
        else:
            import scenario
            scenario.run(m, t0, times)
        times['total_s'] = round(time.monotonic() - t0, 1)
    except Failure as e:
        print(f'FAIL: {e}', file=sys.stderr)
        return 1
    finally:
        m.stop()
        with open(os.path.join(workdir, 'times.json'), 'w') as f:
            json.dump(times, f, indent=1)
    print(f'PASS: {json.dumps(times)}')
    print(f'Logs (serial console, forwarded guest journal, QEMU) and times.json in {workdir}/')
    shots = sorted(f for f in os.listdir(workdir) if f.endswith('.png'))
    if shots:
        print(f'Screenshots of the VM screen in {workdir}/:\n  ' + '\n  '.join(shots))
    return 0


if __name__ == '__main__':
    sys.exit(main())
