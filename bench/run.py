#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hotkeyd's benchmarks against its peers, in the whole-system VM.

Run from the top of the source tree, as root on the host:
    make bench
which makes the VM image (tools/mkvm.sh, with the helpers of bench/ built in)
and then runs, inside the build root:
    python3 bench/run.py [--quick] [--output bench/RESULTS.md]

Boots the image with tests/vm/machine.py, runs every measurement inside the
guest (bench/guest.py and the hkb-* helpers, installed under
/usr/lib/hotkeyd-bench), and writes bench/RESULTS.md: the numbers, the exact
command, the date, the host, and the ratios to the peers from the same boot.
Nothing is carried over from earlier runs; a measurement that fails is
reported as failed, with why."""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, 'tests', 'vm'))

from machine import BOOT_TIMEOUT, Failure, Machine  # noqa: E402

GUEST = 'python3 /usr/lib/hotkeyd-bench/guest.py'
RESULT = re.compile(r'^@@RESULT (.*)$', re.M)

FULL = {'keys': 1000000, 'motion': 1000000, 'holds': 200, 'seats': 4, 'logind_holds': 20,
        'startup_runs': 20, 'hotplug_count': 200, 'hotplug_rounds': 5, 'dialog_holds': 10, 'window_runs': 3}
QUICK = {'keys': 20000, 'motion': 20000, 'holds': 12, 'seats': 4, 'logind_holds': 2,
         'startup_runs': 5, 'hotplug_count': 20, 'hotplug_rounds': 2, 'dialog_holds': 3, 'window_runs': 1}

# The targets.  Start-up, memory, hotplug and the first dialog are judged as
# ratios to a floor or a peer measured in the same boot: under TCG the
# absolute figures move with the host.  (RSS is no target: most of it is
# shared library pages; Pss and private dirty are.)
WAKEUPS_PER_100K_MAX = 1
HOLD_P99_MAX_MS = 2.0
READY_FLOOR_RATIO_MAX = 2.0       # exec -> READY=1, median, to `systemd-notify --ready`'s
PSS_LOGIND_RATIO_MAX = 0.4        # Pss after start, to logind's
PRIVATE_DIRTY_MAX_KIB = 400
HOTPLUG_LOGIND_RATIO_MAX = 1.0    # uevent -> fd open, median, to logind's
DIALOG_FIRST_RATIO_MAX = 1.2      # first dialog asked -> mapped, to the later ones' median
DIALOG_MAX_MS = 200.0
PAGE_KIB = 4


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.strip()
    except OSError:
        return ''


def host_info():
    cpu = re.search(r'^model name\s*:\s*(.*)$', open('/proc/cpuinfo').read(), re.M)
    mem = re.search(r'^MemTotal:\s*(\d+)', open('/proc/meminfo').read(), re.M)
    return {
        'cpu': cpu.group(1) if cpu else platform.processor(),
        'cores': os.cpu_count(),
        'mem_gib': round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        'kernel': platform.release(),
        'qemu': sh('qemu-system-x86_64 --version').splitlines()[0] if sh('qemu-system-x86_64 --version') else '?',
        # make bench passes the commit from the host: in a git worktree the
        # build root sees the source tree but not the repository's git dir.
        'commit': os.environ.get('HOTKEYD_BENCH_SOURCE') or sh(f'git -C {SRC} describe --always --dirty') or '?',
    }


def host_load():
    la = open('/proc/loadavg').read().split()[:3]
    qemus = 0
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                with open(f'/proc/{p}/comm') as f:
                    qemus += f.read().startswith('qemu-system')
            except OSError:
                pass
    return {'loadavg': ' '.join(la), 'qemu_processes': qemus}


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    if not v:
        return None
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def ms(us, digits=2):
    return None if us is None else round(us / 1000, digits)


def fmt(x, unit=''):
    if x is None:
        return 'n/a'
    if isinstance(x, float):
        x = f'{x:.3g}' if abs(x) < 100 else f'{x:.0f}'
    return f'{x}{unit}'


def ratio(a, b):
    if a is None or b is None:
        return 'n/a'
    if b == 0:
        return 'n/a (peer 0)' if a else '0 / 0'
    return f'{a / b:.3g}'


def verdict(ok):
    return '**met**' if ok else '**not met**'


class Bench:
    def __init__(self, m, cfg):
        self.m = m
        self.cfg = cfg
        self.results = {}
        self.errors = {}
        self.loads = []   # the host's load after each step

    def guest(self, name, args, timeout):
        print(f'[{time.strftime("%H:%M:%S")}] {name}: {GUEST} {args}', flush=True)
        t0 = time.monotonic()
        try:
            status, out = self.m.run(f'{GUEST} {args}', timeout=timeout, check=False)
        except Failure as e:
            # The guest command may still run: interrupt it and resync the shell.
            self.errors[name] = str(e).splitlines()[0]
            self.m.write('\x03\n')
            self.m.run('true', timeout=120, check=False)
            return None
        self.loads.append([name, host_load()])
        found = RESULT.findall(out)
        if status != 0 or not found:
            self.errors[name] = f'exit status {status}: ' + ' | '.join(out.strip().splitlines()[-8:])
            print(out, flush=True)
            return None
        self.results[name] = json.loads(found[-1])
        print(f'           done in {time.monotonic() - t0:.0f} s', flush=True)
        return self.results[name]

    def run_all(self, only):
        c = self.cfg
        self.guest('prepare', 'prepare', 600)
        # The dialog first: the session and hotkeyd.service as booted,
        # before the other steps restart the service (the agent
        # re-registers then).  The window last: its cold runs drop the page
        # cache, which would put page faults into the other measurements.
        steps = [
            ('dialog', f'dialog --holds {c["dialog_holds"]}', 1800),
            ('flood', f'flood --keys {c["keys"]} --motion {c["motion"]}', 7200),
            ('footprint', f'footprint --runs {c["startup_runs"]}', 1800),
            ('hotplug', f'hotplug --count {c["hotplug_count"]} --rounds {c["hotplug_rounds"]}', 7200),
            ('hold', f'hold --holds {c["holds"]} --seats {c["seats"]} --logind-holds {c["logind_holds"]}', 7200),
            ('window', f'window --runs {c["window_runs"]}', 1800),
        ]
        for name, args, timeout in steps:
            if not only or name in only:
                self.guest(name, args, timeout)


# --- RESULTS.md ------------------------------------------------------------

def dialog_stamp(st, boot_off):
    """The time (CLOCK_MONOTONIC µs) an entry was sent, as well as the
    journal knows it, and which field that came from.  journald records its
    own receipt for every entry (__MONOTONIC_TIMESTAMP: when it got round to
    reading the message, which lags behind the sender when the guest is
    busy).  For a datagram on its native socket (hotkeyd's log.c, GLib's
    journald writer) it also records the kernel's receive time of the
    datagram (SCM_TIMESTAMP) as _SOURCE_REALTIME_TIMESTAMP (and, newer
    systemd, _SOURCE_BOOTTIME_TIMESTAMP); _SOURCE_MONOTONIC_TIMESTAMP is
    only set for kernel messages.  A source time on another clock is moved
    to CLOCK_MONOTONIC: CLOCK_BOOTTIME by the guest's measured offset
    (boot_off; 0 in a guest that never suspended), CLOCK_REALTIME by the
    entry's own __REALTIME_TIMESTAMP - __MONOTONIC_TIMESTAMP (journald takes
    both at once)."""
    if '_SOURCE_MONOTONIC_TIMESTAMP' in st:
        return st['_SOURCE_MONOTONIC_TIMESTAMP'], '_SOURCE_MONOTONIC_TIMESTAMP'
    if '_SOURCE_BOOTTIME_TIMESTAMP' in st:
        return st['_SOURCE_BOOTTIME_TIMESTAMP'] - boot_off, '_SOURCE_BOOTTIME_TIMESTAMP'
    if '_SOURCE_REALTIME_TIMESTAMP' in st and '__REALTIME_TIMESTAMP' in st:
        return (st['__MONOTONIC_TIMESTAMP'] + st['_SOURCE_REALTIME_TIMESTAMP'] - st['__REALTIME_TIMESTAMP'],
                '_SOURCE_REALTIME_TIMESTAMP')
    return st['__MONOTONIC_TIMESTAMP'], '__MONOTONIC_TIMESTAMP'


def section_startup_steps(fp, st, s):
    """hotkeyd --timing of the footprint step's starts: each step from
    main() to READY=1, and exec -> main() as the rest of exec -> READY=1."""
    blocks = fp.get('startup_steps') or []
    if not blocks:
        return
    pairs = [(x['ready_us'], b) for x, b in zip([x for x in fp['startup']], blocks) if x['ready_us'] >= 0 and b]

    def until_ready(b):
        # The steps up to `ready`; those after it (the input devices,
        # opened from the loop once READY=1 is out) are not in the total.
        names = list(b)
        return names[:names.index('ready') + 1] if 'ready' in names else names

    names, after = [], []
    for _, b in pairs:
        for n in b:
            where = names if n in until_ready(b) else after
            if n not in where:
                where.append(n)
    rows = [('exec -> READY=1 (total)', [t for t, _ in pairs]),
            ('exec -> main() (exec, dynamic linking; the rest)',
             [max(t - sum(b[n] for n in until_ready(b)), 0) for t, b in pairs])]
    rows += [(f'`{n}`', [b.get(n, 0) for _, b in pairs]) for n in names]
    rows.append(('main() -> READY=1', [sum(b[n] for n in until_ready(b)) for _, b in pairs]))
    rows += [(f'after READY=1: `{n}`', [b.get(n, 0) for _, b in pairs]) for n in after]
    s.append(f'\n- Where exec -> READY=1 went (`hotkeyd --timing` of the same {len(pairs)} starts, '
             f'CLOCK_MONOTONIC from main(); steps: hotkeyd(8)):\n')
    s.append('| step | median ms | min ms | max ms |')
    s.append('|---|---|---|---|')
    for label, v in rows:
        s.append(f'| {label} | {ms(statistics.median(v), 3)} | {ms(min(v), 3)} | {ms(max(v), 3)} |')
    ld = fp.get('ld_statistics') or {}
    if ld:
        s.append('\n- Dynamic linking, `LD_DEBUG=statistics` of `hotkeyd --version` (median of 5 runs; cycles of '
                 'the guest\'s TSC):\n')
        s.append('| binding | loader start-up, cycles | relocation, cycles | symbol relocations | relative | '
                 'relocations at exit |')
        s.append('|---|---|---|---|---|---|')
        for k, label in (('lazy', 'lazy (as built)'), ('now', '`LD_BIND_NOW=1`')):
            x = ld.get(k) or {}
            s.append(f'| {label} | {x.get("startup_cycles", 0):.0f} | {x.get("relocation_cycles", 0):.0f} | '
                     f'{x.get("relocations", 0):.0f} | {x.get("relative", 0):.0f} | '
                     f'{x.get("final_relocations", 0):.0f} |')
    if fp.get('needed'):
        s.append(f'\n- Libraries the daemon links (NEEDED): {", ".join(fp["needed"])}; loaded (ldd): '
                 f'{", ".join(os.path.basename(x) for x in fp.get("ldd", []))}.')


LIBINPUT, LIBINPUT_MASKED = 'libinput', 'libinput-masked'
LABELS = {LIBINPUT: 'libinput path context', LIBINPUT_MASKED: 'libinput path context, hotkeyd\'s mask'}


def section_libinput(r, err, sections):
    """hotkeyd against a libinput path context on the same devices
    (docs/ARCHITECTURE.md, "libevdev, not libinput"): start-up, memory,
    and the flood's wakeups (section 1), all from this boot."""
    fp, f = r.get('footprint') or {}, r.get('flood') or {}
    s = ['## 6. libinput path context on hotkeyd\'s devices\n']
    li = fp.get('libinput_startup')
    if not li:
        s.append(f'Not measured: {err.get("footprint", "no libinput figures in this run")}.')
        sections.append(s)
        return
    s.append(f'bench/hkb-libinput: `libinput_path_create_context()`, `libinput_path_add_device()` on the event '
             f'nodes hotkeyd.service had open ({", ".join(f"`{n}`" for n in fp.get("libinput_devices", []))}), '
             f'one `libinput_dispatch()`, then `READY=1`; timed by hkb-startup exactly like hotkeyd\'s starts in '
             f'section 3 (exec stamped in the child before execv(), Pss and private dirty 0.3 s after the devices were '
             f'open: hotkeyd\'s `STATUS=Watching`, the helper\'s READY=1), '
             f'{len(li)} starts, after hotkeyd\'s. hotkeyd does more than open the devices (the bus, the support '
             f'check, logind) and would keep all of it with libinput: the helper\'s figures are a libinput context '
             f'on its own, including the libc, libudev, libevdev and loader pages hotkeyd already has; its '
             f'mappings below show what only libinput brings.\n')
    s.append('| process | starts | exec -> devices open median ms | min ms | max ms | Pss median KiB | '
             'private dirty median KiB | RSS median KiB |')
    s.append('|---|---|---|---|---|---|---|---|')
    rows = {}
    # hotkeyd's devices are open at its STATUS=Watching (after READY=1);
    # the helper's at its READY=1.
    for label, runs, stamp in (('hotkeyd', fp.get('startup', []), 'status_us'), (LABELS[LIBINPUT], li, 'ready_us')):
        st = [x.get(stamp, -1) for x in runs if x.get(stamp, -1) >= 0]
        pss = [x['pss_kib'] for x in runs if x.get('pss_kib', -1) >= 0]
        dirty = [x['private_dirty_kib'] for x in runs if x.get('private_dirty_kib', -1) >= 0]
        rss = [x['rss_kib'] for x in runs if x.get('rss_kib', -1) >= 0]
        med = lambda v: statistics.median(v) if v else None  # noqa: E731
        rows[label] = (med(st), med(pss), med(dirty))
        s.append(f'| {label} | {len(runs)} | {fmt(ms(med(st)))} | {fmt(ms(min(st) if st else None))} | '
                 f'{fmt(ms(max(st) if st else None))} | {fmt(med(pss))} | {fmt(med(dirty))} | {fmt(med(rss))} |')
    hk, lr = rows['hotkeyd'], rows[LABELS[LIBINPUT]]
    if all(x is not None for x in hk + lr):
        s.append(f'\nRatio libinput path context : hotkeyd (medians): exec -> devices open '
                 f'{lr[0] / max(hk[0], 1):.3g}, Pss {lr[1] / max(hk[1], 1):.3g}, private dirty '
                 f'{lr[2] / max(hk[2], 1):.3g}.')
    steps = fp.get('libinput_steps') or []
    if steps:
        s.append('\n- hkb-libinput\'s steps from main() (medians, ms): ' + ', '.join(
            f'context created {ms(statistics.median(b.get(k, 0) for b in steps), 3)}' if k == 'context' else
            f'{k} {ms(statistics.median(b.get(k, 0) for b in steps), 3)}' for k in ('context', 'devices', 'dispatch'))
            + '; hotkeyd\'s `input` step is in section 3.')
    mem = fp.get('libinput_memory')
    if mem:
        s.append(f'- One more start kept running (smaps_rollup, KiB): RSS {mem["Rss"]}, Pss {mem["Pss"]}, '
                 f'private dirty {mem["Private_Dirty"]}, anonymous {mem["Anonymous"]}.')
    maps = fp.get('libinput_mappings') or []
    if maps:
        s.append('\n| mapping | Rss | Pss | private dirty |')
        s.append('|---|---|---|---|')
        for n, rss, pss, dirty in maps:
            s.append(f'| {n} | {rss} | {pss} | {dirty} |')
    if LIBINPUT in f.get('flood', {}):
        s.append('\n- While typing: section 1, rows "libinput path context".')
    sections.append(s)


