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

"""Snapshot exports of SnapextLVMVolumeDriver against recorded tgt outputs."""

import os

from cinder import objects
from cinder.tests.unit import utils as cinder_utils
from cinder import utils
import ddt
import fixtures
from oslo_concurrency import processutils

from cinder_snapext import opts
from cinder_snapext.tests.unit.volume.drivers import lvm_outputs as out
from cinder_snapext.tests.unit.volume.drivers import test_lvm
from cinder_snapext.tests.unit.volume.drivers import tgt_outputs as tgt

PORTAL = '127.0.0.1:3260'
CONNECTOR = {'initiator': 'iqn.1993-08.org.debian:01:backup-node',
             'host': 'backup-node', 'ip': '127.0.0.1', 'multipath': False}
TGT_SHOW = ('tgt-admin', '--show')
TGTADM_SHOW = ('tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode',
               'target')
TGT_UPDATE = ('tgt-admin', '--update', tgt.IQN)
TGT_DELETE = ('tgt-admin', '--delete', tgt.IQN, '-f')
# Commands of Cinder's temporary volume path: create, copy, clear, remove.
COPY_COMMANDS = {'lvcreate', 'dd', 'lvremove', 'shred', 'cp'}


class TargetCommands(test_lvm.LVMCommands):
    """Canned outputs, and tgt's state once a target is deleted."""

    def __init__(self):
        super().__init__()
        self.deleted = False
        self.refusals = {}

    def refuse(self, program, error):
        """Fail every run of ``program``, whatever its arguments."""
        self.refusals[program] = error

    def __call__(self, *cmd, **kwargs):
        for program, error in self.refusals.items():
            if program in cmd:
                self.executed.append((cmd, kwargs))
                raise error
        output = super().__call__(*cmd, **kwargs)
        if cmd == TGT_DELETE:
            self.deleted = True
            self.outputs[TGT_SHOW] = tgt.SHOW_NO_TARGET
        return output

    def changes(self):
        """The commands executed that are neither LVM nor tgt reports."""
        return [cmd for cmd in super().changes()
                if cmd not in (TGT_SHOW, TGTADM_SHOW)]


@ddt.ddt
class SnapshotExportTestCase(test_lvm.DriverTestCase):

    def setUp(self):
        super().setUp()
        self.commands = TargetCommands()
        self.mock_object(test_lvm.processutils, 'execute', self.commands)
        self.volumes_dir = self.useFixture(fixtures.TempDir()).path
        # Its group must exist before the overrides, whichever test ran
        # first in this process.
        self.backend_configuration()
        for name, value in (('target_helper', 'tgtadm'),
                            ('target_ip_address', '127.0.0.1'),
                            ('volumes_dir', self.volumes_dir)):
            self.override_config(name, value, group=test_lvm.BACKEND)
        self.snapshot = cinder_utils.create_snapshot(
            self.ctxt, self.volume.id, id=tgt.SNAPSHOT_ID)
        self.persistence_file = os.path.join(self.volumes_dir,
                                             self.snapshot.name)

    def activate_command(self):
        return ('lvchange', '-a', 'y', '--yes', '-K',
                '%s/_%s' % (out.VG, self.snapshot.name))

    def answer_export(self):
        """tgt as it answers while it exports the snapshot."""
        self.commands.answer(self.activate_command(), '')
        self.commands.answer(TGTADM_SHOW, tgt.SHOW_NO_TARGET)
        self.commands.answer(TGT_UPDATE, '')
        self.commands.answer(TGT_SHOW, tgt.SHOW_SNAPSHOT_EXPORTED)
        self.commands.answer(TGT_DELETE, '')

    def export(self, driver):
        """What Cinder's volume manager does for the backup service."""
        update = driver.create_export_snapshot(self.ctxt, self.snapshot,
                                               CONNECTOR)
        self.snapshot.update(update)
        self.snapshot.save()
        return update

    def executed_names(self):
        # Programs run, past the LC_ALL=C prefix of LVM commands.
        return {word for cmd, _kwargs in self.commands.executed
                for word in cmd}

    @ddt.data('default', 'thin')
    def test_create_export_snapshot_exports_snapshot_lv_read_only(
            self, lvm_type):
        driver = self.driver(lvm_type)
        self.answer_export()
        update = self.export(driver)

        with open(self.persistence_file) as conf:
            lines = [line.strip() for line in conf]
        self.assertIn('<target %s>' % tgt.IQN, lines)
        self.assertIn('backing-store ' + tgt.SNAPSHOT_DEVICE, lines)
        self.assertIn('readonly 1', lines)
        self.assertEqual('%s,1 %s 1' % (PORTAL, tgt.IQN),
                         update['provider_location'])
        method, user, password = update['provider_auth'].split()
        self.assertEqual('CHAP', method)
        self.assertIn('incominguser %s %s' % (user, password), lines)
        # The thin snapshot skips activation until asked; then tgt.
        self.assertEqual([self.activate_command(), TGT_UPDATE],
                         self.commands.changes())
        self.assertEqual(set(), COPY_COMMANDS & self.executed_names())

    def test_create_export_snapshot_activates_as_root(self):
        driver = self.driver('thin')
        self.answer_export()
        self.export(driver)
        self.assertIn((self.activate_command(),
                       {'root_helper': utils.get_root_helper(),
                        'run_as_root': True}),
                      self.commands.executed)

    def test_initialize_connection_snapshot_returns_snapshot_target(self):
        driver = self.driver()
        self.answer_export()
        update = self.export(driver)
        self.commands.executed.clear()

        connection = driver.initialize_connection_snapshot(self.snapshot,
                                                           CONNECTOR)
        _method, user, password = update['provider_auth'].split()
        self.assertEqual(
            {'driver_volume_type': 'iscsi',
             'data': {'target_discovered': False,
                      'target_portal': PORTAL,
                      'target_iqn': tgt.IQN,
                      'target_lun': 1,
                      'volume_id': self.snapshot.id,
                      'auth_method': 'CHAP',
                      'auth_username': user,
                      'auth_password': password,
                      'encrypted': False,
                      'access_mode': 'ro'}},
            connection)
        self.assertEqual([], self.commands.executed)

    @ddt.data('default', 'thin')
    def test_backup_attach_cycle_removes_target_and_copies_nothing(
            self, lvm_type):
        driver = self.driver(lvm_type)
        self.answer_export()
        self.export(driver)
        driver.initialize_connection_snapshot(self.snapshot, CONNECTOR)
        # The backup service's detach: forced termination, then removal.
        driver.terminate_connection_snapshot(self.snapshot, CONNECTOR,
                                             force=True)
        driver.remove_export_snapshot(self.ctxt, self.snapshot)

        self.assertTrue(self.commands.deleted)
        self.assertFalse(os.path.exists(self.persistence_file))
        self.assertEqual([self.activate_command(), TGT_UPDATE, TGT_DELETE],
                         self.commands.changes())
        self.assertEqual(set(), COPY_COMMANDS & self.executed_names())

    def test_forced_termination_alone_removes_target(self):
        # The backup service's path when attaching failed: it terminates
        # the connection and never asks to remove the export.
        driver = self.driver()
        self.answer_export()
        self.export(driver)
        driver.terminate_connection_snapshot(self.snapshot, CONNECTOR,
                                             force=True)
        self.assertTrue(self.commands.deleted)
        self.assertFalse(os.path.exists(self.persistence_file))

    def test_termination_without_force_keeps_target(self):
        driver = self.driver()
        self.answer_export()
        self.export(driver)
        driver.terminate_connection_snapshot(self.snapshot, CONNECTOR)
        self.assertFalse(self.commands.deleted)
        self.assertTrue(os.path.exists(self.persistence_file))

    def test_remove_export_snapshot_never_exported_changes_nothing(self):
        driver = self.driver()
        driver.remove_export_snapshot(self.ctxt, self.snapshot)
        self.assertEqual([], self.commands.changes())


