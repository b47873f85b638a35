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

"""SnapextLVMVolumeDriver: unmanage, and volumes with backend snapshots."""

import os

from cinder import exception as cinder_exception
from cinder.tests.unit import utils as cinder_utils
from cinder import utils
import ddt
import fixtures

from cinder_snapext.tests.unit.volume.drivers import lvm_outputs as out
from cinder_snapext.tests.unit.volume.drivers import test_lvm
from cinder_snapext.volume.drivers import lvm


class UnmanageSnapshotTestCase(test_lvm.DriverTestCase):

    def setUp(self):
        super().setUp()
        self.snapshot = cinder_utils.create_snapshot(self.ctxt,
                                                     self.volume.id)

    def test_unmanage_leaves_lv_in_place_and_logs_its_name(self):
        driver = self.driver()
        with self.assertLogs(lvm.__name__, 'INFO') as logs:
            driver.unmanage_snapshot(self.snapshot)
        self.assertEqual([], self.commands.executed)
        self.assertIn('%s/_%s' % (out.VG, self.snapshot.name),
                      logs.output[0])

    def test_snapshot_reference_is_escaped_snapshot_name(self):
        self.assertEqual(
            {'source-name': '_snapshot-%s' % self.snapshot.id},
            self.driver().snapext_snapshot_reference(self.snapshot))


@ddt.ddt
class BackendSnapshotsTestCase(test_lvm.DriverTestCase):

    @ddt.named_data(
        ('thick_alone', 'default', out.LVS_ORIGINS_THICK_ALONE, []),
        ('thick_with_snapshot', 'default',
         out.LVS_ORIGINS_THICK_WITH_SNAPSHOT, [out.IMPORTED_LV]),
        ('thin_alone', 'thin', out.LVS_ORIGINS_THIN_ALONE, []),
        ('thin_with_snapshot', 'thin', out.LVS_ORIGINS_THIN_WITH_SNAPSHOT,
         [out.IMPORTED_LV]),
        # The clone is other_volume, a live Cinder volume.
        ('thin_with_cinder_clone', 'thin', out.LVS_ORIGINS_THIN_WITH_CLONE,
         []))
    def test_backend_snapshots_lists_snapshots_of_volume(
            self, lvm_type, listing, names):
        driver = self.driver(lvm_type)
        self.commands.answer(self.listing_command(), listing)
        self.assertEqual(names, driver.snapext_backend_snapshots(self.volume))

    def test_backend_snapshots_lists_clone_of_unmanaged_volume(self):
        # Once its volume is unmanaged, a thin clone is an LV like any
        # other: a thin snapshot of this volume, importable as one.
        driver = self.driver('thin')
        self.other_volume.destroy()
        self.commands.answer(self.listing_command(),
                             out.LVS_ORIGINS_THIN_WITH_CLONE)
        self.assertEqual([out.OTHER_VOLUME_LV],
                         driver.snapext_backend_snapshots(self.volume))

    def test_backend_snapshots_queries_as_root_with_lvm_conf(self):
        lvm_conf = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'lvm.conf')
        open(lvm_conf, 'w').close()
        self.prefix += ('LVM_SYSTEM_DIR=' + os.path.dirname(lvm_conf),)
        driver = self.driver(lvm_conf_file=lvm_conf)
        self.commands.answer(self.listing_command(),
                             out.LVS_ORIGINS_THICK_ALONE)
        driver.snapext_backend_snapshots(self.volume)
        self.assertEqual(
            [(self.listing_command(),
              {'root_helper': utils.get_root_helper(), 'run_as_root': True})],
            self.commands.executed)


@ddt.ddt
class DeleteVolumeTestCase(test_lvm.DriverTestCase):

    @ddt.named_data(('thick', 'default', out.LVS_ORIGINS_THICK_WITH_SNAPSHOT),
                    ('thin', 'thin', out.LVS_ORIGINS_THIN_WITH_SNAPSHOT))
    def test_delete_volume_with_backend_snapshots_is_busy(self, lvm_type,
                                                          listing):
        driver = self.driver(lvm_type)
        self.commands.answer(self.listing_command(), listing)
        self.assertRaises(cinder_exception.VolumeIsBusy,
                          driver.delete_volume, self.volume)
        self.assertEqual([self.listing_command()],
                         [cmd for cmd, _kwargs in self.commands.executed])

    @ddt.named_data(
        ('thick', 'default', out.LVS_ORIGINS_THICK_ALONE,
         out.ATTR_PLAIN_READONLY),
        ('thin', 'thin', out.LVS_ORIGINS_THIN_ALONE,
         out.ATTR_THIN_VOLUME_READONLY),
        # Cinder's thin clone survives its origin: stock behaviour stays.
        ('thin_with_cinder_clone', 'thin', out.LVS_ORIGINS_THIN_WITH_CLONE,
         out.ATTR_THIN_VOLUME_READONLY))
    def test_delete_volume_without_snapshots_removes_lv(self, lvm_type,
                                                        listing, attr):
        driver = self.driver(lvm_type)
        self.commands.answer(self.listing_command(), listing)
        self.canned_lv(out.LVS_VOLUME, name=out.VOLUME_LV)
        # Cinder's delete asks brick's lv_has_snapshot, a --readonly query.
        self.commands.answer(
            self.lvm('lvdisplay', '--noheading', '-C', '-o', 'Attr',
                     '--readonly', '%s/%s' % (out.VG, out.VOLUME_LV)), attr)
        lvremove = ('lvremove', '--config',
                    'activation { retry_deactivation = 1} ', '-f',
                    '%s/%s' % (out.VG, out.VOLUME_LV))
        self.commands.answer(lvremove, '')
        driver.delete_volume(self.volume)
        self.assertEqual([lvremove], self.commands.changes())


@ddt.ddt
class MigrateVolumeTestCase(test_lvm.DriverTestCase):

    @ddt.named_data(('thick', 'default', out.LVS_ORIGINS_THICK_WITH_SNAPSHOT),
                    ('thin', 'thin', out.LVS_ORIGINS_THIN_WITH_SNAPSHOT))
    def test_migrate_volume_with_backend_snapshots_moves_nothing(
            self, lvm_type, listing):
        driver = self.driver(lvm_type)
        self.commands.answer(self.listing_command(), listing)
        host = {'host': 'node1@other',
                'capabilities': {'location_info': 'LVMVolumeDriver:node1:'
                                                  'other-vg:default:0'}}
        self.assertEqual((False, None), driver.migrate_volume(
            self.ctxt, self.volume, host))
        self.assertEqual([self.listing_command()],
                         [cmd for cmd, _kwargs in self.commands.executed])
