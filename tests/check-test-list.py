#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fails when meson's test cases and a test program's own disagree.

meson finds the cases of a test program by splitting its source text (on
"\\nTEST(" or "\\ndef test_"); a case written any other way would silently
never run.  The program itself knows its cases ("--list"), so the two lists
are compared here, at build time.

Usage: check-test-list.py STAMP --registered [NAME...] --program CMD...
Writes the program's list to STAMP when the two agree."""

import subprocess
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != '--registered' or '--program' not in args:
        sys.exit(__doc__)
    stamp = args[0]
    split = args.index('--program')
    registered = args[2:split]
    program = args[split + 1:]

    out = subprocess.run(program + ['--list'], stdout=subprocess.PIPE, text=True, check=True).stdout
    listed = out.split()

    problems = []
    for name in sorted(set(listed) - set(registered)):
        problems.append(f'{name}: a case of the program that meson did not register (write it as the '
                        f'other cases are, at the start of a line)')
    for name in sorted(set(registered) - set(listed)):
        problems.append(f'{name}: registered by meson but not a case of the program')
    for name in sorted({n for n in registered if registered.count(n) > 1}):
        problems.append(f'{name}: registered by meson more than once')
    if problems:
        print(f'{" ".join(program)}: the test cases meson found differ from the program\'s own list:',
              *problems, sep='\n  ', file=sys.stderr)
        sys.exit(1)

    with open(stamp, 'w') as f:
        f.write(''.join(f'{n}\n' for n in listed))


if __name__ == '__main__':
    main()
