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

"""The Ceph OSD stopped for 30 s during a snapshot backup and a restore.

The stack's only OSD gets SIGSTOP once the flow has started (the
service's log says so) and SIGCONT 30 s later: every read and write of
every client hangs meanwhile, as with an OSD host that stalls; after
20 s the monitors mark it down, as its peers would make them. Both flows
must then finish on their own, with the right data.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli

FIRST = [(0, 32, 'fault-osd-a')]
BEFORE_SNAP = [(64, 128, 'fault-osd-b')]
AFTER_SNAP = [(0, 8, 'fault-osd-c')]
STOPPED_S = 30
#: After this the peers of a stalled OSD report it and the monitors mark
#: it down (osd_heartbeat_grace).
GRACE_S = 20
BACKUP_STEP = ' reads volumes/volume-'
RESTORE_STEP = 'Restore backup started, backup: '


class OsdStoppedTest(base.FaultScenario):
    """An OSD that answers nothing for 30 s, then comes back."""

    def stop_osd(self):
        self.servers.freeze('ceph-osd')
        try:
            time.sleep(GRACE_S)
            # What a stalled OSD's peers make the monitors do. The stack's
            # only OSD has none: without this, a PG once stayed 'laggy'
            # after SIGCONT and held every read for good (the backup
            # 'creating', Ceph reporting slow ops blocked for 355 s).
            cli.run(['ceph', '--conf', self.stack.ceph_conf, 'osd', 'down',
                     '0'], env=self.env)
            time.sleep(STOPPED_S - GRACE_S)
        finally:
            self.servers.thaw('ceph-osd')

    @step
    def test_01_volume_full_backup_snapshot(self):
        self.volume_backup_snapshot('osd', FIRST, BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_osd_stopped_during_snapshot_backup(self):
        backup_id = self.snapshot_backup_at('osd-incr', BACKUP_STEP)
        started = time.monotonic()
        self.stop_osd()
        self.assertEqual('available', self.settle('backup', backup_id))
        self.settled_around()
        self.ctx['bk'] = (backup_id, self.ctx['sha_snap'])
        self.record('Ceph OSD stopped %d s (SIGSTOP/SIGCONT)' % STOPPED_S,
                    'incremental backup of a snapshot, at the log line: '
                    + BACKUP_STEP.strip(),
                    started, outcome='backup available')

    @step
    def test_03_osd_stopped_during_restore(self):
        backup_id, expected = self.ctx['bk']
        vol_id = self.restore_at('osd-restored', backup_id, RESTORE_STEP)
        started = time.monotonic()
        self.stop_osd()
        self.assertEqual('available', self.settle('volume', vol_id))
        self.assertEqual('available', self.settle('backup', backup_id))
        self.assertEqual(expected, self.image_sha256(
            self.volume_image(vol_id)))
        self.record('Ceph OSD stopped %d s (SIGSTOP/SIGCONT)' % STOPPED_S,
                    'restore of that backup, at the log line: '
                    + RESTORE_STEP.strip(), started,
                    outcome='volume available, right checksum')

    @step(always=True)
    def test_04_nothing_left(self):
        self.finish()
