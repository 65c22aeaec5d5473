#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks of the built desktop data that the validators do not make.

  check-data.py desktop FILE KEY,KEY... LANG...   every KEY has KEY[LANG] for every LANG
  check-data.py metainfo FILE LANG...             name, summary and description translated
  check-data.py polkit FILE LANG...               every action's description and message translated
  check-data.py svg FILE...                       well-formed SVG documents
  check-data.py unit FILE                         the user unit: its keys, systemd-analyze verify
"""
import configparser
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'
SVG = '{http://www.w3.org/2000/svg}svg'

errors = []


def fail(msg):
    errors.append(msg)


def translated(elements, langs, what):
    """elements: the untranslated element and its translations, siblings of one name."""
    have = {e.get(XML_LANG) for e in elements}
    if None not in have:
        fail(f'{what}: no untranslated element')
    for lang in langs:
        if lang not in have:
            fail(f'{what}: no xml:lang="{lang}" translation')
        else:
            for e in elements:
                if e.get(XML_LANG) == lang and not ''.join(e.itertext()).strip():
                    fail(f'{what}: xml:lang="{lang}" is empty')


def check_desktop(path, keys, langs):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    entries = {}
    for line in text.splitlines():
        if '=' in line and not line.startswith('#'):
            k, v = line.split('=', 1)
            entries[k.strip()] = v.strip()
    for key in keys.split(','):
        if not entries.get(key):
            fail(f'{path}: no {key}=')
            continue
        for lang in langs:
            value = entries.get(f'{key}[{lang}]')
            if not value:
                fail(f'{path}: no {key}[{lang}]=')
            elif value == entries[key]:
                fail(f'{path}: {key}[{lang}]= is the English text')
            elif key == 'Keywords' and not value.endswith(';'):
                fail(f'{path}: {key}[{lang}]= does not end with ";"')


def check_metainfo(path, langs):
    root = ET.parse(path).getroot()
    for tag in ('name', 'summary'):
        translated(root.findall(tag), langs, f'{path}: <{tag}>')
    description = root.find('description')
    if description is None:
        fail(f'{path}: no <description>')
        return
    # msgfmt --xml translates each paragraph and list item on its own.
    for lang in langs:
        if not any(e.get(XML_LANG) == lang for e in description.iter()):
            fail(f'{path}: <description> has no xml:lang="{lang}" paragraph')


def check_polkit(path, langs):
    root = ET.parse(path).getroot()
    actions = root.findall('action')
    if not actions:
        fail(f'{path}: no actions')
    for action in actions:
        for tag in ('description', 'message'):
            translated(action.findall(tag), langs, f'{path}: {action.get("id")} <{tag}>')


def check_svg(paths):
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            fail(f'{path}: {e}')
            continue
        if root.tag != SVG:
            fail(f'{path}: root element is {root.tag}, not svg')
        if not root.get('viewBox'):
            fail(f'{path}: no viewBox')


def check_unit(path):
    """The user unit.

    `systemd-analyze verify --user` works offline here, but only warns about
    unknown keys and invalid values (exit status 0), and fails on an ExecStart=
    binary that is not installed, which factory-reset never is at build time.
    So the keys that matter are checked here, and verify runs on a copy whose
    ExecStart= is /usr/bin/true, failing on any message it prints.
    """
    unit = configparser.ConfigParser(strict=False, interpolation=None, delimiters=('=',))
    unit.optionxform = str
    unit.read(path, encoding='utf-8')
    expect = {
        ('Unit', 'PartOf'): 'graphical-session.target',
        ('Unit', 'After'): 'graphical-session.target',
        ('Service', 'Restart'): 'on-failure',
        ('Service', 'Slice'): 'session.slice',
        ('Install', 'WantedBy'): 'graphical-session.target',
    }
    for (section, key), value in expect.items():
        got = unit.get(section, key, fallback=None)
        if got != value:
            fail(f'{path}: [{section}] {key}={got}, expected {value}')
    exec_start = unit.get('Service', 'ExecStart', fallback='')
    if not exec_start.startswith('/') or not exec_start.endswith('/factory-reset --agent'):
        fail(f'{path}: ExecStart={exec_start} is not an absolute factory-reset --agent')
    if '@' in exec_start:
        fail(f'{path}: ExecStart={exec_start} was not configured')

    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        with open(os.path.join(tmp, name), 'w', encoding='utf-8') as f:
            f.write(text.replace(f'ExecStart={exec_start.split()[0]}', 'ExecStart=/usr/bin/true'))
        runtime = os.path.join(tmp, 'runtime')
        os.mkdir(runtime, 0o700)
        r = subprocess.run(['systemd-analyze', 'verify', '--user', '--man=no', name],
                           cwd=tmp, capture_output=True, text=True,
                           env=dict(os.environ, XDG_RUNTIME_DIR=runtime, SYSTEMD_LOG_LEVEL='notice'))
        out = (r.stdout + r.stderr).strip()
        if r.returncode != 0 or out:
            fail(f'{path}: systemd-analyze verify --user (exit status {r.returncode}):\n{out}')


def main():
    what, args = sys.argv[1], sys.argv[2:]
    if what == 'desktop':
        check_desktop(args[0], args[1], args[2:])
    elif what == 'metainfo':
        check_metainfo(args[0], args[1:])
    elif what == 'polkit':
        check_polkit(args[0], args[1:])
    elif what == 'svg':
        check_svg(args)
    elif what == 'unit':
        check_unit(args[0])
    else:
        sys.exit(f'unknown check {what}')
    for e in errors:
        print(e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
