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

"""The extension, policies and admin metadata through the real API stack."""

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.tests.functional.api import client

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.functional import base

_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


class SnapextExtensionTestCase(base.FunctionalTestCase):

    def test_alias_listed_after_standard_extensions(self):
        aliases = [e['alias'] for e in self.api.api_get('/extensions')
                   ['extensions']]
        self.assertIn('os-snapext', aliases)
        # Listing ours must not have replaced Cinder's standard extensions.
        self.assertIn('os-snapshot-manage', aliases)
