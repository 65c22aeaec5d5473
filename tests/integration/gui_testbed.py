# SPDX-License-Identifier: LGPL-2.1-or-later
"""The GTK front end on a screen of its own, seen through AT-SPI.

Started here, for real: Xvfb; a session dbus-daemon, which starts
at-spi-bus-launcher (and with it the accessibility bus and
at-spi2-registryd) by D-Bus activation when GTK asks for org.a11y.Bus;
the built factory-reset, connected to the private system bus of
system_testbed.System.  The test process reads the accessible tree with
libatspi (python3-gi, Atspi 2.0) like a screen reader does, and types
with AT-SPI's key synthesis (XTest on Xvfb).

Looks: 'light'; 'dark' and 'high-contrast' as libadwaita's style manager
takes them without a settings portal or GNOME's GSettings schemas
(ADW_DEBUG_COLOR_SCHEME, ADW_DEBUG_HIGH_CONTRAST: libadwaita's own switches
for testing an app in these styles), and for plain GTK widgets also through
GtkSettings in $XDG_CONFIG_HOME/gtk-4.0/settings.ini
(gtk-interface-color-scheme, gtk-interface-contrast); 'large-text' as
GNOME's large text does it, a larger Xft/DPI (1.5 x 96).

Sizes: Screen(size=PHONE) is a 360x640 screen (a phone, portrait); the
default is a desktop's 1280x1024.  With no window manager, the app fits
its windows into the screen itself (fr-window.c, fr-confirm-dialog.c).
GTK takes the DPI from XSETTINGS or, without an XSETTINGS manager, from the
Xft.dpi X resource, never from settings.ini (measured: gtk-xft-dpi there
changed nothing), so the screen's RESOURCE_MANAGER property is set before
such an app starts.

Languages: App(language='de') runs the app with LANGUAGE=de.  It binds its
gettext domain to its compiled-in LOCALEDIR only, so install_translations()
makes the built catalogues appear there, in the test's own mount namespace;
Catalogue reads what the app should show from the .po files themselves."""

import ctypes
import functools
import gettext
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time

import dbus
import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

FACTORY_RESET = os.environ.get('FACTORY_RESET', 'factory-reset')
LSAN_SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lsan-gui.supp')
BUILD_ROOT = os.environ.get('HOTKEYD_BUILD_ROOT', os.getcwd())
SCREENSHOTS = os.path.join(BUILD_ROOT, 'screenshots')
SOURCE_ROOT = os.environ.get('HOTKEYD_SOURCE_ROOT', os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
# factory-reset's compiled-in LOCALEDIR and the build's catalogues
# (BUILD/po/LANG/LC_MESSAGES/hotkeyd.mo, what meson installs).
LOCALEDIR = os.environ.get('HOTKEYD_LOCALEDIR')
BUILD_LOCALEDIR = os.environ.get('HOTKEYD_BUILD_LOCALEDIR', os.path.join(BUILD_ROOT, 'po'))
# glibc ignores LANGUAGE while the locale is C or C.UTF-8, and the build
# root has no other compiled locale: a copy of C.UTF-8 under this name
# (through LOCPATH) is a UTF-8 locale that is not C.
UTF8_LOCALE = 'en_US.UTF-8'

# look: (settings.ini lines, X resources, environment)
LOOKS = {
    'light': ('', '', {'ADW_DEBUG_COLOR_SCHEME': 'prefer-light'}),
    'dark': ('gtk-interface-color-scheme=dark\n', '', {'ADW_DEBUG_COLOR_SCHEME': 'prefer-dark'}),
    'large-text': ('', f'Xft.dpi:\t{int(96 * 1.5)}\n', {'ADW_DEBUG_COLOR_SCHEME': 'prefer-light'}),
    'high-contrast': ('gtk-interface-contrast=more\n', '', {'ADW_DEBUG_COLOR_SCHEME': 'prefer-light',
                                                           'ADW_DEBUG_HIGH_CONTRAST': '1'}),
}

# Screen sizes (Xvfb's screen 0).
DESKTOP_SIZE = '1280x1024'
PHONE = '360x640'

# How long an AT-SPI call may wait for the app's answer, in seconds.  The
# app answers from its main loop, which in the ASan build on two loaded
# cores was seen busy for over 5 s drawing a new window.  libatspi's own
# default gives up after 0.8 s once an application is 15 s old and then
# returns None or an empty name without an error, which a test reads as
# "no such window" (the app still answers later).  A call that is not
# answered within this is a failure of its own (wait_for gives up too).
CALL_TIMEOUT = 10
ACCESSIBLE = 'org.a11y.atspi.Accessible'

CONTROL_ROLES = (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON, Atspi.Role.CHECK_BOX, Atspi.Role.PROGRESS_BAR,
                 Atspi.Role.ENTRY, Atspi.Role.TEXT, Atspi.Role.PASSWORD_TEXT, Atspi.Role.RADIO_BUTTON)
NAMED_ROLES = CONTROL_ROLES + (Atspi.Role.LABEL,)


def wait_for(cond, what, timeout=10, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        pump()
        try:
            value = cond()
        except GLib.Error as e:
            # A widget that went away between listing its parent's children
            # and asking about it: the window is changing, look again.
            if not any(m in str(e) for m in ('No such interface', 'Unknown object', 'Object does not exist')):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'{what} not within {timeout}s')
        time.sleep(step)


def pump():
    """Lets libatspi process what arrived (its cache follows events)."""
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)


