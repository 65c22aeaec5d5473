# SPDX-License-Identifier: LGPL-2.1-or-later
"""The real daemon on a private system bus, with real peers.

Runs inside a private mount namespace (the meson test wraps the script in
`unshare --mount`), as root, inside the build root.  Started here, for real:

- dbus-daemon with a system-type configuration and the installed bus
  policies (Debian's, polkit's, hotkeyd's own units/*.conf);
- polkitd 128 as user polkitd, reading hotkeyd's built policy (bind-mounted
  into /usr/share/polkit-1/actions) and, when a test asks, the example rule;
- systemd's own Varlink service, /usr/lib/systemd/systemd-factory-reset,
  socket-activated with systemd-socket-activate.  A tmpfs on /sys/firmware
  decides what it sees: an empty efi/efivars (it then supports requests and
  keeps them there, measured) or nothing (not an EFI boot);
- hotkeyd itself, not in dry-run mode.

Mocked, because PID 1 and logind cannot run here: org.freedesktop.systemd1
and org.freedesktop.login1, as python-dbusmock templates on the same bus.
The systemd1 stand-in (systemd_stand_in.py) really runs the ExecStart= of
hotkeyd-cancel.service, read from the built unit file, when hotkeyd starts
that unit: a cancel removes the EFI variable for real.

Children get the environment without umockdev's preload, which would send
their /sys look-ups into the umockdev testbed; hotkeyd keeps it only when a
test needs emulated input devices.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import time

import dbus

from hotkeyd_testbed import Testbed

SRC = os.environ.get('HOTKEYD_SOURCE_ROOT', os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
POLICY = os.environ.get('HOTKEYD_POLKIT_POLICY')
FACTORY_RESET = '/usr/lib/systemd/systemd-factory-reset'
EFIVAR_REQUEST = 'FactoryResetRequest-8cf2644b-4b0b-428f-9387-6d876050dc67'
CANCEL_UNIT = 'hotkeyd-cancel.service'
CANCEL_UNIT_FILE = os.environ.get('HOTKEYD_CANCEL_UNIT')
SYSTEMD_STAND_IN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'systemd_stand_in.py')

BUS_NAME = 'io.hotkeyd.FactoryReset1'
BUS_PATH = '/io/hotkeyd/FactoryReset1'
BUS_IFACE = 'io.hotkeyd.FactoryReset1'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'
UNIT_IFACE = 'org.freedesktop.systemd1.Unit'
SESSION_IFACE = 'org.freedesktop.login1.Session'
NOBODY = 65534

# logind answers GetSessionByPID from the process's cgroup; the stand-in
# answers from the sessions' Leader property, which the tests set to the
# agent's pid (System.map_sessions_by_leader(), System.session()).
GET_SESSION_BY_PID = '''
ret = None
for path, obj in objects.items():
    if '/session/' in path and int(obj.Get('org.freedesktop.login1.Session', 'Leader')) == int(args[0]):
        ret = dbus.ObjectPath(path)
if ret is None:
    raise dbus.exceptions.DBusException('PID %d does not belong to any known session' % args[0],
                                        name='org.freedesktop.login1.NoSessionForPID')
'''

# Desktop mode with one hold trigger that HOLD completes.
DESKTOP = """
[Daemon]
Mode=desktop
ConfirmTimeoutSec={timeout}

