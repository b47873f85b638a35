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

"""Requests through Cinder's real v3 router with our extension loaded."""

from cinder.api.v3 import router
from cinder import context as cinder_context
from cinder.tests.unit.api import fakes as api_fakes
from cinder.tests.unit import fake_constants as fake
from oslo_serialization import jsonutils
import webob

from cinder_snapext.tests.unit import base

STANDARD = 'cinder.api.contrib.standard_extensions'
OURS = 'cinder_snapext.api.extension.SnapextExtension'


class RouterTestCase(base.TestCase):
    """An admin and a member of one project, and Cinder's v3 router."""

    def setUp(self):
        super().setUp()
        self.override_config('osapi_volume_extension', [STANDARD, OURS])
        self.admin = cinder_context.RequestContext(
            fake.USER_ID, fake.PROJECT_ID, is_admin=True, roles=['admin'])
        self.member = cinder_context.RequestContext(
            fake.USER_ID, fake.PROJECT_ID, is_admin=False,
            roles=['member', 'reader'])
        self.app = router.APIRouter()

    def response(self, context, method, path, body=None):
        """The webob response to ``method /v3/{project}/path``."""
        req = webob.Request.blank('/v3/%s%s' % (fake.PROJECT_ID, path),
                                  method=method)
        if body is not None:
            req.content_type = 'application/json'
            req.body = jsonutils.dump_as_bytes(body)
        return req.get_response(api_fakes.wsgi_app(
            inner_app_v3=self.app, fake_auth_context=context))

    def request(self, context, method, path, body=None):
        """``(status, decoded body or None)`` of ``method /v3/{p}/path``."""
        response = self.response(context, method, path, body)
        decoded = jsonutils.loads(response.body) if response.body else None
        return response.status_int, decoded
