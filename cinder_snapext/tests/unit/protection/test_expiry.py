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

"""prune: rows with reasons, a dry run that deletes nothing, untagged safe."""

import io
import json

import fixtures

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.tests.unit.protection import command_base


class PruneTestCase(command_base.CommandTestCase):

    def setUp(self):
        super().setUp()
        snapshots = self.cinder.volume_snapshots
        self.made = {}
        for day in (1, 2, 3):
            self.made[day] = snapshots.add(
                'available', volume_id=self.volume.id, size=1,
                metadata={client.PROTECTION_TAG: 'c%d' % day},
                created_at='2026-12-%02dT23:30:00.000000' % day).id
        self.mine = snapshots.add('available', volume_id=self.volume.id,
                                  size=1, metadata={},
                                  created_at='2026-11-01T00:00:00').id

    def prune(self, *argv, expect=0, output='json'):
        args = arguments.parse_args(
            ['prune', 'data', '--poll-interval', '0', '--no-progress',
             '--format', output] + list(argv))
        stdout, stderr = io.StringIO(), io.StringIO()
        self.assertEqual(expect, cli.run(args, self.cinder, stdout, stderr),
                         stderr.getvalue())
        return stdout.getvalue()

    def test_dry_run_says_why_and_deletes_nothing(self):
        rows = json.loads(self.prune('--keep-daily', '1', '--timezone',
                                     'Europe/Paris', '--dry-run'))
        self.assertEqual(
            [(self.made[3], 'keep', ['daily 2026-12-04'],
              '2026-12-04T00:30:00+01:00'),
             (self.made[2], 'delete', ['kept by no rule'],
              '2026-12-03T00:30:00+01:00'),
             (self.made[1], 'delete', ['kept by no rule'],
              '2026-12-02T00:30:00+01:00'),
             (self.mine, 'ignore', ['not made by cinder-snapext-protect '
                                    '(no protection metadata)'],
              '2026-11-01T01:00:00+01:00')],
            [(r['id'], r['action'], r['reasons'], r['created_at'])
             for r in rows])
        self.assertEqual(4, len(self.cinder.volume_snapshots.items))

    def test_prune_deletes_what_no_rule_keeps(self):
        rows = json.loads(self.prune('--keep-last', '2'))
        self.assertEqual(['kept', 'kept', 'deleted', 'ignored'],
                         [row['action'] for row in rows])
        self.assertEqual({self.made[3], self.made[2], self.mine},
                         set(self.cinder.volume_snapshots.items))

    def test_table_output_has_one_row_per_snapshot(self):
        lines = self.prune('--keep-weekly', '1', '--dry-run',
                           output='table').splitlines()
        self.assertEqual(['id', 'volume_id', 'kind', 'created_at', 'status',
                          'action', 'reasons', 'rules'], lines[0].split())
        self.assertIn('weekly 2026-W49', lines[1])
        self.assertEqual(5, len(lines))

    def test_prune_without_rule_is_a_usage_error(self):
        stderr = self.useFixture(fixtures.StringStream('stderr')).stream
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        error = self.assertRaises(SystemExit, arguments.parse_args,
                                  ['prune', 'data', '--dry-run'])
        self.assertEqual(2, error.code)
        stderr.seek(0)
        self.assertIn('prune needs at least one --keep-* rule',
                      stderr.read())

    def test_unknown_time_zone_is_a_usage_error(self):
        stderr = self.useFixture(fixtures.StringStream('stderr')).stream
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertRaises(SystemExit, arguments.parse_args,
                          ['prune', 'data', '--keep-last', '1',
                           '--timezone', 'Mars/Olympus'])
        stderr.seek(0)
        self.assertIn("unknown time zone 'Mars/Olympus'", stderr.read())
