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

"""The services killed with -9 at the other steps of backup and restore.

test_backup_service_killed kills cinder-backup while it reads the
snapshot; here:

- cinder-volume dies once cinder-backup has started the snapshot's
  backup, as cinder-backup asks it for the snapshot's backup device
  (a synchronous RPC call); ``tools/stack.sh start volume``;
- cinder-backup dies once it has started restoring that backup into a
  new volume; ``tools/stack.sh start backup``: Cinder's clean-up at start
  must give the backup its status back and put the half-restored volume
  in ``error``.

After each the resources settle, a restore made afterwards has the
snapshot's data by checksum, and nothing is left once all is deleted.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step

FIRST = [(0, 32, 'fault-steps-a')]
BEFORE_SNAP = [(64, 96, 'fault-steps-b')]
AFTER_SNAP = [(0, 8, 'fault-steps-c')]
BACKUP_STEP = 'Create backup started, backup: '
RESTORE_STEP = 'Restore backup started, backup: '


class ServicesKilledBackupStepsTest(base.FaultScenario):
    """kill -9 of cinder-volume mid backup, of cinder-backup mid restore."""

    @step
    def test_01_volume_full_backup_snapshot(self):
        self.volume_backup_snapshot('ks', FIRST, BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_kill_volume_service_at_backup_start(self):
        backup_id = self.snapshot_backup_at('ks-vol-killed', BACKUP_STEP)
        started = time.monotonic()
        self.servers.kill9('cinder-volume')
        restart = self.servers.stack_tool('start', 'volume')
        status = self.settle('backup', backup_id)
        self.assertIn(status, ('available', 'error'))
        self.settled_around()
        if status == 'available':
            self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        else:
            self.ctx['bk'] = (self._backup(
                'ks-retry', '--incremental', '--snapshot-id',
                self.ctx['snapshot'])[0], self.ctx['sha_snap'])
        self.ctx.update(started=started, restart=restart,
                        messages=self._messages(backup_id))
        self.record('cinder-volume killed (-9), restarted',
                    'incremental backup of a snapshot, at the log line: '
                    + BACKUP_STEP.strip(), outcome='backup %s; volume, '
                    'snapshot available' % status)

    @step
    def test_03_kill_backup_service_mid_restore(self):
        backup_id, _ = self.ctx['bk']
        vol_id = self.restore_at('ks-half-restored', backup_id,
                                 RESTORE_STEP)
        started = time.monotonic()
        self.servers.kill9('cinder-backup')
        restart = self.servers.stack_tool('start', 'backup')
        self.assertEqual('available', self.settle('backup', backup_id))
        # Cinder's clean-up at start marks an interrupted restore's volume;
        # a restore that ended just before the kill keeps it available.
        status = self.settle('volume', vol_id)
        self.assertIn(status, ('available', 'error_restoring'))
        self.ctx.update(started=started, restart=restart, half=status,
                        messages=self._messages(vol_id))

    @step
    def test_04_restore_again_has_snapshot_data(self):
        self.restore_backup('bk')
        self.record('cinder-backup killed (-9), restarted',
                    'restore of a snapshot\'s backup into a new volume, at '
                    'the log line: ' + RESTORE_STEP.strip(),
                    outcome='backup available; the half-restored volume '
                    '%s; a new restore has the right checksum'
                    % self.ctx['half'])

    @step(always=True)
    def test_05_nothing_left(self):
        self.finish()
