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
place (its log says so), while the differential is on its way to the
backups pool: the backup is ``creating``, the volume and the snapshot
``backing-up``. After ``tools/stack.sh start backup`` Cinder's clean-up
at start must leave the backup in ``error`` and give the volume and the
snapshot their status back; a new backup of the snapshot then restores
the snapshot's data, and nothing is left once everything is deleted.
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

    @step
    def test_02_kill_backup_service_mid_backup(self):
        backup_id = self.snapshot_backup_at('kb-killed', STEP)
        started = time.monotonic()
        self.servers.kill9('cinder-backup')
        restart = self.servers.stack_tool('start', 'backup')
        self.assertEqual('error', self.settle('backup', backup_id))
        self.settled_around()
        self.ctx.update(started=started, restart=restart,
                        messages=self._messages(backup_id))

    @step
    def test_03_new_backup_restores_snapshot_data(self):
        backup_id, backup = self._backup(
            'kb-retry', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(self.ctx['snapshot'], backup['snapshot_id'])
        self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        self.restore_backup('bk')
        self.record('cinder-backup killed (-9), restarted',
                    'incremental backup of a snapshot, at the log line: '
                    + STEP.strip(),
                    outcome='backup error; volume, snapshot available; '
                    'retry restored with the right checksum')

    @step(always=True)
    def test_04_nothing_left(self):
        self.finish()
