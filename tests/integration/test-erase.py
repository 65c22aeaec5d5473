#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a factory reset erases: repart.d definitions (in temporary
directories through $HOTKEYD_REPART_DIRS), umockdev-emulated partitions,
and whether factory-reset.target clears the TPM (systemd1 mock + swtpm).
The daemon runs on the private system bus of system_testbed.py; each
test_* is its own meson test."""

import json
import os
import re
import signal
import subprocess

import dbus

from hotkeyd_testbed import run_tests
from system_testbed import (RESET_PLUGIN, RESET_PLUGIN_DESCRIPTION, VAR_GUID, Dirs, System, add_partition,
                            mounted_tmpfs, reset_now_wants, target_wants_tpm_clear)

CTL = os.environ.get('HOTKEYCTL', 'hotkeyctl')

NOTHING_TO_ERASE = ('No partition is marked to be erased (FactoryReset=yes) and nothing else is configured to '
                    'reset; a reset would only reboot.')


def erased(s):
    return [tuple(x if not isinstance(x, dbus.String) else str(x) for x in p)
            for p in s.prop('ErasedPartitions')]


def problems(s):
    return [str(p) for p in s.prop('EraseProblems')]


def test_definitions_follow_systemds_override_and_mask_rules():
    s = System(efi=True)
    d = Dirs(s)
    d.write('usr', '10-root.conf', '[Partition]\nType=root\nFactoryReset=no\n')
    # Overridden by /etc: the /etc file is the one that counts.
    d.write('usr', '50-var.conf', '[Partition]\nType=var\nLabel=var-usr\nFactoryReset=yes\n')
    d.write('run', '50-var.conf', '[Partition]\nType=var\nLabel=var-run\nFactoryReset=yes\n')
    etc_var = d.write('etc', '50-var.conf', '# admin\n[Partition]\nType=var\nLabel=var-etc\nFactoryReset=on\n')
    # Masked by a /dev/null symlink in /run, and by an empty file in /etc.
    d.write('usr', '60-home.conf', '[Partition]\nType=home\nFactoryReset=yes\n')
    os.symlink('/dev/null', d.path('run', '60-home.conf'))
    d.write('usr', '70-srv.conf', '[Partition]\nType=srv\nFactoryReset=yes\n')
    d.write('etc', '70-srv.conf', '')
    # /run overrides /usr the other way: no longer erased.
    d.write('usr', '30-esp.conf', '[Partition]\nType=esp\nFactoryReset=yes\n')
    d.write('run', '30-esp.conf', '[Partition]\nType=esp\nFactoryReset=no\n')
    run_swap = d.write('run', '40-swap.conf', '[Partition]\nType=swap\nFactoryReset=TRUE\n')
    usr_tmp = d.write('usr', '80-tmp.conf', '[Partition]\nType=4D21B016B53445C2A9FB5C16E091FD2D\nFactoryReset=1\n')
    # Not definitions at all.
    d.write('usr', 'README', '[Partition]\nType=home\nFactoryReset=yes\n')
    d.write('usr', '.hidden.conf', '[Partition]\nType=home\nFactoryReset=yes\n')

    s.start_daemon(extra_env=d.env())
    assert erased(s) == [
        (run_swap, 'swap', '', '', 0, ''),
        (etc_var, 'var', 'var-etc', '', 0, ''),
        (usr_tmp, '4D21B016B53445C2A9FB5C16E091FD2D', '', '', 0, ''),
    ], erased(s)
    assert problems(s) == [], problems(s)
    assert s.prop('ClearsTpm') == False
    s.wait_log('A factory reset erases 3 partition(s); 0 problem(s)')
    assert s.stop() == 0


def test_partitions_are_matched_with_block_devices():
    s = System(efi=True)
    d = Dirs(s)
    var = d.write('usr', '50-var.conf', '[Partition]\nType=var\nLabel=var data\nFactoryReset=yes\n')
    home = d.write('usr', '60-home.conf', '[Partition]\nType=home\nFactoryReset=yes\n')
    swap = d.write('usr', '70-swap.conf', '[Partition]\nType=swap\nFactoryReset=yes\n')

    where, dev = mounted_tmpfs(s, 'var with space')
    # The same type with another label is not it; udev encodes the space.
    add_partition(s, 1, 'vdz1p2', VAR_GUID, 'other', 2048)
    node = add_partition(s, 2, 'vdz2p3', VAR_GUID, 'var\\x20data', 4194304, dev=dev)
    # A home partition would match by type, but none exists; a swap of
    # another type neither.
    add_partition(s, 3, 'vdz3p1', '0fc63daf-8483-4772-8e79-3d69d8477de4', 'swap', 1024)

    s.start_daemon(input_devices=True, extra_env=d.env())
    assert erased(s) == [
        (var, 'var', 'var data', node, 4194304 * 512, where),
        (home, 'home', '', '', 0, ''),
        (swap, 'swap', '', '', 0, ''),
    ], erased(s)
    assert problems(s) == []
    assert s.stop() == 0


def test_malformed_definitions_are_reported_not_fatal():
    s = System(efi=True)
    d = Dirs(s)
    no_section = d.write('usr', '10-none.conf', '# nothing\nType=var\n')
    no_type = d.write('usr', '20-notype.conf', '[Partition]\nLabel=x\nFactoryReset=yes\n')
    bad_bool = d.write('usr', '30-bool.conf', '[Partition]\nType=home\nFactoryReset=sometimes\n')
    unknown = d.write('usr', '40-section.conf', '[Partition]\nType=swap\nFactoryReset=yes\n[Partiton]\nX=1\n')
    bad_type = d.write('usr', '50-type.conf', '[Partition]\nType=rooot\nFactoryReset=yes\n')
    good = d.write('usr', '60-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')

    s.start_daemon(extra_env=d.env())
    assert erased(s) == [(unknown, 'swap', '', '', 0, ''), (good, 'var', '', '', 0, '')], erased(s)
    p = problems(s)
    expected = [
        f'{no_section}:2: Setting Type= outside of any section',
        f'{no_section}: No [Partition] section',
        f'{no_type}:1: [Partition] has no valid Type=',
        f'{bad_bool}:3: Invalid boolean FactoryReset=sometimes',
        f'{unknown}:4: Unknown section [Partiton]',
        f'{bad_type}:2: Unknown partition type Type=rooot',
        f'{bad_type}:1: [Partition] has no valid Type=',
    ]
    assert len(p) == len(expected), p
    for got, want in zip(p, expected):
        assert got.startswith(want), (got, want)
    s.wait_log(f'{bad_bool}:3: Invalid boolean')
    assert s.prop('Supported') == True  # nothing else is affected
    assert s.stop() == 0


def test_clears_tpm_when_target_wants_service_and_tpm_present():
    s = System(efi=True)
    target_wants_tpm_clear(s)
    s.start_daemon(tpm_tcti=s.start_swtpm())
    s.wait_log('A factory reset asks the firmware to clear the TPM.')
    assert s.prop('ClearsTpm') == True
    assert s.stop() == 0


def test_no_tpm_clear_without_tpm():
    s = System(efi=True)
    target_wants_tpm_clear(s)
    s.start_daemon()
    s.settle(0.5)
    assert s.prop('Tpm')['Present'] == False
    assert s.prop('ClearsTpm') == False
    assert s.stop() == 0


def test_no_tpm_clear_when_target_does_not_pull_it_in():
    s = System(efi=True)
    s.systemd.AddMockUnit('systemd-tpm2-clear.service')  # installed, but not wanted
    s.start_daemon(tpm_tcti=s.start_swtpm())
    s.wait_log('factory-reset.target does not pull in systemd-tpm2-clear.service.')
    assert s.prop('ClearsTpm') == False
    assert s.stop() == 0


def test_no_tpm_clear_when_service_not_installed():
    s = System(efi=True)
    target_wants_tpm_clear(s, installed=False)
    s.systemd.AddMethod('org.freedesktop.systemd1.Manager', 'LoadUnit', 's', 'o',
                        'if args[0] not in self.units: raise dbus.exceptions.DBusException('
                        '"Unit %s not found." % args[0], name="org.freedesktop.systemd1.NoSuchUnit")\n'
                        'ret = self.units[args[0]]')
    s.start_daemon(tpm_tcti=s.start_swtpm())
    s.wait_log('factory-reset.target pulls in systemd-tpm2-clear.service.')
    s.settle(0.5)
    assert s.prop('ClearsTpm') == False
    assert s.stop() == 0


def test_reload_reads_definitions_again_and_emits_changes():
    s = System(efi=True)
    d = Dirs(s)
    var = d.write('usr', '50-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')
    s.start_daemon(extra_env=d.env())
    assert erased(s) == [(var, 'var', '', '', 0, '')]

    wait_changed = s.watch_changes()

    home = d.write('etc', '60-home.conf', '[Partition]\nType=home\nFactoryReset=yes\n')
    bad = d.write('etc', '50-var.conf', '[Partition]\nType=var\nFactoryReset=perhaps\n')
    s.daemon.send_signal(signal.SIGHUP)
    wait_changed(['EraseProblems', 'ErasedPartitions'])
    assert erased(s) == [(home, 'home', '', '', 0, '')], erased(s)
    assert len(problems(s)) == 1 and problems(s)[0].startswith(f'{bad}:3: Invalid boolean'), problems(s)
    assert s.stop() == 0


def test_hotkeyctl_status_shows_what_will_be_erased():
    s = System(efi=True)
    d = Dirs(s)
    var = d.write('usr', '50-var.conf', '[Partition]\nType=var\nLabel=var data\nFactoryReset=yes\n')
    home = d.write('usr', '60-home.conf', '[Partition]\nType=home\nFactoryReset=yes\n')
    bad = d.write('usr', '70-bad.conf', '[Partition]\nFactoryReset=yes\n')
    where, dev = mounted_tmpfs(s, 'var')
    node = add_partition(s, 2, 'vdz2p3', VAR_GUID, 'var\\x20data', 3 * 1024 * 1024 * 2, dev=dev)
    target_wants_tpm_clear(s)
    s.start_daemon(input_devices=True, extra_env=d.env(), tpm_tcti=s.start_swtpm())
    s.wait_log('A factory reset asks the firmware to clear the TPM.')

    p = subprocess.run([CTL, 'status'], env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    out = p.stdout
    assert re.search(rf'^ +Will erase: var partition "var data" on {node} \(3G\), mounted on {re.escape(where)}$',
                     out, re.M), out
    assert re.search(rf'^ +defined in {re.escape(var)}$', out, re.M), out
    assert re.search(r'^ +home partition, not present now$', out, re.M), out
    assert re.search(rf'^ +defined in {re.escape(home)}$', out, re.M), out
    assert re.search(r"^ +the TPM's keys \(the firmware is asked to clear the TPM\)$", out, re.M), out
    assert re.search(rf'^ +Problems: {re.escape(bad)}:1: \[Partition\] has no valid Type=', out, re.M), out

    p = subprocess.run([CTL, 'status', '--json'], env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    j = json.loads(p.stdout)
    assert j['ErasedPartitions'] == [
        {'Definition': var, 'Type': 'var', 'Label': 'var data', 'Device': node, 'Size': 3 * 1024 ** 3,
         'MountPoint': where},
        {'Definition': home, 'Type': 'home', 'Label': '', 'Device': '', 'Size': 0, 'MountPoint': ''},
    ], j
    assert j['ClearsTpm'] is True, j
    assert len(j['EraseProblems']) == 1 and j['EraseProblems'][0].startswith(f'{bad}:1:'), j
    assert s.stop() == 0


def plugins(s):
    return [tuple(str(x) for x in p) for p in s.prop('ResetPlugins')]


def test_hotkeyctl_status_nothing_to_erase():
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    s.start_daemon(extra_env=d.env())
    p = subprocess.run([CTL, 'status'], env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    assert re.search(r'^ +Supported: no$', p.stdout, re.M), p.stdout
    assert re.search(rf'^ +Reason: {re.escape(NOTHING_TO_ERASE)}$', p.stdout, re.M), p.stdout
    assert re.search(r'^ +Will erase: nothing \(no partition is defined with FactoryReset=yes\)$', p.stdout,
                     re.M), p.stdout
    assert 'Problems:' not in p.stdout, p.stdout
    assert s.stop() == 0



def test_nothing_to_erase_is_not_supported():
    """No FactoryReset=yes partition (only one marked no), a TPM that
    factory-reset.target does not clear, and factory-reset-now.target with
    systemd's own unit only: a reset would only reboot."""
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    d.write('usr', '10-root.conf', '[Partition]\nType=root\nFactoryReset=no\n')
    s.systemd.AddMockUnit('systemd-tpm2-clear.service')  # installed, not wanted
    s.start_daemon(extra_env=d.env(), tpm_tcti=s.start_swtpm())
    s.wait_log('factory-reset.target does not pull in systemd-tpm2-clear.service.')
    assert s.prop('Tpm')['Present'] == True
    assert s.prop('ClearsTpm') == False
    assert erased(s) == []
    assert s.prop('Supported') == False
    assert s.prop('UnsupportedReason') == NOTHING_TO_ERASE, s.prop('UnsupportedReason')
    assert plugins(s) == [], plugins(s)
    s.wait_log('Factory reset not possible now, mode unspecified: ' + NOTHING_TO_ERASE)
    assert s.stop() == 0


