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

"""cinder-volume killed with -9 while it exports (unmanages) a snapshot.

An export of an RBD snapshot takes cinder-volume a few milliseconds, too
short to kill it at a chosen point from outside. So the scenario holds
the snapshot's ``delete_snapshot`` lock (Cinder's lock files) before it
asks for the export: cinder-volume takes the RPC message and waits for
the lock, the API has already moved the snapshot to ``unmanaging``, and
the kill loses the work, as a crash in the middle would. After
``tools/stack.sh start volume`` nothing in Cinder touches the snapshot
again; cinder-snapext's volume service must give it back ``available``
(volume/unmanage_recovery.py: alone, at its start; in a cluster, once the
unmanage is a minute old) with its RBD snapshot and data whole, with a
user message for its owner, and a second export must then work.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step

FIRST = [(0, 16, 'fault-unm-a')]
BEFORE_SNAP = [(32, 16, 'fault-unm-b')]
AFTER_SNAP = [(0, 8, 'fault-unm-c')]
#: A service alone gives the snapshot back at its start; the bound also
#: covers the periodic path: unmanage_recovery.MIN_AGE (60 s), then the
#: periodic task (oslo.service's default spacing, 60 s).
RELEASE_DEADLINE = 240


class UnmanageInterruptedTest(base.FaultScenario):
    """kill -9 of cinder-volume while it exports a snapshot."""

    @step
    def test_01_volume_with_a_snapshot(self):
        self.take_baseline()
        self.create_volume_for_faults('unm-vol', FIRST)
        self._snapshot_between('unm-snap', BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_kill_volume_service_mid_export(self):
        snap = self.ctx['snapshot']
        lock = '%s-delete_snapshot' % snap
        offset = self.servers.log_offset('cinder-volume')
        with self.servers.holding_lock(lock):
            status, body = self.api('POST', '/snapshots/%s/action' % snap,
                                    {'os-unmanage': None})
            self.assertEqual(202, status, body)
            # Cinder logs the lock file's path: '... Acquiring lock
            # "<folder>/cinder-<name>" by "delete_snapshot"'.
            self.assertTrue(self.servers.wait_log(
                'cinder-volume', '/cinder-%s" by' % lock, offset, 60),
                'cinder-volume never asked for ' + lock)
            self.assertEqual('unmanaging',
                             self.show('snapshot', snap)['status'])
            started = time.monotonic()
            self.servers.kill9('cinder-volume')
        restart = self.servers.stack_tool('start', 'volume')
        status = self.settle('snapshot', snap, deadline=RELEASE_DEADLINE)
        self.assertEqual('available', status)
        self.assertEqual('available', self.settle('volume',
                                                  self.ctx['volume']))
        messages = self._messages(snap)
        # Its owner learns that the export did not happen.
        self.assertEqual(1, len(messages), messages)
        self.ctx.update(started=started, restart=restart, status=status,
                        messages=messages)

    @step
    def test_03_exported_again_and_managed_back(self):
        self.exported_again_and_managed_back()
        self.record('cinder-volume killed (-9), restarted',
                    'export (unmanage) of an RBD snapshot, cinder-volume '
                    'holding the request (waiting for the snapshot\'s lock, '
                    'which the scenario holds)', outcome='snapshot back '
                    'available, right checksum; exported again and managed '
                    'back')

    @step(always=True)
    def test_04_nothing_left(self):
        self.finish()
