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

"""What the manager accepts from an assisted snapshot driver."""

import ddt

from cinder_snapext import exception
from cinder_snapext.tests.unit import base
from cinder_snapext.volume.assisted import driver as assisted_driver
from cinder_snapext.volume.assisted import phases


@ddt.ddt
class AssistedSnapshotDriverTestCase(base.TestCase):

    @ddt.unpack
    @ddt.data((None, ({}, {})), ({}, ({}, {})),
              ({'snapshot': {'provider_location': 'x'}},
               ({'provider_location': 'x'}, {})),
              ({'admin_metadata': {'driver:file': 'y'}},
               ({}, {'driver:file': 'y'})))
    def test_checked_updates_with_documented_shape_splits_it(self, updates,
                                                             expected):
        self.assertEqual(expected, assisted_driver.checked_updates(updates))

    @ddt.unpack
    @ddt.data(({'volume': {}}, 'unknown keys volume'),
              ({'snapshot': {'status': 'available'}}, 'snapshot status'),
              ({'admin_metadata': {phases.PHASE_KEY: 'x'}},
               'admin metadata snapext:phase'))
    def test_checked_updates_with_manager_fields_is_refused(self, updates,
                                                            reason):
        error = self.assertRaises(exception.InvalidAssistedSnapshotUpdate,
                                  assisted_driver.checked_updates, updates)
        self.assertIn(reason, str(error))
