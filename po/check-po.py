#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail unless a translation is complete.

  check-po.py SOURCE_ROOT LANG.po

1. `msgfmt --check --statistics`: the catalogue compiles, its format strings
   and header are right, and it has no fuzzy and no untranslated message;
2. a catalogue extracted now from po/POTFILES (as `meson compile hotkeyd-pot`
   does) is compared with it by `msgcmp`: every message of the sources must
   be translated, so a new string makes this fail until it is.
"""
import os
import re
import subprocess
import sys
import tempfile

# The keywords of meson's i18n 'glib' preset, which po/meson.build uses.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '-k_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
]


def statistics(po):
    r = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                       capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'))
    out = r.stdout + r.stderr
    if r.returncode != 0:
        sys.exit(f'{po}: msgfmt --check failed:\n{out}')
    # "12 translated messages, 1 fuzzy translation, 2 untranslated messages."
    counts = {'translated': 0, 'fuzzy': 0, 'untranslated': 0}
    for n, what in re.findall(r'(\d+) (translated|fuzzy|untranslated)', out):
        counts[what] = int(n)
    if 'translated' not in out:
        sys.exit(f'{po}: no statistics from msgfmt:\n{out}')
    return counts


def main():
    source_root, po = sys.argv[1], sys.argv[2]
    counts = statistics(po)
    print(f'{os.path.basename(po)}: {counts["translated"]} translated, '
          f'{counts["fuzzy"]} fuzzy, {counts["untranslated"]} untranslated')
    if counts['fuzzy'] or counts['untranslated'] or not counts['translated']:
        sys.exit(f'{po}: incomplete translation')

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'hotkeyd.pot')
        subprocess.run(['xgettext', '--package-name=hotkeyd', '-D', source_root,
                        '-f', os.path.join(source_root, 'po', 'POTFILES'),
                        '-o', pot] + XGETTEXT_ARGS, check=True)
        r = subprocess.run(['msgcmp', po, pot], capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL='C'))
        if r.returncode != 0:
            sys.exit(f'{po}: does not translate every message of the sources '
                     f'(run `meson compile hotkeyd-update-po`):\n{r.stderr}')


if __name__ == '__main__':
    main()
