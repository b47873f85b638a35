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

"""A test double of a storage backend that keeps snapshots in memory.

Cinder's fake driver accepts any reference; this one behaves like RBD:
a snapshot belongs to one volume image, unmanage leaves it in place and
manage renames it. It stands in for the storage system only.
"""

from cinder import exception
from cinder.tests import fake_driver

# {volume name: {snapshot name: size in GiB}}, shared by the test and the
# in-process volume service.
SNAPSHOTS = {}


class InMemorySnapshotDriver(fake_driver.FakeLoggingVolumeDriver):

    def create_snapshot(self, snapshot):
        SNAPSHOTS.setdefault(snapshot.volume_name, {})[snapshot.name] = (
            snapshot.volume_size)

    def delete_snapshot(self, snapshot):
        SNAPSHOTS.get(snapshot.volume_name, {}).pop(snapshot.name, None)

    def unmanage_snapshot(self, snapshot):
        pass

    def manage_existing_snapshot_get_size(self, snapshot, existing_ref):
        name = existing_ref.get('source-name')
        size = SNAPSHOTS.get(snapshot.volume_name, {}).get(name)
        if size is None:
            raise exception.ManageExistingInvalidReference(
                existing_ref=existing_ref,
                reason='volume %s has no snapshot %s' % (
                    snapshot.volume_name, name))
        return size

    def delete_volume(self, volume):
        # The last line of the spec's side effect, as RBD and LVM draw it.
        if SNAPSHOTS.get(volume.name):
            raise exception.VolumeIsBusy(volume_name=volume.name)
        SNAPSHOTS.pop(volume.name, None)

    def snapext_backend_snapshots(self, volume):
        return list(SNAPSHOTS.get(volume.name, {}))

    def snapext_snapshot_reference(self, snapshot):
        return {'source-name': snapshot.name}

    def manage_existing_snapshot(self, snapshot, existing_ref):
        snapshots = SNAPSHOTS[snapshot.volume_name]
        snapshots[snapshot.name] = snapshots.pop(existing_ref['source-name'])
