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

"""Faults while Nova works on an assisted snapshot of an NFS volume.

The volume is attached through Cinder's attachments API (no instance), so
each snapshot is an online one: cinder-volume begins it, records the
phase and waits for the stack's emulated Nova to call back. Faults, each
while the phase waits for Nova:

- PostgreSQL killed with ``-9`` and started again (``tools/stack.sh up``);
- cinder-volume killed with ``-9``, Nova's callback arriving while it is
  down, then ``tools/stack.sh start volume``;
- Nova's callbacks reordered and repeated: callbacks of an earlier snapshot
  of the same volume, and a duplicate of the waiting one's own;
- Nova's callback lost, the deadline passed, and the callback arriving
  late.

After each the snapshot settles, holds the data of its moment (SHA-256 of
its overlay's backing chain), and once everything is deleted no file of
the volume is left on the share and quota is back to the baseline.
"""

import os
import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step

WAITING = 'create_waiting_compute'
#: Nova's delay while PostgreSQL is restarted: longer than the restart
#: takes on an idle stack (a few seconds), so that the callback normally
#: meets the new server; a slower restart takes the deadline's branch.
DB_NOVA_DELAY = 20
#: Nova's delay while cinder-volume is down: it calls back before the
#: service is started again.
VOLUME_NOVA_DELAY = 10
#: Nova's delay while stale callbacks arrive.
REORDER_NOVA_DELAY = 8
#: Once the deadline of a snapshot whose Nova never called back has
#: passed, the volume service's periodic check fails it within this.
LOST_SETTLE_DEADLINE = 60


