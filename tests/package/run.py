#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Debian packages (debian/): build, check, install, upgrade, purge.

    run.py SOURCE_ROOT OUT_DIR STEP

STEP is one of:
  build     dpkg-buildpackage of a copy of the source tree, twice: the
            version of debian/changelog (with the package's own test run) and
            a bumped version (nocheck) for the upgrade test
  contents  what the .debs hold: the conffile, the GUI split, the TPM
            libraries loaded at run time, the maintainer scripts
  lintian   lintian on both .changes files; any E: or W: fails
  piuparts  piuparts' install and purge test in a clean Debian testing root
  upgrade   by hand in a clean root: install, edit the conffile, upgrade,
            remove, purge, and compare the root's files with the start
  image     the version of debian/changelog alone, without the package's
            test run, into OUT_DIR/image: what the VM image installs
            (tools/mkvmimage.sh); nothing is done when it is up to date

Every step after build uses the packages of OUT_DIR and builds them first
when they are missing or older than the source tree.  Runs as root inside
the build root (tools/in-buildroot.sh), like the rest of the suite.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

MIRROR = os.environ.get('HOTKEYD_PACKAGE_MIRROR', 'http://deb.debian.org/debian')
SUITE = os.environ.get('HOTKEYD_PACKAGE_SUITE', 'forky')
# The version the upgrade installs over the one of debian/changelog.
UPGRADE_SUFFIX = '+pkgtest1'
# A clean base root is made again once it is this old (seconds).
BASE_MAX_AGE = 24 * 3600
# Not part of the source: VCS data, build directories, what .gitignore lists.
EXCLUDE_DIRS = {'.git', '__pycache__'}
EXCLUDE_FILES = re.compile(r'(\.o$|^po/hotkeyd\.pot$)')


class Failed(Exception):
    pass


def log(*args):
    print('package:', *args, flush=True)


def run(cmd, **kw):
    log('$', ' '.join(cmd))
    return subprocess.run(cmd, check=True, **kw)


def output(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, **kw).stdout


def source_files(src, out):
    """The source tree's files, relative, sorted; never the output dir."""
    out = os.path.realpath(out)
    files = []
    for top, dirs, names in os.walk(src):
        rel = os.path.relpath(top, src)
        dirs[:] = sorted(d for d in dirs
                         if d not in EXCLUDE_DIRS
                         and not (rel == '.' and d.startswith('build'))
                         and os.path.realpath(os.path.join(top, d)) != out)
        for n in sorted(names):
            path = os.path.normpath(os.path.join(rel, n))
            if not EXCLUDE_FILES.search(path):
                files.append(path)
    return files


def source_hash(src, files):
    h = hashlib.sha256()
    for f in files:
        p = os.path.join(src, f)
        h.update(f.encode() + b'\0')
        if os.path.islink(p):
            h.update(os.readlink(p).encode())
        else:
            with open(p, 'rb') as fh:
                h.update(fh.read())
        h.update(b'\0')
    return h.hexdigest()


def changelog_version(debian_dir):
    return output(['dpkg-parsechangelog', '-l', os.path.join(debian_dir, 'changelog'), '-S', 'Version']).strip()


def build_one(src, files, dest, version, nocheck):
    """dpkg-buildpackage in dest/src, a copy: nothing is written to the tree."""
    shutil.rmtree(dest, ignore_errors=True)
    copy = os.path.join(dest, 'src')
    for f in files:
        os.makedirs(os.path.dirname(os.path.join(copy, f)), exist_ok=True)
        shutil.copy2(os.path.join(src, f), os.path.join(copy, f), follow_symlinks=False)
    if version != changelog_version(os.path.join(copy, 'debian')):
        # A changelog entry of the copy's own, as a new upload would have.
        run(['dch', '--changelog', 'debian/changelog', '--newversion', version, '--distribution', 'unstable',
             '--force-distribution', 'Rebuild for the upgrade test.'], cwd=copy,
            env=dict(os.environ, DEBFULLNAME='hotkeyd tests', DEBEMAIL='tests@hotkeyd.invalid'))
    env = dict(os.environ, DEB_BUILD_OPTIONS='parallel=2' + (' nocheck' if nocheck else ''))
    args = ['dpkg-buildpackage', '-us', '-uc', '-b'] + (['-Pnocheck'] if nocheck else [])
    with open(os.path.join(dest, 'build.log'), 'w') as logf:
        log('$', ' '.join(args), f'(in {copy}, log {dest}/build.log)')
        r = subprocess.run(args, cwd=copy, env=env, stdout=logf, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        with open(os.path.join(dest, 'build.log')) as fh:
            sys.stdout.write(''.join(fh.readlines()[-60:]))
        raise Failed(f'dpkg-buildpackage of {version} failed ({r.returncode})')
    shutil.rmtree(copy)


def step_build(src, out):
    files = source_files(src, out)
    digest = source_hash(src, files)
    stamp = os.path.join(out, 'built')
    if os.path.exists(stamp):
        os.unlink(stamp)
    version = changelog_version(os.path.join(src, 'debian'))
    # A failed build is recorded too, so the steps after it fail at once
    # instead of each building again.
    with open(stamp, 'w') as fh:
        fh.write('failed ' + digest + '\n')
    start = time.monotonic()
    build_one(src, files, os.path.join(out, 'v1'), version, nocheck=False)
    log(f'built {version} in {time.monotonic() - start:.0f} s')
    start = time.monotonic()
    build_one(src, files, os.path.join(out, 'v2'), version + UPGRADE_SUFFIX, nocheck=True)
    log(f'built {version}{UPGRADE_SUFFIX} in {time.monotonic() - start:.0f} s')
    with open(stamp, 'w') as fh:
        fh.write(digest + '\n')


def step_image(src, out):
    files = source_files(src, out)
    digest = source_hash(src, files)
    stamp = os.path.join(out, 'image-built')
    if os.path.exists(stamp) and open(stamp).read().strip() == digest:
        log('the packages for the image are up to date')
        return
    version = changelog_version(os.path.join(src, 'debian'))
    build_one(src, files, os.path.join(out, 'image'), version, nocheck=True)
    with open(stamp, 'w') as fh:
        fh.write(digest + '\n')


def ensure_built(src, out):
    stamp = os.path.join(out, 'built')
    want = source_hash(src, source_files(src, out))
    got = open(stamp).read().strip() if os.path.exists(stamp) else ''
    if got == want:
        return
    if got == 'failed ' + want:
        raise Failed(f'the packages of this source failed to build (see {out}/v*/build.log)')
    log('packages missing or older than the source: building them first')
    step_build(src, out)


def debs(out, which):
    d = os.path.join(out, which)
    found = {}
    for n in sorted(os.listdir(d)):
        m = re.match(r'([a-z0-9.+-]+)_([^_]+)_[a-z0-9]+\.deb$', n)
        if m and not m.group(1).endswith('-dbgsym'):
            found[m.group(1)] = os.path.join(d, n)
    if set(found) != {'hotkeyd', 'factory-reset'}:
        raise Failed(f'{d}: expected the packages hotkeyd and factory-reset, found {sorted(found)}')
    return found


def deb_field(deb, field):
    return output(['dpkg-deb', '-f', deb, field]).strip()


def deb_control_file(deb, name):
    r = subprocess.run(f'dpkg-deb --ctrl-tarfile {deb} | tar -xOf - ./{name}', shell=True,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout if r.returncode == 0 else ''


def strip_leading_comments(text):
    """The configuration after the first comment block (up to an empty line)."""
    lines = text.splitlines()
    while lines and lines[0].startswith('#'):
        lines.pop(0)
    return '\n'.join(lines).strip() + '\n'


def step_contents(src, out):
    ensure_built(src, out)
    p = debs(out, 'v1')
    errors = []

    def check(ok, what):
        log(('ok:   ' if ok else 'FAIL: ') + what)
        if not ok:
            errors.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        for name, deb in p.items():
            run(['dpkg-deb', '-x', deb, os.path.join(tmp, name)])
        d, g = os.path.join(tmp, 'hotkeyd'), os.path.join(tmp, 'factory-reset')

        conffiles = deb_control_file(p['hotkeyd'], 'conffiles').split()
        check('/etc/hotkeyd/hotkeyd.conf' in conffiles, 'hotkeyd: /etc/hotkeyd/hotkeyd.conf is a conffile')
        etc = open(os.path.join(d, 'etc/hotkeyd/hotkeyd.conf')).read()
        usr = open(os.path.join(d, 'usr/lib/hotkeyd/hotkeyd.conf')).read()
        check(strip_leading_comments(etc) == strip_leading_comments(usr),
              'hotkeyd: /etc/hotkeyd/hotkeyd.conf defines what /usr/lib/hotkeyd/hotkeyd.conf does')
        check('Do not edit this file' not in etc, "hotkeyd: the /etc copy does not say 'Do not edit this file'")

        # A kiosk installs hotkeyd alone: nothing of GTK may come with it.
        depends = deb_field(p['hotkeyd'], 'Depends')
        check(not re.search(r'gtk|glib|adwaita', depends), f'hotkeyd: no GTK in Depends ({depends})')
        check(not any(f.startswith('usr/share/locale') or f.startswith('usr/bin/factory-reset')
                      for f in files_of(d)), 'hotkeyd: no GUI files or translations')
        check(sorted(os.listdir(os.path.join(g, 'usr/share/locale'))) ==
              sorted(l.strip() for l in open(os.path.join(src, 'po/LINGUAS')) if l.strip() and not l.startswith('#')),
              'factory-reset: a catalogue for every language of po/LINGUAS')

        # tpm2-tss is dlopen()ed (hotkeyd/daemon/tpm.c): a Recommends, and
        # never a NEEDED entry that would make shlibs turn it into a Depends.
        needed = output(['readelf', '-d', os.path.join(d, 'usr/libexec/hotkeyd')])
        check('libtss2' not in needed, 'hotkeyd: the daemon does not link libtss2')
        check('libtss2' not in depends and 'libtss2-esys' in deb_field(p['hotkeyd'], 'Recommends'),
              'hotkeyd: the TPM libraries are a Recommends, not a Depends')
        for dep in ('systemd (>= 258)', 'polkitd'):
            check(dep in depends, f'hotkeyd: Depends has {dep}')

        # hotkeyd-cancel.service cancels a pending factory reset: installing
        # or upgrading the package must never start it.
        for script in ('preinst', 'postinst', 'prerm', 'postrm'):
            text = deb_control_file(p['hotkeyd'], script)
            check('hotkeyd-cancel' not in text, f'hotkeyd: {script} does not touch hotkeyd-cancel.service')
        postinst = deb_control_file(p['hotkeyd'], 'postinst')
        check("deb-systemd-helper enable 'hotkeyd.service'" in postinst, 'hotkeyd: postinst enables hotkeyd.service')
        check('systemd-sysusers' in postinst and 'hotkeyd.conf' in postinst,
              'hotkeyd: postinst creates the sysusers.d group before the service starts')

        # The one lintian override of factory-reset (debian/factory-reset.
        # lintian-overrides) is appstreamcli's missing homepage: anything
        # else it reports still fails here.
        r = subprocess.run(['appstreamcli', 'validate-tree', '--no-net', '--override=url-homepage-missing=info', g])
        check(r.returncode == 0, 'factory-reset: appstreamcli validate-tree passes but for url-homepage-missing')

    if errors:
        raise Failed(f'{len(errors)} check(s) failed')


def files_of(root):
    for top, _, names in os.walk(root):
        for n in names:
            yield os.path.relpath(os.path.join(top, n), root)


def step_lintian(src, out):
    ensure_built(src, out)
    bad = []
    for which in ('v1', 'v2'):
        d = os.path.join(out, which)
        changes = [os.path.join(d, n) for n in os.listdir(d) if n.endswith('.changes')]
        if len(changes) != 1:
            raise Failed(f'{d}: expected one .changes file, found {changes}')
        r = subprocess.run(['lintian', '--display-info', '--pedantic', '--tag-display-limit', '0', changes[0]],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log(f'lintian {os.path.basename(changes[0])} (exit {r.returncode}):')
        sys.stdout.write(r.stdout)
        bad += [l for l in r.stdout.splitlines() if re.match(r'[EW]: ', l)]
        if r.returncode not in (0, 2) and not bad:
            raise Failed(f'lintian failed to run ({r.returncode})')
    if bad:
        raise Failed(f'lintian reported {len(bad)} error(s) or warning(s)')
    log('lintian: no error, no warning')


def mmdebstrap(out):
    """mmdebstrap from PATH, else the one of Debian's archive, unpacked here."""
    if shutil.which('mmdebstrap'):
        return ['mmdebstrap']
    tools = os.path.join(out, 'tools')
    script = os.path.join(tools, 'usr/bin/mmdebstrap')
    if not os.path.exists(script):
        # The build root has no mmdebstrap (tools/buildroot-packages.txt);
        # apt with lists of its own, so the root's apt state is not touched.
        shutil.rmtree(tools, ignore_errors=True)
        lists, cache = os.path.join(tools, 'lists'), os.path.join(tools, 'cache')
        os.makedirs(os.path.join(lists, 'partial'))
        os.makedirs(os.path.join(cache, 'archives/partial'))
        opts = ['-o', f'Dir::State::Lists={lists}', '-o', f'Dir::Cache={cache}',
                '-o', 'Acquire::Check-Valid-Until=false', '-qq']
        run(['apt-get'] + opts + ['update'])
        run(['apt-get'] + opts + ['download', 'mmdebstrap'], cwd=tools)
        deb = [n for n in os.listdir(tools) if n.startswith('mmdebstrap_')][0]
        run(['dpkg-deb', '-x', os.path.join(tools, deb), tools])
    return ['perl', script]


def base_tarball(out):
    """A clean minimal Debian testing root, as piuparts wants it."""
    tar = os.path.join(out, f'base-{SUITE}.tar')
    if os.path.exists(tar) and time.time() - os.path.getmtime(tar) < BASE_MAX_AGE:
        return tar
    run(mmdebstrap(out) + ['--variant=minbase', '--mode=root', '--format=tar',
                           '--aptopt=Acquire::Check-Valid-Until "false"',
                           SUITE, tar + '.tmp', MIRROR])
    os.replace(tar + '.tmp', tar)
    return tar


def local_repo(out, which):
    """The .debs as a flat apt repository: they depend on each other."""
    repo = os.path.join(out, which)
    with open(os.path.join(repo, 'Packages'), 'w') as fh:
        subprocess.run(['dpkg-scanpackages', '--multiversion', '.'], cwd=repo, stdout=fh, check=True)
    return repo


def step_piuparts(src, out):
    ensure_built(src, out)
    p = debs(out, 'v1')
    repo = local_repo(out, 'v1')
    tar = base_tarball(out)
    r = subprocess.run(['piuparts', f'--basetgz={tar}', f'--distribution={SUITE}', f'--mirror={MIRROR} main',
                        f'--bindmount={repo}', f'--extra-repo=deb [trusted=yes] file:{repo} ./',
                        '--warn-on-others', '--no-upgrade-test', '--log-level=info',
                        p['hotkeyd'], p['factory-reset']])
    if r.returncode != 0:
        raise Failed(f'piuparts failed ({r.returncode})')


class Root:
    """A clean root from the base tarball, with what apt needs to run in it."""

    def __init__(self, tar, binds):
        self.dir = tempfile.mkdtemp(prefix='hotkeyd-package-root-')
        with tarfile.open(tar) as t:
            t.extractall(self.dir, filter='fully_trusted')
        self.mounts = []
        for kind, what in (('proc', 'proc'), ('bind', '/dev')):
            self._mount(kind, what, what.strip('/'))
        for b in binds:
            self._mount('bind', b, b.lstrip('/'))
        shutil.copy('/etc/resolv.conf', os.path.join(self.dir, 'etc/resolv.conf'))
        # Like piuparts: no service starts inside the root.
        with open(os.path.join(self.dir, 'usr/sbin/policy-rc.d'), 'w') as fh:
            fh.write('#!/bin/sh\nexit 101\n')
        os.chmod(os.path.join(self.dir, 'usr/sbin/policy-rc.d'), 0o755)

    def _mount(self, kind, what, where):
        target = os.path.join(self.dir, where)
        os.makedirs(target, exist_ok=True)
        if kind == 'proc':
            run(['mount', '-t', 'proc', 'proc', target])
        else:
            run(['mount', '--rbind', what, target])
            run(['mount', '--make-rslave', target])
        self.mounts.append(target)

    def sh(self, script):
        return run(['chroot', self.dir, '/bin/sh', '-ec', script],
                   env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))

    def apt(self, *args):
        return self.sh('apt-get -y -q -o Acquire::Check-Valid-Until=false -o Dpkg::Use-Pty=0 '
                       + ' '.join(args))

    def file_list(self):
        """Every path of the root but the caches and logs of apt and dpkg."""
        skip = re.compile(r'^(proc|dev|sys|run|tmp|var/cache|var/log|var/lib/apt/lists|'
                          r'usr/sbin/policy-rc\.d|etc/resolv\.conf|work)(/|$)|^var/lib/dpkg/')
        paths = set()
        for top, dirs, names in os.walk(self.dir):
            rel = os.path.relpath(top, self.dir)
            dirs[:] = [n for n in dirs if not skip.match(os.path.normpath(os.path.join(rel, n)))]
            for n in dirs + names:
                path = os.path.normpath(os.path.join(rel, n))
                if not skip.match(path):
                    paths.add(path)
        return paths

    def close(self):
        for m in reversed(self.mounts):
            subprocess.run(['umount', '-R', m])
        shutil.rmtree(self.dir, ignore_errors=True)


def step_upgrade(src, out):
    ensure_built(src, out)
    v1, v2 = debs(out, 'v1'), debs(out, 'v2')
    repo1, repo2 = local_repo(out, 'v1'), local_repo(out, 'v2')
    version1 = deb_field(v1['hotkeyd'], 'Version')
    version2 = deb_field(v2['hotkeyd'], 'Version')
    root = Root(base_tarball(out), [repo1, repo2])
    errors = []

    def check(ok, what):
        log(('ok:   ' if ok else 'FAIL: ') + what)
        if not ok:
            errors.append(what)

    def installed():
        r = subprocess.run(['chroot', root.dir, 'dpkg-query', '-W', '-f', '${Package} ${Version} ${db:Status-Abbrev}\\n',
                            'hotkeyd', 'factory-reset'], stdout=subprocess.PIPE, text=True)
        return {l.split()[0]: (l.split()[1:] + ['', ''])[:2] for l in r.stdout.splitlines() if l.strip()}

    conf = os.path.join(root.dir, 'etc/hotkeyd/hotkeyd.conf')
    marker = '\n# local change by the upgrade test\n[Trigger]\nName=local-test\nKeys=KEY_PROG1\nHoldSec=7\n'
    try:
        # The dependencies first, from the archive, so that the lists before
        # and after are taken with only hotkeyd's own files differing.
        root.apt('update')
        deps = ' '.join(sorted({d.split()[0].split(':')[0] for deb in v1.values()
                                for d in re.split(r',\s*', deb_field(deb, 'Depends') + ', '
                                                  + deb_field(deb, 'Recommends'))
                                if d.strip() and not d.startswith(('hotkeyd', 'factory-reset'))}))
        root.apt('install', '--no-install-recommends', deps)
        before = root.file_list()

        root.apt('install', '--no-install-recommends', v1['hotkeyd'], v1['factory-reset'])
        state = installed()
        check(state.get('hotkeyd') == [version1, 'ii'] and state.get('factory-reset') == [version1, 'ii'],
              f'install {version1}: both packages installed ({state})')
        for f in ('etc/hotkeyd/hotkeyd.conf', 'usr/libexec/hotkeyd', 'usr/bin/hotkeyctl', 'usr/bin/factory-reset',
                  'usr/lib/systemd/system/hotkeyd.service', 'usr/share/polkit-1/actions/io.hotkeyd.policy',
                  'usr/share/dbus-1/system.d/io.hotkeyd.FactoryReset1.conf',
                  'etc/systemd/system/multi-user.target.wants/hotkeyd.service'):
            check(os.path.lexists(os.path.join(root.dir, f)), f'install: /{f} exists')
        r = subprocess.run(['chroot', root.dir, 'getent', 'group', 'tss'], stdout=subprocess.DEVNULL)
        check(r.returncode == 0, 'install: the group tss exists (sysusers.d)')
        r = subprocess.run(['chroot', root.dir, 'hotkeyctl', 'verify-config'])
        check(r.returncode == 0, 'install: hotkeyctl verify-config accepts the installed configuration')

        with open(conf, 'a') as fh:
            fh.write(marker)
        r = subprocess.run(['chroot', root.dir, 'hotkeyctl', 'verify-config'])
        check(r.returncode == 0, 'the edited configuration is valid')

        root.apt('install', '--no-install-recommends', v2['hotkeyd'], v2['factory-reset'])
        state = installed()
        check(state.get('hotkeyd') == [version2, 'ii'] and state.get('factory-reset') == [version2, 'ii'],
              f'upgrade to {version2}: both packages upgraded ({state})')
        check(open(conf).read().endswith(marker), 'upgrade: the change to /etc/hotkeyd/hotkeyd.conf survived')
        check(not os.path.exists(conf + '.dpkg-new') and not os.path.exists(conf + '.dpkg-dist'),
              'upgrade: no .dpkg-new/.dpkg-dist next to the unchanged conffile')

        root.apt('remove', 'hotkeyd', 'factory-reset')
        state = installed()
        check(state.get('hotkeyd', ['', ''])[1] == 'rc', f'remove: hotkeyd is removed, its configuration kept ({state})')
        check(os.path.exists(conf) and open(conf).read().endswith(marker), 'remove: the edited conffile stays')
        check(not os.path.exists(os.path.join(root.dir, 'usr/libexec/hotkeyd')), 'remove: the daemon is gone')

        root.apt('purge', 'hotkeyd', 'factory-reset')
        state = installed()
        check('hotkeyd' not in state or state['hotkeyd'][1] in ('', 'un', 'pn'), f'purge: hotkeyd is gone ({state})')
        after = root.file_list()
        check(after == before, 'purge: the root has the files it had before the install')
        for p in sorted(after - before):
            log('  left behind:', '/' + p)
        for p in sorted(before - after):
            log('  removed:', '/' + p)
    finally:
        root.close()
    if errors:
        raise Failed(f'{len(errors)} check(s) failed')


STEPS = {
    'build': step_build,
    'contents': step_contents,
    'lintian': step_lintian,
    'piuparts': step_piuparts,
    'upgrade': step_upgrade,
    'image': step_image,
}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in STEPS:
        print(__doc__, file=sys.stderr)
        return 2
    src, out, step = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    start = time.monotonic()
    try:
        STEPS[step](src, out)
    except (Failed, subprocess.CalledProcessError) as e:
        log(f'{step}: FAILED: {e} ({time.monotonic() - start:.0f} s)')
        return 1
    log(f'{step}: passed ({time.monotonic() - start:.0f} s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
