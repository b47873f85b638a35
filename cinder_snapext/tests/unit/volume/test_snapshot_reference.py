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

"""Reference checks that run before Cinder creates a managed snapshot."""

from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder.tests import fake_driver
from cinder.tests.unit import fake_volume
from cinder.volume import configuration
import ddt

from cinder_snapext import exception
from cinder_snapext.tests.functional import base as functional_base
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes
from cinder_snapext.tests.unit.volume import test_rpcapi
from cinder_snapext.volume import rpcapi
from cinder_snapext.volume import snapshot_reference


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
        self.assertIsNone(snapshot_reference.check_host(self.volume, host))

    @ddt.data('node2', 'node1@lvm', 'node1@ceph#other', 'node')
    def test_check_host_refuses_others_naming_both(self, host):
        error = self.assertRaises(exception.ManageHostMismatch,
                                  snapshot_reference.check_host,
                                  self.volume, host)
        self.assertEqual(400, error.code)
        self.assertIn(host, str(error))
        self.assertIn('node1@ceph#volumes', str(error))


@ddt.ddt
class NormalizeTestCase(base.TestCase):

    @ddt.data(('snap', {'source-name': 'snap'}),
              ({'source-id': 'abc'}, {'source-id': 'abc'}),
              ({'source-name': 'a', 'driver-key': 1},
               {'source-name': 'a', 'driver-key': 1}))
    @ddt.unpack
    def test_normalize_accepts_names_ids_and_bare_strings(self, ref, result):
        self.assertEqual(result, snapshot_reference.normalize(ref))

    @ddt.data(None, '', {}, {'other': 'x'}, {'source-name': ''},
              {'source-name': 5}, {'source-id': 'x' * 256}, ['snap'], 7)
    def test_normalize_refuses_malformed_with_the_rule(self, ref):
        error = self.assertRaises(exception.InvalidSnapshotReference,
                                  snapshot_reference.normalize, ref)
        self.assertEqual(400, error.code)
        self.assertIn('"source-name"', str(error))


class ManagedSnapshotTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = fakes.create_snapshot(self.ctxt)

    def test_find_managed_snapshot_by_each_backend_name(self):
        self.snapshot.provider_id = 'backend-17'
        self.snapshot.save()
        for name in (self.snapshot.name, '_' + self.snapshot.name,
                     'backend-17'):
            found = snapshot_reference.find_managed_snapshot(
                self.ctxt, self.snapshot.volume, {'source-name': name})
            self.assertEqual(self.snapshot.id, found.id)
        self.assertIsNone(snapshot_reference.find_managed_snapshot(
            self.ctxt, self.snapshot.volume, {'source-name': 'other'}))

    def test_find_managed_snapshot_ignores_destroyed_snapshots(self):
        self.snapshot.destroy()
        self.assertIsNone(snapshot_reference.find_managed_snapshot(
            self.ctxt, self.snapshot.volume,
            {'source-name': self.snapshot.name}))

    def test_backend_reference_follows_lvm_naming(self):
        driver = fake_driver.FakeLoggingVolumeDriver(
            configuration=configuration.Configuration(None))
        self.assertEqual({'source-name': '_' + self.snapshot.name},
                         snapshot_reference.backend_reference(
                             driver, self.snapshot))

    def test_unmanaged_snapshots_subtracts_managed_names(self):
        driver = _ListingDriver([self.snapshot.name, 'exported-1',
                                 'exported-0'])
        self.assertEqual(['exported-0', 'exported-1'],
                         snapshot_reference.unmanaged_snapshots(
                             self.ctxt, driver, self.snapshot.volume))

    def test_unmanaged_snapshots_unknown_without_driver_listing(self):
        self.assertIsNone(snapshot_reference.unmanaged_snapshots(
            self.ctxt, _NoManageDriver(), self.snapshot.volume))


class StockServiceFallbackTestCase(base.TestCase):
    """A stock volume service cannot be asked: Cinder's path remains."""

    def test_validate_against_stock_service_keeps_cinder_behaviour(self):
        ctxt = cinder_context.get_admin_context()
        self.start_service('volume', host='stock')
        volume = fakes.create_snapshot(ctxt, host='stock#pool').volume
        self.assertEqual(
            {'source-name': 'anything'},
            snapshot_reference.validate_snapshot_reference(
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
            snapshot_reference.validate_snapshot_reference,
            ctxt, volume, {'source-name': 'weekly'}, 'snapext', api)
        self.assertIn('has no snapshot weekly', str(error))

    def test_inspect_driver_without_manage_support_is_invalid_reference(
            self):
        ctxt = cinder_context.get_admin_context()
        volume = fakes.create_snapshot(ctxt).volume
        error = self.assertRaises(
            cinder_exception.ManageExistingInvalidReference,
            snapshot_reference.inspect_on_backend, ctxt,
            _NoManageDriver(), volume, {'source-name': 'lv'})
        self.assertIn('cannot manage existing snapshots', str(error))


class _NoManageDriver:
    """A driver that never implemented snapshot management."""

    def manage_existing_snapshot_get_size(self, snapshot, ref):
        raise NotImplementedError()


class _ListingDriver:
    """A driver that lists a volume's backend snapshots."""

    def __init__(self, names):
        self.names = names

    def snapext_backend_snapshots(self, volume):
        return self.names
