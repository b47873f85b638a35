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

"""SnapextSnapshotAdminMetadata objects: persistence and RPC transport."""

from cinder import context as cinder_context
from cinder.objects import base as cinder_objects_base

from cinder_snapext import exception
from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes

_Metadata = snapshot_admin_metadata.SnapextSnapshotAdminMetadata
_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


class SnapextSnapshotAdminMetadataTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = fakes.create_snapshot(self.ctxt)

    def test_set_get_delete_for_snapshot(self):
        result = _MetadataList.set_for_snapshot(
            self.ctxt, self.snapshot.id, {'phase': 'begin', 'a': 'b'})
        self.assertEqual({'phase': 'begin', 'a': 'b'}, result.to_dict())
        _MetadataList.delete_for_snapshot(self.ctxt, self.snapshot.id, 'a')
        self.assertEqual(
            {'phase': 'begin'},
            _MetadataList.get_by_snapshot(self.ctxt,
                                          self.snapshot.id).to_dict())

    def test_get_by_key_returns_clean_object(self):
        _MetadataList.set_for_snapshot(self.ctxt, self.snapshot.id,
                                       {'phase': 'begin'})
        item = _Metadata.get_by_key(self.ctxt, self.snapshot.id, 'phase')
        self.assertEqual(('phase', 'begin', self.snapshot.id),
                         (item.key, item.value, item.snapshot_id))
        self.assertEqual(set(), item.obj_what_changed())

    def test_get_by_key_missing_raises_not_found(self):
        self.assertRaises(exception.SnapshotAdminMetadataNotFound,
                          _Metadata.get_by_key, self.ctxt,
                          self.snapshot.id, 'phase')

    def test_list_survives_cinder_rpc_serializer(self):
        original = _MetadataList.set_for_snapshot(
            self.ctxt, self.snapshot.id, {'phase': 'begin'})
        serializer = cinder_objects_base.CinderObjectSerializer()
        primitive = serializer.serialize_entity(self.ctxt, original)
        self.assertEqual('cinder',
                         primitive['versioned_object.namespace'])
        copy = serializer.deserialize_entity(self.ctxt, primitive)
        self.assertIsInstance(copy, _MetadataList)
        self.assertEqual({'phase': 'begin'}, copy.to_dict())
