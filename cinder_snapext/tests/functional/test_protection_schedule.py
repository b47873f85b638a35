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


"""Calendar retention and hooks of cinder-snapext-protect, over the API.

The calendar is simulated by moving each snapshot row's created_at, the
time Cinder answers and retention reads; everything else is real: the
API, the volume service, the command as a process, sh for the hooks.
"""

import os

import fixtures

from cinder_snapext.protection import client
from cinder_snapext.tests.functional import protection_base as pbase

# Nightly protections at 23:30 UTC around the turn of 2026: ISO week 53
# runs from Monday 28 December to Sunday 3 January. Eight nights and one
# snapshot by hand stay within the default quota of 10 snapshots.
NIGHTS = ['2026-12-%02d' % day for day in range(29, 32)] + [
    '2027-01-%02d' % day for day in range(1, 6)]


class ScheduleTestCase(pbase.CommandLineTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_prune_over_a_simulated_calendar(self):
        volume = self.create_volume(name='ledger')
        made = {}
        for night in NIGHTS:
            made[night] = self.protect_on(volume['id'], night + 'T23:30:00')
        # A snapshot someone made by hand, older than all: never ours.
        by_hand = self.api.post_snapshot({'snapshot': {
            'volume_id': volume['id'], 'name': 'by-hand'}})
        self.wait_for(lambda: self.api.get_snapshot(by_hand['id']),
                      lambda s: s['status'] == 'available')
        self.backdate('snapshot', by_hand['id'], '2026-01-01T00:00:00')

        policy = ('--keep-daily', '3', '--keep-weekly', '2',
                  '--keep-monthly', '2')
        rows = self.cli_json('prune', 'ledger', *policy, '--dry-run')
        planned = {row['id']: (row['action'], row['reasons'])
                   for row in rows}
        self.assertEqual(len(NIGHTS) + 1, len(rows))
        self.assertEqual(
            ('keep', ['daily 2027-01-05', 'weekly 2027-W01',
                      'monthly 2027-01']), planned[made['2027-01-05']])
        self.assertEqual(('keep', ['daily 2027-01-03', 'weekly 2026-W53']),
                         planned[made['2027-01-03']])
        self.assertEqual(('keep', ['monthly 2026-12']),
                         planned[made['2026-12-31']])
        self.assertEqual(('delete', ['kept by no rule']),
                         planned[made['2026-12-29']])
        self.assertEqual('ignore', planned[by_hand['id']][0])
        # The dry run deleted nothing.
        self.assertEqual(len(NIGHTS) + 1, len(
            client.volume_snapshots(self.cinder, volume['id'])))

        # In Tokyo (UTC+9) 23:30 UTC is already the next morning: the
        # newest protection of December is the one of 30 December, UTC.
        tokyo = {row['id']: row['reasons'] for row in self.cli_json(
            'prune', 'ledger', '--keep-monthly', '2', '--timezone',
            'Asia/Tokyo', '--dry-run')}
        self.assertEqual(['monthly 2026-12'], tokyo[made['2026-12-30']])

        rows = self.cli_json('prune', 'ledger', *policy)
        kept = {made[night] for night in
                ('2027-01-05', '2027-01-04', '2027-01-03', '2026-12-31')}
        self.assertEqual(kept | {by_hand['id']},
                         {s.id for s in client.volume_snapshots(
                             self.cinder, volume['id'])})
        self.assertEqual(len(NIGHTS) - len(kept),
                         len([r for r in rows if r['action'] == 'deleted']))

    def test_protect_hooks_write_files_and_are_recorded(self):
        self.create_volume(name='web')
        marks = os.path.join(self.tmp, 'marks')
        result = self.cli_json(
            'protect', 'web', '--no-progress',
            '--pre', 'echo "pre $SNAPEXT_VOLUME_ID" >> %s; echo flushed'
            % marks,
            '--post', 'echo "post $SNAPEXT_PROTECT_STATUS '
            '$SNAPEXT_SNAPSHOT_ID" >> %s' % marks)
        with open(marks) as f:
            self.assertEqual(['pre %s' % result['volume_id'],
                              'post available %s' % result['id']],
                             f.read().splitlines())
        metadata = self.api.get_snapshot(result['id'])['metadata']
        self.assertRegex(metadata['snapext-hook-pre'],
                         r'^exited 0 after \d+\.\ds: flushed$')
        self.assertRegex(metadata['snapext-hook-post'],
                         r'^exited 0 after \d+\.\ds$')
        self.assertIn(client.PROTECTION_TAG, metadata)

    def test_hung_pre_hook_is_killed_with_its_group(self):
        volume = self.create_volume(name='db')
        pidfile = os.path.join(self.tmp, 'child')
        marks = os.path.join(self.tmp, 'marks')
        result = self.cli_json(
            'protect', 'db', '--no-progress', '--hook-timeout', '1',
            '--pre', 'sleep 600 & echo $! > %s; wait' % pidfile,
            '--post', 'echo "post $SNAPEXT_PROTECT_STATUS" > %s' % marks,
            expect=1)
        self.assertTrue(result['pre_hook']['timed_out'])
        self.assertIn('no snapshot taken', result['error'])
        with open(marks) as f:
            self.assertEqual('post skipped\n', f.read())
        with open(pidfile) as f:
            child = int(f.read())
        self.assertFalse(os.path.exists('/proc/%d' % child) and
                         _state(child) != 'Z', 'sleep %d survived' % child)
        self.assertEqual([], client.volume_snapshots(self.cinder,
                                                     volume['id']))

    def test_post_hook_told_of_a_failed_snapshot(self):
        volume = self.create_volume(name='cache')
        self.reset_status('volumes', volume['id'], 'creating')
        marks = os.path.join(self.tmp, 'marks')
        result = self.cli_json(
            'protect', 'cache', '--no-progress', '--wait-timeout', '1',
            '--post', 'echo "$SNAPEXT_PROTECT_STATUS:$SNAPEXT_PROTECT_ERROR"'
            ' > %s' % marks, expect=1)
        with open(marks) as f:
            status, error = f.read().strip().split(':', 1)
        self.assertEqual('error', status)
        self.assertIn('still in status creating', error)
        self.assertEqual(0, result['post_hook']['exit_status'])


def _state(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(') ')[1][0]
    except FileNotFoundError:
        return 'gone'
