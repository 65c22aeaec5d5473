#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the built units grant, setting by setting (issue 12): hotkeyd.service
holds no capability, no writable efivars and no write access to input
devices but the PC speaker, and cannot read root's secrets; the cancel,
which needs CAP_LINUX_IMMUTABLE and writable efivars, is
hotkeyd-cancel.service, which holds those and nothing more.

    test-unit-files.py HOTKEYD_SERVICE CANCEL_SERVICE RECORD_SERVICE CHECK_SERVICE

hotkeyd-reset-record.service (pulled in by factory-reset.target) writes the
record of a reset request to an EFI variable: writable efivars and no
capability (creating a variable needs none).  hotkeyd-reset-check.service
compares at the next boot and removes the record: writable efivars and
CAP_LINUX_IMMUTABLE, nothing more.

systemd-analyze security scores the whole (units/security-exposure); this
names the rights that the score does not single out.  The VM scenario runs
both units under the real systemd."""

import shlex
import sys

SECRETS = ['/etc/shadow', '/etc/gshadow', '/var/lib/systemd/credential.secret']
EFIVARS = '/sys/firmware/efi/efivars'
FACTORY_RESET = 'systemd-factory-reset'


def parse(path):
    """{section: {key: [values in order]}}; an empty assignment resets the
    list, as systemd does for list settings."""
    units, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in '#;':
                continue
            if line.startswith('['):
                section = units.setdefault(line.strip('[]'), {})
                continue
            key, _, value = line.partition('=')
            values = section.setdefault(key, [])
            if value == '':
                values.clear()
            values.append(value)
    return units


def words(values):
    return [w for v in values for w in shlex.split(v)]


def paths(values):
    """Path lists without their '-' (may be absent) prefixes."""
    return [w.lstrip('-') for w in words(values)]


def covers(hidden, path):
    """path is hidden: it or a directory above it is inaccessible."""
    return any(path == h or path.startswith(h.rstrip('/') + '/') for h in hidden)


def device_allow(values):
    """[(device, access)] of DeviceAllow= lines."""
    return [tuple(v.split()) if len(v.split()) == 2 else (v, 'rwm') for v in values if v]


def check(failures, what, ok, detail):
    if not ok:
        failures.append(f'{what}: {detail}')


def check_daemon(path, failures):
    s = parse(path)['Service']
    caps = words(s.get('CapabilityBoundingSet', []))
    check(failures, 'hotkeyd.service CapabilityBoundingSet=', caps == [], f'holds {caps}, should be empty')
    check(failures, 'hotkeyd.service efivars', not any(p.startswith(EFIVARS) for p in paths(s.get('ReadWritePaths', []))),
          f'ReadWritePaths={s.get("ReadWritePaths")}: only hotkeyd-cancel.service writes efivars')
    check(failures, 'hotkeyd.service AmbientCapabilities=', not words(s.get('AmbientCapabilities', [])),
          s.get('AmbientCapabilities'))
    check(failures, 'hotkeyd.service DevicePolicy=', s.get('DevicePolicy') == ['closed'], s.get('DevicePolicy'))
    allow = device_allow(s.get('DeviceAllow', []))
    inputs = [(d, a) for d, a in allow if d == 'char-input' or d.startswith('/dev/input/')]
    check(failures, 'hotkeyd.service input devices', any(d == 'char-input' and 'r' in a for d, a in inputs),
          f'{inputs}: every input device must be readable (the trigger keys)')
    writable = [d for d, a in inputs if 'w' in a]
    check(failures, 'hotkeyd.service writable input devices',
          writable == ['/dev/input/by-path/platform-pcspkr-event-spkr'],
          f'{writable}: writing to an evdev node injects events; only the PC speaker may be written')
    hidden = paths(s.get('InaccessiblePaths', []))
    check(failures, 'hotkeyd.service InaccessiblePaths=', all(covers(hidden, p) for p in SECRETS),
          f'{hidden} lacks some of {SECRETS}')
    check(failures, 'hotkeyd.service ProcSubset=', s.get('ProcSubset') == ['pid'], s.get('ProcSubset'))
    # The caller's /proc/PID/cgroup (its session, for the journal) is
    # readable only because hidepid= exempts the group root.
    check(failures, 'hotkeyd.service Group=', s.get('Group', ['root']) in (['root'], ['0']),
          f'{s.get("Group")}: ProtectProc= would hide the D-Bus callers\' /proc entries')
    check(failures, 'hotkeyd.service ExecStart=', not any(FACTORY_RESET in w for w in words(s.get('ExecStart', []))),
          s.get('ExecStart'))


def check_cancel(path, failures):
    u = parse(path)
    s = u['Service']
    check(failures, 'hotkeyd-cancel.service Type=', s.get('Type') == ['oneshot'],
          f'{s.get("Type")}: hotkeyd follows the job, which must end when the command does')
    argv = words(s.get('ExecStart', []))
    check(failures, 'hotkeyd-cancel.service ExecStart=',
          len(argv) == 2 and argv[0].endswith('/' + FACTORY_RESET) and argv[1] == 'cancel', argv)
    caps = words(s.get('CapabilityBoundingSet', []))
    check(failures, 'hotkeyd-cancel.service CapabilityBoundingSet=', caps == ['CAP_LINUX_IMMUTABLE'], caps)
    check(failures, 'hotkeyd-cancel.service ReadWritePaths=', paths(s.get('ReadWritePaths', [])) == [EFIVARS],
          s.get('ReadWritePaths'))
    check(failures, 'hotkeyd-cancel.service devices',
          s.get('PrivateDevices') == ['yes'] and not s.get('DeviceAllow'),
          f'PrivateDevices={s.get("PrivateDevices")} DeviceAllow={s.get("DeviceAllow")}')
    check(failures, 'hotkeyd-cancel.service network', s.get('PrivateNetwork') == ['yes'], s.get('PrivateNetwork'))
    hidden = paths(s.get('InaccessiblePaths', []))
    check(failures, 'hotkeyd-cancel.service InaccessiblePaths=', all(covers(hidden, p) for p in SECRETS),
          f'{hidden} lacks some of {SECRETS}')
    check(failures, 'hotkeyd-cancel.service [Install]', 'Install' not in u,
          'static: only hotkeyd starts it')


def check_reset_unit(path, name, option, want_caps, failures):
    u = parse(path)
    s = u['Service']
    check(failures, f'{name} Type=', s.get('Type') == ['oneshot'], s.get('Type'))
    argv = words(s.get('ExecStart', []))
    check(failures, f'{name} ExecStart=', len(argv) == 2 and argv[0].endswith('/hotkeyd') and argv[1] == option, argv)
    caps = words(s.get('CapabilityBoundingSet', []))
    check(failures, f'{name} CapabilityBoundingSet=', caps == want_caps, f'{caps}, should be {want_caps}')
    check(failures, f'{name} AmbientCapabilities=', not words(s.get('AmbientCapabilities', [])),
          s.get('AmbientCapabilities'))
    check(failures, f'{name} ReadWritePaths=', paths(s.get('ReadWritePaths', [])) == [EFIVARS],
          s.get('ReadWritePaths'))
    check(failures, f'{name} ProtectSystem=', s.get('ProtectSystem') == ['strict'], s.get('ProtectSystem'))
    check(failures, f'{name} devices', s.get('PrivateDevices') == ['yes'] and not s.get('DeviceAllow'),
          f'PrivateDevices={s.get("PrivateDevices")} DeviceAllow={s.get("DeviceAllow")}')
    check(failures, f'{name} network', s.get('PrivateNetwork') == ['yes'], s.get('PrivateNetwork'))
    hidden = paths(s.get('InaccessiblePaths', []))
    check(failures, f'{name} InaccessiblePaths=', all(covers(hidden, p) for p in SECRETS),
          f'{hidden} lacks some of {SECRETS}')
    check(failures, f'{name} [Install]', 'Install' not in u, 'static: pulled in by its target or hotkeyd.service')
    return u['Unit']


def check_record(path, failures):
    unit = check_reset_unit(path, 'hotkeyd-reset-record.service', '--record-reset', [], failures)
    before = words(unit.get('Before', []))
    check(failures, 'hotkeyd-reset-record.service Before=', 'factory-reset.target' in before,
          f'{before}: the record must be written before the target\'s reboot')
    check(failures, 'hotkeyd-reset-record.service DefaultDependencies=', unit.get('DefaultDependencies') == ['no'],
          unit.get('DefaultDependencies'))


def check_check(path, daemon, failures):
    unit = check_reset_unit(path, 'hotkeyd-reset-check.service', '--check-reset', ['CAP_LINUX_IMMUTABLE'], failures)
    cond = unit.get('ConditionPathExists', [])
    check(failures, 'hotkeyd-reset-check.service ConditionPathExists=',
          len(cond) == 1 and cond[0].startswith(EFIVARS + '/HotkeydResetRecord-'), cond)
    check(failures, 'hotkeyd-reset-check.service Before=', 'hotkeyd.service' in words(unit.get('Before', [])),
          unit.get('Before'))
    s = parse(path)['Service']
    check(failures, 'hotkeyd-reset-check.service StateDirectory=', s.get('StateDirectory') == ['hotkeyd'],
          s.get('StateDirectory'))
    wants = words(parse(daemon)['Unit'].get('Wants', []))
    check(failures, 'hotkeyd.service Wants=', 'hotkeyd-reset-check.service' in wants, wants)


def main():
    daemon, cancel, record, reset_check = sys.argv[1:5]
    failures = []
    check_daemon(daemon, failures)
    check_cancel(cancel, failures)
    check_record(record, failures)
    check_check(reset_check, daemon, failures)
    for f in failures:
        print(f'FAIL {f}')
    if not failures:
        print('hotkeyd.service, hotkeyd-cancel.service, hotkeyd-reset-record.service and '
              'hotkeyd-reset-check.service grant what they should')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
