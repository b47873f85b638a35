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

"""PostgreSQL killed with -9 mid export of a snapshot, then started again.

The export (unmanage) of an RBD snapshot is accepted, then the database
dies once cinder-volume has taken the request: the volume service meets
a database that is gone while it exports (Cinder then leaves the
snapshot ``unmanaging``; cinder-snapext's volume service gives it back).
``tools/stack.sh up`` starts PostgreSQL again. The snapshot must end
exported (gone from Cinder, its RBD snapshot kept and recorded),
``available`` (given back, with a user message for its owner) or an
error status within its deadline; then the export
(or the snapshot) is managed back with the data of the moment it was
taken, and nothing is left once everything is deleted.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step

FIRST = [(0, 16, 'fault-db-a')]
BEFORE_SNAP = [(32, 16, 'fault-db-b')]
AFTER_SNAP = [(0, 8, 'fault-db-c')]


class DatabaseRestartedTest(base.FaultScenario):
    """PostgreSQL down and back while a snapshot is exported."""

    @step
    def test_01_volume_with_a_snapshot(self):
        self.take_baseline()
        self.create_volume_for_faults('db-vol', FIRST)
        self._snapshot_between('db-snap', BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_kill_database_mid_export(self):
        snap = self.ctx['snapshot']
        offset = self.servers.log_offset('cinder-volume')
        status, body = self.api('POST', '/snapshots/%s/action' % snap,
                                {'os-unmanage': None})
        self.assertEqual(202, status, body)
        # The kill waits for cinder-volume to take the request, and for
        # the API's 'unmanaging' to be written: the stack's PostgreSQL
        # commits asynchronously, and cinder-volume takes the request
        # within 100 ms on a quiet machine, so a kill then undid the
        # status itself (the snapshot simply 'available', never given
        # back) where a loaded machine had it given back.
        self.assertTrue(self.servers.wait_log(
            'cinder-volume', '%s-delete_snapshot' % snap, offset, 60))
        self.db.flush_commits()
        started = time.monotonic()
        self.servers.kill9('postgresql')
        restart = self.servers.stack_tool('up')
        status = self.settle('snapshot', snap)
        self.assertEqual('available', self.settle('volume',
                                                  self.ctx['volume']))
        messages = self._messages(snap)
        if status == 'available':
            # Only the volume service's check gives it back, and it tells
            # the owner (volume/unmanage_recovery.py).
            self.assertEqual(1, len(messages), messages)
        self.ctx.update(started=started, restart=restart, status=status,
                        messages=messages)

    @step
    def test_03_managed_back_with_its_data(self):
        snap = self.ctx['snapshot']
        if self.ctx['status'] == 'gone':
            self.made['snapshot'].remove(snap)
            snap = self.take_back(self.ctx['volume'], 'snapshot-%s' % snap)
            self.wait_status('snapshot', snap, 'available')
        elif self.ctx['status'] != 'available':
            self.cinder('snapshot-reset-state', '--state', 'available', snap)
        image = self.volume_image(self.ctx['volume'])
        rbd_snap = 'snapshot-%s' % snap
        self.assertIn(rbd_snap, self.rbd_snaps(image))
        self.assertEqual(self.ctx['sha_snap'],
                         self.image_sha256(image, rbd_snap))
        if self.ctx['status'] == 'gone':
            how = 'exported, managed back'
        elif self.ctx['status'] == 'available':
            how = ('still managed: the volume service gave back what the '
                   'interrupted unmanage left unmanaging, and told the '
                   'owner')
        else:
            how = 'reset to available by an admin'
        self.record('PostgreSQL killed (-9), started again',
                    'export (unmanage) of an RBD snapshot, once '
                    'cinder-volume has taken the request (it logs the '
                    'snapshot\'s lock)', outcome='snapshot %s (%s); its RBD '
                    'snapshot has the right checksum' % (
                        self.ctx['status'], how))

    @step(always=True)
    def test_04_nothing_left(self):
        self.finish()
