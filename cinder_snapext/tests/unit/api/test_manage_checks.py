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

"""Checks of a manage request that run before Cinder creates any row."""

from cinder import context as cinder_context
from cinder.tests.unit import fake_volume
import ddt

from cinder_snapext.api import manage_checks
from cinder_snapext import exception
from cinder_snapext.tests.functional import base as functional_base
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes
from cinder_snapext.tests.unit.volume import test_rpcapi
from cinder_snapext.volume import rpcapi


@ddt.ddt
class CheckHostTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.volume = fake_volume.fake_volume_obj(
            cinder_context.get_admin_context(), host='node1@ceph#volumes',
            cluster_name='cluster1@ceph')

    @ddt.data(None, 'node1', 'node1@ceph', 'node1@ceph#volumes',
              'cluster1', 'cluster1@ceph')
    def test_check_host_accepts_what_serves_the_volume(self, host):
        self.assertIsNone(manage_checks.check_host(self.volume, host))

    @ddt.data('node2', 'node1@lvm', 'node1@ceph#other', 'node')
    def test_check_host_refuses_others_naming_both(self, host):
        error = self.assertRaises(exception.ManageHostMismatch,
                                  manage_checks.check_host,
                                  self.volume, host)
        self.assertEqual(400, error.code)
        self.assertIn(host, str(error))
        self.assertIn('node1@ceph#volumes', str(error))


class FindManagedSnapshotTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = fakes.create_snapshot(self.ctxt)

    def test_find_managed_snapshot_by_each_backend_name(self):
        self.snapshot.provider_id = 'backend-17'
        self.snapshot.save()
        for name in (self.snapshot.name, '_' + self.snapshot.name,
                     'backend-17'):
            found = manage_checks.find_managed_snapshot(
                self.ctxt, self.snapshot.volume, {'source-name': name})
            self.assertEqual(self.snapshot.id, found.id)
        self.assertIsNone(manage_checks.find_managed_snapshot(
            self.ctxt, self.snapshot.volume, {'source-name': 'other'}))

    def test_find_managed_snapshot_ignores_destroyed_snapshots(self):
        self.snapshot.destroy()
        self.assertIsNone(manage_checks.find_managed_snapshot(
            self.ctxt, self.snapshot.volume,
            {'source-name': self.snapshot.name}))


class StockServiceFallbackTestCase(base.TestCase):
    """A stock volume service cannot be asked: Cinder's path remains."""

    def test_validate_against_stock_service_keeps_cinder_behaviour(self):
        ctxt = cinder_context.get_admin_context()
        self.start_service('volume', host='stock')
        volume = fakes.create_snapshot(ctxt, host='stock#pool').volume
        self.assertEqual(
            {'source-name': 'anything'},
            manage_checks.validate_snapshot_reference(
                ctxt, volume, 'anything', None, rpcapi.SnapextVolumeAPI()))

    def test_validate_against_snapext_service_asks_the_driver(self):
        ctxt = cinder_context.get_admin_context()
        self.override_config('volume_driver', functional_base.IN_MEMORY_DRIVER,
                             'backend_defaults')
        self.addCleanup(fake_backend.SNAPSHOTS.clear)
        self.start_service('volume', host='snapext',
                           manager=test_rpcapi.MANAGER)
        volume = fakes.create_snapshot(ctxt, host='snapext#pool').volume
        fake_backend.SNAPSHOTS[volume.name] = {'nightly': 3}
        api = rpcapi.SnapextVolumeAPI()

        self.assertEqual({'size': 3}, api.check_snapshot_reference(
            ctxt, volume, {'source-name': 'nightly'}))
        error = self.assertRaises(
            exception.InvalidSnapshotReference,
            manage_checks.validate_snapshot_reference,
            ctxt, volume, {'source-name': 'weekly'}, 'snapext', api)
        self.assertIn('has no snapshot weekly', str(error))
