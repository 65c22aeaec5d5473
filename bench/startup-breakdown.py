#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where hotkeyd's start-up time goes, in the build root (not the VM).

Runs the built daemon N times on the request tests' testbed (a private
system bus with real dbus-daemon, polkitd and systemd-factory-reset, the
systemd1/login1 stand-ins; tests/integration/system_testbed.py) with the
image's configuration (data/hotkeyd.conf), each time with a NOTIFY_SOCKET of
its own and --timing:

- exec -> READY=1: stamped in the child just before execve() and on receipt
  of READY=1, as bench/guest.py does in the VM;
- main() -> each step (hotkeyd --timing), so exec -> main() (dynamic
  linking, relocations, constructors) is the difference;
- all of it with lazy binding (as built) and with LD_BIND_NOW=1 (what
  -Wl,-z,now does at run time);
- LD_DEBUG=statistics of `hotkeyd --version` (the dynamic loader's own
  relocation counts and cycles), both ways.

Usage, from the source tree (it re-runs itself in a mount namespace under
umockdev-wrapper, as the request suite does):
    tools/in-buildroot.sh python3 bench/startup-breakdown.py [--build build] [-n 20]
Prints Markdown tables on stdout."""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_ms(values_us):
    return statistics.median(values_us) / 1000


def reexec(args, script=__file__):
    """Runs SCRIPT again with --inner under umockdev-wrapper in a mount
    namespace of its own, with the built tree's paths in the environment."""
    build = os.path.abspath(args.build)
    env = dict(os.environ)
    env['HOTKEYD_SOURCE_ROOT'] = SRC
    env['HOTKEYD_POLKIT_POLICY'] = os.path.join(build, 'polkit', 'io.hotkeyd.policy')
    env['HOTKEYD_CANCEL_UNIT'] = os.path.join(build, 'units', 'hotkeyd-cancel.service')
    env['HOTKEYD'] = os.path.join(build, 'hotkeyd', 'hotkeyd')
    env['HKB_BUILD'] = build
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    cmd = ['unshare', '--mount', '--propagation', 'unchanged', '--', 'umockdev-wrapper',
           sys.executable, os.path.abspath(script), '--inner'] + sys.argv[1:]
    os.execvpe(cmd[0], cmd, env)


def one_start(s, hotkeyd, config, bind_now, index, clean_env):
    notify_path = os.path.join(s.tmp, f'notify-{index}')
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(20)
    env = clean_env()
    env['DBUS_SYSTEM_BUS_ADDRESS'] = s.address
    env['HOTKEYD_FACTORY_RESET_SOCKET'] = s.varlink
    env['STATE_DIRECTORY'] = os.path.join(s.tmp, 'state')
    env['NOTIFY_SOCKET'] = notify_path
    if bind_now:
        env['LD_BIND_NOW'] = '1'
    rfd, wfd = os.pipe()

    def stamp():
        # In the child, the last thing before execve(); the fd is closed by exec.
        os.write(wfd, str(time.monotonic_ns()).encode())

    p = subprocess.Popen([hotkeyd, '--config', config, '--timing'], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, preexec_fn=stamp)
    os.close(wfd)
    ready_ns = None
    try:
        # READY=1, then the devices are opened from the loop: STATUS=Watching
        # (--timing prints the steps in the same callback).
        while True:
            fields = notify.recv(4096).split(b'\n')
            if b'READY=1' in fields and ready_ns is None:
                ready_ns = time.monotonic_ns()
            if ready_ns is not None and any(f.startswith(b'STATUS=Watching') for f in fields):
                break
    except TimeoutError:
        p.kill()
        raise AssertionError('no READY=1 and STATUS=Watching within 20 s; stderr:\n' +
                             p.communicate()[1].decode(errors='replace'))
    exec_ns = int(os.read(rfd, 64))
    os.close(rfd)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=20)
    notify.close()
    os.unlink(notify_path)
    deadline = time.monotonic() + 10
    while s.bus.name_has_owner('io.hotkeyd.FactoryReset1'):
        assert time.monotonic() < deadline, 'hotkeyd did not leave the bus'
        time.sleep(0.01)

    steps = {}
    for line in err.decode(errors='replace').splitlines():
        m = re.fullmatch(r'  (\S+) +(\d+\.\d{3}) ms +(\d+\.\d{3}) ms', line)
        if m:
            steps[m.group(1)] = round(float(m.group(2)) * 1000)
    assert 'ready' in steps and 'input' in steps, err.decode(errors='replace')
    exec_to_ready = (ready_ns - exec_ns) // 1000
    return exec_to_ready, max(exec_to_ready - until_ready(steps), 0), steps


def until_ready(steps):
    """main() -> READY=1: the steps up to "ready" (then come the devices)."""
    names = list(steps)
    return sum(steps[n] for n in names[:names.index('ready') + 1])