class Node:
    """One accessible object, read fresh (no cached state).  Its name and
    description are asked for when first used: a walk over the tree that
    looks for the focus or a role does not need them, and each is a call
    the app answers from its main loop (the libadwaita window has over 100
    objects, and the ASan build on loaded cores answers slowly)."""

    def __init__(self, acc):
        self.acc = acc
        self.role = acc.get_role()
        states = acc.get_state_set()
        self.sensitive = states.contains(Atspi.StateType.SENSITIVE)
        self.showing = states.contains(Atspi.StateType.SHOWING)
        self.focusable = states.contains(Atspi.StateType.FOCUSABLE)
        self.focused = states.contains(Atspi.StateType.FOCUSED)
        self.checked = states.contains(Atspi.StateType.CHECKED)

    @functools.cached_property
    def name(self):
        return self.acc.get_name() or ''

    @functools.cached_property
    def description(self):
        return self.acc.get_description() or ''

    def __repr__(self):
        return f'<{Atspi.role_get_name(self.role)} {self.name!r}{"" if self.sensitive else " insensitive"}>'

    def press(self):
        """Activates it through its AT-SPI action (what a screen reader's
        "activate" does)."""
        action = self.acc.get_action_iface()
        assert action, f'{self} has no action'
        action.do_action(0)


class Focused:
    """The focused object as App.focused() found it."""

    def __init__(self, role, name):
        self.role = role
        self.name = name

    def __repr__(self):
        return f'<focused {Atspi.role_get_name(self.role)} {self.name!r}>'


