# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small QMP client: the commands the VM scenario needs, nothing else."""

import json
import socket
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QMPError(f'QMP socket {path} did not come up in {timeout} s')
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile('rwb', buffering=0)
        self.events = []
        greeting = self._read()
        if 'QMP' not in greeting:
            raise QMPError(f'no QMP greeting: {greeting}')
        self.execute('qmp_capabilities')

    def _read(self):
        line = self.file.readline()
        if not line:
            raise QMPError('QMP connection closed')
        return json.loads(line)

    def execute(self, command, **arguments):
        msg = {'execute': command}
        if arguments:
            msg['arguments'] = arguments
        self.file.write(json.dumps(msg).encode() + b'\r\n')
        while True:
            reply = self._read()
            if 'event' in reply:
                self.events.append(reply)
                continue
            if 'error' in reply:
                raise QMPError(f'{command}: {reply["error"].get("desc", reply["error"])}')
            return reply.get('return')

    def send_key(self, qcode, hold_ms):
        """Press a key and release it hold_ms later (QEMU times the release)."""
        return self.send_keys([qcode], hold_ms)

    def send_keys(self, qcodes, hold_ms=100):
        """Press keys together (e.g. ['shift', 'tab']), in order, and
        release them hold_ms later."""
        return self.execute('send-key', keys=[{'type': 'qcode', 'data': q} for q in qcodes],
                            **{'hold-time': hold_ms})

    def screendump(self, filename, fmt='png'):
        return self.execute('screendump', filename=filename, format=fmt)

    def powerdown(self):
        return self.execute('system_powerdown')

    def quit(self):
        try:
            self.execute('quit')
        except (QMPError, OSError):
            pass

    def close(self):
        self.sock.close()
