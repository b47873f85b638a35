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

"""cinder-backup killed with -9 mid backup of a snapshot, then restarted.

The kill lands once cinder-backup has opened the snapshot to read it in
place (its log says so) and the differential's clone of its parent's
restore point is in the backups pool, while the data is on its way: the
backup is ``creating``, the volume and the snapshot ``backing-up``. After
``tools/stack.sh start backup`` Cinder's clean-up at start must leave the
backup in ``error`` and give the volume and the snapshot their status
back. The backup in ``error`` then deletes with its half-written image
(left behind, the clone kept the parent's restore point in RBD's trash and
the parent's delete failed with ``ImageHasSnapshots``); a new backup of
the snapshot restores the snapshot's data, and nothing is left once
everything is deleted.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step

FIRST = [(0, 64, 'fault-backup-a')]
BEFORE_SNAP = [(128, 256, 'fault-backup-b')]
AFTER_SNAP = [(0, 8, 'fault-backup-c')]
STEP = ' reads volumes/volume-'


class BackupServiceKilledTest(base.FaultScenario):
    """kill -9 of cinder-backup during an incremental snapshot backup."""

    @step
    def test_01_volume_full_backup_snapshot(self):
        self.volume_backup_snapshot('kb', FIRST, BEFORE_SNAP, AFTER_SNAP)

    def _images_of(self, backup_id):
        listing = self.rbd('ls', 'backups')
        return [name for name in listing['images'] + listing['trash']
                if backup_id in name]

    @step
    def test_02_kill_backup_service_mid_backup(self):
        backup_id = self.snapshot_backup_at('kb-killed', STEP)
        # The differential's own image, cloned before the copy starts.
        self.wait_for('the image of backup %s' % backup_id,
                      lambda: self._images_of(backup_id), timeout=60,
                      poll=0.05)
        started = time.monotonic()
        self.servers.kill9('cinder-backup')
        restart = self.servers.stack_tool('start', 'backup')
        self.assertEqual('error', self.settle('backup', backup_id))
        self.settled_around()
        self.ctx.update(started=started, restart=restart, killed=backup_id,
                        messages=self._messages(backup_id))

    @step
    def test_03_errored_backup_deletes_with_its_image(self):
        backup_id = self.ctx['killed']
        status, body = self.api('DELETE', '/backups/%s' % backup_id)
        self.assertEqual(202, status, body)
        self.assertEqual('gone', self.settle('backup', backup_id))
        self.made['backup'].remove(backup_id)
        self.assertEqual([], self._images_of(backup_id))

    @step
    def test_04_new_backup_restores_snapshot_data(self):
        backup_id, backup = self._backup(
            'kb-retry', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(self.ctx['snapshot'], backup['snapshot_id'])
        self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        self.restore_backup('bk')
        self.record('cinder-backup killed (-9), restarted',
                    'incremental backup of a snapshot, at the log line: '
                    + STEP.strip() + ', its clone made',
                    outcome='backup error, then deleted with its image; '
                    'volume, snapshot available; retry restored with the '
                    'right checksum')

    @step(always=True)
    def test_05_nothing_left(self):
        self.finish()
