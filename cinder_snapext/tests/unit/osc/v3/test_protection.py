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

"""``openstack volume protection ...`` on OSC's connection, a fake Cinder."""

import argparse
import io
import json
import types

import fixtures
from osc_lib import exceptions
import testtools

from cinder_snapext.osc.v3 import protection
from cinder_snapext.protection import arguments
from cinder_snapext.protection import client
from cinder_snapext.tests.unit.protection import fakes

_COMMANDS = {'protect': protection.ProtectVolume,
             'restore': protection.RestoreProtection,
             'list': protection.ListProtection,
             'prune': protection.PruneProtection,
             'delete': protection.DeleteProtection}
# What OSC's global options give, not the command's parser.
_OSC_OWN = {'--os-cloud', '--os-endpoint', '--os-interface',
            '--os-region-name', '--os-auth-type', '--timeout', '--debug',
            '--insecure', '--os-cacert', '--format'}


def _option_strings(parser):
    return {option for action in parser._actions
            for option in action.option_strings} - {'-h', '--help'}


class ParserTestCase(testtools.TestCase):
    """The same options as cinder-snapext-protect's, none of OSC's."""

    def standalone(self, verb):
        parser = argparse.ArgumentParser()
        common = argparse.ArgumentParser(add_help=False)
        arguments.add_wait_arguments(common)
        commands = parser.add_subparsers()
        arguments.COMMANDS[verb][1](commands.add_parser(verb,
                                                        parents=[common]))
        return commands.choices[verb]

    def test_each_command_takes_the_standalone_options(self):
        for verb, command_class in _COMMANDS.items():
            osc = command_class(None, None).get_parser('openstack')
            # cliff's own output options (-f, -c, --sort-column ...)
            # come on top.
            self.assertEqual(set(), _option_strings(self.standalone(verb)) -
                             _option_strings(osc), verb)
            self.assertEqual(set(), _OSC_OWN & (
                _option_strings(osc) - {'--format'}), verb)

    def test_the_format_option_is_cliffs(self):
        parser = protection.ListProtection(None, None).get_parser('x')
        self.assertEqual('yaml', parser.parse_args(['-f', 'yaml']).formatter)
        self.assertRaises(SystemExit, parser.parse_args, ['--os-cloud', 'c'])

    def test_retention_options_parse_as_the_standalone_ones(self):
        parser = protection.PruneProtection(None, None).get_parser('x')
        parsed = parser.parse_args([
            'data', '--keep-daily', '7', '--backup-keep-weekly', '4',
            '--timezone', 'Europe/Paris', '--group', 'g1', '--dry-run'])
        self.assertEqual(
            (['data'], ['g1'], 7, 4, None, 'Europe/Paris', True),
            (parsed.volumes, parsed.groups, parsed.keep_daily,
             parsed.backup_keep_weekly, parsed.backup_keep_daily,
             str(parsed.timezone), parsed.dry_run))


