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

"""The assisted snapshot phases a volume service is running right now."""

import collections
import contextlib
import threading

from cinder_snapext.volume.assisted import phases


class RunningPhases:
    """Snapshots whose begin or complete runs in this process.

    The recorded phase says a service runs the driver; only that service
    can tell whether it still does. A restart cuts the work short, and so
    does a database failure between two of a request's writes (the request
    ends with the error, the phase stays recorded as running). A phase of
    this service that is not in here is therefore over, and the periodic
    check may close it.
    """

    def __init__(self):
        # A count, not a set: a complete can run inside its own begin
        # (Nova answered while the driver was still beginning).
        self._counts = collections.Counter()
        # Held from the membership test through the phase's move, so that
        # no request opens the snapshot's next phase in between.
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def running(self, snapshot_id):
        """Mark the snapshot's phase as running here for the block."""
        with self._lock:
            self._counts[snapshot_id] += 1
        try:
            yield
        finally:
            with self._lock:
                self._counts[snapshot_id] -= 1
                if not self._counts[snapshot_id]:
                    del self._counts[snapshot_id]

    def move_unless_running(self, context, snapshot_id, from_phases,
                            to_phase):
        """``phases.move``, unless the snapshot's phase runs here (False).

        Only the compare-and-swap runs under the lock: what follows a
        close (the driver's abort, the user message) may take locks that a
        running request holds.
        """
        with self._lock:
            return snapshot_id not in self._counts and phases.move(
                context, snapshot_id, from_phases, to_phase)
