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

"""RabbitMQ killed with -9 mid backup of a snapshot, then started again.

The kill lands once cinder-backup has started the backup (its log says
so), before it asks cinder-volume for the snapshot's backup device:
that RPC, and every service's heartbeat, meet a broker that is gone.
``tools/stack.sh up`` starts RabbitMQ again. The backup must end
``available`` or ``error`` within its deadline, the volume and the
snapshot ``available``; a backup of the snapshot then (or the one that
survived) restores the snapshot's data.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step

FIRST = [(0, 32, 'fault-rabbit-a')]
BEFORE_SNAP = [(64, 64, 'fault-rabbit-b')]
AFTER_SNAP = [(0, 8, 'fault-rabbit-c')]
STEP = 'Create backup started, backup: '


class RabbitRestartedTest(base.FaultScenario):
    """RabbitMQ down and back during an incremental snapshot backup."""

    @step
    def test_01_volume_full_backup_snapshot(self):
        self.volume_backup_snapshot('rb', FIRST, BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_restart_rabbitmq_mid_backup(self):
        backup_id = self.snapshot_backup_at('rb-cut', STEP)
        started = time.monotonic()
        self.servers.kill9('rabbitmq')
        restart = self.servers.stack_tool('up')
        status = self.settle('backup', backup_id)
        self.settled_around()
        self.ctx.update(started=started, restart=restart, status=status,
                        cut=backup_id, messages=self._messages(backup_id))

    @step
    def test_03_snapshot_data_restored(self):
        if self.ctx['status'] == 'available':
            self.ctx['bk'] = (self.ctx['cut'], self.ctx['sha_snap'])
        else:
            backup_id, _ = self._backup(
                'rb-retry', '--incremental', '--snapshot-id',
                self.ctx['snapshot'])
            self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        self.restore_backup('bk')
        self.record('RabbitMQ killed (-9), started again',
                    'incremental backup of a snapshot, at the log line: '
                    + STEP.strip(),
                    outcome='backup %s; volume, snapshot available; '
                    'restored with the right checksum' % self.ctx['status'])

    @step(always=True)
    def test_04_nothing_left(self):
        self.finish()
