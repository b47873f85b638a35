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

"""protect --dry-run: the plan shown, nothing run, nothing made."""

import io
import json
import os

import fixtures

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.tests.unit.protection import command_base


class ProtectDryRunTestCase(command_base.CommandTestCase):

    def setUp(self):
        super().setUp()
        self.made = [self.cinder.volume_snapshots.add(
            'available', volume_id=self.volume.id, size=1,
            metadata={client.PROTECTION_TAG: 'c%d' % day},
            created_at='2026-12-%02dT23:30:00' % day).id for day in (1, 2)]

    def dry_run(self, *argv):
        args = arguments.parse_args(
            ['protect', 'data', '--dry-run', '--poll-interval', '0',
             '--no-progress', '--format', 'json'] + list(argv))
        stdout = io.StringIO()
        self.assertEqual(0, cli.run(args, self.cinder, stdout,
                                    io.StringIO()))
        return json.loads(stdout.getvalue())

    def test_counts_the_new_protection_and_makes_nothing(self):
        marker = os.path.join(self.useFixture(fixtures.TempDir()).path, 'm')
        result = self.dry_run('--keep-last', '2', '--pre', 'touch ' + marker)
        self.assertEqual(
            ['run pre hook: touch ' + marker,
             'snapshot volume %s (available)' % self.volume.id],
            result['steps'])
        self.assertEqual(
            [('(new)', 'keep'), (self.made[1], 'keep'),
             (self.made[0], 'delete')],
            [(row['id'], row['action']) for row in result['expiry']])
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(2, len(self.cinder.volume_snapshots.items))

    def test_backup_plan_says_incremental_and_keeps_parents(self):
        self.cinder.backups.add(
            'available', volume_id=self.volume.id, size=1,
            metadata={client.PROTECTION_TAG: 'c1'},
            created_at='2026-12-01T23:40:00')
        result = self.dry_run('--backup', '--incremental', '--keep-last', '1')
        self.assertIn('back up the snapshot (incremental)', result['steps'])
        # The new incremental backup would build on the existing one: the
        # real run keeps it, so the plan says so.
        self.assertEqual(
            [('(new)', 'keep', ['last']),
             ('backup-1', 'keep', ['incremental backups depend on it'])],
            [(row['id'], row['action'], row['reasons'])
             for row in result['expiry'] if row['kind'] == 'backup'])
        self.assertEqual(1, len(self.cinder.backups.items))

    def test_attached_volume_without_force_is_refused(self):
        self.volume.status = 'in-use'
        self.cinder.volumes.scripts[self.volume.id] = []
        result = self.dry_run()
        self.assertEqual(['refuse: volume %s is in-use and --force is not '
                          'given' % self.volume.id], result['steps'])
        self.assertEqual([], result['expiry'])
