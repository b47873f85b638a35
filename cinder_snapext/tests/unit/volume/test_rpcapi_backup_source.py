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

"""get_backup_source over Cinder's fake transport, both ends real."""

from cinder import context as cinder_context
import oslo_messaging as messaging

from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes
from cinder_snapext.volume import endpoint
from cinder_snapext.volume import rpcapi

MANAGER = 'cinder_snapext.volume.manager.SnapextVolumeManager'


class GetBackupSourceTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.rpcapi = rpcapi.SnapextVolumeAPI()

    def _snapshot(self):
        return fakes.create_snapshot(self.ctxt, host='snapext#pool')

    def test_driver_that_knows_answers_with_the_location(self):
        service = self.start_service('volume', host='snapext',
                                     manager=MANAGER)
        asked = []

        def where(snapshot):
            # The backend's answer; the Snapshot crossed the RPC intact.
            asked.append(snapshot.id)
            return {'pool': 'volumes', 'image': snapshot.volume_name,
                    'snapshot': snapshot.name}
        service.manager.driver.snapext_backup_source = where
        snapshot = self._snapshot()
        self.assertEqual({'pool': 'volumes', 'image': snapshot.volume_name,
                          'snapshot': snapshot.name},
                         self.rpcapi.get_backup_source(self.ctxt, snapshot))
        self.assertEqual([snapshot.id], asked)

    def test_driver_that_cannot_say_answers_none(self):
        # Cinder's own drivers: the backup takes Cinder's path.
        self.start_service('volume', host='snapext', manager=MANAGER)
        self.assertIsNone(self.rpcapi.get_backup_source(self.ctxt,
                                                        self._snapshot()))

    def test_service_before_1_3_answers_none(self):
        # A volume service not yet upgraded, in a rolling upgrade.
        self.mock_object(endpoint.SnapextVolumeEndpoint, 'target',
                         messaging.Target(namespace=rpcapi.NAMESPACE,
                                          version='1.2'))
        self.start_service('volume', host='snapext', manager=MANAGER)
        self.assertIsNone(self.rpcapi.get_backup_source(self.ctxt,
                                                        self._snapshot()))
