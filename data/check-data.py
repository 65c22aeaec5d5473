#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks of the built desktop data that the validators do not make.

  check-data.py desktop FILE KEY,KEY... LANG...   every KEY has KEY[LANG] for every LANG
  check-data.py metainfo FILE LANG...             name, summary and description translated
  check-data.py polkit FILE LANG...               every action's description and message translated
  check-data.py svg FILE...                       well-formed SVG documents
  check-data.py unit FILE                         the user unit: its keys, systemd-analyze verify
  check-data.py dbus-man PAGE XML... -- SOURCE...  the D-Bus man page documents every member of the
                                                  introspection files and every error name the
                                                  sources (files, or directories but ctl/) use
"""
import configparser
import os
import re
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


def dbus_error_names(sources):
    """Error names the sources use: io.hotkeyd...Error.* strings and sd-bus's
    SD_BUS_ERROR_* constants (SD_BUS_ERROR_ACCESS_DENIED is
    org.freedesktop.DBus.Error.AccessDenied).  NULL is no error; UNKNOWN_OBJECT
    is only compared with login1's replies; MAP, MAP_END and MAKE_CONST are
    macros (the error map in shared/bus-errors.c)."""
    names = set()
    files = []
    for source in sources:
        if os.path.isdir(source):
            files += sorted(os.path.join(d, f) for d, _, fs in os.walk(source)
                            for f in fs if f.endswith(('.c', '.h')) and os.sep + 'ctl' not in d)
        else:
            files.append(source)
    for path in files:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        names.update(re.findall(r'"(io\.hotkeyd\.FactoryReset1\.Error\.[A-Za-z]+)"', text))
        for const in re.findall(r'\bSD_BUS_ERROR_([A-Z_]+)\b', text):
            if const in ('NULL', 'UNKNOWN_OBJECT', 'MAP', 'MAP_END', 'MAKE_CONST'):
                continue
            names.add('org.freedesktop.DBus.Error.' + ''.join(w.capitalize() for w in const.split('_')))
    return names


def man_text(path):
    """The page's text with font escapes and roff's \\- undone."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return re.sub(r'\\f[BIRP]', '', text).replace('\\-', '-').replace('\\&', '')


def man_section(text, title):
    m = re.search(r'^\.SH "?' + re.escape(title) + r'"?$(.*?)(?=^\.SH |\Z)', text, re.M | re.S)
    return m.group(1) if m else ''


def check_dbus_man(page, xmls, sources):
    text = man_text(page)
    for xml in xmls:
        root = ET.parse(xml).getroot()
        for iface in root.iter('interface'):
            name = iface.get('name')
            if name not in text:
                fail(f'{page}: interface {name} is not documented')
            for kind in ('method', 'signal', 'property'):
                for member in iface.iter(kind):
                    m = member.get('name')
                    if kind == 'property':
                        documented = re.search(r'^\.BI "readonly ' + re.escape(member.get('type')) + ' " ' +
                                               re.escape(m) + '$', text, re.M)
                    else:
                        documented = re.search(r'^\.BI "' + re.escape(m) + r'\(.*$', text, re.M)
                        for a in member.iter('arg') if documented else ():
                            if not re.search(r'\b' + re.escape(a.get('type')) + r'\W+' + re.escape(a.get('name')) +
                                             r'\b', documented.group(0)):
                                fail(f'{page}: {kind} {name}.{m}: argument {a.get("type")} {a.get("name")} '
                                     'is not in its entry')
                    if not documented:
                        fail(f'{page}: {kind} {name}.{m} has no entry')
    errors_section = man_section(text, 'ERRORS')
    if not errors_section:
        fail(f'{page}: no ERRORS section')
    for name in sorted(dbus_error_names(sources)):
        if not re.search(r'^\.B ' + re.escape(name) + '$', errors_section, re.M):
            fail(f'{page}: D-Bus error {name}, which the daemon can return, has no entry under ERRORS')


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
    elif what == 'dbus-man':
        sep = args.index('--')
        check_dbus_man(args[0], args[1:sep], args[sep + 1:])
    else:
        sys.exit(f'unknown check {what}')
    for e in errors:
        print(e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