class BackupDeviceTestCase(test_lvm.DriverTestCase):

    def setUp(self):
        super().setUp()
        self.commands = TargetCommands()
        self.mock_object(test_lvm.processutils, 'execute', self.commands)
        # As Cinder's backup API leaves them for the volume service.
        self.snapshot = cinder_utils.create_snapshot(
            self.ctxt, self.volume.id, status='backing-up')
        self.backup = cinder_utils.create_backup(
            self.ctxt, self.volume.id, status='creating',
            snapshot_id=self.snapshot.id)

    def test_snapshot_backup_device_is_snapshot_itself(self):
        driver = self.driver('default')
        device, is_snapshot = driver.get_backup_device(self.ctxt,
                                                       self.backup)
        self.assertEqual((self.snapshot.id, True), (device.id, is_snapshot))
        self.backup.refresh()
        self.assertIsNone(self.backup.temp_volume_id)
        # Nothing created, copied or even queried.
        self.assertEqual([], self.commands.executed)

    def test_snapshot_backup_disabled_copies_into_temporary_volume(self):
        # Cinder's own path: an LV for the copy. The backend is full, so
        # the backup fails and its snapshot must come back.
        self.override_config('backup_snapshot_in_place', False,
                             group=opts.GROUP)
        driver = self.driver('default')
        self.refuse_lvcreate()
        self.assertRaises(processutils.ProcessExecutionError,
                          driver.get_backup_device, self.ctxt, self.backup)
        self.assertIn('lvcreate', self.executed_names())

        self.snapshot.refresh()
        self.backup.refresh()
        self.assertEqual('available', self.snapshot.status)
        self.assertEqual('error', self.backup.status)
        self.assertIn('insufficient free space', self.backup.fail_reason)
        # Cinder drops the temporary volume's row itself.
        self.assertEqual(
            {self.volume.id, self.other_volume.id},
            {v.id for v in objects.VolumeList.get_all(self.ctxt)})

    def test_failed_backup_leaves_snapshot_changed_since_alone(self):
        self.override_config('backup_snapshot_in_place', False,
                             group=opts.GROUP)
        driver = self.driver('default')
        # An operator reset the snapshot while the request was under way.
        self.snapshot.status = 'error'
        self.snapshot.save()
        self.refuse_lvcreate()
        self.assertRaises(processutils.ProcessExecutionError,
                          driver.get_backup_device, self.ctxt, self.backup)
        self.snapshot.refresh()
        self.assertEqual('error', self.snapshot.status)

    def refuse_lvcreate(self):
        """A full VG; the brick helper then logs every VG's state."""
        self.commands.refuse('lvcreate', processutils.ProcessExecutionError(
            exit_code=5, stderr=out.LVCREATE_NO_SPACE))
        self.commands.answer(
            self.lvm('vgs', '--noheadings', '--unit=g', '-o',
                     'name,size,free,lv_count,uuid', '--separator', ':',
                     '--nosuffix'), out.VGS_INFO)

    def executed_names(self):
        # Programs run, past the LC_ALL=C prefix of LVM commands.
        return {word for cmd, _kwargs in self.commands.executed
                for word in cmd}
