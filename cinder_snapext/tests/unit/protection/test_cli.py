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

"""cinder-snapext-protect: settings, retention, output and progress."""

import io
import json

import fixtures
from keystoneauth1 import loading
import testtools

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import output
from cinder_snapext.protection import waiter
from cinder_snapext.tests.unit.protection import fakes

NOAUTH_ENV = {'OS_AUTH_TYPE': 'noauth',
              'OS_ENDPOINT': 'http://cinder:8776/v3',
              'OS_PROJECT_ID': 'project-1'}


class CommandLineTestCase(testtools.TestCase):

    def environment(self, variables):
        for name in ('OS_AUTH_TYPE', 'OS_ENDPOINT', 'CINDER_ENDPOINT',
                     'OS_PROJECT_ID', 'OS_USER_ID', 'OS_AUTH_URL',
                     'OS_USERNAME', 'OS_PASSWORD', 'OS_PROJECT_NAME',
                     'OS_USER_DOMAIN_NAME', 'OS_PROJECT_DOMAIN_NAME'):
            self.useFixture(fixtures.EnvironmentVariable(
                name, variables.get(name)))

    def run_cli(self, cinder, *argv):
        self.environment(NOAUTH_ENV)
        args = arguments.parse_args(list(argv) + ['--poll-interval', '0'])
        stdout, stderr = io.StringIO(), io.StringIO()
        code = cli.run(args, cinder, stdout, stderr)
        return code, stdout.getvalue(), stderr.getvalue()

    def test_noauth_settings_come_from_os_variables(self):
        self.environment(NOAUTH_ENV)
        args = arguments.parse_args(['list'])
        self.assertEqual(
            ('noauth', 'http://cinder:8776/v3', 'project-1', 'admin'),
            (args.os_auth_type, args.os_endpoint, args.os_project_id,
             args.os_user_id))

    def test_keystone_settings_come_from_os_variables(self):
        self.environment({
            'OS_AUTH_URL': 'http://keystone/v3', 'OS_USERNAME': 'ops',
            'OS_PASSWORD': 'secret', 'OS_PROJECT_NAME': 'backup',
            'OS_USER_DOMAIN_NAME': 'Default',
            'OS_PROJECT_DOMAIN_NAME': 'Default'})
        args = arguments.parse_args(['list'])
        auth = loading.load_auth_from_argparse_arguments(args)
        self.assertEqual(
            ('http://keystone/v3', 'ops', 'secret', 'backup', 'Default'),
            (auth.auth_url, auth._username, auth._password,
             auth._project_name, auth._user_domain_name))

    def test_main_without_noauth_endpoint_fails_with_one_line(self):
        self.environment({'OS_AUTH_TYPE': 'noauth'})
        stderr = self.useFixture(fixtures.StringStream('stderr')).stream
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertEqual(1, cli.main(['list']))
        stderr.seek(0)
        self.assertEqual(
            'ERROR: noauth needs the Block Storage endpoint: set '
            '--os-endpoint or OS_ENDPOINT to its /v3 URL.\n', stderr.read())

    def test_protect_with_keep_expires_oldest(self):
        cinder = fakes.FakeCinder()
        volume = cinder.volumes.add('available', size=1, name='data')
        for created_at in ('2026-11-20T00:00:00', '2026-11-21T00:00:00'):
            cinder.volume_snapshots.add(
                'available', volume_id=volume.id, size=1, name='old',
                metadata={client.PROTECTION_TAG: created_at},
                created_at=created_at)
        code, stdout, stderr = self.run_cli(
            cinder, 'protect', 'data', '--keep', '2', '--format', 'json')
        self.assertEqual(0, code, stderr)
        result = json.loads(stdout)
        self.assertEqual(['snapshot-1'], result['expired'])
        self.assertEqual(['snapshot-2', result['id']],
                         sorted(cinder.volume_snapshots.items))
        self.assertEqual(('available', volume.id, 1),
                         (result['status'], result['volume_id'],
                          result['size']))
        self.assertIn('Snapshot %s: creating, waiting for available'
                      % result['id'], stderr)

    def test_protect_with_failed_expiry_exits_1_after_protecting(self):
        cinder = fakes.FakeCinder()
        volume = cinder.volumes.add('available', size=1)
        cinder.volume_snapshots.add(
            'available', volume_id=volume.id, size=1,
            metadata={client.PROTECTION_TAG: 'c0'},
            created_at='2026-11-20T00:00:00')
        cinder.volume_snapshots.delete_statuses = ['deleting',
                                                   'error_deleting']
        code, stdout, _ = self.run_cli(cinder, 'protect', volume.id,
                                       '--keep', '1', '--format', 'json')
        self.assertEqual(1, code)
        result = json.loads(stdout)
        self.assertEqual('available', result['status'])
        self.assertEqual([], result['expired'])
        self.assertIn('snapshot-1 is in status error_deleting',
                      result['expiry_errors'][0])

    def test_restore_latest_without_protection_fails(self):
        cinder = fakes.FakeCinder()
        volume = cinder.volumes.add('available', size=1)
        self.assertRaises(exception.NoAvailableProtection, self.run_cli,
                          cinder, 'restore', '--latest', volume.id)

    def test_table_output_of_one_record_is_field_and_value(self):
        cinder = fakes.FakeCinder()
        volume = cinder.volumes.add('available', size=1)
        code, stdout, _ = self.run_cli(cinder, 'protect', volume.id,
                                       '--no-progress')
        lines = stdout.splitlines()
        self.assertEqual(['field', 'value'], lines[0].split())
        self.assertIn(['volume_id', volume.id],
                      [line.split() for line in lines])


class TerminalStream(io.StringIO):
    def isatty(self):
        return True


def _progress(resource, resource_id, status, elapsed):
    return waiter.Progress(resource, resource_id, 'available', status,
                               elapsed, 60)


class ProgressDisplayTestCase(testtools.TestCase):

    def show(self, stream, enabled=True):
        display = output.ProgressDisplay(stream, enabled=enabled)
        for progress in (_progress('Volume', 'v', 'creating', 0),
                         _progress('Volume', 'v', 'creating', 5),
                         _progress('Volume', 'v', 'available', 10),
                         _progress('Snapshot', 's', 'available', 0)):
            display(progress)
        display.finish()
        return stream.getvalue()

    def test_log_lines_only_on_status_change(self):
        self.assertEqual(
            'Volume v: creating, waiting for available (0s of 60s)\n'
            'Volume v: available, waiting for available (10s of 60s)\n'
            'Snapshot s: available, waiting for available (0s of 60s)\n',
            self.show(io.StringIO()))

    def test_terminal_line_redrawn_then_ended(self):
        self.assertEqual(
            '\r\033[KVolume v: creating, waiting for available (0s of 60s)'
            '\r\033[KVolume v: creating, waiting for available (5s of 60s)'
            '\r\033[KVolume v: available, waiting for available (10s of '
            '60s)\n'
            '\r\033[KSnapshot s: available, waiting for available (0s of '
            '60s)\n', self.show(TerminalStream()))

    def test_disabled_shows_nothing(self):
        self.assertEqual('', self.show(TerminalStream(), enabled=False))
