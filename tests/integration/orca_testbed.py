# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Orca screen reader on gui_testbed's screen, and what it speaks.

Started here, for real, on Screen's Xvfb and session bus: speech-dispatcher
(single mode, its own configuration, socket and log directory in the test's
tmpfs) whose only output module is "capture", sd_generic running an echo of
each message into a file instead of a synthesizer (libao's null driver
through $HOME/.libao, so nothing looks for a sound card); and Orca 51
itself, with configuration and data directories of its own, GSettings in
memory, and ORCA_TEST_RPC_SECRET set, which publishes its test-only D-Bus
methods.  SpeechPresenter.SetLogFileForTesting makes Orca write one JSON
line per utterance it hands to the speech server: what the tests read
(Speech).  The capture module's file shows that the words reached the
speech server too (Speech.synthesized()).

Nothing here is installed or configured outside the test's tmpfs: a fresh
machine with the packages (orca, speech-dispatcher) needs nothing else."""

import json
import os
import subprocess
import time

import dbus

ORCA_SERVICE = 'org.gnome.Orca1.Service'
ORCA_PATH = '/org/gnome/Orca1/Service'
SECRET = 'hotkeyd-orca-test'

SPEECHD_CONF = """\
LogLevel 3
LogDir "{logdir}"
AudioOutputMethod "libao"
DefaultVolume 100
AddModule "capture" "sd_generic" "capture.conf"
DefaultModule capture
DefaultLanguage "en"
"""

# sd_generic fills $DATA with the message; the echo appends it to the file
# (speech-dispatcher's own quoting: \\t and \\n come out as written).
CAPTURE_CONF = """\
GenericExecuteSynth "echo \\'$DATA\\' >> {out}"
GenericCmdDependency "echo"
GenericLanguage "en" "en" "utf-8"
GenericDefaultCharset "utf-8"
AddVoice "en" "MALE1" "capture"
"""


def wait_for(cond, what, timeout=15, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'{what} not within {timeout}s')
        time.sleep(step)


class Speech:
    """What Orca spoke, from its JSON lines log: a list of utterances, read
    again on each call.  mark() and since() cut out what came after a
    moment (a key press, say)."""

    def __init__(self, path, synthesized):
        self.path = path
        self.synthesized_path = synthesized
        self._mark = 0

    def all(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding='utf-8') as f:
            records = [json.loads(line) for line in f if line.endswith('\n')]
        return [r['text'] for r in records if r.get('kind') == 'speech']

    def mark(self):
        self._mark = len(self.all())
        return self._mark

    def since(self, mark=None):
        return self.all()[self._mark if mark is None else mark:]

    def wait(self, pred, what, timeout=15, mark=None):
        """Waits until pred(utterances since the mark) is true; returns
        those utterances."""
        said = []

        def check():
            said[:] = self.since(mark)
            return pred(said)
        try:
            wait_for(check, what, timeout)
        except AssertionError:
            raise AssertionError(f'Orca did not speak {what} within {timeout}s; it spoke: {said}')
        return said

    def wait_for_text(self, text, timeout=15, mark=None):
        """Waits for an utterance that contains text; returns all since
        the mark."""
        return self.wait(lambda said: any(text in u for u in said), repr(text), timeout, mark)

    def synthesized(self):
        """What reached the speech server's output module."""
        if not os.path.exists(self.synthesized_path):
            return ''
        with open(self.synthesized_path, encoding='utf-8', errors='replace') as f:
            return f.read()


class Orca:
    """speech-dispatcher and Orca on a gui_testbed.Screen."""

    def __init__(self, screen):
        self.screen = screen
        system = screen.system
        root = os.path.join(system.tmp, 'orca')
        home = os.path.join(root, 'home')
        conf = os.path.join(root, 'speechd')
        logs = os.path.join(root, 'speechd-log')
        for d in (home, os.path.join(conf, 'modules'), logs):
            os.makedirs(d)
        synthesized = os.path.join(root, 'synthesized.txt')
        with open(os.path.join(home, '.libao'), 'w') as f:
            f.write('default_driver=null\nquiet\n')
        with open(os.path.join(conf, 'speechd.conf'), 'w') as f:
            f.write(SPEECHD_CONF.format(logdir=logs))
        with open(os.path.join(conf, 'modules', 'capture.conf'), 'w') as f:
            f.write(CAPTURE_CONF.format(out=synthesized))

        env = dict(screen.env)
        env.update({
            'HOME': home,
            'XDG_CONFIG_HOME': os.path.join(home, 'config'),
            'XDG_DATA_HOME': os.path.join(home, 'data'),
            'XDG_CACHE_HOME': os.path.join(home, 'cache'),
            'GSETTINGS_BACKEND': 'memory',
        })
        socket = os.path.join(root, 'speechd.sock')
        env['SPEECHD_ADDRESS'] = f'unix_socket:{socket}'
        # Single mode: it stays the child spawned here (the testbed ends it);
        # a client that found no server would spawn a daemon of its own.
        self.speechd = system._spawn(['speech-dispatcher', '--run-single', '--timeout', '0',
                                      '--config-dir', conf, '--communication-method', 'unix_socket',
                                      '--socket-path', socket, '--pid-file', os.path.join(root, 'speechd.pid'),
                                      '--log-dir', logs],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        system._wait_for(lambda: os.path.exists(socket), 'the speech-dispatcher socket')

        env['ORCA_TEST_RPC_SECRET'] = SECRET
        self.log_path = os.path.join(root, 'orca-debug.out')
        self.proc = system._spawn(['orca', '--debug-file', self.log_path], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.bus = dbus.bus.BusConnection(screen.env['DBUS_SESSION_BUS_ADDRESS'])
        wait_for(lambda: self.proc.poll() is not None or self.bus.name_has_owner(ORCA_SERVICE),
                 'Orca on the session bus', timeout=30)
        assert self.proc.poll() is None, f'orca exited with {self.proc.returncode}'
        self.speech = Speech(os.path.join(root, 'speech.jsonl'), synthesized)
        # The bus name comes before the modules' objects are published.
        wait_for(lambda: self._try('SpeechPresenter', 'SetLogFileForTesting', SECRET, self.speech.path),
                 "Orca's SpeechPresenter", timeout=30)
        self.wait_idle()

    def _call(self, module, method, *args):
        obj = self.bus.get_object(ORCA_SERVICE, f'{ORCA_PATH}/{module}')
        return getattr(obj, method)(*args, dbus_interface=f'org.gnome.Orca1.{module}', timeout=30)

    def _try(self, module, method, *args):
        try:
            return self._call(module, method, *args)
        except dbus.exceptions.DBusException as e:
            if e.get_dbus_name() in ('org.freedesktop.DBus.Error.UnknownMethod',
                                     'org.freedesktop.DBus.Error.UnknownObject'):
                return None
            raise

    def idle(self):
        return bool(self._call('EventManager', 'IsIdleForTesting', SECRET))

    def wait_idle(self, timeout=15):
        wait_for(self.idle, 'Orca idle', timeout)
