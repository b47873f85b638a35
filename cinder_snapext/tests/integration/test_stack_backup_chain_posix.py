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

"""The mixed backup chain on the stack's posix cinder-backup, by checksum.

The chain of test_stack_backup_chain (full backup of an RBD volume,
snapshot, writes, incremental of the snapshot, incremental of the volume,
a second incremental of the snapshot that must skip the newer backups,
every backup restored into a new volume), sent to Cinder's
PosixBackupDriver in the availability zone of its own that
tools/stack/lib/part-posix-backup.sh gives it. The parent each
incremental was built on is read from the driver's own metadata file in
``backup_posix_path``; the data through librbd.
"""

import configparser
import glob
import json
import os

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import test_stack_backup_chain as chain


def posix_service(state_dir):
    """(availability zone, backup_posix_path) of the posix cinder-backup.

    None when the stack was brought up without it (POSIX_BACKUP=0, or
    BACKUP=posix).
    """
    folder = os.path.join(state_dir, 'posix-backup')
    try:
        with open(os.path.join(folder, 'enabled')) as f:
            enabled = f.read().strip() == '1'
        with open(os.path.join(state_dir, 'backup')) as f:
            enabled = enabled and f.read().strip() == 'ceph'
    except FileNotFoundError:
        return None
    if not enabled:
        return None
    conf = configparser.ConfigParser(interpolation=None)
    if not conf.read(os.path.join(folder, 'cinder-backup.conf')):
        raise RuntimeError('the posix cinder-backup is enabled but %s has '
                           'no cinder-backup.conf' % folder)
    return (conf.get('DEFAULT', 'storage_availability_zone'),
            conf.get('DEFAULT', 'backup_posix_path'))


class PosixBackupChainTest(backup_base.RbdBackupScenario):
    """Full, snapshot incremental, volume incrementals, restores on posix."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = posix_service(cls.stack.dir)

    def setUp(self):
        super().setUp()
        if self.service is None:
            self.skipTest('the stack runs no posix cinder-backup '
                          '(POSIX_BACKUP=0 or BACKUP=posix)')

    def _metadata(self, backup):
        """The posix driver's metadata file of a backup, parsed."""
        folder = os.path.join(self.service[1], backup['container'])
        found = glob.glob(os.path.join(
            folder, 'volume_*_backup_%s_metadata' % backup['id']))
        self.assertEqual(1, len(found), 'metadata of backup %s in %s: %s' % (
            backup['id'], folder, os.listdir(folder)
            if os.path.isdir(folder) else 'no such folder'))
        with open(found[0]) as f:
            return json.load(f)

    def backup_create_args(self):
        return ('--availability-zone', self.service[0])

    def check_after_backup(self, backup, volume):
        self.assertEqual(self.service[0], backup['availability_zone'])

    def _assert_parent(self, backup, parent_key):
        parent_id = self.ctx[parent_key][0] if parent_key else None
        self.assertEqual(parent_id, self._metadata(backup)['parent_id'])

    # -- steps -----------------------------------------------------------

    @step
    def test_01_volume_with_data(self):
        self.ctx['sha_first'] = self._create_volume('posix-chain-vol',
                                                    chain.FIRST)

    @step
    def test_02_full_backup_of_volume_to_files(self):
        backup_id, backup = self._backup('posix-full')
        self.assertEqual('False', backup['is_incremental'])
        self._assert_parent(backup, None)
        self.ctx['bk_full'] = (backup_id, self.ctx['sha_first'])

    @step
    def test_03_snapshot_between_writes(self):
        self._snapshot_between('posix-chain-snap', chain.BEFORE_SNAP,
                               chain.AFTER_SNAP)

    @step
    def test_04_incremental_backup_of_snapshot(self):
        backup_id, backup = self._backup(
            'posix-snap-incr', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(('True', self.ctx['snapshot']),
                         (backup['is_incremental'], backup['snapshot_id']))
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self._assert_parent(backup, 'bk_full')
        self.ctx['bk_snap'] = (backup_id, self.ctx['sha_snap'])

    @step
    def test_05_incremental_backup_of_volume_on_snapshot_backup(self):
        # The snapshot's backup holds the newest data: it is the parent.
        backup_id, backup = self._backup('posix-vol-incr', '--incremental')
        self.assertEqual('True', backup['is_incremental'])
        self._assert_parent(backup, 'bk_snap')
        self.ctx['bk_vol_incr'] = (backup_id, self.ctx['sha_after'])

    @step
    def test_06_incremental_of_snapshot_skips_newer_backups(self):
        # A second backup of the same snapshot, now that two newer backups
        # exist: its parent is still the full one, the newest whose data
        # predates the snapshot.
        backup_id, backup = self._backup(
            'posix-snap-incr2', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self._assert_parent(backup, 'bk_full')
        self.ctx['bk_snap2'] = (backup_id, self.ctx['sha_snap'])

    @step
    def test_07_restore_full(self):
        self.restore_backup('bk_full')

    @step
    def test_08_restore_snapshot_incremental(self):
        self.restore_backup('bk_snap')

    @step
    def test_09_restore_volume_incremental(self):
        self.restore_backup('bk_vol_incr')

    @step
    def test_10_restore_second_snapshot_incremental(self):
        self.restore_backup('bk_snap2')

    @step(always=True)
    def test_11_delete_everything(self):
        self.sweep_made()

    @step(always=True)
    def test_12_no_file_left_behind(self):
        volume_id = self.ctx.get('volume')
        if not volume_id or self.service is None:
            self.skipTest('no volume was made')
        left = [os.path.join(root, name)
                for root, _dirs, names in os.walk(self.service[1])
                for name in names if volume_id in name]
        self.assertEqual([], left)
        self.assertEqual([], [name for name in self.rbd('ls', 'volumes')[
            'images'] if volume_id in name])
