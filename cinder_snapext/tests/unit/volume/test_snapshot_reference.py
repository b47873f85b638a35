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
from cinder.volume import configuration
import ddt

from cinder_snapext import exception
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes
from cinder_snapext.volume import snapshot_reference


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


class BackendSnapshotsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = fakes.create_snapshot(self.ctxt)

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


class InspectOnBackendTestCase(base.TestCase):

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
