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

"""Snapshot admin metadata over RPC and HTTP, living and dying with it."""

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder import objects as cinder_objects

from cinder_snapext.tests.functional import base
from cinder_snapext.tests.unit.db import test_api
from cinder_snapext.volume import rpcapi

_ADMIN_METADATA = '/snapshots/%s/snapext-admin-metadata'


class SnapshotAdminMetadataLifecycleTestCase(base.FunctionalTestCase):
    """Admin metadata set over RPC, read over HTTP, gone with its snapshot."""

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = self.create_volume_and_snapshot()
        # The volume service writes admin metadata; reach it as the API
        # will, over the snapext RPC namespace.
        snapshot_obj = self._snapshot_obj()
        rpcapi.SnapextVolumeAPI().update_snapshot_admin_metadata(
            self.ctxt, snapshot_obj, {'phase': 'begin'})
        self.wait_for(
            lambda: self.api.api_get(_ADMIN_METADATA % self.snapshot['id']),
            lambda body: body == {'admin_metadata': {'phase': 'begin'}})

    def _snapshot_obj(self):
        return cinder_objects.Snapshot.get_by_id(self.ctxt,
                                                 self.snapshot['id'])

    def _assert_gone_with_snapshot_then_purged(self):
        self.wait_for(lambda: self.api.get_snapshot(self.snapshot['id']),
                      lambda s: s is None)
        # The manager soft-deletes our rows right after Cinder destroys the
        # snapshot, so they may trail the API by a moment.
        self.wait_for(
            lambda: [row.deleted for row in test_api._all_rows(
                self.ctxt, self.snapshot['id'])],
            lambda deleted: deleted == [True])
        cinder_db_api.purge_deleted_rows(self.ctxt, age_in_days=-1)
        self.assertEqual([], test_api._all_rows(self.ctxt,
                                                self.snapshot['id']))

    def test_show_key(self):
        self.assertEqual(
            {'meta': {'phase': 'begin'}},
            self.api.api_get(_ADMIN_METADATA % self.snapshot['id'] +
                             '/phase'))

    def test_snapshot_delete_takes_admin_metadata(self):
        self.api.delete_snapshot(self.snapshot['id'])
        self._assert_gone_with_snapshot_then_purged()

    def test_snapshot_unmanage_takes_admin_metadata(self):
        self.api.api_post('/snapshots/%s/action' % self.snapshot['id'],
                          {'os-unmanage': {}})
        self._assert_gone_with_snapshot_then_purged()

    def test_cascade_volume_delete_takes_admin_metadata(self):
        self.api.api_delete('/volumes/%s?cascade=True'
                            % self.snapshot['volume_id'])
        self._assert_gone_with_snapshot_then_purged()