[Trigger]
Name=reset-key
Keys=KEY_RESTART
HoldSec=1
"""

# A 1.3 s hold of KEY_RESTART: HoldSec=1 of the desktop configurations
# completes 1.1 s after the replay starts.
HOLD = [(0.1, 'KEY_RESTART', 1), (1.4, 'KEY_RESTART', 0)]


class VarlinkProxy:
    """A relay in front of the real io.systemd.FactoryReset socket, for the
    faults a relay can make: mode 'pass' relays everything; 'die' relays a
    connection's first reply, then kills the systemd-factory-reset process
    that wrote it (SIGKILL) and closes the connection; 'hang' relays the
    first reply and nothing after it.  Point the daemon at .path
    (HOTKEYD_FACTORY_RESET_SOCKET)."""

    def __init__(self, system, mode='pass'):
        import socket
        import threading

        self.system = system
        self.mode = mode
        self.killed = []  # pids killed in mode 'die'
        self.path = os.path.join(system.tmp, 'factory-reset-relay')
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            client, _ = self.listener.accept()
            known = set(self.system.factory_reset_pids())
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.system.varlink)
            threading.Thread(target=self._relay, args=(client, upstream, known), daemon=True).start()

    def _relay(self, client, upstream, known):
        import select

        mode = self.mode  # per connection, as it was when it came
        replies = 0
        while True:
            readable, _, _ = select.select([client, upstream], [], [])
            if client in readable:
                data = client.recv(65536)
                if not data:
                    break
                if replies == 0 or mode == 'pass':
                    upstream.sendall(data)
            if upstream in readable:
                data = upstream.recv(65536)
                if not data:
                    break
                if replies > 0 and mode != 'pass':
                    continue
                if mode != 'pass' and b'\0' in data:
                    data = data[:data.index(b'\0') + 1]
                client.sendall(data)
                replies += data.count(b'\0')
                if mode == 'die' and replies:
                    # This connection's service process: the one started for it.
                    pids = [p for p in self.system.factory_reset_pids() if p not in known]
                    assert len(pids) == 1, pids
                    os.kill(pids[0], signal.SIGKILL)
                    self.killed.append(pids[0])
                    break
        client.close()
        upstream.close()


def unit_exec_start(path):
    """The one ExecStart= of a Type=oneshot unit file, as argv."""
    section, exec_start, unit_type = None, [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith('['):
                section = line
            elif section == '[Service]' and line.startswith('ExecStart='):
                exec_start.append(line[len('ExecStart='):])
            elif section == '[Service]' and line.startswith('Type='):
                unit_type = line[len('Type='):]
    assert unit_type == 'oneshot' and len(exec_start) == 1, (path, unit_type, exec_start)
    argv = shlex.split(exec_start[0])
    # Prefixes (-, @, +, !) would change how systemd runs it; none are used.
    assert argv and argv[0].startswith('/'), argv
    return argv


def clean_env():
    env = dict(os.environ)
    for k in ('LD_PRELOAD', 'UMOCKDEV_DIR'):
        env.pop(k, None)
    return env


def sh(*cmd):
    subprocess.run(cmd, check=True, env=clean_env())


def real_exists(path):
    """os.path.exists() for /sys: this process runs under umockdev's
    preload, which answers /sys look-ups from its testbed."""
    return subprocess.run(['test', '-e', path], env=clean_env()).returncode == 0


class System(Testbed):
    def __init__(self, efi=True, kiosk_rule=False, target_installed=True, reset_plugin=True):
        """reset_plugin: factory-reset-now.target pulls in RESET_PLUGIN, so
        that a reset erases something without repart.d definitions (the
        default); without it, only systemd's own unit."""
        assert os.geteuid() == 0, 'the system tests run as root in the build root'
        super().__init__()
        os.chmod(self.tmp, 0o755)
        self.procs = []
        self.buttons = 0
        self.efi = efi
        self.reset_plugin = reset_plugin
        self._mount_firmware(efi)
        self._mount_polkit(kiosk_rule)
        self._start_peers(target_installed)
        self.varlink = os.path.join(self.tmp, 'io.systemd.FactoryReset')
        # One process per connection (Accept=yes, as systemd-factory-reset.socket
        # has it); each writes its pid to factory_reset_runs first, then
        # becomes the real service (same pid, so LISTEN_PID still matches).
        self.factory_reset_runs = os.path.join(self.tmp, 'factory-reset-runs')
        open(self.factory_reset_runs, 'w').close()
        self._spawn(['systemd-socket-activate', '--accept', '--fdname=varlink', '-l', self.varlink,
                     'sh', '-c', 'echo $$ >> "$0" && exec "$1"', self.factory_reset_runs, FACTORY_RESET])
        self._wait_for(lambda: os.path.exists(self.varlink), 'the factory-reset socket')

    def _start_peers(self, target_installed=True):
        """The system bus and everything on it but hotkeyd."""
        self._start_bus()
        self._start_polkitd()
        self.systemd = self._start_mock(SYSTEMD_STAND_IN, 'org.freedesktop.systemd1', '/org/freedesktop/systemd1')
        assert CANCEL_UNIT_FILE and os.path.exists(CANCEL_UNIT_FILE), f'built unit not found: {CANCEL_UNIT_FILE}'
        self.systemd.AddExecUnit(CANCEL_UNIT, unit_exec_start(CANCEL_UNIT_FILE))
        self.logind = self._start_mock('logind', 'org.freedesktop.login1', '/org/freedesktop/login1')
        self.systemd.AddMethod('org.freedesktop.systemd1.Manager', 'Subscribe', '', '', '')
        self.systemd.AddProperty('org.freedesktop.systemd1.Manager', 'SystemState', 'running')
        if target_installed:
            self.systemd.AddMockUnit('factory-reset.target')
            self.systemd.AddMethod('org.freedesktop.systemd1.Manager', 'LoadUnit', 's', 'o',
                                   'ret = self.units[args[0]]')
            # As systemd >= 258 ships it: the target wants its own unit only.
            self.systemd.AddMockUnit(RESET_NOW_TARGET)
            self.systemd.AddMockUnit(RESET_COMPLETE_SERVICE)
            self.systemd_unit(RESET_NOW_TARGET).AddProperty(UNIT_IFACE, 'Wants',
                                                            dbus.Array([RESET_COMPLETE_SERVICE], signature='s'))
            if self.reset_plugin:
                reset_now_wants(self, RESET_PLUGIN, description=RESET_PLUGIN_DESCRIPTION)
        else:
            self.systemd.AddMethod('org.freedesktop.systemd1.Manager', 'LoadUnit', 's', 'o',
                                   'raise dbus.exceptions.DBusException("Unit %s not found." % args[0], '
                                   'name="org.freedesktop.systemd1.NoSuchUnit")')

    def restart_bus(self):
        """Stops the system bus and its peers (not hotkeyd), then starts them
        again on the same socket."""
        peers = [p for p in self.procs if p.poll() is None and
                 any(x in ' '.join(map(str, p.args)) for x in ('dbus-daemon', 'polkitd', 'dbusmock'))]
        for p in peers:
            p.terminate()
        for p in peers:
            p.wait(10)
        socket = os.path.join(self.tmp, 'system_bus_socket')
        if os.path.exists(socket):
            os.unlink(socket)
        self._start_peers()

    # --- setup -----------------------------------------------------------

    def _mount_firmware(self, efi):
        sh('mount', '-t', 'tmpfs', '-o', 'mode=0755', 'firmware', '/sys/firmware')
        if efi:
            sh('mkdir', '-p', '/sys/firmware/efi/efivars')

    def _mount_polkit(self, kiosk_rule):
        actions = os.path.join(self.tmp, 'polkit-actions')
        shutil.copytree('/usr/share/polkit-1/actions', actions)
        assert POLICY and os.path.exists(POLICY), f'built policy not found: {POLICY}'
        shutil.copy(POLICY, actions)
        sh('mount', '--bind', actions, '/usr/share/polkit-1/actions')

        rules = os.path.join(self.tmp, 'polkit-rules')
        os.mkdir(rules)
        if kiosk_rule:
            shutil.copy(os.path.join(SRC, 'polkit', '50-hotkeyd-kiosk-maintenance.rules'), rules)
        sh('mount', '--bind', rules, '/etc/polkit-1/rules.d')

        # polkit asks NSS for the groups of the subject's user.
        group = os.path.join(self.tmp, 'group')
        with open('/etc/group') as src, open(group, 'w') as dst:
            text = src.read()
            used = {int(line.split(':')[2]) for line in text.splitlines() if line.count(':') >= 3}
            self.kiosk_gid = next(g for g in range(4000, 5000) if g not in used)
            dst.write(text)
            dst.write(f'kiosk-maintenance:x:{self.kiosk_gid}:nobody\n')
        os.chmod(group, 0o644)
        sh('mount', '--bind', group, '/etc/group')

    def _spawn(self, cmd, env=None, **kw):
        p = subprocess.Popen(cmd, env=env or self.env, **kw)
        self.procs.append(p)
        return p

    def _wait_for(self, cond, what, timeout=10):
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError(f'{what} did not appear within {timeout}s')
            time.sleep(0.02)

    def _start_bus(self):
        socket = os.path.join(self.tmp, 'system_bus_socket')
        conf = os.path.join(self.tmp, 'system-bus.conf')
        with open(os.path.join(SRC, 'tests', 'integration', 'system-bus.conf.in')) as f:
            text = f.read()
        text = text.replace('@SOCKET@', socket)
        text = text.replace('@HOTKEYD_POLICY@', os.path.join(SRC, 'units', 'io.hotkeyd.FactoryReset1.conf'))
        with open(conf, 'w') as f:
            f.write(text)
        self.address = f'unix:path={socket}'
        self.env = clean_env()
        self.env['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        self._spawn(['dbus-daemon', f'--config-file={conf}', '--nofork', '--nopidfile'])
        self._wait_for(lambda: os.path.exists(socket), 'the system bus socket')
        # The socket exists from bind(), before dbus-daemon listens: until
        # then a connection is refused (seen on a loaded machine).
        deadline = time.monotonic() + 10
        while True:
            try:
                self.bus = dbus.bus.BusConnection(self.address)
                break
            except dbus.exceptions.DBusException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _wait_name(self, name, timeout=10):
        self._wait_for(lambda: self.bus.name_has_owner(name), name, timeout)

    def _start_polkitd(self):
        self._spawn(['setpriv', '--reuid=polkitd', '--regid=polkitd', '--init-groups',
                     '/usr/lib/polkit-1/polkitd', '--no-debug'], stdout=subprocess.DEVNULL)
        self._wait_name('org.freedesktop.PolicyKit1')

    def _start_mock(self, template, name, path):
        self._spawn(['python3', '-m', 'dbusmock', '--system', '--template', template],
                    stdout=subprocess.DEVNULL)
        self._wait_name(name)
        return dbus.Interface(self.bus.get_object(name, path), MOCK_IFACE)

    # --- the daemon ------------------------------------------------------

    def swtpm_port(self):
        return 20000 + os.getpid() % 20000

    def swtpm_tcti(self):
        """The TCTI string of the simulator start_swtpm() starts."""
        return f'swtpm:host=127.0.0.1,port={self.swtpm_port()}'

    def start_swtpm(self):
        """A TPM 2.0 simulator on loopback; returns its TCTI string."""
        state = os.path.join(self.tmp, 'tpm')
        os.mkdir(state)
        port = self.swtpm_port()
        self._spawn(['swtpm', 'socket', '--tpm2', '--tpmstate', f'dir={state}',
                     '--server', f'type=tcp,port={port},bindaddr=127.0.0.1',
                     '--ctrl', f'type=tcp,port={port + 1},bindaddr=127.0.0.1',
                     '--flags', 'not-need-init,startup-clear'])
        tcti = self.swtpm_tcti()
        deadline = time.monotonic() + 10
        while subprocess.run(['tpm2_getcap', '-T', tcti, 'properties-fixed'], env=self.env,
                             capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, 'swtpm did not come up'
            time.sleep(0.1)
        return tcti

    def start_daemon(self, config_text='[Daemon]\nMode=desktop\n', input_devices=False,
                     extra_args=('--log-level=debug',), tpm_tcti=None, extra_env=None, wait_tpm=True):
        env = clean_env()
        if input_devices:
            # umockdev sets UMOCKDEV_DIR with setenv(), which os.environ
            # (read at start-up) does not show.
            env['LD_PRELOAD'] = os.environ['LD_PRELOAD']
            env['UMOCKDEV_DIR'] = self.testbed.get_root_dir()
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        env['HOTKEYD_FACTORY_RESET_SOCKET'] = self.varlink
        # What the daemon learns about keys stays in the test's directory.
        env['STATE_DIRECTORY'] = os.path.join(self.tmp, 'state')
        os.makedirs(env['STATE_DIRECTORY'], exist_ok=True)
        if tpm_tcti:
            env['HOTKEYD_TPM2_TCTI'] = tpm_tcti
        env.update(extra_env or {})
        self.start(config_text, extra_args=extra_args, dry_run=False, env=env)
        self._wait_name(BUS_NAME)
        self.wait_log('Factory reset ')  # the first support check answered
        if wait_tpm:
            self.wait_log('TPM: ')  # the TPM read by its child process
        self.wait_log('A factory reset erases ')  # read after READY=1
        self.hotkeyd = dbus.Interface(self.bus.get_object(BUS_NAME, BUS_PATH), BUS_IFACE)
        self.props = dbus.Interface(self.bus.get_object(BUS_NAME, BUS_PATH), 'org.freedesktop.DBus.Properties')

    def prop(self, name):
        return self.props.Get(BUS_IFACE, name)

    def watch_changes(self):
        """Records hotkeyd's PropertiesChanged signals from now on; returns
        wait(names), which waits up to 5 s for a signal naming exactly those
        properties (sorted, changed and invalidated together)."""
        from dbus.mainloop.glib import DBusGMainLoop
        from gi.repository import GLib

        changed = []
        bus = dbus.bus.BusConnection(self.address, mainloop=DBusGMainLoop())
        bus.add_signal_receiver(lambda iface, props, invalidated: changed.append(sorted(props) + sorted(invalidated)),
                                'PropertiesChanged', 'org.freedesktop.DBus.Properties', BUS_NAME, BUS_PATH)
        # A round trip: the match is in place once the answer is here.
        bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'GetId', '', [])

        def wait(want):
            deadline = time.monotonic() + 5
            while want not in changed and time.monotonic() < deadline:
                GLib.MainContext.default().iteration(False)
                time.sleep(0.01)
            assert want in changed, changed
        wait.bus = bus  # the connection lives as long as its waiter
        return wait

    def call_as(self, uid, method, *args, groups=None):
        """Calls a method of hotkeyd with busctl as another user; returns
        (exit status, stdout, stderr)."""
        cmd = ['setpriv', f'--reuid={uid}', f'--regid={uid}']
        cmd += [f'--groups={",".join(map(str, groups))}'] if groups else ['--clear-groups']
        cmd += ['busctl', '--system', 'call', BUS_NAME, BUS_PATH, BUS_IFACE, method, *args]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout.strip(), p.stderr.strip()

    # --- sessions and key gestures --------------------------------------

    def map_sessions_by_leader(self):
        """login1's GetSessionByPID, answered from the sessions' Leader."""
        self.logind.AddMethod('org.freedesktop.login1.Manager', 'GetSessionByPID', 'u', 'o', GET_SESSION_BY_PID)

    def session(self, session_id, seat, uid, pid, active=True):
        """A login1 session whose leader is pid (an agent's process)."""
        path = self.logind.AddSession(session_id, seat, dbus.UInt32(uid), 'root' if uid == 0 else 'nobody', active)
        self.session_mock(path).UpdateProperties(SESSION_IFACE, {'Leader': dbus.UInt32(pid)})
        return path

    def session_mock(self, path):
        return dbus.Interface(self.bus.get_object('org.freedesktop.login1', path), MOCK_IFACE)

    def start_hold(self, events=HOLD):
        """Starts replaying a hold of KEY_RESTART on a new device; returns
        (device, the monotonic time of evemu time 0).  umockdev replays one
        script per device at a time, so every hold gets a device of its own."""
        self.buttons += 1
        button = self.add_device(f'Reset Button {self.buttons}', ['KEY_RESTART'])
        self.plug(button)
        return button, button.play(events)

    def hold(self):
        """A whole hold (HOLD), until its release; returns the device's node."""
        button, _ = self.start_hold()
        self.wait_log(f'{button.devnode}: KEY_RESTART released')
        return button.devnode

    def add_tpm_device(self, index=0):
        """A TPM resource manager appearing (umockdev: its udev "add" event;
        no device node)."""
        syspath = self.testbed.add_from_string(
            f'P: /devices/platform/hotkeyd-tpm/tpmrm/tpmrm{index}\n'
            f'E: DEVNAME=/dev/tpmrm{index}\nE: SUBSYSTEM=tpmrm\n'
            f'E: MAJOR=252\nE: MINOR={65536 + index}\n\n')
        self.testbed.uevent(f'/sys/devices/platform/hotkeyd-tpm/tpmrm/tpmrm{index}', 'add')

    # --- systemd's side --------------------------------------------------

    def systemd_unit(self, name):
        """The mock's unit object (AddMockUnit), for its Mock interface."""
        path = '/org/freedesktop/systemd1/unit/' + name.replace('.', '_').replace('-', '_')
        return dbus.Interface(self.bus.get_object('org.freedesktop.systemd1', path), MOCK_IFACE)

    def start_unit_calls(self):
        return [c for c in self.systemd.GetMethodCalls('StartUnit')]

    def exec_results(self):
        """(unit, exit status) of the unit commands the stand-in ran."""
        return [(str(u), int(c)) for u, c in self.systemd.GetExecResults()]

    def request_pending(self):
        """Makes a reset pending the way factory-reset.target does."""
        sh(FACTORY_RESET, 'request')
        assert self.is_pending()

    def factory_reset_pids(self):
        """The pids of the systemd-factory-reset processes started so far,
        one per Varlink connection."""
        with open(self.factory_reset_runs) as f:
            return [int(line) for line in f.read().split()]

    def is_pending(self):
        return real_exists(f'/sys/firmware/efi/efivars/{EFIVAR_REQUEST}')

    def cleanup(self):
        # The tmp dir holds bind-mount sources and sockets of the peers;
        # they go when the namespace does.
        self.kill()

    def kill(self):
        super().kill()
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()


# --- what a reset erases: repart.d definitions, block devices, TPM clear ------

VAR_GUID = '4d21b016-b534-45c2-a9fb-5c16e091fd2d'
HOME_GUID = '933ac7e1-2eb4-4f13-b844-0e14e2aef915'


class Dirs:
    """etc, run, usr: three definition directories in order of precedence."""

    def __init__(self, s):
        self.root = os.path.join(s.tmp, 'repart')
        self.names = ('etc', 'run', 'usr')
        for n in self.names:
            os.makedirs(os.path.join(self.root, n))

    def path(self, d, name):
        return os.path.join(self.root, d, name)

    def write(self, d, name, text):
        with open(self.path(d, name), 'w') as f:
            f.write(text)
        return self.path(d, name)

    def env(self):
        return {'HOTKEYD_REPART_DIRS': ':'.join(os.path.join(self.root, n) for n in self.names)}


def add_partition(s, index, name, guid, label, sectors, dev=None, part_uuid=None, fs_uuid=None):
    """A GPT partition as udev describes it; dev: (major, minor); part_uuid
    and fs_uuid: its ID_PART_ENTRY_UUID and ID_FS_UUID."""
    major, minor = dev or (259, 100 + index)
    disk = f'/devices/platform/hotkeyd-test/block/vdz{index}'
    record = [f'P: {disk}/{name}',
              'E: SUBSYSTEM=block', 'E: DEVTYPE=partition', f'E: DEVNAME=/dev/{name}',
              f'E: MAJOR={major}', f'E: MINOR={minor}',
              f'E: ID_PART_ENTRY_TYPE={guid}', 'E: ID_PART_ENTRY_SCHEME=gpt']
    if label is not None:
        record.append(f'E: ID_PART_ENTRY_NAME={label}')
    if part_uuid is not None:
        record.append(f'E: ID_PART_ENTRY_UUID={part_uuid}')
    if fs_uuid is not None:
        record.append(f'E: ID_FS_UUID={fs_uuid}')
    record += [f'A: size={sectors}', f'A: dev={major}:{minor}', 'A: partition=3', '',
               f'P: {disk}', 'E: SUBSYSTEM=block', 'E: DEVTYPE=disk', f'E: DEVNAME=/dev/vdz{index}',
               f'A: size={sectors * 4}', '']
    s.testbed.add_from_string('\n'.join(record) + '\n')
    return f'/dev/{name}'


def mounted_tmpfs(s, name):
    """A tmpfs mounted in this test's namespace; returns (path, (major, minor))."""
    path = os.path.join(s.tmp, name)
    os.mkdir(path)
    sh('mount', '-t', 'tmpfs', 'hotkeyd-test', path)
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            # The kernel escapes spaces as \040.
            if re.sub(r'\\([0-7]{3})', lambda m: chr(int(m.group(1), 8)), fields[4]) == path:
                major, minor = fields[2].split(':')
                return path, (int(major), int(minor))
    raise AssertionError(f'{path} not in mountinfo')


RESET_NOW_TARGET = 'factory-reset-now.target'
RESET_COMPLETE_SERVICE = 'systemd-factory-reset-complete.service'
RESET_PLUGIN = 'hotkeyd-test-wipe.service'
RESET_PLUGIN_DESCRIPTION = 'Wipe the test data'


def reset_now_wants(s, *plugins, description=None, load_state='loaded'):
    """factory-reset-now.target pulls in systemd's own unit and plugins
    (new units, with that Description and LoadState)."""
    for name in plugins:
        s.systemd.AddMockUnit(name)
        unit = s.systemd_unit(name)
        unit.UpdateProperties(UNIT_IFACE, {'LoadState': load_state})
        if description is not None:
            unit.AddProperty(UNIT_IFACE, 'Description', description)
    s.systemd_unit(RESET_NOW_TARGET).UpdateProperties(
        UNIT_IFACE, {'Wants': dbus.Array([RESET_COMPLETE_SERVICE, *plugins], signature='s')})


def target_wants_tpm_clear(s, installed=True):
    target = s.systemd_unit('factory-reset.target')
    target.AddProperty(UNIT_IFACE, 'Wants', dbus.Array(['systemd-factory-reset-request.service',
                                                        'systemd-tpm2-clear.service'], signature='s'))
    if installed:
        s.systemd.AddMockUnit('systemd-tpm2-clear.service')
