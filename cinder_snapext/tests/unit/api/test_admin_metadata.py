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

"""The admin metadata API through Cinder's real v3 router and policies."""

from http import HTTPStatus

from cinder import policy as cinder_policy

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.unit.api import api_request
from cinder_snapext.tests.unit import fakes


class SnapshotAdminMetadataAPITestCase(api_request.RouterTestCase):

    def setUp(self):
        super().setUp()
        self.snapshot = fakes.create_snapshot(self.admin)
        snapshot_admin_metadata.SnapextSnapshotAdminMetadataList.\
            set_for_snapshot(self.admin, self.snapshot.id,
                             {'phase': 'begin'})

    def _get(self, context, path):
        return self.request(context, 'GET',
                            '/snapshots/%s/snapext-admin-metadata%s'
                            % (self.snapshot.id, path))

    def test_index_as_admin_lists_metadata(self):
        self.assertEqual(
            (HTTPStatus.OK, {'admin_metadata': {'phase': 'begin'}}),
            self._get(self.admin, ''))

    def test_show_as_admin_returns_one_key(self):
        self.assertEqual((HTTPStatus.OK, {'meta': {'phase': 'begin'}}),
                         self._get(self.admin, '/phase'))

    def test_index_as_member_is_forbidden(self):
        status, body = self._get(self.member, '')
        self.assertEqual(HTTPStatus.FORBIDDEN, status)
        self.assertIn('snapext:snapshot_admin_metadata:get',
                      body['forbidden']['message'])

    def test_show_missing_key_is_not_found_with_message(self):
        status, body = self._get(self.admin, '/nothing')
        self.assertEqual(HTTPStatus.NOT_FOUND, status)
        self.assertIn('nothing', body['itemNotFound']['message'])

    def test_index_unknown_snapshot_is_not_found(self):
        self.snapshot.destroy()
        status, body = self._get(self.admin, '')
        self.assertEqual(HTTPStatus.NOT_FOUND, status)
        self.assertIn(self.snapshot.id, body['itemNotFound']['message'])

    def test_index_after_policy_reset_still_authorizes(self):
        # Cinder's reset throws the enforcer and our rules away; a request
        # must never then fail with PolicyNotRegistered (a 500).
        cinder_policy.reset()
        self.assertEqual(HTTPStatus.OK, self._get(self.admin, '')[0])
        cinder_policy.reset()
        self.assertEqual(HTTPStatus.FORBIDDEN, self._get(self.member, '')[0])
