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

"""Snapshot backups attach the snapshot itself, and fail safely."""

import hashlib
import os

from cinder.backup.drivers import posix
from cinder.db import api as cinder_db_api

from cinder_snapext import opts
from cinder_snapext.tests.functional import snapshot_backup_base

BACKEND = snapshot_backup_base.BACKEND
BEFORE_SNAPSHOT = snapshot_backup_base.BEFORE_SNAPSHOT
EXPORT_DRIVER = ('cinder_snapext.tests.functional.fake_export_backend.'
                 'FileSnapshotExportDriver')
# Importing the module registers backup_posix_path.
POSIX_DRIVER = '%s.%s' % (posix.__name__, posix.PosixBackupDriver.__name__)


class _FileConnector:
    """Stands in for os-brick's connector: the host's block device layer.

    The device of a connection is the file the backend named.
    """

    def __init__(self):
        self.connected = []

    def connect_volume(self, connection_properties):
        path = connection_properties['device_path']
        self.connected.append(os.path.basename(path))
        return {'path': path}

    def disconnect_volume(self, *args, **kwargs):
        pass

    def check_valid_device(self, path, *args, **kwargs):
        return True


def _digest(path):
    with open(path, 'rb') as device:
        return hashlib.sha256(device.read()).hexdigest()


class SnapshotBackupAttachTestCase(
        snapshot_backup_base.SnapshotBackupTestCase):

    def setUp(self):
        super().setUp()
        self.connector = _FileConnector()
        self.start_backup_service(self.connector)

    def _get_flags(self):
        flags = super()._get_flags()
        flags['volume_driver'] = {'v': EXPORT_DRIVER,
                                  'g': 'backend_defaults'}
        flags['backup_driver'] = {'v': POSIX_DRIVER}
        flags['backup_posix_path'] = {'v': self.backup_dir}
        flags['driver'] = {'v': ['messagingv2'],
                           'g': 'oslo_messaging_notifications'}
        return flags

    def _notified(self, event_type):
        return [n['payload'] for n in self.notifier.notifications
                if n['event_type'] == event_type]

    def test_snapshot_backup_reads_snapshot_in_place(self):
        snapshot = self._snapshot_of_written_volume()
        backup = self._backup(snapshot)
        self.assertEqual(('available', snapshot['id']),
                         (backup['status'], backup['snapshot_id']))
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])

        snapshot_lv = 'snapshot-' + snapshot['id']
        # The backup service read the snapshot's own device, and nothing
        # was copied to a temporary volume for it.
        self.assertEqual([snapshot_lv], self.connector.connected)
        self.assertEqual([snapshot_lv], BACKEND.exported)
        self.assertEqual(([], []), (BACKEND.copies,
                                    self._temporary_volumes()))
        self.assertEqual(set(), BACKEND.exports)

        # The data backed up is the snapshot's, not the volume's now.
        restored = self._volume()
        self.api.api_post('/backups/%s/restore' % backup['id'],
                          {'restore': {'volume_id': restored['id']}})
        self.wait_for(lambda: self.api.get_volume(restored['id']),
                      lambda v: v['status'] == 'available')
        self.assertEqual(hashlib.sha256(BEFORE_SNAPSHOT).hexdigest(),
                         _digest(BACKEND.path('volume-' + restored['id'])))

        for event in ('backup.create.start', 'backup.create.end'):
            self.assertEqual([snapshot['id']],
                             [p['snapshot_id'] for p in self._notified(event)
                              if p['backup_id'] == backup['id']])

    def test_snapshot_backup_disabled_copies_into_temporary_volume(self):
        self.override_config('backup_snapshot_in_place', False,
                             group=opts.GROUP)
        snapshot = self._snapshot_of_written_volume()
        backup = self._backup(snapshot)
        self.assertEqual('available', backup['status'])
        self.assertEqual(([], 1, 1),
                         (BACKEND.exported, len(BACKEND.copies),
                          len(self._temporary_volumes())))

    def test_snapshot_backup_failing_attach_gives_snapshot_back(self):
        # Cinder 29 already handles this one: the proof that it still does
        # with snapshots exported by the driver.
        snapshot = self._snapshot_of_written_volume()
        BACKEND.failing.add('initialize_connection_snapshot')
        backup = self._backup(snapshot)
        self.assertEqual('error', backup['status'])
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual(set(), BACKEND.exports)
        self.assertEqual([], self._temporary_volumes())
        self.assertEqual([snapshot['id']],
                         [p['snapshot_id']
                          for p in self._notified('backup.create.start')])

    def test_snapshot_backup_failing_copy_gives_snapshot_back(self):
        # Cinder 29 leaves the backup 'creating' and the snapshot
        # 'backing-up' until cinder-backup restarts.
        self.override_config('backup_snapshot_in_place', False,
                             group=opts.GROUP)
        snapshot = self._snapshot_of_written_volume()
        BACKEND.failing.add('create_volume_from_snapshot')
        backup = self._backup(snapshot)
        self.assertEqual('error', backup['status'])
        self.assertIn('backend refused create_volume_from_snapshot',
                      backup['fail_reason'])
        self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                      lambda s: s['status'] == 'available')
        # Cinder drops the temporary volume it could not fill.
        everything = self.ctxt.elevated(read_deleted='yes')
        self.assertEqual(
            [], [v.id for v in cinder_db_api.volume_get_all(everything)
                 if (v.display_name or '').startswith('backup-vol-')
                 and not v.deleted])
