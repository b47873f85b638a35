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

"""Ids that cannot exist, on every route we extend: 404 or 400, never 500.

A NUL character in an id reached PostgreSQL from our frames and answered
500; these requests must be answered before any query, as Cinder answers
an unknown id, and change nothing.
"""

from cinder.tests.functional.api import client
import ddt

from cinder_snapext.tests.functional import base

BAD = 'x%00y'  # a NUL character, once the path is decoded
REAL = 'SNAPSHOT'


@ddt.ddt
class HostileIdsTestCase(base.FunctionalTestCase):

    _osapi_version = '3.70'

    def setUp(self):
        super().setUp()
        self.snapshot = self.create_volume_and_snapshot()

    def _answer(self, method, path, body=None):
        path = path.replace(REAL, self.snapshot['id'])
        call = getattr(self.api, 'api_' + method)
        args = (path,) if body is None else (path, body)
        error = self.assertRaises(client.OpenStackApiException, call, *args)
        return error.response.status_code, error.response.text

    @ddt.data(
        ('delete', '/volumes/%s' % BAD, None),
        ('delete', '/volumes/%s?cascade=True' % BAD, None),
        ('post', '/volumes/%s/action' % BAD, {'os-force_delete': {}}),
        ('post', '/volumes/%s/action' % BAD,
         {'os-migrate_volume': {'host': 'h@b#p'}}),
        ('delete', '/snapshots/%s' % BAD, None),
        ('post', '/snapshots/%s/action' % BAD,
         {'os-update_snapshot_status': {'status': 'creating',
                                        'progress': '90%'}}),
        ('get', '/snapshots/%s/snapext-admin-metadata' % BAD, None),
        ('get', '/snapshots/%s/snapext-admin-metadata/k%%00' % REAL, None),
        ('post', '/snapshots/%s/snapext-admin-metadata' % BAD,
         {'admin_metadata': {'k': 'v'}}),
        ('put', '/snapshots/%s/snapext-admin-metadata/k%%00' % REAL,
         {'meta': {'k': 'v'}}),
        ('delete', '/snapshots/%s/snapext-admin-metadata/k%%00' % REAL, None),
        ('get', '/snapext-assisted-phases/%s' % BAD, None),
        ('post', '/os-snapshot-manage/%s/action' % BAD, {'os-unmanage': {}}),
        ('post', '/groups/%s/action' % BAD,
         {'delete': {'delete-volumes': True}}),
    )
    @ddt.unpack
    def test_id_that_cannot_exist_is_404(self, method, path, body):
        status, text = self._answer(method, path, body)
        self.assertEqual(404, status, text)
        self.assertNotIn('\\u0000', text)
        self.assertEqual('available',
                         self.api.get_snapshot(self.snapshot['id'])['status'])

    # Found by the fuzzer: Cinder's Resource crashed (ValueError, a 500)
    # on these headers before any controller of ours ran.
    @ddt.data(
        ('get', '/snapshots/%s/snapext-admin-metadata' % REAL, None),
        ('get', '/snapshots/%s/snapext-admin-metadata/k' % REAL, None),
        ('post', '/os-snapshot-manage/%s/action' % REAL,
         '{"os-unmanage": {}}'),
    )
    @ddt.unpack
    def test_malformed_version_header_on_our_routes_is_400(self, method,
                                                             path, body):
        path = path.replace(REAL, self.snapshot['id'])
        self.api.api_version = None
        for header in ('volume', 'volume 3.0 volume 3.70', 'volume x'):
            response = self.api.api_request(
                path, method=method.upper(), body=body,
                headers={'OpenStack-API-Version': header})
            self.assertEqual(400, response.status_code, response.text)
            self.assertIn('OpenStack-API-Version', response.text)
        self.assertEqual('available',
                         self.api.get_snapshot(self.snapshot['id'])['status'])

    def test_version_header_on_our_routes_is_read_as_cinder_reads_it(self):
        path = '/snapshots/%s/snapext-admin-metadata' % self.snapshot['id']
        self.api.api_version = None
        for header, status in (('volume 3.70', 200), ('volume latest', 200),
                               ('volume 3.99', 406), ('volume 2.0', 406)):
            response = self.api.api_request(
                path, headers={'OpenStack-API-Version': header})
            self.assertEqual(status, response.status_code, response.text)
        response = self.api.api_request(
            path, headers={'OpenStack-API-Version': 'volume 3.70'})
        self.assertEqual('volume 3.70',
                         response.headers['OpenStack-API-Version'])

    def test_reference_with_control_character_is_400_and_makes_nothing(self):
        before = len(self.api.api_get('/snapshots')['snapshots'])
        for path in ('/os-snapshot-manage', '/manageable_snapshots'):
            status, text = self._answer('post', path, {'snapshot': {
                'volume_id': self.snapshot['volume_id'],
                'ref': {'source-name': 'snap\u0000shot'}}})
            self.assertEqual(400, status, text)
        self.assertEqual(before,
                         len(self.api.api_get('/snapshots')['snapshots']))
