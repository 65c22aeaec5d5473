#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Whether a factory reset erased what it said it would.  The record is made
by the ExecStart= of the built hotkeyd-reset-record.service (what
factory-reset.target runs) into the test's tmpfs efivars; "the next boot" is
a new boot ID bind-mounted over /proc/sys/kernel/random/boot_id in the
test's mount namespace, and /run/systemd/factory-reset-complete on a tmpfs
over /run/systemd makes systemd's real io.systemd.FactoryReset service say
"complete".  The check is the ExecStart= of hotkeyd-reset-check.service; its
structured journal entries are read from a datagram socket bound at
/run/systemd/journal/socket.  Then hotkeyd reports LastReset and
`hotkeyctl status` prints it.  Each test_* is its own meson test."""

import os
import signal
import socket
import subprocess
import uuid

from hotkeyd_testbed import run_tests
from system_testbed import (VAR_GUID, Dirs, System, add_partition, clean_env, mounted_tmpfs, real_exists, sh,
                            unit_exec_start)

HOTKEYD = os.environ.get('HOTKEYD', 'hotkeyd')
CTL = os.environ.get('HOTKEYCTL', 'hotkeyctl')
RECORD_UNIT = os.environ.get('HOTKEYD_RESET_RECORD_UNIT')
CHECK_UNIT = os.environ.get('HOTKEYD_RESET_CHECK_UNIT')
VARIABLE = '/sys/firmware/efi/efivars/HotkeydResetRecord-730fc7ba-0f3a-4ba8-91cd-4dd416f23440'
VERIFIED = 'MESSAGE_ID=98654017ceb9469e865ebe51ac712aea'
NOT_ERASED = 'MESSAGE_ID=dc5c19eebad24dd4b2539e383006781a'
UNVERIFIED = 'MESSAGE_ID=63fdb1d7afb04505867d097a27b33b55'

PART_OLD = 'c0ffee00-1111-4222-8333-444455556666'
FS_OLD = '5eed0000-aaaa-4bbb-8ccc-dddddddddddd'
PART_NEW = 'feed0000-1111-4222-8333-444455556666'
FS_NEW = 'beef0000-aaaa-4bbb-8ccc-dddddddddddd'


class Journal:
    """A stand-in for journald's native socket: the entries sd-journal
    sends, as {FIELD: value} dicts."""

    def __init__(self):
        sh('mkdir', '-p', '/run/systemd/journal')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind('/run/systemd/journal/socket')
        self.sock.setblocking(False)
        self.entries = []

    def read(self):
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except BlockingIOError:
                return self.entries
            entry = {}
            for line in data.decode().split('\n'):
                key, eq, value = line.partition('=')
                if eq:
                    entry[key] = value
            self.entries.append(entry)

    def with_id(self, message_id):
        mid = message_id.partition('=')[2]
        return [e for e in self.read() if e.get('MESSAGE_ID') == mid]


def bed(s):
    """The /run/systemd of this namespace on a tmpfs, with the journal's
    socket.  The commands run with umockdev's preload (they find the
    partitions through udev), which sends every /sys look-up into umockdev's
    testbed: its sys/firmware is a symlink to the test's real /sys/firmware,
    which the kernel follows."""
    sh('ln', '-s', '/sys/firmware', os.path.join(s.testbed.get_root_dir(), 'sys', 'firmware'))
    sh('mkdir', '-p', '/run/systemd')
    sh('mount', '-t', 'tmpfs', 'hotkeyd-test-run', '/run/systemd')
    return Journal()


def unit_command(path, option):
    """The unit's ExecStart=, with the built hotkeyd for the installed one."""
    argv = unit_exec_start(path)
    assert argv[0].endswith('/hotkeyd') and argv[1:] == [option], argv
    return [HOTKEYD] + argv[1:]


def run_unit(s, path, option, dirs, journal=True):
    """Runs the unit's command as systemd would, stderr connected to "the
    journal" (JOURNAL_STREAM); returns (exit status, stderr text)."""
    env = clean_env()
    env['LD_PRELOAD'] = os.environ['LD_PRELOAD']
    env['UMOCKDEV_DIR'] = s.testbed.get_root_dir()
    env['HOTKEYD_FACTORY_RESET_SOCKET'] = s.varlink
    env['STATE_DIRECTORY'] = os.path.join(s.tmp, 'state')
    os.makedirs(env['STATE_DIRECTORY'], exist_ok=True)
    env.update(dirs.env())
    log = os.path.join(s.tmp, f'{option}.log')
    with open(log, 'w') as f:
        if journal:
            st = os.fstat(f.fileno())
            env['JOURNAL_STREAM'] = f'{st.st_dev}:{st.st_ino}'
        p = subprocess.run(unit_command(path, option), env=env, stderr=f, stdout=f, timeout=30)
    with open(log) as f:
        return p.returncode, f.read()


def variable_text():
    """The EFI variable as efivarfs holds it: 4 attribute bytes, then text."""
    p = subprocess.run(['cat', VARIABLE], env=clean_env(), capture_output=True, check=True)
    assert p.stdout[:4] == b'\x07\x00\x00\x00', p.stdout[:4]
    return p.stdout[4:].decode()


