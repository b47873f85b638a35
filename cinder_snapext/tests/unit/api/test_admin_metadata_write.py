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

"""Setting and deleting admin metadata: policy, schema, reserved keys."""

from http import HTTPStatus

import ddt

from cinder_snapext.api import admin_metadata
from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.unit.api import api_request
from cinder_snapext.tests.unit import fakes
from cinder_snapext.volume.assisted import phases

_List = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


@ddt.ddt
class AdminMetadataWriteTestCase(api_request.RouterTestCase):

    def setUp(self):
        super().setUp()
        self.snapshot = fakes.create_snapshot(self.admin)
        _List.set_for_snapshot(self.admin, self.snapshot.id,
                               {phases.PHASE_KEY: phases.CREATE_DONE,
                                'ticket': 'OPS-1'})
        self.path = '/snapshots/%s/snapext-admin-metadata' % self.snapshot.id

    def stored(self):
        return _List.get_by_snapshot(self.admin, self.snapshot.id).to_dict()

    def test_set_adds_and_keeps_other_keys(self):
        status, body = self.request(
            self.admin, 'POST', self.path,
            {'admin_metadata': {'ticket': 'OPS-2', 'owner': 'ops'}})
        expected = {phases.PHASE_KEY: phases.CREATE_DONE,
                    'ticket': 'OPS-2', 'owner': 'ops'}
        self.assertEqual((HTTPStatus.OK, {'admin_metadata': expected}),
                         (status, body))
        self.assertEqual(expected, self.stored())

    def test_put_one_key(self):
        status, body = self.request(self.admin, 'PUT', self.path + '/owner',
                                    {'meta': {'owner': 'ops'}})
        self.assertEqual((HTTPStatus.OK, {'meta': {'owner': 'ops'}}),
                         (status, body))
        self.assertEqual('ops', self.stored()['owner'])

    def test_put_other_key_than_url_is_400(self):
        status, body = self.request(self.admin, 'PUT', self.path + '/owner',
                                    {'meta': {'ticket': 'x'}})
        self.assertEqual(HTTPStatus.BAD_REQUEST, status)
        self.assertIn('owner', body['badRequest']['message'])
        self.assertEqual('OPS-1', self.stored()['ticket'])

    def test_delete_key(self):
        status, body = self.request(self.admin, 'DELETE',
                                    self.path + '/ticket')
        self.assertEqual((HTTPStatus.NO_CONTENT, None), (status, body))
        self.assertNotIn('ticket', self.stored())

    def test_delete_missing_key_is_404(self):
        status, body = self.request(self.admin, 'DELETE',
                                    self.path + '/nothing')
        self.assertEqual(HTTPStatus.NOT_FOUND, status)
        self.assertIn('nothing', body['itemNotFound']['message'])

    @ddt.data(('POST', '', {'admin_metadata': {phases.PHASE_KEY: 'x'}}),
              ('PUT', '/' + phases.PHASE_KEY, {'meta': {phases.PHASE_KEY:
                                                        'x'}}),
              ('DELETE', '/' + phases.PHASE_KEY, None))
    @ddt.unpack
    def test_reserved_keys_are_refused(self, method, suffix, body):
        status, answer = self.request(self.admin, method, self.path + suffix,
                                      body)
        self.assertEqual(HTTPStatus.BAD_REQUEST, status)
        self.assertIn('snapext:', answer['badRequest']['message'])
        self.assertEqual(phases.CREATE_DONE, self.stored()[phases.PHASE_KEY])

    def test_every_phase_key_is_reserved(self):
        for key in phases.RESERVED_KEYS:
            self.assertTrue(key.startswith(admin_metadata.RESERVED_PREFIX))

    @ddt.data({}, {'admin_metadata': {}}, {'admin_metadata': {'k': ''}},
              {'admin_metadata': {'k': 1}}, {'admin_metadata': {'': 'v'}},
              {'admin_metadata': {'k\x00': 'v'}},
              {'admin_metadata': {'k': 'v' * 256}},
              {'admin_metadata': {'k': 'v'}, 'extra': 1},
              {'admin_metadata': {'k%d' % i: 'v' for i in range(65)}})
    def test_bad_bodies_are_400_and_change_nothing(self, body):
        before = self.stored()
        status, _ = self.request(self.admin, 'POST', self.path, body)
        self.assertEqual(HTTPStatus.BAD_REQUEST, status)
        self.assertEqual(before, self.stored())

    @ddt.data(('POST', '', {'admin_metadata': {'k': 'v'}},
               'snapext:snapshot_admin_metadata:update'),
              ('PUT', '/k', {'meta': {'k': 'v'}},
               'snapext:snapshot_admin_metadata:update'),
              ('DELETE', '/ticket', None,
               'snapext:snapshot_admin_metadata:delete'))
    @ddt.unpack
    def test_member_is_forbidden(self, method, suffix, body, rule):
        status, answer = self.request(self.member, method,
                                      self.path + suffix, body)
        self.assertEqual(HTTPStatus.FORBIDDEN, status)
        self.assertIn(rule, answer['forbidden']['message'])
        self.assertEqual('OPS-1', self.stored()['ticket'])

    def test_unknown_snapshot_is_404(self):
        self.snapshot.destroy()
        status, _ = self.request(self.admin, 'POST', self.path,
                                 {'admin_metadata': {'k': 'v'}})
        self.assertEqual(HTTPStatus.NOT_FOUND, status)