def section_dialog(r, err, targets, sections):
    d = r.get('dialog')
    s = ['## 5. Dialog latency\n']
    if d:
        hold_us = d['hold_sec'] * 1000000
        boot_off = d['clocks']['boottime_us'] - d['clocks']['monotonic_us']
        fields = set()

        def hold_row(h):
            done = h['down_us'] + hold_us   # hold completion: kernel key-down + HoldSec
            row = {}
            for name in ('trigger', 'asked', 'shown'):
                st = h.get(name)
                t, k = dialog_stamp(st, boot_off) if st else (None, None)
                if k:
                    fields.add(k)
                row[name] = None if t is None else t - done
            row['receipt'] = h['shown']['__MONOTONIC_TIMESTAMP'] - done
            row['asked_to_shown'] = (row['shown'] - row['asked']) if row['shown'] is not None and row['asked'] is not None else None
            a = h.get('agent') or {}
            # The agent's own clock (the mapped entry's fields): delivery,
            # filling in, presenting up to the map handler.
            row['delivery'] = (a['asked'] - done - row['asked']) if 'asked' in a and row['asked'] is not None else None
            row['filling'] = a['presenting'] - a['asked'] if 'asked' in a and 'presenting' in a else None
            row['presenting'] = a['mapped'] - a['presenting'] if 'presenting' in a and 'mapped' in a else None
            # The main thread's CPU time across presenting (getrusage).
            row['presenting_cpu'] = (h.get('presenting_usage') or {}).get('cpu_usec')
            return row

        def first_and_later(rows):
            """(first, later ones' median) per part, ms; None where not known."""
            out = {}
            for k in ('asked_to_shown', 'delivery', 'filling', 'presenting', 'presenting_cpu'):
                rest = [x[k] for x in rows[1:] if x[k] is not None]
                out[k] = (ms(rows[0][k], 1), ms(statistics.median(rest), 1)) if rows and rows[0][k] is not None and rest else None
            return out

        rows = [hold_row(h) for h in d['holds']]
        receipt = [x['receipt'] for x in rows]
        second = [hold_row(h) for h in d.get('second_agent_holds') or []]
        shown = [x['shown'] for x in rows if x['shown'] is not None]
        which = ', '.join(sorted(fields)) or 'none'
        s.append(f'{len(d["holds"])} holds of KEY_POWER ({d["hold_ms"]} ms each; the image\'s trigger `power-key`, '
                 f'HoldSec={d["hold_sec"]}) on a uinput keyboard of seat0 that has only KEY_POWER and KEY_ESC '
                 f'(`hkb-keys`: it cannot type the keys that reach Reset), acted on by the system\'s '
                 f'hotkeyd.service (not a dry-run instance), which asks the GTK agent (`factory-reset --agent` in '
                 f'cage on tty1, the active session of seat0). Each dialog was declined with Escape from the same '
                 f'keyboard 1 s after its mapped entry was seen, and the next hold started 1.5 s after the agent\'s '
                 f'`decline ID escape` line (it destroys the dialog in the same call). After every hold: no '
                 f'confirmation or start entry, no `FactoryResetRequest` variable, factory-reset.target inactive.\n')
        s.append(f'Hold completion = the kernel\'s CLOCK_MONOTONIC timestamp of the key-down (read from the '
                 f'device\'s own node) + HoldSec. The other moments are journal entries of this boot, timed by '
                 f'**{which}**. Why: journald\'s `__MONOTONIC_TIMESTAMP` is when journald read the entry, which '
                 f'lags behind the sender when the guest is busy (last column); for datagrams on its native '
                 f'socket (hotkeyd\'s `log.c`, GLib\'s journald writer) journald also records the kernel\'s '
                 f'receive time of the datagram, the moment the sender wrote it, as `_SOURCE_REALTIME_TIMESTAMP` '
                 f'(moved to CLOCK_MONOTONIC by the same entry\'s `__REALTIME_TIMESTAMP` - '
                 f'`__MONOTONIC_TIMESTAMP`) or `_SOURCE_BOOTTIME_TIMESTAMP` (CLOCK_BOOTTIME; in this guest '
                 f'CLOCK_BOOTTIME - CLOCK_MONOTONIC = {boot_off} µs); the first of those present is used. '
                 f'`_SOURCE_MONOTONIC_TIMESTAMP` is only set for kernel messages. Entries: hotkeyd\'s trigger (`575a2b50...`), its confirmation '
                 f'request to the agent (`9f3c12a3...`), the agent\'s dialog mapped (`53f8b853...`, written in '
                 f'the dialog\'s `map` handler: mapped, on screen with cage\'s next frame).\n')
        s.append('The asked → mapped time is split by the agent\'s own CLOCK_MONOTONIC stamps in the mapped entry '
                 '(`HOTKEYD_ASKED_`, `HOTKEYD_PRESENTING_`, `HOTKEYD_MAPPED_MONOTONIC_USEC`): *delivery* = hotkeyd\'s '
                 'entry to the request reaching the dialog (D-Bus, the agent\'s main loop), *filling in* = the '
                 'request\'s text and countdown put in, *presenting* = `adw_dialog_present()` to the dialog\'s '
                 '`map` handler (the toplevel made, styled, measured, realized and mapped); *its CPU* = the '
                 'agent\'s main thread\'s CPU time across presenting (`getrusage`, `HOTKEYD_PRESENTING_CPU_USEC`; '
                 'its page faults are in raw.json).\n')
        s.append('| hold | trigger entry ms | agent asked ms | dialog mapped ms | asked → mapped ms | '
                 'delivery ms | filling in ms | presenting ms | its CPU ms | mapped, journald receipt ms |')
        s.append('|---|---|---|---|---|---|---|---|---|---|')
        for i, x in enumerate(rows, 1):
            s.append(f'| {i} | {fmt(ms(x["trigger"], 1))} | {fmt(ms(x["asked"], 1))} | {fmt(ms(x["shown"], 1))} | '
                     f'{fmt(ms(x["asked_to_shown"], 1))} | {fmt(ms(x["delivery"], 1))} | {fmt(ms(x["filling"], 1))} | '
                     f'{fmt(ms(x["presenting"], 1))} | {fmt(ms(x["presenting_cpu"], 1))} | {fmt(ms(x["receipt"], 1))} |')
        if shown:
            s.append(f'\nHold completion → dialog mapped: p50 {fmt(ms(pct(shown, 50), 1))} ms, max '
                     f'{fmt(ms(max(shown), 1))} ms, min {fmt(ms(min(shown), 1))} ms ({len(shown)} holds); by '
                     f'journald\'s receipt p50 {fmt(ms(pct(receipt, 50), 1))} ms, max {fmt(ms(max(receipt), 1))} ms.')
        a2m = [x['asked_to_shown'] for x in rows if x['asked_to_shown'] is not None]
        if len(a2m) >= 2 and rows[0]['asked_to_shown'] is not None:
            first, later = rows[0]['asked_to_shown'], statistics.median(a2m[1:])
            s.append(f'\nFirst dialog of the agent, asked → mapped {fmt(ms(first, 1))} ms; the later ones median '
                     f'{fmt(ms(later, 1))} ms (ratio {first / later:.3g}).')
            split = first_and_later(rows)
            parts = [f'{what} {fmt(split[k][0])} against {fmt(split[k][1])}'
                     for k, what in (('delivery', 'delivery'), ('filling', 'filling in'), ('presenting', 'presenting'),
                                     ('presenting_cpu', 'its CPU time'))
                     if split[k]]
            if parts:
                s.append(f'Of it, first against the later ones\' median (ms): {"; ".join(parts)}.')
            again = first_and_later(second)
            if again['asked_to_shown']:
                s.append(f'\nThen the agent was stopped and the session started cage and the agent again (a new '
                         f'process, {len(second)} holds): its first dialog asked → mapped '
                         f'{fmt(again["asked_to_shown"][0])} ms (presenting '
                         f'{fmt(again["presenting"][0] if again["presenting"] else None)}), its later ones median '
                         f'{fmt(again["asked_to_shown"][1])} ms (presenting '
                         f'{fmt(again["presenting"][1] if again["presenting"] else None)}). A first dialog that is '
                         f'slow again in the new process pays a cost per process (the agent\'s own start-up could '
                         f'take it); one that is not paid a cost once per boot: the emulated CPU translating GTK\'s '
                         f'code for a toplevel the first time any process runs it, which no process that has not '
                         f'presented a window ran before (the tty1 session has no other GTK application).')
            targets.append(('5', f'first dialog (agent asked -> mapped) within {DIALOG_FIRST_RATIO_MAX:g} x the later '
                            f'ones\' median', f'{fmt(ms(first, 1))} ms : {fmt(ms(later, 1))} ms = {first / later:.3g}',
                            verdict(first <= DIALOG_FIRST_RATIO_MAX * later)))
        p50 = ms(pct(shown, 50), 1) if shown else None
        mx = ms(max(shown), 1) if shown else None
        targets.append(('5', f'hold completion to dialog mapped at most {DIALOG_MAX_MS:g} ms (judged on the max)',
                        f'p50 {fmt(p50)} ms, max {fmt(mx)} ms over {len(shown)} holds',
                        verdict(mx is not None and mx <= DIALOG_MAX_MS and len(shown) == len(d['holds']))))
    else:
        s.append(f'Not measured: {err.get("dialog", "not run")}.')
        targets.append(('5', f'hold completion to dialog mapped at most {DIALOG_MAX_MS:g} ms',
                        f'not measured: {err.get("dialog", "not run")}', '**not measured**'))

    wdw = r.get('window')
    s.append('\n### Cold start of the `factory-reset` window\n')
    if wdw:
        s.append('`/usr/bin/factory-reset` (the window, not the agent) started as `user` in the running cage '
                 'session on tty1 with the agent\'s environment (Wayland display, runtime dir, session bus, '
                 f'`GSK_RENDERER={wdw["env"].get("GSK_RENDERER")}`), its stderr a journal stream; from exec '
                 '(CLOCK_MONOTONIC, stamped in the child just before execve) to its "window shown" entry '
                 '(`2b94e164...`, written in the window\'s `map` handler, timed as above), then SIGTERM. '
                 '"Cold cache" runs follow `echo 3 > /proc/sys/vm/drop_caches`; "warm" runs come right after '
                 'one.\n')
        s.append('| run | page cache | exec → mapped ms | timed by |')
        s.append('|---|---|---|---|')
        by = {'cold': [], 'warm': []}
        boot_off = wdw['clocks']['boottime_us'] - wdw['clocks']['monotonic_us']
        for i, run in enumerate(wdw['runs'], 1):
            t, k = dialog_stamp(run['shown'], boot_off) if run.get('shown') else (None, None)
            v = None if t is None else t - run['exec_us']
            if v is not None:
                by[run['cache']].append(v)
            s.append(f'| {i} | {run["cache"]} | {fmt(ms(v, 0)) if v is not None else "not mapped within 120 s"} | '
                     f'{k or ""} |')
        s.append('')
        for cache in ('cold', 'warm'):
            if by[cache]:
                s.append(f'- {cache} cache: median {fmt(ms(statistics.median(by[cache]), 0))} ms over '
                         f'{len(by[cache])} runs (min {fmt(ms(min(by[cache]), 0))}, max {fmt(ms(max(by[cache]), 0))})')
    else:
        s.append(f'Not measured: {err.get("window", "not run")}.')
    sections.append(s)


