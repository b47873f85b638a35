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

"""Each service that runs our classes records its mode at start.

oslo.service renames the processes it launches, and the new title is
written over the memory that ``/proc/PID/environ`` shows: the upgrade
check cannot read ``OS_CINDER_DISABLE_EVENTLET_PATCHING`` there. So the
service says it itself, in one file per process under Cinder's
``state_path``: its binary, the mode Cinder chose, and its parent (the
launcher, renamed too, runs in the mode its children inherited).
"""

import os

from oslo_log import log as logging

from cinder_snapext import concurrency

LOG = logging.getLogger(__name__)
FOLDER = 'snapext-service-modes'


def _folder(state_path):
    return os.path.join(state_path, FOLDER)


def record(state_path, binary):
    """Record this process's mode; a failure only loses the record."""
    folder = _folder(state_path)
    path = os.path.join(folder, str(os.getpid()))
    try:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            # Records of processes that are gone: their pids get reused.
            if name.isdigit() and not os.path.exists('/proc/%s' % name):
                os.unlink(os.path.join(folder, name))
        with open(path + '.new', 'w') as f:
            f.write('%s %s %d\n' % (binary, concurrency.mode(),
                                    os.getppid()))
        os.replace(path + '.new', path)
    except OSError as e:
        LOG.warning('Could not record the mode of %s in %s (the upgrade '
                    'check will report it unreadable): %s',
                    binary, folder, e)


def recorded(state_path):
    """{pid: (binary, mode, parent pid)} of the records under state_path."""
    records = {}
    folder = _folder(state_path)
    try:
        names = os.listdir(folder)
    except OSError:
        return records
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(os.path.join(folder, name)) as f:
                binary, mode, parent = f.read().split()
            records[int(name)] = (binary, mode, int(parent))
        except (OSError, ValueError):
            continue  # being replaced, or not one of ours
    return records
