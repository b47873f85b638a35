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

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step

SIZE_GB = 1
FIRST = [(0, 16, 'inuse-first'), (600, 8, 'inuse-first-b')]
BEFORE_SNAP = [(64, 8, 'inuse-a')]
AFTER_SNAP = [(0, 4, 'inuse-b'), (900, 8, 'inuse-b2')]
# A connector as Nova's compute host on this machine would send it.
ATTACH_ARGS = ['--connect', 'True', '--initiator', 'iqn.2026-11.it:snapext',
               '--ip', '127.0.0.1', '--host', 'ci', '--platform', 'x86_64',
               '--ostype', 'linux', '--mode', 'rw']


class CephInUseBackupTest(base.ScenarioTestCase):
    """Backups of an attached volume and of its snapshot, restored."""

    written = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.written = []

    def volume_image(self, volume_id):
        return 'volume-%s' % volume_id

    def _write(self, writes):
        image = self.volume_image(self.ctx['volume'])
        for off, length, seed in writes:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        self.written.extend(writes)
        expected = base.expected_sha256(SIZE_GB * base.GiB, self.written)
        self.assertEqual(expected, self.image_sha256(image))
        return expected

    def _messages(self, resource_id):
        rows = base.parse_table(self.cinder('message-list'))
        return [r['User Message'] for r in rows
                if r.get('Resource UUID') == resource_id]

    def _backup(self, what, *args):
        out = self.cinder('backup-create', '--name', self.name(what),
                          *(args + (self.ctx['volume'],)))
        backup_id = base.parse_properties(out)['id']
        self.made['backup'].append(backup_id)
        backup = self.wait_status('backup', backup_id, 'available')
        volume = self.wait_status('volume', self.ctx['volume'], 'in-use')
        self.assertIn(self.ctx['attachment'], volume['attachment_ids'])
        return backup_id, backup

    def _restore(self, key):
        backup_id, expected = self.ctx[key]
        out = self.cinder('backup-restore', '--name',
                          self.name('restored-%s' % key), backup_id)
        vol_id = base.parse_properties(out)['volume_id']
        self.made['volume'].append(vol_id)
        self.wait_status('volume', vol_id, 'available')
        self.wait_status('backup', backup_id, 'available')
        self.assertEqual(expected, self.image_sha256(self.volume_image(
            vol_id)), 'restored data differs from the data at backup time')

    # -- steps -----------------------------------------------------------

    @step
    def test_01_attached_volume_with_data(self):
        out = self.cinder('create', '--volume-type', 'ceph', '--name',
                          self.name('inuse-vol'), str(SIZE_GB))
        vol_id = base.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        self.ctx['volume'] = vol_id
        self.wait_status('volume', vol_id, 'available')
        self.ctx['sha_first'] = self._write(FIRST)
        out = self.cinder('attachment-create', *ATTACH_ARGS, vol_id)
        self.ctx['attachment'] = base.parse_properties(out)['id']
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
        self.assertEqual([], base.parse_table(self.cinder(
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
        sha_snap = self._write(BEFORE_SNAP)
        out = self.cinder('snapshot-create', '--name',
                          self.name('inuse-snap'), self.ctx['volume'])
        snap_id = base.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.ctx['snapshot'] = snap_id
        self.wait_status('snapshot', snap_id, 'available')
        self.ctx['sha_snap'] = sha_snap
        self.ctx['sha_after'] = self._write(AFTER_SNAP)

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
        self._restore('bk_full')

    @step
    def test_09_restore_incremental_of_snapshot(self):
        self._restore('bk_snap_incr')

    @step
    def test_10_restore_incremental_of_volume(self):
        self._restore('bk_vol_incr')

    @step
    def test_11_restore_full_of_snapshot(self):
        self._restore('bk_snap_full')

    @step(always=True)
    def test_12_detach_and_delete_everything(self):
        if self.ctx.get('attachment'):
            self.cinder('attachment-delete', self.ctx['attachment'])
            self.wait_status('volume', self.ctx['volume'], 'available')
            self.ctx.pop('attachment')
        made = {kind: list(ids) for kind, ids in self.made.items()}
        self.sweep()
        for kind, ids in made.items():
            for obj_id in ids:
                self.assertIsNone(self.show(kind, obj_id))
            self.made[kind] = []

    @step(always=True)
    def test_13_no_image_left_behind(self):
        volume_id = self.ctx.get('volume')
        if not volume_id:
            self.skipTest('no volume was made')
        for pool in ('volumes', 'backups'):
            listing = self.rbd('ls', pool)
            left = [name for name in listing['images'] + listing['trash']
                    if volume_id in name]
            self.assertEqual([], left, 'left in pool %s' % pool)
