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

"""Upgrade in place with work in flight, on the real stack.

``tools/stack.sh downgrade-plugin`` puts an earlier cinder-snapext (a
commit of this repository, before the exports table) into the stack;
with it, a snapshot backup chain with its restore point and an exported
snapshot are made. ``tools/stack.sh upgrade-plugin`` then upgrades as the
install guide orders it (package, db sync, cinder-volume, cinder-backup,
cinder-api). The new release must know the old export (recorded by the
volume service at start, refused on volume delete), restore the old
backups, continue their chain, and import the export (checksums).
"""

import os

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli

# (offset MiB, length MiB, seed), in the order they are written.
FIRST = [(0, 16, 'up-first'), (600, 8, 'up-first-b')]
BEFORE_SNAP = [(100, 8, 'up-a')]
AFTER_SNAP = [(300, 8, 'up-b')]
BEFORE_EXPORT = [(50, 4, 'up-c')]
AFTER_UPGRADE = [(700, 4, 'up-d')]


class UpgradeTest(backup_base.RbdBackupScenario):
    """State made by an earlier release, finished by this one."""

    def _manage(self, *args):
        argv = [os.path.join(self.stack.venv, 'bin', 'cinder-snapext-manage'),
                '--config-file', os.path.join(self.stack.dir, 'cinder.conf')]
        return cli.run(argv + list(args), env=self.env)[1]

    @step
    def test_01_earlier_release_installed(self):
        self.ctx['upgrading'] = True
        self.stack_tool('downgrade-plugin', timeout=900)
        self.assertIn('0001', self._manage('db', 'version'))

    @step
    def test_02_backups_by_the_earlier_release(self):
        sha = self._create_volume('up-vol', FIRST)
        backup_id, backup = self._backup('up-full')
        self.ctx['bk_full'] = (backup_id, sha)
        self._snapshot_between('up-snap', BEFORE_SNAP, AFTER_SNAP)
        backup_id, backup = self._backup(
            'up-snap-incr', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual('True', backup['is_incremental'])
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self.ctx['bk_snap'] = (backup_id, self.ctx['sha_snap'])
        # Its restore point, taken by the earlier release.
        image = 'volume-%s.backup.%s' % (self.ctx['volume'], backup_id)
        self.wait_for('restore point of %s' % backup_id,
                      lambda: self.rbd_snaps(image, 'backups'), timeout=60)

    @step
    def test_03_export_by_the_earlier_release(self):
        sha = self._write(BEFORE_EXPORT)
        ref = self.export(self.ctx['volume'], 'up-exp')
        self.ctx['export'] = (ref, sha)

    @step
    def test_04_upgrade_in_the_documented_order(self):
        self.ctx.pop('upgrading')
        self.stack_tool('upgrade-plugin', timeout=900)
        self.assertNotIn('0001', self._manage('db', 'version'))

    @step
    def test_05_the_earlier_export_is_known_and_guards_delete(self):
        ref = self.ctx['export'][0]
        self.assertIn(ref[len('snapshot-'):], self._manage('exports',
                                                           'list'))
        rc, out, err = self.cinder('delete', self.ctx['volume'],
                                   check=False)
        self.assertIn(ref, out + err)
        self.assertNotEqual('deleting',
                            self.show('volume', self.ctx['volume'])['status'])

    @step
    def test_06_earlier_backups_restore(self):
        self.restore_backup('bk_full')
        self.restore_backup('bk_snap')

    @step
    def test_07_chain_continues_after_upgrade(self):
        sha = self._write(AFTER_UPGRADE)
        backup_id, backup = self._backup('up-after', '--incremental')
        self.assertEqual('True', backup['is_incremental'])
        self.ctx['bk_after'] = (backup_id, sha)
        self.restore_backup('bk_after')

    @step
    def test_08_earlier_export_imports(self):
        ref, sha = self.ctx.pop('export')
        snap = self.take_back(self.ctx['volume'], ref)
        image = self.volume_image(self.ctx['volume'])
        self.assertEqual(sha, self.image_sha256(image, 'snapshot-%s' % snap))

    @step(always=True)
    def test_09_delete_everything(self):
        if self.ctx.pop('upgrading', None):
            self.stack_tool('upgrade-plugin', timeout=900)
        if self.ctx.get('export'):
            self.take_back(self.ctx['volume'], self.ctx.pop('export')[0])
        self.sweep_made()

    @step(always=True)
    def test_10_no_image_left_behind(self):
        self._assert_no_image_left()
