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


"""cinder-snapext-protect as a process against Cinder's real API."""

import json

from cinder_snapext.protection import client
from cinder_snapext.tests.functional import protection_base as pbase


class CommandLineTestCase(pbase.CommandLineTestCase):
    """cinder-snapext-protect run as a separate process, as cron runs it."""

    def test_protect_keep_list_restore_delete(self):
        volume = self.create_volume(name='app-data')
        first, second, third = [
            self.cli_json('protect', 'app-data', '--keep', '2')
            for _ in range(3)]
        self.assertEqual(('available', volume['id'], 1),
                         (first['status'], first['volume_id'],
                          first['size']))
        self.assertEqual([], first['expired'])
        self.assertEqual([], second['expired'])
        self.assertEqual([first['id']], third['expired'])
        self.assertIsNone(client.get_snapshot(self.cinder, first['id']))

        listed = self.cli_json('list', volume['id'])
        self.assertEqual([third['id'], second['id']],
                         [row['id'] for row in listed])
        self.assertEqual([third['checkpoint_id'], second['checkpoint_id']],
                         [row['checkpoint_id'] for row in listed])

        result = self.cli('restore', '--latest', 'app-data', '--name',
                          'app-data-restored', '--format', 'json')
        restored = json.loads(result.stdout)
        self.assertEqual(('app-data-restored', 1, 'available', third['id'],
                          volume['id']),
                         (restored['name'], restored['size'],
                          restored['status'], restored['snapshot_id'],
                          restored['source_volume_id']))
        self.assertEqual(third['id'],
                         self.api.get_volume(restored['id'])['snapshot_id'])
        # Not a terminal: one progress line per status, on stderr.
        self.assertIn('Volume %s: available, waiting for available'
                      % restored['id'], result.stderr)

        self.assertEqual(
            [{'id': second['id'], 'result': 'deleted'},
             {'id': third['id'], 'result': 'deleted'}],
            self.cli_json('delete', second['id'], third['id']))
        self.assertEqual([{'id': second['id'], 'result': 'already gone'}],
                         self.cli_json('delete', second['id']))
        self.assertEqual('', self.cli('list').stdout)

    def test_protect_deadline_exits_1_naming_volume_and_status(self):
        volume = self.create_volume()
        self.reset_status('volumes', volume['id'], 'creating')
        result = self.cli('protect', volume['id'], '--wait-timeout', '1',
                          expect=1)
        self.assertEqual('', result.stdout)
        # Only our line: no eventlet deprecation banner for cron to mail.
        self.assertNotIn('Eventlet', result.stderr)
        errors = [line for line in result.stderr.splitlines()
                  if line.startswith('ERROR')]
        self.assertEqual(
            ['ERROR: Protecting volume %s failed: Volume %s is still in '
             'status creating after 1.0s, the deadline for becoming '
             'available or in-use.' % (volume['id'], volume['id'])],
            errors)

    def test_delete_refuses_snapshot_protect_did_not_make(self):
        snapshot = self.create_volume_and_snapshot()
        rows = self.cli_json('delete', snapshot['id'], expect=1)
        self.assertIn('refused: not a protection snapshot',
                      rows[0]['result'])
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])

    def test_table_output_lists_protections(self):
        volume = self.create_volume(name='logs')
        protected = self.cli_json('protect', 'logs', '--name', 'daily')
        lines = self.cli('list', 'logs').stdout.splitlines()
        self.assertEqual(['id', 'volume_id', 'name', 'status', 'size',
                          'created_at', 'checkpoint_id'], lines[0].split())
        self.assertEqual([protected['id'], volume['id'], 'daily',
                          'available', '1'], lines[1].split()[:5])

    def test_failed_snapshot_shows_cinder_message_and_records_it(self):
        self.create_volume(name='app-data')
        # Cinder's volume manager writes the user message when the driver
        # fails; the command reads it back through GET /messages.
        plain = self.cli('protect', 'app-data', '--name',
                         pbase.FAILING_SNAPSHOT, expect=1)
        lines = plain.stderr.splitlines()
        self.assertTrue(lines[-2].startswith('ERROR: '), plain.stderr)
        # Cinder joins action and detail with a bare colon.
        self.assertRegex(lines[-1], r"^Cinder's message about [0-9a-f-]{36} "
                         r"\(.+\): create snapshot:Snapshot failed to "
                         r"create\.$")
        hooked = self.cli('protect', 'app-data', '--name',
                          pbase.FAILING_SNAPSHOT, '--post', 'true',
                          '--format', 'json', expect=1)
        record = json.loads(hooked.stdout)
        self.assertEqual('error', record['status'])
        self.assertEqual(1, len(record['cinder_messages']),
                         record)
        self.assertIn("Cinder's message about %s " % record['id'],
                      record['cinder_messages'][0])
        self.assertEqual(record['cinder_messages'][0],
                         hooked.stderr.splitlines()[-1])