def key_figures(results):
    """The figures the targets are judged on, from one run's raw results
    (None where that run did not measure it)."""
    prep, fp, hp, d = (results.get(k) or {} for k in ('prepare', 'footprint', 'hotplug', 'dialog'))
    mem = prep.get('memory') or {}
    st = [x['ready_us'] for x in fp.get('startup', []) if x['ready_us'] >= 0]
    floor = [x['ready_us'] for x in fp.get('startup_floor', []) if x['ready_us'] >= 0]
    adds = [x for rd in hp.get('rounds_data', []) for x in rd['add_us']]
    peer = [x for rd in hp.get('rounds_data', []) for x in rd.get('peer_add_us', []) if x > 0]
    first = later = None
    holds = d.get('holds') or []
    if len(holds) >= 2:
        boot_off = d['clocks']['boottime_us'] - d['clocks']['monotonic_us']
        a2m = [dialog_stamp(h['shown'], boot_off)[0] - dialog_stamp(h['asked'], boot_off)[0] for h in holds]
        first, later = a2m[0] / 1000, statistics.median(a2m[1:]) / 1000
    med = lambda v: statistics.median(v) / 1000 if v else None  # noqa: E731
    return [
        ('exec -> READY=1, median ms', med(st)),
        ('`systemd-notify --ready` (floor), median ms', med(floor)),
        ('hotkeyd Pss after start, KiB', (mem.get('hotkeyd') or {}).get('Pss')),
        ('logind Pss, KiB', (mem.get('logind') or {}).get('Pss')),
        ('hotkeyd private dirty after start, KiB', (mem.get('hotkeyd') or {}).get('Private_Dirty')),
        ('hotplug add, median ms', med(adds)),
        ('logind opening the same keyboards, median ms', med(peer)),
        ('first dialog asked -> mapped, ms', first),
        ('later dialogs asked -> mapped, median ms', later),
    ]