class CommandTestCase(testtools.TestCase):
    """Each command's printed result and exit status."""

    def setUp(self):
        super().setUp()
        self.cinder = fakes.FakeCinder()
        self.volume = self.cinder.volumes.add('available', size=1,
                                              name='data')
        self.session = types.SimpleNamespace(timeout=None)
        self.sdk_connection = types.SimpleNamespace(
            config=types.SimpleNamespace(get_session=lambda: self.session))
        connected = []

        def cinder(conn):
            connected.append(conn)
            return self.cinder
        self.connected = connected
        self.useFixture(fixtures.MonkeyPatch(
            'cinder_snapext.protection.connection.cinder', cinder))
        self.stdout, self.stderr = io.StringIO(), io.StringIO()

    def openstack(self, verb, *argv):
        """``openstack volume protection VERB ARGV -f json``: (rc, out)."""
        app = types.SimpleNamespace(
            stdout=self.stdout, stderr=self.stderr,
            client_manager=types.SimpleNamespace(
                sdk_connection=self.sdk_connection))
        command = _COMMANDS[verb](app, None)
        parser = command.get_parser('openstack volume protection ' + verb)
        parsed = parser.parse_args(list(argv) + [
            '-f', 'json', '--poll-interval', '0', '--no-progress'])
        code = command.run(parsed)
        out = self.stdout.getvalue()
        self.stdout.seek(0)
        self.stdout.truncate()
        return code, json.loads(out) if out else None

    def test_protect_list_restore_prune_delete(self):
        code, record = self.openstack('protect', 'data', '--name', 'first')
        self.assertEqual((0, 'available', self.volume.id, 'first'),
                         (code, record['status'], record['volume_id'],
                          record['name']))
        self.assertEqual([self.sdk_connection], self.connected)
        self.assertIn(client.PROTECTION_TAG, self.cinder.volume_snapshots.
                      items[record['id']].metadata)
        _, second = self.openstack('protect', 'data')

        code, rows = self.openstack('list', 'data')
        self.assertEqual((0, [second['id'], record['id']]),
                         (code, [row['id'] for row in rows]))

        code, restored = self.openstack('restore', record['id'], '--name',
                                        'back')
        self.assertEqual((0, 'back', 'available', record['id']),
                         (code, restored['name'], restored['status'],
                          restored['snapshot_id']))
        self.assertEqual(record['id'], self.cinder.volumes.items[
            restored['id']].snapshot_id)

        code, rows = self.openstack('prune', 'data', '--keep-last', '1')
        self.assertEqual(0, code)
        self.assertEqual({record['id']},
                         {row['id'] for row in rows
                          if row['action'] == 'deleted'})
        self.assertNotIn(record['id'], self.cinder.volume_snapshots.items)

        code, rows = self.openstack('delete', second['id'], record['id'])
        self.assertEqual((0, [{'id': second['id'], 'result': 'deleted'},
                              {'id': record['id'],
                               'result': 'already gone'}]), (code, rows))

    def fail_first_snapshot(self):
        self.cinder.volume_snapshots.created_statuses = ['creating', 'error']
        self.cinder.messages.add('snapshot-1', 'No space left.',
                                 '2026-12-06T10:05:00.000000')

    def test_requests_have_a_deadline_unless_the_cloud_sets_one(self):
        self.openstack('list')
        self.assertEqual(arguments.REQUEST_TIMEOUT, self.session.timeout)
        self.session.timeout = 5.0
        self.openstack('list')
        self.assertEqual(5.0, self.session.timeout)

    def test_failed_snapshot_with_a_hook_prints_record_and_exits_1(self):
        self.fail_first_snapshot()
        code, record = self.openstack('protect', 'data', '--post', 'true')
        self.assertEqual((1, 'error'), (code, record['status']))
        self.assertEqual(["Cinder's message about snapshot-1 "
                          "(2026-12-06T10:05:00.000000): No space left."],
                         record['cinder_messages'])
        self.assertEqual(0, record['post_hook']['exit_status'])
        lines = self.stderr.getvalue().splitlines()
        self.assertTrue(lines[0].startswith('ERROR: '), lines)
        self.assertEqual(record['cinder_messages'], lines[1:])

    def test_failed_snapshot_error_shows_cinders_message(self):
        self.fail_first_snapshot()
        error = self.assertRaises(exceptions.CommandError, self.openstack,
                                  'protect', 'data')
        lines = str(error).splitlines()
        self.assertTrue(lines[0].startswith('Protecting volume %s failed'
                                            % self.volume.id), lines)
        self.assertEqual(["Cinder's message about snapshot-1 "
                          "(2026-12-06T10:05:00.000000): No space left."],
                         lines[1:])
        self.assertEqual('', self.stdout.getvalue())

    def test_delete_of_a_foreign_snapshot_exits_1(self):
        foreign = self.cinder.volume_snapshots.add(
            'available', volume_id=self.volume.id, metadata={})
        code, rows = self.openstack('delete', foreign.id)
        self.assertEqual(1, code)
        self.assertIn('refused: not a protection snapshot', rows[0]['result'])
        self.assertIn(foreign.id, self.cinder.volume_snapshots.items)

    def test_failure_before_a_result_is_a_command_error(self):
        error = self.assertRaises(exceptions.CommandError, self.openstack,
                                  'restore', 'no-such-snapshot')
        self.assertIn('no-such-snapshot', str(error))
        self.assertEqual('', self.stdout.getvalue())

    def test_options_that_mean_nothing_together_exit_2(self):
        error = self.assertRaises(SystemExit, self.openstack, 'protect',
                                  'data', '--group', 'g1')
        self.assertEqual(2, error.code)
        self.assertEqual([], self.connected)

    def test_table_shows_a_hooks_summary(self):
        app = types.SimpleNamespace(
            stdout=self.stdout, stderr=self.stderr,
            client_manager=types.SimpleNamespace(
                sdk_connection=self.sdk_connection))
        command = protection.ProtectVolume(app, None)
        parsed = command.get_parser('x').parse_args(
            ['data', '--pre', 'echo frozen', '--poll-interval', '0',
             '--no-progress', '-f', 'table', '-c', 'pre_hook'])
        self.assertEqual(0, command.run(parsed))
        rows = [line for line in self.stdout.getvalue().splitlines()
                if 'pre_hook' in line]
        self.assertEqual(1, len(rows), self.stdout.getvalue())
        self.assertRegex(rows[0], r'^\| pre_hook +\| exited 0 after '
                         r'\d+\.\ds +\|$')
