# SPDX-License-Identifier: LGPL-2.1-or-later
"""python-dbusmock template: org.freedesktop.systemd1 for the system tests.

dbusmock's own systemd template, plus units that really run: for a unit
added with AddExecUnit(name, argv) (the testbed passes the ExecStart= it
parsed from the built unit file), StartUnit runs argv and ends the job the
way systemd ends a Type=oneshot job, "done" when the command exits 0,
"failed" otherwise.  For a unit named in RebootAfter(name) the
Manager's SystemState turns "stopping" as its job ends.  Other units keep the stock behaviour (the job is
"done" at once, nothing runs)."""

import os

from dbusmock.templates.systemd import *  # noqa: F401,F403  (BUS_NAME, load, the stock methods)
from dbusmock.templates.systemd import MAIN_IFACE, PATH_PREFIX, UNIT_IFACE, emit_job_new_remove
from dbusmock import MOCK_IFACE, mockobject
from gi.repository import GLib
import dbus


def _run(mock, name, job_id, job_path):
    argv = mock.exec_units[name]
    unit = mockobject.objects[mock.units[name]]
    mock.EmitSignal(MAIN_IFACE, 'JobNew', 'uos', [job_id, job_path, name])
    unit.UpdateProperties(UNIT_IFACE, {'ActiveState': 'activating'})
    try:
        pid, _, _, _ = GLib.spawn_async(argv, flags=GLib.SpawnFlags.DO_NOT_REAP_CHILD)
    except GLib.Error as e:
        mock.log(f'{name}: cannot run {argv}: {e}')
        unit.UpdateProperties(UNIT_IFACE, {'ActiveState': 'failed'})
        mock.EmitSignal(MAIN_IFACE, 'JobRemoved', 'uoss', [job_id, job_path, name, 'failed'])
        return False

    def exited(pid, status):
        GLib.spawn_close_pid(pid)
        code = os.waitstatus_to_exitcode(status)
        mock.log(f'{name}: {argv} exited with {code}')
        mock.exec_results.append((name, code))
        unit.UpdateProperties(UNIT_IFACE, {'ActiveState': 'inactive' if code == 0 else 'failed'})
        mock.EmitSignal(MAIN_IFACE, 'JobRemoved', 'uoss',
                        [job_id, job_path, name, 'done' if code == 0 else 'failed'])

    GLib.child_watch_add(GLib.PRIORITY_DEFAULT, pid, exited)
    return False


@dbus.service.method(MAIN_IFACE, in_signature='ss', out_signature='o')
def StartUnit(self, name, _mode):
    name = str(name)
    if name not in self.units:
        raise dbus.exceptions.DBusException(f'Unit {name} not found.',
                                            name='org.freedesktop.systemd1.NoSuchUnit')
    job_id = self.next_job_id
    self.next_job_id += 1
    job_path = f'{PATH_PREFIX}/job/{job_id}'

    if name in getattr(self, 'exec_units', {}):
        # After the reply, as systemd: the job exists before it runs.
        GLib.idle_add(_run, self, name, job_id, job_path)
    else:
        def end_job():
            if name in getattr(self, 'reboot_after', ()):
                # systemd queues the reboot in the same pass of its job
                # queue that ends this job: before JobRemoved goes out.
                self.UpdateProperties(MAIN_IFACE, {'SystemState': 'stopping'})
            emit_job_new_remove(self, job_id, job_path, name)
        GLib.idle_add(end_job)
        mockobject.objects[self.units[name]].UpdateProperties(UNIT_IFACE, {'ActiveState': 'active'})
    return job_path


@dbus.service.method(MOCK_IFACE, in_signature='sas', out_signature='')
def AddExecUnit(self, name, argv):
    """A unit whose start runs argv (its ExecStart=)."""
    name = str(name)
    if not hasattr(self, 'exec_units'):
        self.exec_units = {}
        self.exec_results = []
    self.AddMockUnit(name)
    self.exec_units[name] = [str(a) for a in argv]


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def RebootAfter(self, name):
    """Starting the unit reboots, as factory-reset.target does through
    systemd-factory-reset-reboot.service (SuccessAction=reboot): the
    Manager's SystemState is "stopping" once its job ends."""
    if not hasattr(self, 'reboot_after'):
        self.reboot_after = set()
    self.reboot_after.add(str(name))


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='a(si)')
def GetExecResults(self):
    """(unit, exit status) of every ExecStart= that ran, in order."""
    return dbus.Array(getattr(self, 'exec_results', []), signature='(si)')
