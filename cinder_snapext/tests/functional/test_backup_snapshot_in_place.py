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

"""Snapshot backups read in place by the backup driver, through real services.

Cinder's API, scheduler, volume service (cinder-snapext's manager and RPC
endpoint) and backup service (SnapextBackupManager) run in-process. The
backend is the file-backed test double of ``fake_export_backend`` that
also says where a snapshot is, as SnapextRBDDriver does; the backup driver
is Cinder's posix driver reading that file, standing in for the Ceph
driver's librbd read (proven on the real stack by the integration tests).
"""

import hashlib
import os

from cinder.backup.drivers import posix
from cinder.db import api as cinder_db_api
from oslo_config import cfg

from cinder_snapext.backup import rbd_source
from cinder_snapext import opts
from cinder_snapext.tests.functional import fake_export_backend
from cinder_snapext.tests.functional import snapshot_backup_base

BACKEND = snapshot_backup_base.BACKEND
BEFORE_SNAPSHOT = snapshot_backup_base.BEFORE_SNAPSHOT
MODULE = __name__


class SourceTellingDriver(fake_export_backend.FileSnapshotExportDriver):
    """The file backend, telling backup services where a snapshot is."""

    def snapext_backup_source(self, snapshot):
        BACKEND.check('snapext_backup_source')
        if not cfg.CONF[opts.GROUP].backup_snapshot_in_place:
            return None
        return {'pool': BACKEND.directory, 'image': snapshot.volume_name,
                'snapshot': snapshot.name, 'cluster_name': 'ceph',
                'user': 'cinder', 'hosts': ['127.0.0.1'], 'ports': ['6789']}


class InPlacePosixBackupDriver(posix.PosixBackupDriver):
    """Posix backups of what the source names, as the Ceph driver reads it."""

    snapext_reads_rbd_snapshots = True
    read = []

    def backup(self, backup, volume_file, backup_metadata=False):
        if not rbd_source.is_source(volume_file):
            return super().backup(backup, volume_file, backup_metadata)
        self.read.append(volume_file.snapext_snapshot)
        path = os.path.join(volume_file.rbd_pool,
                            volume_file.snapext_snapshot)
        with open(path, 'rb') as snapshot_file:
            return super().backup(backup, snapshot_file, backup_metadata)


class _NoConnector:
    """os-brick must not be reached by an in-place read."""

    connected = []

    def connect_volume(self, connection_properties):
        self.connected.append(connection_properties['device_path'])
        return {'path': connection_properties['device_path']}

    def disconnect_volume(self, *args, **kwargs):
        pass

    def check_valid_device(self, path, *args, **kwargs):
        return True


class SnapshotBackupInPlaceTestCase(
        snapshot_backup_base.SnapshotBackupTestCase):

    def setUp(self):
        InPlacePosixBackupDriver.read = []
        super().setUp()
        self.connector = _NoConnector()
        self.connector.connected = []
        self.start_backup_service(self.connector)

    def _get_flags(self):
        flags = super()._get_flags()
        flags['volume_driver'] = {'v': MODULE + '.SourceTellingDriver',
                                  'g': 'backend_defaults'}
        flags['backup_driver'] = {'v': MODULE + '.InPlacePosixBackupDriver'}
        flags['backup_manager'] = {
            'v': 'cinder_snapext.backup.manager.SnapextBackupManager'}
        flags['backup_posix_path'] = {'v': self.backup_dir}
        flags['driver'] = {'v': ['messagingv2'],
                           'g': 'oslo_messaging_notifications'}
        return flags

    def _notified(self, event_type, backup_id):
        return [n['payload']['snapshot_id']
                for n in self.notifier.notifications
                if n['event_type'] == event_type
                and n['payload']['backup_id'] == backup_id]

    def test_snapshot_backup_read_in_place_restores_snapshot_data(self):
        snapshot = self._snapshot_of_written_volume()
        volume_before = self.api.get_volume(snapshot['volume_id'])
        backup = self._backup(snapshot)
        self.assertEqual('available', backup['status'],
                         backup.get('fail_reason'))
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual(volume_before['status'],
                         self.api.get_volume(snapshot['volume_id'])['status'])
        row = cinder_db_api.backup_get(self.ctxt, backup['id'])
        self.assertEqual((None, None, 1),
                         (row.temp_volume_id, row.temp_snapshot_id,
                          row.size))
        # Read where it is: no temporary volume, no copy, no export, no
        # attach.
        self.assertEqual(['snapshot-' + snapshot['id']],
                         InPlacePosixBackupDriver.read)
        self.assertEqual(([], [], [], []),
                         (self._temporary_volumes(), BACKEND.copies,
                          BACKEND.exported, self.connector.connected))
        # Nor os-brick's connector properties, which only an attach needs.
        self.assertEqual(0, self.connector_properties.call_count)
        for event in ('backup.create.start', 'backup.create.end'):
            self.assertEqual([snapshot['id']],
                             self._notified(event, backup['id']))

        # Cinder's own restore path gives the snapshot's data back.
        restored = self._volume()
        self.api.api_post('/backups/%s/restore' % backup['id'],
                          {'restore': {'volume_id': restored['id']}})
        self.wait_for(lambda: self.api.get_volume(restored['id']),
                      lambda v: v['status'] == 'available')
        with open(BACKEND.path('volume-' + restored['id']), 'rb') as device:
            self.assertEqual(hashlib.sha256(BEFORE_SNAPSHOT).hexdigest(),
                             hashlib.sha256(device.read()).hexdigest())

    def test_snapshot_backup_failing_read_gives_snapshot_back(self):
        snapshot = self._snapshot_of_written_volume()
        os.unlink(BACKEND.path('snapshot-' + snapshot['id']))
        backup = self._backup(snapshot)
        self.assertEqual('error', backup['status'])
        self.assertIn('No such file', backup['fail_reason'])
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual([], self._temporary_volumes())
        self.assertEqual([snapshot['id']],
                         self._notified('backup.create.start', backup['id']))

    def test_snapshot_backup_volume_service_error_gives_snapshot_back(self):
        snapshot = self._snapshot_of_written_volume()
        BACKEND.failing.add('snapext_backup_source')
        backup = self._backup(snapshot)
        self.assertEqual('error', backup['status'])
        self.assertIn('backend refused snapext_backup_source',
                      backup['fail_reason'])
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual(([], []), (self._temporary_volumes(),
                                    InPlacePosixBackupDriver.read))

    def test_snapshot_backup_without_source_takes_cinders_path(self):
        # A volume service that cannot say where the snapshot is: Cinder's
        # temporary volume, attached through os-brick, then deleted.
        self.override_config('backup_snapshot_in_place', False,
                             group=opts.GROUP)
        snapshot = self._snapshot_of_written_volume()
        backup = self._backup(snapshot)
        self.assertEqual('available', backup['status'],
                         backup.get('fail_reason'))
        self.assertEqual(([], 1, 1, 1),
                         (InPlacePosixBackupDriver.read, len(BACKEND.copies),
                          len(self.connector.connected),
                          self.connector_properties.call_count))
        temps = self._temporary_volumes()
        self.assertEqual(1, len(temps))
        self.wait_for(lambda: cinder_db_api.volume_get(
            self.ctxt.elevated(read_deleted='yes'), temps[0]),
            lambda v: v.deleted)
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
