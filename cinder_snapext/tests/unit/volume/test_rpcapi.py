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

"""The snapext RPC namespace over Cinder's fake transport, both ends real."""

import time

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.volume import manager as cinder_manager
import oslo_messaging as messaging
from oslo_utils import timeutils

from cinder_snapext import exception
from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume import endpoint
from cinder_snapext.volume import rpcapi

MANAGER = 'cinder_snapext.volume.manager.SnapextVolumeManager'
_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


def wait_for(predicate, timeout=10):
    """Poll ``predicate`` until true; fail after ``timeout`` seconds."""
    deadline = timeutils.utcnow_ts(microsecond=True) + timeout
    while not predicate():
        if timeutils.utcnow_ts(microsecond=True) > deadline:
            raise AssertionError('condition not met in %ss' % timeout)
        time.sleep(0.02)


class SnapextVolumeAPITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.rpcapi = rpcapi.SnapextVolumeAPI()

    def test_call_get_capabilities_round_trip(self):
        self.start_service('volume', host='snapext', manager=MANAGER)
        capabilities = self.rpcapi.get_capabilities(self.ctxt,
                                                    'snapext#pool')
        self.assertEqual(
            {'rpc_version': rpcapi.SnapextVolumeAPI.RPC_API_VERSION,
             'host': 'snapext', 'features': list(endpoint.FEATURES)},
            capabilities)

    def test_cast_update_admin_metadata_reaches_volume_service(self):
        self.start_service('volume', host='snapext', manager=MANAGER)
        snapshot = fakes.create_snapshot(self.ctxt, host='snapext#pool')
        self.rpcapi.update_snapshot_admin_metadata(
            self.ctxt, snapshot, {'phase': 'begin'})

        def written():
            return _MetadataList.get_by_snapshot(
                self.ctxt, snapshot.id).to_dict() == {'phase': 'begin'}
        wait_for(written)

    def _snapshot_nova_failed(self):
        snapshot = fakes.create_snapshot(self.ctxt, host='snapext#pool',
                                         status='creating')
        phases.write(self.ctxt, snapshot.id,
                     {phases.PHASE_KEY: phases.CREATE_WAITING,
                      phases.COMPUTE_STATUS_KEY: 'creating_compute_error'})
        return snapshot

    def _wait_for_status(self, snapshot, status):
        wait_for(lambda: cinder_objects.Snapshot.get_by_id(
            self.ctxt, snapshot.id).status == status)

    def test_cast_continue_by_id_reaches_the_phase_host(self):
        self.start_service('volume', host='snapext', manager=MANAGER)
        snapshot = self._snapshot_nova_failed()
        # The phase host as the manager records it (here without a
        # backend name).
        self.rpcapi.continue_assisted_snapshot(self.ctxt, snapshot.id,
                                               'snapext')
        self._wait_for_status(snapshot, 'error')
        self.assertEqual(phases.CREATE_FAILED, phases.read(
            self.ctxt, snapshot.id)[phases.PHASE_KEY])

    def test_cast_continue_from_a_1_1_client_still_served(self):
        # An API still on snapext RPC 1.1 sends the Snapshot object.
        self.start_service('volume', host='snapext', manager=MANAGER)
        snapshot = self._snapshot_nova_failed()
        cctxt = self.rpcapi._prepare('snapext', version='1.1')
        cctxt.cast(self.ctxt, 'continue_assisted_snapshot',
                   snapshot=snapshot)
        self._wait_for_status(snapshot, 'error')

    def test_call_to_stock_volume_service_returns_none(self):
        service = self.start_service('volume', host='stock')
        self.assertIs(cinder_manager.VolumeManager, type(service.manager))
        self.assertIsNone(self.rpcapi.get_capabilities(self.ctxt, 'stock'))

    def test_call_to_silent_host_times_out_clearly(self):
        self.override_config('rpc_call_timeout', 1, group='snapext')
        error = self.assertRaises(exception.VolumeServiceTimeout,
                                  self.rpcapi.get_capabilities,
                                  self.ctxt, 'nobody@backend')
        self.assertEqual(503, error.code)
        self.assertIn('nobody@backend', str(error))

    def test_call_to_previous_release_service_still_answers(self):
        # A volume service still on snapext RPC 1.0, in a rolling upgrade.
        self.mock_object(endpoint.SnapextVolumeEndpoint, 'target',
                         messaging.Target(namespace=rpcapi.NAMESPACE,
                                          version='1.0'))
        self.start_service('volume', host='snapext', manager=MANAGER)
        capabilities = self.rpcapi.get_capabilities(self.ctxt, 'snapext')
        self.assertEqual('1.0', capabilities['rpc_version'])

    def test_call_to_a_cluster_reaches_a_member(self):
        # A clustered volume's service_topic_queue names its cluster, not
        # a host: the member's cluster RPC server serves our namespace too,
        # and the host-addressed queue is not what answers. Cinder's fake
        # driver that supports active-active, as RBD does.
        self.override_config(
            'volume_driver',
            'cinder.tests.fake_driver.FakeHAReplicatedLoggingVolumeDriver',
            group='backend_defaults')
        self.start_service('volume', host='member1', cluster='snapcl',
                           manager=MANAGER)
        self.override_config('rpc_call_timeout', 5, group='snapext')
        capabilities = self.rpcapi.get_capabilities(self.ctxt,
                                                    'snapcl#pool')
        self.assertEqual('member1', capabilities['host'])
        self.assertEqual(list(endpoint.FEATURES),
                         capabilities['features'])