def floor_start(s, index, clean_env):
    """exec -> READY=1 of `systemd-notify --ready`, timed the same way: the
    floor of an exec plus libsystemd (bench/guest.py's floor in the VM)."""
    notify_path = os.path.join(s.tmp, f'floor-{index}')
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(20)
    env = clean_env()
    env['NOTIFY_SOCKET'] = notify_path
    rfd, wfd = os.pipe()

    def stamp():
        os.write(wfd, str(time.monotonic_ns()).encode())

    p = subprocess.Popen(['systemd-notify', '--ready'], env=env, preexec_fn=stamp)
    os.close(wfd)
    while b'READY=1' not in notify.recv(4096).split(b'\n'):
        pass
    ready_ns = time.monotonic_ns()
    exec_ns = int(os.read(rfd, 64))
    os.close(rfd)
    p.wait(20)
    notify.close()
    os.unlink(notify_path)
    return (ready_ns - exec_ns) // 1000


def ld_statistics(hotkeyd, bind_now, runs=5):
    """Median of the dynamic loader's figures over runs of --version."""
    figures = {}
    for _ in range(runs):
        env = dict(os.environ, LD_DEBUG='statistics')
        env.pop('LD_PRELOAD', None)
        if bind_now:
            env['LD_BIND_NOW'] = '1'
        err = subprocess.run([hotkeyd, '--version'], env=env, capture_output=True, text=True).stderr
        # The first block (start-up); the second, "final", adds what lazy binding resolved later.
        for key, pattern in (('startup_cycles', r'total startup time in dynamic loader: (\d+) cycles'),
                             ('relocation_cycles', r'time needed for relocation: (\d+) cycles'),
                             ('relocations', r'\s number of relocations: (\d+)'),
                             ('relative', r'number of relative relocations: (\d+)'),
                             ('final_relocations', r'final number of relocations: (\d+)')):
            m = re.search(pattern, err)
            if m:
                figures.setdefault(key, []).append(int(m.group(1)))
    return {k: statistics.median(v) for k, v in figures.items()}


def inner(args):
    sys.path.insert(0, os.path.join(SRC, 'tests', 'integration'))
    from system_testbed import System, clean_env

    hotkeyd = os.environ['HOTKEYD']
    s = System(efi=True)
    try:
        with open(os.path.join(SRC, 'data', 'hotkeyd.conf')) as f:
            config = s.write_config(f.read())
        os.makedirs(os.path.join(s.tmp, 'state'), exist_ok=True)
        results = {}
        floor = []
        index = 0
        # Interleaved, so that a change of the host's load hits both alike.
        for i in range(args.n):
            for bind_now in (False, True):
                index += 1
                results.setdefault(bind_now, []).append(one_start(s, hotkeyd, config, bind_now, index, clean_env))
            floor.append(floor_start(s, i, clean_env))
    finally:
        s.kill()

    load = open('/proc/loadavg').read().split()[:3]
    # Seen without umockdev's preload, as the daemon saw it.
    devices = subprocess.run(['sh', '-c', 'ls /sys/class/input 2>/dev/null | wc -l'], env=clean_env(),
                             capture_output=True, text=True).stdout.strip()
    print(f'{args.n} starts each way, interleaved; host load average {" ".join(load)} at the end, '
          f'{os.cpu_count()} CPUs; input devices in /sys/class/input: {devices}.\n')
    names = list(results[False][0][2])
    print('| step | lazy binding: median ms | min ms | LD_BIND_NOW=1: median ms | min ms |')
    print('|---|---|---|---|---|')
    for label, pick in [('exec -> READY=1 (total)', lambda r: r[0]), ('exec -> main()', lambda r: r[1])] + \
            [(name if name != 'input' else 'after READY=1: input', (lambda n: lambda r: r[2][n])(name))
             for name in names] + \
            [('main() -> READY=1', lambda r: until_ready(r[2]))]:
        lazy, now = [pick(r) for r in results[False]], [pick(r) for r in results[True]]
        print(f'| {label} | {median_ms(lazy):.3f} | {min(lazy) / 1000:.3f} | '
              f'{median_ms(now):.3f} | {min(now) / 1000:.3f} |')
    print(f'| floor: `systemd-notify --ready`, exec -> READY=1 | {median_ms(floor):.3f} | '
          f'{min(floor) / 1000:.3f} | | |')
    for bind_now in (False, True):
        totals = sorted(r[0] for r in results[bind_now])
        print(f'\n{"LD_BIND_NOW=1" if bind_now else "lazy"}: exec -> READY=1 min {totals[0] / 1000:.3f} ms, '
              f'max {totals[-1] / 1000:.3f} ms')
    print('\nLD_DEBUG=statistics of `hotkeyd --version` (median of 5 runs):\n')
    print('| binding | loader start-up, cycles | relocation, cycles | relocations (symbol) | relative '
          '| relocations at exit |')
    print('|---|---|---|---|---|---|')
    for bind_now in (False, True):
        st = ld_statistics(hotkeyd, bind_now)
        print(f'| {"LD_BIND_NOW=1" if bind_now else "lazy"} | {st.get("startup_cycles", 0):.0f} | '
              f'{st.get("relocation_cycles", 0):.0f} | {st.get("relocations", 0):.0f} | '
              f'{st.get("relative", 0):.0f} | {st.get("final_relocations", 0):.0f} |')


def main(description=__doc__, inner=inner, script=__file__):
    """The command line of the build root's bench scripts (this one and
    libinput-buildroot.py): --build, -n, then INNER under umockdev."""
    ap = argparse.ArgumentParser(description=description.splitlines()[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('-n', type=int, default=20)
    ap.add_argument('--inner', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.inner:
        reexec(args, script)
    inner(args)


if __name__ == '__main__':
    main()