def write_variable(data):
    p = subprocess.run(['sh', '-c', 'cat > "$0"', VARIABLE], input=data, env=clean_env())
    assert p.returncode == 0


def next_boot(s):
    """A new boot ID for everything in this namespace."""
    path = os.path.join(s.tmp, 'boot_id')
    with open(path, 'w') as f:
        f.write(str(uuid.uuid4()) + '\n')
    sh('mount', '--bind', path, '/proc/sys/kernel/random/boot_id')


def reset_completed():
    """systemd-factory-reset-complete.service ran in this boot."""
    open('/run/systemd/factory-reset-complete', 'w').close()


def set_uuids(s, name, part_uuid, fs_uuid):
    syspath = f'/sys/devices/platform/hotkeyd-test/block/vdz1/{name}'
    s.testbed.set_property(syspath, 'ID_PART_ENTRY_UUID', part_uuid)
    s.testbed.set_property(syspath, 'ID_FS_UUID', fs_uuid)


def last_reset_file(s):
    with open(os.path.join(s.tmp, 'state', 'last-reset')) as f:
        return f.read()


def status_line(s):
    p = subprocess.run([CTL, 'status'], env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    lines = [line.strip() for line in p.stdout.splitlines() if line.strip().startswith('Last reset:')]
    return lines


def setup_var(s):
    """/var: a FactoryReset=yes definition, its mounted partition with UUIDs;
    /home's definition has no partition."""
    d = Dirs(s)
    d.write('usr', '50-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')
    d.write('usr', '60-home.conf', '[Partition]\nType=home\nFactoryReset=yes\n')
    d.write('usr', '10-root.conf', '[Partition]\nType=root\nFactoryReset=no\n')
    where, dev = mounted_tmpfs(s, 'var')
    add_partition(s, 1, 'vdz1p2', VAR_GUID, None, 2048, dev=dev, part_uuid=PART_OLD, fs_uuid=FS_OLD)
    return d, where


def record(s, d):
    rc, out = run_unit(s, RECORD_UNIT, '--record-reset', d, journal=False)
    assert rc == 0, out
    text = variable_text()
    lines = text.splitlines()
    assert lines[0] == 'hotkeyd-reset-record 1', text
    with open('/proc/sys/kernel/random/boot_id') as f:
        assert lines[1] == 'boot=' + f.read().strip().replace('-', ''), text
    return text, lines


def test_recreated_var_is_verified():
    s = System(efi=True)
    journal = bed(s)
    d, where = setup_var(s)
    text, lines = record(s, d)
    assert lines[3:] == [f'partition=50-var.conf {where} {PART_OLD} {FS_OLD}',
                         'partition=60-home.conf - - -'], text

    # The same boot: nothing to say yet, and the record stays.
    rc, out = run_unit(s, CHECK_UNIT, '--check-reset', d)
    assert rc == 0, out
    assert real_exists(VARIABLE)
    assert not os.path.exists(os.path.join(s.tmp, 'state', 'last-reset'))

    next_boot(s)
    reset_completed()
    set_uuids(s, 'vdz1p2', PART_NEW, FS_NEW)
    rc, out = run_unit(s, CHECK_UNIT, '--check-reset', d)
    assert rc == 0, out

    entries = journal.with_id(VERIFIED)
    assert len(entries) == 1, journal.entries
    assert entries[0]['PRIORITY'] == '5', entries
    assert entries[0]['HOTKEYD_RESET_VERDICT'] == 'complete', entries
    assert f'complete, {where} recreated.' in entries[0]['MESSAGE'], entries
    assert journal.with_id(NOT_ERASED) == [] and journal.with_id(UNVERIFIED) == []
    last = last_reset_file(s)
    assert f'verdict=complete\npartition=recreated 50-var.conf {where}\npartition=unknown 60-home.conf -\n' in last, last
    assert not real_exists(VARIABLE), 'the record is removed once checked'

    s.start_daemon(extra_env=d.env())
    requested, checked, verdict, partitions = s.prop('LastReset')
    assert str(verdict) == 'complete', verdict
    assert 0 < requested <= checked, (requested, checked)
    assert [tuple(map(str, p)) for p in partitions] == [('50-var.conf', where, 'recreated'),
                                                         ('60-home.conf', '', 'unknown')], partitions
    lines = status_line(s)
    assert len(lines) == 1 and lines[0].endswith(f': complete, {where} recreated'), lines
    assert s.stop() == 0


def test_reset_that_erased_nothing_is_reported_loudly():
    s = System(efi=True)
    journal = bed(s)
    d, where = setup_var(s)
    record(s, d)

    # systemd says "complete", yet the partition is what it was.
    next_boot(s)
    reset_completed()
    rc, out = run_unit(s, CHECK_UNIT, '--check-reset', d)
    assert rc == 0, out

    entries = journal.with_id(NOT_ERASED)
    assert len(entries) == 1, journal.entries
    assert entries[0]['PRIORITY'] == '3', entries
    assert entries[0]['HOTKEYD_RESET_VERDICT'] == 'not-erased', entries
    assert f'DID NOT ERASE {where} (partition UUID unchanged)' in entries[0]['MESSAGE'], entries
    assert journal.with_id(VERIFIED) == []
    assert 'verdict=not-erased\n' in last_reset_file(s)
    assert not real_exists(VARIABLE)

    s.start_daemon(extra_env=d.env())
    assert str(s.prop('LastReset')[2]) == 'not-erased'
    lines = status_line(s)
    assert len(lines) == 1 and lines[0].endswith(f': DID NOT ERASE {where} (partition UUID unchanged)'), lines
    assert s.stop() == 0


def test_reset_that_did_not_take_place():
    s = System(efi=True)
    journal = bed(s)
    d, where = setup_var(s)
    record(s, d)

    # A new boot, but systemd never ran the reset: not "complete".
    next_boot(s)
    set_uuids(s, 'vdz1p2', PART_NEW, FS_NEW)
    rc, out = run_unit(s, CHECK_UNIT, '--check-reset', d)
    assert rc == 0, out
    entries = journal.with_id(NOT_ERASED)
    assert len(entries) == 1 and entries[0]['HOTKEYD_RESET_VERDICT'] == 'not-done', journal.entries
    assert 'DID NOT TAKE PLACE' in entries[0]['MESSAGE'], entries
    assert journal.with_id(VERIFIED) == []
    assert 'verdict=not-done\n' in last_reset_file(s)


def test_malformed_record_claims_nothing():
    s = System(efi=True)
    journal = bed(s)
    d, where = setup_var(s)
    write_variable(b'\x07\x00\x00\x00hotkeyd-reset-record 1\nboot=zz\nrequested=1\n')
    next_boot(s)
    reset_completed()
    rc, out = run_unit(s, CHECK_UNIT, '--check-reset', d)
    assert rc != 0, out
    entries = journal.with_id(UNVERIFIED)
    assert len(entries) == 1, journal.entries
    assert entries[0]['PRIORITY'] == '3' and entries[0]['HOTKEYD_RESET_VERDICT'] == 'malformed-record', entries
    assert 'line 2: boot= must be given once' in entries[0]['MESSAGE'], entries
    assert journal.with_id(VERIFIED) == [] and journal.with_id(NOT_ERASED) == []
    assert not os.path.exists(os.path.join(s.tmp, 'state', 'last-reset')), 'nothing claimed'
    # Kept, it would fail every boot and block the next record.
    assert not real_exists(VARIABLE)

    # Shorter than its attributes.
    write_variable(b'\x07\x00')
    rc, out = run_unit(s, CHECK_UNIT, '--check-reset', d)
    assert rc != 0 and len(journal.with_id(UNVERIFIED)) == 2, (out, journal.entries)
    assert not os.path.exists(os.path.join(s.tmp, 'state', 'last-reset'))

    s.start_daemon(extra_env=d.env())
    requested, checked, verdict, partitions = s.prop('LastReset')
    assert (requested, checked, str(verdict), list(partitions)) == (0, 0, '', []), s.prop('LastReset')
    assert status_line(s) == []
    assert s.stop() == 0


def test_record_of_an_unchecked_earlier_boot_is_not_replaced():
    s = System(efi=True)
    bed(s)
    d, where = setup_var(s)
    text, _ = record(s, d)
    # In the same boot a second request keeps the record.
    rc, out = run_unit(s, RECORD_UNIT, '--record-reset', d)
    assert rc == 0 and 'recorded already' in out, out
    assert variable_text() == text
    next_boot(s)
    rc, out = run_unit(s, RECORD_UNIT, '--record-reset', d, journal=False)
    assert rc != 0 and 'never checked' in out, out
    assert variable_text() == text


def test_malformed_last_reset_file_is_not_reported():
    s = System(efi=True)
    bed(s)
    d = Dirs(s)
    os.makedirs(os.path.join(s.tmp, 'state'), exist_ok=True)
    with open(os.path.join(s.tmp, 'state', 'last-reset'), 'w') as f:
        f.write('hotkeyd-last-reset 1\nrequested=1\nchecked=2\nverdict=great\n')
    s.start_daemon(extra_env=d.env())
    s.wait_log('is malformed (line 4: unknown verdict "great"), ignoring.')
    assert str(s.prop('LastReset')[2]) == ''
    assert status_line(s) == []

    # Reloaded after the check wrote a good one: announced.
    wait = s.watch_changes()
    with open(os.path.join(s.tmp, 'state', 'last-reset'), 'w') as f:
        f.write('hotkeyd-last-reset 1\nrequested=1\nchecked=2\nverdict=not-erased\n'
                'partition=not-erased 50-var.conf /var\n')
    s.daemon.send_signal(signal.SIGHUP)
    wait(['LastReset'])
    assert str(s.prop('LastReset')[2]) == 'not-erased'
    lines = status_line(s)
    assert len(lines) == 1 and lines[0].endswith(': DID NOT ERASE /var (partition UUID unchanged)'), lines
    assert s.stop() == 0


run_tests(globals())
