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

"""protect --group: one group snapshot per point, its retention, restore."""

import io
import json

import fixtures

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import group_client
from cinder_snapext.tests.unit.protection import command_base
from cinder_snapext.tests.unit.protection import fakes_groups


class GroupProtectionTestCase(command_base.CommandTestCase):

    def setUp(self):
        super().setUp()
        self.cinder = fakes_groups.FakeGroupCinder()
        self.group = self.cinder.group
        self.snapshots = self.cinder.volume_snapshots.items

    def run_command(self, *argv, expect=0):
        args = arguments.parse_args(list(argv) + [
            '--poll-interval', '0', '--no-progress', '--format', 'json'])
        stdout, stderr = io.StringIO(), io.StringIO()
        self.assertEqual(expect, cli.run(args, self.cinder, stdout, stderr),
                         stderr.getvalue())
        return json.loads(stdout.getvalue()), stderr.getvalue()

    def protect_at(self, created_at, *argv, expect=0):
        self.cinder.group_snapshots.created_at = created_at
        return self.run_command('protect', '--group', 'app', *argv,
                                expect=expect)[0]

    def foreign_point(self, created_at):
        """A group snapshot someone made with Cinder's own command."""
        self.cinder.group_snapshots.created_at = created_at
        return self.cinder.group_snapshots.create(self.group.id, 'manual')

    def test_protect_takes_one_group_snapshot_tagged_on_every_volume(self):
        result = self.protect_at('2026-11-22T07:00:00')
        self.assertEqual((self.group.id, 'available'),
                         (result['group_id'], result['status']))
        member_volumes = {volume.id for volume in self.cinder.members}
        self.assertEqual(member_volumes, set(result['snapshots']))
        for snapshot_id in result['snapshots'].values():
            self.assertEqual(
                {group_client.GROUP_TAG: result['checkpoint_id']},
                self.snapshots[snapshot_id].metadata)
        self.assertEqual([result['id']], list(
            self.cinder.group_snapshots.items))

    def test_retention_deletes_only_its_own_group_snapshots(self):
        old = self.protect_at('2026-11-20T07:00:00')['id']
        foreign = self.foreign_point('2026-11-19T07:00:00').id
        middle = self.protect_at('2026-11-21T07:00:00')['id']
        newest = self.protect_at('2026-11-22T07:00:00', '--keep-daily', '2')
        self.assertEqual([old], newest['expired'])
        self.assertEqual({foreign, middle, newest['id']},
                         set(self.cinder.group_snapshots.items))
        # Its snapshots went with it, the others stay.
        self.assertEqual(
            {middle, newest['id'], foreign},
            {s.group_snapshot_id for s in self.snapshots.values()})

    def test_prune_dry_run_shows_the_plan_and_deletes_nothing(self):
        old = self.protect_at('2026-11-20T07:00:00')['id']
        foreign = self.foreign_point('2026-11-19T07:00:00').id
        new = self.protect_at('2026-11-21T07:00:00')['id']
        rows, _ = self.run_command('prune', '--group', 'app', '--keep-last',
                                   '1', '--dry-run')
        self.assertEqual(
            {new: ('keep', ['last']), old: ('delete', ['kept by no rule']),
             foreign: ('ignore', ['not made by cinder-snapext-protect '
                                  '(no protection metadata)'])},
            {row['id']: (row['action'], row['reasons']) for row in rows})
        self.assertEqual({old, new, foreign},
                         set(self.cinder.group_snapshots.items))

    def test_volume_retention_leaves_group_snapshots_alone(self):
        self.protect_at('2026-11-20T07:00:00')
        volume = self.cinder.members[0]
        rows, _ = self.run_command('prune', volume.id, '--keep-last', '1')
        self.assertEqual({'ignored'}, {row['action'] for row in rows})
        self.assertEqual(2, len(self.snapshots))

    def test_protect_dry_run_lists_volumes_and_creates_nothing(self):
        self.protect_at('2026-11-20T07:00:00')
        result, _ = self.run_command('protect', '--group', 'app',
                                     '--keep-last', '1', '--dry-run')
        self.assertEqual(sorted(v.id for v in self.cinder.members),
                         result['volumes'])
        self.assertIn('snapshot group %s at once' % self.group.id,
                      result['steps'][0])
        self.assertEqual(['keep', 'delete'],
                         [row['action'] for row in result['expiry']])
        self.assertEqual('(new)', result['expiry'][0]['id'])
        self.assertEqual(1, len(self.cinder.group_snapshots.items))

    def test_restore_latest_makes_a_new_group_of_new_volumes(self):
        self.protect_at('2026-11-20T07:00:00')
        newest = self.protect_at('2026-11-21T07:00:00')
        result, _ = self.run_command('restore', '--latest-group', 'app',
                                     '--name', 'app-restored')
        self.assertEqual(('available', 'app-restored', newest['id']),
                         (result['status'], result['name'],
                          result['group_snapshot_id']))
        restored = {volume['source_volume_id']: volume['id']
                    for volume in result['volumes']}
        self.assertEqual(set(newest['snapshots']), set(restored))
        for source, new_id in restored.items():
            volume = self.cinder.volumes.items[new_id]
            self.assertEqual((result['id'], newest['snapshots'][source]),
                             (volume.group_id, volume.snapshot_id))

    def test_restore_refuses_a_group_snapshot_it_did_not_make(self):
        foreign = self.foreign_point('2026-11-19T07:00:00')
        stderr = io.StringIO()
        self.patch(cli.sys, 'stderr', stderr)
        self.patch(cli, 'connect', lambda args: self.cinder)
        self.assertEqual(1, cli.main(['restore', '--group-snapshot',
                                      foreign.id]))
        self.assertIn('was not made by cinder-snapext-protect',
                      stderr.getvalue())
        self.assertEqual(1, len(self.cinder.groups.items))

    def test_failed_group_snapshot_shows_cinders_message(self):
        self.cinder.group_snapshots.created_statuses = ['creating', 'error']
        self.cinder.messages.add('group-snapshot-1', 'No space left.',
                                 '2026-11-22T07:00:05')
        stderr = io.StringIO()
        self.patch(cli.sys, 'stderr', stderr)
        self.patch(cli, 'connect', lambda args: self.cinder)
        self.assertEqual(1, cli.main(['protect', '--group', 'app',
                                      '--poll-interval', '0',
                                      '--no-progress']))
        self.assertIn('Protecting group %s failed' % self.group.id,
                      stderr.getvalue())
        self.assertIn("Cinder's message about group-snapshot-1 "
                      "(2026-11-22T07:00:05): No space left.",
                      stderr.getvalue())

    def test_old_server_is_refused_in_words(self):
        self.cinder.microversion = '3.13'
        stderr = io.StringIO()
        self.patch(cli.sys, 'stderr', stderr)
        self.patch(cli, 'connect', lambda args: self.cinder)
        self.assertEqual(1, cli.main(['list', '--group', 'app']))
        self.assertIn('needs Block Storage API microversion 3.14',
                      stderr.getvalue())

    def test_list_shows_only_protection_points(self):
        mine = self.protect_at('2026-11-20T07:00:00')['id']
        self.foreign_point('2026-11-21T07:00:00')
        rows, _ = self.run_command('list', '--group', 'app')
        self.assertEqual([mine], [row['id'] for row in rows])

    def test_arguments_refuse_what_a_group_cannot_do(self):
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', io.StringIO()))
        for argv in (['protect'], ['protect', 'vol', '--group', 'app'],
                     ['protect', '--group', 'app', '--backup'],
                     ['prune', '--keep-last', '1']):
            self.assertRaises(SystemExit, arguments.parse_args, argv)
