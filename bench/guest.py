#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The guest side of the benchmarks (installed into the VM image as
/usr/lib/hotkeyd-bench/guest.py; bench/run.py on the host calls it through
the serial console).

    guest.py prepare
    guest.py flood [--keys N] [--motion N]
    guest.py footprint [--runs N]
    guest.py hotplug [--count N] [--rounds N]
    guest.py hold [--holds N] [--seats K] [--logind-holds M]
    guest.py dialog [--holds N] [--second-agent-holds M]
    guest.py window [--runs N]

Each prints progress on stderr and, last, one line "@@RESULT {json}" with
the raw figures; bench/run.py turns them into bench/RESULTS.md.  Nothing here
judges a target: that happens on the host, from these figures."""

import argparse
import glob
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
RUN = '/run/hotkeyd-bench'
HOLD_SEC = 3
LOGIND_LONG_PRESS_SEC = 5  # logind's LONG_PRESS_DURATION, fixed in systemd
USER_HZ = os.sysconf('SC_CLK_TCK')

# The peers: systemd unit, process name, what their config reacts to.
DAEMONS = [
    ('hotkeyd', 'hotkeyd.service'),
    ('logind', 'systemd-logind.service'),
    ('triggerhappy', 'triggerhappy.service'),
    ('acpid', 'acpid.service'),
]


def say(*args):
    print('guest:', *args, file=sys.stderr, flush=True)


def sh(cmd, check=True, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=check, text=True,
                          stdout=subprocess.PIPE, **kw).stdout


def logged(cmd, log):
    """Run a helper with its stderr (and the daemon's log) in a file: on the
    serial console a chatty daemon would wait for the slow tty, in the middle
    of what is measured.  On failure the file's tail is shown."""
    os.makedirs(RUN, exist_ok=True)
    path = f'{RUN}/{log}'
    with open(path, 'w') as f:
        p = subprocess.run(cmd, text=True, stdout=subprocess.PIPE, stderr=f)
    if p.returncode != 0:
        with open(path) as f:
            sys.stderr.write(''.join(f.readlines()[-30:]))
        raise SystemExit(f'{cmd[0]} failed with status {p.returncode} (log: {path})')
    return p.stdout


def result(obj):
    print('@@RESULT ' + json.dumps(obj, separators=(',', ':')), flush=True)


def hotkeyd_binary():
    for path in ('/usr/libexec/hotkeyd', '/usr/lib/hotkeyd/hotkeyd'):
        if os.access(path, os.X_OK):
            return path
    raise SystemExit('hotkeyd binary not found')


def main_pid(unit):
    out = sh(['systemctl', 'show', '-p', 'MainPID', '--value', unit], check=False).strip()
    return int(out) if out.isdigit() and int(out) > 0 else None


def unit_exists(unit):
    out = sh(['systemctl', 'show', '-p', 'LoadState', '--value', unit], check=False).strip()
    return out == 'loaded'


def daemon_pids():
    return {name: main_pid(unit) for name, unit in DAEMONS if unit_exists(unit)}


def proc(pid):
    """CPU and wakeups of a process, all its threads."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14, 15 of proc(5)
    vcsw = nvcsw = runtime = 0
    for task in glob.glob(f'/proc/{pid}/task/*'):
        try:
            with open(f'{task}/status') as f:
                st = f.read()
            with open(f'{task}/schedstat') as f:
                runtime += int(f.read().split()[0])
        except FileNotFoundError:
            continue
        vcsw += int(re.search(r'^voluntary_ctxt_switches:\s*(\d+)', st, re.M).group(1))
        nvcsw += int(re.search(r'^nonvoluntary_ctxt_switches:\s*(\d+)', st, re.M).group(1))
    with open(f'/proc/{pid}/status') as f:
        rss = int(re.search(r'^VmRSS:\s*(\d+)', f.read(), re.M).group(1))
    return {'cpu_ms': (utime + stime) * 1000 // USER_HZ, 'runtime_ns': runtime,
            'vcsw': vcsw, 'nvcsw': nvcsw, 'rss_kib': rss, 'fds': len(os.listdir(f'/proc/{pid}/fd'))}


def memory(pid):
    """What a process's RSS is made of (/proc/PID/smaps_rollup), KiB."""
    with open(f'/proc/{pid}/smaps_rollup') as f:
        fields = dict(re.findall(r'^(\w+):\s+(\d+) kB', f.read(), re.M))
    m = {k: int(fields.get(k, 0)) for k in ('Rss', 'Pss', 'Anonymous', 'Shared_Clean', 'Shared_Dirty',
                                             'Private_Clean', 'Private_Dirty')}
    m['File'] = m['Rss'] - m['Anonymous']
    return m


def mappings(pid, top=12):
    """Rss, Pss and private dirty per mapped file (anonymous memory as
    [anon], the heap as [heap]), KiB, largest Pss first: [name, rss, pss,
    private_dirty]."""
    per, name = {}, None
    with open(f'/proc/{pid}/smaps') as f:
        for line in f:
            head = re.match(r'^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$', line)
            if head:
                name = os.path.basename(head.group(1)) if head.group(1).startswith('/') else (head.group(1) or '[anon]')
                per.setdefault(name, [0, 0, 0])
                continue
            field = re.match(r'^(Rss|Pss|Private_Dirty):\s+(\d+) kB', line)
            if field and name is not None:
                per[name][('Rss', 'Pss', 'Private_Dirty').index(field.group(1))] += int(field.group(2))
    rows = [[n] + v for n, v in per.items() if v[0]]
    return sorted(rows, key=lambda x: (-x[2], -x[1]))[:top]


# hotkeyd --timing on stderr: a header, then "  STEP  TOOK ms  SINCE-MAIN ms".
TIMING_HEADER = 'Start-up, CLOCK_MONOTONIC from main()'
TIMING_LINE = re.compile(r'^  (\S+) +(\d+\.\d{3}) ms +(\d+\.\d{3}) ms$')


def timing_blocks(text):
    """The --timing blocks of a log, in order: [{step: µs it took}]."""
    blocks = []
    for line in text.splitlines():
        if line.startswith(TIMING_HEADER):
            blocks.append({})
            continue
        m = TIMING_LINE.match(line)
        if m and blocks:
            blocks[-1][m.group(1)] = round(float(m.group(2)) * 1000)
    return blocks


def libinput_steps(text):
    """hkb-libinput's "libinput: STEP N.NNN ms" lines (time since main()),
    one dict per start, in order."""
    blocks = []
    for step, value in re.findall(r'^libinput: (context|devices|dispatch) (\d+\.\d+) ms', text, re.M):
        if step == 'context':
            blocks.append({})
        if blocks:
            blocks[-1][step] = round(float(value) * 1000)
    return blocks


def fd_targets(pid):
    out = []
    try:
        for fd in os.listdir(f'/proc/{pid}/fd'):
            try:
                out.append(os.readlink(f'/proc/{pid}/fd/{fd}'))
            except OSError:
                pass
    except OSError:
        pass
    return out


def ld_statistics(binary, bind_now, runs=5):
    """The dynamic loader's own figures (LD_DEBUG=statistics) of
    `binary --version`, each the median over runs."""
    figures = {}
    for _ in range(runs):
        env = dict(os.environ, LD_DEBUG='statistics')
        if bind_now:
            env['LD_BIND_NOW'] = '1'
        err = subprocess.run([binary, '--version'], env=env, capture_output=True, text=True).stderr
        for key, pattern in (('startup_cycles', r'total startup time in dynamic loader: (\d+) cycles'),
                             ('relocation_cycles', r'time needed for relocation: (\d+) cycles'),
                             ('relocations', r'\s number of relocations: (\d+)'),
                             ('relative', r'number of relative relocations: (\d+)'),
                             ('final_relocations', r'final number of relocations: (\d+)')):
            m = re.search(pattern, err)
            if m:
                figures.setdefault(key, []).append(int(m.group(1)))
    return {k: statistics.median(v) for k, v in figures.items()}


def snapshot(pids):
    """proc() of each; a process that is gone (a peer that exited) is left out."""
    out = {}
    for name, pid in pids.items():
        if not pid:
            continue
        try:
            out[name] = proc(pid)
        except FileNotFoundError:
            pass
    return out


def delta(a, b):
    return {name: {k: b[name][k] - a[name][k] for k in ('cpu_ms', 'runtime_ns', 'vcsw', 'nvcsw')}
            for name in a if name in b}


def has_open(pid, node):
    try:
        for fd in os.listdir(f'/proc/{pid}/fd'):
            try:
                if os.readlink(f'/proc/{pid}/fd/{fd}') == node:
                    return True
            except OSError:
                pass
    except OSError:
        pass
    return False


def wait_until(probe, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(interval)
    return probe()


def restart_service(unit, pid_before=None):
    sh(['systemctl', 'restart', unit])
    wait_until(lambda: main_pid(unit) and main_pid(unit) != pid_before, 30)


# --- prepare ---------------------------------------------------------------

def cmd_prepare(args):
    os.makedirs(RUN, exist_ok=True)
    sh('modprobe uinput')
    info = {
        'kernel': os.uname().release,
        'systemd': sh('systemctl --version', check=False).splitlines()[0],
        'cpus': os.cpu_count(),
        'hotkeyd': hotkeyd_binary(),
    }
    peers = {}
    # triggerhappy: a trigger on KEY_POWER.  Its udev rule hands every new
    # input device to the running thd.
    if unit_exists('triggerhappy.service'):
        os.makedirs('/etc/triggerhappy/triggers.d', exist_ok=True)
        with open('/etc/triggerhappy/triggers.d/hotkeyd-bench.conf', 'w') as f:
            f.write('# hotkeyd benchmark: react to the power key\nKEY_POWER\t1\t/bin/true\n')
        restart_service('triggerhappy.service', main_pid('triggerhappy.service'))
        peers['triggerhappy'] = sh("dpkg-query -W -f='${Version}' triggerhappy", check=False)
    # acpid: its input layer turns KEY_POWER into "button/power"; an event
    # rule reacts to it.
    if unit_exists('acpid.service'):
        os.makedirs('/etc/acpi/events', exist_ok=True)
        with open('/etc/acpi/events/hotkeyd-bench', 'w') as f:
            f.write('# hotkeyd benchmark: react to the power key\nevent=button/power.*\naction=/bin/true\n')
        restart_service('acpid.service', main_pid('acpid.service'))
        peers['acpid'] = sh("dpkg-query -W -f='${Version}' acpid", check=False)
    info['peers'] = peers
    info['missing_peers'] = [n for n, u in DAEMONS if not unit_exists(u)]

    # logind's long press on KEY_RESTART: "lock" after 5 s, nothing on a
    # short press.  (hotkeyd.service holds the handle-reboot-key inhibitor;
    # the hold benchmark stops it while logind is measured.)
    os.makedirs('/run/systemd/logind.conf.d', exist_ok=True)
    with open('/run/systemd/logind.conf.d/90-hotkeyd-bench.conf', 'w') as f:
        f.write('[Login]\nHandleRebootKey=ignore\nHandleRebootKeyLongPress=lock\n')
    sh('systemctl reload systemd-logind.service')

    # The hold benchmark's keyboards, each on a seat of its own (hotkeyd
    # keeps key state per seat: two keyboards of one seat make one hold).
    os.makedirs('/run/udev/rules.d', exist_ok=True)
    with open('/run/udev/rules.d/90-hotkeyd-bench.rules', 'w') as f:
        f.write('# hotkeyd benchmark: hold keyboards on seats of their own\n')
        for i in range(1, 65):
            f.write(f'SUBSYSTEM=="input", KERNEL=="event*", ATTRS{{name}}=="hotkeyd-bench-hold-{i}", '
                    f'ENV{{ID_SEAT}}="seat-bench{i}"\n')
    sh('udevadm control --reload')

    sh('systemctl is-system-running --wait', check=False)
    pids = daemon_pids()
    info['pids'] = pids
    # hotkeyd's footprint right after start: the service as booted.
    info['hotkeyd_after_start'] = proc(pids['hotkeyd']) if pids.get('hotkeyd') else None
    info['memory'] = {name: memory(pid) for name, pid in pids.items() if pid}
    # Per mapping, hotkeyd and logind (the Pss target is a ratio to logind's).
    info['mappings'] = {name: mappings(pids[name], top=16) for name in ('hotkeyd', 'logind') if pids.get(name)}
    info['hotkeyd_uptime_s'] = None
    if pids.get('hotkeyd'):
        with open(f'/proc/{pids["hotkeyd"]}/stat') as f:
            start_ticks = int(f.read().rsplit(')', 1)[1].split()[19])
        with open('/proc/uptime') as f:
            info['hotkeyd_uptime_s'] = round(float(f.read().split()[0]) - start_ticks / USER_HZ, 1)
    result(info)


# --- cost while typing -----------------------------------------------------

def cmd_flood(args):
    pids = daemon_pids()
    say(f'daemons: {pids}')
    p = subprocess.Popen([f'{BENCH}/hkb-flood'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = p.stdout.readline().split()
    if not ready or ready[0] != 'ready':
        raise SystemExit(f'hkb-flood did not start: {ready}')
    kbd, mouse = ready[1], ready[2]
    sh('udevadm settle --timeout=60')
    watches = {}
    for name, pid in pids.items():
        if not pid:
            continue
        # Every daemon gets a few seconds to open what it wants.
        wait_until(lambda: has_open(pid, kbd), 10 if name != 'logind' else 5)
        watches[name] = {'keyboard': has_open(pid, kbd), 'mouse': has_open(pid, mouse)}
    # The libinput comparison (docs/ARCHITECTURE.md): a libinput path
    # context on the devices hotkeyd opened, reading all they send, and one
    # whose fds carry hotkeyd's EVIOCSMASK (what libinput would cost with
    # hotkeyd opening the fds for it).
    nodes = [n for n, kind in ((kbd, 'keyboard'), (mouse, 'mouse')) if watches.get('hotkeyd', {}).get(kind)] or [kbd]
    helpers = {}
    for name, extra in (('libinput', []), ('libinput-masked', ['--mask-keys', ','.join(trigger_keys() or ['KEY_POWER'])])):
        log = open(f'{RUN}/flood-{name}.log', 'w')
        h = subprocess.Popen([f'{BENCH}/hkb-libinput', *extra, *nodes], stdout=subprocess.PIPE, stderr=log, text=True)
        if h.stdout.readline().strip() != 'ready':
            raise SystemExit(f'hkb-libinput {extra} did not start (log: {RUN}/flood-{name}.log)')
        helpers[name] = (h, log)
        pids[name] = h.pid
        watches[name] = {'keyboard': has_open(h.pid, kbd), 'mouse': has_open(h.pid, mouse)}
    say(f'opened: {watches}')
    time.sleep(2)

    before = snapshot(pids)
    t0 = time.monotonic()
    p.stdin.write(f'go {args.keys} {args.motion}\n')
    p.stdin.flush()
    done = p.stdout.readline().split()
    write_s = int(done[1]) / 1e6
    time.sleep(args.drain)  # what the daemons still had queued
    after = snapshot(pids)
    flood_s = time.monotonic() - t0
    # acpid was seen to give up under the flood ("too many errors reading
    # input layer - aborting"): reported, not measured.
    gone = sorted(name for name in before if name not in after)
    if gone:
        say(f'exited during the flood: {gone}')
    say(f'flood: {args.keys} key + {args.motion} motion events written in {write_s:.1f} s')

    p.stdin.write('quit\n')
    p.stdin.close()
    p.wait()
    sh('udevadm settle --timeout=60')
    time.sleep(2)

    # The idle baseline: the same daemons, the same duration, no events.
    idle_before = snapshot(pids)
    time.sleep(flood_s)
    idle_after = snapshot(pids)
    libinput_events = {}
    for name, (h, log) in helpers.items():
        h.terminate()
        h.wait()
        log.close()
        with open(f'{RUN}/flood-{name}.log') as f:
            m = re.search(r'^libinput: events (\d+)', f.read(), re.M)
        libinput_events[name] = int(m.group(1)) if m else None

    result({'libinput_nodes': nodes, 'libinput_events': libinput_events,
            'keys': args.keys, 'motion': args.motion, 'write_s': round(write_s, 2),
            'duration_s': round(flood_s, 2), 'drain_s': args.drain, 'watches': watches,
            'flood': delta(before, after), 'idle': delta(idle_before, idle_after), 'gone': gone,
            'after': after})


# --- footprint -------------------------------------------------------------

# Before each timed start, for hotkeyd and the floor alike: a stopped
# hotkeyd leaves work behind (dbus-daemon's NameOwnerChanged, journald
# writing its lines, systemd-factory-reset's per-connection process
# exiting) that would otherwise land in the next start.
STARTUP_PAUSE_MS = 500

def trigger_keys():
    out = sh(['hotkeyctl', 'status', '--json'], check=False)
    keys = set()
    try:
        triggers = json.loads(out).get('Triggers', {})
        for t in (triggers.values() if isinstance(triggers, dict) else triggers):
            ks = t.get('Keys', []) if isinstance(t, dict) else []
            keys.update(ks if isinstance(ks, list) else ks.split())
    except (ValueError, AttributeError):
        pass
    return sorted(keys)


def capable_devices(keys):
    """Event nodes that can emit any of keys (from sysfs capability bitmaps)."""
    codes = [KEY_CODES.get(k) for k in keys]
    n = 0
    for cap in glob.glob('/sys/class/input/event*/device/capabilities/key'):
        with open(cap) as f:
            words = f.read().split()
        bits = 0
        for w in words:
            bits = (bits << 64) | int(w, 16)
        if any(c is not None and bits >> c & 1 for c in codes):
            n += 1
    return n


# The codes of the keys hotkeyd's shipped configuration and the benchmarks
# use (linux/input-event-codes.h).
FACTORY_RESET_SOCKET = 'systemd-factory-reset.socket'

KEY_CODES = {'KEY_POWER': 116, 'KEY_RESTART': 0x198, 'KEY_VOLUMEDOWN': 114, 'KEY_VOLUMEUP': 115,
             'KEY_SLEEP': 142, 'KEY_POWER2': 0x164, 'KEY_SUSPEND': 205}


def socket_property(name):
    out = sh(['systemctl', 'show', '-p', name, '--value', FACTORY_RESET_SOCKET], check=False).strip()
    return int(out) if out.isdigit() else None


def support_check_processes(checks):
    """systemd-factory-reset processes per support check: every start of
    hotkeyd.service makes one check (both of its Varlink questions), and
    systemd-factory-reset.socket (Accept=yes) starts one process per
    connection it accepts (its NAccepted)."""
    if socket_property('NAccepted') is None:
        return {'error': f'no NAccepted on {FACTORY_RESET_SOCKET}'}
    cursor = journal_cursor()
    before = socket_property('NAccepted')
    for _ in range(checks):
        # Ten restarts in a row are over systemd's start limit (5 in 10 s,
        # seen: start-limit-hit); the counter is cleared before each.
        sh(['systemctl', 'reset-failed', 'hotkeyd.service'], check=False)
        sh(['systemctl', 'restart', 'hotkeyd.service'])  # returns at READY=1
        time.sleep(0.5)
        wait_until(lambda: socket_property('NConnections') == 0, 10)
    asked = [e for e in journal_entries(cursor, '_SYSTEMD_UNIT=hotkeyd.service')
             if e.get('MESSAGE') == 'Asking systemd whether a factory reset can be requested.']
    return {'checks': checks, 'accepted': socket_property('NAccepted') - before, 'asked_entries': len(asked),
            'instances': len({e.get('_SYSTEMD_UNIT') for e in journal_entries(cursor)
                              if str(e.get('_SYSTEMD_UNIT', '')).startswith('systemd-factory-reset@')})}


def cmd_footprint(args):
    hotkeyd = hotkeyd_binary()
    res = {}
    # Open fds against devices that can emit a trigger key: the service as
    # it runs, then with extra keyboards (and mice, which it must not keep).
    keys = trigger_keys() or ['KEY_POWER', 'KEY_RESTART', 'KEY_VOLUMEDOWN']
    res['trigger_keys'] = keys
    rows = []
    for k, mice in ((0, 0), (10, 10), (50, 10)):
        p = None
        if k or mice:
            p = subprocess.Popen([f'{BENCH}/hkb-devices', str(k), str(mice)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
            p.stdout.readline()
            sh('udevadm settle --timeout=60')
        pid = main_pid('hotkeyd.service')
        n = capable_devices(keys)
        wait_until(lambda: proc(pid)['fds'] >= n, 10)
        time.sleep(1)
        st = proc(pid)
        rows.append({'added_keyboards': k, 'added_mice': mice, 'capable_devices': n,
                     'fds': st['fds'], 'rss_kib': st['rss_kib']})
        say(f'fds: {rows[-1]}')
        if p:
            p.stdin.close()
            p.wait()
            sh('udevadm settle --timeout=60')
    res['fds'] = rows

    # The input devices the service has open, for the libinput comparison.
    pid = main_pid('hotkeyd.service')
    nodes = sorted(t for t in fd_targets(pid) if t.startswith('/dev/input/event')) if pid else []

    # exec -> READY=1 with our own NOTIFY_SOCKET; the service is stopped
    # meanwhile (the bus name must be free).  --timing: each start prints
    # where its time went from main() on (its stderr goes to the log).
    sh('systemctl stop hotkeyd.service')
    try:
        out = logged([f'{BENCH}/hkb-startup', '--runs', str(args.runs), '--pause-ms', str(STARTUP_PAUSE_MS),
                      '--until-status', 'Watching', '--',
                      hotkeyd, '--timing'], 'startup.log')
    finally:
        sh('systemctl start hotkeyd.service')
    res['startup'] = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
    res['startup_pause_ms'] = STARTUP_PAUSE_MS
    with open(f'{RUN}/startup.log') as f:
        res['startup_steps'] = timing_blocks(f.read())
    # The floor in this guest: systemd's own tool that only sends READY=1,
    # timed the same way (exec, dynamic linking, one datagram).
    out = logged([f'{BENCH}/hkb-startup', '--runs', str(args.runs), '--pause-ms', str(STARTUP_PAUSE_MS),
                  '--settle-ms', '0', '--',
                  '/usr/bin/systemd-notify', '--ready'], 'startup-floor.log')
    res['startup_floor'] = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
    # The libinput comparison: a libinput path context on the devices
    # hotkeyd.service has open, timed the same way (exec -> READY=1 once the
    # devices are added and dispatched once), and its memory by mapping.
    res['libinput_devices'] = nodes
    if nodes:
        out = logged([f'{BENCH}/hkb-startup', '--runs', str(args.runs), '--pause-ms', str(STARTUP_PAUSE_MS), '--',
                      f'{BENCH}/hkb-libinput', *nodes],
                     'startup-libinput.log')
        res['libinput_startup'] = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
        with open(f'{RUN}/startup-libinput.log') as f:
            res['libinput_steps'] = libinput_steps(f.read())
        h = subprocess.Popen([f'{BENCH}/hkb-libinput', *nodes], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
        try:
            if h.stdout.readline().strip() == 'ready':
                time.sleep(0.3)
                res['libinput_memory'] = memory(h.pid)
                res['libinput_mappings'] = mappings(h.pid)
        finally:
            h.terminate()
            h.wait()
    res['support_checks'] = support_check_processes(args.checks)
    # Dynamic linking, as the loader counts it: lazy (as built) and bound now.
    res['ld_statistics'] = {'lazy': ld_statistics(hotkeyd, False), 'now': ld_statistics(hotkeyd, True)}
    res['needed'] = re.findall(r'\(NEEDED\)\s+Shared library: \[(.*?)\]',
                               sh(['readelf', '-d', hotkeyd], check=False) if os.access('/usr/bin/readelf', os.X_OK)
                               else '')
    res['ldd'] = [line.split()[0] for line in sh(['ldd', hotkeyd], check=False).splitlines() if line.strip()]
    result(res)


# --- hotplug ---------------------------------------------------------------

def cmd_hotplug(args):
    pid = main_pid('hotkeyd.service')
    # logind opens the same keyboards (KEY_POWER; udev tags them
    # "power-switch"): its time to open each is measured beside ours.
    logind = main_pid('systemd-logind.service')
    # What the RSS is made of before and after (anonymous memory is the
    # daemon's; file pages are code and data of the binary and libraries).
    before = memory(pid)
    out = logged([f'{BENCH}/hkb-hotplug', str(pid), str(args.count), str(args.rounds), str(logind or 0)],
                 'hotplug.log')
    lines = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
    result({'count': args.count, 'rounds': args.rounds, 'pid': pid, 'logind_pid': logind,
            'baseline': next(x for x in lines if x['kind'] == 'baseline'),
            'rounds_data': [x for x in lines if x['kind'] == 'round'],
            'memory_before': before, 'memory_after': memory(pid)})


# --- acting on time --------------------------------------------------------

def cmd_hold(args):
    os.makedirs(RUN, exist_ok=True)
    conf = f'{RUN}/hold.conf'
    with open(conf, 'w') as f:
        f.write(f'[Daemon]\nMode=desktop\n\n[Trigger]\nName=bench-power\nKeys=KEY_POWER\nHoldSec={HOLD_SEC}\n')
    cursor = re.search(r'-- cursor: (\S+)', sh('journalctl -n 0 --show-cursor -q', check=False)).group(1)
    # hotkeyd.service would act on the holds (and holds logind's
    # handle-reboot-key inhibitor); the dry-run instance below stands in.
    # logind must not act on the power-key presses: an inhibitor of our own.
    sh('systemctl stop hotkeyd.service')
    inhibit = subprocess.Popen(['systemd-inhibit', '--what=handle-power-key', '--who=hotkeyd-bench',
                                '--why=hold benchmark', '--mode=block', 'sleep', 'infinity'])
    try:
        time.sleep(1)
        cmd = [f'{BENCH}/hkb-hold', '--seats', str(args.seats), '--holds', str(args.holds),
               '--hold-ms', str(HOLD_SEC * 1000 + 300), '--gap-ms', '400',
               '--logind-holds', str(args.logind_holds),
               '--logind-hold-ms', str(LOGIND_LONG_PRESS_SEC * 1000 + 600), '--logind-gap-ms', '600',
               '--', hotkeyd_binary(), '--dry-run', f'--config={conf}']
        say(' '.join(cmd))
        out = logged(cmd, 'hold.log')
    finally:
        inhibit.terminate()
        inhibit.wait()
        sh('systemctl start hotkeyd.service')
    samples = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
    hk = [s for s in samples if s['kind'] == 'hotkeyd']
    presses = [s for s in samples if s['kind'] == 'logind']
    other = [s['text'] for s in samples if s['kind'] == 'line']

    entries = []
    out = sh(['journalctl', '-b', f'--after-cursor={cursor}', '-u', 'systemd-logind.service',
              '-o', 'json', '--output-fields=MESSAGE,__MONOTONIC_TIMESTAMP'], check=False)
    for line in out.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get('MESSAGE') == 'Reboot key pressed long.':
            entries.append(int(e['__MONOTONIC_TIMESTAMP']))
    logind = []
    for p in presses:
        match = [t for t in entries if p['down_us'] <= t <= p['up_us'] + 1000000]
        logind.append({'down_us': p['down_us'], 'up_us': p['up_us'], 'journal_us': match[0] if match else 0})

    result({'hold_sec': HOLD_SEC, 'seats': args.seats,
            'hotkeyd': [{'seat': s['seat'], 'delay_us': s['act_us'] - s['down_us'] - HOLD_SEC * 1000000
                         if s['act_us'] else None} for s in hk],
            'logind_long_press_sec': LOGIND_LONG_PRESS_SEC,
            'logind': [{'delay_us': x['journal_us'] - x['down_us'] - LOGIND_LONG_PRESS_SEC * 1000000
                        if x['journal_us'] else None} for x in logind],
            'logind_entries': len(entries), 'other_lines': other[:20]})


# --- dialog latency --------------------------------------------------------

MSG_TRIGGER_COMPLETED = '575a2b50fd2c40cc93d330a7df25afb0'
MSG_CONFIRMATION_ASKED = '9f3c12a3f58841adac31f0d1525c8b2e'
MSG_RESET_DECLINED = 'c9121a2e8bba49da8569e2dfcb4be8d4'
MSG_RESET_CONFIRMED = '918629f84cca4306ba8d7a80523e77df'
MSG_RESET_STARTED = '93667916dc694ae29057d21a9e53c1e8'
MSG_AGENT_REGISTERED = '8f62684735944051a71d343b6fbde602'
MSG_DIALOG_SHOWN = '53f8b85367fb4ec5ac1322bfe44ea4e2'   # the GTK agent (gui/fr-confirm-dialog.c)
MSG_WINDOW_SHOWN = '2b94e1643faf4ac7b8b5e2d27d0e48e1'   # the factory-reset window (gui/fr-window.c)
AGENT_ID = 'factory-reset-agent'   # the journal identifier of the agent's stdout (mkosi/mkosi.extra/usr/local/lib/hotkeyd-vm/session-agent)
SESSION_USER = 'user'
# The image's trigger for KEY_POWER alone (data/hotkeyd.conf).
DIALOG_HOLD_SEC = 3
# As the VM scenario holds it (tests/vm/scenario.py): past HoldSec with a
# margin, so that a slow guest does not turn the hold into a short press.
DIALOG_HOLD_MS = 4500
TIMESTAMP_FIELDS = ('__MONOTONIC_TIMESTAMP', '_SOURCE_MONOTONIC_TIMESTAMP', '_SOURCE_BOOTTIME_TIMESTAMP',
                    '__REALTIME_TIMESTAMP', '_SOURCE_REALTIME_TIMESTAMP')


def journal_cursor():
    return re.search(r'-- cursor: (\S+)', sh('journalctl -n 0 --show-cursor -q', check=False)).group(1)


def journal_entries(cursor, *matches):
    """This boot's entries after cursor (all of them without one)."""
    after = [f'--after-cursor={cursor}'] if cursor else []
    out = sh(['journalctl', '-b', *after, '-o', 'json', *matches], check=False)
    entries = []
    for line in out.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            pass
    return entries


def stamps(e):
    """The entry's timestamps (µs), those journald recorded."""
    return {k: int(e[k]) for k in TIMESTAMP_FIELDS if isinstance(e.get(k), str) and e[k].isdigit()}


def wait_entries(cursor, timeout, *matches, want=lambda es: es):
    deadline = time.monotonic() + timeout
    while True:
        found = want(journal_entries(cursor, *matches))
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def user_pids(comm):
    out = sh(['pgrep', '-u', SESSION_USER, '-x', comm], check=False)
    return [int(x) for x in out.split()]


def agent_pid():
    """The GTK agent in the tty1 session (factory-reset --agent in cage)."""
    for pid in user_pids('factory-reset'):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                if b'--agent' in f.read().split(b'\0'):
                    return pid
        except OSError:
            pass
    return None


def no_reset_evidence(cursor):
    """What would show a factory reset on its way; must stay empty."""
    seen = []
    for mid in (MSG_RESET_CONFIRMED, MSG_RESET_STARTED):
        if journal_entries(cursor, f'MESSAGE_ID={mid}'):
            seen.append(f'journal MESSAGE_ID={mid}')
    if glob.glob('/sys/firmware/efi/efivars/FactoryResetRequest-*'):
        seen.append('EFI variable FactoryResetRequest')
    state = sh(['systemctl', 'show', '-p', 'ActiveState', '--value', 'factory-reset.target'], check=False).strip()
    if state not in ('inactive', ''):
        seen.append(f'factory-reset.target {state}')
    return seen


class Keys:
    """hkb-keys: KEY_POWER and KEY_ESC on a uinput keyboard of seat0."""

    def __init__(self, name):
        self.p = subprocess.Popen([f'{BENCH}/hkb-keys', name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        ready = self.p.stdout.readline().split()
        if len(ready) != 2 or ready[0] != 'ready':
            raise SystemExit(f'hkb-keys did not start: {ready}')
        self.node = ready[1]

    def send(self, verb, key):
        self.p.stdin.write(f'{verb} {key}\n')
        self.p.stdin.flush()
        answer = self.p.stdout.readline().split()
        if len(answer) != 3 or answer[:2] != [verb, key]:
            raise SystemExit(f'hkb-keys: {verb} {key}: {answer}')
        return int(answer[2])

    def close(self):
        try:
            self.p.stdin.write('quit\n')
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait(timeout=10)


def dialog_failed(why, cursor):
    """Stop with why and what hotkeyd and the agent said meanwhile."""
    said = sh(['journalctl', '-b', f'--after-cursor={cursor}', '-o', 'short-monotonic', '--no-hostname',
               '-u', 'hotkeyd.service', '-t', AGENT_ID, '-t', 'factory-reset', '-t', 'cage'], check=False)
    sys.stderr.write(''.join(said.splitlines(True)[-25:]))
    raise SystemExit(why)


def dialog_hold(keys, hk, label):
    """One hold of KEY_POWER to the agent's dialog, declined with Escape;
    its stamps (stops the step at once if a reset shows on its way)."""
    cursor = journal_cursor()
    down = keys.send('down', 'power')
    time.sleep(max(0, down / 1e6 + DIALOG_HOLD_MS / 1000 - time.monotonic()))
    up = keys.send('up', 'power')
    hold = {'down_us': down, 'up_us': up}
    asked = wait_entries(cursor, 30, f'MESSAGE_ID={MSG_CONFIRMATION_ASKED}')
    if not asked:
        dialog_failed(f'{label}: hotkeyd asked no agent within 30 s of the release', cursor)
    op = asked[0].get('HOTKEYD_OPERATION')
    shown = wait_entries(cursor, 60, f'MESSAGE_ID={MSG_DIALOG_SHOWN}',
                         want=lambda es: [e for e in es if e.get('HOTKEYD_OPERATION') == op])
    if not shown:
        dialog_failed(f'{label}: no dialog of request {op} within 60 s', cursor)
    trigger = journal_entries(cursor, f'MESSAGE_ID={MSG_TRIGGER_COMPLETED}', f'_PID={hk}')
    hold.update({'operation': op, 'asked': stamps(asked[0]), 'shown': stamps(shown[0]),
                 'trigger': stamps(trigger[0]) if trigger else None,
                 # The agent's own CLOCK_MONOTONIC (gui/fr-confirm-dialog.c).
                 'agent': {k: int(shown[0][f'HOTKEYD_{k.upper()}_MONOTONIC_USEC'])
                           for k in ('asked', 'presenting', 'mapped')
                           if shown[0].get(f'HOTKEYD_{k.upper()}_MONOTONIC_USEC', '').isdigit()},
                 # What presenting cost the agent's main thread besides the time.
                 'presenting_usage': {k: int(shown[0][f'HOTKEYD_PRESENTING_{k.upper()}'])
                                      for k in ('minor_faults', 'major_faults', 'cpu_usec')
                                      if shown[0].get(f'HOTKEYD_PRESENTING_{k.upper()}', '').isdigit()}})
    # Let GTK take the focus and draw, then decline as a person would.
    time.sleep(1.0)
    esc = keys.send('down', 'esc')
    time.sleep(0.1)
    keys.send('up', 'esc')
    # The agent prints "decline ID escape" and destroys the dialog in the
    # same call (gui/fr-confirm-dialog.c: decline(), finish()), so once the
    # line is in the journal the dialog is unmapped.
    said = wait_entries(cursor, 30, f'SYSLOG_IDENTIFIER={AGENT_ID}',
                        want=lambda es: [e for e in es if e.get('MESSAGE') == f'decline {op} escape'])
    declined = wait_entries(cursor, 30, f'MESSAGE_ID={MSG_RESET_DECLINED}')
    if not said or not declined:
        dialog_failed(f'{label}: Escape did not decline request {op} within 30 s '
                      f'(agent line: {bool(said)}, hotkeyd entry: {bool(declined)})', cursor)
    hold['escape_us'] = esc
    hold['closed'] = stamps(said[0])
    bad = no_reset_evidence(cursor)
    if bad:
        raise SystemExit(f'{label}: STOP, a reset is on its way: {bad}')
    say(f'{label}: request {op}, dialog '
        f'{(hold["shown"]["__MONOTONIC_TIMESTAMP"] - down) / 1000 - DIALOG_HOLD_SEC * 1000:.0f} ms '
        f'after hold completion (journal receipt)')
    # The next hold starts on a quiet screen.
    time.sleep(1.5)
    return hold


def wait_session_opened(keys, hk, cursor):
    """The tty1 session's cage and agent, once the agent registered after
    cursor and cage has the keyboard open: (agent pid, cage pids)."""
    registered = wait_entries(cursor, 180, f'MESSAGE_ID={MSG_AGENT_REGISTERED}',
                              want=lambda es: [e for e in es if e.get('HOTKEYD_AGENT_UID') == '1000'])
    if not registered:
        raise SystemExit('no agent of uid 1000 registered within 180 s')
    agent, cages = agent_pid(), user_pids('cage')
    if not agent or not cages:
        raise SystemExit(f'needs the GTK agent ({agent}) and cage ({cages}) running')
    # hotkeyd (the trigger) and cage (Escape, through libinput) have it open.
    for name, pid in [('hotkeyd', hk)] + [('cage', c) for c in cages]:
        if not wait_until(lambda: has_open(pid, keys.node), 30):
            raise SystemExit(f'{name} (pid {pid}) did not open {keys.node} within 30 s')
    return agent, cages


def cmd_dialog(args):
    """Hold KEY_POWER on the system's hotkeyd (hotkeyd.service, not a
    dry-run) until the GTK agent in the tty1 session shows its dialog,
    decline it with Escape, wait until it is gone; N times.  Then the
    agent is stopped, the session starts cage and the agent again, and
    --second-agent-holds more follow: whether what makes a first dialog
    slower is paid once per process or once per boot.  The keyboard has
    no key but KEY_POWER and KEY_ESC (hkb-keys), so nothing can confirm;
    after each decline, and at the end, nothing may show a reset on its
    way (the step stops at once if something does)."""
    hk = main_pid('hotkeyd.service')
    agent = agent_pid()
    cages = user_pids('cage')
    if not hk or not agent or not cages:
        raise SystemExit(f'needs hotkeyd.service ({hk}), the GTK agent ({agent}) and cage ({cages}) running')
    start_cursor = journal_cursor()
    keys = Keys('hotkeyd-bench-dialog')
    holds, second = [], []
    try:
        sh('udevadm settle --timeout=60')
        agent, cages = wait_session_opened(keys, hk, None)
        time.sleep(2)
        for i in range(args.holds):
            holds.append(dialog_hold(keys, hk, f'hold {i + 1}'))
        if args.second_agent_holds:
            cursor = journal_cursor()
            os.kill(agent, signal.SIGTERM)
            second_agent, _ = wait_session_opened(keys, hk, cursor)
            if second_agent == agent:
                raise SystemExit(f'the agent (pid {agent}) was not started again')
            # As for the first: the agent warms up after registering.
            time.sleep(2)
            for i in range(args.second_agent_holds):
                second.append(dialog_hold(keys, hk, f'second agent, hold {i + 1}'))
    finally:
        keys.close()
    bad = no_reset_evidence(start_cursor)
    if bad:
        raise SystemExit(f'STOP, a reset is on its way: {bad}')
    clocks = {'monotonic_us': time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000,
              'boottime_us': time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1000}
    result({'hold_sec': DIALOG_HOLD_SEC, 'hold_ms': DIALOG_HOLD_MS, 'holds': holds, 'second_agent_holds': second,
            'clocks': clocks,
            'hotkeyd_pid': hk, 'agent_pid': agent,
            'reset_evidence': bad})


# --- cold start of the factory-reset window --------------------------------

def journal_stream(identifier):
    """A journal stream socket, as systemd-cat makes one: the window's
    stderr, so that its structured entries (gui/fr-journal.c) are written."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect('/run/systemd/journal/stdout')
    s.shutdown(socket.SHUT_RD)
    # identifier, unit, priority, level prefix, to syslog, kmsg, console
    s.sendall(f'{identifier}\n\n6\n0\n0\n0\n0\n'.encode())
    return s


def cmd_window(args):
    """factory-reset (the window, not the agent) started as the session's
    user inside the running cage session (the agent's environment: its
    WAYLAND_DISPLAY, XDG_RUNTIME_DIR, session bus, renderer), from exec
    (stamped in the child just before execve) to the window's "shown"
    entry (mapped); then SIGTERM and the next run.  Half the runs after
    dropping the page cache."""
    agent = agent_pid()
    if not agent:
        raise SystemExit('no GTK agent runs in the session: no session to start the window in')
    with open(f'/proc/{agent}/environ', 'rb') as f:
        env = dict(kv.split(b'=', 1) for kv in f.read().split(b'\0') if b'=' in kv)
    env = {k.decode(): v.decode() for k, v in env.items()}
    for need in ('WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR'):
        if need not in env:
            raise SystemExit(f'the agent has no {need} in its environment')
    import pwd
    pw = pwd.getpwnam(SESSION_USER)
    runs = []
    order = ['cold', 'warm'] * args.runs
    for i, cache in enumerate(order):
        if cache == 'cold':
            sh('sync; echo 3 > /proc/sys/vm/drop_caches')
            time.sleep(1)
        cursor = journal_cursor()
        rfd, wfd = os.pipe()

        def child():
            os.close(rfd)
            os.setgroups(os.getgrouplist(pw.pw_name, pw.pw_gid))
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
            os.chdir(pw.pw_dir)
            os.write(wfd, str(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000).encode())
            os.close(wfd)

        stream = journal_stream('factory-reset-bench')
        p = subprocess.Popen(['/usr/bin/factory-reset'], env=env, preexec_fn=child,
                             stdin=subprocess.DEVNULL, stdout=stream.fileno(), stderr=stream.fileno())
        os.close(wfd)
        stream.close()
        with os.fdopen(rfd) as f:
            exec_us = int(f.read())
        shown = wait_entries(cursor, 120, f'MESSAGE_ID={MSG_WINDOW_SHOWN}', f'_PID={p.pid}')
        run = {'cache': cache, 'exec_us': exec_us, 'shown': stamps(shown[0]) if shown else None}
        p.send_signal(signal.SIGTERM)
        try:
            run['exit'] = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            run['exit'] = p.wait()
        runs.append(run)
        if shown:
            say(f'window run {i + 1} ({cache}): mapped '
                f'{(run["shown"]["__MONOTONIC_TIMESTAMP"] - exec_us) / 1000:.0f} ms after exec (journal receipt)')
        else:
            say(f'window run {i + 1} ({cache}): no "window shown" entry within 120 s')
        time.sleep(2)
    clocks = {'monotonic_us': time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000,
              'boottime_us': time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1000}
    result({'runs': runs, 'clocks': clocks, 'env': {k: env.get(k) for k in ('WAYLAND_DISPLAY', 'GDK_BACKEND', 'GSK_RENDERER',
                                                               'GTK_A11Y')}})


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    sub.add_parser('prepare')
    p = sub.add_parser('flood')
    p.add_argument('--keys', type=int, default=1000000)
    p.add_argument('--motion', type=int, default=1000000)
    p.add_argument('--drain', type=float, default=2.0)
    p = sub.add_parser('footprint')
    p.add_argument('--runs', type=int, default=20)
    p.add_argument('--checks', type=int, default=10, help='restarts of hotkeyd.service, one support check each')
    p = sub.add_parser('hotplug')
    p.add_argument('--count', type=int, default=200)
    p.add_argument('--rounds', type=int, default=5)
    p = sub.add_parser('hold')
    p.add_argument('--holds', type=int, default=200)
    p.add_argument('--seats', type=int, default=4)
    p.add_argument('--logind-holds', type=int, default=20)
    p = sub.add_parser('dialog')
    p.add_argument('--holds', type=int, default=10)
    p.add_argument('--second-agent-holds', type=int, default=3)
    p = sub.add_parser('window')
    p.add_argument('--runs', type=int, default=3, help='cold-cache and warm-cache runs each')
    args = ap.parse_args()
    {'prepare': cmd_prepare, 'flood': cmd_flood, 'footprint': cmd_footprint,
     'hotplug': cmd_hotplug, 'hold': cmd_hold, 'dialog': cmd_dialog, 'window': cmd_window}[args.cmd](args)


if __name__ == '__main__':
    main()
