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

"""Protection copies off the backend, on the real stack, by checksums.

Protect with --backup, then --backup --incremental, delete the snapshots
(as a lost backend or retention would), restore each protection point from
its backup, and compare the restored data, read through librbd, with what
the volume held when it was protected; then a new full copy with its own
--backup-keep-* rule expires that chain.
"""

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import protect_cli

SIZE_GB = 1
FIRST = [(0, 16, 'copies-first'), (900, 8, 'copies-tail')]
SECOND = [(64, 16, 'copies-second')]


class CephProtectionCopiesTest(protect_cli.ProtectCommandMixin,
                               base.ScenarioTestCase):
    """protect --backup, retention of backups, restore from backups."""

    written = []

    def write(self, writes):
        image = self.volume_image(self.ctx['volume'])
        for off, length, seed in writes:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        type(self).written = self.written + writes
        expected = data.expected_sha256(SIZE_GB * data.GiB, self.written)
        self.assertEqual(expected, self.image_sha256(image))
        return expected

    def protect(self, key, *args):
        result = self.protect_cli('protect', self.ctx['volume'], '--name',
                                  self.name(key), '--backup', *args)
        self.made['snapshot'].append(result['id'])
        self.made['backup'].append(result['backup']['id'])
        self.assertEqual(('available', 'available', result['id']),
                         (result['status'], result['backup']['status'],
                          result['backup']['snapshot_id']))
        return result

    def restored_sha256(self, result, backup_key):
        self.made['volume'].append(result['id'])
        self.assertEqual(('available', self.ctx[backup_key]),
                         (result['status'], result['backup_id']))
        return self.image_sha256(self.volume_image(result['id']))

    @step
    def test_01_volume_with_data(self):
        out = self.cinder('create', '--volume-type', 'ceph',
                          '--name', self.name('copied'), str(SIZE_GB))
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.ctx['volume'] = volume_id
        self.wait_status('volume', volume_id, 'available')
        type(self).written = []
        self.ctx['sha_first'] = self.write(FIRST)

    @step
    def test_02_protect_with_a_full_backup(self):
        result = self.protect('first', '--incremental')
        # No backup of the volume yet: the first copy is full.
        self.assertFalse(result['backup']['incremental'])
        self.ctx['snap_first'] = result['id']
        self.ctx['backup_first'] = result['backup']['id']

    @step
    def test_03_protect_with_an_incremental_backup(self):
        self.ctx['sha_second'] = self.write(SECOND)
        result = self.protect('second', '--incremental')
        self.assertTrue(result['backup']['incremental'])
        self.ctx['snap_second'] = result['id']
        self.ctx['backup_second'] = result['backup']['id']

    @step
    def test_04_snapshots_gone(self):
        snapshots = [self.ctx['snap_first'], self.ctx['snap_second']]
        self.assertEqual(
            [{'id': snap, 'result': 'deleted'} for snap in snapshots],
            self.protect_cli('delete', *snapshots))
        for snap in snapshots:
            self.made['snapshot'].remove(snap)
            self.assertIsNone(self.show('snapshot', snap))

    @step
    def test_05_restore_latest_from_the_incremental_backup(self):
        result = self.protect_cli('restore', '--latest', self.ctx['volume'],
                                  '--name', self.name('from-second'))
        self.assertEqual(self.ctx['sha_second'],
                         self.restored_sha256(result, 'backup_second'),
                         'restored data differs from the protected data')

    @step
    def test_06_restore_gone_snapshot_from_its_backup(self):
        result = self.protect_cli('restore', self.ctx['snap_first'],
                                  '--name', self.name('from-first'))
        self.assertEqual(self.ctx['snap_first'], result['snapshot_id'])
        self.assertEqual(self.ctx['sha_first'],
                         self.restored_sha256(result, 'backup_first'),
                         'restored data differs from the protected data')

    @step
    def test_07_retention_keeps_the_parent_of_a_kept_incremental(self):
        rows = self.protect_cli('prune', self.ctx['volume'], '--keep-last',
                                '1')
        self.assertEqual(
            {self.ctx['backup_second']: ('kept', ['last']),
             self.ctx['backup_first']: (
                 'kept', ['incremental backups depend on it'])},
            {row['id']: (row['action'], row['reasons']) for row in rows
             if row['kind'] == 'backup'})
        self.assertEqual('available',
                         self.show('backup', self.ctx['backup_first'])[
                             'status'])

    @step
    def test_08_backup_keep_rules_expire_backups_on_their_own(self):
        # A full copy, then the backups' own rule: the chain before it
        # goes, child first; the snapshots' rule would have kept it.
        result = self.protect('third', '--keep-last', '5',
                              '--backup-keep-last', '1')
        self.assertFalse(result['backup']['incremental'])
        self.assertEqual(
            ([], [self.ctx['backup_second'], self.ctx['backup_first']]),
            (result['expired'], result['expired_backups']))
        for key in ('backup_second', 'backup_first'):
            self.assertIsNone(self.show('backup', self.ctx[key]))
            self.made['backup'].remove(self.ctx[key])
        self.assertEqual('available', self.show(
            'backup', result['backup']['id'])['status'])

    @step(always=True)
    def test_09_clean_up(self):
        self.sweep_made()