def section_before(before, results):
    """Before/after, each side from its own raw.json (its own boot: compare
    the ratios, the absolute times move with the host)."""
    s = [f'## Before and after\n', f'Before: `{before["meta"].get("command")}` at {before["meta"]["host"].get("commit")}, '
         f'{before["meta"].get("date")} (host load {before["meta"]["load_start"]["loadavg"]} at its start); after: this '
         f'run. Each side is one boot of its own.\n', '| figure | before | after |', '|---|---|---|']
    for (name, a), (_, b) in zip(key_figures(before['results']), key_figures(results)):
        s.append(f'| {name} | {fmt(a)} | {fmt(b)} |')
    return s


def report(b, meta, before=None):
    r, err = b.results, b.errors
    prep = r.get('prepare') or {}
    missing = prep.get('missing_peers', [])
    out = []
    w = out.append
    w('# hotkeyd benchmarks\n')
    w('Written by `bench/run.py`; every number below was measured in the run described here, '
      'in one boot of the VM. Do not edit by hand: run the command again.\n')
    w(f'- **Command**: `{meta["command"]}`' + (' (**quick run: reduced counts, not the issue\'s**)' if meta['quick'] else ''))
    w(f'- **Date**: {meta["date"]} (run took {meta["duration_min"]} min)')
    h = meta['host']
    w(f'- **Host**: {h["cpu"]}, {h["cores"]} cores, {h["mem_gib"]} GiB, Linux {h["kernel"]}; {h["qemu"]}; '
      f'source {h["commit"]}')
    steps = meta.get('load_steps') or []
    others = [meta['load_start']['qemu_processes'], meta['load_end']['qemu_processes']] + \
        [x['qemu_processes'] - 1 for _, x in steps]
    w(f'- **Host load**: load average {meta["load_start"]["loadavg"]} at the start, {meta["load_end"]["loadavg"]} '
      f'at the end; other QEMU processes on the host (before this VM started, after it stopped) '
      f'{meta["load_start"]["qemu_processes"]} at the start, {meta["load_end"]["qemu_processes"]} at the end' +
      ('; after each step (load average, other QEMUs): ' +
       ', '.join(f'{n} {x["loadavg"].split()[0]} / {x["qemu_processes"] - 1}' for n, x in steps) if steps else '') +
      '. ' + ('**The host was busy: the timings are noisy.**' if max(others) > 0
              or float(meta['load_start']['loadavg'].split()[0]) > 0.5 else ''))
    w(f'- **Guest**: QEMU TCG (no KVM), {meta["vm_cpus"]} vCPUs, {meta["vm_mem_mb"]} MiB; '
      f'Linux {prep.get("kernel", "?")}; {prep.get("systemd", "?")}')
    peers = ['logind (systemd-logind, always there)']
    for p in ('triggerhappy', 'acpid'):
        if p in missing:
            peers.append(f'{p}: **no {p}.service in the guest**, so not measured')
        else:
            version = prep.get('peers', {}).get(p) or 'version not recorded'
            peers.append(f'{p} ({version}; reacts to KEY_POWER)')
    w('- **Peers**: ' + '; '.join(peers))
    if err:
        w('- **Failed measurements**: ' + '; '.join(f'{k}: {v}' for k, v in err.items()))
    w('')

    targets = []
    sections = []

    # 1. cost while typing
    f = r.get('flood')
    s = ['## 1. Cost while typing\n']
    if f:
        events = f['keys'] + f['motion']
        per_m = 1e6 / events
        s.append(f'{f["keys"]:,} non-trigger key events (letters, press and release) from a uinput keyboard that '
                 f'also has KEY_POWER, and {f["motion"]:,} REL_X events from a uinput mouse, each its own frame, '
                 f'interleaved, written as fast as possible ({f["write_s"]} s); the window measured is '
                 f'{f["duration_s"]} s (the writing plus {f["drain_s"]} s for queued events). The idle baseline '
                 f'is the same daemons for the same duration right after, without events. CPU is utime+stime '
                 f'from /proc/PID/stat (10 ms ticks) and, finer, the run time from /proc/PID/schedstat; wakeups '
                 f'are voluntary context switches from /proc/PID/task/*/status.\n')
        s.append('| daemon | opened keyboard / mouse | flood: CPU ms (ticks) | flood: run time ms | flood: wakeups | '
                 'per million events: CPU ms | per million events: wakeups | idle: CPU ms | idle: run time ms | idle: wakeups |')
        s.append('|---|---|---|---|---|---|---|---|---|---|')
        for name in ('hotkeyd', LIBINPUT, LIBINPUT_MASKED, 'logind', 'triggerhappy', 'acpid'):
            if name not in f['flood']:
                if name in missing:
                    s.append(f'| {name} | not in the guest image | | | | | | | | |')
                elif name in f.get('gone', ()):
                    s.append(f'| {name} | exited during the flood (its journal says why) | | | | | | | | |')
                continue
            fl, idle, wt = f['flood'][name], f['idle'][name], f['watches'].get(name, {})
            s.append(f'| {LABELS.get(name, name)} | {"yes" if wt.get("keyboard") else "no"} / {"yes" if wt.get("mouse") else "no"} | '
                     f'{fl["cpu_ms"]} | {fl["runtime_ns"] / 1e6:.2f} | {fl["vcsw"]} | '
                     f'{fl["cpu_ms"] * per_m:.3g} | {fl["vcsw"] * per_m:.3g} | '
                     f'{idle["cpu_ms"]} | {idle["runtime_ns"] / 1e6:.2f} | {idle["vcsw"]} |')
        if LIBINPUT in f['flood']:
            ev = f.get('libinput_events') or {}
            s.append(f'\n{LABELS[LIBINPUT]}: bench/hkb-libinput, a libinput path context on the devices hotkeyd had '
                     f'open ({", ".join(f"`{n}`" for n in f.get("libinput_nodes", []))}), running beside the daemons '
                     f'and fetching every event libinput hands out ({ev.get(LIBINPUT)} events); '
                     f'{LABELS[LIBINPUT_MASKED]}: the same with hotkeyd\'s EVIOCSMASK on its fds '
                     f'({ev.get(LIBINPUT_MASKED)} events). Section 6 has their start-up and memory.')
        hk = f['flood'].get('hotkeyd')
        if hk:
            idle = f['idle']['hotkeyd']
            extra = max(0, hk['vcsw'] - idle['vcsw'])
            per_100k = hk['vcsw'] * 1e5 / events
            s.append('')
            s.append('Ratios hotkeyd : peer during the flood (per million events, same run):\n')
            s.append('| peer | CPU (run time) | wakeups |')
            s.append('|---|---|---|')
            for peer in (LIBINPUT, LIBINPUT_MASKED, 'logind', 'triggerhappy', 'acpid'):
                if peer in f['flood']:
                    p = f['flood'][peer]
                    s.append(f'| {LABELS.get(peer, peer)} | {ratio(hk["runtime_ns"], p["runtime_ns"])} | {ratio(hk["vcsw"], p["vcsw"])} |')
                elif peer in f.get('gone', ()):
                    s.append(f'| {peer} | not measured (exited during the flood) | |')
                elif peer not in (LIBINPUT, LIBINPUT_MASKED):
                    s.append(f'| {peer} | not measured (not in the guest image) | |')
            targets.append(('1', f'hotkeyd wakeups caused by the flood: at most {WAKEUPS_PER_100K_MAX} per 100,000 events',
                            f'{hk["vcsw"]} wakeups for {events:,} events = {per_100k:.3g} per 100,000 '
                            f'(idle, same duration: {idle["vcsw"]}; difference {extra})',
                            verdict(per_100k <= WAKEUPS_PER_100K_MAX)))
            # Within noise: no more than one clock tick above idle in
            # utime+stime, and the finer run time no more than 1 ms above it.
            ok = hk['cpu_ms'] <= idle['cpu_ms'] + 10 and hk['runtime_ns'] <= idle['runtime_ns'] + 1e6
            targets.append(('1', 'hotkeyd CPU during the flood within noise of idle (at most one 10 ms tick, '
                            'and 1 ms of run time, above idle)',
                            f'flood {hk["cpu_ms"]} ms ticks / {hk["runtime_ns"] / 1e6:.2f} ms run time; '
                            f'idle {idle["cpu_ms"]} ms / {idle["runtime_ns"] / 1e6:.2f} ms', verdict(ok)))
    else:
        s.append(f'Not measured: {err.get("flood", "not run")}.')
    sections.append(s)

    # 2. acting on time
    h = r.get('hold')
    s = ['## 2. Acting on time\n']
    if h:
        d = [x['delay_us'] for x in h['hotkeyd'] if x['delay_us'] is not None]
        missed = sum(1 for x in h['hotkeyd'] if x['delay_us'] is None)
        ld = [x['delay_us'] for x in h['logind'] if x['delay_us'] is not None]
        lmissed = sum(1 for x in h['logind'] if x['delay_us'] is None)
        s.append(f'{len(h["hotkeyd"])} holds of KEY_POWER, HoldSec={h["hold_sec"]}, on {h["seats"]} uinput keyboards '
                 f'in parallel, each on a seat of its own (udev ID_SEAT; hotkeyd keeps key state per seat, so '
                 f'keyboards of one seat would make one hold), starts staggered over the period. hotkeyd ran as '
                 f'`hotkeyd --dry-run` with a configuration holding only that trigger (hotkeyd.service stopped '
                 f'meanwhile, logind kept off the power key by a handle-power-key inhibitor). Delay = the moment '
                 f'its `trigger` line was read from its stdout pipe (CLOCK_MONOTONIC) minus (the kernel\'s '
                 f'CLOCK_MONOTONIC timestamp of the key-down, read from the device\'s own event node, + HoldSec).\n')
        s.append(f'logind in the same run: {len(h["logind"])} holds of KEY_RESTART (HandleRebootKey=ignore, '
                 f'HandleRebootKeyLongPress=lock), one at a time: logind has one global long-press timer of '
                 f'{h["logind_long_press_sec"]} s, so each hold takes over {h["logind_long_press_sec"]} s and '
                 f'fewer samples were taken. Delay = the journal\'s __MONOTONIC_TIMESTAMP of "Reboot key pressed '
                 f'long." (stamped by journald on receipt) minus (key-down + {h["logind_long_press_sec"]} s).\n')
        s.append('| daemon | samples | missed | p50 ms | p99 ms | max ms | min ms |')
        s.append('|---|---|---|---|---|---|---|')
        s.append(f'| hotkeyd | {len(d)} | {missed} | {fmt(ms(pct(d, 50), 3))} | {fmt(ms(pct(d, 99), 3))} | '
                 f'{fmt(ms(max(d) if d else None, 3))} | {fmt(ms(min(d) if d else None, 3))} |')
        s.append(f'| logind | {len(ld)} | {lmissed} | {fmt(ms(pct(ld, 50), 3))} | {fmt(ms(pct(ld, 99), 3))} | '
                 f'{fmt(ms(max(ld) if ld else None, 3))} | {fmt(ms(min(ld) if ld else None, 3))} |')
        if d and ld:
            s.append(f'\nRatio of the medians hotkeyd : logind = {ratio(pct(d, 50), pct(ld, 50))}.')
        if h.get('other_lines'):
            s.append('\nOther lines of hotkeyd during the run: ' + '; '.join(f'`{x}`' for x in h['other_lines']))
        p99 = ms(pct(d, 99), 3)
        targets.append(('2', f'hotkeyd acts within {HOLD_P99_MAX_MS} ms of the hold completing (p99)',
                        f'p99 {fmt(p99)} ms over {len(d)} holds ({missed} missed)',
                        verdict(p99 is not None and p99 <= HOLD_P99_MAX_MS and missed == 0)))
    else:
        s.append(f'Not measured: {err.get("hold", "not run")}.')
    sections.append(s)

    # 3. footprint
    fp = r.get('footprint')
    s = ['## 3. Footprint\n']
    start = prep.get('hotkeyd_after_start')
    after = (f or {}).get('after', {}).get('hotkeyd') if f else None
    if start:
        s.append(f'- RSS of hotkeyd.service after start (as booted, {prep.get("hotkeyd_uptime_s")} s after its start): '
                 f'{start["rss_kib"]} KiB, {start["fds"]} fds (no target: most of it is shared library pages)')
    mem = prep.get('memory')
    if mem:
        s.append('- What the RSS is made of, every daemon right after the guest booted (/proc/PID/smaps_rollup, '
                 'KiB; "file" = pages of mapped files, mostly shared libraries, which other processes map too; '
                 'Pss shares each page among the processes that map it):\n')
        s.append('| daemon | RSS | file | anonymous | private dirty | Pss |')
        s.append('|---|---|---|---|---|---|')
        for name, m in mem.items():
            s.append(f'| {name} | {m["Rss"]} | {m["File"]} | {m["Anonymous"]} | {m["Private_Dirty"]} | {m["Pss"]} |')
        if mem.get('hotkeyd') and mem.get('logind'):
            s.append(f'\nRatio hotkeyd : logind: RSS {mem["hotkeyd"]["Rss"] / mem["logind"]["Rss"]:.3g}, '
                     f'Pss {mem["hotkeyd"]["Pss"] / max(mem["logind"]["Pss"], 1):.3g}, private dirty '
                     f'{mem["hotkeyd"]["Private_Dirty"] / max(mem["logind"]["Private_Dirty"], 1):.3g}.')
            hk, ld = mem['hotkeyd'], mem['logind']
            targets.append(('3', f'Pss after start at most {PSS_LOGIND_RATIO_MAX:g} x logind\'s (same boot)',
                            f'{hk["Pss"]} KiB : {ld["Pss"]} KiB = {hk["Pss"] / max(ld["Pss"], 1):.3g}',
                            verdict(hk['Pss'] <= PSS_LOGIND_RATIO_MAX * ld['Pss'])))
        if mem.get('hotkeyd'):
            targets.append(('3', f'private dirty after start at most {PRIVATE_DIRTY_MAX_KIB} KiB',
                            f'{mem["hotkeyd"]["Private_Dirty"]} KiB',
                            verdict(mem['hotkeyd']['Private_Dirty'] <= PRIVATE_DIRTY_MAX_KIB)))
    maps = prep.get('mappings') or {}
    for name, rows in maps.items():
        s.append(f'\n- {name}\'s memory by mapping (/proc/PID/smaps, KiB, largest Pss first):\n')
        s.append('| mapping | Rss | Pss | private dirty |')
        s.append('|---|---|---|---|')
        for n, rss, pss, dirty in rows:
            s.append(f'| {n} | {rss} | {pss} | {dirty} |')
        s.append('')
    if not maps and prep.get('hotkeyd_mappings'):
        s.append('\n- hotkeyd\'s RSS by mapping (KiB): ' +
                 ', '.join(f'{n} {k}' for n, k in prep['hotkeyd_mappings']) + '.\n')
    if after:
        s.append(f'- RSS of hotkeyd.service after the flood: {after["rss_kib"]} KiB')
    if fp:
        st = [x['ready_us'] for x in fp['startup'] if x['ready_us'] >= 0]
        failed = len(fp['startup']) - len(st)
        rss = [x['rss_kib'] for x in fp['startup'] if x['rss_kib'] >= 0]
        s.append(f'- exec to READY=1: {len(st)} starts of `hotkeyd` (not dry-run, the real system bus, unsandboxed) '
                 f'with a NOTIFY_SOCKET of our own, each after a {fp.get("startup_pause_ms", 0)} ms pause (what the start before set off, the '
                 f'bus\'s and journald\'s work, is over), stamped just before execve() and on receipt of READY=1: '
                 f'median {fmt(ms(statistics.median(st)) if st else None)} ms, '
                 f'p90 {fmt(ms(pct(st, 90)))} ms, max {fmt(ms(max(st) if st else None))} ms, '
                 f'min {fmt(ms(min(st) if st else None))} ms' + (f'; {failed} did not report READY=1' if failed else '')
                 + f'. RSS 0.3 s after the devices were open: median {fmt(statistics.median(rss) if rss else None)} '
                 f'KiB.')
        opened = [x['status_us'] for x in fp['startup'] if x.get('status_us', -1) >= 0]
        if opened:
            s.append(f'- exec to the input devices open (hotkeyd opens them from its loop right after READY=1 and '
                     f'then says `STATUS=Watching ...`; the same starts): median {ms(statistics.median(opened))} ms, '
                     f'min {ms(min(opened))} ms, max {ms(max(opened))} ms.')
        floor = [x['ready_us'] for x in fp.get('startup_floor', []) if x['ready_us'] >= 0]
        if floor:
            s.append(f'- The floor, timed the same way in the same boot: `systemd-notify --ready` (systemd\'s tool '
                     f'that only sends READY=1; exec, dynamic linking of libsystemd-shared, one datagram), '
                     f'{len(floor)} runs: median {ms(statistics.median(floor))} ms, min {ms(min(floor))} ms, '
                     f'max {ms(max(floor))} ms.' +
                     (f' Ratio of the medians hotkeyd : systemd-notify = '
                      f'{statistics.median(st) / statistics.median(floor):.3g}.' if st else ''))
        if st and floor:
            r_floor = statistics.median(st) / statistics.median(floor)
            targets.append(('3', f'exec to READY=1 at most {READY_FLOOR_RATIO_MAX:g} x `systemd-notify --ready` '
                            f'(medians, same boot)',
                            f'median {ms(statistics.median(st))} ms : {ms(statistics.median(floor))} ms = '
                            f'{r_floor:.3g}', verdict(r_floor <= READY_FLOOR_RATIO_MAX and not failed)))
        pss = [x['pss_kib'] for x in fp['startup'] if x.get('pss_kib', -1) >= 0]
        dirty = [x['private_dirty_kib'] for x in fp['startup'] if x.get('private_dirty_kib', -1) >= 0]
        if pss:
            s.append(f'- Those starts, 0.3 s after the devices were open (smaps_rollup): Pss median {statistics.median(pss):.0f} KiB, '
                     f'private dirty median {statistics.median(dirty):.0f} KiB (not the service: no sandbox, '
                     f'its own NOTIFY_SOCKET).')
        section_startup_steps(fp, st, s)
        s.append(f'- Open fds against input devices that can emit a trigger key ({", ".join(fp["trigger_keys"])}; '
                 f'counted from sysfs capability bitmaps), hotkeyd.service with extra uinput keyboards '
                 f'(KEY_POWER) and mice (no trigger key):\n')
        s.append('| extra keyboards | extra mice | trigger-capable devices | fds | fds - devices | RSS KiB |')
        s.append('|---|---|---|---|---|---|')
        consts = []
        for row in fp['fds']:
            c = row['fds'] - row['capable_devices']
            consts.append(c)
            s.append(f'| {row["added_keyboards"]} | {row["added_mice"]} | {row["capable_devices"]} | {row["fds"]} | '
                     f'{c} | {row["rss_kib"]} |')
        # Met when every trigger-capable device costs exactly one fd and
        # nothing else does: the same constant in every row.
        targets.append(('3', 'open fds = trigger-capable devices + a small constant (the same in every row)',
                        f'fds - devices: {", ".join(map(str, consts))} (0, 10 and 50 extra keyboards, mice besides)',
                        verdict(len(set(consts)) == 1)))
        sc = fp.get('support_checks') or {}
        if sc.get('checks'):
            s.append(f'\n- Support checks: {sc["checks"]} restarts of hotkeyd.service, each making one support check '
                     f'(CanRequestFactoryReset and GetFactoryResetMode); systemd-factory-reset.socket '
                     f'(Accept=yes: one systemd-factory-reset process per connection) accepted '
                     f'{sc["accepted"]} connections meanwhile: {sc["accepted"] / sc["checks"]:.3g} processes per check'
                     + (f' ({sc["asked_entries"]} "Asking systemd ..." entries of hotkeyd'
                        if sc.get('asked_entries') else ' (hotkeyd logs its "Asking systemd ..." at debug level: '
                        'not counted') +
                     (f'; {sc["instances"]} systemd-factory-reset@ instances logged' if sc.get('instances') else '')
                     + ').')
        elif sc.get('error'):
            s.append(f'\n- Support checks: not measured: {sc["error"]}.')
    else:
        s.append(f'- exec to READY=1 and fds: not measured: {err.get("footprint", "not run")}.')
    sections.append(s)

    # 4. hotplug
    hp = r.get('hotplug')
    s = ['## 4. Hotplug scale\n']
    if hp:
        base = hp['baseline']
        s.append(f'{hp["count"]} uinput keyboards (KEY_POWER) created one after the other, each time until '
                 f'hotkeyd.service has its event node open (polled every 1 ms; this includes udev\'s processing '
                 f'of the uevent and the other daemons\' work on it), then destroyed one after the other until '
                 f'hotkeyd has closed each; {hp["rounds"]} rounds. CPU = hotkeyd\'s run time '
                 f'(/proc/PID/schedstat) over each phase divided by the count. "RSS after" is read 2 s after '
                 f'the fd count is back (hotkeyd gives freed heap memory back 1 s after the last removal). '
                 f'Baseline before the first round: '
                 f'{base["fds"]} fds, {base["rss_kib"]} KiB.\n')
        s.append('| round | add: median ms | add: max ms | remove: median ms | remove: max ms | CPU per add µs | '
                 'CPU per remove µs | fds back after ms | fds after | RSS KiB after | timeouts |')
        s.append('|---|---|---|---|---|---|---|---|---|---|---|')
        ok = True
        for rd in hp['rounds_data']:
            s.append(f'| {rd["round"]} | {ms(statistics.median(rd["add_us"]))} | {ms(max(rd["add_us"]))} | '
                     f'{ms(statistics.median(rd["remove_us"]))} | {ms(max(rd["remove_us"]))} | '
                     f'{rd["add_cpu_ns"] / 1000 / hp["count"]:.0f} | {rd["remove_cpu_ns"] / 1000 / hp["count"]:.0f} | '
                     f'{ms(rd["settle_us"]) if "settle_us" in rd else "n/a"} | {rd["fds"]} | {rd["rss_kib"]} | {rd["timeouts"]} |')
            ok = ok and rd['fds'] == base['fds'] and rd['rss_kib'] <= base['rss_kib'] + PAGE_KIB and not rd['timeouts']
        for rd in hp['rounds_data']:
            extra = sorted(set(rd.get('fd_targets', [])) - set(base.get('fd_targets', [])))
            gone = sorted(set(base.get('fd_targets', [])) - set(rd.get('fd_targets', [])))
            if extra or gone:
                shown = ', '.join(f'`{x}`' for x in extra[:5]) + (f' and {len(extra) - 5} more' if len(extra) > 5 else '')
                s.append(f'\nAfter round {rd["round"]}, {len(extra)} fds not in the baseline: {shown or "none"}; '
                         f'baseline fds gone: {", ".join(f"`{x}`" for x in gone) or "none"}.')
        adds = [x for rd in hp['rounds_data'] for x in rd['add_us']]
        rems = [x for rd in hp['rounds_data'] for x in rd['remove_us']]
        s.append(f'\nAll rounds: add median {ms(statistics.median(adds))} ms, remove median '
                 f'{ms(statistics.median(rems))} ms.')
        mb, ma = hp.get('memory_before'), hp.get('memory_after')
        if mb and ma:
            s.append(f'\nWhat the RSS is made of (smaps_rollup, KiB) before the first round and after the last: '
                     f'RSS {mb["Rss"]} → {ma["Rss"]}, of it file pages (the binary\'s and the libraries\' code and '
                     f'data, read from the page cache as the hotplug path first runs them) {mb["File"]} → '
                     f'{ma["File"]} and anonymous memory (the daemon\'s heap, stack and the like) '
                     f'{mb["Anonymous"]} → {ma["Anonymous"]}; private dirty {mb["Private_Dirty"]} → '
                     f'{ma["Private_Dirty"]}, Pss {mb["Pss"]} → {ma["Pss"]}.')
        peer = [x for rd in hp['rounds_data'] for x in rd.get('peer_add_us', []) if x > 0]
        if hp.get('logind_pid') is not None and any('peer_add_us' in rd for rd in hp['rounds_data']):
            mine = [a for rd in hp['rounds_data'] for a, b in zip(rd['add_us'], rd.get('peer_add_us', [])) if b > 0]
            misses = hp['rounds_data'][-1].get('peer_misses', 0)
            s.append(f'\nlogind opened the same keyboards (udev tags them `power-switch`): from the same moment '
                     f'(the return of UI_DEV_CREATE, in which the kernel sends the "add" uevent), {len(peer)} '
                     f'opens, median {fmt(ms(statistics.median(peer)) if peer else None)} ms, max '
                     f'{fmt(ms(max(peer)) if peer else None)} ms ({misses} not opened within 2 s); hotkeyd on those '
                     f'same devices median {fmt(ms(statistics.median(mine)) if mine else None)} ms.')
            if peer and mine:
                rr = statistics.median(mine) / statistics.median(peer)
                targets.append(('4', f'hotplug add (uevent -> fd open) no slower than logind opening the same '
                                f'device (medians, same run; at most {HOTPLUG_LOGIND_RATIO_MAX:g} x)',
                                f'{ms(statistics.median(mine))} ms : {ms(statistics.median(peer))} ms = {rr:.3g}',
                                verdict(rr <= HOTPLUG_LOGIND_RATIO_MAX)))
        last = hp['rounds_data'][-1]
        targets.append(('4', f'fds and RSS back to baseline after each of {hp["rounds"]} rounds of '
                        f'{hp["count"]} keyboards (RSS within one {PAGE_KIB} KiB page)',
                        f'baseline {base["fds"]} fds / {base["rss_kib"]} KiB; after the last round '
                        f'{last["fds"]} fds / {last["rss_kib"]} KiB', verdict(ok)))
    else:
        s.append(f'Not measured: {err.get("hotplug", "not run")}.')
    sections.append(s)

    section_dialog(r, err, targets, sections)
    section_libinput(r, err, sections)
    if before:
        sections.append(section_before(before, r))

    w('## Targets\n')
    w('| # | target | measured | |')
    w('|---|---|---|---|')
    for t in targets:
        w(f'| {t[0]} | {t[1]} | {t[2]} | {t[3]} |')
    if any('not met' in t[3] for t in targets):
        w('\nWhat stands in the way of the targets not met, with the numbers of the run it describes: '
          'bench/README.md, after the list of steps.')
    w('')
    for s in sections:
        out.extend(s)
        w('')
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--vm-dir', default=os.path.join(SRC, 'build-vm'))
    ap.add_argument('--work-dir', help='VM state and logs (default VM_DIR/bench)')
    ap.add_argument('--output', default=os.path.join(HERE, 'RESULTS.md'))
    ap.add_argument('--quick', action='store_true', help='small counts, to try the machinery')
    ap.add_argument('--only', action='append', choices=['flood', 'footprint', 'hotplug', 'hold', 'dialog', 'window'],
                    help='run only these measurements (repeatable)')
    ap.add_argument('--from-raw', metavar='RAW_JSON',
                    help='only write the report again from the raw.json of an earlier run')
    ap.add_argument('--before', metavar='RAW_JSON',
                    help='add a before/after table against the raw.json of an earlier run')
    args = ap.parse_args()
    before = None
    if args.before:
        with open(args.before) as f:
            before = json.load(f)
    if args.from_raw:
        with open(args.from_raw) as f:
            raw = json.load(f)
        b = Bench(None, None)
        b.results, b.errors = raw['results'], raw['errors']
        with open(args.output, 'w') as f:
            f.write(report(b, raw['meta'], before) + '\n')
        print(f'wrote {args.output} from {args.from_raw}')
        return 0
    cfg = dict(QUICK if args.quick else FULL)
    image = os.path.join(os.path.abspath(args.vm_dir), 'disk.raw')
    if not os.path.exists(image):
        print(f'{image} missing: run tools/mkvm.sh on the host first (make bench does)', file=sys.stderr)
        return 2
    workdir = os.path.abspath(args.work_dir or os.path.join(args.vm_dir, 'bench'))
    command = os.environ.get('HOTKEYD_BENCH_COMMAND') or 'python3 bench/run.py ' + ' '.join(sys.argv[1:])
    meta = {'command': command.strip(), 'quick': args.quick, 'host': host_info(), 'load_start': host_load(),
            'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
    t0 = time.monotonic()
    # Two vCPUs: the flood's writer and the daemons run side by side, as on
    # a real machine. (The scenario's one vCPU is about OVMF after a reboot;
    # the benchmarks never reboot.)
    m = Machine(image, workdir, cpus=2)
    meta['vm_cpus'], meta['vm_mem_mb'] = m.cpus, m.memory_mb
    b = Bench(m, cfg)
    try:
        m.start()
        m.wait_shell(BOOT_TIMEOUT)
        print(f'[{time.monotonic() - t0:6.1f}s] booted', flush=True)
        b.run_all(args.only)
    except Failure as e:
        b.errors['vm'] = str(e).splitlines()[0]
        print(f'FAIL: {e}', file=sys.stderr)
    except Exception:
        b.errors['bench'] = traceback.format_exc().splitlines()[-1]
        traceback.print_exc()
    finally:
        m.stop()
    meta['load_end'] = host_load()
    meta['load_steps'] = b.loads
    meta['duration_min'] = round((time.monotonic() - t0) / 60, 1)
    with open(os.path.join(workdir, 'raw.json'), 'w') as f:
        json.dump({'meta': meta, 'results': b.results, 'errors': b.errors}, f, indent=1)
    text = report(b, meta, before)
    with open(args.output, 'w') as f:
        f.write(text + '\n')
    print(f'wrote {args.output}; raw figures in {workdir}/raw.json')
    return 1 if b.errors else 0


if __name__ == '__main__':
    sys.exit(main())
