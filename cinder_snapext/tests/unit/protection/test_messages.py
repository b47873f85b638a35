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

"""A failure shows Cinder's user message about the resource that failed."""

import io
import json

import fixtures

from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.protection import messages
from cinder_snapext.tests.unit.protection import command_base
from cinder_snapext.tests.unit.protection import fake_errors
from cinder_snapext.tests.unit.protection import fakes

NO_SPACE = ('create snapshot: Snapshot failed to create: not enough space '
            'on the backend.')


class UserMessageTestCase(command_base.CommandTestCase):

    def setUp(self):
        super().setUp()
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.useFixture(fixtures.MonkeyPatch(
            'cinder_snapext.protection.cli.connect',
            lambda parsed: self.cinder))

    def main(self, *argv):
        return cli.main(list(argv) + ['--poll-interval', '0',
                                      '--no-progress'])

    def fail_snapshots(self):
        self.cinder.volume_snapshots.created_statuses = ['creating', 'error']
        # Ids are predictable: the first snapshot is snapshot-1.
        self.cinder.messages.add('snapshot-1', 'an older one',
                                 '2026-12-06T10:00:00.000000')
        self.cinder.messages.add('snapshot-1', NO_SPACE,
                                 '2026-12-06T10:05:00.000000')
        self.cinder.messages.add('snapshot-9', 'about something else',
                                 '2026-12-06T10:06:00.000000')

    def test_failed_snapshot_shows_the_newest_message(self):
        self.fail_snapshots()
        self.assertEqual(1, self.main('protect', 'data'))
        lines = self.stderr.getvalue().splitlines()
        self.assertTrue(lines[0].startswith('ERROR: Protecting volume'))
        self.assertEqual(
            ["Cinder's message about snapshot-1 "
             "(2026-12-06T10:05:00.000000): " + NO_SPACE], lines[1:])

    def test_failed_backup_in_a_result_shows_its_message(self):
        self.cinder.backups.created_statuses = ['creating', 'error']
        self.cinder.messages.add('backup-1', 'No backup service is up.',
                                 '2026-12-06T11:00:00.000000')
        self.assertEqual(1, self.main('protect', 'data', '--backup'))
        self.assertIn("Cinder's message about backup-1 "
                      "(2026-12-06T11:00:00.000000): No backup service is "
                      "up.", self.stderr.getvalue())

    def test_failed_backup_message_is_in_the_json_record(self):
        self.cinder.backups.created_statuses = ['creating', 'error']
        self.cinder.messages.add('backup-1', 'No backup service is up.',
                                 '2026-12-06T11:00:00.000000')
        stdout = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        self.assertEqual(1, self.main('protect', 'data', '--backup',
                                      '--format', 'json'))
        self.assertEqual(
            ["Cinder's message about backup-1 (2026-12-06T11:00:00.000000): "
             "No backup service is up."],
            json.loads(stdout.getvalue())['cinder_messages'])

    def test_failed_deletion_of_prune_shows_its_message(self):
        snapshot, _ = [self.cinder.volume_snapshots.add(
            'available', volume_id=self.volume.id, size=1,
            metadata={client.PROTECTION_TAG: 'c%d' % day},
            created_at='2026-12-0%dT00:00:00' % day) for day in (1, 2)]
        self.cinder.volume_snapshots.delete_statuses = ['deleting',
                                                        'error_deleting']
        self.cinder.messages.add(snapshot.id, 'delete snapshot: the backend '
                                 'refused.', '2026-12-06T12:00:00.000000')
        self.assertEqual(1, self.main('prune', 'data', '--keep-last', '1'))
        self.assertEqual(
            "Cinder's message about %s (2026-12-06T12:00:00.000000): "
            "delete snapshot: the backend refused." % snapshot.id,
            self.stderr.getvalue().splitlines()[-1])

    def test_failing_lookup_keeps_the_error(self):
        self.fail_snapshots()
        self.cinder.messages.fail = fake_errors.ks_connect_failure()
        self.assertEqual(1, self.main('protect', 'data'))
        self.assertEqual(1, len(self.stderr.getvalue().splitlines()))

    def test_old_microversion_asks_nothing(self):
        cinder = fakes.FakeCinder(microversion='3.0')
        cinder.messages.fail = AssertionError('must not be asked')
        self.assertEqual([], messages.explain(cinder, ['snapshot-1']))
