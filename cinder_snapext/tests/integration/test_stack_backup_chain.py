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

"""A mixed chain of volume and snapshot backups on Ceph, restored by checksum.

Stock ``cinder`` CLI only; data written and checked through librbd. Full
backup of the volume, snapshot, incremental backup of the snapshot (an RBD
diff: its image in the backups pool holds only what changed), incremental
backups of the volume on top, a fallback to full when the parent's data
is gone from the volume, and every backup restored into a new volume with
the checksum of the data at its point in time.
"""

import json

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data

# (offset MiB, length MiB, seed), in the order they are written.
FIRST = [(0, 32, 'chain-first'), (512, 16, 'chain-first-b')]
BEFORE_SNAP = [(100, 8, 'chain-a')]
AFTER_SNAP = [(300, 8, 'chain-b'), (0, 4, 'chain-b0')]
LATER = [(700, 4, 'chain-c')]
# What a differential may write: the changed 4 MiB objects, with room.
DIFF_LIMIT = 16 * data.MiB
FORCED_FULL = 'Incremental backup not possible, forcing full backup.'


class CephBackupChainTest(backup_base.RbdBackupScenario):
    """Full, snapshot incremental, volume incrementals, restores."""

    def backup_image(self, backup_id):
        return 'volume-%s.backup.%s' % (self.ctx['volume'], backup_id)

    def _own_bytes(self, image):
        """Bytes allocated in the image itself, not in its clone parent."""
        rc, out, err = cli.run(
            ['rbd', '--id', self.env['SNAPEXT_CEPH_ID'], '-c',
             self.stack.ceph_conf, 'du', '--format', 'json',
             'backups/%s' % image], env=self.env)
        rows = json.loads(out)['images']
        return max(r['used_size'] for r in rows if r['name'] == image)

    # -- steps -----------------------------------------------------------

    @step
    def test_01_volume_with_data(self):
        self.ctx['sha_first'] = self._create_volume('chain-vol', FIRST)

    @step
    def test_02_full_backup_of_volume(self):
        backup_id, backup = self._backup('chain-full')
        self.assertEqual('False', backup['is_incremental'])
        self.ctx['bk_full'] = (backup_id, self.ctx['sha_first'])

    @step
    def test_03_snapshot_between_writes(self):
        self._snapshot_between('chain-snap', BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_04_incremental_backup_of_snapshot_is_a_diff(self):
        backup_id, backup = self._backup(
            'chain-snap-incr', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(('True', self.ctx['snapshot']),
                         (backup['is_incremental'], backup['snapshot_id']))
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self.ctx['bk_snap'] = (backup_id, self.ctx['sha_snap'])
        # Only the 8 MiB written between the full backup and the snapshot
        # went to the backups pool; Cinder's driver copies the whole GiB.
        own = self._own_bytes(self.backup_image(backup_id))
        self.assertLessEqual(own, DIFF_LIMIT)
        self.assertGreaterEqual(own, 8 * data.MiB)
        self.assertEqual([], self._messages(backup_id))
        # Its restore point follows the backup (one monitor commit) and
        # holds the snapshot's data.
        image = self.backup_image(backup_id)
        points = self.wait_for('restore point of %s' % backup_id,
                               lambda: self.rbd_snaps(image, 'backups'),
                               timeout=60)
        self.assertEqual(1, len(points), points)
        self.assertTrue(points[0].startswith('backup.%s.snap.' % backup_id))
        self.assertEqual(self.ctx['sha_snap'], self.image_sha256(
            image, points[0], pool='backups'))

    @step
    def test_04b_delete_right_after_backup(self):
        # Cinder answers at once; the restore point may still be coming.
        status, body = self.api('POST', '/backups', {'backup': {
            'volume_id': self.ctx['volume'], 'incremental': True,
            'snapshot_id': self.ctx['snapshot'],
            'name': self.name('chain-quick')}})
        self.assertEqual(202, status, body)
        backup_id = body['backup']['id']
        self.made['backup'].append(backup_id)

        def available():
            status, body = self.api('GET', '/backups/%s' % backup_id)
            self.assertNotIn('error', body['backup']['status'])
            return body['backup']['status'] == 'available'

        self.wait_for('backup %s available' % backup_id, available,
                      poll=0.05)
        status, body = self.api('DELETE', '/backups/%s' % backup_id)
        self.assertEqual(202, status, body)
        self.wait_gone('backup', backup_id)
        self.made['backup'].remove(backup_id)
        self.assertNotIn(self.backup_image(backup_id),
                         self.rbd('ls', 'backups')['images'])
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')

    @step
    def test_05_incremental_backup_of_volume_on_snapshot_backup(self):
        # Its parent is the snapshot's backup (newest data): Cinder's driver
        # finds no backup snapshot of it on the volume and copies it all.
        backup_id, backup = self._backup('chain-vol-incr', '--incremental')
        self.assertEqual('True', backup['is_incremental'])
        self.ctx['bk_vol_incr'] = (backup_id, self.ctx['sha_after'])
        own = self._own_bytes(self.backup_image(backup_id))
        self.assertLessEqual(own, DIFF_LIMIT)
        self.assertGreaterEqual(own, 12 * data.MiB)

    @step
    def test_05b_restore_point_lost_with_a_stopped_service(self):
        # As if cinder-backup had stopped between reporting the backup
        # available and taking its restore point.
        backup_id = self.ctx['bk_vol_incr'][0]
        image = self.backup_image(backup_id)
        point = self.wait_for('restore point of %s' % backup_id,
                              lambda: self.rbd_snaps(image, 'backups'),
                              timeout=60)[0]
        cli.run(['rbd', '--id', self.env['SNAPEXT_CEPH_ID'], '-c',
                  self.stack.ceph_conf, 'snap', 'rm',
                  'backups/%s@%s' % (image, point)], env=self.env)
        self.assertEqual([], self.rbd_snaps(image, 'backups'))
        self.ctx['lost_point'] = point

    @step
    def test_06_next_incremental_is_cinders_own(self):
        sha_later = self._write(LATER)
        backup_id, backup = self._backup('chain-vol-incr2', '--incremental')
        self.assertEqual('True', backup['is_incremental'])
        self.ctx['bk_vol_incr2'] = (backup_id, sha_later)
        self.assertEqual([], self._messages(backup_id))
        # Its parent's lost point was taken again, under the same name,
        # before Cinder imported the new diff into the parent's image.
        parent_image = self.backup_image(self.ctx['bk_vol_incr'][0])
        self.assertIn(self.ctx['lost_point'],
                      self.rbd_snaps(parent_image, 'backups'))

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
    def test_10_restore_second_volume_incremental(self):
        self.restore_backup('bk_vol_incr2')

    @step
    def test_11_falls_back_to_full_when_parent_data_is_gone(self):
        # A backup of a snapshot that is then deleted: the next incremental
        # has no point on the volume to diff from.
        out = self.cinder('snapshot-create', '--name',
                          self.name('chain-snap2'), self.ctx['volume'])
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.wait_status('snapshot', snap_id, 'available')
        self._backup('chain-snap2-incr', '--incremental', '--snapshot-id',
                     snap_id)
        self.cinder('snapshot-delete', snap_id)
        self.wait_gone('snapshot', snap_id)
        self.made['snapshot'].remove(snap_id)

        backup_id, backup = self._backup('chain-fallback', '--incremental')
        self.assertEqual('False', backup['is_incremental'])
        messages = self._messages(backup_id)
        self.assertEqual(1, len(messages), messages)
        self.assertIn(FORCED_FULL, messages[0])
        self.ctx['bk_fallback'] = (backup_id, self.ctx['bk_vol_incr2'][1])
        self.restore_backup('bk_fallback')

    @step(always=True)
    def test_12_delete_everything(self):
        self.sweep_made()

    @step(always=True)
    def test_13_no_image_left_behind(self):
        self._assert_no_image_left()
