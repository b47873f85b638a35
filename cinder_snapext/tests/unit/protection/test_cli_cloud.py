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

"""cinder-snapext-protect with OS_CLOUD: clouds.yaml read by openstacksdk.

Cinder is a small HTTP server in a process of its own (fake_cinder_http):
what it receives proves which endpoint and credentials were used.
"""

import io
import json
import os
import subprocess
import sys

import fixtures
import testtools

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import connection

CLOUDS = '''clouds:
  backup:
    auth_type: admin_token
    auth:
      endpoint: '%(url)s/v3'
      token: 'secret-token'
    block_storage_endpoint_override: '%(url)s/v3'
'''


def start_fake_cinder(test, log, *mode, script='fake_cinder_http.py'):
    """Start a fake Cinder for test (stopped at its end); its port."""
    server = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), script),
         log] + list(mode), stdout=subprocess.PIPE, text=True)
    test.addCleanup(server.stdout.close)
    test.addCleanup(server.wait, 10)
    test.addCleanup(server.kill)
    return int(server.stdout.readline())


class CloudsYamlTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.log = os.path.join(folder, 'requests.log')
        port = start_fake_cinder(self, self.log)
        url = self.url = 'http://127.0.0.1:%d' % port
        clouds = os.path.join(folder, 'clouds.yaml')
        with open(clouds, 'w') as f:
            f.write(CLOUDS % {'url': url})
        # Nothing of the caller's environment may take part.
        for name in list(os.environ):
            if name.startswith(('OS_', 'CINDER_')):
                self.useFixture(fixtures.EnvironmentVariable(name))
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', clouds))
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.patch(cli.sys, 'stdout', self.stdout)
        self.patch(cli.sys, 'stderr', self.stderr)

    def test_os_cloud_selects_the_endpoint_and_token_of_clouds_yaml(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'backup'))
        self.assert_listed_with([], '/v3/snapshots/detail', 'secret-token')

    def seen(self):
        """(path, token) of every GET the endpoint answered, in order."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [tuple(json.loads(line)) for line in f]

    def assert_listed_with(self, argv, path, token):
        """``list`` through the connection these options make."""
        self.assertEqual(0, cli.main(argv + ['list', '--format', 'json']),
                         self.stderr.getvalue())
        self.assertEqual([], json.loads(self.stdout.getvalue()))
        self.assertEqual((path, token), self.seen()[-1])

    def test_os_endpoint_wins_over_the_clouds_override(self):
        self.assert_listed_with(
            ['--os-cloud', 'backup', '--os-endpoint', self.url + '/v3/p-2'],
            '/v3/p-2/snapshots/detail', 'secret-token')

    def test_token_flags_reach_cinder_without_a_cloud(self):
        self.assert_listed_with(
            ['--os-auth-type', 'admin_token', '--os-token', 'flag-token',
             '--os-endpoint', self.url + '/v3'],
            '/v3/snapshots/detail', 'flag-token')

    def test_noauth_sends_user_and_project_to_the_endpoint(self):
        # CinderNoAuthPlugin's token is user:project, which noauth trusts.
        self.assert_listed_with(
            ['--os-auth-type', 'noauth', '--os-project-id', 'p-1',
             '--os-endpoint', self.url + '/v3/'],
            '/v3/snapshots/detail', 'admin:p-1')

    def test_noauth_without_endpoint_is_one_error_line(self):
        self.assertEqual(1, cli.main(['--os-auth-type', 'noauth', 'list']))
        self.assertIn('ERROR: noauth needs the Block Storage endpoint',
                      self.stderr.getvalue())
        self.assertEqual([], self.seen())

    def test_unknown_cloud_is_one_error_line(self):
        self.assertEqual(1, cli.main(['--os-cloud', 'nowhere', 'list']))
        self.assertIn('ERROR: cloud nowhere:', self.stderr.getvalue())
        self.assertEqual([], self.seen())


class RequestTimeoutTestCase(testtools.TestCase):
    """A Cinder that accepts the connection and never answers."""

    def setUp(self):
        super().setUp()
        self.url = 'http://127.0.0.1:%d/v3' % start_fake_cinder(
            self, os.devnull, 'mute')
        for name in list(os.environ):
            if name.startswith(('OS_', 'CINDER_')):
                self.useFixture(fixtures.EnvironmentVariable(name))
        self.stderr = io.StringIO()
        self.patch(cli.sys, 'stdout', io.StringIO())
        self.patch(cli.sys, 'stderr', self.stderr)

    def test_timeout_ends_the_command_with_one_error_line(self):
        status = cli.main(['--os-auth-type', 'noauth', '--os-project-id',
                           'p-1', '--os-endpoint', self.url,
                           '--timeout', '0.5', 'list'])
        self.assertEqual(1, status)
        self.assertIn('ERROR:', self.stderr.getvalue())
        self.assertIn('timed out', self.stderr.getvalue())

    def test_requests_have_a_deadline_by_default(self):
        args = arguments.parse_args(['--os-auth-type', 'noauth',
                                    '--os-endpoint', self.url, 'list'])
        self.assertEqual(arguments.REQUEST_TIMEOUT, args.timeout)
        self.assertEqual(arguments.REQUEST_TIMEOUT,
                         connection.from_args(args).session.timeout)
