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

"""SnapextLVMVolumeDriver against canned LVM outputs, thick and thin."""


from cinder.brick.local_dev import lvm as brick_lvm
from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder import privsep
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as cinder_utils
from cinder.volume import configuration
from cinder.volume.drivers import lvm as cinder_lvm
import ddt
from oslo_concurrency import processutils

from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.volume.drivers import lvm_outputs as out
from cinder_snapext.volume.drivers import lvm
from cinder_snapext.volume import snapshot_reference

BACKEND = 'lvm-1'
LVM_REPORTS = {'lvm', 'vgs', 'pvs', 'lvs', 'lvdisplay'}


class LVMCommands:
    """processutils.execute for a test: canned output per expected command.

    Every LVM command, the brick helper's and ours, ends here. A command
    the test did not expect fails it; all commands are recorded.
    """

    def __init__(self):
        self.outputs = {}
        self.executed = []

    def answer(self, cmd, output):
        self.outputs[tuple(cmd)] = output

    def __call__(self, *cmd, **kwargs):
        self.executed.append((cmd, kwargs))
        if cmd not in self.outputs:
            raise AssertionError('unexpected command: %s' % ' '.join(cmd))
        output = self.outputs[cmd]
        if isinstance(output, Exception):
            raise output
        return output, ''

    def changes(self):
        """The commands executed that are not LVM reports."""
        return [cmd for cmd, _kwargs in self.executed
                if not LVM_REPORTS & set(cmd[:4])]


class DriverTestCase(base.TestCase):
    """A driver on a real Configuration whose commands are canned."""

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.commands = LVMCommands()
        self.mock_object(processutils, 'execute', self.commands)
        # Run Cinder's privsep'd lvrename in this process, so that it
        # reaches processutils.execute like the other LVM commands.
        privsep.sys_admin_pctxt.set_client_mode(False)
        self.addCleanup(privsep.sys_admin_pctxt.set_client_mode, True)
        # The brick helper keeps both in class attributes across instances.
        self.mock_object(brick_lvm.LVM, 'LVM_CMD_PREFIX', ['env', 'LC_ALL=C'])
        self.mock_object(brick_lvm.LVM, '_supports_pvs_ignoreskippedcluster',
                         None)
        self.prefix = ('env', 'LC_ALL=C')
        self.volume = cinder_utils.create_volume(self.ctxt, id=fake.VOLUME_ID)
        self.other_volume = cinder_utils.create_volume(self.ctxt,
                                                       id=fake.VOLUME2_ID)

    def lvm(self, *args):
        return self.prefix + args

    def lv_command(self, report, lv_name):
        """One of the brick helper's queries about one LV."""
        path = '%s/%s' % (out.VG, lv_name)
        return {
            'size': self.lvm('lvs', '--noheadings', '--unit=g', '-o',
                             'vg_name,name,size', '--nosuffix', '--readonly',
                             path),
            'origin': self.lvm('lvdisplay', '--noheading', '-C', '-o',
                               'Origin', path),
            'attr': self.lvm('lvdisplay', '--noheading', '-C', '-o', 'Attr',
                             path),
        }[report]

    def listing_command(self):
        return self.lvm('lvs', '--noheadings', '-o', 'lv_name,lv_attr,origin',
                        '--separator', ':', '--readonly', out.VG)

    @staticmethod
    def backend_configuration():
        """The backend's options, registered in its group as Cinder does."""
        return configuration.Configuration(
            cinder_lvm.LVMVolumeDriver.get_driver_options(),
            config_group=BACKEND)

    def driver(self, lvm_type='default', lvm_conf_file='None'):
        """The driver as cinder-volume sets it up, on a canned VG."""
        config = self.backend_configuration()
        # Zeroing a thick LV needs its device node; the point here is
        # which LVM commands run, so clear nothing.
        for name, value in (('volume_group', out.VG), ('lvm_type', lvm_type),
                            ('lvm_conf_file', lvm_conf_file),
                            ('volume_clear', 'none')):
            self.override_config(name, value, group=BACKEND)
        self.commands.answer(self.lvm('lvm', 'version'), out.LVM_VERSION)
        self.commands.answer(self.lvm('vgs', '--noheadings', '-o', 'name',
                                      out.VG), out.VGS_NAME)
        self.commands.answer(
            self.lvm('pvs', '--noheadings', '--unit=g', '-o',
                     'vg_name,name,size,free', '--separator', '|',
                     '--nosuffix', '--ignoreskippedcluster'), out.PVS)
        self.commands.answer(
            self.lvm('vgs', '--noheadings', '--unit=g', '-o',
                     'name,size,free,lv_count,uuid', '--separator', ':',
                     '--nosuffix', out.VG), out.VGS_INFO)
        if lvm_type == 'thin':
            self.commands.answer(self.lv_command('size', out.POOL_LV),
                                 out.LVS_POOL)
            self.commands.answer(
                ('lvchange', '-a', 'y', '--yes', '-K',
                 '%s/%s' % (out.VG, out.POOL_LV)), '')
        # The volume's own LV, 1 GiB, is there in every test.
        self.commands.answer(self.lv_command('size', out.VOLUME_LV),
                             out.LVS_VOLUME)
        driver = lvm.SnapextLVMVolumeDriver(configuration=config,
                                            host='node1@' + BACKEND)
        driver.check_for_setup_error()
        self.commands.executed.clear()
        return driver

    def canned_lv(self, lvs, origin=None, attr=None, name=out.IMPORTED_LV):
        """The backend's answers about one LV; lvs None: it does not exist."""
        if lvs is None:
            lvs = processutils.ProcessExecutionError(
                exit_code=5, stderr=out.LVS_NOT_FOUND % name)
        for report, output in (('size', lvs), ('origin', origin),
                               ('attr', attr)):
            if output is not None:
                self.commands.answer(self.lv_command(report, name), output)


