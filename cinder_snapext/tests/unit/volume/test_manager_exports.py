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

"""SnapextVolumeManager: the export record across an export and import."""

from unittest import mock

from cinder import context as cinder_context
from cinder.db import api as cinder_db
from cinder import exception as cinder_exception
from cinder.objects import fields
from cinder.tests.unit import utils as cinder_utils

from cinder_snapext.db import snapshot_exports as export_db
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.volume import test_rpcapi
from cinder_snapext.volume import snapshot_reference

MANAGED_END = 'snapshot.manage_existing_snapshot.end'


class _Bus(list):
    """The notifications the volume service sends, and a client that acts.

    Cinder's test base joins every notifier to one list: as this list, it
    lets a client act the moment an event leaves the service, which is the
    first moment a real client can see the snapshot ``available``.
    """

    def __init__(self, event_type, client):
        super().__init__()
        self._event_type = event_type
        self._client = client

    def append(self, message):
        super().append(message)
        if message['event_type'] == self._event_type:
            self._client(message['payload'])


class ExportThenImportTestCase(base.TestCase):

    # Cinder's base fakes the workers table; these tests read its rows.
    MOCK_WORKER = False

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.manager = self.start_service(
            'volume', host='snapext', manager=test_rpcapi.MANAGER).manager
        volume_type = cinder_utils.create_volume_type(self.ctxt, name='t')
        volume = cinder_utils.create_volume(self.ctxt, host=self.manager.host,
                                            volume_type_id=volume_type.id)
        self.volume_id = volume.id
        exported = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                status='unmanaging')
        # The reference the export answers the client, to import it with.
        self.name = snapshot_reference.backend_reference(
            self.manager.driver, exported)['source-name']
        self.manager.delete_snapshot(self.ctxt, exported, unmanage_only=True)
        self.assertEqual([self.name], self._live_exports())
        # What Cinder's API creates for the import, before it casts.
        self.imported = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                     status='creating')
        # The backend is the process boundary: it knows the exported name.
        self._patch_driver('manage_existing_snapshot_get_size',
                           return_value=1)
        self.driver_manage = self._patch_driver('manage_existing_snapshot',
                                                return_value=None)

    def _patch_driver(self, name, **kwargs):
        patcher = mock.patch.object(self.manager.driver, name, **kwargs)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def _live_exports(self):
        return [row.name for row in export_db.snapshot_export_get_all(
            self.ctxt, volume_ids=[self.volume_id])]

    def _import(self):
        self.manager.manage_existing_snapshot(
            self.ctxt, self.imported, ref={'source-name': self.name})
        self.imported.refresh()

    def test_import_forgets_the_export(self):
        self._import()
        self.assertEqual('available', self.imported.status)
        self.assertEqual([], self._live_exports())

    def test_import_used_at_once_still_forgets_the_export(self):
        # The cluster-scale benchmark's client started a backup of the
        # imported snapshot as soon as it read 'available', while the
        # volume service was still ending the manage: the record stayed
        # and the volume could not be deleted.
        def start_backup(payload):
            # What Cinder's backup API writes when a backup of it starts.
            cinder_db.snapshot_update(
                self.ctxt, payload['snapshot_id'],
                {'status': fields.SnapshotStatus.BACKING_UP})
        self.notifier.notifications = _Bus(MANAGED_END, start_backup)

        self._import()

        self.assertEqual('backing-up', self.imported.status)
        self.assertEqual([], self._live_exports())
        # The manage ended: nothing is left for a restart to clean up.
        self.assertEqual([], cinder_db.worker_get_all(
            self.ctxt, resource_type='Snapshot',
            resource_id=self.imported.id))

    def test_failed_import_keeps_the_export(self):
        # The backend object keeps its exported name: the record holds.
        self.driver_manage.side_effect = (
            cinder_exception.ManageExistingInvalidReference(
                existing_ref={'source-name': self.name}, reason='gone'))
        self.assertRaises(cinder_exception.ManageExistingInvalidReference,
                          self._import)
        self.imported.refresh()
        self.assertEqual('error', self.imported.status)
        self.assertEqual([self.name], self._live_exports())
