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

"""A backup member killed mid read of a snapshot; the live one takes over.

Needs the stack with ``CLUSTER=1``: two cinder-backup services, hosts
``ci`` and ``ci2``, in zone ``nova``. An incremental backup of a snapshot
goes to either; the one that logs that it reads the snapshot in place is
killed with ``kill -9`` and is NOT started again while the backup is
settled. Cinder alone would leave the backup ``creating`` and the volume
and snapshot ``backing-up`` until the dead host starts again (its clean-up
at start looks at its own host only, and backups are not in the workers
table that ``cinder work-cleanup`` reads). The live member's take-over
(cinder_snapext/backup/takeover.py) must fail the backup with Cinder's
"Backup service is down." message and give the volume and the snapshot
their status back within TAKEOVER_DEADLINE; a new backup of the snapshot,
served by the live member, restores the snapshot's data by checksum; the
dead member is started again at the end and nothing is left.
"""

import os
import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cluster_faults

FIRST = [(0, 64, 'takeover-a')]
BEFORE_SNAP = [(128, 256, 'takeover-b')]
AFTER_SNAP = [(0, 8, 'takeover-c')]
MEMBERS = cluster_faults.BACKUP_MEMBERS
#: service_down_time (20 s on the stack) until the dead member shows
#: down, then up to periodic_interval (10 s) and backup_takeover_interval
#: (10 s) until a live member looks: 40 s; the rest is room for load.
TAKEOVER_DEADLINE = 120


class BackupMemberKilledTest(cluster_faults.ClusterFault,
                             base.FaultScenario):
    """kill -9 of the cinder-backup member reading a snapshot in place."""

    def _backup_row(self, backup_id):
        status, body = self.api('GET', '/backups/%s' % backup_id)
        self.assertEqual(200, status, body)
        return body['backup']

    @step
    def test_01_volume_full_backup_snapshot(self):
        self.volume_backup_snapshot('tk', FIRST, BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_kill_the_member_mid_read(self):
        offsets = {r: self.servers.log_offset(r) for r in MEMBERS}
        backup_id = self.api_backup('tk-killed', incremental=True,
                                    snapshot_id=self.ctx['snapshot'])
        dead = self.member_at('Backup %s reads volumes/volume-' % backup_id,
                              offsets)
        self.servers.kill9(dead)
        started = time.monotonic()
        self.ctx.update(dead=dead, backup=backup_id, started=started)
        # Killed while reading: what Cinder alone would leave for good.
        self.assertEqual('creating', self._backup_row(backup_id)['status'])
        self.assertEqual('backing-up', self.show(
            'snapshot', self.ctx['snapshot'])['status'])

    @step
    def test_03_live_member_fails_the_backup(self):
        backup_id, dead = self.ctx['backup'], self.ctx['dead']
        live = [r for r in MEMBERS if r != dead][0]
        self.assertEqual('error', self.settle('backup', backup_id,
                                              TAKEOVER_DEADLINE))
        took = time.monotonic() - self.ctx['started']
        self.settled_around()
        row = self._backup_row(backup_id)
        self.assertIn('backup service %s went down' % MEMBERS[dead],
                      row.get('fail_reason') or '', row)
        with open(os.path.join(self.servers.logs, live + '.log')) as f:
            self.assertIn('Backup %s was creating on backup service %s, '
                          'which is down; %s takes it over.'
                          % (backup_id, MEMBERS[dead], MEMBERS[live]),
                          f.read())
        messages = self._messages(backup_id)
        self.assertEqual(['create backup:Backup service is down.'],
                         messages)
        self.ctx.update(took=took, messages=messages, restart=0.0)

    @step
    def test_04_new_backup_restores_snapshot_data(self):
        backup_id, backup = self._backup(
            'tk-retry', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(self.ctx['snapshot'], backup['snapshot_id'])
        self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        self.restore_backup('bk')
        self.record('cinder-backup member killed (-9), not restarted',
                    'incremental backup of a snapshot on the cluster, at '
                    'the log line: reads volumes/volume-',
                    outcome='backup error (taken over by the live member '
                    'in %.0f s); volume, snapshot available; retry '
                    'restored with the right checksum' % self.ctx['took'])

    @step(always=True)
    def test_99_nothing_left(self):
        self.finish()
