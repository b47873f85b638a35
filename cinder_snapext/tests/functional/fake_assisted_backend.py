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

"""A test double of a RemoteFS backend whose attached volumes need Nova.

It stands in for a file-based backend and for Nova's side of it only:
``begin`` records that it would ask Nova, the test then calls back as
Nova does, and ``complete`` records what it finished. Snapshots land in
the in-memory backend of fake_backend, so offline ones work as there.
"""

import threading

from cinder import exception

from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.volume.assisted import driver as assisted_driver

# What the driver did, in order: (step, snapshot id, detail). Shared by the
# test and the in-process volume service, like fake_backend.SNAPSHOTS.
CALLS = []
# Steps that raise instead of doing their work.
FAILING = set()
# Steps that wait until the test sets the event: {step: Event}.
HELD = {}
# Seconds a held step waits for its event at most.
HOLD_TIMEOUT = 60
# What else happens while a step runs, as Nova's early answer during
# begin: {step: callable(snapshot)}.
DURING = {}


def reset():
    CALLS.clear()
    FAILING.clear()
    HELD.clear()
    DURING.clear()


def hold(step):
    """Make ``step`` wait; set the returned event to let it go on."""
    HELD[step] = threading.Event()
    return HELD[step]


class AssistedInMemoryDriver(assisted_driver.AssistedSnapshotDriver,
                             fake_backend.InMemorySnapshotDriver):

    def snapshot_needs_compute(self, snapshot):
        return snapshot.volume.status == 'in-use'

    def create_snapshot_assisted_begin(self, context, snapshot):
        self._step('create_begin', snapshot)
        new_file = '%s.%s' % (snapshot.volume_name, snapshot.id)
        return {'snapshot': {'provider_location': new_file},
                'admin_metadata': {'fake:new_file': new_file}}

    def create_snapshot_assisted_complete(self, context, snapshot,
                                          admin_metadata):
        self._step('create_complete', snapshot,
                   admin_metadata['fake:new_file'])
        self.create_snapshot(snapshot)
        return {'admin_metadata': {'fake:active':
                                   admin_metadata['fake:new_file']}}

    def delete_snapshot_assisted_begin(self, context, snapshot):
        self._step('delete_begin', snapshot)
        return {'admin_metadata': {'fake:merging': snapshot.provider_location
                                   or snapshot.name}}

    def delete_snapshot_assisted_complete(self, context, snapshot,
                                          admin_metadata):
        self._step('delete_complete', snapshot,
                   admin_metadata['fake:merging'])
        self.delete_snapshot(snapshot)

    def create_snapshot_assisted_abort(self, context, snapshot,
                                       admin_metadata, reason):
        self._step('create_abort', snapshot, reason)
        return {'admin_metadata': {'fake:aborted': reason}}

    def delete_snapshot_assisted_abort(self, context, snapshot,
                                       admin_metadata, reason):
        self._step('delete_abort', snapshot, reason)

    def _step(self, step, snapshot, detail=None):
        CALLS.append((step, snapshot.id, detail))
        if step in DURING:
            DURING[step](snapshot)
        if step in HELD:
            HELD[step].wait(HOLD_TIMEOUT)
        if step in FAILING:
            raise exception.VolumeBackendAPIException(
                data='%s failed on purpose' % step)
