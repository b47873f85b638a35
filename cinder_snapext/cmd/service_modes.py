# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""The eventlet or threading mode of each Cinder service on this host.

Cinder keeps no record of it: a service reads
``OS_CINDER_DISABLE_EVENTLET_PATCHING`` from its own environment at
start, so the place to look is that environment, in ``/proc``.
"""

import collections
import os
import re

from cinder_snapext import concurrency

BINARIES = ('cinder-api', 'cinder-backup', 'cinder-scheduler',
            'cinder-volume')
# cinder-api under a WSGI server runs this module, not the command.
API_MODULES = ('cinder.wsgi.api', 'cinder-wsgi')
# The mode of a process whose environment cannot be read: a process that
# sets its title (oslo.service's services do) writes over the memory that
# /proc/PID/environ shows.
UNREADABLE = 'unreadable'
_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*$')


def binary_of(argv):
    """The Cinder service argv runs, or None."""
    # A renamed process shows one string: "cinder-volume: master process
    # [/venv/bin/cinder-volume --config-file ...]".
    for arg in ' '.join(argv).split():
        name = os.path.basename(arg.strip('[]'))
        if name in BINARIES:
            return name
        if any(module in arg for module in API_MODULES):
            return 'cinder-api'
    return None


def _read_nul_separated(path):
    with open(path, 'rb') as f:
        return [part.decode('utf-8', 'replace')
                for part in f.read().split(b'\0') if part]


def _recorded_mode(records, pid, binary):
    """The mode the process (or a child, for a launcher) recorded."""
    own = records.get(pid)
    if own and own[0] == binary:
        return own[1]
    for child_binary, mode, parent in records.values():
        if parent == pid and child_binary == binary:
            return mode
    return UNREADABLE


def running_modes(proc='/proc', records=None):
    """{binary: set of modes}; None for a value Cinder refuses.

    Processes this user may not read are left out: run it as root (or
    as the user of the services) to see them all. A process whose
    environment is hidden counts with the mode it recorded (records:
    ``mode_record.recorded()``), else as unreadable.
    """
    records = records or {}
    modes = collections.defaultdict(set)
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            binary = binary_of(_read_nul_separated(
                os.path.join(proc, pid, 'cmdline')))
            if binary is None:
                continue
            environ = dict(item.partition('=')[::2] for item in
                           _read_nul_separated(
                               os.path.join(proc, pid, 'environ')))
        except OSError:
            continue  # gone since the listing, or not ours to read
        if not any(_NAME.match(name) for name in environ):
            modes[binary].add(_recorded_mode(records, int(pid), binary))
        else:
            modes[binary].add(concurrency.requested_mode(environ))
    return dict(modes)
