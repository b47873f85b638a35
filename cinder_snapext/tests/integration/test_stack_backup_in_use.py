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

"""Backups of an in-use RBD volume and of its snapshot, on Ceph, by checksum.

The volume is attached through Cinder's attachments API with a connector
and no instance, as Nova would attach it, so Cinder sees it ``in-use``.
Full and incremental backups of the volume (``--force``) and of a
snapshot taken while attached, each restored into a new volume whose
librbd checksum must equal the data at its point in time; after each
backup the volume is ``in-use`` again and still attached.
"""

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli

FIRST = [(0, 16, 'inuse-first'), (600, 8, 'inuse-first-b')]
BEFORE_SNAP = [(64, 8, 'inuse-a')]
AFTER_SNAP = [(0, 4, 'inuse-b'), (900, 8, 'inuse-b2')]
# A connector as Nova's compute host on this machine would send it.
ATTACH_ARGS = ['--connect', 'True', '--initiator', 'iqn.2026-11.it:snapext',
               '--ip', '127.0.0.1', '--host', 'ci', '--platform', 'x86_64',
               '--ostype', 'linux', '--mode', 'rw']


class CephInUseBackupTest(backup_base.RbdBackupScenario):
    """Backups of an attached volume and of its snapshot, restored."""

    VOLUME_STATUS = 'in-use'

    def check_after_backup(self, backup, volume):
        self.assertIn(self.ctx['attachment'], volume['attachment_ids'])

    # -- steps -----------------------------------------------------------

    @step
    def test_01_attached_volume_with_data(self):
        self.ctx['sha_first'] = self._create_volume('inuse-vol', FIRST)
        vol_id = self.ctx['volume']
        out = self.cinder('attachment-create', *ATTACH_ARGS, vol_id)
        self.ctx['attachment'] = cli.parse_properties(out)['id']
        self.cinder('attachment-complete', self.ctx['attachment'])
        volume = self.wait_status('volume', vol_id, 'in-use')
        self.assertIn(self.ctx['attachment'], volume['attachment_ids'])

    @step
    def test_02_in_use_needs_force(self):
        rc, out, err = self.cinder('backup-create', '--name',
                                   self.name('inuse-noforce'),
                                   self.ctx['volume'], check=False)
        self.assertNotEqual(0, rc, out)
        self.assertIn('force', err)
        self.assertEqual([], cli.parse_table(self.cinder(
            'backup-list', '--volume-id', self.ctx['volume'])))
        self.assertEqual('in-use', self.show('volume',
                                             self.ctx['volume'])['status'])

    @step
    def test_03_full_backup_of_in_use_volume(self):
        backup_id, backup = self._backup('inuse-full', '--force')
        self.assertEqual('False', backup['is_incremental'])
        self.ctx['bk_full'] = (backup_id, self.ctx['sha_first'])

    @step
    def test_04_snapshot_while_attached(self):
        self._snapshot_between('inuse-snap', BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_05_incremental_backup_of_snapshot(self):
        backup_id, backup = self._backup(
            'inuse-snap-incr', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(('True', self.ctx['snapshot']),
                         (backup['is_incremental'], backup['snapshot_id']))
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self.assertEqual([], self._messages(backup_id))
        self.ctx['bk_snap_incr'] = (backup_id, self.ctx['sha_snap'])

    @step
    def test_06_incremental_backup_of_in_use_volume(self):
        backup_id, backup = self._backup('inuse-vol-incr', '--incremental',
                                         '--force')
        self.assertEqual('True', backup['is_incremental'])
        self.assertEqual([], self._messages(backup_id))
        self.ctx['bk_vol_incr'] = (backup_id, self.ctx['sha_after'])

    @step
    def test_07_full_backup_of_snapshot(self):
        backup_id, backup = self._backup(
            'inuse-snap-full', '--snapshot-id', self.ctx['snapshot'])
        self.assertEqual(('False', self.ctx['snapshot']),
                         (backup['is_incremental'], backup['snapshot_id']))
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self.ctx['bk_snap_full'] = (backup_id, self.ctx['sha_snap'])

    @step
    def test_08_restore_full_of_volume(self):
        self.restore_backup('bk_full')

    @step
    def test_09_restore_incremental_of_snapshot(self):
        self.restore_backup('bk_snap_incr')

    @step
    def test_10_restore_incremental_of_volume(self):
        self.restore_backup('bk_vol_incr')

    @step
    def test_11_restore_full_of_snapshot(self):
        self.restore_backup('bk_snap_full')

    @step(always=True)
    def test_12_detach_and_delete_everything(self):
        if self.ctx.get('attachment'):
            self.cinder('attachment-delete', self.ctx['attachment'])
            self.wait_status('volume', self.ctx['volume'], 'available')
            self.ctx.pop('attachment')
        self.sweep_made()

    @step(always=True)
    def test_13_no_image_left_behind(self):
        self._assert_no_image_left()
