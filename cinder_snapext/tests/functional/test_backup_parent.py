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

"""Incremental backups of snapshots through the real API and backup service."""

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.tests.functional.api import client
import fixtures

from cinder_snapext.tests.functional import base

SNAPEXT_BACKUP_API = 'cinder_snapext.backup.api.SnapextBackupAPI'


class _LoopbackConnector:
    """Stands in for os-brick's connector: the host's block device layer.

    It hands the backup service a small file as the attached device.
    """

    def __init__(self, path):
        self.path = path

    def connect_volume(self, connection_properties):
        return {'path': self.path}

    def disconnect_volume(self, *args, **kwargs):
        pass

    def check_valid_device(self, path, *args, **kwargs):
        return True


class IncrementalSnapshotBackupTestCase(base.FunctionalTestCase):

    _osapi_version = '3.47'

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        device = self.useFixture(fixtures.TempDir()).join('device')
        with open(device, 'wb') as f:
            f.write(b'data' * 1024)
        self.start_backup_service(_LoopbackConnector(device))

    def _get_flags(self):
        flags = super()._get_flags()
        flags['backup_api_class'] = {'v': SNAPEXT_BACKUP_API}
        return flags

    def _backup(self, volume_id, **kwargs):
        body = {'backup': dict(volume_id=volume_id, **kwargs)}
        backup = self.api.api_post('/backups', body)['backup']
        return self.wait_for(
            lambda: self.api.api_get('/backups/%s' % backup['id'])['backup'],
            lambda b: b['status'] not in ('creating',))

    def _footprint(self, project_id):
        rows = cinder_db_api.backup_get_all(
            self.ctxt.elevated(read_deleted='yes'))
        usage = cinder_db_api.quota_usage_get_all_by_project(self.ctxt,
                                                             project_id)
        return len(rows), usage.get('backups')

    def test_snapshot_older_than_every_backup_is_refused(self):
        snapshot = self.create_volume_and_snapshot()
        volume_id = snapshot['volume_id']
        newer = self._backup(volume_id)
        self.assertEqual('available', newer['status'])
        project_id = self.api.get_volume(volume_id)[
            'os-vol-tenant-attr:tenant_id']
        before = self._footprint(project_id)

        error = self.assertRaises(
            client.OpenStackApiException, self.api.api_post, '/backups',
            {'backup': {'volume_id': volume_id, 'incremental': True,
                        'snapshot_id': snapshot['id']}})
        self.assertEqual(400, error.response.status_code)
        message = error.response.json()['badRequest']['message']
        self.assertIn(newer['id'], message)
        self.assertIn(snapshot['id'], message)
        self.assertEqual(before, self._footprint(project_id))
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])

    def test_snapshot_parent_is_backup_taken_before_it(self):
        volume = self.api.post_volume({'volume': {'size': 1}})
        self.wait_for(lambda: self.api.get_volume(volume['id']),
                      lambda v: v['status'] == 'available')
        older = self._backup(volume['id'])
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume['id']}})
        self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                      lambda s: s['status'] == 'available')
        self._backup(volume['id'])

        incremental = self._backup(volume['id'], incremental=True,
                                   snapshot_id=snapshot['id'])
        self.assertEqual(('available', True, snapshot['id']),
                         (incremental['status'],
                          incremental['is_incremental'],
                          incremental['snapshot_id']))
        row = cinder_db_api.backup_get(self.ctxt, incremental['id'])
        self.assertEqual(older['id'], row.parent_id)
