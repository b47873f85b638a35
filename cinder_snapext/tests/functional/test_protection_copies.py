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

"""protect --backup over the in-process API, with Cinder's posix backups.

The CLI runs as a separate process; volumes are files, backups Cinder's
posix driver's, so the data restored from a backup is compared byte for
byte with the data protected. Backup retention runs on the same
volumes with a backup store that keeps nothing.
"""

from cinder_snapext.protection import client
from cinder_snapext.protection import copies
from cinder_snapext.tests.functional import protection_base as pbase
from cinder_snapext.tests.functional import test_backup_posix_chain as chain

FAKE_BACKUP_STORE = 'cinder.tests.unit.backup.fake_service.FakeBackupService'
# Four nights of protect --backup, in UTC.
NIGHTS = ['2026-12-%02dT02:00:00' % day for day in range(1, 5)]


class FileVolumesTestCase(pbase.CommandLineTestCase,
                          chain.FileBackendBackupTestCase):
    """The command line against file volumes and posix backups."""

    def _get_flags(self):
        flags = super()._get_flags()
        # ProtectionTestCase's in-memory backend has no data to back up.
        flags['volume_driver'] = {'v': chain.FILE_DRIVER,
                                  'g': 'backend_defaults'}
        return flags


class ProtectionCopiesTestCase(FileVolumesTestCase):
    """Backups of protections, and the data restored from them."""

    def test_backup_outlives_the_snapshot_and_restores_its_data(self):
        volume = self.create_volume(name='db')
        name = 'volume-%s' % volume['id']
        chain.write(name, 0, 64 * 1024, 'protected')
        expected = chain.sha256(name)
        result = self.cli_json('protect', 'db', '--backup', '--incremental',
                               '--keep-last', '1')
        self.assertEqual(('available', False, result['id']),
                         (result['backup']['status'],
                          result['backup']['incremental'],
                          result['backup']['snapshot_id']))
        chain.write(name, 0, 64 * 1024, 'later')
        self.assertEqual([{'id': result['id'], 'result': 'deleted'}],
                         self.cli_json('delete', result['id']))

        restored = self.cli_json('restore', '--latest', 'db', '--name',
                                 'db-back')
        self.assertEqual(('db-back', 'available', result['backup']['id']),
                         (restored['name'], restored['status'],
                          restored['backup_id']))
        self.assertEqual(expected,
                         chain.sha256('volume-%s' % restored['id']))


class BackupRetentionTestCase(FileVolumesTestCase):
    """--backup-keep-* over the API; the backup store a no-op double.

    Retention reads and deletes backup rows through the API; what the
    backups hold does not matter to it, and reading a GiB per backup
    would cost a minute each under load. The data proof is the test above.
    """

    def _get_flags(self):
        flags = super()._get_flags()
        flags['backup_driver'] = {'v': FAKE_BACKUP_STORE}
        return flags

    def test_backups_kept_by_rules_of_their_own(self):
        volume = self.create_volume(name='ledger')
        made = {}
        for night in NIGHTS:
            # The backup step in-process too, as protect --backup runs it.
            snapshot = client.get_snapshot(
                self.cinder, self.protect_on(volume['id'], night))
            backup = copies.back_up(self.cinder, self.plugin, snapshot,
                                    incremental=False)
            self.backdate('backup', backup['id'], night)
            made[night] = (snapshot.id, backup['id'])
        rules = ('--keep-daily', '1', '--backup-keep-daily', '3')
        plan = self.cli_json('prune', 'ledger', '--dry-run', *rules)
        self.assertEqual(
            [('snapshot', 'keep', ['daily 2026-12-04'], '--keep-daily 1')] +
            [('snapshot', 'delete', ['kept by no rule'], '--keep-daily 1')] *
            3 +
            [('backup', 'keep', ['daily 2026-12-0%d' % day],
              '--backup-keep-daily 3') for day in (4, 3, 2)] +
            [('backup', 'delete', ['kept by no rule'],
              '--backup-keep-daily 3')],
            [(row['kind'], row['action'], row['reasons'], row['rules'])
             for row in plan])
        self.cli_json('prune', 'ledger', *rules)
        self.assertEqual(
            ({made[NIGHTS[-1]][0]},
             {made[night][1] for night in NIGHTS[1:]}),
            ({snapshot.id for snapshot in
              client.volume_snapshots(self.cinder, volume['id'])},
             {backup.id for backup in
              client.volume_backups(self.cinder, volume['id'])}))
