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

"""The extension and the snapext RPC namespace in the real services."""

from cinder import context as cinder_context
from cinder.tests.functional.api import client

from cinder_snapext.tests.functional import base
from cinder_snapext.volume import rpcapi

_ADMIN_METADATA = '/snapshots/%s/snapext-admin-metadata'


class SnapextExtensionTestCase(base.FunctionalTestCase):

    def test_alias_listed_after_standard_extensions(self):
        aliases = [e['alias'] for e in self.api.api_get('/extensions')
                   ['extensions']]
        self.assertIn('os-snapext', aliases)
        # Listing ours must not have replaced Cinder's standard extensions.
        self.assertIn('os-snapshot-manage', aliases)

    def test_volume_service_answers_snapext_namespace(self):
        capabilities = rpcapi.SnapextVolumeAPI().get_capabilities(
            cinder_context.get_admin_context(), self.volume.host)
        self.assertEqual(rpcapi.SnapextVolumeAPI.RPC_API_VERSION,
                         capabilities['rpc_version'])

    def test_admin_metadata_unknown_snapshot_is_404(self):
        error = self.assertRaises(
            client.OpenStackApiException404, self.api.api_get,
            _ADMIN_METADATA % '9b1d5e38-1111-4d0b-a2a3-8c8d1f4e5a6b')
        self.assertIn('could not be found', error.response.text)
