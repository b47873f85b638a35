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

"""Backup copies: protect --backup, their retention, restore from them."""

import io

import fixtures

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.tests.unit.protection import command_base


class BackupCopiesTestCase(command_base.CommandTestCase):

    def backups(self):
        return self.cinder.backups.items

    def test_backup_copies_the_snapshot_tagged_first_full(self):
        first, _ = self.run_cli('protect', 'data', '--backup',
                                '--incremental')
        second, _ = self.run_cli('protect', 'data', '--backup',
                                 '--incremental')
        self.assertEqual((False, True),
                         (first['backup']['incremental'],
                          second['backup']['incremental']))
        backup = self.backups()[second['backup']['id']]
        self.assertEqual(
            ('available', second['id'], self.volume.id,
             {client.PROTECTION_TAG: second['checkpoint_id'],
              client.SNAPSHOT_TAG: second['id']}),
            (backup.status, backup.snapshot_id, backup.volume_id,
             backup.metadata))
        snapshot = self.cinder.volume_snapshots.items[second['id']]
        self.assertEqual(backup.id, snapshot.metadata['snapext-backup'])

    def test_failed_backup_exits_1_and_expires_nothing(self):
        self.run_cli('protect', 'data', '--backup')
        self.cinder.backups.created_statuses = ['creating', 'error']
        result, stderr = self.run_cli('protect', 'data', '--backup',
                                      '--keep-last', '1', expect=1)
        self.assertIn('Backing up snapshot %s failed: Backup ' % result['id'],
                      result['error'])
        self.assertIn('status error', result['error'])
        self.assertTrue(result['error'].endswith('; nothing expired'))
        self.assertIn('ERROR: Backing up snapshot', stderr)
        self.assertEqual(2, len(self.cinder.volume_snapshots.items))
        self.assertNotIn('expired', result)

    def test_incremental_without_backup_is_refused(self):
        self.assertRaises(SystemExit, arguments.parse_args,
                          ['protect', 'data', '--incremental'])

    def test_retention_expires_backups_never_foreign_ones(self):
        foreign = self.cinder.backups.add(
            'available', volume_id=self.volume.id, size=1, metadata={},
            created_at='2026-11-01T00:00:00')
        made = [self.run_cli('protect', 'data', '--backup', '--keep-last',
                             '2')[0] for _ in range(3)]
        self.assertEqual([made[0]['backup']['id']],
                         made[2]['expired_backups'])
        self.assertEqual({made[1]['backup']['id'], made[2]['backup']['id'],
                          foreign.id}, set(self.backups()))

    def test_kept_incremental_keeps_its_parents(self):
        made = [self.run_cli('protect', 'data', '--backup',
                             '--incremental')[0]['backup']['id']
                for _ in range(3)]
        rows, _ = self.run_cli('prune', 'data', '--keep-last', '1',
                               '--dry-run')
        backup_rows = [(row['id'], row['action'], row['reasons'])
                       for row in rows if row['kind'] == 'backup']
        self.assertEqual(
            [(made[2], 'keep', ['last']),
             (made[1], 'keep', ['incremental backups depend on it']),
             (made[0], 'keep', ['incremental backups depend on it'])],
            backup_rows)
        rows, _ = self.run_cli('prune', 'data', '--keep-last', '1')
        self.assertEqual(set(made), set(self.backups()))

    def test_chain_expired_whole_goes_child_first(self):
        chain = [self.run_cli('protect', 'data', '--backup',
                              '--incremental')[0]['backup']['id']
                 for _ in range(2)]
        full, _ = self.run_cli('protect', 'data', '--backup')
        rows, _ = self.run_cli('prune', 'data', '--keep-last', '1')
        self.assertEqual(
            {full['backup']['id']: 'kept', chain[1]: 'deleted',
             chain[0]: 'deleted'},
            {row['id']: row['action'] for row in rows
             if row['kind'] == 'backup'})
        self.assertEqual([full['backup']['id']], list(self.backups()))

    def test_restore_latest_falls_back_to_the_backup(self):
        result, _ = self.run_cli('protect', 'data', '--backup')
        self.run_cli('delete', result['id'])
        restored, _ = self.run_cli('restore', '--latest', 'data', '--name',
                                   'back')
        volume = self.cinder.volumes.items[restored['id']]
        self.assertEqual(
            ('back', 'available', result['backup']['id'], result['id'],
             self.volume.id),
            (volume.name, restored['status'], volume.backup_id,
             restored['snapshot_id'], restored['source_volume_id']))

    def test_restore_of_a_gone_snapshot_uses_its_backup(self):
        result, _ = self.run_cli('protect', 'data', '--backup')
        self.run_cli('delete', result['id'])
        restored, _ = self.run_cli('restore', result['id'])
        self.assertEqual(result['backup']['id'], restored['backup_id'])

    def test_restore_latest_without_anything_exits_1(self):
        stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.useFixture(fixtures.MonkeyPatch(
            'cinder_snapext.protection.cli.connect',
            lambda parsed: self.cinder))
        self.assertEqual(1, cli.main(['restore', '--latest', 'data']))
        self.assertIn('has no available protection snapshot or protection '
                      'backup', stderr.getvalue())

    def test_restore_refuses_a_foreign_backup(self):
        foreign = self.cinder.backups.add(
            'available', volume_id=self.volume.id, size=1, metadata={},
            created_at='2026-11-01T00:00:00')
        self.assertRaisesRegex(
            Exception, 'not a protection backup', cli.run,
            arguments.parse_args(['restore', '--backup', foreign.id]),
            self.cinder, io.StringIO(), io.StringIO())
        self.assertEqual([self.volume.id], list(self.cinder.volumes.items))

    def test_list_backups(self):
        result, _ = self.run_cli('protect', 'data', '--backup')
        rows, _ = self.run_cli('list', 'data', '--backups')
        self.assertEqual([(result['backup']['id'], result['id'],
                           'available')],
                         [(row['id'], row['snapshot_id'], row['status'])
                          for row in rows])
