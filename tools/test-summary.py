#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Counts meson test results from testlog.json files.

Prints skipped tests (never counted as passed) and ends with the line
"N passed, N failed".  Exit status 1 when any test failed, none ran, or a log
is missing."""

import json
import sys

PASSED = {'OK', 'EXPECTEDFAIL'}
SKIPPED = {'SKIP'}

passed = failed = 0
skipped = []
missing = False

for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                result = entry.get('result')
                if result in PASSED:
                    passed += 1
                elif result in SKIPPED:
                    skipped.append(entry.get('name'))
                else:
                    failed += 1
    except FileNotFoundError:
        print(f'missing test log {path}: that build did not get to run its tests')
        missing = True

if missing:
    failed += 1
for name in skipped:
    print(f'skipped (not counted as passed): {name}')
if skipped:
    print(f'{len(skipped)} skipped')
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed or passed == 0 else 0)
