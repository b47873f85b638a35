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

"""--backup-keep-*: backups counted by rules of their own, or by --keep-*."""

import datetime

import fixtures

from cinder_snapext.protection import arguments
from cinder_snapext.protection import client
from cinder_snapext.tests.unit.protection import command_base
from cinder_snapext.tests.unit.protection import test_retention

# 2026-12-01 is the Tuesday of ISO week 49; the 21st the Monday of week 52.
FIRST_NIGHT = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)
NIGHTS = 21


class BackupRetentionTestCase(command_base.CommandTestCase):

    def setUp(self):
        super().setUp()
        self.clock = test_retention.FakeClock(FIRST_NIGHT)
        self.cinder.wall_clock = self.clock

    def run_json(self, *argv):
        return self.run_cli(*argv)[0]

    def nightly(self, nights, *rules):
        """protect --backup once a night; the days of the runs, in order."""
        for _ in range(nights):
            self.run_json('protect', 'data', '--backup', *rules)
            self.clock.tick(datetime.timedelta(days=1))

    def days(self, items):
        return sorted(datetime.datetime.fromisoformat(item.created_at).day
                      for item in items.values())

    def usage_error(self, argv):
        stderr = self.useFixture(fixtures.StringStream('stderr')).stream
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        error = self.assertRaises(SystemExit, arguments.parse_args, argv)
        self.assertEqual(2, error.code)
        stderr.seek(0)
        return stderr.read()

    def test_three_weeks_of_nights_backups_kept_longer(self):
        self.nightly(NIGHTS, '--keep-daily', '3', '--backup-keep-daily',
                     '7', '--backup-keep-weekly', '4')
        self.assertEqual([19, 20, 21],
                         self.days(self.cinder.volume_snapshots.items))
        # Daily: the 15th to the 21st; weekly: the newest of weeks 49
        # (the 6th), 50 (the 13th), 51 (the 20th) and 52 (the 21st).
        self.assertEqual([6, 13, 15, 16, 17, 18, 19, 20, 21],
                         self.days(self.cinder.backups.items))

    def test_without_backup_rules_backups_follow_keep(self):
        self.nightly(4, '--keep-daily', '2')
        self.assertEqual([3, 4], self.days(self.cinder.volume_snapshots.items))
        self.assertEqual([3, 4], self.days(self.cinder.backups.items))

    def test_prune_with_backup_rules_only_leaves_snapshots(self):
        self.nightly(4)
        rows = self.run_json('prune', 'data', '--backup-keep-last', '1')
        self.assertEqual(
            [('backup', 'kept'), ('backup', 'deleted'),
             ('backup', 'deleted'), ('backup', 'deleted')],
            [(row['kind'], row['action']) for row in rows])
        self.assertEqual(4, len(self.cinder.volume_snapshots.items))
        self.assertEqual([4], self.days(self.cinder.backups.items))

    def test_backup_rules_all_zero_expire_no_backup(self):
        self.nightly(3)
        rows = self.run_json('prune', 'data', '--keep-last', '1',
                            '--backup-keep-last', '0')
        self.assertEqual({'snapshot'}, {row['kind'] for row in rows})
        self.assertEqual([3], self.days(self.cinder.volume_snapshots.items))
        self.assertEqual([1, 2, 3], self.days(self.cinder.backups.items))

    def test_dry_runs_show_both_rule_sets(self):
        self.nightly(2)
        plan = self.run_json('protect', 'data', '--dry-run', '--backup',
                            '--keep-last', '1', '--backup-keep-last', '3',
                            '--backup-keep-monthly', '12')
        own = '--backup-keep-last 3 --backup-keep-monthly 12'
        self.assertEqual(('--keep-last 1', own),
                         (plan['snapshot_rules'], plan['backup_rules']))
        self.assertEqual(
            [('snapshot', 'keep', '--keep-last 1'),
             ('snapshot', 'delete', '--keep-last 1'),
             ('snapshot', 'delete', '--keep-last 1'),
             ('backup', 'keep', own), ('backup', 'keep', own),
             ('backup', 'keep', own)],
            [(row['kind'], row['action'], row['rules'])
             for row in plan['expiry']])
        rows = self.run_json('prune', 'data', '--keep-last', '1', '--dry-run')
        self.assertEqual({('snapshot', '--keep-last 1'),
                          ('backup', '--keep-last 1')},
                         {(row['kind'], row['rules']) for row in rows})
        self.assertEqual((2, 2), (len(self.cinder.volume_snapshots.items),
                                  len(self.cinder.backups.items)))

    def test_foreign_backups_stay_under_own_rules(self):
        foreign = self.cinder.backups.add(
            'available', volume_id=self.volume.id, size=1, metadata={},
            created_at='2026-11-01T00:00:00')
        self.nightly(2, '--backup-keep-last', '1')
        self.assertIn(foreign.id, self.cinder.backups.items)
        self.assertEqual(2, len(self.cinder.backups.items))
        self.assertTrue(all(client.PROTECTION_TAG in backup.metadata
                            for backup in self.cinder.backups.items.values()
                            if backup.id != foreign.id))

    def test_backup_rules_without_backup_are_refused(self):
        self.assertIn('--backup-keep-* needs --backup', self.usage_error(
            ['protect', 'data', '--keep-last', '2', '--backup-keep-last',
             '5']))

    def test_prune_group_needs_snapshot_rules(self):
        self.assertIn('prune --group needs a --keep-* rule', self.usage_error(
            ['prune', '--group', 'app', '--backup-keep-daily', '7']))

    def test_negative_backup_rule_is_refused(self):
        self.assertIn('must not be negative', self.usage_error(
            ['prune', 'data', '--backup-keep-daily', '-1']))
