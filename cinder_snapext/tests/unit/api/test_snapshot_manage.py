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

"""Manage and snapshot create without a body: 400, no traceback logged.

Cinder calls a pre-processing extension with the request's arguments;
without a body there is no ``body`` argument, and an extension that
requires one fails with a TypeError that Cinder logs as an error with
its traceback before answering 400.
"""

import logging

from cinder.tests.unit.api import fakes as api_fakes
from cinder.tests.unit import fake_constants as fake
import fixtures
import webob

from cinder_snapext.tests.unit.api import api_request


class NoBodyTestCase(api_request.RouterTestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='cinder.api.openstack.wsgi', level=logging.DEBUG))

    def assert_clean_400(self, path, version='3.0'):
        req = webob.Request.blank('/v3/%s%s' % (fake.PROJECT_ID, path),
                                  method='POST')
        req.headers['OpenStack-API-Version'] = 'volume %s' % version
        response = req.get_response(api_fakes.wsgi_app(
            inner_app_v3=self.app, fake_auth_context=self.admin))
        self.assertEqual(400, response.status_int, response.body)
        self.assertNotIn('TypeError', self.log.output)
        self.assertNotIn('Traceback', self.log.output)

    def test_os_snapshot_manage(self):
        self.assert_clean_400('/os-snapshot-manage')

    def test_manageable_snapshots(self):
        self.assert_clean_400('/manageable_snapshots', '3.8')

    def test_snapshot_create(self):
        self.assert_clean_400('/snapshots')

    def test_consistency_group_delete(self):
        self.assert_clean_400('/consistencygroups/%s/delete'
                              % fake.CONSISTENCY_GROUP_ID)
