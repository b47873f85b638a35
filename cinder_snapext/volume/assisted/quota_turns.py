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

"""One completing snapshot delete per project at a time in this process.

Cinder's delete_snapshot, which finishes an assisted delete, reserves and
commits quota on the project's ``quota_usages`` rows with ``SELECT ...
FOR UPDATE``, a transaction of several round trips. When Nova's reports
on a burst of deletes of one project arrive together, every completion
in the process waits for those rows; under eventlet (and under the GIL on
native threads) the holder's round trips then take turns with every
other waiting completion's work, so each holds the rows longer and the
burst convoys. Taking turns per project before Cinder's code starts keeps
each reservation's transaction short; other projects do not wait.
"""

import contextlib
import threading

_guard = threading.Lock()
# project id -> [lock, holders and waiters]; dropped when nobody uses it.
_turns = {}


@contextlib.contextmanager
def turn(project_id):
    """Run the block while no other block of project_id runs here."""
    with _guard:
        entry = _turns.setdefault(project_id, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _guard:
            entry[1] -= 1
            if not entry[1]:
                del _turns[project_id]


def cinder_delete(manager, context, snapshot):
    """manager.cinder_delete_snapshot in the snapshot's project's turn."""
    with turn(snapshot.project_id):
        return manager.cinder_delete_snapshot(context, snapshot)


def in_use():
    """{project id: blocks holding or awaiting its turn}."""
    with _guard:
        return {project: entry[1] for project, entry in _turns.items()}