def test_tpm_clear_alone_is_something_to_erase():
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    target_wants_tpm_clear(s)
    s.start_daemon(extra_env=d.env(), tpm_tcti=s.start_swtpm())
    s.wait_log('A factory reset asks the firmware to clear the TPM.')
    assert s.prop('Supported') == True, s.prop('UnsupportedReason')
    assert s.prop('UnsupportedReason') == ''
    assert s.stop() == 0


def test_reset_plugin_is_something_to_erase_and_listed():
    """An OS without FactoryReset=yes partitions whose reset is a service in
    factory-reset-now.target: supported, and the service is listed.  A unit
    the target wants that is not installed is no plug-in, nor is systemd's
    own systemd-factory-reset-complete.service."""
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    reset_now_wants(s, 'acme-wipe-vault.service', description='Wipe the vault')
    s.systemd.AddMockUnit('acme-missing.service')
    s.systemd_unit('acme-missing.service').UpdateProperties('org.freedesktop.systemd1.Unit',
                                                            {'LoadState': 'not-found'})
    target = s.systemd_unit('factory-reset-now.target')
    target.UpdateProperties('org.freedesktop.systemd1.Unit',
                            {'Wants': dbus.Array(['systemd-factory-reset-complete.service', 'acme-wipe-vault.service',
                                                  'acme-missing.service'], signature='s')})
    target.AddProperty('org.freedesktop.systemd1.Unit', 'Requires',
                       dbus.Array(['acme-erase-keys.service'], signature='s'))
    # Requires= counts as well; without a Description systemd names the unit.
    s.systemd.AddMockUnit('acme-erase-keys.service')
    s.start_daemon(extra_env=d.env())
    assert erased(s) == []
    assert s.prop('Supported') == True, s.prop('UnsupportedReason')
    assert plugins(s) == [('acme-wipe-vault.service', 'Wipe the vault'),
                          ('acme-erase-keys.service', 'acme-erase-keys.service')], plugins(s)

    p = subprocess.run([CTL, 'status'], env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    assert re.search(r'^ +Supported: yes$', p.stdout, re.M), p.stdout
    assert re.search(r'^ +Will erase: what acme-wipe-vault.service resets \(Wipe the vault\)$', p.stdout, re.M), p.stdout
    assert re.search(r'^ +what acme-erase-keys.service resets$', p.stdout, re.M), p.stdout
    assert 'no partition is defined' not in p.stdout, p.stdout
    p = subprocess.run([CTL, 'status', '--json'], env=s.env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    assert json.loads(p.stdout)['ResetPlugins'] == [
        {'Unit': 'acme-wipe-vault.service', 'Description': 'Wipe the vault'},
        {'Unit': 'acme-erase-keys.service', 'Description': 'acme-erase-keys.service'},
    ], p.stdout
    assert s.stop() == 0


def test_testbed_plugin_is_listed_beside_partitions():
    s = System(efi=True)
    d = Dirs(s)
    var = d.write('usr', '50-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')
    s.start_daemon(extra_env=d.env())
    assert erased(s) == [(var, 'var', '', '', 0, '')]
    # The plug-ins are asked of systemd after the support check; with a
    # partition to erase, Supported does not wait for them.
    s.wait_log('A factory reset runs 1 reset plug-in(s)')
    assert plugins(s) == [(RESET_PLUGIN, RESET_PLUGIN_DESCRIPTION)], plugins(s)
    assert s.prop('Supported') == True
    assert s.stop() == 0


def test_reload_that_leaves_nothing_to_erase_makes_it_unsupported():
    s = System(efi=True, reset_plugin=False)
    d = Dirs(s)
    var = d.write('usr', '50-var.conf', '[Partition]\nType=var\nFactoryReset=yes\n')
    s.start_daemon(extra_env=d.env())
    assert s.prop('Supported') == True, s.prop('UnsupportedReason')

    wait_changed = s.watch_changes()
    d.write('etc', '50-var.conf', '[Partition]\nType=var\nFactoryReset=no\n')
    s.daemon.send_signal(signal.SIGHUP)
    wait_changed(['Mode', 'Supported', 'UnsupportedReason'])
    assert s.prop('Supported') == False
    assert s.prop('UnsupportedReason') == NOTHING_TO_ERASE, s.prop('UnsupportedReason')
    assert s.stop() == 0


if __name__ == '__main__':
    run_tests(globals())
