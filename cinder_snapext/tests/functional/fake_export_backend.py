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

"""A test double of a backend that exports its snapshots, volumes as files.

It stands in for the storage system and its target only: each volume and
snapshot is a small file in ``BACKEND.directory``, a snapshot a copy of
its volume's file, and an export hands the backup service that file. The
device selection is cinder-snapext's own mixin, as on LVM.
"""

import os
import shutil

from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.volume.drivers import backup_device


class _Backend:
    """What the test and the in-process volume service share."""

    def __init__(self):
        self.reset(None)

    def reset(self, directory):
        self.directory = directory
        # Names of the snapshots exported right now.
        self.exports = set()
        # Names of the snapshots ever exported, and of volumes ever made
        # from a snapshot (Cinder's temporary copies).
        self.exported = []
        self.copies = []
        # Driver methods that fail, as a broken backend would.
        self.failing = set()

    def path(self, name):
        return os.path.join(self.directory, name)

    def check(self, method):
        if method in self.failing:
            raise OSError('backend refused %s' % method)


BACKEND = _Backend()


class FileSnapshotExportDriver(backup_device.SnapextBackupDeviceMixin,
                               fake_backend.InMemorySnapshotDriver):

    snapext_exports_snapshots = True

    def create_volume(self, volume):
        open(BACKEND.path(volume.name), 'wb').close()
        return super().create_volume(volume)

    def create_snapshot(self, snapshot):
        shutil.copyfile(BACKEND.path(snapshot.volume_name),
                        BACKEND.path(snapshot.name))
        return super().create_snapshot(snapshot)

    def create_volume_from_snapshot(self, volume, snapshot):
        BACKEND.check('create_volume_from_snapshot')
        BACKEND.copies.append(volume.name)
        shutil.copyfile(BACKEND.path(snapshot.name),
                        BACKEND.path(volume.name))

    def initialize_connection(self, volume, connector):
        return {'driver_volume_type': 'iscsi',
                'data': {'device_path': BACKEND.path(volume.name),
                         'access_mode': 'rw'}}

    def create_export_snapshot(self, context, snapshot, connector):
        BACKEND.exports.add(snapshot.name)
        BACKEND.exported.append(snapshot.name)
        return {'provider_location': 'file-target %s' % snapshot.name}

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        BACKEND.check('initialize_connection_snapshot')
        return {'driver_volume_type': 'iscsi',
                'data': {'device_path': BACKEND.path(snapshot.name),
                         'access_mode': 'ro'}}

    def terminate_connection_snapshot(self, snapshot, connector, **kwargs):
        # As the LVM driver does: a forced termination drops the export.
        if kwargs.get('force'):
            BACKEND.exports.discard(snapshot.name)

    def remove_export_snapshot(self, context, snapshot):
        BACKEND.exports.discard(snapshot.name)