@ddt.ddt
class ManageExistingSnapshotTestCase(DriverTestCase):

    def setUp(self):
        super().setUp()
        self.snapshot = cinder_utils.create_snapshot(self.ctxt,
                                                     self.volume.id)

    def assertRefused(self, driver, ref, *names):
        error = self.assertRaises(
            cinder_exception.ManageExistingInvalidReference,
            driver.manage_existing_snapshot_get_size, self.snapshot, ref)
        for name in (self.volume.id,) + names:
            self.assertIn(name, str(error))

    # The volume is 1.01 GiB now: a thick snapshot presents the origin
    # whatever its copy-on-write size, a thin one keeps the size it had.
    @ddt.named_data(
        ('thick', 'default', out.LVS_IMPORTED_COW_0_20G,
         out.ATTR_THICK_SNAPSHOT, 2),
        ('thin', 'thin', out.LVS_IMPORTED_1_00G, out.ATTR_THIN_SNAPSHOT, 1))
    def test_get_size_accepts_snapshot_of_volume_rounded_up(
            self, lvm_type, lvs, attr, size):
        driver = self.driver(lvm_type)
        self.commands.answer(self.lv_command('size', out.VOLUME_LV),
                             out.LVS_VOLUME_1_01G)
        self.canned_lv(lvs, out.ORIGIN_VOLUME, attr)
        self.assertEqual(size, driver.manage_existing_snapshot_get_size(
            self.snapshot, {'source-name': out.IMPORTED_LV}))
        self.assertEqual([], self.commands.changes())

    def test_get_size_accepts_bare_lv_name(self):
        driver = self.driver()
        self.canned_lv(out.LVS_IMPORTED_1_00G, out.ORIGIN_VOLUME,
                       out.ATTR_THICK_SNAPSHOT)
        self.assertEqual(1, driver.manage_existing_snapshot_get_size(
            self.snapshot, out.IMPORTED_LV))

    @ddt.named_data(
        ('thick_plain_lv', 'default', out.ORIGIN_NONE, None,
         'not a snapshot'),
        ('thin_plain_lv', 'thin', out.ORIGIN_NONE, None, 'not a snapshot'),
        ('thick_snapshot_of_other_volume', 'default',
         out.ORIGIN_OTHER_VOLUME, None, out.OTHER_VOLUME_LV),
        ('thin_snapshot_of_other_volume', 'thin', out.ORIGIN_OTHER_VOLUME,
         None, out.OTHER_VOLUME_LV),
        ('merging_snapshot', 'default', out.ORIGIN_VOLUME,
         out.ATTR_MERGING_SNAPSHOT, out.ATTR_MERGING_SNAPSHOT.strip()),
        ('invalid_snapshot', 'default', out.ORIGIN_VOLUME,
         out.ATTR_INVALID_SNAPSHOT, 'invalid'))
    def test_get_size_refuses_lv_not_snapshot_of_volume(
            self, lvm_type, origin, attr, why):
        driver = self.driver(lvm_type)
        self.canned_lv(out.LVS_IMPORTED_1_00G, origin, attr)
        self.assertRefused(driver, {'source-name': out.IMPORTED_LV},
                           out.IMPORTED_LV, why)

    @ddt.data('default', 'thin')
    def test_get_size_refuses_missing_lv(self, lvm_type):
        driver = self.driver(lvm_type)
        self.canned_lv(None)
        self.assertRefused(driver, {'source-name': out.IMPORTED_LV},
                           out.IMPORTED_LV, 'does not exist')

    def test_get_size_answers_endpoint_check_before_any_row(self):
        # The snapext endpoint asks with a transient snapshot: no id yet.
        driver = self.driver('thin')
        self.canned_lv(out.LVS_IMPORTED_1_00G, out.ORIGIN_VOLUME,
                       out.ATTR_THIN_SNAPSHOT)
        self.assertEqual({'size': 1}, snapshot_reference.inspect_on_backend(
            self.ctxt, driver, self.volume, {'source-name': out.IMPORTED_LV}))

    def test_get_size_refuses_reference_without_source_name(self):
        self.assertRefused(self.driver(), {'source-id': out.IMPORTED_LV},
                           'source-name')

    @ddt.data('volume', 'snapshot')
    def test_get_size_refuses_lv_managed_by_cinder(self, kind):
        driver = self.driver()
        managed = cinder_utils.create_snapshot(self.ctxt, self.volume.id)
        lv_name, row = {
            'volume': (out.OTHER_VOLUME_LV, self.other_volume),
            'snapshot': ('_' + managed.name, managed)}[kind]
        self.assertRefused(driver, {'source-name': lv_name}, lv_name,
                           'already manages it as %s %s' % (kind, row.id))
        # Refused on Cinder's records alone, before asking the backend.
        self.assertEqual([], self.commands.executed)

    def test_get_size_accepts_lv_of_unmanaged_snapshot(self):
        # Export then import: the unmanaged row is gone, its LV keeps the
        # name Cinder gave it.
        driver = self.driver()
        unmanaged = cinder_utils.create_snapshot(self.ctxt, self.volume.id)
        unmanaged.destroy()
        lv_name = '_' + unmanaged.name
        self.canned_lv(out.LVS_ROW % (lv_name, '1.00'), out.ORIGIN_VOLUME,
                       out.ATTR_THICK_SNAPSHOT, name=lv_name)
        self.assertEqual(1, driver.manage_existing_snapshot_get_size(
            self.snapshot, {'source-name': lv_name}))

    @ddt.named_data(('thick', 'default', out.ATTR_THICK_SNAPSHOT),
                    ('thin', 'thin', out.ATTR_THIN_SNAPSHOT))
    def test_manage_renames_lv_to_escaped_snapshot_name(self, lvm_type, attr):
        driver = self.driver(lvm_type)
        self.canned_lv(out.LVS_IMPORTED_1_00G, out.ORIGIN_VOLUME, attr)
        rename = ('lvrename', out.VG, out.IMPORTED_LV,
                  '_snapshot-%s' % self.snapshot.id)
        self.commands.answer(rename, '')
        driver.manage_existing_snapshot(self.snapshot,
                                        {'source-name': out.IMPORTED_LV})
        self.assertEqual([rename], self.commands.changes())

    @ddt.data('default', 'thin')
    def test_manage_refuses_snapshot_of_other_volume_renaming_nothing(
            self, lvm_type):
        driver = self.driver(lvm_type)
        self.canned_lv(out.LVS_IMPORTED_1_00G, out.ORIGIN_OTHER_VOLUME)
        self.assertRaises(cinder_exception.ManageExistingInvalidReference,
                          driver.manage_existing_snapshot, self.snapshot,
                          {'source-name': out.IMPORTED_LV})
        self.assertEqual([], self.commands.changes())