class App:
    """A running factory-reset process and its accessible tree."""

    def __init__(self, screen, args, look='light', screenshot_dir=None, gated=False, language=None, env=None):
        self.screen = screen
        env = dict(screen.env, **(env or {}))
        if language:
            env.update(screen.translations())
            env['LANGUAGE'] = language
        config = os.path.join(screen.system.tmp, f'config-{look}')
        os.makedirs(os.path.join(config, 'gtk-4.0'), exist_ok=True)
        settings, resources, look_env = LOOKS[look]
        env.update(look_env)
        with open(os.path.join(config, 'gtk-4.0', 'settings.ini'), 'w') as f:
            f.write('[Settings]\n' + settings)
        screen.set_x_resources(resources)
        env['XDG_CONFIG_HOME'] = config
        if screenshot_dir:
            env['FACTORY_RESET_SCREENSHOT_DIR'] = screenshot_dir
        # In the ASan build: a leak of ours fails stop(); fontconfig's are
        # suppressed (lsan-gui.supp).  Suppressions by library need the
        # slow unwinder at each malloc (GTK's libraries have no frame
        # pointers), and a GTK app mallocs a lot: with the default 30
        # frames per malloc, presenting the dialog took 0.8 s of the 1 s
        # the tests allow from the hold; with 10 (enough for every frame
        # a suppression names, and for our own callers) the whole way took
        # 0.28 s.
        env['LSAN_OPTIONS'] = f'suppressions={LSAN_SUPPRESSIONS}:fast_unwind_on_malloc=0:malloc_context_size=10'
        cmd = [FACTORY_RESET, *args]
        if gated:
            # Waits for open_gate() with the pid it will keep (exec): a
            # test can make login1 know the pid before the agent asks.
            cmd = ['sh', '-c', 'read _ && exec "$0" "$@"', *cmd]
        self.proc = screen.system._spawn(cmd, env=env, stdin=subprocess.PIPE if gated else subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.log = screen.system.log
        self.lines = queue.Queue()
        self.said = []
        self.errors = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()
        self._root = None

    def open_gate(self):
        self.proc.stdin.write('\n')
        self.proc.stdin.close()

    @staticmethod
    def _read(stream, q):
        for line in stream:
            q.put(line.rstrip('\n'))

    def _read_errors(self):
        # Also into the testbed's log, which a failed test prints.
        for line in self.proc.stderr:
            self.errors.append(line.rstrip('\n'))
            self.log.append(f'factory-reset[{self.pid}]: {line.rstrip()}')

    def expect(self, prefix, timeout=10):
        """The next stdout line that starts with prefix (others are kept in
        self.said)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f'factory-reset said no {prefix!r} within {timeout}s; it said {self.said}; '
                                     f'stderr: {self.errors}')
            self.said.append(line)
            if line.startswith(prefix):
                return line

    def drain(self):
        """What it said and nobody expected yet."""
        lines = []
        while not self.lines.empty():
            lines.append(self.lines.get())
        self.said += lines
        return lines

    def root(self):
        if self._root is None:
            def find():
                desktop = Atspi.get_desktop(0)
                for i in range(desktop.get_child_count()):
                    child = desktop.get_child_at_index(i)
                    if child is not None and child.get_process_id() == self.pid:
                        return child
                return None
            self._root = wait_for(find, f'the accessible application of pid {self.pid}', timeout=15)
        return self._root

    def listed(self):
        """The app's windows as its application object lists them right
        now: [(object path, name, showing)], asked on the accessibility bus
        directly (GetChildren, then each window's Name and GetState), not
        from libatspi's cache.

        Not GetChildAtIndex: GTK's application object (GtkAtSpiRoot, GTK
        4.24) does not answer it at all while the app has no window, which
        the agent has between the hold window and the dialog and after the
        dialog.  The caller then waited for its call timeout (libatspi: up to
        15 s while the app is young), and the app kept the unanswered
        GDBusMethodInvocation until exit, where LeakSanitizer counted it.
        GetChildren is always answered.  A window that goes away while it is
        being asked about is left out."""
        root = self.root()
        bus, a11y = root.app.bus_name, self.screen.a11y_bus()
        out = []
        for _, path in a11y.call_blocking(bus, root.path, ACCESSIBLE, 'GetChildren', '', [], timeout=CALL_TIMEOUT):
            try:
                name = a11y.call_blocking(bus, path, dbus.PROPERTIES_IFACE, 'Get', 'ss', [ACCESSIBLE, 'Name'],
                                          timeout=CALL_TIMEOUT)
                states = a11y.call_blocking(bus, path, ACCESSIBLE, 'GetState', '', [], timeout=CALL_TIMEOUT)
            except dbus.exceptions.DBusException as e:
                if e.get_dbus_name() in ('org.freedesktop.DBus.Error.UnknownMethod',
                                         'org.freedesktop.DBus.Error.UnknownObject'):
                    continue
                raise
            bit = int(Atspi.StateType.SHOWING)
            out.append((str(path), str(name), bool(states[bit // 32] >> (bit % 32) & 1)))
        return out

    def _accessible(self, index, path):
        """The libatspi object of the window listed at index (the same
        order as GetChildren), or None if the list changed meanwhile.  Only
        for a window that is there: see listed()."""
        root = self.root()
        root.clear_cache()
        window = root.get_child_at_index(index)
        if window is None or window.path != path:
            return None
        window.clear_cache_single()  # its name and states read fresh
        return window

    def windows(self):
        """The libatspi objects of the app's windows (see listed())."""
        windows = [self._accessible(i, path) for i, (path, _, _) in enumerate(self.listed())]
        return [w for w in windows if w is not None]

    def window(self, name):
        """The showing window named name, or None."""
        for i, (path, title, showing) in enumerate(self.listed()):
            if title == name and showing:
                return self._accessible(i, path)
        return None

    def tree(self, window=None):
        """Every showing object below the (first) window, depth first."""
        if window is None:
            window = self.windows()[0]
        window.clear_cache()
        out = []

        def walk(acc):
            node = Node(acc)
            if not node.showing and node.role != Atspi.Role.FRAME:
                return
            out.append(node)
            for i in range(acc.get_child_count()):
                child = acc.get_child_at_index(i)
                if child is not None:
                    walk(child)
        walk(window)
        return out

    def find(self, role, name, window=None):
        hits = [n for n in self.tree(window) if n.role == role and n.name == name]
        assert len(hits) == 1, f'{len(hits)} {Atspi.role_get_name(role)} named {name!r} in {self.tree(window)}'
        return hits[0]

    def focused(self, window=None):
        """The first focused object below the window, depth first, as in
        tree(): (role, name).  Asked on the accessibility bus directly,
        two calls per object (GetState, GetChildren; libatspi needs four),
        and the walk ends at the focus: Tab order tests ask after every
        Tab, and the ASan build on loaded cores answers slowly."""
        if window is None:
            window = self.windows()[0]
        bus, a11y = self.root().app.bus_name, self.screen.a11y_bus()

        def call(path, method, iface=ACCESSIBLE, signature='', args=()):
            return a11y.call_blocking(bus, path, iface, method, signature, list(args), timeout=CALL_TIMEOUT)

        def has(states, state):
            bit = int(state)
            return bool(states[bit // 32] >> (bit % 32) & 1)

        def walk(path, top):
            try:
                states = call(path, 'GetState')
                if not top and not has(states, Atspi.StateType.SHOWING):
                    return None
                if has(states, Atspi.StateType.FOCUSED):
                    return Focused(Atspi.Role(int(call(path, 'GetRole'))),
                                   str(call(path, 'Get', dbus.PROPERTIES_IFACE, 'ss', [ACCESSIBLE, 'Name'])))
                children = call(path, 'GetChildren')
            except dbus.exceptions.DBusException as e:
                # Gone while the window changes: as with listed().
                if e.get_dbus_name() in ('org.freedesktop.DBus.Error.UnknownMethod',
                                         'org.freedesktop.DBus.Error.UnknownObject'):
                    return None
                raise
            for _, child in children:
                hit = walk(child, False)
                if hit is not None:
                    return hit
            return None
        return walk(window.path, True)

    def stop(self):
        """SIGTERM, as systemd stops the user unit; returns the exit status
        (0: it quit through its main loop, no sanitizer report)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise AssertionError('factory-reset did not quit on SIGTERM')
        time.sleep(0.1)  # the stderr thread's last lines
        return self.proc.returncode


def key(keysym):
    """One key press and release, synthesized by AT-SPI (XTest)."""
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
    time.sleep(0.1)


def type_text(text):
    Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)
    time.sleep(0.2)


class Screen:
    """Xvfb and a session bus with AT-SPI, for System (system_testbed)."""

    def __init__(self, system, size=DESKTOP_SIZE):
        self.system = system
        self.size = tuple(int(n) for n in size.split('x'))
        tmp = system.tmp
        runtime = os.path.join(tmp, 'runtime')
        os.mkdir(runtime, 0o700)

        r, w = os.pipe()
        system._spawn(['Xvfb', '-displayfd', str(w), '-screen', '0', f'{size}x24', '-nolisten', 'tcp',
                       '-noreset'], pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            display = f.readline().strip()
        assert display, 'Xvfb did not start'
        self.display = f':{display}'

        env = dict(system.env)
        env.update({
            'DISPLAY': self.display,
            'XDG_RUNTIME_DIR': runtime,
            'HOME': tmp,
            'GDK_BACKEND': 'x11',
            'GSK_RENDERER': 'cairo',       # no GPU; the same pixels every run
            'GDK_DISABLE': 'gl',
            'GSETTINGS_BACKEND': 'memory',
            'GTK_A11Y': 'atspi',
            'LANG': 'C.UTF-8',
            'LANGUAGE': '',
            'NO_AT_BRIDGE': '0',
        })
        socket = os.path.join(tmp, 'session_bus_socket')
        env['DBUS_SESSION_BUS_ADDRESS'] = f'unix:path={socket}'
        system._spawn(['dbus-daemon', '--session', '--nofork', '--nopidfile', f'--address=unix:path={socket}'],
                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        system._wait_for(lambda: os.path.exists(socket), 'the session bus socket')
        self.env = env

        # libatspi in this process: the same screen and session bus.
        os.environ['DISPLAY'] = self.display
        os.environ['DBUS_SESSION_BUS_ADDRESS'] = env['DBUS_SESSION_BUS_ADDRESS']
        Atspi.init()
        Atspi.set_timeout(CALL_TIMEOUT * 1000, CALL_TIMEOUT * 1000)
        self._a11y_bus = None
        self._translation_env = None

    def a11y_bus(self):
        """This process's own connection to the accessibility bus (the
        address from org.a11y.Bus on the session bus), for calls that must
        not go through libatspi."""
        if self._a11y_bus is None:
            session = dbus.bus.BusConnection(self.env['DBUS_SESSION_BUS_ADDRESS'])
            address = session.call_blocking('org.a11y.Bus', '/org/a11y/bus', 'org.a11y.Bus', 'GetAddress', '', [],
                                            timeout=CALL_TIMEOUT)
            self._a11y_bus = dbus.bus.BusConnection(str(address))
        return self._a11y_bus

    def translations(self):
        """The environment for a translated app: the built catalogues
        installed (once) and a UTF-8 locale that is not C."""
        if self._translation_env is None:
            install_translations(self.system)
            locpath = os.path.join(self.system.tmp, 'locales')
            os.mkdir(locpath)
            shutil.copytree('/usr/lib/locale/C.utf8', os.path.join(locpath, UTF8_LOCALE))
            self._translation_env = {'LOCPATH': locpath, 'LANG': UTF8_LOCALE}
        return self._translation_env

    def set_x_resources(self, text):
        """The screen's RESOURCE_MANAGER property (what xrdb sets; the root
        has no xrdb), read by X clients when they connect."""
        x11 = ctypes.CDLL('libX11.so.6')
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x11.XChangeProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                                        ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        dpy = x11.XOpenDisplay(self.display.encode())
        assert dpy, f'cannot open {self.display}'
        data = text.encode()
        XA_RESOURCE_MANAGER, XA_STRING, PROP_MODE_REPLACE = 23, 31, 0
        x11.XChangeProperty(dpy, x11.XDefaultRootWindow(dpy), XA_RESOURCE_MANAGER, XA_STRING, 8,
                            PROP_MODE_REPLACE, data, len(data))
        x11.XCloseDisplay(dpy)  # flushes

    def app(self, *args, **kw):
        return App(self, list(args), **kw)


def install_translations(system):
    """Makes the built catalogues appear in factory-reset's LOCALEDIR, the
    only place it looks: an overlay on the nearest existing directory of
    that path, in this test's mount namespace, whose upper layer (in the
    test's tmpfs) receives the .mo files.  The build root stays as it is,
    and whatever was there stays visible (other domains' catalogues)."""
    from system_testbed import sh

    assert LOCALEDIR, 'HOTKEYD_LOCALEDIR is not set'
    lower = LOCALEDIR
    while not os.path.isdir(lower):
        lower = os.path.dirname(lower)
    upper, work = os.path.join(system.tmp, 'locale-upper'), os.path.join(system.tmp, 'locale-work')
    os.mkdir(upper)
    os.mkdir(work)
    sh('mount', '-t', 'overlay', '-o', f'lowerdir={lower},upperdir={upper},workdir={work}', 'hotkeyd-locale', lower)
    for lang in linguas():
        mo = os.path.join(BUILD_LOCALEDIR, lang, 'LC_MESSAGES', 'hotkeyd.mo')
        assert os.path.exists(mo), f'{mo} was not built'
        os.makedirs(os.path.join(LOCALEDIR, lang, 'LC_MESSAGES'), exist_ok=True)
        shutil.copy(mo, os.path.join(LOCALEDIR, lang, 'LC_MESSAGES'))


def linguas():
    with open(os.path.join(SOURCE_ROOT, 'po', 'LINGUAS')) as f:
        return [w for line in f if not line.startswith('#') for w in line.split()]


class Catalogue:
    """The translations of po/LANG.po, read from the .po file itself (not
    the compiled catalogue the app loads): a message that is missing,
    untranslated or fuzzy there fails the test that asks for it."""

    def __init__(self, lang):
        self.lang = lang
        self.messages = {}  # (msgctxt, msgid) -> [msgstr...]; fuzzy ones left out
        self.plural = None
        with open(os.path.join(SOURCE_ROOT, 'po', f'{lang}.po'), encoding='utf-8') as f:
            for entry in f.read().split('\n\n'):
                self._add(entry)
        assert self.plural, f'{lang}.po has no Plural-Forms'

    def _add(self, entry):
        fields, key, fuzzy = {}, None, False
        for line in entry.splitlines():
            if line.startswith('#,') and 'fuzzy' in line:
                fuzzy = True
            elif line.startswith('"') and key:
                fields[key] += json.loads(line)  # C escapes of .po strings are JSON's
            elif line and not line.startswith('#'):
                key, value = line.split(' ', 1)
                fields[key] = json.loads(value)
        if 'msgid' not in fields or fuzzy:
            return
        if fields['msgid'] == '':
            m = re.search(r'^Plural-Forms:.*plural=([^;]*);', fields.get('msgstr', ''), re.M)
            self.plural = gettext.c2py(m.group(1)) if m else None
            return
        forms = [fields[k] for k in sorted(fields) if k.startswith('msgstr')]
        self.messages[(fields.get('msgctxt'), fields['msgid'])] = forms

    def __call__(self, msgid, context=None):
        forms = self.messages.get((context, msgid))
        assert forms and all(forms), f'{self.lang}.po does not translate {msgid!r}'
        return forms[0]

    def ngettext(self, msgid, n):
        forms = self.messages.get((None, msgid))
        assert forms and all(forms), f'{self.lang}.po does not translate {msgid!r}'
        return forms[self.plural(n)]

    def plural_forms(self, msgid):
        self(msgid)
        return self.messages[(None, msgid)]

    def label(self, msgid):
        """The translated text of a label with a mnemonic, as GTK shows and
        names it (the underline marker removed)."""
        return re.sub(r'_(.)', r'\1', self(msgid))
