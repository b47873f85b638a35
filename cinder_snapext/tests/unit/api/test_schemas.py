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

"""Our request schemas, through Cinder's own validator."""

from cinder import exception as cinder_exception
import ddt
import testtools

from cinder_snapext.api import schemas
from cinder_snapext.internals import api as internal_api

VOLUME = '3b6b4b0c-4b9a-4e0e-8a4a-2f0b1c2d3e4f'


@ddt.ddt
class ManageSnapshotSchemaTestCase(testtools.TestCase):

    def _manage(self, **extra):
        body = {'snapshot': {'volume_id': VOLUME,
                             'ref': {'source-name': 'snapshot-x'},
                             'host': 'ci@ceph'}}
        body.update(extra)
        return body

    def test_spec_body_with_host_is_valid(self):
        internal_api.validate(schemas.manage_snapshot, self._manage())

    # Found by the fuzzer: Cinder's schema holds 'type': 'object' among
    # its properties, and a body with a 'type' key crashed jsonschema
    # (AttributeError: 'str' object has no attribute 'get', a 500).
    @ddt.data('object', 1, None, {'a': [1]})
    def test_top_level_type_key_is_a_validation_error(self, value):
        self.assertRaises(cinder_exception.ValidationError,
                          internal_api.validate, schemas.manage_snapshot,
                          self._manage(type=value))
