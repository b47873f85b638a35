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

"""Export (unmanage) route, synchronous manage checks, delete guard."""

from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from cinder_snapext.tests.tempest.api import base


class SnapshotExportTest(base.SnapextBaseTest):
    """Snapshots that leave Cinder but stay on the backend."""

    @decorators.idempotent_id('4e910789-5bd2-4ed8-9f36-a99b1416e6a0')
    def test_export_route_names_reference_to_import_with(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume['id'])
        exported = self.export_snapshot(snapshot['id'])
        self.assertEqual(snapshot['id'], exported['id'])
        self.assertEqual(volume['id'], exported['volume_id'])
        self.assertEqual({'source-name': 'snapshot-%s' % snapshot['id']},
                         exported['reference'])
        self.assertEqual([], self.snapshots_of(volume['id']))
        managed = self.manage_snapshot(volume['id'], exported['reference'])
        shown = self.admin_snapshots_client.show_snapshot(
            managed['id'])['snapshot']
        self.assertEqual(volume['id'], shown['volume_id'])
        self.assertEqual(snapshot['size'], shown['size'])

    @decorators.idempotent_id('6ad54863-4c3b-449f-a238-df9dcdcc8a73')
    def test_manage_bad_reference_refused_at_once(self):
        volume = self.create_volume()
        project_id = self.os_admin.credentials.project_id
        quota_before = self.quota_usage(project_id, 'snapshots')
        ex = self.assertRaises(
            lib_exc.BadRequest,
            self.admin_snapshot_manage_client.manage_snapshot,
            volume_id=volume['id'],
            ref={'source-name': 'no-such-snapshot'})
        self.assertIn('no-such-snapshot', str(ex))
        # Refused before anything existed: no row, no quota held.
        self.assertEqual([], self.snapshots_of(volume['id']))
        self.assertEqual(quota_before,
                         self.quota_usage(project_id, 'snapshots'))

    @decorators.idempotent_id('e751adf6-e82b-412c-94fe-d9e30ba08518')
    def test_delete_volume_with_exported_snapshot_refused(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume['id'])
        exported = self.export_snapshot(snapshot['id'])
        self.manage_on_cleanup(volume['id'], exported['reference'])
        ex = self.assertRaises(lib_exc.BadRequest,
                               self.volumes_client.delete_volume,
                               volume['id'])
        self.assertIn(exported['reference']['source-name'], str(ex))
        shown = self.volumes_client.show_volume(volume['id'])['volume']
        self.assertEqual('available', shown['status'])