class AssistedPhaseFaultsTest(base.NfsFaultScenario):
    """Servers and Nova failing while an assisted snapshot waits."""

    def begin_online(self, what, **behaviour):
        """An online snapshot waiting for Nova; (id, data it must hold)."""
        self.behave(jitter=0, **behaviour)
        expected = self.expected()
        snapshot_id = self.snapshot(what, status='creating')
        self.wait_for('phase waiting for Nova', lambda: self.admin_metadata(
            snapshot_id).get('snapext:phase') == WAITING)
        return snapshot_id, expected

    def first_callback(self, snapshot_id, timeout=120):
        return self.wait_for('Nova called back', lambda: self.callbacks(
            snapshot_id, 1), timeout=timeout)[0]

    def assert_holds(self, snapshot_id, expected):
        self.assertEqual('available', self.settle('snapshot', snapshot_id))
        self.assertEqual(expected, self.snapshot_sha(snapshot_id))
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    def callback_now(self, snapshot_id, status):
        return self.nova('POST', '/emulator/callback', {
            'snapshot_id': snapshot_id, 'status': status})

    @step
    def test_01_attached_volume_with_data(self):
        self.attached_volume('ap-vol', 0x61)

    @step
    def test_02_database_killed_while_nova_works(self):
        snap, expected = self.begin_online('ap-db', delay=DB_NOVA_DELAY)
        started = time.monotonic()
        self.servers.kill9('postgresql')
        restart = self.servers.stack_tool('up')
        callback = self.first_callback(snap)
        if callback['code'] == 202:
            self.assert_holds(snap, expected)
            status = 'available'
        else:
            # Nova called back while the database was away: Cinder could
            # not record it, so the deadline decides, as for a lost one.
            self.pass_deadline(snap)
            status = self.settle('snapshot', snap)
            self.assertEqual('error', status)
            # Nova switched to the overlay Cinder never recorded; the
            # operator removes it once the instance is checked.
            os.unlink(self.path(
                self.admin_metadata(snap)['nfs:left_file']))
        self.write(16, 4, 0x62)
        self.ctx.update(started=started, restart=restart, db_snap=snap,
                        db_sha=expected, messages=self._messages(snap))
        self.record('PostgreSQL killed (-9), started again',
                    'online (Nova-assisted) snapshot create on NFS, phase '
                    'waiting for Nova; Nova calls back after %d s'
                    % DB_NOVA_DELAY,
                    outcome='callback answered %s; snapshot %s, data by '
                    'checksum' % (callback['code'], status))

    @step
    def test_03_volume_service_killed_while_nova_works(self):
        snap, expected = self.begin_online('ap-kv', delay=VOLUME_NOVA_DELAY)
        started = time.monotonic()
        self.servers.kill9('cinder-volume')
        callback = self.first_callback(snap, timeout=60)
        # The API records Nova's word; the service's cast waits or is lost.
        self.assertEqual(202, callback['code'], callback)
        restart = self.servers.stack_tool('start', 'volume')
        self.assert_holds(snap, expected)
        self.write(32, 4, 0x63)
        self.ctx.update(started=started, restart=restart,
                        messages=self._messages(snap))
        self.record('cinder-volume killed (-9), restarted',
                    'online snapshot create on NFS, phase waiting for '
                    'Nova; Nova calls back while the service is down',
                    outcome='snapshot available once the service started '
                    '(the recorded callback continued), data by checksum')

    @step
    def test_04_reordered_and_repeated_callbacks(self):
        earlier = self.ctx['db_snap']
        earlier_status = self.show('snapshot', earlier)['status']
        snap, expected = self.begin_online(
            'ap-reorder', delay=REORDER_NOVA_DELAY, duplicates=1,
            duplicate_delay=1.0)
        started = time.monotonic()
        stale = [self.callback_now(earlier, 'creating'),
                 self.callback_now(earlier, 'error')]
        for answer in stale:
            self.assertTrue(400 <= answer['code'] < 500, answer)
        self.assertEqual(WAITING, self.admin_metadata(snap)['snapext:phase'])
        self.assertEqual(earlier_status,
                         self.show('snapshot', earlier)['status'])
        own = self.wait_for('the duplicate callback',
                            lambda: self.callbacks(snap, 2))
        self.assertEqual(202, own[0]['code'], own)
        self.assertTrue(400 <= own[1]['code'] < 500, own)
        self.assert_holds(snap, expected)
        if earlier_status == 'available':
            self.assertEqual(self.ctx['db_sha'], self.snapshot_sha(earlier))
        self.write(48, 4, 0x64)
        self.record('Nova callbacks reordered and repeated',
                    'online snapshot create on NFS: two callbacks of an '
                    'earlier snapshot while it waits, then its own twice',
                    started, outcome='stale and repeated callbacks %s; '
                    'snapshot available, data by checksum' % ', '.join(
                        str(a['code']) for a in stale + own[1:]))

    @step
    def test_05_lost_then_late_callback(self):
        before, data = self.info(), self.expected()
        snap, _ = self.begin_online('ap-lost', failure='no_callback')
        started = time.monotonic()
        self.pass_deadline(snap)
        # The volume service's periodic check, not a request, ends it.
        self.assertEqual('error', self.settle(
            'snapshot', snap, deadline=LOST_SETTLE_DEADLINE))
        messages = self._messages(snap)
        self.assertEqual(1, len(messages), messages)
        late = self.callback_now(snap, 'creating')
        self.assertTrue(400 <= late['code'] < 500, late)
        self.assertEqual('error', self.show('snapshot', snap)['status'])
        left = self.admin_metadata(snap)['nfs:left_file']
        self.assertEqual(before, self.info())
        self.assertEqual(data, self.sha_of(self.active()))
        self.behave(delay=0.5)
        self.cinder('snapshot-delete', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        # The operator, having checked that the instance never used it.
        os.unlink(self.path(left))
        self.record('Nova callback lost, then late',
                    'online snapshot create on NFS: no callback, deadline '
                    'passed, the callback after it', started,
                    outcome='snapshot error by the periodic check, one '
                    'user message; late callback %s' % late['code'],
                    messages=messages)

    @step(always=True)
    def test_06_nothing_left(self):
        self.behave(delay=0.5)
        for snapshot_id in list(self.made['snapshot']):
            snap = self.show('snapshot', snapshot_id)
            if snap and snap['status'] not in ('available', 'error'):
                self.cinder('snapshot-reset-state', '--state', 'error',
                            snapshot_id, check=False)
        if self.ctx.get('attachment'):
            self.cinder('attachment-delete', self.ctx.pop('attachment'))
            self.wait_status('volume', self.ctx['volume'], 'available')
        self.finish()
