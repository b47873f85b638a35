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

"""A backup member killed between a backup's available and its point.

Needs the stack with ``CLUSTER=1``: two cinder-backup services, hosts
``ci`` and ``ci2``, in zone ``nova``. A backup of ours is ``available``
once its data is in; its restore point (an RBD snapshot of the backup
image, ``restore_points.point_name``) is taken afterwards in the
background. The Ceph monitor is frozen (SIGSTOP) as soon as the member
that made the backup logs its result, so that the point cannot be taken
yet; once the backup shows ``available`` that member gets ``kill -9`` and
is NOT started again. Then, on the live member: the restore of that
backup (which takes the missing point first, for a differential restore)
is right by checksum; an incremental backup of the volume, the killed
backup's child, restores by checksum; deleting both leaves no image nor
snapshot of them in the backup pool. The dead member is started again
only at the end.
"""

import re
import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cluster_faults

FIRST = [(0, 32, 'point-a')]
BEFORE_SNAP = [(96, 160, 'point-b')]
AFTER_SNAP = [(8, 24, 'point-c')]
MEMBERS = cluster_faults.BACKUP_MEMBERS
#: The member's result logged, the backup saved available: seconds.
AVAILABLE_DEADLINE = 90
#: service_down_time is 20 s on the stack; the rest is room for load.
DOWN_DEADLINE = 120


class BackupMemberKilledBeforePointTest(cluster_faults.ClusterFault,
                                        base.FaultScenario):
    """kill -9 of the backup member whose restore point is pending."""

    def _image(self, backup_id):
        return 'volume-%s.backup.%s' % (self.ctx['volume'], backup_id)

    def _points(self, backup_id):
        return [s for s in self.rbd_snaps(self._image(backup_id), 'backups')
                if s.startswith('backup.%s.snap.' % backup_id)]

    def _member_logged(self, pattern, offsets, deadline):
        """The record of offsets whose log matched pattern after its offset."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            for record, offset in offsets.items():
                with open('%s/%s.log' % (self.servers.logs, record)) as f:
                    f.seek(offset)
                    if re.search(pattern, f.read()):
                        return record
            time.sleep(0.05)
        self.fail('never logged: ' + pattern)

    def _down(self, host):
        status, body = self.api('GET', '/os-services?binary=cinder-backup')
        self.assertEqual(200, status, body)
        return any(s['host'] == host and s['state'] == 'down'
                   for s in body['services'])

    @step
    def test_01_volume_full_backup_snapshot(self):
        self.volume_backup_snapshot('pt', FIRST, BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_kill_the_member_before_its_point(self):
        offsets = {r: self.servers.log_offset(r) for r in MEMBERS}
        backup_id = self.api_backup('pt-killed', incremental=True,
                                    snapshot_id=self.ctx['snapshot'])
        # Logged right before the point is started in the background.
        dead = self._member_logged(
            r'Backup %s: \S+, \d+ bytes moved' % backup_id, offsets, 120)
        self.servers.freeze('ceph-mon')
        try:
            self.wait_status('backup', backup_id, 'available',
                             timeout=AVAILABLE_DEADLINE)
            self.servers.kill9(dead)
        finally:
            self.servers.thaw('ceph-mon')
        self.ctx.update(dead=dead, killed=backup_id,
                        started=time.monotonic())
        # What the kill left: no point (or one the monitor had in hand).
        self.ctx['pending'] = not self._points(backup_id)

    @step
    def test_03_restore_on_the_live_member(self):
        dead, backup_id = self.ctx['dead'], self.ctx['killed']
        live = [r for r in MEMBERS if r != dead][0]
        # Until Cinder counts the member down, the API may still send it
        # the restore, which then waits in its queue for good.
        self.wait_for('%s down' % MEMBERS[dead],
                      lambda: self._down(MEMBERS[dead]),
                      timeout=DOWN_DEADLINE)
        offset = self.servers.log_offset(live)
        self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        self.restore_backup('bk')
        # The point is there now, for the next restore and child.
        self.assertEqual(1, len(self._points(backup_id)))
        if self.ctx['pending']:
            self.assertTrue(self.servers.wait_log(
                live, 'Took the missing restore point backup.%s.snap.'
                % backup_id, offset, 0), 'the live member took no point')
        # With the point, Cinder's restore into RBD moves only the diff.
        self.assertTrue(self.servers.wait_log(
            live, 'Performing differential transfer', offset, 0),
            'the restore read the backup in full')

    @step
    def test_04_child_backup_on_the_live_member(self):
        child_id, child = self._backup('pt-child', '--incremental')
        self.assertTrue(child['is_incremental'], child)
        self.ctx['child'] = (child_id, self.ctx['sha_after'])
        self.restore_backup('child')

    @step
    def test_05_deletes_leave_nothing_in_the_backup_pool(self):
        for key in ('child', 'bk'):
            backup_id = self.ctx[key][0]
            self.cinder('backup-delete', backup_id)
            self.wait_gone('backup', backup_id)
            self.made['backup'].remove(backup_id)
        names = self.rbd('ls', 'backups')
        left = [n for n in names['images'] + names['trash']
                if self.ctx['killed'] in n or self.ctx['child'][0] in n]
        self.assertEqual([], left)
        self.record('cinder-backup member killed (-9) before its restore '
                    'point, not restarted',
                    'incremental backup of a snapshot on the cluster; '
                    'restore, child backup and deletes on the live member',
                    started=self.ctx['started'],
                    outcome='point %s at the kill; restores right by '
                    'checksum, nothing left in the backup pool' % (
                        'pending' if self.ctx['pending'] else 'taken'))

    @step(always=True)
    def test_99_nothing_left(self):
        self.finish()
