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

"""Backups asked for while no backup service runs, through the real API."""

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.tests.functional.api import client

from cinder_snapext.tests.functional import base

SNAPEXT_BACKUP_API = 'cinder_snapext.backup.api.SnapextBackupAPI'


class NoBackupServiceTestCase(base.FunctionalTestCase):
    """Refused up front, nothing changed.

    Stock Cinder 29 answers 202 here, then its scheduler fails the backup,
    leaves the snapshot ``backing-up`` and sets the volume's status to its
    empty ``previous_status``.
    """

    # availability_zone in the body needs 3.51.
    _osapi_version = '3.51'

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()

    def _get_flags(self):
        flags = super()._get_flags()
        flags['backup_api_class'] = {'v': SNAPEXT_BACKUP_API}
        return flags

    def _footprint(self, volume_id):
        rows = cinder_db_api.backup_get_all(
            self.ctxt.elevated(read_deleted='yes'))
        project_id = self.api.get_volume(volume_id)[
            'os-vol-tenant-attr:tenant_id']
        usage = cinder_db_api.quota_usage_get_all_by_project(self.ctxt,
                                                             project_id)
        return len(rows), usage.get('backups')

    def _refused(self, body):
        error = self.assertRaises(
            client.OpenStackApiException, self.api.api_post, '/backups',
            {'backup': body})
        self.assertEqual(400, error.response.status_code)
        return error.response.json()['badRequest']['message']

    def test_snapshot_backup_refused_and_snapshot_left_available(self):
        snapshot = self.create_volume_and_snapshot()
        volume_id = snapshot['volume_id']
        before = self._footprint(volume_id)

        message = self._refused({'volume_id': volume_id,
                                 'snapshot_id': snapshot['id']})

        self.assertIn('No backup service is up', message)
        self.assertIn(snapshot['id'], message)
        self.assertEqual(before, self._footprint(volume_id))
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual('available', self.api.get_volume(volume_id)['status'])

    def test_volume_backup_refused_naming_the_zone(self):
        volume = self.api.post_volume({'volume': {'size': 1}})
        self.wait_for(lambda: self.api.get_volume(volume['id']),
                      lambda v: v['status'] == 'available')
        before = self._footprint(volume['id'])

        message = self._refused({'volume_id': volume['id'],
                                 'availability_zone': 'nova'})

        self.assertIn('availability zone nova', message)
        self.assertIn(volume['id'], message)
        self.assertEqual(before, self._footprint(volume['id']))
        self.assertEqual('available',
                         self.api.get_volume(volume['id'])['status'])

    def test_unknown_volume_is_404_before_any_service_check(self):
        error = self.assertRaises(
            client.OpenStackApiException, self.api.api_post, '/backups',
            {'backup': {'volume_id': '0e8c3a8e-5d35-4b0a-9d8e-0f1c0a1b2c3d'}})
        self.assertEqual(404, error.response.status_code)

    def test_nul_in_text_refused_before_the_volume_changes(self):
        # Stock Cinder moves the volume to 'backing-up' first, then fails
        # on PostgreSQL and leaves it there.
        snapshot = self.create_volume_and_snapshot()
        volume_id = snapshot['volume_id']
        before = self._footprint(volume_id)
        for extra in ({'name': '\u0000'}, {'metadata': {'k': '\u0000'}},
                      {'snapshot_id': snapshot['id'], 'name': 'x\u0000'}):
            message = self._refused(dict(extra, volume_id=volume_id))
            self.assertIn('NUL character', message)
        # Cinder's own schema refuses it in a description.
        self._refused({'volume_id': volume_id, 'description': 'a\u0000b'})
        self.assertEqual(before, self._footprint(volume_id))
        self.assertEqual('available', self.api.get_volume(volume_id)['status'])
